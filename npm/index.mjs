// The ocicache package under Node (ES modules): the same objects as index.cjs.
import native from './index.cjs'

export const { CacheOptions, Decoder, Digest, Digester, Encoder, LayerCompressor, LayerDigester, compress, decompress, decompressAsync, detectCompression, digest, errorCodes, layerDigests, layerDigestsAsync, parseCacheOptions, verify } = native
export default native
