#!/usr/bin/env bash
# Matching throughput, single thread: `faultline scan` over one large file of the
# generated noise corpus (tests/corpus/noise/generate.py), beside ripgrep searching the same file for the
# default pack's patterns, in the same run. Prints lines/s, MB/s and the ratio.
#
#   bench/scan_vs_ripgrep.sh                 # 256 MB file, 4 rounds = 1 GB of work each
#   TARGET_MB=64 ROUNDS=2 bench/scan_vs_ripgrep.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${FAULTLINE_BIN:-$root/build/server/faultline}
target_mb=${TARGET_MB:-256}
rounds=${ROUNDS:-4}

command -v rg >/dev/null || { echo "ripgrep (rg) is required: apt-get install ripgrep" >&2; exit 2; }
[ -x "$bin" ] || { echo "build first: make build ($bin missing)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$root/tests/corpus/noise/generate.py" --seed 1 --bytes "${target_mb}M" --format text "$work/big.log"
bytes=$(stat -c %s "$work/big.log")
lines=$(wc -l < "$work/big.log")
# ripgrep refuses a capture name used twice across -f patterns: unname the groups.
"$bin" rules list --patterns | sed -E 's/\(\?P<[A-Za-z_][A-Za-z0-9_]*>/(/g' > "$work/patterns.txt"
npatterns=$(wc -l < "$work/patterns.txt")

calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }
# Prints "seconds peak_rss_kib" for one command (RSS 0 without GNU time).
run_timed() {
  local start end rss=0
  start=$(date +%s.%N)
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f '%M' -o "$work/rss" "$@" > /dev/null || true
    rss=$(tail -n 1 "$work/rss")
  else
    "$@" > /dev/null || true
  fi
  end=$(date +%s.%N)
  echo "$(calc "$end - $start") $rss"
}

echo "file: $((bytes >> 20)) MiB, $lines lines (generated noise corpus); $npatterns patterns; $rounds rounds each, interleaved"
fl_total=0; rg_total=0; fl_rss=0
for _ in $(seq 1 "$rounds"); do
  read -r t rss < <(run_timed "$bin" scan --format text --service bench "$work/big.log")
  fl_total=$(calc "$fl_total + $t"); [ "$rss" -gt "$fl_rss" ] && fl_rss=$rss
  read -r t _ < <(run_timed rg -j1 --no-mmap -c -f "$work/patterns.txt" "$work/big.log")
  rg_total=$(calc "$rg_total + $t")
done
report() {  # name seconds
  printf '%-16s %8.2f s  %12.0f lines/s  %8.1f MB/s\n' "$1" "$2" "$(calc "$lines * $rounds / $2")" \
    "$(calc "$bytes * $rounds / $2 / 1000000")"
}
report "faultline scan" "$fl_total"
report "ripgrep -j1" "$rg_total"
printf 'ratio faultline/ripgrep throughput: %.2f   (faultline peak RSS %d MiB)\n' \
  "$(calc "$rg_total / $fl_total")" $((fl_rss / 1024))
