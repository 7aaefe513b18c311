// The registry driver against a real registry (Debian's docker-registry,
// started by tests/registry/serve.mjs on 127.0.0.1): copies both ways,
// the wrapper forms' content types, basic and bearer auth, an upload cut
// off half-way, mounts and redirected blobs.
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { cpSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { ImageIndex, digest } from '../index.mjs'
import { copy, inspect, loadCache, merge, verify } from '../operations.mjs'
import { RegistryStorage } from '../registry.mjs'
import { timedFetch } from '../transport.mjs'
import { LocalStorage, SelectedStorage } from '../storage.mjs'
import { main } from '../cli.mjs'
import { isReference, openLocation } from '../location.mjs'
import { testsDir } from './data.mjs'
import { startRegistry } from './servers.mjs'

const LAYOUTS = ['compression-zstd', 'image-manifest-false', 'local-max', 'local-min', 'oci-mediatypes-false', 'small-max', 'twice']
const fixture = (name) => join(testsDir, 'fixtures/buildkit', name, 'cache')
const temp = () => mkdtempSync(join(tmpdir(), 'ocicache-reg-'))
const sha = (bytes) => 'sha256:' + createHash('sha256').update(bytes).digest('hex')
const blobsOf = (root) => readdirSync(join(root, 'blobs/sha256')).sort()

// The layout's entry for `tag`: the descriptor and every blob it reaches.
async function reachable(root, tag = 'latest') {
  const plan = (await loadCache(new LocalStorage(root))).copyPlan(tag)
  return plan.blobs.map((b) => b.digest.slice('sha256:'.length)).sort()
}

async function cli(args, { stdin } = {}) {
  const out = []
  const err = []
  const saved = Object.getOwnPropertyDescriptor(process, 'stdin')
  if (stdin !== undefined) {
    const { Readable } = await import('node:stream')
    Object.defineProperty(process, 'stdin', { value: Readable.from([Buffer.from(stdin)]), configurable: true })
  }
  try {
    const code = await main(args, (l) => out.push(l), (l) => err.push(l))
    return { code, out: out.join('\n'), err: err.join('\n') }
  } finally {
    if (stdin !== undefined) Object.defineProperty(process, 'stdin', saved)
  }
}

describe('locations', () => {
  test('directories, option strings and the registry shorthand open the right driver', () => {
    const dir = openLocation(fixture('twice'))
    assert.ok(dir.storage instanceof LocalStorage && dir.tag === undefined && !dir.registry)
    const local = openLocation(`type=local,src=${fixture('twice')},tag=main`)
    assert.deepEqual([local.storage.root, local.tag], [fixture('twice'), 'main'])
    const short = openLocation('ghcr.io/o/app:buildcache', { dockerConfig: false })
    assert.ok(short.storage instanceof RegistryStorage && short.registry)
    assert.deepEqual([short.tag, short.storage.location.baseUrl], ['buildcache', 'https://ghcr.io/v2/o/app'])
    const insecure = openLocation('type=registry,ref=reg.internal:5000/c,registry.insecure=true', { dockerConfig: false })
    assert.deepEqual([insecure.tag, insecure.storage.location.baseUrl], ['latest', 'http://reg.internal:5000/v2/c'])
    assert.equal(isReference(fixture('twice')), false, 'an existing path is a path')
    assert.deepEqual(['user/app', 'localhost/app', 'h:1/a'].map(isReference), [false, true, true])
    assert.throws(() => openLocation('type=gha,scope=x'), { code: 'OPTION_NOT_ALLOWED' })
    assert.throws(() => openLocation('type=registry'), { code: 'MISSING_OPTION' })
    // A path that starts with /, ./ or ../ is a directory even when it does not exist yet.
    const paths = ['./restored', '../127.0.0.1:5000/x', '/tmp/a.b/c', '.', '..']
    assert.deepEqual(paths.map(isReference), [false, false, false, false, false])
    assert.ok(openLocation('./h.io/restored').storage instanceof LocalStorage)
  })

  test('tag= and digest= select one entry to read; a pinned location is not written to', async () => {
    const first = 'sha256:4892b92ffdab938e771562ea1dbe78b8b5fab518a220177552a998f42b15695e'
    const pinned = openLocation(`type=local,src=${fixture('twice')},digest=${first}`)
    assert.ok(pinned.source instanceof SelectedStorage && pinned.digest === first)
    assert.deepEqual(ImageIndex.fromBytes(await pinned.source.readIndex()).toJSON().manifests.map((m) => m.digest), [first])
    assert.equal((await verify(pinned.source)).toJSON().reachable, 9)
    await assert.rejects(pinned.source.writeIndex(new Uint8Array()), { code: 'UNSUPPORTED_OPERATION' })
    await assert.rejects(pinned.source.deleteBlob(first), { code: 'UNSUPPORTED_OPERATION' })
    const missing = openLocation(`type=local,src=${fixture('twice')},tag=nosuch`)
    await assert.rejects(inspect(missing.source), { code: 'TAG_NOT_FOUND' })
    const plain = openLocation(`type=local,src=${fixture('twice')}`)
    assert.equal(plain.source, plain.storage, 'no selection: reads see the whole layout')
  })

  test('blobs are written read-only, as BuildKit writes them', async () => {
    const out = temp()
    await copy(new LocalStorage(fixture('small-max')), new LocalStorage(out))
    for (const name of blobsOf(out)) assert.equal(statSync(join(out, 'blobs/sha256', name)).mode & 0o777, 0o444, name)
    assert.equal(statSync(join(out, 'index.json')).mode & 0o222, 0o200, 'index.json stays writable')
  })

  test('local -> local copy keeps every blob under the new tag', async () => {
    const out = temp()
    const r = await copy(new LocalStorage(fixture('twice')), new LocalStorage(out), { toTag: 'copied' })
    assert.deepEqual([r.tag, r.copied, r.blobs], ['copied', 9, 9])
    assert.equal((await verify(new LocalStorage(out))).ok, true)
    assert.deepEqual((await inspect(new LocalStorage(out))).toJSON().tags.map((t) => t.tag), ['copied'])
  })
})

describe('registry without auth', () => {
  let reg
  before(async () => {
    reg = await startRegistry()
  })
  after(() => reg.stop())

  for (const name of LAYOUTS) {
    test(`${name}: local -> registry -> local keeps every byte`, async () => {
      const src = new LocalStorage(fixture(name))
      const remote = new RegistryStorage(`${reg.host}/copies/${name}:latest`, { dockerConfig: false, chunkSize: 64 << 10 })
      const up = await copy(src, remote)
      assert.equal(up.copied, up.blobs)
      assert.equal((await verify(remote)).ok, true)
      const again = await copy(src, remote)
      assert.deepEqual([again.copied, again.skipped], [0, again.blobs], 'a second copy skips every blob')
      const back = temp()
      await copy(remote, new LocalStorage(back))
      assert.deepEqual(readFileSync(join(back, 'index.json')), readFileSync(join(fixture(name), 'index.json')))
      assert.deepEqual(blobsOf(back), await reachable(fixture(name)))
      for (const b of blobsOf(back)) {
        assert.deepEqual(readFileSync(join(back, 'blobs/sha256', b)), readFileSync(join(fixture(name), 'blobs/sha256', b)), b)
      }
      const seen = (await inspect(remote)).toJSON()
      const local = (await inspect(src)).toJSON()
      assert.deepEqual(seen.tags, local.tags)
    })
  }

  test('each wrapper form is served back with its own content type and bytes', async () => {
    for (const [name, mediaType] of [
      ['local-max', 'application/vnd.oci.image.manifest.v1+json'],
      ['image-manifest-false', 'application/vnd.oci.image.index.v1+json'],
      ['oci-mediatypes-false', 'application/vnd.docker.distribution.manifest.list.v2+json'],
    ]) {
      const remote = new RegistryStorage(`${reg.host}/forms/${name}:cache`, { dockerConfig: false })
      const { descriptor } = await copy(new LocalStorage(fixture(name)), remote)
      assert.equal(descriptor.mediaType, mediaType)
      const r = await fetch(`http://${reg.host}/v2/forms/${name}/manifests/cache`, { headers: { accept: mediaType } })
      const body = new Uint8Array(await r.arrayBuffer())
      assert.equal(r.headers.get('content-type'), mediaType)
      assert.equal(r.headers.get('docker-content-digest'), descriptor.digest)
      assert.deepEqual(Buffer.from(body), readFileSync(join(fixture(name), 'blobs', descriptor.digest.replace(':', '/'))))
    }
  })

  test("the manifest BuildKit pushed to a registry is accepted as it was served", async () => {
    // tests/fixtures/buildkit/registry-image-manifest: the bytes a registry
    // served for BuildKit's own push. Laid out as a layout, copied up, read back.
    const dir = join(testsDir, 'fixtures/buildkit/registry-image-manifest')
    const layout = temp()
    cpSync(join(dir, 'blobs'), join(layout, 'blobs'), { recursive: true })
    const manifest = readFileSync(join(dir, 'manifest.json'))
    const descriptor = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha(manifest), size: manifest.length }
    writeFileSync(join(layout, 'blobs', descriptor.digest.replace(':', '/')), manifest)
    await new LocalStorage(layout).writeIndex(ImageIndex.updatedLayoutIndex(null, 'max', descriptor))
    const remote = new RegistryStorage(`${reg.host}/cache:max`, { dockerConfig: false })
    await copy(new LocalStorage(layout), remote, { tag: 'max' })
    const r = await fetch(`http://${reg.host}/v2/cache/manifests/max`, { headers: { accept: descriptor.mediaType } })
    assert.deepEqual(Buffer.from(await r.arrayBuffer()), manifest)
    assert.equal(r.headers.get('docker-content-digest'), JSON.parse(readFileSync(join(dir, 'case.json'))).manifest_response_headers['Docker-Content-Digest'])
    assert.equal((await verify(remote)).ok, true)
  })

  test('registry -> registry mounts blobs across repositories', async () => {
    const a = new RegistryStorage(`${reg.host}/mount/a:latest`, { dockerConfig: false })
    const b = new RegistryStorage(`${reg.host}/mount/b:latest`, { dockerConfig: false })
    await copy(new LocalStorage(fixture('small-max')), a)
    const r = await copy(a, b)
    assert.ok(r.mounted > 0, `mounted ${r.mounted}`)
    assert.equal(r.copied, r.blobs - r.mounted, 'only the manifest is transferred')
    assert.equal((await verify(b)).ok, true)
  })

  test('merge and verify on registry locations', async () => {
    const x = new RegistryStorage(`${reg.host}/merge/x:latest`, { dockerConfig: false })
    await copy(new LocalStorage(fixture('local-max')), x)
    const into = new RegistryStorage(`${reg.host}/merge/into:latest`, { dockerConfig: false })
    await merge(into, [{ storage: x }, { storage: new LocalStorage(fixture('twice')) }])
    const report = await verify(into)
    assert.equal(report.ok, true, report.toText())
    // 17 + 12 records, and the join of their final records.
    assert.equal((await inspect(into)).toJSON().tags[0].records, 30)
  })

  test('prune on a registry rewrites the tag and leaves deleting to the registry', async () => {
    const remote = new RegistryStorage(`${reg.host}/prune/local-max:latest`, { dockerConfig: false })
    await copy(new LocalStorage(fixture('local-max')), remote)
    const r = await cli(['prune', '--json', '--max-size', '1.2MB', `${reg.host}/prune/local-max:latest`])
    assert.equal(r.code, 0, r.err)
    const done = JSON.parse(r.out)
    assert.equal(done.gc, null, 'no gc on a registry')
    assert.equal(done.droppedResults, 4)
    const after = (await inspect(remote)).toJSON()
    assert.equal(after.tags[0].digest, done.tags[0].new, 'the tag names the new manifest')
    assert.equal(after.blobs.reachableBytes, done.bytesAfter)
    assert.equal((await verify(remote)).ok, true)
  })

  test('the CLI takes registry references and option strings', async () => {
    const ref = `${reg.host}/cli/twice:v1`
    const up = await cli(['copy', '--json', fixture('twice'), ref])
    assert.equal(up.code, 0, up.err)
    assert.equal(JSON.parse(up.out).tag, 'v1')
    assert.equal((await cli(['verify', `type=registry,ref=${ref}`])).code, 0)
    const back = temp()
    const down = await cli(['copy', ref, `type=local,dest=${back},tag=v1`])
    assert.equal(down.code, 0, down.err)
    assert.match(down.out, /^copied v1 of /)
    assert.ok(JSON.parse(readFileSync(join(back, 'index.json'))).manifests[0].annotations['org.opencontainers.image.ref.name'] === 'v1')
    const gc = await cli(['gc', ref])
    assert.equal(gc.code, 2)
    assert.match(gc.err, /gc works on local, s3 and azblob caches; a registry frees blobs/)
    const missing = await cli(['inspect', `${reg.host}/cli/none:x`])
    assert.equal(missing.code, 1, 'a tag the registry does not have is an empty cache')
    assert.match(missing.out, /MISSING_BLOB/)
  })

  test('a Docker-Content-Digest that is not the digest of the bytes is a REGISTRY_ERROR', async () => {
    await copy(new LocalStorage(fixture('small-max')), new RegistryStorage(`${reg.host}/lie/c:latest`, { dockerConfig: false }))
    const lying = async (url, init) => {
      const r = await fetch(url, init)
      if (!String(url).includes('/manifests/')) return r
      const headers = new Headers(r.headers)
      headers.set('docker-content-digest', 'sha256:' + '0'.repeat(64))
      return new Response(init?.method === 'HEAD' ? null : await r.arrayBuffer(), { status: r.status, headers })
    }
    const remote = new RegistryStorage(`${reg.host}/lie/c:latest`, { dockerConfig: false, fetch: lying })
    await assert.rejects(remote.readIndex(), { code: 'REGISTRY_ERROR', message: /Docker-Content-Digest/ })
  })

  test('a missing registry is a REGISTRY_ERROR, not a crash', async () => {
    const { createServer: tcp } = await import('node:net')
    const s = tcp()
    await new Promise((r) => s.listen(0, '127.0.0.1', r))
    const port = s.address().port
    await new Promise((r) => s.close(r))
    const gone = new RegistryStorage(`127.0.0.1:${port}/x:y`, { dockerConfig: false })
    await assert.rejects(gone.readIndex(), { code: 'REGISTRY_ERROR', message: /ECONNREFUSED/ })
  })
})

describe('registry with basic auth', () => {
  let reg
  before(async () => {
    reg = await startRegistry('--auth', 'basic')
  })
  after(() => reg.stop())

  test('a wrong password is UNAUTHORIZED and never shown', async () => {
    const secret = 'not-the-password-123'
    const remote = new RegistryStorage(`${reg.host}/auth/x:latest`, { username: reg.user, password: secret })
    const err = await copy(new LocalStorage(fixture('small-max')), remote).catch((e) => e)
    assert.equal(err.code, 'UNAUTHORIZED')
    assert.ok(!err.message.includes(secret) && !err.message.includes(reg.password), err.message)
    const anonymous = new RegistryStorage(`${reg.host}/auth/x:latest`, { dockerConfig: false })
    await assert.rejects(anonymous.readIndex(), { code: 'UNAUTHORIZED' })
    const viaCli = await cli(['--username', reg.user, '--password-stdin', 'copy', '--json', fixture('small-max'), `${reg.host}/auth/x:latest`], { stdin: `${secret}\n` })
    assert.equal(viaCli.code, 2)
    assert.match(viaCli.err, /UNAUTHORIZED/)
    assert.ok(!viaCli.err.includes(secret) && !viaCli.out.includes(secret))
  })

  test('the right password, explicit or from the docker config file, works', async () => {
    const remote = new RegistryStorage(`${reg.host}/auth/ok:latest`, { username: reg.user, password: reg.password })
    await copy(new LocalStorage(fixture('small-max')), remote)
    const config = join(temp(), 'config.json')
    const auth = Buffer.from(`${reg.user}:${reg.password}`).toString('base64')
    writeFileSync(config, JSON.stringify({ auths: { [reg.host]: { auth } } }))
    const fromConfig = new RegistryStorage(`${reg.host}/auth/ok:latest`, { dockerConfig: config })
    const report = await verify(fromConfig)
    assert.equal(report.ok, true)
    const viaCli = await cli(['--username', reg.user, '--password-stdin', 'verify', '--json', `${reg.host}/auth/ok:latest`], { stdin: reg.password })
    assert.equal(viaCli.code, 0, viaCli.err)
    assert.ok(!viaCli.out.includes(reg.password))
  })
})

describe('registry with bearer tokens', () => {
  let reg
  before(async () => {
    reg = await startRegistry('--auth', 'token')
  })
  after(() => reg.stop())

  test('tokens are fetched per scope, and a wrong password is UNAUTHORIZED', async () => {
    const remote = new RegistryStorage(`${reg.host}/tok/a:latest`, { username: reg.user, password: reg.password })
    await copy(new LocalStorage(fixture('local-min')), remote)
    assert.equal((await verify(remote)).ok, true)
    const b = new RegistryStorage(`${reg.host}/tok/b:latest`, { username: reg.user, password: reg.password })
    assert.ok((await copy(remote, b)).mounted > 0, 'a mount asks for pull on the source repository too')
    const wrong = new RegistryStorage(`${reg.host}/tok/a:latest`, { username: reg.user, password: 'wrong-secret-456' })
    const err = await wrong.readIndex().catch((e) => e)
    assert.equal(err.code, 'UNAUTHORIZED')
    assert.ok(!err.message.includes('wrong-secret-456'))
  })
})

describe('an upload cut off half-way', () => {
  let reg
  before(async () => {
    reg = await startRegistry('--cut-after', String(400 << 10))
  })
  after(() => reg.stop())

  test('leaves the tag as it was, and the next copy completes', async () => {
    const direct = new RegistryStorage(`${reg.host}/cut/c:latest`, { dockerConfig: false })
    const first = await copy(new LocalStorage(fixture('small-max')), direct)
    const viaProxy = new RegistryStorage(`${reg.cutHost}/cut/c:latest`, { dockerConfig: false, chunkSize: 64 << 10 })
    const err = await copy(new LocalStorage(fixture('local-max')), viaProxy, { concurrency: 1 }).catch((e) => e)
    assert.equal(err.code, 'REGISTRY_ERROR', String(err))
    const fresh = new RegistryStorage(`${reg.host}/cut/c:latest`, { dockerConfig: false })
    const index = JSON.parse(Buffer.from(await fresh.readIndex()).toString())
    assert.equal(index.manifests[0].digest, first.descriptor.digest, 'the tag still names the first copy')
    const second = await copy(new LocalStorage(fixture('local-max')), fresh)
    assert.ok(second.skipped > 0, 'blobs that made it are not sent again')
    assert.equal(second.copied + second.skipped, second.blobs)
    const report = await verify(new RegistryStorage(`${reg.host}/cut/c:latest`, { dockerConfig: false }))
    assert.equal(report.ok, true)
  })
})

describe('an upload cut off mid-blob', () => {
  let reg
  before(async () => {
    reg = await startRegistry('--cut-patch', '5', '--cut-once', String(300 << 10))
  })
  after(() => reg.stop())

  // The requests a RegistryStorage sends (method, and the content-range of a PATCH).
  const watched = (host, repo) => {
    const sent = []
    const real = timedFetch({})
    const storage = new RegistryStorage(`${host}/${repo}:latest`, {
      dockerConfig: false,
      chunkSize: 64 << 10,
      fetch: (url, init) => {
        const status = init.method === 'GET' && String(url).includes('/blobs/uploads/')
        sent.push(status ? 'STATUS' : init.method === 'PATCH' ? `PATCH ${init.headers['content-range']}` : init.method)
        return real(url, init)
      },
    })
    return { storage, sent }
  }

  test('goes on from where the registry\'s session stands', async () => {
    // Cut after a PATCH's headers: the driver asks the session where it
    // stands (the distribution spec's upload status) and goes on in the same
    // session — not the blob again.
    const blob = randomBytes(1 << 20) // 16 chunks of 64 KiB: 15 PATCHes and the PUT
    const d = String(digest(blob))
    const { storage, sent } = watched(reg.cutPatchHost, 'resume/r')
    await storage.writeBlob(d, blob)
    assert.equal(sent.filter((m) => m === 'POST').length, 1, sent.join(' '))
    assert.equal(sent.filter((m) => m === 'STATUS').length, 1, sent.join(' '))
    assert.ok(sent.filter((m) => m === `PATCH ${4 << 16}-${(5 << 16) - 1}`).length >= 2, 'the cut chunk is sent again, from its start')
    const direct = new RegistryStorage(`${reg.host}/resume/r:latest`, { dockerConfig: false })
    assert.deepEqual(Buffer.from(await direct.readBlob(d)), blob)
  })

  test('starts a blob held whole again in a new session when the registry forgot the old one', async () => {
    // Cut mid-body: this registry (distribution) forgets a session whose
    // PATCH broke off half-way.
    const blob = randomBytes(1 << 20)
    const d = String(digest(blob))
    const { storage, sent } = watched(reg.cutOnceHost, 'resume/s')
    await storage.writeBlob(d, blob)
    assert.equal(sent.filter((m) => m === 'POST').length, 2, sent.join(' '))
    const direct = new RegistryStorage(`${reg.host}/resume/s:latest`, { dockerConfig: false })
    assert.deepEqual(Buffer.from(await direct.readBlob(d)), blob)
  })

  test('asks for the copy again when a streamed blob\'s session is lost', async () => {
    const reg2 = await startRegistry('--cut-once', String(300 << 10))
    try {
      const blob = randomBytes(1 << 20)
      const d = String(digest(blob))
      const cut = new RegistryStorage(`${reg2.cutOnceHost}/resume/t:latest`, { dockerConfig: false, chunkSize: 64 << 10 })
      async function* chunks() {
        for (let i = 0; i < blob.length; i += 4096) yield blob.subarray(i, i + 4096)
      }
      const err = await cut.writeBlob(d, chunks()).catch((e) => e)
      assert.equal(err.code, 'REGISTRY_ERROR', String(err))
      assert.match(err.message, /copy it again/)
      assert.equal(await new RegistryStorage(`${reg2.host}/resume/t:latest`, { dockerConfig: false }).hasBlob(d), false)
    } finally {
      await reg2.stop()
    }
  })
})

describe('redirected blobs', () => {
  let reg
  let front
  let storage
  let leaked = 0
  before(async () => {
    reg = await startRegistry()
    // "storage": serves blob bytes from the registry, and counts requests
    // that arrive with credentials (they must not follow a redirect to
    // another origin).
    storage = createServer(async (req, res) => {
      if (req.headers.authorization) leaked++
      const r = await fetch(`http://${reg.host}${req.url}`)
      res.writeHead(r.status, { 'content-type': 'application/octet-stream' })
      res.end(Buffer.from(await r.arrayBuffer()))
    })
    await new Promise((r) => storage.listen(0, '127.0.0.1', r))
    // "front": a registry that wants basic credentials and redirects blob
    // GETs to storage; everything else is passed to the real registry.
    front = createServer(async (req, res) => {
      if (req.headers.authorization !== 'Basic ' + Buffer.from('u:p').toString('base64')) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="front"' })
        return res.end()
      }
      if (req.method === 'GET' && req.url.includes('/blobs/sha256:')) {
        res.writeHead(307, { location: `http://localhost:${storage.address().port}${req.url}` })
        return res.end()
      }
      const body = []
      for await (const c of req) body.push(c)
      const headers = { ...req.headers }
      delete headers.host
      delete headers.authorization
      const r = await fetch(`http://${reg.host}${req.url}`, { method: req.method, headers, body: body.length ? Buffer.concat(body) : undefined, redirect: 'manual' })
      const out = {}
      r.headers.forEach((v, k) => (out[k] = v))
      delete out['content-encoding']
      delete out['transfer-encoding']
      res.writeHead(r.status, out)
      res.end(Buffer.from(await r.arrayBuffer()))
    })
    await new Promise((r) => front.listen(0, '127.0.0.1', r))
  })
  after(async () => {
    front.close()
    storage.close()
    await reg.stop()
  })

  test('are followed, without the credentials on another origin', async () => {
    await copy(new LocalStorage(fixture('small-max')), new RegistryStorage(`${reg.host}/redir/c:latest`, { dockerConfig: false }))
    const remote = new RegistryStorage(`127.0.0.1:${front.address().port}/redir/c:latest`, { username: 'u', password: 'p' })
    const back = temp()
    await copy(remote, new LocalStorage(back))
    assert.deepEqual(blobsOf(back), await reachable(fixture('small-max')))
    assert.equal((await verify(new LocalStorage(back))).ok, true)
    assert.equal(leaked, 0)
  })
})
