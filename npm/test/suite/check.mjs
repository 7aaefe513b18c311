// Assertions for the shared suite: small enough to run unchanged in Node and
// in a browser page, where node:assert does not exist.

export class CheckError extends Error {}

function show(value) {
  try {
    return JSON.stringify(value)
  } catch {
    return String(value)
  }
}

export function equal(actual, expected, what = 'value') {
  if (!Object.is(actual, expected)) {
    throw new CheckError(`${what}: expected ${show(expected)}, got ${show(actual)}`)
  }
}

export function deepEqual(actual, expected, what = 'value') {
  if (show(actual) !== show(expected)) {
    throw new CheckError(`${what}: expected ${show(expected)}, got ${show(actual)}`)
  }
}

export function ok(condition, what) {
  if (!condition) throw new CheckError(what)
}

// Runs fn, which must throw a real Error with `code` (and `offset`/`field` when
// given in `expected`); returns the error.
export function throwsCode(fn, expected, what = 'call') {
  const want = typeof expected === 'string' ? { code: expected } : expected
  let thrown
  try {
    fn()
  } catch (err) {
    thrown = err
  }
  if (thrown === undefined) throw new CheckError(`${what}: expected ${want.code}, nothing was thrown`)
  if (!(thrown instanceof Error)) throw new CheckError(`${what}: threw a non-Error ${show(thrown)}`)
  equal(thrown.code, want.code, `${what}: code (${thrown.message})`)
  if (want.offset !== undefined) equal(thrown.offset, want.offset, `${what}: offset`)
  if (want.field !== undefined) equal(thrown.field, want.field, `${what}: field`)
  return thrown
}

// Awaits promise, which must reject with a real Error with `code` (and
// `field` when given in `expected`); returns the error.
export async function rejectsCode(promise, expected, what = 'call') {
  const want = typeof expected === 'string' ? { code: expected } : expected
  let thrown
  try {
    await promise
  } catch (err) {
    thrown = err
  }
  if (thrown === undefined) throw new CheckError(`${what}: expected ${want.code}, it resolved`)
  if (!(thrown instanceof Error)) throw new CheckError(`${what}: rejected with a non-Error ${show(thrown)}`)
  equal(thrown.code, want.code, `${what}: code (${thrown.message})`)
  if (want.field !== undefined) equal(thrown.field, want.field, `${what}: field`)
  return thrown
}
