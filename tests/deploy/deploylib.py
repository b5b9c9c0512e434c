"""Small helpers shared by the deploy tests (python3 standard library only).

Checks: `run_checks` runs named check functions, prints one line per check
and a closing 'N passed, N failed' line, and returns the exit status (1 when a
check failed). A check fails by raising (assert or CheckFailed).

Processes: `Daemon` starts the real `faultline serve` on 127.0.0.1:0 with a
temporary store and learns its port from --port-file; `stop_pid` ends a child
by its PID (SIGTERM, then SIGKILL after a bound).
"""
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request


class CheckFailed(Exception):
    pass


def run_checks(checks):
    passed = failed = 0
    for name, fn in checks:
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - every failure is reported the same way
            failed += 1
            detail = str(e) if isinstance(e, (CheckFailed, AssertionError)) and str(e) else traceback.format_exc()
            print(f"FAIL {name}\n  " + detail.strip().replace("\n", "\n  "))
        else:
            passed += 1
            print(f"ok   {name}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


# ---------------------------------------------------------------- Dockerfile

def dockerfile_instructions(path):
    """[(stage_index, INSTRUCTION, arguments)] with continuations joined and comments dropped."""
    instructions, stage, pending = [], -1, ""
    with open(path) as f:
        for raw in f:
            line = raw.rstrip("\n")
            stripped = line.strip()
            if stripped.startswith("#") or (not stripped and not pending):
                continue  # Docker drops comment lines, also inside a continuation
            if stripped.endswith("\\"):
                pending += stripped[:-1] + " "
                continue
            text = (pending + stripped).strip()
            pending = ""
            if not text:
                continue
            word, _, rest = text.partition(" ")
            word = word.upper()
            if word == "FROM":
                stage += 1
            instructions.append((stage, word, rest.strip()))
    return instructions


def dockerfile_stages(path):
    """{stage name (or index as str): {"from": image, "instructions": [(INSTR, args)]}}."""
    stages, order = {}, []
    for stage, word, rest in dockerfile_instructions(path):
        if word == "FROM":
            parts = rest.split()
            name = parts[2] if len(parts) >= 3 and parts[1].upper() == "AS" else str(stage)
            stages[name] = {"from": parts[0], "instructions": []}
            order.append(name)
        elif stage >= 0:
            stages[order[stage]]["instructions"].append((word, rest))
    return stages, order


def apt_installed_packages(instructions):
    """Package names given to `apt-get install` (or `apt install`) in RUN instructions."""
    packages = []
    for word, rest in instructions:
        if word != "RUN":
            continue
        for segment in re.split(r"&&|\|\||;", rest):
            tokens = shlex.split(segment)
            while tokens and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", tokens[0]):
                tokens.pop(0)  # VAR=value prefixes
            if len(tokens) >= 2 and tokens[0] in ("apt-get", "apt") and "install" in tokens:
                after = tokens[tokens.index("install") + 1:]
                packages += [t for t in after if not t.startswith("-")]
    return packages


def install_deps_packages(path):
    """The package names of scripts/install-deps.sh's `packages=( ... )` list."""
    text = open(path).read()
    block = re.search(r"^packages=\((.*?)^\)", text, re.S | re.M)
    if not block:
        raise CheckFailed(f"{path}: no packages=( ... ) list")
    names = []
    for line in block.group(1).splitlines():
        line = line.split("#", 1)[0]
        names += line.split()
    return names


# ---------------------------------------------------------------- processes

def _die_with_parent():
    # Backstop for a test killed by its runner's timeout: the kernel sends the
    # child SIGTERM when this process dies, so no daemon outlives the test.
    import ctypes
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def spawn(argv, log_path, **kwargs):
    """Popen with output to log_path, ended with this process if it dies."""
    log = open(log_path, "ab")
    try:
        return subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent, **kwargs)
    finally:
        log.close()


def stop_on_signals():
    """SIGTERM/SIGINT/SIGHUP raise SystemExit, so `finally` blocks stop the children (a trap on exit)."""
    def handler(signum, _frame):
        raise SystemExit(128 + signum)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, handler)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout, interval=0.1):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def stop_pid(process, timeout=10):
    """SIGTERM the child by PID, SIGKILL after `timeout` s; returns its exit code."""
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(5)
    return process.returncode


def http(method, url, body=None, headers=None, timeout=10):
    """(status, body bytes, headers) without raising on 4xx/5xx."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read(), dict(e.headers)


class Daemon:
    """`faultline serve` on 127.0.0.1:0 with a temporary store; use as a context manager."""

    def __init__(self, binary, rules, extra=()):
        self.dir = tempfile.TemporaryDirectory(prefix="faultline-deploy-")
        self.port_file = os.path.join(self.dir.name, "port")
        self.log_path = os.path.join(self.dir.name, "daemon.log")
        self.argv = [binary, "serve", "--listen", "127.0.0.1:0", "--port-file", self.port_file,
                     "--rules", rules, "--store", os.path.join(self.dir.name, "faultline.db"), *extra]
        self.process = None
        self.port = None

    def __enter__(self):
        self.process = spawn(self.argv, self.log_path)

        def port():
            if self.process.poll() is not None:
                raise CheckFailed(f"faultline serve exited {self.process.returncode}:\n{self.log_text()}")
            try:
                text = open(self.port_file).read().strip()
                return int(text) if text else None
            except (OSError, ValueError):
                return None

        self.port = wait_for(port, 15)
        if not self.port:
            raise CheckFailed(f"faultline serve wrote no port file within 15 s:\n{self.log_text()}")
        return self

    def __exit__(self, *exc):
        if self.process:
            stop_pid(self.process)
        self.dir.cleanup()

    def log_text(self):
        try:
            return open(self.log_path, errors="replace").read()
        except OSError:
            return ""

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def get(self, path):
        return http("GET", self.url(path))

    def post(self, path, body, content_type="application/json"):
        data = body if isinstance(body, bytes) else body.encode()
        return http("POST", self.url(path), data, {"Content-Type": content_type})

    def metrics(self):
        status, body, _ = self.get("/metrics")
        if status != 200:
            raise CheckFailed(f"GET /metrics answered {status}")
        return body.decode()


def metric_families(exposition):
    """Family names (from # TYPE lines) and every sample name, from Prometheus text format."""
    families, samples = set(), set()
    for line in exposition.splitlines():
        if line.startswith("# TYPE "):
            families.add(line.split()[2])
        elif line and not line.startswith("#"):
            samples.add(re.match(r"[A-Za-z_:][A-Za-z0-9_:]*", line).group(0))
    return families, samples


def seed_scenario(source_dir):
    """The seed cascade (Cloud Logging LogEntries, NDJSON) in the repository's test corpus."""
    return os.path.join(source_dir, "tests", "corpus", "failures", "01_seed_netra_monitoring_cascade.ndjson")


def load_json(path):
    with open(path) as f:
        return json.load(f)


def main_args(count, usage):
    if len(sys.argv) != count + 1:
        print(f"usage: {sys.argv[0]} {usage}", file=sys.stderr)
        sys.exit(2)
    return sys.argv[1:]


# ---------------------------------------------------------------- metric names

def exercised_metrics(binary, source_dir):
    """(families, sample names) that a running daemon exposes once every series
    family has a value: the seed scenario ingested, a malformed record rejected,
    the incident acknowledged and resolved. Families with labels appear in
    /metrics only after their first series, hence the exercise."""
    seed = seed_scenario(source_dir)
    # One service label value, so a second service is folded into "_other" and
    # the label cap's own counter appears too.
    config = tempfile.NamedTemporaryFile("w", suffix=".yaml", prefix="faultline-config-", delete=False)
    config.write("limits:\n  max_service_labels: 1\n")
    config.close()
    try:
        return _exercise(binary, source_dir, seed, config.name)
    finally:
        os.unlink(config.name)


def _exercise(binary, source_dir, seed, config):
    with Daemon(binary, os.path.join(source_dir, "rules", "packs"), ["--config", config]) as daemon:
        with open(seed, "rb") as f:
            status, body, _ = daemon.post("/v1/logs", f.read(), "application/x-ndjson")
        if status != 200:
            raise CheckFailed(f"POST /v1/logs answered {status}: {body[:300]!r}")
        daemon.post("/v1/logs", '{"time": "2025-09-16T00:00:00Z", "message": "ok"}\n{"broken', "application/x-ndjson")
        daemon.post("/v1/logs/raw?service=second-service", "Container called exit(1).\n", "text/plain")
        status, body, _ = daemon.get("/api/v1/incidents")
        incidents = json.loads(body)["incidents"]
        if not incidents:
            raise CheckFailed("the seed scenario opened no incident")
        for action in ("ack", "resolve"):
            status, body, _ = daemon.post(f"/api/v1/incidents/{incidents[0]['id']}/{action}", '{"by": "test"}')
            if status != 200:
                raise CheckFailed(f"POST .../{action} answered {status}: {body[:300]!r}")
        return metric_families(daemon.metrics())


_PROMQL_WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless",
                 "offset", "inf", "nan", "atan2"}


def promql_metric_names(expr):
    """Metric names a PromQL expression selects (a small tokenizer, enough for our expressions):
    strings, label matchers, ranges and grouping label lists are removed, then every
    identifier that is not a function, keyword or $variable is a metric name."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    text = re.sub(r"\{[^{}]*\}", " ", text)
    text = re.sub(r"\[[^\]]*\]", " ", text)
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    names = set()
    for m in re.finditer(r"(?<![\w$.:])[A-Za-z_:][\w:]*", text):
        word = m.group(0)
        following = text[m.end():].lstrip()
        if word.lower() in _PROMQL_WORDS or following.startswith("("):
            continue
        names.add(word)
    return names
