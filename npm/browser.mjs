// The ocicache package for browsers and bundlers: the WebAssembly build, with
// the same API as the native addon. The module is instantiated once, here
// (top-level await), so importers can call it straight away.
import init, * as wasm from './wasm/ocicache_wasm.js'

await init()

export const { CacheOptions, Digest, Digester, digest, errorCodes, parseCacheOptions, verify } = wasm
export default { CacheOptions, Digest, Digester, digest, errorCodes, parseCacheOptions, verify }
