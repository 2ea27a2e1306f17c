#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# make-demo.sh DIR: build a small demo music library in DIR (for `make run`).
#
# 3 artists, 5 albums, 31 tracks of 6 to 10 s, each a short melody that
# sox synthesises (long enough for the audio analysis, which refuses
# audio under 3 s), FLAC (flac) and MP3 (lame), tagged by /usr/bin/python3
# with mutagen. One recording is there twice, as FLAC on its album and as
# MP3 on a single, so /status/duplicates has a group to show; one album has
# a cover.jpg, one track an embedded picture, one artist an artist.jpg, and
# one text file shows that files of other types are counted too.
#
# Idempotent: does nothing when DIR/.complete exists. Builds in DIR.tmp and
# renames it to DIR at the end, so DIR is never left half made. Quiet unless
# something fails.
set -eu

PYTHON=/usr/bin/python3   # Debian's python3, the one with python3-mutagen

die() {
	echo "make-demo: $*" >&2
	exit 1
}

# One line per track:
# albumartist|artist|album|year|genre|disc/discs|track/tracks|title|fmt|sound
# "sound" is "WAVE BASE PATTERN": a melody (melody() below) of sox's synth
# WAVE from BASE Hz along note pattern PATTERN, so every track differs; or
# "same TITLE", the audio of the track TITLE again (the duplicate). The
# featured track "Crossfade" has a track artist unlike its album artist.
tracks() {
	cat <<'EOT'
Aurora Tones|Aurora Tones|First Light|2019|Ambient|1/1|1/8|Dawn Chorus|flac|sine 220 0
Aurora Tones|Aurora Tones|First Light|2019|Ambient|1/1|2/8|Morning Haze|flac|sine 247 1
Aurora Tones|Aurora Tones|First Light|2019|Ambient|1/1|3/8|Glass Horizon|flac|triangle 262 2
Aurora Tones|Aurora Tones|First Light|2019|Ambient|1/1|4/8|Café Nocturne|flac|sine 294 3
Aurora Tones|Aurora Tones|First Light|2019|Ambient|1/1|5/8|Slow Tide|flac|sine 165 4
Aurora Tones|Aurora Tones|First Light|2019|Ambient|1/1|6/8|Lanterns|flac|pluck 330 5
Aurora Tones|Aurora Tones|First Light|2019|Ambient|1/1|7/8|Paper Moons|flac|triangle 349 6
Aurora Tones|Aurora Tones|First Light|2019|Ambient|1/1|8/8|Afterglow|flac|sine 196 7
Aurora Tones|Aurora Tones|Second Wave|2021|Ambient|1/1|1/6|Undertow|mp3|sine 110 8
Aurora Tones|Aurora Tones|Second Wave|2021|Ambient|1/1|2/6|Salt Air|mp3|triangle 523 9
Aurora Tones|Aurora Tones|Second Wave|2021|Ambient|1/1|3/6|Drift|mp3|sine 131 10
Aurora Tones|Aurora Tones|Second Wave|2021|Ambient|1/1|4/6|Shoreline|mp3|pluck 262 11
Aurora Tones|Aurora Tones|Second Wave|2021|Ambient|1/1|5/6|Breakers|mp3|square 147 12
Aurora Tones|Aurora Tones|Second Wave|2021|Ambient|1/1|6/6|Low Water|mp3|sine 98 13
Aurora Tones|Aurora Tones|Dawn Chorus (Single)|2022|Ambient|1/1|1/1|Dawn Chorus|mp3|same Dawn Chorus
The Sine Waves|The Sine Waves|Harmonics|2015|Electronic|1/2|1/5|Fundamental|flac|sine 440 14
The Sine Waves|The Sine Waves|Harmonics|2015|Electronic|1/2|2/5|Second Partial|flac|sine 440 15
The Sine Waves|The Sine Waves|Harmonics|2015|Electronic|1/2|3/5|Third Partial|flac|sine 660 16
The Sine Waves|The Sine Waves|Harmonics|2015|Electronic|1/2|4/5|Beat Frequency|flac|sine 443 17
The Sine Waves|The Sine Waves|Harmonics|2015|Electronic|1/2|5/5|Overtone Series|flac|sawtooth 220 18
The Sine Waves|The Sine Waves|Harmonics|2015|Electronic|2/2|1/4|Square One|flac|square 330 19
The Sine Waves|The Sine Waves|Harmonics|2015|Electronic|2/2|2/4|Über Triangle|flac|triangle 660 20
The Sine Waves|The Sine Waves|Harmonics|2015|Electronic|2/2|3/4|Sawtooth Sunrise|flac|sawtooth 110 21
The Sine Waves|The Sine Waves|Harmonics|2015|Electronic|2/2|4/4|Null Point|flac|sine 82.5 22
Square Pegs|Square Pegs|Pulse Code|2008|Rock|1/1|1/7|Pulse Code|mp3|square 196 23
Square Pegs|Square Pegs|Pulse Code|2008|Rock|1/1|2/7|Hard Edges|mp3|sawtooth 233 24
Square Pegs|Square Pegs|Pulse Code|2008|Rock|1/1|3/7|Duty Cycle|mp3|square 165 25
Square Pegs|Square Pegs feat. Aurora Tones|Pulse Code|2008|Rock|1/1|4/7|Crossfade|mp3|square 262 26
Square Pegs|Square Pegs|Pulse Code|2008|Rock|1/1|5/7|Feedback Loop|mp3|sawtooth 147 27
Square Pegs|Square Pegs|Pulse Code|2008|Rock|1/1|6/7|Amp Hum|mp3|square 120 28
Square Pegs|Square Pegs|Pulse Code|2008|Rock|1/1|7/7|Last Chord|mp3|pluck 196 29
EOT
}

# path_of ALBUMARTIST ALBUM YEAR DISC TRACK TITLE FMT -> relative path
path_of() {
	disc=${4%/*}
	discs=${4#*/}
	track=$(printf '%02d' "${5%/*}")
	if [ "$discs" -gt 1 ]; then
		track="$disc-$track"
	fi
	printf '%s/%s (%s)/%s - %s.%s\n' "$1" "$2" "$3" "$track" "$6" "$7"
}

# melody WAVE BASE PATTERN: sox synth chains, one per note, that play one
# of eight note patterns (semitones above BASE) three times, the third a
# fourth higher; PATTERN also sets the note length (0.25 to 0.41 s), so a
# track lasts 6 to 10 s, and from 24 on plays the pattern upside down
# (each step down instead of up): no two PATTERN numbers under 48 give one
# tune.
melody() {
	awk -v wave="$1" -v base="$2" -v p="$3" 'BEGIN {
		n = split("0 4 7 12 7 4 0 -5|0 2 4 5 7 9 11 12|" \
			  "0 3 7 10 12 10 7 3|0 7 5 4 2 0 -1 0|" \
			  "0 12 7 4 9 5 2 -3|0 -3 2 5 9 5 2 -3|" \
			  "0 5 9 12 14 12 9 5|0 1 3 6 8 6 3 1", pats, "|")
		steps = split(pats[p % n + 1], step, " ")
		len = 0.25 + (int(p / n) % 3) * 0.08
		flip = int(p / (3 * n)) % 2 ? -1 : 1
		for (r = 0; r < 3; r++)
			for (i = 1; i <= steps; i++) {
				k = flip * step[i] + (r == 2) * 5
				printf "%s synth %.2f %s %.2f fade 0.01 %.2f 0.05",
					(r + i > 1 ? " :" : ""), len, wave,
					base * 2 ^ (k / 12), len
			}
	}'
}

# encode OUT FMT SOUND: synthesise the melody with sox (repeatable: -R),
# bring it to -3 dBFS, encode it; "same TITLE" encodes that track's audio.
encode() {
	case $3 in
	same\ *)
		wav="$tmp/.wav/${3#same }.wav"
		[ -f "$wav" ] || die "no track ${3#same } before $1"
		;;
	*)
		wav="$tmp/.wav/$title.wav"
		# shellcheck disable=SC2086  # WAVE BASE PATTERN
		chains=$(melody $3)
		[ -n "$chains" ] || die "no melody for $1"
		# shellcheck disable=SC2086  # a list of synth chains
		sox -q -R -n -r 44100 -b 16 -c 2 "$tmp/.notes.wav" $chains ||
			die "sox failed for $1"
		sox -q -R "$tmp/.notes.wav" "$wav" gain -n -3 ||
			die "sox failed for $1"
		;;
	esac
	case $2 in
	flac) flac -s --best -o "$1" "$wav" || die "flac failed for $1" ;;
	mp3) lame --quiet -V 4 "$wav" "$1" || die "lame failed for $1" ;;
	*) die "unknown format $2" ;;
	esac
}

build_audio() {
	mkdir -p "$tmp/.wav"
	tracks | while IFS='|' read -r aa artist album year genre disc track title fmt sound; do
		rel=$(path_of "$aa" "$album" "$year" "$disc" "$track" "$title" "$fmt")
		mkdir -p "$tmp/${rel%/*}"
		encode "$tmp/$rel" "$fmt" "$sound"
		printf '%s|%s|%s|%s|%s|%s|%s|%s|%s\n' "$rel" "$aa" "$artist" \
			"$album" "$year" "$genre" "$disc" "$track" "$title"
	done >"$tmp/.manifest"
	rm -rf "$tmp/.wav" "$tmp/.notes.wav"
}

# Tags (and covers) are written by mutagen, an independent writer.
tag_audio() {
	PYTHONPATH="$here/../bench" PYTHONDONTWRITEBYTECODE=1 "$PYTHON" - "$tmp" <<'EOF' || die "tagging failed"
import os
import sys

from mutagen.flac import FLAC, Picture
from mutagen.id3 import (APIC, ID3, TALB, TCON, TDRC, TIT2, TPE1, TPE2,
                         TPOS, TRCK)

import tinyjpeg

root = sys.argv[1]
# The embedded picture goes into the first track of "Pulse Code"; the folder
# cover into "First Light".
EMBED = "Square Pegs/Pulse Code (2008)/01 - Pulse Code.mp3"
FOLDER = "Aurora Tones/First Light (2019)"

with open(os.path.join(root, ".manifest"), encoding="utf-8") as manifest:
    for line in manifest:
        rel, aa, artist, album, year, genre, disc, track, title = \
            line.rstrip("\n").split("|")
        path = os.path.join(root, rel)
        picture = tinyjpeg.gradient_cover(11, blocks=32) if rel == EMBED else None
        if rel.endswith(".flac"):
            audio = FLAC(path)
            audio.update({"title": title, "artist": artist,
                          "albumartist": aa, "album": album,
                          "tracknumber": track, "discnumber": disc,
                          "date": year, "genre": genre})
            audio.save()
        else:
            tags = ID3()
            for frame in (TIT2(encoding=3, text=title),
                          TPE1(encoding=3, text=artist),
                          TPE2(encoding=3, text=aa),
                          TALB(encoding=3, text=album),
                          TRCK(encoding=3, text=track),
                          TPOS(encoding=3, text=disc),
                          TDRC(encoding=3, text=year),
                          TCON(encoding=3, text=genre)):
                tags.add(frame)
            if picture:
                tags.add(APIC(encoding=3, mime="image/jpeg", type=3,
                              desc="Front cover", data=picture))
            tags.save(path)

with open(os.path.join(root, FOLDER, "cover.jpg"), "wb") as cover:
    cover.write(tinyjpeg.gradient_cover(5, blocks=32))
with open(os.path.join(root, "Aurora Tones", "artist.jpg"), "wb") as image:
    image.write(tinyjpeg.gradient_cover(23, blocks=32))
os.remove(os.path.join(root, ".manifest"))
EOF
}

add_other_files() {
	cat >"$tmp/The Sine Waves/Harmonics (2015)/liner notes.txt" <<'EOF'
Harmonics, by The Sine Waves.
Not audio: this file is here to show that files of other types are counted.
EOF
}

main() {
	[ $# -eq 1 ] || die "usage: make-demo.sh DIR"
	dir=${1%/}
	[ -n "$dir" ] || die "DIR must not be /"
	if [ -e "$dir/.complete" ]; then
		exit 0
	fi
	if [ -e "$dir" ]; then
		die "$dir exists but is not a finished demo library (no .complete); remove it first"
	fi
	for tool in sox flac lame "$PYTHON"; do
		command -v "$tool" >/dev/null 2>&1 || die "$tool is missing (run contrib/install-deps.sh)"
	done
	"$PYTHON" -c 'import mutagen' 2>/dev/null ||
		die "$PYTHON has no mutagen (apt-get install python3-mutagen)"

	here=$(cd "$(dirname "$0")" && pwd)
	tmp="$dir.tmp"
	rm -rf "$tmp"
	mkdir -p "$tmp"
	build_audio
	tag_audio
	add_other_files
	date -u +%Y-%m-%dT%H:%M:%SZ >"$tmp/.complete"
	mv "$tmp" "$dir"
}

main "$@"
