// The compression suite, shared by the native addon, the WASM build in Node
// and the WASM build in Chromium: bundled layers' diffIDs, round trips in any
// chunking, levels, the async variants, and every corruption with its code.
import { equal, ok, throwsCode } from './check.mjs'

const enc = new TextEncoder()
const concat = (parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}
const same = (a, b, what) => {
  equal(a.length, b.length, `${what}: length`)
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) throw new Error(`${what}: differs at byte ${i}`)
}

/** A zstd frame of `blocks` RLE blocks of 128 KiB of zeros: 4 bytes each. */
export function zstdZeros(blocks) {
  const out = [0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38]
  for (let i = 0; i < blocks; i++) {
    const header = ((128 << 10) << 3) | (1 << 1) | (i + 1 === blocks ? 1 : 0)
    out.push(header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff, 0)
  }
  return new Uint8Array(out)
}

function samples() {
  let x = 2463534242
  const random = new Uint8Array(150_000).map(() => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return x & 255
  })
  return { empty: new Uint8Array(0), one: new Uint8Array([7]), text: enc.encode('hello, layer\n'.repeat(5000)), random }
}

export function cases(api, data) {
  const { Decoder, Encoder, LayerCompressor, LayerDigester, compress, decompress, decompressAsync, detectCompression, layerDigests, layerDigestsAsync, digest } = api
  const list = []
  const add = (name, run) => list.push({ name: `compression: ${name}`, run })

  add(`every bundled layer has its diffID (${data.layers.length})`, () => {
    ok(data.layers.length >= 20, `found ${data.layers.length} layers`)
    for (const l of data.layers) {
      const d = layerDigests(l.bytes)
      equal(d.diffId, l.diffId, l.name)
      equal(d.compression, l.mediaType.endsWith('zstd') ? 'zstd' : 'gzip', 'compression')
      equal(d.size, l.bytes.length, 'size')
      const s = new LayerDigester()
      for (let i = 0; i < l.bytes.length; i += 4099) s.update(l.bytes.subarray(i, i + 4099))
      equal(JSON.stringify(s.finalize()), JSON.stringify(d), 'streaming')
    }
  })

  add('layerDigestsAsync gives the same digests', async () => {
    const l = data.layers[0]
    equal(JSON.stringify(await layerDigestsAsync(l.bytes)), JSON.stringify(layerDigests(l.bytes)), 'async')
  })

  for (const [name, bytes] of Object.entries(samples())) {
    add(`round trips of ${name} data in any chunking`, async () => {
      for (const compression of ['gzip', 'zstd', 'uncompressed']) {
        const { data: packed } = compress(bytes, compression)
        same(decompress(packed, compression), bytes, `${compression} one shot`)
        same(await decompressAsync(packed, compression), bytes, `${compression} async`)
        for (const chunk of [1, 1000, 1 << 20]) {
          if (chunk === 1 && packed.length > 20000) continue
          const d = new Decoder(compression)
          const parts = []
          for (let i = 0; i < packed.length; i += chunk) parts.push(d.update(packed.subarray(i, i + chunk)))
          d.finish()
          same(concat(parts), bytes, `${compression} in chunks of ${chunk}`)
        }
        for (const [chunk, max] of [[1000, 1], [4096, 5000], [1 << 20, 65536]]) {
          if (max === 1 && bytes.length > 20000) continue
          const d = new Decoder(compression)
          const parts = []
          for (let i = 0; i <= packed.length; i += chunk) {
            for (let out = d.update(packed.subarray(i, i + chunk), max); out.length > 0; out = d.update(new Uint8Array(0), max)) {
              ok(out.length < max + (128 << 10), `${out.length} bytes for at most ${max}`)
              parts.push(out)
            }
          }
          d.finish()
          same(concat(parts), bytes, `${compression} in chunks of ${chunk}, at most ${max} out`)
        }
        const e = new Encoder(compression)
        const streamed = concat([e.update(bytes.subarray(0, 5)), e.update(bytes.subarray(5)), e.finish()])
        same(decompress(streamed, compression), bytes, `${compression} streaming encoder`)
      }
    })
  }

  add('maxBytes bounds what one update of a zstd bomb hands out', () => {
    // 2 KiB that stand for 64 MiB of zeros: one call without maxBytes would
    // hold all of them (a 64 KiB chunk of these stands for 2 GiB).
    const bomb = zstdZeros(512)
    const d = new Decoder('zstd')
    let total = 0
    let calls = 0
    for (let out = d.update(bomb, 1 << 20); out.length > 0; out = d.update(new Uint8Array(0), 1 << 20)) {
      ok(out.length <= (1 << 20) + (128 << 10), `${out.length} bytes in one call`)
      ok(out.every((b) => b === 0), 'zeros')
      total += out.length
      calls++
    }
    equal(total, 64 << 20, 'all of it')
    ok(calls >= 50, `${calls} calls`)
    d.finish()
    const stopped = new Decoder('zstd')
    stopped.update(bomb, 1 << 20)
    throwsCode(() => stopped.finish(), 'INVALID_ARGUMENT')
    throwsCode(() => new Decoder('zstd').update(bomb, -1), { code: 'SIZE_OUT_OF_RANGE', field: 'maxBytes' })
  })

  add('levels: gzip -2..9, zstd always 1 and says so', () => {
    const bytes = enc.encode('abc'.repeat(1000))
    for (const level of [-2, -1, 0, 1, 6, 9]) equal(compress(bytes, 'gzip', level).level, level === -1 ? 6 : level, `gzip ${level}`)
    equal(compress(bytes, 'zstd', 19).level, 1, 'zstd 19')
    equal(new Encoder('zstd', 3).level, 1, 'zstd encoder level')
    equal(compress(bytes, 'uncompressed').level, null, 'uncompressed')
    throwsCode(() => compress(bytes, 'gzip', 10), { code: 'INVALID_ARGUMENT', field: 'level' })
    throwsCode(() => compress(bytes, 'brotli'), { code: 'INVALID_ARGUMENT', field: 'compression' })
    throwsCode(() => compress(bytes, 'gzip', 1.5), { code: 'INVALID_ARGUMENT', field: 'level' })
  })

  add('multi-member gzip and multi-frame zstd', () => {
    const a = enc.encode('first '), b = enc.encode('second')
    for (const c of ['gzip', 'zstd']) same(decompress(concat([compress(a, c).data, compress(b, c).data])), concat([a, b]), c)
  })

  add('corruption has codes', () => {
    const packed = compress(enc.encode('some layer data '.repeat(500)), 'gzip').data
    const n = packed.length
    const flip = (i) => {
      const c = new Uint8Array(packed) // a copy (Buffer#slice would be a view)
      c[i] ^= 1
      return c
    }
    throwsCode(() => decompress(flip(n - 8)), 'CHECKSUM_MISMATCH')
    throwsCode(() => decompress(flip(n - 4)), 'LENGTH_MISMATCH')
    throwsCode(() => decompress(packed.subarray(0, n >> 1)), 'TRUNCATED_DATA')
    throwsCode(() => decompress(flip(1), 'gzip'), 'INVALID_COMPRESSED_DATA')
    throwsCode(() => decompress(enc.encode('plain text')), 'UNKNOWN_COMPRESSION')
    throwsCode(() => decompress(concat([packed, enc.encode('junk')])), 'TRAILING_DATA')
    const zeros = new Uint8Array(4 << 20)
    for (const c of ['gzip', 'zstd', 'uncompressed']) throwsCode(() => decompress(compress(zeros, c).data, c, { maxOutput: 1 << 20 }), 'SIZE_LIMIT_EXCEEDED')
    throwsCode(() => decompress(compress(zeros, 'zstd').data, 'zstd', { maxZstdWindow: 1024 }), 'WINDOW_TOO_LARGE')
    throwsCode(() => decompress(packed, null, { maxOutput: -1 }), { code: 'SIZE_OUT_OF_RANGE', field: 'maxOutput' })
    throwsCode(() => decompress(packed, null, 'big'), { code: 'INVALID_ARGUMENT', field: 'limits' })
    throwsCode(() => new LayerDigester().update('text'), { code: 'INVALID_ARGUMENT', field: 'chunk' })
  })

  add('async variants reject with coded errors', async () => {
    let err
    await decompressAsync(enc.encode('plain text')).catch((e) => (err = e))
    ok(err instanceof Error && err.code === 'UNKNOWN_COMPRESSION', `got ${err}`)
    err = undefined
    await layerDigestsAsync(enc.encode('plain text')).catch((e) => (err = e))
    ok(err instanceof Error && err.code === 'UNKNOWN_COMPRESSION', `got ${err}`)
  })

  add('LayerCompressor keeps the diffID', () => {
    const tar = new Uint8Array(1024)
    for (const c of ['gzip', 'zstd', 'uncompressed']) {
      const lc = new LayerCompressor(c)
      const first = lc.update(tar)
      const done = lc.finalize()
      const blob = concat([first, done.data])
      equal(done.digests.diffId, String(digest(tar)), `${c} diffID`)
      equal(done.digests.size, blob.length, `${c} size`)
      equal(layerDigests(blob).diffId, done.digests.diffId, `${c} again`)
      throwsCode(() => lc.finalize(), 'INVALID_ARGUMENT')
    }
  })

  add('detection', () => {
    equal(detectCompression(compress(new Uint8Array(1), 'gzip').data), 'gzip', 'gzip')
    equal(detectCompression(compress(new Uint8Array(1), 'zstd').data), 'zstd', 'zstd')
    equal(detectCompression(new Uint8Array(1024)), 'uncompressed', 'tar')
    equal(detectCompression(enc.encode('nothing')), null, 'unknown')
  })
  return list
}
