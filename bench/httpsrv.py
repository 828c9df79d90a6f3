#!/usr/bin/python3
"""httpsrv.py - the HTTP services of bench/realmix.py: one process serving
N addresses (127.3.0.1 .. 127.3.0.N, one ThreadingHTTPServer each, all on
one port), answering every GET with 200 and a short body, counting the
requests per address.

    httpsrv.py N STATSFILE [--port 8080] [--duration SECONDS]

STATSFILE is rewritten every second: {"127.3.0.1": requests, ...}.
SIGTERM/SIGINT stop it; it always stops after --duration (default 3600).
Addresses outside 127.0.0.0/8 are refused.
SPDX-License-Identifier: MIT
"""
import argparse
import http.server
import json
import os
import signal
import threading
import time

counts = {}
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        body = b'{"status":"ok"}\n'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        with lock:
            k = self.server.server_address[0]
            counts[k] = counts.get(k, 0) + 1

    def log_message(self, *a):
        pass


def addr(i):
    return "127.3.%d.%d" % (i // 250, 1 + i % 250)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("stats")
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--duration", type=float, default=3600)
    a = ap.parse_args()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *x: stop.set())
    signal.signal(signal.SIGINT, lambda *x: stop.set())
    servers = []
    for i in range(a.n):
        s = http.server.ThreadingHTTPServer((addr(i), a.port), Handler)
        s.daemon_threads = True
        counts[addr(i)] = 0
        threading.Thread(target=s.serve_forever, args=(0.2,),
                         daemon=True).start()
        servers.append(s)
    t0 = time.time()
    while not stop.is_set() and time.time() - t0 < a.duration:
        with lock:
            text = json.dumps(counts)
        with open(a.stats + ".tmp", "w") as f:
            f.write(text)
        os.replace(a.stats + ".tmp", a.stats)
        stop.wait(1)
    for s in servers:
        s.shutdown()
        s.server_close()


if __name__ == "__main__":
    main()
