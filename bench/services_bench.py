#!/usr/bin/python3
"""services_bench.py - CPU per HTTP(S) check: slamond's service probe
(libcurl multi on its libuv loop) against curl on the same local server,
in one run (docs/benchmarks.md, "Service probes").

  /usr/bin/python3 bench/services_bench.py [--slamond PATH] [--services 50]
      [--seconds 30] [--curl-runs 300]

For each of http and https: a local server (Python, threaded, on
127.0.0.1, TLS with a throw-away self-signed certificate) counts the
requests it answers per path. slamond runs twice for --seconds: with no
service (its idle CPU) and with --services [service] sections checking
/slamond every second; its CPU per check is (CPU with - CPU without) /
requests the server counted. curl is run --curl-runs times, one process
per check (what a cron or Nagios check_http style monitor does), and once
with --curl-runs URLs in one process with "Connection: close" (libcurl
alone, a fresh connection each, like slamond); CPU from the children's
rusage. Not a test: it prints a Markdown table.
SPDX-License-Identifier: MIT
"""
import argparse
import http.server
import os
import platform
import resource
import socketserver
import ssl
import subprocess
import sys
import tempfile
import threading
import time

COUNTS = {}
LOCK = threading.Lock()


class Pages(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        key = self.path.split("?")[0]
        with LOCK:
            COUNTS[key] = COUNTS.get(key, 0) + 1
        body = b"<html>slamon bench ok</html>"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def handle_error(self, request, client_address):
        pass


def cpu_of(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_slamond(binary, work, scheme, port, nsvc, seconds):
    os.makedirs(work, exist_ok=True)
    with open(os.path.join(work, "inv.csv"), "w") as f:
        f.write("unit,name,address,role,parent,profile,interfaces,"
                "capacity_mbps,tags\n")
    conf = ["[general]", "inventory = inv.csv", "storage_dir = data",
            "user = root", "log_level = warn", "[alerts]", "ping = no",
            "[profile p]", "version = 2c", "community = public"]
    for i in range(nsvc):
        conf += [f"[service s{i}]", f"type = {scheme}",
                 f"url = {scheme}://127.0.0.1:{port}/slamond",
                 "interval = 1", "timeout = 1", "down_after = 100"]
        if scheme == "https":
            conf += ["ca_file = cert.pem"]
    with open(os.path.join(work, "c.conf"), "w") as f:
        f.write("\n".join(conf) + "\n")
    with LOCK:
        COUNTS["/slamond"] = 0
    p = subprocess.Popen([binary, "-c", os.path.join(work, "c.conf"),
                          "--duration", str(seconds + 30)],
                         stderr=subprocess.DEVNULL)
    time.sleep(2)  # start-up and the first checks' offsets
    c0, n0 = cpu_of(p.pid), COUNTS["/slamond"]
    time.sleep(seconds)
    c1, n1 = cpu_of(p.pid), COUNTS["/slamond"]
    p.terminate()
    p.wait(timeout=20)
    return c1 - c0, n1 - n0


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_curl(scheme, port, runs, cert):
    url = f"{scheme}://127.0.0.1:{port}/curl"
    extra = ["--cacert", cert] if scheme == "https" else []
    c0 = children_cpu()
    t0 = time.monotonic()
    for _ in range(runs):
        subprocess.run(["curl", "-s", "-o", "/dev/null"] + extra + [url],
                       check=True)
    per_proc = (children_cpu() - c0) / runs
    wall_proc = (time.monotonic() - t0) / runs
    c0 = children_cpu()
    args = ["curl", "-s", "-H", "Connection: close"] + extra
    for _ in range(runs):
        args += ["-o", "/dev/null", url]
    subprocess.run(args, check=True)
    one_proc = (children_cpu() - c0) / runs
    return per_proc, wall_proc, one_proc


def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--slamond", default=os.path.join(
        here, "..", "build-bench", "slamond"))
    ap.add_argument("--services", type=int, default=50)
    ap.add_argument("--seconds", type=int, default=30)
    ap.add_argument("--curl-runs", type=int, default=300)
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="slamon-svcbench-")
    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    rows = []
    for scheme in ("http", "https"):
        srv = Server(("127.0.0.1", 0), Pages)
        if scheme == "https":
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(cert, key)
            srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        port = srv.server_address[1]
        work = os.path.join(tmp, scheme)
        os.makedirs(work, exist_ok=True)
        subprocess.run(["cp", cert, os.path.join(work, "cert.pem")],
                       check=True)
        idle, _ = run_slamond(a.slamond, os.path.join(work, "idle"),
                              scheme, port, 0, a.seconds)
        os.makedirs(os.path.join(work, "busy"), exist_ok=True)
        subprocess.run(["cp", cert, os.path.join(work, "busy", "cert.pem")],
                       check=True)
        busy, n = run_slamond(a.slamond, os.path.join(work, "busy"),
                              scheme, port, a.services, a.seconds)
        per_proc, wall, one = run_curl(scheme, port, a.curl_runs, cert)
        srv.shutdown()
        rows.append((scheme, n, busy, idle,
                     (busy - idle) / n if n else float("nan"),
                     per_proc, wall, one))
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    print(f"machine: {cpu}, {os.cpu_count()} CPUs, "
          f"load {os.getloadavg()[0]:.1f}; {platform.platform()}; "
          f"{a.services} services every 1 s for {a.seconds} s; "
          f"curl {a.curl_runs} runs")
    print()
    print("| scheme | slamond checks | slamond CPU (s), idle (s) | "
          "slamond CPU per check | curl per process (CPU, wall) | "
          "curl, one process, fresh connections |")
    print("|---|---|---|---|---|---|")
    for s, n, busy, idle, per, pp, wall, one in rows:
        print(f"| {s} | {n} | {busy:.2f}, {idle:.2f} | {per * 1e6:.0f} us "
              f"| {pp * 1e6:.0f} us, {wall * 1e3:.1f} ms | "
              f"{one * 1e6:.0f} us |")
    subprocess.run(["rm", "-rf", tmp])


if __name__ == "__main__":
    sys.exit(main())
