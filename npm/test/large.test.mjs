// Reports of a large cache reach JavaScript whole: a 100,000-record config
// makes reports of more than a million values, past napi's own limit for
// converting a serde_json::Value (the scale benchmark found the Node CLI's
// inspect failing there with "Exceeded maximum JSON value count").
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { CacheConfig, digest } from '../index.mjs'
import { gc, inspect, prune, verify } from '../operations.mjs'
import { LocalStorage } from '../storage.mjs'

const RECORDS = 100_000
const root = mkdtempSync(join(tmpdir(), 'ocicache-large-'))
after(() => rmSync(root, { recursive: true, force: true }))

function put(bytes) {
  const d = String(digest(bytes))
  writeFileSync(join(root, 'blobs/sha256', d.slice(7)), bytes)
  return d
}

// Ten tiny layers (empty tars) in one chain; records linking to earlier ones, every fifth
// with a result.
function layout() {
  mkdirSync(join(root, 'blobs/sha256'), { recursive: true })
  const descriptors = []
  for (let i = 0; i < 10; i++) {
    const bytes = Buffer.alloc(512 * (2 + i)) // an empty tar, of its own length
    const d = put(bytes)
    descriptors.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: d, size: bytes.length, annotations: { 'containerd.io/uncompressed': d } })
  }
  const layers = descriptors.map((d, i) => (i === 0 ? { blob: d.digest, parent: -1 } : i === 1 ? { blob: d.digest } : { blob: d.digest, parent: i - 1 }))
  const records = []
  for (let i = 0; i < RECORDS; i++) {
    const r = {}
    if (i % 5 === 0) r.layers = [{ layer: (i / 5) % 10, createdAt: '2026-11-22T10:12:20Z' }]
    r.digest = `sha256:${i.toString(16).padStart(64, '0')}`
    if (i >= 10) r.inputs = [[{ link: i - 1 - (i % 7) }]]
    records.push(r)
  }
  const config = Buffer.from(JSON.stringify({ layers, records }))
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.buildkit.cacheconfig.v0', digest: put(config), size: config.length },
    layers: descriptors,
  }))
  const entry = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: put(manifest), size: manifest.length, annotations: { 'org.opencontainers.image.ref.name': 'latest' } }
  writeFileSync(join(root, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [entry] }))
  writeFileSync(join(root, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}')
  return config
}

test('a 100,000-record cache: config, inspect, verify, gc and prune plans convert whole', async () => {
  const config = layout()
  const plain = CacheConfig.fromBytes(config).toJSON()
  assert.equal(plain.records.length, RECORDS)
  assert.deepEqual(plain.records[RECORDS - 1], JSON.parse(config).records[RECORDS - 1])
  const storage = new LocalStorage(root)
  const report = (await inspect(storage)).toJSON()
  assert.equal(report.tags[0].graph.records.length, RECORDS)
  assert.equal(report.tags[0].graph.records[5].cost.bytes, 512 * 3 + 512 * 2)
  const checked = (await verify(storage)).toJSON()
  assert.equal(checked.ok, true, JSON.stringify(checked.findings?.slice(0, 3)))
  // A 100,000-record config is over BuildKit's import limit: the one warning.
  assert.deepEqual(checked.findings.map((f) => f.code), ['BLOB_TOO_LARGE'])
  const collected = (await gc(storage, { dryRun: true })).toJSON()
  assert.deepEqual([collected.delete, collected.kept], [[], 12])
  const pruned = (await prune(storage, { dryRun: true, maxSize: 1 << 30 })).plan.toJSON()
  assert.deepEqual([pruned.results, pruned.droppedResults], [RECORDS / 5, 0])
})
