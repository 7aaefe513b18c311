// Blobs gc has moved aside, and the wait for a layout to settle: the two
// host halves of gc's protocol against concurrent exports (operations.mjs
// `gc` has the argument, the core `Cache.recheck` the decision).
//
// A blob gc means to delete is first renamed out of blobs/ into
// ingest/ocicache-gc-<pid>-<random>/<algorithm>/<encoded> (the same file
// system; BuildKit and gc leave ingest/ alone). An export that looks for it
// from then on finds it missing and writes it again; one that found it
// before the move has, by the time the layout has been quiet for a while,
// written index.json, which gc reads again before it decides. A gc that dies
// halfway leaves its directory; the next gc puts everything in it back.
import { mkdir, readdir, rename, rm, rmdir, stat, unlink } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { readBounded } from './file.mjs'

const PREFIX = 'ocicache-gc-'

const missing = (err) => err && (err.code === 'ENOENT' || err.code === 'ENOTDIR')

async function entries(dir) {
  try {
    return await readdir(dir, { withFileTypes: true })
  } catch (err) {
    if (missing(err)) return []
    throw err
  }
}

/** The blobs of one gc, moved out of a layout's blobs/. */
export class Aside {
  constructor(root, dir, digests) {
    this.root = root
    this.dir = dir
    /** The digests moved. */
    this.digests = digests
  }

  #blob(digest) {
    const [algorithm, encoded] = digest.split(':')
    return join(this.root, 'blobs', algorithm, encoded)
  }

  #aside(digest) {
    const [algorithm, encoded] = digest.split(':')
    return join(this.dir, algorithm, encoded)
  }

  /** Moves the blobs `digests` of the layout at `root` aside (those already gone are skipped). */
  static async move(root, digests) {
    const dir = join(root, 'ingest', `${PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`)
    const aside = new Aside(root, dir, [])
    for (const digest of digests) {
      await mkdir(join(dir, digest.split(':')[0]), { recursive: true })
      try {
        await rename(aside.#blob(digest), aside.#aside(digest))
        aside.digests.push(digest)
      } catch (err) {
        if (!missing(err)) throw err
      }
    }
    return aside
  }

  /** A moved blob's bytes (at most `limit` of them), or null. */
  readBlob(digest, { limit } = {}) {
    return readBounded(this.#aside(digest), limit)
  }

  /** Puts a blob back (or drops this copy when the layout has it again). */
  async restore(digest) {
    try {
      await stat(this.#blob(digest))
      await unlink(this.#aside(digest))
    } catch (err) {
      if (!missing(err)) throw err
      try {
        await rename(this.#aside(digest), this.#blob(digest))
      } catch (err2) {
        if (!missing(err2)) throw err2
      }
    }
  }

  /** Deletes a moved blob for good. */
  async purge(digest) {
    try {
      await unlink(this.#aside(digest))
    } catch (err) {
      if (!missing(err)) throw err
    }
  }

  /** Removes the (emptied) directory. */
  async close() {
    await rm(this.dir, { recursive: true, force: true })
  }

  /**
   * Puts back every blob a gc left aside in the layout at `root` (one that
   * died, or one still running: putting back is always safe), and removes
   * its directory.
   */
  static async recover(root) {
    for (const e of await entries(join(root, 'ingest'))) {
      if (!e.isDirectory() || !e.name.startsWith(PREFIX)) continue
      const dir = join(root, 'ingest', e.name)
      for (const alg of await entries(dir)) {
        if (!alg.isDirectory()) continue
        for (const f of await entries(join(dir, alg.name))) await new Aside(root, dir, []).restore(`${alg.name}:${f.name}`)
      }
      await rm(dir, { recursive: true, force: true })
    }
  }
}

// The newest modification time (ms) under ingest/, gc's own directories aside.
async function newestIngest(root) {
  let newest = 0
  const walk = async (dir, depth) => {
    for (const e of await entries(dir)) {
      if (depth === 0 && e.name.startsWith(PREFIX)) continue
      const p = join(dir, e.name)
      try {
        newest = Math.max(newest, (await stat(p)).mtimeMs)
      } catch (err) {
        if (!missing(err)) throw err
      }
      if (e.isDirectory() && depth < 2) await walk(p, depth + 1)
    }
  }
  await walk(join(root, 'ingest'), 0)
  return newest
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Waits until nothing has been written under the layout's ingest/ (where
 * BuildKit's exporter and ocicache's writers put each blob first) for
 * `settleMs`, counted from now at the earliest. Gives up after `maxWaitMs`.
 * Returns whether the layout settled.
 */
export async function settle(root, { settleMs, maxWaitMs = Math.max(60_000, 30 * settleMs) }) {
  const start = Date.now()
  for (;;) {
    const now = Date.now()
    const since = Math.max(start, await newestIngest(root))
    if (now - since >= settleMs) return true
    if (now - start >= maxWaitMs) return false
    await sleep(Math.min(100, settleMs - (now - since)))
  }
}
