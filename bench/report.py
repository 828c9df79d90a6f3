#!/usr/bin/env python3
"""report.py - turns bench.py's results into the markdown and TSV tables.

    report.py RESULTS.json    prints the markdown again
"""
import json
import sys

DEV_RRD = 272352  # device.v4.rrd, docs/storage.md (layout 4)
IF_RRD = 2221280 + 241816  # if-*.v4.rrd of a link + st-*.v4.rrd per interface


def f(v, fmt="%.3f"):
    if v is None:
        return "-"
    try:
        return fmt % v
    except TypeError:
        return str(v)


def render(R):
    m = R["machine"]
    rows = []  # (section, what, N, value, unit, note)
    md = []
    md.append("# slamon benchmark %s%s\n" % (R["date"], " (quick)" if R["quick"] else ""))
    md.append("Machine: %s, %s cores, %s GiB RAM, kernel %s%s; fd limit %s, "
              "ephemeral ports %s-%s.\n" % (
                  m["cpu"], m["cores"], m["ram_gib"], m["kernel"],
                  (", virtualisation " + m["virt"]) if m.get("virt") else "",
                  m["fd_limit"], m["port_range"][0], m["port_range"][1]))
    rs = R["responder"]
    md.append("Fleet: bench/responder, one thread; capacity measured in this run: "
              "**%.0f responses/s** to the 41-varbind poll GET (%.1f us CPU per "
              "answer). slamond at 28,000 devices / 60 s needs 467/s.\n"
              % (rs["resp_per_s"], rs["cpu_us_per_resp"]))
    rows.append(("fleet", "responder capacity", "", rs["resp_per_s"], "responses/s", ""))

    md.append("## slamond, interval %d s, %d cycles\n" % (R["interval"], R["cycles"]))
    md.append("| N | storage | polls | late | skipped | failed devices | CPU s / 1k polls (steady) | "
              "CPU s / 1k polls (all, incl. start + discovery) | % of one core (steady) | "
              "peak RSS MB | RSS kB / device | disk MB / interface | rrd written/failed/dropped |")
    md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in R["runs"]:
        st = r.get("status", {})
        roles = st.get("roles", {}).get("camera", {})
        bad = roles.get("down", 0) + roles.get("unknown", 0) if roles else "-"
        rr = st.get("rrd", {}) or {}
        cpu1k = r.get("cpu_per_1k")
        if r["mode"] == "cached" and r.get("cpu_per_1k_with_rrdcached"):
            note = " (+rrdcached: %.3f all)" % r["cpu_per_1k_with_rrdcached"]
        else:
            note = ""
        md.append("| %d | %s | %d | %s | %s | %s | %s | %s%s | %s | %.1f | %.1f | %s | %s |" % (
            r["n"], {"norrd": "none (--no-rrd)", "direct": "RRD direct",
                     "cached": "RRD via rrdcached"}[r["mode"]],
            r["polls"], r["late"], r["skipped"], bad, f(cpu1k),
            f(r.get("cpu_per_1k_all")), note, f(r.get("core_pct"), "%.2f"),
            r["hwm_kb"] / 1024, r["rss_per_dev_kb"],
            f(r.get("disk_per_if_incl_dev", 0) / 1e6, "%.2f") if r["mode"] != "norrd" else "-",
            "%s/%s/%s" % (rr.get("written"), rr.get("failed"), rr.get("dropped"))
            if r["mode"] != "norrd" else "-"))
        rows.append(("slamond", r["mode"] + " cpu_s_per_1k_polls", r["n"], cpu1k, "s", ""))
        rows.append(("slamond", r["mode"] + " core_pct", r["n"], r.get("core_pct"), "%", ""))
        rows.append(("slamond", r["mode"] + " peak_rss_mb", r["n"], r["hwm_kb"] / 1024, "MB", ""))
        rows.append(("slamond", r["mode"] + " late", r["n"], r["late"], "polls", ""))
        rows.append(("slamond", r["mode"] + " skipped", r["n"], r["skipped"], "polls", ""))
        rows.append(("slamond", r["mode"] + " failed_devices", r["n"], bad, "devices", ""))
        if r["mode"] != "norrd":
            rows.append(("slamond", r["mode"] + " disk_per_if", r["n"],
                         r.get("disk_per_if_incl_dev"), "bytes", "incl. device file share"))
        if r.get("log_errors"):
            md.append("|  | log: %d error lines, e.g. `%s` |||||||||||" % (
                r["log_errors"], (r["log_sample"] or [""])[0][:160]))
    md.append("")

    md.append("## Peers (same fleet, same OIDs)\n")
    md.append("| poller | N | polls measured | CPU s / 1k polls | slamond / peer (same N) | note |")
    md.append("|---|---|---|---|---|---|")
    sl = {r["n"]: r for r in R["runs"] if r["mode"] == "norrd"}
    ratios = {}
    for mp in R["minpoll"]:
        if "error" in mp:
            md.append("| minpoll | %d | - | - | - | %s |" % (mp["n"], mp["error"][:100]))
            continue
        s = sl.get(mp["n"], {}).get("cpu_per_1k")
        ratio = s / mp["cpu_per_1k"] if s and mp["cpu_per_1k"] else None
        ratios[("minpoll", mp["n"])] = ratio
        md.append("| minpoll (net-snmp async floor) | %d | %d (%d ok, late %d) | %s | %s | %s sessions, steady state |" % (
            mp["n"], mp["polls"], mp["ok"], mp["late"], f(mp["cpu_per_1k"]),
            f(ratio, "%.2f"), mp["mode"]))
        rows.append(("minpoll", "cpu_s_per_1k_polls", mp["n"], mp["cpu_per_1k"], "s", mp["mode"]))
        rows.append(("ratio", "slamond/minpoll", mp["n"], ratio, "x", "target <= 1.5"))
    s500 = sl.get(500, {}).get("cpu_per_1k")
    mb = R.get("minpoll_burst")
    if mb and "error" not in mb:
        md.append("| minpoll, all 500 every 2 s (burst, like collectd's queued reads) | 500 | %d | %s | %s | pacing's share of the cost |" % (
            mb["polls"], f(mb["cpu_per_1k"]), f(s500 / mb["cpu_per_1k"] if s500 and mb["cpu_per_1k"] else None, "%.2f")))
        rows.append(("minpoll", "burst cpu_s_per_1k_polls", 500, mb["cpu_per_1k"], "s", "500 devices every 2 s"))
    pace = R.get("slamond_pace")
    sp = pace.get("cpu_per_1k") if pace else None
    if sp:
        md.append("| slamond itself at collectd's pace (500 devices every 10 s) | 500 | %d | %s | 1 | the ratios below use this run |" % (
            pace["polls"], f(sp)))
        rows.append(("slamond", "pace10 cpu_s_per_1k_polls", 500, sp, "s", "500 devices every 10 s"))
        s500 = sp
    cd = R.get("collectd")
    if cd:
        if "error" in cd:
            md.append("| collectd snmp plugin | 500 | - | - | - | %s |" % cd["error"])
        else:
            ratio = cd["cpu_per_1k"] / s500 if s500 else None
            ratios["collectd"] = ratio
            md.append("| collectd 5.12 snmp plugin | 500 | %d | %s | 1/%s | ReadThreads 5, one GET of 37 OIDs per host, interval 10 s, no writer |" % (
                cd["polls"], f(cd["cpu_per_1k"]), f(ratio, "%.1f")))
            rows.append(("collectd", "cpu_s_per_1k_polls", 500, cd["cpu_per_1k"], "s", ""))
            rows.append(("ratio", "collectd/slamond", 500, ratio, "x", "target >= 10"))
    fk = R.get("fork")
    if fk:
        ratio = fk["cpu_per_1k"] / s500 if s500 else None
        ratios["fork"] = ratio
        md.append("| fork-per-device snmpget | 500 | %d | %s | 1/%s | xargs -P %d, MIBS empty, numeric OIDs, %.0f polls/s wall |" % (
            fk["polls"], f(fk["cpu_per_1k"]), f(ratio, "%.0f"), fk["parallel"],
            fk["polls_per_s"]))
        rows.append(("fork", "cpu_s_per_1k_polls", 500, fk["cpu_per_1k"], "s", ""))
        rows.append(("ratio", "fork/slamond", 500, ratio, "x", "target >= 100"))
    md.append("")

    # where the CPU goes: user space (the poller's own code) and kernel
    # (the datagrams: the same per packet for every poller on loopback)
    sps = [("slamond, N=%d, %d s" % (r["n"], r["interval"]), r.get("split"))
           for r in R["runs"] if r["mode"] == "norrd"]
    if R.get("slamond_pace"):
        sps.append(("slamond, N=500, 10 s (collectd's pace)",
                    R["slamond_pace"].get("split")))
    if cd and "error" not in cd:
        sps.append(("collectd, N=500, 10 s", cd.get("split")))
    sps = [(w, s) for w, s in sps if s]
    if sps:
        md.append("### User and kernel CPU per poll (/proc utime, stime; 10 ms ticks)\n")
        md.append("| poller | user us / poll | kernel us / poll |\n|---|---|---|")
        for w, s in sps:
            md.append("| %s | %.1f | %.1f |" % (w, s["user_us"], s["sys_us"]))
            rows.append(("split", w + " user_us", "", s["user_us"], "us", ""))
            rows.append(("split", w + " sys_us", "", s["sys_us"], "us", ""))
        md.append("")

    cg = R.get("callgrind", {})
    if cg:
        md.append("## Instructions per steady-state poll (callgrind, cycles 4 minus cycles 2)\n")
        if "error" in cg:
            md.append("callgrind: %s\n" % cg["error"])
        else:
            s, mp = cg.get("slamond"), cg.get("minpoll")
            md.append("| slamond | minpoll | ratio |\n|---|---|---|\n| %s | %s | %s |\n" % (
                f(s, "%.0f"), f(mp, "%.0f"), f(s / mp if s and mp else None, "%.2f")))
            rows.append(("callgrind", "slamond_instr_per_poll", "", s, "instructions", ""))
            rows.append(("callgrind", "minpoll_instr_per_poll", "", mp, "instructions", ""))
        md.append("(`perf stat -e instructions` is not supported on this machine: %s)\n" % (
            "virtualised" if m.get("virt") else "no PMU"))

    hd = R.get("headroom", [])
    if hd:
        md.append("## Headroom (slamond --no-rrd, 6 cycles each; lateness counted over the last 3, after the discovery walks)\n")
        md.append("| N | interval s | polls/s offered | late | skipped | late + skipped, last 3 cycles | failed devices | % of one core |")
        md.append("|---|---|---|---|---|---|---|---|")
        for r in hd:
            roles = r.get("status", {}).get("roles", {}).get("camera", {})
            bad = roles.get("down", 0) + roles.get("unknown", 0) if roles else "-"
            md.append("| %d | %d | %.0f | %s | %s | %s | %s | %s |" % (
                r["n"], r["interval"], r["polls_per_s"], r["late"], r["skipped"],
                r.get("late_steady", "-"), bad, f(r.get("core_pct"), "%.2f")))
            rows.append(("headroom", "late+skipped @%ds" % r["interval"], r["n"],
                         (r["late"] or 0) + (r["skipped"] or 0), "polls",
                         "%.0f polls/s" % r["polls_per_s"]))
        md.append("")

    # targets
    md.append("## Targets\n")
    md.append("| target | measured | met |\n|---|---|---|")
    big = sl.get(28000)
    if big:
        roles = big["status"].get("roles", {}).get("camera", {})
        bad = roles.get("down", 0) + roles.get("unknown", 0) if roles else None
        ok = (big["late"] == 0 and big["skipped"] == 0 and bad == 0
              and big["polls"] >= 28000 * R["cycles"])
        md.append("| 28,000 x 4 at 60 s: every cycle on time | %d polls of %d, late %s, skipped %s, %s devices failing | %s |" % (
            big["polls"], 28000 * R["cycles"], big["late"], big["skipped"], bad,
            "yes" if ok else "**no**"))
        md.append("| 28,000 x 4: < 10%% of one core | %.2f%% | %s |" % (
            big["core_pct"], "yes" if big["core_pct"] < 10 else "**no**"))
        md.append("| 28,000 x 4: < 300 MB RSS | %.0f MB | %s |" % (
            big["hwm_kb"] / 1024, "yes" if big["hwm_kb"] / 1024 < 300 else
            "**no** (%.1fx)" % (big["hwm_kb"] / 1024 / 300)))
    for (k, n), v in sorted((k, v) for k, v in ratios.items() if isinstance(k, tuple)):
        md.append("| CPU/poll within 1.5x of minpoll (N=%d) | %sx | %s |" % (
            n, f(v, "%.2f"), "yes" if v and v <= 1.5 else "**no**"))
    if ratios.get("collectd"):
        v = ratios["collectd"]
        md.append("| >= 10x less CPU/poll than collectd | %.1fx | %s |" % (v, "yes" if v >= 10 else "**no**"))
    if ratios.get("fork"):
        v = ratios["fork"]
        md.append("| >= 100x less CPU/poll than fork-per-device | %.0fx | %s |" % (v, "yes" if v >= 100 else "**no**"))
    md.append("| <= 2.5 MB disk per interface, 5-min data 400 days | %.2f MB (if+st files); %.2f MB with the device file shared by 4 interfaces | %s |" % (
        IF_RRD / 1e6, (IF_RRD + DEV_RRD / 4) / 1e6,
        "yes" if IF_RRD + DEV_RRD / 4 <= 2.5e6 else ("yes (interface files); no with the device share" if IF_RRD <= 2.5e6 else "**no**")))
    for r in R["runs"]:
        if r["mode"] != "norrd" and r.get("disk_per_if_incl_dev"):
            md.append("| (measured on disk, %s, N=%d) | %.2f MB per interface incl. device share | |" % (
                r["mode"], r["n"], r["disk_per_if_incl_dev"] / 1e6))
    md.append("")
    tsv = "section\twhat\tN\tvalue\tunit\tnote\n" + "".join(
        "%s\t%s\t%s\t%s\t%s\t%s\n" % (a, b, c, f(d, "%.6g") if isinstance(d, float) else d, e, g)
        for a, b, c, d, e, g in rows)
    tsv = ("# machine\t%s\t%s cores\t%s GiB\t%s\n" % (m["cpu"], m["cores"], m["ram_gib"], m["kernel"])) + tsv
    return "\n".join(md) + "\n", tsv


if __name__ == "__main__":
    with open(sys.argv[1]) as fh:
        print(render(json.load(fh))[0])
