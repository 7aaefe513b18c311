// The `ocicache` command line (Node). Same sub-commands, flags, output and
// exit codes as the Python package's CLI; the shared cases in tests/cli/
// run against both.
//
//   ocicache digest [--algorithm sha256|sha512] FILE...
//   ocicache verify [--json] LAYOUT
//
// Exit status: 0 all good, 1 something is wrong with the content, 2 usage or
// I/O error.
import { createReadStream } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { Digest, Digester } from './index.mjs'

const USAGE = `usage: ocicache digest [--algorithm sha256|sha512] FILE...
       ocicache verify [--json] LAYOUT`

class UsageError extends Error {}

// Hash a file in 1 MiB chunks; returns the Digester.
async function hashFile(path, algorithm) {
  const digester = new Digester(algorithm)
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) digester.update(chunk)
  return digester
}

// Every file under LAYOUT/blobs/<alg>/, sorted by name, as {name, path}.
async function blobEntries(layout) {
  const root = join(layout, 'blobs')
  const algorithms = (await readdir(root, { withFileTypes: true })).filter((e) => e.isDirectory())
  const out = []
  for (const alg of algorithms.map((e) => e.name).sort()) {
    for (const file of (await readdir(join(root, alg), { withFileTypes: true })).filter((e) => e.isFile())) {
      out.push({ name: `${alg}:${file.name}`, path: join(root, alg, file.name) })
    }
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

// One blob's finding: its digest (the file's name), size, and whether the
// bytes hash to the name, with the core's code and message when not.
async function checkBlob({ name, path }) {
  const size = (await stat(path)).size
  try {
    const expected = Digest.parse(name)
    const digester = await hashFile(path, expected.algorithm)
    digester.verify(expected, size)
    return { digest: name, size, ok: true }
  } catch (err) {
    if (err.code === undefined) throw err
    return { digest: name, size, ok: false, code: err.code, message: err.message }
  }
}

async function verify(args, out) {
  const json = args.includes('--json')
  const rest = args.filter((a) => a !== '--json')
  if (rest.length !== 1 || rest[0].startsWith('-')) throw new UsageError('verify takes one LAYOUT directory')
  const layout = rest[0]
  const blobs = []
  for (const entry of await blobEntries(layout)) blobs.push(await checkBlob(entry))
  const failures = blobs.filter((b) => !b.ok).length
  const bytes = blobs.reduce((n, b) => n + b.size, 0)
  if (json) {
    out(JSON.stringify({ layout, checked: blobs.length, bytes, failures, blobs }))
  } else {
    for (const b of blobs) out(b.ok ? `ok    ${b.digest}  ${b.size} bytes` : `FAIL  ${b.digest}  ${b.code}: ${b.message}`)
    out(`checked ${blobs.length} blobs (${bytes} bytes) in ${layout}: ${blobs.length - failures} match their digests, ${failures} do not`)
  }
  return failures ? 1 : 0
}

async function digest(args, out) {
  let algorithm = 'sha256'
  const files = []
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--algorithm') {
      algorithm = args[++i]
      if (algorithm === undefined) throw new UsageError('--algorithm needs a value')
    } else if (args[i].startsWith('--algorithm=')) {
      algorithm = args[i].slice('--algorithm='.length)
    } else {
      files.push(args[i])
    }
  }
  if (!files.length) throw new UsageError('digest takes one or more FILEs')
  for (const file of files) out(`${(await hashFile(file, algorithm)).finalize()}  ${file}`)
  return 0
}

// Runs the CLI; returns the exit status. `out` and `err` take one line each.
export async function main(argv, out = console.log, err = console.error) {
  const [command, ...args] = argv
  try {
    if (command === 'verify') return await verify(args, out)
    if (command === 'digest') return await digest(args, out)
    if (command === '--help' || command === '-h' || command === 'help') {
      out(USAGE)
      return 0
    }
    throw new UsageError(command ? `unknown command ${command}` : 'no command given')
  } catch (e) {
    if (e instanceof UsageError) err(`ocicache: ${e.message}\n${USAGE}`)
    else if (e.syscall) err(`ocicache: ${e.message}`)
    else if (e.code) err(`ocicache: ${e.code}: ${e.message}`)
    else throw e
    return 2
  }
}
