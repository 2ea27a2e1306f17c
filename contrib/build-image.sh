#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds the container image (Dockerfile) with podman, from a Debian 12
# base made here: debootstrap's minimal system (contrib/debian-base.sh,
# which make deb-test uses too), imported as the image BASE. No registry
# is needed.
# Usage: contrib/build-image.sh BASE IMAGE
set -eu

say() {
	echo "build-image: $*" >&2
}

[ $# -eq 2 ] || { say "usage: $0 BASE IMAGE"; exit 2; }
base_image=$1
image=$2
cd "$(dirname "$0")/.."
. contrib/container/podman-opts.sh
if ! podman image exists "$base_image"; then
	root=$(sh contrib/debian-base.sh)
	say "importing $root as $base_image"
	# Without what debootstrap leaves for apt (its lists, caches and the
	# packages it installed), the documentation but the copyright
	# files, the manual pages and the translations, which no layer above
	# could take out of this one again; the Dockerfile's runtime stage
	# keeps dpkg from adding them back.
	tar=$(mktemp /var/tmp/mediamon-base.XXXXXX)
	trap 'rm -f "$tar"' EXIT
	tar -C "$root" --exclude='./var/lib/apt/lists/*' \
		--exclude='./var/cache/apt/*.bin' \
		--exclude='./var/cache/apt/archives/*.deb' \
		--exclude='./usr/share/doc/*/*' --exclude='./usr/share/man/*' \
		--exclude='./usr/share/info/*' \
		--exclude='./usr/share/locale/*' -cf "$tar" .
	(cd "$root" && find ./usr/share/doc -name copyright) |
		tar -C "$root" -rf "$tar" -T -
	podman import "$tar" "$base_image" >/dev/null
fi
podman_opts "$base_image"
say "building $image"
# The docker format keeps the HEALTHCHECK, which OCI's has no field for.
# shellcheck disable=SC2086
podman build $PODMAN_OPTS --format docker --build-arg BASE="$base_image" \
	-t "$image" .
