#!/usr/bin/env python3
"""perfrun.py - slamond's CPU per SNMP poll with storage through rrdcached,
at any fleet size, with optional profiles (issue 15, the "perf" work).

    python3 bench/perf/perfrun.py N [--ifaces 4|1] [--interval 60]
            [--cycles 2] [--perf] [--rrdcached-args "-w 300 -z 300"]
            [--tag NAME] [--slamond PATH]

N SNMP devices served by bench/responder (127.100.x.y:16100, 4 interfaces
each); --ifaces 1 lists one interface per device in the inventory's
`interfaces` column, so a large fleet holds one traffic + one status file
per device (bounded disk). slamond from build-bench/ (RelWithDebInfo),
rrdcached on a unix socket with a journal (-j) and the given -w/-z. After
every file is created and two cycles have run, --cycles steady cycles are
measured: slamond and rrdcached CPU (/proc utime + stime), polls (the
responder's answers), voluntary context switches per second per thread
(the wakeups), and with --perf a `perf record -g` of each for 60 s.
The RRD folder is deleted at the end. Results: JSON on stdout's last line.
"""
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import time

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(BENCH)
sys.path.insert(0, BENCH)
import fleet  # noqa: E402
from realmix import cpu, responses, stop  # noqa: E402  (the same /proc reads)

PORT = 16100
started = []


def log(*a):
    print("[perfrun %s]" % time.strftime("%H:%M:%S"), *a, flush=True)


def ctxt(pid):
    """voluntary context switches per thread: {tid: n}"""
    out = {}
    for p in glob.glob("/proc/%d/task/*/status" % pid):
        tid = int(p.split("/")[4])
        try:
            with open(p) as f:
                for line in f:
                    if line.startswith("voluntary_ctxt_switches:"):
                        out[tid] = int(line.split()[1])
        except OSError:
            pass
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("--ifaces", type=int, default=4, choices=(1, 4))
    ap.add_argument("--interval", type=int, default=60)
    ap.add_argument("--cycles", type=int, default=2)
    ap.add_argument("--perf", action="store_true")
    ap.add_argument("--rrdcached-args", default="-w 300 -z 300")
    ap.add_argument("--tag", default="")
    ap.add_argument("--slamond", default="",
                    help="another slamond binary (e.g. a copy of the "
                    "one before a change)")
    a = ap.parse_args()

    slamond = a.slamond or os.path.join(ROOT, "build-bench", "slamond")
    subprocess.run(["make", "-C", BENCH, "-s", "responder"], check=True)
    work = "/tmp/slamon-perfrun-%d" % os.getpid()
    os.makedirs(os.path.join(work, "rrd"))
    os.makedirs(os.path.join(work, "rrdc-journal"))
    sock = os.path.join(work, "rrdcached.sock")
    need = a.n * (a.ifaces * (2067392 + 241816) + 272352)
    free = shutil.disk_usage(work).free
    log("%d devices x %d interfaces: %.1f GB of RRD, %.1f GB free"
        % (a.n, a.ifaces, need / 1e9, free / 1e9))
    if need > free / 2:
        sys.exit("perfrun: more than half the free disk")
    with open(os.path.join(work, "inventory.csv"), "w") as f:
        f.write("unit,name,address,role,parent,profile,interfaces,"
                "capacity_mbps,tags,probe\n")
        for i in range(a.n):
            f.write("u%d,ap-%05d,%s:%d,access,,bench,%s,1000,,snmp\n"
                    % (i // 50, i, fleet.addr(i), PORT,
                       "Gi0/1" if a.ifaces == 1 else ""))
    with open(os.path.join(work, "slamon.conf"), "w") as f:
        f.write("[general]\ninventory = inventory.csv\nstorage_dir = %s\n"
                "rrdcached = unix:%s\nrrd_create_rate = 1000\n"
                "log_level = warn\ntimeout_ms = 2000\nretries = 1\n"
                "max_inflight = 2000\ninterval = %d\n\n[intervals]\n"
                "access = %d\n\n[alerts]\nping = no\n\n"
                "[profile bench]\nversion = 2c\ncommunity = bench\n"
                % (os.path.join(work, "rrd"), sock, a.interval, a.interval))
    rstats = os.path.join(work, "responder.stats")
    total = a.interval * (a.cycles + 4) + 300
    R = {"n": a.n, "ifaces": a.ifaces, "interval": a.interval,
         "rrdcached_args": a.rrdcached_args, "tag": a.tag}
    try:
        resp = subprocess.Popen(
            [os.path.join(BENCH, "responder"), "-n", str(a.n), "-p",
             str(PORT), "-c", "bench", "-s", rstats, "-d", str(total + 120)],
            stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(work, "responder.log"), "w"))
        started.append(resp)
        rrdc = subprocess.Popen(
            ["rrdcached", "-g", "-l", "unix:" + sock, "-b",
             os.path.join(work, "rrd"), "-B", "-F"] +
            a.rrdcached_args.split() +
            ["-j", os.path.join(work, "rrdc-journal"), "-p",
             os.path.join(work, "rrdcached.pid")],
            stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(work, "rrdcached.log"), "w"))
        started.append(rrdc)
        for _ in range(200):
            if os.path.exists(sock):
                break
            time.sleep(0.05)
        t0 = time.time()
        sd = subprocess.Popen(
            [slamond, "-c", os.path.join(work, "slamon.conf"),
             "--duration", str(total)],
            stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(work, "slamond.log"), "w"))
        started.append(sd)
        status = os.path.join(work, "rrd", "status.json")
        created = None
        while time.time() - t0 < a.interval * 2 + 10 or created is None:
            time.sleep(2)
            try:
                with open(status) as f:
                    st = json.load(f)
            except (OSError, ValueError):
                continue
            rs = st.get("rrd", {})
            if created is None and rs.get("queued", 1) == 0 and \
                    rs.get("written", 0) >= a.n * (1 + a.ifaces):
                created = time.time() - t0
            if sd.poll() is not None or time.time() - t0 > total / 2:
                break
        R["files_created_by_s"] = created and round(created, 1)
        with open(status) as f:
            st0 = json.load(f)
        c0 = (cpu(sd.pid), cpu(rrdc.pid), time.time(), responses(rstats),
              ctxt(sd.pid), ctxt(rrdc.pid))
        log("steady: %d cycles of %d s" % (a.cycles, a.interval))
        perfs = []
        if a.perf:
            tag = a.tag or "run"
            for who, pid in (("slamond", sd.pid), ("rrdcached", rrdc.pid)):
                out = "/tmp/perfwork/%s-%s.data" % (who, tag)
                perfs.append(subprocess.Popen(
                    ["perf", "record", "-F", "999", "--call-graph", "dwarf,16384", "-p", str(pid),
                     "-o", out, "--", "sleep", "60"],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        time.sleep(a.cycles * a.interval)
        c1 = (cpu(sd.pid), cpu(rrdc.pid), time.time(), responses(rstats),
              ctxt(sd.pid), ctxt(rrdc.pid))
        for p in perfs:
            p.wait()
        with open(status) as f:
            st1 = json.load(f)
        wall = c1[2] - c0[2]
        polls = (c1[3] or 0) - (c0[3] or 0)
        R["steady_s"] = round(wall, 1)
        R["snmp_polls"] = polls
        R["late"] = st1["polls"]["late"] - st0["polls"]["late"]
        R["skipped"] = st1["polls"]["skipped"] - st0["polls"]["skipped"]
        R["rrd_failed"] = st1["rrd"]["failed"] - st0["rrd"]["failed"]
        R["rrd_written"] = st1["rrd"]["written"] - st0["rrd"]["written"]
        R["cpu_slamond_s"] = round(c1[0] - c0[0], 2)
        R["cpu_rrdcached_s"] = round(c1[1] - c0[1], 2)
        if polls:
            R["ms_per_poll_slamond"] = round(1000 * (c1[0] - c0[0]) / polls, 4)
            R["ms_per_poll_rrdcached"] = round(1000 * (c1[1] - c0[1]) / polls,
                                               4)
            R["ms_per_poll"] = round(R["ms_per_poll_slamond"] +
                                     R["ms_per_poll_rrdcached"], 4)
        R["wakeups_per_s_slamond"] = {
            str(t): round((c1[4].get(t, 0) - c0[4].get(t, 0)) / wall, 1)
            for t in c0[4]}
        R["wakeups_per_s_rrdcached"] = round(
            sum(c1[5].get(t, 0) - c0[5].get(t, 0) for t in c0[5]) / wall, 1)
        stop(sd, 120)
        stop(rrdc, 120)
    finally:
        for p in reversed(started):
            stop(p)
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(R), flush=True)


if __name__ == "__main__":
    main()
