#!/bin/sh
# icmp_run.sh - the ICMP sweep benchmark (docs/benchmarks.md, "ICMP
# sweep"): slamon's sweep (bench/icmp_sweep, probes/icmp_sweep.c compiled
# in) and fping on the same loopback addresses (127.1.0.1 and up; on Linux
# all of 127/8 answers ping), in the same run, one after the other:
#   1. 28,000 hosts, one echo each (the "swept in under 2 s" figure);
#   2. 35,300 hosts (28,000 cameras + 7,300 IoT terminals), 3 echoes each
#      20 ms apart (how slamond judges a device).
# CPU is user + system time of each process (getrusage / time(1)); on
# loopback the kernel's reply is computed in the sender's system time, for
# both programs alike. Needs root (raw sockets; fping -i 0).
# Writes bench/results/icmp-DATE.md. Usage: sh bench/icmp_run.sh [reps]
# SPDX-License-Identifier: MIT
set -eu
cd "$(dirname "$0")"
reps=${1:-3}
command -v fping >/dev/null || { echo "fping missing (apt-get install fping)" >&2; exit 1; }
make -s icmp_sweep
tmp=$(mktemp -d /tmp/slamon-icmpbench-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
./icmp_sweep --hosts 28000 --list "$tmp/h28k"
./icmp_sweep --hosts 35300 --list "$tmp/h35k"
mkdir -p results
out=results/icmp-$(date -u +%Y%m%d-%H%M%S).md
cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
{
	echo "# ICMP sweep benchmark $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo
	echo "machine: $(nproc) CPUs, $cpu; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "fping: $(fping --version 2>&1 | head -1)"
	echo
	echo '```'
	for r in $(seq "$reps"); do
		echo "## rep $r: 28,000 hosts x 1 echo"
		./icmp_sweep --hosts 28000 --count 1 --rate 50000 --timeout 1000
		/usr/bin/time -f "fping -i 0 -r 0 -t 1000 (count 1, unreachable only): wall %e s, cpu %U+%S s" \
			fping -u -i 0 -r 0 -t 1000 -f "$tmp/h28k" 2>&1 | tail -1
		echo "## rep $r: 35,300 hosts x 3 echoes 20 ms apart"
		./icmp_sweep --hosts 35300 --count 3 --spacing 20 --rate 50000 --timeout 1000
		/usr/bin/time -f "fping -C 3 -p 20 -i 0 -r 0 -t 1000 -q: wall %e s, cpu %U+%S s" \
			fping -C 3 -p 20 -i 0 -r 0 -t 1000 -q -f "$tmp/h35k" 2>&1 | tail -1
	done
	echo '```'
} | tee "$out"
echo "wrote bench/$out"
