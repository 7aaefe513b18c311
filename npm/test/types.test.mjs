// The hand-written typings (storage.d.ts, operations.d.ts) compile against
// index.d.ts under strict TypeScript.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { test } from 'node:test'

test('storage.d.ts, registry.d.ts and operations.d.ts type-check a typical use', () => {
  const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url))
  const file = fileURLToPath(new URL('./types/operations.ts', import.meta.url))
  const args = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', file]
  const r = spawnSync(process.execPath, [tsc, ...args], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stdout + r.stderr)
})
