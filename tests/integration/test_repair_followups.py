# SPDX-License-Identifier: GPL-3.0-or-later
"""What follows a repair, over a real mount with the Real-Debrid, Sonarr
and Radarr fakes: a torrent that cannot come back has its episodes (its
movie) searched again in Sonarr (Radarr), its file records deleted
first; the bad cases (an Arr that lost a record already, one that knows
none of the files, dry-run, a mount down) keep to the old rescan or do
nothing."""

import os
import subprocess

from test_repair import DEAD, OTHER, rd_mount, setup  # noqa: F401
from realdebrid_fake import make_id

INFRINGING = {"path_regex": "addMagnet", "status": 451,
              "body": {"error": "infringing_file", "error_code": 35},
              "times": -1}


def series_items(s):
    return [{"id": 7, "title": "Other Show",
             "path": os.path.join(s.tv, "Other Show")},
            {"id": 9, "title": "Show", "path": os.path.join(s.tv, "Show")}]


def give_files(s, missing=(), known=True):
    """Sonarr holds the three dead links of Other Show as episode files
    101-103 (episodes 1001-1003) beside a live one, 104; Radarr the dead
    movie as file 301."""
    paths = s.other_links if known else [p + ".old" for p in s.other_links]
    files = [{"id": 101 + i, "seriesId": 7, "path": p,
              "relativePath": os.path.relpath(
                  p, os.path.join(s.tv, "Other Show"))}
             for i, p in enumerate(paths)]
    files.append({"id": 104, "seriesId": 7, "relativePath": "Season 2/E04",
                  "path": os.path.join(s.tv, "Other Show", "Season 2",
                                       "E04.mkv")})
    episodes = [{"id": 1001 + i, "seriesId": 7, "episodeFileId": 101 + i,
                 "hasFile": True} for i in range(4)]
    s.sonarr.call("/_items", {"kind": "sonarr", "items": series_items(s),
                              "files": files, "episodes": episodes,
                              "missing": list(missing)})
    s.radarr.call("/_items", {
        "kind": "radarr",
        "items": [{"id": 3, "title": "Dead Movie", "path": os.path.join(
            s.movies, "Dead Movie (1999)")}],
        "files": [{"id": 301, "movieId": 3, "path": s.dead_link,
                   "relativePath": os.path.basename(s.dead_link)}]})


def deletes(arr):
    return [r["path"] for r in arr.call("/_requests")
            if r["method"] == "DELETE"]


def fail_both(s):
    s.inject(**INFRINGING)
    s.command("run")
    s.wait(lambda: len(s.repairs()["failed"]) == 2, "two failures")


def test_failure_for_good_searches_episodes_and_movie(setup):
    s = setup(search=True)
    give_files(s)
    fail_both(s)
    assert deletes(s.sonarr) == ["/api/v3/episodefile/%d" % n
                                 for n in (101, 102, 103)]
    assert s.sonarr.call("/_commands") == [
        {"name": "EpisodeSearch", "episodeIds": [1001, 1002, 1003]}]
    left = s.sonarr.call("/_files")
    assert [f["id"] for f in left["files"]] == [104]
    assert deletes(s.radarr) == ["/api/v3/moviefile/301"]
    assert s.radarr.call("/_commands") == [
        {"name": "MoviesSearch", "movieIds": [3]}]
    assert all(r["api_key"] == "ok" for r in s.sonarr.call("/_requests"))
    actions = {(a["torrent"], a["service"], a["action"], a["target"],
                a["result"]) for a in s.repairs()["recent_actions"]
               if a["service"] != "mount"}
    other, dead = make_id(OTHER), make_id(DEAD)
    assert actions == {
        (other, "sonarr", "delete_file", "101", "ok"),
        (other, "sonarr", "delete_file", "102", "ok"),
        (other, "sonarr", "delete_file", "103", "ok"),
        (other, "sonarr", "search", "1001, 1002, 1003", "ok"),
        (dead, "radarr", "delete_file", "301", "ok"),
        (dead, "radarr", "search", "3", "ok")}
    told = s.wait(lambda: len([m for m in s.told()
                               if "Replacement searched" in m]) == 2 and
                  s.told(), "the searches told")
    assert "mediamon: Replacement searched: %s\nsonarr: episodes 1001," \
        " 1002, 1003 searched again (3 file records deleted): torrent %s" \
        " cannot be repaired" % (OTHER, other) in told


def test_a_record_gone_already_is_still_searched(setup):
    """Sonarr answers 404 for an episode file (its own rescan dropped
    it): the episode is searched all the same."""
    s = setup(search=True)
    give_files(s, missing=[102])
    fail_both(s)
    assert deletes(s.sonarr) == ["/api/v3/episodefile/%d" % n
                                 for n in (101, 102, 103)]
    assert s.sonarr.call("/_commands") == [
        {"name": "EpisodeSearch", "episodeIds": [1001, 1002, 1003]}]
    results = {a["target"]: a["result"] for a in s.repairs()[
        "recent_actions"] if a["service"] == "sonarr"}
    assert results["102"] == "gone already"
    assert results["101"] == "ok"


def test_no_known_file_falls_back_to_a_rescan(setup):
    """Sonarr knows none of the dead links as its files: nothing is
    deleted there and the series is rescanned, as without the search."""
    s = setup(search=True)
    give_files(s, known=False)
    fail_both(s)
    assert deletes(s.sonarr) == []
    assert s.sonarr.call("/_commands") == [{"name": "RescanSeries",
                                            "seriesId": 7}]
    assert [(a["action"], a["result"]) for a in s.repairs()[
        "recent_actions"] if a["service"] == "sonarr"] == [
        ("files", "gone already")]


def test_search_off_rescans_only(setup):
    s = setup()
    give_files(s)
    fail_both(s)
    assert deletes(s.sonarr) == deletes(s.radarr) == []
    assert s.sonarr.call("/_commands") == [{"name": "RescanSeries",
                                            "seriesId": 7}]
    assert s.radarr.call("/_commands") == [{"name": "RescanMovie",
                                            "movieId": 3}]
    assert {a["service"] for a in s.repairs()["recent_actions"]} == {
        "mount"}


def test_dry_run_and_a_mount_down_search_nothing(setup, tmp_path):
    s = setup(search=True, dry_run=True)
    give_files(s)
    s.inject(**INFRINGING)
    s.command("run")
    assert s.sonarr.call("/_requests") == []
    assert s.radarr.call("/_requests") == []
    s.m.write("control/dry-run", "0\n")
    subprocess.run(["umount", s.rdm], check=True)
    s.command("run")
    assert "debrid mount looks down" in s.m.read(
        "status/health").decode()
    assert s.sonarr.call("/_requests") == []
    assert s.radarr.call("/_requests") == []
    assert s.repairs()["recent_actions"] == []
