#!/usr/bin/env python3
"""deploy/Dockerfile's runtime stage installs a package for every shared library
the built faultline binary links.

Without Docker: `ldd BINARY` on this Debian 12 machine names each library's
file, `dpkg -S FILE` names the package that ships it. The package of each
library the binary links directly (its NEEDED entries) must be installed by the
runtime stage's `apt-get install` or be part of the debian:12-slim base image;
a library only those libraries pull in (libpq5's Kerberos and LDAP, say) may
come with them, as apt installs Depends: it must be in their dependency closure. The list of base packages below is explicit: those
are the packages the slim image ships that the binary needs (libc6 is the C
library itself; apt needs libstdc++6 and libgcc-s1, so every Debian image has
them). Anything else must be in the Dockerfile.

Usage: image_libraries_test.py BINARY SOURCE_DIR
"""
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from deploylib import (CheckFailed, apt_installed_packages, dockerfile_stages,  # noqa: E402
                       main_args, run_checks)

# In debian:12-slim already (Priority: required, or dependencies of apt/dpkg).
BASE_IMAGE_PACKAGES = {
    "libc6": "libc.so.6, libm.so.6 and the dynamic loader",
    "libstdc++6": "libstdc++.so.6 (apt depends on it)",
    "libgcc-s1": "libgcc_s.so.1 (libstdc++6 depends on it)",
}

# Runtime packages the binary needs that are not libraries it links.
DATA_PACKAGES = {
    "ca-certificates": "the CA store the daemon trusts when it fetches auth.oidc_jwks_url over https",
}

binary, source_dir = main_args(2, "BINARY SOURCE_DIR")
dockerfile = os.path.join(source_dir, "deploy", "Dockerfile")


def runtime_packages(path):
    stages, order = dockerfile_stages(path)
    if "runtime" not in stages:
        raise CheckFailed(f"{path}: no stage named 'runtime' (stages: {', '.join(order)})")
    if order[-1] != "runtime":
        raise CheckFailed(f"{path}: the runtime stage must be the last one (the image docker build makes)")
    return apt_installed_packages(stages["runtime"]["instructions"])


def linked_libraries():
    """[(soname, path)] from ldd, without the kernel's vDSO."""
    out = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    libraries = []
    for line in out.splitlines():
        line = line.strip()
        if not line or line.startswith("linux-vdso") or line.startswith("linux-gate"):
            continue
        m = re.match(r"(\S+) => (.+?)(?: \(0x[0-9a-f]+\))?$", line)
        if m:
            if m.group(2) == "not found":
                raise CheckFailed(f"ldd: {m.group(1)} => not found on this machine; install its -dev package first")
            libraries.append((m.group(1), m.group(2)))
        else:  # the dynamic loader: "/lib64/ld-linux-x86-64.so.2 (0x...)"
            path = line.split()[0]
            libraries.append((os.path.basename(path), path))
    return libraries


def needed_sonames():
    """The libraries the binary itself links (ELF NEEDED), not their dependencies."""
    out = subprocess.run(["objdump", "-p", binary], capture_output=True, text=True, check=True).stdout
    return {m.group(1) for m in re.finditer(r"^\s*NEEDED\s+(\S+)", out, re.M)}


def dependency_closure(packages):
    """The packages plus everything they Depend or Pre-Depend on, as installed here."""
    seen, todo = set(), list(packages)
    while todo:
        pkg = todo.pop()
        if pkg in seen:
            continue
        seen.add(pkg)
        out = subprocess.run(["dpkg-query", "-W", "-f=${Depends}, ${Pre-Depends}", pkg],
                             capture_output=True, text=True).stdout
        for clause in out.split(","):
            for alternative in clause.split("|"):
                name = alternative.strip().split(" ")[0].split(":")[0]
                if name:
                    todo.append(name)
    return seen


def candidate_paths(path):
    """Debian 12 merges /lib into /usr/lib, but dpkg records the path the package ships."""
    seen = []
    for p in (path, os.path.realpath(path)):
        for q in (p, p[4:] if p.startswith("/usr/") else "/usr" + p):
            if q not in seen:
                seen.append(q)
    return seen


def owning_package(path):
    for candidate in candidate_paths(path):
        result = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        for line in result.stdout.splitlines():
            if line.startswith("diversion "):
                continue
            packages, _, file = line.partition(": ")
            if file.strip() == candidate:
                return packages.split(",")[0].strip().split(":")[0]
    raise CheckFailed(f"dpkg -S finds no package for {path} (tried {', '.join(candidate_paths(path))})")


LIBRARIES = None


def libraries_with_packages():
    global LIBRARIES
    if LIBRARIES is None:
        LIBRARIES = [(soname, path, owning_package(path)) for soname, path in linked_libraries()]
    return LIBRARIES


def uncovered(packages):
    direct = needed_sonames()
    closure = dependency_closure(set(packages) | set(BASE_IMAGE_PACKAGES))
    return [(soname, path, pkg) for soname, path, pkg in libraries_with_packages()
            if pkg not in BASE_IMAGE_PACKAGES and
            (pkg not in packages if soname in direct else pkg not in closure)]


def check_every_library_is_provided():
    packages = set(runtime_packages(dockerfile))
    if not packages:
        raise CheckFailed("the runtime stage installs no package with apt-get install")
    missing = uncovered(packages)
    if missing:
        raise CheckFailed("the runtime stage of deploy/Dockerfile lacks packages for:\n" + "\n".join(
            f"{soname} ({path}) is shipped by {pkg}" for soname, path, pkg in missing))
    for soname, path, pkg in libraries_with_packages():
        where = "base image" if pkg in BASE_IMAGE_PACKAGES else "Dockerfile" if pkg in packages else "dependency"
        print(f"     {soname:34} {pkg:28} ({where})")


def check_no_unneeded_package():
    direct = needed_sonames()
    needed = {pkg for soname, _, pkg in libraries_with_packages() if soname in direct}
    extra = [p for p in runtime_packages(dockerfile) if p not in needed and p not in DATA_PACKAGES]
    if extra:
        raise CheckFailed("the runtime stage installs packages the binary links no library from: " +
                          ", ".join(extra) + " (keep the image minimal, or say in this test why one is needed)")


def check_base_packages_are_used():
    # The base list must not hide a library: each entry is really one the binary links.
    needed = {pkg for _, _, pkg in libraries_with_packages()}
    unused = [p for p in BASE_IMAGE_PACKAGES if p not in needed]
    if unused:
        raise CheckFailed(f"BASE_IMAGE_PACKAGES names packages the binary does not use: {', '.join(unused)}")


def check_packages_exist():
    unknown = []
    for pkg in runtime_packages(dockerfile):
        known = subprocess.run(["dpkg-query", "-W", pkg], capture_output=True).returncode == 0 or \
            subprocess.run(["apt-cache", "show", "--no-all-versions", pkg], capture_output=True).returncode == 0
        if not known:
            unknown.append(pkg)
    if unknown:
        raise CheckFailed(f"not Debian package names known here: {', '.join(unknown)}")


def check_removing_a_package_is_detected():
    # The check above must notice each package taken out of the Dockerfile.
    text = open(dockerfile).read()
    with tempfile.TemporaryDirectory() as tmp:
        for pkg in runtime_packages(dockerfile):
            if pkg in DATA_PACKAGES:
                continue  # no library to miss
            mutated = re.sub(rf"(?<![\w.+-]){re.escape(pkg)}(?![\w.+-])", "", text)
            path = os.path.join(tmp, "Dockerfile")
            with open(path, "w") as f:
                f.write(mutated)
            remaining = set(runtime_packages(path))
            if pkg in remaining:
                raise CheckFailed(f"could not remove {pkg} from a copy of the Dockerfile")
            if not uncovered(remaining):
                raise CheckFailed(f"removing {pkg} from the runtime stage went unnoticed")


sys.exit(run_checks([
    ("every library in ldd faultline comes from a runtime-stage or base-image package",
     check_every_library_is_provided),
    ("the runtime stage installs no package the binary does not need", check_no_unneeded_package),
    ("each base-image package stands for a library the binary links", check_base_packages_are_used),
    ("runtime-stage package names are Debian packages", check_packages_exist),
    ("removing any runtime-stage package makes the check fail", check_removing_a_package_is_detected),
]))
