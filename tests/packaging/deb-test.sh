#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs, upgrades and purges the Debian package in a Debian 12 chroot,
# as piuparts would: the package built by make deb (OUT/mediamon_V_ARCH.deb)
# and a second build of the same tree as version V+test1, made here.
# Checks what the install puts in place (the binaries run), that the
# upgrade takes, and that the purge leaves the file system as it was
# before the install (the system user aside, which Debian keeps).
# The chroot's base is made once with debootstrap (contrib/debian-base.sh);
# each run works on a copy of it in OUT/chroot.
# Usage: tests/packaging/deb-test.sh OUT    (as root)
set -eu

say() {
	echo "deb-test: $*" >&2
}

fail() {
	say "FAIL: $*"
	exit 1
}

[ $# -eq 1 ] || { say "usage: $0 OUT"; exit 2; }
[ "$(id -u)" -eq 0 ] || { say "needs root (chroot, mount)"; exit 2; }
cd "$(dirname "$0")/../.."
out=$(cd "$1" && pwd)
arch=$(dpkg-architecture -q DEB_HOST_ARCH)
v1=$(dpkg-parsechangelog -S Version)
v2=$v1+test1
deb1=$out/mediamon_${v1}_$arch.deb
deb2=$out/mediamon_${v2}_$arch.deb
[ -f "$deb1" ] || fail "no $deb1: run make deb first"

base=$(sh contrib/debian-base.sh) || fail "no Debian 12 base"
sh contrib/build-deb.sh "$out" "$v2"

root=$out/chroot
cleanup() {
	umount "$root/proc" 2>/dev/null || true
	rm -rf "$root"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
rm -rf "$root"
cp -a "$base" "$root"
mount -t proc proc "$root/proc"
cp "$deb1" "$deb2" "$root/tmp/"

run() {
	chroot "$root" /usr/bin/env -i DEBIAN_FRONTEND=noninteractive \
		PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"
}

# Every path with its owner and mode, but for what apt and dpkg keep.
snapshot() {
	(cd "$root" && find . -xdev \( -path ./proc -o -path ./tmp \
		-o -path ./var/lib/apt -o -path ./var/cache/apt \
		-o -path ./var/lib/dpkg -o -path ./var/log \
		-o -path ./var/cache/debconf \) -prune -o \
		-printf '%p %u:%g %m\n' | sort)
}

say "installing the dependencies"
run apt-get update -qq >"$out/deb-test-apt.log" 2>&1 ||
	fail "apt-get update in the chroot: $out/deb-test-apt.log"
run apt-get install -y -qq --no-install-recommends \
	"/tmp/$(basename "$deb1")" >>"$out/deb-test-apt.log" 2>&1 ||
	fail "installing $v1's dependencies: $out/deb-test-apt.log"
run dpkg --purge mediamon >/dev/null
snapshot >"$out/before-install.txt"

say "installing $v1"
run dpkg -i "/tmp/$(basename "$deb1")" || fail "dpkg -i $v1"
for f in /usr/bin/mediamon /usr/libexec/mediamon/mediamon-analyse; do
	[ -x "$root$f" ] || fail "$f missing"
done
for f in /lib/systemd/system/mediamon.service \
	/usr/share/man/man8/mediamon.8.gz \
	/usr/share/man/man5/mediamon.conf.5.gz \
	/usr/share/doc/mediamon/mediamon.conf.example; do
	[ -f "$root$f" ] || fail "$f missing"
done
[ -d "$root/etc/mediamon" ] || fail "/etc/mediamon missing"
run /usr/bin/mediamon --version | grep -q "mediamon" ||
	fail "mediamon --version does not run"
grep -q '^ExecStart=/usr/bin/mediamon ' \
	"$root/lib/systemd/system/mediamon.service" ||
	fail "the unit does not run /usr/bin/mediamon"
run getent passwd mediamon | grep -q '^mediamon:x:[0-9]*:[0-9]*:' ||
	fail "no mediamon system user"
run getent group mediamon >/dev/null || fail "no mediamon group"
# The analyser runs: it answers a path it cannot read with an error line.
echo /nonexistent.flac | run /usr/libexec/mediamon/mediamon-analyse \
	>/dev/null 2>&1 || true
enabled=var/lib/systemd/deb-systemd-helper-enabled
[ -e "$root/$enabled/mediamon.service.dsh-also" ] ||
	fail "the unit was not enabled"

say "upgrading to $v2"
# What the service makes at its first start, which the purge removes.
mkdir -p "$root/var/lib/mediamon"
touch "$root/var/lib/mediamon/mediamon.db"
run dpkg -i "/tmp/$(basename "$deb2")" || fail "dpkg -i $v2"
[ "$(run dpkg-query -W -f '${Version} ${db:Status-Abbrev}' mediamon)" = \
	"$v2 ii " ] || fail "mediamon $v2 is not installed"
run getent passwd mediamon >/dev/null || fail "the upgrade lost the user"

say "purging"
run dpkg --purge mediamon || fail "dpkg --purge"
snapshot >"$out/after-purge.txt"
if ! diff -u "$out/before-install.txt" "$out/after-purge.txt" \
	>"$out/purge.diff"; then
	cat "$out/purge.diff" >&2
	fail "the purge left the file system changed"
fi
say "install, upgrade and purge: ok"
