#!/usr/bin/env bash
# Steps of the package test (tests/integration/test_package.c), on the
# machine itself: it installs, upgrades, removes and purges the slamon
# package (docs/testing.md says what that does to the machine).
#
#   package.sh preflight            exit 77 when the machine is not fit
#   package.sh build OUTDIR         scripts/build-deb.sh; the .deb's path
#   package.sh install DEB          dpkg -i, then the installed state
#   package.sh upgrade DEB          an operator's edit survives dpkg -i
#   package.sh remove               dpkg -r keeps configuration and data
#   package.sh purge                dpkg --purge removes all, checked
#   package.sh cleanup              purge without checks (the fixture's fini)
#
# Each check that fails prints "FAIL: ..." and the step exits 1.
# SPDX-License-Identifier: MIT
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
fails=0

fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

# expect_stat PATH MODE OWNER GROUP
expect_stat() {
	local got
	got=$(stat -c '%a %U %G' "$1" 2>/dev/null) || {
		fail "$1 missing"
		return
	}
	[ "$got" = "$2 $3 $4" ] || fail "$1 is '$got', expected '$2 $3 $4'"
}

installed() {
	dpkg-query -W -f='${Status}' slamon 2>/dev/null | grep -q 'installed'
}

wants=/etc/systemd/system/multi-user.target.wants/slamond.service

case ${1:-} in
preflight)
	[ "$(id -u)" -eq 0 ] || { echo "SKIP: not root"; exit 77; }
	for t in dpkg-buildpackage dh lintian fakeroot adduser; do
		command -v $t >/dev/null ||
			{ echo "SKIP: $t missing (scripts/install-deps.sh)"; exit 77; }
	done
	# never touch an operator's own installation
	if dpkg-query -W -f='${Status}' slamon 2>/dev/null | grep -q .; then
		echo "SKIP: package slamon already on this machine"
		exit 77
	fi
	if getent passwd slamon >/dev/null || getent group slamon >/dev/null ||
	   [ -e /etc/slamon ] || [ -e /var/lib/slamon ]; then
		echo "SKIP: a slamon user, group, /etc/slamon or /var/lib/slamon exists"
		exit 77
	fi
	exit 0
	;;
build)
	deb=$(bash "$top/scripts/build-deb.sh" "$2" | tail -1) || exit 1
	echo "$deb"
	exit 0
	;;
install)
	dpkg -i "$2" || { echo "FAIL: dpkg -i $2"; exit 1; }
	installed || fail "dpkg says slamon is not installed"
	ent=$(getent passwd slamon) || fail "no user slamon"
	uid=$(echo "$ent" | cut -d: -f3)
	[ -n "$uid" ] && [ "$uid" -lt 1000 ] || fail "slamon uid $uid is not a system uid"
	case $ent in *:/usr/sbin/nologin) ;; *) fail "slamon can log in: $ent" ;; esac
	getent group slamon >/dev/null || fail "no group slamon"
	expect_stat /etc/slamon 750 root slamon
	expect_stat /etc/slamon/slamon.conf 640 root slamon
	expect_stat /etc/slamon/inventory.csv 644 root root
	expect_stat /var/lib/slamon 750 slamon slamon
	expect_stat /usr/bin/slamond 755 root root
	expect_stat /usr/bin/slamon 755 root root
	expect_stat /lib/systemd/system/slamond.service 644 root root
	conff=$(dpkg-query -W -f='${Conffiles}' slamon)
	for f in /etc/slamon/slamon.conf /etc/slamon/inventory.csv; do
		echo "$conff" | grep -q " $f " || fail "$f is not a conffile"
	done
	slamon check-config -c /etc/slamon/slamon.conf >/dev/null 2>&1 ||
		fail "the shipped configuration fails slamon check-config"
	[ -L "$wants" ] || fail "slamond.service is not enabled ($wants)"
	sudo_check=$(su -s /bin/sh -c 'cat /etc/slamon/slamon.conf' nobody 2>&1) &&
		fail "nobody can read the configuration: $sudo_check"
	;;
upgrade)
	echo "; operator's edit" >> /etc/slamon/slamon.conf
	date > /var/lib/slamon/operator-data
	dpkg -i --force-confold "$2" || { echo "FAIL: dpkg -i (upgrade)"; exit 1; }
	tail -1 /etc/slamon/slamon.conf | grep -q "operator's edit" ||
		fail "the upgrade lost the operator's configuration"
	[ -f /var/lib/slamon/operator-data ] || fail "the upgrade lost /var/lib/slamon"
	expect_stat /etc/slamon/slamon.conf 640 root slamon
	expect_stat /var/lib/slamon 750 slamon slamon
	;;
remove)
	dpkg -r slamon || { echo "FAIL: dpkg -r"; exit 1; }
	[ -e /usr/bin/slamond ] && fail "/usr/bin/slamond still there after remove"
	[ -f /var/lib/slamon/operator-data ] || fail "remove deleted /var/lib/slamon"
	[ -f /etc/slamon/slamon.conf ] || fail "remove deleted the configuration"
	getent passwd slamon >/dev/null || fail "remove deleted the user"
	;;
purge)
	dpkg --purge slamon || { echo "FAIL: dpkg --purge"; exit 1; }
	dpkg-query -W -f='${Status}' slamon 2>/dev/null | grep -q . &&
		fail "dpkg still knows slamon"
	getent passwd slamon >/dev/null && fail "user slamon left"
	getent group slamon >/dev/null && fail "group slamon left"
	[ -e /etc/slamon ] && fail "/etc/slamon left"
	[ -e /var/lib/slamon ] && fail "/var/lib/slamon left"
	[ -e "$wants" ] && fail "$wants left"
	dpkg-statoverride --list | grep -q slamon && fail "stat overrides left"
	;;
cleanup)
	# only after a preflight that found none of this: all of it is ours
	if dpkg-query -W -f='${Status}' slamon 2>/dev/null | grep -q .; then
		dpkg --purge slamon >/dev/null 2>&1 ||
			dpkg --purge --force-all slamon >/dev/null 2>&1 || true
	fi
	for f in /etc/slamon/slamon.conf /etc/slamon; do
		dpkg-statoverride --remove "$f" >/dev/null 2>&1 || true
	done
	getent passwd slamon >/dev/null && userdel slamon
	getent group slamon >/dev/null && groupdel slamon
	rm -rf /etc/slamon /var/lib/slamon "$wants"
	exit 0
	;;
*)
	echo "usage: package.sh preflight|build DIR|install DEB|upgrade DEB|remove|purge|cleanup" >&2
	exit 2
	;;
esac
if [ "$fails" -gt 0 ]; then
	echo "package.sh $1: $fails checks failed"
	exit 1
fi
echo "package.sh $1: ok"
