// The S3 driver's GETs, sent and read by ocicache itself: an HttpHandler for
// the AWS SDK (the interface of @smithy/node-http-handler, which it wraps)
// that sends every GET without a body on a kept-alive HTTP/1.1 connection of
// its own and reads the answer into one reused buffer (node:net's and
// node:tls's `onread`), handing the SDK a stream of bytes copied out once.
// Every other request (PUT, POST, HEAD, DELETE, a GET with a body or
// credentials in the URL) goes to the SDK's own handler, as before.
//
// Why: node:http allocates a buffer for each socket read and another for
// each piece of body its parser hands on. Reading 200 MB of blobs from
// moto_server on loopback took 280-390 ms of CPU through node:http and
// 500-900 ms through the SDK on it, against 35-55 ms for the same socket
// reads into one buffer (and 200 ms for boto3): on two cores shared with the
// server the S3 download was CPU-bound (README, "Cloud copy").
//
// HTTP/1.1 as RFC 9112 frames a response: none for 1xx/204/304, chunked
// when Transfer-Encoding says so, else Content-Length, else until the
// server closes. A head over MAX_HEAD bytes, a malformed status line or
// header, a bad chunk or conflicting lengths fail the request
// (code EPROTO), as does a body cut short (ECONNRESET); the SDK retries
// those like any network error. No hang: connecting must finish within
// `connectTimeoutMs` (CONNECT_TIMEOUT_MS), and a response must keep coming
// within `readTimeoutMs` (READ_TIMEOUT_MS) while its reader waits for it; a
// paused (slow) reader is never blamed.
import net from 'node:net'
import tls from 'node:tls'
import { validateHeaderName, validateHeaderValue } from 'node:http'
import { Readable } from 'node:stream'
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_READ_TIMEOUT_MS } from './transport.mjs'

/** Connecting (TCP, and TLS for https) must finish within this: 30 s, as the registry's. */
export const CONNECT_TIMEOUT_MS = DEFAULT_CONNECT_TIMEOUT_MS
/** A response may be silent this long while it is waited for: 60 s, as the registry's. */
export const READ_TIMEOUT_MS = DEFAULT_READ_TIMEOUT_MS
/** A response's status line and headers may take this many bytes: 64 KiB. */
export const MAX_HEAD = 64 << 10
/** A kept-alive connection unused this long is closed: 4 s. */
export const IDLE_MS = 4_000
// One read buffer for every connection: each read is copied out of it
// before the next can land (the callbacks run one at a time). Reading into
// slabs and handing out views of them instead measured no faster.
const READ_BUFFER = Buffer.allocUnsafe(1 << 20)
/** A body stream holds this much before its socket is paused: 1 MiB. */
export const HIGH_WATER = 1 << 20

function failure(code, message, name) {
  return Object.assign(new Error(message), { code, ...(name ? { name } : {}) })
}

// The SDK's query encoding (@smithy's buildQueryString): keys sorted.
const escape = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
function queryString(query) {
  const parts = []
  for (const key of Object.keys(query).sort()) {
    const value = query[key]
    if (Array.isArray(value)) for (const v of value) parts.push(`${escape(key)}=${escape(v)}`)
    else parts.push(value || typeof value === 'string' ? `${escape(key)}=${escape(value)}` : escape(key))
  }
  return parts.join('&')
}

/**
 * An AWS SDK request handler: GETs without a body on connections of its
 * own (see the top of this file), everything else through `inner` (the
 * client's NodeHttpHandler).
 */
export class Getter {
  #inner
  #timeouts
  #idle = new Map() // origin -> idle Connections, most recent last

  /**
   * @param inner the SDK handler that sends every other request
   * @param {{connectTimeoutMs?: number, readTimeoutMs?: number, highWaterMark?: number}} [options]
   *   the timeouts above, and how many bytes of a body are held unread
   *   before its socket is paused (HIGH_WATER)
   */
  constructor(inner, { connectTimeoutMs = CONNECT_TIMEOUT_MS, readTimeoutMs = READ_TIMEOUT_MS, highWaterMark = HIGH_WATER } = {}) {
    this.#inner = inner
    this.#timeouts = { connect: connectTimeoutMs, read: readTimeoutMs, highWaterMark }
    this.metadata = { handlerProtocol: 'http/1.1' }
  }

  /** Sends `request` (an SDK HttpRequest); resolves to `{ response }`. */
  handle(request, options = {}) {
    const plain = request.method === 'GET' && request.body == null && request.username == null && request.password == null
    if (!plain || (request.protocol !== 'http:' && request.protocol !== 'https:')) return this.#inner.handle(request, options)
    return this.#get(request, options, false)
  }

  /** The inner handler's settings (the SDK reads them). */
  httpHandlerConfigs() {
    return this.#inner.httpHandlerConfigs?.() ?? {}
  }

  /** Changes one of the inner handler's settings (the SDK calls this). */
  updateHttpClientConfig(key, value) {
    this.#inner.updateHttpClientConfig?.(key, value)
  }

  /** Closes the idle connections and the inner handler's. */
  destroy() {
    for (const list of this.#idle.values()) for (const c of list) c.socket.destroy()
    this.#idle.clear()
    this.#inner.destroy?.()
  }

  async #get(request, options, fresh) {
    const { abortSignal } = options
    if (abortSignal?.aborted) throw aborted(abortSignal)
    const host = request.hostname.startsWith('[') ? request.hostname.slice(1, -1) : request.hostname
    const port = Number(request.port) || (request.protocol === 'https:' ? 443 : 80)
    const origin = `${request.protocol}//${request.hostname}:${port}`
    let path = request.path || '/'
    const query = request.query ? queryString(request.query) : ''
    if (query) path += `?${query}`
    const lines = [`GET ${path} HTTP/1.1`]
    let hasHost = false
    for (const [name, value] of Object.entries(request.headers ?? {})) {
      if (value === undefined) continue
      validateHeaderName(name)
      validateHeaderValue(name, value)
      if (name.toLowerCase() === 'host') hasHost = true
      lines.push(`${name}: ${value}`)
    }
    if (!hasHost) lines.push(`host: ${request.hostname}${request.port ? `:${request.port}` : ''}`)
    if (/[\s]/.test(path)) throw failure('ERR_INVALID_CHAR', `a request path with white space: ${JSON.stringify(path)}`)
    const timeouts = this.#timeouts
    const reused = fresh ? null : this.#take(origin)
    const conn = reused ?? (await Connection.open(request.protocol, host, port, timeouts.connect, abortSignal))
    try {
      return { response: await conn.exchange(`${lines.join('\r\n')}\r\n\r\n`, timeouts, abortSignal, (c) => this.#release(origin, c)) }
    } catch (err) {
      // A kept-alive connection the server closed meanwhile: once more on
      // a new one (a GET can be repeated).
      if (reused && err.beforeResponse && !abortSignal?.aborted) return this.#get(request, options, true)
      throw err
    }
  }

  #take(origin) {
    const list = this.#idle.get(origin)
    while (list?.length) {
      const c = list.pop()
      if (c.idle()) return c
    }
    return null
  }

  #release(origin, conn) {
    let list = this.#idle.get(origin)
    if (!list) this.#idle.set(origin, (list = []))
    list.push(conn)
    conn.park(IDLE_MS, () => {
      const i = list.indexOf(conn)
      if (i >= 0) list.splice(i, 1)
    })
  }
}

function aborted(signal) {
  return failure('ABORT_ERR', signal.reason?.message ?? 'Request aborted', 'AbortError')
}

// One connection and the exchange on it, if any.
class Connection {
  socket
  #state = 'idle' // idle | head | body | closed
  #head = ''
  #response = null // { resolve, reject, body, release, forget } of the exchange under way
  #framing = null // { kind: 'length', left } | { kind: 'chunked', ... } | { kind: 'close' }
  #keepAlive = false
  #idleTimer = null
  #readTimeout = READ_TIMEOUT_MS
  #highWaterMark = HIGH_WATER
  #paused = false
  #onIdleClose = null

  static open(protocol, host, port, connectTimeout, signal) {
    return new Promise((resolve, reject) => {
      const conn = new Connection()
      const onread = { buffer: READ_BUFFER, callback: (n, buf) => conn.#data(buf, n) }
      const options = { host, port, onread, noDelay: true }
      const socket = protocol === 'https:'
        ? tls.connect({ ...options, servername: net.isIP(host) ? undefined : host, ALPNProtocols: ['http/1.1'] })
        : net.connect(options)
      conn.socket = socket
      const timer = setTimeout(() => socket.destroy(failure('ETIMEDOUT', `timed out connecting to ${host}:${port}`, 'TimeoutError')), connectTimeout)
      const onAbort = () => socket.destroy(aborted(signal))
      signal?.addEventListener?.('abort', onAbort, { once: true })
      const done = (err) => {
        clearTimeout(timer)
        signal?.removeEventListener?.('abort', onAbort)
        socket.off('error', done)
        if (err) reject(err)
        else resolve(conn)
      }
      socket.once(protocol === 'https:' ? 'secureConnect' : 'connect', () => done())
      socket.once('error', done)
      socket.on('error', (err) => conn.#fail(err))
      socket.on('timeout', () => socket.destroy(failure('ETIMEDOUT', `timed out waiting for ${host}:${port}`, 'TimeoutError')))
      socket.on('end', () => conn.#end())
      socket.on('close', () => {
        conn.#fail(failure('ECONNRESET', `${host}:${port} closed the connection`))
        conn.#onIdleClose?.()
      })
    })
  }

  /** Whether the connection can take a request. */
  idle() {
    return this.#state === 'idle' && !this.socket.destroyed
  }

  /** Kept for the next request: closed after `ms` unused. */
  park(ms, onClose) {
    this.socket.setTimeout(0)
    this.socket.unref()
    this.#idleTimer = setTimeout(() => this.socket.destroy(), ms)
    this.#idleTimer.unref()
    this.#onIdleClose = onClose
  }

  /** Sends `head` and resolves to the response once its head is read. */
  exchange(head, { read, highWaterMark }, signal, release) {
    clearTimeout(this.#idleTimer)
    this.#onIdleClose = null
    this.socket.ref()
    this.#readTimeout = read
    this.#highWaterMark = highWaterMark
    this.socket.setTimeout(read)
    this.#state = 'head'
    this.#head = ''
    return new Promise((resolve, reject) => {
      const onAbort = () => this.socket.destroy(aborted(signal))
      signal?.addEventListener?.('abort', onAbort, { once: true })
      this.#response = {
        resolve, reject, body: null,
        release: () => {
          signal?.removeEventListener?.('abort', onAbort)
          release(this)
        },
        forget: () => signal?.removeEventListener?.('abort', onAbort),
      }
      this.socket.write(head)
    })
  }

  #pause() {
    if (this.#paused) return
    this.#paused = true
    this.socket.setTimeout(0) // a paused reader is not the server's delay
    this.socket.pause()
  }

  #resume() {
    if (!this.#paused || this.#state === 'closed') return
    this.#paused = false
    this.socket.setTimeout(this.#readTimeout)
    this.socket.resume()
  }

  // Bytes [0, n) of `buf` arrived (the shared buffer: copied out here).
  #data(buf, n) {
    try {
      let at = 0
      if (this.#state === 'head') at = this.#readHead(buf, n)
      if (this.#state === 'body' && at < n) this.#readBody(buf, at, n)
      else if (this.#state === 'idle' && at < n) throw failure('EPROTO', 'the server sent bytes after the response')
    } catch (err) {
      this.socket.destroy(err)
    }
    return !this.#paused
  }

  // Reads the head; returns where the body starts in `buf` (n if not yet).
  #readHead(buf, n) {
    this.#head += buf.latin1Slice(0, n)
    for (;;) {
      const end = this.#head.indexOf('\r\n\r\n')
      if (end > MAX_HEAD || (end < 0 && this.#head.length > MAX_HEAD)) throw failure('EPROTO', `a response head over ${MAX_HEAD} bytes`)
      if (end < 0) return n
      const text = this.#head.slice(0, end)
      const rest = this.#head.length - end - 4
      this.#head = this.#head.slice(end + 4)
      const status = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(text.slice(0, text.indexOf('\r\n') >>> 0))
      if (!status) throw failure('EPROTO', `a malformed status line: ${JSON.stringify(text.slice(0, 80))}`)
      const code = Number(status[1])
      if (code >= 100 && code < 200) continue // 100 Continue and the like: the answer follows
      this.#startBody(code, status[2] ?? '', headersOf(text))
      this.#head = ''
      // What followed the head is the end of this read (the head was not
      // complete before it).
      return n - rest
    }
  }

  #startBody(code, reason, headers) {
    const te = headers['transfer-encoding']
    const lengths = headers['content-length']
    this.#keepAlive = !/\bclose\b/i.test(headers.connection ?? '')
    if (code === 204 || code === 304) this.#framing = { kind: 'length', left: 0 }
    else if (te !== undefined) {
      if (!/^\s*chunked\s*$/i.test(te)) throw failure('EPROTO', `an unknown transfer encoding: ${te}`)
      this.#framing = { kind: 'chunked', step: 'size', line: '', left: 0 }
    } else if (lengths !== undefined) {
      const all = new Set(lengths.split(',').map((s) => s.trim()))
      const [only] = all
      if (all.size !== 1 || !/^\d{1,15}$/.test(only)) throw failure('EPROTO', `a bad content-length: ${lengths}`)
      this.#framing = { kind: 'length', left: Number(only) }
    } else {
      this.#framing = { kind: 'close' }
      this.#keepAlive = false
    }
    const body = new Readable({
      highWaterMark: this.#highWaterMark,
      read: () => this.#resume(),
      destroy: (err, cb) => {
        // Dropped before its end: the connection cannot be reused.
        if (this.#state === 'body') this.socket.destroy()
        cb(err)
      },
    })
    // An error can come before the SDK's reader listens (in the read that
    // brought the head): it is kept in the stream (`errored`) and thrown
    // to whoever reads it, not an uncaught 'error' event.
    body.on('error', () => {})
    this.#state = 'body'
    const r = this.#response
    r.body = body
    r.resolve({ statusCode: code, reason, headers, body })
    if (this.#framing.kind === 'length' && this.#framing.left === 0) this.#finish()
  }

  #push(bytes) {
    if (!this.#response.body.push(bytes)) this.#pause()
  }

  #readBody(buf, at, n) {
    const f = this.#framing
    if (f.kind === 'close') return this.#push(Buffer.from(buf.subarray(at, n)))
    if (f.kind === 'length') {
      const take = Math.min(f.left, n - at)
      f.left -= take
      this.#push(Buffer.from(buf.subarray(at, at + take)))
      if (f.left === 0) {
        this.#finish()
        if (at + take < n) throw failure('EPROTO', 'the server sent more than its content-length')
      }
      return
    }
    while (at < n && this.#state === 'body') {
      if (f.step === 'data') {
        const take = Math.min(f.left, n - at)
        this.#push(Buffer.from(buf.subarray(at, at + take)))
        f.left -= take
        at += take
        if (f.left === 0) f.step = 'crlf'
        continue
      }
      // size line, the CRLF after data, or a trailer line: text up to LF
      const lf = buf.indexOf(10, at)
      const stop = lf < 0 || lf >= n ? n : lf + 1
      f.line += buf.latin1Slice(at, stop)
      at = stop
      if (f.line.length > 4096) throw failure('EPROTO', 'a chunk line over 4096 bytes')
      if (!f.line.endsWith('\n')) continue
      const line = f.line.replace(/\r?\n$/, '')
      f.line = ''
      if (f.step === 'crlf') {
        if (line !== '') throw failure('EPROTO', 'a chunk not followed by CRLF')
        f.step = 'size'
      } else if (f.step === 'size') {
        const size = /^([0-9a-fA-F]{1,12})(\s*;.*)?$/.exec(line)
        if (!size) throw failure('EPROTO', `a bad chunk size: ${JSON.stringify(line.slice(0, 40))}`)
        f.left = parseInt(size[1], 16)
        f.step = f.left === 0 ? 'trailer' : 'data'
      } else if (line === '') {
        this.#finish()
      }
    }
    if (this.#state === 'idle' && at < n) throw failure('EPROTO', 'the server sent bytes after the response')
  }

  // The body is complete.
  #finish() {
    const r = this.#response
    this.#response = null
    this.#framing = null
    if (this.#paused) {
      // Its stream asks for nothing more once ended: read on here (the
      // next response, or the server closing an idle connection).
      this.#paused = false
      this.socket.resume()
    }
    if (this.#keepAlive) {
      this.#state = 'idle'
      r.release()
    } else {
      this.#state = 'closed'
      r.forget()
      this.socket.destroy()
    }
    r.body.push(null)
  }

  // The server ended its side: the end of a close-delimited body.
  #end() {
    if (this.#state === 'body' && this.#framing.kind === 'close') {
      this.#keepAlive = false
      this.#finish()
    } else this.socket.destroy()
  }

  #fail(err) {
    const r = this.#response
    const state = this.#state
    this.#state = 'closed'
    this.#response = null
    if (!r) return
    r.forget()
    if (state === 'head') {
      if (this.#head === '') err.beforeResponse = true
      r.reject(err)
    } else r.body.destroy(err)
  }
}

// The headers of a response head (its status line first), names in lower
// case and repeated ones joined with ", ".
function headersOf(text) {
  const headers = {}
  const lines = text.split('\r\n')
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]
    const colon = line.indexOf(':')
    if (colon <= 0 || /[\s]/.test(line[colon - 1]) || /^\s/.test(line)) throw failure('EPROTO', `a malformed header line: ${JSON.stringify(line.slice(0, 80))}`)
    const name = line.slice(0, colon).toLowerCase()
    const value = line.slice(colon + 1).trim()
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value
  }
  return headers
}
