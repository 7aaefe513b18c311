// Compiled (not run) by types.test.mjs: the typings of the drivers and
// operations fit together and with index.d.ts.
import { LocalStorage, type StorageDriver } from '../../storage'
import { convert, copy, gc, inspect, merge, verify } from '../../operations'
import { RegistryStorage } from '../../registry'
import { openLocation } from '../../location'
import { S3Storage } from '../../s3'
import { AzblobStorage } from '../../azblob'
import { parseCacheOptions } from '../../index'

export async function use(driver: StorageDriver): Promise<number> {
  const local = new LocalStorage('.buildx-cache')
  const report = await verify(local, { concurrency: 2, onProgress: (done: number, total: number) => void [done, total] })
  const ok: boolean = report.ok
  const text: string = (await inspect(driver)).toText()
  const plan = await gc(driver, { dryRun: true, keepTags: ['main'], gracePeriodMs: 0 })
  const deleted: string[] = plan.delete
  const merged = await merge(local, [{ storage: driver, tag: 'latest' }], { tag: 'merged', form: 'image-index' })
  const converted = await convert(local, { tag: 'merged', compression: 'zstd' })
  const remote = new RegistryStorage('ghcr.io/o/app:cache', { username: 'u', password: 'p', chunkSize: 1 << 20 })
  const copied = await copy(local, remote, { concurrency: 4 })
  const url: string = remote.location.manifestUrl(remote.tag)
  const opened = openLocation('type=registry,ref=127.0.0.1:5000/c:max', { username: 'u', password: 'p' })
  const back = await copy(opened.storage, local, { tag: opened.tag })
  const s3 = new S3Storage({ bucket: 'b', region: 'us-east-1', usePathStyle: true })
  const fromSettings = new S3Storage(parseCacheOptions('type=s3,bucket=b,region=r')[0].settings as { bucket: string })
  const toS3 = await copy(local, s3, { toTag: s3.tag })
  const s3gc = await gc(fromSettings, { gracePeriodMs: 0 })
  const az = new AzblobStorage({ accountUrl: 'https://a.blob.core.windows.net', container: 'c', names: ['main'] })
  const azCopy = await copy(s3, az, { toTag: az.tag })
  return Number(ok) + text.length + deleted.length + merged.layers + converted.recompressed + plan.freedBytes + copied.copied + url.length + back.blobs + toS3.copied + s3gc.delete.length + azCopy.copied
}
