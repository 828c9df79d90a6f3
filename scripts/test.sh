#!/usr/bin/env bash
# The README's second command: installs what is missing, builds with
# AddressSanitizer + UBSan and warnings as errors, and runs every Criterion
# suite through CTest (unit tests, then integration tests that start real
# agents on 127.0.0.1).
# SPDX-License-Identifier: MIT
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/build-test"

bash "$top/scripts/install-deps.sh"

cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Debug \
	-DSLAMON_ASAN=ON -DSLAMON_UBSAN=ON -DSLAMON_WERROR=ON
cmake --build "$build" -j"$(nproc)"

# Leak checks stay on; net-snmp's global tables are freed at exit only by
# snmp_shutdown, which the tests call.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
cd "$build"
# Tests run side by side (docs/testing.md, "Parallel runs"): the
# integration tests mostly sleep on poll intervals, agents and senders
# (all of them together use well under a core), so four jobs a core; the
# few CPU-bound ones share one `cpu` lock instead (tests/CMakeLists.txt).
# SLAMON_TEST_JOBS=1 runs one test at a time.
jobs=${SLAMON_TEST_JOBS:-$(($(nproc) * 4))}
# A hung test cannot eat the CI budget: each test has a TIMEOUT
# (tests/CMakeLists.txt), and no test runs past 40 minutes from now
# (--stop-time cuts the timeouts of those still running).
ctest --output-on-failure -j"$jobs" \
	--stop-time "$(date -d '+40 min' +%H:%M:%S)" "$@"
