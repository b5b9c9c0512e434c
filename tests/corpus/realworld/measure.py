#!/usr/bin/env python3
"""Replays the real-world corpus through `faultline scan` and measures it.

Each case is CASE.log (a program's output as a user pasted it) and CASE.yaml
(where it came from and what a correct answer is: crash or not, the cause class,
its primary capture, the failed runs the log shows). Per case, `faultline scan
--json --service CASE CASE.log` is run with the bundled rules, and:

  detected     a crash opened at least one incident
  right cause  some incident's root cause is the expected class ("unknown": any
               incident whose cause no specific rule knows)
  right name   that incident's captures include the expected name
  exits        the log shows failed runs and the incident counted at least one
  false pos.   a log where nothing crashed opened an incident
  concrete     per incident of a crash log: its hint names a concrete action, i.e.
               holds a span in backticks that is no placeholder (no "…", "...",
               "<name>") and that is either a command (a program name followed by
               arguments: `pip install google-cloud-pubsub`, `npm run build`) or
               holds a value from the incident's own evidence (a capture of its
               root cause, or its service or revision: `/app/pkg/mod/`) or from
               the lookup tables shipped with the rules (`google-cloud-pubsub`). A hint
               that only describes possibilities, or names a command without
               arguments, does not count.

Prints one line per miss, then the totals. Exits 1 when a total falls below the
floor in floors.json (the figures already reached: a change may raise them, never
lower them), so the suite fails on a regression and not on noise.

Usage: measure.py BINARY [CORPUS_DIR] [--verbose] [--write-floors]
"""
import json
import os
import re
import subprocess
import sys

import yaml

# Root causes of incidents that no specific rule explains: the right answer for a
# crash whose cause the corpus marks `unknown`.
UNKNOWN_CAUSES = {"generic_exit", "unknown_crash"}


def cases(corpus):
    for group in sorted(os.listdir(corpus)):
        folder = os.path.join(corpus, group)
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            if name.endswith(".yaml"):
                stem = os.path.join(folder, name[:-5])
                with open(stem + ".yaml") as f:
                    yield group, os.path.basename(stem), stem + ".log", yaml.safe_load(f)


def scan(binary, service, path):
    result = subprocess.run([binary, "scan", "--json", "--service", service, path],
                            capture_output=True, timeout=60)
    try:
        return json.loads(result.stdout)["incidents"]
    except ValueError:
        raise RuntimeError(f"scan {path} exited {result.returncode}: {result.stderr.decode()[:500]}")


def cause_of(incident):
    return (incident.get("root_cause") or {}).get("rule", "")


def names_of(incident):
    captures = (incident.get("root_cause") or {}).get("captures") or {}
    return {str(v) for v in captures.values()}


BACKTICKED = re.compile(r"`([^`]+)`")
PLACEHOLDER = re.compile(r"…|\.\.\.|<[A-Za-z_ -]+>")
COMMAND = re.compile(r"^[a-z][a-z0-9._-]* \S")


def table_values():
    """Every value of the lookup tables shipped with the rules (rules/packs/*.table.yaml):
    a distribution, artifact or package that a hint names from a table."""
    folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "rules", "packs")
    values = set()
    for name in sorted(n for n in os.listdir(folder) if n.endswith(".table.yaml")):
        with open(os.path.join(folder, name)) as f:
            for value in (yaml.safe_load(f).get("entries") or {}).values():
                values |= set(value.values()) if isinstance(value, dict) else {value}
    return {v for v in values if isinstance(v, str) and len(v) >= 3}


TABLE_VALUES = table_values()


def concrete_action(incident):
    """The hint names a concrete action (see the module docstring)."""
    evidence = {v for v in names_of(incident) if len(v) >= 3} | TABLE_VALUES
    evidence |= {incident.get("service") or ""} | set(incident.get("revisions") or [])
    evidence.discard("")
    for span in BACKTICKED.findall(incident.get("hint") or ""):
        if PLACEHOLDER.search(span):
            continue
        if COMMAND.match(span) or any(value in span for value in evidence):
            return True
    return False


def right_cause(expected, incident):
    cause = cause_of(incident)
    return cause in UNKNOWN_CAUSES if expected == "unknown" else cause == expected


def measure(binary, corpus, verbose):
    totals = {"crashes": 0, "detected": 0, "right_cause": 0, "named": 0, "right_name": 0,
              "with_exits": 0, "exits_counted": 0, "healthy": 0, "false_positives": 0,
              "incidents": 0, "concrete_hints": 0}
    misses = []
    for group, slug, log, expected in cases(corpus):
        incidents = scan(binary, slug, log)
        found = ", ".join(f"{cause_of(i)}{sorted(names_of(i))}" for i in incidents) or "nothing"
        if not expected.get("crash"):
            totals["healthy"] += 1
            if incidents:
                totals["false_positives"] += 1
                misses.append(f"false positive  {group}/{slug}: {found}")
            continue
        totals["crashes"] += 1
        for incident in incidents:
            totals["incidents"] += 1
            if concrete_action(incident):
                totals["concrete_hints"] += 1
            elif verbose:
                misses.append(f"vague hint      {group}/{slug}: {cause_of(incident)}: {incident.get('hint', '')[:160]}")
        cause = expected.get("cause", "unknown")
        if incidents:
            totals["detected"] += 1
        else:
            misses.append(f"not detected    {group}/{slug}: expected {cause}")
            continue
        matching = [i for i in incidents if right_cause(cause, i)]
        if matching:
            totals["right_cause"] += 1
        else:
            misses.append(f"wrong cause     {group}/{slug}: expected {cause}, got {found}")
        name = expected.get("name")
        if name is not None and cause != "unknown":
            totals["named"] += 1
            if any(str(name) in names_of(i) for i in matching):
                totals["right_name"] += 1
            elif matching:
                misses.append(f"wrong name      {group}/{slug}: expected {name}, got {found}")
        if expected.get("exits"):
            totals["with_exits"] += 1
            if any(i.get("exits", 0) > 0 for i in incidents):
                totals["exits_counted"] += 1
            elif verbose:
                misses.append(f"exits uncounted {group}/{slug}: the log shows {expected['exits']}")
    return totals, misses


def percent(part, whole):
    return f"{100.0 * part / whole:.1f} %" if whole else "n/a"


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    verbose = "--verbose" in sys.argv
    if not args:
        sys.exit(__doc__)
    binary = args[0]
    corpus = args[1] if len(args) > 1 else os.path.dirname(os.path.abspath(__file__))
    totals, misses = measure(binary, corpus, verbose)
    for line in misses:
        print(line)
    t = totals
    print(f"crashes: {t['crashes']}  detected: {t['detected']} ({percent(t['detected'], t['crashes'])})  "
          f"right cause: {t['right_cause']} ({percent(t['right_cause'], t['crashes'])})  "
          f"right name: {t['right_name']}/{t['named']} ({percent(t['right_name'], t['named'])})  "
          f"exits counted: {t['exits_counted']}/{t['with_exits']} ({percent(t['exits_counted'], t['with_exits'])})")
    print(f"not crashes: {t['healthy']}  false positives: {t['false_positives']}")
    print(f"incidents on crash logs: {t['incidents']}  hint names a concrete action: {t['concrete_hints']} "
          f"({percent(t['concrete_hints'], t['incidents'])})")

    floors_path = os.path.join(corpus, "floors.json")
    if "--write-floors" in sys.argv:
        floors = {k: t[k] for k in ("detected", "right_cause", "right_name", "exits_counted", "concrete_hints")}
        floors["false_positives_at_most"] = t["false_positives"]
        with open(floors_path, "w") as f:
            json.dump(floors, f, indent=2)
            f.write("\n")
    with open(floors_path) as f:
        floors = json.load(f)
    failed = [f"{k}: {t[k]} < floor {v}" for k, v in floors.items() if k in t and t[k] < v]
    if t["false_positives"] > floors["false_positives_at_most"]:
        failed.append(f"false_positives: {t['false_positives']} > floor {floors['false_positives_at_most']}")
    for f in failed:
        print(f"FAIL below the recorded floor: {f}")
    print(f"{0 if failed else 1} passed, {1 if failed else 0} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
