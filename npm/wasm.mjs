// The WebAssembly build under Node (`import … from "ocicache/wasm"`): the same
// API as the native addon, for platforms without a prebuilt addon and for
// testing the browser build in Node.
import { readFileSync } from 'node:fs'
import { initSync } from './wasm/ocicache_wasm.js'
import * as wasm from './wasm/ocicache_wasm.js'

initSync({ module: readFileSync(new URL('./wasm/ocicache_wasm_bg.wasm', import.meta.url)) })

export const { BlobVerifier, Cache, CacheConfig, CacheLoader, CacheManifest, CacheOptions, CacheOptionsEntry, CacheWrite, Challenge, Conversion, CopyPlan, Decoder, Digest, Digester, Encoder, GcPlan, ImageIndex, ImageManifest, InlineCache, Inspection, LayerCompressor, LayerDigester, Merge, OciLayout, PrunePlan, Reachability, RegistryLocation, Verification, VerifyReport, azblobBlobPath, azblobManifestPath, cloudConfig, cloudDocuments, compress, credentialsAllowed, decompress, decompressAsync, detectCompression, digest, dockerConfigCredentials, errorCodes, ghaBlobKey, ghaIndexKey, ghaSignatureKey, inlineCache, isManifestMediaType, layerDigests, layerDigestsAsync, manifestAccept, mediaTypes, parseByteSize, parseCacheEntries, parseCacheOptions, parseDurationMs, registryError, resolveUrl, s3BlobKey, s3ManifestKey, sameOrigin, tokenFromResponse, uploadLocation, verify, verifyAsync } = wasm
/** The media type constants by name, e.g. MediaType.CACHE_CONFIG. */
export const MediaType = Object.freeze(wasm.mediaTypes())
export default { BlobVerifier, Cache, CacheConfig, CacheLoader, CacheManifest, CacheOptions, CacheOptionsEntry, CacheWrite, Challenge, Conversion, CopyPlan, Decoder, Digest, Digester, Encoder, GcPlan, ImageIndex, ImageManifest, InlineCache, Inspection, LayerCompressor, LayerDigester, Merge, OciLayout, PrunePlan, Reachability, RegistryLocation, Verification, VerifyReport, azblobBlobPath, azblobManifestPath, cloudConfig, cloudDocuments, compress, credentialsAllowed, decompress, decompressAsync, detectCompression, digest, dockerConfigCredentials, errorCodes, ghaBlobKey, ghaIndexKey, ghaSignatureKey, inlineCache, isManifestMediaType, layerDigests, layerDigestsAsync, manifestAccept, mediaTypes, parseByteSize, parseCacheEntries, parseCacheOptions, parseDurationMs, registryError, resolveUrl, s3BlobKey, s3ManifestKey, sameOrigin, tokenFromResponse, uploadLocation, verify, verifyAsync, MediaType }
