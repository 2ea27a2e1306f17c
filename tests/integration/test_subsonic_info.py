# SPDX-License-Identifier: GPL-3.0-or-later
"""getArtistInfo, getArtistInfo2, getAlbumInfo and getAlbumInfo2 (issue
77, "The calls players make") from what the library knows: no biography
nor notes, the album's and the artist's MusicBrainz ids from their
songs' tags (the track's .mb_artist_id attribute), the cover's
addresses at 64, 300 and 600 pixels (getCoverArt with size, which
answers a picture of that bound), and the artists of the songs alike
from the analysis, count of them, only those the account may read; an
id unknown (70), missing (10), or of an album or artist the account may
not read (70)."""

import os
import tempfile
import urllib.parse
import urllib.request

from conftest import run, wait_for
from subsonic_calls import call, failed, ok, view_path, walked
from access_users import make_user, drop_user
# root, useradd and setpriv; a folder all enter
from access_users import pytestmark, world  # noqa: F401
from test_http import PASSWORD, Web
from test_subsonic_media import loud_flac
from test_subsonic_cover_size import jpeg_size, picture

MBID = "0e9c3bd2-0a4e-4f4c-9f3a-6a2b4c1d2e3f"
ARTIST_MBID = "5b11f4ce-a62d-471e-81fc-a69a8278c7da"


def song(top, rel, title, artist, album, freq):
    """A five-second tone of artist (loud_flac()'s, its artist tag
    replaced)."""
    path = os.path.join(top, rel)
    loud_flac(path, title, album, 1, freq, 0.5)
    run("metaflac", "--remove-tag=ARTIST", "--set-tag=ARTIST=" + artist,
        path)


def similar_names(w, artist_id, auth=None, **more):
    info = ok(call(w, "getArtistInfo2", auth=auth, id=artist_id,
                   **more)[2])["artistInfo2"]
    return [a["name"] for a in info.get("similarArtist", [])]


def test_info_from_the_library(world):  # noqa: F811
    u = make_user()
    try:
        top = os.path.join(world, "music")
        song(top, "Band/Tones/01.flac", "First", "Band", "Tones", 440)
        song(top, "Zed/Solo/01.flac", "Only", "Zed", "Solo", 660)
        song(top, "Shut/Priv/01.flac", "Priv", "Shut", "Priv", 550)
        run("metaflac", "--set-tag=MUSICBRAINZ_ALBUMID=" + MBID,
            "--set-tag=MUSICBRAINZ_ARTISTID=" + ARTIST_MBID,
            os.path.join(top, "Band/Tones/01.flac"))
        picture(os.path.join(top, "Band/Tones/cover.jpg"), "800x600")
        os.chmod(os.path.join(top, "Shut"), 0o700)
        w = Web(tempfile.mkdtemp(dir=world), names=("root", u.name),
                music=top, analysis=True)
        try:
            ids = walked(w)
            band, tones = ids["First"][1], ids["First"][2]
            auth = {"u": u.name, "p": PASSWORD}
            # root reads every artist alike; the user not Shut's
            got = wait_for(lambda: similar_names(w, band), 180,
                           "Band's similar artists from the analysis",
                           until=lambda v: len(v) == 2, mount=w.m)
            assert sorted(got) == ["Shut", "Zed"]
            assert similar_names(w, band, count=1) == got[:1]
            assert similar_names(w, band, count=0) == []
            assert similar_names(w, band, auth) == ["Zed"]
            assert sorted(similar_names(w, ids["Only"][1])) == [
                "Band", "Shut"]
            # the old shape: Artist, id and name
            old = ok(call(w, "getArtistInfo", id=band)[2])["artistInfo"]
            assert [set(a) for a in old["similarArtist"]] == \
                [{"id", "name"}] * 2
            root = call(w, "getArtistInfo2", f="xml", id=band)[2]
            assert len(root[0].findall(
                "{http://subsonic.org/restapi}similarArtist")) == 2
            # the album: its MusicBrainz id, its cover's addresses
            for method in ("getAlbumInfo2", "getAlbumInfo"):
                for cid in (tones, ids["First"][0]):
                    info = ok(call(w, method, id=cid)[2])["albumInfo"]
                    assert info["musicBrainzId"] == MBID
                    assert "notes" not in info
            for size, member, want in ((64, "small", (64, 48)),
                                       (300, "medium", (300, 225)),
                                       (600, "large", (600, 450))):
                url = info[member + "ImageUrl"]
                assert url == "/rest/getCoverArt.view?id=%s&size=%d" % (
                    tones, size)
                q = urllib.parse.urlencode({"u": "root", "p": PASSWORD})
                with urllib.request.urlopen("%s%s&%s" % (w.base, url, q),
                                            timeout=120) as r:
                    assert jpeg_size(r.read()) == want
            artist = ok(call(w, "getArtistInfo2", id=band)[2])[
                "artistInfo2"]
            assert artist["largeImageUrl"] == info["largeImageUrl"]
            assert artist["musicBrainzId"] == ARTIST_MBID
            assert "biography" not in artist
            assert "musicBrainzId" not in ok(call(
                w, "getArtistInfo2", id=ids["Only"][1])[2])["artistInfo2"]
            assert os.getxattr(view_path(w, ids["First"][0]),
                               "user.mediamon.mb_artist_id").decode() == \
                ARTIST_MBID
            # Solo has no cover and no MusicBrainz id
            assert ok(call(w, "getAlbumInfo2", id=ids["Only"][2])[2])[
                "albumInfo"] == {}
            # the bad cases
            for method in ("getArtistInfo2", "getArtistInfo",
                           "getAlbumInfo2", "getAlbumInfo"):
                failed(call(w, method)[2], 10)
                failed(call(w, method, id="ar" + b"Nobody".hex())[2], 70)
                failed(call(w, method, id="so999999")[2], 70)
                for cid in ids["Priv"]:
                    failed(call(w, method, auth=auth, id=cid)[2], 70)
            failed(call(w, "getAlbumInfo2", id=band)[2], 70)
        finally:
            w.stop()
    finally:
        drop_user(u)
