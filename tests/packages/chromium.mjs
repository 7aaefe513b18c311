// Opens the bundled page (check.sh's esbuild output) in headless Chromium
// (Debian's, driven by the repository's playwright-core) from a loopback
// server that also serves the cache and a damaged copy of it, and checks
// what the page computed.
//   node chromium.mjs PAGE_DIR CACHE_DIR
import assert from 'node:assert/strict'
import { cpSync, createReadStream, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { extname, join, normalize, sep } from 'node:path'

const [pageDir, cacheDir] = process.argv.slice(2)
const { chromium } = createRequire(new URL('../../npm/package.json', import.meta.url))('playwright-core')
const executablePath = process.env.OCICACHE_CHROMIUM ?? '/usr/bin/chromium'
// This machine is offline: these flags keep Chromium from reaching out.
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic']
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm' }
// A reachable layer of the bundled cache: the damaged copy has one byte of it flipped.
const DAMAGED = 'sha256/077de16233a9476223b8fa7287d3bb4925be00e6eb39ecb2f3e8dac46b76f9df'

const scratch = mkdtempSync(join(tmpdir(), 'ocicache-page-'))
const damaged = join(scratch, 'damaged')
cpSync(cacheDir, damaged, { recursive: true })
const blob = join(damaged, 'blobs', DAMAGED)
const bytes = readFileSync(blob)
bytes[bytes.length >> 1] ^= 0xff
writeFileSync(blob, bytes)

// What LocalStorage.listBlobs would say of `root`.
function listing(root) {
  return readdirSync(join(root, 'blobs'), { recursive: true })
    .map((p) => `blobs/${p}`)
    .filter((p) => statSync(join(root, p)).isFile())
    .map((p) => ({ path: p, size: statSync(join(root, p)).size, modified: statSync(join(root, p)).mtimeMs }))
}

const roots = { '/cache/': cacheDir, '/damaged/': damaged, '/': pageDir }
const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname)
  for (const [prefix, root] of Object.entries(roots)) {
    if (!path.startsWith(prefix)) continue
    if (path === `${prefix}list.json`) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(listing(root)))
      return
    }
    const rel = path.slice(prefix.length) || 'index.html'
    const file = normalize(join(root, rel))
    if (!file.startsWith(normalize(root + sep)) || !statSync(file, { throwIfNoEntry: false })?.isFile()) break
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' })
    if (req.method === 'HEAD') res.end()
    else createReadStream(file).pipe(res)
    return
  }
  res.writeHead(404).end()
})
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
const browser = await chromium.launch({ executablePath, args: FLAGS })
try {
  const page = await browser.newPage()
  const problems = []
  page.on('pageerror', (err) => problems.push(String(err)))
  await page.goto(`http://127.0.0.1:${server.address().port}/`)
  await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 60_000 })
  const result = await page.evaluate(() => window.__result)
  assert.deepEqual(problems, [])
  assert.equal(result.error, undefined, result.error)
  const hello = 'sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824'
  assert.equal(result.streamed, hello)
  assert.equal(result.oneShot, hello)
  assert.equal(result.good.ok, true)
  assert.match(result.good.summary, /^ok: 16 blobs/)
  assert.equal(result.bad.ok, false)
  assert.ok(result.bad.codes.includes('DIGEST_MISMATCH'), JSON.stringify(result.bad))
  console.log(`chromium: the bundled page hashed and verified the cache (${result.good.summary}); the damaged copy: ${result.bad.codes.join(', ')}`)
} finally {
  await browser.close()
  server.close()
  rmSync(scratch, { recursive: true, force: true })
}
