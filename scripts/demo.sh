#!/usr/bin/env bash
# The README's first command: a simulated district extranet on loopback,
# a month of simulated history, then slamond polling it live for a few
# short cycles: `slamon status`, faults, and `slamon sla` / `slamon report`
# for the simulated month.
#
#   scripts/demo.sh [--aps N] [--down N] [--cycles N] [--interval S]
#
# Installs what is missing (scripts/install-deps.sh), builds into
# build-demo/, generates the network into demo-run/ (snmpsim recordings of
# 2 backbone routers, 2 exit routers, a core switch, aggregation switches
# and 520 access points, a few of them unreachable), writes last month's
# simulated history (`slamon-simulate-history`, labelled in
# demo-run/rrd/SIMULATED), serves the network with one snmpsimd on
# 127.0.0.1, runs slamond, prints the status, faults, the SLA table and
# report of last month, and stops everything it started. Nothing leaves
# 127.0.0.0/8.
# SPDX-License-Identifier: MIT
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
aps=520 down=5 down_aggs=1 cycles=4 interval=20
while [ $# -gt 0 ]; do
	case $1 in
	--aps) aps=$2; shift 2 ;;
	--down) down=$2; shift 2 ;;
	--down-aggs) down_aggs=$2; shift 2 ;;
	--cycles) cycles=$2; shift 2 ;;
	--interval) interval=$2; shift 2 ;;
	*) echo "demo.sh: unknown option $1" >&2; exit 2 ;;
	esac
done

bash "$top/scripts/install-deps.sh"

echo "== building slamon (build-demo/)"
cmake -S "$top" -B "$top/build-demo" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DBUILD_TESTING=OFF >/dev/null
cmake --build "$top/build-demo" -j"$(nproc)" >/dev/null

run="$top/demo-run"
rm -rf "$run"
mkdir -p "$run"
echo "== generating the simulated network ($aps access points, $down of them" \
	"down, $down_aggs aggregation switch(es) down with everything behind)"
python3 "$top/scripts/gen-demo-network.py" --out "$run/net" --aps "$aps" \
	--down "$down" --down-aggs "$down_aggs"

cat >"$run/slamon.conf" <<CONF
; Demo configuration written by scripts/demo.sh: the simulated district
; extranet served by snmpsim on 127.0.0.1. Short intervals so that a few
; cycles fit in a minute; production uses the defaults (60 s).
[general]
inventory = net/inventory.csv
storage_dir = rrd
log_level = info
; snmpsim answers one request at a time (about 600 a second): a modest
; in-flight bound keeps its queue shorter than the timeout
timeout_ms = 3000
retries = 1
max_inflight = 50
interval = $interval

; Every simulated device lives on 127.0.0.1, which always answers ping: the
; ping check would call every dead agent "nodata" (device up, SNMP silent).
; On a real network leave it on (the default).
[alerts]
ping = no

[profile demo]
version = 2c
community = public

; who the monthly report is from and who signs it (docs/config.md)
[report]
bureau = 示范区电子政务外网管理中心（演示）
prepared_by = 值班员张三
CONF

# last month in the configured zone: the simulated history goes there, in
# fresh files, before slamond writes the current month
prev=$(TZ=Asia/Shanghai date -d "$(TZ=Asia/Shanghai date +%Y-%m-15) -1 month" +%Y-%m)
month=$(TZ=Asia/Shanghai date +%Y-%m)
echo "== slamon-simulate-history --month $prev (simulated, labelled history)"
"$top/build-demo/slamon-simulate-history" -c "$run/slamon.conf" --month "$prev"

stop_sim() { bash "$top/scripts/snmpsim-run.sh" stop "$run/sim" || true; }
trap stop_sim EXIT

echo "== starting snmpsim"
bash "$top/scripts/snmpsim-run.sh" start "$run/net/data" "$run/net/ports.txt" \
	"$run/sim"

echo "== slamon check-config"
"$top/build-demo/slamon" check-config -c "$run/slamon.conf"

echo "== running slamond for $cycles cycles of ${interval} s"
"$top/build-demo/slamond" -c "$run/slamon.conf" --cycles "$cycles" \
	--duration $((interval * (cycles + 2) + 30)) 2>"$run/slamond.log" || {
	tail -20 "$run/slamond.log" >&2
	exit 1
}
grep -E 'fault [0-9]+:|cycles done|error' "$run/slamond.log" | head -20 || true

echo "== slamon status"
"$top/build-demo/slamon" status -c "$run/slamon.conf"

echo "== slamon faults (open faults in the journal)"
"$top/build-demo/slamon" faults -c "$run/slamon.conf"
first=$("$top/build-demo/slamon" faults -c "$run/slamon.conf" --json |
	python3 -c 'import json,sys; f=json.load(sys.stdin); f=f.get("faults", f) if isinstance(f, dict) else f; print(f[0]["id"] if f else "")')
if [ -n "$first" ]; then
	echo "== slamon ack $first --by 值班员张三, then close it"
	"$top/build-demo/slamon" ack "$first" -c "$run/slamon.conf" \
		--by 值班员张三 --note "已通知运营商"
	"$top/build-demo/slamon" close "$first" -c "$run/slamon.conf" \
		--note "演示: 人工关闭" --satisfaction 满意
	"$top/build-demo/slamon" faults -c "$run/slamon.conf" --all
fi
echo "== slamon sla --month $month (now: only the minutes polled above)"
"$top/build-demo/slamon" sla -c "$run/slamon.conf" --month "$month" --nagios ||
	true
echo "== slamon faults --month $prev (the simulated month's faults)"
"$top/build-demo/slamon" faults -c "$run/slamon.conf" --month "$prev"
echo "== slamon sla --month $prev (the simulated month; labelled in rrd/SIMULATED:"
grep -v '^#' "$run/rrd/SIMULATED" | sed 's/^/   /'
echo "   and every demo device carries the inventory tag simulated)"
"$top/build-demo/slamon" sla -c "$run/slamon.conf" --month "$prev" ||
	echo "(slamon sla exit $?: 0 all met, 1 a target breached or without data, 2 error)"
echo "== slamon report --month $prev --out demo-run/report (a draft)"
"$top/build-demo/slamon" report -c "$run/slamon.conf" --month "$prev" \
	--out "$run/report" >/dev/null && ls "$run/report"
echo "   the report to sign (PDF, written by slamon) and its editable copy:"
echo "   $run/report/slamon-$prev.pdf"
echo "   $run/report/slamon-$prev.docx"
echo "   missed indicators without a reason are flagged 【待填写】; give one with"
echo "   slamon report annotate -c demo-run/slamon.conf --month $prev --indicator ID --text ..."
echo "   then write the report again and make it final (slamon report final)"
echo
echo "RRD files: $(find "$run/rrd" -name '*.rrd' | wc -l) in $run/rrd" \
	"(check by hand: rrdtool fetch FILE AVERAGE -s -10min)"
