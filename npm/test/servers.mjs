// The real servers the Node tests talk to, each on a free 127.0.0.1 port
// and stopped by the returned `stop()`: Debian's docker-registry (through
// tests/registry/serve.mjs), moto_server (PyPI moto[server], from the
// repository's .venv) and azurite-blob (npm azurite, --disableTelemetry).
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { testsDir } from './data.mjs'

const motoServer = new URL('../../.venv/bin/moto_server', import.meta.url).pathname
const azuriteBlob = new URL('../node_modules/.bin/azurite-blob', import.meta.url).pathname
/** Azurite's well-known development account and key (public, in Microsoft's docs). */
export const AZURITE_ACCOUNT = 'devstoreaccount1'
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='

/**
 * Starts a test server that prints one JSON line once it is up and stops
 * when its standard input closes; resolves to that line plus `stop()`.
 */
export async function startJsonServer(argv) {
  const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'inherit'] })
  const line = await new Promise((resolve, reject) => {
    let text = ''
    child.stdout.on('data', (d) => {
      text += d
      if (text.includes('\n')) resolve(text)
    })
    child.on('exit', (code) => reject(new Error(`${argv.at(-1)} exited with ${code}`)))
  })
  const info = JSON.parse(line)
  info.stop = () => new Promise((r) => {
    child.once('exit', r)
    child.stdin.end()
  })
  return info
}

/** Starts a registry (tests/registry/serve.mjs with `args`); resolves to its JSON line plus `stop()`. */
export function startRegistry(...args) {
  return startJsonServer([process.execPath, join(testsDir, 'registry/serve.mjs'), ...args])
}

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

async function serve(argv, port, env = {}) {
  const proc = spawn(argv[0], argv.slice(1), { stdio: 'ignore', env: { ...process.env, ...env } })
  for (let i = 0; i < 400; i++) {
    const up = await new Promise((resolve) => {
      const s = connect(port, '127.0.0.1', () => s.end(() => resolve(true))).on('error', () => resolve(false))
    })
    if (up) return () => new Promise((resolve) => (proc.exitCode !== null ? resolve() : (proc.once('exit', resolve), proc.kill())))
    await new Promise((r) => setTimeout(r, 50))
  }
  proc.kill()
  throw new Error(`${argv[0]} did not start`)
}

/** moto_server: `{endpoint, stop}`; `checkCredentials` makes it refuse every key (it knows none). */
export async function startMoto({ checkCredentials = false } = {}) {
  if (!existsSync(motoServer)) throw new Error(`no ${motoServer}: run scripts/setup.sh (moto[server] is in python/requirements-dev.txt)`)
  const port = await freePort()
  const stop = await serve([motoServer, '-H', '127.0.0.1', '-p', String(port)], port, checkCredentials ? { INITIAL_NO_AUTH_ACTION_COUNT: '0' } : {})
  return { endpoint: `http://127.0.0.1:${port}`, stop }
}

/** azurite-blob with its data in a temporary directory: `{accountUrl, stop}`. */
export async function startAzurite() {
  const port = await freePort()
  const data = mkdtempSync(join(tmpdir(), 'ocicache-azurite-'))
  const stop = await serve([azuriteBlob, '--blobHost', '127.0.0.1', '--blobPort', String(port), '--location', data, '--silent', '--disableTelemetry', '--skipApiVersionCheck'], port)
  return {
    accountUrl: `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`,
    stop: async () => {
      await stop()
      rmSync(data, { recursive: true, force: true, maxRetries: 5 })
    },
  }
}
