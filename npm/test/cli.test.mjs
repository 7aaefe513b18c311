// The shared CLI cases of tests/cli/cases.json against the Node CLI.
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { test } from 'node:test'
import { testsDir } from './data.mjs'

const repo = join(testsDir, '..')
const bin = join(repo, 'npm/bin/ocicache.mjs')
const cases = JSON.parse(readFileSync(join(testsDir, 'cli/cases.json'), 'utf8'))

// Copies the case's fixture to `layout` in a temporary directory (so that
// `{dir}/../x` is a place of the case's own) and damages it as asked.
function setUp(setup) {
  const dir = join(mkdtempSync(join(tmpdir(), 'ocicache-cli-')), 'layout')
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
  const values = {}
  if (setup.blob !== undefined) {
    const data = Buffer.from(setup.blob)
    values['{blob}'] = `sha256:${createHash('sha256').update(data).digest('hex')}`
    values['{blob_size}'] = data.length
    writeFileSync(join(dir, 'blobs/sha256', values['{blob}'].slice(7)), data)
  }
  if (setup.index_patch) {
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'))
    for (const op of setup.index_patch) {
      if (op.entry !== undefined) {
        for (const [k, v] of Object.entries(op.set)) {
          if (v === null) delete index.manifests[op.entry][k]
          else index.manifests[op.entry][k] = v
        }
      } else {
        index.manifests.push(Object.fromEntries(Object.entries(op.append).map(([k, v]) => [k, typeof v === 'string' && v in values ? values[v] : v])))
      }
    }
    writeFileSync(join(dir, 'index.json'), JSON.stringify(index))
  }
  for (const [path, text] of Object.entries(setup.write ?? {})) writeFileSync(join(dir, path), text)
  for (const [path, what] of Object.entries(setup.replace ?? {})) replace(join(dir, path), what)
  return dir
}

// Puts something other than the file at `path`: a `directory`, a `fifo`, a
// symlink to /dev/zero (`zero`), to nothing (`dangling`) or to the file
// moved out of the layout (`symlink`), or the file grown to 1 GiB with a
// hole (`sparse`).
function replace(path, what) {
  if (what === 'sparse') return truncateSync(path, 1 << 30)
  if (what === 'symlink') {
    const moved = join(path, '../../../..', `moved-${path.split('/').pop()}`)
    renameSync(path, moved)
    return symlinkSync(moved, path)
  }
  rmSync(path)
  if (what === 'directory') mkdirSync(path)
  else if (what === 'fifo') assert.equal(spawnSync('mkfifo', [path]).status, 0)
  else if (what === 'zero') symlinkSync('/dev/zero', path)
  else if (what === 'dangling') symlinkSync(join(path, '../nothing-here'), path)
  else throw new Error(what)
}

// Every entry under `dir`: a regular file with the hash of its bytes,
// anything else with what it is (never opened).
function snapshot(dir) {
  const out = {}
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name)
      if (e.isSymbolicLink()) out[relative(dir, p)] = `symlink to ${readlinkSync(p)}`
      else if (e.isDirectory()) walk(p)
      else if (e.isFile()) out[relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex')
      else out[relative(dir, p)] = 'special'
    }
  }
  walk(dir)
  return out
}

function run(step, dir) {
  const args = step.args.map((a) => a.replaceAll('{dir}', dir))
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
      if (dir) rmSync(join(dir, '..'), { recursive: true, force: true })
    }
  })
}

test('cli: a reader that stops early (| head) ends the output quietly, with the exit status', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ocicache-cli-'))
  try {
    const files = Array.from({ length: 3000 }, (_, i) => join(dir, `f${i}`))
    for (const f of files) writeFileSync(f, 'x')
    const child = spawn(process.execPath, [bin, 'digest', ...files], { stdio: ['ignore', 'pipe', 'pipe'] })
    let err = ''
    child.stderr.on('data', (c) => (err += c))
    const first = await new Promise((resolve) => child.stdout.once('data', resolve))
    assert.match(String(first), /^sha256:/)
    child.stdout.destroy()
    const code = await new Promise((resolve) => child.on('close', resolve))
    assert.deepEqual([code, err], [0, ''])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
