#!/usr/bin/env bash
# The README's first command: a simulated district extranet on loopback,
# a month of simulated history, then slamond polling it live for a few
# short cycles: `slamon status`, faults, and `slamon sla` / `slamon report`
# for the simulated month.
#
#   scripts/demo.sh [--aps N] [--down N] [--cycles N] [--interval S]
#                   [--cameras N] [--iot N] [--down-cameras N] [--down-iot N]
#                   [--serve | --no-serve]
#
# slamond also serves the web console (docs/web.md) on 127.0.0.1:8080 (or
# the next free port) with a demo user whose random password is printed.
# Run from a terminal (or with --serve), the demo keeps slamond and the
# console running at the end until Enter or Ctrl-C; otherwise it finishes.
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
#
# Cameras and IoT terminals (probe icmp, docs/demo-network.md) are
# loopback addresses, which all answer ping; the ones that are down sit in
# 127.21.0.0/16, which the demo routes to a blackhole in the local routing
# table while it runs (root only; `ip route del` at exit).
# SPDX-License-Identifier: MIT
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
aps=520 down=5 down_aggs=1 cycles=4 interval=20
cameras=2000 iot=300 down_cameras=12 down_iot=6
serve=auto
while [ $# -gt 0 ]; do
	case $1 in
	--aps) aps=$2; shift 2 ;;
	--down) down=$2; shift 2 ;;
	--down-aggs) down_aggs=$2; shift 2 ;;
	--cycles) cycles=$2; shift 2 ;;
	--interval) interval=$2; shift 2 ;;
	--cameras) cameras=$2; shift 2 ;;
	--iot) iot=$2; shift 2 ;;
	--down-cameras) down_cameras=$2; shift 2 ;;
	--down-iot) down_iot=$2; shift 2 ;;
	--serve) serve=yes; shift ;;
	--no-serve) serve=no; shift ;;
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
	--down "$down" --down-aggs "$down_aggs" --cameras "$cameras" \
	--iot "$iot" --down-cameras "$down_cameras" --down-iot "$down_iot"

# the ICMP devices that are down must not answer: a blackhole route in the
# local table (which 127/8 lives in) for their prefix, removed at exit
blackholes=()
unroute() {
	for net in "${blackholes[@]}"; do
		ip route del blackhole "$net" table local 2>/dev/null || true
	done
}
if [ -s "$run/net/icmp-blackhole.txt" ]; then
	if [ "$(id -u)" = 0 ] && command -v ip >/dev/null; then
		while read -r net; do
			ip route replace blackhole "$net" table local
			blackholes+=("$net")
		done <"$run/net/icmp-blackhole.txt"
		echo "== down cameras and IoT terminals: blackhole route for" \
			"${blackholes[*]} (table local) while the demo runs"
	else
		echo "== not root: the down cameras and IoT terminals in" \
			"$(cat "$run/net/icmp-blackhole.txt") will answer ping"
	fi
fi
trap unroute EXIT

# The budget table's services (issue 13): an HTTPS mini-program backend
# with a self-signed certificate, the 政务云 portal, the 短信平台 gateway and
# a 视频会议 port that refuses (scripts/demo-services.py, on 127.0.0.1)
echo "== starting the demo services (HTTPS mini-program, 政务云, 短信平台)"
mkdir -p "$run/svc"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$run/svc/key.pem" -out "$run/svc/cert.pem" -days 365 \
	-subj "/CN=miniprogram.demo" \
	-addext "subjectAltName=IP:127.0.0.1,DNS:localhost" 2>/dev/null
/usr/bin/python3 "$top/scripts/demo-services.py" "$run/svc" &
svc_pid=$!
trap 'kill "$svc_pid" 2>/dev/null || true; unroute' EXIT
for _ in $(seq 100); do
	[ -f "$run/svc/ports.json" ] && break
	sleep 0.1
done
svc_port() {
	/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
		"$run/svc/ports.json" "$1"
}

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

; Services (docs/services.md), named as the budget table writes them
[service miniprogram]
type = https
url = https://127.0.0.1:$(svc_port miniprogram)/api/health
ca_file = svc/cert.pem
match = "status":"ok"
interval = $interval
timeout = 5
name = 对外服务微信小程序
name_en = WeChat mini-program
severity = critical

[service govcloud]
type = http
url = http://127.0.0.1:$(svc_port govcloud)/
match = 政务云门户
interval = $interval
timeout = 5
name = 政务云门户
name_en = Government cloud portal

[service sms]
type = tcp
target = 127.0.0.1:$(svc_port sms)
interval = $interval
timeout = 5
name = 短信平台
name_en = SMS platform

[service video]
type = tcp
target = 127.0.0.1:$(svc_port video)
interval = $interval
timeout = 5
down_after = 2
name = 视频会议
name_en = Video conferencing

[indicator govcloud_availability]
name = 政务云稳定运行率
name_en = Government cloud availability
level = 效益指标/社会效益指标
metric = service_availability
scope = service:govcloud
comparator = >=
target = 99
unit = %

[indicator video_availability]
name = 视频会议系统稳定运行率
name_en = Video conferencing availability
level = 效益指标/社会效益指标
metric = service_availability
scope = service:video
comparator = >=
target = 99
unit = %

[indicator sms_availability]
name = 短信平台稳定运行率
name_en = SMS platform availability
level = 效益指标/社会效益指标
metric = service_availability
scope = service:sms
comparator = >=
target = 99
unit = %

; cameras and IoT terminals (probe icmp): three echo requests a poll
[icmp]
count = 3
spacing_ms = 500
timeout_ms = 1000

; the budget table's camera and IoT rows, with the demo's own counts
[indicator camera_online]
name = 视频监控路数
name_en = Camera feeds online
level = 产出指标/数量指标
metric = online_count
scope = role:camera
comparator = >=
target = $((cameras * 99 / 100))
unit = 路

[indicator camera_integrated]
name = 城市视联平台整合视频数量
name_en = Feeds integrated into the city video platform
level = 产出指标/数量指标
metric = online_count
scope = tag:视联平台
comparator = >=
target = $((cameras * 85 / 100))
unit = 路

[indicator iot_online]
name = 监测终端在线率
name_en = IoT terminals online
level = 产出指标/质量指标
metric = time_share_up
scope = role:iot
comparator = >=
target = 95
unit = %

; who the monthly report is from and who signs it (docs/config.md)
[report]
bureau = 示范区电子政务外网管理中心（演示）
prepared_by = 值班员张三
CONF

# the web console: a free port from 8080 up, a demo user with a random
# password (no default password exists)
web_port=$(python3 -c '
import socket
for p in range(8080, 8180):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); print(p); break
    except OSError:
        pass
    finally:
        s.close()')
web_pass=$(python3 -c 'import secrets; print(secrets.token_urlsafe(12))')
cat >>"$run/slamon.conf" <<CONF

; The web console, API and /metrics (docs/web.md); users: slamon user add
[web]
listen = 127.0.0.1:$web_port
users_file = users
static_dir = $top/web/static
CONF
printf '%s\n' "$web_pass" | "$top/build-demo/slamon" user add demo --role admin \
	--password-stdin --users "$run/users" >/dev/null
web_banner() {
	echo "   web console: http://127.0.0.1:$web_port/  user: demo  password: $web_pass"
}

# last month in the configured zone: the simulated history goes there, in
# fresh files, before slamond writes the current month
prev=$(TZ=Asia/Shanghai date -d "$(TZ=Asia/Shanghai date +%Y-%m-15) -1 month" +%Y-%m)
month=$(TZ=Asia/Shanghai date +%Y-%m)
echo "== slamon-simulate-history --month $prev (simulated, labelled history)"
"$top/build-demo/slamon-simulate-history" -c "$run/slamon.conf" --month "$prev"

stop_sim() {
	bash "$top/scripts/snmpsim-run.sh" stop "$run/sim" || true
	kill "$svc_pid" 2>/dev/null || true
	unroute
}
trap stop_sim EXIT

echo "== starting snmpsim"
bash "$top/scripts/snmpsim-run.sh" start "$run/net/data" "$run/net/ports.txt" \
	"$run/sim"

echo "== slamon check-config"
"$top/build-demo/slamon" check-config -c "$run/slamon.conf"

echo "== running slamond for $cycles cycles of ${interval} s"
web_banner
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
echo "== slamon sla --live --month $prev, as it stood on its 20th: the budget left"
mid=$(TZ=Asia/Shanghai date -d "$prev-20 12:00" +%s)
"$top/build-demo/slamon" sla -c "$run/slamon.conf" --live --month "$prev" \
	--now "$mid" || true
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

# keep the console up for whoever runs this from a terminal
if [ "$serve" = yes ] || { [ "$serve" = auto ] && [ -t 0 ] && [ -t 1 ]; }; then
	echo
	echo "== slamond keeps running with the web console (Enter or Ctrl-C stops it)"
	web_banner
	"$top/build-demo/slamond" -c "$run/slamon.conf" 2>>"$run/slamond.log" &
	slamond_pid=$!
	trap 'kill $slamond_pid 2>/dev/null; wait $slamond_pid 2>/dev/null; stop_sim' EXIT
	read -r _ || true
fi
