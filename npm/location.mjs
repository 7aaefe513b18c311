// Cache locations as buildx spells them: what `--cache-to`/`--cache-from`
// take, opened as a storage driver. `type=local,src=DIR` (or `dest=`, with
// `tag=`), `type=registry,ref=HOST/REPO:TAG` (with `registry.insecure=`), the
// registry shorthand `HOST/REPO:TAG`, or a plain directory.
import { existsSync } from 'node:fs'
import { parseCacheOptions } from './index.mjs'
import { RegistryStorage } from './registry.mjs'
import { LocalStorage } from './storage.mjs'

function coded(code, message) {
  return Object.assign(new Error(message), { code })
}

/**
 * Whether `spec` reads as a registry reference rather than a path: its
 * first component is a host (has a dot or a port, or is `localhost`) and no
 * such file exists. (buildx reads every bare value as a reference; a CLI
 * that also takes directories cannot.)
 */
export function isReference(spec) {
  const first = spec.split('/')[0]
  return spec.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') && !existsSync(spec)
}

/**
 * Opens a cache location: `{storage, tag, registry}`, where `tag` is the
 * one the location names (`undefined` for a plain directory) and `registry`
 * says it is a registry. `options` go to RegistryStorage (`username`,
 * `password`, `dockerConfig`, …). Other cache types are OPTION_NOT_ALLOWED:
 * they hold no layout to open.
 */
export function openLocation(spec, options = {}) {
  if (!spec.startsWith('type=') && !isReference(spec)) return { storage: new LocalStorage(spec), tag: undefined, registry: false }
  const [entry] = parseCacheOptions(spec)
  if (entry.type === 'registry') {
    const storage = new RegistryStorage(entry.settings.ref, { ...options, insecure: entry.settings.insecure })
    return { storage, tag: storage.tag, registry: true }
  }
  if (entry.type !== 'local') throw coded('OPTION_NOT_ALLOWED', `only type=local and type=registry caches can be opened, not type=${entry.type}`)
  const dir = entry.attrs.src ?? entry.attrs.dest
  if (!dir) throw coded('MISSING_OPTION', 'a type=local cache needs src= or dest=')
  return { storage: new LocalStorage(dir), tag: entry.attrs.tag, registry: false }
}
