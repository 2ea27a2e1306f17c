#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Checks the container image: at most 250 MB (its size printed); run as
# contrib/docker-compose.yml does, on the demo libraries, the mount appears
# on the host through the rshared bind and in a second container that
# binds the folder above the mount point rslave (as docs/INSTALL.md tells
# Plex or Komga to), the health check passes, a restart brings the mount
# back to both without restarting the second container, and a stop
# unmounts it; then podman-compose runs contrib/docker-compose.yml itself
# on the demo (its configuration and catalog, contrib/demo.conf), and
# status/summary.json read in the container counts the demo's tracks under
# its roots, and the image's health check says healthy. Every wait has a
# deadline. Removes its containers, volume, mounts and files at the end,
# failed or not.
# Usage: tests/packaging/image-test.sh IMAGE    (as root)
set -eu

say() {
	echo "image-test: $*" >&2
}

fail() {
	say "FAIL: $*"
	podman logs "$running" 2>&1 | tail -n 20 >&2 || true
	exit 1
}

[ $# -eq 1 ] || { say "usage: $0 IMAGE"; exit 2; }
[ "$(id -u)" -eq 0 ] || { say "needs root (podman, mount)"; exit 2; }
image=$1
cd "$(dirname "$0")/../.."
. contrib/container/podman-opts.sh
podman_opts "$image" || exit 1

max_size=250000000
size=$(podman image inspect --format '{{.Size}}' "$image")
say "$image: $((size / 1000000)) MB ($size bytes)"
[ "$size" -le "$max_size" ] ||
	{ say "FAIL: $image is over $((max_size / 1000000)) MB"; exit 1; }
# The compose file names its container so; one of the user's is left alone.
if podman container exists mediamon; then
	say "FAIL: a container named mediamon exists: remove it first"
	exit 1
fi

name=mediamon-image-test-$$
reader=$name-reader
running=$name
work=$(mktemp -d /tmp/mediamon-image-test.XXXXXX)
share=$work/share
mnt=$share/mediamon
cmnt=$share/compose
compose() {
	# shellcheck disable=SC2086
	MEDIAMON_IMAGE=$image MEDIAMON_CONFIG=$work/config \
	MEDIAMON_MUSIC=$work/music MEDIAMON_MANGA=$work/manga \
	MEDIAMON_MOUNT=$cmnt podman-compose -p "$name" \
		-f contrib/docker-compose.yml \
		${PODMAN_OPTS:+--podman-run-args "$PODMAN_OPTS"} "$@"
}
cleanup() {
	podman rm -f -v -t 5 "$name" "$reader" >/dev/null 2>&1 || true
	compose down -t 30 -v >/dev/null 2>&1 || true
	fusermount3 -u -z "$mnt" 2>/dev/null || true
	fusermount3 -u -z "$cmnt" 2>/dev/null || true
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
	grep -q " ${1:-$mnt} fuse" /proc/mounts
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
say "podman-compose runs contrib/docker-compose.yml"
mkdir -p "$work/config" "$cmnt"
sed -e 's|@DEMO@|/etc/mediamon|' -e 's|^\[manga\]$|[manga]\nroot = /manga|' \
	contrib/demo.conf >"$work/config/mediamon.conf"
printf '\n[music]\nroot = /music\n' >>"$work/config/mediamon.conf"
cp tests/data/demo-catalog.jsonl "$work/config/catalog.jsonl"
compose up -d mediamon >"$work/compose.log" 2>&1 ||
	{ tail -n 20 "$work/compose.log" >&2; fail "podman-compose up"; }
running=mediamon
wait_for 60 mounted "$cmnt" || fail "no FUSE mount on the host's $cmnt"
tracks=$(find "$work/music" -type f \( -name '*.flac' -o -name '*.mp3' \) |
	wc -l)
# The demo's tracks all counted, the scan over, and the roots the
# container's.
summary_done() {
	podman exec mediamon cat /mnt/mediamon/status/summary.json |
		/usr/bin/python3 -c '
import json, sys
s = json.load(sys.stdin)
roots = sorted((r["kind"], r["path"]) for r in s["roots"])
sys.exit(not (s["counts"]["tracks"] == int(sys.argv[1])
	and s["state"] == "idle" and not s["scan_pending"]
	and roots == [("manga", "/manga"), ("music", "/music")]))' "$tracks"
}
wait_for 60 summary_done || fail "summary.json does not count the demo's" \
	"$tracks tracks: $(podman exec mediamon \
	cat /mnt/mediamon/status/summary.json)"
[ -d "$cmnt/library/music/artists/Aurora Tones" ] ||
	fail "the host does not see the compose run's mount"
# The image's own check (the compose file sets none), run now rather than
# at its interval: healthy.
podman inspect --format '{{.Config.Healthcheck.Test}}' mediamon |
	grep -q /mnt/mediamon/status/health ||
	fail "the container has not the image's health check"
healthy() {
	podman healthcheck run mediamon &&
		[ "$(podman inspect --format '{{.State.Health.Status}}' \
			mediamon)" = healthy ]
}
wait_for 60 healthy || fail "the image's health check does not say healthy"
compose down -t 30 -v >>"$work/compose.log" 2>&1 ||
	{ tail -n 20 "$work/compose.log" >&2; fail "podman-compose down"; }
! mounted "$cmnt" || fail "the mount is left behind after compose down"
! podman volume exists "${name}_mediamon-state" ||
	fail "compose down -v leaves the store's volume"
say "ok"
