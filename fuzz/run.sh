#!/usr/bin/env bash
# Runs every fuzz target of a FAULTLINE_FUZZ build for a bounded time on its seed
# corpus, then prints executions per target. Fails when any target crashed,
# leaked, timed out or ran out of memory; the input that did it is kept in
# BUILD/fuzz/artifacts/<target>/ (copy it into tests/fuzz-regressions/<target>/
# and fix the code).
#
#   fuzz/run.sh BUILD SECONDS [TARGET...]
#
# Inputs that add coverage accumulate in BUILD/fuzz/corpus/<target>/, so later
# runs start from where earlier ones got; the seeds (BUILD/fuzz/seeds/<target>/)
# are only read.
set -euo pipefail

build=${1:?usage: fuzz/run.sh BUILD SECONDS [TARGET...]}
seconds=${2:?usage: fuzz/run.sh BUILD SECONDS [TARGET...]}
shift 2
targets=("$@")
dir="$build/fuzz"
if [ ${#targets[@]} -eq 0 ]; then
  # Every target fuzz/CMakeLists.txt built, so that a new one is never left out.
  for binary in "$dir"/fuzz_*; do
    if [ -x "$binary" ]; then targets+=("${binary##*/fuzz_}"); fi
  done
  [ ${#targets[@]} -gt 0 ] || { echo "fuzz: no targets in $dir (make fuzz builds them)" >&2; exit 2; }
fi
dicts="$(cd "$(dirname "$0")" && pwd)/dict"
failed=()
report=()
for target in "${targets[@]}"; do
  binary="$dir/fuzz_$target"
  [ -x "$binary" ] || { echo "fuzz: $binary is missing (make fuzz builds it)" >&2; exit 2; }
  [ -d "$dir/seeds/$target" ] || { echo "fuzz: no seeds in $dir/seeds/$target" >&2; exit 2; }
  mkdir -p "$dir/corpus/$target" "$dir/artifacts/$target" "$dir/logs"
  log="$dir/logs/$target.log"
  args=(-max_total_time="$seconds" -timeout=20 -rss_limit_mb=2560 -print_final_stats=1
        -artifact_prefix="$dir/artifacts/$target/")
  case "$target" in
    logentry|pubsub|pubsub_ondemand|ndjson|loki|structured|otlp) args+=(-dict="$dicts/json.dict") ;;
    http|rules|jwt) args+=(-dict="$dicts/$target.dict") ;;
  esac
  echo "fuzz: $target for ${seconds}s"
  status=0
  "$binary" "${args[@]}" "$dir/corpus/$target" "$dir/seeds/$target" >"$log" 2>&1 || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  corpus=$(find "$dir/corpus/$target" -type f | wc -l)
  if [ "$status" -ne 0 ]; then
    failed+=("$target")
    echo "fuzz: $target FAILED (exit $status); log $log, input:" >&2
    grep -E '^(==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written|fuzz check failed)|runtime error' "$log" | head -20 >&2 || true
    report+=("$(printf '%-10s %12s %10s %8s %8s  %s' "$target" "${execs:-?}" "${speed:-?}" "${cov:-?}" "$corpus" FAILED)")
  else
    report+=("$(printf '%-10s %12s %10s %8s %8s  %s' "$target" "${execs:-?}" "${speed:-?}" "${cov:-?}" "$corpus" ok)")
  fi
done

echo
printf '%-10s %12s %10s %8s %8s  %s\n' target executions exec/s coverage corpus result
printf '%s\n' "${report[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: crashes in: ${failed[*]} (inputs in $dir/artifacts/)" >&2
  exit 1
fi
