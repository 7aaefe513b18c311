'use strict'
// The ocicache package under Node (CommonJS): the native addon's API, plus
// MediaType built from it.
const native = require('./native.cjs')
// The media type constants by name, e.g. MediaType.CACHE_CONFIG.
module.exports = { ...native, MediaType: Object.freeze(native.mediaTypes()) }
