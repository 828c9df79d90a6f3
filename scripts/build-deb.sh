#!/usr/bin/env bash
# Builds slamon's Debian package (debhelper, debian/; docs/packaging.md)
# and checks it with lintian. The one way to make the .deb.
#
#   bash scripts/build-deb.sh [OUTDIR]     (default: build-deb/)
#
# The sources are copied to OUTDIR/src (tracked and new files, build
# folders left out; modification times kept) and built there with
# dpkg-buildpackage, RelWithDebInfo, without the test suites. The build
# folder in OUTDIR/src is kept, so a second run rebuilds only what changed.
# Prints the path of the .deb on its last line. Exit status: 0, or that of
# the failing step (lintian errors fail the build; warnings do not).
# Needs the packages of scripts/install-deps.sh (debhelper, lintian, ...).
# SPDX-License-Identifier: MIT
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/build-deb}
mkdir -p "$out"
out=$(cd "$out" && pwd)
src="$out/src"

# the sources, without build output; obj-* (debhelper's cmake folder) stays
mkdir -p "$src"
find "$src" -mindepth 1 -maxdepth 1 ! -name 'obj-*' -exec rm -rf {} +
cd "$top"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do
			[ -e "$f" ] && printf '%s\0' "$f"
		done | tar --null -T - -cf - | tar -xf - -C "$src"
else
	tar --exclude='./build*' --exclude='./demo-run' -cf - . |
		tar -xf - -C "$src"
fi

rm -f "$out"/slamon_*.deb "$out"/slamon-dbgsym_*.deb "$out"/slamon_*.buildinfo \
	"$out"/slamon_*.changes
cd "$src"
# -nc: keep the previous build folder (incremental); -b: binary only;
# -d: Build-Depends come from install-deps.sh, not a dpkg check that would
# fail on a machine with the same libraries from elsewhere
DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" \
	dpkg-buildpackage -b -nc -d -us -uc --no-sign >"$out/build.log" 2>&1 || {
	tail -40 "$out/build.log" >&2
	echo "build-deb: dpkg-buildpackage failed (see $out/build.log)" >&2
	exit 1
}
# dpkg-buildpackage writes next to the source folder, that is into $out
deb=$(ls "$out"/slamon_*_*.deb | head -1)

# errors fail; the warnings kept are explained in docs/packaging.md. grep
# exits 1 when it passes no line (a clean lintian run): not a failure.
lintian --fail-on error "$deb" 2>&1 | { grep -v 'running with root' || true; } |
	tee "$out/lintian.log" >&2
echo "$deb"
