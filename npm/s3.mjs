// A cache in an S3 bucket, as BuildKit's type=s3 keeps it (the shared logic
// is in cloud.mjs), on the AWS SDK: `npm install @aws-sdk/client-s3` (an
// optional peer dependency). The same as the Python package's s3.py.
//
// Keys and defaults are BuildKit v0.32.2's (cache/remotecache/s3/s3.go): a
// blob at `<prefix><blobs_prefix><digest>`, a cache config at
// `<prefix><manifests_prefix><name>` (plain concatenation). Credentials come
// from the attributes, else from the SDK's default chain (AWS_*, the shared
// files, instance roles), as BuildKit's SDK reads them.
//
// Uploads check the digest before they commit: a blob up to
// MULTIPART_THRESHOLD is hashed and sent in one PutObject; a larger one goes
// up as a multipart upload, hashed part by part (at most `upload_parallelism`
// parts in flight), and is completed only when the digest matches (else
// aborted), so a key never holds content that does not match its name.
import { s3BlobKey, s3ManifestKey } from './index.mjs'
import { CloudStorage, changedError, collect, unconditionalError } from './cloud.mjs'
import { Getter } from './getter.mjs'

/** Blobs larger than this go up as multipart uploads (S3's parts are at least 5 MiB, but the last). */
export const MULTIPART_THRESHOLD = 16 << 20
const PART_SIZE = MULTIPART_THRESHOLD

function coded(code, message, cause) {
  return Object.assign(new Error(message, cause ? { cause } : undefined), { code })
}

async function sdk() {
  try {
    return await import('@aws-sdk/client-s3')
  } catch (cause) {
    throw coded('MISSING_DEPENDENCY', 'the s3 driver needs the AWS SDK: npm install @aws-sdk/client-s3', cause)
  }
}

/**
 * A StorageDriver on an S3 bucket (BuildKit's type=s3). `settings` are the
 * typed settings of a type=s3 cache option (parseCacheOptions(…)[0].settings);
 * `client`, an S3Client, replaces the one they describe.
 */
export class S3Storage extends CloudStorage {
  #client
  #sdk

  constructor(settings, { client } = {}) {
    super(settings.names?.length ? settings.names : ['buildkit'], settings.touchRefreshMs)
    this.bucket = String(settings.bucket)
    this.prefix = settings.prefix ?? ''
    this.manifestsPrefix = settings.manifestsPrefix ?? 'manifests/'
    this.blobsPrefix = settings.blobsPrefix ?? 'blobs/'
    this.parallelism = settings.uploadParallelism || 4
    this.partSize = PART_SIZE
    this.#client = client ?? null
    this.settings = settings
  }

  toString() {
    return `s3://${this.bucket}/${this.prefix}`
  }

  _blobKey(d) {
    return d === '' ? this.prefix + this.blobsPrefix : s3BlobKey(this.prefix, this.blobsPrefix, d)
  }

  _manifestKey(name) {
    return s3ManifestKey(this.prefix, this.manifestsPrefix, name)
  }

  _manifestsPrefix() {
    return this.prefix + this.manifestsPrefix
  }

  async #send(what, Command, input) {
    this.#sdk ??= await sdk()
    this.#client ??= client(this.#sdk, this.settings)
    try {
      return await this.#client.send(new this.#sdk[Command]({ Bucket: this.bucket, ...input }))
    } catch (err) {
      const code = err?.name ?? err?.Code ?? ''
      const status = err?.$metadata?.httpStatusCode
      if (code === 'NoSuchBucket') throw coded('STORAGE_ERROR', `${this}: no bucket ${JSON.stringify(this.bucket)}`, err)
      if (input.IfMatch || input.IfNoneMatch) {
        // 404: the config read is gone (deleted since).
        if (['PreconditionFailed', 'ConditionalRequestConflict', 'NoSuchKey'].includes(code) || status === 412 || status === 404) throw changedError(this, input.Key, err)
        if (code === 'NotImplemented' || status === 501) throw unconditionalError(this, input.Key, err)
      }
      if (code === 'NoSuchKey' || code === 'NotFound' || status === 404) return null
      if (['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch'].includes(code) || status === 403) {
        throw coded('UNAUTHORIZED', `${this}: ${what}: ${code}: ${err.message}`, err)
      }
      if (code === 'InvalidRange') return { empty: true }
      throw coded('STORAGE_ERROR', `${this}: ${what}: ${err.message}`, err)
    }
  }

  async _get(key, limit) {
    const range = limit === undefined ? {} : { Range: `bytes=0-${Math.max(limit, 1) - 1}` }
    const r = await this.#send(`GET ${key}`, 'GetObjectCommand', { Key: key, ...range })
    if (r === null) return null
    if (r.empty) return { bytes: new Uint8Array(0), etag: null }
    const bytes = await collect(r.Body, Number(r.ContentLength))
    return { bytes: limit === undefined ? bytes : bytes.subarray(0, limit), etag: r.ETag ?? null }
  }

  async *_stream(key) {
    const r = await this.#send(`GET ${key}`, 'GetObjectCommand', { Key: key })
    if (r === null) throw Object.assign(new Error(`${this}: no object ${key}`), { code: 'ENOENT', syscall: 'get' })
    for await (const chunk of r.Body) yield chunk
  }

  async _head(key) {
    const r = await this.#send(`HEAD ${key}`, 'HeadObjectCommand', { Key: key })
    return r === null ? null : Number(r.ContentLength)
  }

  async *_listPages(prefix) {
    let token
    do {
      const page = await this.#send(`LIST ${prefix}`, 'ListObjectsV2Command', { Prefix: prefix, ContinuationToken: token })
      if (page === null) throw coded('STORAGE_ERROR', `${this}: no bucket ${JSON.stringify(this.bucket)}`)
      yield (page.Contents ?? []).map((o) => ({ key: o.Key, size: Number(o.Size), modified: o.LastModified?.getTime() ?? null }))
      token = page.IsTruncated ? page.NextContinuationToken : undefined
    } while (token)
  }

  async _putWhole(key, body, condition) {
    const when = condition?.ifMatch ? { IfMatch: condition.ifMatch } : condition?.ifNoneMatch ? { IfNoneMatch: condition.ifNoneMatch } : {}
    return (await this.#send(`PUT ${key}`, 'PutObjectCommand', { Key: key, Body: body, ...when }))?.ETag ?? null
  }

  async _startParts(key) {
    return (await this.#send(`start upload of ${key}`, 'CreateMultipartUploadCommand', { Key: key })).UploadId
  }

  async _putPart(key, UploadId, n, part) {
    const r = await this.#send(`upload part ${n} of ${key}`, 'UploadPartCommand', { Key: key, UploadId, PartNumber: n, Body: part })
    return { ETag: r.ETag, PartNumber: n }
  }

  _abortParts(key, UploadId) {
    return this.#send(`abort upload of ${key}`, 'AbortMultipartUploadCommand', { Key: key, UploadId })
  }

  _commitParts(key, UploadId, Parts) {
    return this.#send(`complete upload of ${key}`, 'CompleteMultipartUploadCommand', { Key: key, UploadId, MultipartUpload: { Parts } })
  }

  async _delete(key) {
    await this.#send(`DELETE ${key}`, 'DeleteObjectCommand', { Key: key })
  }
}

// An S3Client as BuildKit configures its SDK from `settings`.
function client({ S3Client }, s) {
  const credentials = s.accessKeyId && s.secretAccessKey
    ? { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey, sessionToken: s.sessionToken ?? undefined }
    : undefined
  // Blobs are named by their SHA-256, which ocicache checks before an upload
  // commits and after every read: the SDK's own payload hash (a second
  // SHA-256 of every byte on plain http) and CRC32 checksums (which
  // S3-compatible stores do not all accept) would only repeat it.
  // $AWS_REQUEST_CHECKSUM_CALCULATION / $AWS_RESPONSE_CHECKSUM_VALIDATION
  // still choose otherwise.
  const env = process.env
  const c = new S3Client({
    region: s.region || undefined,
    endpoint: s.endpointUrl || undefined,
    forcePathStyle: Boolean(s.usePathStyle),
    credentials,
    maxAttempts: s.retryMaxAttempts ?? undefined,
    retryMode: s.retryMode ?? undefined,
    requestChecksumCalculation: env.AWS_REQUEST_CHECKSUM_CALCULATION ? undefined : 'WHEN_REQUIRED',
    responseChecksumValidation: env.AWS_RESPONSE_CHECKSUM_VALIDATION ? undefined : 'WHEN_REQUIRED',
    // The middleware stack resolved once per command class, not on every
    // request: 2.0 -> 1.8 ms of CPU per small GET against moto (200 GETs,
    // three runs each). The stack is complete before the first request
    // (unsignedPayload below), and no call passes per-request options.
    cacheMiddleware: true,
    // No `Expect: 100-continue` (the SDK's default from 2 MiB), so a PUT
    // does not wait for the server's go-ahead before its body. What that
    // guards against is sending a body the server then refuses
    // (credentials, region); every operation reads or lists the store
    // before it writes a blob, so such a refusal comes on a small request
    // first, and a refused PUT still reads as UNAUTHORIZED
    // (test/cloud.test.mjs). The 1 GiB / 200-blob upload to moto: median
    // 3.60 s without it, 3.82 s with it (17 runs each in three interleaved
    // batches; one batch of five showed no difference). boto3 sends it too,
    // and the Python driver measured the same either way: it keeps it.
    expectContinueHeader: false,
  })
  c.middlewareStack.add(unsignedPayload, { step: 'build', name: 'ocicacheUnsignedPayload' })
  // GETs (blobs, configs, listings) on connections read by getter.mjs: a
  // 1 GiB download from moto took 2.5-2.9 s of CPU instead of 3.5-3.8
  // through node:http. $OCICACHE_S3_NODE_HTTP=1 leaves them to the SDK's
  // handler (to compare, or for a server the getter cannot talk to).
  if (!process.env.OCICACHE_S3_NODE_HTTP) c.config.requestHandler = new Getter(c.config.requestHandler)
  return c
}

// Signs a request without hashing its body (the signer takes a payload hash
// already in the headers as it is).
function unsignedPayload(next) {
  return (args) => {
    const body = args.request?.body
    if (body instanceof Uint8Array) args.request.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD'
    return next(args)
  }
}
