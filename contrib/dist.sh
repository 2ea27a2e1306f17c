#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Makes OUT/mediamon-VERSION.tar.gz, the source release: the files the
# build needs, as the tree has them now, under mediamon-VERSION/, with a
# MANIFEST that lists them. In a git checkout the files are those git
# tracks or would track; in a tree unpacked from a release (no git), those
# its MANIFEST lists, so a release makes the same release again and
# contrib/build-deb.sh needs no git. Prints the tarball's path.
# Usage: contrib/dist.sh OUT [VERSION]
set -eu

say() {
	echo "dist: $*" >&2
}

[ $# -ge 1 ] || { say "usage: $0 OUT [VERSION]"; exit 2; }
cd "$(dirname "$0")/.."
out=$(mkdir -p "$1" && cd "$1" && pwd)
version=${2:-$(sed -n 's/^VERSION := //p' Makefile)}
[ -n "$version" ] || { say "no VERSION in the Makefile"; exit 1; }
name=mediamon-$version

list=$(mktemp)
stage=$(mktemp -d)
trap 'rm -rf "$list" "$stage"' EXIT
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files --cached --others --exclude-standard >"$list"
elif [ -f MANIFEST ]; then
	cp MANIFEST "$list"
else
	say "neither a git checkout nor a release with its MANIFEST:" \
		"cannot tell the sources from build products"
	exit 1
fi
# A file git still tracks but the tree removed is not part of it.
mkdir -p "$stage/$name"
while IFS= read -r f; do
	[ "$f" = MANIFEST ] && continue
	[ -e "$f" ] || [ -L "$f" ] || continue
	printf '%s\n' "$f"
done <"$list" | LC_ALL=C sort >"$stage/$name/MANIFEST"
grep -qx Makefile "$stage/$name/MANIFEST" ||
	{ say "the file list has no Makefile: not mediamon's tree"; exit 1; }
tar -cf - -T "$stage/$name/MANIFEST" | tar -xf - -C "$stage/$name"
echo MANIFEST >>"$stage/$name/MANIFEST"
tarball=$out/$name.tar.gz
# The same tree gives the same bytes: names sorted, owners fixed, every
# time the release's own (debian/changelog's newest entry).
when=${SOURCE_DATE_EPOCH:-$(dpkg-parsechangelog -S Timestamp 2>/dev/null ||
	date +%s)}
tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner \
	--mtime="@$when" -cf - "$name" | gzip -n -9 >"$tarball.tmp"
mv "$tarball.tmp" "$tarball"
say "made $tarball ($(wc -l <"$stage/$name/MANIFEST") files)"
echo "$tarball"
