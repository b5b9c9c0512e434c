#!/usr/bin/env python3
"""Detection latency of a running daemon: from the POST of a container's exit line
(as a Pub/Sub push of a Cloud Logging entry) to the moment GET /api/v1/incidents
shows that exit on the cascade incident. Each round uses a new service, so every
round is a fresh cascade: the cause line is posted first, then the exit is timed.

    bench/detection_latency.py http://127.0.0.1:8080 [--rounds 200]

Prints p50/p90/p99/max in milliseconds.
"""
import argparse
import base64
import datetime
import http.client
import json
import statistics
import time
import urllib.parse
import uuid


def entry(service, log, text):
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return {
        "insertId": uuid.uuid4().hex, "logName": "projects/bench/logs/run.googleapis.com%2F" + log,
        "resource": {"type": "cloud_run_revision", "labels": {
            "service_name": service, "revision_name": service + "-00001-abc", "project_id": "bench"}},
        "labels": {"instanceId": "00" + uuid.uuid4().hex},
        "severity": "ERROR", "textPayload": text, "timestamp": now,
    }


def envelope(log_entry):
    data = base64.b64encode(json.dumps(log_entry).encode()).decode()
    return json.dumps({"message": {"data": data, "messageId": uuid.uuid4().hex},
                       "subscription": "projects/bench/subscriptions/faultline"})


class Client:
    def __init__(self, base):
        url = urllib.parse.urlsplit(base)
        self.conn = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=10)

    def request(self, method, path, body=None):
        headers = {"Content-Type": "application/json"} if body else {}
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        return response.status, response.read()


def exits_seen(client, service):
    status, body = client.request("GET", "/api/v1/incidents?service=" + urllib.parse.quote(service))
    if status != 200:
        raise SystemExit("GET /api/v1/incidents answered %d: %s" % (status, body[:200]))
    return any(i.get("exits", 0) >= 1 for i in json.loads(body)["incidents"])


def percentile(sorted_values, p):
    return sorted_values[min(len(sorted_values) - 1, int(round(p / 100 * (len(sorted_values) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("base_url")
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    client = Client(args.base_url)
    run = uuid.uuid4().hex[:6]
    latencies = []
    for i in range(args.rounds):
        service = "latency-%s-%d" % (run, i)
        cause = entry(service, "stderr", "ModuleNotFoundError: No module named 'app.services.bench%d'" % i)
        status, body = client.request("POST", "/v1/push/pubsub", envelope(cause))
        if status // 100 != 2:
            raise SystemExit("cause POST answered %d: %s" % (status, body[:200]))
        exit_line = envelope(entry(service, "varlog%2Fsystem", "Container called exit(3)."))
        start = time.perf_counter()
        status, body = client.request("POST", "/v1/push/pubsub", exit_line)
        if status // 100 != 2:
            raise SystemExit("exit POST answered %d: %s" % (status, body[:200]))
        while not exits_seen(client, service):
            if time.perf_counter() - start > 10:
                raise SystemExit("exit of %s not visible after 10 s" % service)
        latencies.append((time.perf_counter() - start) * 1000)
    latencies.sort()
    print("detection latency over %d cascades: p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms  mean %.2f ms"
          % (len(latencies), percentile(latencies, 50), percentile(latencies, 90), percentile(latencies, 99),
             latencies[-1], statistics.mean(latencies)))


if __name__ == "__main__":
    main()
