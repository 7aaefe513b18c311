// Cache locations as buildx spells them: what `--cache-to`/`--cache-from`
// take, opened as a storage driver. `type=local,src=DIR` (or `dest=`, with
// `tag=` and `digest=`), `type=registry,ref=HOST/REPO:TAG` (with
// `registry.insecure=`), the registry shorthand `HOST/REPO:TAG`, or a plain
// directory. A path that starts with `/`, `./` or `../` is always a
// directory.
import { existsSync } from 'node:fs'
import { AzblobStorage } from './azblob.mjs'
import { daemonSettings } from './cloud.mjs'
import { parseCacheOptions } from './index.mjs'
import { RegistryStorage } from './registry.mjs'
import { S3Storage } from './s3.mjs'
import { LocalStorage, SelectedStorage } from './storage.mjs'

function coded(code, message) {
  return Object.assign(new Error(message), { code })
}

/**
 * Whether `spec` reads as a registry reference rather than a path: its
 * first component is a host (has a dot or a port, or is `localhost`) and no
 * such file exists, and it does not start with `/`, `./` or `../`. (buildx
 * reads every bare value as a reference; a CLI that also takes directories
 * cannot.)
 */
export function isReference(spec) {
  if (/^\.{0,2}\//.test(spec) || spec === '.' || spec === '..') return false
  const first = spec.split('/')[0]
  return spec.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') && !existsSync(spec)
}

/**
 * Opens a cache location: `{storage, tag, digest, registry, source}`.
 * `storage` is the driver to write to; `tag` the tag the location names
 * (`undefined` when it names none: a plain directory, or no `tag=`);
 * `digest` the manifest a `type=local` location pins with `digest=`;
 * `registry` says it is a registry; `source` is what reading the location
 * means — `storage` itself, or, when `tag=` or `digest=` is given, a
 * read-only SelectedStorage showing only that entry, as BuildKit would
 * import it. `options` go to RegistryStorage (`username`, `password`,
 * `dockerConfig`, …); a type=s3 or type=azblob location's credentials come
 * from its attributes or the SDK's default chain (S3Storage, AzblobStorage). Other cache types
 * are OPTION_NOT_ALLOWED.
 */
export function openLocation(spec, options = {}) {
  if (!spec.startsWith('type=') && !isReference(spec)) {
    const storage = new LocalStorage(spec)
    return { storage, tag: undefined, digest: undefined, registry: false, source: storage }
  }
  const [entry] = parseCacheOptions(spec)
  if (entry.type === 'registry') {
    const storage = new RegistryStorage(entry.settings.ref, { ...options, insecure: entry.settings.insecure })
    return { storage, tag: storage.tag, digest: undefined, registry: true, source: storage }
  }
  if (entry.type === 's3') {
    const storage = new S3Storage(daemonSettings('s3', entry.settings, entry.attrs))
    return { storage, tag: storage.tag, digest: undefined, registry: false, source: storage }
  }
  if (entry.type === 'azblob') {
    const storage = new AzblobStorage(daemonSettings('azblob', entry.settings, entry.attrs))
    return { storage, tag: storage.tag, digest: undefined, registry: false, source: storage }
  }
  if (entry.type !== 'local') {
    throw coded('OPTION_NOT_ALLOWED', `only type=local, type=registry, type=s3 and type=azblob caches can be opened, not type=${entry.type}`)
  }
  const dir = entry.attrs.src ?? entry.attrs.dest
  if (!dir) throw coded('MISSING_OPTION', 'a type=local cache needs src= or dest=')
  const storage = new LocalStorage(dir)
  const tag = entry.attrs.tag
  const digest = entry.settings.digest ?? undefined
  const source = tag === undefined && digest === undefined ? storage : new SelectedStorage(storage, { tag, digest })
  return { storage, tag, digest, registry: false, source }
}
