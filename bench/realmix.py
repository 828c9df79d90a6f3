#!/usr/bin/env python3
"""realmix.py - the bureau's real mix on this machine, storage on (issue 15).

    python3 bench/realmix.py [--scale S] [--interval 60] [--cycles 3]
                             [--no-collectd] [--keep]

The mix at --scale 1: 4 backbone/exit routers, 30 core/aggregation
switches, 520 access points (SNMP, served by bench/responder on
127.100.x.y:16100; the responder gives every agent 4 interfaces, so the
switches have 4, not 48: their disk is added by arithmetic), 7,300 IoT
terminals and 28,000 cameras (probe icmp, 127.2.x.y: Linux answers every
127/8 address on lo). --scale multiplies every count (at least 1 each).
Every role is polled every --interval seconds (60 by default: the shipped
configuration polls access points, cameras and IoT terminals every 300 s,
so this is five times their load). slamond (build-bench/, RelWithDebInfo)
writes through rrdcached (unix socket); after the files are created the
script measures --cycles steady cycles: slamond + rrdcached CPU (% of one
core, ms per poll, per SNMP poll), RSS, late/skipped polls, RRD rows
failed. Then collectd (snmp + rrdtool plugins) polls the SNMP part with
the same OIDs for the same time, its CPU per poll measured the same way.
Disk: the RRD folder measured (`du`), and the full mix for 400 days by the
file sizes of docs/storage.md. Writes bench/results/realmix-DATE.md; the
RRD files are deleted at the end (--keep keeps them).
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
sys.path.insert(0, BENCH)
import fleet  # noqa: E402  (addr(), the OIDs)

TICK = os.sysconf("SC_CLK_TCK")
PORT = 16100
IF_BYTES = 2067392 + 241816  # if-*.v3.rrd + st-*.v3.rrd
DEV_BYTES = 272352           # device.v3.rrd
MIX = [("backbone", 2, "snmp"), ("exit", 2, "snmp"), ("core", 4, "snmp"),
       ("aggregation", 26, "snmp"), ("access", 520, "snmp"),
       ("iot", 7300, "icmp"), ("camera", 28000, "icmp")]
started = []


def log(*a):
    print("[realmix %s]" % time.strftime("%H:%M:%S"), *a, flush=True)


def cpu(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read()
        fl = st[st.rindex(")") + 2:].split()
        return (int(fl[11]) + int(fl[12])) / TICK
    except (OSError, ValueError, IndexError):
        return None


def mem_kb(pid, key):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def stop(p, wait=30):
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(wait)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def responses(path):
    try:
        with open(path) as f:
            return int(f.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None


def icmp_addr(i):
    return "127.2.%d.%d" % (i // 250, 1 + i % 250)


def write_fleet(d, scale, interval, sock, snmp_only=False):
    n_snmp = n_icmp = 0
    rows = []
    counts = {}
    for role, n, probe in MIX:
        k = max(1, int(round(n * scale)))
        if snmp_only and probe == "icmp":
            k = 0
        counts[role] = k
        for j in range(k):
            if probe == "snmp":
                a = "%s:%d" % (fleet.addr(n_snmp), PORT)
                rows.append("单位%d,%s-%05d,%s,%s,,bench,,1000,,snmp"
                            % (j // 50, role, j, a, role))
                n_snmp += 1
            else:
                rows.append("单位%d,%s-%05d,%s,%s,,,,,,icmp"
                            % (j // 500, role, j, icmp_addr(n_icmp), role))
                n_icmp += 1
    with open(os.path.join(d, "inventory.csv"), "w", encoding="utf-8") as f:
        f.write("unit,name,address,role,parent,profile,interfaces,"
                "capacity_mbps,tags,probe\n")
        f.write("\n".join(rows) + "\n")
    with open(os.path.join(d, "slamon.conf"), "w") as f:
        f.write("[general]\ninventory = inventory.csv\nstorage_dir = %s\n"
                "rrdcached = unix:%s\nrrd_create_rate = 1000\n"
                "log_level = warn\ntimeout_ms = 2000\nretries = 1\n"
                "interval = %d\n\n[intervals]\n" % (os.path.join(d, "rrd"),
                                                    sock, interval))
        for role, _, _ in MIX:
            f.write("%s = %d\n" % (role, interval))
        f.write("\n[alerts]\nping = no\n\n"
                "[profile bench]\nversion = 2c\ncommunity = bench\n")
    return n_snmp, n_icmp, counts


def collectd_conf(d, n_snmp, interval):
    """fleet.py's collectd.conf for the SNMP part, plus the rrdtool plugin."""
    cd = os.path.join(d, "collectd")
    os.makedirs(cd, exist_ok=True)
    subprocess.run([sys.executable, os.path.join(BENCH, "fleet.py"),
                    str(n_snmp), cd, "--interval", str(interval)], check=True)
    conf = os.path.join(cd, "collectd.conf")
    with open(conf) as f:
        text = f.read()
    text = text.replace("LoadPlugin snmp\n",
                        'LoadPlugin rrdtool\n<Plugin rrdtool>\n'
                        '  DataDir "%s"\n  CacheTimeout 120\n'
                        '  CacheFlush 900\n  WritesPerSecond 50\n'
                        '</Plugin>\nLoadPlugin snmp\n'
                        % os.path.join(cd, "rrd"), 1)
    with open(conf, "w") as f:
        f.write(text)
    return conf


def du(path):
    out = subprocess.run(["du", "-sb", path], capture_output=True, text=True)
    try:
        return int(out.stdout.split()[0])
    except (ValueError, IndexError):
        return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--interval", type=int, default=60)
    ap.add_argument("--cycles", type=int, default=3)
    ap.add_argument("--no-collectd", action="store_true")
    ap.add_argument("--snmp-only", action="store_true",
                    help="no ICMP devices: slamond's CPU per SNMP poll alone")
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    if a.snmp_only:
        MIX[:] = [m for m in MIX if m[2] == "snmp"]

    slamond = os.path.join(ROOT, "build-bench", "collector", "slamond")
    if not os.path.exists(slamond):
        slamond = os.path.join(ROOT, "build-bench", "slamond")
    subprocess.run(["make", "-C", BENCH, "-s", "responder"], check=True)
    work = "/tmp/slamon-realmix-%d" % os.getpid()
    os.makedirs(work)
    sock = os.path.join(work, "rrdcached.sock")
    n_snmp, n_icmp, counts = write_fleet(work, a.scale, a.interval, sock,
                                         a.snmp_only)
    need = n_snmp * (4 * IF_BYTES + DEV_BYTES) + n_icmp * DEV_BYTES
    free = shutil.disk_usage(work).free
    log("%d SNMP devices (%d interfaces), %d ICMP devices: %.1f GB of RRD "
        "files, %.1f GB free" % (n_snmp, 4 * n_snmp, n_icmp, need / 1e9,
                                 free / 1e9))
    if need > free / 2:
        sys.exit("realmix: that is more than half the free disk: "
                 "use a smaller --scale")
    R = {"scale": a.scale, "interval": a.interval, "counts": counts,
         "snmp_only": a.snmp_only,
         "n_snmp": n_snmp, "n_icmp": n_icmp}
    rstats = os.path.join(work, "responder.stats")
    dur = a.interval * (a.cycles + 8) + 600
    try:
        resp = subprocess.Popen(
            [os.path.join(BENCH, "responder"), "-n", str(n_snmp), "-p",
             str(PORT), "-c", "bench", "-s", rstats, "-d", str(dur)],
            stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(work, "responder.log"), "w"))
        started.append(resp)
        os.makedirs(os.path.join(work, "rrd"))
        os.makedirs(os.path.join(work, "rrdc-journal"))
        rrdc = subprocess.Popen(
            ["rrdcached", "-g", "-l", "unix:" + sock, "-b",
             os.path.join(work, "rrd"), "-B", "-F", "-w", "300", "-z",
             "300", "-j", os.path.join(work, "rrdc-journal"), "-p",
             os.path.join(work, "rrdcached.pid")],
            stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(work, "rrdcached.log"), "w"))
        started.append(rrdc)
        for _ in range(200):
            if os.path.exists(sock):
                break
            time.sleep(0.05)
        t_start = time.time()
        sd = subprocess.Popen(
            [slamond, "-c", os.path.join(work, "slamon.conf"), "--duration",
             str(a.interval * (a.cycles + 3) + 60)],
            stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(work, "slamond.log"), "w"))
        started.append(sd)
        status = os.path.join(work, "rrd", "status.json")
        # warm-up: every file created, two cycles done
        created_by = None
        while time.time() - t_start < a.interval * 2 + 10 or created_by is None:
            time.sleep(2)
            try:
                with open(status) as f:
                    st = json.load(f)
            except (OSError, ValueError):
                continue
            if created_by is None and st.get("rrd", {}).get("queued", 1) == 0 \
                    and st["rrd"].get("written", 0) >= n_snmp + n_icmp:
                created_by = time.time() - t_start
            if sd.poll() is not None or time.time() - t_start > dur / 2:
                break
        R["warmup_s"] = round(time.time() - t_start, 1)
        R["files_created_by_s"] = created_by and round(created_by, 1)
        with open(status) as f:
            st0 = json.load(f)
        c0 = (cpu(sd.pid), cpu(rrdc.pid), time.time(), responses(rstats))
        log("steady: measuring %d cycles of %d s" % (a.cycles, a.interval))
        rss_max = 0
        t_end = time.time() + a.cycles * a.interval
        while time.time() < t_end and sd.poll() is None:
            time.sleep(5)
            rss_max = max(rss_max, mem_kb(sd.pid, "VmRSS") or 0)
        c1 = (cpu(sd.pid), cpu(rrdc.pid), time.time(), responses(rstats))
        with open(status) as f:
            st1 = json.load(f)
        R["rss_kb"] = rss_max
        R["hwm_kb"] = mem_kb(sd.pid, "VmHWM")
        R["rrdcached_rss_kb"] = mem_kb(rrdc.pid, "VmRSS")
        wall = c1[2] - c0[2]
        polls = st1["polls"]["done"] - st0["polls"]["done"]
        snmp_polls = (c1[3] or 0) - (c0[3] or 0)
        R["steady_s"] = round(wall, 1)
        R["polls"] = polls
        R["snmp_polls"] = snmp_polls
        R["late"] = st1["polls"]["late"] - st0["polls"]["late"]
        R["skipped"] = st1["polls"]["skipped"] - st0["polls"]["skipped"]
        R["rrd"] = st1.get("rrd")
        R["cpu_slamond_s"] = round(c1[0] - c0[0], 2)
        R["cpu_rrdcached_s"] = round(c1[1] - c0[1], 2)
        tot = R["cpu_slamond_s"] + R["cpu_rrdcached_s"]
        R["cpu_pct_core"] = round(100 * tot / wall, 2)
        R["ms_per_poll"] = round(1000 * tot / polls, 4) if polls else None
        R["ms_per_snmp_poll_all_cpu"] = (round(1000 * tot / snmp_polls, 3)
                                         if snmp_polls else None)
        log("steady: %s" % json.dumps(R, ensure_ascii=False))
        stop(sd, 120)
        stop(rrdc, 120)
        R["disk_bytes"] = du(os.path.join(work, "rrd"))
        if not a.no_collectd and os.path.exists("/usr/lib/collectd/snmp.so"):
            conf = collectd_conf(work, n_snmp, a.interval)
            exe = shutil.which("collectd") or "/usr/sbin/collectd"
            cd = subprocess.Popen([exe, "-f", "-C", conf],
                                  stdout=subprocess.DEVNULL,
                                  stderr=open(os.path.join(work, "collectd.err"), "w"))
            started.append(cd)
            time.sleep(a.interval + 5)  # its first cycle creates files
            k0 = (cpu(cd.pid), time.time(), responses(rstats))
            time.sleep(a.cycles * a.interval)
            k1 = (cpu(cd.pid), time.time(), responses(rstats))
            ok = cd.poll() is None
            stop(cd)
            n = (k1[2] or 0) - (k0[2] or 0)
            R["collectd"] = {
                "running": ok, "cpu_s": round(k1[0] - k0[0], 2) if ok else None,
                "polls": n, "wall_s": round(k1[1] - k0[1], 1),
                "ms_per_poll": round(1000 * (k1[0] - k0[0]) / n, 3)
                if ok and n else None}
            log("collectd: %s" % R["collectd"])
    finally:
        for p in reversed(started):
            stop(p)
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)

    full_if = (4 + 30) * 48 + 520 * 4
    full_dev = 4 + 30 + 520 + 7300 + 28000
    R["full_mix_400d_bytes"] = full_if * IF_BYTES + full_dev * DEV_BYTES
    m = "%s, %d CPUs, %s" % (platform.processor() or platform.machine(),
                             os.cpu_count(), platform.release())
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    m = "%s, %d CPUs, Linux %s" % (line.split(":", 1)[1].strip(),
                                                   os.cpu_count(),
                                                   platform.release())
                    break
    except OSError:
        pass
    R["machine"] = m
    os.makedirs(os.path.join(BENCH, "results"), exist_ok=True)
    out = os.path.join(BENCH, "results", "realmix-%s.json"
                       % datetime.datetime.utcnow().strftime("%Y%m%d-%H%M%S"))
    with open(out, "w") as f:
        json.dump(R, f, indent=1, ensure_ascii=False)
    log("wrote %s" % out)


if __name__ == "__main__":
    main()
