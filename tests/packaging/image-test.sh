#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs the container image as contrib/docker-compose.yml does, on the demo
# libraries, and checks what a user of it counts on: the mount appears on
# the host through the rshared bind and in a second container that binds
# the folder above the mount point rslave (as docs/INSTALL.md tells Plex or
# Komga to), the health check passes, a restart brings the mount back to
# both without restarting the second container, and a stop unmounts it.
# Removes its containers, mounts and files at the end, failed or not.
# Usage: tests/packaging/image-test.sh IMAGE    (as root)
set -eu

say() {
	echo "image-test: $*" >&2
}

fail() {
	say "FAIL: $*"
	podman logs "$name" 2>&1 | tail -n 20 >&2 || true
	exit 1
}

[ $# -eq 1 ] || { say "usage: $0 IMAGE"; exit 2; }
[ "$(id -u)" -eq 0 ] || { say "needs root (podman, mount)"; exit 2; }
image=$1
cd "$(dirname "$0")/../.."
. contrib/container/podman-opts.sh
podman_opts "$image" || exit 1

name=mediamon-image-test-$$
reader=$name-reader
work=$(mktemp -d /tmp/mediamon-image-test.XXXXXX)
share=$work/share
mnt=$share/mediamon
cleanup() {
	podman rm -f -t 5 "$name" "$reader" >/dev/null 2>&1 || true
	fusermount3 -u -z "$mnt" 2>/dev/null || true
	umount "$share" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# Waits up to $1 seconds for the command after it to succeed.
wait_for() {
	deadline=$(($(date +%s) + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$deadline" ] || return 1
		sleep 0.5
	done
}

mounted() {
	grep -q " $mnt fuse" /proc/mounts
}

health_ok() {
	[ "$(head -n 1 "$mnt/status/health")" = ok ]
}

sh tests/data/make-demo.sh "$work/music" >/dev/null
sh tests/data/make-demo-manga.sh "$work/manga" >/dev/null
mkdir -p "$share" "$work/state"
# A bind of the folder onto itself, shared: what systemd makes of / on most
# hosts, which the rshared bind into the container needs.
mount --bind "$share" "$share"
mount --make-shared "$share"
mkdir -p "$mnt"

say "starting $image"
# shellcheck disable=SC2086
podman run -d --name "$name" $PODMAN_OPTS --device /dev/fuse \
	--cap-add SYS_ADMIN --security-opt apparmor=unconfined \
	-v "$work/music:/music:ro" -v "$work/manga:/manga:ro" \
	-v "$work/state:/var/lib/mediamon" \
	-v "$mnt:/mnt/mediamon:rshared" \
	"$image" -o music=/music -o manga=/manga >/dev/null ||
	fail "podman run"
wait_for 60 mounted || fail "no FUSE mount on the host's $mnt"
wait_for 60 health_ok ||
	fail "status/health is not ok: $(cat "$mnt/status/health")"
[ -d "$mnt/library/music/artists/Aurora Tones" ] ||
	fail "the host does not see the demo's artists"
grep -q "$(printf '\t')" "$mnt/status/missing" ||
	fail "the host does not see the manga gaps"
[ -s "$work/state/mediamon.db" ] || fail "the store is not in the volume"
podman healthcheck run "$name" >/dev/null || fail "the health check fails"

say "a second container reads the mount"
# shellcheck disable=SC2086
podman run -d --name "$reader" $PODMAN_OPTS \
	-v "$share:/share:ro,rslave" --entrypoint sleep "$image" 600 \
	>/dev/null || fail "podman run of the reader"
podman exec "$reader" ls /share/mediamon/library/music/artists |
	grep -qx "Aurora Tones" || fail "the reader does not see the mount"

say "restarting"
podman restart -t 30 "$name" >/dev/null || fail "podman restart"
wait_for 60 health_ok || fail "the mount did not come back on the host"
wait_for 30 podman exec "$reader" head -n 1 /share/mediamon/status/health ||
	fail "the reader lost the mount over the restart"
podman exec "$reader" ls /share/mediamon/library/music/artists |
	grep -qx "Aurora Tones" || fail "the reader sees an empty mount"

say "stopping"
podman stop -t 30 "$name" >/dev/null || fail "podman stop"
! mounted || fail "the mount is left behind on the host after a stop"
say "ok"
