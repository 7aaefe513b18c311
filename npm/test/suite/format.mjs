// The cache format suite (tests/cases/{cache_config,manifest,layout} and every
// bundled BuildKit export), shared by the native addon, the WASM build in Node
// and the WASM build in Chromium.
import { deepEqual, equal, ok, throwsCode } from './check.mjs'
import { inputBytes } from './input.mjs'

const text = (bytes) => new TextDecoder().decode(bytes)
const pairs = (findings) => findings.map((f) => ({ code: f.code, path: f.path }))

export function cases(api, data) {
  const { CacheConfig, CacheManifest, ImageIndex, ImageManifest, OciLayout, Reachability, MediaType } = api
  const list = []
  const add = (name, run) => list.push({ name, run })

  for (const v of data.format.cacheConfig) {
    add(`cache config: ${v.name}`, () => {
      const input = inputBytes(v.input)
      const options = v.options ?? {}
      const read = () => CacheConfig.fromBytes(input, options.maxSize ? { maxSize: options.maxSize } : undefined)
      if (v.error) {
        throwsCode(read, v.error, 'fromBytes')
        return
      }
      let config = read()
      if (options.normalize) config = config.normalized()
      const bytes = config.toBytes()
      ok(bytes instanceof Uint8Array, 'toBytes gives bytes')
      const want = v.expect.bytes ?? null
      if (want === null) ok(bytes.length === input.length && bytes.every((b, i) => b === input[i]), 'same bytes as the input')
      else equal(text(bytes), want, 'bytes')
      equal(text(CacheConfig.fromBytes(bytes).toBytes()), text(bytes), 're-read')
      if (v.expect.digest) equal(config.digest(), v.expect.digest, 'digest')
      const findings = config.validate({ blobs: options.blobs, requireAnnotations: options.requireAnnotations })
      deepEqual(pairs(findings), v.expect.findings, 'findings')
      for (const f of findings) ok(['error', 'warning'].includes(f.severity) && typeof f.message === 'string', 'finding shape')
      if (v.expect.records !== undefined) {
        equal(config.recordCount, v.expect.records, 'records')
        equal(config.layerCount, v.expect.layers, 'layers')
      }
    })
  }

  for (const v of data.format.manifest) {
    add(`manifest: ${v.name}`, () => {
      const input = inputBytes(v.input)
      if (v.error) {
        throwsCode(() => CacheManifest.fromBytes(input), v.error, 'fromBytes')
        return
      }
      const m = CacheManifest.fromBytes(input)
      equal(text(m.toBytes()), text(input), 'bytes')
      equal(m.form, v.expect.form, 'form')
      deepEqual(pairs(m.validate()), v.expect.findings, 'findings')
      if (v.expect.config) equal(m.config.digest, v.expect.config, 'config')
      if (v.expect.layers) deepEqual(m.layers.map((d) => d.digest), v.expect.layers, 'layers')
      deepEqual(m.toJSON(), JSON.parse(text(input)), 'toJSON')
      for (const [form, bytes] of Object.entries(v.expect.convert ?? {})) equal(text(m.convert(form).toBytes()), bytes, `convert to ${form}`)
    })
  }

  for (const v of data.format.layout) {
    add(`layout: ${v.name}`, () => {
      const enc = (s) => (s === null || s === undefined ? s : new TextEncoder().encode(s))
      const run = {
        putTag: () => text(ImageIndex.updatedLayoutIndex(enc(v.current), v.tag, v.descriptor)),
        findTag: () => ImageIndex.fromBytes(enc(v.current)).findTag(v.tag).digest,
        blobPath: () => OciLayout.blobPath(v.digest),
        digestFromPath: () => OciLayout.digestFromPath(v.path),
        checkFile: () => (OciLayout.checkFile(enc(v.content)), true),
      }[v.op]
      if (v.error) throwsCode(run, v.error, v.op)
      else equal(run(), v.expect, v.op)
    })
  }

  for (const v of data.format.inline) {
    add(`inline cache: ${v.name}`, () => {
      const enc = (s) => new TextEncoder().encode(s)
      const run = () => api.inlineCache(enc(v.manifest), enc(v.imageConfig))
      if (v.error) {
        throwsCode(run, v.error, 'inlineCache')
        return
      }
      const c = run()
      if (v.expect === null) {
        equal(c, null, 'no inline cache')
        return
      }
      const layers = c.layers
      const config = c.config
      deepEqual(config.toJSON().layers.map((l) => l.parent ?? 0), v.expect.parents, 'parents')
      deepEqual(JSON.stringify(config.toJSON().records), v.expect.records, 'records')
      deepEqual(layers.map((d) => d.annotations), v.expect.annotations, 'annotations')
      deepEqual(pairs(config.validate()), v.expect.findings, 'findings')
    })
  }

  for (const e of data.exports) {
    add(`bundled export ${e.name}: every document re-serialises byte-identically and validates clean`, () => {
      const registry = 'manifest.json' in e.files
      const blob = (d) => e.files[OciLayout.blobPath(d)] ?? (registry ? e.files['config.json'] : undefined)
      let manifestBytes
      if (registry) manifestBytes = e.files['manifest.json']
      else {
        OciLayout.checkFile(e.files['oci-layout'])
        const index = ImageIndex.fromBytes(e.files['index.json'])
        equal(text(index.toBytes()), text(e.files['index.json']), 'index.json')
        deepEqual(index.validate(), [], 'index findings')
        deepEqual(index.tags(), ['latest'], 'tags')
        const entry = index.findTag('latest')
        equal(text(ImageIndex.updatedLayoutIndex(e.files['index.json'], 'latest', entry)), text(e.files['index.json']), 'put is idempotent')
        manifestBytes = blob(entry.digest)
      }
      const m = CacheManifest.fromBytes(manifestBytes)
      equal(text(m.toBytes()), text(manifestBytes), 'manifest')
      deepEqual(m.validate(), [], 'manifest findings')
      const configBytes = blob(m.config.digest)
      const config = CacheConfig.fromBytes(configBytes)
      equal(text(config.toBytes()), text(configBytes), 'config')
      equal(config.digest(), m.config.digest, 'config digest')
      deepEqual(m.validateWithConfig(config), [], 'config findings')
      deepEqual(config.toJSON(), JSON.parse(text(configBytes)), 'toJSON')
      equal(text(CacheManifest.build(m.form, m.config, m.layers).toBytes()), text(manifestBytes), 'built like BuildKit')
      ok(config.roots().length > 0 && config.leaves().length > 0, 'roots and leaves')
      const sizes = Object.fromEntries(m.layers.map((d) => [d.digest, d.size]))
      for (let i = 0; i < config.recordCount; i++) {
        const s = config.recordSize(i, sizes)
        ok(s.unique <= s.total && s.unknown === 0, 'record size')
        for (const chain of config.resultChains(i)) ok(chain.every((l) => l < config.layerCount), 'chain')
      }
    })
  }

  add('twice: index.json reaches exactly the 9 reachable blobs of 16', () => {
    const e = data.exports.find((x) => x.name === 'twice')
    const walk = new Reachability(e.files['index.json'])
    for (let d; (d = walk.nextNeeded()); ) walk.feed(d.digest, e.files[OciLayout.blobPath(d.digest)])
    deepEqual(walk.reachable(), data.twice, 'reachable')
    equal(Object.keys(e.files).filter((f) => f.startsWith('blobs/')).length, 16, 'blob files')
    deepEqual(new Reachability(e.files['index.json'], ['other']).reachable(), [], 'other tag')
  })

  add('sizes above 2^53-1 are rejected, not rounded', () => {
    const big = data.format.manifest[0].input.utf8.replace('"size":570', '"size":1152921504606846976')
    const m = CacheManifest.fromBytes(new TextEncoder().encode(big))
    throwsCode(() => m.config, { code: 'SIZE_OUT_OF_RANGE', field: 'size' }, 'config')
    throwsCode(() => m.toJSON(), { code: 'SIZE_OUT_OF_RANGE', field: 'config.size' }, 'toJSON')
  })

  add('wrong argument types are TypeErrors with INVALID_ARGUMENT', () => {
    for (const call of [() => CacheConfig.fromBytes('{}'), () => CacheManifest.fromBytes(42), () => OciLayout.blobPath(1), () => CacheManifest.build('image-manifest', 'x', [])]) {
      ok(throwsCode(call, 'INVALID_ARGUMENT') instanceof TypeError, 'TypeError')
    }
    throwsCode(() => CacheConfig.fromBytes(new TextEncoder().encode('{}')).layerChain(0), 'INVALID_LAYER_INDEX')
    throwsCode(() => CacheManifest.build('nope', {}, []), 'INVALID_ARGUMENT')
    const empty = new TextEncoder().encode('{}')
    for (const call of [() => CacheConfig.fromBytes(empty, 5), () => CacheConfig.fromBytes(empty).validate('x'), () => CacheConfig.fromBytes(empty).validate({ blobs: 'x' })]) {
      ok(throwsCode(call, 'INVALID_ARGUMENT') instanceof TypeError, 'options must be objects')
    }
    const d = api.Digest.parse(`sha256:${'a'.repeat(64)}`)
    equal(OciLayout.blobPath(d), OciLayout.blobPath(String(d)), 'a Digest where a digest string goes')
    equal(api.ghaBlobKey(d), `buildkit-blob-1-${d}`, 'a Digest for a key')
  })

  add('MediaType constants and storage keys', () => {
    equal(MediaType.CACHE_CONFIG, 'application/vnd.buildkit.cacheconfig.v0', 'CACHE_CONFIG')
    ok(Object.isFrozen(MediaType), 'frozen')
    equal(api.ghaIndexKey('buildkit', 'refs/heads/main'), 'index-buildkit-1-f921bd05', 'gha index key')
    const d = `sha256:${'a'.repeat(64)}`
    equal(api.s3BlobKey('ci/', 'blobs/', d), `ci/blobs/${d}`, 's3')
    equal(api.azblobManifestPath('a//b', 'manifests', 'x'), 'a/b/manifests/x', 'azblob')
    equal(api.ghaBlobKey(d), `buildkit-blob-1-${d}`, 'gha blob')
    equal(ImageManifest.fromBytes(new TextEncoder().encode('{"schemaVersion":2}')).validate()[0].code, 'MISSING_FIELD', 'ImageManifest')
  })

  add('inline cache from an image config', () => {
    const layer = { mediaType: MediaType.OCI_LAYER_GZIP, digest: `sha256:${'b'.repeat(64)}`, size: 3 }
    const manifest = JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OCI_MANIFEST, config: { mediaType: MediaType.OCI_IMAGE_CONFIG, digest: `sha256:${'c'.repeat(64)}`, size: 2 }, layers: [layer] })
    const records = '[{"layers":[{"layer":0,"createdAt":"2024-01-01T00:00:00Z"}],"digest":"sha256:aa"}]'
    const b64 = typeof btoa === 'function' ? btoa(records) : Buffer.from(records).toString('base64')
    const config = JSON.stringify({ rootfs: { diff_ids: [`sha256:${'d'.repeat(64)}`] }, history: [{ created_by: 'RUN x' }], 'moby.buildkit.cache.v0': b64 })
    const enc = (s) => new TextEncoder().encode(s)
    const c = api.inlineCache(enc(manifest), enc(config))
    equal(c.config.recordCount, 1, 'records')
    equal(c.config.recordCount, 1, 'records, read again')
    equal(c.layers[0].annotations['containerd.io/uncompressed'], `sha256:${'d'.repeat(64)}`, 'diffID')
    equal(api.inlineCache(enc(manifest), enc('{"rootfs":{"diff_ids":[]}}')), null, 'no inline cache')
  })
  return list
}
