#!/usr/bin/env python3
"""Metric names across the README, the daemon and the alert rules. The README's
"Metrics reference" is the contract users build dashboards on: every metric it
lists is exposed by the running daemon, and every faultline_ metric the daemon
exposes is listed there; every expression in deploy/prometheus/alerts.yml selects
only metrics the daemon exposes (or `up`).

Usage: metric_names_test.py BINARY SOURCE_DIR
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from deploylib import (CheckFailed, exercised_metrics, main_args, promql_metric_names, run_checks,  # noqa: E402
                       stop_on_signals)

try:
    import yaml
except ImportError:
    print("FAIL python3-yaml is not installed (scripts/install-deps.sh installs it)\n0 passed, 1 failed")
    sys.exit(1)

binary, source_dir = (os.path.abspath(a) for a in main_args(2, "BINARY SOURCE_DIR"))
stop_on_signals()
state = {}


def exposed():
    if "exposed" not in state:
        families, samples = exercised_metrics(binary, source_dir)
        state["families"], state["exposed"] = families, families | samples
    return state["exposed"]


def documented():
    section = readme_metrics_section()
    names = set(re.findall(r"`(faultline_[a-z_]+)", section))
    if len(names) < 10:
        raise CheckFailed(f"found only {len(names)} metric names in README's Metrics reference")
    return names


def check_documented_metrics_exposed():
    exposed()
    missing = sorted(n for n in documented() if n not in state["exposed"])
    assert not missing, f"README documents metrics the daemon does not expose: {missing}"


def check_alert_expressions():
    rules = yaml.safe_load(open(os.path.join(source_dir, "deploy", "prometheus", "alerts.yml")))
    unknown = []
    count = 0
    for group in rules["groups"]:
        for rule in group["rules"]:
            count += 1
            names = promql_metric_names(rule["expr"])
            assert names, f"{rule['alert']}: no metric in {rule['expr']}"
            unknown += [f"{rule['alert']}: {n}" for n in sorted(names - exposed() - {"up"})]
            assert rule.get("labels", {}).get("severity") in ("critical", "warning", "info"), \
                f"{rule['alert']}: no severity label"
            for key in ("summary", "description", "runbook"):
                assert rule.get("annotations", {}).get(key), f"{rule['alert']}: no {key} annotation"
    assert count, "no rules"
    assert not unknown, "alert rules select metrics the daemon does not expose:\n" + "\n".join(unknown)


def check_alert_tests_cover_every_alert():
    rules = yaml.safe_load(open(os.path.join(source_dir, "deploy", "prometheus", "alerts.yml")))
    tests = yaml.safe_load(open(os.path.join(source_dir, "deploy", "prometheus", "alerts_test.yml")))
    firing, quiet = set(), set()
    for test in tests["tests"]:
        for case in test.get("alert_rule_test", []):
            (firing if case.get("exp_alerts") else quiet).add(case["alertname"])
    for group in rules["groups"]:
        for rule in group["rules"]:
            assert rule["alert"] in firing, f"{rule['alert']}: no test where it fires"
            assert rule["alert"] in quiet, f"{rule['alert']}: no test where it must not fire"


def readme_metrics_section():
    text = open(os.path.join(source_dir, "README.md")).read()
    m = re.search(r"^## Metrics reference\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    if not m:
        raise CheckFailed("README.md has no '## Metrics reference' section")
    return m.group(1)


def check_exposed_metrics_documented():
    # Histograms expose _bucket/_sum/_count samples under one documented family.
    undocumented = sorted(n for n in exposed() - documented()
                          if n.startswith("faultline_") and n in state["families"])
    assert not undocumented, f"the daemon exposes metrics the README's Metrics reference lacks: {undocumented}"


sys.exit(run_checks([
    ("every metric of the README's Metrics reference is exposed by the running daemon",
     check_documented_metrics_exposed),
    ("alerts.yml selects only exposed metrics; each alert has severity, summary, description, runbook",
     check_alert_expressions),
    ("alerts_test.yml has a firing and a quiet case for every alert", check_alert_tests_cover_every_alert),
    ("every faultline_ metric family the daemon exposes is in the README's Metrics reference",
     check_exposed_metrics_documented),
]))
