// Files of a layout read bounded and typed: a path is read only when it is
// a regular file (a symlink to one counts, as containerd's content store
// follows symlinks), and never past a limit. A directory, FIFO, device,
// socket or broken symlink where a file should be is NOT_A_FILE — never
// opened for reading in a way that could hang (O_NONBLOCK: a FIFO without
// a writer does not block the open) and never read.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { lstat, mkdir, open, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const { O_RDONLY, O_NONBLOCK } = constants
const CHUNK = 1 << 20
// readBounded reads up to this much into one buffer sized from the file.
const WHOLE_READ = 64 << 20

function coded(code, message) {
  return Object.assign(new Error(message), { code })
}

/** Whether `err` says the path (or a directory on it) is not there. */
export function missing(err) {
  return Boolean(err) && (err.code === 'ENOENT' || err.code === 'ENOTDIR')
}

/** What a `Stats` is when it is not a regular file, or null when it is one. */
export function fileType(s) {
  if (s.isFile()) return null
  if (s.isDirectory()) return 'directory'
  if (s.isFIFO()) return 'fifo'
  if (s.isSocket()) return 'socket'
  if (s.isCharacterDevice()) return 'character device'
  if (s.isBlockDevice()) return 'block device'
  return 'special file'
}

/**
 * What the path is, following symlinks: `{type: null, size, modified}` for
 * a regular file, `{type: 'directory' | …, size: 0, modified}` for anything
 * else (`broken symlink` for a symlink to nothing or a loop), or null when
 * there is nothing there.
 */
export async function pathType(path) {
  let s
  try {
    s = await stat(path)
  } catch (err) {
    if (!missing(err) && err.code !== 'ELOOP') throw err
    try {
      s = await lstat(path)
    } catch (err2) {
      if (missing(err2)) return null
      throw err2
    }
    return { type: 'broken symlink', size: 0, modified: Math.floor(s.mtimeMs) }
  }
  const type = fileType(s)
  return { type, size: type ? 0 : s.size, modified: Math.floor(s.mtimeMs) }
}

/**
 * Opens `path` for reading when it is a regular file: a FileHandle, or
 * null when nothing is there. NOT_A_FILE when something else is.
 */
export async function openFile(path) {
  let handle
  try {
    handle = await open(path, O_RDONLY | O_NONBLOCK)
  } catch (err) {
    if (err.code === 'ELOOP') throw coded('NOT_A_FILE', `${path} is a broken symlink (a loop), not a file`)
    if (err.code === 'EISDIR') throw coded('NOT_A_FILE', `${path} is a directory, not a file`)
    if (!missing(err)) throw err
    const what = await pathType(path)
    if (what === null) return null
    throw coded('NOT_A_FILE', `${path} is a ${what.type}, not a file`)
  }
  try {
    const type = fileType(await handle.stat())
    if (type !== null) throw coded('NOT_A_FILE', `${path} is a ${type}, not a file`)
  } catch (err) {
    await handle.close()
    throw err
  }
  return handle
}

/**
 * At most `limit` bytes of the regular file at `path` (all of it when
 * `limit` is undefined), or null when nothing is there. Memory follows
 * what is read, never the size the file claims.
 */
export async function readBounded(path, limit = Infinity) {
  const handle = await openFile(path)
  if (handle === null) return null
  try {
    // One buffer of the size the file has now (plus the byte that tells it
    // grew), read into in place: no chunks joined again (up to WHOLE_READ;
    // past it, or when the file grew, the rest comes in chunks).
    const first = Math.min(limit, (await handle.stat()).size + 1, WHOLE_READ)
    const parts = []
    let total = 0
    if (first > 0) {
      const buffer = Buffer.allocUnsafe(first)
      while (total < first) {
        const { bytesRead } = await handle.read(buffer, total, first - total, total)
        if (bytesRead === 0) break
        total += bytesRead
      }
      if (total < first) return buffer.subarray(0, total)
      parts.push(buffer)
    }
    while (total < limit) {
      const buffer = Buffer.allocUnsafe(Math.min(CHUNK, limit - total))
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, total)
      if (bytesRead === 0) break
      parts.push(buffer.subarray(0, bytesRead))
      total += bytesRead
    }
    return parts.length === 1 ? parts[0] : Buffer.concat(parts, total)
  } finally {
    await handle.close()
  }
}

/** The regular file at `path` in chunks (ENOENT when missing, NOT_A_FILE when not a file). */
export async function* streamFile(path) {
  const handle = await openFile(path)
  if (handle === null) throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: 'ENOENT', syscall: 'open', path })
  try {
    yield* handle.createReadStream({ highWaterMark: CHUNK, autoClose: false })
  } finally {
    await handle.close()
  }
}

/**
 * Writes all of `buffers` at the file's position: a write the system cuts
 * short is continued, and one that writes nothing is an error (STORAGE_ERROR)
 * — never a shorter file. FileHandle.write and writev make one call each.
 */
export async function writeAll(handle, buffers) {
  let rest = buffers.filter((b) => b.length > 0)
  while (rest.length > 0) {
    const { bytesWritten } = await handle.writev(rest)
    if (bytesWritten <= 0) throw Object.assign(new Error('a write wrote nothing (is the disk full?)'), { code: 'STORAGE_ERROR' })
    let left = bytesWritten
    while (rest.length > 0 && left >= rest[0].length) left -= rest.shift().length
    if (left > 0) rest[0] = rest[0].subarray(left)
  }
}

/**
 * The regular file at `path` (a user's own file, such as the docker config),
 * or null when nothing is there; NOT_A_FILE when something else is, and
 * SIZE_LIMIT_EXCEEDED when it is longer than `limit`. Synchronous.
 */
export function readSmallFileSync(path, limit) {
  let fd
  try {
    fd = openSync(path, O_RDONLY | O_NONBLOCK)
  } catch (err) {
    if (missing(err)) return null
    if (err.code === 'EISDIR' || err.code === 'ELOOP') throw coded('NOT_A_FILE', `${path} is not a file`)
    throw err
  }
  try {
    const type = fileType(fstatSync(fd))
    if (type !== null) throw coded('NOT_A_FILE', `${path} is a ${type}, not a file`)
    const buffer = Buffer.alloc(limit + 1)
    let total = 0
    for (let n; total < buffer.length && (n = readSync(fd, buffer, total, buffer.length - total, total)) > 0; ) total += n
    if (total > limit) throw coded('SIZE_LIMIT_EXCEEDED', `${path} is over ${limit} bytes`)
    return buffer.subarray(0, total)
  } finally {
    closeSync(fd)
  }
}

/**
 * A temporary file for bytes whose name comes later (a converted layer is
 * stored under its digest): `write(chunk)`, then `chunks()` reads them back,
 * `close()` removes the file. In `dir` (the system's temporary directory by
 * default; a layout's ingest/, where gc leaves it alone).
 */
export class Spool {
  #handle
  #path
  size = 0

  constructor(handle, path) {
    this.#handle = handle
    this.#path = path
  }

  /** A new spool file in `dir`. */
  static async open(dir = tmpdir()) {
    await mkdir(dir, { recursive: true })
    const path = join(dir, `ocicache-spool-${process.pid}-${randomBytes(6).toString('hex')}`)
    return new Spool(await open(path, 'wx+', 0o600), path)
  }

  async write(chunk) {
    // A write the system cuts short is continued (see writeAll).
    for (let at = 0; at < chunk.length; ) {
      const { bytesWritten } = await this.#handle.write(chunk, at, chunk.length - at, this.size)
      if (bytesWritten <= 0) throw Object.assign(new Error(`${this.#path}: a write wrote nothing (is the disk full?)`), { code: 'STORAGE_ERROR' })
      at += bytesWritten
      this.size += bytesWritten
    }
  }

  async *chunks() {
    for (let at = 0; at < this.size; ) {
      const buffer = Buffer.allocUnsafe(Math.min(CHUNK, this.size - at))
      const { bytesRead } = await this.#handle.read(buffer, 0, buffer.length, at)
      if (bytesRead === 0) throw Object.assign(new Error(`${this.#path} shrank while being read`), { code: 'STORAGE_ERROR' })
      yield buffer.subarray(0, bytesRead)
      at += bytesRead
    }
  }

  async close() {
    await this.#handle.close()
    await rm(this.#path, { force: true })
  }
}
