#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs what packaging mediamon needs, apart from contrib/install-deps.sh
# (which the build and tests need; CI time is counted): the Debian package
# (make deb, make deb-test), the cross builds and their emulated unit tests
# (make cross, make cross-test) for each ARCH given (default: arm64 armhf;
# one whose index the mirror serves broken is left out, with a word: see
# contrib/arch-index-ok.sh), and the container image (make image, make image-test; not with
# --no-container, as CI, which builds no image). Debian 12 or later. Run
# as root, or it runs itself again through sudo.
# Usage: contrib/install-packaging-deps.sh [--no-container] [ARCH...]
set -eu

say() {
	echo "install-packaging-deps: $*" >&2
}

if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		say "not root: running again through sudo"
		exec sudo -- sh "$0" "$@"
	fi
	say "installing packages needs root: run it as root"
	exit 1
fi
# podman-compose runs contrib/docker-compose.yml in make image-test, whose
# init: true needs catatonit (one of podman's recommends, which
# --no-install-recommends below leaves out).
container="podman buildah runc uidmap slirp4netns fuse-overlayfs
podman-compose catatonit"
if [ "${1:-}" = --no-container ]; then
	container=""
	shift
fi
[ $# -gt 0 ] || set -- arm64 armhf

tools="debhelper lintian debootstrap qemu-user-static binfmt-support
$container"
# The libraries mediamon links (contrib/install-deps.sh), for each ARCH.
libs="libfuse3-dev libsqlite3-dev libcurl4-openssl-dev libssl-dev
zlib1g-dev libjansson-dev libxml2-dev libinih-dev
libarchive-dev libflac-dev libchromaprint-dev libebur128-dev libaubio-dev
libmpg123-dev libavformat-dev libavcodec-dev libswresample-dev libswscale-dev
libseccomp-dev libcmocka-dev
libmicrohttpd-dev libcrypt-dev libutf8proc-dev"

install="$tools"
for arch in "$@"; do
	# an index served broken would spoil apt for every architecture
	if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
		if ! sh "$(dirname "$0")/arch-index-ok.sh" "$arch"; then
			say "$arch left out: its index is not served whole"
			continue
		fi
		dpkg --add-architecture "$arch"
	fi
	# pkgconf for ARCH brings ARCH's TRIPLET-pkg-config, which make
	# cross asks for the libraries' flags
	install="$install crossbuild-essential-$arch pkgconf:$arch"
	for lib in $libs; do
		install="$install $lib:$arch"
	done
done

export DEBIAN_FRONTEND=noninteractive
# A foreign architecture's index that a mirror serves broken makes apt keep
# that whole suite's old indexes, for every architecture: say so, since the
# install then fails on versions that differ between architectures.
apt-get update -qq || say "apt-get update failed for some index: if the" \
	"install below fails on versions, leave that ARCH out for now"
# shellcheck disable=SC2086
apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends \
	$install

# make cross-test runs the ARCH binaries (tests, and the children they
# start) through binfmt_misc and qemu-user.
[ -e /proc/sys/fs/binfmt_misc/status ] ||
	mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
for arch in "$@"; do
	case $arch in
	arm64) update-binfmts --enable qemu-aarch64 ;;
	armhf) update-binfmts --enable qemu-arm ;;
	esac
done
