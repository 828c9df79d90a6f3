#!/usr/bin/env python3
"""web_bench.py - the web server under load while slamond polls a fleet
(issue 12; not a timed test). docs/benchmarks.md, "Web server".

    python3 bench/web_bench.py [--n 28000] [--interval 60] [--clients 50]
                               [--seconds 30] [--slamond PATH]

Starts bench/responder (the simulated fleet on 127.100.0.0/16), writes the
fleet's files (bench/fleet.py) with a [web] section and a user, starts
slamond (--no-rrd: the disk is not what is measured), waits until every
device was polled once, then, with polling going on:
  1. GET /api/v1/overview from --clients concurrent connections for
     --seconds (wrk), latency percentiles;
  2. full /metrics scrapes one after the other (curl), time and size;
  3. late and skipped polls before and after (status.json).
Prints a Markdown table and writes bench/results/web-<date>.md. Traffic
stays on 127.0.0.0/8. Needs wrk (Debian wrk), curl, and make -C bench.
"""
import argparse
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)


def free_port(lo):
    for p in range(lo, lo + 500):
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", p))
            return p
        except OSError:
            pass
        finally:
            s.close()
    raise SystemExit("no free port")


def status(d):
    try:
        with open(os.path.join(d, "rrd", "status.json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def curl(args):
    return subprocess.run(["curl", "-s"] + args, capture_output=True,
                          text=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=28000)
    ap.add_argument("--interval", type=int, default=60)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=int, default=30)
    ap.add_argument("--scrapes", type=int, default=5)
    ap.add_argument("--slamond", default=os.path.join(ROOT, "build-bench",
                                                      "slamond"))
    ap.add_argument("--slamon", default=None)
    a = ap.parse_args()
    slamon = a.slamon or os.path.join(os.path.dirname(a.slamond), "slamon")
    subprocess.run(["make", "-C", BENCH, "-s", "responder"], check=True)
    work = tempfile.mkdtemp(prefix="slamon-webbench-")
    port = 26100 + secrets.randbelow(2000)
    web_port = free_port(18800)
    procs = []

    def stop_all(*_):
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
    try:
        resp = subprocess.Popen([os.path.join(BENCH, "responder"), "-n",
                                 str(a.n), "-p", str(port), "-c", "bench",
                                 "-d", "1800"],
                                stderr=open(os.path.join(work, "resp.log"),
                                            "w"))
        procs.append(resp)
        subprocess.run([sys.executable, os.path.join(BENCH, "fleet.py"),
                        str(a.n), work, "--port", str(port), "--community",
                        "bench", "--interval", str(a.interval)], check=True)
        pw = secrets.token_urlsafe(12)
        with open(os.path.join(work, "slamon.conf"), "a") as f:
            f.write("\n[web]\nlisten = 127.0.0.1:%d\nusers_file = users\n"
                    % web_port)
        subprocess.run([slamon, "user", "add", "bench", "--role", "viewer",
                        "--password-stdin", "--users",
                        os.path.join(work, "users")], input=pw + "\n",
                       text=True, check=True, capture_output=True)
        t0 = time.time()
        d = subprocess.Popen([a.slamond, "-c",
                              os.path.join(work, "slamon.conf"), "--no-rrd"],
                             stderr=open(os.path.join(work, "slamond.log"),
                                         "w"))
        procs.append(d)
        while True:
            st = status(work)
            if st and st["polls"]["done"] >= a.n:
                break
            if d.poll() is not None or time.time() - t0 > a.interval * 4:
                raise SystemExit("slamond did not poll the fleet once; "
                                 "see %s/slamond.log" % work)
            time.sleep(1)
        # one more interval: discovery done, steady polling
        time.sleep(a.interval)
        st0 = status(work)
        r = curl(["-c", os.path.join(work, "cj"), "-d",
                  json.dumps({"user": "bench", "password": pw}),
                  "http://127.0.0.1:%d/api/v1/login" % web_port])
        m = re.search(r"slamon_session\s+([0-9a-f]{64})",
                      open(os.path.join(work, "cj")).read())
        if not m:
            raise SystemExit("login failed: %s" % r.stdout)
        cookie = m.group(1)
        base = "http://127.0.0.1:%d" % web_port
        # 1. overview under 50 connections
        w = subprocess.run(["wrk", "-t", "2", "-c", str(a.clients), "-d",
                            "%ds" % a.seconds, "--latency", "-H",
                            "Cookie: slamon_session=" + cookie,
                            base + "/api/v1/overview"],
                           capture_output=True, text=True)
        lat = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", w.stdout,
                              re.M))
        rps = re.search(r"Requests/sec:\s+(\S+)", w.stdout)
        non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", w.stdout)
        # 2. full /metrics scrapes
        scrapes = []
        for _ in range(a.scrapes):
            c = curl(["-o", os.path.join(work, "metrics.txt"), "-w",
                      "%{time_total} %{size_download} %{http_code}",
                      base + "/metrics"])
            t, size, code = c.stdout.split()
            scrapes.append((float(t), int(size), code))
        lines = sum(1 for _ in open(os.path.join(work, "metrics.txt"),
                                    errors="replace"))
        st1 = status(work)
        late = (st1["polls"]["late"] - st0["polls"]["late"],
                st1["polls"]["skipped"] - st0["polls"]["skipped"])
        polls = st1["polls"]["done"] - st0["polls"]["done"]
        ov = curl(["-w", " %{time_total} %{size_download}", "-b",
                   "slamon_session=" + cookie, base + "/api/v1/overview"])
        ov_size = ov.stdout.rsplit(" ", 1)[-1]
        stamp = time.strftime("%Y%m%d-%H%M%S")
        md = []
        md.append("## Web server at %d devices (%s)" % (a.n, stamp))
        md.append("")
        md.append("slamond --no-rrd polling %d devices (4 interfaces each) "
                  "every %d s; %d concurrent connections (wrk, 2 threads) "
                  "on GET /api/v1/overview for %d s; then %d full /metrics "
                  "scrapes (curl, one after the other)."
                  % (a.n, a.interval, a.clients, a.seconds, a.scrapes))
        md.append("")
        md.append("| measure | value |")
        md.append("|---|---|")
        md.append("| overview latency p50 / p75 / p90 / p99 | %s / %s / %s "
                  "/ %s |" % (lat.get("50"), lat.get("75"), lat.get("90"),
                              lat.get("99")))
        md.append("| overview requests/s | %s |"
                  % (rps.group(1) if rps else "?"))
        md.append("| overview non-2xx answers | %s |"
                  % (non2xx.group(1) if non2xx else "0"))
        md.append("| overview size | %s bytes |" % ov_size)
        md.append("| /metrics scrape time (min / max) | %.3f s / %.3f s |"
                  % (min(s[0] for s in scrapes), max(s[0] for s in scrapes)))
        md.append("| /metrics size | %d bytes, %d lines |"
                  % (scrapes[-1][1], lines))
        md.append("| polls during the measurement | %d |" % polls)
        md.append("| late / skipped polls during it | %d / %d |" % late)
        md.append("")
        text = "\n".join(md)
        print(text)
        print(w.stdout, file=sys.stderr)
        os.makedirs(os.path.join(BENCH, "results"), exist_ok=True)
        with open(os.path.join(BENCH, "results", "web-%s.md" % stamp),
                  "w") as f:
            f.write(text + "\n\n```\n" + w.stdout + "```\n")
    finally:
        stop_all()
        subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()
