// BuildKit's lock on index.json (index.json.lock): the Node package waits for
// a writer that holds it the way BuildKit's exporter does
// (tests/concurrency/buildkit_put.py), gives up with CACHE_LOCKED after its
// timeout, and two merges into one layout keep both tags.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { ImageIndex } from '../index.mjs'
import { merge, verify } from '../operations.mjs'
import { LocalStorage } from '../storage.mjs'
import { testsDir } from './data.mjs'

const fixture = (name) => join(testsDir, 'fixtures/buildkit', name, 'cache')
const put = join(testsDir, 'concurrency/buildkit_put.py')
const bin = join(testsDir, '../npm/bin/ocicache.mjs')
// The first export of `twice`: in the layout, no longer tagged.
const FIRST = ['sha256:4892b92ffdab938e771562ea1dbe78b8b5fab518a220177552a998f42b15695e', '2540']

const dirs = []
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

function layout() {
  const dir = mkdtempSync(join(tmpdir(), 'ocicache-lock-'))
  dirs.push(dir)
  cpSync(fixture('twice'), join(dir, 'cache'), { recursive: true })
  return join(dir, 'cache')
}

const tags = (dir) => ImageIndex.fromBytes(readFileSync(join(dir, 'index.json'))).tags()

// Runs a command; resolves with its exit code and output. `onLine` sees each line of output.
function run(cmd, args, onLine) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (c) => {
      out += c
      if (onLine && out.includes('\n')) onLine(out.split('\n')[0])
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, out }))
  })
}

// A BuildKit-style writer holding the lock for `hold` seconds; resolves,
// once it holds the lock, to `{ done }`: its exit.
async function buildkitPut(dir, tag, hold) {
  let done
  const line = await new Promise((resolve) => {
    done = run('python3', [put, dir, tag, ...FIRST, '--hold', String(hold)], resolve)
  })
  assert.equal(line, 'locked')
  return { done }
}

test('a merge waits for a BuildKit export and both tags stay', async () => {
  const dir = layout()
  const { done: writer } = await buildkitPut(dir, 'exported', 0.5)
  const started = Date.now()
  await merge(new LocalStorage(dir), [{ storage: new LocalStorage(fixture('small-max')) }], { tag: 'merged' })
  assert.ok(Date.now() - started >= 400, 'the merge did not wait for the lock')
  assert.equal((await writer).code, 0)
  assert.deepEqual(tags(dir).sort(), ['exported', 'latest', 'merged'])
  assert.equal((await verify(new LocalStorage(dir))).ok, true)
})

test('a held lock is CACHE_LOCKED after the timeout', async () => {
  const dir = layout()
  const { done: writer } = await buildkitPut(dir, 'exported', 2)
  const storage = new LocalStorage(dir, { lockTimeoutMs: 200 })
  for (const attempt of [() => storage.readIndex(), () => storage.updateIndex((c) => c)]) {
    const started = Date.now()
    await assert.rejects(attempt(), { code: 'CACHE_LOCKED' })
    const waited = Date.now() - started
    assert.ok(waited >= 150 && waited < 1500, `waited ${waited} ms`)
  }
  assert.equal((await writer).code, 0)
  await storage.updateIndex((c) => c)
  assert.ok(tags(dir).includes('exported'))
})

test('two merges into one layout keep both tags, ten times over', async () => {
  for (let trial = 0; trial < 10; trial++) {
    const dir = layout()
    const runs = ['one', 'two'].map((tag) => run(process.execPath, [bin, 'merge', '--tag', tag, dir, fixture('small-max')]))
    for (const r of await Promise.all(runs)) assert.equal(r.code, 0)
    assert.deepEqual(tags(dir).sort(), ['latest', 'one', 'two'], `trial ${trial}`)
  }
})
