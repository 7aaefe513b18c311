// Digest benchmark: 256 MiB in 1 MiB chunks, SHA-256, measured in one run:
//   the native addon vs node:crypto createHash (OpenSSL)
//   the WASM build in Node vs hash-wasm, and vs WebCrypto one-shot
//   the WASM build in Chromium vs hash-wasm there (digest_browser.mjs)
// Run by scripts/bench.sh after a release build.
import { createHash, webcrypto } from 'node:crypto'
import { createSHA256 } from 'hash-wasm'
import * as native from 'ocicache'
import * as wasm from 'ocicache/wasm'
import { chromiumSeconds } from './digest_browser.mjs'
import { best, bestAsync, report } from './measure.mjs'
import { patternBytes } from './pattern.mjs'

const SIZE = 256 * 1024 * 1024
const CHUNK = 1024 * 1024
const data = patternBytes(SIZE)
const chunks = []
for (let i = 0; i < SIZE; i += CHUNK) chunks.push(data.subarray(i, i + CHUNK))

const expected = createHash('sha256').update(data).digest('hex')
const hashWasm = await createSHA256()

function streaming(api) {
  const d = new api.Digester('sha256')
  for (const c of chunks) d.update(c)
  return d.finalize().encoded
}

const contenders = {
  'ocicache native Digester': () => streaming(native),
  'node:crypto createHash': () => {
    const h = createHash('sha256')
    for (const c of chunks) h.update(c)
    return h.digest('hex')
  },
  'ocicache wasm Digester': () => streaming(wasm),
  'hash-wasm createSHA256': () => {
    hashWasm.init()
    for (const c of chunks) hashWasm.update(c)
    return hashWasm.digest('hex')
  },
}
for (const [name, run] of Object.entries(contenders)) {
  if (run() !== expected) throw new Error(`${name} computed a wrong digest`)
}
const seconds = best(contenders)
const oneShot = await bestAsync({
  'ocicache wasm digest (one shot)': async () => wasm.digest(data),
  'WebCrypto subtle.digest (one shot)': async () => webcrypto.subtle.digest('SHA-256', data),
})
report('SHA-256, 256 MiB in 1 MiB chunks (Node ' + process.version + ')', SIZE, { ...seconds, ...oneShot }, [
  ['ocicache native Digester', 'node:crypto createHash', 0.97],
  ['ocicache wasm Digester', 'hash-wasm createSHA256', 1.2],
  ['ocicache wasm digest (one shot)', 'WebCrypto subtle.digest (one shot)'],
])

const browser = await chromiumSeconds(SIZE, CHUNK)
report('SHA-256, 256 MiB in 1 MiB chunks (Chromium, the viewer\'s engine)', SIZE, browser, [
  ['ocicache wasm Digester (Chromium)', 'hash-wasm createSHA256 (Chromium)', 1.2],
])
