#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds the Debian package from a copy of the source tree, so that the
# build's products never land in the tree itself: OUT/src/mediamon-VERSION
# is the copy (the files git tracks or would track), the .deb goes to OUT.
# A VERSION other than debian/changelog's gets a changelog entry of its
# own in the copy (make deb-test builds a second, newer version so).
# lintian then checks the .deb; an error fails the build.
# Usage: contrib/build-deb.sh OUT [VERSION]
set -eu

say() {
	echo "build-deb: $*" >&2
}

[ $# -ge 1 ] || { say "usage: $0 OUT [VERSION]"; exit 2; }
cd "$(dirname "$0")/.."
out=$(mkdir -p "$1" && cd "$1" && pwd)
version=${2:-$(dpkg-parsechangelog -S Version)}
src=$out/src/mediamon-$version

rm -rf "$src"
mkdir -p "$src"
# shellcheck disable=SC2016
git ls-files -z --cached --others --exclude-standard |
	xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
	tar --null -T - -cf - | tar -xf - -C "$src"

if [ "$version" != "$(dpkg-parsechangelog -S Version)" ]; then
	{
		printf 'mediamon (%s) unstable; urgency=medium\n\n' "$version"
		printf '  * Built by contrib/build-deb.sh as version %s.\n\n' \
			"$version"
		printf ' -- %s  %s\n\n' \
			"$(dpkg-parsechangelog -S Maintainer)" \
			"$(date -R)"
		cat debian/changelog
	} >"$src/debian/changelog"
fi

say "building mediamon $version in $src"
log=$out/build-$version.log
(cd "$src" && dpkg-buildpackage -b -us -uc -j2 >"$log" 2>&1) || {
	tail -n 40 "$log" >&2
	say "dpkg-buildpackage failed: $log"
	exit 1
}
arch=$(dpkg-architecture -q DEB_HOST_ARCH)
deb=$out/src/mediamon_${version}_$arch.deb
mv "$deb" "$out/"
rm -f "$out/src/mediamon_${version}_$arch".*
rm -f "$out/src/mediamon-dbgsym_${version}_$arch".*deb
say "lintian"
lintian --fail-on error --info "$out/mediamon_${version}_$arch.deb"
say "built $out/mediamon_${version}_$arch.deb"
