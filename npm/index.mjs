// The ocicache package under Node (ES modules): the same objects as index.cjs.
import native from './index.cjs'

export const { Digest, Digester, digest, verify, errorCodes } = native
export default native
