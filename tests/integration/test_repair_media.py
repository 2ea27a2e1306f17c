# SPDX-License-Identifier: GPL-3.0-or-later
"""Media servers told of what a repair changed, over a real mount with
the Real-Debrid, Plex and Jellyfin (Emby) fakes: one refresh of each
folder a pass changed, in the Plex section that holds it and in one
Jellyfin request; a refused token or a server down is noted and not
asked again, and nothing is told in dry-run."""

import json
import os

from test_repair import DEAD, OTHER, rd_mount, setup  # noqa: F401
from test_repair_followups import INFRINGING

PLEX = "plexTOKEN-test"
JELLY = "jellyKEY-test"


def servers(tmp_path, fake, plex_token=PLEX, jelly_url=None):
    """The Plex (a TV and a Movies section) and Jellyfin fakes, and the
    [plex] and [jellyfin] sections naming them."""
    sections = tmp_path / "sections.json"
    sections.write_text(json.dumps([
        {"key": "1", "type": "show", "title": "TV",
         "paths": [str(tmp_path / "tv")]},
        {"key": "2", "type": "movie", "title": "Movies",
         "paths": [str(tmp_path / "movies") + "/"]},
        {"key": "3", "type": "artist", "title": "Music",
         "paths": [str(tmp_path / "music")]}]))
    plex = fake("plex_fake.py", sections)
    jelly = fake("jellyfin_fake.py", "jellyfin")
    text = ("[plex]\nurl = %s\ntoken = %s\n[jellyfin]\nurl = %s\n"
            "api_key = %s\n" % (plex.url, plex_token, jelly_url or jelly.url,
                                JELLY))
    return plex, jelly, text


def folders(s):
    return sorted([os.path.dirname(s.dead_link),
                   os.path.dirname(s.other_links[0])])


def media_actions(s):
    return [(a["service"], a["target"], a["result"])
            for a in s.repairs()["recent_actions"]
            if a["action"] == "refresh"]


def test_a_repair_refreshes_each_folder_once(setup, tmp_path, fake):
    plex, jelly, text = servers(tmp_path, fake)
    s = setup(sections=text)
    s.command("run")
    s.wait(lambda: len(s.repairs()["repaired"]) == 2, "two repairs")
    s.wait(lambda: len(plex.call("/_refreshes")) == 2, "plex told")
    movies, tv = folders(s)
    assert plex.call("/_refreshes") == [{"section": "2", "path": movies},
                                        {"section": "1", "path": tv}]
    assert all(r["token"] == "ok" and r["accept"] == "application/json"
               for r in plex.call("/_requests"))
    assert [r["how"] for r in jelly.call("/_requests")] == ["authorization"]
    assert jelly.call("/_updates") == [
        {"Path": movies, "UpdateType": "Modified"},
        {"Path": tv, "UpdateType": "Modified"}]
    assert sorted(media_actions(s)) == [
        ("jellyfin", "2 folders", "ok"), ("plex", movies, "ok"),
        ("plex", tv, "ok")]
    # a pass that changes nothing tells nothing
    n = len(plex.call("/_requests"))
    s.command("run")
    assert len(plex.call("/_requests")) == n
    assert len(jelly.call("/_requests")) == 1


def test_a_replacement_refreshes_too_and_emby_takes_its_header(
        setup, tmp_path, fake):
    plex, jelly, text = servers(tmp_path, fake)
    emby = fake("jellyfin_fake.py", "emby")
    s = setup(sections=text + "[emby]\nurl = %s\napi_key = %s\n" % (
        emby.url, JELLY))
    s.inject(**INFRINGING)
    s.command("run")
    s.wait(lambda: len(s.repairs()["failed"]) == 2, "two failures")
    movies, tv = folders(s)
    assert [r["path"] for r in plex.call("/_refreshes")] == [movies, tv]
    assert [u["Path"] for u in emby.call("/_updates")] == [movies, tv]
    assert [r["how"] for r in emby.call("/_requests")] == ["x-emby-token"]


def test_refused_token_and_server_down_are_noted_once(setup, tmp_path,
                                                      fake):
    """Plex refuses the token (401): its sections are asked once, no
    refresh; Jellyfin does not answer at all: noted, the pass goes on."""
    plex, jelly, text = servers(tmp_path, fake, plex_token="wrong",
                                jelly_url="http://127.0.0.1:1")
    s = setup(sections=text)
    s.command("run")
    s.wait(lambda: len(s.repairs()["repaired"]) == 2, "two repairs")
    s.wait(lambda: len(media_actions(s)) == 2, "the failures noted")
    assert [r["path"] for r in plex.call("/_requests")] == [
        "/library/sections"]
    assert plex.call("/_refreshes") == []
    assert sorted(media_actions(s)) == [
        ("jellyfin", "2 folders", "Connection refused"),
        ("plex", "/library/sections", "Permission denied")]
    log = (tmp_path / "mediamon.log").read_text()
    assert PLEX not in log and JELLY not in log and "wrong" not in log


def test_dry_run_tells_no_media_server(setup, tmp_path, fake):
    plex, jelly, text = servers(tmp_path, fake)
    s = setup(sections=text, dry_run=True)
    s.command("run")
    s.command("run")
    assert plex.call("/_requests") == []
    assert jelly.call("/_requests") == []
