// Storage drivers: where a cache lives (see storage.mjs).
import type { StoredBlob } from './index'

/**
 * What the operations need of a storage. Any object with these methods is a
 * driver. `mediaType`, where given, is what the document pointing at the
 * blob says it is (a registry keeps manifests apart from blobs).
 */
export interface StorageDriver {
  /** The tag the storage is bound to (a registry reference's), if any: the operations' default. */
  readonly tag?: string
  /** Optional: gc's grace period when none is given (the object stores': BuildKit's touch_refresh). */
  readonly defaultGracePeriodMs?: number
  /** `index.json`'s bytes, or null when the layout has none. */
  readIndex(): Promise<Uint8Array | null>
  /**
   * A blob's bytes (at most `limit` of them: the operations pass a
   * document's size + 1), or null when it is missing. A path that is not a
   * regular file rejects with NOT_A_FILE.
   */
  readBlob(digest: string, mediaType?: string, options?: { limit?: number }): Promise<Uint8Array | null>
  /** The blob's bytes in chunks (rejects when missing). */
  openBlob(digest: string, mediaType?: string): AsyncIterable<Uint8Array>
  /** Every stored blob: path (`blobs/<alg>/<hex>`), size, modified (ms); `type` for a path that is not a regular file. */
  listBlobs(): Promise<StoredBlob[]>
  /** Whether the blob is stored. */
  hasBlob(digest: string, mediaType?: string): Promise<boolean>
  /** Store bytes or chunks as the blob, atomically; rejects content that does not hash to `digest`. */
  writeBlob(digest: string, source: Uint8Array | AsyncIterable<Uint8Array> | Iterable<Uint8Array>, mediaType?: string): Promise<void>
  /** Optional: true when `writeBlob` takes a stream of chunks as fast as whole bytes (copy then streams every blob into it). */
  readonly prefersStreams?: boolean
  /** Optional: the layout's `oci-layout` file, or null when it has none (checked by inspect and verify). */
  readLayoutFile?(): Promise<Uint8Array | null>
  /** Optional: make the blob of `from` available without transferring it; false when it cannot. */
  mountBlob?(digest: string, from: StorageDriver): Promise<boolean>
  /** Replace `index.json` atomically. */
  writeIndex(bytes: Uint8Array): Promise<void>
  /** Optional: replace `index.json` with `update(current)` (null: leave it) atomically with respect to other writers (LocalStorage: under BuildKit's lock). */
  updateIndex?(update: (current: Uint8Array | null) => Uint8Array | null | Promise<Uint8Array | null>): Promise<Uint8Array | null>
  /** Remove a blob. */
  deleteBlob(digest: string): Promise<void>
  /** Optional: a temporary file for bytes named later (convert's layers past 8 MiB; without it they stay in memory). */
  spool?(): Promise<Spool>
  /** Optional: a Commits whose `writeBlob` copy streams blobs through, committed beside the transfers (null: none). */
  commits?(): Commits | null
}

/**
 * The blobs one copy streams into a LocalStorage (commits.mjs): `writeBlob`
 * resolves once a stream is written and checked, and syncs and renames it
 * into place beside the next transfers; `close()` waits for every commit
 * and rejects with the first failure.
 */
export interface Commits {
  writeBlob(digest: string, source: Uint8Array | AsyncIterable<Uint8Array> | Iterable<Uint8Array>, mediaType?: string): Promise<void>
  close(): Promise<void>
}

/** A temporary file: `write` bytes, read them back with `chunks()`, `close()` removes it. */
export interface Spool {
  readonly size: number
  write(chunk: Uint8Array): Promise<void>
  chunks(): AsyncIterable<Uint8Array>
  close(): Promise<void>
}

/** An OCI image layout directory (BuildKit's `type=local` cache): a StorageDriver rooted at `root`. */
export declare class LocalStorage {
  /** `lockTimeoutMs`: how long to wait for BuildKit's `index.json.lock` (default 30 000), then CACHE_LOCKED. */
  constructor(root: string, options?: { lockTimeoutMs?: number })
  readonly root: string
  readonly lockTimeoutMs: number
  /** true: a stream is written as fast as whole bytes (hashed as it comes, written in batches). */
  readonly prefersStreams: boolean
  updateIndex(update: (current: Uint8Array | null) => Uint8Array | null | Promise<Uint8Array | null>): Promise<Uint8Array | null>
  /** Moves blobs out of blobs/ for gc (see aside.mjs). */
  moveAside(digests: string[]): Promise<Aside>
  /** Puts back what a gc left aside. */
  recoverAside(): Promise<void>
  /** Waits until no export has written under ingest/ for `settleMs`; whether it did. */
  settle(options: { settleMs: number; maxWaitMs?: number }): Promise<boolean>
  /** A Spool in ingest/ (the file system of blobs/; gc leaves it alone). */
  spool(): Promise<Spool>
  /** A Commits for a copy into this directory (a subclass returns null to have every blob through writeBlob). */
  commits(): Commits | null
}

/** Blobs gc moved out of a layout's blobs/. */
export interface Aside {
  readonly digests: string[]
  readBlob(digest: string, options?: { limit?: number }): Promise<Uint8Array | null>
  restore(digest: string): Promise<void>
  purge(digest: string): Promise<void>
  close(): Promise<void>
}
export interface LocalStorage extends StorageDriver {}

/** A read-only view of `storage` showing one index.json entry: the one BuildKit imports for `tag`, or the manifest `digest` pins. */
export declare class SelectedStorage {
  constructor(storage: StorageDriver, selection?: { tag?: string; digest?: string })
  readonly storage: StorageDriver
  readonly tag: string
  readonly digest: string | undefined
}
export interface SelectedStorage extends StorageDriver {}
