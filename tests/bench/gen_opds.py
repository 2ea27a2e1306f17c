#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Generate the OPDS library: OUT [--files 10000].

A manga library of --files volume archives for the opds section of `make
bench`: how long the root catalog and a series feed take to read through
a web server serving the mount (issue 51: under 2 s each at 10,000
volumes). One series holds BIG_SERIES volumes (a long run, the largest
feed), the others VOLUMES_PER_SERIES each, laid out as

    Series NNNN/Series NNNN vNNNN.cbz

Each volume is a small zip of PAGES pages (a few bytes of JPEG magic
each) and a ComicInfo.xml: what the scan reads of it is what a real
volume gives, at a fraction of the bytes. Cached: when OUT/.complete
holds the same parameters the script exits at once; it builds in OUT.tmp
and renames that to OUT.
"""

import os
import shutil
import sys
import time
import zipfile

sys.dont_write_bytecode = True  # no __pycache__ left in the work tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_corpus  # noqa: E402  (the cache marker)

# Bump when the output for the same parameters changes, so caches rebuild.
GENERATOR_VERSION = 1

BIG_SERIES = 1000
VOLUMES_PER_SERIES = 50
PAGES = 20


def volumes(files):
    """(series name, volume number) of every volume."""
    big = min(files, BIG_SERIES)
    for v in range(1, big + 1):
        yield "Series 0000", v
    for i in range(files - big):
        yield "Series %04d" % (i // VOLUMES_PER_SERIES + 1), \
            i % VOLUMES_PER_SERIES + 1


def write_volume(path, series, number):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr("ComicInfo.xml",
                   "<ComicInfo><Series>%s</Series><Volume>%d</Volume>"
                   "</ComicInfo>" % (series, number))
        for p in range(1, PAGES + 1):
            z.writestr("%03d.jpg" % p, b"\xff\xd8\xff\xe0 page %d" % p)


def main():
    args = gen_corpus.parse_args(
        "Generate (or reuse) the OPDS library of volume archives.", 10_000,
        "volumes")
    params = {"generator": GENERATOR_VERSION, "kind": "opds",
              "files": args.files}
    old = gen_corpus.read_complete(args.out)
    if old is not None and all(old.get(k) == v for k, v in params.items()):
        return
    if old is None and os.path.exists(args.out) and os.listdir(args.out):
        gen_corpus.clear_old(args.out)  # exits: not ours
    start = time.monotonic()
    tmp = args.out + ".tmp"
    if os.path.exists(tmp):
        shutil.rmtree(tmp)
    for series, number in volumes(args.files):
        folder = os.path.join(tmp, series)
        os.makedirs(folder, exist_ok=True)
        write_volume(os.path.join(folder, "%s v%04d.cbz" % (series, number)),
                     series, number)
    gen_corpus.finish(tmp, args.out, dict(
        params, seconds=round(time.monotonic() - start, 1)))


if __name__ == "__main__":
    main()
