#!/usr/bin/env python3
"""Records OTLP/HTTP log exports: each POST's body is written as it arrived
(still gzip-compressed when sent so) to OUT_DIR/<n>-<content type>[.gz], with its
headers beside it; the answer is OTLP's full success for that encoding.

    python3 listen.py PORT OUT_DIR
"""
import http.server
import os
import sys

out_dir = sys.argv[2]
count = 0


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        global count
        body = self.read_body()
        kind = "json" if "json" in self.headers.get("Content-Type", "") else "pb"
        name = f"{count}-{kind}" + (".gz" if self.headers.get("Content-Encoding") == "gzip" else "")
        count += 1
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(body)
        with open(os.path.join(out_dir, name + ".headers"), "w") as f:
            f.write(f"{self.command} {self.path}\n{self.headers}")
        answer = b"{}" if kind == "json" else b""
        self.send_response(200)
        self.send_header("Content-Type", "application/json" if kind == "json" else "application/x-protobuf")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() != "chunked":
            return self.rfile.read(int(self.headers.get("Content-Length", "0")))
        body = b""
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip(), 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return body
            body += self.rfile.read(size)
            self.rfile.readline()

    def log_message(self, *args):
        pass


http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
