// The prune suite: the shared vectors of tests/cases/prune/ (each plan's
// JSON) and tests/cases/budget/ (sizes and ages as users write them), and
// carrying a plan out in memory; shared by the native addon, the WASM build
// in Node and the WASM build in Chromium.
import { load } from './cache.mjs'
import { deepEqual, equal, ok, throwsCode } from './check.mjs'

export function cases(api, data) {
  const list = []
  const add = (name, run) => list.push({ name, run })

  for (const c of data.budget) {
    add(`budget: ${c.name}`, () => {
      const call = c.size !== undefined ? () => api.parseByteSize(c.size) : () => api.parseDurationMs(c.age)
      if (c.error !== undefined) throwsCode(call, c.error)
      else equal(call(), c.bytes ?? c.ms)
    })
  }

  for (const c of data.prune) {
    add(`prune: ${c.name}`, () => {
      const e = data.exports.find((x) => x.name === c.export)
      deepEqual(load(api, e.files).prunePlan(c.options).toJSON(), c.plan, 'plan')
    })
  }

  add('prune: a plan carried out gives the documents it names, and index.json points at them', () => {
    const c = data.prune.find((x) => x.export === 'local-max')
    const e = data.exports.find((x) => x.name === 'local-max')
    const plan = load(api, e.files).prunePlan(c.options)
    deepEqual(plan.tags, ['latest'], 'tags')
    const [w] = plan.writes
    equal(w.descriptor.digest, c.plan.tags[0].new, 'new manifest')
    equal(w.descriptor.digest, api.digest(w.manifestBytes).toString(), 'manifest digest')
    equal(w.configDigest, api.digest(w.configBytes).toString(), 'config digest')
    const files = { ...e.files, [api.OciLayout.blobPath(w.configDigest)]: w.configBytes, [api.OciLayout.blobPath(w.descriptor.digest)]: w.manifestBytes }
    const after = plan.apply(files['index.json'])
    deepEqual(after.skipped, [], 'nothing skipped')
    files['index.json'] = after.index
    const pruned = load(api, files)
    ok(pruned.complete, 'complete')
    equal(pruned.prunePlan(c.options).toJSON().bytesBefore, c.plan.bytesAfter, 'bytes after')
    equal(pruned.prunePlan(c.options).tags.length, 0, 'idempotent')
    equal(plan.freedBytes, c.plan.freedBytes, 'freed')
    ok(plan.toText().includes('would drop 4 of 9 results'), plan.toText())
    ok(plan.toText(true).includes('bytes freed'), 'done')
    // A tag an export changed since the plan is left as it is.
    const other = data.exports.find((x) => x.name === 'twice').files['index.json']
    deepEqual(plan.apply(other).skipped, ['latest'], 'skipped')
  })

  add('prune: bad options and impossible budgets have their codes', () => {
    const cache = load(api, data.exports.find((x) => x.name === 'small-max').files)
    throwsCode(() => cache.prunePlan({ nowMs: 0, maxSize: 10 }), { code: 'BUDGET_TOO_SMALL', field: 'max_size' })
    throwsCode(() => cache.prunePlan({ nowMs: 0, keepTags: ['nope'] }), 'TAG_NOT_FOUND')
    throwsCode(() => cache.prunePlan({ nowMs: 0, maxSize: -1 }), { code: 'INVALID_ARGUMENT', field: 'maxSize' })
    throwsCode(() => cache.prunePlan({ nowMs: 0, maxAgeMs: 'a week' }), { code: 'INVALID_ARGUMENT', field: 'maxAgeMs' })
    throwsCode(() => cache.prunePlan({}), { code: 'INVALID_ARGUMENT', field: 'nowMs' })
    ok(throwsCode(() => cache.prunePlan(5), 'INVALID_ARGUMENT') instanceof TypeError, 'TypeError')
    ok(throwsCode(() => api.parseByteSize(5), 'INVALID_ARGUMENT') instanceof TypeError, 'TypeError')
  })
  return list
}
