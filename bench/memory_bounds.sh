#!/usr/bin/env bash
# Peak memory of `faultline serve` holding 10,000 open incidents after ingesting
# 1,000,000 records: 10,000 services each log one ModuleNotFoundError (one
# incident each) among 990,000 noise-corpus lines, POSTed as NDJSON batches.
#
# The load runs twice, each on a fresh daemon: once as described, once with the
# cause lines replaced by noise lines (same services, same record count, no
# incident). What the incidents cost is the difference in RSS between the two,
# over the open incidents; what the whole load left (RSS after it less RSS
# idle, over the incidents) is printed too: it also counts the rules' regex
# caches, the store's page cache and the per-instance suspect lines, which the
# noise alone builds.
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

mkdir -p "$work/noise"
python3 "$root/tests/corpus/noise/generate.py" --seed 1 --bytes 8M --format text "$work/noise/noise.log"
# batch files: $work/<load>/batch-NNNN.ndjson for load "incidents" and "baseline".
python3 - "$work/noise" "$records" "$services" "$batch" "$work" <<'PY'
import glob, json, os, sys
noise_dir, records, services, batch, work = sys.argv[1], *map(int, sys.argv[2:5]), sys.argv[5]
lines = [l.rstrip("\n") for f in sorted(glob.glob(os.path.join(noise_dir, "*.log")))
         for l in open(f, errors="replace") if l.strip()]
every = records // services  # one cause line per service, spread over the stream
for load in ("incidents", "baseline"):
    os.makedirs(os.path.join(work, load))
    out, part = None, 0
    for i in range(records):
        if i % batch == 0:
            if out: out.close()
            out = open(os.path.join(work, load, "batch-%04d.ndjson" % part), "w"); part += 1
        service = "svc-%05d" % ((i // every) % services)
        if i % every == 0 and load == "incidents":
            message = "ModuleNotFoundError: No module named 'app.services.m%05d'" % ((i // every) % services)
        else:
            message = lines[i % len(lines)]
        out.write(json.dumps({"service": service, "message": message, "severity": "INFO"}) + "\n")
    out.close()
PY

rss_kib() { awk -v k="$1" '$1 == k":" { print $2 }' "/proc/$pid/status"; }
mib() { awk -v k="$1" 'BEGIN { printf "%d", k / 1024 }'; }

# run LOAD: starts a daemon, posts the load's batches, sets idle_kib, now_kib,
# peak_kib, open_incidents and prints what it saw; stops the daemon.
run() {
  local load=$1
  rm -f "$work/port" "$work/faultline.db"*
  "$bin" serve --listen 127.0.0.1:0 --port-file "$work/port" --store "$work/faultline.db" \
    --rules "$root/rules/packs" --config "$work/faultline.yaml" --log-level warn &
  pid=$!
  for _ in $(seq 1 100); do [ -s "$work/port" ] && break; sleep 0.05; done
  local url="http://127.0.0.1:$(cat "$work/port")"
  idle_kib=$(rss_kib VmRSS)
  local start end
  start=$(date +%s.%N)
  for f in "$work/$load"/batch-*.ndjson; do
    curl -fsS -o /dev/null -H 'Content-Type: application/x-ndjson' --data-binary @"$f" "$url/v1/logs"
  done
  end=$(date +%s.%N)
  local metrics
  metrics=$(curl -fsS "$url/metrics")
  state() { echo "$metrics" | awk -v s="$1" -v m="$2" 'index($0, m "{state=\"" s "\"}") == 1 { print $2 }'; }
  open_incidents=$(state incidents faultline_state_entries)
  now_kib=$(rss_kib VmRSS)
  peak_kib=$(rss_kib VmHWM)
  echo "$load: idle RSS $(mib "$idle_kib") MiB; ingested $records records in $(awk "BEGIN { printf \"%.1f\", $end - $start }") s" \
       "($(awk "BEGIN { printf \"%.0f\", $records / ($end - $start) }") records/s)"
  echo "  open incidents: $open_incidents (limit $(state incidents faultline_state_limit)); dedup ids: $(state dedup_ids faultline_state_entries);" \
       "pending events: $(state pending_events faultline_state_entries); suspect instances: $(state suspect_instances faultline_state_entries)"
  echo "  peak RSS (VmHWM): $(mib "$peak_kib") MiB; RSS now: $(mib "$now_kib") MiB; store: $(du -m "$work/faultline.db" | cut -f1) MiB"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
}

run baseline
base_now_kib=$now_kib
run incidents
[ "$open_incidents" -gt 0 ] || { echo "no incident opened" >&2; exit 1; }
echo "per open incident: $(awk "BEGIN { printf \"%.1f\", ($now_kib - $base_now_kib) / $open_incidents }") KiB" \
     "(RSS now less the baseline's, over $open_incidents)"
echo "everything the load left: $(awk "BEGIN { printf \"%.1f\", ($now_kib - $idle_kib) / $open_incidents }") KiB per open incident" \
     "(RSS now less idle)"
echo "peak RSS: $(mib "$peak_kib") MiB"
