// The ocicache package for browsers and bundlers: the WebAssembly build, with
// the same API as the native addon. The module is instantiated once, here
// (top-level await), so importers can call it straight away.
import init, * as wasm from './wasm/ocicache_wasm.js'

await init()

export const { BlobVerifier, Cache, CacheConfig, CacheLoader, CacheManifest, CacheOptions, CacheOptionsEntry, CacheWrite, Challenge, Conversion, CopyPlan, Decoder, Digest, Digester, Encoder, GcPlan, ImageIndex, ImageManifest, InlineCache, Inspection, LayerCompressor, LayerDigester, Merge, OciLayout, PrunePlan, Reachability, RegistryLocation, Verification, VerifyReport, azblobBlobPath, azblobManifestPath, cloudConfig, cloudDocuments, compress, credentialsAllowed, decompress, decompressAsync, detectCompression, digest, dockerConfigCredentials, errorCodes, ghaBlobKey, ghaIndexKey, ghaSignatureKey, inlineCache, isManifestMediaType, layerDigests, layerDigestsAsync, manifestAccept, mediaTypes, parseByteSize, parseCacheEntries, parseCacheOptions, parseDurationMs, registryError, resolveUrl, s3BlobKey, s3ManifestKey, sameOrigin, tokenFromResponse, uploadLocation, verify } = wasm
/** The media type constants by name, e.g. MediaType.CACHE_CONFIG. */
export const MediaType = Object.freeze(wasm.mediaTypes())
export default { BlobVerifier, Cache, CacheConfig, CacheLoader, CacheManifest, CacheOptions, CacheOptionsEntry, CacheWrite, Challenge, Conversion, CopyPlan, Decoder, Digest, Digester, Encoder, GcPlan, ImageIndex, ImageManifest, InlineCache, Inspection, LayerCompressor, LayerDigester, Merge, OciLayout, PrunePlan, Reachability, RegistryLocation, Verification, VerifyReport, azblobBlobPath, azblobManifestPath, cloudConfig, cloudDocuments, compress, credentialsAllowed, decompress, decompressAsync, detectCompression, digest, dockerConfigCredentials, errorCodes, ghaBlobKey, ghaIndexKey, ghaSignatureKey, inlineCache, isManifestMediaType, layerDigests, layerDigestsAsync, manifestAccept, mediaTypes, parseByteSize, parseCacheEntries, parseCacheOptions, parseDurationMs, registryError, resolveUrl, s3BlobKey, s3ManifestKey, sameOrigin, tokenFromResponse, uploadLocation, verify, MediaType }
