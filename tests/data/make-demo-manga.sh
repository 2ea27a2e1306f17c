#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# make-demo-manga.sh DIR: a small demo manga library for `make run`, with
# the gaps, ranges, chapters and specials /status/missing is about. Made
# once (DIR/.complete); real .cbz files written by Python's zipfile.
set -eu

dir=${1:?usage: make-demo-manga.sh DIR}
[ -f "$dir/.complete" ] && exit 0
rm -rf "$dir.tmp"
mkdir -p "$dir.tmp"
/usr/bin/python3 - "$dir.tmp" <<'PY'
import os, sys, zipfile

root = sys.argv[1]
series = {
    "One Piece": ["One Piece T01.cbz", "One Piece T02.cbz",
                  "One Piece T04.cbz", "One Piece Chapitre 1050.cbz"],
    "Berserk": ["Berserk Tomes 01-03.cbz", "Berserk T05.cbz",
                "Berserk Hors-Serie.cbz"],
    "Mob Psycho 100": ["Mob Psycho 100 T02.cbz"],
}
for name, files in series.items():
    os.makedirs(os.path.join(root, name))
    for f in files:
        with zipfile.ZipFile(os.path.join(root, name, f), "w") as z:
            z.writestr("001.jpg", b"\xff\xd8\xff\xe0")
# a volume as a folder of images, and one named only by its ComicInfo.xml
pages = os.path.join(root, "Mob Psycho 100", "Mob Psycho 100 v03")
os.makedirs(pages)
open(os.path.join(pages, "001.jpg"), "wb").write(b"\xff\xd8\xff\xe0")
with zipfile.ZipFile(os.path.join(root, "Mob Psycho 100", "bonus.cbz"),
                     "w") as z:
    z.writestr("ComicInfo.xml", "<ComicInfo><Series>Mob Psycho 100</Series>"
               "<Volume>5</Volume></ComicInfo>")
PY
touch "$dir.tmp/.complete"
rm -rf "$dir"
mv "$dir.tmp" "$dir"
