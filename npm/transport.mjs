// HTTP for the registry driver: a fetch (answers are standard Responses)
// on node:http and node:https with kept-alive connections and timeouts, so
// that no registry can hang an operation:
//
//   connectTimeoutMs   connecting (TCP, and TLS for https) must finish
//                      within it (default 30 s)
//   readTimeoutMs      once the request is sent, the answer's headers must
//                      arrive within it; then its body must keep coming:
//                      one that delivers fewer than MIN_PROGRESS bytes
//                      while the reader waits readTimeoutMs for it (in all,
//                      before it ends) is stalled (default 60 s). A registry
//                      that answers one byte a second fails after one
//                      readTimeoutMs; a slow reader is never blamed.
//
// A timeout destroys the connection; the registry driver reports it as
// REGISTRY_ERROR naming the request. Redirects are never followed here (the
// driver decides which it follows, and with which credentials).
import http from 'node:http'
import https from 'node:https'

/** Connecting may take this long: 30 seconds. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000
/** An answer may be silent (or crawl) this long: 60 seconds. */
export const DEFAULT_READ_TIMEOUT_MS = 60_000
/** A body must deliver at least this many bytes per read timeout: 16 KiB. */
export const MIN_PROGRESS = 16 << 10

const AGENTS = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true }),
}

// Statuses whose answers have no body (a Response refuses one for them).
const NO_BODY = new Set([101, 103, 204, 205, 304])

function timedOut(message) {
  return Object.assign(new Error(`timed out ${message}`), { code: 'ETIMEDOUT' })
}

function headersOf(raw) {
  const headers = new Headers()
  for (const [name, value] of Object.entries(raw)) {
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v)
  }
  return headers
}

/**
 * A fetch(url, {method, headers, body}) with the timeouts above. Bodies
 * sent are bytes (or absent); redirects come back as they are.
 * @param {{connectTimeoutMs?: number, readTimeoutMs?: number}} [options]
 */
export function timedFetch({ connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS, readTimeoutMs = DEFAULT_READ_TIMEOUT_MS } = {}) {
  const once = (url, init, retry) =>
    new Promise((resolve, reject) => {
      const { method = 'GET', headers = {}, body } = init
      const target = new URL(url)
      const client = target.protocol === 'https:' ? https : http
      // The retry takes a new connection of its own: the pool may hold
      // more connections the server closed.
      const agent = retry ? AGENTS[target.protocol] : false
      const request = client.request(target, { method, headers, agent })
      let timer = null
      let answered = false
      const arm = (ms, message) => {
        clearTimeout(timer)
        timer = setTimeout(() => request.destroy(timedOut(message)), ms)
      }
      const disarm = () => clearTimeout(timer)
      const connected = target.protocol === 'https:' ? 'secureConnect' : 'connect'
      // The answer may come before the request's 'finish' (a registry that
      // has read the whole body answers while Node still reports the write):
      // then there is nothing left to wait for, and no timer may be left to
      // keep the process alive or to destroy the socket, back in the pool.
      const awaitAnswer = () => {
        if (!answered) arm(readTimeoutMs, `waiting ${readTimeoutMs} ms for an answer from ${target.host} (readTimeoutMs)`)
      }
      request.on('socket', (socket) => {
        if (!socket.connecting) return
        arm(connectTimeoutMs, `connecting to ${target.host} after ${connectTimeoutMs} ms (connectTimeoutMs)`)
        socket.once(connected, disarm)
      })
      request.on('finish', () => {
        if (request.socket?.connecting) request.socket.once(connected, awaitAnswer)
        else awaitAnswer()
      })
      request.on('error', (err) => {
        disarm()
        // A kept-alive connection the server closed meanwhile: once more
        // on a new one (what Node's documentation advises), never reused.
        if (retry && request.reusedSocket && err.code === 'ECONNRESET') resolve(once(url, init, false))
        else reject(err)
      })
      request.on('close', disarm)
      request.on('response', (response) => {
        answered = true
        disarm()
        const empty = method === 'HEAD' || NO_BODY.has(response.statusCode)
        if (empty) response.resume()
        const init = { status: response.statusCode, statusText: response.statusMessage, headers: headersOf(response.headers) }
        try {
          resolve(new Response(empty ? null : bodyOf(response, readTimeoutMs, target.host), init))
        } catch (err) {
          response.destroy()
          reject(err)
        }
      })
      request.end(body)
    })
  return (url, init = {}) => once(url, init, true)
}

// The body of `response` as a web stream read on demand, which fails (and
// drops the connection) when it stalls: fewer than MIN_PROGRESS bytes while
// the reader waited `ms` in all. Only time spent waiting for the registry
// counts, never the time a slow reader takes between reads.
function bodyOf(response, ms, host) {
  const chunks = response[Symbol.asyncIterator]()
  let bytes = 0
  let waited = 0
  return new ReadableStream(
    {
      async pull(controller) {
        const start = Date.now()
        let timer
        const stalled = new Promise((_, reject) => {
          timer = setTimeout(() => reject(timedOut(`reading from ${host}: fewer than ${MIN_PROGRESS} bytes in ${ms} ms (readTimeoutMs)`)), ms - waited)
        })
        const next = chunks.next()
        next.catch(() => {})
        try {
          const { value, done } = await Promise.race([next, stalled])
          if (done) {
            controller.close()
            return
          }
          waited += Date.now() - start
          bytes += value.length
          if (bytes >= MIN_PROGRESS) {
            bytes = 0
            waited = 0
          }
          controller.enqueue(value)
        } catch (err) {
          response.destroy()
          throw err
        } finally {
          clearTimeout(timer)
        }
      },
      cancel() {
        response.destroy()
      },
    },
    { highWaterMark: 0 },
  )
}
