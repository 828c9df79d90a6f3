#!/usr/bin/env bash
# Installs every Debian package that slamon's build, demo and tests need,
# skipping what is already present. Both README commands run this first.
# One list, one place: add a dependency here and nowhere else.
set -euo pipefail

PACKAGES=(
  # build
  build-essential cmake pkg-config
  # libraries (see docs/dependencies.md for why each was chosen)
  libuv1-dev          # the one event loop
  libsnmp-dev         # net-snmp: SNMP probe
  librrd-dev          # RRDtool: time series storage
  libinih-dev         # INI config parser (file:line on every key)
  libcsv-dev          # RFC 4180 CSV parser for the inventory
  libjansson-dev      # JSON for the status snapshot and --json output
  libsqlite3-dev      # fault journal (SQLite, WAL)
  libcurl4-openssl-dev  # HTTP webhooks and HTTP probes (curl multi)
  libpcap-dev         # packet capture probe
  libxlsxwriter-dev   # XLSX monthly reports
  nettle-dev          # SHA-256 of the report's manifest (GnuTLS's small crypto library)
  fonts-noto-cjk      # Chinese text in rrd_graph images
  fonts-wqy-microhei  # Chinese text in the PDF (TrueType: embedded by name)
  chromium            # the report test prints the HTML to PDF (headless)
  poppler-utils       # pdftotext / pdffonts in the report test
  sqlite3             # journal inspection in tests and docs
  # tests
  libcriterion-dev    # unit/integration test framework
  snmpd snmp          # real net-snmp agent + snmpget/snmpwalk for tests
  snmpsim             # recorded real devices, the demo network
  rrdtool rrdcached   # rrdtool fetch/info in tests, rrdcached daemon
  procps              # ps/pgrep used by test helpers
  iproute2            # veth pairs in test network namespaces
  tcpdump             # pcap peer in bench/ and capture checks
  fping               # the ICMP sweep benchmark's peer (bench/icmp_run.sh)
  python3             # demo network generator, small test receivers
  man-db groff-base   # man(1) renders the manual pages in test_man
  # the Debian package (scripts/build-deb.sh, docs/packaging.md)
  debhelper           # dh, dh_installsystemd: debian/ is built with it
  dpkg-dev            # dpkg-buildpackage
  fakeroot            # file owners in the .deb when not built as root
  lintian             # the package's check; errors fail the build
  adduser             # the package's Depends (creates the slamon user)
  systemd             # systemd-analyze security --offline (the unit's test)
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
# Debian's snmpd starts a system agent on install; tests start their own
# agents on other ports, so the packaged one is left as the system has it.
