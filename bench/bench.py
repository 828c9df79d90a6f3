#!/usr/bin/env python3
"""bench.py - runs the slamon benchmark; bench/run.sh calls it.

Starts bench/responder (the simulated fleet), measures its capacity, runs
slamond (no RRD, direct RRD, rrdcached) and the peers (minpoll, collectd's
snmp plugin, fork-per-device snmpget) against it, and writes
bench/results/results-<date>.md and .tsv.  Every process it starts is
stopped by its PID; every run is bounded in time.
"""
import argparse
import datetime
import json
import os
import platform
import re
import resource
import shutil
import signal
import subprocess
import sys
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
TICK = os.sysconf("SC_CLK_TCK")
PORT = 16100
COMM = "bench"

started = []  # Popen objects we started, stopped by PID at exit


def log(*a):
    print("[bench %s]" % time.strftime("%H:%M:%S"), *a, flush=True)


def proc_cpu(pid):
    """utime+stime of pid (and its reaped children not included), s."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read()
        fields = st[st.rindex(")") + 2:].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except (OSError, ValueError, IndexError):
        return None


def proc_cpu_split(pid):
    """(utime, stime) of pid, s: user-space and kernel shares."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read()
        fields = st[st.rindex(")") + 2:].split()
        return int(fields[11]) / TICK, int(fields[12]) / TICK
    except (OSError, ValueError, IndexError):
        return None


def split_per_poll(a, b, polls):
    """us of user and kernel CPU per poll between two proc_cpu_split()."""
    if not a or not b or polls <= 0:
        return None
    return {"user_us": 1e6 * (b[0] - a[0]) / polls,
            "sys_us": 1e6 * (b[1] - a[1]) / polls}


def proc_hwm_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def stop(p, sig=signal.SIGTERM, wait=15):
    """Stops one process we started, by its PID."""
    if getattr(p, "_ru", None) is not None or p.poll() is not None:
        return
    try:
        os.kill(p.pid, sig)
    except ProcessLookupError:
        return
    try:
        p.wait(wait)
    except subprocess.TimeoutExpired:
        os.kill(p.pid, signal.SIGKILL)
        p.wait()


def try_reap(p):
    """Reaps p if it ended (keeping its rusage); True when it has ended."""
    if getattr(p, "_ru", None) is not None:
        return True
    pid, status, ru = os.wait4(p.pid, os.WNOHANG)
    if pid == p.pid:
        p.returncode = os.waitstatus_to_exitcode(status)
        p._ru = ru
        return True
    return False


def wait_rusage(p, timeout):
    """Waits for p (killing it after timeout); returns (rc, cpu_s, maxrss_kb)."""
    deadline = time.time() + timeout
    while True:
        if try_reap(p):
            ru = p._ru
            return (p.returncode, ru.ru_utime + ru.ru_stime, ru.ru_maxrss)
        if time.time() > deadline:
            os.kill(p.pid, signal.SIGTERM)
            deadline = time.time() + 15
            timeout = 1e9
        time.sleep(0.2)


def machine():
    model = cores = ""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        m = re.search(r"Model name:\s*(.+)", out)
        model = m.group(1).strip() if m else ""
    except OSError:
        pass
    cores = os.cpu_count()
    mem = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) / 1024 / 1024
    virt = ""
    try:
        virt = subprocess.run(["systemd-detect-virt"], capture_output=True,
                              text=True).stdout.strip()
    except OSError:
        pass
    return {"cpu": model, "cores": cores, "ram_gib": round(mem, 1),
            "kernel": platform.release(), "virt": virt,
            "fd_limit": resource.getrlimit(resource.RLIMIT_NOFILE)[0],
            "port_range": open("/proc/sys/net/ipv4/ip_local_port_range")
            .read().split()}


def fleet(n, d, interval, rrdcached=""):
    args = [sys.executable, os.path.join(BENCH, "fleet.py"), str(n), d,
            "--port", str(PORT), "--community", COMM,
            "--interval", str(interval)]
    if rrdcached:
        args += ["--rrdcached", rrdcached]
    subprocess.run(args, check=True)


def responder_stats(path):
    try:
        with open(path) as f:
            return [int(x) for x in f.read().split()]
    except (OSError, ValueError):
        return [0, 0, 0]


# ---- slamond -----------------------------------------------------------

def run_slamond(slamond, n, d, interval, cycles, mode, extra_cpu_pid=None,
                warm=1):
    """One slamond run; returns a dict of measurements."""
    conf = os.path.join(d, "slamon.conf")
    status = os.path.join(d, "rrd", "status.json")
    args = [slamond, "-c", conf, "--cycles", str(cycles)]
    if mode == "norrd":
        args.append("--no-rrd")
    logf = open(os.path.join(d, "slamond.log"), "w")
    t0 = time.time()
    p = subprocess.Popen(args, stdout=logf, stderr=subprocess.STDOUT)
    started.append(p)
    limit = interval * (cycles + 1) + 120
    c1 = None  # (t, cpu, polls) when the first cycle was done
    sp1 = sp2 = None  # user/sys split then, and at the last sample
    late1 = None  # late + skipped when `warm` cycles were done
    samples = []
    ext0 = proc_cpu(extra_cpu_pid) if extra_cpu_pid else None
    hwm = 0
    while not try_reap(p) and time.time() - t0 < limit:
        time.sleep(1)
        cpu = proc_cpu(p.pid)
        h = proc_hwm_kb(p.pid)
        if h:
            hwm = max(hwm, h)
        st = read_json(status)
        if cpu is None or st is None:
            continue
        done = st["polls"]["done"]
        samples.append((time.time(), cpu, done))
        if late1 is None and done >= warm * n:
            late1 = st["polls"].get("late", 0) + st["polls"].get("skipped", 0)
        if c1 is None and done >= n:
            c1 = (time.time(), cpu, done)
            sp1 = (proc_cpu_split(p.pid), done)
        elif c1 is not None:
            sp = proc_cpu_split(p.pid)
            if sp:
                sp2 = (sp, done)
    rc, cpu_total, maxrss = wait_rusage(p, 30)
    wall = time.time() - t0
    ext1 = proc_cpu(extra_cpu_pid) if extra_cpu_pid else None
    st = read_json(status) or {"polls": {}, "rrd": {}, "discards": {}}
    polls = st["polls"].get("done", 0)
    r = {"n": n, "mode": mode, "interval": interval, "cycles": cycles,
         "rc": rc, "wall_s": round(wall, 1), "polls": polls,
         "late": st["polls"].get("late"),
         "skipped": st["polls"].get("skipped"),
         "cpu_total_s": round(cpu_total, 3),
         "hwm_kb": max(hwm, maxrss), "status": st}
    if c1 and polls > c1[2]:
        # steady state: after every device was polled (and discovered) once
        r["cpu_steady_s"] = cpu_total - c1[1]
        r["polls_steady"] = polls - c1[2]
        r["cpu_per_1k"] = 1000 * r["cpu_steady_s"] / r["polls_steady"]
        r["core_pct"] = 100 * r["cpu_steady_s"] / max(1e-9, t0 + wall - c1[0])
    else:
        r["cpu_per_1k"] = 1000 * cpu_total / max(1, polls)
        r["core_pct"] = 100 * cpu_total / max(1e-9, wall)
    r["cpu_per_1k_all"] = 1000 * cpu_total / max(1, polls)
    if ext0 is not None and ext1 is not None:
        r["rrdcached_cpu_s"] = ext1 - ext0
        r["cpu_per_1k_with_rrdcached"] = 1000 * (cpu_total + ext1 - ext0) / max(1, polls)
    if late1 is not None:
        # after `warm` cycles: start-up and the discovery walks left out
        r["warm_cycles"] = warm
        r["late_steady"] = ((r["late"] or 0) + (r["skipped"] or 0)) - late1
    if sp1 and sp2:
        r["split"] = split_per_poll(sp1[0], sp2[0], sp2[1] - sp1[1])
    r["rss_per_dev_kb"] = r["hwm_kb"] / n
    # failures in the log (fd limit etc.)
    logf.close()
    with open(os.path.join(d, "slamond.log"), errors="replace") as f:
        lines = f.read().splitlines()
    r["log_lines"] = len(lines)
    errs = [l for l in lines if "cannot" in l or "error" in l.lower()]
    r["log_errors"] = len(errs)
    r["log_sample"] = errs[:3]
    return r


def disk_usage(d):
    total = 0
    files = 0
    for root, _, fs in os.walk(d):
        for f in fs:
            if f.endswith(".rrd"):
                st = os.stat(os.path.join(root, f))
                total += st.st_blocks * 512
                files += 1
    return total, files


# ---- peers -------------------------------------------------------------

def run_minpoll(n, d, interval, cycles):
    args = [os.path.join(BENCH, "minpoll"), "-f", os.path.join(d, "targets.txt"),
            "-c", COMM, "-i", str(interval), "-k", str(cycles), "-w", "1000"]
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    started.append(p)
    return p


def minpoll_result(p, n):
    out, err = p.communicate(timeout=3600)
    f = out.split()
    if len(f) < 9:
        return {"error": (out + err)[-300:]}
    polls, ok, to, cpu, wall, rss, late, mode, cpu1 = f[:9]
    polls, ok, cpu, cpu1 = int(polls), int(ok), float(cpu), float(cpu1)
    r = {"polls": polls, "ok": ok, "timeouts": int(to), "cpu_s": cpu,
         "wall_s": float(wall), "hwm_kb": int(rss), "late": int(late),
         "mode": mode, "stderr": err.strip()[:300]}
    if polls > n and cpu1 >= 0:
        r["cpu_per_1k"] = 1000 * (cpu - cpu1) / (polls - n)
    else:
        r["cpu_per_1k"] = 1000 * cpu / max(1, polls)
    r["cpu_per_1k_all"] = 1000 * cpu / max(1, polls)
    return r


def run_collectd(d, n, seconds, rstats):
    conf = os.path.join(d, "collectd.conf")
    exe = shutil.which("collectd") or "/usr/sbin/collectd"
    if not os.path.exists(exe) or not os.path.exists("/usr/lib/collectd/snmp.so"):
        return {"error": "collectd or its snmp plugin not installed"}
    p = subprocess.Popen([exe, "-f", "-C", conf], stdout=subprocess.DEVNULL,
                         stderr=open(os.path.join(d, "collectd.stderr"), "w"))
    started.append(p)
    time.sleep(3)  # configuration read, first reads started
    c0, s0, t0 = proc_cpu(p.pid), responder_stats(rstats), time.time()
    sp0 = proc_cpu_split(p.pid)
    time.sleep(seconds)
    c1, s1, t1 = proc_cpu(p.pid), responder_stats(rstats), time.time()
    sp1 = proc_cpu_split(p.pid)
    hwm = proc_hwm_kb(p.pid)
    stop(p)
    if c0 is None or c1 is None:
        return {"error": "collectd exited early, see collectd.log"}
    # responder stats lag up to 1 s: read them twice as far apart
    reqs = s1[1] - s0[1]
    return {"cpu_s": c1 - c0, "polls": reqs, "wall_s": t1 - t0,
            "hwm_kb": hwm, "cpu_per_1k": 1000 * (c1 - c0) / max(1, reqs),
            "split": split_per_poll(sp0, sp1, reqs)}


def run_fork(d, m, par=8):
    """fork-per-device: one snmpget per device, xargs -P par."""
    with open(os.path.join(d, "targets.txt")) as f:
        tg = [l.strip() for l in f if l.strip()][:m]
    with open(os.path.join(d, "oids.txt")) as f:
        oids = f.read().split()
    lst = os.path.join(d, "fork-targets.txt")
    with open(lst, "w") as f:
        f.write("\n".join(tg) + "\n")
    env = dict(os.environ, MIBS="")
    cmd = ["xargs", "-a", lst, "-P", str(par), "-I{}", "snmpget", "-v2c",
           "-c", COMM, "-On", "-Oq", "-t", "2", "-r", "1", "{}"] + oids
    t0 = time.time()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, env=env)
    started.append(p)
    rc, cpu, _ = wait_rusage(p, 600)
    wall = time.time() - t0
    return {"polls": len(tg), "cpu_s": cpu, "wall_s": wall, "rc": rc,
            "parallel": par, "cpu_per_1k": 1000 * cpu / len(tg),
            "polls_per_s": len(tg) / wall}


def callgrind(slamond, work, n, interval=5):
    """Instructions per steady-state poll, slamond and minpoll (callgrind:
    cycles 2 and 4, the difference over 2*n polls)."""
    vg = shutil.which("valgrind")
    if not vg:
        return {"error": "valgrind not installed"}
    res = {}
    for who in ("slamond", "minpoll"):
        counts = {}
        for cyc in (2, 4):
            d = os.path.join(work, "cg-%s-%d" % (who, cyc))
            fleet(n, d, interval)
            out = os.path.join(d, "callgrind.out")
            if who == "slamond":
                cmd = [slamond, "-c", os.path.join(d, "slamon.conf"),
                       "--cycles", str(cyc), "--no-rrd"]
            else:
                cmd = [os.path.join(BENCH, "minpoll"), "-f",
                       os.path.join(d, "targets.txt"), "-c", COMM,
                       "-i", str(interval), "-k", str(cyc)]
            p = subprocess.run([vg, "--tool=callgrind",
                                "--callgrind-out-file=" + out] + cmd,
                               capture_output=True, text=True,
                               timeout=interval * (cyc + 2) + 120)
            m = re.search(r"Collected : (\d+)", p.stderr)
            counts[cyc] = int(m.group(1)) if m else None
            if who == "slamond" and cyc == 4 and m:
                ann = subprocess.run(["callgrind_annotate", "--inclusive=no",
                                      out], capture_output=True, text=True)
                res["slamond_profile"] = "\n".join(
                    ann.stdout.splitlines()[:60])
                shutil.copy(out, os.path.join(work, "slamond.callgrind.out"))
        if counts.get(2) and counts.get(4):
            res[who] = (counts[4] - counts[2]) / (2 * n)
    return res


# ---- main --------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--slamond", default=os.path.join(ROOT, "build-bench", "slamond"))
    ap.add_argument("--work", default="")
    ap.add_argument("--sizes", default="")
    a = ap.parse_args()

    quick = a.quick
    sizes = [500] if quick else [500, 10000, 28000]
    if a.sizes:
        sizes = [int(x) for x in a.sizes.split(",")]
    interval = 10 if quick else 60
    cycles = 3
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    work = a.work or os.path.join("/tmp", "slamon-bench-" + stamp)
    os.makedirs(work, exist_ok=True)
    resdir = os.path.join(BENCH, "results")
    os.makedirs(resdir, exist_ok=True)
    mach = machine()
    log("machine:", mach)
    log("work dir:", work)
    R = {"machine": mach, "quick": quick, "interval": interval,
         "cycles": cycles, "runs": [], "minpoll": [], "date": stamp}

    nmax = max(sizes)
    rstats = os.path.join(work, "responder.stats")
    resp = subprocess.Popen([os.path.join(BENCH, "responder"), "-n", str(nmax),
                             "-p", str(PORT), "-c", COMM, "-s", rstats,
                             "-d", "2400"],
                            stderr=open(os.path.join(work, "responder.log"), "w"))
    started.append(resp)
    time.sleep(0.5)

    # the fleet's own capacity, with the responder's CPU per answer
    c0 = proc_cpu(resp.pid)
    out = subprocess.run([os.path.join(BENCH, "loadgen"), "-n", str(nmax),
                          "-p", str(PORT), "-c", COMM, "-w", "256", "-d",
                          "3" if quick else "5"],
                         capture_output=True, text=True).stdout.split()
    c1 = proc_cpu(resp.pid)
    R["responder"] = {"resp_per_s": float(out[0]), "answered": int(out[2]),
                      "seconds": float(out[3]),
                      "cpu_us_per_resp": 1e6 * (c1 - c0) / max(1, int(out[2]))}
    log("responder capacity: %.0f responses/s (41-varbind GET), %.1f us CPU each"
        % (R["responder"]["resp_per_s"], R["responder"]["cpu_us_per_resp"]))

    for n in sizes:
        d = os.path.join(work, "n%d-norrd" % n)
        fleet(n, d, interval)
        log("N=%d: slamond --no-rrd and minpoll, interval %d s, %d cycles"
            % (n, interval, cycles))
        mp = run_minpoll(n, d, interval, cycles)
        extra = []
        if n == 500:
            # RRD runs at N=500 only (disk: 17.4 MB per device)
            dd = os.path.join(work, "n%d-direct" % n)
            fleet(n, dd, interval)
            dc = os.path.join(work, "n%d-cached" % n)
            sock = os.path.join(dc, "rrdcached.sock")
            fleet(n, dc, interval, rrdcached="unix:" + sock)
            os.makedirs(os.path.join(dc, "rrd"), exist_ok=True)
            os.makedirs(os.path.join(dc, "journal"), exist_ok=True)
            rc = subprocess.Popen(["rrdcached", "-g", "-l", "unix:" + sock,
                                   "-b", os.path.join(dc, "rrd"), "-B",
                                   "-p", os.path.join(dc, "rrdcached.pid"),
                                   "-j", os.path.join(dc, "journal"), "-F"],
                                  stdout=subprocess.DEVNULL,
                                  stderr=open(os.path.join(dc, "rrdcached.log"), "w"))
            started.append(rc)
            for _ in range(50):
                if os.path.exists(sock):
                    break
                time.sleep(0.1)
            import threading
            box = {}

            def bg(key, dirr, mode, pid=None):
                box[key] = run_slamond(a.slamond, n, dirr, interval, cycles,
                                       mode, pid)
            ths = [threading.Thread(target=bg, args=("direct", dd, "direct")),
                   threading.Thread(target=bg, args=("cached", dc, "cached", rc.pid))]
            for t in ths:
                t.start()
        r = run_slamond(a.slamond, n, d, interval, cycles, "norrd")
        R["runs"].append(r)
        log("  slamond norrd: %d polls, late %s, skipped %s, %.3f CPU s/1k polls, "
            "%.2f%% core, HWM %d kB (%.1f kB/device), rc %s, log errors %d"
            % (r["polls"], r["late"], r["skipped"], r["cpu_per_1k"],
               r["core_pct"], r["hwm_kb"], r["rss_per_dev_kb"], r["rc"],
               r["log_errors"]))
        m = minpoll_result(mp, n)
        m["n"] = n
        R["minpoll"].append(m)
        log("  minpoll: %s" % {k: v for k, v in m.items() if k != "stderr"})
        if n == 500:
            for t in ths:
                t.join()
            for key, dirr in (("direct", dd), ("cached", dc)):
                r = box[key]
                if key == "cached":
                    stop(rc)  # -F: flushes everything to disk
                du, files = disk_usage(os.path.join(dirr, "rrd"))
                r["disk_bytes"] = du
                r["rrd_files"] = files
                ifs = 4 * n
                r["disk_per_if"] = (du - n * 2883680 * (du > 0)) / ifs if du else 0
                r["disk_per_if_incl_dev"] = du / ifs if du else 0
                R["runs"].append(r)
                rr = r["status"].get("rrd", {})
                log("  slamond %s: %d polls, late %s, skipped %s, %.3f CPU s/1k polls"
                    ", HWM %d kB, rrd written %s failed %s dropped %s, disk %.1f MB/if"
                    % (key, r["polls"], r["late"], r["skipped"], r["cpu_per_1k"],
                       r["hwm_kb"], rr.get("written"), rr.get("failed"),
                       rr.get("dropped"), r["disk_per_if_incl_dev"] / 1e6))
            # slamond at collectd's pace (500 devices every 10 s): the
            # ratios to collectd and the fork loop compare equal poll rates
            # (at 60 s, 8 polls/s, slamond's once-a-second work, status
            # and alerts ticks, weighs on every poll)
            dp = os.path.join(work, "n500-pace10")
            fleet(500, dp, 10)
            log("slamond --no-rrd, N=500, interval 10 s (collectd's pace)")
            # 2 minutes of steady polls: /proc counts CPU in 10 ms ticks
            R["slamond_pace"] = run_slamond(a.slamond, 500, dp, 10,
                                            6 if quick else 13, "norrd")
            log("  slamond at 10 s: %.3f CPU s/1k polls"
                % R["slamond_pace"]["cpu_per_1k"])
            # peers on the same 500-device fleet and OIDs
            log("collectd snmp plugin, N=500, interval 10 s")
            cd = os.path.join(work, "collectd")
            fleet(500, cd, 10)
            R["collectd"] = run_collectd(cd, 500, 20 if quick else 120, rstats)
            log("  collectd: %s" % R["collectd"])
            # minpoll in bursts (every device at once, as collectd's reads
            # are queued at each interval): the pacing's share of the cost
            pb = subprocess.run([os.path.join(BENCH, "minpoll"), "-f",
                                 os.path.join(d, "targets.txt"), "-c", COMM,
                                 "-i", "2", "-k", "6", "-w", "1000"],
                                capture_output=True, text=True, timeout=120)
            class _P:  # minpoll_result wants communicate()
                def communicate(self, timeout=None):
                    return pb.stdout, pb.stderr
            mb = minpoll_result(_P(), n)
            mb["n"] = n
            mb["burst"] = True
            R["minpoll_burst"] = mb
            log("  minpoll, 500 devices every 2 s: %s" % mb)
            log("fork-per-device snmpget, 500 devices, xargs -P 8")
            R["fork"] = run_fork(d, 500)
            log("  fork: %s" % R["fork"])

    # headroom: shorten the interval until polls are late
    # one shared socket: the fd limit no longer bounds slamond's fleet
    hn = 500 if quick else nmax
    R["headroom"] = []
    for iv in ([5] if quick else [20, 10, 5, 2]):
        d = os.path.join(work, "head-%d-%d" % (hn, iv))
        fleet(hn, d, iv)
        log("headroom: N=%d interval %d s (%.0f polls/s)" % (hn, iv, hn / iv))
        # 6 cycles, lateness counted over the last 3: at short intervals
        # the discovery walks of the whole fleet take more than a cycle
        r = run_slamond(a.slamond, hn, d, iv, 6, "norrd", warm=3)
        r["polls_per_s"] = hn / iv
        R["headroom"].append(r)
        log("  late %s skipped %s (in the last 3 cycles: %s), %.2f%% core"
            % (r["late"], r["skipped"], r.get("late_steady"), r["core_pct"]))
        if r.get("late_steady", 1) > 0:
            break

    cgn = 20 if quick else 100
    log("callgrind: instructions per steady poll (N=%d)" % cgn)
    try:
        R["callgrind"] = callgrind(a.slamond, work, cgn)
    except subprocess.TimeoutExpired:
        R["callgrind"] = {"error": "timeout"}
    log("  %s" % {k: v for k, v in R["callgrind"].items() if k != "slamond_profile"})

    stop(resp)
    s = responder_stats(rstats)
    R["responder"]["total"] = s
    with open(os.path.join(work, "results.json"), "w") as f:
        json.dump(R, f, indent=1, default=str)
    import report
    R = json.loads(json.dumps(R, default=str).replace(ROOT + "/", "")
                   .replace(work, "WORK"))
    md, tsv = report.render(R)
    base = os.path.join(resdir, "results-%s" % stamp)
    with open(base + ".md", "w") as f:
        f.write(md)
    with open(base + ".tsv", "w") as f:
        f.write(tsv)
    # the stored copy names no machine paths (callgrind's file names)
    text = json.dumps(R, indent=1, default=str)
    text = text.replace(ROOT + "/", "").replace(work, "WORK")
    with open(base + ".json", "w") as f:
        f.write(text)
    print(md)
    log("written %s.md and .tsv; work files in %s" % (base, work))


if __name__ == "__main__":
    try:
        main()
    finally:
        for p in started:
            try:
                stop(p, wait=20)
            except Exception:
                pass
