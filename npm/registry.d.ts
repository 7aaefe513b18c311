// The registry driver (see registry.mjs).
import type { RegistryLocation } from './index'
import type { StorageDriver } from './storage'

/** Options of a RegistryStorage. */
export interface RegistryOptions {
  /** Plain HTTP (`registry.insecure=true`); loopback hosts always use it. */
  insecure?: boolean
  /** Credentials; without them, the docker config file's for the registry. */
  username?: string
  password?: string
  /** The docker config file (default `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`); false: none. */
  dockerConfig?: string | false
  /** Bytes per PATCH of a chunked upload (default 8 MiB); smaller blobs go in one PUT. */
  chunkSize?: number
  /** How long connecting may take (TCP and TLS), in ms (default 30 000); then REGISTRY_ERROR. */
  connectTimeoutMs?: number
  /**
   * How long an answer may keep the reader waiting, in ms (default 60 000):
   * for its headers once the request is sent, and for each MIN_PROGRESS
   * (16 KiB) of its body; then REGISTRY_ERROR.
   */
  readTimeoutMs?: number
  /** A fetch to use instead of the built-in transport (its own timeouts apply). */
  fetch?: typeof fetch
}

/**
 * A cache in an OCI registry: one repository and tag (`host/repo:tag`), a
 * StorageDriver whose `writeIndex` PUTs each changed tag's manifest and
 * whose `deleteBlob` rejects with UNSUPPORTED_OPERATION (registries delete
 * through their own gc).
 */
export declare class RegistryStorage {
  constructor(reference: string, options?: RegistryOptions)
  /** Where the reference lives. */
  readonly location: RegistryLocation
  /** The tag (`latest` for a reference pinned to a digest). */
  readonly tag: string
  /** Whether the reference names a digest (then nothing can be tagged). */
  readonly pinned: boolean
  /** The repository path. */
  readonly repository: string
  /** Mounts the blob from another repository of the same registry; false when it cannot. */
  mountBlob(digest: string, from: StorageDriver): Promise<boolean>
}
export interface RegistryStorage extends StorageDriver {}
