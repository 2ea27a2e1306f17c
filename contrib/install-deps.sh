#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs every package that building, testing and benchmarking mediamon
# needs, on Debian 12 or Ubuntu 24.04 (and later releases of both), and
# then the npm packages of the tests (tests/js/package.json, at the
# versions of its package-lock.json) into tests/js/node_modules. Safe
# to run again: it installs only what is missing. Run as root, or as a
# user who may use sudo: it then runs itself again through sudo, and says
# so.
set -eu

# One package a word. "a|b" takes the first of a and b that the apt
# sources hold, for a package whose name differs between releases:
# promtool has a package of its own from Debian 13 and Ubuntu 25.10 on,
# and is part of prometheus before.
packages="
build-essential pkg-config
libfuse3-dev fuse3
libsqlite3-dev sqlite3
libcurl4-openssl-dev
libflac-dev zlib1g-dev
libchromaprint-dev libebur128-dev libaubio-dev libmpg123-dev libsox-fmt-mp3
libavformat-dev libavcodec-dev libswresample-dev libswscale-dev
libseccomp-dev
libjansson-dev libxml2-dev libinih-dev libarchive-dev libssl-dev libutf8proc-dev
libmicrohttpd-dev libcrypt-dev apache2-utils
libcmocka-dev
clang libclang-rt-dev valgrind
python3 python3-pytest python3-pytest-xdist python3-mutagen python3-feedparser
python3-jsonschema nodejs
libxml2-utils
flac lame sox jq zip unzip p7zip-full
vorbis-tools opus-tools wavpack ffmpeg
mpd mpc minidlna supysonic python3-waitress
qbittorrent-nox transmission-daemon nzbget opentracker amule-daemon amule-utils
aria2
man-db groff-base systemd promtool|prometheus
librsvg2-bin chromium curl nginx-light|nginx
strawberry xvfb xdotool
gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly
git procps mount attr vim|vim-tiny nano tmux rsync samba smbclient
"
# Packages whose installation enables a system service that mediamon's
# tests and benchmark do not want running (they start their own).
# (qbittorrent-nox ships only a template unit, qbittorrent-nox@.service,
# and nzbget only an example, neither enabled; amule-daemon's init script
# starts nothing until /etc/default/amule-daemon names a user.)
services="mpd:mpd.service mpd:mpd.socket prometheus:prometheus.service
transmission-daemon:transmission-daemon.service
opentracker:opentracker.service minidlna:minidlna.service
nginx-light:nginx.service nginx:nginx.service
samba:smbd.service samba:nmbd.service
samba:samba-ad-dc.service"

say() {
	echo "install-deps: $*" >&2
}

if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		say "not root: running again through sudo"
		exec sudo -- sh "$0" "$@"
	fi
	say "installing packages needs root, and sudo is not installed:" \
		"run it as root (su -c 'sh $0')"
	exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
	say "no apt-get here: this script knows Debian and Ubuntu only"
	exit 1
fi

# The npm packages of the tests, unless tests/js/node_modules holds them
# already: npm ci in tests/js (no package's install scripts run), as the
# user who ran this script through sudo, so that the folder stays theirs.
npm_packages() {
	js=$(cd "$(dirname "$0")/../tests/js" && pwd)
	npm ls --prefix "$js" --all >/dev/null 2>&1 && return
	say "installing the npm packages of $js/package.json"
	set --
	if [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != root ]; then
		set -- sudo -u "$SUDO_USER" -H --
	fi
	"$@" npm ci --prefix "$js" --ignore-scripts --no-audit --no-fund \
		--loglevel=error
}

# A package whose triggers dpkg has not run yet (another install was cut
# short, or holds the lock) is configured and usable: it is installed.
installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null |
		grep -Eq "ok (installed|triggers-pending|triggers-awaited)"
}

# The first alternative the apt sources can install, or nothing.
candidate() {
	old_ifs=$IFS
	IFS='|'
	for alt in $1; do
		if apt-cache policy "$alt" 2>/dev/null |
		   grep -q 'Candidate: [^(]'; then
			IFS=$old_ifs
			echo "$alt"
			return
		fi
	done
	IFS=$old_ifs
}

missing=""
for entry in $packages; do
	have=""
	old_ifs=$IFS
	IFS='|'
	for alt in $entry; do
		installed "$alt" && have=1
	done
	IFS=$old_ifs
	[ -n "$have" ] || missing="$missing $entry"
done
# npm: Debian's package, unless the nodejs installed brings its own
# (NodeSource's does, and conflicts with Debian's npm)
command -v npm >/dev/null 2>&1 || missing="$missing npm"
if [ -z "$missing" ]; then
	say "all packages present"
	npm_packages
	exit 0
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
install=""
unknown=""
for entry in $missing; do
	pick=$(candidate "$entry")
	if [ -n "$pick" ]; then
		install="$install $pick"
	else
		unknown="$unknown $entry"
	fi
done
if [ -n "$unknown" ]; then
	say "the apt sources hold no package$unknown"
	if grep -qs '^ID=ubuntu' /etc/os-release; then
		say "on Ubuntu these are in the universe component:" \
			"add-apt-repository universe, then run this again"
	fi
	exit 1
fi
say "installing$install"
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $install
if command -v systemctl >/dev/null 2>&1; then
	for s in $services; do
		case " $install " in
		*" ${s%%:*} "*)
			systemctl disable --now "${s#*:}" >/dev/null 2>&1 ||
				true ;;
		esac
	done
fi
npm_packages
