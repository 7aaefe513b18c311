// The operations on a cache, carried out through a storage driver (see operations.mjs).
import type { Cache, GcPlan, Inspection, PrunePlan, VerifyReport } from './index'
import type { StorageDriver } from './storage'

/** Called as work goes: done and total (bytes for verify, items otherwise). */
export type Progress = (done: number, total: number) => void

/** Loads a cache (index.json and every document it reaches); `index`: index.json's bytes when already read. */
export declare function loadCache(storage: StorageDriver, index?: Uint8Array | null): Promise<Cache>
/** Replaces index.json with `update(current)` (null: leave it), under the driver's lock where it has one. */
export declare function updateIndex(
  storage: StorageDriver,
  update: (current: Uint8Array | null) => Uint8Array | null | Promise<Uint8Array | null>,
): Promise<Uint8Array | null>
/** What the cache holds. */
export declare function inspect(storage: StorageDriver): Promise<Inspection>
/** Checks every blob (digest, size, layer diffIDs) and the documents. */
export declare function verify(storage: StorageDriver, options?: { concurrency?: number; onProgress?: Progress }): Promise<VerifyReport>
/** How long a layout must stay quiet before gc looks again (2000 ms). */
export declare const DEFAULT_SETTLE_MS: number
/** Deletes the blobs nothing kept reaches (index.json first when tags are dropped), safely beside concurrent exports. */
export declare function gc(
  storage: StorageDriver,
  options?: { dryRun?: boolean; keepTags?: string[]; dropTags?: string[]; gracePeriodMs?: number; now?: number; settleMs?: number; onProgress?: Progress },
): Promise<GcPlan>
/** What a prune did: the plan, the tags a concurrent export changed (left as they are), and gc's plan (null without `collect`, or in a dry run). */
export interface PruneResult {
  plan: PrunePlan
  skipped: string[]
  gc: GcPlan | null
}
/** Drops results inside the cache's configs to keep it within `maxSize` bytes and `maxAgeMs`, then collects with gc. */
export declare function prune(
  storage: StorageDriver,
  options?: {
    maxSize?: number
    maxAgeMs?: number
    keepTags?: string[]
    dryRun?: boolean
    collect?: boolean
    gracePeriodMs?: number
    now?: number
    settleMs?: number
    onProgress?: Progress
  },
): Promise<PruneResult>
/** Merges caches into `into` under `tag`; with `maxSize`, then prunes the destination to it. */
export declare function merge(
  into: StorageDriver,
  sources: Array<{ storage: StorageDriver; tag?: string }>,
  options?: { tag?: string; form?: string; replace?: boolean; maxSize?: number; gracePeriodMs?: number; settleMs?: number; collect?: boolean },
): Promise<{ descriptor: Record<string, any>; layers: number; existing: 'merged' | 'replaced' | 'none'; pruned?: PruneResult }>
/** What a copy did: `bytes` are the bytes of the blobs copied. */
export interface CopyResult {
  tag: string
  descriptor: Record<string, any>
  blobs: number
  copied: number
  mounted: number
  skipped: number
  bytes: number
}
/** Copies the entry tagged `tag` of `from` to `to` under `toTag` (default: `to.tag`, else `latest`), keeping every digest; `concurrency` blobs at a time (default: the plan's choice, 4 to 16 by the blob sizes). */
export declare function copy(
  from: StorageDriver,
  to: StorageDriver,
  options?: { tag?: string; toTag?: string; concurrency?: number; onProgress?: Progress },
): Promise<CopyResult>
/** Converts the cache tagged `tag` to `form` and `compression`. */
export declare function convert(
  storage: StorageDriver,
  options?: { tag?: string; form?: string; compression?: 'gzip' | 'zstd' | 'uncompressed'; level?: number; onProgress?: Progress },
): Promise<{ descriptor: Record<string, any>; recompressed: number }>
