#!/usr/bin/env python3
"""`faultline scan` reads its input piece by piece: its memory does not grow with
the input. Scans 16 MiB and 96 MiB of generated noise — text, flat NDJSON, a
pretty-printed JSON array of Cloud Logging LogEntries (`gcloud logging read
--format=json`), and gzip files of the text and of the array — from a file and
from standard input, and checks that the larger input peaks at no more than the
smaller one plus a margin, and below its own (decompressed) size: a scan that
read the whole input would hold all of it.

Usage: scan_memory_test.py FAULTLINE_BINARY SOURCE_DIR WORK_DIR
"""
import gzip
import json
import os
import shutil
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


def noise(fmt, mib):
    """A generated noise file; `array` is the cloud-logging NDJSON as one pretty-printed JSON array."""
    path = os.path.join(work, f"noise-{mib}.{fmt}")
    if os.path.exists(path):
        return path
    if fmt == "array":
        lines = noise("cloud-logging", mib)
        with open(lines, encoding="utf-8") as src, open(path + ".tmp", "w", encoding="utf-8") as out:
            out.write("[\n")
            for i, line in enumerate(l for l in src if l.strip()):
                out.write((",\n" if i else "") + json.dumps(json.loads(line), indent=2))
            out.write("\n]\n")
    elif fmt.endswith(".gz"):
        with open(noise(fmt[:-3], mib), "rb") as src, gzip.open(path + ".tmp", "wb", compresslevel=1) as out:
            shutil.copyfileobj(src, out, 1 << 20)
    else:
        subprocess.run([sys.executable, generate, "--seed", "21", "--bytes", f"{mib}M", "--format", fmt,
                        path + ".tmp"], check=True, stdout=subprocess.DEVNULL)
    os.replace(path + ".tmp", path)
    return path


for fmt in ("text", "ndjson", "array", "text.gz", "array.gz"):
    small_path, large_path = noise(fmt, 16), noise(fmt, 96)
    plain_size = os.path.getsize(noise(fmt[:-3], 96) if fmt.endswith(".gz") else large_path)
    small = peak_kib([binary, "scan", "--service", "noise", small_path])
    for how, args, stdin in (("file", [binary, "scan", "--service", "noise", large_path], None),
                             ("standard input", [binary, "scan", "--service", "noise", "-"], large_path)):
        large = peak_kib(args, stdin)
        what = f"{fmt} from {how}: 96 MiB peaks at {large // 1024} MiB, 16 MiB at {small // 1024} MiB"
        ok = large <= small + 16 * 1024 and large * 1024 < plain_size
        print(("ok   " if ok else "FAIL ") + what)
        if not ok:
            failures.append(what)

sys.exit(1 if failures else 0)
