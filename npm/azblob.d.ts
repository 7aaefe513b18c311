// A cache in an Azure Blob Storage container, as BuildKit's type=azblob keeps it (see azblob.mjs and cloud.mjs).
import type { StorageDriver } from './storage'

/** Blobs larger than this (32 MiB) are staged in blocks, committed only when their digest matches. */
export declare const BLOCK_SIZE: number

/** The typed settings of a type=azblob cache option (`parseCacheOptions(…)[0].settings`). */
export interface AzblobSettings {
  accountUrl: string
  accountName?: string | null
  container?: string
  prefix?: string
  manifestsPrefix?: string
  blobsPrefix?: string
  names?: string[]
  secretAccessKey?: string | null
  [attribute: string]: unknown
}

/**
 * A StorageDriver on an Azure Blob Storage container: each stored cache config
 * (`path.Join(prefix, manifests_prefix, name)`) is an index.json entry tagged with its name.
 * Needs the optional peer dependency `@azure/storage-blob` (and `@azure/identity` without
 * secret_access_key), else MISSING_DEPENDENCY.
 */
export declare class AzblobStorage {
  /** `containerClient`: a `ContainerClient` of `@azure/storage-blob` to use instead of the one `settings` describe. */
  constructor(settings: AzblobSettings, options?: { containerClient?: unknown })
  readonly accountUrl: string
  readonly container: string
  readonly prefix: string
  readonly manifestsPrefix: string
  readonly blobsPrefix: string
  /** The first name: the operations' default tag. */
  readonly tag: string
  /** gc's grace period when none is given: BuildKit's touch_refresh (24 h by default). */
  readonly defaultGracePeriodMs: number
}
export interface AzblobStorage extends StorageDriver {}
