// What the s3 and azblob drivers share: a cache kept the way BuildKit's
// type=s3 and type=azblob keep it, presented as an OCI layout so that every
// operation works on it unchanged (the same as the Python package's cloud.py).
//
// An object store holds each cache config under `<manifests prefix><name>`
// (its layers annotated with their blobs' descriptors: the cloud form, see
// the core's cloud.rs) and each layer blob under `<blobs prefix><digest>`.
// The layout a driver presents has one index.json entry per stored name
// (tagged with the name), whose manifest and config are those cloudDocuments
// makes of the stored config — documents held in memory, never stored.
// writeIndex turns every changed entry back into a cloud config (cloudConfig)
// stored under its tag, and removes the names it no longer lists; manifests
// and configs written as blobs are kept in memory until then. A stored config
// that is not a cloud config is presented as it is, so that verify reports it
// and gc refuses.
//
// Object stores have no lock, so a config is written only if it is still the
// one read (a conditional write: If-Match its ETag, or If-None-Match: * for a
// new name; S3 since 2024, Azure always): an export that stored the same name
// since is not overwritten. updateIndex reads again and retries; a store that
// answers a condition with 501 Not Implemented is written to without one.
import { CacheManifest, Digester, ImageIndex, MediaType, cloudConfig, cloudDocuments, digest, verifyAsync } from './index.mjs'
import { Spool } from './file.mjs'

const REF_NAME = 'org.opencontainers.image.ref.name'
const DOCUMENT_LIMIT = 1 << 20
/** hasBlob's listing reads at most this many pages (of 1000 keys on S3, 5000 on Azure); keys past them are looked up one by one. */
export const PRESENCE_PAGES = 4
/** updateIndex gives up (CACHE_LOCKED) after this many writes that found a config changed since it was read. */
export const INDEX_ATTEMPTS = 3
/** hasBlob's listing is taken again once it is this old. */
const PRESENCE_TTL_MS = 60_000
// A response body up to this long is collected into one buffer of its length.
const COLLECT_LIMIT = 256 << 20

function coded(code, message) {
  return Object.assign(new Error(message), { code })
}

const CHANGED = Symbol('changed since it was read')
const UNCONDITIONAL = Symbol('conditions are not implemented')

/**
 * What a driver throws when a conditional write finds `key` changed since
 * it was read (S3 412 PreconditionFailed or 409 ConditionalRequestConflict;
 * Azure 412 ConditionNotMet or 409 BlobAlreadyExists; either 404: deleted
 * since): CACHE_LOCKED.
 */
export function changedError(store, key, cause) {
  return Object.assign(new Error(`${store}: ${key} changed since it was read (another writer stored it); read it again`, { cause }), {
    code: 'CACHE_LOCKED',
    [CHANGED]: true,
  })
}

/** What a driver throws when the store refuses a conditional request as not implemented (501). */
export function unconditionalError(store, key, cause) {
  return Object.assign(new Error(`${store}: ${key}: the store does not implement conditional writes`, { cause }), {
    code: 'STORAGE_ERROR',
    [UNCONDITIONAL]: true,
  })
}

/** The bytes of `source` (bytes, or an iterable of chunks), joined. */
async function whole(source) {
  if (source instanceof Uint8Array) return source
  const parts = []
  for await (const c of source) parts.push(c)
  return Buffer.concat(parts)
}

/**
 * The bytes of a response body (an async iterable of chunks), into one
 * buffer of the `length` the response gave (not zero-filled first, nor
 * joined from a list of chunks); a body longer than that is joined past it.
 */
export async function collect(body, length) {
  if (!Number.isSafeInteger(length) || length < 0 || length > COLLECT_LIMIT) return whole(body)
  const out = Buffer.allocUnsafe(length)
  let at = 0
  const more = []
  for await (const chunk of body) {
    const fits = Math.min(chunk.length, length - at)
    if (fits > 0) out.set(chunk.subarray(0, fits), at)
    at += fits
    if (fits < chunk.length) more.push(chunk.subarray(fits))
  }
  if (at < length) return out.subarray(0, at)
  return more.length ? Buffer.concat([out, ...more]) : out
}

// `source` (bytes, or an iterable of chunks) regrouped into parts of `size` bytes (the last shorter).
async function* parts(source, size) {
  if (source instanceof Uint8Array) {
    if (source.length === 0) yield source
    for (let at = 0; at < source.length; at += size) yield source.subarray(at, at + size)
    return
  }
  let held = []
  let n = 0
  for await (const chunk of source) {
    held.push(chunk)
    n += chunk.length
    while (n >= size) {
      const all = Buffer.concat(held)
      yield all.subarray(0, size)
      held = [all.subarray(size)]
      n -= size
    }
  }
  if (n > 0 || held.length === 0) yield Buffer.concat(held)
}

/**
 * A StorageDriver over an object store holding BuildKit's cloud form.
 * Subclasses give the store's operations — `_get(key, limit)` ({bytes,
 * etag} or null), `_stream(key)`, `_head(key)` (size or null),
 * `_listPages(prefix)` (the objects under `prefix`, [{key, size, modified}]
 * a page at a time, in key order), `_delete(key)`, the uploads
 * `_putWhole(key, bytes, condition)` (its ETag; `condition`: null,
 * {ifMatch: etag} or {ifNoneMatch: '*'}, a failed one changedError, one
 * not implemented unconditionalError) and, in parts, `_startParts`,
 * `_putPart`, `_abortParts`, `_commitParts` (`_put` checks the digest
 * before it commits) — and the keys: `_blobKey(digest)` (`''` for the
 * prefix), `_manifestKey(name)`, `_manifestsPrefix()`.
 */
export class CloudStorage {
  #documents = new Map()
  #tags = new Map()
  // The ETag of each stored config as read (or written), by name.
  #etags = new Map()
  // false once the store refused a conditional write as not implemented.
  #conditional = true
  #modified = new Map()
  #loaded = null
  // #listedAbsent's listing: { at, keys, complete, last } (last: '' when the
  // listing was out of key order), or its promise.
  #presence = null

  constructor(names, touchRefreshMs) {
    /** The first name: the operations' default tag. */
    this.tag = names?.[0]
    /**
     * gc's grace period when none is given: BuildKit's touch_refresh (24 h
     * by default). An exporter re-touches a blob it reuses only when it is
     * older than that, so a younger blob that no config reaches yet may be
     * what an export in progress is about to name.
     */
    this.defaultGracePeriodMs = touchRefreshMs || 24 * 3600 * 1000
    /** Blobs larger than this go up in parts of this size. */
    this.partSize = 16 << 20
    /** Parts in flight at once. */
    this.parallelism = 4
    /** Pages hasBlob's listing reads at most (PRESENCE_PAGES). */
    this.presencePages = PRESENCE_PAGES
  }

  #remember(bytes) {
    const d = String(digest(bytes))
    this.#documents.set(d, bytes)
    return { mediaType: MediaType.OCI_MANIFEST, digest: d, size: bytes.length }
  }

  async readIndex() {
    const prefix = this._manifestsPrefix()
    const stored = (await this._list(prefix)).sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)))
    let index = null
    const tags = new Map()
    const etags = new Map()
    for (const { key, modified } of stored) {
      const name = key.slice(prefix.length)
      const got = await this._get(key, DOCUMENT_LIMIT + 1)
      if (got === null) continue // removed since the listing
      const bytes = got.bytes
      if (got.etag) etags.set(name, got.etag)
      let descriptor
      try {
        const docs = cloudDocuments(bytes)
        this.#remember(docs.config)
        descriptor = this.#remember(docs.manifest)
      } catch (err) {
        if (typeof err.code !== 'string') throw err
        descriptor = this.#remember(bytes) // not a cloud config: shown as it is, for verify to report
      }
      this.#modified.set(descriptor.digest, modified)
      tags.set(name, descriptor.digest)
      index = ImageIndex.updatedLayoutIndex(index, name, descriptor)
    }
    this.#tags = tags
    this.#etags = etags
    this.#loaded = Promise.resolve()
    return index
  }

  // Reads the stored configs once, for what needs to know them (whether a
  // document is stored, what a tag named before a write).
  #load() {
    this.#loaded ??= this.readIndex().then(() => undefined)
    return this.#loaded
  }

  async #document(d) {
    await this.#load()
    return this.#documents.get(d) ?? null
  }

  async readBlob(d, mediaType, { limit } = {}) {
    const doc = await this.#document(d)
    if (doc !== null) return limit === undefined ? doc : doc.subarray(0, limit)
    return (await this._get(this._blobKey(d), limit))?.bytes ?? null
  }

  async *openBlob(d) {
    const doc = await this.#document(d)
    if (doc !== null) {
      yield doc
      return
    }
    yield* this._stream(this._blobKey(d))
  }

  /** Every object under `prefix`. */
  async _list(prefix) {
    const out = []
    for await (const page of this._listPages(prefix)) out.push(...page)
    return out
  }

  async hasBlob(d) {
    if ((await this.#document(d)) !== null) return true
    const key = this._blobKey(d)
    if (await this.#listedAbsent(key)) return false
    return (await this._head(key)) !== null
  }

  // Whether a recent listing of the blobs (at most presencePages pages, at
  // most PRESENCE_TTL_MS old) covers `key` and lacks it: one listing instead
  // of a request per blob for a copy into an empty or new store. A blob the
  // listing has is still looked up (it may have gone since); one it lacks may
  // have come since, and is then written again — the same bytes under the
  // same digest.
  async #listedAbsent(key) {
    if (this.#presence === null || (this.#presence.at !== undefined && Date.now() - this.#presence.at > PRESENCE_TTL_MS)) {
      this.#presence = this.#listBlobKeys()
    }
    const { keys, complete, last } = await this.#presence
    return !keys.has(key) && (complete || Buffer.compare(Buffer.from(key), Buffer.from(last)) <= 0)
  }

  async #listBlobKeys() {
    const at = Date.now()
    const keys = new Set()
    let last = ''
    let ordered = true
    let complete = false
    try {
      let pages = 0
      for await (const page of this._listPages(this._blobKey(''))) {
        for (const { key } of page) {
          ordered &&= Buffer.compare(Buffer.from(key), Buffer.from(last)) > 0
          keys.add(key)
          last = key
        }
        if (++pages === this.presencePages) break
      }
      complete = pages < this.presencePages
    } catch (err) {
      if (err.code !== 'UNAUTHORIZED') {
        this.#presence = null
        throw err
      }
      // Credentials that may look up but not list: look up.
      keys.clear()
      ordered = false
    }
    // Out of key order, the keys listed say nothing of the others.
    this.#presence = { at, keys, complete, last: ordered ? last : '' }
    return this.#presence
  }

  async listBlobs() {
    const prefix = this._blobKey('')
    const out = []
    for (const { key, size, modified } of await this._list(prefix)) {
      const name = key.slice(prefix.length)
      const at = name.indexOf(':')
      if (at < 0 || name.includes('/')) continue // not a blob this layout can name
      out.push({ path: `blobs/${name.slice(0, at)}/${name.slice(at + 1)}`, size, modified })
    }
    for (const [d, bytes] of this.#documents) {
      const [algorithm, encoded] = d.split(':')
      out.push({ path: `blobs/${algorithm}/${encoded}`, size: bytes.length, modified: this.#modified.get(d) })
    }
    return out.sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)))
  }

  async writeBlob(d, source, mediaType) {
    if (mediaType === MediaType.OCI_MANIFEST || mediaType === MediaType.CACHE_CONFIG) {
      const bytes = await whole(source)
      const h = new Digester(d.split(':')[0])
      h.update(bytes)
      h.verify(d, bytes.length)
      this.#documents.set(d, bytes)
      return
    }
    const key = this._blobKey(d)
    await this._put(key, source, d)
    this.#presence?.keys?.add(key)
  }

  async writeIndex(bytes) {
    await this.#load()
    const listed = new Map()
    for (const entry of ImageIndex.fromBytes(bytes).toJSON().manifests ?? []) {
      const tag = entry.annotations?.[REF_NAME]
      if (tag && !listed.has(tag)) listed.set(tag, entry)
    }
    const before = new Map(this.#tags)
    for (const [tag, entry] of listed) {
      if (before.get(tag) === entry.digest) continue
      const manifest = await this.readBlob(entry.digest, entry.mediaType)
      if (manifest === null) throw coded('MISSING_BLOB', `${this}: no manifest ${entry.digest} to store as ${tag}`)
      const configDigest = CacheManifest.fromBytes(manifest).config.digest
      const config = this.#documents.get(configDigest)
      if (config === undefined) throw coded('MISSING_BLOB', `${this}: no cache config ${configDigest} to store as ${tag}`)
      // Only over the config read (or, for a new name, none): see the top.
      const etag = this.#etags.get(tag)
      const condition = etag ? { ifMatch: etag } : before.has(tag) ? null : { ifNoneMatch: '*' }
      const stored = await this.#putConfig(this._manifestKey(tag), cloudConfig(manifest, config), condition)
      if (stored) this.#etags.set(tag, stored)
      else this.#etags.delete(tag)
      this.#tags.set(tag, entry.digest)
    }
    for (const tag of before.keys()) {
      if (listed.has(tag)) continue
      await this._delete(this._manifestKey(tag))
      this.#tags.delete(tag)
      this.#etags.delete(tag)
    }
  }

  // Stores a config with `condition` (see the top); its new ETag.
  async #putConfig(key, bytes, condition) {
    if (condition === null || !this.#conditional) return this._putWhole(key, bytes, null)
    try {
      return await this._putWhole(key, bytes, condition)
    } catch (err) {
      if (!err?.[UNCONDITIONAL]) throw err
      this.#conditional = false
      return this._putWhole(key, bytes, null)
    }
  }

  /**
   * Replaces the stored configs with what `update(current)` makes of the
   * index read now (bytes, or null to leave them), each written only over
   * the config read (see the top); when another writer got in between, reads
   * and updates again, at most INDEX_ATTEMPTS times (then CACHE_LOCKED).
   * Returns what was written, or null.
   */
  async updateIndex(update) {
    for (let n = 1; ; n++) {
      const next = await update(await this.readIndex())
      if (next === null || next === undefined) return null
      try {
        await this.writeIndex(next)
        return next
      } catch (err) {
        if (!err?.[CHANGED] || n === INDEX_ATTEMPTS) throw err
      }
    }
  }

  /**
   * Stores `source` (bytes, or an iterable of chunks) under `key`, checking
   * `expect` (a digest) before anything is committed: up to one part as one
   * request (`_putWhole`), larger in parts of `partSize` (`_startParts`,
   * `_putPart`; at most `parallelism` in flight, and in memory), committed
   * (`_commitParts`) only when the digest matches, else aborted (`_abortParts`).
   */
  async _put(key, source, expect) {
    const hasher = expect ? new Digester(expect.split(':')[0]) : null
    const it = parts(source, this.partSize)[Symbol.asyncIterator]()
    const first = await it.next()
    const second = await it.next()
    if (second.done) {
      const body = first.done ? new Uint8Array(0) : first.value
      // Hashed on the thread pool: other blobs go on meanwhile.
      if (expect) await verifyAsync(body, expect)
      await this._putWhole(key, body, null)
      return
    }
    const session = await this._startParts(key)
    const done = []
    const inFlight = []
    try {
      let number = 0
      const put = async (part) => {
        const n = ++number
        hasher?.update(part)
        done[n - 1] = await this._putPart(key, session, n, part)
      }
      inFlight.push(put(first.value), put(second.value))
      for (let r; !(r = await it.next()).done; ) {
        if (inFlight.length >= this.parallelism) await inFlight.shift()
        inFlight.push(put(r.value))
      }
      await Promise.all(inFlight)
      if (hasher) hasher.verify(expect)
    } catch (err) {
      await Promise.allSettled(inFlight)
      await this._abortParts(key, session)
      throw err
    }
    await this._commitParts(key, session, done)
  }

  /** A Spool in the system's temporary directory. */
  spool() {
    return Spool.open()
  }

  async deleteBlob(d) {
    // A document of the layout: its tag goes in writeIndex.
    if (this.#documents.delete(d)) return
    const key = this._blobKey(d)
    this.#presence?.keys?.delete(key)
    await this._delete(key)
  }
}

/**
 * `settings` of a type=s3 or type=azblob cache option completed from the
 * environment the way buildkitd completes them from its own (ocicache plays
 * the daemon's part when it opens the store): s3's `bucket` and `region`
 * from $AWS_BUCKET and $AWS_REGION; azblob's `accountUrl`, `container` and
 * `prefix` from $BUILDKIT_AZURE_STORAGE_ACCOUNT_URL, …_CONTAINER and
 * …_PREFIX where the attributes do not give them. What is still missing is
 * MISSING_OPTION, with BuildKit's message. The same as cloud.py's.
 */
export function daemonSettings(kind, settings, attrs, env = process.env) {
  const out = { ...settings }
  if (kind === 's3') {
    for (const [key, v] of [['bucket', 'AWS_BUCKET'], ['region', 'AWS_REGION']]) {
      if (!out[key]) out[key] = env[v]
      if (!out[key]) throw coded('MISSING_OPTION', `${key} ($${v}) not set for s3 cache`)
    }
  } else if (kind === 'azblob') {
    for (const [key, attr, v] of [['accountUrl', 'account_url', 'ACCOUNT_URL'], ['container', 'container', 'CONTAINER'], ['prefix', 'prefix', 'PREFIX']]) {
      const value = env[`BUILDKIT_AZURE_STORAGE_${v}`]
      if (!(attr in attrs) && value !== undefined) out[key] = value
    }
    if (!out.accountUrl) throw coded('MISSING_OPTION', 'either ${BUILDKIT_AZURE_STORAGE_ACCOUNT_URL} or account_url attribute is required for azblob cache')
  }
  return out
}
