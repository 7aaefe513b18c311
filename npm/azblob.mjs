// A cache in an Azure Blob Storage container, as BuildKit's type=azblob keeps
// it (the shared logic is in cloud.mjs), on `@azure/storage-blob` (an
// optional peer dependency). The same as the Python package's azblob.py.
//
// Paths and defaults are BuildKit v0.32.2's (cache/remotecache/azblob): a
// blob at path.Join(prefix, blobs_prefix, digest), a cache config at
// path.Join(prefix, manifests_prefix, name), in container `container`
// (default buildkit-cache). The account name is account_name, else
// $BUILDKIT_AZURE_STORAGE_ACCOUNT_NAME, else the first label of the account
// URL's host; with secret_access_key the driver signs with the account's
// shared key, else it uses @azure/identity's DefaultAzureCredential (install
// it), as BuildKit does.
//
// Uploads check the digest before they commit: a blob up to BLOCK_SIZE is
// hashed and uploaded in one request; a larger one is staged block by block
// (uncommitted blocks are invisible) and its block list committed only when
// the digest matches.
import { azblobBlobPath, azblobManifestPath } from './index.mjs'
import { CloudStorage, changedError, collect, unconditionalError } from './cloud.mjs'

/** Blobs larger than this (32 MiB, BuildKit's IOChunkSize) are staged in blocks of this size. */
export const BLOCK_SIZE = 32 << 20

function coded(code, message, cause) {
  return Object.assign(new Error(message, cause ? { cause } : undefined), { code })
}

async function load(name, what) {
  try {
    return await import(name)
  } catch (cause) {
    throw coded('MISSING_DEPENDENCY', `${what}: npm install ${name}`, cause)
  }
}

/**
 * A StorageDriver on an Azure Blob Storage container (BuildKit's
 * type=azblob). `settings` are the typed settings of a type=azblob cache
 * option (parseCacheOptions(…)[0].settings); `containerClient`, a
 * ContainerClient of @azure/storage-blob, replaces the one they describe.
 */
export class AzblobStorage extends CloudStorage {
  #container

  constructor(settings, { containerClient } = {}) {
    super(settings.names?.length ? settings.names : ['buildkit'])
    this.accountUrl = String(settings.accountUrl)
    this.container = settings.container || 'buildkit-cache'
    this.prefix = settings.prefix ?? ''
    this.manifestsPrefix = settings.manifestsPrefix ?? 'manifests'
    this.blobsPrefix = settings.blobsPrefix ?? 'blobs'
    this.settings = settings
    this.#container = containerClient ?? null
    this.partSize = BLOCK_SIZE
  }

  toString() {
    return `azblob ${this.accountUrl} container ${this.container}`
  }

  // path.Join(prefix, sub) with a trailing slash: what the names under it start with.
  #folder(sub) {
    return azblobManifestPath(this.prefix, sub, 'x').slice(0, -1)
  }

  _blobKey(d) {
    return d === '' ? this.#folder(this.blobsPrefix) : azblobBlobPath(this.prefix, this.blobsPrefix, d)
  }

  _manifestKey(name) {
    return azblobManifestPath(this.prefix, this.manifestsPrefix, name)
  }

  _manifestsPrefix() {
    return this.#folder(this.manifestsPrefix)
  }

  async #client() {
    this.#container ??= await containerClient(this.settings, this.container)
    return this.#container
  }

  async #call(what, fn) {
    try {
      return await fn(await this.#client())
    } catch (err) {
      if (typeof err.code === 'string' && !err.details && !err.statusCode) throw err
      const code = err.details?.errorCode ?? err.code ?? ''
      const status = err.statusCode
      if (code === 'ContainerNotFound') throw coded('STORAGE_ERROR', `${this}: no container ${JSON.stringify(this.container)}`, err)
      if (code === 'BlobNotFound' || status === 404) return null
      if (status === 401 || status === 403) throw coded('UNAUTHORIZED', `${this}: ${what}: ${code || status}`, err)
      throw coded('STORAGE_ERROR', `${this}: ${what}: ${code || err.message}`, err)
    }
  }

  async _get(key, limit) {
    // One (ranged) GET: Azure answers a range past the end with what is
    // there, and a range of an empty blob with 416.
    return this.#call(`GET ${key}`, async (c) => {
      let r
      try {
        r = await c.getBlockBlobClient(key).download(0, limit === undefined ? undefined : Math.max(limit, 1))
      } catch (err) {
        if (limit !== undefined && err.statusCode === 416) return { bytes: new Uint8Array(0), etag: null }
        throw err
      }
      const bytes = await collect(r.readableStreamBody, Number(r.contentLength))
      return { bytes: limit === undefined ? bytes : bytes.subarray(0, limit), etag: r.etag ?? null }
    })
  }

  async *_stream(key) {
    const r = await this.#call(`GET ${key}`, (c) => c.getBlockBlobClient(key).download(0))
    if (r === null) throw Object.assign(new Error(`${this}: no blob ${key}`), { code: 'ENOENT', syscall: 'get' })
    for await (const chunk of r.readableStreamBody) yield chunk
  }

  async _head(key) {
    const p = await this.#call(`HEAD ${key}`, (c) => c.getBlockBlobClient(key).getProperties())
    return p === null ? null : Number(p.contentLength)
  }

  async *_listPages(prefix) {
    const pages = await this.#call(`LIST ${prefix}`, async (c) => c.listBlobsFlat({ prefix }).byPage())
    for (;;) {
      const r = pages && (await this.#call(`LIST ${prefix}`, () => pages.next()))
      if (!r || r.done) return
      yield r.value.segment.blobItems.map((b) => ({
        key: b.name,
        size: Number(b.properties.contentLength),
        modified: b.properties.lastModified?.getTime() ?? null,
      }))
    }
  }

  async _putWhole(key, body, condition) {
    const conditions = condition?.ifMatch ? { ifMatch: condition.ifMatch } : condition?.ifNoneMatch ? { ifNoneMatch: condition.ifNoneMatch } : null
    const r = await this.#call(`PUT ${key}`, async (c) => {
      try {
        return await c.getBlockBlobClient(key).upload(body, body.length, conditions ? { conditions } : undefined)
      } catch (err) {
        const code = err.details?.errorCode
        // 404: the config read is gone (deleted since).
        if (conditions && ([404, 412].includes(err.statusCode) || ['ConditionNotMet', 'BlobAlreadyExists', 'BlobNotFound'].includes(code))) throw changedError(this, key, err)
        if (conditions && err.statusCode === 501) throw unconditionalError(this, key, err)
        throw err
      }
    })
    return r?.etag ?? null
  }

  _startParts() {
    return null
  }

  async _putPart(key, _session, n, part) {
    const id = Buffer.from(String(n).padStart(8, '0')).toString('base64')
    await this.#call(`stage block ${n} of ${key}`, (c) => c.getBlockBlobClient(key).stageBlock(id, part, part.length))
    return id
  }

  _abortParts() {
    // Uncommitted blocks expire unseen.
  }

  _commitParts(key, _session, ids) {
    return this.#call(`commit ${key}`, (c) => c.getBlockBlobClient(key).commitBlockList(ids))
  }

  async _delete(key) {
    await this.#call(`DELETE ${key}`, (c) => c.getBlockBlobClient(key).deleteIfExists())
  }
}

// A ContainerClient as BuildKit makes one from `settings`.
async function containerClient(s, container) {
  const { BlobServiceClient, StorageSharedKeyCredential } = await load('@azure/storage-blob', 'the azblob driver needs the Azure SDK')
  let credential
  if (s.secretAccessKey) {
    const name = s.accountName || process.env.BUILDKIT_AZURE_STORAGE_ACCOUNT_NAME || new URL(s.accountUrl).hostname.split('.')[0]
    if (!name) throw coded('MISSING_OPTION', 'an azblob cache needs account_name= (or a URL whose host names the account)')
    credential = new StorageSharedKeyCredential(name, s.secretAccessKey)
  } else {
    const { DefaultAzureCredential } = await load('@azure/identity', 'azblob without secret_access_key signs in with @azure/identity')
    credential = new DefaultAzureCredential()
  }
  return new BlobServiceClient(s.accountUrl, credential).getContainerClient(container)
}
