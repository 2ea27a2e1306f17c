#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fill supysonic's database with supysonic's own scanner, in batches:
bench.sh's `subsonic` section at 100,000 tracks.

    supysonic_fill.py FOLDER [BATCH]

Run in the folder of supysonic's supysonic.conf, after `supysonic-cli
folder add FOLDER PATH`. `supysonic-cli folder scan` gives each file a
transaction of its own (an SQLite commit per track: 302 s for 10,000
files here, about an hour for 100,000). This runs the same code,
supysonic.scanner.Scanner.scan_file, on the same files in the order its
scanner walks them, BATCH (1,000) files to a transaction, then its
cover pass over every folder, its last_scan mark and its prune: the
rows supysonic-cli's scan writes, sooner. Prints "tracks N", "albums
N" and "artists N", what the database then holds."""

import os
import sys
import time

from pony.orm import db_session

from supysonic.config import IniConfig
from supysonic.db import Album, Artist, Folder, Track, init_database
from supysonic.scanner import Scanner


def files(top):
    """The files under top as supysonic's scanner walks them: no name
    starting with a dot, no symbolic link."""
    to_scan = [top]
    while to_scan:
        path = to_scan.pop()
        for entry in os.scandir(path):
            if entry.name.startswith(".") or entry.is_symlink():
                continue
            if entry.is_dir():
                to_scan.append(entry.path)
            elif entry.is_file():
                yield entry


def covers(scanner, folder_id):
    """The scanner's cover pass over the folder and its children."""
    todo = [folder_id]
    while todo:
        with db_session:
            f = Folder[todo.pop()]
            scanner.find_cover(f.path)
            todo += [c.id for c in f.children]


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    batch = int(sys.argv[2]) if len(sys.argv) == 3 else 1000
    config = IniConfig.from_common_locations()
    init_database(config.BASE["database_uri"])
    scanner = Scanner(follow_symlinks=False)
    with db_session:
        root = Folder.get(name=sys.argv[1], root=True)
        if root is None:
            sys.exit("no folder %s in supysonic's database" % sys.argv[1])
        top, root_id = root.path, root.id
    pending = []
    for entry in files(top):
        pending.append(entry)
        if len(pending) == batch:
            with db_session:
                for e in pending:
                    scanner.scan_file(e)
            pending = []
    with db_session:
        for e in pending:
            scanner.scan_file(e)
    covers(scanner, root_id)
    with db_session:
        Folder[root_id].last_scan = int(time.time())
    scanner.prune()
    with db_session:
        print("tracks %d" % Track.select().count())
        print("albums %d" % Album.select().count())
        print("artists %d" % Artist.select().count())


if __name__ == "__main__":
    main()
