// Cache locations (see location.mjs).
import type { RegistryOptions } from './registry'
import type { StorageDriver } from './storage'

/** An opened cache location. */
export interface Location {
  storage: StorageDriver
  /** The tag the location names (undefined for a plain directory). */
  tag: string | undefined
  /** Whether it is a registry. */
  registry: boolean
}

/** Whether `spec` reads as a registry reference (`HOST/REPO:TAG`) rather than a path. */
export declare function isReference(spec: string): boolean
/** Opens `type=local,…`, `type=registry,…`, `HOST/REPO:TAG` or a directory. */
export declare function openLocation(spec: string, options?: Omit<RegistryOptions, 'insecure'>): Location
