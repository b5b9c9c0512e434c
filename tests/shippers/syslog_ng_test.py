#!/usr/bin/env python3
"""Debian's syslog-ng, unchanged, ships an application's log file to the real daemon.

The lines the seed cascade's containers wrote (tests/corpus/failures/01_…: each
LogEntry's text, a JSON line where Cloud Logging shows a jsonPayload, tracebacks
one line each) go into a file that syslog-ng follows with its `file()` source,
as it would follow an application's log. Their own timestamps are moved to the
test's present, as an application running now would write them. syslog-ng runs
in the foreground (-F) from a scratch config with its own persist file, pid
file and control socket, so it needs no root and touches no system state; the
daemon runs on 127.0.0.1:0. Both are started here and stopped by PID.

Two ways of pointing syslog-ng's http() destination at faultline:
  - its defaults: one POST per message, the message alone as the body, sent as
    application/x-www-form-urlencoded, to /v1/logs/raw?service=myapp;
  - NDJSON batches to /v1/logs, each line $(format-json …) with the service and
    instance as fields.
Each must give the incident `faultline scan` gives for the same file read as
text with the same service (and instance): root cause, captures, exits, crash
loop, state and the culprit frame; and that incident is the seed's cause.

Usage: syslog_ng_test.py FAULTLINE_BINARY SOURCE_DIR
"""
import json
import os
import re
import shutil
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "deploy"))
from deploylib import (CheckFailed, Daemon, main_args, run_checks, spawn, stop_on_signals,  # noqa: E402
                       stop_pid, wait_for)
from shipperlib import expect_scans_incident, metric, projections  # noqa: E402

binary, source_dir = (os.path.abspath(a) for a in main_args(2, "FAULTLINE_BINARY SOURCE_DIR"))
SEED = os.path.join(source_dir, "tests", "corpus", "failures", "01_seed_netra_monitoring_cascade.ndjson")
RULES = os.path.join(source_dir, "rules", "packs")
SYSLOG_NG = shutil.which("syslog-ng", path="/usr/sbin:/usr/bin:" + os.environ.get("PATH", ""))
# Bounds on waiting for syslog-ng to deliver (it polls the file every second).
DELIVERY_SECONDS = 60

stop_on_signals()

# "2025-09-16 00:42:35" or "2025-09-16T00:42:35": the seed's own times.
SEED_TIME = re.compile(r"2025-09-16([T ])(\d\d):(\d\d):(\d\d)")


def app_lines():
    """The seed's lines as its containers wrote them, their timestamps moved to now."""
    shift = None
    lines = []
    with open(SEED) as f:
        for raw in f:
            if not raw.strip():
                continue
            entry = json.loads(raw)
            text = entry["textPayload"] if "textPayload" in entry else json.dumps(entry["jsonPayload"])
            first = datetime(2025, 9, 16, 0, 42, 33, tzinfo=timezone.utc)
            if shift is None:
                shift = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(minutes=1) - first

            def moved(m):
                at = datetime(2025, 9, 16, int(m.group(2)), int(m.group(3)), int(m.group(4)),
                              tzinfo=timezone.utc) + shift
                return at.strftime("%Y-%m-%d") + m.group(1) + at.strftime("%H:%M:%S")
            lines += SEED_TIME.sub(moved, text).split("\n")
    return lines


def scan(log_path, *flags):
    import subprocess
    out = subprocess.run([binary, "scan", "--json", "--format", "text", "--rules", RULES, *flags, log_path],
                         capture_output=True, text=True)
    if out.returncode not in (0, 1):
        raise CheckFailed(f"faultline scan exited {out.returncode}: {out.stderr}")
    return json.loads(out.stdout)["incidents"]


def records_received(daemon, endpoint):
    return metric(daemon, r'^faultline_ingest_records_total\{endpoint="%s"\} (\d+)' % endpoint)


def syslog_ng_config(work, destination):
    return f"""@version: 3.38
options {{ stats_freq(0); }};
source s_app {{ file("{work}/app.log" follow-freq(1) flags(no-parse)); }};
destination d_faultline {{ {destination} }};
log {{ source(s_app); destination(d_faultline); }};
"""


def ship(destination, endpoint, expected_records, scan_flags):
    """Runs syslog-ng with `destination` against a fresh daemon; compares with scan."""
    if not SYSLOG_NG:
        raise CheckFailed("syslog-ng is not installed (scripts/install-deps.sh --test installs "
                          "syslog-ng-core and syslog-ng-mod-http)")
    work = tempfile.mkdtemp(prefix="faultline-syslog-ng-")
    syslog = None
    try:
        lines = app_lines()
        with open(os.path.join(work, "app.log"), "w") as f:
            f.write("\n".join(lines) + "\n")
        with Daemon(binary, RULES) as daemon:
            config = syslog_ng_config(work, destination.replace("PORT", str(daemon.port)))
            with open(os.path.join(work, "syslog-ng.conf"), "w") as f:
                f.write(config)
            syslog = spawn([SYSLOG_NG, "-F", "--no-caps", "-f", os.path.join(work, "syslog-ng.conf"),
                            "--persist-file", os.path.join(work, "syslog-ng.persist"),
                            "--pidfile", os.path.join(work, "syslog-ng.pid"),
                            "--control", os.path.join(work, "syslog-ng.ctl")],
                           os.path.join(work, "syslog-ng.log"))
            delivered = wait_for(lambda: syslog.poll() is not None or
                                 records_received(daemon, endpoint) >= expected_records(lines), DELIVERY_SECONDS, 0.5)
            if syslog.poll() is not None:
                raise CheckFailed(f"syslog-ng exited {syslog.returncode}:\n" +
                                  open(os.path.join(work, "syslog-ng.log"), errors="replace").read())
            if not delivered:
                raise CheckFailed(f"syslog-ng delivered {records_received(daemon, endpoint)} of "
                                  f"{expected_records(lines)} records within {DELIVERY_SECONDS} s:\n" +
                                  open(os.path.join(work, "syslog-ng.log"), errors="replace").read())
            rejected = metric(daemon, r'^faultline_ingest_rejected_total\{reason="malformed"\} (\d+)')
            if rejected:
                raise CheckFailed(f"{rejected} records were rejected:\n{daemon.log_text()}")

            want = projections(scan(os.path.join(work, "app.log"), *scan_flags))
            expect_scans_incident(daemon, want, "syslog-ng", "myapp")
            # Each config needs no root: syslog-ng wrote its state only where it was told to.
            if not os.path.exists(os.path.join(work, "syslog-ng.persist")):
                raise CheckFailed("syslog-ng kept no persist file in the scratch directory")
    finally:
        if syslog:
            stop_pid(syslog)
        shutil.rmtree(work, ignore_errors=True)


def check_defaults():
    # http() with nothing but the URL: one form-encoded POST per line to /v1/logs/raw.
    ship('http(url("http://127.0.0.1:PORT/v1/logs/raw?service=myapp"));', "raw",
         lambda lines: len(lines), ["--service", "myapp"])


def check_ndjson():
    ship('http(url("http://127.0.0.1:PORT/v1/logs") method("POST") '
         'headers("Content-Type: application/x-ndjson") batch-lines(100) batch-timeout(1000) '
         'delimiter("\\n") body-suffix("\\n") '
         "body('$(format-json time=${ISODATE} service=myapp instance=i-1 severity=${LEVEL} message=${MESSAGE})'));",
         "logs", lambda lines: len(lines), ["--service", "myapp", "--instance", "i-1"])


sys.exit(run_checks([
    ("syslog-ng http() defaults: a form-encoded POST per line to /v1/logs/raw?service= gives scan's incident",
     check_defaults),
    ("syslog-ng http() NDJSON batches of format-json to /v1/logs give scan's incident", check_ndjson),
]))
