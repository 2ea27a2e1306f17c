#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Makes a minimal Debian 12 system with debootstrap, once, in
# MEDIAMON_CHROOT_BASE (default /var/cache/mediamon/bookworm), from
# MEDIAMON_DEBIAN_MIRROR, and prints its folder. Its apt sources name the
# updates and the security suite too (MEDIAMON_DEBIAN_SECURITY_MIRROR), as
# an installed Debian's do, so what is installed in it has Debian's fixes.
# make deb-test copies it as its chroot; make image imports it as the
# image's base. Run as root.
set -eu

root=${MEDIAMON_CHROOT_BASE:-/var/cache/mediamon/bookworm}
mirror=${MEDIAMON_DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${MEDIAMON_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
if [ ! -x "$root/bin/sh" ]; then
	echo "debian-base: debootstrap of Debian 12 into $root (once)" >&2
	rm -rf "$root.new"
	mkdir -p "$(dirname "$root")"
	debootstrap --variant=minbase bookworm "$root.new" "$mirror" \
		>"$root.log" 2>&1 || {
		echo "debian-base: debootstrap failed: $root.log" >&2
		exit 1
	}
	mv "$root.new" "$root"
fi
printf '%s\n' "deb $mirror bookworm main" \
	"deb $mirror bookworm-updates main" \
	"deb $security bookworm-security main" >"$root/etc/apt/sources.list"
echo "$root"
