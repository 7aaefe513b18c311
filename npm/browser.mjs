// The ocicache package for browsers and bundlers: the WebAssembly build, with
// the same API as the native addon. The module is instantiated once, here
// (top-level await), so importers can call it straight away.
import init, * as wasm from './wasm/ocicache_wasm.js'

await init()

export const { CacheOptions, Decoder, Digest, Digester, Encoder, LayerCompressor, LayerDigester, compress, decompress, decompressAsync, detectCompression, digest, errorCodes, layerDigests, layerDigestsAsync, parseCacheOptions, verify } = wasm
export default { CacheOptions, Decoder, Digest, Digester, Encoder, LayerCompressor, LayerDigester, compress, decompress, decompressAsync, detectCompression, digest, errorCodes, layerDigests, layerDigestsAsync, parseCacheOptions, verify }
