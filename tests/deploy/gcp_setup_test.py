#!/usr/bin/env python3
"""deploy/gcp/setup.sh: parameters, --dry-run output, and the same steps run
against a stand-in gcloud that records its arguments.

gcloud is never the real one: every run has a PATH whose first `gcloud` is a
stub (one that fails for dry runs, one that records for real runs), and the
real PATH is kept only for bash and coreutils.

Usage: gcp_setup_test.py SOURCE_DIR
"""
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from deploylib import CheckFailed, main_args, run_checks  # noqa: E402

(source_dir,) = (os.path.abspath(a) for a in main_args(1, "SOURCE_DIR"))
script = os.path.join(source_dir, "deploy", "gcp", "setup.sh")
work = tempfile.mkdtemp(prefix="faultline-gcp-")

PROJECT = "acme-prod-42"
URL = "https://faultline-7f3a-uc.a.run.app"
REGION = "europe-west1"
PROJECT_NUMBER = "738210094415"
WRITER = "serviceAccount:service-738210094415@gcp-sa-logging.iam.gserviceaccount.com"
AGENT = f"serviceAccount:service-{PROJECT_NUMBER}@gcp-sa-pubsub.iam.gserviceaccount.com"
PUSH_SA = f"faultline-push@{PROJECT}.iam.gserviceaccount.com"


def stub_dir(name, body):
    d = os.path.join(work, name)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "gcloud")
    with open(path, "w") as f:
        f.write("#!/bin/bash\n" + body)
    os.chmod(path, 0o755)
    return d


# A gcloud that must never run: a dry run that calls it fails.
FAILING = stub_dir("failing", f'echo called >> {work}/failing-called\necho "gcloud must not run" >&2\nexit 99\n')


def recording(exists, fail_on=""):
    """A gcloud that logs its argv (one shell-quoted line per call) and answers describes."""
    log = os.path.join(work, f"calls-{len(os.listdir(work))}.log")
    body = f'''printf '%q ' "$@" >> {log}; echo >> {log}
case "$*" in
  *"{fail_on or '@@never@@'}"*) echo "ERROR: (gcloud) simulated failure" >&2; exit 1 ;;
  "projects describe"*) echo {PROJECT_NUMBER}; exit 0 ;;
  "logging sinks describe"*"value(writerIdentity)"*) echo {WRITER}; exit 0 ;;
  *" describe "*) {"exit 0" if exists else "echo NOT_FOUND >&2; exit 1"} ;;
esac
exit 0
'''
    return stub_dir(f"recording-{len(os.listdir(work))}", body), log


def run(args, stub=FAILING, env_extra=None, timeout=30):
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAULTLINE_")}
    env["PATH"] = stub + os.pathsep + env["PATH"]
    env.update(env_extra or {})
    return subprocess.run(["bash", script, *args], env=env, capture_output=True, text=True, timeout=timeout)


BASE = ["--project", PROJECT, "--service-url", URL, "--region", REGION]


def commands(output):
    """Each gcloud command line of a dry run as argv; `VAR=$(gcloud ...)` lines too."""
    out = []
    for line in output.splitlines():
        if not line or line.startswith("#"):
            continue
        if "=$(" in line and line.endswith(")"):
            line = line.split("=$(", 1)[1][:-1]
        argv = shlex.split(line)
        if argv[0] != "gcloud":
            raise CheckFailed(f"a dry-run line that is not a gcloud command: {line}")
        out.append(argv)
    return out


def find(cmds, *prefix):
    found = [c for c in cmds if c[1:1 + len(prefix)] == list(prefix)]
    if not found:
        raise CheckFailed(f"no 'gcloud {' '.join(prefix)}' command in:\n" + "\n".join(" ".join(c) for c in cmds))
    return found


def flag(cmd, name):
    values = [a.split("=", 1)[1] for a in cmd if a.startswith(name + "=")]
    if len(values) != 1:
        raise CheckFailed(f"{name} appears {len(values)} times in: {' '.join(cmd)}")
    return values[0]


def dry_run(extra=(), env_extra=None):
    result = run(["--dry-run", *BASE, *extra], env_extra=env_extra)
    if result.returncode != 0:
        raise CheckFailed(f"--dry-run exited {result.returncode}:\n{result.stderr}")
    if os.path.exists(os.path.join(work, "failing-called")):
        raise CheckFailed("--dry-run called gcloud")
    return result.stdout


def check_help():
    result = run(["--help"])
    assert result.returncode == 0, f"--help exited {result.returncode}"
    for word in ("--project", "--service-url", "--dry-run", "--max-delivery-attempts", "--audience"):
        assert word in result.stdout, f"--help does not mention {word}"


def check_missing_parameters():
    result = run(["--dry-run"])
    assert result.returncode == 2, f"no parameters: exit {result.returncode}, expected 2"
    for needle in ("missing required parameter: --project", "missing required parameter: --service-url"):
        assert needle in result.stderr, f"stderr lacks {needle!r}:\n{result.stderr}"
    assert not result.stdout.strip(), f"printed commands although parameters are missing:\n{result.stdout}"
    result = run(["--dry-run", "--project", PROJECT, "--service-url", URL])
    assert result.returncode == 2 and "--region" in result.stderr, \
        f"without --region for Cloud Run: exit {result.returncode}: {result.stderr}"
    result = run(["--dry-run", "--project", PROJECT, "--service-url", URL, "--run-service", ""])
    assert result.returncode == 0, f"--run-service '' needs no region, but: exit {result.returncode}: {result.stderr}"
    result = run(["--dry-run", "--region", REGION], env_extra={"FAULTLINE_PROJECT": PROJECT,
                                                                "FAULTLINE_SERVICE_URL": URL})
    assert result.returncode == 0, f"parameters from the environment: exit {result.returncode}: {result.stderr}"


def check_bad_parameters():
    cases = [
        (["--service-url", "http://faultline.example.com"], "https://"),
        (["--project", "Bad_Project"], "project id"),
        (["--max-delivery-attempts", "3"], "5 to 100"),
        (["--ack-deadline", "5"], "10 to 600"),
        (["--frobnicate", "x"], "unknown flag --frobnicate"),
        (["--topic"], "needs a value"),
    ]
    for extra, needle in cases:
        args = list(BASE)
        for i in range(0, len(extra) - 1, 2):
            if extra[i] in args:
                args[args.index(extra[i]) + 1] = extra[i + 1]
                extra = extra[:i] + extra[i + 2:]
                break
        result = run(["--dry-run", *args, *extra])
        assert result.returncode == 2, f"{extra}: exit {result.returncode}, expected 2"
        assert needle in result.stderr, f"{extra}: stderr lacks {needle!r}: {result.stderr}"


def check_dry_run_commands():
    cmds = commands(dry_run())
    find(cmds, "pubsub", "topics", "create", "faultline-logs")
    find(cmds, "pubsub", "topics", "create", "faultline-logs-dead-letter")

    sink = find(cmds, "logging", "sinks", "create", "faultline-sink")[0]
    assert sink[5] == f"pubsub.googleapis.com/projects/{PROJECT}/topics/faultline-logs", f"sink destination: {sink}"
    log_filter = flag(sink, "--log-filter")
    for needle in ('resource.type="cloud_run_revision"', 'log_id("run.googleapis.com/stderr")',
                   'log_id("run.googleapis.com/varlog/system")', "severity>=ERROR", 'resource.type="k8s_container"',
                   '"BackOff"', '"OOMKilling"'):
        assert needle in log_filter, f"the sink filter lacks {needle}: {log_filter}"
    assert log_filter.count("(") == log_filter.count(")"), f"unbalanced parentheses: {log_filter}"

    binding = [c for c in find(cmds, "pubsub", "topics", "add-iam-policy-binding", "faultline-logs")]
    assert len(binding) == 1, binding
    assert flag(binding[0], "--member") == "${WRITER_IDENTITY}", binding[0]
    assert flag(binding[0], "--role") == "roles/pubsub.publisher", binding[0]
    writer = find(cmds, "logging", "sinks", "describe", "faultline-sink")[0]
    assert flag(writer, "--format") == "value(writerIdentity)", writer

    sub = find(cmds, "pubsub", "subscriptions", "create", "faultline-push")[0]
    assert flag(sub, "--topic") == "faultline-logs", sub
    assert flag(sub, "--push-endpoint") == URL + "/v1/push/pubsub", sub
    assert flag(sub, "--push-auth-service-account") == PUSH_SA, sub
    assert flag(sub, "--push-auth-token-audience") == URL, sub
    assert flag(sub, "--dead-letter-topic") == f"projects/{PROJECT}/topics/faultline-logs-dead-letter", sub
    assert flag(sub, "--max-delivery-attempts") == "10", sub

    agent = f"serviceAccount:service-${{PROJECT_NUMBER}}@gcp-sa-pubsub.iam.gserviceaccount.com"
    dl_pub = find(cmds, "pubsub", "topics", "add-iam-policy-binding", "faultline-logs-dead-letter")[0]
    assert flag(dl_pub, "--member") == agent and flag(dl_pub, "--role") == "roles/pubsub.publisher", dl_pub
    dl_sub = find(cmds, "pubsub", "subscriptions", "add-iam-policy-binding", "faultline-push")[0]
    assert flag(dl_sub, "--member") == agent and flag(dl_sub, "--role") == "roles/pubsub.subscriber", dl_sub
    token = find(cmds, "iam", "service-accounts", "add-iam-policy-binding", PUSH_SA)[0]
    assert flag(token, "--role") == "roles/iam.serviceAccountTokenCreator", token
    invoker = find(cmds, "run", "services", "add-iam-policy-binding", "faultline")[0]
    assert flag(invoker, "--member") == f"serviceAccount:{PUSH_SA}", invoker
    assert flag(invoker, "--role") == "roles/run.invoker" and flag(invoker, "--region") == REGION, invoker
    # A dead-letter topic without a subscription would drop what it receives.
    hold = find(cmds, "pubsub", "subscriptions", "create")
    assert any(flag(c, "--topic") == "faultline-logs-dead-letter" for c in hold), hold
    # Every command names the project.
    for c in cmds:
        assert f"--project={PROJECT}" in c or c[1:3] == ["projects", "describe"], f"no --project: {c}"


def check_dry_run_parameters():
    out = dry_run(["--audience", "faultline-push-aud", "--max-delivery-attempts", "7", "--push-service-account",
                   "pusher@other-proj.iam.gserviceaccount.com", "--run-service", "fl"],
                  env_extra={"FAULTLINE_TOPIC": "logs-in", "FAULTLINE_SUBSCRIPTION": "logs-push"})
    cmds = commands(out)
    sub = find(cmds, "pubsub", "subscriptions", "create", "logs-push")[0]
    assert flag(sub, "--topic") == "logs-in", sub
    assert flag(sub, "--push-auth-token-audience") == "faultline-push-aud", sub
    assert flag(sub, "--max-delivery-attempts") == "7", sub
    assert flag(sub, "--push-auth-service-account") == "pusher@other-proj.iam.gserviceaccount.com", sub
    assert not [c for c in cmds if c[1:4] == ["iam", "service-accounts", "create"] and c[4] != "pusher"], cmds
    find(cmds, "run", "services", "add-iam-policy-binding", "fl")
    custom = commands(dry_run(["--filter", 'resource.type="cloud_run_revision" AND severity>=ERROR']))
    sink = find(custom, "logging", "sinks", "create")[0]
    assert flag(sink, "--log-filter") == 'resource.type="cloud_run_revision" AND severity>=ERROR', sink


def check_print_filter():
    result = run(["--print-filter"])
    assert result.returncode == 0 and "cloud_run_revision" in result.stdout, result


def mutating(lines):
    """The calls that change something (not describes), as argv lists."""
    return [c for c in lines if "describe" not in c[:4]]


def recorded(log):
    return [shlex.split(line) for line in open(log).read().splitlines() if line.strip()]


def check_dry_run_output_runs():
    # The printed commands are a script: with the values filled in by its capture lines.
    out = dry_run()
    syntax = subprocess.run(["bash", "-n"], input=out, capture_output=True, text=True)
    assert syntax.returncode == 0, f"the dry-run output is not valid bash: {syntax.stderr}"
    stub, log = recording(exists=False)
    result = subprocess.run(["bash", "-e"], input=out, capture_output=True, text=True, timeout=30,
                            env={**os.environ, "PATH": stub + os.pathsep + os.environ["PATH"]})
    assert result.returncode == 0, f"running the dry-run output failed: {result.stderr}"
    calls = recorded(log)
    members = [a.split("=", 1)[1] for c in calls for a in c if a.startswith("--member=")]
    assert WRITER in members, f"the writer identity was not filled in: {members}"
    assert AGENT in members, f"the Pub/Sub service agent was not filled in: {members}"


def check_real_run_matches_dry_run():
    stub, log = recording(exists=False)
    result = run(BASE, stub=stub)
    assert result.returncode == 0, f"exit {result.returncode}: {result.stderr}"
    real = mutating(recorded(log))
    stub2, log2 = recording(exists=False)
    subprocess.run(["bash", "-e"], input=dry_run(), capture_output=True, text=True, check=True, timeout=30,
                   env={**os.environ, "PATH": stub2 + os.pathsep + os.environ["PATH"]})
    from_dry = mutating(recorded(log2))
    assert real == from_dry, "a real run and its dry run differ:\n" + "\n".join(
        f"real: {' '.join(a)}\ndry:  {' '.join(b)}" for a, b in zip(real, from_dry) if a != b)
    assert any(c[:3] == ["pubsub", "subscriptions", "create"] for c in real), real


def check_rerun_updates_existing():
    stub, log = recording(exists=True)
    result = run(BASE, stub=stub)
    assert result.returncode == 0, f"exit {result.returncode}: {result.stderr}"
    calls = mutating(recorded(log))
    creates = [c for c in calls if "create" in c[:4]]
    assert not creates, "resources that exist are created again:\n" + "\n".join(" ".join(c) for c in creates)
    sub = [c for c in calls if c[:4] == ["pubsub", "subscriptions", "update", "faultline-push"]]
    assert sub and flag(sub[0], "--max-delivery-attempts") == "10", calls
    assert [c for c in calls if c[:3] == ["logging", "sinks", "update"]], calls


def check_gcloud_failure_stops():
    stub, log = recording(exists=False, fail_on="pubsub topics create faultline-logs-dead-letter")
    result = run(BASE, stub=stub)
    assert result.returncode == 1, f"a failing gcloud step: exit {result.returncode}, expected 1"
    calls = recorded(log)
    assert not [c for c in calls if c[:3] == ["pubsub", "subscriptions", "create"]], \
        "setup went on after a failed step"


def check_without_gcloud():
    # A PATH with the tools the script uses, and no gcloud.
    tools = os.path.join(work, "no-gcloud")
    os.makedirs(tools, exist_ok=True)
    for tool in ("cat", "tr", "sed"):
        os.symlink(shutil.which(tool), os.path.join(tools, tool))
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAULTLINE_")}
    env["PATH"] = tools
    bash = shutil.which("bash")
    result = subprocess.run([bash, script, *BASE], env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 1 and "gcloud is not installed" in result.stderr, \
        f"exit {result.returncode}: {result.stderr}"


try:
    status = run_checks([
        ("--help", check_help),
        ("missing required parameters: exit 2 naming them", check_missing_parameters),
        ("bad parameters: exit 2 with the reason", check_bad_parameters),
        ("--dry-run with a failing gcloud on PATH: topics, sink filter, IAM, OIDC audience, dead letters",
         check_dry_run_commands),
        ("--dry-run honours flags and environment", check_dry_run_parameters),
        ("--print-filter", check_print_filter),
        ("the dry-run output is a script that runs (placeholders filled in)", check_dry_run_output_runs),
        ("a real run makes the same calls as its dry run", check_real_run_matches_dry_run),
        ("a second run updates what exists instead of creating it", check_rerun_updates_existing),
        ("a failing gcloud step stops the setup with exit 1", check_gcloud_failure_stops),
        ("without gcloud a real run says so and exits 1", check_without_gcloud),
    ])
finally:
    shutil.rmtree(work, ignore_errors=True)
sys.exit(status)
