// The registry driver: a cache in an OCI registry (BuildKit's
// `type=registry`), through the distribution API with Node's built-in
// fetch. It is a storage driver like LocalStorage (see storage.mjs), for
// the one tag its reference names:
//
//   readIndex()   resolves the tag and answers an index.json holding it
//                 (ImageIndex.updatedLayoutIndex), so the core's operations
//                 see a layout with one entry
//   readBlob, openBlob, hasBlob   blobs from /blobs/, manifests from
//                 /manifests/ (the media type, when given, says which)
//   listBlobs()   what the tag reaches and the registry holds (a registry
//                 cannot list its blobs), with sizes from HEAD
//   writeBlob     an upload (monolithic, or chunked POST + PATCH + PUT),
//                 or a manifest PUT by digest
//   mountBlob     a cross-repository mount from another repository of the
//                 same registry
//   writeIndex    PUTs each tag's manifest: the only step that changes
//                 what a tag names, so it comes last
//
// Everything the driver decides (endpoints, plain HTTP, challenges, token
// requests, credentials, errors) comes from the core. Requests time out
// (transport.mjs) and every answer is read bounded: a document never past
// its descriptor's size + 1, a manifest named by a tag never past
// containerd's MaxManifestSize (BuildKit refuses a larger one), error and
// token bodies never past 64 KiB and 1 MiB. Credentials go to a bearer
// realm on another host only over HTTPS (credentialsAllowed).
import { homedir } from 'node:os'
import { join } from 'node:path'
import {
  CacheLoader,
  Challenge,
  Digester,
  RegistryLocation,
  Reachability,
  ImageIndex,
  digest as digestOf,
  dockerConfigCredentials,
  isManifestMediaType,
  manifestAccept,
  registryError,
  sameOrigin,
  tokenFromResponse,
  uploadLocation,
  resolveUrl,
  credentialsAllowed,
  verify,
} from './index.mjs'
import { Spool, readSmallFileSync } from './file.mjs'
import { timedFetch } from './transport.mjs'

const CHUNK = 8 << 20
// A broken upload request goes on from where the session stands at most
// this many times.
const RESUMES = 3

// An upload session that broke off and cannot go on (the registry no longer
// knows it, or holds what does not add up): the blob must go up again in a
// new one.
class SessionLost extends Error {}
const REF_NAME = 'org.opencontainers.image.ref.name'
const EMPTY = new Uint8Array(0)
// containerd's MaxManifestSize (remotes/docker/resolver.go): the largest
// manifest BuildKit resolves from a registry.
const MAX_MANIFEST_SIZE = 4 * 1048 * 1048
// Answers read only for their status or an error message, and tokens.
const SMALL_BODY = 64 << 10
const TOKEN_BODY = 1 << 20
const DOCKER_CONFIG_LIMIT = 4 << 20

function coded(code, message) {
  return Object.assign(new Error(message), { code })
}

// A connection that failed or broke, as REGISTRY_ERROR (with the system's
// reason, such as ECONNREFUSED; never a header or a URL's query).
function broken(what, err) {
  const reason = err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(err)
  return coded('REGISTRY_ERROR', `${what}: the connection failed: ${reason}`)
}

// The body of `response`, at most `limit` bytes of it (the rest is never
// read: the connection is dropped).
async function read(response, what, limit = Infinity) {
  if (response.body === null) return EMPTY
  const reader = response.body.getReader()
  const parts = []
  let total = 0
  try {
    while (total < limit) {
      const { done, value } = await reader.read()
      if (done) return Buffer.concat(parts, total)
      const take = value.length > limit - total ? value.subarray(0, limit - total) : value
      parts.push(take)
      total += take.length
    }
  } catch (err) {
    throw broken(what, err)
  }
  await reader.cancel().catch(() => {})
  return Buffer.concat(parts, total)
}

// The docker config file's bytes: $DOCKER_CONFIG/config.json or
// ~/.docker/config.json; null when there is none. At most 4 MiB, and only
// a regular file (file.mjs).
function dockerConfig(path) {
  const file = path ?? join(process.env.DOCKER_CONFIG || join(homedir(), '.docker'), 'config.json')
  return readSmallFileSync(file, DOCKER_CONFIG_LIMIT)
}

// Chunks of at most `size` bytes out of `source` (bytes or an iterable of
// chunks), copied only where a chunk straddles a boundary.
async function* rechunk(source, size) {
  const parts = []
  let have = 0
  for await (const chunk of source instanceof Uint8Array ? [source] : source) {
    let c = chunk
    while (have + c.length >= size) {
      const take = size - have
      parts.push(c.subarray(0, take))
      yield parts.length === 1 ? parts[0] : Buffer.concat(parts)
      parts.length = 0
      have = 0
      c = c.subarray(take)
    }
    if (c.length) {
      parts.push(c)
      have += c.length
    }
  }
  if (have) yield parts.length === 1 ? parts[0] : Buffer.concat(parts)
}

/** A cache in an OCI registry: one repository and tag (`host/repo:tag`). */
export class RegistryStorage {
  #auth = new Map() // scope key -> Authorization header value
  #credentials
  #manifests = new Map() // digest -> bytes of manifests read or written
  #tags = new Map() // tag -> digest the registry has for it
  #fetch
  #chunkSize

  /**
   * @param {string} reference `host/repo:tag` (normalised like buildx's `ref`)
   * @param {object} [options] `insecure` (plain HTTP: `registry.insecure=true`;
   *   loopback hosts always are), `username` and `password` (else the docker
   *   config file's, at `dockerConfig` or $DOCKER_CONFIG/config.json or
   *   ~/.docker/config.json), `chunkSize` (bytes per PATCH),
   *   `connectTimeoutMs` and `readTimeoutMs` (transport.mjs: 30 s and 60 s
   *   by default), `fetch` (a fetch to use instead; its own timeouts apply)
   */
  constructor(reference, { insecure = false, username, password, dockerConfig: configPath, chunkSize = CHUNK, connectTimeoutMs, readTimeoutMs, fetch } = {}) {
    this.location = new RegistryLocation(reference, insecure)
    const target = this.location.target
    this.pinned = target.includes(':')
    this.tag = this.pinned ? 'latest' : target
    if (username !== undefined) this.#credentials = { username, password: password ?? '' }
    else {
      const config = configPath === false ? null : dockerConfig(configPath)
      this.#credentials = config ? dockerConfigCredentials(config, this.location.authKey) : null
    }
    this.#fetch = fetch ?? timedFetch({ connectTimeoutMs, readTimeoutMs })
    this.#chunkSize = chunkSize
  }

  toString() {
    return this.location.reference
  }

  /** The repository, for mounts into another repository of the same registry. */
  get repository() {
    return this.location.repository
  }

  // One request, authenticated: on a 401 the challenge is answered (basic
  // credentials, or a bearer token for `scopes`) and the request sent once
  // more, so bodies are always bytes (at most one chunk).
  async #request(method, url, { headers = {}, body, push = false, extraScopes = [], what, redirect = false } = {}) {
    const scopes = [this.location.scope(push), ...extraScopes]
    const key = scopes.join(' ')
    for (let attempt = 0; ; attempt++) {
      const h = { ...headers }
      const auth = this.#auth.get(key)
      if (auth) h.authorization = auth
      const response = await this.#send(method, url, h, body, redirect, what)
      const header = response.headers.get('www-authenticate')
      if (response.status !== 401 || attempt > 0 || !header) return response
      await read(response, what, SMALL_BODY).catch(() => {})
      await this.#answer(header, scopes, key, what)
    }
  }

  // fetch, with a failure to connect (or a connection cut before the
  // answer) as a coded error.
  async #fetchOnce(url, init, what) {
    try {
      return await this.#fetch(url, init)
    } catch (err) {
      throw broken(what, err)
    }
  }

  async #send(method, url, headers, body, redirect, what) {
    let response = await this.#fetchOnce(url, { method, headers, body, redirect: 'manual' }, what)
    // Blobs may redirect (to storage or a CDN): follow up to 5, with the
    // credentials only on the same origin.
    for (let hops = 0; redirect && [301, 302, 303, 307, 308].includes(response.status) && hops < 5; hops++) {
      const next = resolveUrl(url, response.headers.get('location') ?? '')
      await read(response, what, SMALL_BODY).catch(() => {})
      const h = { ...headers }
      if (!sameOrigin(url, next)) delete h.authorization
      url = next
      response = await this.#fetchOnce(url, { method, headers: h, redirect: 'manual' }, what)
    }
    return response
  }

  // Sets the Authorization for `key` from a challenge, or throws UNAUTHORIZED.
  async #answer(header, scopes, key, what) {
    const challenges = Challenge.parse(header)
    const bearer = challenges.find((c) => c.scheme === 'bearer')
    const creds = this.#credentials
    const basic = creds ? 'Basic ' + Buffer.from(`${creds.username}:${creds.password}`).toString('base64') : null
    if (bearer) {
      const url = bearer.tokenUrl(scopes)
      // Credentials go along over HTTPS, or to the registry's own host.
      const send = basic && credentialsAllowed(this.location.baseUrl, url)
      const response = await this.#send('GET', url, send ? { authorization: basic } : {}, undefined, true, `token for ${what}`)
      const body = await read(response, `token for ${what}`, TOKEN_BODY)
      if (!response.ok) throw registryError(response.status, body, `token for ${what}`)
      this.#auth.set(key, `Bearer ${tokenFromResponse(body)}`)
    } else if (challenges.some((c) => c.scheme === 'basic')) {
      if (!basic) throw registryError(401, EMPTY, `${what} (no credentials for ${this.location.apiHost})`)
      this.#auth.set(key, basic)
    }
  }

  // Checks the answer to a PUT that commits content: 201, and a
  // Docker-Content-Digest (if any) naming what was sent.
  async #committed(response, what, digest) {
    if (response.status !== 201) throw await this.#fail(response, what)
    await read(response, what, SMALL_BODY)
    const claimed = response.headers.get('docker-content-digest')
    if (claimed && claimed !== digest) throw coded('REGISTRY_ERROR', `${what}: the registry stored ${claimed}, not ${digest}`)
  }

  async #fail(response, what) {
    const body = await read(response, what, SMALL_BODY).catch(() => EMPTY)
    return registryError(response.status, body, what)
  }

  // GET a manifest (by tag or digest): its bytes and media type, or null.
  // With `limit` (the caller knows its size), at most that many bytes,
  // checked by the caller; else at most MAX_MANIFEST_SIZE, checked here.
  async #getManifest(target, limit) {
    const what = `GET manifest ${this.repository}:${target}`
    const response = await this.#request('GET', this.location.manifestUrl(target), { headers: { accept: manifestAccept() }, what })
    if (response.status === 404) {
      await read(response, what, SMALL_BODY)
      return null
    }
    if (!response.ok) throw await this.#fail(response, what)
    const bytes = await read(response, what, limit ?? MAX_MANIFEST_SIZE + 1)
    if (limit === undefined && bytes.length > MAX_MANIFEST_SIZE) {
      throw coded('SIZE_LIMIT_EXCEEDED', `${what}: the manifest is over ${MAX_MANIFEST_SIZE} bytes (containerd's MaxManifestSize: BuildKit refuses it too)`)
    }
    const d = String(digestOf(bytes))
    const claimed = response.headers.get('docker-content-digest')
    if (limit === undefined && claimed && claimed !== d) throw coded('REGISTRY_ERROR', `${what}: Docker-Content-Digest ${claimed} is not the digest of the bytes received (${d})`)
    if (limit === undefined && target.includes(':')) verify(bytes, target)
    this.#manifests.set(d, bytes)
    let mediaType = (response.headers.get('content-type') ?? '').split(';')[0].trim()
    if (!isManifestMediaType(mediaType)) {
      try {
        mediaType = JSON.parse(Buffer.from(bytes).toString()).mediaType ?? mediaType
      } catch {
        // Not JSON: the loader reports it.
      }
    }
    return { bytes, descriptor: { mediaType, digest: d, size: bytes.length } }
  }

  async readIndex() {
    const got = await this.#getManifest(this.location.target)
    if (got === null) return null
    this.#tags.set(this.tag, got.descriptor.digest)
    return ImageIndex.updatedLayoutIndex(null, this.tag, got.descriptor)
  }

  async #getBlob(digest) {
    const what = `GET blob ${digest}`
    const response = await this.#request('GET', this.location.blobUrl(digest), { what, redirect: true })
    if (response.status === 404) {
      await read(response, what, SMALL_BODY)
      return null
    }
    if (!response.ok) throw await this.#fail(response, what)
    return response
  }

  // With `limit`, at most that many bytes, which the caller checks;
  // without, the whole blob, checked against its digest here.
  async readBlob(digest, mediaType, { limit } = {}) {
    if (this.#manifests.has(digest)) return this.#manifests.get(digest)
    if (!mediaType || !isManifestMediaType(mediaType)) {
      const response = await this.#getBlob(digest)
      if (response !== null) {
        const bytes = await read(response, `GET blob ${digest}`, limit)
        if (limit === undefined) verify(bytes, digest)
        return bytes
      }
    }
    // Not a blob: a manifest pointed at by an index.
    const got = await this.#getManifest(digest, limit)
    return got && got.bytes
  }

  async *openBlob(digest, mediaType) {
    if (this.#manifests.has(digest) || (mediaType && isManifestMediaType(mediaType))) {
      const bytes = await this.readBlob(digest, mediaType)
      if (bytes === null) throw coded('MISSING_BLOB', `${this}: no manifest ${digest}`)
      yield bytes
      return
    }
    const response = await this.#getBlob(digest)
    if (response === null) throw coded('MISSING_BLOB', `${this}: no blob ${digest}`)
    try {
      for await (const chunk of response.body) yield chunk
    } catch (err) {
      throw broken(`GET blob ${digest}`, err)
    }
  }

  // HEAD: the size, or null when missing.
  async #head(digest, manifest) {
    const url = manifest ? this.location.manifestUrl(digest) : this.location.blobUrl(digest)
    const what = `HEAD ${manifest ? 'manifest' : 'blob'} ${digest}`
    const headers = manifest ? { accept: manifestAccept() } : {}
    const response = await this.#request('HEAD', url, { headers, what, redirect: !manifest })
    if (response.status === 404) return null
    if (!response.ok) throw await this.#fail(response, what)
    const claimed = response.headers.get('docker-content-digest')
    if (claimed && claimed !== digest) throw coded('REGISTRY_ERROR', `${what}: the registry answered for ${claimed}`)
    const length = response.headers.get('content-length') ?? ''
    if (!/^\d+$/.test(length)) throw coded('REGISTRY_ERROR', `${what}: the registry answered without a Content-Length`)
    return Number(length)
  }

  async hasBlob(digest, mediaType) {
    if (this.#manifests.has(digest)) return true
    return (await this.#head(digest, Boolean(mediaType && isManifestMediaType(mediaType)))) !== null
  }

  async listBlobs() {
    const index = await this.readIndex()
    if (index === null) return []
    const walk = new Reachability(index)
    const documents = new Set()
    const most = CacheLoader.indexReadLimit() - 1
    for (let d; (d = walk.nextNeeded()) !== null; ) {
      documents.add(d.digest)
      const bytes = await this.readBlob(d.digest, d.mediaType, { limit: Math.min(d.size, most) + 1 })
      if (bytes === null) walk.missing(d.digest)
      else walk.feed(d.digest, bytes)
    }
    const out = []
    const list = walk.reachable()
    let next = 0
    const run = async () => {
      while (next < list.length) {
        const d = list[next++]
        const known = this.#manifests.get(d)
        const size = known ? known.length : await this.#head(d, documents.has(d))
        if (size !== null) out.push({ path: `blobs/${d.replace(':', '/')}`, size, modified: null })
      }
    }
    await Promise.all(Array.from({ length: 8 }, run))
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  }

  async writeBlob(digest, source, mediaType) {
    if (mediaType && isManifestMediaType(mediaType)) return this.#putManifest(digest, source, mediaType)
    const what = `upload blob ${digest} to ${this.repository}`
    try {
      await this.#upload(digest, source, what)
    } catch (err) {
      if (!(err instanceof SessionLost)) throw err
      if (!(source instanceof Uint8Array)) throw coded('REGISTRY_ERROR', `${what}: ${err.message}; the blob was streamed: copy it again`)
      // Held whole: once more, in a new session.
      try {
        await this.#upload(digest, source, what)
      } catch (again) {
        throw again instanceof SessionLost ? coded('REGISTRY_ERROR', `${what}: ${again.message}`) : again
      }
    }
  }

  // One upload session for the blob `digest`.
  async #upload(digest, source, what) {
    const start = this.location.uploadUrl()
    const response = await this.#request('POST', start, { push: true, what, headers: { 'content-length': '0' } })
    if (response.status !== 202) throw await this.#fail(response, what)
    await read(response, what, SMALL_BODY)
    let url = uploadLocation(start, response.headers.get('location') ?? '')
    const hasher = new Digester(digest.split(':')[0])
    let offset = 0
    let last = null
    // Monolithic when it fits one chunk (POST + PUT), else chunked
    // (POST + PATCH... + PUT); the digest is checked before the PUT that
    // commits, so content that does not match it is never stored. A request
    // that breaks goes on from where the registry's upload session stands
    // (#resumed), not from the start of the blob.
    for await (const chunk of rechunk(source, this.#chunkSize)) {
      if (last !== null) {
        url = await this.#patch(url, last, offset, what)
        offset += last.length
      }
      hasher.update(chunk)
      last = chunk
    }
    try {
      hasher.verify(digest)
    } catch (err) {
      await this.#request('DELETE', url, { push: true, what }).then((r) => read(r, what, SMALL_BODY)).catch(() => {})
      throw err
    }
    await this.#putLast(url, last ?? EMPTY, offset, digest, what)
  }

  // PATCHes `chunk` (at `offset` of the blob) into the upload session `url`;
  // the session's next URL. A REGISTRY_ERROR (the connection broke, or the
  // registry refused) is followed by the upload status.
  async #patch(url, chunk, offset, what) {
    let held = 0 // bytes of chunk the session holds
    for (let attempt = 0; ; attempt++) {
      const body = chunk.subarray(held)
      try {
        const response = await this.#request('PATCH', url, {
          push: true,
          what,
          body,
          headers: { 'content-type': 'application/octet-stream', 'content-length': String(body.length), 'content-range': `${offset + held}-${offset + chunk.length - 1}` },
        })
        if (response.status === 202) {
          await read(response, what, SMALL_BODY)
          return uploadLocation(url, response.headers.get('location') ?? url)
        }
        throw await this.#fail(response, what)
      } catch (err) {
        if (err.code !== 'REGISTRY_ERROR' || attempt === RESUMES) throw err
      }
      ;[held, url] = await this.#resumed(url, offset, chunk.length, what)
      if (held === chunk.length) return url
    }
  }

  // The PUT that commits the blob `digest` with its `last` bytes (at
  // `offset`); when it breaks, the blob may be stored already, or the
  // session goes on from where it stands.
  async #putLast(url, last, offset, digest, what) {
    let held = 0
    for (let attempt = 0; ; attempt++) {
      const body = last.subarray(held)
      try {
        const response = await this.#request('PUT', uploadLocation(url, url, digest), {
          push: true,
          what,
          body,
          headers: { 'content-type': 'application/octet-stream', 'content-length': String(body.length) },
        })
        return await this.#committed(response, what, digest)
      } catch (err) {
        if (err.code !== 'REGISTRY_ERROR' || attempt === RESUMES) throw err
      }
      if ((await this.#head(digest, false)) !== null) return // committed before the answer was lost
      ;[held, url] = await this.#resumed(url, offset, last.length, what)
    }
  }

  // After a request into the upload session `url` broke while sending
  // `length` bytes at `offset`: how many of them the session holds (its
  // Range, from the distribution spec's upload status), and its URL to go on
  // with. SessionLost when the session is gone (distribution's registry
  // forgets one whose PATCH broke off mid-body) or holds what does not add up.
  async #resumed(url, offset, length, what) {
    const status = `${what}: upload status`
    const response = await this.#request('GET', url, { push: true, what: status })
    if (response.status === 404 || response.status === 416) {
      throw new SessionLost(`the upload session broke off and cannot go on (${(await this.#fail(response, 'status')).message})`)
    }
    if (response.status !== 204) throw await this.#fail(response, status)
    await read(response, status, SMALL_BODY)
    const range = /^\s*0-(\d+)\s*$/.exec(response.headers.get('range') ?? '')
    if (!range) throw coded('REGISTRY_ERROR', `${what}: the upload status has no range (${JSON.stringify(response.headers.get('range'))})`)
    // "0-0" is also what an empty session says.
    const held = range[1] === '0' && offset === 0 ? 0 : Number(range[1]) + 1
    if (held < offset || held > offset + length) {
      throw new SessionLost(`the upload session broke off holding ${held} bytes, not ${offset} to ${offset + length}`)
    }
    return [held - offset, uploadLocation(url, response.headers.get('location') ?? url)]
  }

  /** A Spool in the system's temporary directory. */
  spool() {
    return Spool.open()
  }

  /**
   * Mounts `digest` from `from` (another RegistryStorage on the same
   * registry) without transferring it; false when the registry would not.
   */
  async mountBlob(digest, from) {
    if (!(from instanceof RegistryStorage) || !this.location.sameRegistry(from.location) || from.repository === this.repository) return false
    const what = `mount blob ${digest} from ${from.repository}`
    const response = await this.#request('POST', this.location.uploadUrl(digest, from.repository), {
      push: true,
      extraScopes: [from.location.scope(false)],
      what,
      headers: { 'content-length': '0' },
    })
    await read(response, what, SMALL_BODY)
    if (response.status === 201) return true
    if (response.status === 202) {
      // Not mounted: an upload was started instead; cancel it.
      const url = uploadLocation(this.location.uploadUrl(), response.headers.get('location') ?? '')
      await this.#request('DELETE', url, { push: true, what }).then((r) => read(r, what, SMALL_BODY)).catch(() => {})
      return false
    }
    throw registryError(response.status, EMPTY, what)
  }

  async #bytes(source) {
    if (source instanceof Uint8Array) return source
    const parts = []
    for await (const c of source) parts.push(c)
    return Buffer.concat(parts)
  }

  async #putManifest(target, source, mediaType) {
    const bytes = await this.#bytes(source)
    const d = String(digestOf(bytes))
    if (target.includes(':')) verify(bytes, target)
    const what = `PUT manifest ${this.repository}:${target}`
    const response = await this.#request('PUT', this.location.manifestUrl(target), {
      push: true,
      what,
      body: bytes,
      headers: { 'content-type': mediaType, 'content-length': String(bytes.length) },
    })
    await this.#committed(response, what, d)
    this.#manifests.set(d, bytes)
  }

  async writeIndex(bytes) {
    if (this.pinned) throw coded('UNSUPPORTED_OPERATION', `${this} names a digest, not a tag: there is no tag to write`)
    const index = JSON.parse(Buffer.from(bytes).toString())
    for (const entry of index.manifests ?? []) {
      const tag = entry.annotations?.[REF_NAME]
      if (!tag || this.#tags.get(tag) === entry.digest) continue
      const manifest = this.#manifests.get(entry.digest) ?? (await this.readBlob(entry.digest, entry.mediaType))
      if (manifest === null) throw coded('MISSING_BLOB', `${this}: no manifest ${entry.digest} to tag ${tag}`)
      await this.#putManifest(tag, manifest, entry.mediaType)
      this.#tags.set(tag, entry.digest)
    }
  }

  async deleteBlob(digest) {
    throw coded('UNSUPPORTED_OPERATION', `${this}: deleting blobs from a registry is not supported (${digest})`)
  }
}
