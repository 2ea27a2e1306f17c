#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Create the audio the track analysis tests read, synthesised with sox
# (and encoded with flac and lame) so that every answer is known without
# the code under test: click tracks at a set tempo, pink noise calibrated
# to a loudness measured here with sox's own filters, a sine of a known
# amplitude, short "recordings" (one also as MP3 and pitch-shifted), and
# damaged files. sox writes the FLAC files, lame the MP3 ones.
#
#	sh tests/data/make-analysis-fixtures.sh OUTDIR
#
# The files go to OUTDIR/analysis/. sox runs in repeatable mode (-R) and
# without dither (-D), so every run writes the same audio.

set -eu

if [ $# -ne 1 ]; then
	echo "usage: $0 OUTDIR" >&2
	exit 2
fi

PY=/usr/bin/python3
for tool in sox soxi lame "$PY"; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "make-analysis-fixtures: $tool not found" >&2
		exit 1
	fi
done

out=$1/analysis
tmp=$out/tmp
rm -rf "$out"
mkdir -p "$tmp"

SOX="sox -R -D -V1"

flac_enc() {
	$SOX "$1" "$2"
}

# Click tracks: a 15 ms tone burst every beat, counted in samples at
# 44.1 kHz so the period is exact (22050 samples is 120 BPM, 29400 is 90).
click() {
	$SOX -r 44100 -c 1 -n -b 16 "$tmp/click$1.wav" synth 662s sine 1500 \
		vol 0.5 fade 0 662s 500s pad 0 "$2"s repeat 39
	flac_enc "$tmp/click$1.wav" "$out/click$1.flac"
}
click 120 21388
click 90 28738

# The loudness of a 48 kHz stereo file per ITU-R BS.1770, measured with
# sox: its K-weighting filter (the standard's two biquads at 48 kHz), then
# the mean square of both channels. Stationary noise loses no block to
# the gates, so the ungated figure is the integrated loudness.
kweighted_lufs() {
	$SOX "$1" -n \
		biquad 1.53512485958697 -2.69169618940638 1.19839281085285 \
		1 -1.69065929318241 0.73248077421585 \
		biquad 1.0 -2.0 1.0 1 -1.99004745483398 0.99007225036621 \
		stats 2>&1 |
	awk '/^RMS lev dB/ {
		printf "%.4f\n", $4 - 0.691 + 10 * log(2) / log(10)
	}'
}

# Pink noise brought to a target loudness by the gain the measure asks for.
pink() {
	$SOX -r 48000 -c 2 -n -b 24 "$tmp/pink.wav" synth 20 pinknoise \
		vol 0.25
	level=$(kweighted_lufs "$tmp/pink.wav")
	gain=$(awk -v t="$2" -v l="$level" 'BEGIN { printf "%.4f", t - l }')
	$SOX "$tmp/pink.wav" -b 24 "$tmp/pink$1.wav" vol "$gain"dB
	flac_enc "$tmp/pink$1.wav" "$out/pink$1.flac"
	check=$(kweighted_lufs "$tmp/pink$1.wav")
	echo "make-analysis-fixtures: pink$1.flac at $check LUFS"
}
pink 23 -23
pink 14 -14

# A 997 Hz sine at half of full scale: its true peak is 0.5 (-6.02 dBTP)
# and, in both channels, its loudness -6.02 LUFS (BS.1770's K-weighting
# gains +0.69 dB at 1 kHz, which the -0.691 of the formula takes back).
$SOX -r 48000 -c 2 -n -b 24 "$tmp/sine.wav" synth 8 sine 997 vol 0.5
flac_enc "$tmp/sine.wav" "$out/sine.flac"

# A "recording" is a sequence of notes: note WAVE DURATION NAME... writes
# one file per note, then all are joined, with a soft noise bed mixed in.
recording() {
	name=$1 wave=$2 len=$3 bed=$4
	shift 4
	i=0
	list=""
	for n in "$@"; do
		i=$((i + 1))
		f=$tmp/$name-$(printf %03d $i).wav
		$SOX -r 44100 -c 2 -n -b 16 "$f" synth "$len" "$wave" "$n" \
			synth "$len" sine amod 3 fade 0.01 "$len" 0.05
		list="$list $f"
	done
	# shellcheck disable=SC2086
	$SOX $list "$tmp/$name-notes.wav"
	$SOX -r 44100 -c 2 -n -b 16 "$tmp/$name-bed.wav" \
		synth "$(soxi -D "$tmp/$name-notes.wav")" "$bed" vol 0.05
	$SOX -m "$tmp/$name-notes.wav" "$tmp/$name-bed.wav" \
		"$tmp/$name.wav" vol 0.7
}

tune="C4 E4 G4 C5 A3 C4 E4 A4 F3 A3 C4 F4 G3 B3 D4 G4"
recording song pluck 0.3 pinknoise $tune $tune $tune $tune $tune
recording other square 0.45 brownnoise \
	D3 F3 A3 D4 Bb2 D3 F3 Bb3 C3 E3 G3 C4 A2 C3 E3 A3 \
	D3 F3 A3 D4 Bb2 D3 F3 Bb3 C3 E3 G3 C4 A2 C3 E3 A3 D3 D3
recording third sine 1.1 whitenoise \
	E5 B4 G5 D5 A4 F5 C5 E5 B4 G5 D5 A4 F5 C5 E5 B4 G5 D5
recording fourth triangle 0.2 pinknoise \
	F2 F2 C3 F2 Ab2 F2 Eb3 F2 F2 F2 C3 F2 Bb2 F2 Db3 C3 \
	F2 F2 C3 F2 Ab2 F2 Eb3 F2 F2 F2 C3 F2 Bb2 F2 Db3 C3 \
	F2 F2 C3 F2 Ab2 F2 Eb3 F2 F2 F2 C3 F2 Bb2 F2 Db3 C3 \
	F2 F2 C3 F2 Ab2 F2 Eb3 F2 F2 F2 C3 F2 Bb2 F2 Db3 C3 \
	F2 F2 C3 F2 Ab2 F2 Eb3 F2 F2 F2 C3 F2 Bb2 F2 Db3 C3

flac_enc "$tmp/song.wav" "$out/song.flac"
lame --quiet -b 128 --add-id3v2 --tt "Song" "$tmp/song.wav" "$out/song.mp3"
# The same recording at its worst: 1.5 s later, 32 kbit/s at 22.05 kHz.
$SOX "$tmp/song.wav" "$tmp/song-late.wav" pad 1.5 0
lame --quiet -b 32 --resample 22.05 "$tmp/song-late.wav" "$out/song-low.mp3"
$SOX "$tmp/song.wav" "$tmp/song-pitch.wav" pitch 200
flac_enc "$tmp/song-pitch.wav" "$out/song-pitch.flac"
flac_enc "$tmp/other.wav" "$out/other.flac"
lame --quiet -b 160 "$tmp/third.wav" "$out/third.mp3"
flac_enc "$tmp/fourth.wav" "$out/fourth.flac"

# Damage: cut files, MP3 frames overwritten with random bytes, an empty
# file, a text file, valid audio too short to analyse.
size=$(wc -c <"$out/song.flac")
head -c $((size / 2)) "$out/song.flac" >"$out/cut.flac"
size=$(wc -c <"$out/song.mp3")
head -c $((size / 2)) "$out/song.mp3" >"$out/cut.mp3"
"$PY" - "$out/song.mp3" "$out/garbage.mp3" <<'EOF'
import random, sys
data = bytearray(open(sys.argv[1], "rb").read())
rng = random.Random(20261122)
mid = len(data) // 2
data[mid:mid + 20000] = rng.randbytes(20000)
open(sys.argv[2], "wb").write(data)
EOF
: >"$out/empty.flac"
printf 'Track list\n1. Song\n2. Other\n' >"$out/notes.txt"
$SOX -r 44100 -c 2 -n -b 16 "$tmp/short.wav" synth 1 sine 440 vol 0.5
flac_enc "$tmp/short.wav" "$out/short.flac"

rm -rf "$tmp"
