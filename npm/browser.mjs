// The ocicache package for browsers and bundlers: the WebAssembly build, with
// the same API as the native addon. The module is instantiated once, here
// (top-level await), so importers can call it straight away.
import init, * as wasm from './wasm/ocicache_wasm.js'

await init()

export const { CacheConfig, CacheManifest, CacheOptions, Decoder, Digest, Digester, Encoder, ImageIndex, ImageManifest, InlineCache, LayerCompressor, LayerDigester, OciLayout, Reachability, azblobBlobPath, azblobManifestPath, compress, decompress, decompressAsync, detectCompression, digest, errorCodes, ghaBlobKey, ghaIndexKey, ghaSignatureKey, inlineCache, layerDigests, layerDigestsAsync, mediaTypes, parseCacheOptions, s3BlobKey, s3ManifestKey, verify } = wasm
/** The media type constants by name, e.g. MediaType.CACHE_CONFIG. */
export const MediaType = Object.freeze(wasm.mediaTypes())
export default { CacheConfig, CacheManifest, CacheOptions, Decoder, Digest, Digester, Encoder, ImageIndex, ImageManifest, InlineCache, LayerCompressor, LayerDigester, OciLayout, Reachability, azblobBlobPath, azblobManifestPath, compress, decompress, decompressAsync, detectCompression, digest, errorCodes, ghaBlobKey, ghaIndexKey, ghaSignatureKey, inlineCache, layerDigests, layerDigestsAsync, mediaTypes, parseCacheOptions, s3BlobKey, s3ManifestKey, verify, MediaType }
