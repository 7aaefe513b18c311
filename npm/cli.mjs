// The `ocicache` command line (Node). Same sub-commands, flags, output and
// exit codes as the Python package's CLI; the shared cases in tests/cli/
// run against both. Reports come from the core (toText / toJSON), so both
// CLIs print the same bytes.
//
// Exit status: 0 all good, 1 something is wrong with the cache (or gc
// refused), 2 usage or I/O error.
import { createReadStream, readFileSync } from 'node:fs'
import { Digester, parseByteSize, parseCacheEntries, parseCacheOptions, parseDurationMs } from './index.mjs'
import { openLocation } from './location.mjs'
import * as ops from './operations.mjs'

const USAGE = `usage: ocicache inspect [--json] CACHE
       ocicache verify [--json] CACHE
       ocicache gc [--dry-run] [--json] [--keep-tags T,..] [--drop-tags T,..] [--grace-period SECONDS] [--settle SECONDS] CACHE
       ocicache prune [--dry-run] [--json] [--max-size SIZE] [--max-age AGE] [--keep-tags T,..] [--grace-period SECONDS] [--settle SECONDS] CACHE
       ocicache merge [--json] [--tag TAG] [--form FORM] [--replace] [--max-size SIZE] DEST SOURCE...
       ocicache convert [--json] [--tag TAG] [--form FORM] [--compression gzip|zstd|uncompressed] CACHE
       ocicache copy [--json] [--concurrency N] SOURCE DEST
       ocicache options [--export] [--unchecked] OPTIONS
       ocicache digest [--algorithm sha256|sha512] FILE...
       ocicache --help | --version
CACHE, SOURCE and DEST are a directory, a registry reference (HOST/REPO:TAG,
where HOST has a dot or a port or is localhost), or a buildx-style string:
type=local,src=DIR[,tag=TAG][,digest=DIGEST], type=registry,ref=HOST/REPO:TAG[,registry.insecure=true],
type=s3,bucket=B,region=R[,name=N][,…] or type=azblob,account_url=URL[,name=N][,…] (BuildKit's attributes).
SIZE is bytes or 2GiB, 500MB, 10g; AGE is 7d, 36h, 1w2d or seconds.
A path that starts with /, ./ or ../ is always a directory. copy and merge write
DEST's tag (tag= or the reference's), else latest: the tag --cache-from reads.
Registry credentials come from the docker config file ($DOCKER_CONFIG/config.json
or ~/.docker/config.json), or from --username U with --password-stdin;
--connect-timeout SECONDS (30) and --read-timeout SECONDS (60) bound every
registry request. These go before the sub-command.`

class UsageError extends Error {}

// Parses `args` against `spec` ({flag: 'bool' | 'value'}); returns
// {flags, rest}.
function parse(args, spec) {
  const flags = {}
  const rest = []
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    if (!a.startsWith('--') || a === '--') {
      rest.push(a)
      continue
    }
    const [name, inline] = a.slice(2).split(/=(.*)/s, 2)
    if (!(name in spec)) throw new UsageError(`unknown flag --${name}`)
    if (spec[name] === 'bool') {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`)
      flags[name] = true
    } else {
      const value = inline ?? args[++i]
      if (value === undefined) throw new UsageError(`--${name} needs a value`)
      flags[name] = value
    }
  }
  return { flags, rest }
}

// Registry options given on the command line (--username,
// --password-stdin, --connect-timeout, --read-timeout), for every registry
// location of the command.
let registryOptions = {}

// A cache location of the command line (see location.mjs), with its
// registry options.
const location = (arg) => openLocation(arg, registryOptions)

// A number of seconds given for --`flag`, in milliseconds.
function seconds(flag, value) {
  if (value === undefined || !/^\d+(\.\d+)?$/.test(value) || !Number.isFinite(Number(value))) throw new UsageError(`--${flag} takes a number of seconds`)
  return Math.round(Number(value) * 1000)
}

// A location the command writes to: digest= only selects what to read.
function writable(arg) {
  const loc = location(arg)
  if (loc.digest !== undefined) {
    const message = `${arg}: digest= pins a manifest to read; a location written to is named by its tag`
    throw Object.assign(new Error(message), { code: 'UNSUPPORTED_OPERATION' })
  }
  return loc
}

function one(rest, what) {
  if (rest.length !== 1) throw new UsageError(`expected one ${what}`)
  return rest[0]
}

// A progress line on stderr when it is a terminal; nothing otherwise.
function progress(err, label) {
  if (!process.stderr.isTTY) return undefined
  let last = 0
  return (done, total) => {
    const now = Date.now()
    if (done < total && now - last < 100) return
    last = now
    const width = 30
    const filled = total ? Math.round((done / total) * width) : width
    process.stderr.write(`\r${label} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total}${done >= total ? '\n' : ''}`)
  }
}

const write = (out, text) => out(text.replace(/\n$/, ''))
const json = (out, value) => out(JSON.stringify(value))

const commands = {
  async inspect(args, out) {
    const { flags, rest } = parse(args, { json: 'bool' })
    const report = await ops.inspect(location(one(rest, 'CACHE')).source)
    if (flags.json) json(out, report.toJSON())
    else write(out, report.toText())
    return report.toJSON().findings.some((f) => f.severity === 'error') ? 1 : 0
  },

  async verify(args, out, err) {
    const { flags, rest } = parse(args, { json: 'bool' })
    const report = await ops.verify(location(one(rest, 'CACHE')).source, { onProgress: progress(err, 'verify') })
    if (flags.json) json(out, report.toJSON())
    else write(out, report.toText())
    return report.ok ? 0 : 1
  },

  async gc(args, out, err) {
    const spec = { 'dry-run': 'bool', json: 'bool', 'keep-tags': 'value', 'drop-tags': 'value', 'grace-period': 'value', settle: 'value' }
    const { flags, rest } = parse(args, spec)
    const list = (v) => (v === undefined ? undefined : v.split(',').filter(Boolean))
    const ms = (flag) => (flags[flag] === undefined ? undefined : seconds(flag, flags[flag]))
    const gracePeriodMs = ms('grace-period')
    const settleMs = ms('settle')
    const dryRun = Boolean(flags['dry-run'])
    const loc = writable(one(rest, 'CACHE'))
    if (loc.registry) throw new UsageError('gc works on local, s3 and azblob caches; a registry frees blobs with its own garbage collector')
    const plan = await ops.gc(loc.storage, {
      dryRun,
      keepTags: list(flags['keep-tags']),
      dropTags: list(flags['drop-tags']),
      gracePeriodMs,
      settleMs,
      onProgress: progress(err, 'gc'),
    })
    if (flags.json) json(out, plan.toJSON(!dryRun))
    else write(out, plan.toText(!dryRun))
    return 0
  },

  async prune(args, out, err) {
    const spec = { 'dry-run': 'bool', json: 'bool', 'max-size': 'value', 'max-age': 'value', 'keep-tags': 'value', 'grace-period': 'value', settle: 'value' }
    const { flags, rest } = parse(args, spec)
    if (flags['max-size'] === undefined && flags['max-age'] === undefined) throw new UsageError('prune needs --max-size or --max-age')
    const ms = (flag) => (flags[flag] === undefined ? undefined : seconds(flag, flags[flag]))
    const dryRun = Boolean(flags['dry-run'])
    const loc = writable(one(rest, 'CACHE'))
    const result = await ops.prune(loc.storage, {
      dryRun,
      maxSize: flags['max-size'] === undefined ? undefined : parseByteSize(flags['max-size']),
      maxAgeMs: flags['max-age'] === undefined ? undefined : parseDurationMs(flags['max-age']),
      keepTags: flags['keep-tags']?.split(',').filter(Boolean),
      collect: !loc.registry,
      gracePeriodMs: ms('grace-period'),
      settleMs: ms('settle'),
      onProgress: progress(err, 'gc'),
    })
    const gc = result.gc
    if (flags.json) json(out, { ...result.plan.toJSON(!dryRun), skippedTags: result.skipped, gc: gc === null ? null : gc.toJSON(true) })
    else {
      write(out, result.plan.toText(!dryRun))
      for (const t of result.skipped) out(`left ${t} as it is: an export changed it since the plan`)
      if (gc !== null) write(out, gc.toText(true))
    }
    return 0
  },

  async merge(args, out) {
    const spec = { json: 'bool', tag: 'value', form: 'value', replace: 'bool', 'max-size': 'value', 'grace-period': 'value', settle: 'value' }
    const { flags, rest } = parse(args, spec)
    if (rest.length < 2) throw new UsageError('merge takes DEST and at least one SOURCE')
    const dest = writable(rest[0])
    const sources = rest.slice(1).map(location).map((l) => ({ storage: l.source, tag: l.tag }))
    const tag = flags.tag ?? dest.tag ?? 'latest'
    const ms = (flag) => (flags[flag] === undefined ? undefined : seconds(flag, flags[flag]))
    const maxSize = flags['max-size'] === undefined ? undefined : parseByteSize(flags['max-size'])
    const result = await ops.merge(dest.storage, sources, {
      tag,
      form: flags.form,
      replace: Boolean(flags.replace),
      maxSize,
      gracePeriodMs: ms('grace-period'),
      settleMs: ms('settle'),
      collect: !dest.registry,
    })
    const report = { tag, descriptor: result.descriptor, sources: sources.length, existing: result.existing, layers: result.layers }
    if (result.pruned) {
      const p = result.pruned.plan.toJSON(true)
      report.pruned = { maxSize: p.maxSize, bytesAfter: p.bytesAfter, freedBytes: p.freedBytes, droppedResults: p.droppedResults, skippedTags: result.pruned.skipped }
    }
    if (flags.json) json(out, report)
    else {
      const held = { merged: ` and the ${tag} it held`, replaced: ` (replacing the ${tag} it held)`, none: '' }[result.existing]
      out(`merged ${sources.length} caches${held} into ${rest[0]} as ${tag}: ${result.descriptor.digest} (${result.layers} layer blobs)`)
      if (report.pruned) out(`pruned to ${report.pruned.maxSize} bytes: dropped ${report.pruned.droppedResults} results, ${report.pruned.freedBytes} bytes freed, ${report.pruned.bytesAfter} bytes now`)
    }
    return 0
  },

  async convert(args, out, err) {
    const { flags, rest } = parse(args, { json: 'bool', tag: 'value', form: 'value', compression: 'value' })
    const loc = writable(one(rest, 'CACHE'))
    const tag = flags.tag ?? loc.tag ?? 'latest'
    const result = await ops.convert(loc.storage, { tag, form: flags.form, compression: flags.compression, onProgress: progress(err, 'convert') })
    const report = { tag, descriptor: result.descriptor, recompressed: result.recompressed }
    if (flags.json) json(out, report)
    else out(`converted ${tag} in ${rest[0]}: ${result.descriptor.digest} (${result.recompressed} layers recompressed)`)
    return 0
  },

  async copy(args, out, err) {
    const { flags, rest } = parse(args, { json: 'bool', concurrency: 'value' })
    if (rest.length !== 2) throw new UsageError('copy takes SOURCE and DEST')
    const concurrency = flags.concurrency === undefined ? undefined : Number(flags.concurrency)
    if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)) throw new UsageError('--concurrency takes a whole number from 1 to 64')
    const src = location(rest[0])
    const dst = writable(rest[1])
    const tag = src.source.tag ?? 'latest'
    const toTag = dst.tag ?? 'latest'
    const r = await ops.copy(src.source, dst.storage, { tag, toTag, concurrency, onProgress: progress(err, 'copy') })
    const report = { source: String(src.source), destination: String(dst.storage), ...r }
    if (flags.json) json(out, report)
    else out(`copied ${tag} of ${report.source} to ${report.destination} as ${r.tag}: ${r.descriptor.digest} (${r.blobs} blobs: ${r.copied} copied, ${r.mounted} mounted, ${r.skipped} already there; ${r.bytes} bytes)`)
    return 0
  },

  // --unchecked: the entries exactly as buildx sends them, ocicache's checks as warnings.
  async options(args, out) {
    const { flags, rest } = parse(args, { export: 'bool', unchecked: 'bool' })
    const parseAs = flags.unchecked ? parseCacheEntries : parseCacheOptions
    const entries = parseAs(one(rest, 'OPTIONS string'), { direction: flags.export ? 'export' : 'import' })
    json(out, entries.map((e) => ({ ...e.toJSON(), settings: e.settings, warnings: e.warnings })))
    return 0
  },

  async digest(args, out) {
    const { flags, rest } = parse(args, { algorithm: 'value' })
    if (!rest.length) throw new UsageError('digest takes one or more FILEs')
    for (const file of rest) {
      const d = new Digester(flags.algorithm ?? 'sha256')
      for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) d.update(chunk)
      out(`${d.finalize()}  ${file}`)
    }
    return 0
  },
}

// Takes --username U, --password-stdin, --connect-timeout S and
// --read-timeout S off the front of `argv`.
async function globalFlags(argv) {
  let i = 0
  let passwordStdin = false
  const valued = { '--username': 'username', '--connect-timeout': 'connectTimeoutMs', '--read-timeout': 'readTimeoutMs' }
  for (; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2)
    if (argv[i] === '--password-stdin') {
      passwordStdin = true
      continue
    }
    if (!Object.hasOwn(valued, flag)) break
    const value = inline ?? argv[++i]
    if (value === undefined) throw new UsageError(`${flag} needs a value`)
    registryOptions[valued[flag]] = flag === '--username' ? value : seconds(flag.slice(2), value)
  }
  if (passwordStdin) {
    if (registryOptions.username === undefined) throw new UsageError('--password-stdin needs --username')
    const parts = []
    for await (const c of process.stdin) parts.push(c)
    registryOptions.password = Buffer.concat(parts).toString().replace(/\r?\n$/, '')
  } else if (registryOptions.username !== undefined) {
    throw new UsageError('--username needs --password-stdin')
  }
  return argv.slice(i)
}

// Runs the CLI; returns the exit status. `out` and `err` take one line each.
export async function main(argv, out = console.log, err = console.error) {
  registryOptions = {}
  try {
    argv = await globalFlags(argv)
    const [command, ...args] = argv
    if (command === '--version' || command === '-V') {
      out(`ocicache ${JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')).version}`)
      return 0
    }
    // --help anywhere (`ocicache gc --help`) prints the usage.
    if (command === 'help' || argv.includes('--help') || argv.includes('-h')) {
      out(USAGE)
      return 0
    }
    if (!Object.hasOwn(commands, command ?? '')) throw new UsageError(command ? `unknown command ${command}` : 'no command given')
    return await commands[command](args, out, err)
  } catch (e) {
    if (e instanceof UsageError) {
      err(`ocicache: ${e.message}\n${USAGE}`)
      return 2
    }
    if (e.syscall) {
      err(`ocicache: ${e.message}`)
      return 2
    }
    if (typeof e.code === 'string') {
      err(`ocicache: ${e.code}: ${e.message}`)
      return ['INCOMPLETE_CACHE', 'TAG_NOT_FOUND', 'MISSING_CACHE_CONFIG', 'MISSING_BLOB', 'DIFF_ID_MISMATCH', 'NOT_A_FILE', 'BUDGET_TOO_SMALL'].includes(e.code) ? 1 : 2
    }
    throw e
  }
}
