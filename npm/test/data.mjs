// Loads the suite's data in Node: vectors, golden codes and bundled blobs.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { loadCloud } from './suite/cloud.mjs'

export const testsDir = new URL('../../tests/', import.meta.url).pathname

const json = (rel) => JSON.parse(readFileSync(join(testsDir, rel), 'utf8'))

// Every blob file of the bundled exports as {name: "sha256:…", path}.
export function blobFiles() {
  const root = join(testsDir, 'fixtures/buildkit')
  const out = []
  for (const c of readdirSync(root)) {
    for (const dir of [join(root, c, 'cache/blobs'), join(root, c, 'blobs')]) {
      let algs
      try {
        algs = readdirSync(dir)
      } catch {
        continue
      }
      for (const alg of algs) {
        for (const enc of readdirSync(join(dir, alg))) {
          const path = join(dir, alg, enc)
          if (statSync(path).isFile()) out.push({ name: `${alg}:${enc}`, path })
        }
      }
    }
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : 1))
}

// The option vectors, by file name.
export function optionVectors() {
  const dir = join(testsDir, 'cases/options')
  const out = {}
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) out[f] = json(`cases/options/${f}`)
  return out
}

// Every layer descriptor of the bundled exports: {path, mediaType, diffId}.
export function layerFiles() {
  const root = join(testsDir, 'fixtures/buildkit')
  const out = new Map()
  for (const c of readdirSync(root)) {
    if (!statSync(join(root, c)).isDirectory()) continue
    const blobs = [join(root, c, 'cache/blobs/sha256'), join(root, c, 'blobs/sha256')].find((d) => statSync(d, { throwIfNoEntry: false })?.isDirectory())
    if (!blobs) continue
    for (const f of readdirSync(blobs)) {
      let doc
      try {
        doc = JSON.parse(readFileSync(join(blobs, f), 'utf8'))
      } catch {
        continue
      }
      for (const d of doc.layers ?? doc.manifests ?? []) {
        const diffId = d.annotations?.['containerd.io/uncompressed']
        if (diffId) out.set(join(blobs, d.digest.split(':')[1]), { mediaType: d.mediaType, diffId })
      }
    }
  }
  return [...out].map(([path, v]) => ({ path, ...v })).sort((a, b) => (a.path < b.path ? -1 : 1))
}

// The bundled exports as {name, files: {relative path: url or path}}: each
// local layout's oci-layout, index.json and blobs, and the registry case.
export function exportFiles() {
  const root = join(testsDir, 'fixtures/buildkit')
  const out = []
  for (const c of readdirSync(root).sort()) {
    const dir = join(root, c)
    if (!statSync(dir).isDirectory()) continue
    const base = statSync(join(dir, 'cache'), { throwIfNoEntry: false }) ? join(dir, 'cache') : dir
    const files = {}
    const walk = (rel) => {
      for (const f of readdirSync(join(base, rel))) {
        const r = rel ? `${rel}/${f}` : f
        if (statSync(join(base, r)).isDirectory()) walk(r)
        else if (f !== 'case.json') files[r] = join(base, r)
      }
    }
    walk('')
    out.push({ name: c, files })
  }
  return out
}

export function formatVectors() {
  return {
    cacheConfig: json('cases/cache_config/cases.json'),
    manifest: json('cases/manifest/cases.json'),
    layout: json('cases/layout/cases.json'),
    inline: json('cases/inline/cases.json'),
  }
}

export function loadData() {
  return {
    errorCodes: json('error_codes.json'),
    parse: json('cases/digest/parse.json'),
    compute: json('cases/digest/compute.json'),
    verify: json('cases/digest/verify.json'),
    options: optionVectors(),
    entries: json('cases/entries/cases.json'),
    layers: layerFiles().map((l) => ({ name: l.path, mediaType: l.mediaType, diffId: l.diffId, bytes: new Uint8Array(readFileSync(l.path)) })),
    format: formatVectors(),
    exports: exportFiles().map((e) => ({ name: e.name, files: Object.fromEntries(Object.entries(e.files).map(([k, p]) => [k, new Uint8Array(readFileSync(p))])) })),
    twice: json('fixtures/buildkit/twice/case.json').blobs.filter((b) => b.reachable_from_index_json).map((b) => b.digest).sort(),
    budget: json('cases/budget/cases.json'),
    prune: json('cases/prune/cases.json'),
    blobs: blobFiles().map((b) => ({ name: b.name, bytes: new Uint8Array(readFileSync(b.path)) })),
    cloud: loadCloud(async (path) => new Uint8Array(readFileSync(join(testsDir, path)))),
  }
}
