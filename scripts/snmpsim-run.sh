#!/usr/bin/env bash
# Starts and stops one background snmpsimd serving a data folder on many
# loopback UDP endpoints (the demo network of scripts/gen-demo-network.py, or
# any folder of NAME.snmprec files served under community NAME).
#
#   snmpsim-run.sh start DATA_DIR PORTS_FILE STATE_DIR
#   snmpsim-run.sh start DATA_DIR --endpoint 127.0.0.1:PORT [...] STATE_DIR
#   snmpsim-run.sh stop STATE_DIR
#
# PORTS_FILE lists endpoints one a line as PORT, 127.0.0.1:PORT or
# --agent-udpv4-endpoint=127.0.0.1:PORT (gen-demo-network.py writes ports.txt
# and snmpsim.args in these forms). The i-th endpoint (0-based) gets transport
# ID 1.3.6.1.6.1.1.i; snmpsimd then serves DATA_DIR/<community>/1.3.6.1.6.1.1.i
# .snmprec to it before falling back to DATA_DIR/<community>.snmprec.
#
# start writes STATE_DIR/snmpsim.pid, STATE_DIR/snmpsim.log and
# STATE_DIR/snmpsim.args, then waits (SNMPSIM_READY_TIMEOUT seconds, default
# 120) until the first endpoint answers a v2c GET of sysUpTime.0 with community
# SNMPSIM_READY_COMMUNITY (default "public"). Only 127.0.0.0/8 is accepted.
# SPDX-License-Identifier: MIT
set -euo pipefail

prog=snmpsim-run.sh
READY_TIMEOUT=${SNMPSIM_READY_TIMEOUT:-120}
READY_COMMUNITY=${SNMPSIM_READY_COMMUNITY:-public}
SYSUPTIME=1.3.6.1.2.1.1.3.0 # numeric: Debian's snmpget loads no MIBs

die() { echo "$prog: $*" >&2; exit 1; }
usage() {
	grep '^#   snmpsim-run.sh' "$0" | sed 's/^# *//' >&2
	exit 2
}

# Succeeds when PID is alive and is an snmpsimd (guards against PID reuse).
is_ours() {
	local pid=$1
	[[ -r /proc/$pid/cmdline ]] || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q snmpsimd
}

# Normalises one endpoint spelling to 127.x.y.z:PORT; refuses anything else.
endpoint() {
	local e=${1#--agent-udpv4-endpoint=}
	[[ $e =~ ^[0-9]+$ ]] && e=127.0.0.1:$e
	[[ $e =~ ^127\.[0-9]+\.[0-9]+\.[0-9]+:[0-9]+$ ]] ||
		die "endpoint '$1' is not 127.0.0.0/8:PORT"
	echo "$e"
}

do_stop() {
	local state=$1 pid i
	[[ -f $state/snmpsim.pid ]] || { echo "$prog: no $state/snmpsim.pid"; return 0; }
	pid=$(cat "$state/snmpsim.pid")
	if [[ $pid =~ ^[0-9]+$ ]] && is_ours "$pid"; then
		kill -TERM "$pid" 2>/dev/null || true
		for ((i = 0; i < 100; i++)); do # 10 s
			is_ours "$pid" || break
			sleep 0.1
		done
		if is_ours "$pid"; then
			echo "$prog: snmpsimd $pid ignored SIGTERM, sending SIGKILL" >&2
			kill -KILL "$pid" 2>/dev/null || true
			for ((i = 0; i < 50; i++)); do
				is_ours "$pid" || break
				sleep 0.1
			done
		fi
	fi
	rm -f "$state/snmpsim.pid"
}

do_start() {
	local data=$1 state=${*: -1} eps=() first pid deadline t0 t1 args line
	shift
	[[ -d $data ]] || die "data dir '$data' does not exist"
	if [[ ${1:-} == --endpoint ]]; then
		while [[ $# -gt 1 && $1 == --endpoint ]]; do
			[[ $# -gt 2 ]] || usage
			eps+=("$(endpoint "$2")")
			shift 2
		done
		[[ $# -eq 1 ]] || usage
	else
		[[ $# -eq 2 ]] || usage
		[[ -r $1 ]] || die "ports file '$1' is not readable"
		while read -r line; do
			line=${line%%#*}
			line=${line//[[:space:]]/}
			[[ -n $line ]] && eps+=("$(endpoint "$line")")
		done <"$1"
	fi
	[[ ${#eps[@]} -gt 0 ]] || die "no endpoints given"

	mkdir -p "$state/cache"
	if [[ -f $state/snmpsim.pid ]] && is_ours "$(cat "$state/snmpsim.pid")"; then
		die "snmpsimd already running with PID $(cat "$state/snmpsim.pid") (stop it first)"
	fi
	data=$(cd "$data" && pwd)
	args=$state/snmpsim.args
	printf -- '--agent-udpv4-endpoint=%s\n' "${eps[@]}" >"$args"

	# As root snmpsimd must drop to an unprivileged user before it reads the
	# data and writes its index cache (snmpsimd refuses to run as root).
	local priv=()
	if [[ $(id -u) -eq 0 ]]; then
		priv=(--process-user=nobody --process-group=nogroup)
		chown -R nobody:nogroup "$state/cache"
		chmod 755 "$state"
	fi
	# --v2c-arch: in the default v3 architecture a community is only accepted
	# when a file of that exact name exists, so transport-ID files
	# (<community>/1.3.6.1.6.1.1.i.snmprec) would never be selected for v2c.
	t0=$(date +%s.%N)
	setsid snmpsimd --v2c-arch --data-dir="$data" --cache-dir="$state/cache" \
		--args-from-file="$args" "${priv[@]}" \
		>"$state/snmpsim.log" 2>&1 </dev/null &
	pid=$!
	echo "$pid" >"$state/snmpsim.pid"

	first=${eps[0]}
	deadline=$((SECONDS + READY_TIMEOUT))
	while ((SECONDS < deadline)); do
		if ! kill -0 "$pid" 2>/dev/null; then
			tail -n 20 "$state/snmpsim.log" >&2 || true
			rm -f "$state/snmpsim.pid"
			die "snmpsimd exited during start-up (log: $state/snmpsim.log)"
		fi
		if snmpget -v2c -c "$READY_COMMUNITY" -t 1 -r 0 "$first" "$SYSUPTIME" \
			>/dev/null 2>&1; then
			t1=$(date +%s.%N)
			printf '%s: snmpsimd %d serves %d endpoint(s) from %s, ready in %.1f s\n' \
				"$prog" "$pid" "${#eps[@]}" "$data" \
				"$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')"
			return 0
		fi
		sleep 0.2
	done
	do_stop "$state"
	die "snmpsimd never answered on $first (community '$READY_COMMUNITY') within ${READY_TIMEOUT}s; log: $state/snmpsim.log"
}

case ${1:-} in
start)
	[[ $# -ge 4 ]] || usage
	shift
	do_start "$@"
	;;
stop)
	[[ $# -eq 2 ]] || usage
	do_stop "$2"
	;;
*) usage ;;
esac
