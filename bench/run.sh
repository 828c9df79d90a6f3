#!/usr/bin/env bash
# bench/run.sh - the whole slamon benchmark in one command.
#
#   bash bench/run.sh           N = 500, 10,000, 28,000 at 60 s (~25 min)
#   bash bench/run.sh --quick   N = 500 at 10 s (< 3 min)
#
# Installs the peers that are missing (collectd-core, snmp, rrdtool,
# rrdcached, valgrind), builds slamond into build-bench/ and bench/'s own
# programs, raises the fd limit, then runs bench/bench.py, which starts the
# simulated fleet (bench/responder) on 127.100.0.0/16 port 16100 and writes
# bench/results/results-<date>.md and .tsv. Traffic stays on 127.0.0.0/8.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

PKGS=(build-essential cmake pkg-config libsnmp-dev snmp rrdtool rrdcached
      collectd-core valgrind python3 util-linux)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "run.sh: installing ${missing[*]}"
  SUDO=; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ ! -x build-bench/slamond ] || [ -n "$(find collector probes storage alerts -newer build-bench/slamond -name '*.[ch]' 2>/dev/null | head -1)" ]; then
  cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF >/dev/null
  make -C build-bench -j2 slamond slamon >/dev/null
fi
make -C bench -s all

# 28,000 sessions are 28,000 UDP sockets: raise the fd limit as far as the
# hard limit allows (bench.py reports the limit it got).
want=65536
hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && [ "$hard" -lt $want ]; then
  echo "run.sh: fd hard limit is $hard (< $want): slamond cannot open more sessions than that"
  ulimit -n "$hard"
else
  ulimit -n $want
fi

exec python3 bench/bench.py "$@"
