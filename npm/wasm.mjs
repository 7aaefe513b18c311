// The WebAssembly build under Node (`import … from "ocicache/wasm"`): the same
// API as the native addon, for platforms without a prebuilt addon and for
// testing the browser build in Node.
import { readFileSync } from 'node:fs'
import { initSync } from './wasm/ocicache_wasm.js'
import * as wasm from './wasm/ocicache_wasm.js'

initSync({ module: readFileSync(new URL('./wasm/ocicache_wasm_bg.wasm', import.meta.url)) })

export const { BlobVerifier, Cache, CacheConfig, CacheLoader, CacheManifest, CacheOptions, CacheWrite, Conversion, Decoder, Digest, Digester, Encoder, GcPlan, ImageIndex, ImageManifest, InlineCache, Inspection, LayerCompressor, LayerDigester, Merge, OciLayout, Reachability, Verification, VerifyReport, azblobBlobPath, azblobManifestPath, compress, decompress, decompressAsync, detectCompression, digest, errorCodes, ghaBlobKey, ghaIndexKey, ghaSignatureKey, inlineCache, layerDigests, layerDigestsAsync, mediaTypes, parseCacheOptions, s3BlobKey, s3ManifestKey, verify } = wasm
/** The media type constants by name, e.g. MediaType.CACHE_CONFIG. */
export const MediaType = Object.freeze(wasm.mediaTypes())
export default { BlobVerifier, Cache, CacheConfig, CacheLoader, CacheManifest, CacheOptions, CacheWrite, Conversion, Decoder, Digest, Digester, Encoder, GcPlan, ImageIndex, ImageManifest, InlineCache, Inspection, LayerCompressor, LayerDigester, Merge, OciLayout, Reachability, Verification, VerifyReport, azblobBlobPath, azblobManifestPath, compress, decompress, decompressAsync, detectCompression, digest, errorCodes, ghaBlobKey, ghaIndexKey, ghaSignatureKey, inlineCache, layerDigests, layerDigestsAsync, mediaTypes, parseCacheOptions, s3BlobKey, s3ManifestKey, verify, MediaType }
