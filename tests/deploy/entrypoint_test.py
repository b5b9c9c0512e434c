#!/usr/bin/env python3
"""deploy/docker-entrypoint.sh and deploy/healthcheck.sh, run here as the image
runs them: the preflight names a missing rule pack, store directory or shared
library and exits before the daemon starts; with everything in place it execs
`faultline serve` (same PID) with the store from FAULTLINE_STORE and rules from
a directory laid out like a Kubernetes ConfigMap mount (symlinks into ..data/);
the healthcheck passes against it and fails once it is stopped.

Usage: entrypoint_test.py BINARY SOURCE_DIR
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from deploylib import CheckFailed, http, main_args, run_checks, stop_pid, wait_for  # noqa: E402

binary, source_dir = (os.path.abspath(a) for a in main_args(2, "BINARY SOURCE_DIR"))
entrypoint = os.path.join(source_dir, "deploy", "docker-entrypoint.sh")
healthcheck = os.path.join(source_dir, "deploy", "healthcheck.sh")
work = tempfile.mkdtemp(prefix="faultline-entrypoint-")


def env(**extra):
    e = {k: v for k, v in os.environ.items() if k not in ("PORT", "FAULTLINE_RULES", "FAULTLINE_STORE")}
    e["FAULTLINE_BIN"] = binary
    e.update(extra)
    return e


def run(args, timeout=20, prefix=(), **extra):
    return subprocess.run([*prefix, entrypoint, *args], env=env(**extra), capture_output=True, text=True,
                          timeout=timeout, cwd=work)


def configmap_layout():
    """rules/packs/*.yaml as kubelet mounts a ConfigMap: name -> ..data/name, ..data -> ..<timestamp>."""
    root = os.path.join(work, "configmap-rules")
    if os.path.isdir(root):
        return root
    stamp = os.path.join(root, "..2026_01_01_00_00_00.000000001")
    os.makedirs(stamp)
    packs = sorted(glob.glob(os.path.join(source_dir, "rules", "packs", "*.yaml")))
    for pack in packs:
        shutil.copy(pack, stamp)
    os.symlink(os.path.basename(stamp), os.path.join(root, "..data"))
    for pack in packs:
        os.symlink(os.path.join("..data", os.path.basename(pack)), os.path.join(root, os.path.basename(pack)))
    return root


def expect_failure(result, code, *needles):
    if result.returncode != code:
        raise CheckFailed(f"exit {result.returncode}, expected {code}; stderr:\n{result.stderr}")
    for needle in needles:
        if needle not in result.stderr:
            raise CheckFailed(f"stderr does not name {needle!r}:\n{result.stderr}")


def check_missing_rules():
    missing = os.path.join(work, "no-such-rules")
    expect_failure(run(["serve"], FAULTLINE_RULES=missing, FAULTLINE_STORE=os.path.join(work, "db")),
                   2, f"rules path {missing} does not exist")
    expect_failure(run(["serve", "--rules", missing]), 2, missing)


def check_empty_rules_dir():
    empty = os.path.join(work, "empty-rules")
    os.makedirs(empty, exist_ok=True)
    expect_failure(run([], FAULTLINE_RULES=empty), 2, f"rules directory {empty} holds no *.yaml")


def check_missing_store_dir():
    store = os.path.join(work, "no-volume", "faultline.db")
    expect_failure(run([], FAULTLINE_RULES=configmap_layout(), FAULTLINE_STORE=store), 2,
                   f"store directory {os.path.dirname(store)} does not exist")


def check_unwritable_store_dir():
    # As an unprivileged user (root can write anywhere): a volume owned by someone else.
    readonly = os.path.join(work, "readonly-volume")
    os.makedirs(readonly, exist_ok=True)
    os.chmod(readonly, 0o755)
    os.chmod(work, 0o755)
    prefix = ()
    if os.geteuid() == 0:
        prefix = ("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups")
        os.chmod(configmap_layout(), 0o755)
    expect_failure(run([], prefix=prefix, FAULTLINE_RULES=os.path.join(source_dir, "rules", "packs"),
                       FAULTLINE_STORE=os.path.join(readonly, "faultline.db")),
                   2, f"store directory {readonly} is not writable by uid")


def check_missing_library():
    # A stand-in ldd reports what the real one prints for a library the image lacks.
    fake = os.path.join(work, "fake-ldd")
    os.makedirs(fake, exist_ok=True)
    with open(os.path.join(fake, "ldd"), "w") as f:
        f.write("#!/bin/sh\n"
                "printf '\\tlibre2.so.9 => not found\\n'\n"
                "printf '\\tlibyaml-cpp.so.0.7 => not found\\n'\n"
                "printf '\\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f0000000000)\\n'\n")
    os.chmod(os.path.join(fake, "ldd"), 0o755)
    result = run([], PATH=fake + os.pathsep + os.environ["PATH"], FAULTLINE_RULES=configmap_layout())
    expect_failure(result, 127, "shared library libre2.so.9: not found (Debian 12 package libre2-9)",
                   "shared library libyaml-cpp.so.0.7: not found (Debian 12 package libyaml-cpp0.7)",
                   "runtime stage of deploy/Dockerfile")
    if "libc.so.6" in result.stderr:
        raise CheckFailed(f"a library that resolves is reported:\n{result.stderr}")


def check_missing_binary():
    result = subprocess.run([entrypoint], env={**env(), "FAULTLINE_BIN": os.path.join(work, "nope")},
                            capture_output=True, text=True, timeout=10)
    expect_failure(result, 127, "is missing or not executable")


def check_passthrough_commands():
    result = run(["version"])
    assert result.returncode == 0 and result.stdout.startswith("faultline "), \
        f"version: exit {result.returncode}: {result.stdout}{result.stderr}"
    result = run(["rules", "check", configmap_layout()])
    assert result.returncode == 0 and ": OK:" in result.stdout, \
        f"rules check on the ConfigMap layout: exit {result.returncode}: {result.stdout}{result.stderr}"


def serve_through_entrypoint(args, **extra):
    port_file = os.path.join(work, f"port-{len(os.listdir(work))}")
    log = open(os.path.join(work, "serve.log"), "ab")
    process = subprocess.Popen([entrypoint, *args, "--listen", "127.0.0.1:0", "--port-file", port_file],
                               env=env(**extra), stdout=log, stderr=subprocess.STDOUT, cwd=work)

    def port():
        if process.poll() is not None:
            raise CheckFailed(f"entrypoint exited {process.returncode}: "
                              f"{open(os.path.join(work, 'serve.log')).read()}")
        try:
            return int(open(port_file).read().strip() or 0)
        except (OSError, ValueError):
            return 0

    p = wait_for(port, 15)
    if not p:
        stop_pid(process)
        raise CheckFailed("the daemon started through the entrypoint wrote no port within 15 s")
    return process, p


def check_serves_with_configmap_rules_and_env_store():
    volume = os.path.join(work, "volume")
    os.makedirs(volume, exist_ok=True)
    store = os.path.join(volume, "faultline.db")
    process, port = serve_through_entrypoint(["serve"], FAULTLINE_RULES=configmap_layout(), FAULTLINE_STORE=store)
    try:
        # exec: the entrypoint's PID is the daemon's, so signals from the runtime reach it.
        cmdline = open(f"/proc/{process.pid}/cmdline").read().split("\0")
        assert os.path.basename(cmdline[0]) == os.path.basename(binary) and cmdline[1] == "serve", \
            f"PID {process.pid} is {cmdline[:2]}, not the daemon (the entrypoint must exec it)"
        assert "--store" in cmdline and cmdline[cmdline.index("--store") + 1] == store, \
            f"--store {store} was not passed: {cmdline}"
        status, body, _ = http("GET", f"http://127.0.0.1:{port}/readyz")
        assert status == 200, f"/readyz answered {status}: {body!r}"
        expected = subprocess.run([binary, "rules", "list", os.path.join(source_dir, "rules", "packs")],
                                  capture_output=True, text=True, check=True).stdout.count("\n")
        assert json.loads(body)["rules_loaded"] == expected, \
            f"rules_loaded {json.loads(body)['rules_loaded']}, the bundled pack has {expected}"
        assert os.path.exists(store), f"no store at {store}"

        health = subprocess.run([healthcheck], env={**os.environ, "PORT": str(port)}, capture_output=True,
                                text=True, timeout=10)
        assert health.returncode == 0, f"healthcheck on a live daemon: exit {health.returncode}: {health.stderr}"
    finally:
        code = stop_pid(process)
    assert code == 0, f"the daemon exited {code} on SIGTERM"
    health = subprocess.run([healthcheck, str(port)], capture_output=True, text=True, timeout=10)
    assert health.returncode == 1, f"healthcheck after stop: exit {health.returncode}"
    assert "nothing listens" in health.stderr, health.stderr


def check_explicit_store_flag_wins():
    explicit = os.path.join(work, "explicit.db")
    env_store = os.path.join(work, "volume2", "env.db")
    process, port = serve_through_entrypoint(["serve", "--store", explicit],
                                             FAULTLINE_RULES=configmap_layout(), FAULTLINE_STORE=env_store)
    try:
        status, _, _ = http("GET", f"http://127.0.0.1:{port}/healthz")
        assert status == 200, f"/healthz answered {status}"
    finally:
        stop_pid(process)
    assert os.path.exists(explicit), "the --store flag was not used"
    assert not os.path.exists(env_store), "FAULTLINE_STORE was used although --store was given"


def check_healthcheck_rejects_non_200():
    # A listener that answers 503 (as /readyz does when draining) is not healthy.
    import socket
    import threading
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)

    def answer():
        conn, _ = server.accept()
        conn.recv(4096)
        conn.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        conn.close()

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    try:
        health = subprocess.run([healthcheck, str(server.getsockname()[1])], capture_output=True, text=True,
                                timeout=10)
    finally:
        thread.join(5)
        server.close()
    assert health.returncode == 1 and "503" in health.stderr, f"exit {health.returncode}: {health.stderr}"


try:
    status = run_checks([
        ("missing rules path: exit 2 naming it", check_missing_rules),
        ("rules directory without *.yaml: exit 2", check_empty_rules_dir),
        ("missing store directory: exit 2 naming it", check_missing_store_dir),
        ("store directory not writable by the user: exit 2", check_unwritable_store_dir),
        ("missing shared libraries: exit 127 naming each and its package", check_missing_library),
        ("missing binary: exit 127", check_missing_binary),
        ("version and rules commands pass through", check_passthrough_commands),
        ("serve: execs the daemon with ConfigMap-style rules and FAULTLINE_STORE; healthcheck passes, then fails "
         "when stopped", check_serves_with_configmap_rules_and_env_store),
        ("an explicit --store flag wins over FAULTLINE_STORE", check_explicit_store_flag_wins),
        ("healthcheck fails on a non-200 answer", check_healthcheck_rejects_non_200),
    ])
finally:
    shutil.rmtree(work, ignore_errors=True)
sys.exit(status)
