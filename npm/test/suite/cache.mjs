// The cache operations suite (CacheLoader, inspect, verify, gc, merge,
// convert planning) over the bundled BuildKit exports held in memory, shared
// by the native addon, the WASM build in Node and the WASM build in Chromium.
import { deepEqual, equal, ok, throwsCode } from './check.mjs'

// An in-memory layout: load it the way a driver does.
export function load(api, files) {
  const loader = new api.CacheLoader(files['index.json'] ?? null)
  for (let d; (d = loader.nextNeeded()) !== null; ) {
    const bytes = files[api.OciLayout.blobPath(d)]
    if (bytes) loader.feed(d, bytes)
    else loader.missing(d)
  }
  return loader.finish()
}

const stored = (files) =>
  Object.entries(files)
    .filter(([p]) => p.startsWith('blobs/'))
    .map(([path, bytes]) => ({ path, size: bytes.length, modified: 0 }))

function verify(api, files) {
  const v = load(api, files).verification(stored(files))
  for (const c of v.checks()) {
    const b = new api.BlobVerifier(c.digest, c.layer)
    const bytes = files[c.path]
    b.update(bytes.subarray(0, bytes.length >> 1))
    b.update(bytes.subarray(bytes.length >> 1))
    v.record(c.digest, b)
  }
  return v.report()
}

export function cases(api, data) {
  const list = []
  const add = (name, run) => list.push({ name, run })
  const layouts = data.exports.filter((e) => e.files['index.json'])

  for (const e of layouts) {
    add(`cache: ${e.name} loads, inspects and verifies clean`, () => {
      const cache = load(api, e.files)
      ok(cache.complete, 'complete')
      deepEqual(cache.tags(), ['latest'], 'tags')
      const report = verify(api, e.files)
      deepEqual(report.toJSON().findings, [], 'findings')
      ok(report.ok, 'ok')
      const j = cache.inspect(stored(e.files)).toJSON()
      equal(j.tags[0].cache, true, 'a cache')
      ok(j.tags[0].records > 0 && j.tags[0].graph.records.length === j.tags[0].records, 'graph')
      ok(cache.inspect().toText().includes('record 0'), 'text tree')
    })
  }

  add('cache: gc of twice deletes exactly the 7 unreachable blobs', () => {
    const e = data.exports.find((x) => x.name === 'twice')
    const plan = load(api, e.files).gcPlan(stored(e.files), { nowMs: 3_600_000 })
    const unreachable = stored(e.files)
      .map((b) => b.path)
      .filter((p) => !data.twice.includes(`sha256:${p.slice('blobs/sha256/'.length)}`))
    deepEqual(plan.delete, unreachable, 'delete')
    equal(plan.freedBytes, unreachable.reduce((n, p) => n + e.files[p].length, 0), 'freed')
    equal(plan.index, null, 'index.json unchanged')
    equal(plan.toJSON().dryRun, true, 'dry run by default')
    const young = load(api, e.files).gcPlan(stored(e.files), { nowMs: 60_000 })
    deepEqual(young.delete, [], 'young blobs are kept')
    const dropped = load(api, e.files).gcPlan(stored(e.files), { nowMs: 3_600_000, dropTags: ['latest'] })
    equal(dropped.delete.length, 16, 'dropping the only tag frees everything')
    ok(dropped.index instanceof Uint8Array, 'new index.json')
    throwsCode(() => load(api, e.files).gcPlan(stored(e.files), { nowMs: 0, keepTags: ['nope'] }), 'TAG_NOT_FOUND')
  })

  add('cache: a flipped byte is DIGEST_MISMATCH, a missing blob MISSING_BLOB', () => {
    const e = data.exports.find((x) => x.name === 'small-max')
    const layer = Object.keys(e.files).find((p) => p.startsWith('blobs/') && e.files[p].length > 10000)
    const flipped = { ...e.files, [layer]: e.files[layer].map((b, i) => (i === 100 ? b ^ 1 : b)) }
    deepEqual(verify(api, flipped).toJSON().findings.map((f) => f.code), ['DIGEST_MISMATCH'], 'flipped')
    const missing = { ...e.files }
    delete missing[layer]
    deepEqual(verify(api, missing).toJSON().findings.map((f) => f.code), ['MISSING_BLOB'], 'missing')
    const truncated = { ...e.files, 'index.json': e.files['index.json'].subarray(0, 20) }
    ok(!load(api, truncated).complete, 'incomplete')
    throwsCode(() => load(api, truncated).gcPlan(stored(truncated), { nowMs: 0 }), 'INCOMPLETE_CACHE')
  })

  add('cache: merging two exports and converting plan the right blobs', () => {
    const [a, b] = ['local-max', 'twice'].map((n) => load(api, data.exports.find((x) => x.name === n).files))
    const m = new api.Merge()
    m.add(a, 'latest')
    m.add(b, 'latest')
    const w = m.finish('image-index')
    equal(w.descriptor.digest, api.digest(w.manifestBytes).toString(), 'manifest digest')
    equal(w.configDigest, api.digest(w.configBytes).toString(), 'config digest')
    equal(w.descriptor.mediaType, api.MediaType.OCI_INDEX, 'form')
    ok(w.layers.length >= 7, 'layers')
    throwsCode(() => new api.Merge().finish(), 'INVALID_ARGUMENT')
    const c = a.conversion('latest', null, 'zstd')
    ok(c.layersToRecompress().length > 0, 'layers to recompress')
    throwsCode(() => c.finish(), 'INVALID_ARGUMENT')
    equal(a.conversion('latest', 'image-index').finish().descriptor.mediaType, api.MediaType.OCI_INDEX, 'form only')
    throwsCode(() => a.conversion('nope'), 'TAG_NOT_FOUND')
  })

  add('cache: wrong argument types are TypeErrors with INVALID_ARGUMENT', () => {
    const e = data.exports.find((x) => x.name === 'small-max')
    const cache = load(api, e.files)
    for (const call of [() => new api.CacheLoader(42), () => cache.verification('x'), () => cache.gcPlan([], 5), () => cache.inspect(7)]) {
      ok(throwsCode(call, 'INVALID_ARGUMENT') instanceof TypeError, 'TypeError')
    }
    throwsCode(() => cache.gcPlan([], {}), 'INVALID_ARGUMENT')
    throwsCode(() => cache.gcPlan([{ path: 'blobs/x', size: -1 }], { nowMs: 0 }), 'INVALID_ARGUMENT')
    throwsCode(() => new api.CacheLoader(null).feed(`sha256:${'a'.repeat(64)}`, new Uint8Array(0)), 'INVALID_ARGUMENT')
  })
  return list
}
