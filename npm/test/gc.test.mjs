// gc beside concurrent writers, without BuildKit (the interop suite runs it
// against a real one): an export that points index.json at blobs gc has
// moved aside gets them back; a gc that died halfway is undone by the next.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { ImageIndex } from '../index.mjs'
import { Aside } from '../aside.mjs'
import { gc, verify } from '../operations.mjs'
import { LocalStorage } from '../storage.mjs'
import { testsDir } from './data.mjs'

const put = join(testsDir, 'concurrency/buildkit_put.py')
// The first export of `twice`: in the layout, no longer tagged, so gc's.
const FIRST = ['sha256:4892b92ffdab938e771562ea1dbe78b8b5fab518a220177552a998f42b15695e', '2540']
const dirs = []
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

function layout() {
  const dir = mkdtempSync(join(tmpdir(), 'ocicache-gc-'))
  dirs.push(dir)
  cpSync(join(testsDir, 'fixtures/buildkit/twice/cache'), join(dir, 'cache'), { recursive: true })
  return join(dir, 'cache')
}

const asides = (dir) => (existsSync(join(dir, 'ingest')) ? readdirSync(join(dir, 'ingest')).filter((n) => n.startsWith('ocicache-gc-')) : [])
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

test('an export during gc gets back the blobs it points at', async () => {
  const dir = layout()
  const running = gc(new LocalStorage(dir), { gracePeriodMs: 0, settleMs: 800 })
  // Wait for the first manifest to be moved (the aside folder appears
  // before the blobs are in it).
  const first = join(dir, 'blobs/sha256', FIRST[0].slice(7))
  for (let i = 0; i < 500 && existsSync(first); i++) await sleep(10)
  assert.equal(existsSync(first), false, 'the first manifest is aside')
  assert.ok(asides(dir).length > 0, 'gc never moved anything aside')
  // An export that found the first manifest before gc moved it writes
  // index.json with it now (BuildKit's Put, under BuildKit's lock).
  execFileSync('python3', [put, dir, 'first', ...FIRST])
  const plan = (await running).toJSON(true)
  assert.deepEqual([plan.restored.length, plan.delete.length], [7, 0])
  assert.deepEqual(ImageIndex.fromBytes(readFileSync(join(dir, 'index.json'))).tags().sort(), ['first', 'latest'])
  const report = await verify(new LocalStorage(dir))
  assert.equal(report.ok, true, report.toText())
  assert.equal(report.toJSON().unreachable, 0)
  assert.deepEqual(asides(dir), [])
})

test('a gc that died halfway is undone by the next', async () => {
  const dir = layout()
  const latest = ImageIndex.fromBytes(readFileSync(join(dir, 'index.json'))).findTag('latest').digest
  await Aside.move(dir, [latest, FIRST[0]])
  assert.equal((await verify(new LocalStorage(dir))).ok, false)
  const plan = await gc(new LocalStorage(dir), { gracePeriodMs: 0, settleMs: 0 })
  assert.equal(plan.delete.length, 7)
  const report = await verify(new LocalStorage(dir))
  assert.equal(report.ok, true, report.toText())
  assert.equal(report.toJSON().unreachable, 0)
  assert.deepEqual(asides(dir), [])
})
