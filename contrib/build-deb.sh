#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds the Debian package from the source release (contrib/dist.sh, make
# dist), unpacked in OUT/src/mediamon-VERSION, so that the build's products
# never land in the tree itself and no git is needed (a tree unpacked from
# a release builds its package too); the .deb goes to OUT.
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
mkdir -p "$out/src"
tarball=$(sh contrib/dist.sh "$out/src" "$version")
tar -xzf "$tarball" -C "$out/src"

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
