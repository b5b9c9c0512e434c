#!/usr/bin/env bash
# Shipper batch ingest: the same batch of noise-corpus lines POSTed with wrk as
# NDJSON flat records (/v1/logs), as Loki push JSON and as Loki push protobuf +
# snappy (/loki/api/v1/push, what Promtail, Alloy and the Docker driver send), and
# as OTLP logs in JSON and protobuf (/v1/logs, what the OpenTelemetry Collector
# and SDKs send), in one run against one `faultline serve`. Prints requests/s, MB/s on the wire and
# lines/s for each. Nothing in the noise opens an incident, so no request waits
# for a store commit: this measures reading and matching.
#
#   bench/loki_batches.sh                      # 1000-line batches, 10 s per form
#   LINES=200 DURATION=5s bench/loki_batches.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$root/build}
bin=${FAULTLINE_BIN:-$build/server/faultline}
encoder=$build/bench/loki_protobuf_body
lines=${LINES:-1000}
duration=${DURATION:-10s}
connections=${CONNECTIONS:-8}
threads=${THREADS:-2}

for tool in wrk python3; do
  command -v "$tool" >/dev/null || { echo "$tool is required (scripts/install-deps.sh --test installs it)" >&2; exit 2; }
done
[ -x "$bin" ] && [ -x "$encoder" ] || { echo "build first: cmake --build build --target faultline loki_protobuf_body" >&2; exit 2; }

work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# One batch in the three forms: the same lines, times and services.
python3 "$root/tests/corpus/noise/generate.py" --seed 3 --bytes 4M --format text "$work/noise.log" >/dev/null
python3 - "$work" "$lines" "$root/fuzz" <<'PY'
import json, sys
work, count = sys.argv[1], int(sys.argv[2])
lines = [l for l in open(f"{work}/noise.log", encoding="utf-8", errors="replace").read().split("\n") if l][:count]
services = ["checkout", "orders", "search", "ledger", "web"]
base = 1758000000000000000
with open(f"{work}/batch.ndjson", "w") as f:
    for i, line in enumerate(lines):
        f.write(json.dumps({"time": f"2025-09-16T05:20:{i % 60:02d}.{i:06d}Z", "service": services[i % 5],
                            "instance": services[i % 5] + "-0", "message": line}) + "\n")
streams = {}
for i, line in enumerate(lines):
    s = services[i % 5]
    streams.setdefault(s, []).append([str(base + i * 1000), line])
push = {"streams": [{"stream": {"service_name": s, "pod": s + "-0"}, "values": v} for s, v in streams.items()]}
with open(f"{work}/batch.loki.json", "w") as f:
    json.dump(push, f)
# OTLP: one resource per service, the protobuf written by the seeds' encoder.
sys.path.insert(0, sys.argv[3])
from make_seeds import otlp_request_protobuf
otlp = {"resourceLogs": [
    {"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": s}},
                                 {"key": "service.instance.id", "value": {"stringValue": s + "-0"}}]},
     "scopeLogs": [{"scope": {"name": "bench"},
                    "logRecords": [{"timeUnixNano": t, "severityText": "INFO", "body": {"stringValue": line}}
                                   for t, line in v]}]}
    for s, v in streams.items()]}
with open(f"{work}/batch.otlp.json", "w") as f:
    json.dump(otlp, f)
with open(f"{work}/batch.otlp.pb", "wb") as f:
    f.write(otlp_request_protobuf(otlp))
PY
"$encoder" < "$work/batch.loki.json" > "$work/batch.loki.snappy"

cat > "$work/post.lua" <<'LUA'
local f = assert(io.open(os.getenv("BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = os.getenv("TYPE")
LUA

"$bin" serve --listen 127.0.0.1:0 --port-file "$work/port" --store "$work/faultline.db" \
  --rules "$root/rules/packs" --log-level warn &
pid=$!
for _ in $(seq 1 100); do [ -s "$work/port" ] && break; sleep 0.05; done
port=$(cat "$work/port")

echo "wrk -t$threads -c$connections -d$duration, one batch of $lines lines per request"
printf '%-28s %10s %12s %10s %12s\n' form "body bytes" requests/s "MB/s" lines/s
run() {  # name path content-type body-file
  local out
  out=$(BODY=$4 TYPE=$3 wrk -t"$threads" -c"$connections" -d"$duration" -s "$work/post.lua" "http://127.0.0.1:$port$2")
  if grep -q 'Non-2xx' <<<"$out"; then echo "non-2xx answers for $1:" >&2; echo "$out" >&2; exit 1; fi
  local rps bytes
  rps=$(awk '/Requests\/sec/ { print $2 }' <<<"$out")
  bytes=$(stat -c %s "$4")
  awk -v n="$1" -v b="$bytes" -v r="$rps" -v l="$lines" \
    'BEGIN { printf "%-28s %10d %12.0f %10.1f %12.0f\n", n, b, r, r * b / 1e6, r * l }'
}
run "NDJSON /v1/logs" /v1/logs application/x-ndjson "$work/batch.ndjson"
run "Loki JSON" /loki/api/v1/push application/json "$work/batch.loki.json"
run "Loki protobuf + snappy" /loki/api/v1/push application/x-protobuf "$work/batch.loki.snappy"
run "OTLP JSON" /v1/logs application/json "$work/batch.otlp.json"
run "OTLP protobuf" /v1/logs application/x-protobuf "$work/batch.otlp.pb"
