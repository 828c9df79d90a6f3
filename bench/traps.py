#!/usr/bin/python3
"""Trap receiving cost: replays one SNMPv2c trap (captured from net-snmp's
snmptrap) at a paced rate to a receiver on 127.0.0.1 and reports the
receiver's CPU per trap from /proc/PID/stat. Run it against slamond
([traps] enabled, the sender's address a device of the inventory) and
against net-snmp's snmptrapd on the same datagrams, in the same run:

  bench/traps.py --pid PID --port PORT [--n 20000] [--rate 2000]
                 [--src 127.0.0.1] [--oid 1.3.6.1.4.1.8072.2.3.0.1]

Loopback only. Bounded: at most --n datagrams (default 20,000).
"""
import argparse
import os
import socket
import subprocess
import sys
import time


def capture(oid):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    p = subprocess.Popen(["snmptrap", "-v2c", "-c", "public",
                          "127.0.0.1:%d" % port, "", oid,
                          "1.3.6.1.2.1.2.2.1.1.3", "i", "3"])
    s.settimeout(10)
    data, _ = s.recvfrom(65535)
    p.wait()
    return data


def cpu(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--rate", type=int, default=2000)
    ap.add_argument("--src", default="127.0.0.1")
    ap.add_argument("--oid", default="1.3.6.1.4.1.8072.2.3.0.1")
    a = ap.parse_args()
    if not a.src.startswith("127.") or a.n > 20000:
        sys.exit("loopback sources and at most 20000 datagrams")
    data = capture(a.oid)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((a.src, 0))
    c0, t0 = cpu(a.pid), time.time()
    for i in range(a.n):
        s.sendto(data, ("127.0.0.1", a.port))
        if i % 100 == 99:
            d = t0 + (i + 1) / a.rate - time.time()
            if d > 0:
                time.sleep(d)
    time.sleep(3)  # the last batch written
    c1 = cpu(a.pid)
    print("%d traps at %d/s: %.2f s CPU, %.1f us per trap"
          % (a.n, a.rate, c1 - c0, (c1 - c0) / a.n * 1e6))


main()
