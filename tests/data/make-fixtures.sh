#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Create the audio files the tag reader tests read, with real encoders and
# taggers (sox, flac, metaflac, lame, ffmpeg, mutagen) so that the tests
# check our code against independent tools. Broken files are cut or
# crafted by hand.
#
#	sh tests/data/make-fixtures.sh OUTDIR

set -eu

if [ $# -ne 1 ]; then
	echo "usage: $0 OUTDIR" >&2
	exit 2
fi

PY=/usr/bin/python3
for tool in sox flac metaflac lame ffmpeg "$PY"; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "make-fixtures: $tool not found" >&2
		exit 1
	fi
done
if ! "$PY" -c 'import mutagen' 2>/dev/null; then
	echo "make-fixtures: $PY has no mutagen module" >&2
	exit 1
fi

out=$1
mkdir -p "$out"
tmp=$out/tmp
rm -rf "$tmp"
mkdir "$tmp"

# Sources: 2.0 s of 44.1 kHz stereo, 1.5 s of 48 kHz mono, 3.0 s of
# 22.05 kHz mono (MPEG-2 layer III once encoded). No dither (-D), so every
# run writes the same bytes.
sox -D -n -r 44100 -c 2 -b 16 "$tmp/st44.wav" synth 2.0 sine 440 vol 0.5
sox -D -n -r 48000 -c 1 -b 16 "$tmp/mo48.wav" synth 1.5 sine 330 vol 0.5
sox -D -n -r 22050 -c 1 -b 16 "$tmp/mo22.wav" synth 3.0 sine 220 vol 0.5

# Deterministic filler: "random" bytes and a fake cover picture.
"$PY" - "$tmp" <<'EOF'
import random, sys
tmp = sys.argv[1]
rng = random.Random(20240501)
open(tmp + "/random.bin", "wb").write(rng.randbytes(4096))
open(tmp + "/cover.png", "wb").write(rng.randbytes(2000))
open(tmp + "/big.jpg", "wb").write(b"\xff\xd8\xff\xe0" + rng.randbytes(100000))
EOF

flac_enc() {
	rm -f "$2"
	flac --silent --force -o "$2" "$1"
}

MB_TRACK=1a2b3c4d-0000-4000-8000-00000000000a
MB_ALBUM=1a2b3c4d-0000-4000-8000-00000000000b
MB_ARTIST=1a2b3c4d-0000-4000-8000-00000000000c
MB_ALBUMARTIST=1a2b3c4d-0000-4000-8000-00000000000d

# The script's text is UTF-8 already: no conversion from the locale.
f=$out/full.flac
flac_enc "$tmp/st44.wav" "$f"
metaflac --no-utf8-convert --remove-all-tags \
	--set-tag="TITLE=Full Title" \
	--set-tag="ARTIST=Artist One" \
	--set-tag="ARTIST=Artist Two" \
	--set-tag="ALBUMARTIST=Album Artist" \
	--set-tag="ALBUM=Ærø Sessions" \
	--set-tag="GENRE=Rock" \
	--set-tag="TRACKNUMBER=3/12" \
	--set-tag="DISCNUMBER=1/2" \
	--set-tag="DATE=2019-05-01" \
	--set-tag="MUSICBRAINZ_TRACKID=$MB_TRACK" \
	--set-tag="MUSICBRAINZ_ALBUMID=$MB_ALBUM" \
	--set-tag="MUSICBRAINZ_ARTISTID=$MB_ARTIST" \
	--set-tag="MUSICBRAINZ_ALBUMARTISTID=$MB_ALBUMARTIST" \
	"$f"

# MusicBrainz ids as a careless tagger leaves them: the recording's in
# upper case (kept, in lower case), the release's no UUID and the
# artist's one character too long (both left out).
f=$out/badmbid.flac
flac_enc "$tmp/mo48.wav" "$f"
metaflac --remove-all-tags \
	--set-tag="TITLE=Bad Ids" \
	--set-tag="MUSICBRAINZ_TRACKID=$(echo "$MB_TRACK" | tr a-f A-F)" \
	--set-tag="MUSICBRAINZ_ALBUMID=not-a-uuid" \
	--set-tag="MUSICBRAINZ_ARTISTID=${MB_ARTIST}0" \
	"$f"

f=$out/altkeys.flac
flac_enc "$tmp/mo48.wav" "$f"
metaflac --remove-all-tags \
	--set-tag="title=Lower Case" \
	--set-tag="Album Artist=Spaced Album Artist" \
	--set-tag="tracknumber=7" \
	--set-tag="TOTALTRACKS=9" \
	--set-tag="DiscNumber=2" \
	--set-tag="TOTALDISCS=3" \
	--set-tag="YEAR=1999" \
	--set-tag="COMMENT=ignored" \
	"$f"

f=$out/picture.flac
flac_enc "$tmp/st44.wav" "$f"
metaflac --set-tag="TITLE=Pictured" \
	--import-picture-from="3|image/png|Cover|16x16x24|$tmp/cover.png" \
	"$f"

# A big picture after the comments, and the file cut inside it.
f=$tmp/bigpicture.flac
flac_enc "$tmp/st44.wav" "$f"
metaflac --remove-all --dont-use-padding "$f"
metaflac --set-tag="TITLE=Before The Cut" --dont-use-padding "$f"
metaflac --import-picture-from="3|image/jpeg|Cover|16x16x24|$tmp/big.jpg" \
	--dont-use-padding "$f"
head -c 60000 "$f" >"$out/cutpicture.flac"

f=$out/notags.flac
flac_enc "$tmp/st44.wav" "$f"
metaflac --remove-all --dont-use-padding "$f"

# metaflac refuses invalid UTF-8, so one byte is patched in afterwards.
f=$tmp/badutf8.flac
flac_enc "$tmp/st44.wav" "$f"
metaflac --remove-all-tags --set-tag="TITLE=Bad#Byte" \
	--set-tag="ARTIST=Good Artist" "$f"
"$PY" -c '
import sys
d = open(sys.argv[1], "rb").read()
assert d.count(b"Bad#Byte") == 1
open(sys.argv[2], "wb").write(d.replace(b"Bad#Byte", b"Bad\xffByte"))
' "$f" "$out/badutf8.flac"

head -c 10 "$out/full.flac" >"$out/truncated.flac"
cp "$tmp/random.bin" "$out/random.flac"
: >"$out/empty.flac"

lame_enc() {
	lame --quiet --noreplaygain "$@"
}

lame_enc -b 128 "$tmp/st44.wav" "$out/v23.mp3"
lame_enc -V 4 "$tmp/mo22.wav" "$out/v24.mp3"
lame_enc -b 128 "$tmp/st44.wav" "$out/notag.mp3"
lame_enc -t -b 128 "$tmp/st44.wav" "$out/noinfo.mp3"
lame_enc -b 128 "$tmp/st44.wav" "$out/picture.mp3"
lame_enc -b 128 "$tmp/st44.wav" "$tmp/plain.mp3"
lame_enc -b 128 --id3v1-only --tt "V1 Title" --ta "V1 Artist" \
	--tl "V1 Album" --ty 2001 --tn 5 --tg Jazz \
	"$tmp/st44.wav" "$out/v1.mp3"

"$PY" - "$out" "$tmp" "$MB_TRACK" "$MB_ALBUM" "$MB_ARTIST" \
	"$MB_ALBUMARTIST" <<'EOF'
import re, struct, sys, zlib
from mutagen.id3 import (ID3, APIC, TALB, TCON, TDRC, TIT2, TPE1, TPE2,
			 TPOS, TRCK, TXXX, UFID, Encoding)

out, tmp, mb_track, mb_album, mb_artist, mb_albumartist = sys.argv[1:]

def mb_frames(tag):
	tag.add(TXXX(encoding=Encoding.LATIN1, desc="MusicBrainz Album Id",
		     text=[mb_album]))
	tag.add(TXXX(encoding=Encoding.LATIN1, desc="MusicBrainz Artist Id",
		     text=[mb_artist]))
	tag.add(TXXX(encoding=Encoding.LATIN1,
		     desc="MusicBrainz Album Artist Id",
		     text=[mb_albumartist]))
	tag.add(UFID(owner="http://musicbrainz.org",
		     data=mb_track.encode()))

# ID3v2.3, UTF-16 text, an old-style genre reference, and an ID3v1 copy
# that must not be used since the v2 tag is fine.
tag = ID3()
tag.add(TIT2(encoding=Encoding.UTF16, text=["Caf\u00e9 \u03a9"]))
tag.add(TPE1(encoding=Encoding.UTF16, text=["Bj\u00f6rk"]))
tag.add(TPE2(encoding=Encoding.UTF16, text=["Various Artists"]))
tag.add(TALB(encoding=Encoding.UTF16, text=["D\u00e9but"]))
tag.add(TCON(encoding=Encoding.LATIN1, text=["(17)Rock"]))
tag.add(TRCK(encoding=Encoding.LATIN1, text=["3/12"]))
tag.add(TPOS(encoding=Encoding.LATIN1, text=["1/2"]))
tag.add(TDRC(encoding=Encoding.LATIN1, text=["2019-05-01"]))
mb_frames(tag)
# ReplayGain as foobar2000 (lower case) and Picard (upper case) write it.
tag.add(TXXX(encoding=Encoding.UTF16, desc="replaygain_track_gain",
	     text=["-7.89 dB"]))
tag.add(TXXX(encoding=Encoding.LATIN1, desc="REPLAYGAIN_ALBUM_GAIN",
	     text=["+2.10 dB"]))
tag.save(out + "/v23.mp3", v2_version=3, v1=2)

# ID3v2.4, UTF-8, several strings in one frame.
tag = ID3()
tag.add(TIT2(encoding=Encoding.UTF8, text=["\u65e5\u672c\u8a9e"]))
tag.add(TPE1(encoding=Encoding.UTF8, text=["Artist A", "Artist B"]))
tag.add(TALB(encoding=Encoding.UTF8, text=["Album 24"]))
tag.add(TCON(encoding=Encoding.UTF8, text=["Electronic", "8"]))
tag.add(TRCK(encoding=Encoding.UTF8, text=["4"]))
tag.add(TDRC(encoding=Encoding.UTF8, text=["2021"]))
mb_frames(tag)
# Of two gains in one frame the first counts; one that is no number is
# none.
tag.add(TXXX(encoding=Encoding.UTF8, desc="REPLAYGAIN_TRACK_GAIN",
	     text=["-1.50 dB", "-9.00 dB"]))
tag.add(TXXX(encoding=Encoding.UTF8, desc="replaygain_album_gain",
	     text=["loud"]))
tag.save(out + "/v24.mp3", v2_version=4)

# ID3v2.4 with a 100 KB picture, which mutagen stores after the text.
tag = ID3()
tag.add(TIT2(encoding=Encoding.UTF8, text=["Has Cover"]))
tag.add(APIC(encoding=Encoding.UTF8, mime="image/jpeg", type=3,
	     desc="Cover", data=open(tmp + "/big.jpg", "rb").read()))
tag.save(out + "/picture.mp3", v2_version=4)

audio = open(tmp + "/plain.mp3", "rb").read()

def syncsafe(n):
	return bytes([(n >> 21) & 0x7f, (n >> 14) & 0x7f, (n >> 7) & 0x7f,
		      n & 0x7f])

def v23_frame(fid, data):
	return fid.encode() + struct.pack(">IH", len(data), 0) + data

def v22_frame(fid, data):
	return fid.encode() + struct.pack(">I", len(data))[1:] + data

def write(name, version, flags, body):
	head = b"ID3" + bytes([version, 0, flags]) + syncsafe(len(body))
	open(out + "/" + name, "wb").write(head + body + audio)

# Hand-made tags: mutagen cannot write ID3v2.2, an unsynchronised tag,
# a picture stored before the text frames or a bad text encoding.
pic = open(tmp + "/big.jpg", "rb").read()
write("v22.mp3", 2, 0,
      v22_frame("TT2", b"\x00Old Title") +
      v22_frame("TP1", b"\x00Old Artist") +
      v22_frame("TCO", b"\x00(8)") +
      v22_frame("TYE", b"\x001998") +
      v22_frame("PIC", b"\x00JPG\x03\x00" + pic[:500]) +
      v22_frame("TXX", b"\x00REPLAYGAIN_TRACK_GAIN\x00+0.25 dB") +
      bytes(64))
write("picfirst.mp3", 3, 0,
      v23_frame("APIC", b"\x00image/jpeg\x00\x03\x00" + pic) +
      v23_frame("TIT2", b"\x00After Picture") +
      v23_frame("TPE1", b"\x00Late Artist") +
      bytes(256))
write("badframe.mp3", 3, 0,
      v23_frame("TIT2", b"\x00Good Title") +
      v23_frame("TPE1", b"\x07Bad Encoding") +
      v23_frame("TALB", b"\x00Kept Album") +
      bytes(64))
# Unsynchronisation puts a zero after each 0xFF followed by 0xE0 or more;
# ID3v2.3 frame sizes count the bytes before it is applied.
frame = v23_frame("TIT2", b"\x00Unsync \xff\xe0")
write("unsync.mp3", 3, 0x80,
      frame.replace(b"\xff\xe0", b"\xff\x00\xe0") + bytes(16))
# ID3v2.4 RVA2 gains (each frame under 128 bytes, so its plain size is
# its syncsafe one): one with no end to its name, a "Track" whose master
# volume (-3.25 dB) follows a channel with a 16-bit peak, an "album" cut
# inside its first channel, a second "track" and an "other".
write("rva2.mp3", 4, 0,
      v23_frame("TIT2", b"\x00Relative Volume") +
      v23_frame("RVA2", b"track\x01\xf9\x80\x00") +
      v23_frame("RVA2", b"Track\x00\x02\x04\x00\x10\x7f\xff"
                b"\x01\xf9\x80\x00") +
      v23_frame("RVA2", b"album\x00\x01\xff") +
      v23_frame("RVA2", b"track\x00\x01\x0c\x00\x00") +
      v23_frame("RVA2", b"other\x00\x01\x0c\x00\x00") +
      bytes(64))
# A compressed frame (ID3v2.3: its inflated size, then zlib data) in an
# unsynchronised tag; then one claiming 4 GB, which only a hostile file
# does, under a good frame name and under a bad one.
def v23_zipped(fid, data, claim=None):
	packed = struct.pack(">I", claim or len(data)) + zlib.compress(data)
	return fid.encode() + struct.pack(">IH", len(packed), 0x80) + packed
def unsynchronise(body):
	return re.sub(b"\xff(?=[\x00\xe0-\xff]|$)", b"\xff\x00", body)
write("unsynczip.mp3", 3, 0x80, unsynchronise(
      v23_zipped("TIT2", b"\x00Zipped Title") +
      v23_frame("TPE1", b"\x00Plain Artist") + bytes(16)))
write("unsyncbomb.mp3", 3, 0x80, unsynchronise(
      v23_zipped("TIT2", b"\x00Bomb", 0xfffffff0) +
      v23_frame("TPE1", b"\x00Plain Artist") + bytes(16)))
write("unsyncbombid.mp3", 3, 0x80, unsynchronise(
      v23_zipped("T@T2", b"\x00Bomb", 0xfffffff0) +
      v23_frame("TPE1", b"\x00Plain Artist") + bytes(16)))

# lame cannot write Fraunhofer's VBRI header: patch one claiming 77
# frames into the first frame of a file without an Info frame.
data = bytearray(open(out + "/noinfo.mp3", "rb").read())
data[36:54] = b"VBRI" + struct.pack(">HHHII", 1, 576, 75, len(data), 77)
open(out + "/vbri.mp3", "wb").write(data)

# The same careless ids in ID3v2.4: a UFID that is no UUID (left out),
# the release's TXXX in upper case (kept, in lower case).
tag = ID3()
tag.add(TIT2(encoding=Encoding.UTF8, text=["Bad Ids"]))
tag.add(UFID(owner="http://musicbrainz.org", data=b"not-a-uuid"))
tag.add(TXXX(encoding=Encoding.LATIN1, desc="MusicBrainz Album Id",
	     text=[mb_album.upper()]))
tag.save(tmp + "/plain.mp3", v2_version=4)
open(out + "/badmbid.mp3", "wb").write(open(tmp + "/plain.mp3",
					     "rb").read())

# A tag whose header claims 1 MB in a 35 KB file.
tag = ID3()
tag.add(TIT2(encoding=Encoding.UTF8, text=["Cut Short"]))
tag.save(tmp + "/plain.mp3", v2_version=4)
data = bytearray(open(tmp + "/plain.mp3", "rb").read())
data[6:10] = syncsafe(1 << 20)
open(out + "/tagpasteof.mp3", "wb").write(data)
EOF

# Bit depths (issue 77): 24-bit 96 kHz stereo as WAV, AIFF, FLAC and
# ALAC; ALAC and WavPack at 16 bits; 8-bit unsigned and 32-bit float WAV.
sox -D -n -r 96000 -c 2 -b 24 "$out/depth24.wav" synth 0.5 sine 440 vol 0.5
sox -D -n -r 96000 -c 2 -b 24 "$out/depth24.aiff" synth 0.5 sine 440 \
	vol 0.5
sox -D -n -r 22050 -c 1 -b 8 -e unsigned "$out/depth8.wav" synth 0.5 \
	sine 440 vol 0.5
sox -D -n -r 48000 -c 1 -b 32 -e floating-point "$out/float32.wav" \
	synth 0.5 sine 440 vol 0.5
flac --silent --force -o "$out/depth24.flac" "$out/depth24.wav" 2>/dev/null
ffenc() {
	ffmpeg -nostdin -v error -y -i "$1" -map_metadata -1 \
		-fflags +bitexact -flags:a +bitexact -c:a "$2" -sample_fmt "$3" \
		"$4"
}
ffenc "$out/depth24.wav" alac s32p "$out/depth24.m4a"
ffenc "$out/depth24.wav" alac s16p "$out/depth16.m4a"
ffenc "$out/depth24.wav" wavpack s16p "$out/depth16.wv"

cp "$tmp/random.bin" "$out/random.mp3"
: >"$out/empty.mp3"

rm -rf "$tmp"
