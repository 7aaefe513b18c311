#!/usr/bin/env node
// A real OCI registry for the tests: Debian's docker-registry (the CNCF
// distribution registry) on 127.0.0.1, on a free port, with its storage in
// a temporary directory. Used by the Node and the Python tests alike.
//
//   node tests/registry/serve.mjs [--auth none|basic|token] [--cut-after BYTES] [--cut-once BYTES]
//                                 [--cut-patch N] [--delay MS]
//
// Prints one JSON line once the registry answers, then runs until its
// standard input closes (or SIGTERM/SIGINT), and stops the registry and
// removes its files:
//
//   {"host": "127.0.0.1:PORT", "user": "…", "password": "…",
//    "cutHost": "127.0.0.1:PORT2", "cutOnceHost": "…", "cutPatchHost": "…",
//    "delayHost": "…"}
//
// --auth basic   htpasswd (bcrypt, made with apache2-utils' htpasswd)
// --auth token   the registry's token auth, with the small token server
//                below: it checks basic credentials and signs an ES256 JWT
//                (x5c: a self-signed certificate the registry trusts) that
//                grants what was asked for
// --cut-after N  also a TCP proxy to the registry that cuts every
//                connection once N request bytes have gone through it (an
//                upload cut off half-way, and the network gone after)
// --cut-once N   also a TCP proxy that cuts the one connection carrying the
//                N-th request byte (a blob cut off mid-request), then
//                lets everything through
// --cut-patch N  also a TCP proxy that cuts the connections of the N-th and
//                the next PATCH right after their headers, then lets
//                everything through
// --delay MS     also a TCP proxy that delivers everything MS ms late both
//                ways: a registry at a round trip of 2 × MS (benchmarks)
import { spawn, execFileSync } from 'node:child_process'
import { createPrivateKey, randomBytes, sign, X509Certificate } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { createServer as createTcpServer, connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const args = process.argv.slice(2)
const opt = (name, fallback) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : fallback
}
const auth = opt('--auth', 'none')
const cutAfter = opt('--cut-after') === undefined ? null : Number(opt('--cut-after'))
const cutOnce = opt('--cut-once') === undefined ? null : Number(opt('--cut-once'))
const cutPatch = opt('--cut-patch') === undefined ? null : Number(opt('--cut-patch'))
const delay = opt('--delay') === undefined ? null : Number(opt('--delay'))
const user = 'ocicache'
const password = randomBytes(12).toString('hex')
const dir = mkdtempSync(join(tmpdir(), 'ocicache-registry-'))
const children = []
const servers = []
let stopping = false

function cleanup() {
  for (const c of children) c.kill('SIGTERM')
  for (const s of servers) s.close()
  rmSync(dir, { recursive: true, force: true })
}
process.on('exit', cleanup)
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0))

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve(server.address().port))
    servers.push(server)
  })
}

async function freePort() {
  const s = createTcpServer()
  const port = await listen(s)
  await new Promise((r) => s.close(r))
  servers.splice(servers.indexOf(s), 1)
  return port
}

const b64url = (buf) => Buffer.from(buf).toString('base64url')

// The token server: GET /token?service=&scope=… with basic credentials.
async function tokenServer(certDer, key) {
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x')
    const expected = 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64')
    if (url.pathname !== '/token' || req.headers.authorization !== expected) {
      res.writeHead(401, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] }))
      return
    }
    const access = url.searchParams.getAll('scope').map((s) => {
      const [type, ...rest] = s.split(':')
      const actions = rest.pop().split(',')
      return { type, name: rest.join(':'), actions }
    })
    const now = Math.floor(Date.now() / 1000)
    const header = { typ: 'JWT', alg: 'ES256', x5c: [certDer.toString('base64')] }
    const claims = { iss: 'ocicache-test', sub: user, aud: url.searchParams.get('service'), exp: now + 600, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access }
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`
    const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' })
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ token: `${input}.${b64url(signature)}`, expires_in: 600 }))
  })
  return listen(server)
}

// A TCP proxy to the registry that breaks connections:
//   { after: N }  cuts every connection once N request bytes went through it
//                 (all connections counted together): the network is gone
//   { once: N }   cuts the one connection that carries the N-th request
//                 byte, after half of the piece it arrived in (a body cut
//                 mid-way), then lets everything through
//   { patch: N }  cuts the connections of the N-th and the next PATCH
//                 request right after their headers (none of their bodies
//                 arrives; the next is a client's own retry on a new
//                 connection), then lets everything through
async function cuttingProxy(target, { after, once, patch }) {
  let sent = 0
  let patches = 0
  let healed = false
  const sockets = new Set()
  const server = createTcpServer((client) => {
    const upstream = connect(target, '127.0.0.1')
    sockets.add(client).add(upstream)
    let dying = false
    let tail = '' // the last bytes seen, to find a marker split between pieces
    let armedAt = -1 // in `text` below: where the PATCH to cut starts
    const die = (piece, heal = true) => {
      dying = true
      healed ||= heal
      upstream.write(piece, () => setTimeout(() => {
        client.destroy()
        upstream.destroy()
      }, 50))
    }
    client.on('data', (chunk) => {
      if (dying) return
      sent += chunk.length
      if (after !== undefined && sent > after) {
        for (const s of sockets) s.destroy()
        return
      }
      if (once !== undefined && sent > once && !healed) return die(chunk.subarray(0, chunk.length >> 1))
      if (patch !== undefined && !healed) {
        const text = tail + chunk.toString('latin1')
        for (let at = text.indexOf('PATCH /v2/'); at >= 0 && armedAt < 0; at = text.indexOf('PATCH /v2/', at + 1)) {
          if (at + 10 > tail.length && ++patches >= patch) armedAt = at
        }
        if (armedAt >= 0) {
          const end = text.indexOf('\r\n\r\n', armedAt)
          if (end >= 0) return die(chunk.subarray(0, end + 4 - tail.length), patches > patch)
          armedAt = Math.max(0, armedAt - (text.length - 16))
        }
        tail = text.slice(-16)
      }
      upstream.write(chunk)
    })
    upstream.pipe(client)
    for (const s of [client, upstream]) {
      s.on('error', () => {})
      s.on('close', () => sockets.delete(s))
    }
  })
  return listen(server)
}

// A TCP proxy that delivers every piece `ms` milliseconds late, both ways:
// a registry `ms` away (a round trip of 2 × ms), for the benchmarks.
async function delayingProxy(target, ms) {
  const server = createTcpServer((client) => {
    const upstream = connect(target, '127.0.0.1')
    for (const [from, to] of [[client, upstream], [upstream, client]]) {
      from.on('data', (chunk) => setTimeout(() => to.write(chunk), ms))
      from.on('end', () => setTimeout(() => to.end(), ms))
      from.on('error', () => setTimeout(() => to.destroy(), ms))
    }
  })
  return listen(server)
}

const port = await freePort()
const lines = [
  'version: 0.1',
  'log: {level: error, accesslog: {disabled: true}}',
  `storage: {filesystem: {rootdirectory: ${join(dir, 'data')}}, delete: {enabled: true}}`,
  `http: {addr: "127.0.0.1:${port}", secret: ${randomBytes(16).toString('hex')}}`,
]
if (auth === 'basic') {
  execFileSync('htpasswd', ['-Bbc', join(dir, 'htpasswd'), user, password], { stdio: 'ignore' })
  lines.push(`auth: {htpasswd: {realm: ocicache-test, path: ${join(dir, 'htpasswd')}}}`)
} else if (auth === 'token') {
  const keyFile = join(dir, 'token.key')
  const certFile = join(dir, 'token.crt')
  execFileSync('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', keyFile], { stdio: 'ignore' })
  execFileSync('openssl', ['req', '-x509', '-new', '-key', keyFile, '-subj', '/CN=ocicache-test', '-days', '2', '-out', certFile], { stdio: 'ignore' })
  const cert = new X509Certificate(readFileSync(certFile))
  const tokenPort = await tokenServer(cert.raw, createPrivateKey(readFileSync(keyFile)))
  lines.push(
    `auth: {token: {realm: "http://127.0.0.1:${tokenPort}/token", service: ocicache-registry, issuer: ocicache-test, rootcertbundle: ${certFile}}}`,
  )
} else if (auth !== 'none') {
  console.error(`serve.mjs: unknown --auth ${auth}`)
  process.exit(2)
}
writeFileSync(join(dir, 'config.yml'), lines.join('\n') + '\n')

const registry = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] })
children.push(registry)
let stderr = ''
registry.stderr.on('data', (d) => (stderr += d))
registry.on('exit', (code) => {
  if (!stopping) {
    console.error(`serve.mjs: docker-registry exited (${code}): ${stderr.slice(-2000)}`)
    process.exit(1)
  }
})


for (let i = 0; ; i++) {
  try {
    const r = await fetch(`http://127.0.0.1:${port}/v2/`)
    await r.arrayBuffer()
    break
  } catch {
    if (i > 200) {
      console.error(`serve.mjs: docker-registry did not answer: ${stderr.slice(-2000)}`)
      process.exit(1)
    }
    await new Promise((r) => setTimeout(r, 50))
  }
}

const info = { host: `127.0.0.1:${port}`, auth }
if (auth !== 'none') Object.assign(info, { user, password })
if (cutAfter !== null) info.cutHost = `127.0.0.1:${await cuttingProxy(port, { after: cutAfter })}`
if (cutOnce !== null) info.cutOnceHost = `127.0.0.1:${await cuttingProxy(port, { once: cutOnce })}`
if (cutPatch !== null) info.cutPatchHost = `127.0.0.1:${await cuttingProxy(port, { patch: cutPatch })}`
if (delay !== null) info.delayHost = `127.0.0.1:${await delayingProxy(port, delay)}`
process.stdout.write(JSON.stringify(info) + '\n')

process.stdin.resume()
process.stdin.on('end', () => {
  stopping = true
  process.exit(0)
})
process.on('exit', () => {
  stopping = true
})
