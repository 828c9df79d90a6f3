#!/usr/bin/env python3
"""check-floors.py - fails when an #include or a library link goes against
the floors of docs/architecture.md:

  core/                     the ground: includes nothing of ours
  probes/ storage/          stand on core/
  alerts/                   core/, storage/, and the probes' *_config.h
  sla/                      core/, storage/, alerts/, the probes' *_config.h
  web/                      the modules above (not collector/ or cli/)
  modules/                  the list of modules (header only)
  collector/ (slamond)      everything but cli/ and tools/
  cli/ (slamon), tools/     everything but collector/ (and each other)

and: only storage/ includes rrd.h, rrd_client.h or sqlite3.h; only probes/
includes net-snmp, pcap or c-ares headers; only web/ includes h2o or argon2
headers; only sla/ cairo or pango headers (the PDF report and its charts;
tests/ and bench/ may, to compare); no
static library of ours links in a loop or links a floor above its own.

Usage: check-floors.py [SOURCE_DIR]. Prints every violation as
file:line: message and exits 1 when there is any.
SPDX-License-Identifier: MIT
"""
import os
import re
import sys

MODULES = {"probes", "storage", "alerts", "sla", "web"}
# folder -> folders whose headers it may include ("*cfg" = probes/*_config.h)
ALLOWED = {
    "core": set(),
    "probes": {"core"},
    "storage": {"core"},
    "alerts": {"core", "storage", "probes*cfg"},
    "sla": {"core", "storage", "alerts", "probes*cfg"},
    "web": {"core", "storage", "alerts", "sla", "probes"},
    "modules": {"core", "probes", "storage", "alerts", "sla", "web"},
    "collector": {"core", "modules"} | MODULES,
    "cli": {"core", "modules"} | MODULES,
    "tools": {"core", "modules"} | MODULES,
}
# library target -> folder
LIBS = {
    "slamon_core": "core", "slamon_probes": "probes",
    "slamon_storage": "storage", "slamon_alerts": "alerts",
    "slamon_sla": "sla", "slamon_web": "web",
    "slamon_daemon": "collector", "slamon_cli": "cli",
}
SYSTEM_ONLY = [
    (re.compile(r"^(rrd|rrd_client|sqlite3)\.h$"), "storage"),
    (re.compile(r"^(net-snmp/|pcap\.h$|pcap/|ares\.h$|ares_)"), "probes"),
    (re.compile(r"^(h2o\.h$|h2o/|argon2\.h$)"), "web"),
    (re.compile(r"^(cairo[-a-z]*\.h$|cairo/|pango/)"), "sla"),
]
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def check_includes(top, errors):
    for folder in sorted(ALLOWED):
        base = os.path.join(top, folder)
        if not os.path.isdir(base):
            continue
        for root, _, files in os.walk(base):
            for name in sorted(files):
                if not name.endswith((".c", ".h")):
                    continue
                path = os.path.join(root, name)
                rel = os.path.relpath(path, top)
                with open(path, encoding="utf-8", errors="replace") as f:
                    for num, line in enumerate(f, 1):
                        m = INCLUDE.match(line)
                        if m:
                            check_one(folder, rel, num, m.group(1),
                                      m.group(2), errors)


def check_one(folder, rel, num, kind, inc, errors):
    for pat, owner in SYSTEM_ONLY:
        if pat.search(inc) and folder != owner:
            errors.append(f"{rel}:{num}: includes {inc}: only {owner}/ "
                          f"may (it is the one door to that library)")
            return
    if kind == "<" or "/" not in inc:
        return  # system header, or a header of the same folder
    target = inc.split("/", 1)[0]
    if target == folder or target not in ALLOWED:
        return
    ok = ALLOWED[folder]
    if target in ok:
        return
    if target == "probes" and "probes*cfg" in ok and \
            inc.endswith("_config.h"):
        return
    errors.append(f"{rel}:{num}: {folder}/ includes {inc}: {folder}/ "
                  f"stands on {', '.join(sorted(ok)) or 'nothing of ours'}")


LINK = re.compile(r"target_link_libraries\(\s*(\S+)\s+(?:PUBLIC|PRIVATE|"
                  r"INTERFACE)?([^)]*)\)", re.S)


def check_links(top, errors):
    graph = {}
    where = {}
    for folder in sorted(ALLOWED):
        path = os.path.join(top, folder, "CMakeLists.txt")
        if not os.path.exists(path):
            continue
        text = open(path, encoding="utf-8").read()
        for m in LINK.finditer(text):
            lib = m.group(1)
            if lib not in LIBS:
                continue
            deps = [d for d in m.group(2).split() if d in LIBS]
            graph.setdefault(lib, set()).update(deps)
            where[lib] = os.path.relpath(path, top)
    for lib, deps in sorted(graph.items()):
        folder = LIBS[lib]
        for d in sorted(deps):
            dfolder = LIBS[d]
            ok = ALLOWED[folder] | {"probes"} \
                if "probes*cfg" in ALLOWED[folder] else ALLOWED[folder]
            if dfolder not in ok:
                errors.append(f"{where[lib]}: {lib} links {d}: {folder}/ "
                              f"may not stand on {dfolder}/")
    # loops: depth-first search with colours
    state = {}

    def visit(lib, path):
        state[lib] = 1
        for d in sorted(graph.get(lib, ())):
            if state.get(d) == 1:
                cyc = path[path.index(d):] + [d] if d in path else [lib, d]
                errors.append(f"{where.get(lib, lib)}: link loop: "
                              f"{' -> '.join(cyc)}")
            elif d not in state:
                visit(d, path + [d])
        state[lib] = 2

    for lib in sorted(graph):
        if lib not in state:
            visit(lib, [lib])


def main():
    top = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    errors = []
    check_includes(top, errors)
    check_links(top, errors)
    for e in errors:
        print(e)
    if errors:
        print(f"check-floors: {len(errors)} violation"
              f"{'' if len(errors) == 1 else 's'} (docs/architecture.md)")
        return 1
    print("check-floors: every include and link stands on its floor")
    return 0


if __name__ == "__main__":
    sys.exit(main())
