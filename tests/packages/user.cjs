// A user's CommonJS script against the installed package: require('ocicache')
// loads the native addon from the platform package, not from a build.
'use strict'
const assert = require('node:assert/strict')
const ocicache = require('ocicache')

assert.equal(String(ocicache.digest(new Uint8Array())), 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
const h = new ocicache.Digester()
h.update(Buffer.from('hello'))
assert.equal(String(h.finalize()), String(ocicache.digest(Buffer.from('hello'))))
assert.equal(ocicache.MediaType.CACHE_CONFIG, 'application/vnd.buildkit.cacheconfig.v0')
assert.throws(() => ocicache.Digest.parse('sha256:nothex'), { code: 'INVALID_DIGEST' })
const addon = require.resolve('@ocicache/linux-x64-gnu')
assert.ok(addon.includes('node_modules/@ocicache/linux-x64-gnu/'), addon)
assert.ok(Object.keys(require.cache).includes(addon), 'the addon loaded is not the platform package')
console.log('user.cjs: ok')
