#!/usr/bin/env python3
"""sla_scale.py - availability from state intervals at the bureau's fleet size.

    python3 bench/sla_scale.py [--build DIR] [--changes N] [--keep]

Issue 15 asks availability, reachability and service uptime to come from
the journal's state intervals, "cheap for 35,000 ICMP-only devices". This
writes the bureau's mix (4 backbone/exit routers, 30 core/aggregation
switches, 520 access points over SNMP; 7,300 IoT terminals and 28,000
cameras probe icmp: 35,854 devices, 500+ units) into an inventory, lets
`slamon report annotate` create the journal (its real schema), fills the
journal's state_log for November 2026 with sqlite3 (every device up from
before the month; a share of them with outages: --changes state changes a
month on average per flapping device, reasons as slamond writes them,
some unreachable behind a parent, some unknown while slamond was stopped),
then times `slamon sla --month 2026-11` (user + system CPU and peak RSS of
the process, by /usr/bin/time) and `slamon sla --month 2026-11 --json`
with every device's evidence. No RRD files (traffic indicators have no
data). Everything is written to a temporary folder and deleted.
Prints the figures and writes bench/results/sla_scale-DATE.json.
"""
import argparse
import datetime
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
MIX = [("backbone", 2, "snmp"), ("exit", 2, "snmp"), ("core", 4, "snmp"),
       ("aggregation", 26, "snmp"), ("access", 520, "snmp"),
       ("iot", 7300, "icmp"), ("camera", 28000, "icmp")]
# 2026-11 in Asia/Shanghai: [2026-10-31 16:00 UTC, 2026-11-30 16:00 UTC)
T0 = datetime.datetime(2026, 10, 31, 16, tzinfo=datetime.timezone.utc).timestamp()
T1 = datetime.datetime(2026, 11, 30, 16, tzinfo=datetime.timezone.utc).timestamp()


def write_net(d):
    rows, names = [], []
    n = 0
    for role, k, probe in MIX:
        for j in range(k):
            name = "%s-%05d" % (role, j)
            unit = "单位%03d" % (j % 520) if role in ("access", "iot",
                                                    "camera") else "区大数据局"
            parent = ""
            if role in ("iot", "camera"):
                parent = "access-%05d" % (j % 520)
            elif role == "access":
                parent = "aggregation-%05d" % (j % 26)
            addr = "127.%d.%d.%d" % (30 + n // 62500, (n // 250) % 250,
                                     1 + n % 250)
            rows.append("%s,%s,%s,%s,%s,%s,,,,%s" % (
                unit, name, addr, role, parent,
                "p" if probe == "snmp" else "", probe))
            names.append((name, role))
            n += 1
    with open(os.path.join(d, "inventory.csv"), "w", encoding="utf-8") as f:
        f.write("unit,name,address,role,parent,profile,interfaces,"
                "capacity_mbps,tags,probe\n" + "\n".join(rows) + "\n")
    with open(os.path.join(d, "slamon.conf"), "w", encoding="utf-8") as f:
        f.write("[general]\ninventory = inventory.csv\nstorage_dir = %s\n"
                "timezone = Asia/Shanghai\n\n"
                "[profile p]\nversion = 2c\ncommunity = x\n"
                % os.path.join(d, "rrd"))
    return names


def fill(db, names, changes, seed=15):
    rnd = random.Random(seed)
    rows = []
    for name, role in names:
        rows.append((name, "up", "answering", T0 - 86400 * 3))
        # a share of each role has outages this month
        share = {"camera": 0.04, "iot": 0.06, "access": 0.03}.get(role, 0.01)
        if rnd.random() >= share:
            continue
        n = max(2, int(rnd.expovariate(1 / changes)) // 2 * 2)
        ts = sorted(rnd.uniform(T0, T1) for _ in range(n))
        for i, t in enumerate(ts):
            if i % 2 == 1:
                rows.append((name, "up", "answering again", t))
            elif rnd.random() < 0.2:
                rows.append((name, "unreachable",
                             "behind a parent that is down", t))
            else:
                rows.append((name, "down", "no answer to 3 polls", t))
    # slamond stopped for 20 minutes once: every device unknown, then back
    stop = T0 + 12 * 86400 + 3600
    for name, _ in names:
        rows.append((name, "unknown", "slamond stopped", stop))
        rows.append((name, "up", "answering", stop + 1200))
    con = sqlite3.connect(db)
    con.executemany("INSERT INTO state_log VALUES (?, ?, ?, ?)", rows)
    con.commit()
    con.close()
    return len(rows)


def timed(cmd):
    t = time.time()
    p = subprocess.run(["/usr/bin/time", "-f", "%U %S %M"] + cmd,
                       capture_output=True, text=True)
    wall = time.time() - t
    last = p.stderr.strip().splitlines()[-1] if p.stderr.strip() else ""
    m = re.match(r"([\d.]+) ([\d.]+) (\d+)$", last)
    if m is None:
        sys.exit("sla_scale: %s failed (%d): %s" % (" ".join(cmd),
                                                   p.returncode, p.stderr))
    return {"user_s": float(m.group(1)), "sys_s": float(m.group(2)),
            "max_rss_kb": int(m.group(3)), "wall_s": round(wall, 2),
            "exit": p.returncode, "stdout_bytes": len(p.stdout)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build-bench"))
    ap.add_argument("--changes", type=int, default=6)
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    slamon = os.path.join(a.build, "slamon")
    if not os.path.exists(slamon):
        sys.exit("sla_scale: no %s (build slamon there first)" % slamon)
    d = tempfile.mkdtemp(prefix="slamon-sla-scale-")
    R = {}
    try:
        names = write_net(d)
        conf = os.path.join(d, "slamon.conf")
        os.makedirs(os.path.join(d, "rrd"))
        subprocess.run([slamon, "report", "annotate", "-c", conf, "--month",
                        "2026-10", "--indicator", "unit_connectivity",
                        "--text", "bench"], check=True,
                       stdout=subprocess.DEVNULL)
        R["devices"] = len(names)
        R["state_rows"] = fill(os.path.join(d, "rrd", "faults.db"), names, a.changes)
        R["journal_bytes"] = os.path.getsize(os.path.join(d, "rrd", "faults.db"))
        for label, extra in (("sla", []), ("sla_json", ["--json"])):
            R[label] = timed([slamon, "sla", "-c", conf, "--month",
                              "2026-11"] + extra)
            print("%-9s %6.2f s user %5.2f s sys  %6.1f MB peak RSS  "
                  "(%d devices, %d state rows, exit %d)"
                  % (label, R[label]["user_s"], R[label]["sys_s"],
                     R[label]["max_rss_kb"] / 1024, R["devices"],
                     R["state_rows"], R[label]["exit"]), flush=True)
        out = subprocess.run([slamon, "sla", "-c", conf, "--month", "2026-11"],
                             capture_output=True, text=True).stdout
        R["table"] = out
        print(out)
    finally:
        if not a.keep:
            shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(BENCH, "results"), exist_ok=True)
    path = os.path.join(BENCH, "results", "sla_scale-%s.json" %
                        datetime.datetime.utcnow().strftime("%Y%m%d-%H%M%S"))
    with open(path, "w") as f:
        json.dump(R, f, indent=1, ensure_ascii=False)
    print("wrote", path)


if __name__ == "__main__":
    main()
