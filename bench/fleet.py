#!/usr/bin/env python3
"""fleet.py - writes the files every poller needs for one benchmark fleet.

    fleet.py N DIR [--port P] [--community C] [--interval S]
             [--mode norrd|direct|cached] [--rrdcached ADDR]

Agent i is served by bench/responder at 127.A.B.C:P (A = 100 + i // 62500,
B = 1 + (i // 250) % 250, C = 1 + i % 250). Writes into DIR:
  inventory.csv     slamond's inventory (role 'camera', all interfaces)
  slamon.conf       slamond's configuration (storage in DIR/rrd)
  targets.txt       host:port per line (minpoll, the fork-per-device loop)
  oids.txt          the 41 OIDs of one poll (same as slamond's GET)
  collectd.conf     collectd's snmp plugin for the same fleet and OIDs
  bench.types.db    the collectd type of one device's poll
bench/realmix.py imports poll_oids(), collectd_blocks() and write_collectd()
for fleets whose devices have other interface counts and intervals.
"""
import argparse
import os

IFT = "1.3.6.1.2.1.2.2.1"
IFX = "1.3.6.1.2.1.31.1.1.1"
# slamond's per-interface GET, in its order (probes/snmp.c build_reqs)
COLS = [(IFX, 6), (IFX, 10), (IFT, 8), (IFT, 5), (IFX, 15), (IFT, 14),
        (IFT, 20), (IFT, 13), (IFT, 19), (IFX, 1)]


def addr(i):
    return "127.%d.%d.%d" % (100 + i // 62500, 1 + (i // 250) % 250,
                             1 + i % 250)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("dir")
    ap.add_argument("--port", type=int, default=16100)
    ap.add_argument("--community", default="bench")
    ap.add_argument("--interval", type=int, default=60)
    ap.add_argument("--max-inflight", type=int, default=1000)
    ap.add_argument("--rrdcached", default="")
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    j = lambda f: os.path.join(a.dir, f)

    with open(j("inventory.csv"), "w", encoding="utf-8") as f:
        f.write("unit,name,address,role,parent,profile,interfaces,"
                "capacity_mbps,tags\n")
        for i in range(a.n):
            f.write("基准单位%d,cam-%05d,%s:%d,camera,,bench,,,bench\n"
                    % (i // 100, i, addr(i), a.port))

    with open(j("slamon.conf"), "w") as f:
        f.write("[general]\ninventory = inventory.csv\n"
                "storage_dir = %s\n" % os.path.abspath(j("rrd")))
        if a.rrdcached:
            f.write("rrdcached = %s\n" % a.rrdcached)
        f.write("log_level = warn\ntimeout_ms = 2000\nretries = 1\n"
                "max_inflight = %d\ninterval = %d\n\n"
                "[intervals]\ncamera = %d\n\n"
                "[profile bench]\nversion = 2c\ncommunity = %s\n"
                % (a.max_inflight, a.interval, a.interval, a.community))

    with open(j("targets.txt"), "w") as f:
        for i in range(a.n):
            f.write("%s:%d\n" % (addr(i), a.port))

    oids = poll_oids(4)
    with open(j("oids.txt"), "w") as f:
        f.write(" ".join(oids) + "\n")
    write_collectd(a.dir, [("d%05d" % i, "%s:%d" % (addr(i), a.port),
                            a.interval, 4) for i in range(a.n)],
                   a.community, a.interval)


def poll_oids(nif):
    """slamond's GET of one poll: sysUpTime, then 10 columns of each of
    the monitored interfaces 1..nif, in its order."""
    oids = ["1.3.6.1.2.1.1.3.0"]
    for k in range(1, nif + 1):
        for base, col in COLS:
            oids.append("%s.%d.%d" % (base, col, k))
    return oids


def collectd_blocks(nif, max_varbinds=60):
    """The GETs of one poll as collectd Data blocks: slamond splits its OIDs
    into PDUs of max_varbinds (the profile's default 60); collectd's snmp
    plugin sends one GET per Data block, so each block is one of those
    PDUs. Its values must be numbers, so the ifName varbinds are left out
    (37 of the 41 OIDs of 4 interfaces, in one block)."""
    oids = poll_oids(nif)
    out = []
    for j in range(0, len(oids), max_varbinds):
        vals = [o for o in oids[j:j + max_varbinds]
                if not o.startswith(IFX + ".1.")]
        if vals:  # 48 interfaces: the 9th PDU is one ifName
            out.append(vals)
    return out


def write_collectd(d, hosts, community, interval, rrd_dir=None):
    """collectd.conf and bench.types.db in d for hosts = [(name, "addr:port",
    interval, monitored interfaces)]: the snmp plugin (one Data block per
    slamond PDU), and with rrd_dir the rrdtool plugin storing there."""
    d = os.path.abspath(d)
    j = lambda f: os.path.join(d, f)
    blocks = {}
    for _, _, _, nif in hosts:
        if nif not in blocks:
            blocks[nif] = collectd_blocks(nif)
    sizes = sorted({len(b) for bl in blocks.values() for b in bl})
    with open(j("bench.types.db"), "w") as f:
        for n in sizes:
            f.write("bench%d " % n + ", ".join(
                "v%d:GAUGE:U:U" % k for k in range(n)) + "\n")
    with open(j("collectd.conf"), "w") as f:
        f.write('Hostname "bench"\nFQDNLookup false\n'
                'BaseDir "%s"\nPIDFile "%s"\nPluginDir "/usr/lib/collectd"\n'
                'TypesDB "/usr/share/collectd/types.db" "%s"\n'
                'Interval %d\nReadThreads 5\nWriteThreads 1\n'
                'LoadPlugin logfile\n<Plugin logfile>\n  LogLevel "warning"\n'
                '  File "%s"\n</Plugin>\n'
                % (d, j("collectd.pid"), j("bench.types.db"), interval,
                   j("collectd.log")))
        if rrd_dir:
            f.write('LoadPlugin rrdtool\n<Plugin rrdtool>\n'
                    '  DataDir "%s"\n  CacheTimeout 120\n'
                    '  CacheFlush 900\n  WritesPerSecond 50\n'
                    '</Plugin>\n' % rrd_dir)
        f.write('LoadPlugin snmp\n<Plugin snmp>\n')
        for nif, bl in sorted(blocks.items()):
            for k, vals in enumerate(bl):
                name = "poll" if nif == 4 and len(bl) == 1 else \
                    "if%d_%d" % (nif, k)
                f.write('  <Data "%s">\n    Type "bench%d"\n    Table false\n'
                        '    TypeInstance "%s"\n    Values %s\n  </Data>\n'
                        % (name, len(vals), name,
                           " ".join('"%s"' % o for o in vals)))
        for name, address, ival, nif in hosts:
            bl = blocks[nif]
            names = ["poll"] if nif == 4 and len(bl) == 1 else \
                ["if%d_%d" % (nif, k) for k in range(len(bl))]
            f.write('  <Host "%s">\n    Address "udp:%s"\n'
                    '    Version 2\n    Community "%s"\n'
                    '    Collect %s\n    Interval %d\n    Timeout 2\n'
                    '    Retries 1\n  </Host>\n'
                    % (name, address, community,
                       " ".join('"%s"' % n for n in names), ival))
        f.write("</Plugin>\n")
    return j("collectd.conf")


if __name__ == "__main__":
    main()
