// BuildKit's lock on a layout's index.json: flock(2) on
// `<layout>/index.json.lock`, exclusive to write index.json and shared to
// read it, as BuildKit's client/ociindex takes it (gofrs/flock). The lock
// itself is the addon's (`lockFile`, bindings/node/src/lock.rs: Node has no
// flock); this module waits for it, a bounded time.
//
// BuildKit does not wait: its exporter tries once and fails ("could not
// lock"), its importer skips the cache. So ocicache holds the lock only
// around reading or replacing index.json itself, never while it hashes,
// copies or deletes blobs.
import { createRequire } from 'node:module'

const native = createRequire(import.meta.url)('./native.cjs')

/** How long to wait for the lock unless told: 30 seconds. */
export const DEFAULT_LOCK_TIMEOUT_MS = 30_000

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Runs `work()` holding the lock on `path` (exclusive, or `shared`),
 * waiting for it at most `timeoutMs`; after that, CACHE_LOCKED.
 */
export async function withLock(path, { shared = false, timeoutMs = DEFAULT_LOCK_TIMEOUT_MS } = {}, work) {
  const start = Date.now()
  let pause = 2
  let handle
  while ((handle = native.lockFile(path, shared)) === null) {
    if (Date.now() - start >= timeoutMs) {
      const message = `${path} is held by another process (a BuildKit export, or another ocicache) after waiting ${timeoutMs} ms`
      throw Object.assign(new Error(message), { code: 'CACHE_LOCKED' })
    }
    await sleep(pause)
    pause = Math.min(pause * 2, 100)
  }
  try {
    return await work()
  } finally {
    native.unlockFile(handle)
  }
}
