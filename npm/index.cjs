'use strict'
// The ocicache package under Node (CommonJS): the native addon's API, plus
// MediaType built from it.
// lockFile and unlockFile are the addon's for lock.mjs, not the package's API.
const { lockFile, unlockFile, ...native } = require('./native.cjs')
// The media type constants by name, e.g. MediaType.CACHE_CONFIG.
module.exports = { ...native, MediaType: Object.freeze(native.mediaTypes()) }
