// The registry driver's fetch (transport.mjs) against a plain node:http
// server: what its timeouts leave behind once an answer is in.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createServer } from 'node:http'
import { after, before, test } from 'node:test'

let server
let port
before(async () => {
  // Answers a PUT at once, from its headers, and reads its body after: the
  // answer reaches the client while it is still writing.
  server = createServer((req, res) => {
    res.writeHead(201, { 'content-length': '0' }).end()
    req.resume()
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = server.address().port
})
after(() => new Promise((resolve) => server.close(resolve)))

test('an answer that comes before the request is written leaves no timer behind', async () => {
  // A stray read timeout kept the CLI alive for readTimeoutMs after its
  // work was done (a 4 s copy took 64 s), then destroyed a pooled socket.
  const script = `
    import { timedFetch } from ${JSON.stringify(new URL('../transport.mjs', import.meta.url).href)}
    const fetch = timedFetch({ readTimeoutMs: 30000 })
    for (let i = 0; i < 3; i++) {
      const response = await fetch('http://127.0.0.1:${port}/put', { method: 'PUT', headers: { 'content-length': String(32 << 20) }, body: new Uint8Array(32 << 20) })
      if (response.status !== 201) throw new Error('status ' + response.status)
      await response.arrayBuffer()
    }
    console.log(Date.now())
  `
  const start = Date.now()
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.on('data', (d) => (out += d))
  const code = await new Promise((resolve) => child.on('exit', resolve))
  assert.equal(code, 0)
  const done = Number(out.trim())
  assert.ok(done >= start, out)
  assert.ok(Date.now() - done < 10_000, `the process lived on ${Date.now() - done} ms after its last answer`)
})
