# SPDX-License-Identifier: GPL-3.0-or-later
"""The download side against local users and hostile clients (issue 60,
the next probe): what a series' own save_path may name, and what a
client's answers may hold.

- A series' own save_path (manga/SERIES/preferences) naming a folder of
  another user inside the shared save folder, or a symbolic link there:
  the client is not sent there (a client running as root would write in
  that user's 0700 folder, and its owner would count as the client's
  listener), nothing is made inside, and the reason names the folder's
  user, nothing inside it. So is a folder others may write (every user,
  not sticky, or another user's group): they could swap what lies under
  it. A folder not made yet is the client's to make: sent there.
- A client answering torrents/info with JSON nested 100,000 deep, 4 MiB
  of small objects, or a file list naming entries that are no text:
  the tracker says so and goes on; the daemon answers the mount.
- A file list naming the volume twice, and a name climbing out of the
  download into another user's folder: imported once, the other
  user's file neither read nor named."""

import json
import os
import shutil

import pytest

from clients import files  # noqa: F401
from conftest import wait_for
from access_users import drop_user, make_user
from test_clients import CONTENT
from test_handoff import AUTO, SEND, downloads
from test_import_hostile import sent_as, shown, torrent_of
from test_monitor import monitored, qbit_conf  # noqa: F401

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("useradd"),
    reason="needs root and useradd to make another user's folder")


@pytest.fixture
def victim():
    u = make_user()
    yield u
    drop_user(u)


def save_path_of(qbit):
    """The savepath of each torrent qBittorrent was asked to add."""
    return [(r["form"].get("savepath") or [None])[0]
            for r in qbit.call("/_requests")
            if r["path"] == "/api/v2/torrents/add"]


@pytest.mark.parametrize("kind", ["user", "link", "not made", "every user",
                                  "group", "sticky"])
def test_series_save_path_in_another_users_folder(monitored, fake, victim,
                                                  tmp_path, kind):
    """Also a folder of the daemon's user that every user, or another
    user's group, may write, not sticky: another could put a folder or
    a link of theirs in place of the series' folder inside."""
    save = tmp_path / "saves"
    save.mkdir()
    os.chmod(str(save), 0o1777)
    theirs = save / "theirs"
    modes = {"user": 0o700, "every user": 0o777, "group": 0o770,
             "sticky": 0o1777}
    if kind in modes:
        theirs.mkdir()
        os.chmod(str(theirs), modes[kind])
    if kind == "user":
        os.chown(str(theirs), victim.uid, victim.gid)
    elif kind == "group":
        os.chown(str(theirs), -1, victim.gid)
    elif kind == "link":
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        theirs.symlink_to(elsewhere)
        os.lchown(str(theirs), victim.uid, victim.gid)
    own = theirs / "saga"
    qbit = fake("qbittorrent_fake.py")
    mon = monitored(["Saga 01"], monitor=AUTO, general=SEND,
                    extra=qbit_conf(qbit) + "save_path = %s\n" % save,
                    releases={"saga 01": []})
    text = "save_path = %s\n" % own
    assert mon.m.write("manga/Saga 01/preferences", text) == len(text)
    mon.check("missing")
    if kind in ("not made", "sticky"):
        assert save_path_of(qbit) == [str(own)]
        assert downloads(mon)[10]["state"] == "sent"
        return
    assert save_path_of(qbit) == []
    d = downloads(mon)[10]
    assert d["state"] == "failed", d
    if kind == "user":
        what = "a folder of user %s, not the client's" % victim.name
        why = "the series' save_path lies in %s, %s: not used (name that" \
            " user as client_user if it runs the client)" % (theirs, what)
    else:
        what = {"link": "is a symbolic link",
                "every user": "may be written by every user",
                "group": "may be written by group %s" % victim.name}[kind]
        why = "the series' save_path lies in %s, which %s: not used" % (
            theirs, what)
    assert d["reason"] == why, d
    assert not own.exists()
    log = mon.m.read("log").decode()
    assert what in log


def test_series_save_path_taken_after_the_send(monitored, fake, files,
                                              victim, tmp_path):
    """The series' save_path was not made when the torrent was sent (the
    client's to make); in the shared save folder, another user makes it
    first, their own 0700 folder, and the client says the download is
    complete there: not imported, the reason names the folder's user and
    nothing inside, the victim's file is untouched."""
    save = tmp_path / "saves"
    save.mkdir()
    os.chmod(str(save), 0o1777)
    later = save / "later"
    qbit = fake("qbittorrent_fake.py")
    data, info_hash = torrent_of("Saga 01 T04", [("Saga 01 T04.cbz",
                                                  CONTENT)])
    mon = monitored(["Saga 01"], monitor=AUTO, general=SEND,
                    extra=qbit_conf(qbit) + "save_path = %s\n"
                    "poll_interval = 1\n" % save,
                    releases=sent_as(files, "/later.torrent", data))
    text = "save_path = %s\n" % later
    assert mon.m.write("manga/Saga 01/preferences", text) == len(text)
    mon.check("missing")
    assert save_path_of(qbit)[0] == str(later)
    later.mkdir()
    secret = later / "Saga 01 T04 zq-secret.cbz"
    secret.write_bytes(CONTENT + b"theirs")
    for p, m in ((secret, 0o600), (later, 0o700)):
        os.chown(str(p), victim.uid, victim.gid)
        os.chmod(str(p), m)
    qbit.call("/_torrents", [{
        "hash": info_hash, "state": "uploading", "progress": 1,
        "content_path": str(later / "Saga 01 T04"),
        "save_path": str(later), "name": "Saga 01 T04",
        "size": len(CONTENT), "completed": len(CONTENT), "dlspeed": 0,
        "_files": [{"name": "Saga 01 T04/" + secret.name,
                    "priority": 1}]}])
    d = wait_for(lambda: shown(mon), 60, "volume 4's import refused",
                 until=lambda d: "import: " in (d["reason"] or ""),
                 mount=mon.m)
    assert d["reason"] == "import: the series' save_path lies in %s, a" \
        " folder of user %s, not the client's: not used (name that user" \
        " as client_user if it runs the client)" % (later, victim.name), d
    assert d["state"] == "completed", d
    for text in (json.dumps(d), mon.m.read("status/found.json").decode(),
                 mon.m.read("log").decode()):
        assert "zq-secret" not in text
    assert not (mon.root / "Saga 01" / "Saga 01 T04.cbz").exists()
    assert secret.read_bytes() == CONTENT + b"theirs"


RAW_ANSWERS = {
    "deep": "[" * 100000 + "]" * 100000,
    "wide": "[" + ",".join(["{}"] * (1 << 20)) + "]",
    "not text": '[{"hash": 7, "name": ["x"], "state": {}, "progress":'
                ' "all", "content_path": null, "save_path": 12}]',
}


@pytest.mark.parametrize("answer", sorted(RAW_ANSWERS))
def test_client_answers_out_of_shape(monitored, fake, answer):
    """torrents/info answered with RAW_ANSWERS[answer] at every poll
    while a download is followed: it stays as it was, the daemon keeps
    answering, and the log says what was wrong without the answer."""
    qbit = fake("qbittorrent_fake.py")
    mon = monitored(["Saga 01"], monitor=AUTO, general=SEND,
                    extra=qbit_conf(qbit) + "poll_interval = 1\n",
                    releases={"saga 01": []})
    mon.check("missing")
    assert downloads(mon)[10]["state"] == "sent"
    polls = len(qbit.call("/_requests"))
    qbit.call("/_raw_info", {"body": RAW_ANSWERS[answer]})
    wait_for(lambda: len(qbit.call("/_requests")), 60,
             "three polls of the client", mount=mon.m,
             until=lambda n: n >= polls + 3)
    assert downloads(mon)[10]["state"] in ("sent", "downloading")
    assert mon.m.read("status/health")
    assert RAW_ANSWERS[answer][:40] not in mon.m.read("log").decode()


def test_file_list_twice_and_climbing(monitored, fake, files, victim,
                                      tmp_path):
    """The client lists its download's volume twice, and a name that
    climbs out of it ("../") into another user's 0700 folder beside it:
    the volume goes in once, the other user's file is neither read nor
    named."""
    save = tmp_path / "saves"
    save.mkdir()
    theirs = save / "vic"
    theirs.mkdir()
    secret = theirs / "Saga 01 T04 zq-secret.cbz"
    secret.write_bytes(CONTENT + b"theirs")
    for p, m in ((secret, 0o600), (theirs, 0o700)):
        os.chown(str(p), victim.uid, victim.gid)
        os.chmod(str(p), m)
    own = save / "Saga 01 T04"
    own.mkdir()
    (own / "Saga 01 T04.cbz").write_bytes(CONTENT)
    qbit = fake("qbittorrent_fake.py")
    data, info_hash = torrent_of("Saga 01 T04", [("Saga 01 T04.cbz",
                                                  CONTENT)])
    mon = monitored(["Saga 01"], monitor=AUTO, general=SEND,
                    extra=qbit_conf(qbit) + "save_path = %s\n"
                    "poll_interval = 1\n[import]\nmode = copy\n" % save,
                    releases=sent_as(files, "/twice.torrent", data))
    mon.check("missing")
    names = ["Saga 01 T04/Saga 01 T04.cbz"] * 2 + [
        "Saga 01 T04/../vic/" + secret.name]
    qbit.call("/_torrents", [{
        "hash": info_hash, "state": "uploading", "progress": 1,
        "content_path": str(own), "save_path": str(save),
        "name": "Saga 01 T04", "size": len(CONTENT),
        "completed": len(CONTENT), "dlspeed": 0,
        "_files": [{"name": n, "priority": 1} for n in names]}])
    d = wait_for(lambda: shown(mon), 60, "volume 4's import done",
                 until=lambda d: d["state"] in ("imported", "failed"),
                 mount=mon.m)
    assert d["state"] == "imported", d
    assert (mon.root / "Saga 01" / "Saga 01 T04.cbz").read_bytes() == \
        CONTENT
    for text in (json.dumps(d), mon.m.read("status/found.json").decode(),
                 mon.m.read("log").decode()):
        assert "zq-secret" not in text
    assert secret.read_bytes() == CONTENT + b"theirs"
    assert os.stat(str(secret)).st_nlink == 1
