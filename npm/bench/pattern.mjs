// The bytes the digest benchmarks hash, in Node and in the page alike
// (digest_browser.mjs serves this module to Chromium): a xorshift stream,
// the same every run, that no engine can skip.
export function patternBytes(size) {
  const data = new Uint8Array(size)
  for (let i = 0, x = 88172645; i < size; i += 4) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    data[i] = x
    data[i + 1] = x >>> 8
    data[i + 2] = x >>> 16
    data[i + 3] = x >>> 24
  }
  return data
}
