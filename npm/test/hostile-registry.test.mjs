// Registries that crawl, never answer, never stop or lie about sizes
// (tests/registry/hostile.py): every request ends within its timeouts with
// REGISTRY_ERROR, every answer is read bounded, and credentials never go in
// clear text to a host other than the registry's. The Python package runs
// the same cases (python/tests/test_hostile_registry.py).
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { inspect, verify } from '../operations.mjs'
import { RegistryStorage } from '../registry.mjs'
import { main } from '../cli.mjs'
import { testsDir } from './data.mjs'
import { startJsonServer } from './servers.mjs'

// The repository's virtualenv Python when set up, else the system's.
const venv = join(testsDir, '../.venv/bin/python')
const python = process.env.PYTHON ?? (existsSync(venv) ? venv : 'python3')

async function startHostile() {
  const info = await startJsonServer([python, join(testsDir, 'registry/hostile.py')])
  info.stats = async () => (await fetch(`http://${info.registry}/stats`)).json()
  return info
}

const storage = (ref, options = {}) => new RegistryStorage(ref, { dockerConfig: false, connectTimeoutMs: 500, readTimeoutMs: 500, ...options })

describe('hostile registries', () => {
  let hostile
  before(async () => {
    hostile = await startHostile()
  })
  after(() => hostile.stop())

  for (const [behaviour, says] of [
    ['dribble-body', 'fewer than 16384 bytes in 500 ms (readTimeoutMs)'],
    ['dribble-headers', 'waiting 500 ms for an answer'],
    ['silent', 'waiting 500 ms for an answer'],
  ]) {
    test(`an answer that crawls or never comes times out: ${behaviour}`, async () => {
      const start = Date.now()
      await assert.rejects(inspect(storage(`${hostile.registry}/${behaviour}/c:latest`)), (err) => {
        assert.equal(err.code, 'REGISTRY_ERROR')
        assert.ok(err.message.includes(says) && err.message.includes('timed out'), err.message)
        return true
      })
      assert.ok(Date.now() - start < 10_000)
    })
  }

  test('connecting that never finishes times out', async () => {
    const start = Date.now()
    await assert.rejects(inspect(storage(`${hostile.stuck}/any/c:latest`)), (err) => {
      assert.equal(err.code, 'REGISTRY_ERROR')
      assert.match(err.message, /timed out connecting .*connectTimeoutMs/)
      return true
    })
    assert.ok(Date.now() - start < 10_000)
  })

  test('the CLI takes the timeouts', async () => {
    const err = []
    const start = Date.now()
    const code = await main(['--read-timeout', '0.3', '--connect-timeout', '1', 'inspect', `${hostile.registry}/silent/c:latest`], () => {}, (l) => err.push(l))
    assert.equal(code, 2)
    assert.match(err.join('\n'), /REGISTRY_ERROR/)
    assert.ok(Date.now() - start < 10_000)
    assert.equal(await main(['--read-timeout', 'soon', 'inspect', 'x'], () => {}, (l) => err.push(l)), 2)
    assert.match(err.join('\n'), /--read-timeout takes a number of seconds/)
  })

  test("a manifest that never ends is refused past containerd's limit", async () => {
    await assert.rejects(inspect(storage(`${hostile.registry}/flood/c:latest`)), { code: 'SIZE_LIMIT_EXCEEDED' })
    assert.ok((await hostile.stats()).sent.flood < 64 << 20)
  })

  test('a config over the document limit is never fetched', async () => {
    const j = (await inspect(storage(`${hostile.registry}/huge-config/c:latest`))).toJSON()
    assert.ok(j.findings.some((f) => f.code === 'SIZE_LIMIT_EXCEEDED'), JSON.stringify(j.findings))
  })

  test('a config longer than its descriptor is read one byte past it', async () => {
    const j = (await verify(storage(`${hostile.registry}/long-config/c:latest`))).toJSON()
    assert.ok(j.findings.some((f) => f.code === 'SIZE_MISMATCH'), JSON.stringify(j.findings))
    assert.ok((await hostile.stats()).sent['long-config'] < 64 << 20)
  })

  test('a layer that never ends is hashed one byte past its size', async () => {
    const j = (await verify(storage(`${hostile.registry}/long-layer/c:latest`))).toJSON()
    assert.ok(j.findings.some((f) => f.code === 'SIZE_MISMATCH'), JSON.stringify(j.findings))
    assert.ok((await hostile.stats()).sent['long-layer'] < 64 << 20)
  })

  test('credentials never go in clear text to another host', async () => {
    const before = (await hostile.stats()).tokenAuth.length
    await inspect(storage(`${hostile.registry}/auth-other/c:latest`, { username: 'u', password: 'p' }))
    await inspect(storage(`${hostile.registry}/auth-same/c:latest`, { username: 'u', password: 'p' }))
    // The realm on 127.0.0.2 over plain HTTP got no credentials; the one on
    // the registry's own host did.
    assert.deepEqual((await hostile.stats()).tokenAuth.slice(before), [null, 'Basic dTpw'])
  })
})

test('a docker config that is a FIFO or huge is refused without hanging', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ocicache-config-'))
  try {
    const fifo = join(dir, 'config.json')
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0)
    assert.throws(() => new RegistryStorage('127.0.0.1:1/r:t', { dockerConfig: fifo }), { code: 'NOT_A_FILE' })
    const huge = join(dir, 'huge.json')
    writeFileSync(huge, '')
    truncateSync(huge, 5 << 20)
    assert.throws(() => new RegistryStorage('127.0.0.1:1/r:t', { dockerConfig: huge }), { code: 'SIZE_LIMIT_EXCEEDED' })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
