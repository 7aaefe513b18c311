// The shared CLI cases of tests/cli/cases.json against the Node CLI.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
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
  if (setup.remove) rmSync(join(dir, setup.remove))
  if (setup.truncate) truncateSync(join(dir, setup.truncate), readFileSync(join(dir, setup.truncate)).length >> 1)
  return dir
}

// Every file under `dir` with the hash of its bytes.
function snapshot(dir) {
  const out = {}
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name)
      if (e.isDirectory()) walk(p)
      else out[relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex')
    }
  }
  walk(dir)
  return out
}

function run(step, dir) {
  const args = step.args.map((a) => a.replace('{dir}', dir))
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: repo, encoding: 'utf8' })
  assert.equal(r.status, step.exit, `${args.join(' ')}\n${r.stderr}`)
  if (step.stdout !== undefined) assert.equal(r.stdout, step.stdout)
  if (step.stdout_file) assert.equal(r.stdout, readFileSync(join(testsDir, 'cli', step.stdout_file), 'utf8'))
  for (const part of step.stdout_contains ?? []) assert.ok(r.stdout.includes(part), `${part} not in\n${r.stdout}`)
  if (step.exit === 2) assert.match(r.stderr, /^ocicache: /)
}

for (const c of cases) {
  test(`cli: ${c.name}`, () => {
    const dir = c.setup ? setUp(c.setup) : null
    try {
      const before = c.unchanged ? snapshot(dir) : null
      run(c, dir)
      if (before) assert.deepEqual(snapshot(dir), before, 'the command changed the cache')
      for (const step of c.then ?? []) run(step, dir)
    } finally {
      if (dir) rmSync(dir, { recursive: true, force: true })
    }
  })
}
