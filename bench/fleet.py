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

    oids = ["1.3.6.1.2.1.1.3.0"]
    for k in range(1, 5):
        for base, col in COLS:
            oids.append("%s.%d.%d" % (base, col, k))
    with open(j("oids.txt"), "w") as f:
        f.write(" ".join(oids) + "\n")

    # collectd: one Data block = one GET (csnmp_read_value); give it the
    # same single GET per device. Its values must be numbers, so the four
    # ifName varbinds are left out (37 of the 41 OIDs).
    numeric = [o for o in oids if not o.startswith(IFX + ".1.")]
    with open(j("bench.types.db"), "w") as f:
        f.write("bench37 " + ", ".join(
            "v%d:GAUGE:U:U" % k for k in range(len(numeric))) + "\n")
    with open(j("collectd.conf"), "w") as f:
        f.write('Hostname "bench"\nFQDNLookup false\n'
                'BaseDir "%s"\nPIDFile "%s"\nPluginDir "/usr/lib/collectd"\n'
                'TypesDB "/usr/share/collectd/types.db" "%s"\n'
                'Interval %d\nReadThreads 5\nWriteThreads 1\n'
                'LoadPlugin logfile\n<Plugin logfile>\n  LogLevel "warning"\n'
                '  File "%s"\n</Plugin>\n'
                'LoadPlugin snmp\n<Plugin snmp>\n'
                '  <Data "poll">\n    Type "bench37"\n    Table false\n'
                '    Instance "poll"\n    Values %s\n  </Data>\n'
                % (os.path.abspath(a.dir), os.path.abspath(j("collectd.pid")),
                   os.path.abspath(j("bench.types.db")), a.interval,
                   os.path.abspath(j("collectd.log")),
                   " ".join('"%s"' % o for o in numeric)))
        for i in range(a.n):
            f.write('  <Host "d%05d">\n    Address "udp:%s:%d"\n'
                    '    Version 2\n    Community "%s"\n'
                    '    Collect "poll"\n    Interval %d\n    Timeout 2\n'
                    '    Retries 1\n  </Host>\n'
                    % (i, addr(i), a.port, a.community, a.interval))
        f.write("</Plugin>\n")


if __name__ == "__main__":
    main()
