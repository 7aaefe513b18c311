// The digest suite, shared by the native addon, the WASM build in Node and the
// WASM build in Chromium. `cases(api, data)` returns [{name, run}], where
// `data` holds the shared vectors (tests/cases/digest), the golden error codes
// and the bundled blobs as [{name, bytes}].
import { deepEqual, equal, ok, rejectsCode, throwsCode } from './check.mjs'
import { inputBytes } from './input.mjs'

export function cases(api, data) {
  const { Digest, Digester, digest, verify, verifyAsync, errorCodes } = api
  const list = []
  const add = (name, run) => list.push({ name, run })

  add('error codes match tests/error_codes.json', () => deepEqual(errorCodes(), data.errorCodes))

  for (const v of data.parse) {
    add(`parse: ${v.name}`, () => {
      if (v.error) {
        throwsCode(() => Digest.parse(v.input), v.error, v.name)
        return
      }
      const d = Digest.parse(v.input)
      equal(d.algorithm, v.expect.algorithm, 'algorithm')
      equal(d.encoded, v.expect.encoded, 'encoded')
      equal(String(d), v.input, 'String(d)')
      equal(`${d}`, v.input, 'template')
      equal(JSON.stringify({ d }), JSON.stringify({ d: v.input }), 'JSON')
      ok(d.equals(v.input) && d.equals(Digest.parse(v.input)), 'equals')
    })
  }

  for (const v of data.compute) {
    add(`compute: ${v.name}`, () => {
      if (v.error) {
        throwsCode(() => new Digester(v.algorithm), v.error, 'new Digester')
        throwsCode(() => digest(new Uint8Array(0), v.algorithm), v.error, 'digest')
        return
      }
      const bytes = inputBytes(v.input)
      equal(String(digest(bytes, v.algorithm)), v.expect, 'one shot')
      if (v.algorithm === 'sha256') equal(String(digest(bytes)), v.expect, 'default algorithm')
      for (const chunk of v.chunks) {
        const d = new Digester(v.algorithm)
        for (let i = 0; i < bytes.length; i += chunk) d.update(bytes.subarray(i, i + chunk))
        equal(String(d.finalize()), v.expect, `chunks of ${chunk}`)
        equal(d.size, bytes.length, 'size')
        equal(d.algorithm, v.algorithm, 'algorithm')
        d.verify(v.expect, bytes.length)
      }
    })
  }

  for (const v of data.verify) {
    add(`verify: ${v.name}`, async () => {
      const bytes = inputBytes(v.input)
      const size = v.size ?? undefined
      if (v.error) {
        throwsCode(() => verify(bytes, v.digest, size), v.error, 'verify')
        // verifyAsync: the same error, thrown (a wrong argument) or rejected.
        let promise
        try {
          promise = verifyAsync(bytes, v.digest, size)
        } catch (err) {
          promise = Promise.reject(err)
        }
        await rejectsCode(promise, v.error, 'verifyAsync')
        return
      }
      verify(bytes, v.digest, size)
      verify(bytes, Digest.parse(v.digest), size)
      equal(await verifyAsync(bytes, v.digest, size), undefined, 'verifyAsync')
      const d = new Digester(Digest.parse(v.digest).algorithm)
      d.update(bytes)
      d.verify(v.digest, size)
    })
  }

  add('a Digester keeps going after finalize', () => {
    const d = new Digester()
    d.update(new Uint8Array([1]))
    const first = String(d.finalize())
    equal(String(d.finalize()), first, 'finalize twice')
    d.update(new Uint8Array([2]))
    equal(String(d.finalize()), String(digest(new Uint8Array([1, 2]))), 'after more input')
  })

  add('sizes above 2^53-1, negative or fractional are refused, not rounded', () => {
    const empty = new Uint8Array(0)
    const e = String(digest(empty))
    for (const size of [2 ** 53, -1, 0.5, NaN, Infinity]) {
      throwsCode(() => verify(empty, e, size), { code: 'SIZE_OUT_OF_RANGE', field: 'size' }, `size ${size}`)
    }
    verify(empty, e, 0)
  })

  add('a Digester refuses a digest of another algorithm', () => {
    const d = new Digester('sha512')
    throwsCode(() => d.verify(String(digest(new Uint8Array(0)))), 'INVALID_ARGUMENT')
  })

  add('errors say where: mismatches name the field', () => {
    const e = digest(new Uint8Array(0))
    throwsCode(() => verify(new Uint8Array(1), e), { code: 'DIGEST_MISMATCH', field: 'digest' })
    throwsCode(() => verify(new Uint8Array(1), e, 0), { code: 'SIZE_MISMATCH', field: 'size' })
  })

  add('wrong argument types are TypeErrors with code INVALID_ARGUMENT, never a wrong answer', () => {
    const empty = new Uint8Array(0)
    const e = String(digest(empty))
    const calls = [
      ['bytes', () => digest('not bytes')],
      ['bytes', () => digest(undefined)],
      ['bytes', () => digest([1, 2, 3])],
      ['bytes', () => digest(new Uint16Array(2))],
      ['algorithm', () => digest(empty, 256)],
      ['algorithm', () => new Digester(42)],
      ['value', () => Digest.parse(undefined)],
      ['value', () => Digest.parse(7)],
      ['chunk', () => new Digester().update('text')],
      ['digest', () => verify(empty, {})],
      ['digest', () => verify(empty, 5)],
      ['size', () => verify(empty, e, '0')],
    ]
    for (const [field, call] of calls) {
      const err = throwsCode(call, { code: 'INVALID_ARGUMENT', field }, field)
      ok(err instanceof TypeError, `${field}: a TypeError`)
    }
  })

  add('Buffer, Uint8Array views and subarrays hash their own bytes only', () => {
    const backing = new Uint8Array([9, 9, 123, 125, 9])
    const view = backing.subarray(2, 4)
    equal(String(digest(view)), String(digest(new TextEncoder().encode('{}'))), 'subarray')
  })

  add(`bundled BuildKit blobs verify (${data.blobs.length})`, () => {
    ok(data.blobs.length >= 79, `expected the bundled exports, found ${data.blobs.length} blobs`)
    for (const blob of data.blobs) verify(blob.bytes, blob.name, blob.bytes.length)
  })

  add('a corrupted bundled blob is a DIGEST_MISMATCH', async () => {
    const blob = data.blobs[0]
    const bytes = blob.bytes.slice()
    bytes[bytes.length >> 1] ^= 1
    throwsCode(() => verify(bytes, blob.name, bytes.length), 'DIGEST_MISMATCH')
    await rejectsCode(verifyAsync(bytes, blob.name, bytes.length), { code: 'DIGEST_MISMATCH', field: 'digest' }, 'verifyAsync')
  })

  add('verifyAsync checks every bundled blob at once', async () => {
    await Promise.all(data.blobs.map((blob) => verifyAsync(blob.bytes, blob.name, blob.bytes.length)))
    const wrong = data.blobs.map((blob, i) => verifyAsync(blob.bytes, data.blobs[(i + 1) % data.blobs.length].name))
    const settled = await Promise.allSettled(wrong)
    ok(settled.every((r) => r.status === 'rejected' && r.reason.code === 'DIGEST_MISMATCH'), 'each names another blob')
  })

  return list
}
