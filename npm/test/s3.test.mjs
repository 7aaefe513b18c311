// The s3 driver against a real S3 API server: moto_server (PyPI
// moto[server], from the repository's .venv) on 127.0.0.1, started for this
// file and stopped after. The bucket is filled with a real BuildKit type=s3
// export (tests/fixtures/cloud/s3-small-max, captured with its type=local twin).
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { ImageIndex, parseCacheOptions } from '../index.mjs'
import { openLocation } from '../location.mjs'
import { copy, gc, inspect, verify } from '../operations.mjs'
import { S3Storage } from '../s3.mjs'
import { LocalStorage } from '../storage.mjs'
import { testsDir } from './data.mjs'

const capture = join(testsDir, 'fixtures/cloud/s3-small-max')
const motoServer = new URL('../../.venv/bin/moto_server', import.meta.url).pathname
let server
let endpoint
let client
let buckets = 0

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

before(async () => {
  assert.ok(existsSync(motoServer), `no ${motoServer}: run scripts/setup.sh (moto[server] is in python/requirements-dev.txt)`)
  const port = await freePort()
  server = spawn(motoServer, ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' })
  endpoint = `http://127.0.0.1:${port}`
  client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } })
  for (let i = 0; ; i++) {
    try {
      await client.send(new ListObjectsV2Command({ Bucket: 'probe' }))
      break
    } catch (err) {
      if (err.name === 'NoSuchBucket') break
      if (i > 200) throw err
      await new Promise((r) => setTimeout(r, 50))
    }
  }
})

after(() => {
  client?.destroy()
  server?.kill()
})

async function newBucket() {
  const name = `n${process.pid}-${++buckets}`
  await client.send(new CreateBucketCommand({ Bucket: name }))
  return name
}

const spec = (bucket, more = '') =>
  `type=s3,bucket=${bucket},region=us-east-1,endpoint_url=${endpoint},use_path_style=true,access_key_id=x,secret_access_key=y${more}`
const settings = (bucket, more) => parseCacheOptions(spec(bucket, more), { direction: 'import' })[0].settings

async function uploadCapture(bucket) {
  const root = join(capture, 'bucket')
  for (const key of ['manifests/small', ...readdirSync(join(root, 'blobs')).map((b) => `blobs/${b}`)]) {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: readFileSync(join(root, key)) }))
  }
}

async function keys(bucket) {
  return new Set(((await client.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((o) => o.Key))
}

function localManifest() {
  const index = ImageIndex.fromBytes(readFileSync(join(capture, 'cache/index.json'))).toJSON()
  return readFileSync(join(capture, 'cache/blobs', index.manifests[0].digest.replace(':', '/')))
}

test('a BuildKit s3 export reads as the layout of its local twin', async () => {
  const bucket = await newBucket()
  await uploadCapture(bucket)
  const storage = new S3Storage(settings(bucket, ',name=small'))
  const entry = ImageIndex.fromBytes(await storage.readIndex()).findTag('small')
  assert.deepEqual(Buffer.from(await storage.readBlob(entry.digest)), localManifest())
  const report = await verify(storage)
  assert.ok(report.ok, report.toText())
  const json = report.toJSON()
  assert.deepEqual([json.blobs, json.reachable, json.errors], [9, 9, 0])
  assert.match((await inspect(storage)).toText(), /7 layers/)
})

test('copy s3 to local gives BuildKit\'s local export; local to s3 gives its s3 export', async () => {
  const bucket = await newBucket()
  await uploadCapture(bucket)
  const dir = mkdtempSync(join(tmpdir(), 'ocicache-s3-'))
  try {
    await copy(new S3Storage(settings(bucket, ',name=small')), new LocalStorage(dir), { toTag: 'latest' })
    assert.deepEqual(readFileSync(join(dir, 'index.json')), readFileSync(join(capture, 'cache/index.json')))
    for (const b of readdirSync(join(capture, 'cache/blobs/sha256'))) {
      assert.deepEqual(readFileSync(join(dir, 'blobs/sha256', b)), readFileSync(join(capture, 'cache/blobs/sha256', b)))
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  const into = await newBucket()
  const source = new LocalStorage(join(capture, 'cache'))
  await copy(source, new S3Storage(settings(into, ',name=small')), { tag: 'latest', toTag: 'small' })
  assert.deepEqual(await keys(into), await keys(bucket))
  const stored = await client.send(new GetObjectCommand({ Bucket: into, Key: 'manifests/small' }))
  assert.deepEqual(Buffer.from(await stored.Body.transformToByteArray()), readFileSync(join(capture, 'bucket/manifests/small')))
  const again = await copy(source, new S3Storage(settings(into, ',name=small')), { tag: 'latest', toTag: 'small' })
  assert.equal(again.copied, 0)
})

test('gc deletes only what no stored config reaches, after the grace period', async () => {
  const bucket = await newBucket()
  await uploadCapture(bucket)
  const stray = Buffer.from('a blob no config names')
  const key = `blobs/sha256:${createHash('sha256').update(stray).digest('hex')}`
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: stray }))
  await copy(new LocalStorage(join(testsDir, 'fixtures/buildkit/local-min/cache')), new S3Storage(settings(bucket, ',name=other')), { tag: 'latest', toTag: 'other' })
  const storage = new S3Storage(settings(bucket, ',name=small'))
  const before = await keys(bucket)
  const plan = await gc(storage, { dryRun: true, gracePeriodMs: 0, settleMs: 0 })
  assert.deepEqual(plan.delete, [`blobs/sha256/${key.split(':')[1]}`])
  assert.deepEqual(await keys(bucket), before)
  assert.deepEqual((await gc(storage, { gracePeriodMs: 3_600_000, settleMs: 0 })).delete, [])
  await gc(storage, { gracePeriodMs: 0, settleMs: 0 })
  const after = await keys(bucket)
  assert.deepEqual([...before].filter((k) => !after.has(k)), [key])
  assert.ok((await verify(storage)).ok)
})

test('a blob deleted behind our back is MISSING_BLOB; a stored config that is not one makes gc refuse', async () => {
  const bucket = await newBucket()
  await uploadCapture(bucket)
  const gone = readdirSync(join(capture, 'bucket/blobs')).sort()[0]
  await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: `blobs/${gone}` }))
  const report = await verify(new S3Storage(settings(bucket, ',name=small')))
  assert.ok(!report.ok)
  assert.ok(report.toJSON().findings.some((f) => f.code === 'MISSING_BLOB'))
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'manifests/broken', Body: '{"layers":[{"blob":"sha256:00"}]}' }))
  await assert.rejects(gc(new S3Storage(settings(bucket, ',name=small')), { gracePeriodMs: 0, settleMs: 0 }), { code: 'INCOMPLETE_CACHE' })
  assert.equal((await keys(bucket)).size, 8)
})

test('large blobs go up in parts, committed only when their digest matches', async () => {
  const bucket = await newBucket()
  const storage = new S3Storage(settings(bucket))
  const data = randomBytes((16 << 20) * 2 + 12345)
  const d = `sha256:${createHash('sha256').update(data).digest('hex')}`
  const chunks = function* () {
    for (let at = 0; at < data.length; at += 1 << 20) yield data.subarray(at, at + (1 << 20))
  }
  await storage.writeBlob(d, chunks())
  const h = createHash('sha256')
  for await (const c of storage.openBlob(d)) h.update(c)
  assert.equal(`sha256:${h.digest('hex')}`, d)
  const wrong = `sha256:${createHash('sha256').update('something else').digest('hex')}`
  await assert.rejects(storage.writeBlob(wrong, chunks()), { code: 'DIGEST_MISMATCH' })
  assert.equal(await storage.hasBlob(wrong), false)
  assert.equal((await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads, undefined)
  await assert.rejects(storage.writeBlob(wrong, Buffer.from('small and wrong')), { code: 'DIGEST_MISMATCH' })
})

test('type=s3 locations open as S3Storage; a missing bucket is STORAGE_ERROR', async () => {
  const bucket = await newBucket()
  await uploadCapture(bucket)
  const loc = openLocation(spec(bucket, ',name=small'))
  assert.ok(loc.storage instanceof S3Storage)
  assert.equal(loc.tag, 'small')
  assert.ok((await verify(loc.source)).ok)
  await assert.rejects(new S3Storage(settings('no-such-bucket')).readIndex(), (err) => err.code === 'STORAGE_ERROR' && /no-such-bucket/.test(err.message))
})
