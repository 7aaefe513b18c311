// Storage drivers: where a cache lives. The core plans every operation; a
// driver only reads, lists, writes and deletes. Any object with these methods
// is a driver (see StorageDriver in storage.d.ts):
//
//   readIndex()            index.json's bytes, or null when there is none
//   readBlob(digest, mediaType?, {limit}?)
//                          a blob's bytes (at most `limit` of them), or null
//                          when it is missing
//   openBlob(digest)       an async iterable of the blob's chunks
//   listBlobs()            [{path, size, modified}] of every stored blob
//   hasBlob(digest)        whether the blob is stored
//   writeBlob(digest, src) store bytes or chunks as the blob, atomically,
//                          refusing content that does not match the digest
//   writeIndex(bytes)      replace index.json atomically
//   deleteBlob(digest)     remove a blob
//   updateIndex(update)    optional: replace index.json with update(current)
//                          (bytes, or null to leave it), atomically with
//                          respect to other writers
//   readLayoutFile()       optional: the oci-layout file's bytes, or null
//   prefersStreams         optional: true when writeBlob takes a stream of
//                          chunks as fast as whole bytes (copy then streams)
//   commits()              optional: a Commits (commits.mjs) whose writeBlob
//                          copy streams blobs through, committed beside the
//                          transfers; its close() waits for them all
//   moveAside(digests), recoverAside(), settle({settleMs})
//                          optional: what gc needs to delete safely while
//                          BuildKit exports into the same place (aside.mjs)
//
// Reads are bounded and typed: operations pass `limit` wherever they know
// how much they need (a document's size + 1, index.json's limit), and a
// path that is not a regular file is NOT_A_FILE, never read (file.mjs).
//
// LocalStorage is the OCI layout directory BuildKit's type=local writes;
// SelectedStorage is a read-only view of a storage that shows one index.json
// entry (what a location's tag= or digest= selects).
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { dirname, join } from 'node:path'
import { CacheLoader, Digester, ImageIndex, OciLayout, verifyAsync } from './index.mjs'
import { Aside, settle } from './aside.mjs'
import { Spool, missing, pathType, readBounded, streamFile, writeAll } from './file.mjs'
import { DEFAULT_LOCK_TIMEOUT_MS, withLock } from './lock.mjs'
import { Commits } from './commits.mjs'

// A streamed blob is written in batches of about this many bytes.
const BATCH = 1 << 20

function coded(code, message) {
  return Object.assign(new Error(message), { code })
}

// Closes and removes a temporary file that will not be committed.
async function discard(temp, handle) {
  await handle.close().catch(() => {})
  await rm(temp, { force: true })
}

/**
 * An OCI image layout directory (BuildKit's `type=local` cache). index.json
 * is read under BuildKit's lock (`index.json.lock`, shared) and replaced
 * under it (exclusive), waiting at most `lockTimeoutMs` for it.
 */
export class LocalStorage {
  // Directories made (or found) by this storage: made once, not once per blob.
  #made = new Set()

  /**
   * @param {string} root the layout directory
   * @param {{lockTimeoutMs?: number}} [options]
   */
  constructor(root, { lockTimeoutMs = DEFAULT_LOCK_TIMEOUT_MS } = {}) {
    this.root = root
    this.lockTimeoutMs = lockTimeoutMs
    /** Commits under way (commits.mjs), by digest: settled, never rejected. */
    this._pending = new Map()
  }

  /**
   * A Commits for a copy into this directory: streamed blobs synced and
   * renamed into place beside the next transfers. A subclass whose
   * writeBlob must see every blob returns null (copy then writes through
   * writeBlob alone).
   */
  commits() {
    return new Commits(this)
  }

  /**
   * A stream of chunks is written as fast as one buffer (hashed as it comes,
   * written in batches), so copy() streams every blob into a directory: an
   * S3 download of 200 blobs of 5 MB took 2.8 s instead of 3.4, and 122
   * instead of 177 MiB.
   */
  get prefersStreams() {
    return true
  }

  toString() {
    return this.root
  }

  #path(digest) {
    return join(this.root, OciLayout.blobPath(digest))
  }

  #lock(shared, work) {
    return withLock(join(this.root, 'index.json.lock'), { shared, timeoutMs: this.lockTimeoutMs }, work)
  }

  // index.json, up to the core's limit (one byte past it: the loader
  // reports a longer one).
  #index() {
    return readBounded(join(this.root, 'index.json'), CacheLoader.indexReadLimit())
  }

  // null when the layout has no index.json; an error when the directory
  // itself is missing (a wrong path, not an empty cache).
  async readIndex() {
    await stat(this.root)
    return this.#lock(true, () => this.#index())
  }

  // The oci-layout file (at most 64 KiB of it: it is a few bytes), or null.
  readLayoutFile() {
    return readBounded(join(this.root, 'oci-layout'), 64 << 10)
  }

  async readBlob(digest, _mediaType, { limit } = {}) {
    await this._pending.get(digest)
    return readBounded(this.#path(digest), limit)
  }

  async *openBlob(digest) {
    await this._pending.get(digest)
    yield* streamFile(this.#path(digest))
  }

  async hasBlob(digest) {
    await this._pending.get(digest)
    try {
      return (await stat(this.#path(digest))).isFile()
    } catch (err) {
      if (missing(err)) return false
      throw err
    }
  }

  async listBlobs() {
    const out = []
    let algorithms
    try {
      algorithms = await readdir(join(this.root, 'blobs'), { withFileTypes: true })
    } catch (err) {
      if (missing(err)) return out
      throw err
    }
    for (const alg of algorithms.filter((e) => e.isDirectory()).map((e) => e.name).sort()) {
      for (const name of await readdir(join(this.root, 'blobs', alg))) {
        // Symlinks are followed; what is not a regular file is listed with
        // its type (never read, never deleted).
        const what = await pathType(join(this.root, 'blobs', alg, name))
        if (what === null) continue
        const blob = { path: `blobs/${alg}/${name}`, size: what.size, modified: what.modified }
        out.push(what.type ? { ...blob, type: what.type } : blob)
      }
    }
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  }

  // `mkdir -p dir`, once per directory: a copy writes hundreds of blobs into
  // the same two directories, and each mkdir is a trip through the thread
  // pool (two per blob were about 3 % of an S3 download). A directory removed
  // since (by hand; BuildKit and gc leave them) is made again when an open
  // or rename misses it (#again).
  async #directory(dir) {
    if (this.#made.has(dir)) return
    await mkdir(dir, { recursive: true })
    this.#made.add(dir)
  }

  // `work()`, and once more after making `dir` again if it failed because a
  // directory is missing.
  async #again(dir, work) {
    try {
      return await work()
    } catch (err) {
      if (!missing(err) || !this.#made.has(dir)) throw err
      this.#made.delete(dir)
      await this.#directory(dir)
      return work()
    }
  }

  // A new temporary file in ingest/ (same file system as blobs/, and left
  // alone by BuildKit and gc) that `fill(handle)` writes: { temp, handle },
  // not yet synced; removed if `fill` fails.
  async #fill(fill) {
    const ingest = join(this.root, 'ingest')
    await this.#directory(ingest)
    const temp = join(ingest, `ocicache-${process.pid}-${randomBytes(6).toString('hex')}`)
    const handle = await this.#again(ingest, () => open(temp, 'wx'))
    try {
      await fill(handle)
    } catch (err) {
      await discard(temp, handle)
      throw err
    }
    return { temp, handle }
  }

  /** Syncs a file _fillBlob wrote and renames it to `target`; removed on any failure. */
  async _commit({ temp, handle }, target) {
    try {
      await handle.sync()
    } catch (err) {
      await discard(temp, handle)
      throw err
    }
    await handle.close()
    try {
      await this.#again(dirname(target), () => rename(temp, target))
    } catch (err) {
      await rm(temp, { force: true })
      throw err
    }
  }

  // A temporary file `fill` writes, synced, then renamed into place.
  async #atomic(target, fill) {
    await this._commit(await this.#fill(fill), target)
  }

  /** The path of the blob `digest`, its directory made. */
  async _target(digest) {
    const target = this.#path(digest)
    await this.#directory(dirname(target))
    return target
  }

  async writeBlob(digest, source) {
    const target = await this._target(digest)
    await this._commit(await this._fillBlob(digest, source), target)
  }

  /**
   * The blob `digest` from `source` (bytes or chunks) in a temporary file,
   * checked against its digest: { temp, handle } for _commit.
   */
  _fillBlob(digest, source) {
    return this.#fill(async (handle) => {
      if (source instanceof Uint8Array) {
        // Hashed on the thread pool while it is written: neither holds the event loop.
        const done = await Promise.allSettled([verifyAsync(source, digest), writeAll(handle, [source])])
        for (const r of done) if (r.status === 'rejected') throw r.reason
      } else {
        // Chunks are hashed as they come and written a batch at a time (one
        // writev of about BATCH bytes): a network body comes in 16-64 KiB.
        const d = new Digester(digest.split(':')[0])
        let batch = []
        let size = 0
        for await (const chunk of source) {
          d.update(chunk)
          batch.push(chunk)
          size += chunk.length
          if (size >= BATCH) {
            await writeAll(handle, batch)
            batch = []
            size = 0
          }
        }
        await writeAll(handle, batch)
        d.verify(digest)
      }
      // Read-only, as BuildKit's content store writes blobs.
      await handle.chmod(0o444)
    })
  }

  async writeIndex(bytes) {
    await this.updateIndex(() => bytes)
  }

  /** A Spool in ingest/ (the same file system as blobs/; gc leaves it alone). */
  spool() {
    return Spool.open(join(this.root, 'ingest'))
  }

  /**
   * Replaces index.json with `update(current)` (its bytes, or null when
   * there is none) under BuildKit's lock, exclusive: no export or other
   * writer changes it in between. `update` returns the new bytes, or null
   * to leave the file as it is. Returns what was written, or null.
   */
  async updateIndex(update) {
    await mkdir(this.root, { recursive: true })
    return this.#lock(false, async () => {
      const next = await update(await this.#index())
      if (next === null || next === undefined) return null
      const layoutFile = join(this.root, 'oci-layout')
      try {
        await stat(layoutFile)
      } catch (err) {
        if (!missing(err)) throw err
        await this.#atomic(layoutFile, (h) => writeAll(h, [OciLayout.fileContent()]))
      }
      await this.#atomic(join(this.root, 'index.json'), (h) => writeAll(h, [next]))
      return next
    })
  }

  async deleteBlob(digest) {
    await this._pending.get(digest)
    await rm(this.#path(digest), { force: true })
  }

  /** Moves the blobs `digests` out of blobs/ for gc: an Aside. */
  moveAside(digests) {
    return Aside.move(this.root, digests)
  }

  /** Puts back what a gc left aside (one that died halfway). */
  recoverAside() {
    return Aside.recover(this.root)
  }

  /** Waits until no export has written under ingest/ for `settleMs`; whether it did. */
  settle(options) {
    return settle(this.root, options)
  }
}

/**
 * A read-only view of `storage` whose index.json holds one entry: the one
 * BuildKit imports for `tag`, or, with `digest`, that manifest whatever
 * index.json says (named `tag`, default `latest`), as BuildKit's local
 * importer reads `tag=` and `digest=`. Blobs are the storage's own, so
 * those only other entries reach count as unreachable from the view.
 */
export class SelectedStorage {
  /**
   * @param {object} storage the storage driver to view
   * @param {{tag?: string, digest?: string}} selection
   */
  constructor(storage, { tag, digest } = {}) {
    this.storage = storage
    this.tag = tag ?? 'latest'
    this.digest = digest
  }

  toString() {
    return `${this.storage} (${this.digest ? `digest ${this.digest}` : `tag ${this.tag}`})`
  }

  async readIndex() {
    if (this.digest === undefined) return ImageIndex.selectedLayoutIndex(await this.storage.readIndex(), this.tag)
    const document = await this.storage.readBlob(this.digest, undefined, { limit: CacheLoader.indexReadLimit() })
    if (document === null) throw coded('MISSING_BLOB', `${this.storage}: no blob ${this.digest} (the location's digest=)`)
    return ImageIndex.pinnedLayoutIndex(document, this.digest, this.tag)
  }

  readBlob(...args) {
    return this.storage.readBlob(...args)
  }

  async readLayoutFile() {
    return typeof this.storage.readLayoutFile === 'function' ? this.storage.readLayoutFile() : null
  }

  openBlob(...args) {
    return this.storage.openBlob(...args)
  }

  listBlobs() {
    return this.storage.listBlobs()
  }

  hasBlob(...args) {
    return this.storage.hasBlob(...args)
  }

  async writeBlob() {
    throw this.#readOnly()
  }

  async writeIndex() {
    throw this.#readOnly()
  }

  async deleteBlob() {
    throw this.#readOnly()
  }

  #readOnly() {
    return coded('UNSUPPORTED_OPERATION', `${this} is read-only: tag= and digest= select what to read; write to the location without them`)
  }
}
