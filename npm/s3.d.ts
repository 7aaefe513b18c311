// A cache in an S3 bucket, as BuildKit's type=s3 keeps it (see s3.mjs and cloud.mjs).
import type { StorageDriver } from './storage'

/** Blobs larger than this (16 MiB) go up as multipart uploads, committed only when their digest matches. */
export declare const MULTIPART_THRESHOLD: number

/** The typed settings of a type=s3 cache option (`parseCacheOptions(…)[0].settings`). */
export interface S3Settings {
  bucket: string
  region?: string | null
  prefix?: string
  manifestsPrefix?: string
  blobsPrefix?: string
  names?: string[]
  endpointUrl?: string | null
  usePathStyle?: boolean
  accessKeyId?: string | null
  secretAccessKey?: string | null
  sessionToken?: string | null
  uploadParallelism?: number
  retryMode?: string | null
  retryMaxAttempts?: number | null
  [attribute: string]: unknown
}

/**
 * A StorageDriver on an S3 bucket: each stored cache config (`<prefix><manifests_prefix><name>`)
 * is an index.json entry tagged with its name, each blob `<prefix><blobs_prefix><digest>`.
 * Needs the optional peer dependency `@aws-sdk/client-s3` (else MISSING_DEPENDENCY).
 */
export declare class S3Storage {
  /** `client`: an `S3Client` of `@aws-sdk/client-s3` to use instead of the one `settings` describe. */
  constructor(settings: S3Settings, options?: { client?: unknown })
  readonly bucket: string
  readonly prefix: string
  readonly manifestsPrefix: string
  readonly blobsPrefix: string
  /** The first name: the operations' default tag. */
  readonly tag: string
  /** gc's grace period when none is given: BuildKit's touch_refresh (24 h by default). */
  readonly defaultGracePeriodMs: number
}
export interface S3Storage extends StorageDriver {}
