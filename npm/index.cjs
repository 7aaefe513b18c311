'use strict'
// The ocicache package under Node (CommonJS): the native addon's API as is.
module.exports = require('./native.cjs')
