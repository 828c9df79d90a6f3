#!/usr/bin/env python3
"""Generates slamon's simulated demo network for snmpsim.

Writes into --out DIR:
  data/public/1.3.6.1.6.1.1.<i>.snmprec  one recording per served device; the
                                  i-th --agent-udpv4-endpoint of one snmpsimd
                                  serves it under community "public"
  snmpsim.args                    the endpoints, for snmpsimd --args-from-file
  ports.txt                       the same endpoints, one 127.0.0.1:PORT a line
  inventory.csv                   the matching slamon inventory (UTF-8)
  expected.json                   device -> interface -> configured byte rates
  icmp-blackhole.txt              with --cameras/--iot: the prefix of the
                                  ICMP devices that must not answer (demo.sh
                                  routes it to a blackhole in table local)

Cameras and IoT terminals (--cameras, --iot) are inventory rows of probe
icmp on loopback addresses: 127.20.0.0/16 (cameras) and 127.22.0.0/16 (IoT
terminals) answer ping (all of 127/8 does on Linux); the ones that are down,
and those behind a down aggregation switch, are in 127.21.0.0/16, which
demo.sh makes silent. Nothing leaves 127.0.0.0/8.

Counters use snmpsim's numeric variation module without `cumulative`:
value = initial + rate * (now - snmpsimd start), so every counter grows at
exactly `rate` units per second (see /usr/share/snmpsim/variation/numeric.py).
The output is deterministic for a given --seed. See docs/demo-network.md.
SPDX-License-Identifier: MIT
"""

import argparse
import json
import os
import random
import sys

DISTRICT = "锦湖区"
COMMUNITY = "public"
TRANSPORT_ID = "1.3.6.1.6.1.1"  # snmpsim's UDP/IPv4 transport domain
APS_PER_AGG = 20

SYS = "1.3.6.1.2.1.1"
IF_NUMBER = "1.3.6.1.2.1.2.1.0"
IF_ENTRY = "1.3.6.1.2.1.2.2.1"
IFX_ENTRY = "1.3.6.1.2.1.31.1.1.1"

MODELS = {
    "backbone": ("1.3.6.1.4.1.2011.2.360.1.9",
                 "Huawei Versatile Routing Platform Software\n"
                 "VRP (R) software, Version 8.200 (NetEngine 8000 "
                 "V800R012C10SPC300) \r\n"
                 "Copyright (C) 2012-2020 Huawei Technologies Co., Ltd. \r\n"
                 "HUAWEI NetEngine 8000 M8"),
    "exit": ("1.3.6.1.4.1.2011.2.224.279",
             "Huawei Versatile Routing Platform Software\n"
             "VRP (R) software, Version 5.170 (AR6300 V300R019C13SPC200) \r\n"
             "Copyright (C) 2011-2021 Huawei Technologies Co., Ltd. \r\n"
             "HUAWEI AR6300"),
    "core": ("1.3.6.1.4.1.2011.2.239.1",
             "Huawei Versatile Routing Platform Software\n"
             "VRP (R) software, Version 8.150 (CE12800 V200R002C50SPC800) "
             "\r\nCopyright (C) 2012-2017 Huawei Technologies Co., Ltd. \r\n"
             "HUAWEI CE12804"),
    "aggregation": ("1.3.6.1.4.1.2011.2.23.291",
                    "S5720-56C-PWR-EI-AC\n"
                    "Huawei Versatile Routing Platform Software \r\n"
                    " VRP (R) software,Version 5.170 (S5720 V200R010C00SPC600)"
                    " \r\n Copyright (C) 2007 Huawei Technologies Co., Ltd."),
    "access": ("1.3.6.1.4.1.2011.2.224.62",
               "Huawei AR169F Huawei Versatile Routing Platform Software  "
               "VRP (R) software,Version 5.170 (AR160 V200R009C00SPC500) "
               "Copyright (C) 2011-2018 Huawei Technologies Co., Ltd"),
}

BUREAUS = [
    "人民政府办公室", "发展和改革局", "教育局", "科学技术局", "工业和信息化局",
    "公安分局", "民政局", "司法局", "财政局", "人力资源和社会保障局",
    "自然资源局", "生态环境局", "住房和城乡建设局", "交通运输局", "水务局",
    "农业农村局", "商务局", "文化和旅游局", "卫生健康委员会", "退役军人事务局",
    "应急管理局", "审计局", "市场监督管理局", "统计局", "医疗保障局",
    "城市管理局", "林业局", "体育局", "信访局", "政务服务和数据管理局",
    "档案馆", "融媒体中心", "机关事务管理局", "投资促进局", "税务局",
    "人民法院", "人民检察院", "总工会", "妇女联合会", "共青团委员会",
    "残疾人联合会", "红十字会", "科学技术协会", "委组织部", "委宣传部",
    "委统战部", "委政法委员会", "纪律检查委员会", "人大常委会办公室",
    "政协办公室", "消防救援大队", "气象局", "民族宗教事务局", "疾病预防控制中心",
    "公共资源交易中心", "不动产登记中心", "住房公积金管理中心", "图书馆",
    "文化馆", "人民医院", "中医医院", "妇幼保健院",
]
STREETS = [
    "东湖", "西城", "南苑", "北岭", "锦华", "新河", "桂花", "白沙", "青石",
    "龙泉", "金桥", "望江", "梅林", "柳岸", "松山", "鹤鸣", "临江", "平安",
    "丰乐", "长宁", "仁和", "永兴", "安澜", "清溪",
]
STREET_UNITS = [
    "街道办事处", "街道社区卫生服务中心", "街道便民服务中心",
    "街道综合行政执法队", "派出所", "街道社会治安综合治理中心",
]
COMMUNITIES = [
    "幸福", "和平", "光明", "团结", "春晖", "翠竹", "阳光", "锦绣", "枫林",
    "滨河", "育才", "康乐",
]
CN_NUM = "一二三四五六七八九十"


def cn_number(n):
    """1..99 as Chinese numerals (十一, 二十三, ...)."""
    if n <= 10:
        return CN_NUM[n - 1]
    tens, ones = divmod(n, 10)
    s = ("" if tens == 1 else CN_NUM[tens - 1]) + "十"
    return s + (CN_NUM[ones - 1] if ones else "")


def unit_names(n):
    """n distinct, plausible government unit names, deterministic."""
    pool = [DISTRICT + b for b in BUREAUS]
    for st in STREETS:
        for u in STREET_UNITS:
            pool.append(DISTRICT + st + u)
    for i in range(1, 31):
        pool.append("%s第%s中学" % (DISTRICT, cn_number(i)))
        pool.append("%s第%s小学" % (DISTRICT, cn_number(i)))
    for st in STREETS:
        for c in COMMUNITIES:
            pool.append("%s%s街道%s社区居民委员会" % (DISTRICT, st, c))
    i = 1
    while len(pool) < n:
        pool.append("%s第%d街道办事处" % (DISTRICT, i))
        i += 1
    assert len(set(pool)) == len(pool)
    return pool[:n]


class Iface:
    def __init__(self, name, speed_mbps, alias, in_bps=0, out_bps=0,
                 up=True, mgmt=False):
        self.name = name
        self.speed = speed_mbps
        self.alias = alias
        self.in_bps = in_bps    # bytes per second, ifHCInOctets growth
        self.out_bps = out_bps
        self.up = up
        self.mgmt = mgmt


class Device:
    def __init__(self, name, role, unit, parent=""):
        self.name = name
        self.role = role
        self.unit = unit
        self.parent = parent
        self.ifs = []
        self.monitored = ""   # inventory "interfaces" column
        self.capacity = ""    # inventory "capacity_mbps" column
        self.port = 0
        self.served = True


def frac_rate(rng, speed_mbps, lo, hi):
    """Bytes/s for a utilisation drawn from [lo, hi] of speed_mbps."""
    return int(speed_mbps * 1e6 / 8 * rng.uniform(lo, hi))


def build(aps, down, rng, down_aggs=0):
    devs = []
    center = DISTRICT + "电子政务外网管理中心"  # not an access-point unit
    for i in (1, 2):
        d = Device("bb-rtr-%d" % i, "backbone", center)
        other = "bb-rtr-%d" % (3 - i)
        d.ifs.append(Iface("GigabitEthernet0/0/0", 1000, "管理口",
                           rng.randint(2000, 20000), rng.randint(2000, 20000),
                           mgmt=True))
        d.ifs.append(Iface("XGigabitEthernet1/0/1", 10000,
                           "骨干链路-至" + other,
                           frac_rate(rng, 10000, 0.35, 0.60),
                           frac_rate(rng, 10000, 0.35, 0.60)))
        d.monitored, d.capacity = "XGigabitEthernet1/0/1", "10000"
        devs.append(d)
    for i in (1, 2):
        d = Device("exit-rtr-%d" % i, "exit", center)
        d.ifs.append(Iface("GigabitEthernet0/0/0", 1000, "管理口",
                           rng.randint(2000, 20000), rng.randint(2000, 20000),
                           mgmt=True))
        isp = ("中国电信" if i == 1 else "中国联通")
        d.ifs.append(Iface("Eth-Trunk1", 2000, "互联网出口-" + isp,
                           frac_rate(rng, 2000, 0.40, 0.70),
                           frac_rate(rng, 2000, 0.40, 0.70)))
        d.monitored, d.capacity = "Eth-Trunk1", "2000"
        devs.append(d)
    core = Device("core-sw-1", "core", center)
    devs.append(core)

    naggs = (aps + APS_PER_AGG - 1) // APS_PER_AGG
    units = unit_names(aps)
    aggs = []
    for a in range(naggs):
        agg = Device("agg-sw-%02d" % (a + 1), "aggregation", center,
                     core.name)
        aggs.append(agg)
        devs.append(agg)
    width = max(3, len(str(aps)))
    ap_devs = []
    for k in range(aps):
        agg = aggs[k // APS_PER_AGG]
        ap = Device("ap-%0*d" % (width, k + 1), "access", units[k], agg.name)
        up_out = rng.randint(125000, 1000000)   # 1-8 Mbit/s towards core
        up_in = rng.randint(125000, 1000000)
        ap.ifs.append(Iface("GigabitEthernet0/0/0", 100,
                            "上行-至" + agg.name, up_in, up_out))
        ap.ifs.append(Iface("GigabitEthernet0/0/1", 1000, "单位内网",
                            up_out, up_in))
        ap.monitored = "GigabitEthernet0/0/0"
        ap_devs.append(ap)
        port = len(agg.ifs) + 1
        agg.ifs.append(Iface("GigabitEthernet0/0/%d" % port, 1000,
                             "下联-" + ap.unit, up_out, up_in))
    # aggregation uplinks and core ports carry the sum of what is below
    for a, agg in enumerate(aggs):
        s_in = sum(i.in_bps for i in agg.ifs)
        s_out = sum(i.out_bps for i in agg.ifs)
        agg.ifs.append(Iface("GigabitEthernet0/0/48", 1000, "备用",
                             up=False))
        agg.ifs.insert(0, Iface("XGigabitEthernet0/0/1", 10000,
                                "上行-至" + core.name, s_out, s_in))
        # its uplink only: each downlink is an access point's uplink,
        # stored on the access point's side (one file per link, not two)
        agg.monitored = "XGigabitEthernet0/0/1"
        agg.ifs.append(Iface("MEth0/0/1", 100, "管理口",
                             rng.randint(1000, 5000), rng.randint(1000, 5000),
                             mgmt=True))
        core.ifs.append(Iface("10GE2/0/%d" % (a + 1), 10000,
                              "下联-" + agg.name, s_in, s_out))
    for i in (1, 2):
        core.ifs.insert(i - 1, Iface("100GE1/0/%d" % i, 100000,
                                     "上行-至bb-rtr-%d" % i,
                                     frac_rate(rng, 100000, 0.03, 0.06),
                                     frac_rate(rng, 100000, 0.03, 0.06)))
    core.monitored = "100GE1/0/*"  # its uplinks to the backbone
    core.ifs.append(Iface("10GE2/0/48", 10000, "备用", up=False))
    core.ifs.append(Iface("MEth0/0/0", 1000, "管理口",
                          rng.randint(2000, 20000), rng.randint(2000, 20000),
                          mgmt=True))
    devs.extend(ap_devs)
    # the last `down` access points are never served
    for ap in ap_devs[len(ap_devs) - down:] if down else []:
        ap.served = False
    # a parent outage: the first `down_aggs` aggregation switches and every
    # access point behind them stop answering (one fault, N unreachable)
    for agg in aggs[:down_aggs]:
        agg.served = False
        for ap in ap_devs:
            if ap.parent == agg.name:
                ap.served = False
    return devs


CAMERA_UNITS = ["公安分局", "公安分局", "公安分局", "交通运输局", "城市管理局",
                "应急管理局"]
IOT_UNITS = ["生态环境局", "水务局", "应急管理局", "城市管理局"]
SILENT_NET = "127.21.0.0/16"


def loop_addr(second, i):
    """127.<second>.x.y for the i-th device (y 1..250)."""
    return "127.%d.%d.%d" % (second, i // 250, i % 250 + 1)


def build_icmp(devs, cameras, iot, down_cameras, down_iot):
    """Cameras and IoT terminals (probe icmp) behind the aggregation
    switches, round robin; the last down_* of each are down, and so is
    every one behind a switch that is not served. Returns the rows."""
    aggs = [d for d in devs if d.role == "aggregation"]
    silent = 0
    rows = []
    for kind, n, down, units, second, role in (
            ("cam", cameras, down_cameras, CAMERA_UNITS, 20, "camera"),
            ("iot", iot, down_iot, IOT_UNITS, 22, "iot")):
        width = max(4, len(str(n)))
        for i in range(n):
            d = Device("%s-%0*d" % (kind, width, i + 1), role,
                       DISTRICT + units[i % len(units)],
                       aggs[i % len(aggs)].name if aggs else "")
            parent_down = aggs and not aggs[i % len(aggs)].served
            d.served = not (i >= n - down or parent_down)
            if d.served:
                d.addr = loop_addr(second, i)
            else:
                d.addr = loop_addr(21, silent)
                silent += 1
            d.tags = "demo;simulated"
            if role == "camera":
                # most feeds are integrated into the city video platform
                d.tags += ";视频" + (";视联平台" if i % 10 else "")
            if not d.served:
                d.tags += ";unreachable"
            rows.append(d)
    assert silent < 250 * 256, "too many silent ICMP devices"
    return rows


def oid_key(oid):
    return tuple(int(x) for x in oid.split("."))


def hexstr(s):
    return s.encode("utf-8").hex()


def text(s):
    """snmprec string value: plain when printable ASCII, else 4x hex."""
    if all(0x20 <= ord(c) < 0x7f for c in s) and "|" not in s:
        return "4", s
    return "4x", hexstr(s)


def numeric(tag, initial, rate, wrap=False):
    v = "%d:numeric|initial=%d,rate=%s" % (tag, initial, rate)
    return v + (",wrap=1" if wrap else "")


def snmprec(dev, rng):
    recs = []

    def add(oid, tag, value):
        recs.append((oid, "%s|%s|%s" % (oid, tag, value)))

    objid, descr = MODELS[dev.role]
    add(SYS + ".1.0", "4x", hexstr(descr))
    add(SYS + ".2.0", "6", objid)
    uptime = rng.randint(100 * 86400, 100 * 86400 * 200)
    recs.append((SYS + ".3.0", "%s.3.0|%s" % (SYS, numeric(67, uptime, 100))))
    add(SYS + ".4.0", *text("NOC 028-12345678"))
    add(SYS + ".5.0", "4", dev.name)
    add(SYS + ".6.0", *text(dev.unit))
    add(SYS + ".7.0", "2", "78" if dev.role == "access" else "6")
    add(IF_NUMBER, "2", str(len(dev.ifs)))

    def addnum(oid, tag, initial, rate, wrap=False):
        recs.append((oid, "%s|%s" % (oid, numeric(tag, initial, rate, wrap))))

    for idx, itf in enumerate(dev.ifs, start=1):
        ix = "." + str(idx)
        e = IF_ENTRY + "."
        x = IFX_ENTRY + "."
        bps = itf.speed * 1000000
        add(e + "1" + ix, "2", str(idx))
        add(e + "2" + ix, "4", itf.name)
        add(e + "3" + ix, "2", "6")
        add(e + "4" + ix, "2", "1500")
        add(e + "5" + ix, "66", str(min(bps, 4294967295)))
        mac = "00e0fc%06x" % rng.randint(0, 0xffffff)
        add(e + "6" + ix, "4x", mac)
        add(e + "7" + ix, "2", "1" if itf.up else "2")
        add(e + "8" + ix, "2", "1" if itf.up else "2")
        add(e + "9" + ix, "67", str(rng.randint(0, 100000)))
        hc_in = rng.randint(10**9, 10**13) if itf.up else 0
        hc_out = rng.randint(10**9, 10**13) if itf.up else 0
        if itf.up:
            addnum(e + "10" + ix, 65, hc_in % 2**32, itf.in_bps, True)
            addnum(e + "16" + ix, 65, hc_out % 2**32, itf.out_bps, True)
            # a few packets lost per hour, more on busy links
            for col in ("13", "14", "19", "20"):
                r = round(rng.uniform(0.001, 0.05), 4)
                addnum(e + col + ix, 65, rng.randint(0, 5000), r, True)
        else:
            for col in ("10", "16", "13", "14", "19", "20"):
                add(e + col + ix, "65", "0")
        add(x + "1" + ix, "4", itf.name)
        if itf.up:
            addnum(x + "6" + ix, 70, hc_in, itf.in_bps)
            addnum(x + "10" + ix, 70, hc_out, itf.out_bps)
        else:
            add(x + "6" + ix, "70", "0")
            add(x + "10" + ix, "70", "0")
        add(x + "15" + ix, "66", str(itf.speed))
        add(x + "18" + ix, *text(itf.alias))
    recs.sort(key=lambda r: oid_key(r[0]))
    return "".join(r[1] + "\n" for r in recs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="output folder")
    ap.add_argument("--aps", type=int, default=520,
                    help="access points (one per unit), default 520")
    ap.add_argument("--down", type=int, default=5,
                    help="access points listed but never served, default 5")
    ap.add_argument("--down-aggs", type=int, default=0,
                    help="aggregation switches down with every access "
                    "point behind them (a parent outage), default 0")
    ap.add_argument("--base-port", type=int, default=20161,
                    help="UDP port of the first device, default 20161")
    ap.add_argument("--cameras", type=int, default=0,
                    help="cameras (probe icmp, 127.20.x.y), default 0")
    ap.add_argument("--iot", type=int, default=0,
                    help="IoT terminals (probe icmp, 127.22.x.y), default 0")
    ap.add_argument("--down-cameras", type=int, default=0,
                    help="cameras that never answer, default 0")
    ap.add_argument("--down-iot", type=int, default=0,
                    help="IoT terminals that never answer, default 0")
    ap.add_argument("--seed", type=int, default=20240101)
    args = ap.parse_args()
    if not (0 <= args.down_cameras <= args.cameras <= 60000 and
            0 <= args.down_iot <= args.iot <= 60000):
        sys.exit("gen-demo-network: need 0 <= --down-cameras <= --cameras "
                 "<= 60000 and the same for --iot")
    if args.aps < 1 or not 0 <= args.down <= args.aps:
        sys.exit("gen-demo-network: need --aps >= 1 and 0 <= --down <= --aps")

    rng = random.Random(args.seed)
    devs = build(args.aps, args.down, rng, args.down_aggs)
    if args.base_port < 1024 or args.base_port + len(devs) > 65535:
        sys.exit("gen-demo-network: ports %d..%d out of range"
                 % (args.base_port, args.base_port + len(devs) - 1))

    datadir = os.path.join(args.out, "data", COMMUNITY)
    os.makedirs(datadir, exist_ok=True)
    for f in os.listdir(datadir):  # drop files of a previous, larger run
        if f.endswith(".snmprec"):
            os.unlink(os.path.join(datadir, f))

    # served devices first, in inventory order: endpoint i = port base+i
    served = [d for d in devs if d.served]
    unserved = [d for d in devs if not d.served]
    endpoints = []
    for i, d in enumerate(served):
        d.port = args.base_port + i
        with open(os.path.join(datadir, "%s.%d.snmprec" % (TRANSPORT_ID, i)),
                  "w", encoding="utf-8") as fh:
            fh.write(snmprec(d, rng))
        endpoints.append("127.0.0.1:%d" % d.port)
    for k, d in enumerate(unserved):
        d.port = args.base_port + len(served) + k

    with open(os.path.join(args.out, "snmpsim.args"), "w") as fh:
        fh.write("".join("--agent-udpv4-endpoint=%s\n" % e
                         for e in endpoints))
    with open(os.path.join(args.out, "ports.txt"), "w") as fh:
        fh.write("".join(e + "\n" for e in endpoints))

    icmp = build_icmp(devs, args.cameras, args.iot, args.down_cameras,
                      args.down_iot)
    # the probe column only when there are ICMP devices: the SNMP-only
    # inventory stays as it was
    probe = ",snmp" if icmp else ""
    with open(os.path.join(args.out, "inventory.csv"), "w",
              encoding="utf-8", newline="") as fh:
        fh.write("unit,name,address,role,parent,profile,interfaces,"
                 "capacity_mbps,tags%s\n" % (",probe" if icmp else ""))
        for d in devs:
            tags = "demo;simulated" + ("" if d.served else ";unreachable")
            fh.write("%s,%s,127.0.0.1:%d,%s,%s,demo,%s,%s,%s%s\n" % (
                d.unit, d.name, d.port, d.role, d.parent, d.monitored,
                d.capacity, tags, probe))
        for d in icmp:
            fh.write("%s,%s,%s,%s,%s,,,,%s,icmp\n" % (
                d.unit, d.name, d.addr, d.role, d.parent, d.tags))
    blackhole = os.path.join(args.out, "icmp-blackhole.txt")
    if any(not d.served for d in icmp):
        with open(blackhole, "w") as fh:
            fh.write(SILENT_NET + "\n")
    elif os.path.exists(blackhole):
        os.unlink(blackhole)

    expected = {}
    for d in served:
        expected[d.name] = {
            i.name: {"in_Bps": i.in_bps, "out_Bps": i.out_bps,
                     "speed_mbps": i.speed, "ifIndex": n}
            for n, i in enumerate(d.ifs, start=1) if i.up}
    with open(os.path.join(args.out, "expected.json"), "w",
              encoding="utf-8") as fh:
        json.dump(expected, fh, ensure_ascii=False, indent=1)
        fh.write("\n")

    # snmpsimd drops to nobody when run as root: let it read the data
    for root, dirs, files in os.walk(args.out):
        os.chmod(root, 0o755)
        for f in files:
            os.chmod(os.path.join(root, f), 0o644)
    print("gen-demo-network: %d devices (%d served on 127.0.0.1:%d-%d, "
          "%d down) in %s" % (len(devs), len(served), args.base_port,
                              args.base_port + len(served) - 1,
                              len(unserved), args.out))
    if icmp:
        print("gen-demo-network: %d cameras and %d IoT terminals (probe "
              "icmp), %d of them silent in %s" % (
                  args.cameras, args.iot,
                  sum(1 for d in icmp if not d.served), SILENT_NET))


if __name__ == "__main__":
    main()
