// Compression benchmark, every contender measured in the same run on the
// same data (a 64 MiB tar-like payload: text runs and incompressible runs,
// about 3.6:1 under gzip):
//   gunzip: the native addon vs node:zlib; the WASM build vs fflate and pako
//   gzip level 6: the native addon vs node:zlib (target 1x), also on a real tar, with the sizes
//   zstd decode: the native addon vs the zstd CLI; the WASM build vs fzstd
//   one-pass layer digest of a 256 MiB gzip layer vs `gzip -dc | sha256sum` plus `sha256sum`
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import zlib from 'node:zlib'
import { gunzipSync as fflateGunzip } from 'fflate'
import { decompress as fzstdDecompress } from 'fzstd'
import { ungzip as pakoUngzip } from 'pako'
import * as native from 'ocicache'
import * as wasm from 'ocicache/wasm'
import { best, report } from './measure.mjs'

function payload(size) {
  const out = new Uint8Array(size)
  const words = new TextEncoder().encode('layer cache record digest blob manifest config build step ')
  let x = 88172645
  for (let i = 0; i < size; ) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    if ((x & 3) === 0) {
      for (let j = 0; j < 4096 && i < size; j++, i++) {
        x ^= x << 13
        x ^= x >>> 17
        x ^= x << 5
        out[i] = x & 255 // binary run: incompressible
      }
    } else {
      for (let j = 0; j < 4096 && i < size; j++, i++) {
        if ((j & 63) === 0) {
          x ^= x << 13
          x ^= x >>> 17
          x ^= x << 5
        }
        out[i] = words[(j * 7 + (x & 255)) % words.length] // text run
      }
    }
  }
  return out
}

const equalBytes = (a, b) => a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0
function check(name, got, want) {
  if (!equalBytes(got, want)) throw new Error(`${name} decoded wrong bytes`)
}

const SIZE = 64 << 20
const tar = payload(SIZE)
const gz = zlib.gzipSync(tar, { level: 6 })
const dir = mkdtempSync(join(tmpdir(), 'ocicache-bench-'))
try {
  writeFileSync(join(dir, 'tar'), tar)
  const zst = execFileSync('zstd', ['-3', '-q', '-c', join(dir, 'tar')], { maxBuffer: 1 << 30 })
  writeFileSync(join(dir, 'tar.zst'), zst)

  const gunzip = {
    'ocicache native decompress': () => native.decompress(gz, 'gzip'),
    'node:zlib gunzipSync': () => zlib.gunzipSync(gz),
    'ocicache wasm decompress': () => wasm.decompress(gz, 'gzip'),
    'fflate gunzipSync': () => fflateGunzip(gz),
    'pako ungzip': () => pakoUngzip(gz),
  }
  for (const [name, run] of Object.entries(gunzip)) check(name, run(), tar)
  report(`gunzip, ${SIZE >> 20} MiB out (${(gz.length / 2 ** 20).toFixed(1)} MiB in)`, SIZE, best(gunzip, 3), [
    ['ocicache native decompress', 'node:zlib gunzipSync', 0.9],
    ['ocicache wasm decompress', 'fflate gunzipSync', 1.6],
    ['ocicache wasm decompress', 'pako ungzip'],
  ])

  // The first 64 MiB of a tar of npm/node_modules: real files, the same in the Python bench.
  const real = execFileSync('tar', ['-cf', '-', '--sort=name', '-C', fileURLToPath(new URL('../node_modules', import.meta.url)), '.'], { maxBuffer: 1 << 30 }).subarray(0, SIZE)
  for (const [label, data] of [['tar-like payload', tar], ['real tar (npm/node_modules)', real]]) {
    const gzip6 = {
      'ocicache native compress (gzip 6)': () => native.compress(data, 'gzip', 6),
      'node:zlib gzipSync (level 6)': () => zlib.gzipSync(data, { level: 6 }),
    }
    report(`gzip level 6, ${data.length >> 20} MiB ${label}`, data.length, best(gzip6, 3), [['ocicache native compress (gzip 6)', 'node:zlib gzipSync (level 6)', 1]])
    const ours = native.compress(data, 'gzip', 6).data.length
    const theirs = zlib.gzipSync(data, { level: 6 }).length
    const size = ours / theirs - 1
    console.log(`  compressed size vs zlib's: ${size >= 0 ? '+' : ''}${(size * 100).toFixed(2)}% (${ours} vs ${theirs} bytes; target within 1%: ${size <= 0.01 ? 'met' : 'NOT met'})`)
  }

  const unzstd = {
    'ocicache native decompress (zstd)': () => native.decompress(zst, 'zstd'),
    'zstd -dc (CLI, to a pipe)': () => execFileSync('zstd', ['-d', '-q', '-c', join(dir, 'tar.zst')], { maxBuffer: 1 << 30 }),
    'ocicache wasm decompress (zstd)': () => wasm.decompress(zst, 'zstd'),
    'fzstd decompress': () => fzstdDecompress(zst),
  }
  for (const [name, run] of Object.entries(unzstd)) check(name, run(), tar)
  report(`zstd decode, ${SIZE >> 20} MiB out (${(zst.length / 2 ** 20).toFixed(1)} MiB in)`, SIZE, best(unzstd, 3), [
    ['ocicache native decompress (zstd)', 'zstd -dc (CLI, to a pipe)'],
    ['ocicache wasm decompress (zstd)', 'fzstd decompress', 1.1],
  ])

  const big = new Uint8Array(SIZE * 4)
  for (let i = 0; i < 4; i++) big.set(tar, i * SIZE)
  const layer = zlib.gzipSync(big, { level: 6 })
  writeFileSync(join(dir, 'layer.gz'), layer)
  const layerPath = join(dir, 'layer.gz')
  const shell = `gzip -dc '${layerPath}' | sha256sum >/dev/null; sha256sum '${layerPath}' >/dev/null`
  const onePass = {
    'ocicache native layerDigests': () => native.layerDigests(layer),
    'gzip -dc | sha256sum; sha256sum': () => execFileSync('sh', ['-c', shell]),
  }
  report(`one-pass layer digest of a ${(big.length / 2 ** 20).toFixed(0)} MiB tar (${(layer.length / 2 ** 20).toFixed(0)} MiB gzip)`, big.length, best(onePass, 3), [
    ['ocicache native layerDigests', 'gzip -dc | sha256sum; sha256sum'],
  ])
} finally {
  rmSync(dir, { recursive: true, force: true })
}
