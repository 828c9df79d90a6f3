#!/usr/bin/env python3
"""realmix.py - the bureau's real mix on this machine, storage on (issue 15).

    python3 bench/realmix.py [--scale S] [--intervals shipped | --interval N]
                             [--cycles 3] [--warmup S] [--no-collectd]
                             [--snmp-only] [--keep] [--plan]
    python3 bench/realmix.py --snmp-fleet N [--ifaces K] [--stored-ifaces M]
                             [--interval 60] [--cycles 3] [--warmup S]
                             [--no-collectd] [--keep] [--plan]

Run as root (it creates a network namespace). Needs build-bench/ (slamond,
RelWithDebInfo, no sanitizers:
    cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=RelWithDebInfo
    nice -n 10 cmake --build build-bench -j2 --target slamond),
rrdcached, collectd (collectd-core: snmp.so, rrdtool.so), /usr/bin/python3;
bench/responder is built by the script (make -C bench responder).

The mix at --scale 1 (--scale multiplies every count, at least 1 each):

  role          count  probe  interfaces (all stored)
  backbone          2  snmp   48
  exit              2  snmp   48
  core              4  snmp   48
  aggregation      26  snmp   48
  access          520  snmp    4
  iot           7 300  icmp    -
  camera       28 000  icmp    -
  services         20  [service svc-NN] type http, one GET of /health

SNMP agents are bench/responder on 127.100.x.y:16100 (the first 34 with 48
interfaces: responder -B 34:48 -i 4), ICMP devices 127.2.x.y, the HTTP
services bench/httpsrv.py (one process, one ThreadingHTTPServer per
address) on 127.3.0.x:8080. Everything (responder, HTTP servers,
rrdcached, slamond, collectd) runs inside a network namespace the script
creates (slamon-realmix-PID, lo up), deleted at the end, also on an error,
Ctrl-C or SIGTERM (after a SIGKILL: ip netns delete slamon-realmix-PID,
rm -rf /tmp/slamon-realmix-PID). Work files: /tmp/slamon-realmix-PID.

Intervals: --intervals shipped (the default) polls each role at the
interval of packaging/slamon.conf.example's [intervals] (read at start;
services every 60 s, the shipped [service] interval) and measures --cycles
windows of the longest interval; --interval N polls every role and
service every N s and measures --cycles windows of N s.

Storage through rrdcached (unix socket, -w 300 -z 300). The warm-up lasts
two longest intervals, at least 660 s (rrdcached has then written every
file once, so its writes in the windows are steady; --warmup S for quick
checks), and until every file is made (a folder per device, the count of
*.rrd files unchanged for 10 s). Then --cycles steady windows: polls
done/late/skipped per window (and the nominal count), service checks
done/failed (seen in status.json) and requests served, slamond + rrdcached
CPU (/proc user + system: % of a core, ms per poll, ms per SNMP poll = all
their CPU over the SNMP polls, ICMP and services included), RSS, RRD rows
written/failed/dropped, rrdcached's STATS. Then disk: every *.rrd under
the RRD folder measured by kind (device*, if-* traffic, st-* status,
other) and role, and "the whole mix for 400 days" as the sum over kinds
and roles of measured mean file size x files per device x the full-scale
device count (files are preallocated: day 1 = day 400); so a new layout
(file names, shapes per role) needs no change here. slamond's RRD folder
is deleted then (--keep keeps everything), and collectd (snmp + rrdtool
plugins, bench/fleet.py write_collectd) polls the SNMP part with the same
OIDs (one Data block = one GET per slamond PDU of 60 varbinds, ifName
left out), the same per-device intervals, for the same windows after a
warm-up of the longest interval + 130 s; its CPU per poll measured the
same way.

--snmp-fleet N: only N SNMP devices (role access, responder agents with
--ifaces K interfaces, 4 by default; the inventory's interfaces column
names the first --stored-ifaces M of them, Gi0/1..Gi0/M, default all),
every --interval (60) s, storage through rrdcached; the same figures, and
collectd on the same N devices, OIDs and interval.

Before starting it estimates the disk (layout 3 sizes, an upper bound;
collectd's files at its rrdtool defaults) and the duration, and refuses
more than half of the free disk (slamond's files are deleted before
collectd starts, so the peak is the larger of the two). --plan prints the
estimates and starts nothing. Results: bench/results/realmix-DATE.json and
a summary on stdout.

Quick checks (about 6 minutes each):
    python3 bench/realmix.py --scale 0.03 --interval 60 --cycles 1 --warmup 130
    python3 bench/realmix.py --snmp-fleet 300 --cycles 1 --warmup 130
The full runs (a quiet machine; --plan first):
    python3 bench/realmix.py --cycles 3
        the whole mix at the shipped intervals, 3 windows of 300 s: about
        50 min; RRD estimate 18.3 GB at layout 3 (less with layout 4),
        collectd 5.4 GB after it
    python3 bench/realmix.py --snmp-fleet 10000 --ifaces 4 --stored-ifaces 1 --cycles 5
        10,000 SNMP devices, one of 4 interfaces stored, every 60 s, 5
        windows of 60 s: about 25 min; 25.8 GB at layout 3, collectd 15.9 GB
"""
import argparse
import datetime
import glob
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
sys.path.insert(0, BENCH)
import fleet  # noqa: E402  (addr(), poll_oids(), write_collectd())

TICK = os.sysconf("SC_CLK_TCK")
PORT = 16100
HTTP_PORT = 8080
RRDC_W, RRDC_Z = 300, 300  # rrdcached -w -z: a file's rows wait 300..600 s
# estimate only (the pre-run disk check): layout 3, an upper bound for later
# layouts; the figures of the result are measured
EST_IF_BYTES = 2067392 + 241816  # if-*.v3.rrd + st-*.v3.rrd
EST_DEV_BYTES = 272352           # device.v3.rrd
# (role, count at --scale 1, probe, interfaces); the 48-port ones first:
# they are the responder's first agents (-B)
MIX = [("backbone", 2, "snmp", 48), ("exit", 2, "snmp", 48),
       ("core", 4, "snmp", 48), ("aggregation", 26, "snmp", 48),
       ("access", 520, "snmp", 4), ("iot", 7300, "icmp", 0),
       ("camera", 28000, "icmp", 0)]
SERVICES = 20
SERVICE_INTERVAL_DEFAULT = 60
started = []   # Popen objects, stopped in reverse order
netns = None


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


def read_json(path, tries=1):
    for i in range(tries):
        try:
            with open(path) as f:
                return json.load(f)
        except (OSError, ValueError):
            if i + 1 < tries:
                time.sleep(0.2)
    return None


def rrdc_stats(sock_path):
    """rrdcached's STATS (UpdatesReceived, DataSetsWritten, ...), or {}."""
    out = {}
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as c:
            c.settimeout(5)
            c.connect(sock_path)
            c.sendall(b"STATS\n")
            buf = b""
            while True:
                chunk = c.recv(4096)
                if not chunk:
                    break
                buf += chunk
                lines = buf.decode(errors="replace").splitlines()
                if lines and lines[0].split()[0].isdigit() and \
                        len(lines) > int(lines[0].split()[0]):
                    break
        for line in buf.decode(errors="replace").splitlines()[1:]:
            k, _, v = line.partition(":")
            try:
                out[k.strip()] = int(v.strip())
            except ValueError:
                pass
    except (OSError, ValueError, IndexError):
        pass
    return out


def icmp_addr(i):
    return "127.2.%d.%d" % (i // 250, 1 + i % 250)


def shipped_intervals():
    """The [intervals] section of packaging/slamon.conf.example."""
    out, sect = {}, None
    with open(os.path.join(ROOT, "packaging", "slamon.conf.example"),
              encoding="utf-8") as f:
        for line in f:
            line = line.split(";", 1)[0].strip()
            m = re.match(r"\[(.*)\]$", line)
            if m:
                sect = m.group(1).strip()
            elif sect == "intervals" and "=" in line:
                k, v = line.split("=", 1)
                out[k.strip()] = int(v.strip())
    return out


# ---- the namespace --------------------------------------------------------

def ns_cmd(argv):
    return ["ip", "netns", "exec", netns] + argv if netns else argv


def netns_up(name):
    global netns
    subprocess.run(["ip", "netns", "add", name], check=True)
    netns = name
    subprocess.run(ns_cmd(["ip", "link", "set", "lo", "up"]), check=True)
    # slamond as root uses a raw ICMP socket; let ping sockets work too
    subprocess.run(ns_cmd(["sysctl", "-q", "-w",
                           "net.ipv4.ping_group_range=0 2147483647"]),
                   check=False)


def netns_down():
    global netns
    if netns:
        subprocess.run(["ip", "netns", "delete", netns], check=False)
        log("namespace %s deleted" % netns)
        netns = None


def start(argv, log_path, **kw):
    p = subprocess.Popen(ns_cmd(argv), stdout=subprocess.DEVNULL,
                         stderr=open(log_path, "w"), **kw)
    started.append(p)
    return p


# ---- the fleet --------------------------------------------------------------

def plan_mix(scale, snmp_only):
    """[(role, count, probe, ifaces)] at this scale."""
    out = []
    for role, n, probe, nif in MIX:
        k = max(1, int(round(n * scale)))
        if snmp_only and probe == "icmp":
            k = 0
        out.append((role, k, probe, nif))
    return out


def write_conf(d, plan, ivals, svc_ival, n_svc, sock, stored=None):
    """inventory.csv and slamon.conf; returns the devices
    [(name, role, probe, address, nif, interval)]."""
    devs, rows = [], []
    n_snmp = n_icmp = 0
    for role, k, probe, nif in plan:
        for j in range(k):
            name = "%s-%05d" % (role, j)
            if probe == "snmp":
                a = "%s:%d" % (fleet.addr(n_snmp), PORT)
                ifs = ""
                if stored is not None and stored < nif:
                    ifs = ";".join("Gi0/%d" % x for x in range(1, stored + 1))
                rows.append("单位%d,%s,%s,%s,,bench,%s,,,snmp"
                            % (j // 50, name, a, role, ifs))
                n_snmp += 1
                devs.append((name, role, probe, a, stored or nif,
                             ivals[role]))
            else:
                a = icmp_addr(n_icmp)
                rows.append("单位%d,%s,%s,%s,,,,,,icmp"
                            % (j // 500, name, a, role))
                n_icmp += 1
                devs.append((name, role, probe, a, 0, ivals[role]))
    with open(os.path.join(d, "inventory.csv"), "w", encoding="utf-8") as f:
        f.write("unit,name,address,role,parent,profile,interfaces,"
                "capacity_mbps,tags,probe\n")
        f.write("\n".join(rows) + "\n")
    with open(os.path.join(d, "slamon.conf"), "w") as f:
        f.write("[general]\ninventory = inventory.csv\nstorage_dir = %s\n"
                "rrdcached = unix:%s\nrrd_create_rate = 1000\n"
                "log_level = warn\ntimeout_ms = 2000\nretries = 1\n"
                "user = root\ninterval = %d\n\n[intervals]\n"
                % (os.path.join(d, "rrd"), sock, max(ivals.values())))
        for role in sorted(ivals):
            f.write("%s = %d\n" % (role, ivals[role]))
        f.write("\n[alerts]\nping = no\n\n"
                "[profile bench]\nversion = 2c\ncommunity = bench\n")
        for i in range(n_svc):
            f.write("\n[service svc-%02d]\ntype = http\n"
                    "url = http://%s:%d/health\nexpect_status = 200\n"
                    "match = ok\ntimeout = 10\ninterval = %d\n"
                    % (i, svc_addr(i), HTTP_PORT, svc_ival))
    return devs


def svc_addr(i):
    return "127.3.%d.%d" % (i // 250, 1 + i % 250)


def collectd_est_bytes(devs):
    """collectd's rrdtool plugin files at its defaults: one per Data block,
    5 timespans x 3 consolidations x 1200 rows x data sources x 8 bytes."""
    tot = 0
    for _, _, probe, _, nif, _ in devs:
        if probe == "snmp":
            for b in fleet.collectd_blocks(nif):
                tot += (5 * 3 * 1200 * len(b) * 8 + 4096) * 1.1
    return int(tot)


def du(path):
    out = subprocess.run(["du", "-sb", path], capture_output=True, text=True)
    try:
        return int(out.stdout.split()[0])
    except (ValueError, IndexError):
        return None


def file_kind(fn):
    if fn.startswith("device"):
        return "device"
    if fn.startswith("if-"):
        return "traffic"
    if fn.startswith("st-"):
        return "status"
    return "other"


def measure_disk(rrd, role_of, counted, full_counts):
    """Bytes per file kind and role from every *.rrd under rrd; the full
    mix for 400 days from them. role_of: folder name -> role; counted:
    role -> devices measured; full_counts: role -> devices at full scale."""
    kinds = {}  # (kind, role) -> [files, bytes]
    for path in glob.glob(os.path.join(rrd, "**", "*.rrd"), recursive=True):
        rel = os.path.relpath(path, rrd).split(os.sep)
        role = role_of.get(rel[0], "?") if len(rel) > 1 else "?"
        try:
            size = os.stat(path).st_size
        except OSError:
            continue
        k = kinds.setdefault((file_kind(rel[-1]), role), [0, 0])
        k[0] += 1
        k[1] += size
    total = sum(v[1] for v in kinds.values())
    out = {"rrd_files": sum(v[0] for v in kinds.values()),
           "rrd_bytes": total, "folder_bytes_du": du(rrd), "kinds": []}
    full = 0
    by_kind = {}
    for (kind, role), (n, b) in sorted(kinds.items()):
        dev = counted.get(role, 0)
        per_file = b / n
        per_dev = n / dev if dev else 0
        fc = full_counts.get(role, 0)
        fb = per_file * per_dev * fc
        full += fb
        by_kind[kind] = by_kind.get(kind, 0) + fb
        out["kinds"].append({
            "kind": kind, "role": role, "files": n, "bytes": b,
            "bytes_per_file": round(per_file), "files_per_device":
            round(per_dev, 3), "full_scale_devices": fc,
            "full_scale_bytes": round(fb)})
    out["full_mix_400d_bytes"] = round(full)
    out["full_mix_400d_by_kind"] = {k: round(v) for k, v in by_kind.items()}
    return out


# ---- the run --------------------------------------------------------------

def machine():
    m = "%s, %d CPUs, %s" % (platform.processor() or platform.machine(),
                             os.cpu_count(), platform.release())
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return "%s, %d CPUs, Linux %s" % (
                        line.split(":", 1)[1].strip(), os.cpu_count(),
                        platform.release())
    except OSError:
        pass
    return m


def nominal_polls(devs, window, probe=None):
    return sum(window / iv for _, _, p, _, _, iv in devs
               if probe is None or p == probe)


def run(a, work, R):
    snmp_fleet = a.snmp_fleet is not None
    if snmp_fleet:
        ivals = {"access": a.interval}
        plan = [("access", a.snmp_fleet, "snmp", a.ifaces)]
        n_svc, svc_ival = 0, a.interval
        stored = a.stored_ifaces
    else:
        if a.interval:
            ivals = {role: a.interval for role, _, _, _ in MIX}
            svc_ival = a.interval
            R["intervals_mode"] = "every %d s" % a.interval
        else:
            ship = shipped_intervals()
            missing = [r for r, _, _, _ in MIX if r not in ship]
            if missing:
                sys.exit("realmix: packaging/slamon.conf.example's "
                         "[intervals] lacks %s" % ", ".join(missing))
            ivals = {role: ship[role] for role, _, _, _ in MIX}
            svc_ival = SERVICE_INTERVAL_DEFAULT
            R["intervals_mode"] = "shipped"
        plan = plan_mix(a.scale, a.snmp_only)
        n_svc = 0 if a.snmp_only else max(1, int(round(SERVICES * a.scale)))
        stored = None
    sock = os.path.join(work, "rrdcached.sock")
    devs = write_conf(work, plan, ivals, svc_ival, n_svc, sock, stored)
    snmp = [d for d in devs if d[2] == "snmp"]
    n_snmp, n_icmp = len(snmp), len(devs) - len(snmp)
    n_if = sum(d[4] for d in snmp)
    longest = max([d[5] for d in devs] + ([svc_ival] if n_svc else []))
    window = longest
    R.update({"intervals": ivals, "service_interval": svc_ival if n_svc
              else None, "window_s": window, "cycles": a.cycles,
              "counts": {role: k for role, k, _, _ in plan},
              "interfaces_per_role": {role: nif for role, k, p, nif in plan
                                      if p == "snmp"},
              "services": n_svc, "n_snmp": n_snmp, "n_icmp": n_icmp,
              "n_interfaces_stored": n_if})
    if snmp_fleet:
        R["ifaces"], R["stored_ifaces"] = a.ifaces, stored or a.ifaces

    need = n_if * EST_IF_BYTES + (len(devs) + n_svc) * EST_DEV_BYTES
    need_cd = 0 if a.no_collectd else collectd_est_bytes(devs)
    peak = need + need_cd if a.keep else max(need, need_cd)
    free = shutil.disk_usage(work).free
    log("%d SNMP devices (%d interfaces stored), %d ICMP devices, %d "
        "services; RRD estimate %.1f GB (layout 3, an upper bound), collectd "
        "%.1f GB, peak %.1f GB; %.1f GB free"
        % (n_snmp, n_if, n_icmp, n_svc, need / 1e9, need_cd / 1e9,
           peak / 1e9, free / 1e9))
    R["disk_estimate_bytes"] = {"slamond": need, "collectd": need_cd,
                                "free": free}

    # two longest intervals, and every file flushed once by rrdcached (its
    # first rows wait RRDC_W + up to RRDC_Z s): its writes are then steady
    warm_min = a.warmup if a.warmup is not None else \
        max(2 * longest + 10, RRDC_W + RRDC_Z + 60)
    warm_max = max(warm_min, 2 * longest) + 600
    steady = a.cycles * window
    sd_dur = warm_max + steady + 120
    # collectd: its first cycle creates the files, its rrdtool cache
    # (CacheTimeout 120) is flushed once
    cd_warm = longest + 130
    cd_dur = (0 if a.no_collectd else cd_warm + steady + 120)
    total = sd_dur + cd_dur + 300
    expect = warm_min + steady + 60 + (0 if a.no_collectd
                                       else cd_warm + steady + 10)
    log("expected duration: about %.0f min (warm-up %d s, %d steady s%s)"
        % (expect / 60, warm_min, steady, "" if a.no_collectd else
           ", then collectd %d + %d s" % (cd_warm, steady)))
    if peak > free / 2:
        sys.exit("realmix: that is more than half the free disk: use a "
                 "smaller --scale / --snmp-fleet, or --no-collectd")
    if a.plan:
        print("plan: %s" % json.dumps(
            {"counts": R["counts"], "intervals": ivals,
             "interfaces_stored": n_if, "services": n_svc,
             "windows": "%d x %d s" % (a.cycles, window)},
            ensure_ascii=False))
        raise SystemExit(0)

    netns_up("slamon-realmix-%d" % os.getpid())
    R["netns"] = netns
    rstats = os.path.join(work, "responder.stats")
    subprocess.run(["make", "-C", BENCH, "-s", "responder"], check=True)
    rargv = [os.path.join(BENCH, "responder"), "-n", str(n_snmp), "-p",
             str(PORT), "-c", "bench", "-s", rstats, "-d", str(total)]
    if snmp_fleet:
        rargv += ["-i", str(a.ifaces)]
    else:
        big = sum(k for _, k, p, nif in plan if p == "snmp" and nif == 48)
        rargv += ["-i", "4"] + (["-B", "%d:48" % big] if big else [])
    start(rargv, os.path.join(work, "responder.log"))
    hstats = os.path.join(work, "httpsrv.json")
    if n_svc:
        start(["/usr/bin/python3", os.path.join(BENCH, "httpsrv.py"),
               str(n_svc), hstats, "--port", str(HTTP_PORT), "--duration",
               str(total)], os.path.join(work, "httpsrv.log"))
    rrd = os.path.join(work, "rrd")
    os.makedirs(rrd)
    os.makedirs(os.path.join(work, "rrdc-journal"))
    rrdc = start(["rrdcached", "-g", "-l", "unix:" + sock, "-b", rrd, "-B",
                  "-F", "-w", str(RRDC_W), "-z", str(RRDC_Z), "-j",
                  os.path.join(work, "rrdc-journal"), "-p",
                  os.path.join(work, "rrdcached.pid")],
                 os.path.join(work, "rrdcached.log"))
    for _ in range(200):
        if os.path.exists(sock) and (not n_svc or os.path.exists(hstats)):
            break
        time.sleep(0.05)
    t_start = time.time()
    sd = start([a.slamond, "-c", os.path.join(work, "slamon.conf"),
                "--duration", str(sd_dur)], os.path.join(work, "slamond.log"))
    status = os.path.join(rrd, "status.json")
    n_folders = len(devs) + n_svc
    folders_by = created_by = None
    nfiles = last_count_t = None
    log("warm-up: at least %d s, until every file is made (a device "
        "folder for each, and the count of *.rrd files still for 10 s)"
        % warm_min)
    while True:
        time.sleep(2)
        el = time.time() - t_start
        if sd.poll() is not None:
            sys.exit("realmix: slamond stopped (rc %s), see %s"
                     % (sd.returncode, os.path.join(work, "slamond.log")))
        if folders_by is None:
            nd = sum(1 for e in os.scandir(rrd) if e.is_dir())
            if nd >= n_folders:
                folders_by = el
                log("every device folder made at %.0f s" % el)
        elif created_by is None and (last_count_t is None or
                                     el - last_count_t >= 10):
            n = sum(1 for _ in glob.iglob(os.path.join(rrd, "*", "*.rrd")))
            if n == nfiles:
                created_by = last_count_t
                log("every file made by %.0f s (%d files)"
                    % (created_by, n))
            nfiles, last_count_t = n, el
        if (el >= warm_min and created_by is not None) or el >= warm_max:
            break
    R["device_folders_by_s"] = folders_by and round(folders_by, 1)
    R["warmup_s"] = round(time.time() - t_start, 1)
    R["files_created_by_s"] = created_by and round(created_by, 1)

    def snap():
        return {"t": time.time(), "st": read_json(status, 25) or {},
                "sd": cpu(sd.pid), "rrdc": cpu(rrdc.pid),
                "resp": responses(rstats), "rrdc_stats": rrdc_stats(sock)}

    s0 = snap()
    marks = [s0]
    svc_seen = {}   # service -> {t: ok}
    rss_max = rrdc_rss_max = 0
    log("steady: %d window(s) of %d s" % (a.cycles, window))
    for c in range(a.cycles):
        t_end = s0["t"] + (c + 1) * window
        while time.time() < t_end and sd.poll() is None:
            time.sleep(min(5, max(0.1, t_end - time.time())))
            rss_max = max(rss_max, mem_kb(sd.pid, "VmRSS") or 0)
            rrdc_rss_max = max(rrdc_rss_max, mem_kb(rrdc.pid, "VmRSS") or 0)
            st = read_json(status) if n_svc else None
            for s in (st or {}).get("services", []):
                last = s.get("last")
                if last:
                    svc_seen.setdefault(s["name"], {})[last["t"]] = last["ok"]
        marks.append(snap())
    s1 = marks[-1]
    if sd.poll() is not None:
        sys.exit("realmix: slamond stopped during the steady windows")
    wall = s1["t"] - s0["t"]
    p0, p1 = s0["st"]["polls"], s1["st"]["polls"]
    polls = p1["done"] - p0["done"]
    R["steady_s"] = round(wall, 1)
    R["windows"] = []
    for x, y in zip(marks, marks[1:]):
        px, py = x["st"]["polls"], y["st"]["polls"]
        R["windows"].append({
            "s": round(y["t"] - x["t"], 1),
            "done": py["done"] - px["done"], "late": py["late"] - px["late"],
            "skipped": py["skipped"] - px["skipped"],
            "expected": round(nominal_polls(devs, y["t"] - x["t"]))})
    snmp_polls = nominal_polls(snmp, wall)
    R["polls"] = polls
    R["polls_expected"] = round(nominal_polls(devs, wall))
    R["snmp_polls"] = round(snmp_polls)
    R["snmp_pdus_answered"] = (s1["resp"] or 0) - (s0["resp"] or 0)
    R["late"] = p1["late"] - p0["late"]
    R["skipped"] = p1["skipped"] - p0["skipped"]
    if n_svc:
        t0, t1 = s0["t"], s1["t"]
        done = failed = 0
        for name, checks in svc_seen.items():
            for t, ok in checks.items():
                if t0 <= t < t1:
                    done += 1
                    failed += 0 if ok else 1
        states = {}
        for s in s1["st"].get("services", []):
            states[s["state"]] = states.get(s["state"], 0) + 1
        R["service_checks"] = {
            "done": done, "failed": failed,
            "expected": round(n_svc * wall / svc_ival),
            "states_at_end": states,
            "served_total": sum((read_json(hstats) or {}).values())}
    R["rrd_start"], R["rrd"] = s0["st"].get("rrd"), s1["st"].get("rrd")
    R["rrd_steady"] = {k: (s1["st"]["rrd"].get(k, 0) or 0) -
                       (s0["st"]["rrd"].get(k, 0) or 0)
                       for k in ("written", "failed", "dropped")}
    icmp = s1["st"].get("icmp", {})
    R["icmp"] = {k: icmp.get(k) for k in ("devices", "answering",
                                          "rtt_avg_ms", "loss_avg_pct")}
    R["icmp"]["socket"] = (icmp.get("sweep") or {}).get("socket")
    R["rrdcached_steady"] = {
        k: s1["rrdc_stats"].get(k, 0) - s0["rrdc_stats"].get(k, 0)
        for k in ("UpdatesReceived", "FlushesReceived", "UpdatesWritten",
                  "DataSetsWritten", "JournalBytes")}
    R["rrdcached_steady"]["QueueLength_end"] = \
        s1["rrdc_stats"].get("QueueLength")
    R["rrdcached_steady"]["TreeNodesNumber_end"] = \
        s1["rrdc_stats"].get("TreeNodesNumber")
    R["cpu_slamond_s"] = round(s1["sd"] - s0["sd"], 2)
    R["cpu_rrdcached_s"] = round(s1["rrdc"] - s0["rrdc"], 2)
    tot = R["cpu_slamond_s"] + R["cpu_rrdcached_s"]
    R["cpu_pct_core"] = round(100 * tot / wall, 2)
    R["ms_per_poll"] = round(1000 * tot / polls, 4) if polls else None
    R["ms_per_snmp_poll_all_cpu"] = (round(1000 * tot / snmp_polls, 3)
                                     if snmp_polls else None)
    R["rss_kb"] = rss_max
    R["hwm_kb"] = mem_kb(sd.pid, "VmHWM")
    R["rrdcached_rss_kb"] = rrdc_rss_max
    log("steady: %d polls (%d expected), %d late, %d skipped, %.2f + %.2f s "
        "CPU" % (polls, R["polls_expected"], R["late"], R["skipped"],
                 R["cpu_slamond_s"], R["cpu_rrdcached_s"]))
    stop(sd, 120)
    stop(rrdc, 300)

    full_counts = {role: n for role, n, _, _ in MIX}
    full_counts["service"] = SERVICES
    counted = dict(R["counts"])
    counted["service"] = n_svc
    role_of = {d[0]: d[1] for d in devs}
    role_of.update({"svc-%02d" % i: "service" for i in range(n_svc)})
    if snmp_fleet:
        full_counts = {"access": a.snmp_fleet}
    R["disk"] = measure_disk(rrd, role_of, counted, full_counts)
    R["journal_bytes"] = sum(os.path.getsize(p) for p in
                             glob.glob(os.path.join(rrd, "*.db*")))
    if not a.keep:
        shutil.rmtree(rrd, ignore_errors=True)
        shutil.rmtree(os.path.join(work, "rrdc-journal"), ignore_errors=True)

    if not a.no_collectd:
        exe = shutil.which("collectd") or "/usr/sbin/collectd"
        if not os.path.exists("/usr/lib/collectd/snmp.so"):
            R["collectd"] = {"error": "no /usr/lib/collectd/snmp.so"}
            return
        cdir = os.path.join(work, "collectd")
        os.makedirs(cdir)
        R["collectd_conf"] = ("snmp plugin, one GET per slamond PDU, "
                              "ReadThreads 5; rrdtool plugin CacheTimeout "
                              "120, CacheFlush 900, WritesPerSecond 50")
        conf = fleet.write_collectd(
            cdir, [("d%05d" % i, d[3], d[5], d[4]) for i, d in
                   enumerate(snmp)], "bench", min(d[5] for d in snmp),
            os.path.join(cdir, "rrd"))
        cd = start([exe, "-f", "-C", conf], os.path.join(work, "collectd.err"))
        log("collectd: warm-up %d s, then %d window(s)"
            % (cd_warm, a.cycles))
        time.sleep(cd_warm)  # its first cycle, then its first cache flush
        k0 = (cpu(cd.pid), time.time(), responses(rstats))
        time.sleep(steady)
        k1 = (cpu(cd.pid), time.time(), responses(rstats))
        ok = cd.poll() is None
        cd_rss = mem_kb(cd.pid, "VmHWM")
        stop(cd)
        n = nominal_polls(snmp, k1[1] - k0[1])
        cpu_s = k1[0] - k0[0] if ok else None
        R["collectd"] = {
            "running": ok, "cpu_s": round(cpu_s, 2) if ok else None,
            "polls": round(n), "pdus_answered": (k1[2] or 0) - (k0[2] or 0),
            "wall_s": round(k1[1] - k0[1], 1), "hwm_kb": cd_rss,
            "rrd_bytes": du(os.path.join(cdir, "rrd")),
            "cpu_pct_core": round(100 * cpu_s / (k1[1] - k0[1]), 2)
            if ok else None,
            "ms_per_poll": round(1000 * cpu_s / n, 3) if ok and n else None}
        for k, path in (("log", os.path.join(cdir, "collectd.log")),
                        ("stderr", os.path.join(work, "collectd.err"))):
            try:
                with open(path, errors="replace") as f:
                    lines = f.read().splitlines()
            except OSError:
                lines = []
            R["collectd"][k + "_lines"] = len(lines)
            R["collectd"][k + "_tail"] = lines[-5:]
        if not a.keep:
            shutil.rmtree(cdir, ignore_errors=True)


def summary(R):
    g = lambda b: "%.2f GB" % (b / 1e9) if b is not None else "-"
    print("\n== realmix %s ==" % R.get("mode"))
    print("machine: %s" % R.get("machine"))
    print("fleet: %s; %d interfaces stored; %d services; intervals %s"
          % (", ".join("%s %d" % kv for kv in R.get("counts", {}).items()),
             R.get("n_interfaces_stored", 0), R.get("services", 0),
             R.get("intervals_mode") or R.get("intervals")))
    if "steady_s" not in R:
        print("(no steady figures)")
        return
    print("steady: %.0f s in %d window(s) of %d s" % (
        R["steady_s"], len(R["windows"]), R["window_s"]))
    for i, w in enumerate(R["windows"]):
        print("  window %d: %d polls done (%d expected), %d late, %d skipped"
              % (i + 1, w["done"], w["expected"], w["late"], w["skipped"]))
    if R.get("service_checks"):
        s = R["service_checks"]
        print("service checks: %d done (%d expected), %d failed; states %s"
              % (s["done"], s["expected"], s["failed"], s["states_at_end"]))
    print("CPU: slamond %.2f s + rrdcached %.2f s = %.2f %% of a core; "
          "%.4f ms per poll, %s ms per SNMP poll (all CPU / %d SNMP polls)"
          % (R["cpu_slamond_s"], R["cpu_rrdcached_s"], R["cpu_pct_core"],
             R["ms_per_poll"] or 0, R["ms_per_snmp_poll_all_cpu"],
             R["snmp_polls"]))
    print("RSS: slamond %.0f MB (peak %.0f MB), rrdcached %.0f MB"
          % (R["rss_kb"] / 1024, (R["hwm_kb"] or 0) / 1024,
             R["rrdcached_rss_kb"] / 1024))
    print("RRD rows in the steady windows: %s; files created by %s s"
          % (R["rrd_steady"], R["files_created_by_s"]))
    print("rrdcached in the steady windows: %s" % R["rrdcached_steady"])
    if R.get("icmp", {}).get("devices"):
        print("ICMP: %s of %s answering (%s socket)" % (
            R["icmp"]["answering"], R["icmp"]["devices"], R["icmp"]["socket"]))
    d = R.get("disk")
    if d:
        print("disk measured: %d files, %s (du %s), journal %s"
              % (d["rrd_files"], g(d["rrd_bytes"]), g(d["folder_bytes_du"]),
                 g(R.get("journal_bytes"))))
        for k in d["kinds"]:
            print("  %-8s %-12s %6d files x %10d B (%.2f per device) -> "
                  "full scale %d devices: %s"
                  % (k["kind"], k["role"], k["files"], k["bytes_per_file"],
                     k["files_per_device"], k["full_scale_devices"],
                     g(k["full_scale_bytes"])))
        print("  400 days, full scale: %s %s"
              % (g(d["full_mix_400d_bytes"]),
                 {k: g(v) for k, v in d["full_mix_400d_by_kind"].items()}))
    c = R.get("collectd")
    if c and "error" not in c:
        print("collectd (snmp + rrdtool), same SNMP devices and OIDs: %s s "
              "CPU in %.0f s (%s %% of a core), %d polls (%d PDUs answered): "
              "%s ms per poll; slamond + rrdcached per SNMP poll %s ms"
              % (c["cpu_s"], c["wall_s"], c["cpu_pct_core"], c["polls"],
                 c["pdus_answered"], c["ms_per_poll"],
                 R["ms_per_snmp_poll_all_cpu"]))
    elif c:
        print("collectd: %s" % c["error"])


def main():
    ap = argparse.ArgumentParser(
        description="the bureau's real mix (issue 15); see the docstring")
    ap.add_argument("--scale", type=float, default=1.0)
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--intervals", choices=["shipped"], default="shipped",
                   help="each role at packaging/slamon.conf.example's "
                   "[intervals] (the default)")
    g.add_argument("--interval", type=int, default=None,
                   help="every role and service every N s instead")
    ap.add_argument("--cycles", type=int, default=3)
    ap.add_argument("--no-collectd", action="store_true")
    ap.add_argument("--snmp-only", action="store_true",
                    help="no ICMP devices nor services")
    ap.add_argument("--snmp-fleet", type=int, metavar="N",
                    help="only N SNMP devices every --interval (60) s")
    ap.add_argument("--ifaces", type=int, default=4, metavar="K",
                    help="--snmp-fleet: interfaces per agent")
    ap.add_argument("--stored-ifaces", type=int, metavar="M",
                    help="--snmp-fleet: interfaces stored (inventory "
                    "interfaces column), default all")
    ap.add_argument("--warmup", type=int, metavar="S",
                    help="seconds before the steady windows at least "
                    "(default: two longest intervals, at least %d s so that "
                    "rrdcached has flushed every file once)"
                    % (RRDC_W + RRDC_Z + 60))
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--plan", action="store_true",
                    help="print the fleet, disk and duration estimates, "
                    "start nothing")
    a = ap.parse_args()
    if os.geteuid() != 0 and not a.plan:
        sys.exit("realmix: run as root (it creates a network namespace)")
    if a.cycles < 1 or a.scale <= 0:
        sys.exit("realmix: --cycles >= 1, --scale > 0")
    if a.snmp_fleet is not None:
        if a.snmp_fleet < 1 or not 1 <= a.ifaces <= 1000:
            sys.exit("realmix: --snmp-fleet >= 1, --ifaces 1..1000")
        if a.stored_ifaces is not None and \
                not 1 <= a.stored_ifaces <= a.ifaces:
            sys.exit("realmix: --stored-ifaces 1..--ifaces")
        if a.interval is None:
            a.interval = 60
    a.slamond = os.path.join(ROOT, "build-bench", "collector", "slamond")
    if not os.path.exists(a.slamond):
        a.slamond = os.path.join(ROOT, "build-bench", "slamond")
    if not os.path.exists(a.slamond):
        sys.exit("realmix: no build-bench/collector/slamond (see the "
                 "docstring)")

    def on_term(sig, frame):
        raise SystemExit("realmix: signal %d" % sig)
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGHUP, on_term)

    work = "/tmp/slamon-realmix-%d" % os.getpid()
    os.makedirs(work)
    R = {"mode": ("snmp-fleet %d" % a.snmp_fleet) if a.snmp_fleet
         else "mix, scale %g" % a.scale, "scale": a.scale,
         "snmp_only": a.snmp_only, "machine": machine(),
         "started": datetime.datetime.utcnow().isoformat() + "Z",
         "argv": sys.argv[1:]}
    ok = False
    try:
        run(a, work, R)
        ok = True
    finally:
        for p in reversed(started):
            stop(p)
        netns_down()
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            log("kept %s" % work)
        if ok:
            os.makedirs(os.path.join(BENCH, "results"), exist_ok=True)
            out = os.path.join(
                BENCH, "results", "realmix-%s.json"
                % datetime.datetime.utcnow().strftime("%Y%m%d-%H%M%S"))
            with open(out, "w") as f:
                json.dump(R, f, indent=1, ensure_ascii=False)
            summary(R)
            log("wrote %s" % out)


if __name__ == "__main__":
    main()
