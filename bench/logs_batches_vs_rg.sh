#!/usr/bin/env bash
# NDJSON batches on POST /v1/logs: a file of Cloud Run LogEntries (the generated
# noise corpus, tests/corpus/noise/generate.py --format cloud-logging) posted in
# batches of 1,000 lines over keep-alive (bench/post_batches.py), each batch
# once, to `faultline serve`; beside ripgrep searching the same file for the
# default pack's patterns (`rg -c -f patterns FILE`, ripgrep's defaults), in the
# same run. Prints MB/s of each and the ratio.
#
#   bench/logs_batches_vs_rg.sh              # 64 MB, 2 rounds (a fresh daemon each)
#   TARGET_MB=32 ROUNDS=3 CONNECTIONS=4 bench/logs_batches_vs_rg.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${FAULTLINE_BIN:-$root/build/server/faultline}
target_mb=${TARGET_MB:-64}
rounds=${ROUNDS:-2}
connections=${CONNECTIONS:-2}
lines_per_batch=${LINES:-1000}

command -v rg >/dev/null || { echo "ripgrep (rg) is required: apt-get install ripgrep" >&2; exit 2; }
[ -x "$bin" ] || { echo "build first: make build ($bin missing)" >&2; exit 2; }

work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
python3 "$root/tests/corpus/noise/generate.py" --seed 1 --bytes "${target_mb}M" --format cloud-logging "$work/logs.ndjson"
bytes=$(stat -c %s "$work/logs.ndjson")
lines=$(wc -l < "$work/logs.ndjson")
# ripgrep refuses a capture name used twice across -f patterns: unname the groups.
"$bin" rules list --patterns | sed -E 's/\(\?P<[A-Za-z_][A-Za-z0-9_]*>/(/g' > "$work/patterns.txt"

calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }

# One round against a fresh daemon (a fresh store and dedup set: every batch is new).
post_round() {
  rm -rf "$work/port" "$work/store.db"*
  "$bin" serve --listen 127.0.0.1:0 --port-file "$work/port" --store "$work/store.db" \
    --rules "$root/rules/packs" --log-level warn > /dev/null &
  pid=$!
  for _ in $(seq 1 100); do [ -s "$work/port" ] && break; sleep 0.05; done
  [ -s "$work/port" ] || { echo "the daemon wrote no port" >&2; exit 1; }
  python3 "$root/bench/post_batches.py" "http://127.0.0.1:$(cat "$work/port")/v1/logs" "$work/logs.ndjson" \
    --lines "$lines_per_batch" --connections "$connections"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
}

echo "file: $((bytes >> 20)) MiB, $lines Cloud Run LogEntries; batches of $lines_per_batch lines over $connections connections; $rounds rounds each, interleaved"
fl_best=0; rg_best=0
for _ in $(seq 1 "$rounds"); do
  read -r seconds requests _ < <(post_round)
  mbs=$(calc "$bytes / $seconds / 1000000")
  awk "BEGIN { exit !($mbs > $fl_best) }" && fl_best=$mbs
  start=$(date +%s.%N)
  rg -c -f "$work/patterns.txt" "$work/logs.ndjson" > /dev/null || true
  end=$(date +%s.%N)
  mbs=$(calc "$bytes / ($end - $start) / 1000000")
  awk "BEGIN { exit !($mbs > $rg_best) }" && rg_best=$mbs
done
printf '%-28s %8.1f MB/s  (%d requests of %d lines)\n' "faultline POST /v1/logs" "$fl_best" "$requests" "$lines_per_batch"
printf '%-28s %8.1f MB/s\n' "rg -c -f patterns FILE" "$rg_best"
printf 'ratio faultline/rg: %.2f (best round of each)\n' "$(calc "$fl_best / $rg_best")"
