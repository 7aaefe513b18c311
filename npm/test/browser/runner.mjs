// Runs the shared suites in the page against the browser build (browser.mjs,
// the package's "browser" entry), plus what only a browser can test. Results
// go to window.__results for the Node side to read.
import * as api from '../../browser.mjs'
import { cases as compressionCases } from '../suite/compression.mjs'
import { cases as digestCases } from '../suite/digest.mjs'
import { cases as formatCases } from '../suite/format.mjs'
import { cases as cacheCases } from '../suite/cache.mjs'
import { cases as cloudCases, loadCloud } from '../suite/cloud.mjs'
import { cases as optionCases } from '../suite/options.mjs'
import { cases as pruneCases } from '../suite/prune.mjs'
import { equal } from '../suite/check.mjs'

const getJSON = async (url) => (await fetch(url)).json()
const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('')

async function loadData() {
  const [errorCodes, parse, compute, verify, blobList, options, entries, layerList, cacheConfig, manifest, layout, inline, exportList, twiceCase, budget, prune] = await Promise.all([
    getJSON('/tests/error_codes.json'),
    getJSON('/tests/cases/digest/parse.json'),
    getJSON('/tests/cases/digest/compute.json'),
    getJSON('/tests/cases/digest/verify.json'),
    getJSON('/blobs.json'),
    getJSON('/options.json'),
    getJSON('/tests/cases/entries/cases.json'),
    getJSON('/layers.json'),
    getJSON('/tests/cases/cache_config/cases.json'),
    getJSON('/tests/cases/manifest/cases.json'),
    getJSON('/tests/cases/layout/cases.json'),
    getJSON('/tests/cases/inline/cases.json'),
    getJSON('/exports.json'),
    getJSON('/tests/fixtures/buildkit/twice/case.json'),
    getJSON('/tests/cases/budget/cases.json'),
    getJSON('/tests/cases/prune/cases.json'),
  ])
  const blobs = await Promise.all(
    blobList.map(async (b) => ({ name: b.name, bytes: new Uint8Array(await (await fetch(b.url)).arrayBuffer()) })),
  )
  const layers = await Promise.all(
    layerList.map(async (l) => ({ name: l.url, mediaType: l.mediaType, diffId: l.diffId, bytes: new Uint8Array(await (await fetch(l.url)).arrayBuffer()) })),
  )
  const exports = await Promise.all(
    exportList.map(async (e) => ({
      name: e.name,
      files: Object.fromEntries(await Promise.all(Object.entries(e.files).map(async ([k, url]) => [k, new Uint8Array(await (await fetch(url)).arrayBuffer())]))),
    })),
  )
  const twice = twiceCase.blobs.filter((b) => b.reachable_from_index_json).map((b) => b.digest).sort()
  const cloud = loadCloud(async (path) => new Uint8Array(await (await fetch(`/tests/${path}`)).arrayBuffer()))
  return { errorCodes, parse, compute, verify, blobs, options, entries, layers, format: { cacheConfig, manifest, layout, inline }, exports, twice, budget, prune, cloud }
}

function browserCases() {
  return [
    {
      name: 'a File is hashed chunk by chunk from its stream, equal to WebCrypto',
      run: async () => {
        const bytes = new Uint8Array(8 * 1024 * 1024 + 17)
        let x = 2463534242
        for (let i = 0; i < bytes.length; i++) {
          x ^= x << 13
          x ^= x >>> 17
          x ^= x << 5
          bytes[i] = x & 255
        }
        const file = new File([bytes], 'layer.bin')
        const d = new api.Digester()
        let chunks = 0
        for (const reader = file.stream().getReader(); ; ) {
          const { done, value } = await reader.read()
          if (done) break
          d.update(value)
          chunks++
        }
        const webcrypto = `sha256:${hex(await crypto.subtle.digest('SHA-256', bytes))}`
        equal(String(d.finalize()), webcrypto, 'streamed digest')
        equal(String(api.digest(bytes)), webcrypto, 'one-shot digest')
        equal(d.size, bytes.length, 'size')
        if (chunks < 2) throw new Error(`the stream came in ${chunks} chunk(s)`)
      },
    },
  ]
}

const results = []
try {
  const data = await loadData()
  for (const c of [...digestCases(api, data), ...optionCases(api, data), ...compressionCases(api, data), ...formatCases(api, data), ...cacheCases(api, data), ...pruneCases(api, data), ...cloudCases(api, data), ...browserCases()]) {
    try {
      await c.run()
      results.push({ name: c.name, ok: true })
    } catch (err) {
      results.push({ name: c.name, ok: false, error: `${err?.name}: ${err?.message}` })
    }
  }
} catch (err) {
  results.push({ name: 'load', ok: false, error: String(err?.stack ?? err) })
}
document.getElementById('out').textContent = results.map((r) => `${r.ok ? 'ok' : 'FAIL'} ${r.name}`).join('\n')
window.__results = results
