#!/usr/bin/env python3
"""End to end: the real daemon and a real Prometheus on loopback.

faultline serve (port 0, temporary store, the bundled rules) is scraped every
second by Prometheus (free port, temporary TSDB) that also loads
deploy/prometheus/alerts.yml. The seed scenario is POSTed to /v1/logs as
NDJSON; Prometheus must then return the open incident from
faultline_incidents_open (service netra-backend-staging, severity critical,
value 1), evaluate every alert rule without error, and hold
FaultlineCriticalIncidentOpen pending for that service. Both processes are
stopped by PID at the end, also when the test is interrupted.

Prometheus scrapes a new target only about 5 s after it starts (service
discovery's first batch), so the polls wait up to 30 s.

Usage: prometheus_e2e_test.py BINARY SOURCE_DIR
"""
import json
import os
import shutil
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from deploylib import (CheckFailed, Daemon, free_port, http, main_args, run_checks, seed_scenario,  # noqa: E402
                       spawn, stop_on_signals, stop_pid, wait_for)

binary, source_dir = (os.path.abspath(a) for a in main_args(2, "BINARY SOURCE_DIR"))
SEED = seed_scenario(source_dir)
SERVICE = "netra-backend-staging"
POLL_SECONDS = 30

stop_on_signals()
work = tempfile.mkdtemp(prefix="faultline-prom-e2e-")
state = {}


def prometheus_query(query):
    url = f"http://127.0.0.1:{state['prom_port']}/api/v1/query?" + urllib.parse.urlencode({"query": query})
    status, body, _ = http("GET", url)
    if status != 200:
        raise CheckFailed(f"Prometheus answered {status} to {query}: {body[:300]!r}")
    answer = json.loads(body)
    assert answer["status"] == "success", answer
    return answer["data"]["result"]


def start_prometheus(daemon_port):
    shutil.copy(os.path.join(source_dir, "deploy", "prometheus", "alerts.yml"), work)
    config = os.path.join(work, "prometheus.yml")
    with open(config, "w") as f:
        f.write(f"""global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [alerts.yml]
scrape_configs:
  - job_name: faultline
    static_configs:
      - targets: ['127.0.0.1:{daemon_port}']
""")
    prometheus = shutil.which("prometheus")
    if not prometheus:
        raise CheckFailed("prometheus is not installed (scripts/install-deps.sh installs it)")
    for attempt in range(3):  # a free port can be taken between probing and binding
        port = free_port()
        log = os.path.join(work, "prometheus.log")
        process = spawn([prometheus, f"--config.file={config}", f"--storage.tsdb.path={work}/tsdb",
                         f"--web.listen-address=127.0.0.1:{port}"], log)
        state["prom"], state["prom_port"] = process, port

        def ready():
            if process.poll() is not None:
                return "exited"
            status, _, _ = http("GET", f"http://127.0.0.1:{port}/-/ready", timeout=2) if _listening(port) else (0, 0, 0)
            return status == 200

        verdict = wait_for(ready, 20)
        if verdict is True:
            return
        stop_pid(process)
        if verdict != "exited" or "address already in use" not in open(log, errors="replace").read():
            raise CheckFailed(f"Prometheus did not become ready:\n{open(log, errors='replace').read()[-3000:]}")
    raise CheckFailed("no free port for Prometheus after 3 attempts")


def _listening(port):
    import socket
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def check_ingest():
    with open(SEED, "rb") as f:
        body = f.read()
    status, answer, _ = http("POST", state["daemon"].url("/v1/logs"), body, {"Content-Type": "application/x-ndjson"})
    assert status == 200, f"POST /v1/logs answered {status}: {answer[:500]!r}"
    summary = json.loads(answer)
    lines = sum(1 for line in body.splitlines() if line.strip())
    assert summary["accepted"] == lines and summary["rejected"] == [], f"{summary} for {lines} lines"


def check_open_incident_in_prometheus():
    started = time.monotonic()

    def found():
        for sample in prometheus_query("faultline_incidents_open"):
            labels, value = sample["metric"], sample["value"][1]
            if labels.get("service") == SERVICE and value == "1":
                return labels
        return None

    labels = wait_for(found, POLL_SECONDS, interval=0.5)
    if not labels:
        targets = http("GET", "http://127.0.0.1:%d/api/v1/targets" % state["prom_port"])[1][:800]
        raise CheckFailed(f"faultline_incidents_open{{service=\"{SERVICE}\"}} == 1 not in Prometheus after "
                          f"{POLL_SECONDS} s; last answer: {prometheus_query('faultline_incidents_open')}; "
                          f"targets: {targets!r}")
    print(f"     scraped after {time.monotonic() - started:.1f} s: {labels}")
    assert labels["job"] == "faultline", labels
    assert labels["severity"] == "critical", f"the seed incident is a crash loop, so critical: {labels}"
    up = prometheus_query('up{job="faultline"}')
    assert up and up[0]["value"][1] == "1", f"up: {up}"


def check_rules_evaluate():
    url = f"http://127.0.0.1:{state['prom_port']}/api/v1/rules"

    def evaluated():
        groups = json.loads(http("GET", url)[1])["data"]["groups"]
        rules = [r for g in groups for r in g["rules"]]
        return rules if rules and all(r.get("lastEvaluation", "").startswith("2") and
                                      not r["lastEvaluation"].startswith("0001") for r in rules) else None

    rules = wait_for(evaluated, 10, interval=0.5)
    assert rules, "Prometheus did not evaluate the alert rules"
    bad = [f"{r['name']}: {r.get('lastError')}" for r in rules if r.get("health") != "ok"]
    assert not bad, "alert rules failed to evaluate:\n" + "\n".join(bad)
    assert len(rules) >= 9, f"only {len(rules)} rules loaded from alerts.yml"


def check_alert_pending():
    def pending():
        return [a for a in prometheus_query('ALERTS{alertname="FaultlineCriticalIncidentOpen"}')
                if a["metric"].get("service") == SERVICE]

    alerts = wait_for(pending, 10, interval=0.5)
    assert alerts, "FaultlineCriticalIncidentOpen is not pending for the seed incident's service"
    assert alerts[0]["metric"]["alertstate"] == "pending", alerts  # for: 5m
    assert alerts[0]["metric"]["severity"] == "critical", alerts


try:
    if not os.path.exists(SEED):
        print(f"FAIL the seed scenario is missing: {SEED}")
        print("0 passed, 1 failed")
        sys.exit(1)
    with Daemon(binary, os.path.join(source_dir, "rules", "packs")) as daemon:
        state["daemon"] = daemon
        status = run_checks([
            ("Prometheus starts on loopback and loads deploy/prometheus/alerts.yml",
             lambda: start_prometheus(daemon.port)),
            ("the seed scenario is accepted by POST /v1/logs (NDJSON)", check_ingest),
            ("Prometheus scrapes the open incident: faultline_incidents_open == 1 for netra-backend-staging",
             check_open_incident_in_prometheus),
            ("every alert rule evaluates without error on the scraped series", check_rules_evaluate),
            ("FaultlineCriticalIncidentOpen is pending for the service", check_alert_pending),
        ])
finally:
    if "prom" in state:
        code = stop_pid(state["prom"])
        if code not in (0, -15):
            print(f"note: prometheus exited {code}")
    shutil.rmtree(work, ignore_errors=True)
sys.exit(status)
