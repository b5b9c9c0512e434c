#!/usr/bin/env bash
# Scale-out: the HTTP ingest benchmark (bench/pubsub_wrk.py, realistic Pub/Sub
# pushes, 1 in 10 from failure scenarios) against two `faultline serve` replicas
# sharing one PostgreSQL database, beside one replica on PostgreSQL and one
# daemon on SQLite, in one run. PostgreSQL is Debian's, on a fresh data
# directory and a loopback port, with fsync on (as in production).
#
#   bench/replicas_vs_sqlite.sh            # 10 s per run, 2 wrk threads, 32 connections in all
#   DURATION=5s ROUNDS=1 bench/replicas_vs_sqlite.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${FAULTLINE_BIN:-$root/build/server/faultline}
duration=${DURATION:-10s}
connections=${CONNECTIONS:-32}
rounds=${ROUNDS:-2}
pg_bin=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin 2>/dev/null | sort -V | tail -1)

for tool in wrk python3 curl "$pg_bin/initdb"; do
  command -v "$tool" >/dev/null || { echo "$tool is required (scripts/install-deps.sh installs it)" >&2; exit 2; }
done
[ -x "$bin" ] || { echo "build first: make build ($bin missing)" >&2; exit 2; }

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# PostgreSQL refuses root: run it as the postgres user of Debian's package.
as_pg=()
if [ "$(id -u)" -eq 0 ]; then chown postgres "$work"; as_pg=(setpriv --reuid=postgres --regid=postgres --init-groups --); fi
pg_port=$(free_port)
"${as_pg[@]}" "$pg_bin/initdb" -D "$work/pg" -A trust -U faultline -E UTF8 --locale=C >/dev/null
"${as_pg[@]}" "$pg_bin/postgres" -D "$work/pg" -p "$pg_port" -c listen_addresses=127.0.0.1 \
  -c unix_socket_directories="$work" >"$work/postgres.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$pg_port" && break; sleep 0.1; done
for db in two one; do psql -q -h 127.0.0.1 -p "$pg_port" -U faultline -d postgres -c "CREATE DATABASE $db"; done
url() { echo "postgres://faultline@127.0.0.1:$pg_port/$1"; }

# Starts a daemon; its port is then in $work/NAME.port.
start() {
  local name=$1 store=$2
  "$bin" serve --listen 127.0.0.1:0 --port-file "$work/$name.port" --store "$store" \
    --rules "$root/rules/packs" --log-level warn 2>"$work/$name.log" &
  pids+=($!)
}
port_of() {
  for _ in $(seq 1 100); do [ -s "$work/$1.port" ] && break; sleep 0.05; done
  cat "$work/$1.port"
}
start sqlite "$work/faultline.db"
start one "$(url one)"
start a "$(url two)"
start b "$(url two)"
sqlite_port=$(port_of sqlite) one_port=$(port_of one) a_port=$(port_of a) b_port=$(port_of b)

python3 "$root/bench/pubsub_wrk.py" "$work/pubsub.lua" >&2

# Prints "requests/s p99_ms" for one wrk process; $3 = first thread id (distinct messages).
run_wrk() {
  local out="$work/wrk.$3.out"
  wrk -t"$2" -c"$4" -d"$duration" --latency -s "$work/pubsub.lua" "$1" -- "$3" > "$out"
  if grep -q 'Non-2xx' "$out"; then echo "wrk saw non-2xx answers from $1:" >&2; cat "$out" >&2; exit 1; fi
  awk '/Requests\/sec/ { rps = $2 }
       $1 == "99%" { v = $2; ms = v + 0
                     if (v ~ /us$/) ms /= 1000; else if (v ~ /s$/ && v !~ /ms$/) ms *= 1000
                     p99 = ms }
       END { printf "%.0f %.2f\n", rps, p99 }' "$out"
}
offset=0
next_offset() { offset=$((offset + 10)); echo "$offset"; }

echo "wrk, $connections connections in all, $duration per run, $rounds rounds interleaved"
best_sqlite=0 best_one=0 best_two=0
for _ in $(seq 1 "$rounds"); do
  read -r rps p99_sqlite_r < <(run_wrk "http://127.0.0.1:$sqlite_port/v1/push/pubsub" 2 "$(next_offset)" "$connections")
  [ "$rps" -gt "$best_sqlite" ] && { best_sqlite=$rps; p99_sqlite=$p99_sqlite_r; }
  read -r rps p99_one_r < <(run_wrk "http://127.0.0.1:$one_port/v1/push/pubsub" 2 "$(next_offset)" "$connections")
  [ "$rps" -gt "$best_one" ] && { best_one=$rps; p99_one=$p99_one_r; }
  # Half the connections to each replica, at the same time (as one push subscription spreads them).
  oa=$(next_offset); ob=$(next_offset)
  run_wrk "http://127.0.0.1:$a_port/v1/push/pubsub" 1 "$oa" $((connections / 2)) > "$work/a.res" &
  run_wrk "http://127.0.0.1:$b_port/v1/push/pubsub" 1 "$ob" $((connections / 2)) > "$work/b.res"
  wait "$!"
  read -r rps_a p99_a < "$work/a.res"; read -r rps_b p99_b < "$work/b.res"
  if [ $((rps_a + rps_b)) -gt "$best_two" ]; then
    best_two=$((rps_a + rps_b)); p99_two=$(awk "BEGIN { print ($p99_a > $p99_b) ? $p99_a : $p99_b }")
  fi
done
calc() { awk "BEGIN { printf \"%.2f\", $1 }"; }
printf '%-34s %8d req/s  p99 %7.2f ms\n' "1 daemon, SQLite" "$best_sqlite" "$p99_sqlite"
printf '%-34s %8d req/s  p99 %7.2f ms\n' "1 replica, PostgreSQL" "$best_one" "$p99_one"
printf '%-34s %8d req/s  p99 %7.2f ms\n' "2 replicas, one PostgreSQL database" "$best_two" "$p99_two"
printf 'ratio 2 replicas on PostgreSQL / 1 on SQLite: %s\n' "$(calc "$best_two / $best_sqlite")"
printf 'ratio 1 replica on PostgreSQL / 1 on SQLite:  %s\n' "$(calc "$best_one / $best_sqlite")"
journal=$(psql -qAt -h 127.0.0.1 -p "$pg_port" -U faultline -d two -c "SELECT count(*) FROM journal")
echo "journal entries appended by the two replicas: $journal"
# Both replicas must hold the same incidents at the end: the same journal, the same state.
sleep 1
sa=$(curl -fsS "http://127.0.0.1:$a_port/api/v1/incidents?state=all&limit=1000" | python3 -c 'import json,sys; print(sorted((i["id"], i["exits"], i["occurrences"]) for i in json.load(sys.stdin)["incidents"]))')
sb=$(curl -fsS "http://127.0.0.1:$b_port/api/v1/incidents?state=all&limit=1000" | python3 -c 'import json,sys; print(sorted((i["id"], i["exits"], i["occurrences"]) for i in json.load(sys.stdin)["incidents"]))')
if [ "$sa" != "$sb" ]; then echo "replicas disagree" >&2; exit 1; fi
echo "replicas agree: $(echo "$sa" | grep -o "(" | wc -l) incidents"
