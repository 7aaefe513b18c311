// A cache the page was given, as a storage driver for ocicache's
// operations: files from a directory picker (`<input webkitdirectory>` or
// showDirectoryPicker), a dropped folder, or a tar (plain or gzip) of one.
// Nothing is uploaded: blobs are read from the user's files in chunks, so a
// multi-GB cache never sits in memory (a .tar.gz is the exception: it is
// inflated into memory, since gzip cannot be read at an offset).
import { CacheLoader, Decoder, OciLayout, detectCompression } from 'ocicache'

const CHUNK = 4 << 20

function coded(code, message) {
  return Object.assign(new Error(message), { code })
}

/**
 * A cache directory as a map of layout paths (`index.json`,
 * `blobs/sha256/<hex>`) to Blobs. The layout's root is the directory that
 * holds `index.json` (or `oci-layout`), wherever it sits in what was given.
 */
export class FileStorage {
  /** @param {Map<string, Blob & {lastModified?: number}>} files paths relative to the layout root */
  constructor(files, name) {
    this.files = files
    this.name = name
  }

  /** From [relative path, Blob] pairs: finds the layout root and keeps what is under it. */
  static fromEntries(entries, name) {
    const paths = entries.map(([p]) => p.replace(/^\/+/, ''))
    const marker = paths
      .filter((p) => /(^|\/)(index\.json|oci-layout)$/.test(p))
      .sort((a, b) => a.split('/').length - b.split('/').length)[0]
    if (marker === undefined) throw coded('INVALID_LAYOUT', `${name}: no index.json or oci-layout in it: not a BuildKit cache directory`)
    const root = marker.includes('/') ? marker.slice(0, marker.lastIndexOf('/') + 1) : ''
    const files = new Map()
    entries.forEach(([, blob], i) => {
      if (paths[i].startsWith(root)) files.set(paths[i].slice(root.length), blob)
    })
    return new FileStorage(files, name)
  }

  /** From an `<input webkitdirectory>` FileList. */
  static fromFileList(list) {
    const files = [...list]
    const name = files[0]?.webkitRelativePath?.split('/')[0] || 'folder'
    return FileStorage.fromEntries(files.map((f) => [f.webkitRelativePath || f.name, f]), name)
  }

  /** From a FileSystemDirectoryHandle (showDirectoryPicker) or a dropped directory entry. */
  static async fromDirectory(dir) {
    const entries = []
    const walk = async (d, prefix) => {
      if (typeof d.values === 'function') {
        for await (const h of d.values()) {
          if (h.kind === 'directory') await walk(h, `${prefix}${h.name}/`)
          else entries.push([`${prefix}${h.name}`, await h.getFile()])
        }
        return
      }
      // FileSystemDirectoryEntry (drag and drop): readEntries in batches.
      const reader = d.createReader()
      for (;;) {
        const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject))
        if (!batch.length) break
        for (const e of batch) {
          if (e.isDirectory) await walk(e, `${prefix}${e.name}/`)
          else entries.push([`${prefix}${e.name}`, await new Promise((resolve, reject) => e.file(resolve, reject))])
        }
      }
    }
    await walk(dir, '')
    return FileStorage.fromEntries(entries, dir.name)
  }

  /** From a .tar or .tar.gz (or .tgz) File or Blob of a cache directory. */
  static async fromTar(file, name = file.name) {
    let tar = file
    const head = new Uint8Array(await file.slice(0, 512).arrayBuffer())
    const kind = detectCompression(head)
    if (kind === 'gzip' || kind === 'zstd') {
      const decoder = new Decoder(kind)
      const parts = []
      // At most about CHUNK decoded bytes a call: a few bytes of zstd can
      // stand for gigabytes, more than WebAssembly's memory holds.
      const decode = (chunk) => {
        for (let out = decoder.update(chunk, CHUNK); out.length > 0; out = decoder.update(new Uint8Array(0), CHUNK)) parts.push(out)
      }
      for (let at = 0; at < file.size; at += CHUNK) decode(new Uint8Array(await file.slice(at, at + CHUNK).arrayBuffer()))
      decoder.finish()
      tar = new Blob(parts)
    }
    return FileStorage.fromEntries(await readTar(tar), name)
  }

  toString() {
    return this.name
  }

  #blob(digest) {
    return this.files.get(OciLayout.blobPath(digest))
  }

  // Reads are bounded like LocalStorage's: index.json up to the core's
  // limit, a blob up to `limit` (a document's size + 1).
  async readIndex() {
    const f = this.files.get('index.json')
    return f ? new Uint8Array(await f.slice(0, CacheLoader.indexReadLimit()).arrayBuffer()) : null
  }

  async readBlob(digest, _mediaType, { limit } = {}) {
    const f = this.#blob(digest)
    return f ? new Uint8Array(await (limit === undefined ? f : f.slice(0, limit)).arrayBuffer()) : null
  }

  async *openBlob(digest) {
    const f = this.#blob(digest)
    if (!f) throw coded('MISSING_BLOB', `${this}: no blob ${digest}`)
    if (f.size === 0) yield new Uint8Array(0)
    const reader = f.stream().getReader()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      yield value
    }
  }

  async hasBlob(digest) {
    return this.#blob(digest) !== undefined
  }

  async listBlobs() {
    const out = []
    for (const [path, f] of this.files) {
      if (/^blobs\/[^/]+\/[^/]+$/.test(path)) out.push({ path, size: f.size, modified: f.lastModified ?? null })
    }
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  }

  async writeBlob() {
    throw coded('UNSUPPORTED_OPERATION', 'the viewer never writes')
  }

  async writeIndex() {
    throw coded('UNSUPPORTED_OPERATION', 'the viewer never writes')
  }

  async deleteBlob() {
    throw coded('UNSUPPORTED_OPERATION', 'the viewer never writes')
  }
}

const text = (bytes) => new TextDecoder().decode(bytes).replace(/\0.*$/s, '')
const octal = (bytes) => parseInt(text(bytes).trim() || '0', 8)

/**
 * The regular files of a tar (ustar, GNU long names, pax `path`), as
 * [path, File] pairs over slices of it: headers are read, contents are not.
 */
export async function readTar(blob) {
  const out = []
  let at = 0
  let longName = null
  let paxPath = null
  while (at + 512 <= blob.size) {
    const h = new Uint8Array(await blob.slice(at, at + 512).arrayBuffer())
    if (h.every((b) => b === 0)) break
    let sum = 0
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i]
    if (sum !== octal(h.subarray(148, 156))) throw coded('INVALID_LAYOUT', `not a tar file (bad header checksum at byte ${at})`)
    const size = octal(h.subarray(124, 136))
    const type = String.fromCharCode(h[156] || 48)
    const body = at + 512
    const next = body + Math.ceil(size / 512) * 512
    if (next > blob.size) throw coded('TRUNCATED_DATA', `the tar file ends inside ${text(h.subarray(0, 100))}`)
    if (type === 'L') {
      longName = text(new Uint8Array(await blob.slice(body, body + size).arrayBuffer()))
    } else if (type === 'x') {
      const pax = new TextDecoder().decode(await blob.slice(body, body + size).arrayBuffer())
      const m = pax.match(/(?:^|\n)\d+ path=([^\n]*)\n/)
      if (m) paxPath = m[1]
    } else {
      const prefix = text(h.subarray(345, 500))
      const name = paxPath ?? longName ?? (prefix ? `${prefix}/` : '') + text(h.subarray(0, 100))
      if (type === '0' || type === '\0' || type === '7') {
        // A File over a slice of the tar (no copy), with the entry's mtime.
        const lastModified = octal(h.subarray(136, 148)) * 1000
        const path = name.replace(/^\.\//, '')
        out.push([path, new File([blob.slice(body, body + size)], path.split('/').pop(), { lastModified })])
      }
      longName = null
      paxPath = null
    }
    at = next
  }
  return out
}
