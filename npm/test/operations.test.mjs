// The Node operations through the local driver, and what a crash leaves behind.
import assert from 'node:assert/strict'
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { convert, copy as copyCache, gc, loadCache, merge, verify } from '../operations.mjs'
import { LocalStorage } from '../storage.mjs'
import { digest } from '../index.mjs'
import { testsDir } from './data.mjs'

// What is left in ingest/ (which a fresh clone does not have until a write).
const ingest = (root) => (existsSync(join(root, 'ingest')) ? readdirSync(join(root, 'ingest')) : [])
const fixture = (name) => join(testsDir, 'fixtures/buildkit', name, 'cache')

function copy(name) {
  const dir = mkdtempSync(join(tmpdir(), 'ocicache-ops-'))
  cpSync(fixture(name), dir, { recursive: true })
  return dir
}

class Crash extends Error {}

// A local layout whose n-th write or delete crashes (before it happens).
class CrashingStorage extends LocalStorage {
  constructor(root, at) {
    super(root)
    this.left = at
  }
  tick() {
    if (--this.left < 0) throw new Crash('crash')
  }
  async writeBlob(digest, source, mediaType) {
    this.tick()
    return super.writeBlob(digest, source, mediaType)
  }
  async writeIndex(bytes) {
    this.tick()
    return super.writeIndex(bytes)
  }
  async deleteBlob(digest) {
    this.tick()
    return super.deleteBlob(digest)
  }
}

const runs = {
  gc: (s, at) => gc(s, { gracePeriodMs: 0, dropTags: at % 2 ? ['latest'] : undefined }),
  convert: (s) => convert(s, { compression: 'zstd', form: 'image-index' }),
  merge: (s, _, root) => merge(s, [{ storage: new LocalStorage(fixture('local-min')) }, { storage: new LocalStorage(root) }], { tag: 'merged' }),
}

for (const [name, run] of Object.entries(runs)) {
  test(`a crash before any write or delete of ${name} leaves a cache that verifies clean`, async () => {
    for (let at = 0; at < 100; at++) {
      const root = copy('twice')
      try {
        await run(new CrashingStorage(root, at), at, root)
        assert.ok((await verify(new LocalStorage(root))).ok, `${name} finished`)
        return
      } catch (err) {
        if (!(err instanceof Crash)) throw err
        const report = await verify(new LocalStorage(root))
        assert.ok(report.ok, `${name}, crash at ${at}:\n${report.toText()}`)
        assert.deepEqual(ingest(root), [], 'nothing left in ingest/')
      } finally {
        rmSync(root, { recursive: true, force: true })
      }
    }
    assert.fail('never finished')
  })
}

test('writeBlob refuses bytes that do not hash to the digest, and leaves nothing behind', async () => {
  const root = copy('small-max')
  try {
    const s = new LocalStorage(root)
    const digest = `sha256:${'0'.repeat(64)}`
    await assert.rejects(s.writeBlob(digest, new Uint8Array([1, 2, 3])), { code: 'DIGEST_MISMATCH' })
    assert.equal(await s.hasBlob(digest), false)
    assert.deepEqual(ingest(root), [])
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
})

test('a storage makes a directory again when it was removed between writes', async () => {
  const root = mkdtempSync(join(tmpdir(), 'ocicache-dirs-'))
  try {
    const s = new LocalStorage(root)
    const blob = (text) => {
      const bytes = new TextEncoder().encode(text)
      return [digest(bytes).toString(), bytes]
    }
    await s.writeBlob(...blob('one'))
    // Removed behind the storage's back: both directories a write needs.
    rmSync(join(root, 'blobs'), { recursive: true })
    rmSync(join(root, 'ingest'), { recursive: true })
    const [d, bytes] = blob('two')
    await s.writeBlob(d, bytes)
    assert.equal(Buffer.from(await s.readBlob(d)).toString(), 'two')
    assert.deepEqual(ingest(root), [])
    // A stream of chunks too, into a removed directory.
    rmSync(join(root, 'blobs'), { recursive: true })
    const [d3, bytes3] = blob('three')
    await s.writeBlob(d3, (async function* () { yield bytes3.subarray(0, 2); yield bytes3.subarray(2) })())
    assert.equal(Buffer.from(await s.readBlob(d3)).toString(), 'three')
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
})

test('verify with several blobs in flight is clean and reports progress up to the total', async () => {
  let last = [0, 0]
  const report = await verify(new LocalStorage(fixture('local-max')), { concurrency: 4, onProgress: (d, t) => (last = [d, t]) })
  assert.ok(report.ok)
  assert.ok(last[1] > 0 && last[0] === last[1])
})

test('copy streams every blob into a directory, and reads small ones whole for other drivers', async () => {
  // A directory writes a stream as fast as bytes (prefersStreams): no
  // buffer per blob. A driver without it gets small blobs as one buffer.
  const source = new LocalStorage(fixture('local-max'))
  const reads = { whole: 0, streamed: 0 }
  const read = source.readBlob.bind(source)
  const open = source.openBlob.bind(source)
  source.readBlob = (...args) => (reads.whole++, read(...args))
  source.openBlob = (...args) => (reads.streamed++, open(...args))
  const layers = (await loadCache(source)).copyPlan('latest').blobs.filter((b) => !b.manifest).length
  const dir = mkdtempSync(join(tmpdir(), 'ocicache-streamed-'))
  try {
    const into = new LocalStorage(join(dir, 'a'))
    assert.equal(into.prefersStreams, true)
    await copyCache(source, into)
    assert.equal(reads.streamed, layers)
    assert.ok((await verify(into)).ok)
    // The same directory seen through a driver that does not say so.
    const plain = new LocalStorage(join(dir, 'b'))
    const methods = ['readIndex', 'readBlob', 'openBlob', 'listBlobs', 'hasBlob', 'writeBlob', 'writeIndex', 'deleteBlob', 'updateIndex']
    const other = Object.fromEntries(methods.map((m) => [m, plain[m].bind(plain)]))
    reads.streamed = 0
    const wholeBefore = reads.whole
    await copyCache(source, other)
    assert.equal(reads.streamed, 0)
    assert.ok(reads.whole - wholeBefore >= layers, `${reads.whole - wholeBefore} whole reads`)
    assert.ok((await verify(plain)).ok)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test("copy sends as many blobs at once as the plan chooses, unless told", async () => {
  // local-max: 11 small layers and a config, so the plan chooses 16 (its
  // most) and all of them go at once; told 2, at most 2 do.
  const source = new LocalStorage(join(testsDir, 'fixtures/buildkit/local-max/cache'))
  const plan = (await loadCache(source)).copyPlan('latest')
  assert.equal(plan.concurrency, 16)
  assert.equal(plan.toJSON().concurrency, 16)
  const peak = async (options) => {
    const into = new LocalStorage(mkdtempSync(join(tmpdir(), 'ocicache-conc-')))
    into.commits = () => null // every blob through writeBlob (no deferred commits)
    let now = 0
    let most = 0
    const write = into.writeBlob.bind(into)
    into.writeBlob = async (...args) => {
      most = Math.max(most, ++now)
      await new Promise((resolve) => setTimeout(resolve, 20))
      try {
        return await write(...args)
      } finally {
        now--
      }
    }
    await copyCache(source, into, options)
    rmSync(into.root, { recursive: true, force: true })
    return most
  }
  const blobs = plan.blobs.filter((b) => !b.manifest).length
  assert.equal(await peak({}), Math.min(blobs, plan.concurrency))
  assert.equal(await peak({ concurrency: 2 }), 2)
})

test('a copy whose commit fails writes no index and leaves no temporary file; the next copy completes it', async () => {
  // The sync and rename of streamed blobs run beside the transfers
  // (commits.mjs); one that fails fails the copy before index.json.
  const source = new LocalStorage(join(testsDir, 'fixtures/buildkit/local-max/cache'))
  const blobs = (await loadCache(source)).copyPlan('latest').blobs.filter((b) => !b.manifest)
  const fail = blobs[Math.floor(blobs.length / 2)].digest
  const dir = mkdtempSync(join(tmpdir(), 'ocicache-commit-'))
  try {
    const into = new LocalStorage(dir)
    const commit = into._commit.bind(into)
    into._commit = async (file, target) => {
      if (target.endsWith(fail.split(':')[1])) {
        await file.handle.close()
        rmSync(file.temp)
        throw Object.assign(new Error("Input/output error (a test's)"), { code: 'EIO' })
      }
      return commit(file, target)
    }
    await assert.rejects(copyCache(source, into), { code: 'EIO' })
    assert.equal(existsSync(join(dir, 'index.json')), false)
    assert.deepEqual(readdirSync(join(dir, 'ingest')), [])
    assert.equal(await into.hasBlob(fail), false)
    const again = await copyCache(source, new LocalStorage(dir))
    assert.ok(again.copied >= 1)
    assert.ok((await verify(new LocalStorage(dir))).ok)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a blob committed beside the transfers is found, read and deleted only once its commit is done', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ocicache-commit-'))
  try {
    const storage = new LocalStorage(dir)
    const commit = storage._commit.bind(storage)
    storage._commit = async (file, target) => {
      await new Promise((resolve) => setTimeout(resolve, 300))
      return commit(file, target)
    }
    const bytes = new Uint8Array(1000).fill(7)
    const d = digest(bytes).toString()
    const commits = storage.commits()
    await commits.writeBlob(d, [bytes])
    // The rename is 300 ms away: each of these waits for it.
    assert.equal(await storage.hasBlob(d), true)
    assert.ok(Buffer.from(await storage.readBlob(d)).equals(bytes))
    await commits.close()
    await storage.deleteBlob(d)
    assert.equal(await storage.hasBlob(d), false)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
