// The ocicache package under Node (ES modules): the same objects as index.cjs.
import native from './index.cjs'

export const { BlobVerifier, Cache, CacheConfig, CacheLoader, CacheManifest, CacheOptions, CacheOptionsEntry, CacheWrite, Challenge, Conversion, CopyPlan, Decoder, Digest, Digester, Encoder, GcPlan, ImageIndex, ImageManifest, InlineCache, Inspection, LayerCompressor, LayerDigester, Merge, OciLayout, Reachability, RegistryLocation, Verification, VerifyReport, azblobBlobPath, azblobManifestPath, compress, decompress, decompressAsync, detectCompression, digest, dockerConfigCredentials, errorCodes, ghaBlobKey, ghaIndexKey, ghaSignatureKey, inlineCache, isManifestMediaType, layerDigests, layerDigestsAsync, manifestAccept, mediaTypes, parseCacheEntries, parseCacheOptions, registryError, resolveUrl, s3BlobKey, s3ManifestKey, sameOrigin, tokenFromResponse, uploadLocation, verify } = native
export const MediaType = Object.freeze(native.mediaTypes())
export default { Challenge, CopyPlan, RegistryLocation, ...native, dockerConfigCredentials, isManifestMediaType, manifestAccept, registryError, resolveUrl, sameOrigin, tokenFromResponse, uploadLocation, MediaType }
