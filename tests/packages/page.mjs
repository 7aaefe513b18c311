// A user's browser code, bundled by esbuild from the installed package's
// `browser` entry (the WASM build) and its operations: hash bytes, then
// verify caches served over HTTP through a small read-only storage driver.
import { Digester, digest } from 'ocicache'
import { verify } from 'ocicache/operations'

/** A read-only StorageDriver over HTTP: `base` serves a layout and `list.json`. */
class HttpStorage {
  constructor(base) {
    this.base = base
  }
  async get(path) {
    const res = await fetch(this.base + path)
    if (res.status === 404) return null
    if (!res.ok) throw Object.assign(new Error(`GET ${path}: ${res.status}`), { code: 'STORAGE_ERROR' })
    return new Uint8Array(await res.arrayBuffer())
  }
  path(digest) {
    return `blobs/${digest.replace(':', '/')}`
  }
  readIndex() {
    return this.get('index.json')
  }
  readLayoutFile() {
    return this.get('oci-layout')
  }
  async readBlob(digest, _mediaType, { limit } = {}) {
    const bytes = await this.get(this.path(digest))
    return bytes && limit !== undefined ? bytes.subarray(0, limit) : bytes
  }
  async *openBlob(digest) {
    const res = await fetch(this.base + this.path(digest))
    if (!res.ok) throw Object.assign(new Error(`GET ${digest}: ${res.status}`), { code: 'MISSING_BLOB' })
    const reader = res.body.getReader()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      yield value
    }
  }
  async listBlobs() {
    return JSON.parse(new TextDecoder().decode(await this.get('list.json')))
  }
  async hasBlob(digest) {
    return (await fetch(this.base + this.path(digest), { method: 'HEAD' })).ok
  }
  readOnly() {
    throw Object.assign(new Error('read-only storage'), { code: 'STORAGE_ERROR' })
  }
  writeBlob() {
    this.readOnly()
  }
  writeIndex() {
    this.readOnly()
  }
  deleteBlob() {
    this.readOnly()
  }
}

async function run() {
  const h = new Digester()
  const hello = new TextEncoder().encode('hello')
  h.update(hello.subarray(0, 2))
  h.update(hello.subarray(2))
  const good = await verify(new HttpStorage('/cache/'))
  const bad = await verify(new HttpStorage('/damaged/'))
  return {
    streamed: String(h.finalize()),
    oneShot: String(digest(hello)),
    good: { ok: good.ok, summary: good.toText().trim().split('\n').pop() },
    bad: { ok: bad.ok, codes: [...new Set(bad.toJSON().findings?.map((f) => f.code) ?? [])] },
  }
}

run().then(
  (result) => {
    window.__result = result
  },
  (err) => {
    window.__result = { error: `${err.code ?? ''} ${err.stack ?? err}` }
  },
)
