# SPDX-License-Identifier: GPL-3.0-or-later
"""The live index at its limits, and what it reports: an inotify queue that
overflows, the kernel's watch limit reached (polling takes over),
folders that vanish while watched, an unreadable folder, the cap on
watches, and the watcher's figures in watch.json and the summary."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap

import pytest

from conftest import (BINARY, REPO, SLOW, is_mounted, log_tail, make_flac,
                      stopped, wait_for)
from watch_common import (CONVERGE_S, NOT_YET, DEBOUNCE, HEALTH_LIMIT, fs_dirs,
                          alive, wait_converged, scan_rows, counts, write_conf,
                          small_inotify_queue)
from watch_common import watched  # noqa: F401 (for pytest)


# lowers the machine's inotify queue limit (small_inotify_queue)
@pytest.mark.serial
def test_queue_overflow(make_mount, library, tmp_path):
    with small_inotify_queue():
        m = make_mount("config=" + str(write_conf(tmp_path, library)),
                       wait=False)
        # the limit is taken when the daemon makes its inotify instance;
        # once it holds a watch, that has happened
        wait_for(lambda: m.json("metrics/watch.json")["watches"] > 0,
                 CONVERGE_S, "first watch", mount=m, ignore=NOT_YET)
    m.wait_idle()
    wait_converged(m, library)
    overflows_before = m.json("metrics/watch.json")["overflows"]

    # Keep the daemon from reading while the burst happens, so that the
    # 64-event queue surely overflows (a fast reader could keep up).
    first = library / "Alpha" / "First"
    with stopped(m.proc):
        for i in range(500):
            with open(str(first / ("burst%03d.txt" % i)), "wb") as f:
                f.write(b"%d\n" % i)
        os.unlink(str(first / "03.flac"))
        os.unlink(str(library / "Beta" / "Third" / "notes.txt"))
    have = wait_converged(m, library, timeout=30)
    assert len(have) == 508
    w = wait_for(lambda: m.json("metrics/watch.json"), CONVERGE_S,
                 "overflow counted", until=lambda w:
                 w["events"]["overflow"] >= 1 and
                 w["overflows"] > overflows_before, mount=m, ignore=NOT_YET)
    assert w["overflows"] >= 1
    s = m.json("status/summary.json")["watcher"]
    assert s["overflows"] >= 1
    # the root whose queue overflowed, whole (its own queue: the only
    # root here), not every root
    rows = wait_for(lambda: [r for r in scan_rows(m)
                             if r["trigger"] == "watch" and
                             int(r["files_seen"]) >= 508], CONVERGE_S,
                    "overflow rescan of the root (trigger watch)", mount=m,
                    ignore=NOT_YET)
    assert all(r["scope"] != "all" for r in rows), rows
    assert rows
    assert "overflow" in log_tail(m.proc, 500).lower(), "overflow not logged"
    wait_for(lambda: counts(m)["tracks"], CONVERGE_S, "8 tracks",
             until=lambda n: n == 8, mount=m, ignore=NOT_YET)
    alive(m)


INNER = textwrap.dedent(r'''
    import csv, io, json, os, sqlite3, subprocess, sys, time, traceback
    binary, conf, mnt, db, root, deep_file, src, logpath = sys.argv[1:9]
    sys.path.insert(0, sys.argv[9])
    from conftest import wait_for
    res = {"stage": "start"}

    def mounted():
        with open("/proc/self/mounts") as f:
            return any(line.split()[1] == mnt for line in f)

    def rd(rel):
        with open(os.path.join(mnt, rel), "rb") as f:
            return f.read()

    def in_db(rel):
        try:
            c = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=10)
            try:
                return c.execute("SELECT count(*) FROM file_paths"
                                 " WHERE path = ?",
                                 (rel.encode(),)).fetchone()[0] > 0
            finally:
                c.close()
        except sqlite3.Error:
            return False

    proc = None
    try:
        with open("/proc/sys/user/max_inotify_watches", "w") as f:
            f.write("3")
        with open("/proc/sys/user/max_inotify_watches") as f:
            res["limit"] = f.read().strip()
        log = open(logpath, "wb")
        proc = subprocess.Popen([binary, "-f", "-o", "config=" + conf,
                                 "-o", "db=" + db, mnt],
                                stdout=log, stderr=subprocess.STDOUT)
        wait_for(lambda: mounted() or proc.poll() is not None, 15,
                 "mount, nor the daemon's exit", interval=0.02)
        if not mounted():
            raise RuntimeError("mount did not come up")
        res["stage"] = "mounted"
        wait_for(lambda: json.loads(rd("metrics/scan.json")), 30,
                 "first scan finished", until=lambda doc:
                 doc["running"] is None and doc["last"])
        res["stage"] = "scanned"
        res["health"] = wait_for(lambda: rd("status/health").decode(), 10,
                                 "warning in status/health",
                                 until=lambda h: h.startswith("warn"))
        res["summary"] = json.loads(rd("status/summary.json"))
        res["watch"] = json.loads(rd("metrics/watch.json"))
        res["stage"] = "read"
        with open(src, "rb") as f:
            data = f.read()
        with open(deep_file, "wb") as f:
            f.write(data)
        rel = os.path.relpath(deep_file, root)
        t0 = time.time()
        try:
            res["found"] = wait_for(lambda: in_db(rel), 10,
                                    "new file in the store", interval=0.1)
        except AssertionError:
            res["found"] = False     # the test says so, with what follows
        res["found_after_s"] = round(time.time() - t0, 2)
        # the file is in the index before its scan's row is finished
        try:
            res["scans"] = wait_for(lambda: list(csv.DictReader(io.StringIO(
                rd("metrics/scan.csv").decode()))), 10,
                "scan with trigger schedule that found a file",
                until=lambda rows: any(r["trigger"] == "schedule" and
                                       int(r["files_new"]) for r in rows),
                interval=0.1)
        except AssertionError:
            res["scans"] = list(csv.DictReader(io.StringIO(
                rd("metrics/scan.csv").decode())))
        res["health_after"] = rd("status/health").decode()
        res["watch_after"] = json.loads(rd("metrics/watch.json"))
        res["alive"] = proc.poll() is None
        res["stage"] = "done"
    except Exception:
        res["error"] = traceback.format_exc()
    finally:
        if proc is not None:
            if mounted():
                subprocess.run(["fusermount3", "-u", mnt])
            if mounted():
                subprocess.run(["umount", mnt])
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                subprocess.run(["umount", "-l", mnt])
            res["exit_code"] = proc.returncode
        res["unmounted"] = not mounted()
        try:
            with open(logpath, errors="replace") as f:
                res["log"] = f.read()[-4000:]
        except OSError:
            pass
        print("RESULT " + json.dumps(res), flush=True)
''')


def test_watch_limit_falls_back_to_polling(tmp_path, template_library):
    probe = subprocess.run(["unshare", "-U", "-r", "-m", "--propagation",
                            "private", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("no user namespaces: %s" % probe.stderr.decode())
    root = tmp_path / "music"
    deep = root
    for name in "abcdef":
        deep = deep / name
        deep.mkdir(parents=True)
        (deep / ("%s.txt" % name)).write_text(name + "\n")
    shutil.copyfile(str(template_library / "Alpha" / "First" / "01.flac"),
                    str(root / "a" / "01.flac"))
    assert fs_dirs(root) >= 7
    conf = write_conf(tmp_path, root, poll="1s")
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    script = tmp_path / "inner.py"
    script.write_text(INNER)
    src = str(template_library / "Beta" / "Third" / "01.flac")
    deep_file = str(deep / "new.flac")
    cmd = ["unshare", "-U", "-r", "-m", "--propagation", "private",
           sys.executable if sys.executable else "/usr/bin/python3",
           str(script), BINARY, str(conf), str(mnt),
           str(tmp_path / "state.db"), str(root), deep_file, src,
           str(tmp_path / "mediamon.log"),
           os.path.join(REPO, "tests", "integration")]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=120 * SLOW)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        raise AssertionError("namespace script hung: %s %s" % (out, err))
    lines = [l for l in out.decode().splitlines() if l.startswith("RESULT ")]
    assert lines, "no result: %s\n%s" % (out.decode(), err.decode())
    res = json.loads(lines[-1][len("RESULT "):])
    info = json.dumps({k: v for k, v in res.items() if k != "log"},
                      indent=1) + "\n" + res.get("log", "")
    assert "error" not in res and res["stage"] == "done", info
    assert res["limit"] == "3", info

    m = HEALTH_LIMIT.search(res["health"])
    assert m, info
    assert "warn: inotify watch limit reached, " in res["health"], info
    assert "directories polled every 1s" in res["health"], info
    polled = int(m.group(1))
    w = res["summary"]["watcher"]
    assert w["enabled"] is True and w["fallback"] is True, info
    assert w["polled_dirs"] > 0 and w["polled_dirs"] == polled, info
    assert 0 < w["watches"] <= 3, info
    assert res["watch"]["polled_dirs"] == polled, info
    assert res["watch"]["poll_interval_s"] == 1, info
    assert res["found"], info
    assert any(r["trigger"] == "schedule" and int(r["files_new"]) >= 1
               for r in res["scans"]), info
    assert res["alive"] and res["exit_code"] == 0, info
    assert res["unmounted"], info
    assert not is_mounted(mnt)


def test_vanishing_directories_do_not_stop_the_watcher(watched, library,
                                                       template_library):
    src = str(template_library / "Alpha" / "First" / "01.flac")
    for i in range(300):
        d = str(library / ("churn%d" % (i % 7)))
        os.mkdir(d)
        if i % 3 == 0:
            os.mkdir(d + "/sub")
            with open(d + "/sub/x.txt", "wb") as f:
                f.write(b"x")
            os.unlink(d + "/sub/x.txt")
            os.rmdir(d + "/sub")
        os.rmdir(d)
        if i == 150:
            shutil.copyfile(src, str(library / "Beta" / "Third" /
                                     "05.flac"))
    have = wait_converged(watched, library)
    assert b"Beta/Third/05.flac" in have and len(have) == 11
    alive(watched)

    # still watching afterwards
    shutil.copyfile(src, str(library / "Alpha" / "after.flac"))
    have = wait_converged(watched, library)
    assert b"Alpha/after.flac" in have

    # and the watches of the removed directories were let go
    ndirs = fs_dirs(library)
    w = wait_for(lambda: watched.json("metrics/watch.json"), CONVERGE_S,
                 "watch count near %d directories" % ndirs,
                 until=lambda w: ndirs <= w["watches"] <= ndirs + 5,
                 mount=watched, ignore=NOT_YET)
    assert w["polled_dirs"] == 0
    alive(watched)


RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?"
                     r"(Z|[+-]\d\d:\d\d)$")


EVENT_KINDS = ["create", "close_write", "delete", "moved_from", "moved_to",
               "delete_self", "move_self", "attrib", "overflow"]


def check_watch_json(w):
    for key in ["watches", "polled_dirs", "debounce_ms", "poll_interval_s",
                "overflows", "storms", "batches", "paths_submitted"]:
        assert type(w[key]) is int and w[key] >= 0, key
    assert type(w["enabled"]) is bool
    assert set(EVENT_KINDS + ["total"]) <= set(w["events"])
    for kind in EVENT_KINDS + ["total"]:
        assert type(w["events"][kind]) is int and w["events"][kind] >= 0, kind
    assert w["events"]["total"] >= sum(w["events"][k] for k in EVENT_KINDS
                                       if k != "overflow")
    lat = w["latency_ms"]
    assert type(lat["samples"]) is int and lat["samples"] >= 0
    for key in ["p50", "p95", "max"]:
        if not lat["samples"]:
            assert lat[key] is None, key
        else:
            assert type(lat[key]) in (int, float) and lat[key] >= 0, key
    assert w["last_event_at"] is None or RFC3339.match(w["last_event_at"])


def check_summary_watcher(s):
    assert set(s) >= {"enabled", "watches", "overflows", "polled_dirs",
                      "events", "last_event_at", "fallback"}
    assert type(s["enabled"]) is bool and type(s["fallback"]) is bool
    for key in ["watches", "overflows", "polled_dirs", "events"]:
        assert type(s[key]) is int and s[key] >= 0, key
    assert s["fallback"] == (s["polled_dirs"] > 0)
    assert s["last_event_at"] is None or RFC3339.match(s["last_event_at"])


def test_watch_json_and_summary(watched, library):
    assert "watch.json" in os.listdir(watched.file("metrics"))
    assert os.stat(watched.file("metrics/watch.json")).st_mode & 0o777 == \
        0o444
    w = watched.json("metrics/watch.json")
    check_watch_json(w)
    assert w["enabled"] is True
    assert w["debounce_ms"] == 100 and w["poll_interval_s"] == 2
    assert w["watches"] >= fs_dirs(library) == 6
    assert w["polled_dirs"] == 0 and w["overflows"] == 0
    assert w["last_event_at"] is None and w["events"]["total"] == 0
    s = watched.json("status/summary.json")["watcher"]
    check_summary_watcher(s)
    assert s["enabled"] is True and s["fallback"] is False
    assert s["watches"] == w["watches"] and s["polled_dirs"] == 0
    assert s["last_event_at"] is None
    assert watched.read("status/health") == b"ok\n"

    # some changes of every common kind
    shutil.copyfile(str(library / "Alpha" / "First" / "01.flac"),
                    str(library / "Alpha" / "First" / "copy.flac"))
    os.unlink(str(library / "Alpha" / "Second" / "02.mp3"))
    os.rename(str(library / "Beta" / "Third" / "01.flac"),
              str(library / "Beta" / "Third" / "one.flac"))
    os.mkdir(str(library / "Newdir"))
    wait_converged(watched, library)
    wait_for(lambda: watched.json("metrics/watch.json")["watches"] >= 7,
             CONVERGE_S, "watch on Newdir", mount=watched, ignore=NOT_YET)
    os.rename(str(library / "Newdir"), str(library / "Renamed"))
    (library / "Renamed" / "in.txt").write_text("in\n")
    wait_converged(watched, library)
    os.unlink(str(library / "Renamed" / "in.txt"))
    os.rmdir(str(library / "Renamed"))
    wait_converged(watched, library)

    w = wait_for(lambda: watched.json("metrics/watch.json"), CONVERGE_S,
                 "latency samples and delete_self",
                 until=lambda w: w["latency_ms"]["samples"] > 0 and
                 w["events"]["delete_self"] >= 1, mount=watched,
                 ignore=NOT_YET)
    check_watch_json(w)
    ev = w["events"]
    for kind in ["create", "close_write", "delete", "moved_from",
                 "moved_to", "delete_self", "move_self"]:
        assert ev[kind] >= 1, (kind, ev)
    assert ev["overflow"] == 0 and w["overflows"] == 0
    assert ev["total"] >= 7
    assert w["batches"] >= 1 and w["paths_submitted"] >= 1
    lat = w["latency_ms"]
    assert lat["p50"] <= lat["p95"] <= lat["max"], lat
    assert RFC3339.match(w["last_event_at"]), w["last_event_at"]
    watched.wait_quiet(timeout=CONVERGE_S)

    # once quiet, the summary agrees with watch.json
    s = watched.json("status/summary.json")["watcher"]
    w = watched.json("metrics/watch.json")
    check_summary_watcher(s)
    assert s["events"] == w["events"]["total"], (s, w)
    assert s["last_event_at"] == w["last_event_at"]
    assert s["overflows"] == w["overflows"] == 0
    assert s["watches"] == w["watches"] >= fs_dirs(library)
    alive(watched)


def test_defaults(mount, library):
    """No [general] watch keys: 200 ms debounce, 5 min poll, and the
    watcher on."""
    w = mount.json("metrics/watch.json")
    check_watch_json(w)
    assert w["enabled"] is True
    assert w["debounce_ms"] == 200 and w["poll_interval_s"] == 300
    (library / "Alpha" / "late.txt").write_text("late\n")
    have = wait_converged(mount, library)
    assert b"Alpha/late.txt" in have
    alive(mount)


# Root bypasses file permissions through two capabilities; without them a
# folder owned by another user with mode 0700 is as unreadable to the
# daemon as lost+found is to a normal user, and it still mounts as root.
NO_DAC = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search",
          "--inh-caps", "-dac_override,-dac_read_search", "--"]


def test_unreadable_directory(make_mount, library, tmp_path):
    """A folder the daemon may not read is counted, warned about once in
    the log, keeps what the store knew, folders below it included, and
    never stops the watcher; a folder beside it whose name begins with
    its name is not below it, and goes when it goes."""
    locked = library / "Locked"
    make_flac(str(locked / "01.flac"), "Hidden", "Gamma", "Locked", 1)
    make_flac(str(locked / "Deeper" / "02.flac"), "Deep", "Gamma",
              "Locked", 2)
    beside = library / "Locked 2"
    make_flac(str(beside / "03.flac"), "Beside", "Gamma", "Locked 2", 3)
    conf = write_conf(tmp_path, library)
    m = make_mount("config=" + str(conf), wrapper=NO_DAC)
    assert m.json("status/summary.json")["counts"]["tracks"] == 12

    os.chown(str(locked), 65534, 65534)
    os.chmod(str(locked), 0o700)
    try:
        for _ in range(2):
            last = m.rescan("1")
            assert last["success"] and last["io_errors"] == 1
            assert last["files_deleted"] == 0
        # what the store knew under the folder is kept
        assert m.json("status/summary.json")["counts"]["tracks"] == 12
        assert b"could not read 1 files or directories" in m.read(
            "status/health")
        log = m.read("log").decode()
        assert log.count("cannot read directory %s" % locked) == 1, log

        shutil.rmtree(str(beside))
        # the watcher may take it out before the rescan, which then has
        # nothing left to delete
        last = m.rescan("1")
        assert last["success"] and last["files_deleted"] in (0, 1)
        assert m.json("status/summary.json")["counts"]["tracks"] == 11

        make_flac(str(library / "Alpha" / "First" / "04.flac"), "First 4",
                  "Alpha", "First", 4)
        wait_for(lambda: m.json("status/summary.json")["counts"]["tracks"],
                 CONVERGE_S, "12 tracks", until=lambda n: n == 12, mount=m)
    finally:
        os.chmod(str(locked), 0o755)


def test_max_watches_caps_the_watches(tmp_path, template_library,
                                      make_mount):
    """The daemon's watches come from its user's quota, shared with the
    other services of that user: [general] max_watches = 3 watches three
    folders of seven and no more, the others are rescanned every
    poll_interval (a track copied into the deepest is found), each once
    however often rescans meet it and no more once it is gone, and
    health warns. The kernel's own limit is far above 3 here."""
    root = tmp_path / "music"
    deep = root
    for name in "abcdef":
        deep = deep / name
        deep.mkdir(parents=True)
    shutil.copyfile(str(template_library / "Alpha" / "First" / "01.flac"),
                    str(root / "a" / "01.flac"))
    conf = tmp_path / "w.conf"
    conf.write_text("[music]\nroot = %s\n[general]\nwatch_debounce = %s\n"
                    "poll_interval = 1s\nmax_watches = 3\n"
                    % (root, DEBOUNCE))
    m = make_mount("config=" + str(conf))
    health = wait_for(lambda: m.read("status/health").decode(), CONVERGE_S,
                      "the watch limit in status/health", mount=m,
                      until=HEALTH_LIMIT.search)
    assert "directories polled every 1s" in health, health
    w = m.json("status/summary.json")["watcher"]
    assert w["watches"] == 3 and w["polled_dirs"] == 4, w
    shutil.copyfile(str(template_library / "Beta" / "Third" / "01.flac"),
                    str(deep / "new.flac"))
    wait_for(lambda: os.listdir(m.file("library/music/artists")),
             CONVERGE_S, "the track of a polled folder", mount=m,
             until=lambda names: "Beta" in names)
    # rescans meet the polled folders again: each is polled once
    for _ in range(2):
        m.rescan("1")
        w = m.json("status/summary.json")["watcher"]
        assert w["watches"] == 3 and w["polled_dirs"] == 4, w
    # a polled folder that goes is polled no more
    os.unlink(str(deep / "new.flac"))
    os.rmdir(str(deep))
    wait_for(lambda: m.json("status/summary.json")["watcher"], CONVERGE_S,
             "the folder gone from the polled ones", mount=m,
             until=lambda w: w["polled_dirs"] == 3)
