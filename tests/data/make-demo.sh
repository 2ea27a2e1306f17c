#!/bin/sh
# make-demo.sh DIR: build a small demo music library in DIR (for `make run`).
#
# 3 artists, 4 albums, 30 short tracks (1-3 s of sox-synthesised tones, one
# sound per track), FLAC (flac) and MP3 (lame), tagged by /usr/bin/python3
# with mutagen; one album has a cover.jpg, one track an embedded picture, and
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
# albumartist|artist|album|year|genre|disc/discs|track/tracks|title|fmt|seconds|sound
# "sound" is the argument list of sox's synth effect, so every track differs;
# the featured track "Crossfade" has a track artist unlike its album artist.
tracks() {
	cat <<'EOF'
Aurora Tones|Aurora Tones|First Light|2019|Ambient|1/1|1/8|Dawn Chorus|flac|2|sine 220 sine 330
Aurora Tones|Aurora Tones|First Light|2019|Ambient|1/1|2/8|Morning Haze|flac|3|sine 247 sine 370
Aurora Tones|Aurora Tones|First Light|2019|Ambient|1/1|3/8|Glass Horizon|flac|1|triangle 262 sine 392
Aurora Tones|Aurora Tones|First Light|2019|Ambient|1/1|4/8|Café Nocturne|flac|2|sine 294 triangle 440
Aurora Tones|Aurora Tones|First Light|2019|Ambient|1/1|5/8|Slow Tide|flac|3|sine 165 sine 196
Aurora Tones|Aurora Tones|First Light|2019|Ambient|1/1|6/8|Lanterns|flac|1|pluck 330 pluck 494
Aurora Tones|Aurora Tones|First Light|2019|Ambient|1/1|7/8|Paper Moons|flac|2|triangle 349 triangle 523
Aurora Tones|Aurora Tones|First Light|2019|Ambient|1/1|8/8|Afterglow|flac|3|sine 196 sine 294
Aurora Tones|Aurora Tones|Second Wave|2021|Ambient|1/1|1/6|Undertow|mp3|2|sine 110 sine 165
Aurora Tones|Aurora Tones|Second Wave|2021|Ambient|1/1|2/6|Salt Air|mp3|1|triangle 523 sine 784
Aurora Tones|Aurora Tones|Second Wave|2021|Ambient|1/1|3/6|Drift|mp3|3|sine 131 sine 196
Aurora Tones|Aurora Tones|Second Wave|2021|Ambient|1/1|4/6|Shoreline|mp3|2|pluck 262 pluck 392
Aurora Tones|Aurora Tones|Second Wave|2021|Ambient|1/1|5/6|Breakers|mp3|1|square 147 sine 220
Aurora Tones|Aurora Tones|Second Wave|2021|Ambient|1/1|6/6|Low Water|mp3|3|sine 98 triangle 147
The Sine Waves|The Sine Waves|Harmonics|2015|Electronic|1/2|1/5|Fundamental|flac|1|sine 440
The Sine Waves|The Sine Waves|Harmonics|2015|Electronic|1/2|2/5|Second Partial|flac|2|sine 440 sine 880
The Sine Waves|The Sine Waves|Harmonics|2015|Electronic|1/2|3/5|Third Partial|flac|1|sine 440 sine 1320
The Sine Waves|The Sine Waves|Harmonics|2015|Electronic|1/2|4/5|Beat Frequency|flac|3|sine 440 sine 443
The Sine Waves|The Sine Waves|Harmonics|2015|Electronic|1/2|5/5|Overtone Series|flac|2|sawtooth 220
The Sine Waves|The Sine Waves|Harmonics|2015|Electronic|2/2|1/4|Square One|flac|1|square 330
The Sine Waves|The Sine Waves|Harmonics|2015|Electronic|2/2|2/4|Über Triangle|flac|2|triangle 660
The Sine Waves|The Sine Waves|Harmonics|2015|Electronic|2/2|3/4|Sawtooth Sunrise|flac|3|sawtooth 110 sine 220
The Sine Waves|The Sine Waves|Harmonics|2015|Electronic|2/2|4/4|Null Point|flac|1|sine 55 sine 82.5
Square Pegs|Square Pegs|Pulse Code|2008|Rock|1/1|1/7|Pulse Code|mp3|2|square 196 square 294
Square Pegs|Square Pegs|Pulse Code|2008|Rock|1/1|2/7|Hard Edges|mp3|1|square 220 sawtooth 330
Square Pegs|Square Pegs|Pulse Code|2008|Rock|1/1|3/7|Duty Cycle|mp3|3|square 165 square 247
Square Pegs|Square Pegs feat. Aurora Tones|Pulse Code|2008|Rock|1/1|4/7|Crossfade|mp3|2|square 262 sine 392
Square Pegs|Square Pegs|Pulse Code|2008|Rock|1/1|5/7|Feedback Loop|mp3|1|sawtooth 147 square 220
Square Pegs|Square Pegs|Pulse Code|2008|Rock|1/1|6/7|Amp Hum|mp3|3|square 60 sawtooth 120
Square Pegs|Square Pegs|Pulse Code|2008|Rock|1/1|7/7|Last Chord|mp3|2|pluck 196 pluck 247
EOF
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

# encode OUT FMT SECONDS SOUND: synthesise a tone with sox, encode it.
encode() {
	# shellcheck disable=SC2086  # $4 is a list of synth arguments
	sox -q -R -n -r 44100 -b 16 -c 2 -t wav - \
		synth "$3" $4 fade 0.02 "$3" 0.2 vol 0.4 >"$tmp/.tone.wav" ||
		die "sox failed for $1"
	case $2 in
	flac) flac -s --best -o "$1" "$tmp/.tone.wav" || die "flac failed for $1" ;;
	mp3) lame --quiet -V 4 "$tmp/.tone.wav" "$1" || die "lame failed for $1" ;;
	*) die "unknown format $2" ;;
	esac
}

build_audio() {
	tracks | while IFS='|' read -r aa artist album year genre disc track title fmt secs sound; do
		rel=$(path_of "$aa" "$album" "$year" "$disc" "$track" "$title" "$fmt")
		mkdir -p "$tmp/${rel%/*}"
		encode "$tmp/$rel" "$fmt" "$secs" "$sound"
		printf '%s|%s|%s|%s|%s|%s|%s|%s|%s\n' "$rel" "$aa" "$artist" \
			"$album" "$year" "$genre" "$disc" "$track" "$title"
	done >"$tmp/.manifest"
	rm -f "$tmp/.tone.wav"
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
