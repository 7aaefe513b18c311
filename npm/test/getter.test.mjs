// getter.mjs, the S3 driver's own GETs, against servers on loopback that
// answer with exactly the bytes each test writes (and, for https, a real
// TLS server with a certificate made here by openssl).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import net from 'node:net'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { S3Client } from '@aws-sdk/client-s3'
import { Getter, MAX_HEAD } from '../getter.mjs'

// A server on 127.0.0.1 that calls `answer(socket, head, n)` for the n-th
// request head it reads (over all connections); counts its connections.
async function serve(answer) {
  let requests = 0
  const server = net.createServer((socket) => {
    server.connections++
    let text = ''
    socket.on('data', (d) => {
      text += d.toString('latin1')
      for (let end; (end = text.indexOf('\r\n\r\n')) >= 0;) {
        const head = text.slice(0, end)
        text = text.slice(end + 4)
        answer(socket, head, requests++)
      }
    })
    socket.on('error', () => {})
  })
  server.connections = 0
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  server.port = server.address().port
  return server
}

function sdkHandler() {
  return new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }).config.requestHandler
}

function get(port, path = '/o', extra = {}) {
  return { protocol: 'http:', hostname: '127.0.0.1', port, method: 'GET', path, query: {}, headers: {}, ...extra }
}

async function bytesOf(body) {
  const chunks = []
  for await (const c of body) chunks.push(c)
  return Buffer.concat(chunks)
}

const ok = (body, extra = '') => `HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n${extra}\r\n${body}`

test('a content-length body arrives whole, and the connection is kept for the next GET', async () => {
  const heads = []
  const server = await serve((s, head) => {
    heads.push(head)
    s.write(ok('x'.repeat(300_000), 'x-amz-thing: a\r\nx-amz-thing: b\r\n'))
  })
  const g = new Getter(sdkHandler())
  try {
    for (let i = 0; i < 3; i++) {
      const { response } = await g.handle(get(server.port, '/bucket/blobs/sha256:ab', { query: { 'x-id': 'GetObject', "a b!": 'c' }, headers: { authorization: 'AWS4 sig' } }))
      assert.equal(response.statusCode, 200)
      assert.equal(response.headers['x-amz-thing'], 'a, b')
      assert.equal((await bytesOf(response.body)).toString(), 'x'.repeat(300_000))
    }
    assert.equal(server.connections, 1)
    assert.match(heads[0], /^GET \/bucket\/blobs\/sha256:ab\?a%20b%21=c&x-id=GetObject HTTP\/1\.1\r\n/)
    assert.match(heads[0], /\r\nauthorization: AWS4 sig/)
    assert.match(heads[0], new RegExp(`\\r\\nhost: 127\\.0\\.0\\.1:${server.port}`))
  } finally {
    g.destroy()
    server.close()
  }
})

test('a chunked body with extensions and trailers, sent a byte at a time, decodes; 1xx heads are skipped', async () => {
  const wire = 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n1\r\n \r\n6\r\nworld!\r\n0\r\nx-trailer: t\r\n\r\n'
  const server = await serve(async (s) => {
    for (const c of wire) {
      s.write(c)
      await new Promise((r) => setImmediate(r))
    }
  })
  const g = new Getter(sdkHandler())
  try {
    const { response } = await g.handle(get(server.port))
    assert.equal(response.statusCode, 200)
    assert.equal((await bytesOf(response.body)).toString(), 'hello world!')
    // the connection is reusable after the trailers
    const again = await g.handle(get(server.port))
    assert.equal((await bytesOf(again.response.body)).toString(), 'hello world!')
    assert.equal(server.connections, 1)
  } finally {
    g.destroy()
    server.close()
  }
})

test('a body without length ends when the server closes; 204 and 304 have none', async () => {
  const server = await serve((s, head, n) => {
    if (n === 0) s.write('HTTP/1.1 204 No Content\r\n\r\n')
    else if (n === 1) s.write('HTTP/1.1 304 Not Modified\r\netag: "e"\r\n\r\n')
    else s.end('HTTP/1.1 200 OK\r\n\r\nuntil the end')
  })
  const g = new Getter(sdkHandler())
  try {
    for (const status of [204, 304]) {
      const { response } = await g.handle(get(server.port))
      assert.equal(response.statusCode, status)
      assert.equal((await bytesOf(response.body)).length, 0)
    }
    const { response } = await g.handle(get(server.port))
    assert.equal((await bytesOf(response.body)).toString(), 'until the end')
  } finally {
    g.destroy()
    server.close()
  }
})

test('a body cut short is an error on the stream, not a short blob', async () => {
  const server = await serve((s) => s.end('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly this'))
  const g = new Getter(sdkHandler())
  try {
    const { response } = await g.handle(get(server.port))
    await assert.rejects(bytesOf(response.body), { code: 'ECONNRESET' })
  } finally {
    g.destroy()
    server.close()
  }
})

test('malformed answers fail with EPROTO', async () => {
  const answers = [
    'HTTP/1.1 2OO OK\r\n\r\n',
    'ICY 200 OK\r\n\r\n',
    'HTTP/1.1 200 OK\r\nbad header line\r\n\r\n',
    'HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-length: 6\r\n\r\nhello!',
    'HTTP/1.1 200 OK\r\ncontent-length: -1\r\n\r\n',
    'HTTP/1.1 200 OK\r\ntransfer-encoding: gzip\r\n\r\n',
    'HTTP/1.1 200 OK\r\ntransfer-encoding: gzip, chunked\r\n\r\n0\r\n\r\n',
    `HTTP/1.1 200 OK\r\nx: ${'a'.repeat(MAX_HEAD)}\r\n\r\n`,
  ]
  const server = await serve((s, head, n) => s.end(answers[n]))
  const g = new Getter(sdkHandler())
  try {
    for (const answer of answers) {
      await assert.rejects(g.handle(get(server.port)), { code: 'EPROTO' }, answer.slice(0, 60))
    }
    const bad = await serve((s) => s.end('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n'))
    const { response } = await g.handle(get(bad.port))
    await assert.rejects(bytesOf(response.body), { code: 'EPROTO' })
    bad.close()
  } finally {
    g.destroy()
    server.close()
  }
})

test('a kept-alive connection the server closed meanwhile is replaced, not an error', async () => {
  const server = await serve((s) => s.end(ok('fine', 'connection: keep-alive\r\n')))
  const g = new Getter(sdkHandler())
  try {
    for (let i = 0; i < 3; i++) {
      const { response } = await g.handle(get(server.port))
      assert.equal((await bytesOf(response.body)).toString(), 'fine')
      await new Promise((r) => setTimeout(r, 20))
    }
    assert.equal(server.connections, 3)
  } finally {
    g.destroy()
    server.close()
  }
})

test('a silent server times out (ETIMEDOUT); a slow reader does not', async () => {
  const server = await serve((s, head, n) => {
    if (n === 0) s.write('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nhalf') // and then nothing
    else s.write(ok('y'.repeat(4 << 20)))
  })
  const g = new Getter(sdkHandler(), { readTimeoutMs: 200 })
  try {
    const { response } = await g.handle(get(server.port))
    await assert.rejects(bytesOf(response.body), { code: 'ETIMEDOUT', name: 'TimeoutError' })
    const slow = await g.handle(get(server.port))
    let n = 0
    for await (const c of slow.response.body) {
      n += c.length
      await new Promise((r) => setTimeout(r, 100)) // 4 MiB in about 8 reads: longer than the timeout
    }
    assert.equal(n, 4 << 20)
  } finally {
    g.destroy()
    server.close()
  }
})

test('a connection whose body ended while its reader held it paused reads the next answer', async () => {
  const server = await serve((s) => s.write(ok('w'.repeat(100_000))))
  // Every push pauses the socket: the last one too.
  const g = new Getter(sdkHandler(), { readTimeoutMs: 500, highWaterMark: 1 })
  try {
    for (let i = 0; i < 3; i++) {
      const { response } = await g.handle(get(server.port))
      assert.equal((await bytesOf(response.body)).length, 100_000)
    }
    assert.equal(server.connections, 1)
  } finally {
    g.destroy()
    server.close()
  }
})

test('an abort signal ends the request and its body', async () => {
  const server = await serve((s) => s.write('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nhalf'))
  const g = new Getter(sdkHandler())
  try {
    const before = new AbortController()
    before.abort()
    await assert.rejects(g.handle(get(server.port), { abortSignal: before.signal }), { name: 'AbortError' })
    const during = new AbortController()
    const { response } = await g.handle(get(server.port), { abortSignal: during.signal })
    setTimeout(() => during.abort(), 20)
    await assert.rejects(bytesOf(response.body), { name: 'AbortError' })
  } finally {
    g.destroy()
    server.close()
  }
})

test('header values that would split the request are refused; other methods go to the SDK handler', async () => {
  const heads = []
  const server = await serve((s, head) => {
    heads.push(head)
    s.write(ok('put'))
  })
  const g = new Getter(sdkHandler())
  try {
    await assert.rejects(g.handle(get(server.port, '/o', { headers: { 'x-a': 'v\r\nx-injected: 1' } })), { code: 'ERR_INVALID_CHAR' })
    const { response } = await g.handle({ ...get(server.port), method: 'PUT', headers: { 'content-length': '3' }, body: Buffer.from('abc') })
    assert.equal(response.statusCode, 200)
    assert.equal(heads.length, 1)
    assert.match(heads[0], /^PUT \/o HTTP\/1\.1/)
  } finally {
    g.destroy()
    server.close()
  }
})

test('https: the answer is read through TLS, with the system and NODE_EXTRA_CA_CERTS roots', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ocicache-getter-'))
  try {
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' })
    if (made.status !== 0) return t.skip('no openssl to make a certificate')
    // A child process: NODE_EXTRA_CA_CERTS is read when Node starts.
    const script = `
      import tls from 'node:tls'; import fs from 'node:fs'
      import { S3Client } from ${JSON.stringify(import.meta.resolve('@aws-sdk/client-s3'))}
      import { Getter } from ${JSON.stringify(new URL('../getter.mjs', import.meta.url).href)}
      const body = 'z'.repeat(1 << 20)
      const server = tls.createServer({ key: fs.readFileSync('key.pem'), cert: fs.readFileSync('cert.pem') }, (s) => s.on('data', () => s.write('HTTP/1.1 200 OK\\r\\ncontent-length: ' + body.length + '\\r\\n\\r\\n' + body)))
      await new Promise((r) => server.listen(0, '127.0.0.1', r))
      const g = new Getter(new S3Client({ region: 'us-east-1' }).config.requestHandler)
      const { response } = await g.handle({ protocol: 'https:', hostname: '127.0.0.1', port: server.address().port, method: 'GET', path: '/', query: {}, headers: {} })
      let n = 0; for await (const c of response.body) n += c.length
      g.destroy(); server.close()
      console.log(response.statusCode, n)`
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: dir, env: { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem') }, encoding: 'utf8',
    })
    assert.equal(out.trim(), `200 ${1 << 20}`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a server that takes the connection and never answers the TLS handshake times out (ETIMEDOUT)', async () => {
  const server = await serve(() => {})
  const g = new Getter(sdkHandler(), { connectTimeoutMs: 200 })
  try {
    await assert.rejects(g.handle({ ...get(server.port), protocol: 'https:' }), { code: 'ETIMEDOUT', name: 'TimeoutError' })
  } finally {
    g.destroy()
    server.close()
  }
})
