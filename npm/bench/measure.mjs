// Timing helpers for the benchmark scripts: each contender runs `rounds`
// times, interleaved with its peers so machine noise hits all alike, and the
// best round counts.
export function best(contenders, rounds = 7) {
  const times = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]))
  for (let r = 0; r < rounds; r++) {
    for (const [name, run] of Object.entries(contenders)) {
      const start = process.hrtime.bigint()
      run()
      times[name].push(Number(process.hrtime.bigint() - start) / 1e9)
    }
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, Math.min(...v)]))
}

export async function bestAsync(contenders, rounds = 7) {
  const times = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]))
  for (let r = 0; r < rounds; r++) {
    for (const [name, run] of Object.entries(contenders)) {
      const start = process.hrtime.bigint()
      await run()
      times[name].push(Number(process.hrtime.bigint() - start) / 1e9)
    }
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, Math.min(...v)]))
}

export function report(title, bytes, seconds, pairs) {
  console.log(`\n${title}`)
  for (const [name, s] of Object.entries(seconds)) {
    console.log(`  ${name.padEnd(36)} ${(bytes / s / 1e6).toFixed(0).padStart(6)} MB/s`)
  }
  for (const [ours, peer, target] of pairs) {
    const ratio = seconds[peer] / seconds[ours]
    const verdict = target === undefined ? '' : ratio >= target ? `  (target >= ${target}: met)` : `  (target >= ${target}: NOT met)`
    console.log(`  ratio ${ours} / ${peer}: ${ratio.toFixed(2)}x${verdict}`)
  }
}
