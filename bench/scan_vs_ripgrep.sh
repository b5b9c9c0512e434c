#!/usr/bin/env bash
# Scan throughput: `faultline scan` beside ripgrep and mtail over the same bytes,
# in the same run, rounds interleaved. Prints MB/s, peak RSS and the ratios.
#
# Inputs, from tests/corpus/noise/generate.py (seed 1, TARGET_MB each):
#   text    lines as programs print them: `faultline scan --format text`
#   ndjson  Cloud Run LogEntries, one per line (`gcloud logging read
#           --format=json` as lines): `faultline scan`
# Peers, with the default pack's patterns (`faultline rules list --patterns`,
# capture names removed, since ripgrep refuses a name used twice):
#   rg            `rg -c -f patterns FILE`, as users run it (defaults: mmap,
#                 Unicode classes)
#   rg-ascii      the same with --no-unicode: \w, \s and \b mean what RE2 (and so
#                 faultline) makes them mean, ASCII; the faster ripgrep
#   mtail         `mtail --one_shot` with one counter per pattern
# Two peers run below 1 MB/s on the text: ripgrep's defaults (the pack's
# patterns with Unicode \w, \s and \b; --no-unicode runs hundreds of times
# faster) and mtail (every regexp on every line). They read the first SLOW_MB
# of the text only, and their MB/s on it stands for the whole file: a 100 MB
# file would take each of them minutes a round. That flatters ripgrep (0.30 MB/s on 4 MB, 0.22 MB/s over 100 MB once
# measured whole). On the NDJSON ripgrep runs whole: it starts slowly there and
# speeds up, so a slice would understate it.
#
#   bench/scan_vs_ripgrep.sh                  # 100 MB files, 3 rounds
#   TARGET_MB=32 ROUNDS=2 SLOW_MB=2 bench/scan_vs_ripgrep.sh
#   BASELINE_BIN=/path/to/older/faultline bench/scan_vs_ripgrep.sh   # and a build to compare with
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${FAULTLINE_BIN:-$root/build/server/faultline}
baseline=${BASELINE_BIN:-}
target_mb=${TARGET_MB:-100}
rounds=${ROUNDS:-3}
slow_mb=${SLOW_MB:-4}

command -v rg >/dev/null || { echo "ripgrep (rg) is required: apt-get install ripgrep" >&2; exit 2; }
[ -x "$bin" ] || { echo "build first: make build ($bin missing)" >&2; exit 2; }
have_mtail=1
command -v mtail >/dev/null || { have_mtail=0; echo "mtail not installed (apt-get install mtail): left out" >&2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
gen() { python3 "$root/tests/corpus/noise/generate.py" --seed 1 --bytes "${target_mb}M" --format "$1" "$2"; }
gen text "$work/text"
gen cloud-logging "$work/ndjson"
"$bin" rules list --patterns | sed -E 's/\(\?P<[A-Za-z_][A-Za-z0-9_]*>/(/g' > "$work/patterns.txt"
npatterns=$(wc -l < "$work/patterns.txt")
# The same patterns as mtail counters; mtail's regexps are delimited by '/'.
mkdir "$work/progs"
awk '{ gsub("/", "\\/"); printf "counter rule_%d\n/%s/ {\n  rule_%d++\n}\n", NR, $0, NR }' \
  "$work/patterns.txt" > "$work/progs/rules.mtail"
# The slow peers' share: whole lines.
head -c "$((slow_mb << 20))" "$work/text" | sed '$d' > "$work/text.slice"

calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }
declare -A seconds bytes rss
# run NAME INPUT_FILE COMMAND...: adds the command's wall time, bytes and peak RSS (KiB) to NAME.
run() {
  local name=$1 file=$2 start end
  shift 2
  start=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "$work/rss" "$@" > /dev/null 2> "$work/stderr" || true
  end=$(date +%s.%N)
  seconds[$name]=$(calc "${seconds[$name]:-0} + $end - $start")
  bytes[$name]=$(( ${bytes[$name]:-0} + $(stat -c %s "$file") ))
  local r; r=$(tail -n 1 "$work/rss")
  [ "$r" -gt "${rss[$name]:-0}" ] && rss[$name]=$r
  return 0
}
mtail_cmd=(mtail --one_shot --one_shot_format prometheus --max_regexp_length 4096 --logtostderr
  --progs "$work/progs" --logs)

echo "text: $(( $(stat -c %s "$work/text") >> 20 )) MiB, ndjson: $(( $(stat -c %s "$work/ndjson") >> 20 )) MiB" \
  "(generated noise corpus); $npatterns patterns; $rounds rounds, interleaved; $(nproc) cores"
for _ in $(seq 1 "$rounds"); do
  run "faultline text" "$work/text" "$bin" scan --format text --service bench "$work/text"
  [ -n "$baseline" ] && run "baseline text" "$work/text" "$baseline" scan --format text --service bench "$work/text"
  run "rg text" "$work/text.slice" rg -c -f "$work/patterns.txt" "$work/text.slice"
  run "rg-ascii text" "$work/text" rg --no-unicode -c -f "$work/patterns.txt" "$work/text"
  [ "$have_mtail" = 1 ] && run "mtail text" "$work/text.slice" "${mtail_cmd[@]}" "$work/text.slice"
  run "faultline ndjson" "$work/ndjson" "$bin" scan "$work/ndjson"
  [ -n "$baseline" ] && run "baseline ndjson" "$work/ndjson" "$baseline" scan "$work/ndjson"
  run "rg ndjson" "$work/ndjson" rg -c -f "$work/patterns.txt" "$work/ndjson"
  run "rg-ascii ndjson" "$work/ndjson" rg --no-unicode -c -f "$work/patterns.txt" "$work/ndjson"
done

mbps() { calc "${bytes[$1]} / ${seconds[$1]} / 1000000"; }
report() {  # NAME
  printf '%-18s %9.1f MB/s  peak RSS %5d MiB  (%d MiB read in %.2f s)\n' "$1" "$(mbps "$1")" \
    $(( ${rss[$1]} / 1024 )) $(( ${bytes[$1]} >> 20 )) "${seconds[$1]}"
}
ratio() {  # FAULTLINE PEER
  [ -n "${seconds[$2]:-}" ] || return 0
  printf 'ratio %-18s / %-15s %6.2f\n' "$1" "$2" "$(calc "$(mbps "$1") / $(mbps "$2")")"
}
for name in "faultline text" "baseline text" "rg text" "rg-ascii text" "mtail text" "faultline ndjson" \
  "baseline ndjson" "rg ndjson" "rg-ascii ndjson"; do
  [ -n "${seconds[$name]:-}" ] && report "$name"
done
ratio "faultline text" "rg text"
ratio "faultline text" "rg-ascii text"
ratio "faultline text" "mtail text"
ratio "faultline ndjson" "rg ndjson"
ratio "faultline ndjson" "rg-ascii ndjson"
ratio "faultline text" "baseline text"
ratio "faultline ndjson" "baseline ndjson"
