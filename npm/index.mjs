// The ocicache package under Node (ES modules): the same objects as index.cjs.
import native from './index.cjs'

export const { BlobVerifier, Cache, CacheConfig, CacheLoader, CacheManifest, CacheOptions, CacheWrite, Conversion, Decoder, Digest, Digester, Encoder, GcPlan, ImageIndex, ImageManifest, InlineCache, Inspection, LayerCompressor, LayerDigester, Merge, OciLayout, Reachability, Verification, VerifyReport, azblobBlobPath, azblobManifestPath, compress, decompress, decompressAsync, detectCompression, digest, errorCodes, ghaBlobKey, ghaIndexKey, ghaSignatureKey, inlineCache, layerDigests, layerDigestsAsync, mediaTypes, parseCacheOptions, s3BlobKey, s3ManifestKey, verify } = native
export const MediaType = Object.freeze(native.mediaTypes())
export default { ...native, MediaType }
