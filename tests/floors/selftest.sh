#!/usr/bin/env bash
# selftest.sh - scripts/check-floors.py must fail on a tree that breaks
# each rule it enforces, naming file and line, and pass on a clean one.
# SPDX-License-Identifier: MIT
set -euo pipefail
check="$1/scripts/check-floors.py"
tmp=$(mktemp -d /tmp/slamon-floors-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$tmp"/{core,probes,storage,alerts,sla,collector,cli}
echo '#include "core/log.h"' > "$tmp/probes/ok.c"
echo '#include "probes/capture_config.h"' > "$tmp/alerts/ok.c"
printf 'target_link_libraries(slamon_alerts PUBLIC slamon_storage slamon_core)\n' \
	> "$tmp/alerts/CMakeLists.txt"
/usr/bin/python3 "$check" "$tmp" > "$tmp/out" ||
	{ echo "clean tree refused:"; cat "$tmp/out"; exit 1; }

echo '#include "alerts/engine.h"' > "$tmp/core/bad.c"
printf '\n#include <sqlite3.h>\n' > "$tmp/sla/bad.c"
printf '#include <net-snmp/net-snmp-config.h>\n' > "$tmp/collector/bad.c"
echo '#include "collector/daemon.h"' > "$tmp/cli/bad.c"
echo '#include "probes/snmp.h"' > "$tmp/alerts/bad.c"
printf 'target_link_libraries(slamon_core PUBLIC slamon_alerts)\n' \
	> "$tmp/core/CMakeLists.txt"
if /usr/bin/python3 "$check" "$tmp" > "$tmp/out"; then
	echo "a tree against the floors passed:"; cat "$tmp/out"; exit 1
fi
for want in 'core/bad.c:1: core/ includes alerts/engine.h' \
	'sla/bad.c:2: includes sqlite3.h: only storage/' \
	'collector/bad.c:1: includes net-snmp/net-snmp-config.h: only probes/' \
	'cli/bad.c:1: cli/ includes collector/daemon.h' \
	'alerts/bad.c:1: alerts/ includes probes/snmp.h' \
	'slamon_core links slamon_alerts' 'link loop'; do
	grep -qF "$want" "$tmp/out" ||
		{ echo "missing: $want"; cat "$tmp/out"; exit 1; }
done
echo "check-floors selftest: ok"
