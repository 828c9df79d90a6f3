#!/usr/bin/env bash
# The unit's exposure as systemd-analyze rates it, offline (no running
# systemd needed; Debian 12's systemd 252): at most MAX (default 2.5).
#   bash tests/packaging/exposure.sh UNIT [MAX]
# Exit 0 when at or below, 1 above or unreadable, 77 (skipped) without
# systemd-analyze.
# SPDX-License-Identifier: MIT
set -euo pipefail

unit=$1
max=${2:-2.5}
if ! command -v systemd-analyze >/dev/null; then
	echo "SKIP: systemd-analyze not installed (package systemd)"
	exit 77
fi
out=$(systemd-analyze security --offline=true --no-pager "$unit" 2>&1) || true
line=$(printf '%s\n' "$out" | grep 'Overall exposure level' || true)
score=$(printf '%s\n' "$line" | sed -n 's/.*: \([0-9][0-9.]*\) .*/\1/p')
if [ -z "$score" ]; then
	printf '%s\n' "$out"
	echo "FAIL: no exposure level in systemd-analyze's output"
	exit 1
fi
printf '%s\n' "$out" | grep '✗' || true
echo "$line"
if awk -v s="$score" -v m="$max" 'BEGIN { exit !(s <= m) }'; then
	echo "PASS: exposure $score <= $max"
else
	echo "FAIL: exposure $score > $max"
	exit 1
fi
