// The operations on a cache, carried out through a storage driver
// (storage.mjs): the core plans, these functions do the I/O. They run in
// Node and in browsers alike: `ocicache` is this package itself (the
// native addon under Node, the WASM build under the `browser` condition or
// a page's import map), and nothing here needs Node's modules.
import { BlobVerifier, CacheLoader, Decoder, ImageIndex, LayerCompressor, MediaType, Merge, detectCompression } from 'ocicache'

// The cores there are (Node 20 has no `navigator`; its libuv pool has 4 threads).
const cores = () => globalThis.navigator?.hardwareConcurrency ?? 4

// Blobs up to this size are copied as one buffer, larger ones streamed.
const WHOLE = 8 << 20
// convert decodes at most about this much of a layer at once: a few bytes of
// zstd can stand for gigabytes.
const DECODED = 1 << 20
const EMPTY = new Uint8Array(0)

// The bytes of `parts`, one after the other.
function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/**
 * Replaces `storage`'s index.json with `update(current)` (bytes, or null to
 * leave it): under the driver's own lock where it has one (LocalStorage:
 * BuildKit's), so that a concurrent export's or merge's tag is not lost.
 */
export async function updateIndex(storage, update) {
  if (typeof storage.updateIndex === 'function') return storage.updateIndex(update)
  const next = await update(await storage.readIndex())
  if (next !== null && next !== undefined) await storage.writeIndex(next)
  return next ?? null
}

/**
 * Loads a cache (index.json and every document it reaches) from `storage`;
 * `index`: the bytes of index.json when already read.
 */
export async function loadCache(storage, index) {
  const loader = new CacheLoader(index === undefined ? await storage.readIndex() : index)
  if (typeof storage.readLayoutFile === 'function') {
    let layout = null
    try {
      layout = await storage.readLayoutFile()
    } catch (err) {
      if (err.code !== 'NOT_A_FILE') throw err
    }
    loader.ociLayout(layout)
  }
  for (let digest; (digest = loader.nextNeeded()) !== null; ) {
    // Never more than the descriptor's size + 1 (0: over the limit, unread).
    const limit = loader.readLimit()
    let bytes
    try {
      bytes = limit === 0 ? new Uint8Array(0) : await storage.readBlob(digest, undefined, { limit })
    } catch (err) {
      const reason = unreadable(err)
      if (reason === null) throw err
      loader.failed(digest, reason, err.message)
      continue
    }
    if (bytes === null) loader.missing(digest)
    else loader.feed(digest, bytes)
  }
  return loader.finish()
}

// The code of a finding for a blob that could not be read, or null when
// `err` is not about the blob (a bug, or a storage that is gone).
function unreadable(err) {
  if (err.code === 'NOT_A_FILE' || err.code === 'REGISTRY_ERROR') return err.code
  if (typeof err.code === 'string' && err.syscall) return 'STORAGE_ERROR'
  return null
}

/** What the cache holds: an Inspection (`toJSON()`, `toText()`). */
export async function inspect(storage) {
  const cache = await loadCache(storage)
  return cache.inspect(await storage.listBlobs())
}

// Runs `work` over `items`, `limit` at a time. After a failure no new item
// starts, and the first error is thrown once the items under way have
// settled: nothing goes on in the background after the call (as Python's
// thread pool waits for its workers).
async function pool(items, limit, work) {
  let next = 0
  let failed = false
  const run = async () => {
    while (!failed && next < items.length) {
      try {
        await work(items[next++])
      } catch (err) {
        failed = true
        throw err
      }
    }
  }
  const settled = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, run))
  const failure = settled.find((r) => r.status === 'rejected')
  if (failure) throw failure.reason
}

/**
 * Checks every blob (digest, size, layer diffIDs) and the cache's
 * documents: a VerifyReport (`ok`, `toJSON()`, `toText()`). Several blobs
 * hash at once on the libuv pool; `onProgress(doneBytes, totalBytes)` is
 * called as they go.
 */
export async function verify(storage, { concurrency = cores(), onProgress } = {}) {
  const cache = await loadCache(storage)
  const verification = cache.verification(await storage.listBlobs())
  const checks = verification.checks()
  const total = checks.reduce((n, c) => n + c.size, 0)
  let done = 0
  await pool(checks, Math.max(1, concurrency), async (check) => {
    const verifier = new BlobVerifier(check.digest, check.layer)
    let read = 0
    try {
      for await (const whole of storage.openBlob(check.digest)) {
        // Never past the stored size + 1: a blob that goes on is a
        // SIZE_MISMATCH, not an endless read.
        const chunk = whole.subarray(0, check.size + 1 - read)
        await verifier.updateAsync(chunk)
        read += chunk.length
        done += chunk.length
        onProgress?.(done, total)
        if (read > check.size) break
      }
      verification.record(check.digest, verifier)
    } catch (err) {
      // A blob that cannot be read is a finding; anything else is a bug.
      const reason = unreadable(err)
      if (reason === null) throw err
      verification.recordFailure(check.digest, err.message, reason)
    }
  })
  return verification.report()
}

/** How long a layout must stay quiet before gc looks again: 2 seconds. */
export const DEFAULT_SETTLE_MS = 2000

/**
 * Deletes the blobs nothing kept reaches. Options: `dryRun`, `keepTags`,
 * `dropTags`, `gracePeriodMs` (default 10 minutes), `now` (ms),
 * `settleMs`. Writes the new index.json first when tags are dropped.
 * Returns the GcPlan, with what gc's second look put back.
 *
 * Safe while BuildKit exports into the same layout — no blob that the
 * index.json on disk when gc finishes reaches is deleted:
 *
 * 1. gc plans from index.json as it is (read under BuildKit's lock) and
 *    keeps everything an entry reaches — it refuses when it cannot know —
 *    and every blob younger than the grace period.
 * 2. It moves the blobs it means to delete aside (Aside: renamed out of
 *    blobs/), not away. An export that looks for one from now on finds it
 *    missing and writes it again (BuildKit's content store writes a blob
 *    only when it is missing), so nothing it exports can depend on the
 *    moved copy.
 * 3. An export that found a blob before the move still uses it: gc waits
 *    until the layout has been quiet — nothing written under ingest/, where
 *    BuildKit's exporter and ocicache's writers put every blob first — for
 *    `settleMs`. Such an export writes index.json right after its last
 *    blob (config and manifest go through ingest/ too), so by then it has.
 *    The argument assumes no export pauses longer than `settleMs` between
 *    finding a blob and its next write; on a layout that never goes quiet
 *    (`30 × settleMs`, at least a minute), gc puts everything back.
 * 4. It loads index.json again (documents come from blobs/ or from aside)
 *    and, under BuildKit's exclusive lock, with index.json unchanged since,
 *    puts back every moved blob any entry reaches (all of them when a
 *    document cannot be read). An export that finishes after this wrote
 *    every moved blob it needs itself (2.).
 * 5. Only then does it delete what is left aside. A gc that dies halfway
 *    leaves its blobs aside; the next gc puts them back first.
 */
export async function gc(storage, { dryRun = false, keepTags, dropTags, gracePeriodMs, now = Date.now(), settleMs = DEFAULT_SETTLE_MS, onProgress } = {}) {
  if (!dryRun) await storage.recoverAside?.()
  const cache = await loadCache(storage)
  const listed = await storage.listBlobs()
  gracePeriodMs ??= storage.defaultGracePeriodMs
  const plan = cache.gcPlan(listed, { nowMs: Math.floor(now), gracePeriodMs, keepTags, dropTags })
  if (dryRun) return plan
  if (plan.index !== null) await updateIndex(storage, (current) => plan.indexAfter(current))
  const doomed = plan.delete.map((path) => path.slice('blobs/'.length).replace('/', ':'))
  if (typeof storage.moveAside !== 'function') {
    // An object store cannot move blobs aside: gc looks again just before
    // deleting, and keeps what an entry reaches now or what was written
    // since its listing (BuildKit re-touches a blob it reuses).
    const keep = doomed.length ? await lookAgainInPlace(storage, doomed, listed) : []
    plan.settle(keep, true)
    const gone = doomed.filter((d) => !keep.includes(d))
    for (let i = 0; i < gone.length; i++) {
      await storage.deleteBlob(gone[i])
      onProgress?.(i + 1, gone.length)
    }
    return plan
  }
  if (doomed.length === 0) return plan
  const aside = await storage.moveAside(doomed)
  let restore = aside.digests
  try {
    const quiet = await storage.settle({ settleMs })
    if (quiet) restore = await lookAgain(storage, aside)
    plan.settle(restore, quiet)
  } finally {
    for (const d of restore) await aside.restore(d)
  }
  const gone = aside.digests.filter((d) => !restore.includes(d))
  for (let i = 0; i < gone.length; i++) {
    await aside.purge(gone[i])
    onProgress?.(i + 1, gone.length)
  }
  await aside.close()
  return plan
}

/**
 * Prunes results inside the cache's configs to keep it within `maxSize`
 * bytes and `maxAgeMs` (`keepTags` are kept whole): writes each rewritten
 * tag's new config and manifest, points index.json at them under the
 * driver's lock (a tag a concurrent export changed since the plan is left
 * as it is: `skipped`), then, unless `collect` is false, collects what is no
 * longer reachable with gc and its safety rules (`gracePeriodMs`,
 * `settleMs`). Returns `{plan, skipped, gc}` (`gc`: the GcPlan, or null).
 */
export async function prune(storage, { maxSize, maxAgeMs, keepTags, dryRun = false, collect = true, gracePeriodMs, now = Date.now(), settleMs, onProgress } = {}) {
  const cache = await loadCache(storage)
  const plan = cache.prunePlan({ nowMs: Math.floor(now), maxSize, maxAgeMs, keepTags })
  if (dryRun) return { plan, skipped: [], gc: null }
  let skipped = []
  const writes = plan.writes
  if (writes.length > 0) {
    for (const w of writes) {
      await storage.writeBlob(w.configDigest, w.configBytes, MediaType.CACHE_CONFIG)
      await storage.writeBlob(w.descriptor.digest, w.manifestBytes, w.descriptor.mediaType)
    }
    await updateIndex(storage, (current) => {
      const after = plan.apply(current ?? new Uint8Array(0))
      skipped = after.skipped
      return after.index
    })
  }
  const collected = collect ? await gc(storage, { gracePeriodMs, now, settleMs, onProgress }) : null
  return { plan, skipped, gc: collected }
}

function sameBytes(a, b) {
  if (a === null || b === null) return a === b
  return a.length === b.length && a.every((x, i) => x === b[i])
}

const CHANGED_INDEX = Symbol('index.json changed')

// gc's second look (step 4): the moved blobs any entry of index.json now
// reaches, put back under BuildKit's lock with index.json unchanged since it
// was read; all of them when index.json keeps changing.
// gc's second look where blobs cannot be moved aside: of `doomed`, those an
// entry of the index read now reaches (all when a document cannot be read),
// and those whose modification time is not what `listed` said.
async function lookAgainInPlace(storage, doomed, listed) {
  const keep = new Set((await loadCache(storage)).recheck(doomed).restore)
  const before = new Map(listed.map((b) => [b.path, b.modified]))
  const now = new Map((await storage.listBlobs()).map((b) => [b.path, b.modified]))
  for (const d of doomed) {
    const path = `blobs/${d.replace(':', '/')}`
    if ((now.has(path) ? now.get(path) : before.get(path)) !== before.get(path)) keep.add(d)
  }
  return doomed.filter((d) => keep.has(d))
}

async function lookAgain(storage, aside) {
  const view = {
    readBlob: async (digest, mediaType, options) => (await storage.readBlob(digest, mediaType, options)) ?? (await aside.readBlob(digest, options)),
  }
  for (let attempt = 0; attempt < 5; attempt++) {
    const index = await storage.readIndex()
    const { restore } = (await loadCache(view, index)).recheck(aside.digests)
    try {
      await updateIndex(storage, async (current) => {
        if (!sameBytes(current, index)) throw CHANGED_INDEX
        for (const d of restore) await aside.restore(d)
        return null
      })
      return restore
    } catch (err) {
      if (err !== CHANGED_INDEX) throw err
    }
  }
  return aside.digests
}

// Puts one blob into `to` unless it is there: mounted from `from` when the
// driver can (a registry, from another repository of the same registry),
// else copied (streamed when large; through `commits`, a directory's
// Commits, when given). Returns what it did.
async function transfer(blob, from, to, commits = null) {
  if (await to.hasBlob(blob.digest, blob.mediaType)) return 'skipped'
  if (!blob.manifest && typeof to.mountBlob === 'function' && (await to.mountBlob(blob.digest, from))) return 'mounted'
  // Small blobs (most of a cache) are read whole: one buffer instead of a
  // stream of chunks joined again for the upload. A driver that writes a
  // stream as fast (`prefersStreams`: a directory hashes chunks as they come
  // and writes them in batches) gets every blob streamed: no buffer per blob.
  const whole = blob.manifest || (!to.prefersStreams && blob.size !== undefined && blob.size <= WHOLE)
  // A blob longer than its size is read one byte past it (the write refuses it).
  const limit = blob.size === undefined ? undefined : blob.size + 1
  const source = whole ? await from.readBlob(blob.digest, blob.mediaType, { limit }) : from.openBlob(blob.digest, blob.mediaType)
  if (source === null) throw Object.assign(new Error(`${from}: blob ${blob.digest} is missing`), { code: 'MISSING_BLOB' })
  await (commits ?? to).writeBlob(blob.digest, source, blob.mediaType)
  return 'copied'
}

// Copies each blob of `digests` missing from `to`, from the first source
// holding it.
async function copyBlobs(digests, to, sources) {
  for (const digest of digests) {
    if (await to.hasBlob(digest)) continue
    let from = null
    for (const s of sources) if (await s.hasBlob(digest)) from = from ?? s
    if (from === null) throw Object.assign(new Error(`blob ${digest} is in no source`), { code: 'MISSING_BLOB' })
    await transfer({ digest, manifest: false }, from, to)
  }
}

// The digest `tag` names in the index.json `bytes` (as BuildKit finds it), or null.
function tagged(bytes, tag) {
  if (bytes === null) return null
  try {
    return ImageIndex.fromBytes(bytes).findTag(tag).digest
  } catch (err) {
    if (err.code === 'TAG_NOT_FOUND') return null
    throw err
  }
}

const CHANGED = Symbol('the tag changed')

// Writes a CacheWrite: its config and manifest blobs, then index.json. With
// `expect` (a digest, or null for none), the tag must still name it when
// index.json is replaced, else CHANGED is thrown and nothing is replaced:
// a concurrent export of the same tag is not overwritten by a result made
// from what it replaced.
async function commit(to, write, tag, expect) {
  const descriptor = write.descriptor
  await to.writeBlob(write.configDigest, write.configBytes, MediaType.CACHE_CONFIG)
  await to.writeBlob(descriptor.digest, write.manifestBytes, descriptor.mediaType)
  await updateIndex(to, (current) => {
    if (expect !== undefined && tagged(current, tag) !== expect) throw CHANGED
    return ImageIndex.updatedLayoutIndex(current, tag, descriptor)
  })
  return descriptor
}

// Runs `attempt()` again while it throws CHANGED, at most 3 times.
async function retrying(what, attempt) {
  for (let n = 1; ; n++) {
    try {
      return await attempt()
    } catch (err) {
      if (err !== CHANGED) throw err
      if (n === 3) throw Object.assign(new Error(`${what} changed under the operation 3 times; try again`), { code: 'CACHE_LOCKED' })
    }
  }
}

/**
 * Copies the entry tagged `tag` of `from` to `to` under `toTag`, keeping
 * every digest. `tag` defaults to the source driver's own (`storage.tag`: a
 * registry's is its reference's), else `latest`; `toTag` to the
 * destination's own, else `latest` — the tag BuildKit reads when
 * `--cache-from` names none, so that a copy is imported as it is. It copies
 * the blobs the destination lacks (`concurrency` at a time — by default
 * the plan's choice, `CopyPlan.concurrency`: 4 to 16 by the blob sizes —
 * then the manifests, children first), then sets the tag. Stopping
 * anywhere leaves the destination's tag as it was; running it again copies
 * only what is still missing. `onProgress(doneBytes, totalBytes)`. Returns `{tag,
 * descriptor, blobs, copied, mounted, skipped, bytes}` (`bytes`: those
 * copied).
 */
export async function copy(from, to, { tag = from.tag ?? 'latest', toTag = to.tag ?? 'latest', concurrency, onProgress } = {}) {
  const cache = await loadCache(from)
  const plan = cache.copyPlan(tag)
  const counts = { copied: 0, mounted: 0, skipped: 0 }
  let done = 0
  let bytes = 0
  const one = async (blob, commits = null) => {
    const what = await transfer(blob, from, to, commits)
    counts[what]++
    if (what === 'copied') bytes += blob.size
    done += blob.size
    onProgress?.(done, plan.totalBytes)
  }
  const blobs = plan.blobs
  // A directory syncs and renames streamed blobs beside the transfers
  // (commits.mjs); they are all in place (or the copy fails) before the
  // index below names them.
  const commits = typeof to.commits === 'function' ? to.commits() : null
  let failure = null
  try {
    await pool(blobs.filter((b) => !b.manifest), Math.max(1, concurrency ?? plan.concurrency), (b) => one(b, commits))
  } catch (err) {
    failure = err
  }
  try {
    await commits?.close()
  } catch (err) {
    failure ??= err
  }
  if (failure) throw failure
  for (const b of blobs.filter((b) => b.manifest)) await one(b)
  await updateIndex(to, (current) => ImageIndex.updatedLayoutIndex(current, toTag, plan.descriptor))
  return { tag: toTag, descriptor: plan.descriptor, blobs: blobs.length, ...counts, bytes }
}

// index.json of `storage`, or null for a directory that does not exist yet.
async function indexOf(storage) {
  try {
    return await storage.readIndex()
  } catch (err) {
    if (err.code === 'ENOENT') return null
    throw err
  }
}

/**
 * Merges the caches `sources` ([{storage, tag}]) into `into` under `tag`, in
 * `form`: copies the blobs it needs, writes the config and manifest, then
 * index.json. When `into` already holds `tag`, that cache is merged in too
 * (`existing: 'merged'`), unless `replace` is set (`'replaced'`); `'none'`
 * when it held no such tag. With `maxSize`, the destination is then pruned
 * to it (see prune; `gracePeriodMs`, `settleMs`, `collect` go with it): a
 * cumulative cache with a cap. Returns `{descriptor, layers, existing,
 * pruned?}` (`descriptor`: the tag's final manifest).
 */
export async function merge(into, sources, { tag = into.tag ?? 'latest', form, replace = false, maxSize, gracePeriodMs, settleMs, collect = true } = {}) {
  const result = await mergeOnce(into, sources, { tag, form, replace })
  if (maxSize === undefined) return result
  const pruned = await prune(into, { maxSize, gracePeriodMs, settleMs, collect })
  const at = pruned.plan.tags.indexOf(tag)
  return { ...result, descriptor: at < 0 ? result.descriptor : pruned.plan.writes[at].descriptor, pruned }
}

async function mergeOnce(into, sources, { tag, form, replace }) {
  return retrying(`the tag ${tag} of ${into}`, async () => {
    const index = await indexOf(into)
    const held = tagged(index, tag)
    const existing = held === null ? 'none' : replace ? 'replaced' : 'merged'
    const m = new Merge()
    if (existing === 'merged') m.add(await loadCache(into, index), tag)
    for (const s of sources) m.add(await loadCache(s.storage), s.tag ?? s.storage.tag ?? 'latest')
    const write = m.finish(form)
    await copyBlobs(write.layers, into, [into, ...sources.map((s) => s.storage)])
    const descriptor = await commit(into, write, tag, replace ? undefined : held)
    return { descriptor, layers: write.layers.length, existing }
  })
}

/**
 * Converts the cache tagged `tag` to `form` and `compression`, writing the
 * new blobs next to the old ones (gc removes those later) and pointing `tag`
 * at the result. Returns `{descriptor, recompressed}`.
 */
export async function convert(storage, options = {}) {
  const tag = options.tag ?? storage.tag ?? 'latest'
  return retrying(`the tag ${tag} of ${storage}`, () => convertOnce(storage, { ...options, tag }))
}

// A converted layer until its digest (its name) is known: in memory up to
// WHOLE, then in the storage's spool file where it has one (spool(): the
// Node drivers), so that memory never follows the size of a layer.
class Output {
  #parts = []
  #size = 0
  #spool = null

  constructor(storage) {
    this.storage = storage
  }

  async push(chunk) {
    if (chunk.length === 0) return
    if (this.#spool !== null) return this.#spool.write(chunk)
    this.#parts.push(chunk)
    this.#size += chunk.length
    if (this.#size > WHOLE && typeof this.storage.spool === 'function') {
      this.#spool = await this.storage.spool()
      for (const part of this.#parts) await this.#spool.write(part)
      this.#parts = []
    }
  }

  chunks() {
    return this.#spool === null ? this.#parts : this.#spool.chunks()
  }

  async close() {
    await this.#spool?.close()
  }
}

// What `decoder` makes of `chunk`, in pieces of about DECODED bytes.
function* decoded(decoder, chunk) {
  for (let out = decoder.update(chunk, DECODED); out.length > 0; out = decoder.update(EMPTY, DECODED)) yield out
}

async function convertOnce(storage, { tag, form, compression, level, onProgress }) {
  const index = await storage.readIndex()
  const cache = await loadCache(storage, index)
  const conversion = cache.conversion(tag, form, compression)
  const layers = conversion.layersToRecompress()
  for (let i = 0; i < layers.length; i++) {
    const old = layers[i]
    let decoder = null
    let head = new Uint8Array(0)
    const encoder = new LayerCompressor(compression, level)
    const out = new Output(storage)
    let d
    try {
      for await (const chunk of storage.openBlob(old)) {
        if (decoder === null) {
          head = concat([head, chunk])
          const kind = detectCompression(head)
          if (kind === null && head.length < 512) continue
          decoder = new Decoder(kind ?? 'uncompressed')
          for (const piece of decoded(decoder, head)) await out.push(encoder.update(piece))
        } else {
          for (const piece of decoded(decoder, chunk)) await out.push(encoder.update(piece))
        }
      }
      if (decoder === null) {
        decoder = new Decoder(detectCompression(head) ?? 'uncompressed')
        for (const piece of decoded(decoder, head)) await out.push(encoder.update(piece))
      }
      decoder.finish()
      const end = encoder.finalize()
      await out.push(end.data)
      d = end.digests
      await storage.writeBlob(d.digest, out.chunks())
    } finally {
      await out.close()
    }
    conversion.record(old, d.compression, d.digest, d.size, d.diffId)
    onProgress?.(i + 1, layers.length)
  }
  const write = conversion.finish()
  const descriptor = await commit(storage, write, tag, tagged(index, tag))
  return { descriptor, recompressed: layers.length }
}
