// The WASM digest benchmark in Chromium (the viewer's engine): the same
// 256 MiB in 1 MiB chunks through the WASM build's Digester and hash-wasm's
// createSHA256 in one page, interleaved, best of 7; imported by digest.mjs.
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { chromium } from 'playwright-core'

const npm = new URL('../', import.meta.url)
const FILES = {
  '/ocicache_wasm.js': ['wasm/ocicache_wasm.js', 'text/javascript'],
  '/ocicache_wasm_bg.wasm': ['wasm/ocicache_wasm_bg.wasm', 'application/wasm'],
  '/hash-wasm.js': ['node_modules/hash-wasm/dist/sha256.umd.min.js', 'text/javascript'],
  '/pattern.mjs': ['bench/pattern.mjs', 'text/javascript'],
  '/': [null, 'text/html'],
}

/** Seconds of the best round for each contender, measured in Chromium. */
export async function chromiumSeconds(size, chunk) {
  const server = createServer((req, res) => {
    const [file, type] = FILES[req.url] ?? []
    if (!type) return res.writeHead(404).end()
    res.writeHead(200, { 'content-type': type }).end(file ? readFileSync(new URL(file, npm)) : '<!doctype html><title>bench</title>')
  })
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  const browser = await chromium.launch({
    executablePath: process.env.OCICACHE_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  })
  try {
    const page = await browser.newPage()
    await page.goto(`http://127.0.0.1:${server.address().port}/`)
    await page.addScriptTag({ url: '/hash-wasm.js' })
    return await page.evaluate(
      async ([size, chunk]) => {
        const wasm = await import('/ocicache_wasm.js')
        await wasm.default({ module_or_path: '/ocicache_wasm_bg.wasm' })
        const data = (await import('/pattern.mjs')).patternBytes(size)
        const hashWasm = await globalThis.hashwasm.createSHA256()
        const contenders = {
          'ocicache wasm Digester (Chromium)': () => {
            const d = new wasm.Digester('sha256')
            for (let i = 0; i < size; i += chunk) d.update(data.subarray(i, i + chunk))
            return d.finalize().encoded
          },
          'hash-wasm createSHA256 (Chromium)': () => {
            hashWasm.init()
            for (let i = 0; i < size; i += chunk) hashWasm.update(data.subarray(i, i + chunk))
            return hashWasm.digest('hex')
          },
        }
        const results = Object.values(contenders).map((run) => run())
        if (new Set(results).size !== 1) throw new Error(`the contenders disagree: ${results.join(' ')}`)
        const seconds = Object.fromEntries(Object.keys(contenders).map((k) => [k, Infinity]))
        for (let round = 0; round < 7; round++) {
          for (const [name, run] of Object.entries(contenders)) {
            const start = performance.now()
            run()
            seconds[name] = Math.min(seconds[name], (performance.now() - start) / 1000)
          }
        }
        return seconds
      },
      [size, chunk],
    )
  } finally {
    await browser.close()
    server.close()
  }
}
