// The storage-driver conformance suite: the same tests, parameterised by
// driver, that every driver passes — LocalStorage, RegistryStorage (Debian's
// docker-registry), S3Storage (moto_server), AzblobStorage (azurite) — and
// the reading half for the viewer's read-only FileStorage. A new driver is
// correct by passing it. Where a kind of store cannot do something (a
// registry cannot list or delete blobs, and holds one tag per reference),
// the suite checks that it says so. The Python package's
// test_conformance.py runs the same cases on its drivers.
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { register } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3'
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob'
import { ImageIndex } from '../index.mjs'
import { openLocation } from '../location.mjs'
import { copy, verify } from '../operations.mjs'
import { RegistryStorage } from '../registry.mjs'
import { LocalStorage } from '../storage.mjs'
import { testsDir } from './data.mjs'
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite, startMoto, startRegistry } from './servers.mjs'

// viewer/files.mjs imports 'ocicache' as a page's import map resolves it: here, this package.
register('./viewer-resolve.mjs', import.meta.url)
const { FileStorage } = await import('../../viewer/files.mjs')

const sha = (bytes) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`
const fixture = (name) => join(testsDir, 'fixtures/buildkit', name, 'cache')
const temps = []
let registry
let moto
let azurite
let made = 0

before(async () => {
  ;[registry, moto, azurite] = await Promise.all([startRegistry(), startMoto(), startAzurite()])
})

after(async () => {
  await Promise.all([registry, moto, azurite].filter(Boolean).map((s) => s.stop()))
  for (const t of temps) rmSync(t, { recursive: true, force: true })
})

// Each kind of store: a new empty driver, and what it can do.
const drivers = {
  local: {
    make: () => {
      const dir = mkdtempSync(join(tmpdir(), 'ocicache-conf-'))
      temps.push(dir)
      return new LocalStorage(dir)
    },
    lists: true,
    deletes: true,
    tags: 'many',
  },
  registry: {
    make: () => new RegistryStorage(`${registry.host}/conformance/r${++made}:t`),
    lists: false,
    deletes: false,
    tags: 'one',
  },
  s3: {
    make: async () => {
      const bucket = `conf${process.pid}-${++made}`
      const c = new S3Client({ endpoint: moto.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } })
      await c.send(new CreateBucketCommand({ Bucket: bucket }))
      c.destroy()
      return openLocation(`type=s3,bucket=${bucket},region=us-east-1,endpoint_url=${moto.endpoint},use_path_style=true,access_key_id=x,secret_access_key=y,name=t`).storage
    },
    lists: true,
    deletes: true,
    tags: 'many',
  },
  azblob: {
    make: async () => {
      const container = `conf${process.pid}-${++made}`
      await new BlobServiceClient(azurite.accountUrl, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY)).getContainerClient(container).create()
      return openLocation(`type=azblob,account_url=${azurite.accountUrl},account_name=${AZURITE_ACCOUNT},secret_access_key=${AZURITE_KEY},container=${container},name=t`).storage
    },
    lists: true,
    deletes: true,
    tags: 'many',
  },
}

async function joined(iterable) {
  const parts = []
  for await (const c of iterable) parts.push(c)
  return Buffer.concat(parts)
}

function firstEntry(index) {
  return ImageIndex.fromBytes(index).toJSON().manifests[0]
}

for (const [name, kind] of Object.entries(drivers)) {
  describe(`conformance: ${name}`, () => {
    test('an empty store has no index.json and lists no blobs', async () => {
      const s = await kind.make()
      assert.equal(await s.readIndex(), null)
      assert.deepEqual(await s.listBlobs(), [])
    })

    test('a blob written is there: whole, up to a limit, streamed, listed', async () => {
      const s = await kind.make()
      const bytes = randomBytes((3 << 20) + 17)
      const d = sha(bytes)
      await s.writeBlob(d, bytes)
      await s.writeBlob(d, bytes) // again: no error, same content
      assert.equal(await s.hasBlob(d), true)
      assert.deepEqual(Buffer.from(await s.readBlob(d)), bytes)
      assert.deepEqual(Buffer.from(await s.readBlob(d, undefined, { limit: 10 })), bytes.subarray(0, 10))
      assert.deepEqual(await joined(s.openBlob(d)), bytes)
      if (kind.lists) {
        const listed = (await s.listBlobs()).find((b) => b.path === `blobs/${d.replace(':', '/')}`)
        assert.equal(listed?.size, bytes.length)
      }
    })

    test('a blob written from chunks is the chunks joined', async () => {
      const s = await kind.make()
      const chunks = [randomBytes(1000), randomBytes(1 << 20), randomBytes(5)]
      const d = sha(Buffer.concat(chunks))
      await s.writeBlob(d, (async function* () {
        yield* chunks
      })())
      assert.deepEqual(await joined(s.openBlob(d)), Buffer.concat(chunks))
    })

    test('content that does not match its digest is refused and not stored', async () => {
      const s = await kind.make()
      const d = sha(Buffer.from('the digest of something else'))
      await assert.rejects(s.writeBlob(d, Buffer.from('this')), { code: 'DIGEST_MISMATCH' })
      assert.equal(await s.hasBlob(d), false)
    })

    test('a missing blob reads as null and streams as an error', async () => {
      const s = await kind.make()
      const d = sha(Buffer.from('never written'))
      assert.equal(await s.readBlob(d), null)
      assert.equal(await s.hasBlob(d), false)
      await assert.rejects(joined(s.openBlob(d)))
    })

    test('a cache copied in reads back with the same manifest, and verifies', async () => {
      const s = await kind.make()
      const source = new LocalStorage(fixture('local-min'))
      await copy(source, s, { tag: 'latest', toTag: s.tag ?? 't' })
      const entry = firstEntry(await s.readIndex())
      assert.equal(entry.digest, firstEntry(await source.readIndex()).digest)
      const report = await verify(s)
      assert.ok(report.ok, report.toText())
    })

    test(kind.tags === 'many' ? 'a second tag is kept beside the first' : 'one tag per reference: a copy replaces it', async () => {
      const s = await kind.make()
      await copy(new LocalStorage(fixture('local-min')), s, { tag: 'latest', toTag: s.tag ?? 't' })
      if (kind.tags === 'many') {
        await copy(new LocalStorage(fixture('small-max')), s, { tag: 'latest', toTag: 'second' })
        assert.deepEqual(ImageIndex.fromBytes(await s.readIndex()).tags().sort(), ['second', s.tag ?? 't'].sort())
      } else {
        await copy(new LocalStorage(fixture('small-max')), s, { tag: 'latest', toTag: s.tag })
        assert.equal(firstEntry(await s.readIndex()).digest, firstEntry(await new LocalStorage(fixture('small-max')).readIndex()).digest)
      }
    })

    test(kind.deletes ? 'a deleted blob is gone' : 'deleting is UNSUPPORTED_OPERATION', async () => {
      const s = await kind.make()
      const bytes = Buffer.from('to be deleted')
      await s.writeBlob(sha(bytes), bytes)
      if (kind.deletes) {
        await s.deleteBlob(sha(bytes))
        assert.equal(await s.hasBlob(sha(bytes)), false)
      } else {
        await assert.rejects(s.deleteBlob(sha(bytes)), { code: 'UNSUPPORTED_OPERATION' })
      }
    })
  })
}

describe('conformance: FileStorage (the viewer\'s, read-only): the reading half', () => {
  const root = fixture('local-min')
  const paths = ['index.json', 'oci-layout', ...readdirSync(join(root, 'blobs/sha256')).map((b) => `blobs/sha256/${b}`)]
  const make = () => FileStorage.fromEntries(paths.map((p) => [`cache/${p}`, new File([readFileSync(join(root, p))], p.split('/').pop())]), 'cache')

  test('reads, limits, streams and lists what the files hold, and verifies', async () => {
    const s = make()
    assert.deepEqual(Buffer.from(await s.readIndex()), readFileSync(join(root, 'index.json')))
    const blob = paths.find((p) => p.startsWith('blobs/'))
    const d = blob.slice('blobs/'.length).replace('/', ':')
    const bytes = readFileSync(join(root, blob))
    assert.equal(await s.hasBlob(d), true)
    assert.deepEqual(Buffer.from(await s.readBlob(d)), bytes)
    assert.deepEqual(Buffer.from(await s.readBlob(d, undefined, { limit: 10 })), bytes.subarray(0, 10))
    assert.deepEqual(await joined(s.openBlob(d)), bytes)
    assert.equal((await s.listBlobs()).find((b) => b.path === blob)?.size, bytes.length)
    assert.ok((await verify(s)).ok)
  })

  test('a missing blob reads as null; writing is refused', async () => {
    const s = make()
    const d = sha(Buffer.from('never written'))
    assert.equal(await s.readBlob(d), null)
    assert.equal(await s.hasBlob(d), false)
    await assert.rejects(s.writeBlob(d, Buffer.from('x')))
    await assert.rejects(s.writeIndex(Buffer.from('{}')))
  })
})
