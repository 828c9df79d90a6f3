#!/usr/bin/env bash
# bench/pcap_run.sh - the packet-capture benchmark in one command (issue 6).
#
#   bash bench/pcap_run.sh            2,000,000-packet file; live steps of 3 s
#   bash bench/pcap_run.sh --quick    200,000 packets; live steps of 1 s
#   bash bench/pcap_run.sh --offline  the file benchmark only
#   bash bench/pcap_run.sh --baseline=REV   also before/after: REV's
#                                     probes/pcap*.[ch] against the tree's
#
# Builds slamon's static libraries into build-pcapbench/ (RelWithDebInfo;
# PCAP_BUILD_DIR=DIR to use another) and bench/pcap_bench, then:
#  1. offline: pcap_bench writes a generated capture to /tmp and times a
#     bare pcap_next_ex loop, slamon's capture_file_account and
#     `tcpdump -r FILE -w /dev/null` over it (best of 3 each);
#  2. live (root): two network namespaces of this script joined by a veth
#     pair (IPv6 off, static neighbours: nothing but our datagrams crosses
#     it); pcap_bench --live captures on one end with capture_live_open/
#     start while a bounded sender in the other namespace sends 60-byte UDP
#     frames at increasing rates, and reads ps_drop/ps_ifdrop;
#  3. with --baseline=REV (after the offline part): REV's probes/pcap.c,
#     pcap_decode.c and headers (`git show`, the work tree untouched) and
#     the tree's, each compiled straight into a pcap_bench of its own the
#     same way (-O2 -g), run in turn three times over the same file
#     (best of 3 each, floor measured by each), for a before/after table.
# Prints a markdown report and writes it to bench/results/pcap-<date>.md.
# Traffic stays on the veth pair; the namespaces are deleted on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

PACKETS=2000000
SECS=3
RATES=50000,100000,200000,400000,800000,0
LIVE=1
BASELINE=
for a in "$@"; do
  case $a in
    --quick) PACKETS=200000; SECS=1 ;;
    --offline) LIVE=0 ;;
    --baseline=?*) BASELINE=${a#--baseline=} ;;
    *) echo "usage: $0 [--quick] [--offline] [--baseline=REV]" >&2; exit 2 ;;
  esac
done
if [ -n "$BASELINE" ] && ! git rev-parse -q --verify "$BASELINE^{commit}" >/dev/null; then
  echo "pcap_run.sh: --baseline=$BASELINE: not a commit" >&2
  exit 2
fi

PKGS=(build-essential cmake pkg-config libpcap-dev libuv1-dev libsnmp-dev
      tcpdump iproute2)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "pcap_run.sh: installing ${missing[*]}"
  SUDO=; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# slamon's libraries; if the tree does not build as a whole right now,
# compile probes/pcap.c and probes/pcap_decode.c into the benchmark instead
BUILD=${PCAP_BUILD_DIR:-build-pcapbench}
DIRECT=0
if cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
     -DBUILD_TESTING=OFF >/dev/null &&
   make -C "$BUILD" -j2 slamon_probes slamon_collector >/dev/null; then
  make -C bench -s pcap_bench PCAP_BUILD="$ROOT/$BUILD"
else
  echo "pcap_run.sh: library build failed; compiling probes/pcap*.c directly" >&2
  DIRECT=1
  make -C bench -s -B pcap_bench PCAP_DIRECT=1
fi

mkdir -p bench/results
OUT=bench/results/pcap-$(date +%Y%m%d-%H%M%S).md
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
{
  echo "# slamon packet-capture benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Machine: $(nproc) CPUs (${cpu:-unknown}), $(uname -sr)," \
       "$(tcpdump --version 2>&1 | head -1), $(tcpdump --version 2>&1 | sed -n 's/^\(libpcap version [^ ]*\).*/\1/p')."
  echo "slamon: $(git rev-parse --short HEAD 2>/dev/null || echo '?')$( [ -n "$(git status --porcelain probes 2>/dev/null)" ] && echo ' + uncommitted changes in probes/'), RelWithDebInfo (-O2 -g)$( [ $DIRECT = 1 ] && echo ', probes/pcap*.c compiled into the benchmark')."
  echo "Command: \`bash bench/pcap_run.sh $*\`"
  echo
} | tee "$OUT"

FILE=/tmp/slamon-pcapbench-$$.pcap
AB=
cleanup_offline() {
  rm -f "$FILE"
  [ -n "$AB" ] && rm -rf "$AB"
  return 0
}
trap cleanup_offline EXIT
trap 'exit 130' INT TERM
bench/pcap_bench --packets "$PACKETS" --file "$FILE" --keep | tee -a "$OUT"

# wall seconds of a row of pcap_bench's table
row_s() { awk -F'|' -v r="$1" 'index($2, r) { gsub(/ /, "", $3); print $3 }'; }

if [ -n "$BASELINE" ]; then
  AB=$(mktemp -d /tmp/slamon-pcapab.XXXXXX)
  for side in before after; do
    mkdir -p "$AB/$side/probes"
    for f in pcap.c pcap_decode.c pcap.h pcap_decode.h; do
      if [ $side = before ]; then
        git show "$BASELINE:probes/$f" >"$AB/$side/probes/$f"
      else
        cp "probes/$f" "$AB/$side/probes/$f"
      fi
    done
    ${CC:-cc} -O2 -g -std=c11 -D_GNU_SOURCE -I"$AB/$side" \
      -o "$AB/$side/pcap_bench" bench/pcap_bench.c \
      "$AB/$side/probes/pcap.c" "$AB/$side/probes/pcap_decode.c" \
      -lpcap -lm -lpthread
  done
  {
    echo "### Before and after: $BASELINE against the work tree"
    echo
    echo "probes/pcap*.[ch] of \`$BASELINE\` ($(git rev-parse --short "$BASELINE")) and of the work tree," \
         "each compiled into a pcap_bench of its own (-O2 -g), run in turn" \
         "over the same file, best of 3 each (tcpdump left out)."
    echo
    echo "| pass | floor s | slamon s before | ratio before | floor s | slamon s after | ratio after |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
  } | tee -a "$OUT"
  for pass in 1 2 3; do
    line="| $pass"
    for side in before after; do
      t=$("$AB/$side/pcap_bench" --packets "$PACKETS" --file "$FILE" \
          --reuse --no-tcpdump --reps 3 2>/dev/null)
      fl=$(printf '%s\n' "$t" | row_s "(floor)")
      sl=$(printf '%s\n' "$t" | row_s "capture_file_account")
      line="$line | $fl | $sl | $(awk -v a="$sl" -v b="$fl" 'BEGIN { printf "%.2fx", a / b }')"
    done
    echo "$line |" | tee -a "$OUT"
  done
  echo | tee -a "$OUT"
fi
cleanup_offline

if [ $LIVE = 0 ]; then
  echo "Report: $OUT"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Live: skipped (not root: cannot create network namespaces)." | tee -a "$OUT"
  exit 0
fi

NSA=slamon-pb-a-$$
NSB=slamon-pb-b-$$
VA=slpb$$a
VB=slpb$$b
ADDR_A=192.0.2.1 # TEST-NET-1, only inside our namespaces
ADDR_B=192.0.2.2
MAC_A=02:00:00:00:0c:01
MAC_B=02:00:00:00:0d:01
made=()
cleanup() {
  for ns in "${made[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! ip netns add "$NSA" 2>/dev/null; then
  echo "Live: skipped (\`ip netns add\` failed here)." | tee -a "$OUT"
  exit 0
fi
made+=("$NSA")
ip netns add "$NSB"; made+=("$NSB")
for ns in "$NSA" "$NSB"; do
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1 \
    net.ipv6.conf.all.disable_ipv6=1
done
ip link add "$VA" netns "$NSA" address $MAC_A type veth peer name "$VB" \
  netns "$NSB" address $MAC_B
ip -n "$NSA" addr add $ADDR_A/24 dev "$VA"
ip -n "$NSB" addr add $ADDR_B/24 dev "$VB"
ip -n "$NSA" neigh add $ADDR_B lladdr $MAC_B dev "$VA" nud permanent
ip -n "$NSB" neigh add $ADDR_A lladdr $MAC_A dev "$VB" nud permanent
ip -n "$NSA" link set "$VA" up
ip -n "$NSB" link set "$VB" up

ip netns exec "$NSA" bench/pcap_bench --live "$VA" --peer-ns "$NSB" \
  --dst $ADDR_A --rates "$RATES" --secs "$SECS" | tee -a "$OUT"
echo "Report: $OUT"
