// The shared suite in headless Chromium (Debian's, driven by playwright-core)
// against the package's browser entry, served from a loopback server.
import { createReadStream, statSync } from 'node:fs'
import { createServer } from 'node:http'
import { extname, join, normalize, sep } from 'node:path'
import { test } from 'node:test'
import { chromium } from 'playwright-core'
import { blobFiles, exportFiles, layerFiles, optionVectors, testsDir } from './data.mjs'

const npmDir = new URL('../', import.meta.url).pathname
const executablePath = process.env.OCICACHE_CHROMIUM ?? '/usr/bin/chromium'
const TYPES = { '.html': 'text/html', '.mjs': 'text/javascript', '.js': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm' }
// This machine is offline: these flags keep Chromium from reaching out.
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic']

function serve() {
  const roots = { '/npm/': npmDir, '/tests/': testsDir }
  const blobs = blobFiles().map((b) => ({ name: b.name, url: `/tests/${b.path.slice(testsDir.length)}` }))
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname)
    if (path === '/options.json') {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify(optionVectors()))
      return
    }
    if (path === '/layers.json') {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify(layerFiles().map((l) => ({ ...l, url: `/tests/${l.path.slice(testsDir.length)}` }))))
      return
    }
    if (path === '/exports.json') {
      const exports = exportFiles().map((e) => ({ name: e.name, files: Object.fromEntries(Object.entries(e.files).map(([k, p]) => [k, `/tests/${p.slice(testsDir.length)}`])) }))
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify(exports))
      return
    }
    if (path === '/blobs.json') {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify(blobs))
      return
    }
    for (const [prefix, root] of Object.entries(roots)) {
      if (!path.startsWith(prefix)) continue
      const file = normalize(join(root, path.slice(prefix.length)))
      if (!file.startsWith(normalize(root + sep)) || !statSync(file, { throwIfNoEntry: false })?.isFile()) break
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' })
      createReadStream(file).pipe(res)
      return
    }
    res.writeHead(404).end()
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

test('the shared suite passes in headless Chromium', { timeout: 180_000 }, async (t) => {
  const server = await serve()
  const browser = await chromium.launch({ executablePath, args: FLAGS })
  try {
    const page = await browser.newPage()
    const problems = []
    page.on('pageerror', (err) => problems.push(String(err)))
    page.on('console', (msg) => msg.type() === 'error' && problems.push(msg.text()))
    await page.goto(`http://127.0.0.1:${server.address().port}/npm/test/browser/index.html`)
    await page.waitForFunction(() => window.__results !== undefined, null, { timeout: 150_000 })
    const results = await page.evaluate(() => window.__results)
    if (results.length < 50) throw new Error(`only ${results.length} results: ${JSON.stringify(results)}`)
    for (const r of results) {
      await t.test(r.name, () => {
        if (!r.ok) throw new Error(r.error)
      })
    }
    if (problems.length) throw new Error(`page errors: ${problems.join('\n')}`)
  } finally {
    await browser.close()
    server.close()
  }
})
