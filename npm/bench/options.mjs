// Option-string benchmark: parse one million typical --cache-to/--cache-from
// strings with the native addon vs a straightforward split-based JS parser
// written for the benchmark (which does far less: no quoting, no typing, no
// validation). Both produce the type and the attributes of every string.
import { readFileSync } from 'node:fs'
import { parseCacheOptions } from 'ocicache'
import { best, report } from './measure.mjs'

// tests/bench/typical-options.txt: the same strings the Python benchmark and
// core/examples/options_timing.rs use, one a line.
const TYPICAL = readFileSync(new URL('../../tests/bench/typical-options.txt', import.meta.url), 'utf8').trim().split('\n')
const N = 1_000_000
const inputs = Array.from({ length: N }, (_, i) => TYPICAL[i % TYPICAL.length])

function splitParser(s) {
  if (!s.includes('=')) return [{ type: 'registry', attrs: { ref: s } }]
  let type
  const attrs = {}
  for (const field of s.split(',')) {
    const i = field.indexOf('=')
    if (i < 0) throw new Error(`invalid value ${field}`)
    const key = field.slice(0, i).toLowerCase()
    if (key === 'type') type = field.slice(i + 1)
    else attrs[key] = field.slice(i + 1)
  }
  if (!type) throw new Error('type required')
  return [{ type, attrs }]
}

let sink = 0
const seconds = best(
  {
    'ocicache parseCacheOptions': () => {
      for (const s of inputs) sink += parseCacheOptions(s)[0].type.length
    },
    'ocicache parseCacheOptions + attrs': () => {
      for (const s of inputs) sink += Object.keys(parseCacheOptions(s)[0].attrs).length
    },
    'split-based JS parser': () => {
      for (const s of inputs) sink += Object.keys(splitParser(s)[0].attrs).length
    },
  },
  3,
)
console.log(`\nOption strings: ${N} typical values (Node ${process.version})`)
for (const [name, s] of Object.entries(seconds)) console.log(`  ${name.padEnd(36)} ${(N / s / 1e6).toFixed(2)} M strings/s`)
for (const ours of ['ocicache parseCacheOptions', 'ocicache parseCacheOptions + attrs']) {
  const ratio = seconds['split-based JS parser'] / seconds[ours]
  console.log(`  ratio ${ours} / split-based JS parser: ${ratio.toFixed(2)}x  (target >= 1: ${ratio >= 1 ? 'met' : 'NOT met'})`)
}
if (sink === 0) console.log('')
