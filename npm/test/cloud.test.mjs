// The cloud drivers — s3 and azblob — by the same tests, against real
// servers on 127.0.0.1 started for this file and stopped after: moto_server
// (PyPI moto[server], from the repository's .venv) for S3 and azurite-blob
// (npm azurite, with --disableTelemetry) for Azure Blob Storage. A store is
// filled with a real BuildKit type=s3 export (tests/fixtures/cloud/
// s3-small-max, captured with its type=local twin; azblob keeps the same
// names and bytes under its default prefixes). The Python package's
// test_cloud.py runs the same cases on its drivers.
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { BlobClient, BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob'
import { INDEX_ATTEMPTS, collect, daemonSettings, unconditionalError } from '../cloud.mjs'
import { ImageIndex, digest, parseCacheOptions } from '../index.mjs'
import { openLocation } from '../location.mjs'
import { convert, copy, gc, inspect, merge, prune, verify } from '../operations.mjs'
import { LocalStorage } from '../storage.mjs'
import { testsDir } from './data.mjs'
import { AZURITE_ACCOUNT as ACCOUNT, AZURITE_KEY as KEY, startAzurite, startMoto } from './servers.mjs'

const capture = join(testsDir, 'fixtures/cloud/s3-small-max')
const servers = []
let moto
let motoAuth
let azurite
let made = 0

before(async () => {
  const [m, ma, az] = await Promise.all([startMoto(), startMoto({ checkCredentials: true }), startAzurite()])
  servers.push(m, ma, az)
  moto = m.endpoint
  motoAuth = ma.endpoint
  azurite = az.accountUrl
})

after(() => Promise.all(servers.map((s) => s.stop())))

// One empty bucket or container: its location string, and raw access.
const kinds = {
  async s3() {
    const bucket = `c${process.pid}-${++made}`
    const c = new S3Client({ endpoint: moto, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } })
    await c.send(new CreateBucketCommand({ Bucket: bucket }))
    return {
      spec: (name, b = bucket) => `type=s3,bucket=${b},region=us-east-1,endpoint_url=${moto},use_path_style=true,access_key_id=x,secret_access_key=y,name=${name}`,
      put: (Key, Body) => c.send(new PutObjectCommand({ Bucket: bucket, Key, Body })),
      delete: (Key) => c.send(new DeleteObjectCommand({ Bucket: bucket, Key })),
      keys: async () => new Set(((await c.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((o) => o.Key)),
      get: async (Key) => Buffer.from(await (await c.send(new GetObjectCommand({ Bucket: bucket, Key }))).Body.transformToByteArray()),
      missing: (name) => `type=s3,bucket=missing-${bucket},region=us-east-1,endpoint_url=${moto},use_path_style=true,access_key_id=x,secret_access_key=y,name=${name}`,
    }
  },
  async azblob() {
    const container = `c${process.pid}-${++made}`
    const c = new BlobServiceClient(azurite, new StorageSharedKeyCredential(ACCOUNT, KEY)).getContainerClient(container)
    await c.create()
    const spec = (name, ct = container) => `type=azblob,account_url=${azurite},account_name=${ACCOUNT},secret_access_key=${KEY},container=${ct},name=${name}`
    return {
      spec,
      put: (key, body) => c.getBlockBlobClient(key).upload(body, body.length),
      delete: (key) => c.getBlockBlobClient(key).delete(),
      keys: async () => {
        const out = new Set()
        for await (const b of c.listBlobsFlat()) out.add(b.name)
        return out
      },
      get: (key) => c.getBlockBlobClient(key).downloadToBuffer(),
      missing: (name) => spec(name, `missing-${container}`),
    }
  },
}

const captureKeys = () => new Set(['manifests/small', ...readdirSync(join(capture, 'bucket/blobs')).map((b) => `blobs/${b}`)])

async function uploadCapture(store) {
  for (const key of captureKeys()) await store.put(key, readFileSync(join(capture, 'bucket', key)))
}

function localManifest() {
  const index = ImageIndex.fromBytes(readFileSync(join(capture, 'cache/index.json'))).toJSON()
  return readFileSync(join(capture, 'cache/blobs', index.manifests[0].digest.replace(':', '/')))
}

for (const [kind, make] of Object.entries(kinds)) {
  describe(kind, () => {
    const storage = (store, name = 'buildkit') => openLocation(store.spec(name)).storage

    test('a BuildKit export reads as the layout of its local twin', async () => {
      const store = await make()
      await uploadCapture(store)
      const s = storage(store, 'small')
      const entry = ImageIndex.fromBytes(await s.readIndex()).findTag('small')
      assert.deepEqual(Buffer.from(await s.readBlob(entry.digest)), localManifest())
      const report = await verify(s)
      assert.ok(report.ok, report.toText())
      const json = report.toJSON()
      assert.deepEqual([json.blobs, json.reachable, json.errors], [9, 9, 0])
      assert.match((await inspect(s)).toText(), /7 layers/)
    })

    test('copies both ways give BuildKit\'s own bytes', async () => {
      const store = await make()
      const source = new LocalStorage(join(capture, 'cache'))
      await copy(source, storage(store, 'small'), { tag: 'latest', toTag: 'small' })
      assert.deepEqual(await store.keys(), captureKeys())
      assert.deepEqual(Buffer.from(await store.get('manifests/small')), readFileSync(join(capture, 'bucket/manifests/small')))
      assert.equal((await copy(source, storage(store, 'small'), { tag: 'latest', toTag: 'small' })).copied, 0)
      const dir = mkdtempSync(join(tmpdir(), 'ocicache-cloud-'))
      try {
        await copy(storage(store, 'small'), new LocalStorage(dir), { toTag: 'latest' })
        assert.deepEqual(readFileSync(join(dir, 'index.json')), readFileSync(join(capture, 'cache/index.json')))
        for (const b of readdirSync(join(capture, 'cache/blobs/sha256'))) {
          assert.deepEqual(readFileSync(join(dir, 'blobs/sha256', b)), readFileSync(join(capture, 'cache/blobs/sha256', b)))
        }
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    })

    test('gc deletes only what no stored config reaches, after the grace period; dropping a tag removes its config', async () => {
      const store = await make()
      await uploadCapture(store)
      const stray = Buffer.from('a blob no config names')
      const key = `blobs/sha256:${createHash('sha256').update(stray).digest('hex')}`
      await store.put(key, stray)
      await copy(new LocalStorage(join(testsDir, 'fixtures/buildkit/local-min/cache')), storage(store, 'other'), { tag: 'latest', toTag: 'other' })
      const s = storage(store, 'small')
      const before = await store.keys()
      const plan = await gc(s, { dryRun: true, gracePeriodMs: 0, settleMs: 0 })
      assert.deepEqual(plan.delete, [`blobs/sha256/${key.split(':')[1]}`])
      assert.deepEqual(await store.keys(), before)
      assert.deepEqual((await gc(s, { gracePeriodMs: 3_600_000, settleMs: 0 })).delete, [])
      await gc(s, { gracePeriodMs: 0, settleMs: 0 })
      const after = await store.keys()
      assert.deepEqual([...before].filter((k) => !after.has(k)), [key])
      assert.ok((await verify(s)).ok)
      await gc(storage(store, 'small'), { dropTags: ['other'], gracePeriodMs: 0, settleMs: 0 })
      assert.deepEqual(await store.keys(), captureKeys())
    })

    test('gc keeps young blobs by default, and what was touched since its listing', async () => {
      const store = await make()
      await uploadCapture(store)
      const stray = Buffer.from('a blob no config names')
      const key = `blobs/sha256:${createHash('sha256').update(stray).digest('hex')}`
      await store.put(key, stray)
      const s = storage(store, 'small')
      assert.equal(s.defaultGracePeriodMs, 24 * 3600 * 1000)
      assert.deepEqual((await gc(s, { settleMs: 0 })).delete, [])
      const list = s.listBlobs.bind(s)
      let calls = 0
      s.listBlobs = async () => {
        const listing = await list()
        return ++calls === 1 ? listing : listing.map((b) => ({ ...b, modified: (b.modified ?? 0) + 1000 }))
      }
      assert.deepEqual((await gc(s, { gracePeriodMs: 0, settleMs: 0 })).delete, [])
      assert.ok((await store.keys()).has(key))
      await gc(storage(store, 'small'), { gracePeriodMs: 0, settleMs: 0 })
      assert.ok(!(await store.keys()).has(key))
    })

    test('merge, prune and convert work on the store', async () => {
      const store = await make()
      await copy(new LocalStorage(join(testsDir, 'fixtures/buildkit/local-min/cache')), storage(store, 'a'), { tag: 'latest', toTag: 'a' })
      const s = storage(store, 'a')
      await merge(s, [{ storage: s, tag: 'a' }, { storage: new LocalStorage(join(testsDir, 'fixtures/buildkit/small-max/cache')), tag: 'latest' }], { tag: 'merged' })
      const keys = await store.keys()
      assert.ok(keys.has('manifests/a') && keys.has('manifests/merged'))
      assert.ok((await verify(storage(store, 'a'))).ok)
      const stored = (await verify(storage(store, 'a'))).toJSON().bytes
      const pruned = await prune(storage(store, 'a'), { maxSize: Math.floor((stored * 3) / 4), gracePeriodMs: 0, settleMs: 0 })
      assert.ok(pruned.plan.freedBytes > 0 && pruned.gc.delete.length > 0, 'nothing was pruned')
      assert.ok((await verify(storage(store, 'a'))).toJSON().bytes <= Math.floor((stored * 3) / 4))
      await convert(storage(store, 'a'), { tag: 'a', compression: 'zstd' })
      assert.match((await store.get('manifests/a')).toString(), /tar\+zstd/)
      assert.ok((await verify(storage(store, 'a'))).ok)
    })

    test('a config another writer stored since it was read is not overwritten: the update runs again', async () => {
      // An export that stores a name between updateIndex's read and its
      // write fails the write's condition (If-Match the ETag read, or
      // If-None-Match: * for a new name); the update then sees the export.
      const store = await make()
      await copy(new LocalStorage(join(capture, 'cache')), storage(store, 'small'), { tag: 'latest', toTag: 'small' })
      await copy(new LocalStorage(join(testsDir, 'fixtures/buildkit/local-min/cache')), storage(store, 'a'), { tag: 'latest', toTag: 'a' })
      const exported = await store.get('manifests/small')
      const original = await store.get('manifests/a')
      const named = (bytes, tag) => {
        try {
          return ImageIndex.fromBytes(bytes).findTag(tag).digest
        } catch {
          return null
        }
      }
      for (const tag of ['a', 'new']) {
        const s = storage(store, 'a')
        const seen = []
        const small = named(await s.readIndex(), 'small')
        await s.updateIndex(async (current) => {
          seen.push(named(current, tag))
          if (seen.length === 1) await store.put(`manifests/${tag}`, exported) // the export lands
          return ImageIndex.updatedLayoutIndex(current, tag, ImageIndex.fromBytes(current).findTag('small'))
        })
        assert.equal(seen.length, 2, `${tag}: the update ran ${seen.length} time(s)`)
        assert.equal(seen[1], small, `${tag}: the second run saw the export`)
        assert.notEqual(seen[0], small)
      }
      // An export before every write: CACHE_LOCKED after INDEX_ATTEMPTS.
      await store.put('manifests/a', original)
      const s = storage(store, 'a')
      let runs = 0
      await assert.rejects(
        s.updateIndex(async (current) => {
          runs++
          // New bytes each time (an S3 ETag is their MD5), and not what the update writes.
          await store.put('manifests/a', Buffer.concat([original, Buffer.from(' '.repeat(runs))]))
          return ImageIndex.updatedLayoutIndex(current, 'a', ImageIndex.fromBytes(current).findTag('small'))
        }),
        { code: 'CACHE_LOCKED' },
      )
      assert.equal(runs, INDEX_ATTEMPTS)
    })

    test('a store that does not implement conditional writes is written to without them', async () => {
      const store = await make()
      const s = storage(store, 'a')
      const put = s._putWhole.bind(s)
      const asked = []
      s._putWhole = (key, body, condition) => {
        if (key.startsWith('manifests/')) asked.push([key, condition])
        return condition ? Promise.reject(unconditionalError(s, key)) : put(key, body, null)
      }
      const source = new LocalStorage(join(testsDir, 'fixtures/buildkit/local-min/cache'))
      await copy(source, s, { tag: 'latest', toTag: 'a' })
      await copy(source, s, { tag: 'latest', toTag: 'b' })
      assert.deepEqual(asked, [['manifests/a', { ifNoneMatch: '*' }], ['manifests/a', null], ['manifests/b', null]])
      assert.ok((await store.keys()).has('manifests/b'))
      assert.ok((await verify(storage(store, 'b'))).ok)
    })

    test('damage is found and gc fails closed', async () => {
      const store = await make()
      await uploadCapture(store)
      const gone = readdirSync(join(capture, 'bucket/blobs')).sort()[0]
      await store.delete(`blobs/${gone}`)
      const report = await verify(storage(store, 'small'))
      assert.ok(!report.ok)
      assert.ok(report.toJSON().findings.some((f) => f.code === 'MISSING_BLOB'))
      assert.deepEqual((await gc(storage(store, 'small'), { gracePeriodMs: 0, settleMs: 0 })).delete, [])
      await store.put('manifests/broken', Buffer.from('{"layers":[{"blob":"sha256:00"}]}'))
      await assert.rejects(gc(storage(store, 'small'), { gracePeriodMs: 0, settleMs: 0 }), { code: 'INCOMPLETE_CACHE' })
      assert.equal((await store.keys()).size, 8)
    })

    test('large blobs are committed only when their digest matches', async () => {
      const store = await make()
      const s = storage(store)
      const data = randomBytes((32 << 20) * 2 + 12345)
      const d = `sha256:${createHash('sha256').update(data).digest('hex')}`
      const chunks = function* () {
        for (let at = 0; at < data.length; at += 1 << 20) yield data.subarray(at, at + (1 << 20))
      }
      await s.writeBlob(d, chunks())
      const h = createHash('sha256')
      for await (const c of s.openBlob(d)) h.update(c)
      assert.equal(`sha256:${h.digest('hex')}`, d)
      const wrong = `sha256:${createHash('sha256').update('something else').digest('hex')}`
      await assert.rejects(s.writeBlob(wrong, chunks()), { code: 'DIGEST_MISMATCH' })
      assert.equal(await s.hasBlob(wrong), false)
      await assert.rejects(s.writeBlob(wrong, Buffer.from('small and wrong')), { code: 'DIGEST_MISMATCH' })
      assert.equal(await s.hasBlob(wrong), false)
    })

    test('an interrupted copy leaves the tag as it was, and the next completes', async () => {
      const store = await make()
      const source = new LocalStorage(join(capture, 'cache'))
      const s = storage(store, 'small')
      const put = s._put.bind(s)
      let n = 0
      s._put = (...args) => (++n === 4 ? Promise.reject(Object.assign(new Error('the connection broke'), { code: 'STORAGE_ERROR' })) : put(...args))
      await assert.rejects(copy(source, s, { tag: 'latest', toTag: 'small' }), { code: 'STORAGE_ERROR' })
      assert.ok(!(await store.keys()).has('manifests/small'), 'the tag was written before its blobs')
      const again = await copy(source, storage(store, 'small'), { tag: 'latest', toTag: 'small' })
      assert.ok(again.copied > 0 && again.copied < 7, String(again.copied))
      assert.deepEqual(await store.keys(), captureKeys())
      assert.ok((await verify(storage(store, 'small'))).ok)
    })

    test('blobs are looked up in one listing where it covers them', async () => {
      // hasBlob answers from one listing of the blobs for the keys it covers:
      // a copy into an empty store looks up no blob one by one; a blob the
      // listing has is still looked up (it may be gone); keys past a listing
      // cut short, or any key when listing is refused, are looked up.
      const store = await make()
      const source = new LocalStorage(join(capture, 'cache'))
      const heads = []
      let listings = 0
      const watched = (s, { refuse = false } = {}) => {
        const blobs = s._blobKey('')
        const head = s._head.bind(s)
        const pages = s._listPages.bind(s)
        s._head = (key) => (heads.push(key), head(key))
        s._listPages = async function* (prefix) {
          if (prefix === blobs) {
            listings++
            if (refuse) throw Object.assign(new Error('s3:ListBucket is not granted'), { code: 'UNAUTHORIZED' })
          }
          // Pages of 2 keys, to cut the listing short below.
          for await (const page of pages(prefix)) for (let i = 0; i < page.length; i += 2) yield page.slice(i, i + 2)
        }
        return s
      }
      const s = watched(storage(store, 'small'))
      const blobs = s._blobKey('')
      const first = await copy(source, s, { tag: 'latest', toTag: 'small' })
      assert.deepEqual([first.copied, heads, listings], [first.blobs, [], 1])
      // What the driver wrote joined its listing: found, each confirmed.
      const again = await copy(source, s, { tag: 'latest', toTag: 'small' })
      const layers = [...(await store.keys())].filter((k) => k.startsWith(blobs)).sort()
      assert.deepEqual([again.skipped, heads.sort(), listings], [again.blobs, layers, 1])
      // Gone behind the driver's back: the lookup says so.
      await store.delete(layers[0])
      assert.equal(await s.hasBlob(layers[0].slice(blobs.length)), false)
      // A listing cut short (one page of 2 keys) covers keys up to its last.
      const fresh = watched(storage(store, 'small'))
      fresh.presencePages = 1
      heads.length = 0
      assert.equal(await fresh.hasBlob(layers[2].slice(blobs.length)), true)
      assert.equal(await fresh.hasBlob(`sha256:${'0'.repeat(64)}`), false)
      assert.deepEqual(heads, [layers[2]])
      // Refused to list (credentials that may only look up): each key is looked up.
      heads.length = 0
      assert.equal(await watched(storage(store, 'small'), { refuse: true }).hasBlob(`sha256:${'0'.repeat(64)}`), false)
      assert.deepEqual(heads, [`${blobs}sha256:${'0'.repeat(64)}`])
    })

    test('a read is one request for any limit and any length', async () => {
      // readBlob asks for a range and takes what comes: no lookup first,
      // empty blobs, limits past the end, and a missing blob (null).
      const store = await make()
      const s = storage(store)
      const [empty, hello] = [digest(Buffer.alloc(0)), digest(Buffer.from('hello'))].map(String)
      await store.put(s._blobKey(empty), Buffer.alloc(0))
      await store.put(s._blobKey(hello), Buffer.from('hello'))
      const lookup = (key) => Promise.reject(new Error(`looked ${key} up before reading it`))
      s._head = lookup
      const properties = BlobClient.prototype.getProperties
      BlobClient.prototype.getProperties = function () {
        return lookup(this.name)
      }
      try {
        const reads = []
        for (const d of [empty, hello]) for (const limit of [0, 3, 10, undefined]) reads.push(Buffer.from(await s.readBlob(d, undefined, { limit })).toString())
        assert.deepEqual(reads, ['', '', '', '', '', 'hel', 'hello', 'hello'])
        assert.equal(await s.readBlob(String(digest(Buffer.from('gone'))), undefined, { limit: 5 }), null)
      } finally {
        BlobClient.prototype.getProperties = properties
      }
    })

    test('a missing bucket or container is STORAGE_ERROR, and says no secret', async () => {
      const store = await make()
      const err = await openLocation(store.missing('x')).storage.readIndex().then(() => null, (e) => e)
      assert.equal(err?.code, 'STORAGE_ERROR')
      assert.match(err.message, /no (bucket|container) "missing-c/)
      assert.ok(!err.message.includes(KEY) && !err.message.includes('secret'), err.message)
    })
  })
}

test('a response body is collected into one buffer of its length, whatever it really holds', async () => {
  async function* chunks(...parts) {
    for (const p of parts) yield new Uint8Array(Buffer.from(p))
  }
  const text = async (...args) => Buffer.from(await collect(...args)).toString()
  assert.equal(await text(chunks('ab', 'cd'), 4), 'abcd')
  assert.equal(await text(chunks('ab', 'cd'), 3), 'abcd', 'longer than it said: all of it')
  assert.equal(await text(chunks('ab'), 4), 'ab', 'shorter than it said: what came')
  assert.equal(await text(chunks('ab', 'cd'), Number.NaN), 'abcd', 'no length')
  assert.equal(await text(chunks(), 0), '')
})

test('missing attributes come from the daemon\'s environment, as BuildKit reads it', () => {
  let e = parseCacheOptions('type=s3,name=a', { direction: 'import' })[0]
  const done = daemonSettings('s3', e.settings, e.attrs, { AWS_BUCKET: 'b', AWS_REGION: 'r' })
  assert.deepEqual([done.bucket, done.region], ['b', 'r'])
  assert.throws(() => daemonSettings('s3', e.settings, e.attrs, { AWS_REGION: 'r' }), { code: 'MISSING_OPTION', message: 'bucket ($AWS_BUCKET) not set for s3 cache' })
  e = parseCacheOptions('type=azblob,container=mine,name=a', { direction: 'import' })[0]
  const env = { BUILDKIT_AZURE_STORAGE_ACCOUNT_URL: 'http://u', BUILDKIT_AZURE_STORAGE_CONTAINER: 'theirs', BUILDKIT_AZURE_STORAGE_PREFIX: 'p/' }
  const az = daemonSettings('azblob', e.settings, e.attrs, env)
  assert.deepEqual([az.accountUrl, az.container, az.prefix], ['http://u', 'mine', 'p/'])
  assert.throws(() => daemonSettings('azblob', e.settings, e.attrs, {}), { code: 'MISSING_OPTION' })
})

for (const kind of ['s3', 'azblob']) {
  test(`${kind}: wrong credentials are UNAUTHORIZED, and the secret is not said`, async () => {
    const secret = kind === 's3' ? 'not-a-real-secret' : 'bm90LXRoZS1rZXk='
    const spec = kind === 's3'
      ? `type=s3,bucket=b,region=us-east-1,endpoint_url=${motoAuth},use_path_style=true,access_key_id=AKIAWRONG,secret_access_key=${secret}`
      : `type=azblob,account_url=${azurite},account_name=${ACCOUNT},secret_access_key=${secret},container=denied`
    const err = await openLocation(spec).storage.readIndex().then(() => null, (e) => e)
    assert.equal(err?.code, 'UNAUTHORIZED', err?.message)
    assert.ok(!err.message.includes(secret))
    // Writing is refused as reading was, also for a blob above the S3 SDK's
    // 100-continue threshold (2 MiB), which the driver sends without
    // waiting for the server's go-ahead.
    const big = randomBytes(3 << 20)
    const put = await openLocation(spec).storage.writeBlob(`sha256:${createHash('sha256').update(big).digest('hex')}`, big).then(() => null, (e) => e)
    assert.equal(put?.code, 'UNAUTHORIZED', put?.message)
    assert.ok(!put.message.includes(secret))
  })
}
