#!/bin/sh
# Installs every Debian package that building, testing and benchmarking
# mediamon needs. Safe to run again: apt-get skips what is already there.
set -eu

packages="
build-essential pkg-config
libfuse3-dev fuse3
libsqlite3-dev sqlite3
libcurl4-openssl-dev
libflac-dev libid3tag0-dev zlib1g-dev
libchromaprint-dev libebur128-dev libaubio-dev libmpg123-dev libsox-fmt-mp3
libjansson-dev libxml2-dev libinih-dev libarchive-dev
libcmocka-dev
clang libclang-rt-dev valgrind
python3 python3-pytest python3-mutagen
flac lame sox jq zip
mpd mpc
man-db groff-base systemd prometheus
"

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: run as root (sudo $0)" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
missing=""
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "install-deps: all packages present"
	exit 0
fi
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
# mpd's package enables a system service; mediamon's benchmark runs its own.
if command -v systemctl >/dev/null 2>&1; then
	systemctl disable --now mpd.service mpd.socket >/dev/null 2>&1 || true
fi
