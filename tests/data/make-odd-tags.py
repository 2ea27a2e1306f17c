#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Make the odd tagged files real libraries hold, one file per kind.

    /usr/bin/python3 tests/data/make-odd-tags.py OUTDIR

The audio comes from sox, lame and flac; the tags from mutagen wherever
mutagen can write them, and from bytes written here where it cannot
(damaged frames, old versions, flags mutagen never sets). Every file is
small: a third of a second of audio and a tag of a few hundred bytes,
except where the kind needs a big tag.

The kinds were learnt from the test suites and bug trackers of mutagen
(quodlibet/mutagen) and TagLib (taglib/taglib); the facts behind each are
noted where it is made. No file of theirs is copied: every byte is made
here. The reader under test is compared with mutagen's reading of these
files (tests/integration/test_odd_tags.py); nothing here says what a
reader should find.
"""

import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

from mutagen.apev2 import APEv2
from mutagen.flac import FLAC
from mutagen.id3 import (ID3, TALB, TCON, TDRC, TIT2, TPE1, TPE2, TPOS,
                         TRCK, Encoding)


def run(*argv):
    subprocess.run(argv, check=True)


def syncsafe(n):
    return bytes([n >> 21 & 0x7f, n >> 14 & 0x7f, n >> 7 & 0x7f, n & 0x7f])


def unsynchronise(data):
    """Put a zero after each 0xFF followed by 0x00 or a byte from 0xE0
    up, and after a final 0xFF (ID3v2.4, section 6.1)."""
    out = bytearray()
    for i, b in enumerate(data):
        out.append(b)
        if b == 0xff and (i + 1 == len(data) or data[i + 1] == 0 or
                          data[i + 1] >= 0xe0):
            out.append(0)
    return bytes(out)


def latin1(*strings):
    return b"\x00" + b"\x00".join(s.encode("latin-1") for s in strings)


def utf8(*strings):
    return b"\x03" + b"\x00".join(s.encode("utf-8") for s in strings)


def frame22(fid, data):
    return fid + struct.pack(">I", len(data))[1:] + data


def frame23(fid, data, flags=0, size=None):
    return fid + struct.pack(">IH", len(data) if size is None else size,
                             flags) + data


def frame24(fid, data, flags=0, size=None, plain=False):
    size = len(data) if size is None else size
    return fid + (struct.pack(">I", size) if plain else syncsafe(size)) + \
        struct.pack(">H", flags) + data


def tag(version, body, flags=0, padding=64, size=None):
    body += bytes(padding)
    return b"ID3" + bytes([version, 0, flags]) + \
        syncsafe(len(body) if size is None else size) + body


def footer(version, body_len, flags):
    """An ID3v2.4 footer: the header with "3DI" (section 3.4)."""
    return b"3DI" + bytes([version, 0, flags]) + syncsafe(body_len)


def id3v1(title=b"", artist=b"", album=b"", year=b"", comment=b"",
          track=0, genre=255):
    """An ID3v1.1 tag: a track number in the comment's last byte."""
    def field(s, n):
        return s[:n].ljust(n, b"\x00")
    return b"TAG" + field(title, 30) + field(artist, 30) + \
        field(album, 30) + field(year, 4) + field(comment, 28) + \
        bytes([0, track, genre])


class Maker:
    def __init__(self, out, tmp):
        self.out = out
        self.tmp = tmp
        wav = os.path.join(tmp, "tone.wav")
        # No dither (-D): every run writes the same audio.
        run("sox", "-D", "-n", "-r", "22050", "-c", "1", "-b", "16", wav,
            "synth", "0.3", "sine", "440", "vol", "0.5")
        mp3 = os.path.join(tmp, "tone.mp3")
        run("lame", "--quiet", "--noreplaygain", "-b", "32", wav, mp3)
        with open(mp3, "rb") as f:
            self.audio = f.read()
        self.flac = os.path.join(tmp, "tone.flac")
        run("flac", "--silent", "--force", "-o", self.flac, wav)
        run("metaflac", "--remove-all", "--dont-use-padding", self.flac)
        # Left with "fLaC", its STREAMINFO block alone, and the audio.
        with open(self.flac, "rb") as f:
            data = f.read()
        assert data[:5] == b"fLaC\x80" and data[5:8] == b"\x00\x00\x22"
        self.streaminfo = data[8:42]
        self.flac_audio = data[42:]
        self.wav = wav

    def path(self, name):
        return os.path.join(self.out, name)

    def write(self, name, data):
        with open(self.path(name), "wb") as f:
            f.write(data)

    def mp3(self, name, head=b"", tail=b""):
        """An MP3 of lame's audio with the bytes given around it."""
        self.write(name, head + self.audio + tail)
        return self.path(name)

    def flac_copy(self, name):
        path = self.path(name)
        shutil.copyfile(self.flac, path)
        return path


def block(kind, data, last=False, size=None):
    size = len(data) if size is None else size
    return bytes([kind | (0x80 if last else 0)]) + \
        size.to_bytes(3, "big") + data


def vorbis_comment(*comments, vendor=b"odd-tags"):
    """A VORBIS_COMMENT block's data: little-endian lengths, no framing
    bit in FLAC."""
    out = struct.pack("<I", len(vendor)) + vendor
    out += struct.pack("<I", len(comments))
    for c in comments:
        out += struct.pack("<I", len(c)) + c
    return out


def make_mp3(m):
    # mutagen: test_bad_tyer, a TYER that is not a number; TagLib #965,
    # an empty TDRC frame stopping the frames after it. A bad frame is
    # lost, the others kept.
    m.mp3("bad-tyer.mp3", tag(3,
          frame23(b"TIT2", latin1("Bad Year Title")) +
          frame23(b"TPE1", latin1("Year Artist")) +
          frame23(b"TYER", latin1("2O1O")) +
          frame23(b"TALB", latin1("Year Album")) +
          frame23(b"TRCK", latin1("4"))))
    m.mp3("bad-tdrc.mp3", tag(4,
          frame24(b"TIT2", utf8("Bad Date Title")) +
          frame24(b"TDRC", utf8("sometime in May")) +
          frame24(b"TPE1", utf8("Date Artist")) +
          frame24(b"TALB", utf8("Date Album"))))
    m.mp3("empty-frame.mp3", tag(3,
          frame23(b"TIT2", latin1("Empty Frame Title")) +
          frame23(b"TYER", b"") +
          frame23(b"TPE1", latin1("After The Empty One")) +
          frame23(b"TALB", latin1("Empty Album"))))
    # A frame whose text encoding byte is none of the four.
    m.mp3("bad-encoding.mp3", tag(3,
          frame23(b"TIT2", latin1("Good Title")) +
          frame23(b"TPE1", b"\x07Bad Encoding") +
          frame23(b"TALB", latin1("Kept Album"))))
    # The last frame's size runs past the end of the tag: mutagen reads
    # what the tag holds of it.
    m.mp3("frame-overrun.mp3", tag(3,
          frame23(b"TIT2", latin1("Overrun Title")) +
          frame23(b"TPE1", latin1("Overrun Artist")) +
          frame23(b"TALB", latin1("Cut Album"), size=5000), padding=16))
    m.mp3("frame-overrun-v24.mp3", tag(4,
          frame24(b"TIT2", utf8("Overrun 2.4")) +
          frame24(b"TPE1", utf8("Swallowing Artist"), size=3000) +
          frame24(b"TALB", utf8("Never Seen")), padding=0))
    # TagLib #1403 and #437: iTunes writes "TSA " (a v2.2 name padded
    # with a space) into v2.3 tags, others junk ids; the frames after
    # them are still there.
    m.mp3("bad-frame-id.mp3", tag(3,
          frame23(b"TIT2", latin1("Before Bad Ids")) +
          frame23(b"TSA ", latin1("Sort Album")) +
          frame23(b"T\x01\xfeZ", b"junk bytes") +
          frame23(b"TPE1", latin1("After Bad Ids")) +
          frame23(b"TALB", latin1("Bad Id Album")) +
          frame23(b"TRCK", latin1("7"))))
    # mutagen id3v1v2-combined: fields only in the ID3v1 tag are taken
    # from it.
    m.mp3("v1-and-v2.mp3", tag(3,
          frame23(b"TIT2", latin1("V2 Title")) +
          frame23(b"TPE1", latin1("V2 Artist"))),
          id3v1(b"V1 Title", b"V1 Artist", b"V1 Album", b"1997",
                track=9, genre=8))
    run("lame", "--quiet", "--noreplaygain", "-b", "32", "--id3v1-only",
        "--tt", "Only V1", "--ta", "V1 Artist", "--tl", "V1 Album",
        "--ty", "2001", "--tn", "5", "--tg", "Jazz", m.wav,
        m.path("v1-only.mp3"))
    # TagLib duplicate_id3v2.mp3: a splitter left a second tag after the
    # first; mutagen reads the first only. The second is big enough that
    # the audio lies beyond where a reader looks for it after one tag.
    second = tag(3, frame23(b"TALB", latin1("Second Tag Album")) +
                 frame23(b"PRIV", b"owner\x00" + b"\xff\xfb\x90" * 7000))
    m.mp3("two-v2-tags.mp3", tag(3,
          frame23(b"TIT2", latin1("First Tag Title")) +
          frame23(b"TPE1", latin1("First Tag Artist"))) + second)

    # Text encodings. UTF-16 without a BOM is little-endian in the wild
    # (mutagen's iter_text_fixups, ruby-mp3info #55, dhowden/tag #18).
    le = "N\u00f6 BOM Title".encode("utf-16-le")
    m.mp3("utf16-no-bom.mp3", tag(3,
          frame23(b"TIT2", b"\x01" + le + b"\x00\x00") +
          frame23(b"TPE1", b"\x01" + "Plain".encode("utf-16-le")) +
          frame23(b"TALB", b"\x01\xff\xfe" +
                  "With BOM".encode("utf-16-le") + b"\x00\x00")))
    # TagLib #1055: a v2.4 list whose first string alone has a BOM.
    m.mp3("utf16-one-bom.mp3", tag(4,
          frame24(b"TIT2", b"\x01\xfe\xff" +
                  "Big Endian".encode("utf-16-be")) +
          frame24(b"TPE1", b"\x01\xff\xfe" +
                  "First".encode("utf-16-le") + b"\x00\x00" +
                  "Second".encode("utf-16-le"))))
    # A BOM saying little-endian in front of big-endian bytes, and one
    # that makes a lone surrogate of "\u00d8".
    m.mp3("utf16-wrong-bom.mp3", tag(3,
          frame23(b"TIT2", b"\x01\xff\xfe" +
                  "Wrong Way".encode("utf-16-be") + b"\x00\x00") +
          frame23(b"TPE1", b"\x01\xfe\xff" +
                  "\u00d8rsted".encode("utf-16-le") + b"\x00\x00") +
          frame23(b"TALB", latin1("Right Album"))))
    m.mp3("utf16be.mp3", tag(4,
          frame24(b"TIT2", b"\x02" + "Gr\u00fc\u00dfe \u65e5\u672c"
                  .encode("utf-16-be")) +
          frame24(b"TPE1", b"\x02" + "BE One".encode("utf-16-be") +
                  b"\x00\x00" + "BE Two".encode("utf-16-be")) +
          frame24(b"TALB", b"\x02" + "\U0001f3b5 Notes"
                  .encode("utf-16-be"))))
    # Latin-1 above 0x7F, C1 controls included.
    m.mp3("latin1-high.mp3", tag(3,
          frame23(b"TIT2", b"\x00Caf\xe9 \xc6\xd8\xc5 \xff") +
          frame23(b"TPE1", b"\x00Bj\xf6rk \x80\x9f") +
          frame23(b"TALB", b"\x00\xbfQu\xe9?")))

    # Versions and flags.
    m.mp3("v22.mp3", tag(2,
          frame22(b"TT2", latin1("Old Title")) +
          frame22(b"TP1", latin1("Old Artist")) +
          frame22(b"TP2", latin1("Old Album Artist")) +
          frame22(b"TAL", latin1("Old Album")) +
          frame22(b"TRK", latin1("2/9")) +
          frame22(b"TPA", latin1("1/1")) +
          frame22(b"TYE", latin1("1998")) +
          frame22(b"TCO", latin1("(8)"))))
    # ID3v2.3 unsynchronisation applies to the whole tag after its
    # header; "\xff\xe0" is Latin-1 "ÿà", a false MPEG sync.
    body = frame23(b"TIT2", b"\x00Unsync \xff\xe0 Title") + \
        frame23(b"TPE1", b"\x00Art\xff") + \
        frame23(b"TALB", latin1("Unsync Album")) + bytes(16)
    m.mp3("v23-unsync.mp3", tag(3, unsynchronise(body), flags=0x80,
                                padding=0))
    # ID3v2.4: unsynchronisation per frame (flag 0x02) with the data
    # length indicator (0x01), which it requires.
    raw = b"\x00Frame \xff\xe0 Unsync"
    m.mp3("v24-frame-unsync.mp3", tag(4,
          frame24(b"TIT2", syncsafe(len(raw)) + unsynchronise(raw),
                  flags=0x0003) +
          frame24(b"TPE1", utf8("Frame Artist")) +
          frame24(b"TALB", syncsafe(9) + latin1("DLI Only"), flags=0x0001)))
    # The v2.4 tag flag: every frame is unsynchronised.
    m.mp3("v24-tag-unsync.mp3", tag(4,
          frame24(b"TIT2", unsynchronise(b"\x00Tag \xff\xe1 Unsync")) +
          frame24(b"TPE1", unsynchronise(utf8("\u00ff\u00e0rtist"))),
          flags=0x80))
    # Extended headers: v2.3 with a CRC (its size excludes itself), v2.4
    # with one (its size includes itself); mutagen issue_21 and
    # quodlibet #126, a flag set with no extended header written.
    m.mp3("ext-header-v23.mp3", tag(3,
          struct.pack(">IHI", 10, 0x8000, 64) + b"\x12\x34\x56\x78" +
          frame23(b"TIT2", latin1("Extended 2.3")) +
          frame23(b"TPE1", latin1("Ext Artist")), flags=0x40))
    m.mp3("ext-header-v24.mp3", tag(4,
          syncsafe(12) + b"\x01\x20\x05" + b"\x01\x02\x03\x04\x05" +
          frame24(b"TIT2", utf8("Extended 2.4")) +
          frame24(b"TPE1", utf8("Ext Artist 4")), flags=0x40))
    m.mp3("ext-header-missing.mp3", tag(3,
          frame23(b"TIT2", latin1("Flag Without Header")) +
          frame23(b"TPE1", latin1("No Ext Artist")), flags=0x40))
    # Compressed frames: v2.3 puts the inflated size in front of the
    # zlib data; v2.4 sets the data length indicator with it.
    def zipped(data):
        return struct.pack(">I", len(data)) + zlib.compress(data)
    m.mp3("zlib-v23.mp3", tag(3,
          frame23(b"TIT2", zipped(latin1("Zipped Title")), flags=0x0080) +
          frame23(b"TPE1", latin1("Plain Artist")) +
          frame23(b"TALB", zipped(latin1("Zipped Album " * 20)),
                  flags=0x0080)))
    text = utf8("Zipped 2.4 Artist")
    m.mp3("zlib-v24.mp3", tag(4,
          frame24(b"TIT2", utf8("Plain 2.4")) +
          frame24(b"TPE1", syncsafe(len(text)) + zlib.compress(text),
                  flags=0x0009)))
    # iTunes wrote v2.4 frame sizes as plain integers (mutagen's
    # determine_bpi): 300 is 00 00 01 2C, no high bit, so read as
    # syncsafe it is 172.
    m.mp3("v24-plain-sizes.mp3", tag(4,
          frame24(b"COMM", b"\x00eng\x00" + b"c" * 295, plain=True) +
          frame24(b"TIT2", utf8("After A Plain Size"), plain=True) +
          frame24(b"TPE1", utf8("Plain Size Artist"), plain=True)))

    # Tags at the end. An ID3v2.4 tag may be appended with a footer
    # (section 3.4; mutagen audacious-trailing-id32-*), before an ID3v1.
    body = frame24(b"TIT2", utf8("Appended Title")) + \
        frame24(b"TPE1", utf8("Appended Artist")) + \
        frame24(b"TRCK", utf8("6/8"))
    m.mp3("v24-footer-end.mp3", tail=b"ID3\x04\x00\x10" +
          syncsafe(len(body)) + body + footer(4, len(body), 0x10))
    body = frame24(b"TIT2", utf8("Appended Before V1"))
    m.mp3("v24-footer-end-v1.mp3", tail=b"ID3\x04\x00\x10" +
          syncsafe(len(body)) + body + footer(4, len(body), 0x10) +
          id3v1(b"V1 Behind", b"V1 Artist Behind", b"V1 Album Behind",
                b"1985", track=3))
    # APEv2 on MP3, written by mutagen: alone, with an ID3v1 behind it,
    # and under an ID3v2 tag that lacks fields.
    path = m.mp3("ape-only.mp3")
    ape = APEv2()
    ape["Title"] = "APE Title"
    ape["Artist"] = ["APE One", "APE Two"]
    ape["Album"] = "APE Album"
    ape["Album Artist"] = "APE Album Artist"
    ape["Track"] = "3/12"
    ape["Disc"] = "1/2"
    ape["Year"] = "2004-03-01"
    ape.save(path)
    # mutagen appends an APE tag after an ID3v1 one: the ID3v1 tag is
    # added behind it here, where taggers put it.
    path = m.mp3("ape-and-v1.mp3")
    ape = APEv2()
    ape["Title"] = "APE Over V1"
    ape["artist"] = "ape lower-case key"
    ape.save(path)
    with open(path, "ab") as f:
        f.write(id3v1(b"V1 Title Behind APE", b"V1 Artist",
                      b"V1 Album Under APE", b"1977", track=11))
    path = m.mp3("v2-and-ape.mp3", tag(4, frame24(b"TIT2",
                                                  utf8("V2 Over APE"))))
    ape = APEv2()
    ape["Title"] = "APE Title Unused"
    ape["Artist"] = "APE Artist Used"
    ape["ALBUM"] = "APE Album Used"
    ape["Track"] = "8"
    ape.save(path)

    # Numbers and lists, written by mutagen.
    path = m.mp3("numbers.mp3")
    t = ID3()
    t.add(TIT2(encoding=Encoding.UTF8, text=["Numbered"]))
    t.add(TPE1(encoding=Encoding.UTF8, text=["Number Artist"]))
    t.add(TPE2(encoding=Encoding.UTF8, text=["Number Album Artist"]))
    t.add(TALB(encoding=Encoding.UTF8, text=["Number Album"]))
    t.add(TRCK(encoding=Encoding.UTF8, text=["3/12"]))
    t.add(TPOS(encoding=Encoding.UTF8, text=["1/2"]))
    t.add(TDRC(encoding=Encoding.UTF8, text=["2009-07-13"]))
    t.save(path, v2_version=3, v1=0)
    path = m.mp3("multi-v24.mp3")
    t = ID3()
    t.add(TIT2(encoding=Encoding.UTF16, text=["Many Values"]))
    t.add(TPE1(encoding=Encoding.UTF16, text=["Artist A", "Artist B",
                                              "Artist A"]))
    t.add(TPE2(encoding=Encoding.UTF8, text=["AA One", "AA Two"]))
    t.add(TALB(encoding=Encoding.UTF8, text=["Album One", "", "Album Two"]))
    t.add(TCON(encoding=Encoding.UTF8, text=["Rock", "Jazz"]))
    t.save(path, v2_version=4, v1=0)
    # Several strings in a v2.3 frame are out of its spec, but written.
    m.mp3("multi-v23.mp3", tag(3,
          frame23(b"TIT2", latin1("Null Separated")) +
          frame23(b"TPE1", latin1("First Artist", "Second Artist")) +
          frame23(b"TALB", latin1("Slash/Album"))))

    # Nothing readable: no tag, and bytes that are not an MP3 at all.
    m.mp3("no-tags.mp3")
    m.write("not-audio.mp3", bytes(range(256)) * 8)


def make_flac(m):
    def tagged(name, *comments):
        path = m.flac_copy(name)
        f = FLAC(path)
        f.add_tags()
        for c in comments:
            key, value = c.split("=", 1)
            f.tags.append((key, value))
        f.save()
        return path

    tagged("flac-keys-case.flac", "tItLe=Mixed Case Keys",
           "Artist=Case Artist", "albumARTIST=Case Album Artist",
           "album=Case Album", "TrackNumber=3/12", "discnumber=1/2",
           "Date=2003-04-05")
    tagged("flac-multi.flac", "TITLE=Several Values", "ARTIST=One",
           "ARTIST=Two", "ARTIST=One", "ALBUMARTIST=AA1", "ALBUMARTIST=AA2",
           "ALBUM=Multi Album", "ALBUM=", "GENRE=Rock", "GENRE=Jazz")
    tagged("flac-totals.flac", "TITLE=Totals", "TRACKNUMBER=3",
           "TRACKTOTAL=12", "DISCNUMBER=1", "DISCTOTAL=2", "YEAR=1999",
           "ALBUM ARTIST=Spaced Key")

    # An ID3v2 tag before "fLaC" (mutagen's FLAC __check_header); its
    # frames are not the file's tags.
    path = tagged("flac-id3-prefix.flac", "TITLE=Behind ID3",
                  "ARTIST=FLAC Artist")
    with open(path, "rb") as f:
        data = f.read()
    m.write("flac-id3-prefix.flac", tag(3,
            frame23(b"TIT2", latin1("ID3 Title In FLAC")) +
            frame23(b"TALB", latin1("ID3 Album In FLAC"))) + data)

    # STREAMINFO out of spec: block sizes below 16 samples.
    info, audio = m.streaminfo, m.flac_audio
    m.write("flac-streaminfo-blocksize.flac", b"fLaC" +
            block(0, struct.pack(">HH", 8, 8) + info[4:]) +
            block(4, vorbis_comment(b"TITLE=Tiny Blocks",
                                    b"ARTIST=Blocksize Artist",
                                    b"TRACKNUMBER=2"), last=True) + audio)

    # mutagen #52: a VORBIS_COMMENT block whose size is too short; the
    # comments run on past it and the reference decoder still reads them.
    vc = vorbis_comment(b"TITLE=Short Block", b"ARTIST=Past The Size",
                        b"ALBUM=Still Read")
    m.write("flac-vc-short-size.flac", b"fLaC" + block(0, info) +
            block(4, vc, last=True, size=24) + audio)

    # mutagen #377: several VORBIS_COMMENT blocks; the first counts.
    m.write("flac-two-vc.flac", b"fLaC" + block(0, info) +
            block(4, vorbis_comment(b"TITLE=First Block",
                                    b"ALBUM=First Album")) +
            block(4, vorbis_comment(b"TITLE=Second Block",
                                    b"ARTIST=Only In Second")) +
            block(1, bytes(32), last=True) + audio)

    # mutagen #106: a PICTURE block whose size is too short, before the
    # comments: its fields say where it really ends.
    png = b"\x89PNG\r\n\x1a\n" + bytes(200)
    pic = struct.pack(">II", 3, 9) + b"image/png" + struct.pack(">I", 0) + \
        struct.pack(">IIIII", 1, 1, 24, 0, len(png)) + png
    m.write("flac-picture-short-size.flac", b"fLaC" +
            block(0, info) + block(6, pic, size=40) +
            block(4, vorbis_comment(b"TITLE=After Short Picture",
                                    b"ARTIST=Picture Artist"), last=True) +
            audio)

    # UTF-8 cut inside a character (mutagen decodes with "replace").
    m.write("flac-bad-utf8.flac", b"fLaC" + block(0, info) +
            block(4, vorbis_comment(b"TITLE=Cut \xe2\x82 Euro",
                                    b"ARTIST=Bad \xff\xfe Bytes"),
                  last=True) + audio)

    # Nothing readable: no comments, and no "fLaC" at all.
    shutil.copyfile(m.flac, m.path("flac-no-tags.flac"))
    m.write("flac-not-flac.flac", b"fLaX" + bytes(range(256)) * 4)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make-odd-tags.py OUTDIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        m = Maker(out, tmp)
        make_mp3(m)
        make_flac(m)


if __name__ == "__main__":
    main()
