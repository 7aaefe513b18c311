// A user's TypeScript file, type-checked (tsc --strict, NodeNext) against the
// typings the package installs: the root entry, the storage drivers and the operations.
import { Digest, Digester, MediaType, digest, parseCacheOptions, type CacheOptions } from 'ocicache'
import { gc, verify, type PruneResult } from 'ocicache/operations'
import { LocalStorage, type StorageDriver } from 'ocicache/storage'

const d: Digest = digest(new Uint8Array([1, 2, 3]), 'sha512')
const algorithm: string = d.algorithm
const h = new Digester()
h.update(new Uint8Array(4))
const same: boolean = String(h.finalize()) === String(Digest.parse(String(d)))
const options: CacheOptions[] = parseCacheOptions('type=local,src=/cache', { direction: 'import' })
const config: string | undefined = MediaType.CACHE_CONFIG

export async function check(root: string): Promise<boolean> {
  const storage: StorageDriver = new LocalStorage(root, { lockTimeoutMs: 1000 })
  const report = await verify(storage, { onProgress: (done: number, total: number) => void (done <= total) })
  const plan = await gc(storage, { dryRun: true, gracePeriodMs: 0 })
  const freed: number = plan.freedBytes
  const pruned: PruneResult | null = null
  return report.ok && freed >= 0 && pruned === null && same && options.length > 0 && algorithm !== '' && config !== ''
}
