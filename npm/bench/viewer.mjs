// Benchmark: verify in Chromium (the viewer's path) of a 512 MiB synthetic
// cache (64 layers of 4 MiB and one of 256 MiB), against the same checks done with the browser's own one-shot
// primitives: each blob read whole, hashed with crypto.subtle.digest, and
// each layer inflated whole with DecompressionStream('gzip') and hashed for
// its diffID. Ours streams every blob in 4 MiB chunks through the WASM
// digester and inflater. Also reports how much the browser's memory grows
// during each: the page's JS heap (sampled in the page), the WASM module's
// linear memory, and the resident memory of all of Chromium's processes
// (sampled every 50 ms). Needs scripts/setup.sh (the viewer in target/viewer).
//
//   node bench/viewer.mjs [--rounds 3] [--dir DIR]
import { randomBytes, createHash } from 'node:crypto'
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { extname, join, normalize } from 'node:path'
import { gzipSync } from 'node:zlib'
import { chromium } from 'playwright-core'

const args = process.argv.slice(2)
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback)
const rounds = Number(opt('--rounds', 3))
const root = opt('--dir', join(tmpdir(), 'ocicache-bench-viewer'))
const repo = new URL('../../', import.meta.url).pathname
const site = join(repo, 'target/viewer')
// 64 layers of 4 MiB and one of 256 MiB: a one-shot check holds a whole
// blob and its inflated content at once, so the big one shows whether
// memory follows the blob size.
const LAYERS = 65
const sizeOf = (n) => (n === 32 ? 256 << 20 : 4 << 20)

const sha = (b) => 'sha256:' + createHash('sha256').update(b).digest('hex')
function put(bytes) {
  const d = sha(bytes)
  writeFileSync(join(root, 'blobs/sha256', d.slice(7)), bytes)
  return d
}

// 65 gzip layers (mostly random, so inflating is cheap and the blobs stay
// large), one record each, in an image-manifest cache.
function generate() {
  mkdirSync(join(root, 'blobs/sha256'), { recursive: true })
  const layers = []
  const records = []
  const descriptors = []
  for (let n = 0; n < LAYERS; n++) {
    const tar = Buffer.concat([randomBytes(sizeOf(n) - 65536), Buffer.alloc(65536, n)])
    const blob = gzipSync(tar, { level: 1 })
    descriptors.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: put(blob), size: blob.length, annotations: { 'containerd.io/uncompressed': sha(tar) } })
    layers.push({ blob: descriptors[n].digest, parent: n - 1 })
    records.push({ digest: `sha256:${n.toString(16).padStart(64, '0')}`, ...(n ? { inputs: [[{ link: n - 1 }]] } : {}), layers: [{ layer: n, createdAt: '2026-01-01T00:00:00Z' }] })
  }
  const config = Buffer.from(JSON.stringify({ layers, records }))
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.buildkit.cacheconfig.v0', digest: put(config), size: config.length }, layers: descriptors }))
  const entry = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: put(manifest), size: manifest.length, annotations: { 'org.opencontainers.image.ref.name': 'latest' } }
  writeFileSync(join(root, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}')
  writeFileSync(join(root, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [entry] }))
}

// Resident memory (bytes) of a process and all its descendants.
function treeRss(pid) {
  const parent = new Map()
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8')
      parent.set(Number(p), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]))
    } catch {}
  }
  let total = 0
  for (const [p] of parent) {
    let q = p
    while (q && q !== pid) q = parent.get(q)
    if (q !== pid) continue
    try {
      const m = readFileSync(`/proc/${p}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/)
      if (m) total += Number(m[1]) * 1024
    } catch {}
  }
  return total
}

if (!existsSync(join(root, 'index.json'))) {
  console.log(`generating ${LAYERS} gzip layers (512 MiB, one of 256 MiB) in ${root} ...`)
  generate()
}
const size = readdirSync(join(root, 'blobs/sha256')).reduce((n, f) => n + statSync(join(root, 'blobs/sha256', f)).size, 0)
const TYPES = { '.html': 'text/html', '.mjs': 'text/javascript', '.js': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm', '.css': 'text/css' }
const server = createServer((req, res) => {
  let file = normalize(join(site, decodeURIComponent(new URL(req.url, 'http://x').pathname)))
  if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html')
  if (!file.startsWith(site) || !existsSync(file)) return res.writeHead(404).end()
  res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' })
  createReadStream(file).pipe(res)
})
await new Promise((r) => server.listen(0, '127.0.0.1', r))
const browser = await chromium.launch({
  executablePath: process.env.OCICACHE_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--enable-precise-memory-info', '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
})
const page = await browser.newPage()
await page.goto(`http://127.0.0.1:${server.address().port}/viewer/`)
await page.waitForSelector('body[data-ready]')
await page.setInputFiles('#pick-folder', root)
await page.waitForFunction(() => document.getElementById('count-layers').textContent !== '')

const contenders = {
  // The viewer's verify: operations.verify over the picked files.
  'ocicache verify (WASM, streaming)': () =>
    page.evaluate(async () => {
      const { FileStorage } = await import('/viewer/files.mjs')
      const { verify } = await import('/npm/operations.mjs')
      const report = await verify(FileStorage.fromFileList(document.getElementById('pick-folder').files))
      if (!report.ok) throw new Error(report.toText())
    }),
  // The same checks with the browser's one-shot primitives.
  'crypto.subtle.digest one-shot': () =>
    page.evaluate(async () => {
      const files = new Map([...document.getElementById('pick-folder').files].map((f) => [f.webkitRelativePath.split('/').slice(1).join('/'), f]))
      const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('')
      const digestOf = async (bytes) => 'sha256:' + hex(await crypto.subtle.digest('SHA-256', bytes))
      const index = JSON.parse(await files.get('index.json').text())
      const manifest = JSON.parse(await files.get(`blobs/sha256/${index.manifests[0].digest.slice(7)}`).text())
      const diffIds = new Map(manifest.layers.map((l) => [l.digest, l.annotations['containerd.io/uncompressed']]))
      for (const [path, file] of files) {
        if (!path.startsWith('blobs/')) continue
        const bytes = await file.arrayBuffer()
        if ((await digestOf(bytes)) !== `sha256:${path.split('/').pop()}`) throw new Error(`digest of ${path}`)
        const want = diffIds.get(`sha256:${path.split('/').pop()}`)
        if (want) {
          const inflated = await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer()
          if ((await digestOf(inflated)) !== want) throw new Error(`diffID of ${path}`)
        }
      }
    }),
}

const pid = process.pid // Chromium runs as a child of this process
const best = {}
const growth = {}
const heap = {}
// In the page: the JS heap's peak over a run (sampled between awaits), and
// the WASM module's linear memory (it never shrinks, so its size is its peak).
const startHeap = () =>
  page.evaluate(() => {
    window.__peak = performance.memory.usedJSHeapSize
    window.__base = window.__peak
    window.__sampler = setInterval(() => (window.__peak = Math.max(window.__peak, performance.memory.usedJSHeapSize)), 10)
  })
const stopHeap = () =>
  page.evaluate(async () => {
    clearInterval(window.__sampler)
    const wasm = await (await import('/npm/wasm/ocicache_wasm.js')).default()
    return { js: window.__peak - window.__base, wasm: wasm.memory.buffer.byteLength }
  })
for (let r = 0; r < rounds; r++) {
  for (const [name, run] of Object.entries(contenders)) {
    const base = treeRss(pid)
    let peak = base
    const sampler = setInterval(() => (peak = Math.max(peak, treeRss(pid))), 50)
    await startHeap()
    const t0 = performance.now()
    await run()
    const s = (performance.now() - t0) / 1000
    const h = await stopHeap()
    clearInterval(sampler)
    best[name] = Math.min(best[name] ?? Infinity, s)
    growth[name] = Math.max(growth[name] ?? 0, peak - base)
    heap[name] = { js: Math.max(heap[name]?.js ?? 0, h.js), wasm: h.wasm }
  }
}
const version = browser.version()
await browser.close()
server.close()
const wasm = join(site, 'npm/wasm/ocicache_wasm_bg.wasm')
console.log(`verify in Chromium ${version}: ${(size / 2 ** 20).toFixed(0)} MiB in ${LAYERS} gzip layers (one of 256 MiB), best of ${rounds}`)
for (const [name, s] of Object.entries(best)) {
  const mib = (n) => `${(n / 2 ** 20).toFixed(0)} MiB`
  console.log(`  ${name.padEnd(36)} ${(size / s / 1e6).toFixed(0).padStart(5)} MB/s   peak growth: JS heap ${mib(heap[name].js)}, browser RSS ${mib(growth[name])}`)
}
console.log(`  WASM linear memory after both: ${(heap['ocicache verify (WASM, streaming)'].wasm / 2 ** 20).toFixed(0)} MiB`)
const ratio = best['crypto.subtle.digest one-shot'] / best['ocicache verify (WASM, streaming)']
console.log(`  ratio streaming / one-shot: ${ratio.toFixed(2)}x (target >= 0.8: ${ratio >= 0.8 ? 'met' : 'NOT met'})`)
console.log(`  viewer WASM: ${statSync(wasm).size} bytes, ${gzipSync(readFileSync(wasm), { level: 9 }).length} gzipped (target <= 250 KB)`)
