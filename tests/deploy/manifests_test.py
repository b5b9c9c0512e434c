#!/usr/bin/env python3
"""deploy/k8s and deploy/cloudrun manifests, checked without a cluster: they
parse, reference each other consistently (selectors, port names, the rules
ConfigMap and its mount, the store volume), match the image (uid, env, probe
paths that the daemon serves) and the alert rules (job="faultline"); the
ConfigMap generator lists exactly rules/packs/*.yaml, and those files load.
Where kubectl is installed, `kubectl kustomize` must build the folder too.

Usage: manifests_test.py BINARY SOURCE_DIR
"""
import glob
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from deploylib import CheckFailed, dockerfile_stages, main_args, run_checks  # noqa: E402

try:
    import yaml
except ImportError:
    print("FAIL python3-yaml is not installed (scripts/install-deps.sh installs it)\n0 passed, 1 failed")
    sys.exit(1)

binary, source_dir = (os.path.abspath(a) for a in main_args(2, "BINARY SOURCE_DIR"))
k8s = os.path.join(source_dir, "deploy", "k8s")
kustomization = yaml.safe_load(open(os.path.join(k8s, "kustomization.yaml")))


def resources():
    docs = []
    for name in kustomization["resources"]:
        path = os.path.join(k8s, name)
        if not os.path.exists(path):
            raise CheckFailed(f"kustomization.yaml lists {name}, which does not exist")
        docs += [d for d in yaml.safe_load_all(open(path)) if d]
    return docs


def one(kind):
    found = [d for d in resources() if d["kind"] == kind]
    if len(found) != 1:
        raise CheckFailed(f"expected one {kind}, found {len(found)}")
    return found[0]


def container():
    return one("Deployment")["spec"]["template"]["spec"]["containers"][0]


def env_of(c):
    return {e["name"]: e for e in c.get("env", [])}


def image_uid():
    stages, _ = dockerfile_stages(os.path.join(source_dir, "deploy", "Dockerfile"))
    users = [rest for word, rest in stages["runtime"]["instructions"] if word == "USER"]
    return int(users[-1].split(":")[0])


def daemon_routes():
    routes = ""
    for path in glob.glob(os.path.join(source_dir, "server", "routes_*.cpp")):
        routes += open(path).read()
    return routes


def check_kinds():
    kinds = {(d["apiVersion"], d["kind"]) for d in resources()}
    for wanted in [("apps/v1", "Deployment"), ("v1", "Service"), ("policy/v1", "PodDisruptionBudget"),
                   ("monitoring.coreos.com/v1", "ServiceMonitor"), ("v1", "PersistentVolumeClaim")]:
        assert wanted in kinds, f"no {wanted[1]} ({wanted[0]}); have {sorted(kinds)}"


def check_rules_generator():
    generators = {g["name"]: g for g in kustomization.get("configMapGenerator", [])}
    assert "faultline-rules" in generators, "no configMapGenerator faultline-rules"
    listed = sorted(os.path.normpath(os.path.join(k8s, f)) for f in generators["faultline-rules"]["files"])
    packs = sorted(glob.glob(os.path.join(source_dir, "rules", "packs", "*.yaml")))
    missing = [os.path.relpath(p, source_dir) for p in packs if p not in listed]
    extra = [os.path.relpath(p, source_dir) for p in listed if p not in packs]
    assert not missing, f"rule packs missing from the ConfigMap generator: {missing}"
    assert not extra, f"the ConfigMap generator lists files that are not packs: {extra}"
    with tempfile.TemporaryDirectory() as tmp:  # the ConfigMap's keys, as a directory
        for p in listed:
            shutil.copy(p, tmp)
        result = subprocess.run([binary, "rules", "check", tmp], capture_output=True, text=True)
        assert result.returncode == 0, f"the ConfigMap's files do not load:\n{result.stdout}{result.stderr}"


def check_deployment_probes_and_ports():
    c = container()
    routes = daemon_routes()
    live, ready = c["livenessProbe"]["httpGet"], c["readinessProbe"]["httpGet"]
    assert live["path"] == "/healthz" and ready["path"] == "/readyz", (live, ready)
    for path in ("/healthz", "/readyz"):
        assert f'"{path}"' in routes, f"the daemon serves no {path}"
    ports = {p["name"]: p["containerPort"] for p in c["ports"]}
    for probe in (live, ready, c["startupProbe"]["httpGet"]):
        assert probe["port"] in ports or probe["port"] in ports.values(), f"probe port {probe['port']} is not declared"
    env = env_of(c)
    assert int(env["PORT"]["value"]) == ports["http"], "PORT differs from the container port (the daemon listens on $PORT)"


def check_deployment_security():
    pod = one("Deployment")["spec"]["template"]["spec"]
    c = container()
    psc, csc = pod.get("securityContext", {}), c.get("securityContext", {})
    assert psc.get("runAsNonRoot") is True, "runAsNonRoot is not set"
    assert psc.get("runAsUser") == image_uid(), f"runAsUser {psc.get('runAsUser')} is not the image's uid {image_uid()}"
    assert psc.get("fsGroup") == image_uid() or psc.get("fsGroup") == psc.get("runAsGroup"), \
        "no fsGroup: the data volume would not be writable"
    assert csc.get("allowPrivilegeEscalation") is False, "allowPrivilegeEscalation is not false"
    assert csc.get("readOnlyRootFilesystem") is True, "readOnlyRootFilesystem is not true"
    assert csc.get("capabilities", {}).get("drop") == ["ALL"], "capabilities are not dropped"
    res = c.get("resources", {})
    assert res.get("requests", {}).get("cpu") and res.get("requests", {}).get("memory"), "no resource requests"
    assert res.get("limits", {}).get("memory"), "no memory limit"
    # Beyond loopback the daemon refuses to start without ingest and API tokens.
    for name, key in (("FAULTLINE_INGEST_TOKENS", "ingest"), ("FAULTLINE_READ_TOKENS", "read"),
                      ("FAULTLINE_WRITE_TOKENS", "write")):
        ref = env_of(c).get(name, {}).get("valueFrom", {}).get("secretKeyRef", {})
        assert ref.get("name") == "faultline-tokens" and ref.get("key") == key, f"{name} is not from faultline-tokens/{key}"
        assert not ref.get("optional"), f"{name} must not be optional: the daemon would refuse to start without it"


def check_deployment_volumes():
    pod = one("Deployment")["spec"]["template"]["spec"]
    c = container()
    env = env_of(c)
    volumes = {v["name"]: v for v in pod["volumes"]}
    mounts = {m["mountPath"]: m for m in c["volumeMounts"]}
    rules = env["FAULTLINE_RULES"]["value"]
    assert rules in mounts, f"FAULTLINE_RULES={rules} is not a mount"
    assert volumes[mounts[rules]["name"]].get("configMap", {}).get("name") == "faultline-rules", \
        "the rules mount is not the faultline-rules ConfigMap"
    store_dir = os.path.dirname(env["FAULTLINE_STORE"]["value"])
    assert store_dir in mounts, f"the store's directory {store_dir} is not a mount"
    claim = volumes[mounts[store_dir]["name"]].get("persistentVolumeClaim", {}).get("claimName")
    assert claim == one("PersistentVolumeClaim")["metadata"]["name"], "the store is not on the PVC"
    assert "/tmp" in mounts, "no writable /tmp with a read-only root filesystem"
    deployment = one("Deployment")["spec"]
    if "ReadWriteOnce" in one("PersistentVolumeClaim")["spec"]["accessModes"]:
        assert deployment["replicas"] == 1, "SQLite on a ReadWriteOnce volume: one replica"
        assert deployment["strategy"]["type"] == "Recreate", "a RollingUpdate would deadlock on the RWO volume"


def check_selectors():
    pod_labels = one("Deployment")["spec"]["template"]["metadata"]["labels"]
    deployment_selector = one("Deployment")["spec"]["selector"]["matchLabels"]
    service = one("Service")
    for name, selector in [("Deployment", deployment_selector), ("Service", service["spec"]["selector"]),
                           ("PodDisruptionBudget", one("PodDisruptionBudget")["spec"]["selector"]["matchLabels"])]:
        assert all(pod_labels.get(k) == v for k, v in selector.items()), f"{name} selector {selector} misses the pods"
    ports = {p["name"] for p in container()["ports"]}
    for p in service["spec"]["ports"]:
        assert p["targetPort"] in ports, f"Service targetPort {p['targetPort']} is not a container port name"
    monitor = one("ServiceMonitor")
    assert all(service["metadata"]["labels"].get(k) == v for k, v in monitor["spec"]["selector"]["matchLabels"].items()), \
        "the ServiceMonitor does not select the Service"
    service_ports = {p["name"] for p in service["spec"]["ports"]}
    for endpoint in monitor["spec"]["endpoints"]:
        assert endpoint["port"] in service_ports and endpoint["path"] == "/metrics", endpoint
    job = service["metadata"]["labels"].get(monitor["spec"].get("jobLabel", ""), service["metadata"]["name"])
    assert job == "faultline", f"the scrape job would be {job!r}, but deploy/prometheus/alerts.yml selects job=\"faultline\""


def check_pdb_allows_drain():
    pdb = one("PodDisruptionBudget")["spec"]
    replicas = one("Deployment")["spec"]["replicas"]
    if "minAvailable" in pdb:
        assert int(pdb["minAvailable"]) < replicas, f"minAvailable {pdb['minAvailable']} with {replicas} replica(s) blocks every drain"
    else:
        assert int(pdb["maxUnavailable"]) >= 1, "maxUnavailable 0 blocks every drain"


def check_kustomize_build():
    kubectl = shutil.which("kubectl")
    if not kubectl:
        print("     kubectl is not installed: the kustomize build is not run (the checks above still are)")
        return
    result = subprocess.run([kubectl, "kustomize", "--load-restrictor", "LoadRestrictionsNone", k8s],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, f"kubectl kustomize failed:\n{result.stderr}"
    docs = [d for d in yaml.safe_load_all(result.stdout) if d]
    maps = [d for d in docs if d["kind"] == "ConfigMap"]
    assert len(maps) == 1, f"{len(maps)} ConfigMaps"
    keys = sorted(maps[0]["data"])
    packs = sorted(os.path.basename(p) for p in glob.glob(os.path.join(source_dir, "rules", "packs", "*.yaml")))
    assert keys == packs, f"ConfigMap keys {keys} != {packs}"
    deployment = [d for d in docs if d["kind"] == "Deployment"][0]
    volumes = deployment["spec"]["template"]["spec"]["volumes"]
    assert any(v.get("configMap", {}).get("name") == maps[0]["metadata"]["name"] for v in volumes), \
        "the Deployment does not mount the generated (hashed) ConfigMap"
    assert all(d["metadata"].get("namespace") == "faultline" for d in docs if d["kind"] != "Namespace"), \
        "a resource outside the faultline namespace"


def check_cloud_run():
    svc = yaml.safe_load(open(os.path.join(source_dir, "deploy", "cloudrun", "service.yaml")))
    assert svc["apiVersion"] == "serving.knative.dev/v1" and svc["kind"] == "Service", svc["apiVersion"]
    template = svc["spec"]["template"]
    annotations = template["metadata"]["annotations"]
    assert annotations.get("autoscaling.knative.dev/minScale") == "1", "min instances is not 1"
    assert annotations.get("autoscaling.knative.dev/maxScale") == "1", "more than one instance on SQLite"
    assert annotations.get("run.googleapis.com/cpu-throttling") == "false", \
        "CPU is throttled between requests, but the daemon has background timers"
    c = template["spec"]["containers"][0]
    assert c["ports"][0]["containerPort"] == 8080, c["ports"]
    assert "PORT" not in env_of(c), "Cloud Run sets PORT itself (it is reserved)"
    assert c["startupProbe"]["httpGet"]["path"] == "/readyz", c["startupProbe"]
    assert c["livenessProbe"]["httpGet"]["path"] == "/healthz", c["livenessProbe"]
    store = env_of(c)["FAULTLINE_STORE"]["value"]
    assert store.startswith("/var/lib/faultline/"), f"the store {store} is not in the image's writable directory"


sys.exit(run_checks([
    ("k8s: Deployment, Service, PDB, ServiceMonitor, PVC", check_kinds),
    ("k8s: the rules ConfigMap is generated from exactly rules/packs/*.yaml, which load", check_rules_generator),
    ("k8s: liveness /healthz, readiness /readyz on the declared port, PORT matches", check_deployment_probes_and_ports),
    ("k8s: non-root as the image's uid, read-only root, no privilege escalation, resources",
     check_deployment_security),
    ("k8s: rules mounted from the ConfigMap at FAULTLINE_RULES, store on the PVC", check_deployment_volumes),
    ("k8s: selectors, port names and the ServiceMonitor's job=faultline agree", check_selectors),
    ("k8s: the PodDisruptionBudget does not block node drains", check_pdb_allows_drain),
    ("k8s: kubectl kustomize builds the folder", check_kustomize_build),
    ("cloudrun: Knative service, min/max 1 instance, no CPU throttling, probes", check_cloud_run),
]))
