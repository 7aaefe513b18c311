// Cache locations (see location.mjs).
import type { RegistryOptions } from './registry'
import type { StorageDriver } from './storage'

/** An opened cache location. */
export interface Location {
  /** The driver to write to. */
  storage: StorageDriver
  /** The tag the location names (undefined when it names none). */
  tag: string | undefined
  /** The manifest a `type=local` location pins with `digest=`. */
  digest: string | undefined
  /** Whether it is a registry. */
  registry: boolean
  /** What reading the location means: `storage`, or a read-only view of the entry `tag=`/`digest=` select. */
  source: StorageDriver
}

/** Whether `spec` reads as a registry reference (`HOST/REPO:TAG`) rather than a path (never when it starts with `/`, `./` or `../`). */
export declare function isReference(spec: string): boolean
/** Opens `type=local,…`, `type=registry,…`, `HOST/REPO:TAG` or a directory. */
export declare function openLocation(spec: string, options?: Omit<RegistryOptions, 'insecure'>): Location
