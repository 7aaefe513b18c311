// The shared CLI cases of tests/cli/cases.json against the Node CLI.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { testsDir } from './data.mjs'

const repo = join(testsDir, '..')
const bin = join(repo, 'npm/bin/ocicache.mjs')
const cases = JSON.parse(readFileSync(join(testsDir, 'cli/cases.json'), 'utf8'))

// Copies the case's fixture to a temporary directory and damages it as asked.
function setUp(setup) {
  const dir = mkdtempSync(join(tmpdir(), 'ocicache-cli-'))
  cpSync(join(repo, setup.copy), dir, { recursive: true })
  if (setup.flip) {
    const path = join(dir, setup.flip)
    const bytes = readFileSync(path)
    bytes[bytes.length >> 1] ^= 1
    writeFileSync(path, bytes)
  }
  if (setup.add) writeFileSync(join(dir, setup.add), '')
  return dir
}

for (const c of cases) {
  test(`cli: ${c.name}`, () => {
    const dir = c.setup ? setUp(c.setup) : null
    try {
      const args = c.args.map((a) => a.replace('{dir}', dir))
      const r = spawnSync(process.execPath, [bin, ...args], { cwd: repo, encoding: 'utf8' })
      assert.equal(r.status, c.exit, r.stderr)
      if (c.stdout !== undefined) assert.equal(r.stdout, c.stdout)
      if (c.stdout_file) assert.equal(r.stdout, readFileSync(join(testsDir, 'cli', c.stdout_file), 'utf8'))
      for (const part of c.stdout_contains ?? []) assert.ok(r.stdout.includes(part), `${part} not in\n${r.stdout}`)
      if (c.exit === 2) assert.match(r.stderr, /^ocicache: /)
    } finally {
      if (dir) rmSync(dir, { recursive: true, force: true })
    }
  })
}
