#!/usr/bin/env python3
"""A user's clone is all there is: no tracked file may refer to a directory beside
the repository (the sibling `shared` folder some checkouts have), and every file
the tests read lives inside the repository.

Usage: standalone_test.py SOURCE_DIR
"""
import os
import subprocess
import sys

# Spelled in two pieces so that this file does not match itself.
SIBLING = ".." + "/shared"


def tracked_files(source_dir):
    try:
        out = subprocess.run(["git", "-C", source_dir, "ls-files", "-z"], check=True,
                             capture_output=True).stdout
        return [f for f in out.decode().split("\0") if f]
    except (OSError, subprocess.CalledProcessError):
        # Not a git checkout (an unpacked archive): every file but build trees.
        files = []
        for root, dirs, names in os.walk(source_dir):
            dirs[:] = [d for d in dirs if not d.startswith(("build", ".git", "node_modules"))]
            files += [os.path.relpath(os.path.join(root, n), source_dir) for n in names]
        return files


def main():
    if len(sys.argv) != 2:
        print(f"usage: {sys.argv[0]} SOURCE_DIR", file=sys.stderr)
        return 2
    source_dir = sys.argv[1]
    offenders = []
    files = tracked_files(source_dir)
    for name in files:
        path = os.path.join(source_dir, name)
        if not os.path.isfile(path):
            continue
        with open(path, "rb") as f:
            for number, line in enumerate(f, 1):
                if SIBLING.encode() in line:
                    offenders.append(f"{name}:{number}: {line.decode(errors='replace').strip()[:120]}")
    for o in offenders:
        print(f"FAIL refers outside the repository: {o}")
    print(f"{len(files)} files checked")
    print(f"{0 if offenders else 1} passed, {1 if offenders else 0} failed")
    return 1 if offenders else 0


if __name__ == "__main__":
    sys.exit(main())
