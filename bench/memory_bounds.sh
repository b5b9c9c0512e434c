#!/usr/bin/env bash
# Peak memory of `faultline serve` holding 10,000 open incidents after ingesting
# 1,000,000 records: 10,000 services each log one ModuleNotFoundError (one
# incident each) among 990,000 noise-corpus lines, POSTed as NDJSON batches.
# Prints the daemon's peak RSS (VmHWM) and what its bounded state holds.
#
#   bench/memory_bounds.sh                    # RECORDS=1000000 SERVICES=10000 BATCH=50000
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${FAULTLINE_BIN:-$root/build/server/faultline}
records=${RECORDS:-1000000}
services=${SERVICES:-10000}
batch=${BATCH:-50000}
[ -x "$bin" ] || { echo "build first: make build ($bin missing)" >&2; exit 2; }

work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# 50,000 noise lines as flat records are about 12 MB: over the default 10 MiB body limit.
printf 'correlation:\n  max_incidents: %d\nlimits:\n  max_body: 64MiB\n' $((services * 2)) > "$work/faultline.yaml"
"$bin" serve --listen 127.0.0.1:0 --port-file "$work/port" --store "$work/faultline.db" \
  --rules "$root/rules/packs" --config "$work/faultline.yaml" --log-level warn &
pid=$!
for _ in $(seq 1 100); do [ -s "$work/port" ] && break; sleep 0.05; done
url="http://127.0.0.1:$(cat "$work/port")"
rss() { awk -v k="$1" '$1 == k":" { print int($2 / 1024) }' "/proc/$pid/status"; }
echo "idle: RSS $(rss VmRSS) MiB"
idle_kib=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$pid/status")

mkdir -p "$work/noise"
python3 "$root/tests/corpus/noise/generate.py" --seed 1 --bytes 8M --format text "$work/noise/noise.log"
python3 - "$work/noise" "$records" "$services" "$batch" "$work" <<'PY'
import glob, json, os, sys
noise_dir, records, services, batch, work = sys.argv[1], *map(int, sys.argv[2:5]), sys.argv[5]
lines = [l.rstrip("\n") for f in sorted(glob.glob(os.path.join(noise_dir, "*.log")))
         for l in open(f, errors="replace") if l.strip()]
every = records // services  # one cause line per service, spread over the stream
out, n, part = None, 0, 0
for i in range(records):
    if i % batch == 0:
        if out: out.close()
        out = open(os.path.join(work, "batch-%04d.ndjson" % part), "w"); part += 1
    service = "svc-%05d" % ((i // every) % services)
    if i % every == 0:
        message = "ModuleNotFoundError: No module named 'app.services.m%05d'" % ((i // every) % services)
    else:
        message = lines[i % len(lines)]
    out.write(json.dumps({"service": service, "message": message, "severity": "INFO"}) + "\n")
out.close()
PY

start=$(date +%s.%N)
for f in "$work"/batch-*.ndjson; do
  curl -fsS -o /dev/null -H 'Content-Type: application/x-ndjson' --data-binary @"$f" "$url/v1/logs"
done
end=$(date +%s.%N)
metrics=$(curl -fsS "$url/metrics")
state() { echo "$metrics" | awk -v s="$1" -v m="$2" 'index($0, m "{state=\"" s "\"}") == 1 { print $2 }'; }
echo "ingested $records records in $(awk "BEGIN { printf \"%.1f\", $end - $start }") s ($(awk "BEGIN { printf \"%.0f\", $records / ($end - $start) }") records/s)"
echo "open incidents: $(state incidents faultline_state_entries) (limit $(state incidents faultline_state_limit)); dedup ids: $(state dedup_ids faultline_state_entries); pending events: $(state pending_events faultline_state_entries)"
echo "peak RSS (VmHWM): $(rss VmHWM) MiB; RSS now: $(rss VmRSS) MiB; store: $(du -m "$work/faultline.db" | cut -f1) MiB"
# Everything the load left in memory (RSS now less idle), per open incident.
open_incidents=$(state incidents faultline_state_entries)
now_kib=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$pid/status")
echo "per open incident: $(awk "BEGIN { printf \"%.1f\", ($now_kib - $idle_kib) / $open_incidents }") KiB (RSS now less idle, over $open_incidents)"
