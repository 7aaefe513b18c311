// The cache viewer (viewer/, assembled into target/viewer by
// scripts/build-viewer.sh) in headless Chromium: the counts it shows for
// two bundled caches are the ones the Python package computes, verify runs
// clean, the heaviest records and a prune preview are what the CLI says, a
// damaged copy opened as a folder shows its finding and code, the record
// search works, and the page logs no errors. Screenshots go to
// target/test-artifacts/ (not committed).
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { cpSync, createReadStream, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { extname, join, normalize, sep } from 'node:path'
import { after, before, test } from 'node:test'
import { chromium } from 'playwright-core'
import { testsDir } from './data.mjs'

const repo = join(testsDir, '..')
const site = join(repo, 'target/viewer')
const artifacts = join(repo, 'target/test-artifacts')
const executablePath = process.env.OCICACHE_CHROMIUM ?? '/usr/bin/chromium'
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic']
const TYPES = { '.html': 'text/html', '.mjs': 'text/javascript', '.js': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm', '.css': 'text/css' }

// What the Python package says of a layout: tags, records, layers, garbage.
function pythonCounts(root) {
  const code = `
import json, sys
from ocicache import operations
from ocicache.storage import LocalStorage
r = operations.inspect(LocalStorage(sys.argv[1])).to_dict()
print(json.dumps({"tags": len(r["tags"]), "records": sum(t.get("records", 0) for t in r["tags"]),
  "layers": sum(t.get("layers", 0) for t in r["tags"]), "garbage": r["blobs"]["unreachable"],
  "garbageBytes": r["blobs"]["unreachableBytes"]}))`
  return JSON.parse(execFileSync(join(repo, '.venv/bin/python'), ['-c', code, root], { encoding: 'utf8' }))
}

let server
let browser
let page
const problems = []

before(async () => {
  assert.ok(statSync(join(site, 'viewer/index.html'), { throwIfNoEntry: false }), 'run scripts/build-viewer.sh (scripts/setup.sh does)')
  server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname)
    let file = normalize(join(site, path))
    if (statSync(file, { throwIfNoEntry: false })?.isDirectory()) file = join(file, 'index.html')
    if (!file.startsWith(normalize(site + sep)) && file !== site) return res.writeHead(403).end()
    if (!statSync(file, { throwIfNoEntry: false })?.isFile()) return res.writeHead(404).end()
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' })
    createReadStream(file).pipe(res)
  })
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  browser = await chromium.launch({ executablePath, args: FLAGS })
  page = await browser.newPage({ viewport: { width: 1280, height: 1600 } })
  page.on('pageerror', (err) => problems.push(String(err)))
  page.on('console', (msg) => msg.type() === 'error' && problems.push(msg.text()))
  mkdirSync(artifacts, { recursive: true })
})

after(async () => {
  await browser?.close()
  server?.close()
})

const url = (q = '') => `http://127.0.0.1:${server.address().port}/viewer/${q}`
const text = (id) => page.locator(`#${id}`).innerText()

async function shown() {
  return {
    tags: Number(await text('count-tags')),
    records: Number(await text('count-records')),
    layers: Number(await text('count-layers')),
    garbage: Number(await text('count-garbage')),
    garbageBytes: Number(await page.locator('#count-garbage-bytes').getAttribute('data-bytes')),
  }
}

async function verifyClean() {
  await page.click('#verify')
  await page.waitForSelector('#verify-status[data-ok]', { timeout: 60_000 })
  return page.locator('#verify-status').getAttribute('data-ok')
}

test('twice: the counts are the Python package\'s, verify is clean, gc preview frees the garbage', { timeout: 120_000 }, async () => {
  await page.goto(url('?sample=twice'))
  await page.waitForSelector('body[data-ready]')
  assert.equal(await page.locator('#error').isHidden(), true, await text('error'))
  const expected = pythonCounts(join(testsDir, 'fixtures/buildkit/twice/cache'))
  assert.deepEqual(await shown(), expected)
  assert.equal(expected.garbage, 7)
  assert.equal(await page.locator('#gc-summary').getAttribute('data-count'), String(expected.garbage))
  assert.equal(await page.locator('#gc-summary').getAttribute('data-bytes'), String(expected.garbageBytes))
  assert.equal(await page.locator('#graph .node').count(), expected.records)
  assert.ok((await page.locator('#graph .node.result').count()) > 0)
  assert.equal(await verifyClean(), 'true')
  assert.equal(await page.locator('#verify-findings li').count(), 0)
  assert.notEqual(await page.locator('#layers td.uncompressed').first().innerText(), '—', 'verify fills in uncompressed sizes')
  await page.screenshot({ path: join(artifacts, 'viewer-twice.png'), fullPage: true })
})

test('a record found by digest prefix shows its inputs and layers', async () => {
  const graph = await page.evaluate(() => [...document.querySelectorAll('#graph .node')].length)
  assert.ok(graph > 0)
  const digest = await page.locator('#graph .node.result title').first().textContent()
  const full = digest.split('\n')[1]
  await page.fill('#search', full.slice(7, 15))
  assert.match(await text('search-result'), /^record \d+$/)
  assert.equal(await page.locator('#graph .node.selected').count(), 1)
  assert.match(await text('record'), new RegExp(full))
  assert.ok((await page.locator('#layers tr.active').count()) > 0, 'its layers are highlighted')
})

test('local-max (multistage, as .tar.gz): counts match and verify is clean', { timeout: 120_000 }, async () => {
  await page.selectOption('#samples', 'local-max')
  await page.waitForFunction(() => document.getElementById('cache-name').textContent === 'local-max')
  assert.deepEqual(await shown(), pythonCounts(join(testsDir, 'fixtures/buildkit/local-max/cache')))
  assert.equal(await verifyClean(), 'true')
  await page.screenshot({ path: join(artifacts, 'viewer-local-max.png'), fullPage: true })
})

test('local-max: the heaviest records and a prune preview are what both CLIs say', { timeout: 120_000 }, async () => {
  const cache = join(testsDir, 'fixtures/buildkit/local-max/cache')
  const cli = (...args) => JSON.parse(execFileSync(join(repo, '.venv/bin/python'), ['-m', 'ocicache', ...args, cache], { encoding: 'utf8', cwd: repo }))
  const graph = cli('inspect', '--json').tags[0].graph
  const heaviest = [...graph.records].sort((a, b) => b.cost.bytes - a.cost.bytes || a.index - b.index)[0]
  assert.equal(await page.locator('#heaviest li').first().getAttribute('data-index'), String(heaviest.index))
  assert.equal(await page.locator('#heaviest li').first().getAttribute('data-bytes'), String(heaviest.cost.bytes))
  assert.match(await text('mode-min'), new RegExp(`^mode=min would keep ${graph.modeMin.results} results`))
  assert.ok(Number(await page.locator('#graph .node').first().getAttribute('data-cost')) >= 0)
  const plan = cli('prune', '--dry-run', '--json', '--max-size', '1.2MB')
  await page.fill('#budget', '1.2MB')
  await page.click('#prune')
  await page.waitForSelector('#prune-summary[data-freed]')
  assert.equal(await page.locator('#prune-summary').getAttribute('data-freed'), String(plan.freedBytes))
  assert.equal(await page.locator('#prune-list li').count(), plan.droppedResults)
  assert.equal(await page.locator('#graph .node.dropped').count(), plan.droppedResults)
  await page.screenshot({ path: join(artifacts, 'viewer-prune.png'), fullPage: true })
  await page.fill('#budget', '1k')
  await page.click('#prune')
  await page.waitForSelector('#error:not([hidden])')
  assert.match(await text('error'), /^BUDGET_TOO_SMALL: /)
})

test('a damaged copy opened as a folder shows DIGEST_MISMATCH', { timeout: 120_000 }, async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'ocicache-viewer-')), 'damaged')
  cpSync(join(testsDir, 'fixtures/buildkit/small-max/cache'), dir, { recursive: true })
  const manifest = JSON.parse(readFileSync(join(dir, 'blobs/sha256', JSON.parse(readFileSync(join(dir, 'index.json'))).manifests[0].digest.slice(7))))
  const layer = join(dir, 'blobs/sha256', manifest.layers[0].digest.slice(7))
  const bytes = readFileSync(layer)
  bytes[bytes.length >> 1] ^= 1
  writeFileSync(layer, bytes)
  await page.setInputFiles('#pick-folder', dir)
  await page.waitForFunction(() => document.getElementById('cache-name').textContent === 'damaged')
  assert.equal(await verifyClean(), 'false')
  const codes = await page.locator('#verify-findings li').evaluateAll((lis) => lis.map((l) => l.dataset.code))
  assert.ok(codes.includes('DIGEST_MISMATCH'), codes.join(','))
  assert.match(await text('verify-findings'), new RegExp(manifest.layers[0].digest.slice(7)))
  await page.screenshot({ path: join(artifacts, 'viewer-damaged.png'), fullPage: true })
})

test('a tar dropped onto the page opens', async () => {
  await page.evaluate(async () => {
    const blob = await (await fetch('samples/small-max.tar')).blob()
    const transfer = new DataTransfer()
    transfer.items.add(new File([blob], 'dropped.tar', { type: 'application/x-tar' }))
    document.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }))
  })
  await page.waitForFunction(() => document.getElementById('cache-name').textContent === 'dropped.tar')
  assert.deepEqual(await shown(), pythonCounts(join(testsDir, 'fixtures/buildkit/small-max/cache')))
  assert.equal(await page.inputValue('#search'), '', 'opening a cache clears the last search')
})

test('a folder that is not a cache is a clear error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ocicache-viewer-'))
  writeFileSync(join(dir, 'readme.txt'), 'not a cache')
  await page.setInputFiles('#pick-folder', dir)
  await page.waitForSelector('#error:not([hidden])')
  assert.match(await text('error'), /^INVALID_LAYOUT: /)
})

test('the page logged no errors', () => {
  assert.deepEqual(problems, [])
})
