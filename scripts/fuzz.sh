#!/usr/bin/env bash
# The fuzz campaign: every cargo-fuzz target of fuzz/ (the bodies are
# ocicache::fuzzing), seeded from tests/ (tests/fuzz/make_seeds.py), for
# SECONDS each (default 600). Needs the nightly toolchain and cargo-fuzz:
#   rustup toolchain install nightly --profile minimal && cargo install cargo-fuzz
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# Crashing inputs land in fuzz/artifacts/<target>/; commit each, once fixed,
# as tests/fuzz/<target>/<name>: core/tests/fuzz_regressions.rs replays them
# on stable. The table of executions and crashes goes to target/fuzz/report.md.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(sed -n 's/^name = "\(.*\)"$/\1/p' fuzz/Cargo.toml | grep -v '^ocicache-fuzz$')
fi
corpus=target/fuzz/corpus
mkdir -p "$corpus" target/fuzz/logs
python3 tests/fuzz/make_seeds.py "$corpus"
report=target/fuzz/report.md
[ -f "$report" ] || printf '| target | seconds | executions | crashes |\n|---|---|---|---|\n' > "$report"
for t in "${targets[@]}"; do
  echo "== fuzz $t for ${seconds}s"
  log=target/fuzz/logs/$t.log
  mkdir -p "$corpus/$t" "fuzz/artifacts/$t"
  (cd fuzz && cargo +nightly fuzz run --target-dir ../target/fuzz/build "$t" "../$corpus/$t" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="artifacts/$t/") >"$log" 2>&1 || true
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || echo "?")
  crashes=$(find "fuzz/artifacts/$t" -type f | wc -l)
  printf '| %s | %s | %s | %s |\n' "$t" "$seconds" "$runs" "$crashes" | tee -a "$report"
done
