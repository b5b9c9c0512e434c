"""What the shipper tests share: an incident's projection, a metric's value,
and waiting for the daemon's incidents to be scan's, then checking they are
the seed cascade's cause and culprit."""
import json
import re

from deploylib import CheckFailed, wait_for

SEED_MODULE = "netra_backend.app.services.monitoring"
SEED_CULPRIT = {"file": "/app/netra_backend/app/middleware/gcp_auth_context_middleware.py", "line": 23}


def projection(incident):
    root = incident["root_cause"]
    return {"service": incident["service"], "rule": root["rule"], "captures": root.get("captures", {}),
            "frame": root.get("frame"), "exits": incident["exits"], "crash_loop": incident["crash_loop"],
            "state": incident["state"]}


def projections(incidents):
    return sorted(json.dumps(projection(i), sort_keys=True) for i in incidents)


def metric(daemon, pattern):
    m = re.search(pattern, daemon.metrics(), re.M)
    return int(m.group(1)) if m else 0


def expect_scans_incident(daemon, want, who, service):
    """Polls until the daemon's incidents are `want` (scan's projections), then
    checks that they are the one seed incident of `service`."""
    # A traceback's last line waits for the next line, or for the multi-line
    # flush, before it is matched: poll for the incident.
    def live():
        status, body, _ = daemon.get("/api/v1/incidents?state=all")
        if status != 200:
            raise CheckFailed(f"GET /api/v1/incidents answered {status}")
        return projections(json.loads(body)["incidents"])
    got = wait_for(lambda: live() == want and want, 30, 0.5) or live()
    if got != want:
        raise CheckFailed(f"{who}: the daemon's incidents differ from scan's:\n  live: " + "\n        ".join(got) +
                          "\n  scan: " + "\n        ".join(want))
    if len(want) != 1:
        raise CheckFailed(f"expected one incident, scan gives {len(want)}: {want}")
    incident = json.loads(want[0])
    if incident["rule"] != "python_module_not_found" or incident["captures"].get("module") != SEED_MODULE or \
            {k: (incident["frame"] or {}).get(k) for k in SEED_CULPRIT} != SEED_CULPRIT or incident["service"] != service:
        raise CheckFailed(f"not the seed's cause and culprit: {incident}")
    return incident
