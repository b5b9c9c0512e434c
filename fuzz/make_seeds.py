#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora, one directory per target, from the
test corpus (tests/corpus, with noise from tests/corpus/noise/generate.py) and the
bundled rule pack.

    fuzz/make_seeds.py CORPUS_DIR RULES_DIR OUT_DIR

Each seed is a small slice of real input in the shape its target reads: LogEntry
NDJSON chunks, gcloud JSON arrays, Pub/Sub push envelopes, Loki pushes (JSON, and
protobuf, raw and snappy-compressed; their labels strings), OTLP log exports (the JS SDK's captured
bodies, and the scenarios rewritten as OTLP JSON and protobuf), text chunks (the real-world logs
with their envelopes), JSON lines of application
loggers, Fluent Bit's MessagePack events, multi-line traces with a schedule line (fuzz/multiline.cpp), single
rules and whole packs, raw HTTP requests carrying all of those, and Pub/Sub push
OIDC tokens as fuzz/jwt.cpp reads them (header, claims, JWKS). Seeds stay
under 16 KiB so the fuzzers' default input length stays small. The output is
deterministic and generated at build time; nothing here is committed.
"""
import base64
import gzip
import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys

import yaml

MAX_SEED = 16 * 1024


def chunks(items, size):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def read_lines(path):
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        return f.read().split("\n")


class Seeds:
    def __init__(self, out):
        self.out = out
        self.count = {}

    def add(self, target, name, data):
        if isinstance(data, str):
            data = data.encode("utf-8", errors="surrogateescape")
        if len(data) > MAX_SEED:
            return
        directory = os.path.join(self.out, target)
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, name), "wb") as f:
            f.write(data)
        self.count[target] = self.count.get(target, 0) + 1


def entry_text(entry):
    if "textPayload" in entry:
        return entry["textPayload"]
    payload = entry.get("jsonPayload") or {}
    for key in ("message", "msg", "log"):
        if isinstance(payload.get(key), str):
            return payload[key]
    return json.dumps(payload)


# The tokens fuzz/http.cpp configures (also in fuzz/dict/http.dict).
INGEST_TOKEN = "fuzz-ingest-token-0123456789"
READ_TOKEN = "fuzz-read-token-0123456789"
WRITE_TOKEN = "fuzz-write-token-0123456789"


def credential(target):
    """The token a request to `target` needs: past authentication is where most code is."""
    path = target.split("?")[0]
    if "://" in path:  # absolute-form
        path = "/" + path.split("://", 1)[1].partition("/")[2]
    if path in ("/v1/logs", "/v1/logs/raw", "/loki/api/v1/push", "/v1/push/pubsub"):
        return INGEST_TOKEN
    if path.startswith("/api/") or path == "/-/reload":
        return WRITE_TOKEN
    return None


def http_request(method, target, body=b"", headers=(), chunked=False, token=True):
    if isinstance(body, str):
        body = body.encode("utf-8", errors="surrogateescape")
    head = [f"{method} {target} HTTP/1.1", "Host: localhost:8080", "User-Agent: seed"]
    token = credential(target) if token is True else token
    if token:
        head.append(f"Authorization: Bearer {token}")
    head += list(headers)
    if chunked:
        head.append("Transfer-Encoding: chunked")
        parts = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in (body[i:i + 700] for i in range(0, len(body), 700)))
        return ("\r\n".join(head) + "\r\n\r\n").encode() + parts + b"0\r\n\r\n"
    if body or method == "POST":
        head.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def pb_varint(value):
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def pb_field(number, value):
    """One protobuf field: an int as a varint, bytes or str as length-delimited."""
    if isinstance(value, int):
        return pb_varint(number << 3) + pb_varint(value)
    if isinstance(value, str):
        value = value.encode("utf-8", errors="surrogateescape")
    return pb_varint(number << 3 | 2) + pb_varint(len(value)) + value


def loki_labels(labels):
    """A stream's labels as Promtail writes them: {a="b", c="d"}, Go-quoted."""
    def quote(v):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    return "{" + ", ".join(f"{k}={quote(v)}" for k, v in sorted(labels.items())) + "}"


def loki_push_protobuf(push):
    """A Loki push JSON body as the PushRequest protobuf Promtail sends (before snappy)."""
    out = b""
    for stream in push["streams"]:
        body = pb_field(1, loki_labels(stream["stream"]))
        for ns, line, *_ in stream["values"]:
            ns = int(ns)
            timestamp = pb_field(1, ns // 1000000000) + pb_field(2, ns % 1000000000)
            body += pb_field(2, pb_field(1, timestamp) + pb_field(2, line))
        out += pb_field(1, body)
    return out


def snappy_literal(data):
    """A snappy block of literals only: valid input for a snappy decoder without
    a snappy library here (real compressed bodies come from tests/corpus/loki)."""
    out = bytearray(pb_varint(len(data)))
    for i in range(0, len(data), 65536):
        chunk = data[i:i + 65536]
        n = len(chunk) - 1
        if n < 60:
            out.append(n << 2)
        elif n < 256:
            out += bytes([60 << 2, n])
        else:
            out += bytes([61 << 2, n & 0xFF, n >> 8])
        out += chunk
    return bytes(out)


def pb_fixed64(number, value):
    return pb_varint(number << 3 | 1) + value.to_bytes(8, "little")


def otlp_any_value(value):
    """A JSON value as an OTLP/JSON AnyValue (objects as kvlists)."""
    if isinstance(value, str):
        return {"stringValue": value}
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    if isinstance(value, list):
        return {"arrayValue": {"values": [otlp_any_value(v) for v in value]}}
    if isinstance(value, dict):
        return {"kvlistValue": {"values": [{"key": k, "value": otlp_any_value(v)} for k, v in value.items()]}}
    return {}


def otlp_request(entries):
    """Cloud Run LogEntries as one OTLP/JSON ExportLogsServiceRequest, a resource per service and instance."""
    units = {}
    for e in entries:
        labels = e.get("resource", {}).get("labels", {})
        key = (labels.get("service_name") or labels.get("container_name", "svc"), labels.get("revision_name", ""),
               e.get("labels", {}).get("instanceId", labels.get("pod_name", "")))
        attributes = [{"key": k, "value": {"stringValue": v}} for k, v in
                      (("service.name", key[0]), ("faas.version", key[1]), ("faas.instance", key[2])) if v]
        unit = units.setdefault(key, {"resource": {"attributes": attributes},
                                      "scopeLogs": [{"scope": {"name": "seed"}, "logRecords": []}]})
        record = {"timeUnixNano": str(1759649400000000000 + 1000 * len(units)), "severityText": e.get("severity", "")}
        if "textPayload" in e:
            record["body"] = otlp_any_value(e["textPayload"])
        elif "jsonPayload" in e:
            record["body"] = otlp_any_value(e["jsonPayload"])
        stream = e.get("logName", "").split("%2F")[-1]
        if stream in ("stdout", "stderr"):
            record["attributes"] = [{"key": "log.iostream", "value": {"stringValue": stream}}]
        unit["scopeLogs"][0]["logRecords"].append(record)
    return {"resourceLogs": list(units.values())}


def otlp_value_protobuf(value):
    """An OTLP/JSON AnyValue as the AnyValue protobuf (common.proto's field numbers)."""
    if "stringValue" in value:
        return pb_field(1, value["stringValue"])
    if "boolValue" in value:
        return pb_field(2, int(value["boolValue"]))
    if "intValue" in value:
        return pb_field(3, int(value["intValue"]) & (2**64 - 1))
    if "doubleValue" in value:
        return pb_fixed64(4, int.from_bytes(struct.pack("<d", value["doubleValue"]), "little"))
    if "arrayValue" in value:
        return pb_field(5, b"".join(pb_field(1, otlp_value_protobuf(v)) for v in value["arrayValue"]["values"]))
    if "kvlistValue" in value:
        return pb_field(6, b"".join(pb_field(1, otlp_key_value_protobuf(kv)) for kv in value["kvlistValue"]["values"]))
    return b""


def otlp_key_value_protobuf(pair):
    return pb_field(1, pair["key"]) + pb_field(2, otlp_value_protobuf(pair["value"]))


def otlp_request_protobuf(request):
    """An OTLP/JSON logs request as the ExportLogsServiceRequest protobuf an exporter sends."""
    out = b""
    for unit in request["resourceLogs"]:
        resource = b"".join(pb_field(1, otlp_key_value_protobuf(kv)) for kv in unit["resource"]["attributes"])
        body = pb_field(1, resource)
        for scope in unit["scopeLogs"]:
            scope_body = pb_field(1, pb_field(1, scope["scope"]["name"]))
            for r in scope["logRecords"]:
                record = pb_fixed64(1, int(r["timeUnixNano"])) + pb_field(3, r["severityText"])
                if "body" in r:
                    record += pb_field(5, otlp_value_protobuf(r["body"]))
                record += b"".join(pb_field(6, otlp_key_value_protobuf(kv)) for kv in r.get("attributes", []))
                scope_body += pb_field(2, record)
            body += pb_field(2, scope_body)
        out += pb_field(1, body)
    return out


def generated_noise(corpus):
    """(name, 120 lines) slices of the seeded noise generator's text output."""
    out = subprocess.run([sys.executable, os.path.join(corpus, "noise", "generate.py"), "--seed", "7",
                          "--bytes", "256K", "--format", "text", "-"], check=True, capture_output=True).stdout
    lines = [l for l in out.decode("utf-8", "surrogateescape").split("\n") if l]
    return [(f"noise{i}", lines[i * 120:(i + 1) * 120]) for i in range(min(8, len(lines) // 120))]


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    corpus, rules_dir, out = sys.argv[1:]
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    seeds = Seeds(out)

    failures = sorted(f for f in os.listdir(os.path.join(corpus, "failures")) if f.endswith(".ndjson"))
    noise = generated_noise(corpus)
    traces = sorted(f for f in os.listdir(os.path.join(corpus, "multiline")) if f.endswith(".txt"))

    entries_by_file = {}
    for name in failures:
        lines = [l for l in read_lines(os.path.join(corpus, "failures", name)) if l.strip()]
        entries_by_file[name] = [json.loads(l) for l in lines]
        stem = name.split(".")[0]
        for i, part in enumerate(chunks(lines, 8)):
            ndjson = "\n".join(part) + "\n"
            seeds.add("logentry", f"{stem}-{i}.ndjson", ndjson)
            seeds.add("ndjson", f"{stem}-{i}.ndjson", ndjson)
        for i, part in enumerate(chunks(entries_by_file[name], 6)):
            seeds.add("logentry", f"{stem}-{i}.gcloud.json", json.dumps(part, indent=2) + "\n")
            seeds.add("ndjson", f"{stem}-{i}.array.json", json.dumps(part))
            # The splitter's target adds the '[' itself; the first byte picks how the bytes are fed.
            seeds.add("json_array", f"{stem}-{i}.gcloud.json", chr(i % 16) + json.dumps(part, indent=2)[1:] + "\n")
            seeds.add("json_array", f"{stem}-{i}.array.json", chr(3 + i % 16) + json.dumps(part)[1:])
        for i, part in enumerate(chunks(lines, 8)):
            gz = gzip.compress(("\n".join(part) + "\n").encode(), mtime=0)
            seeds.add("gunzip_stream", f"{stem}-{i}.ndjson.gz", bytes([i * 37 % 256]) + gz)
        first = entries_by_file[name][0]
        seeds.add("logentry", f"{stem}.single.json", json.dumps(first, indent=2))
        for i, entry in enumerate(entries_by_file[name][:6]):
            data = base64.b64encode(json.dumps(entry).encode()).decode()
            envelope = {
                "message": {
                    "attributes": {"logging.googleapis.com/timestamp": entry.get("timestamp", "")},
                    "data": data,
                    "messageId": f"{1000000 + i}",
                    "message_id": f"{1000000 + i}",
                    "publishTime": entry.get("receiveTimestamp", entry.get("timestamp", "")),
                },
                "subscription": "projects/acme/subscriptions/faultline-push",
            }
            seeds.add("pubsub", f"{stem}-{i}.envelope.json", json.dumps(envelope))
            # The on-demand reader: the envelope as pushed, and with its
            # members in the snake_case spelling only.
            seeds.add("pubsub_ondemand", f"{stem}-{i}.envelope.json", json.dumps(envelope))
            snake = {"message": {"data": data, "message_id": f"{i}", "publish_time": envelope["message"]["publishTime"]}}
            seeds.add("pubsub_ondemand", f"{stem}-{i}.snake.json", json.dumps(snake))
            # The LogEntry alone, which the target also reads wrapped in an envelope.
            seeds.add("pubsub_ondemand", f"{stem}-{i}.entry.json", json.dumps(entry))
        seeds.add("pubsub", f"{stem}.unwrapped.json", json.dumps(first))

    # Flat shipper records and Loki pushes from the noise logs.
    for stem, lines in noise:
        for i, part in enumerate(chunks(lines, 40)):
            seeds.add("text", f"{stem}-{i}.log", "\n".join(part) + "\n")
            flat = [json.dumps({"time": f"2025-10-05T07:30:{j:02d}.5Z", "service": stem, "severity": "INFO",
                                "message": l}, ensure_ascii=False) for j, l in enumerate(part[:20])]
            seeds.add("ndjson", f"{stem}-{i}.flat.ndjson", "\n".join(flat) + "\n")
            values = [[str(1759649400000000000 + j * 1000000), l] for j, l in enumerate(part[:20])]
            push = {"streams": [{"stream": {"service": stem, "level": "info", "pod": f"{stem}-0"},
                                 "values": values}]}
            seeds.add("loki", f"{stem}-{i}.push.json", json.dumps(push, ensure_ascii=False))
            message = loki_push_protobuf(push)
            seeds.add("protobuf_wire", f"{stem}-{i}.push.pb", message)
            seeds.add("loki_protobuf", f"{stem}-{i}.push.snappy", snappy_literal(message))
            seeds.add("loki_protobuf", f"{stem}-{i}.push.pb", message)
            for stream in push["streams"]:
                seeds.add("loki_labels", f"{stem}-{i}.labels", loki_labels(stream["stream"]))
    for name, entries in sorted(entries_by_file.items()):
        stem = name.split(".")[0]
        streams = {}
        for e in entries[:30]:
            labels = e.get("resource", {}).get("labels", {})
            key = (labels.get("service_name", "svc"), e.get("severity", "DEFAULT"))
            streams.setdefault(key, []).append([str(1759649400000000000 + len(streams) * 1000), entry_text(e)])
        push = {"streams": [{"stream": {"service_name": s, "detected_level": sev.lower()}, "values": v}
                            for (s, sev), v in sorted(streams.items())]}
        seeds.add("loki", f"{stem}.push.json", json.dumps(push))
        message = loki_push_protobuf(push)
        seeds.add("protobuf_wire", f"{stem}.push.pb", message)
        seeds.add("loki_protobuf", f"{stem}.push.snappy", snappy_literal(message))
    # Loki pushes as real clients compressed them, and labels strings in the
    # spellings shippers and people write.
    loki_dir = os.path.join(corpus, "loki")
    for name in sorted(f for f in os.listdir(loki_dir) if f.endswith(".snappy")):
        with open(os.path.join(loki_dir, name), "rb") as f:
            seeds.add("loki_protobuf", name, f.read())
    for i, text in enumerate([
            '{app="checkout", namespace="shop", pod="checkout-7d4b9c-x2x9q"}',
            '{level="error",app="api",service_name="api"}',
            '{}', ' { job = "varlogs" ,\n filename="/var/log/a b.log" } ',
            r'{msg="say \"hi\"", path="C:\\tmp", e="caf\u00e9 \U0001F4A5 \xc3\xa9 \303\251 \a\b\f\n\r\t\v"}',
            '{q=`raw \\n "as is"`}', '{app=~"x"}', '{a="1", a="2"}', '{app="x",}']):
        seeds.add("loki_labels", f"shape-{i}.labels", text)

    # Flat records and LogEntries with the time forms shippers write, and times
    # that cannot be read (kept with a warning).
    times = ["2017-08-15 18:10:12", "2017-08-15T20:10:12+0200", "2017-08-15 18:10:12,345 UTC", 1502820612,
             1502820612.25, "1502820612345", 1502820612345000000, {"$date": "2017-08-15T18:10:12Z"},
             "yesterday", True, -5, "5000-10-05 07:30:00"]
    keys = ["time", "ts", "@timestamp", "timestamp", "date"]
    time_flat = [json.dumps({keys[i % len(keys)]: t, "service": "s", "message": "m"}) for i, t in enumerate(times)]
    time_entries = [json.dumps({"textPayload": "m", "timestamp": t, "receiveTimestamp": "2017-08-15 18:10:13"})
                    for t in times]
    seeds.add("ndjson", "time-forms.ndjson", "\n".join(time_flat + time_entries) + "\n")
    seeds.add("logentry", "time-forms.ndjson", "\n".join(time_entries) + "\n")
    seeds.add("envelope", "time-forms.log", "\n".join(t for t in times if isinstance(t, str)) + "\n")

    # OTLP logs: the JS SDK's bodies as captured, and the scenarios as OTLP.
    otlp_dir = os.path.join(corpus, "otlp")
    for name in ("node-sdk.pb", "node-sdk.json"):
        with open(os.path.join(otlp_dir, name), "rb") as f:
            seeds.add("otlp", name, f.read())
    with open(os.path.join(otlp_dir, "node-sdk.pb.gz"), "rb") as f:
        seeds.add("otlp", "node-sdk.inflated.pb", gzip.decompress(f.read()))
    for name, entries in sorted(entries_by_file.items()):
        stem = name.split(".")[0]
        for i, part in enumerate(chunks(entries, 10)):
            request = otlp_request(part)
            seeds.add("otlp", f"{stem}-{i}.otlp.json", json.dumps(request))
            seeds.add("otlp", f"{stem}-{i}.otlp.pb", otlp_request_protobuf(request))

    # Fluent Bit's MessagePack events: the bodies built per its specification,
    # and the failures as its tail input and kubernetes filter would post them.
    fluentbit = os.path.join(corpus, "fluentbit")
    sys.path.insert(0, fluentbit)
    sys.dont_write_bytecode = True  # nothing written into the source tree
    from make_fixtures import EventTime, pack
    for name in sorted(f for f in os.listdir(fluentbit) if f.endswith(".msgpack")):
        with open(os.path.join(fluentbit, name), "rb") as f:
            seeds.add("msgpack", name, f.read())
    for name, entries in sorted(entries_by_file.items()):
        body = b""
        for i, e in enumerate(entries[:24]):
            labels = e.get("resource", {}).get("labels", {})
            record = {"log": entry_text(e), "stream": "stderr",
                      "kubernetes": {"container_name": labels.get("service_name", "svc"), "pod_name": "pod-0"}}
            header = [EventTime(1759649400 + i, i * 1000), {}] if i % 2 else EventTime(1759649400 + i, 0)
            body += pack([header, record])
        seeds.add("msgpack", f"{name.split('.')[0]}.msgpack", body)

    # Text: the traces as files, and the failures' texts as a container prints them.
    for name in traces:
        text = "\n".join(read_lines(os.path.join(corpus, "multiline", name)))
        seeds.add("text", f"trace-{name}", text)
    for name, entries in sorted(entries_by_file.items()):
        seeds.add("text", f"{name.split('.')[0]}.txt", "\n".join(entry_text(e) for e in entries) + "\n")
        # Rule suggestion mines any text: the failures' error lines, as suspect lines.
        errors = [entry_text(e) for e in entries if e.get("severity") in ("ERROR", "CRITICAL")]
        if errors:
            seeds.add("suggest", f"{name.split('.')[0]}.txt", "\n".join(errors[:48]) + "\n")

    # Envelopes and JSON records: the real-world logs as users pasted them
    # (compose, journald, CRI, Docker json-file, Heroku, leading timestamps), in
    # slices; their JSON lines; and the shapes of the formats the corpus lacks.
    realworld = os.path.join(corpus, "realworld")
    json_lines = []
    for group in sorted(os.listdir(realworld)):
        folder = os.path.join(realworld, group)
        if not os.path.isdir(folder):
            continue
        for name in sorted(f for f in os.listdir(folder) if f.endswith(".log")):
            lines = read_lines(os.path.join(folder, name))
            for i, part in enumerate(chunks(lines, 60)):
                seeds.add("text", f"realworld-{name[:-4]}-{i}.log", "\n".join(part) + "\n")
                seeds.add("envelope", f"{name[:-4]}-{i}.log", "\n".join(part) + "\n")
            json_lines += [l for l in lines if "{" in l and "}" in l]
    for stem, lines in noise:
        json_lines += [l for l in lines if l.startswith("{")]
    for i, part in enumerate(chunks(json_lines, 20)):
        seeds.add("structured", f"lines-{i}.log", "\n".join(part) + "\n")
    trace = "Traceback (most recent call last):\n  File \"/app/main.py\", line 3, in <module>\n    import x\nModuleNotFoundError: No module named 'x'"
    stack = "Error: Cannot find module 'x'\n    at Object.<anonymous> (/app/index.js:1:1)"
    shapes = {
        "pino": {"level": 50, "time": 1531171074631, "pid": 1, "hostname": "h", "msg": "boom",
                 "err": {"type": "Error", "message": "Cannot find module 'x'", "stack": stack}},
        "bunyan": {"name": "a", "level": 60, "msg": "x", "time": "2025-09-16T00:42:34.123Z", "v": 0,
                   "err": {"name": "Error", "message": "m", "stack": stack}},
        "structlog": {"event": "failed", "level": "error", "timestamp": "2025-09-16T00:42:34.123456Z", "exception": trace},
        "jsonlogger": {"asctime": "2025-09-16 00:42:34,123", "levelname": "ERROR", "message": "failed", "exc_info": trace},
        "logstash": {"@timestamp": "2025-09-16T00:42:34.123+02:00", "message": "failed", "level": "ERROR",
                     "stack_trace": "java.lang.IllegalStateException: x\n\tat com.acme.App.main(App.java:3)"},
        "zap": {"level": "error", "ts": 1740242159.582626, "msg": "failed", "error": "connection refused",
                "stacktrace": "main.main\n\t/app/main.go:12"},
        "ecs": {"@timestamp": "2025-09-16T00:42:34.123Z", "log.level": "error", "message": "m",
                "error": {"type": "ValueError", "message": "bad", "stack_trace": trace}},
        "dotnet": {"Timestamp": "2025-09-16T00:42:34Z", "LogLevel": "Error", "Message": "m",
                   "Exception": "System.IO.FileNotFoundException: x\n   at A.B.Main() in /src/B.cs:line 3"},
        "clef": {"@t": "2025-09-16T00:42:34Z", "@l": "Fatal", "@m": "m", "@x": "System.Exception: x"},
        "mongodb": {"t": {"$date": "2021-03-22T21:21:20.349+00:00"}, "s": "E", "c": "NETWORK", "msg": "m"},
    }
    for name, shape in sorted(shapes.items()):
        line = json.dumps(shape)
        seeds.add("structured", f"shape-{name}.log", line + "\n")
        docker = json.dumps({"log": line + "\n", "stream": "stderr", "time": "2025-09-16T00:42:34.5Z"})
        seeds.add("structured", f"docker-{name}.log", docker + "\n")
        seeds.add("text", f"docker-{name}.log", "web-1  | " + line + "\n" + docker + "\n")
    seeds.add("envelope", "cri-partial.log",
              "2018-10-31T19:24:43.718467142Z stdout P Fluent-Bit \n"
              "2018-10-31T19:24:43.718502866Z stderr F Copyright (C) Treasure Data\n"
              "2018-10-31T19:24:43.718512242Z stdout F v0.14.4\n")
    seeds.add("envelope", "syslog-forms.log",
              "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - 'su root' failed\n"
              "<165>1 2003-10-11T22:14:15.003Z host evntslog - ID47 [exampleSDID@32473 iut=\"3\"] event\n"
              "<34>Oct 11 22:14:15 mymachine su: 'su root' failed\n"
              "2021-10-31T17:29:41+01:00 DietPi mariadbd[201156]: 2021-10-31 17:29:41 0 [ERROR] Aborting\n"
              "[pod/web-7d4b9c6f5-x2x9q/web] panic: boom\n"
              "W1019 22:17:30.551731       7 client_config.go:617] Neither --kubeconfig nor --master was specified.\n")

    # Multi-line: a schedule line, then lines (see fuzz/multiline.cpp).
    schedules = {"one-stream": b"\x00", "two-instances": b"\x00\x01", "flush-each": b"\x40",
                 "slow": b"\x28", "small-limits": b"\x00\x00\x00", "payloads": b"\x80\x00"}
    for name in traces:
        data = "\n".join(read_lines(os.path.join(corpus, "multiline", name))).encode("utf-8", "surrogateescape")
        for label, schedule in sorted(schedules.items()):
            seeds.add("multiline", f"{name[:-4]}-{label}", schedule + b"\n" + data)
    for name, entries in sorted(entries_by_file.items()):
        texts = "\n".join(entry_text(e) for e in entries[:40]).encode("utf-8", "surrogateescape")
        seeds.add("multiline", f"{name.split('.')[0]}", b"\x00\x00\x04\x01\n" + texts)

    # Rules: whole packs, each rule as a pack of its own, the pack tests' YAML.
    packs = sorted(f for f in os.listdir(rules_dir) if f.endswith((".yaml", ".yml")))
    for name in packs:
        with open(os.path.join(rules_dir, name), encoding="utf-8") as f:
            text = f.read()
        seeds.add("rules", name, text)
        for rule in (yaml.safe_load(text) or {}).get("rules", []):
            seeds.add("rules", f"{name[:-5]}-{rule['id']}.yaml",
                      yaml.safe_dump({"rules": [rule]}, sort_keys=False, allow_unicode=True, width=100))
    tests_dir = os.path.join(rules_dir, "tests")
    if os.path.isdir(tests_dir):
        for name in sorted(os.listdir(tests_dir)):
            with open(os.path.join(tests_dir, name), encoding="utf-8") as f:
                seeds.add("rules", f"tests-{name}", f.read())
    # Lookup tables (*.table.yaml, rules/lookup_table.h) are among the packs above:
    # the rules target also reads its input as a table.

    # HTTP: the daemon's requests, with the bodies above.
    def seed_file(target, name):
        with open(os.path.join(out, target, name), "rb") as f:
            return f.read()

    requests = {
        "logs-ndjson": http_request("POST", "/v1/logs", seed_file("ndjson", "01_seed_netra_monitoring_cascade-0.ndjson"),
                                    ["Content-Type: application/x-ndjson"]),
        "logs-array": http_request("POST", "/v1/logs", seed_file("ndjson", "09_cloud_run_oom-0.array.json"),
                                   ["Content-Type: application/json"]),
        "logs-gzip": http_request("POST", "/v1/logs",
                                  gzip.compress(seed_file("ndjson", "03_two_services_interleaved-1.ndjson"), mtime=0),
                                  ["Content-Type: application/x-ndjson", "Content-Encoding: gzip"]),
        "logs-chunked": http_request("POST", "/v1/logs", seed_file("ndjson", "noise0-0.flat.ndjson"),
                                     ["Content-Type: application/x-ndjson"], chunked=True),
        "logs-msgpack": http_request("POST", "/v1/logs?service=api", seed_file("msgpack", "v2-tail-kubernetes.msgpack"),
                                     ["Content-Type: application/msgpack", "User-Agent: Fluent-Bit"]),
        "logs-msgpack-basic": http_request(
            "POST", "/v1/logs", seed_file("msgpack", "bad-events.msgpack"),
            ["Content-Type: application/msgpack",
             "Authorization: Basic " + base64.b64encode(f"fluent-bit:{INGEST_TOKEN}".encode()).decode()],
            token=None),
        "logs-form": http_request("POST", "/v1/logs", seed_file("ndjson", "10_node_cannot_find_module-0.ndjson"),
                                  ["Content-Type: application/x-www-form-urlencoded", "Expect: 100-continue"]),
        "pubsub": http_request("POST", f"/v1/push/pubsub?token={INGEST_TOKEN}",
                               seed_file("pubsub", "01_seed_netra_monitoring_cascade-0.envelope.json"),
                               ["Content-Type: application/json"], token=None),
        "pubsub-jwt-refused": http_request("POST", "/v1/push/pubsub",
                                           seed_file("pubsub", "01_seed_netra_monitoring_cascade-1.envelope.json"),
                                           ["Content-Type: application/json"], token="x.y.z"),
        "raw": http_request("POST", "/v1/logs/raw?service=web&revision=web-0001&instance=i%2D1",
                            seed_file("text", "trace-python.txt"), ["Content-Type: text/plain; charset=utf-8"]),
        "raw-missing-service": http_request("POST", "/v1/logs/raw", "a line\n", ["Content-Type: text/plain"]),
        "loki": http_request("POST", "/loki/api/v1/push", seed_file("loki", "noise1-0.push.json"),
                             ["Content-Type: application/json"]),
        "loki-protobuf-gzip-magic": http_request("POST", "/loki/api/v1/push", b"\x1f\x8b\x08\x00",
                                                 ["Content-Type: application/x-protobuf"]),
        "loki-protobuf": http_request("POST", "/loki/api/v1/push", seed_file("loki_protobuf", "noise1-0.push.snappy"),
                                      ["Content-Type: application/x-protobuf"]),
        "loki-protobuf-encoded": http_request("POST", "/loki/api/v1/push",
                                              seed_file("loki_protobuf", "noise2-0.push.snappy"),
                                              ["Content-Type: application/x-protobuf", "Content-Encoding: snappy"]),
        "logs-otlp-protobuf": http_request("POST", "/v1/logs", gzip.compress(seed_file("otlp", "node-sdk.pb"), mtime=0),
                                           ["Content-Type: application/x-protobuf", "Content-Encoding: gzip"]),
        "logs-otlp-json": http_request("POST", "/v1/logs?service=web",
                                       seed_file("otlp", "01_seed_netra_monitoring_cascade-0.otlp.json"),
                                       ["Content-Type: application/json"]),
        "incidents": http_request("GET", "/api/v1/incidents?service=netra-backend-staging&state=open&limit=10"),
        "incident": http_request("GET", "/api/v1/incidents/3f0c2a9e1b7d4c55"),
        "ack": http_request("POST", "/api/v1/incidents/3f0c2a9e1b7d4c55/ack", '{"by":"alice","note":"rolling back"}',
                            ["Content-Type: application/json"]),
        "resolve": http_request("POST", "/api/v1/incidents/3f0c/resolve", "{}"),
        "mttr": http_request("GET", "/api/v1/stats/mttr?window=7d&service=web"),
        "reload": http_request("POST", "/-/reload"),
        "not-allowed": http_request("DELETE", "/api/v1/incidents"),
        "not-found": http_request("GET", "/v2/%7Bx%7D?a=%zz"),
        "http10": b"GET /healthz HTTP/1.0\r\n\r\n",
        "pipelined": http_request("GET", "/healthz") + http_request("GET", "/readyz")
                     + http_request("GET", "/metrics", headers=["Connection: close"]),
    }
    # A fresh daemon per input: ingest, then ask about what it opened.
    requests["ingest-then-api"] = (
        http_request("POST", "/v1/logs", seed_file("ndjson", "01_seed_netra_monitoring_cascade-0.ndjson"),
                     ["Content-Type: application/x-ndjson"])
        + http_request("GET", "/api/v1/incidents?state=all")
        + http_request("GET", "/api/v1/stats/mttr?window=all")
        + http_request("GET", "/metrics", headers=["Connection: close"]))

    # Requests refused on their headers, and the HTTP details around them.
    requests.update({
        "unauthorized-expect": http_request("POST", "/v1/logs", "", ["Expect: 100-continue"], token=None)
                               .replace(b"Content-Length: 0", b"Content-Length: 100000"),
        "read-token-on-write": http_request("POST", "/api/v1/incidents/3f0c/ack", "{}", token=READ_TOKEN),
        "head": http_request("HEAD", "/healthz") + http_request("HEAD", "/api/v1/rules")
                + http_request("HEAD", "/v1/logs") + http_request("GET", "/", headers=["Connection: close"]),
        "no-host": b"GET /healthz HTTP/1.1\r\n\r\n",
        "two-hosts": b"GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        "absolute-form": http_request("GET", "http://localhost:8080/api/v1/incidents?state=all")
                         + http_request("GET", "HTTPS://localhost/healthz"),
        "expect-http10": b"POST /v1/logs/raw?service=web HTTP/1.0\r\nAuthorization: Bearer " + INGEST_TOKEN.encode()
                         + b"\r\nContent-Length: 7\r\nExpect: 100-continue\r\n\r\na line\n",
    })

    # Request smuggling: bodies framed other than by Content-Length or chunked
    # alone, each followed by what would be a second request if the body were
    # taken for nothing (RFC 9112 §6.3).
    smuggled = http_request("GET", "/api/v1/incidents", headers=["Connection: close"])

    def framed(framing, body, version="HTTP/1.1"):
        head = (f"POST /v1/logs {version}\r\nHost: localhost:8080\r\nAuthorization: Bearer {INGEST_TOKEN}\r\n"
                f"Content-Type: application/x-ndjson\r\n{framing}\r\n")
        return head.encode() + body

    line = seed_file("ndjson", "01_seed_netra_monitoring_cascade-0.ndjson").split(b"\n")[0] + b"\n"
    chunk = b"%x\r\n%s\r\n0\r\n\r\n" % (len(line), line)
    requests.update({
        "smuggle-te-identity": framed("Transfer-Encoding: identity\r\n", smuggled),
        "smuggle-te-xchunked": framed("Transfer-Encoding: xchunked\r\n", smuggled),
        "smuggle-te-chunked-identity": framed("Transfer-Encoding: chunked, identity\r\n", chunk + smuggled),
        "smuggle-te-chunked-twice": framed("Transfer-Encoding: chunked, chunked\r\n", chunk + smuggled),
        "smuggle-te-two-fields": framed("Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n",
                                        chunk + smuggled),
        "smuggle-te-gzip-chunked": framed("Transfer-Encoding: gzip, chunked\r\n", chunk + smuggled),
        "smuggle-te-obs-fold": framed("Transfer-Encoding:\r\n chunked\r\n", chunk + smuggled),
        "smuggle-te-then-length": framed(f"Transfer-Encoding: identity\r\nContent-Length: {len(smuggled)}\r\n",
                                         smuggled),
        "smuggle-length-then-te": framed(f"Content-Length: {len(chunk)}\r\nTransfer-Encoding: chunked\r\n",
                                         chunk + smuggled),
        "smuggle-two-lengths": framed(f"Content-Length: {len(line)}\r\nContent-Length: {len(line) + 10}\r\n",
                                      line + smuggled),
        "smuggle-http10-chunked": framed("Transfer-Encoding: chunked\r\n", chunk + smuggled, "HTTP/1.0"),
        "smuggle-chunk-extension": framed("Transfer-Encoding: chunked\r\n",
                                          b"%x;ext=\"x\"\r\n%s\r\n0\r\nX-Trailer: 1\r\n\r\n" % (len(line), line)
                                          + smuggled),
        "smuggle-bare-lf": b"POST /v1/logs HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n0\n\n" + smuggled,
    })
    for name, data in sorted(requests.items()):
        seeds.add("http", name, data)

    # JWT: "header\nclaims\nJWKS" (fuzz/jwt.cpp signs header.claims with its key "fuzz").
    def compact(value):
        return json.dumps(value, separators=(",", ":"))

    def b64url(data):
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    modulus = b"".join(hashlib.sha256(bytes([i])).digest() for i in range(8))  # 256 bytes, not a real key
    jwk = {"kty": "RSA", "alg": "RS256", "use": "sig", "kid": "fuzz", "n": b64url(modulus), "e": "AQAB"}
    jwks = {"keys": [jwk, {"kty": "EC", "kid": "ec", "crv": "P-256", "x": "AA", "y": "AA"}]}
    header = {"alg": "RS256", "kid": "fuzz", "typ": "JWT"}
    claims = {"iss": "https://accounts.google.com", "aud": "https://faultline.example.com/v1/push/pubsub",
              "email": "pubsub-push@proj.iam.gserviceaccount.com", "email_verified": True,
              "iat": 1759999990, "exp": 1760003600, "sub": "1234567890"}

    def jwt_seed(name, header=header, claims=claims, jwks=jwks):
        seeds.add("jwt", name, "\n".join(v if isinstance(v, str) else compact(v) for v in (header, claims, jwks)))

    jwt_seed("valid")
    jwt_seed("alg-number", header={**header, "alg": 5})
    jwt_seed("alg-none", header={**header, "alg": "none"})
    jwt_seed("kid-null", header={**header, "kid": None})
    jwt_seed("kid-unknown", header={**header, "kid": "rotated"})
    jwt_seed("iss-number", claims={**claims, "iss": 5})
    jwt_seed("aud-array", claims={**claims, "aud": ["x", claims["aud"]]})
    jwt_seed("aud-object", claims={**claims, "aud": {"a": 1}})
    jwt_seed("email-array", claims={**claims, "email": []})
    jwt_seed("exp-int64-max", claims={**claims, "exp": 9223372036854775807, "iat": -9223372036854775808})
    jwt_seed("exp-float", claims={**claims, "exp": 1.76e9 + 0.5, "nbf": 1e300})
    jwt_seed("kty-number", jwks={"keys": [{**jwk, "kty": 5}]})
    jwt_seed("n-not-base64url", jwks={"keys": [{**jwk, "n": "A*B"}]})
    jwt_seed("no-keys", jwks={"keys": []})
    signed = b64url(compact(header).encode()) + "." + b64url(compact(claims).encode()) + "." + b64url(b"\0" * 128)
    seeds.add("jwt", "compact-token", signed)

    for target in sorted(seeds.count):
        print(f"seeds: {target}: {seeds.count[target]} inputs in {os.path.join(out, target)}")


if __name__ == "__main__":
    main()
