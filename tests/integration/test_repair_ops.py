# SPDX-License-Identifier: GPL-3.0-or-later
"""Real-Debrid repair as its users run it, over a real mount with the
Real-Debrid and Sonarr fakes: the repairer alone, in a lane of its own
beside slow manga checks, repairing from the account's listing, a full
resync that outlives a kill, retry and forget, the history of passes,
the token given by systemd, and the maintenance control."""

import csv
import datetime
import errno
import io
import os
import sqlite3

import pytest

from conftest import unmount, wait_for
from test_repair import DEAD, OTHER, rd_mount, setup  # noqa: F401
from realdebrid_fake import (BUILTIN, TOKEN, make_hash,  # noqa: E402
                             make_id, torrent)

ERRORED = "Errored.Show.S03"
VIRUS = "Virus.Thing.2020"


def einval(m, path, text):
    with pytest.raises(OSError) as e:
        m.write(path, text)
    assert e.value.errno == errno.EINVAL, text


def seconds(stamp):
    """An RFC 3339 UTC time as epoch seconds."""
    return datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def lists(s, after=0):
    """The offset of each list request, from the after-th request on."""
    return [r["args"].get("offset", [""])[0]
            for r in s.requests()[after:] if r["path"] == "/torrents"]


def test_realdebrid_alone_starts_and_repairs(setup):
    """No [music], no [manga]: the mount comes up, repairs, and the
    music and manga files are empty; nothing but the repair speaks."""
    s = setup(music=False)
    s.command("run")
    s.wait(lambda: len(s.repairs()["repaired"]) == 2, "two repairs")
    assert {s.states()[p] for p in s.other_links + [s.dead_link]} == {
        "repaired"}
    summary = s.m.json("status/summary.json")
    assert summary["roots"] == []
    assert summary["counts"]["tracks"] == 0
    assert summary["counts"]["series"] == 0
    for empty in ("status/missing", "status/new", "status/no-cover",
                  "status/duplicates"):
        assert s.m.read(empty) == b"", empty
    assert s.m.json("status/missing.json") == []
    assert os.listdir(s.m.file("library/music/artists")) == []
    assert os.listdir(s.m.file("manga")) == []
    assert s.m.read("control/check-missing").startswith(b"state: off")
    assert s.m.read("status/health") == (
        b"warn: 1 dead debrid links match no torrent, or several"
        b" (see /status/broken)\n")
    log = (s.tmp / "mediamon.log").read_text().splitlines()
    assert [line for line in log if " warn: " in line or
            " error: " in line] == []
    assert not [line for line in log if "monitor:" in line]


def make_slow_series(root, names):
    for name in names:
        os.makedirs(os.path.join(root, name))
        with open(os.path.join(root, name, name + " T01.cbz"), "wb") as f:
            f.write(b"PK\x05\x06" + b"\0" * 18)


def test_repair_runs_while_a_manga_check_is_slow(setup, tmp_path, fake):
    """A check of new volumes that waits on a slow Nautiljon does not hold
    a repair pass back: the pass starts after the check and ends before
    it, and both still go at their own pace."""
    nautiljon = fake("nautiljon_fake.py")
    manga = tmp_path / "manga"
    # each page takes 6 s: the check lasts about half a minute
    make_slow_series(str(manga), ["Slow 6000 %d" % n for n in range(5)])
    s = setup(sections="[manga]\nroot = %s\nmonitored_root = %s\n"
              "[monitor]\nauto_check_interval = 0\nmissing_volumes = no\n"
              "new_sources = nautiljon\n"
              "[nautiljon]\nurl = %s\nrequests_per_minute = 60\n"
              % (manga, manga, nautiljon.url))
    s.m.write("control/check-new", "1\n")
    s.wait(lambda: s.m.json("metrics/monitor.json")["running"]["new"] and
           nautiljon.call("/_requests"), "the check under way")
    s.command("run")
    monitor = s.m.json("metrics/monitor.json")
    assert monitor["running"]["new"] is True
    last_pass = s.repairs()["last_pass"]
    s.wait(lambda: s.m.json("metrics/monitor.json")["last_check"]["new"]
           and s.m.json("metrics/monitor.json")["last_check"]["new"][
               "finished_at_s"], "the check's end", timeout=120)
    check = s.m.json("metrics/monitor.json")["last_check"]["new"]
    assert seconds(last_pass["started_at"]) >= int(check["started_at_s"])
    assert seconds(last_pass["finished_at"]) <= check["finished_at_s"]
    assert len(nautiljon.call("/_requests")) == 5
    s.wait(lambda: len(s.repairs()["repaired"]) == 2, "two repairs")


def errored_account():
    return BUILTIN["torrents"] + [
        torrent(ERRORED, [("/%s/E01.mkv" % ERRORED, 500000, 1),
                          ("/%s/E02.mkv" % ERRORED, 510000, 1),
                          ("/%s/sample.mkv" % ERRORED, 5000, 0)],
                status="error", added="2024-04-01T00:00:00"),
        torrent(VIRUS, [("/%s.mkv" % VIRUS, 700, 1)], status="virus",
                added="2024-04-02T00:00:00"),
    ]


def adds_of(s, name):
    return [r for r in s.requests() if r["path"] == "/torrents/addMagnet"
            and make_hash(name) in r["form"]["magnet"][0]]


def test_account_errors_repaired_from_the_listing(setup):
    """A torrent the account lists in error, with no link into it, is
    re-added by its hash with the files selected before, and the old one
    goes once the new one is downloaded; magnet_error too; a virus is
    left as it is."""
    s = setup(account=errored_account(), account_errors=True)
    s.command("run")
    s.wait(lambda: {make_id(ERRORED), make_id("Broken.Magnet")} <= {
        r["torrent"] for r in s.repairs()["repaired"]}, "the repairs")
    requests = s.requests()
    torrents = {t["id"]: t for t in s.rd.call("/_torrents")}
    assert make_id(ERRORED) not in torrents
    new = [t for t in torrents.values() if t["filename"] == ERRORED]
    assert len(new) == 1 and new[0]["status"] == "downloaded"
    assert [f["id"] for f in new[0]["files"] if f["selected"]] == [1, 2]
    assert len(adds_of(s, ERRORED)) == 1
    selects = [r["form"]["files"][0] for r in requests
               if r["path"] == "/torrents/selectFiles/" + new[0]["id"]]
    assert selects == ["1,2"]
    delete = [i for i, r in enumerate(requests) if r["method"] == "DELETE"
              and r["path"].endswith(make_id(ERRORED))]
    infos = [i for i, r in enumerate(requests)
             if r["path"] == "/torrents/info/" + new[0]["id"]]
    assert len(delete) == 1 and delete[0] > infos[-1]
    assert adds_of(s, VIRUS) == []
    assert torrents[make_id(VIRUS)]["status"] == "virus"
    # the links' repairs went as before
    s.wait(lambda: len(s.repairs()["repaired"]) == 4, "the link repairs")


def test_account_errors_left_alone_with_the_key_off(setup):
    s = setup(account=errored_account(), account_errors=False)
    s.command("run")
    # the same pass repairs the torrents with dead links
    s.wait(lambda: {r["torrent"] for r in s.repairs()["repaired"]} == {
        make_id(OTHER), make_id(DEAD)}, "the link repairs")
    s.command("run")
    assert adds_of(s, ERRORED) == []
    assert adds_of(s, "Broken.Magnet") == []
    torrents = {t["id"]: t for t in s.rd.call("/_torrents")}
    assert torrents[make_id(ERRORED)]["status"] == "error"
    doc = s.repairs()
    listed = doc["queue"] + doc["retry_queue"] + doc["repaired"] + \
        doc["failed"]
    assert make_id(ERRORED) not in {r["torrent"] for r in listed}


def test_resync_goes_on_after_a_kill(setup):
    """A resync lists every page (a server paging 1,000 at a time);
    killed while a page is asked for, the daemon goes on after a restart
    from that page, not from the start, with the progress kept."""
    start = datetime.datetime(2025, 1, 1)
    fillers = [torrent("Filler.%04d" % i, [("/Filler.%04d.mkv" % i, 10, 1)],
                       added=(start + datetime.timedelta(minutes=i))
                       .strftime("%Y-%m-%dT%H:%M:%S"))
               for i in range(2500)]
    s = setup(dry_run=True, account=fillers + BUILTIN["torrents"],
              state={"settings": {"page_max": 1000}})
    s.inject(path_regex="^/torrents$", query_regex="offset=1800&",
             delay_ms=60000)
    s.m.write("control/repair", "resync\n")
    s.wait(lambda: "1800" in lists(s), "page 3 asked for")
    sync = s.repairs()["sync"]
    assert sync["resync"] is True
    assert (sync["pages_done"], sync["torrents_seen"], sync["next_page"]) \
        == (2, 1900, 3)
    assert sync["total"] == 2505 and sync["finished_at"] is None
    assert b"listing: resync, 2 pages, 1900 torrents seen since " in \
        s.m.read("control/repair")
    began = sync["started_at"]
    s.m.proc.kill()
    s.m.proc.wait()
    unmount(s.m.path, s.m.proc)
    n = len(s.requests())
    s.start()
    s.wait(lambda: s.repairs()["sync"]["finished_at"], "the resync's end")
    s.wait(lambda: (s.repairs()["last_pass"] or {}).get("trigger") ==
           "follow-up", "the pass that ended it")
    # from page 3 to a last page that brings nothing new
    assert lists(s, n) == ["1800", "2405"]
    sync = s.repairs()["sync"]
    assert sync["resync"] is False
    assert (sync["pages_done"], sync["torrents_seen"], sync["total"]) == (
        4, 2505, 2505)
    assert sync["started_at"] == began
    assert s.changes() == []
    # the next pass lists the account whole, from the start again
    n = len(s.requests())
    s.command("scan")
    assert lists(s, n) == ["0", "900", "1800", "2405"]


def test_retry_and_forget(setup):
    """Both torrents fail for good; forget drops one from the failures
    and nothing brings it back; retry repairs the other from the start.
    Anything else is refused."""
    s = setup()
    s.inject(path_regex="addMagnet", status=451,
             body={"error": "infringing_file", "error_code": 35}, times=2)
    s.command("run")
    s.wait(lambda: len(s.repairs()["failed"]) == 2, "two failures")
    other, dead = make_id(OTHER), make_id(DEAD)
    assert not any(os.path.lexists(p) for p in s.other_links)
    for bad in ("retry\n", "forget\n", "retry NOSUCH\n", "forget " + other +
                " " + dead + "\n", "retry " + other + "/x\n",
                "forget ../" + dead + "\n"):
        einval(s.m, "control/repair", bad)

    assert s.m.write("control/repair", "forget %s\n" % dead) > 0
    s.wait(lambda: [f["torrent"] for f in s.repairs()["failed"]] == [other],
           "the failure forgotten")
    assert s.m.json("metrics/repair.json")["permanent_failures"] == 1
    einval(s.m, "control/repair", "retry %s\n" % dead)

    assert s.m.write("control/repair", "retry %s\n" % other) > 0
    s.wait(lambda: s.repairs()["repaired"], "the repair retried")
    assert [r["torrent"] for r in s.repairs()["repaired"]] == [other]
    assert s.repairs()["failed"] == []
    assert [r["status"] for r in adds_of(s, OTHER)] == [451, 201]
    assert [r["status"] for r in adds_of(s, DEAD)] == [451]
    einval(s.m, "control/repair", "forget %s\n" % other)
    s.command("run")
    assert [r["status"] for r in adds_of(s, DEAD)] == [451]


def test_forget_takes_a_queued_torrent(setup):
    """A scan pass queues both torrents and sends nothing that changes the
    account; forget drops a queued one from the queue, retry does not take
    it (nothing failed yet), and the next pass finds its dead links
    again."""
    s = setup()
    s.command("scan")
    other, dead = make_id(OTHER), make_id(DEAD)
    queued = lambda: sorted(r["torrent"] for r in s.repairs()["queue"])
    assert queued() == sorted([other, dead])
    einval(s.m, "control/repair", "retry %s\n" % other)
    assert s.m.write("control/repair", "forget %s\n" % other) > 0
    s.wait(lambda: queued() == [dead], "the queued torrent forgotten")
    assert s.changes() == []
    s.command("scan")
    assert queued() == sorted([other, dead])


def test_repair_csv_has_a_row_per_pass(setup):
    s = setup(dry_run=True)
    text = s.m.read("metrics/repair.csv").decode()
    assert text == ("id,kind,trigger,dry_run,started_at,finished_at,"
                    "duration_s,links,broken,unmapped,guard_ok,started,"
                    "repaired,retries,failed,links_deleted,rescans,"
                    "requests,rate_limited\n")
    s.inject(path_regex="^/torrents/info/", status=429,
             body={"error": "too_many_requests", "error_code": 34},
             headers={"Retry-After": "1"}, times=1)
    for n in (1, 2, 3):
        s.command("scan")
        rows = list(csv.DictReader(io.StringIO(
            s.m.read("metrics/repair.csv").decode())))
        assert len(rows) == n
    assert [int(r["id"]) for r in rows] == sorted(int(r["id"]) for r in rows)
    assert {(r["kind"], r["trigger"], r["dry_run"]) for r in rows} == {
        ("scan", "control", "1")}
    assert [r["rate_limited"] for r in rows] == ["1", "0", "0"]
    assert all(r["links"] == "11" and r["broken"] == "5" for r in rows)
    assert int(rows[0]["requests"]) > 1
    assert all(r["started_at"].endswith("Z") and r["finished_at"]
               for r in rows)


def mount_text(m):
    """Every generated file of the mount but the library views."""
    out = []
    for d, dirs, files in os.walk(m.path):
        if d == m.path:
            dirs[:] = [x for x in dirs if x in ("status", "metrics",
                                                "control")]
        for f in files:
            with open(os.path.join(d, f), "rb") as fh:
                out.append(fh.read())
    return b"\n".join(out)


def test_token_from_systemd_credentials(setup, tmp_path):
    """No api_token in the file: systemd's credential gives it; it works,
    and shows nowhere in the mount or the log."""
    creds = tmp_path / "creds"
    creds.mkdir(mode=0o700)
    (creds / "realdebrid_api_token").write_text(TOKEN + "\n")
    os.chmod(str(creds / "realdebrid_api_token"), 0o400)
    s = setup(token=None, env={"CREDENTIALS_DIRECTORY": str(creds)})
    assert TOKEN not in (s.tmp / "m.conf").read_text()
    s.command("run")
    s.wait(lambda: len(s.repairs()["repaired"]) == 2, "two repairs")
    assert s.requests() and all(r["auth"] == "ok" for r in s.requests())
    text = mount_text(s.m)
    assert b'"requests_by_endpoint"' in text and b"debrid requests" in text
    assert TOKEN.encode() not in text
    assert TOKEN not in (s.tmp / "mediamon.log").read_text()


def test_token_from_a_file(setup, tmp_path):
    secret = tmp_path / "rd-token"
    secret.write_text(TOKEN + "\n")
    os.chmod(str(secret), 0o600)
    s = setup(token=str(secret), token_key="api_token_file")
    s.command("scan")
    assert s.requests() and all(r["auth"] == "ok" for r in s.requests())
    assert TOKEN.encode() not in mount_text(s.m)
    assert TOKEN not in (s.tmp / "mediamon.log").read_text()


def db_count(m, sql):
    db = sqlite3.connect(m.db, timeout=10)
    try:
        return db.execute(sql).fetchone()[0]
    finally:
        db.close()


def db_exec(m, sql):
    db = sqlite3.connect(m.db, timeout=10)
    try:
        with db:
            db.execute(sql)
    finally:
        db.close()


def test_control_maintenance(mount):
    text = mount.read("control/maintenance").decode()
    assert text.startswith("state: idle\nqueued: none\nnext cleanup: ")
    assert "\nnext backup: " in text
    for cmd in ("backup", "prune", "vacuum"):
        assert "\n  %s " % cmd in text
    for bad in ("1\n", "backup now\n", "BACKUPS\n", "prune\nvacuum\n",
                "vac uum\n"):
        einval(mount, "control/maintenance", bad)

    backups = os.path.join(os.path.dirname(mount.db), "backups")
    assert not os.path.exists(backups)
    assert mount.write("control/maintenance", "backup\n") == 7
    wait_for(lambda: os.path.isdir(backups) and
             [f for f in os.listdir(backups) if f.endswith(".db")],
             30, "a backup", mount=mount)
    name = [f for f in os.listdir(backups) if f.endswith(".db")][0]
    copy = sqlite3.connect(os.path.join(backups, name))
    assert copy.execute("SELECT count(*) FROM tracks").fetchone()[0] == 9
    copy.close()

    db_exec(mount, "INSERT INTO rd_attempts (at, endpoint, result) VALUES"
            " (unixepoch() - 40 * 86400, 'list', 'ok'),"
            " (unixepoch() - 60, 'list', 'ok')")
    mount.write("control/maintenance", "prune")
    wait_for(lambda: db_count(mount, "SELECT count(*) FROM rd_attempts"),
             30, "the old request dropped", until=lambda n: n == 1,
             mount=mount)

    log = os.path.join(os.path.dirname(mount.path), "mediamon.log")
    mount.write("control/maintenance", "vacuum\n")
    wait_for(lambda: "vacuum: database rebuilt" in open(log).read(), 30,
             "the vacuum", mount=mount)
    assert mount.json("status/summary.json")["counts"]["tracks"] == 9


def test_cleanup_runs_on_its_interval(library, tmp_path, make_mount):
    conf = tmp_path / "m.conf"
    conf.write_text("[music]\nroot = %s\n[retention]\nattempts = 1d\n"
                    "cleanup_interval = 2s\nbackup_interval = 0\n" % library)
    m = make_mount("config=" + str(conf))
    assert m.read("control/maintenance").decode().splitlines()[3] == \
        "next backup: off"
    db_exec(m, "INSERT INTO rd_attempts (at, endpoint, result) VALUES"
            " (unixepoch() - 2 * 86400, 'list', 'ok'),"
            " (unixepoch() - 60, 'list', 'ok')")
    wait_for(lambda: db_count(m, "SELECT count(*) FROM rd_attempts"), 30,
             "the timed cleanup", until=lambda n: n == 1, mount=m)
    assert db_count(m, "SELECT count(*) FROM rd_attempts WHERE at >"
                    " unixepoch() - 3600") == 1
