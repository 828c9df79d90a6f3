#!/usr/bin/env python3
"""rrdcached_rows.py - rrdcached's CPU per row against its -w (issue 15).

    python3 bench/rrdcached_rows.py [--devices N] [--rows K ...]

What does a stored SNMP poll cost rrdcached, and how does it fall with
the rows a file gathers before rrdcached writes it (-w)? rrdcached writes
a file when its oldest cached row is -w seconds old (wall clock), so at
-w 300 a file written every minute gets ~5 rows a write, at -w 1800 ~30.
Steady state at -w 1800 takes an hour to reach; this reproduces it in
seconds: N devices' three layout-4 files (device, graph-only traffic,
status: docs/storage.md), created through rrdcached (CREATE), then for
each K: K minutes of rows for every file sent as BATCH (what slamond's
writer sends), FLUSHALL, and wait until rrdcached has written them all
(STATS: QueueLength 0). rrdcached's own CPU (/proc user + system) over
that, per row received and per device poll (3 rows), is what it costs in
steady state at -w = 60 K. Files in a temporary folder, deleted.
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

TICK = os.sysconf("SC_CLK_TCK")
HB = "900"
# layout 4 (storage/rrdlayout.c, docs/storage.md): device, graph-only
# traffic, status
LAYOUTS = {
    "device": ["DS:latency_ms:GAUGE:%s:0:U" % HB, "DS:loss:GAUGE:%s:0:1" % HB,
               "RRA:AVERAGE:0.5:1:2880", "RRA:AVERAGE:0.5:5:4032",
               "RRA:AVERAGE:0.5:60:9600", "RRA:MAX:0.5:1440:400"],
    "if": ["DS:in:GAUGE:%s:0:U" % HB, "DS:out:GAUGE:%s:0:U" % HB,
           "RRA:AVERAGE:0.5:1:4320", "RRA:AVERAGE:0.5:5:4032",
           "RRA:AVERAGE:0.5:60:9600", "RRA:MAX:0.5:60:9600"],
    "st": ["DS:oper:GAUGE:%s:0:1" % HB] +
          ["DS:%s:GAUGE:%s:0:U" % (n, HB)
           for n in ("inerr", "outerr", "indisc", "outdisc")] +
          ["RRA:AVERAGE:0.5:1:4320", "RRA:AVERAGE:0.5:60:840",
           "RRA:AVERAGE:0.5:1440:400", "RRA:MAX:0.5:1440:400"],
}
NCOLS = {"device": 2, "if": 2, "st": 5}


def cpu(pid):
    with open("/proc/%d/stat" % pid) as f:
        fl = f.read().rsplit(")", 1)[1].split()
    return (int(fl[11]) + int(fl[12])) / TICK


class Conn:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.connect(path)
        self.f = self.s.makefile("rb")

    def cmd(self, line):
        self.s.sendall(line.encode() + b"\n")
        head = self.f.readline().decode()
        n = int(head.split()[0])
        return head, [self.f.readline().decode() for _ in range(max(n, 0))]

    def batch(self, lines):
        self.s.sendall(b"BATCH\n")
        self.f.readline()
        self.s.sendall(("\n".join(lines) + "\n.\n").encode())
        head = self.f.readline().decode()
        n = int(head.split()[0])
        errs = [self.f.readline().decode() for _ in range(max(n, 0))]
        return n, errs

    def stats(self):
        _, lines = self.cmd("STATS")
        return {k.strip(): int(v) for k, v in
                (l.split(":", 1) for l in lines)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--devices", type=int, default=2000)
    ap.add_argument("--rows", type=int, nargs="+", default=[5, 30, 60])
    a = ap.parse_args()
    d = tempfile.mkdtemp(prefix="slamon-rrdc-rows-")
    sock = os.path.join(d, "rrdcached.sock")
    os.makedirs(os.path.join(d, "rrd"))
    os.makedirs(os.path.join(d, "journal"))
    p = subprocess.Popen(["rrdcached", "-g", "-l", "unix:" + sock, "-b",
                          os.path.join(d, "rrd"), "-B", "-F", "-w", "86400",
                          "-z", "1", "-f", "86400", "-j",
                          os.path.join(d, "journal")],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    R = {"devices": a.devices, "runs": []}
    print("%d devices, %d files; rounds of %s rows a file" % (a.devices, 3 * a.devices, a.rows), flush=True)
    try:
        for _ in range(200):
            if os.path.exists(sock):
                break
            time.sleep(0.05)
        c = Conn(sock)
        t0 = 1764547200  # 2025-12-01 00:00 UTC
        files = []
        for i in range(a.devices):
            dd = os.path.join(d, "rrd", "ap-%05d" % i)
            os.makedirs(dd)
            for kind in ("device", "if", "st"):
                path = os.path.join(dd, "%s.v4.rrd" % kind)
                head, _ = c.cmd("CREATE %s -s 60 -b %d %s" % (
                    path, t0, " ".join(LAYOUTS[kind])))
                if not head.startswith("0"):
                    sys.exit("CREATE %s: %s" % (path, head))
                files.append((path, NCOLS[kind]))
        t = t0
        # one unmeasured round: rrdcached's cache entry of every file made
        # (in steady state they exist), every file written once
        for k in [1] + a.rows:
            c0 = cpu(p.pid)
            s0 = c.stats()
            w0 = time.time()
            for m in range(k):
                t += 60
                lines = []
                for j, (path, n) in enumerate(files):
                    v = ":".join(str((j * 7 + m * 13 + q) % 1000 * 1000)
                                 for q in range(n))
                    lines.append("UPDATE %s %d:%s" % (path, t, v))
                n, errs = c.batch(lines)
                if n:
                    sys.exit("BATCH: %d errors, first %s" % (n, errs[:1]))
            c1 = cpu(p.pid)
            c.cmd("FLUSHALL")
            while True:
                st = c.stats()
                if st["QueueLength"] == 0 and \
                        st["UpdatesWritten"] - s0["UpdatesWritten"] >= len(files):
                    break
                time.sleep(0.2)
            c2 = cpu(p.pid)
            if run_is_warmup(R, k):
                continue
            rows = k * len(files)
            run = {"rows_per_write": k, "w_equivalent_s": 60 * k,
                   "rows": rows, "files_written":
                   st["UpdatesWritten"] - s0["UpdatesWritten"],
                   "cpu_receive_s": round(c1 - c0, 2),
                   "cpu_write_s": round(c2 - c1, 2),
                   "wall_s": round(time.time() - w0, 1)}
            tot = c2 - c0
            run["us_per_row"] = round(1e6 * tot / rows, 2)
            run["ms_per_poll_3_files"] = round(1e3 * tot / rows * 3, 4)
            R["runs"].append(run)
            print("rows a write %3d (-w %5d s): %d rows, receive %.2f s + "
                  "write %.2f s CPU: %.1f us a row, %.4f ms a device poll "
                  "(3 files)" % (k, 60 * k, rows, c1 - c0, c2 - c1,
                                 run["us_per_row"],
                                 run["ms_per_poll_3_files"]), flush=True)
    finally:
        p.terminate()
        p.wait(60)
        shutil.rmtree(d, ignore_errors=True)
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results",
                       "rrdcached_rows-%s.json" % time.strftime("%Y%m%d-%H%M%S",
                                                                time.gmtime()))
    with open(out, "w") as f:
        json.dump(R, f, indent=1)
    print("wrote", out)


def run_is_warmup(R, k):
    """The first round (k = 1) is the warm-up."""
    if not R.get("warm"):
        R["warm"] = True
        return True
    return False


if __name__ == "__main__":
    main()
