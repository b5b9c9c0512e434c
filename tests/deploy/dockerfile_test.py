#!/usr/bin/env python3
"""deploy/Dockerfile's shape, checked without Docker: a Debian 12 build stage
with the build dependencies of scripts/install-deps.sh, a debian:12-slim
runtime stage that runs as a non-root user, validates the baked-in rule pack at
build time, keeps state in a volume, has a HEALTHCHECK and the preflight
entrypoint; every COPY source exists and is not excluded by .dockerignore.

Usage: dockerfile_test.py SOURCE_DIR
"""
import fnmatch
import os
import shlex
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from deploylib import (CheckFailed, apt_installed_packages, dockerfile_stages,  # noqa: E402
                       install_deps_packages, main_args, run_checks)

(source_dir,) = main_args(1, "SOURCE_DIR")
dockerfile = os.path.join(source_dir, "deploy", "Dockerfile")
stages, order = dockerfile_stages(dockerfile)


def stage(name):
    if name not in stages:
        raise CheckFailed(f"no stage named {name!r} (stages: {', '.join(order)})")
    return stages[name]


def instructions(name, word):
    return [rest for w, rest in stage(name)["instructions"] if w == word]


def check_stages():
    assert order == ["build", "runtime"], f"expected stages build, runtime; got {order}"
    assert stage("build")["from"] == "debian:12", f"build stage FROM {stage('build')['from']}, expected debian:12"
    assert stage("runtime")["from"] == "debian:12-slim", \
        f"runtime stage FROM {stage('runtime')['from']}, expected debian:12-slim"


def check_build_dependencies():
    # Every library -dev package and build tool that install-deps.sh installs
    # for building, so the image builds the way `make` does on a developer's machine.
    wanted = [p for p in install_deps_packages(os.path.join(source_dir, "scripts", "install-deps.sh"))
              if p.endswith("-dev") or p in ("g++", "cmake", "ninja-build", "pkg-config")]
    have = set(apt_installed_packages(stage("build")["instructions"]))
    missing = [p for p in wanted if p not in have]
    assert not missing, f"the build stage does not install {', '.join(missing)} (listed in scripts/install-deps.sh)"


def check_build_commands():
    runs = " ".join(instructions("build", "RUN"))
    for needle in ("-G Ninja", "--target faultline", "-DBUILD_TESTING=OFF"):
        assert needle in runs, f"the build stage's RUN does not contain {needle!r}"


def check_non_root():
    users = instructions("runtime", "USER")
    assert users, "the runtime stage has no USER (it would run as root)"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0"), f"USER {users[-1]} is root"
    assert user.isdigit(), f"USER {users[-1]}: use a numeric uid so Kubernetes' runAsNonRoot can verify it"
    runs = " ".join(instructions("runtime", "RUN"))
    assert f"--uid {user}" in runs, f"no user with uid {user} is created in the runtime stage"


def check_rules_baked_and_checked():
    copies = instructions("runtime", "COPY")
    assert any(c.split()[-1].rstrip("/") == "/etc/faultline/rules" for c in copies), \
        "the rule pack is not copied to /etc/faultline/rules"
    runs = instructions("runtime", "RUN")
    assert any("faultline rules check /etc/faultline/rules" in r for r in runs), \
        "no RUN faultline rules check /etc/faultline/rules in the runtime stage"
    env = " ".join(instructions("runtime", "ENV"))
    assert "FAULTLINE_RULES=/etc/faultline/rules" in env, "ENV FAULTLINE_RULES=/etc/faultline/rules is missing"


def check_volume_and_port():
    volumes = " ".join(instructions("runtime", "VOLUME"))
    assert "/var/lib/faultline" in volumes, "no VOLUME /var/lib/faultline"
    env = " ".join(instructions("runtime", "ENV"))
    assert "FAULTLINE_STORE=/var/lib/faultline/" in env, "FAULTLINE_STORE does not point into the volume"
    assert "PORT=8080" in env, "no default PORT (the daemon listens on 0.0.0.0:$PORT)"
    assert "8080" in " ".join(instructions("runtime", "EXPOSE")), "EXPOSE 8080 is missing"


def check_healthcheck_and_entrypoint():
    health = instructions("runtime", "HEALTHCHECK")
    assert health, "no HEALTHCHECK"
    copies = {c.split()[-1]: c.split()[-2] for c in instructions("runtime", "COPY")}
    probe = health[-1].split("CMD", 1)[1]
    target = [t for t in shlex.split(probe.replace("[", " ").replace("]", " ").replace(",", " "))][0]
    assert target in copies and copies[target] == "deploy/healthcheck.sh", \
        f"HEALTHCHECK runs {target}, which is not deploy/healthcheck.sh copied into the image"
    entry = instructions("runtime", "ENTRYPOINT")
    assert entry and "/usr/local/bin/docker-entrypoint.sh" in entry[-1], "ENTRYPOINT is not the preflight script"
    assert copies.get("/usr/local/bin/docker-entrypoint.sh") == "deploy/docker-entrypoint.sh"
    for script in ("deploy/healthcheck.sh", "deploy/docker-entrypoint.sh"):
        assert os.access(os.path.join(source_dir, script), os.X_OK), f"{script} is not executable (COPY keeps the mode)"


def dockerignore_patterns():
    path = os.path.join(source_dir, ".dockerignore")
    if not os.path.exists(path):
        return []
    return [l.strip() for l in open(path) if l.strip() and not l.startswith("#")]


def ignored(path, patterns):
    verdict = False
    for p in patterns:
        negate = p.startswith("!")
        p = p.lstrip("!").rstrip("/")
        parts = path.split("/")
        if any(fnmatch.fnmatch("/".join(parts[:i]), p) for i in range(1, len(parts) + 1)):
            verdict = not negate
    return verdict


def check_copy_sources():
    patterns = dockerignore_patterns()
    problems = []
    for name in order:
        for copy in instructions(name, "COPY"):
            args = [a for a in copy.split() if not a.startswith("--")]
            if any(a.startswith("--from") for a in copy.split()):
                continue
            for src in args[:-1]:
                src = src.rstrip("/")
                if not os.path.exists(os.path.join(source_dir, src)):
                    problems.append(f"COPY {src}: no such file in the repository")
                elif ignored(src, patterns):
                    problems.append(f"COPY {src}: excluded by .dockerignore")
    assert not problems, "\n".join(problems)


def check_build_copies_every_source_folder():
    # CMake configures every add_subdirectory() of the top-level CMakeLists.txt,
    # so a folder the build stage does not copy fails `docker build` at configure.
    import re
    with open(os.path.join(source_dir, "CMakeLists.txt")) as f:
        folders = re.findall(r"^\s*add_subdirectory\((\w+)\)", f.read(), re.M)
    copied = {shlex.split(rest)[0].rstrip("/") for rest in instructions("build", "COPY")}
    missing = [d for d in folders if d != "tests" and d not in copied]
    assert not missing, f"the build stage does not COPY {', '.join(missing)} (add_subdirectory in CMakeLists.txt)"


def check_dockerignore():
    patterns = dockerignore_patterns()
    assert patterns, "no .dockerignore at the repository root (build/ would be sent as context)"
    for path in ("build", "build/server/faultline", ".git", "var/faultline.db"):
        assert ignored(path, patterns), f".dockerignore does not exclude {path}"
    for path in ("server/main.cpp", "rules/packs/python.yaml", "deploy/docker-entrypoint.sh"):
        assert not ignored(path, patterns), f".dockerignore excludes {path}, which the build needs"


sys.exit(run_checks([
    ("stages: build on debian:12, runtime on debian:12-slim", check_stages),
    ("build stage installs the -dev packages of scripts/install-deps.sh", check_build_dependencies),
    ("build stage builds the faultline target with cmake and ninja", check_build_commands),
    ("runtime stage runs as a numeric non-root user", check_non_root),
    ("rules are baked in at /etc/faultline/rules and checked at build time", check_rules_baked_and_checked),
    ("store in the /var/lib/faultline volume, PORT 8080", check_volume_and_port),
    ("HEALTHCHECK and ENTRYPOINT are the scripts in deploy/", check_healthcheck_and_entrypoint),
    ("every COPY source exists and is in the build context", check_copy_sources),
    ("the build stage copies every folder CMake configures", check_build_copies_every_source_folder),
    (".dockerignore keeps build output and .git out", check_dockerignore),
]))
