'use strict'
// Loads the native addon for this platform: a build in ./native (from
// `npm run build:native`), else the prebuilt package @ocicache/<platform>.
const { existsSync, readFileSync } = require('node:fs')
const { join } = require('node:path')

function libc() {
  if (process.platform !== 'linux') return ''
  const report = typeof process.report?.getReport === 'function' ? process.report.getReport() : null
  if (report?.header?.glibcVersionRuntime) return '-gnu'
  try {
    return readFileSync('/usr/bin/ldd', 'utf8').includes('musl') ? '-musl' : '-gnu'
  } catch {
    return '-gnu'
  }
}

function platformTriple() {
  const abi = process.platform === 'win32' ? '-msvc' : libc()
  return `${process.platform}-${process.arch}${abi}`
}

function load() {
  const triple = platformTriple()
  const local = join(__dirname, 'native', `ocicache.${triple}.node`)
  if (existsSync(local)) return require(local)
  try {
    return require(`@ocicache/${triple}`)
  } catch (cause) {
    const err = new Error(
      `ocicache: no native addon for ${triple} (looked for ${local} and @ocicache/${triple}). ` +
        'Build it with `npm run build:native`, or use the WebAssembly build: import from "ocicache/wasm".',
      { cause },
    )
    err.code = 'NATIVE_ADDON_NOT_FOUND'
    throw err
  }
}

module.exports = load()
