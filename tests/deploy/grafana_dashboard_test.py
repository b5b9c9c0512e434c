#!/usr/bin/env python3
"""deploy/grafana/faultline-dashboard.json: valid JSON, a Prometheus datasource
variable that every panel and query uses, unique panel ids, the panels the
README promises, only defined $variables, and every PromQL expression selects
only metric names that the real daemon exposes (read from its /metrics after
driving every series family), or Prometheus' own `up`.

Usage: grafana_dashboard_test.py BINARY SOURCE_DIR
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from deploylib import (CheckFailed, exercised_metrics, main_args, promql_metric_names,  # noqa: E402
                       run_checks, stop_on_signals)

binary, source_dir = (os.path.abspath(a) for a in main_args(2, "BINARY SOURCE_DIR"))
path = os.path.join(source_dir, "deploy", "grafana", "faultline-dashboard.json")
stop_on_signals()
state = {}


def dashboard():
    if "dashboard" not in state:
        with open(path) as f:
            state["dashboard"] = json.load(f)
    return state["dashboard"]


def all_panels():
    out = []
    for p in dashboard()["panels"]:
        out.append(p)
        out += p.get("panels", [])  # collapsed rows hold their panels
    return out


def queries():
    """(panel title, expr) of every panel target and query variable."""
    out = [(p.get("title", "?"), t["expr"]) for p in all_panels() for t in p.get("targets", []) if "expr" in t]
    for var in dashboard()["templating"]["list"]:
        if var["type"] == "query":
            q = var["query"]["query"] if isinstance(var["query"], dict) else var["query"]
            m = re.match(r"label_values\((.*),\s*\w+\)$", q)
            out.append((f"${var['name']}", m.group(1) if m else q))
    return out


def check_json():
    d = dashboard()
    for key in ("title", "uid", "panels", "templating", "schemaVersion"):
        assert key in d, f"no {key}"


def check_datasource_variable():
    variables = {v["name"]: v for v in dashboard()["templating"]["list"]}
    ds = [v for v in variables.values() if v["type"] == "datasource"]
    assert len(ds) == 1 and ds[0]["query"] == "prometheus", f"no Prometheus datasource variable: {ds}"
    ref = "${" + ds[0]["name"] + "}"
    for p in all_panels():
        if p["type"] == "row":
            continue
        assert p.get("datasource", {}).get("uid") == ref, f"panel {p['title']!r} does not use {ref}"
        for t in p["targets"]:
            assert t.get("datasource", {}).get("uid") == ref, f"a query of {p['title']!r} does not use {ref}"
    for v in variables.values():
        if v["type"] == "query":
            assert v["datasource"]["uid"] == ref, f"variable {v['name']} does not use {ref}"


def check_panels():
    ids = [p["id"] for p in all_panels()]
    assert len(ids) == len(set(ids)), f"duplicate panel ids: {ids}"
    for p in all_panels():
        g = p["gridPos"]
        assert 0 <= g["x"] and g["x"] + g["w"] <= 24, f"panel {p['title']!r} is wider than the grid"
        if p["type"] != "row":
            assert p["targets"], f"panel {p['title']!r} has no query"


def check_variables_defined():
    defined = {v["name"] for v in dashboard()["templating"]["list"]}
    builtin = {"__rate_interval", "__interval", "__range", "__range_s", "__interval_ms"}
    for title, expr in queries():
        for name in re.findall(r"\$\{?(\w+)", expr):
            assert name in defined or name in builtin, f"{title}: ${name} is not a dashboard variable"


def check_required_panels():
    exprs = " ".join(e for _, e in queries())
    wanted = {
        "open incidents by service/severity": r"sum by \(service, severity\) \(faultline_incidents_open",
        "MTTR p50": r"histogram_quantile\(0\.5, .*faultline_incident_resolve_seconds_bucket",
        "MTTR p90": r"histogram_quantile\(0\.9, .*faultline_incident_resolve_seconds_bucket",
        "MTTA p50": r"histogram_quantile\(0\.5, .*faultline_incident_ack_seconds_bucket",
        "MTTA p90": r"histogram_quantile\(0\.9, .*faultline_incident_ack_seconds_bucket",
        "detection delay p99": r"histogram_quantile\(0\.99, .*faultline_detection_delay_seconds_bucket",
        "matches by rule": r"by \(rule[^)]*\) \(rate\(faultline_rule_matches_total",
        "ingest by endpoint": r"by \(endpoint[^)]*\) \(rate\(faultline_ingest_(requests|records)_total",
        "rejections by reason": r"by \(reason\) \(rate\(faultline_ingest_rejected_total",
        "alerts by result": r"by \(result\) \(rate\(faultline_alerts_sent_total",
    }
    for what, pattern in wanted.items():
        per_expr = [e for _, e in queries() if re.search(pattern, e)]
        assert per_expr, f"no panel for {what} (/{pattern}/)"
    for _, expr in queries():
        if "histogram_quantile" in expr:
            assert "_bucket" in expr and re.search(r"by \((?:[^)]*, )?le[,)]", expr), \
                f"histogram_quantile without _bucket series grouped by le: {expr}"
    assert exprs


def check_metric_names():
    families, samples = exercised_metrics(binary, source_dir)
    exposed = families | samples | {"up"}
    unknown = []
    for title, expr in queries():
        names = promql_metric_names(expr)
        assert names, f"{title}: no metric in {expr}"
        unknown += [f"{title}: {n}" for n in sorted(names - exposed)]
    assert not unknown, "expressions select metrics the daemon does not expose:\n" + "\n".join(unknown)


sys.exit(run_checks([
    ("valid JSON dashboard", check_json),
    ("a Prometheus datasource variable used by every panel, query and variable", check_datasource_variable),
    ("unique panel ids, panels inside the grid, each with a query", check_panels),
    ("every $variable in a query is defined", check_variables_defined),
    ("incidents, MTTR/MTTA p50/p90, detection delay p99, rules, ingest, rejections, alerts panels",
     check_required_panels),
    ("every expression selects only metrics the running daemon exposes", check_metric_names),
]))
