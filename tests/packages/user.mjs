// A user's ES module against the installed package: the API, and the
// operations on a copy of a cache through the local storage driver.
import assert from 'node:assert/strict'
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ocicache, { Digest, parseCacheOptions } from 'ocicache'
import { openLocation } from 'ocicache/location'
import { gc, inspect, verify } from 'ocicache/operations'
import { LocalStorage } from 'ocicache/storage'

assert.equal(Digest.parse(String(ocicache.digest(new Uint8Array()))).algorithm, 'sha256')
const [options] = parseCacheOptions('type=registry,ref=localhost:5000/app:cache,mode=max')
assert.equal(options.type, 'registry')

// The cloud drivers' SDKs are optional peer dependencies: without them, a clear error naming them.
for (const [spec, sdk] of [['type=s3,bucket=b,region=r', '@aws-sdk/client-s3'], ['type=azblob,account_url=http://a', '@azure/storage-blob']]) {
  await assert.rejects(openLocation(spec).storage.readIndex(), (err) => err.code === 'MISSING_DEPENDENCY' && err.message.includes(sdk))
}

const dir = mkdtempSync(join(tmpdir(), 'ocicache-user-'))
try {
  const cache = join(dir, 'cache')
  cpSync(process.argv[2], cache, { recursive: true })
  const storage = new LocalStorage(cache)
  assert.match((await inspect(storage)).toText(), /^  12 records, 7 layers/m)
  const report = await verify(storage)
  assert.ok(report.ok, report.toText())
  const plan = await gc(storage, { gracePeriodMs: 0, settleMs: 0 })
  assert.equal(plan.delete.length, 7)
  assert.equal(readdirSync(join(cache, 'blobs', 'sha256')).length, 9)
  assert.ok((await verify(storage)).ok)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
console.log('user.mjs: ok')
