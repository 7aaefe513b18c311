// The native addon, the WASM build and their typings expose the same API.
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { test } from 'node:test'
import * as native from 'ocicache'
import * as wasm from 'ocicache/wasm'

const require = createRequire(import.meta.url)
const pkg = new URL('../', import.meta.url)

// napi's typings: index.d.ts and the per-noun files it re-exports (types/).
function napiTypings() {
  const dir = new URL('types/', pkg)
  const files = readdirSync(dir).filter((f) => f.endsWith('.d.ts')).sort()
  return [readFileSync(new URL('index.d.ts', pkg), 'utf8'), ...files.map((f) => readFileSync(new URL(f, dir), 'utf8'))].join('\n')
}

// {name: [members]} of an implementation: exported names, and for classes their
// static and prototype members (without wasm-bindgen's memory management).
function surface(api) {
  const out = {}
  for (const [name, value] of Object.entries(api)) {
    if (name === 'default') continue
    if (typeof value === 'function' && /^[A-Z]/.test(name)) {
      const statics = Object.getOwnPropertyNames(value).filter((k) => !['length', 'name', 'prototype', 'arguments', 'caller', '__wrap'].includes(k))
      const proto = Object.getOwnPropertyNames(value.prototype).filter((k) => !['constructor', 'free', '__destroy_into_raw'].includes(k))
      out[name] = [...statics.map((s) => `static ${s}`), ...proto].sort()
    } else {
      out[name] = typeof value
    }
  }
  return out
}

// The same, read from a .d.ts, with each member's signature normalised so
// that napi's and wasm-bindgen's spellings compare: `get x(): T` and
// `readonly x: T`, `Array<T>` and `T[]`, and optional markers (`a?:`, which
// wasm-bindgen cannot write for checked arguments; undefined is in the type).
function typings(text) {
  const out = {}
  let current = null
  const norm = (sig) =>
    sig
      .replace(/;$/, '')
      .replace(/\?:/g, ':')
      .replace(/Array<(\w+)>/g, '$1[]')
      .replace(/^readonly (\w+): (.*)$/, 'get $1(): $2')
      .trim()
  for (const line of text.split('\n')) {
    let m
    if ((m = line.match(/^export (?:declare )?class (\w+)/))) {
      current = m[1]
      out[current] = []
    } else if ((m = line.match(/^export declare const (\w+): (.*)$/))) {
      out[m[1]] = `const ${m[2]}`
      current = null
    } else if ((m = line.match(/^export (?:declare )?function (\w+)(.*)$/))) {
      if (m[1] !== 'initSync') out[m[1]] = norm(`function ${m[1]}${m[2]}`)
      current = null
    } else if (line.startsWith('}')) {
      current = null
    } else if (current && (m = line.match(/^\s+((?:static |get |readonly )?\w+[(:].*)$/))) {
      const sig = norm(m[1])
      if (!/^(constructor\(\)|free\(|private )/.test(sig)) out[current].push(sig)
    }
  }
  for (const v of Object.values(out)) if (Array.isArray(v)) v.sort()
  return out
}

test('native and WASM export the same names, classes and members', () => {
  assert.deepEqual(surface(wasm), surface(native))
})

test('the WASM typings declare what napi generated into index.d.ts', () => {
  const napi = typings(napiTypings())
  const bindgen = typings(readFileSync(new URL('wasm/ocicache_wasm.d.ts', pkg), 'utf8'))
  assert.ok(Object.keys(napi).length >= 5, 'index.d.ts parsed')
  assert.deepEqual(bindgen, napi)
})

test('index.d.ts declares every runtime export', () => {
  const napi = typings(napiTypings())
  const names = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Array.isArray(v) ? v.map((m) => m.match(/^(static |get )?(\w+)/)[0].replace('get ', '')).filter((n) => n !== 'constructor').sort() : 'function']))
  const runtime = Object.fromEntries(Object.entries(surface(native)).map(([k, v]) => [k, Array.isArray(v) ? v : 'function']))
  assert.deepEqual(names(napi), runtime)
})

test('require("ocicache") and import give the same objects', () => {
  const cjs = require('ocicache')
  assert.equal(cjs.Digest, native.Digest)
  assert.equal(cjs.digest, native.digest)
  assert.equal(native.default.Digester, native.Digester)
})
