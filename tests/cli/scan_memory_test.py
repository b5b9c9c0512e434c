#!/usr/bin/env python3
"""`faultline scan` reads text and NDJSON piece by piece: its memory does not
grow with the input. Scans 16 MiB and 96 MiB of generated noise (text, then flat
NDJSON, from a file and from standard input) and checks that the larger input
peaks at no more than the smaller one plus a margin, and below its own size (a
scan that read the whole input would hold all of it).

Usage: scan_memory_test.py FAULTLINE_BINARY SOURCE_DIR WORK_DIR
"""
import os
import resource
import subprocess
import sys

binary, source, work = sys.argv[1], sys.argv[2], sys.argv[3]
generate = os.path.join(source, "tests", "corpus", "noise", "generate.py")
os.makedirs(work, exist_ok=True)
failures = []


def peak_kib(args, stdin_path=None):
    """Peak RSS of one scan, measured in a fresh child so that RUSAGE_CHILDREN is its own."""
    probe = ("import resource, subprocess, sys\n"
             "stdin = open(sys.argv[1], 'rb') if sys.argv[1] else None\n"
             "subprocess.run(sys.argv[2:], stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
    out = subprocess.run([sys.executable, "-c", probe, stdin_path or ""] + args, capture_output=True, text=True,
                         check=True)
    return int(out.stdout)


for fmt in ("text", "ndjson"):
    sizes = {}
    for mib in (16, 96):
        path = os.path.join(work, f"noise-{mib}.{fmt}")
        if not os.path.exists(path):
            subprocess.run([sys.executable, generate, "--seed", "21", "--bytes", f"{mib}M", "--format", fmt, path],
                           check=True, stdout=subprocess.DEVNULL)
        sizes[mib] = (path, os.path.getsize(path))
    small = peak_kib([binary, "scan", "--service", "noise", sizes[16][0]])
    for how, args, stdin in (("file", [binary, "scan", "--service", "noise", sizes[96][0]], None),
                             ("standard input", [binary, "scan", "--service", "noise", "-"], sizes[96][0])):
        large = peak_kib(args, stdin)
        what = f"{fmt} from {how}: 96 MiB peaks at {large // 1024} MiB, 16 MiB at {small // 1024} MiB"
        ok = large <= small + 16 * 1024 and large * 1024 < sizes[96][1]
        print(("ok   " if ok else "FAIL ") + what)
        if not ok:
            failures.append(what)

sys.exit(1 if failures else 0)
