// Cache config benchmark: a generated config of 100 000 records and 20 000
// layers (the same bytes as python/bench/cache_config.py makes; both print
// the digest). CacheConfig.fromBytes + validate() through the native addon vs
// JSON.parse of the same bytes, which only builds objects and checks nothing.
import { createHash } from 'node:crypto'
import { CacheConfig } from 'ocicache'
import { best, report } from './measure.mjs'

const RECORDS = 100_000
const LAYERS = 20_000
const T = '2026-11-22T10:12:20.165927189Z'
const sha = (s) => `sha256:${createHash('sha256').update(s).digest('hex')}`

function generate() {
  const layers = []
  for (let i = 0; i < LAYERS; i++) layers.push(i % 10 === 0 ? { blob: sha(`l${i}`), parent: -1 } : i - 1 === 0 ? { blob: sha(`l${i}`) } : { blob: sha(`l${i}`), parent: i - 1 })
  const records = []
  for (let i = 0; i < RECORDS; i++) {
    const r = {}
    if (i % 5 === 0) r.layers = [{ layer: i % LAYERS, createdAt: T }]
    r.digest = sha(`r${i}`)
    if (i >= 10) r.inputs = [[{ link: i - 1 - (i % 7) }], [{ selector: sha(`s${i % 97}`), link: (i * 31) % i }]]
    records.push(r)
  }
  return Buffer.from(JSON.stringify({ layers, records }))
}

const data = generate()
const config = CacheConfig.fromBytes(data)
if (!config.toBytes().equals(data) || config.validate().length) throw new Error('the generated config does not round-trip clean')
const text = data.toString()
let sink = 0
const seconds = best(
  {
    'ocicache fromBytes + validate': () => {
      sink += CacheConfig.fromBytes(data).validate().length
    },
    'JSON.parse (of a string)': () => {
      sink += JSON.parse(text).records.length
    },
    'JSON.parse (of the bytes)': () => {
      sink += JSON.parse(data.toString()).records.length
    },
  },
  5,
)
report(`Cache config: ${RECORDS} records, ${LAYERS} layers, ${(data.length / 1e6).toFixed(1)} MB, ${config.digest().slice(0, 19)}…`, data.length, seconds, [
  ['ocicache fromBytes + validate', 'JSON.parse (of a string)', 1],
  ['ocicache fromBytes + validate', 'JSON.parse (of the bytes)'],
])
if (sink < 0) console.log(sink)
