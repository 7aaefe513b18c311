#!/usr/bin/env node
import { main } from '../cli.mjs'

// Once the reader has closed the pipe (`| head`), the rest of the output goes
// nowhere and the command finishes quietly, with its own exit status.
process.stdout.on('error', (err) => {
  if (err.code !== 'EPIPE') throw err
})

process.exitCode = await main(process.argv.slice(2))
