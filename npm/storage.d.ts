// Storage drivers: where a cache lives (see storage.mjs).
import type { StoredBlob } from './index'

/** What the operations need of a storage. Any object with these methods is a driver. */
export interface StorageDriver {
  /** `index.json`'s bytes, or null when the layout has none. */
  readIndex(): Promise<Uint8Array | null>
  /** A blob's bytes, or null when it is missing. */
  readBlob(digest: string): Promise<Uint8Array | null>
  /** The blob's bytes in chunks (rejects when missing). */
  openBlob(digest: string): AsyncIterable<Uint8Array>
  /** Every stored blob: path (`blobs/<alg>/<hex>`), size, modified (ms). */
  listBlobs(): Promise<StoredBlob[]>
  /** Whether the blob is stored. */
  hasBlob(digest: string): Promise<boolean>
  /** Store bytes or chunks as the blob, atomically; rejects content that does not hash to `digest`. */
  writeBlob(digest: string, source: Uint8Array | AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<void>
  /** Replace `index.json` atomically. */
  writeIndex(bytes: Uint8Array): Promise<void>
  /** Remove a blob. */
  deleteBlob(digest: string): Promise<void>
}

/** An OCI image layout directory (BuildKit's `type=local` cache). */
export declare class LocalStorage implements StorageDriver {
  constructor(root: string)
  readonly root: string
  readIndex(): Promise<Uint8Array | null>
  readBlob(digest: string): Promise<Uint8Array | null>
  openBlob(digest: string): AsyncIterable<Uint8Array>
  listBlobs(): Promise<StoredBlob[]>
  hasBlob(digest: string): Promise<boolean>
  writeBlob(digest: string, source: Uint8Array | AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<void>
  writeIndex(bytes: Uint8Array): Promise<void>
  deleteBlob(digest: string): Promise<void>
}
