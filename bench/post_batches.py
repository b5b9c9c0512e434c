#!/usr/bin/env python3
"""POSTs an NDJSON file to a running daemon in batches, each batch once, over
keep-alive connections, and prints "seconds requests bytes".

    bench/post_batches.py http://127.0.0.1:8080/v1/logs FILE [--lines 1000] [--connections 2]

Every batch must be answered 200; anything else stops the run with the answer.
"""
import argparse
import http.client
import sys
import threading
import time
import urllib.parse


def batches(path, lines):
    with open(path, "rb") as f:
        batch = []
        for line in f:
            batch.append(line)
            if len(batch) == lines:
                yield b"".join(batch)
                batch = []
        if batch:
            yield b"".join(batch)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("file")
    parser.add_argument("--lines", type=int, default=1000)
    parser.add_argument("--connections", type=int, default=2)
    args = parser.parse_args()
    url = urllib.parse.urlsplit(args.url)
    bodies = list(batches(args.file, args.lines))
    failures = []

    def post(share):
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
        for body in share:
            conn.request("POST", url.path + ("?" + url.query if url.query else ""), body=body,
                         headers={"Content-Type": "application/x-ndjson"})
            response = conn.getresponse()
            answer = response.read()
            if response.status != 200:
                failures.append(f"{response.status}: {answer[:500]!r}")
                return
        conn.close()

    threads = [threading.Thread(target=post, args=(bodies[i::args.connections],)) for i in range(args.connections)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    if failures:
        sys.exit("batch refused: " + failures[0])
    print(f"{elapsed:.6f} {len(bodies)} {sum(len(b) for b in bodies)}")


if __name__ == "__main__":
    main()
