# SPDX-License-Identifier: GPL-3.0-or-later
"""The Subsonic lists after a change of the library (issue 77): the
lists' index is made again on a thread of its own (mm-subsonic), and
until it is done a list is answered from the index before, saying so
(X-Mediamon-Index: previous). What came shows once it is done; what
went, or what an account may no longer read, is in no answer even
meanwhile."""

import json
import os
import pwd
import shutil
import urllib.parse
import urllib.request

import pytest

from conftest import make_flac, wait_for
from subsonic_calls import call, ok, private_root, names, artists
from access_users import world  # noqa: F401
from test_http import PASSWORD
from test_import_acl import deny


def listed(w, method="getAlbumList2", member="albumList2", key="album",
           auth=None, **params):
    """(the names in method's answer, whether it was answered from the
    index before a change)."""
    q = dict(auth or {"u": "root", "p": PASSWORD})
    q.update({"v": "1.16.1", "c": "mediamon-test", "f": "json"})
    if method == "getAlbumList2":
        q["type"] = "newest"
    q.update(params)
    url = "%s/rest/%s?%s" % (w.base, method, urllib.parse.urlencode(q))
    with urllib.request.urlopen(url, timeout=120) as r:
        previous = r.headers.get("X-Mediamon-Index")
        body = json.loads(r.read())["subsonic-response"]
    assert previous in (None, "previous"), previous
    return sorted(x["name"] for x in ok(body)[member][key]), \
        previous is not None


def threads(w):
    """The names of the daemon's threads."""
    task = "/proc/%d/task" % w.m.proc.pid
    got = set()
    for t in os.listdir(task):
        try:
            with open(os.path.join(task, t, "comm")) as f:
                got.add(f.read().strip())
        except FileNotFoundError:
            pass
    return got


def in_view(w, *rel):
    """Whether the mount's artists view shows rel."""
    return os.path.exists(os.path.join(w.m.path, "library/music/artists",
                                       *rel))


def test_an_album_added_shows_once_the_index_is_made_again(world):  # noqa: F811
    """The first list starts the thread that makes the index again; an
    album added shows in root's and the account's lists once it has,
    and no answer without the flag misses it once the view has it."""
    with private_root(world) as (w, mine, ids, top):
        assert listed(w, **mine)[0] == ["Pub"]
        assert listed(w)[0] == ["Priv", "Pub"]
        wait_for(lambda: threads(w), 30, "the lists' thread",
                 until=lambda v: "mm-subsonic" in v, mount=w.m)
        make_flac(os.path.join(top, "Open", "New", "01.flac"), "Fresh",
                  "Open", "New", 1)
        wait_for(lambda: in_view(w, "Open", "New"), 60, "New in the view",
                 mount=w.m)
        for who in (mine, {}):
            def look():
                got, previous = listed(w, **who)
                assert previous or "New" in got, got
                return got, previous
            wait_for(look, 60, "New in the list, made again",
                     until=lambda v: "New" in v[0] and not v[1],
                     mount=w.m)
        assert listed(w, **mine) == (["New", "Pub"], False)
        assert listed(w) == (["New", "Priv", "Pub"], False)
        # the songs of the lists too
        got = ok(call(w, "search3", query="Fresh", **mine)[2])
        assert [s["title"] for s in got["searchResult3"]["song"]] == \
            ["Fresh"]


def never_seen(w, what, **auth):
    """Assert that no list of the account shows what: the albums of
    getAlbumList2, the artists of getArtists, the songs of search3 and
    getRandomSongs. Returns getAlbumList2's albums and its flag."""
    got, previous = listed(w, auth=auth.get("auth"))
    assert what not in got, got
    found = ok(call(w, "search3", query="", **auth)[2])["searchResult3"]
    assert what not in {a["name"] for a in found["album"]}, found
    assert what not in {s["album"] for s in found["song"]}, found
    songs = ok(call(w, "getRandomSongs", size=50, **auth)[2])
    assert what not in {s["album"] for s in songs["randomSongs"]["song"]}
    return got, previous


@pytest.mark.parametrize("how", ["chmod", "acl"])
def test_rights_taken_meanwhile_hide_at_once(world, how):  # noqa: F811
    """An album folder shut to the account (by its mode, or by an ACL)
    as another album is added is in none of its answers, whether they
    come from the index before the change or the one made after; root's
    keep it."""
    with private_root(world) as (w, mine, ids, top):
        album = os.path.join(top, "Open", "Pub")
        uid = pwd.getpwnam(mine["auth"]["u"]).pw_uid
        assert listed(w, **mine)[0] == ["Pub"]
        make_flac(os.path.join(top, "Open", "New", "01.flac"), "New",
                  "Open", "New", 1)
        if how == "chmod":
            os.chmod(album, 0o700)
        else:
            deny(album, uid)
        never_seen(w, "Pub", **mine)
        wait_for(lambda: never_seen(w, "Pub", **mine), 60,
                 "New for the account",
                 until=lambda v: "New" in v[0] and not v[1], mount=w.m)
        assert "Pub" in listed(w)[0]
        assert sorted(artists(w, **mine)) == ["Open"]


def test_an_album_removed_leaves_roots_lists_at_once(world):  # noqa: F811
    """An album folder removed from the disk is in none of root's
    answers once the view has dropped it, though the index before the
    change still holds it."""
    with private_root(world) as (w, mine, ids, top):
        assert names(call(w, "getAlbumList2", type="newest")[2]) != []
        priv = os.path.join(top, "Shut", "Priv")
        make_flac(os.path.join(top, "Shut", "Other", "01.flac"), "Other",
                  "Shut", "Other", 1)
        shutil.rmtree(priv)
        wait_for(lambda: in_view(w, "Shut", "Other") and
                 not in_view(w, "Shut", "Priv"), 60,
                 "Priv gone from the view", mount=w.m)
        never_seen(w, "Priv")
        wait_for(lambda: never_seen(w, "Priv"), 60, "the index made again",
                 until=lambda v: "Other" in v[0] and not v[1], mount=w.m)
