// What the native module hands to JavaScript is memory V8 counts, so that
// garbage collection keeps up with it (bindings/node/src/bytes.rs). Buffers
// made from Rust Vecs were not counted: 40 blobs of 64 MiB decompressed in a
// loop peaked at 2.6 GB, and a 1 GiB layer decoded a megabyte at a time at
// 1.1 GB. Each case runs in a process of its own and reports its peak RSS.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { test } from 'node:test'

const MIB = 1 << 20

// Runs `body` (an ES module's text, with the native API as `api`) in a new
// Node process; its peak RSS in MiB.
function peakMiB(body) {
  const script = `import * as api from ${JSON.stringify(new URL('../index.mjs', import.meta.url).href)}\n${body}\n` +
    'console.log(Math.round(process.resourceUsage().maxRSS / 1024))'
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  return Number(r.stdout.trim().split('\n').pop())
}

test('decompressing 1 GiB, 64 MiB at a time, takes the memory of a few of them', () => {
  const peak = peakMiB(`
    const { data } = api.compress(new Uint8Array(${64 * MIB}), 'zstd')
    for (let i = 0; i < 16; i++) if (api.decompress(data).length !== ${64 * MIB}) throw new Error('short')
    for (let i = 0; i < 4; i++) if ((await api.decompressAsync(data)).length !== ${64 * MIB}) throw new Error('short')`)
  assert.ok(peak < 512, `peak RSS ${peak} MiB`)
})

test('a zstd bomb decoded a megabyte at a time takes the memory of a megabyte', () => {
  // 1 GiB of zeros in 8192 RLE blocks of 128 KiB: 32 KiB.
  const peak = peakMiB(`
    import { zstdZeros } from ${JSON.stringify(new URL('./suite/compression.mjs', import.meta.url).href)}
    const bomb = zstdZeros(8192)
    const d = new api.Decoder('zstd')
    const c = new api.LayerCompressor('gzip', 1)
    let n = 0
    for (let out = d.update(bomb, ${MIB}); out.length > 0; out = d.update(new Uint8Array(0), ${MIB})) {
      n += out.length
      c.update(out)
    }
    d.finish()
    c.finalize()
    if (n !== ${1024 * MIB}) throw new Error('decoded ' + n)`)
  assert.ok(peak < 256, `peak RSS ${peak} MiB`)
})
