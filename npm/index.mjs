// The ocicache package under Node (ES modules): the same objects as index.cjs.
import native from './index.cjs'

export const { CacheOptions, Digest, Digester, digest, errorCodes, parseCacheOptions, verify } = native
export default native
