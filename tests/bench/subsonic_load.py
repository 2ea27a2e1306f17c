#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Time the Subsonic lists of a server: bench.sh's `subsonic` section.

    subsonic_load.py BASE USER PASSWORD

BASE is the server's URL (its /rest beneath it). Asks getArtists,
getAlbumList2 (alphabeticalByName, 50) and search3 ("the"), each three
times, as a player does (GET /rest/METHOD.view?u=&p=&v=&c=&f=json), and
prints, one per line as "KEY VALUE", the median seconds of each:

  artists_s   getArtists
  albums_s    getAlbumList2
  search_s    search3

and albums_first_s, the first getAlbumList2: a server that gathers what
its lists read on the first list call after a change (mediamon's index
per caller and generation, fs/subsonic/subsonic_index.h) pays it there.

Exits 1 when an answer is not a subsonic-response of status "ok"."""

import json
import statistics
import sys
import time
import urllib.parse
import urllib.request

CALLS = (
    ("artists_s", "getArtists", {}),
    ("albums_s", "getAlbumList2", {"type": "alphabeticalByName",
                                   "size": 50}),
    ("search_s", "search3", {"query": "the"}),
)


def call(base, user, password, method, params):
    """The seconds the call took."""
    q = {"u": user, "p": password, "v": "1.16.1", "c": "mediamon-bench",
         "f": "json"}
    q.update(params)
    url = "%s/rest/%s.view?%s" % (base, method, urllib.parse.urlencode(q))
    start = time.monotonic()
    with urllib.request.urlopen(url, timeout=600) as r:
        body = json.loads(r.read())["subsonic-response"]
    took = time.monotonic() - start
    if body.get("status") != "ok":
        sys.exit("%s: %s" % (method, body))
    return took


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    base, user, password = sys.argv[1:]
    for key, method, params in CALLS:
        times = [call(base, user, password, method, params)
                 for _ in range(3)]
        print("%s %.3f" % (key, statistics.median(times)))
        if method == "getAlbumList2":
            print("albums_first_s %.3f" % times[0])


if __name__ == "__main__":
    main()
