#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Whether the apt sources of this machine serve ARCH's package indexes
# whole. A foreign architecture whose index a mirror serves broken (as
# armhf's bookworm-security has been here, "File has unexpected size")
# makes apt keep that suite's old indexes for every architecture, so it
# is asked first, into a folder of its own: neither the system's package
# lists nor its architectures are touched. Exits 0 when every index came,
# else 1, saying which failed.
# Usage: contrib/arch-index-ok.sh ARCH
set -eu

[ $# -eq 1 ] || { echo "usage: $0 ARCH" >&2; exit 2; }
arch=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
if apt-get update -qq -o APT::Architecture="$arch" \
	-o APT::Architectures::="$arch" -o Dir::State::Lists="$dir/lists" \
	-o Dir::Cache="$dir/cache" >"$dir/out" 2>&1; then
	exit 0
fi
echo "$arch: the mirror does not serve its package indexes whole:" >&2
grep '^E:' "$dir/out" | head -3 >&2 || cat "$dir/out" >&2
exit 1
