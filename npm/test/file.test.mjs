// file.mjs: writes that the system cuts short are continued, never left as a
// shorter file (FileHandle.write and writev make one system call each).
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { Spool, writeAll } from '../file.mjs'

// A handle whose every writev writes at most `most` bytes, into `out`.
function shortHandle(most) {
  const out = []
  return {
    out,
    async writev(buffers) {
      let left = most
      for (const b of buffers) {
        const n = Math.min(left, b.length)
        out.push(...b.subarray(0, n))
        left -= n
        if (left === 0) break
      }
      return { bytesWritten: most - left, buffers }
    },
  }
}

test('writeAll continues a short write where it stopped', async () => {
  const parts = [Buffer.from('hello, '), Buffer.alloc(0), Buffer.from('layer '), Buffer.from('blobs')]
  for (const most of [1, 3, 7, 100]) {
    const h = shortHandle(most)
    await writeAll(h, parts)
    assert.equal(Buffer.from(h.out).toString(), 'hello, layer blobs', `at most ${most} a call`)
  }
})

test('a write that writes nothing is STORAGE_ERROR, and a real file gets every byte', async () => {
  await assert.rejects(writeAll(shortHandle(0), [Buffer.from('x')]), { code: 'STORAGE_ERROR' })
  const dir = mkdtempSync(join(tmpdir(), 'ocicache-file-'))
  try {
    const h = await open(join(dir, 'f'), 'w')
    const parts = Array.from({ length: 40 }, (_, i) => Buffer.alloc(70_000, i))
    await writeAll(h, parts)
    await h.close()
    assert.deepEqual(readFileSync(join(dir, 'f')), Buffer.concat(parts))
    const spool = await Spool.open(dir)
    for (const p of parts) await spool.write(p)
    const back = []
    for await (const c of spool.chunks()) back.push(c)
    await spool.close()
    assert.deepEqual(Buffer.concat(back), Buffer.concat(parts))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
