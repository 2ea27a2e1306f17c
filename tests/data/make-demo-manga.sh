#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# make-demo-manga.sh DIR: a small demo manga library for `make run`, with
# the gaps, ranges, chapters and specials /status/missing is about. Made
# once (DIR/.complete); real .cbz files written by Python's zipfile,
# whose pages are real PNG images (drawn here: no imaging package).
set -eu

dir=${1:?usage: make-demo-manga.sh DIR}
[ -f "$dir/.complete" ] && exit 0
rm -rf "$dir.tmp"
mkdir -p "$dir.tmp"
/usr/bin/python3 - "$dir.tmp" <<'PY'
import os, struct, sys, zipfile, zlib

root = sys.argv[1]


def png(seed, width=120, height=180):
    """A real cover a reader can show: an RGB PNG of a colour of its own,
    darker towards the foot, with a pale band across its top."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data)))
    base = ((seed * 73) % 200 + 40, (seed * 151) % 200 + 40,
            (seed * 37) % 200 + 40)
    rows = b""
    for y in range(height):
        band = 20 <= y < 40
        shade = [240 if band else c * (height - y // 2) // height
                 for c in base]
        rows += b"\0" + bytes(shade) * width
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0,
                                       0, 0)) +
            chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


series = {
    "One Piece": ["One Piece T01.cbz", "One Piece T02.cbz",
                  "One Piece T04.cbz", "One Piece Chapitre 1050.cbz"],
    "Berserk": ["Berserk Tomes 01-03.cbz", "Berserk T05.cbz",
                "Berserk Hors-Serie.cbz"],
    "Mob Psycho 100": ["Mob Psycho 100 T02.cbz"],
}
seed = 0
for name, files in series.items():
    os.makedirs(os.path.join(root, name))
    for f in files:
        seed += 1
        with zipfile.ZipFile(os.path.join(root, name, f), "w") as z:
            z.writestr("001.png", png(seed))
            z.writestr("002.png", png(seed + 100))
# a volume as a folder of images, and one named only by its ComicInfo.xml
pages = os.path.join(root, "Mob Psycho 100", "Mob Psycho 100 v03")
os.makedirs(pages)
open(os.path.join(pages, "001.png"), "wb").write(png(99))
with zipfile.ZipFile(os.path.join(root, "Mob Psycho 100", "bonus.cbz"),
                     "w") as z:
    z.writestr("ComicInfo.xml", "<ComicInfo><Series>Mob Psycho 100</Series>"
               "<Volume>5</Volume></ComicInfo>")
PY
touch "$dir.tmp/.complete"
rm -rf "$dir"
mv "$dir.tmp" "$dir"
