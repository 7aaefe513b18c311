#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8'

// A command runs to its end and nobody waits on its pauses, so V8 collects
// the old generation when its limit is reached rather than marking ahead of
// time in steps. Marking ahead is what a stream of network reads set going:
// with the AWS SDK loaded, a 1 GiB download from S3 started 66 full
// collections (a 10 MB heap marked each time) where this takes 1, and took
// 3.0 s instead of 2.4 (python/bench/cloud.py; README, "Cloud copy"). The
// limits stay V8's own; what costs memory is garbage collected later (an
// upload of 5 MB blobs, read whole, peaked 25-35 MiB higher). Set before
// anything else is loaded; a user's own --[no-]incremental-marking wins.
// The library (`import 'ocicache'`) sets no flags: its host's are its own.
const flags = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`
if (!flags.includes('incremental-marking')) setFlagsFromString('--no-incremental-marking')

const { main } = await import('../cli.mjs')

// Once the reader has closed the pipe (`| head`), the rest of the output goes
// nowhere and the command finishes quietly, with its own exit status.
process.stdout.on('error', (err) => {
  if (err.code !== 'EPIPE') throw err
})

process.exitCode = await main(process.argv.slice(2))
