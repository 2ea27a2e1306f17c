# SPDX-License-Identifier: GPL-3.0-or-later
"""The foundation over a real mount: every file readable and well formed,
reads consistent at any offset, rescans counting right, bad control writes
refused without effect, clean unmount."""

import csv
import errno
import io
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import threading

import pytest

from conftest import (BINARY, SLOW, WRAPPER, add_scan, is_mounted,
                      make_flac, make_mp3, start, unmount, wait_for)
from test_opds_scan import Trace


@pytest.fixture
def mount(library, tmp_path):
    """These tests count what rescans find, so the watcher must not get
    there first: a one-minute debounce keeps it quiet for a test's length.
    test_watch.py tests the watcher."""
    conf = tmp_path / "quiet.conf"
    conf.write_text("[general]\nwatch_debounce = 60s\n")
    m = start(tmp_path, "config=" + str(conf), "music=" + str(library))
    yield m
    unmount(m.path, m.proc)
    assert not is_mounted(m.path)

GENERATED = ["README", "status/summary.json", "status/health",
             "status/missing", "status/missing.json", "status/unparsed",
             "status/no-cover", "status/tag-errors",
             "status/broken", "status/broken.json", "status/repairs.json",
             "status/debrid-torrents.json", "status/debrid-magnets",
             "status/orphans", "metrics/repair.json", "metrics/repair.csv",
             "control/repair",
             "control/maintenance", "control/blocklist",
             "metrics/scan.json", "metrics/scan.csv", "metrics/watch.json",
             "metrics/scans.json",
             "metrics/checks.csv",
             "control/rescan", "status/duplicates",
             "status/duplicates.json", "metrics/analysis.json",
             "metrics/fuse.json", "control/pause", "metrics/scans.svg",
             "metrics/checks.svg", "metrics/repairs.svg",
             "control/reset-metrics", "log"]

SCAN_FIELDS = ["id", "trigger", "started_at", "finished_at", "duration_s",
               "files_seen", "files_new", "files_changed", "files_unchanged",
               "files_deleted", "tag_errors", "io_errors", "bytes_read",
               "files_per_s", "mb_per_s", "phases", "peak_rss_kb", "cpu_s",
               "cpu_share_pct", "success"]


def test_scans_json_history(library, tmp_path):
    """Three scans, one damaged file among eleven: newest first, each with
    its failed files and success percentage, and the totals of all."""
    (library / "Alpha" / "bad.flac").write_bytes(
        b"fLaC" + bytes(range(256)) * 4)
    m = start(tmp_path, "music=" + str(library))
    try:
        ids = [m.wait_idle()["id"], m.rescan()["id"], m.rescan()["id"]]
        doc = m.json("metrics/scans.json")
        one = m.json("metrics/scan.json")
        csv_rows = m.read("metrics/scan.csv").decode().splitlines()[1:]
    finally:
        unmount(m.path, m.proc)
    scans = doc["scans"]
    assert [s["id"] for s in scans] == ids[::-1]
    assert len(csv_rows) == 3
    # the first scan read the damaged file; a rescan may skip it unchanged
    assert scans[-1]["files_failed"] == 1
    for s in scans:
        assert s["files_seen"] == 11
        assert s["files_failed"] == s["tag_errors"] + s["io_errors"]
        assert s["success_pct"] == pytest.approx(
            100 * (11 - s["files_failed"]) / 11, abs=0.01)
        assert s["success"] is True
        assert s["files_per_s"] > 0
        # the daemon's CPU time over the scan, and its share of the CPUs
        assert s["cpu_s"] >= 0
        assert 0 <= s["cpu_share_pct"] <= 100
        assert s["finished_at"] >= s["started_at"]
    assert scans[-1]["bytes_read"] > 0
    # what failed, in words: the damaged file and why
    first = scans[-1]["first_errors"]
    assert [e["path"] for e in first] == [str(library / "Alpha" /
                                              "bad.flac")]
    assert first[0]["error"]
    for s in scans:
        assert len(s["first_errors"]) == min(5, s["files_failed"])
    # each stage's seconds and its rate: the walk of the files seen, the
    # parse of the new and changed (and their bytes), the write of those
    # and the deleted; null when the stage took no time. The seconds are
    # shown to the thousandth, the rate is of the seconds measured.
    def assert_rate(got, n, secs):
        if got is None:
            assert secs == 0
            return
        assert n / (secs + 0.0005) * 0.999 - 0.0005 <= got
        assert secs < 0.0006 or got <= n / (secs - 0.0005) * 1.001 + 0.0005
    for s in scans:
        st = s["stages"]
        assert st["walk"]["files"] == 11
        assert 0 <= st["parse"]["files"] <= st["write"]["files"]
        for stage in ("walk", "parse", "write"):
            assert_rate(st[stage]["files_per_s"], st[stage]["files"],
                        st[stage]["seconds"])
        assert_rate(st["parse"]["mb_per_s"], s["bytes_read"] / 1e6,
                    st["parse"]["seconds"])
    # the first scan parsed all eleven files
    assert scans[-1]["stages"]["parse"]["files"] == 11
    assert scans[-1]["stages"]["parse"]["files_per_s"] > 0
    for stage in ("walk", "parse", "write"):
        assert scans[0]["stages"][stage]["seconds"] == pytest.approx(
            one["last"]["phases"][stage + "_s"], abs=1e-6), stage
    # the same figures as scan.json's, from the same row
    for key in ("duration_s", "files_per_s", "mb_per_s", "bytes_read",
                "cpu_s", "cpu_share_pct"):
        assert scans[0][key] == one["last"][key], key
    t = doc["totals"]
    failed = sum(s["files_failed"] for s in scans)
    assert (t["scans"], t["succeeded"], t["files_seen"],
            t["files_failed"]) == (3, 3, 33, failed)
    assert t["bytes_read"] == sum(s["bytes_read"] for s in scans)
    total = sum(s["duration_s"] for s in scans)
    assert t["total_duration_s"] == pytest.approx(total, abs=0.002)
    assert t["avg_files_per_s"] == one["totals"]["avg_files_per_s"]
    assert t["total_cpu_s"] == pytest.approx(
        sum(s["cpu_s"] for s in scans), abs=0.002)
    assert t["success_pct"] == pytest.approx(100 * (33 - failed) / 33,
                                             abs=0.01)


def test_scans_json_empty(tmp_path):
    """No scan kept yet (an empty library still scans once): the totals
    of no file say null, not 100%."""
    empty = tmp_path / "empty"
    empty.mkdir()
    m = start(tmp_path, "music=" + str(empty))
    try:
        m.wait_idle()
        doc = m.json("metrics/scans.json")
    finally:
        unmount(m.path, m.proc)
    assert [s["files_seen"] for s in doc["scans"]] == [0]
    assert doc["scans"][0]["success_pct"] is None
    assert doc["totals"]["success_pct"] is None
    assert doc["totals"]["files_failed"] == 0


def test_layout(mount):
    assert sorted(os.listdir(mount.path)) == [
        "README", "control", "library", "log", "manga", "metrics",
        "opds", "playlists", "search", "similar", "status"]
    assert os.listdir(mount.file("manga")) == []
    assert sorted(os.listdir(mount.file("playlists"))) == [
        "decade", "duplicates.m3u8", "genre", "library", "mix", "mpd",
        "own", "recent.m3u8", "similar"]
    assert os.listdir(mount.file("playlists/similar")) == []
    assert sorted(os.listdir(mount.file("playlists/mpd"))) == [
        "duplicates.m3u", "recent.m3u"]
    assert sorted(os.listdir(mount.file("opds"))) == [
        "catalog.xml", "covers", "files", "pages", "recent.xml", "search",
        "search.xml", "series", "series.xml", "updated.xml"]
    assert sorted(os.listdir(mount.file("status"))) == [
        "broken", "broken.json", "debrid-magnets", "debrid-torrents.json",
        "downloads.json", "duplicates",
        "duplicates.json", "found.json", "health", "health.json",
        "missing", "missing.json", "new", "new.json", "no-cover",
        "orphans", "repairs.json", "summary.json", "tag-errors", "unparsed"]
    assert sorted(os.listdir(mount.file("metrics"))) == [
        "analysis.json", "checks-narrow.svg", "checks.csv", "checks.svg",
        "fuse.json", "http.json",
        "mediamon.prom", "monitor.json", "prometheus", "repair.csv",
        "repair.json", "repairs-narrow.svg", "repairs.svg",
        "requests.json", "scan.csv", "scan.json", "scans-narrow.svg",
        "scans.json", "scans.svg", "watch.json"]
    assert sorted(os.listdir(mount.file("control"))) == [
        "blocklist", "check-missing", "check-new", "dry-run", "log-level",
        "maintenance", "pause", "repair", "rescan", "reset-metrics",
        "send"]


# What names real paths is the owner's alone (test_access.py).
OWNER_ONLY = {"status/no-cover", "status/duplicates",
              "status/duplicates.json", "status/broken",
              "status/broken.json", "status/repairs.json", "status/orphans",
              "status/debrid-torrents.json", "status/debrid-magnets",
              "status/missing.json", "status/new.json", "status/unparsed",
              "status/tag-errors", "log"}


def test_modes(mount):
    for rel in GENERATED:
        mode = os.stat(mount.file(rel)).st_mode & 0o777
        assert mode == (0o644 if rel.startswith("control/") else
                        0o400 if rel in OWNER_ONLY else 0o444), rel
    assert os.stat(mount.file("status")).st_mode & 0o777 == 0o555


def test_every_file_readable_and_ends_with_newline(mount):
    for rel in GENERATED:
        data = mount.read(rel)
        # a list with nothing in it (no manga, no links) is an empty file
        assert data.endswith(b"\n") or (
            rel in ("status/missing", "status/unparsed", "status/broken",
                    "status/duplicates", "status/tag-errors",
                    "status/orphans", "status/debrid-magnets")
            and data == b""), rel
        data.decode("utf-8")


def test_json_files_are_valid(mount):
    for rel in ["status/summary.json", "metrics/scan.json",
                "metrics/watch.json", "status/missing.json",
                "status/duplicates.json"]:
        json.loads(mount.read(rel))
    assert json.loads(mount.read("status/missing.json")) == []


def test_summary(mount):
    s = mount.json("status/summary.json")
    assert s["state"] == "idle"
    assert s["version"]
    assert s["uptime_s"] >= 0
    assert s["dry_run"] is True
    c = s["counts"]
    assert (c["tracks"], c["albums"], c["artists"], c["files"]) == (9, 3, 2,
                                                                      10)
    assert c["series"] == c["volumes"] == c["missing"] == 0
    assert c["broken_links"] == 0
    assert len(s["roots"]) == 1 and s["roots"][0]["files"] == 10
    assert s["last_scan"]["trigger"] == "startup"
    assert s["scan_progress"] is None
    # the root, Alpha, Alpha/First, Alpha/Second, Beta, Beta/Third
    assert s["watcher"]["watches"] == 6 and s["watcher"]["enabled"]


def test_scan_json_startup(mount):
    doc = mount.json("metrics/scan.json")
    assert doc["running"] is None
    last = doc["last"]
    for field in SCAN_FIELDS:
        assert field in last, field
    assert set(last["phases"]) == {"walk_s", "parse_s", "write_s"}
    assert last["trigger"] == "startup" and last["success"] is True
    assert last["files_seen"] == 10 and last["files_new"] == 10
    assert last["tag_errors"] == 0 and last["io_errors"] == 0
    assert last["bytes_read"] > 0 and last["peak_rss_kb"] > 0
    assert last["started_at"].endswith("Z")
    assert doc["totals"]["scans"] == 1 and doc["totals"]["succeeded"] == 1


def test_scan_totals(mount):
    """The totals users asked for, over every scan in the store: the
    success rate in percent, the average and last durations in seconds
    and in words, the bytes read."""
    first = mount.json("metrics/scan.json")["last"]
    db = sqlite3.connect(mount.db, timeout=30)
    for i, (ok, duration, size) in enumerate(((0, 72.4, 1000),
                                              (1, 3725, 500))):
        add_scan(db, first["started_at_s"] + 10 + i, duration,
                 bytes_read=size, success=ok)
    db.commit()
    db.close()
    totals = mount.json("metrics/scan.json")["totals"]
    assert totals["scans"] == 3 and totals["succeeded"] == 2
    assert totals["failed"] == 1
    assert totals["success_rate_pct"] == pytest.approx(200 / 3, abs=0.01)
    avg = (first["duration_s"] + 72.4 + 3725) / 3
    assert totals["avg_duration_s"] == pytest.approx(avg, abs=0.01)
    assert totals["avg_duration"] == "21 min 6 s"
    assert totals["last_duration_s"] == 3725
    assert totals["last_duration"] == "1 h 2 min"
    assert totals["bytes_read"] == first["bytes_read"] + 1500


def test_scan_totals_without_scans(tmp_path):
    """No finished scan: no rate and no durations, never a division by
    zero."""
    empty = tmp_path / "empty"
    empty.mkdir()
    m = start(tmp_path, "music=" + str(empty))
    try:
        db = sqlite3.connect(m.db, timeout=30)
        db.execute("DELETE FROM scans")
        db.commit()
        db.close()
        totals = m.json("metrics/scan.json")["totals"]
    finally:
        unmount(m.path, m.proc)
    assert totals["scans"] == 0 and totals["bytes_read"] == 0
    for key in ("success_rate_pct", "avg_duration_s", "avg_duration",
                "last_duration_s", "last_duration"):
        assert totals[key] is None, key


def test_scan_csv(mount):
    mount.rescan("1")
    rows = list(csv.DictReader(io.StringIO(
        mount.read("metrics/scan.csv").decode())))
    assert [r["trigger"] for r in rows] == ["startup", "control"]
    assert rows[0]["files_new"] == "10" and rows[1]["files_unchanged"] == "10"
    assert int(rows[0]["id"]) < int(rows[1]["id"])
    assert all(r["success"] == "1" for r in rows)


def test_health_ok(mount):
    assert mount.read("status/health") == b"ok\n"


def test_readme_names_every_file(mount):
    text = mount.read("README").decode()
    for rel in GENERATED[1:]:
        assert rel in text, rel


# /log is left out: it grows between two opens.
@pytest.mark.parametrize("rel", GENERATED[:-1])
def test_dd_small_blocks_equal_cat(mount, rel):
    whole = subprocess.run(["cat", mount.file(rel)], check=True,
                           capture_output=True).stdout
    pieces = subprocess.run(["dd", "if=" + mount.file(rel), "bs=7",
                             "status=none"], check=True,
                            capture_output=True).stdout
    if rel in ("status/summary.json", "metrics/scan.json",
               "metrics/watch.json", "metrics/analysis.json",
               "metrics/fuse.json"):
        # uptime, the scan's age, the analysis and the requests answered
        # move between the two opens; the structure does not
        assert json.loads(whole).keys() == json.loads(pieces).keys()
    else:
        assert whole == pieces


def test_one_handle_is_one_snapshot(mount):
    with open(mount.file("status/summary.json"), "rb") as f:
        head = f.read(10)
        mount.rescan("1")
        f.seek(0)
        assert f.read(10) == head
        f.seek(0)
        json.loads(f.read())


def whole(path):
    """A file read to its end a page at a time, whatever its size says."""
    fd = os.open(path, os.O_RDONLY)
    data = b""
    try:
        while True:
            part = os.read(fd, 4096)
            if not part:
                return data
            data += part
    finally:
        os.close(fd)


def test_stat_is_what_a_read_gives(mount):
    """A stat() of a generated file renders it for the caller: before any
    open as after, it shows the length a read gives."""
    for rel in ["README", "metrics/scan.csv", "status/health"]:
        size = os.stat(mount.file(rel)).st_size
        assert size == len(whole(mount.file(rel)))
        assert os.stat(mount.file(rel)).st_size == size


def test_reads_are_whole(mount):
    """ls, stat, cat, jq and Python read all of a generated file larger
    than a page, and ls and stat show its length before it was ever
    opened."""
    readme = mount.file("README")
    summary = mount.file("status/summary.json")
    listed = subprocess.run(["ls", "-ln", readme], capture_output=True,
                            text=True, check=True).stdout.split()[4]
    shown = subprocess.run(["stat", "-c", "%s", summary],
                           capture_output=True, text=True,
                           check=True).stdout.strip()
    assert int(listed) == len(whole(readme))
    assert int(shown) == len(whole(summary))
    cat = subprocess.run(["cat", readme], capture_output=True,
                         check=True).stdout
    assert len(cat) > 4096
    with open(readme, "rb") as f:
        assert f.read() == cat
    jq = subprocess.run(["jq", "-c", ".counts", summary],
                        capture_output=True, text=True, check=True).stdout
    assert json.loads(jq)["tracks"] > 0
    assert len(whole(readme)) == len(cat)


def test_rescan_counts_changes(mount, library):
    make_flac(str(library / "Beta" / "Fourth" / "01.flac"), "Fourth 1",
              "Gamma", "Fourth", 1)
    make_mp3(str(library / "Beta" / "Fourth" / "02.mp3"), "Fourth 2",
             "Gamma", "Fourth", 2)
    subprocess.run(["metaflac", "--remove-tag=TITLE", "--set-tag=TITLE=Changed",
                    str(library / "Alpha" / "First" / "01.flac")], check=True)
    os.unlink(str(library / "Alpha" / "Second" / "03.mp3"))

    last = mount.rescan("1")
    assert last["trigger"] == "control"
    assert (last["files_new"], last["files_changed"], last["files_deleted"],
            last["files_unchanged"]) == (2, 1, 1, 8)
    c = mount.json("status/summary.json")["counts"]
    assert (c["tracks"], c["albums"], c["artists"]) == (10, 4, 3)
    db = sqlite3.connect(mount.db)
    titles = {r[0] for r in db.execute("SELECT title FROM tracks")}
    assert "Changed" in titles and "First 1" not in titles
    assert "Second 3" not in titles


def test_unchanged_rescan_opens_nothing(mount):
    last = mount.rescan("1")
    assert last["files_unchanged"] == 10 and last["bytes_read"] == 0


def test_full_rescan_rereads_tags(mount):
    last = mount.rescan("full")
    assert last["files_seen"] == 10 and last["bytes_read"] > 0
    assert last["files_new"] == 0 and last["files_deleted"] == 0


def test_subtree_rescan(mount, library):
    make_flac(str(library / "Beta" / "Third" / "04.flac"), "Third 4",
              "Beta", "Third", 4)
    make_flac(str(library / "Alpha" / "First" / "04.flac"), "First 4",
              "Alpha", "First", 4)
    last = mount.rescan(str(library / "Beta"))
    assert last["files_seen"] == 5 and last["files_new"] == 1
    assert mount.json("status/summary.json")["counts"]["tracks"] == 10
    last = mount.rescan(str(library / "Alpha" / "First" / "04.flac"))
    assert last["files_seen"] == 1 and last["files_new"] == 1
    assert mount.json("status/summary.json")["counts"]["tracks"] == 11


def test_subtree_rescan_of_deleted_folder(mount, library):
    for name in os.listdir(str(library / "Beta" / "Third")):
        os.unlink(str(library / "Beta" / "Third" / name))
    os.rmdir(str(library / "Beta" / "Third"))
    last = mount.rescan(str(library / "Beta" / "Third"))
    assert last["files_deleted"] == 4
    c = mount.json("status/summary.json")["counts"]
    assert (c["tracks"], c["artists"]) == (6, 1)


def test_rename_keeps_track_identity(mount, library):
    db = sqlite3.connect(mount.db)
    before = db.execute("SELECT id FROM tracks WHERE title = 'First 2'"
                        ).fetchone()
    os.rename(str(library / "Alpha" / "First" / "02.flac"),
              str(library / "Alpha" / "First" / "02 - renamed.flac"))
    last = mount.rescan("1")
    assert last["files_new"] == 0 and last["files_deleted"] == 0
    after = db.execute("SELECT t.id, CAST(f.path AS TEXT) FROM tracks t"
                       " JOIN file_paths f ON f.id = t.file_id"
                       " WHERE t.title = 'First 2'").fetchone()
    assert after == (before[0], "Alpha/First/02 - renamed.flac")


BAD_COMMANDS = ["bogus", "", "2", "1 1", "FUL", "relative/path", "/etc",
                "/", "1\n1", "full\n\n"]


def scans_since(mount, library, before):
    """The scans run since the scan totals were before, seen once a
    rescan of one file, asked now, is over and nothing waits: the event
    after which a scan an earlier write asked for would show. A scan asked
    earlier shows as a scan more, or as the one-file scan grown to the
    whole library (an order merged with it), or as the one-file scan
    still pending behind it."""
    one = str(library / "Alpha" / "First" / "01.flac")
    last = mount.rescan(one)
    doc = mount.json("metrics/scan.json")
    return (doc["totals"]["scans"] - before, last["files_seen"],
            mount.scan_waits(doc))


def assert_no_scan_asked(mount, library, before, newest):
    """Nothing but the one-file scan of scans_since() ran since the scan
    totals were before and the newest scan was newest."""
    assert scans_since(mount, library, before) == (1, 1, False)
    assert mount.scan_id() > newest


def test_accepted_write_is_seen_by_the_check(mount, library):
    """The positive control of assert_no_scan_asked(): a scan an accepted
    command asked for shows, whatever the moment its scan starts."""
    for command in ("1", "full", str(library / "Beta")):
        before = mount.json("metrics/scan.json")["totals"]["scans"]
        mount.write("control/rescan", command + "\n")
        assert scans_since(mount, library, before) != (1, 1, False), \
            command
        mount.wait_no_scan()


@pytest.mark.parametrize("command", BAD_COMMANDS)
def test_bad_control_write_is_einval(mount, library, command):
    before = mount.json("metrics/scan.json")["totals"]["scans"]
    newest = mount.scan_id()
    with pytest.raises(OSError) as e:
        mount.write("control/rescan", command + "\n")
    assert e.value.errno == errno.EINVAL
    assert_no_scan_asked(mount, library, before, newest)


def test_bad_paths_are_einval(mount, library):
    for path in [str(library) + "/../etc", str(library) + "/./Alpha",
                 str(library) + "x", str(library) + "//Alpha"]:
        with pytest.raises(OSError) as e:
            mount.write("control/rescan", path)
        assert e.value.errno == errno.EINVAL, path


@pytest.mark.parametrize("echo", ["echo", "/bin/echo"])
def test_shell_echo(mount, echo):
    """bash's builtin and coreutils' echo, as a user types them (dash's
    builtin reports any failed write as "I/O error")."""
    before = mount.scan_id()
    ok = subprocess.run(["bash", "-c", echo + " 1 > " + mount.file(
        "control/rescan")], capture_output=True)
    assert ok.returncode == 0
    bad = subprocess.run(["bash", "-c", echo + " bogus > " + mount.file(
        "control/rescan")], capture_output=True, text=True)
    assert bad.returncode != 0 and "Invalid argument" in bad.stderr
    mount.wait_idle(after_id=before)


def test_truncate_alone_is_a_no_op(mount, library):
    before = mount.json("metrics/scan.json")["totals"]["scans"]
    newest = mount.scan_id()
    os.close(os.open(mount.file("control/rescan"), os.O_WRONLY | os.O_TRUNC))
    assert_no_scan_asked(mount, library, before, newest)


def test_control_read_shows_state(mount):
    text = mount.read("control/rescan").decode()
    assert "state: idle" in text and "full" in text and "PATH" in text


def test_requests_during_a_scan_merge(mount, library):
    # enough files that one rescan outlasts five writes by far
    many = library / "many"
    many.mkdir()
    for i in range(20000):
        (many / ("%05d.txt" % i)).write_bytes(b"")
    # the writes must come while the scan the first starts runs: on a
    # busy machine the test may be held up between two, so try again
    for _ in range(10):
        first = mount.rescan("1")
        for _ in range(5):
            mount.write("control/rescan", "1")
        running = mount.json("metrics/scan.json")["running"]
        doc = mount.wait_quiet()
        if running and running["id"] == first["id"] + 1:
            break
    assert running and running["id"] == first["id"] + 1, \
        "five writes never came within one scan"
    # the first write starts a scan; the other four merge into one more
    assert doc["totals"]["scans"] - first["id"] <= 2
    assert doc["running"] is None and doc["last"]["success"]
    # the same wait sees each scan: one more write, one more scan
    scans = doc["totals"]["scans"]
    mount.write("control/rescan", "1")
    assert mount.wait_quiet()["totals"]["scans"] == scans + 1


def test_status_files_are_read_only(mount):
    for rel in ["status/summary.json", "metrics/scan.json", "README"]:
        with pytest.raises(OSError) as e:
            mount.write(rel, "x")
        assert e.value.errno in (errno.EACCES, errno.EPERM)


def test_log_shows_the_scan(mount):
    assert b"scan 1 finished" in mount.read("log")


def test_mount_helper_form(make_mount, library, tmp_path):
    """mount.fuse3 runs `mediamon SOURCE MOUNTPOINT -o opts`."""
    mnt = tmp_path / "helper"
    mnt.mkdir()
    log = open(str(tmp_path / "helper.log"), "wb")
    proc = subprocess.Popen([BINARY, "mediamon", str(mnt), "-o",
                             "music=%s,db=%s/h.db" % (library, tmp_path)],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        proc.wait(timeout=15)
        assert proc.returncode == 0
        wait_for(lambda: os.path.exists(str(mnt / "README")), 10,
                 "README in the helper's mount")
        assert json.loads((mnt / "status" / "summary.json").read_bytes())
    finally:
        subprocess.run(["fusermount3", "-u", str(mnt)])
    assert not is_mounted(mnt)


def test_missing_paths(mount):
    for rel in ["nope", "status/nope", "control/nope"]:
        assert not os.path.exists(mount.file(rel))


def test_tag_errors_do_not_stop_a_scan(mount, library):
    """Files whose tags cannot be read are indexed by their names,
    counted, and listed with why in /status/tag-errors until they are
    mended."""
    assert mount.read("status/tag-errors") == b""
    broken = library / "Alpha" / "broken.mp3"
    broken.write_bytes(bytes(range(256)) * 16)
    (library / "Alpha" / "empty.flac").write_bytes(b"")
    last = mount.rescan("1")
    assert last["success"] and last["files_new"] == 2
    assert last["tag_errors"] == 2
    db = sqlite3.connect(mount.db)
    titles = {r[0] for r in db.execute("SELECT title FROM tracks")}
    assert {"broken", "empty"} <= titles
    assert mount.read("status/tag-errors").decode().splitlines() == [
        str(broken) + "\tmp3: no MPEG audio frame found",
        str(library / "Alpha" / "empty.flac") + '\tflac: no "fLaC" marker']
    shutil.copyfile(str(library / "Alpha" / "Second" / "01.mp3"),
                    str(broken))
    assert mount.rescan("1")["tag_errors"] == 0
    assert mount.read("status/tag-errors").decode().splitlines() == [
        str(library / "Alpha" / "empty.flac") + '\tflac: no "fLaC" marker']


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_unmounts_and_closes_the_store(make_mount, library, sig):
    m = make_mount("music=" + str(library))
    m.read("status/summary.json")
    m.proc.send_signal(sig)
    assert m.proc.wait(timeout=15) == 0
    assert not is_mounted(m.path)
    # SQLite removes the WAL when the last connection closes cleanly
    assert not os.path.exists(m.db + "-wal")
    db = sqlite3.connect(m.db)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert db.execute("SELECT count(*) FROM tracks").fetchone() == (9,)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_stop_signals_taken_back_when_inherited_ignored(make_mount, library,
                                                       sig):
    """Started as a background job of a script or under nohup, the daemon
    inherits SIGINT and SIGHUP ignored (and any of them may come blocked):
    it still reloads on SIGHUP and stops on SIGINT and SIGTERM."""
    signals = "--ignore-signal=INT,TERM,HUP"
    m = make_mount("music=" + str(library), wrapper=(
        "env", signals, signals.replace("ignore", "block")))
    m.read("status/summary.json")
    m.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: b"reload: done" in m.read("log"),
             15, "the reload SIGHUP asks for", mount=m)
    assert m.proc.poll() is None and is_mounted(m.path)
    m.proc.send_signal(sig)
    assert m.proc.wait(timeout=15) == 0
    assert not is_mounted(m.path)


def blocked_signals(pid, tid):
    with open("/proc/%d/task/%s/status" % (pid, tid)) as f:
        return int(re.search(r"^SigBlk:\s*([0-9a-f]+)$", f.read(),
                             re.M).group(1), 16)


@pytest.mark.skipif(bool(WRAPPER), reason="the wrapper's threads")
def test_stop_signals_reach_the_waiting_thread(make_mount, library):
    """Every thread of the daemon but the first blocks SIGINT, SIGTERM
    and SIGHUP, so the kernel hands them to the one that waits for the
    loop's end, which libfuse's handler wakes; taken by another thread, a
    SIGINT ended the mount only at its next request. Also when they came
    in ignored and blocked."""
    stops = sum(1 << (s - 1) for s in (signal.SIGINT, signal.SIGTERM,
                                       signal.SIGHUP))
    signals = "--ignore-signal=INT,TERM,HUP"
    m = make_mount("music=" + str(library), wrapper=(
        "env", signals, signals.replace("ignore", "block")))
    m.read("status/summary.json")
    pid = m.proc.pid
    tids = os.listdir("/proc/%d/task" % pid)
    assert len(tids) > 4, tids
    for tid in tids:
        blocked = blocked_signals(pid, tid) & stops
        assert blocked == (0 if int(tid) == pid else stops), tid
    m.proc.send_signal(signal.SIGINT)
    assert m.proc.wait(timeout=15 * SLOW) == 0
    assert not is_mounted(m.path)


def test_progress_while_a_scan_runs(mount, library):
    """A full re-read of a few thousand FLAC files lasts long enough to be
    seen running; try a few times on a very fast machine."""
    src = library / "Alpha" / "First" / "01.flac"
    big = library / "big"
    big.mkdir()
    for i in range(3000):
        shutil.copyfile(str(src), str(big / ("%04d.flac" % i)))
    mount.rescan("1")
    seen = {"summary": None, "running": None}

    def look(before):
        """Keep the first running state seen; whether the scan newer than
        before is over."""
        doc = mount.json("status/summary.json")
        if doc["state"] == "scanning" and seen["summary"] is None:
            seen["summary"] = doc
        doc = mount.json("metrics/scan.json")
        if doc["running"] is not None and seen["running"] is None:
            seen["running"] = doc["running"]
        return doc["running"] is None and doc["last"]["id"] > before
    for _ in range(10):
        before = mount.scan_id()
        mount.write("control/rescan", "full")
        wait_for(lambda: look(before), 40, "full rescan after scan %d,"
                 " finished" % before, mount=mount, interval=0.002)
        if seen["summary"] and seen["running"]:
            break
    summary, running = seen["summary"], seen["running"]
    assert summary and running, "never saw a scan running"
    progress = summary["scan_progress"]
    assert 0 <= progress["done"] and progress["total_estimate"] == 3010
    for field in SCAN_FIELDS:
        assert field in running, field
    assert running["success"] is None and running["finished_at"] is None
    assert running["trigger"] == "control"
    assert running["progress"]["total_estimate"] == 3010
    assert running["duration_s"] >= 0


def test_restart_keeps_the_index(make_mount, library, tmp_path):
    m = make_mount("music=" + str(library))
    subprocess.run(["fusermount3", "-u", m.path], check=True)
    m.proc.wait(timeout=15)
    m2 = make_mount("music=" + str(library))
    last = m2.json("metrics/scan.json")["last"]
    assert last["trigger"] == "startup" and last["files_unchanged"] == 10
    assert m2.json("metrics/scan.json")["totals"]["scans"] == 2


def test_help_and_version():
    out = subprocess.run([BINARY, "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "music=DIR" in out.stdout
    out = subprocess.run([BINARY, "--version"], capture_output=True,
                         text=True)
    assert out.returncode == 0 and out.stdout.startswith("mediamon ")


def test_bad_config_stops_before_mounting(tmp_path):
    conf = tmp_path / "bad.conf"
    conf.write_text("[general]\nthreads = 4\nbogus_key = 1\n")
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    out = subprocess.run([BINARY, "-f", "-o", "config=" + str(conf),
                          str(mnt)], capture_output=True, text=True,
                         timeout=10)
    assert out.returncode == 1
    assert str(conf) + ":3:" in out.stderr and "bogus_key" in out.stderr
    assert not is_mounted(mnt)


def test_missing_root_stops_before_mounting(tmp_path):
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    out = subprocess.run([BINARY, "-f", "-o", "music=" + str(tmp_path / "no"),
                          str(mnt)], capture_output=True, text=True,
                         timeout=10)
    assert out.returncode == 1 and "music" in out.stderr
    assert not is_mounted(mnt)


@pytest.mark.parametrize("option", ["entry_timeout=abc",
                                    "attr_timeout=-1"])
def test_bad_cache_timeout_stops_before_mounting(tmp_path, option):
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    out = subprocess.run([BINARY, "-f", "-o", "db=" + str(tmp_path / "db"),
                          "-o", option, str(mnt)], capture_output=True,
                         text=True, timeout=10)
    assert out.returncode == 1
    assert option.split("=")[0] in out.stderr, out.stderr
    assert not is_mounted(mnt)


def test_config_file_roots(make_mount, library, tmp_path):
    conf = tmp_path / "mediamon.conf"
    conf.write_text("[general]\nthreads = 2\nlog_level = debug\n"
                    "[music]\nroot = %s\n" % library)
    m = make_mount("config=" + str(conf))
    assert m.json("status/summary.json")["counts"]["tracks"] == 9


def test_relative_config_path_reloads(make_mount, library, tmp_path):
    """A relative -o config= path is taken where it is given: the daemon
    leaves its working directory, and a reload (SIGHUP) reads the same
    file, and takes the fix made in it (issue 62)."""
    etc = tmp_path / "etc"
    etc.mkdir()
    conf = etc / "m.conf"
    conf.write_text("[music]\nroot = %s\n" % library)
    rel = os.path.relpath(str(conf))
    assert not rel.startswith("/")
    m = make_mount("config=" + rel)
    assert m.json("status/summary.json")["counts"]["tracks"] == 9
    other = tmp_path / "other"
    other.mkdir()
    shutil.copyfile(str(library / "Alpha" / "First" / "01.flac"),
                    str(other / "01.flac"))
    conf.write_text("[music]\nroot = %s\nroot = %s\n" % (library, other))
    m.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: b"reload: done, 2 music" in m.read("log")
             or b"reload: " in m.read("log") and
             b"keeping the configuration" in m.read("log"),
             30, "the reload of " + rel, mount=m)
    log = m.read("log")
    assert b"keeping the configuration" not in log, log[-2000:]
    assert b"reload: done, 2 music" in log
    # the scan the reload starts says so, not "startup"
    wait_for(lambda: any(s["trigger"] == "reload" and s["finished_at"]
                         for s in m.json("metrics/scans.json")["scans"]),
             30, "the reload's scan", mount=m)
    assert [s["trigger"] for s in m.json("metrics/scans.json")["scans"]
            ].count("startup") == 1


@pytest.mark.parametrize("how", ["file", "relative"])
def test_check_config_takes_its_file(tmp_path, how):
    """mediamon --check-config FILE reads FILE, as -o config=FILE does
    (a relative one from the working directory); both at once, or two
    files, are refused (issue 62)."""
    conf = tmp_path / "m.conf"
    conf.write_text("[general]\nthreads = 3\n[music]\nroot = %s\n"
                    % tmp_path)
    path = str(conf) if how == "file" else os.path.relpath(str(conf))
    out = subprocess.run([BINARY, "--check-config", path],
                         capture_output=True, text=True, timeout=30 * SLOW)
    assert out.returncode == 0, out.stderr
    assert re.search(r"^threads = 3$", out.stdout, re.M), out.stdout
    bad = tmp_path / "bad.conf"
    bad.write_text("[general]\nthreads = many\n[music]\nroot = %s\n"
                   % tmp_path)
    out = subprocess.run([BINARY, "--check-config", str(bad)],
                         capture_output=True, text=True, timeout=30 * SLOW)
    assert out.returncode == 1
    assert "threads" in out.stderr
    for extra in (["-o", "config=" + str(conf)], [str(bad)]):
        out = subprocess.run([BINARY, "--check-config", path] + extra,
                             capture_output=True, text=True,
                             timeout=30 * SLOW)
        assert out.returncode == 2, (extra, out.stderr)
        assert "takes one file" in out.stderr


def test_fstat_gives_the_open_snapshot(mount):
    """An open generated file is one snapshot: fstat() gives its size, from
    any thread of the process that opened it, while another process sees
    the size of a rendering made now. (/log is not one: it grows, see
    test_follow.py.)"""
    path = mount.file("metrics/scan.csv")
    fd = os.open(path, os.O_RDONLY)
    try:
        size = os.fstat(fd).st_size
        mount.rescan()      # a scan adds a line to the history
        whole(path)         # a rendering now, whose size stat() shows
        other = int(subprocess.run(["stat", "-c", "%s", path],
                                   capture_output=True, text=True,
                                   check=True).stdout)
        assert other > size
        assert os.fstat(fd).st_size == size
        seen = []
        t = threading.Thread(target=lambda: seen.append(
            os.fstat(fd).st_size))
        t.start()
        t.join(30 * SLOW)
        assert not t.is_alive(), "fstat from another thread never came back"
        assert seen == [size]
        data = b""
        while True:
            part = os.read(fd, 4096)
            if not part:
                break
            data += part
        assert len(data) == size
    finally:
        os.close(fd)
    # closed, the file is a fresh rendering again
    assert os.stat(path).st_size >= other


def scan_csv_sizes(mount, fd):
    """The size fstat() gives of fd, an open metrics/scan.csv, and the
    one stat() gives after a scan made the file longer."""
    path = mount.file("metrics/scan.csv")
    size = os.fstat(fd).st_size
    mount.rescan()
    whole(path)
    other = int(subprocess.run(["stat", "-c", "%s", path],
                               capture_output=True, text=True,
                               check=True).stdout)
    return size, other


def test_fstat_of_a_file_another_thread_opened(mount):
    """A file a thread opened that is not the process's first is the
    process's: fstat() from the first thread gives its snapshot."""
    path = mount.file("metrics/scan.csv")
    fds = []
    t = threading.Thread(target=lambda: fds.append(
        os.open(path, os.O_RDONLY)))
    t.start()
    t.join(30 * SLOW)
    assert not t.is_alive(), "open from another thread never came back"
    try:
        size, other = scan_csv_sizes(mount, fds[0])
        assert other > size
        assert os.fstat(fds[0]).st_size == size
    finally:
        os.close(fds[0])


def test_open_by_one_thread_reads_no_proc(mount, tmp_path):
    """The process of an opener with one thread is known by one system
    call (tgkill() with no signal), without a read of /proc/PID/status
    at each open."""
    trace = Trace(mount.proc.pid, str(tmp_path / "strace.log"),
                  "openat,tgkill")
    try:
        trace.wait_attached()
        cat = subprocess.Popen(["cat", mount.file("status/summary.json")],
                               stdout=subprocess.PIPE)
        out = cat.communicate(timeout=30 * SLOW)[0]
    finally:
        seen = trace.stop()
    assert cat.returncode == 0
    assert json.loads(out)["counts"]["tracks"] == 9
    assert re.search(rb"tgkill\(%d, %d, 0\) += 0" % (cat.pid, cat.pid),
                     seen), seen
    assert not re.search(rb"/proc/\d+/status", seen), seen
