// The option suite (tests/cases/options/*.json, and tests/cases/entries/ for
// the unchecked parse), shared by the native addon,
// the WASM build in Node and the WASM build in Chromium. Every parsed entry
// must also survive parse(String(x)) for the buildx dialect.
import { deepEqual, equal, ok, throwsCode } from './check.mjs'

const camel = (key) => key.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase())

// Whether `actual` has every key and value of `expected` (snake_case keys of
// the vectors are compared with the camelCase keys of JS).
function subset(expected, actual) {
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    return actual !== null && typeof actual === 'object' && Object.entries(expected).every(([k, v]) => subset(v, actual[camel(k)]))
  }
  return JSON.stringify(expected) === JSON.stringify(actual)
}

const sorted = (o) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))

function checkEntry(got, want) {
  equal(got.type, want.type, 'type')
  deepEqual(sorted(got.attrs), sorted(want.attrs), 'attrs')
  if (want.settings) ok(subset(want.settings, got.settings), `settings ${JSON.stringify(got.settings)} lack ${JSON.stringify(want.settings)}`)
  if (want.buildkit_attrs) deepEqual(sorted(got.buildkitAttrs), sorted(want.buildkit_attrs), 'buildkitAttrs')
  if (want.active !== undefined) equal(got.active, want.active, 'active')
  if (want.warnings) deepEqual(got.warnings.map((w) => `${w.code}:${w.field ?? ''}`), want.warnings, 'warnings')
  if (want.string !== undefined) equal(String(got), want.string, 'string')
  if (want.json !== undefined) equal(JSON.stringify(got), want.json, 'json')
}

export function cases(api, data) {
  const { parseCacheOptions } = api
  const list = []
  let count = 0
  for (const [file, vectors] of Object.entries(data.options)) {
    for (const v of vectors) {
      count++
      list.push({
        name: `options ${file}: ${v.name}`,
        run: () => {
          const options = v.options ?? {}
          if (v.error) {
            const err = throwsCode(() => parseCacheOptions(v.input, options), v.error, v.name)
            if (v.error.message !== undefined) {
              ok(err.message === v.error.message || err.message.startsWith(`${v.error.message} (`), `message: ${err.message}`)
            }
            return
          }
          const got = parseCacheOptions(v.input, options)
          equal(got.length, v.expect.length, 'entries')
          got.forEach((entry, i) => {
            checkEntry(entry, v.expect[i])
            if ((options.dialect ?? 'buildx') === 'buildx') {
              const again = parseCacheOptions(String(entry), options)
              equal(again.length, 1, `round trip of ${entry}`)
              equal(again[0].type, entry.type, 'round trip type')
              deepEqual(sorted(again[0].attrs), sorted(entry.attrs), 'round trip attrs')
            }
          })
        },
      })
    }
  }
  for (const v of data.entries) {
    list.push({
      name: `entries: ${v.name}`,
      run: () => {
        const options = v.options ?? {}
        if (v.error) {
          throwsCode(() => api.parseCacheEntries(v.input, options), v.error, v.name)
          return
        }
        const got = api.parseCacheEntries(v.input, options)
        equal(got.length, v.expect.length, 'entries')
        got.forEach((entry, i) => {
          const want = v.expect[i]
          if (want.settings === null) equal(entry.settings, null, 'settings')
          checkEntry(entry, want)
          if ((options.dialect ?? 'buildx') === 'buildx') {
            const [again] = api.parseCacheEntries(String(entry), options)
            deepEqual([again.type, sorted(again.attrs)], [entry.type, sorted(entry.attrs)], `round trip of ${entry}`)
          }
        })
      },
    })
  }
  list.push({
    name: `options: at least 150 vectors (${count})`,
    run: () => ok(count >= 150, `only ${count} option vectors`),
  })
  list.push({
    name: 'options: bytes in; invalid UTF-8 is INVALID_CSV at the bad byte',
    run: () => {
      const [e] = parseCacheOptions(new TextEncoder().encode('type=local,dest=/tmp/c'))
      equal(e.attrs.dest, '/tmp/c', 'dest')
      throwsCode(() => parseCacheOptions(new Uint8Array([0x74, 0x3d, 0xff])), { code: 'INVALID_CSV', offset: 2 })
    },
  })
  list.push({
    name: 'options: wrong argument types and option values',
    run: () => {
      throwsCode(() => parseCacheOptions(42), { code: 'INVALID_ARGUMENT', field: 'input' })
      throwsCode(() => parseCacheOptions('x', 'export'), { code: 'INVALID_ARGUMENT', field: 'options' })
      throwsCode(() => parseCacheOptions('x', { dialect: 'docker' }), { code: 'INVALID_ARGUMENT', field: 'dialect' })
      throwsCode(() => parseCacheOptions('x', { direction: 'out' }), { code: 'INVALID_ARGUMENT', field: 'direction' })
      throwsCode(() => parseCacheOptions('x', { dialect: 5 }), { code: 'INVALID_ARGUMENT', field: 'dialect' })
      throwsCode(() => parseCacheOptions('x', { env: 'A=1' }), { code: 'INVALID_ARGUMENT', field: 'env' })
      throwsCode(() => parseCacheOptions('x', { env: { A: 1 } }), { code: 'INVALID_ARGUMENT', field: 'env' })
      equal(parseCacheOptions('x', { direction: null, dialect: undefined, env: null }).length, 1, 'absent values')
    },
  })
  list.push({
    name: 'options: pathological input is refused or parsed in linear time',
    run: () => {
      throwsCode(() => parseCacheOptions(`type=local,dest=d${','.repeat(1 << 20)}`), 'INVALID_FIELD')
      throwsCode(() => parseCacheOptions('"'.repeat((1 << 20) + 1)), 'INVALID_CSV')
      const [e] = parseCacheOptions(`type=local,"dest=${'""'.repeat(1 << 18)}"`)
      equal(e.attrs.dest.length, 1 << 18, 'doubled quotes')
      equal(parseCacheOptions(Array.from({ length: 10000 }, (_, i) => `r${i}`).join(',')).length, 10000, 'refs')
    },
  })
  return list
}
