// The WebAssembly build under Node (`import … from "ocicache/wasm"`): the same
// API as the native addon, for platforms without a prebuilt addon and for
// testing the browser build in Node.
import { readFileSync } from 'node:fs'
import { initSync } from './wasm/ocicache_wasm.js'
import * as wasm from './wasm/ocicache_wasm.js'

initSync({ module: readFileSync(new URL('./wasm/ocicache_wasm_bg.wasm', import.meta.url)) })

export const { CacheOptions, Decoder, Digest, Digester, Encoder, LayerCompressor, LayerDigester, compress, decompress, decompressAsync, detectCompression, digest, errorCodes, layerDigests, layerDigestsAsync, parseCacheOptions, verify } = wasm
export default { CacheOptions, Decoder, Digest, Digester, Encoder, LayerCompressor, LayerDigester, compress, decompress, decompressAsync, detectCompression, digest, errorCodes, layerDigests, layerDigestsAsync, parseCacheOptions, verify }
