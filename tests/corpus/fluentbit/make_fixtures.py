#!/usr/bin/env python3
"""Writes the Fluent Bit MessagePack bodies in this folder, byte by byte.

    tests/corpus/fluentbit/make_fixtures.py [OUT_DIR]

Fluent Bit cannot be installed on the build machines, so these bodies are built
from its specification rather than captured: the MessagePack spec for the
encodings, Fluent Bit's developer documentation ("MessagePack format": an event
is a 2-array of timestamp and map; the timestamp is an integer, a float64, or a
fixext whose 4 high bytes are big-endian seconds and 4 low bytes nanoseconds),
and its sources (src/flb_time.c writes EventTime as fixext 8 of type 0;
src/flb_log_event_decoder.c reads [timestamp, map] and, from 2.1 on,
[[timestamp, metadata], map], with seconds -1 and -2 marking group starts and
ends; plugins/out_http/http.c posts the chunk as it is with Content-Type
application/msgpack). The encoder below is written out by hand, not taken from a
MessagePack library, so the parser's tests do not check msgpack-c against itself.
The output is deterministic; the files are committed.
"""
import os
import struct
import sys


def pack(value):
    """The shortest MessagePack encoding, as Fluent Bit's msgpack-c packer writes it."""
    if value is None:
        return b"\xc0"
    if value is True:
        return b"\xc3"
    if value is False:
        return b"\xc2"
    if isinstance(value, EventTime):
        return b"\xd7\x00" + struct.pack(">iI", value.seconds, value.nanos)
    if isinstance(value, int):
        if 0 <= value < 0x80:
            return bytes([value])
        if 0 <= value <= 0xFF:
            return b"\xcc" + struct.pack(">B", value)
        if 0 <= value <= 0xFFFF:
            return b"\xcd" + struct.pack(">H", value)
        if 0 <= value <= 0xFFFFFFFF:
            return b"\xce" + struct.pack(">I", value)
        if value >= 0:
            return b"\xcf" + struct.pack(">Q", value)
        if value >= -32:
            return struct.pack(">b", value)
        return b"\xd3" + struct.pack(">q", value)
    if isinstance(value, float):
        return b"\xcb" + struct.pack(">d", value)
    if isinstance(value, (str, Raw)):
        data = value.data if isinstance(value, Raw) else value.encode("utf-8")
        if len(data) < 32:
            return bytes([0xA0 | len(data)]) + data
        if len(data) <= 0xFF:
            return b"\xd9" + struct.pack(">B", len(data)) + data
        if len(data) <= 0xFFFF:
            return b"\xda" + struct.pack(">H", len(data)) + data
        return b"\xdb" + struct.pack(">I", len(data)) + data
    if isinstance(value, list):
        head = bytes([0x90 | len(value)]) if len(value) < 16 else b"\xdc" + struct.pack(">H", len(value))
        return head + b"".join(pack(v) for v in value)
    if isinstance(value, dict):
        head = bytes([0x80 | len(value)]) if len(value) < 16 else b"\xde" + struct.pack(">H", len(value))
        return head + b"".join(pack(k) + pack(v) for k, v in value.items())
    raise TypeError(value)


class EventTime:
    def __init__(self, seconds, nanos):
        self.seconds, self.nanos = seconds, nanos


class Raw:
    """A str whose bytes are given as they are (for invalid UTF-8)."""
    def __init__(self, data):
        self.data = data


def kubernetes(container, pod, template_hash):
    return {"pod_name": pod, "namespace_name": "shop", "pod_id": "5e3c2a1b-7f0d-4c1e-9a55-1d2b3c4d5e6f",
            "labels": {"app": container, "pod-template-hash": template_hash},
            "host": "gke-shop-default-pool-1a2b3c4d-x7k2", "container_name": container,
            "docker_id": "3f0b1c2d4e5f", "container_image": "europe-docker.pkg.dev/acme/shop/" + container + ":1.4.2"}


# A Python service crashing on start, as Fluent Bit >= 2.1 posts it from the
# tail input (CRI parser) through the kubernetes filter: [[EventTime, {}], record].
# The traceback arrives one line per event, as tail reads it.
CRASH_LINES = [
    "Traceback (most recent call last):",
    '  File "/app/orders/main.py", line 7, in <module>',
    "    from orders.payments import gateway",
    '  File "/app/orders/payments/gateway.py", line 3, in <module>',
    "    import stripe",
    "ModuleNotFoundError: No module named 'stripe'",
]


def v2_kubernetes():
    out = b""
    base = 1758000000
    meta = kubernetes("orders", "orders-6d5f7c9b8-q2w4e", "6d5f7c9b8")
    for i, line in enumerate(CRASH_LINES):
        # The CRI parser's time went into the event timestamp (Time_Keep Off).
        record = {"stream": "stderr", "_p": "F", "log": line, "kubernetes": meta}
        out += pack([[EventTime(base, 120000000 + i * 1000), {}], record])
    out += pack([[EventTime(base + 1, 5000), {}],
                 {"stream": "stderr", "_p": "F", "log": "Container called exit(1).", "kubernetes": meta}])
    return out


# Fluent Bit before 2.1, and Fluentd's forward entries: [timestamp, record] with
# a float or integer timestamp; no kubernetes metadata, so the service comes from
# the URL's ?service=.
def v1_forward():
    return (pack([1758000100.25, {"log": "Error: Cannot find module 'express'\n", "stream": "stderr"}]) +
            pack([1758000101, {"log": "npm ERR! code ELIFECYCLE\n", "stream": "stderr"}]) +
            pack([EventTime(1758000102, 0), {"message": "worker exited with code 1", "level": "error"}]))


# An OpenTelemetry input's groups: a start marker (seconds -1) with the group's
# metadata and resource attributes, the records, an end marker (seconds -2).
def otel_groups():
    return (pack([[EventTime(-1, 0), {"schema": "otlp", "resource_id": 0, "scope_id": 0}],
                  {"resource": {"attributes": {"service.name": "billing"}}}]) +
            pack([[EventTime(1758000200, 0), {"otlp": {"severity_text": "ERROR"}}],
                  {"service": "billing", "message": "java.lang.OutOfMemoryError: Java heap space"}]) +
            pack([[EventTime(-2, 0), {}], {}]))


# Bad events among good ones, each refused alone: a record that is not a map, a
# string timestamp, invalid UTF-8 in the log, a record with no text; then a body
# cut off inside the last event.
def bad_events():
    good = pack([[EventTime(1758000300, 0), {}], {"service": "api", "log": "panic: runtime error"}])
    return (good +
            pack([[EventTime(1758000301, 0), {}], "not a map"]) +
            pack(["2025-09-16T00:00:00Z", {"service": "api", "log": "x"}]) +
            pack([EventTime(1758000302, 0), {"service": "api", "log": Raw(b"bad \xff byte")}]) +
            pack([EventTime(1758000303, 0), {"service": "api", "stream": "stderr"}]) +
            pack([[EventTime(1758000304, 0), {}], {"service": "api", "log": "goroutine 1 [running]:"}]) +
            pack([EventTime(1758000305, 0), {"service": "api", "log": "main.main()"}])[:-4])


FIXTURES = {
    "v2-tail-kubernetes.msgpack": v2_kubernetes,
    "v1-forward-timestamps.msgpack": v1_forward,
    "otel-groups.msgpack": otel_groups,
    "bad-events.msgpack": bad_events,
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    for name, build in FIXTURES.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(build())


if __name__ == "__main__":
    main()
