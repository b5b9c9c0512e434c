#!/usr/bin/env python3
"""`faultline scan` shows progress on a terminal and nothing extra when piped.

Runs scan over the seed cascade twice: once with standard error on a
pseudo-terminal (as in an interactive shell), once with it piped. On the
terminal, stderr carries the progress line (bytes of the total, records/s,
incidents so far) and the one-line summary; piped, neither appears. Standard
output (the incident table) is the same both times.

Usage: scan_progress_test.py FAULTLINE_BINARY SOURCE_DIR
"""
import os
import pty
import subprocess
import sys

binary, source = sys.argv[1], sys.argv[2]
seed = os.path.join(source, "examples", "seed-cascade.ndjson")
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def run_on_terminal():
    master, slave = pty.openpty()
    proc = subprocess.Popen([binary, "scan", seed], stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    err = b""
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the terminal's other end closed
            break
        if not data:
            break
        err += data
    out = proc.stdout.read()
    proc.wait()
    os.close(master)
    return proc.returncode, out.decode(), err.decode()


code, table, err = run_on_terminal()
size = os.path.getsize(seed) / (1 << 20)
check(code == 1, f"exit status 1 for the open incident (got {code})")
check("records/s" in err and f"of {size:.1f} MiB (" in err, "the progress line shows bytes of the total and records/s")
check("\r" in err, "the progress line is redrawn in place")
check("scan: 54 records, " in err and " matched, 1 incident in " in err, "a one-line summary: records, matched, incidents, time")

piped = subprocess.run([binary, "scan", seed], capture_output=True, text=True)
check("records/s" not in piped.stderr and "scan: 54 records" not in piped.stderr,
      "piped, standard error has neither progress nor summary")
check(piped.stdout == table, "standard output is the same incident table either way")
check("python_module_not_found" in table, "the table names the seed's root cause")

sys.exit(1 if failures else 0)
