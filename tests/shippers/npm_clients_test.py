#!/usr/bin/env python3
"""Real npm log clients, with their defaults except the URL, push to the real daemon.

The clients are the versions tests/shippers/package-lock.json pins (installed by
scripts/install-deps.sh --test with npm ci): winston-loki (Loki protobuf +
snappy), pino-loki (Loki JSON), and the OpenTelemetry JS logs SDK with its
OTLP/HTTP protobuf and JSON exporters. npm_ship.js logs the seed cascade's lines
(examples/seed-cascade.ndjson) through one of them; each client gets a fresh
`faultline serve` on 127.0.0.1:0 with a temporary store, started here and
stopped by PID. Each must give the incident `faultline scan` gives for the seed
itself: root cause, captures, culprit frame, exits, crash loop and state, for the
service netra-backend-staging; and that incident is the seed's cause.

Usage: npm_clients_test.py FAULTLINE_BINARY SOURCE_DIR NODE
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "deploy"))
from deploylib import CheckFailed, Daemon, main_args, run_checks, stop_on_signals  # noqa: E402
from shipperlib import expect_scans_incident, metric, projections  # noqa: E402

binary, source_dir, node = main_args(3, "FAULTLINE_BINARY SOURCE_DIR NODE")
binary, source_dir = os.path.abspath(binary), os.path.abspath(source_dir)
HERE = os.path.join(source_dir, "tests", "shippers")
SEED = os.path.join(source_dir, "examples", "seed-cascade.ndjson")
RULES = os.path.join(source_dir, "rules", "packs")
SHIP_SECONDS = 120  # bounds a client that hangs; the clients return once delivered

stop_on_signals()


def scan_projections():
    out = subprocess.run([binary, "scan", "--json", "--rules", RULES, SEED], capture_output=True, text=True)
    if out.returncode not in (0, 1):
        raise CheckFailed(f"faultline scan exited {out.returncode}: {out.stderr}")
    return projections(json.loads(out.stdout)["incidents"])


def seed_line_count():
    with open(SEED) as f:
        return sum(1 for line in f if line.strip())


def ship(client, endpoint):
    if not os.path.isdir(os.path.join(HERE, "node_modules")):
        raise CheckFailed("tests/shippers/node_modules is missing (scripts/install-deps.sh --test runs npm ci there)")
    want = scan_projections()
    with Daemon(binary, RULES) as daemon:
        try:
            run = subprocess.run([node, os.path.join(HERE, "npm_ship.js"), client, daemon.url(""), SEED],
                                 cwd=HERE, capture_output=True, text=True, timeout=SHIP_SECONDS)
        except subprocess.TimeoutExpired:
            raise CheckFailed(f"{client} did not finish within {SHIP_SECONDS} s:\n{daemon.log_text()}")
        if run.returncode != 0 or run.stderr.strip():
            raise CheckFailed(f"{client} exited {run.returncode}:\n{run.stdout}{run.stderr}")
        received = metric(daemon, r'^faultline_ingest_records_total\{endpoint="%s"\} (\d+)' % endpoint)
        if received != seed_line_count():
            raise CheckFailed(f"{client} delivered {received} of {seed_line_count()} records:\n{daemon.log_text()}")
        rejected = metric(daemon, r'^faultline_ingest_rejected_total\{reason="malformed"\} (\d+)')
        if rejected:
            raise CheckFailed(f"{rejected} records were rejected:\n{daemon.log_text()}")

        expect_scans_incident(daemon, want, client, "netra-backend-staging")


sys.exit(run_checks([
    ("winston-loki 6.1.7 (Loki protobuf + snappy, batched) gives scan's incident",
     lambda: ship("winston-loki", "loki")),
    ("pino-loki 3.0.0 (Loki JSON of pino records, batched) gives scan's incident",
     lambda: ship("pino-loki", "loki")),
    ("OpenTelemetry JS logs SDK, exporter-logs-otlp-proto 0.223.1, gives scan's incident",
     lambda: ship("otlp-proto", "logs")),
    ("OpenTelemetry JS logs SDK, exporter-logs-otlp-http 0.223.1 (JSON), gives scan's incident",
     lambda: ship("otlp-http", "logs")),
]))
