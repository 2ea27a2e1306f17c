#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Time the Subsonic lists of a server: bench.sh's `subsonic` section.

    subsonic_load.py BASE USER PASSWORD [first]

BASE is the server's URL (its /rest beneath it). Asks getArtists,
getAlbumList2 (alphabeticalByName, 50), getAlbumList2 (newest, 500: a
player filling its album page) and search3 ("the"), each three times, as
a player does (GET /rest/METHOD.view?u=&p=&v=&c=&f=json), and prints,
one per line as "KEY VALUE", the median seconds of each:

  artists_s    getArtists
  albums_s     getAlbumList2, 50
  albums500_s  getAlbumList2, 500
  search_s     search3

then albums_first_s, the first getAlbumList2: a server that gathers what
its lists read on the first list call after a change (mediamon's index
per caller and generation, fs/subsonic/subsonic_index.h) pays it there;
and albums500_n, the albums the 500 held (an account that may read the
whole library gets what root gets).

With "first", asks getAlbumList2 (newest, 500) once and prints its
seconds as first_s: the first list of an account, or the first after a
change.

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
    ("albums500_s", "getAlbumList2", {"type": "newest", "size": 500}),
    ("search_s", "search3", {"query": "the"}),
)


def call(base, user, password, method, params):
    """The seconds the call took, and its answer."""
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
    return took, body


def main():
    if len(sys.argv) not in (4, 5) or sys.argv[4:] not in ([], ["first"]):
        sys.exit(__doc__)
    base, user, password = sys.argv[1:4]
    if sys.argv[4:]:
        took, _ = call(base, user, password, *CALLS[2][1:])
        print("first_s %.3f" % took)
        return
    for key, method, params in CALLS:
        answers = [call(base, user, password, method, params)
                   for _ in range(3)]
        print("%s %.3f" % (key, statistics.median(t for t, _ in answers)))
        if key == "albums_s":
            print("albums_first_s %.3f" % answers[0][0])
        if key == "albums500_s":
            print("albums500_n %d" % len(
                answers[0][1].get("albumList2", {}).get("album", [])))


if __name__ == "__main__":
    main()
