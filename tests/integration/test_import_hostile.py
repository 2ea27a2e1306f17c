# SPDX-License-Identifier: GPL-3.0-or-later
"""The import against local users (issue 44, high 1 to 3), with two users
made by the test (useradd, setpriv: an attacker who owns a series folder
in a shared manga root, a victim with a private file in the shared save
folder) and the real qBittorrent (clients.py):

- the attacker swaps the series folder for a link to a root-owned folder
  before the download completes: refused, nothing written there nor in
  the folder moved away; put back, the volume goes in as the attacker's
  own file, no more readable than its source;
- qBittorrent names its save folder itself as the download (a multi-file
  torrent in its "NoSubfolder" layout): refused with the reason, and the
  victim's 0600 file in their 0700 folder there is neither read nor
  linked nor moved;
- a racing helper of the attacker's flips the download's folder with a
  link to the victim's folder, as fast as it can, over a bounded number
  of import attempts: never a copy of the victim's file."""

import hashlib
import json
import os
import shutil
import signal
import subprocess
import time

import pytest

from clients import Torrent, bencode, clients, files  # noqa: F401
from conftest import need_reachable, wait_for
from access_users import drop_user, make_user
from test_clients import CONTENT, conf
from test_handoff import AUTO, SEND
from test_monitor import Monitor, release
from test_tracker import POLL, state_of
from test_unit_confined import bounding_set, confined

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("useradd") or
    not shutil.which("setpriv"),
    reason="needs root, useradd and setpriv to act as other users")

PRIVATE = CONTENT + b"the victim's own volume" * 500

# What the attacker's racing helper runs: exchange two names (a folder
# and a link) with renameat2(RENAME_EXCHANGE) until killed, for secs at
# most and count times at most; prints how many times it did.
FLIP = """
import ctypes, sys, time
libc = ctypes.CDLL(None, use_errno=True)
a, b = sys.argv[1].encode(), sys.argv[2].encode()
end, left, n = time.monotonic() + float(sys.argv[3]), int(sys.argv[4]), 0
while n < left and time.monotonic() < end:
    if libc.renameat2(-100, a, -100, b, 2) == 0:
        n += 1
print(n, flush=True)
"""


@pytest.fixture
def users():
    made = [make_user(), make_user()]
    yield made
    for u in made:
        drop_user(u)


@pytest.fixture
def hostile(tmp_path, fake):
    """Start a Monitor whose watcher waits 60 s before it looks (so a
    series folder renamed away stays the series' folder in the store, as
    between two of its passes), with a manga root and a save folder every
    user may write to (sticky, as /tmp); unmounted at the end."""
    made = []

    def make(*args, service=None, caps=None, **kw):
        """With service, the daemon runs as the unit runs it: as that
        user with the unit's capabilities (or caps), its mount open to
        all."""
        mon = Monitor(tmp_path, fake, *args, **kw)
        mon.conf.write_text(mon.conf.read_text().replace(
            "watch_debounce = 100ms", "watch_debounce = 60s"))
        for d in (tmp_path.parent, tmp_path):
            os.chmod(str(d), 0o755)
        need_reachable(tmp_path.parent)
        os.chmod(str(mon.root), 0o1777)
        if service:
            os.chown(str(mon.conf), service.uid, service.gid)
            mon.mount("allow_other",
                      wrapper=confined(service, caps or bounding_set()))
        else:
            mon.mount()
        made.append(mon)
        return mon
    yield make
    for mon in made:
        mon.unmount()


def as_user(user, code, *args):
    out = user.run("/usr/bin/python3", "-c", code, *[str(a) for a in args])
    assert out.returncode == 0, out
    return out.stdout.decode()


def shared_save(tmp_path):
    save = tmp_path / "saves"
    save.mkdir()
    os.chmod(str(save), 0o1777)
    return save


def private_file(victim, folder):
    """The victim's 0600 volume in their own 0700 folder: its stat."""
    folder.mkdir()
    f = folder / "Saga 01 T04.cbz"
    f.write_bytes(PRIVATE)
    os.chmod(str(f), 0o600)
    os.chmod(str(folder), 0o700)
    for p in (folder, f):
        os.chown(str(p), victim.uid, victim.gid)
    return os.stat(str(f))


def untouched(path, before):
    """The victim's file is where it was, the same inode, mode and owner,
    linked nowhere else, and holds what it held."""
    now = os.stat(str(path))
    assert (now.st_ino, now.st_mode, now.st_uid, now.st_nlink) == \
        (before.st_ino, before.st_mode, before.st_uid, 1)
    assert path.read_bytes() == PRIVATE


def no_copy_of(folder, data):
    """No file in folder (hidden ones too) holds data."""
    for p in folder.rglob("*"):
        if p.is_file() and not p.is_symlink():
            assert p.read_bytes() != data, p


def torrent_of(name, entries):
    """A multi-file torrent named name of entries (path, bytes): (its
    .torrent, its v1 info hash)."""
    piece = 16384
    blob = b"".join(data for _, data in entries)
    info = {"files": [{"length": len(data), "path": path.split("/")}
                      for path, data in entries],
            "name": name, "piece length": piece,
            "pieces": b"".join(hashlib.sha1(blob[i:i + piece]).digest()
                               for i in range(0, len(blob), piece))}
    return (bencode({"announce": "http://127.0.0.1:9/announce",
                     "info": info}),
            hashlib.sha1(bencode(info)).hexdigest())


def sent_as(files, url_path, data, guid="b04", title="Saga 01 T04 FRENCH"):
    r = release(guid, title, seeders=30)
    r["downloadUrl"] = files.put(url_path, data)
    r["magnetUrl"] = None
    return {"saga 01": [r]}


def shown(mon, volume=4):
    return {d["volume"]: d for d in mon.m.json(
        "status/downloads.json")}[volume]


@pytest.fixture
def service():
    u = make_user()
    yield u
    drop_user(u)


def copying(hostile, clients, files, tmp_path, fill, **kw):
    """A Monitor importing by copy volume 4 of Saga 01, sent to the real
    qBittorrent as a torrent whose data ends in fill bytes: (the client,
    the torrent, its save folder, the Monitor)."""
    qbit = clients("qbittorrent")
    b = Torrent("Saga 01 T04.cbz", CONTENT + fill * 40000)
    save = shared_save(tmp_path)
    mon = hostile(["Saga 01"], monitor=AUTO, general=SEND,
                  extra=conf("qbittorrent", qbit.url, save) + POLL +
                  "[import]\nmode = copy\n",
                  releases=sent_as(files, "/%s.torrent" % fill.decode(),
                                   b.data), **kw)
    return qbit, b, save, mon


@pytest.mark.parametrize("as_unit", [False, True])
def test_series_folder_swapped_for_a_link(hostile, clients, files, users,
                                          service, tmp_path, as_unit):
    """as_unit: the daemon as the systemd unit runs it, a user of its own
    with the unit's capabilities, imports as the folder's owner all the
    same."""
    attacker, _ = users
    qbit, b, save, mon = copying(hostile, clients, files, tmp_path, b"B",
                                 service=service if as_unit else None)
    series = mon.root / "Saga 01"
    away = mon.root / "away"
    os.chown(str(series), attacker.uid, attacker.gid)
    rootonly = tmp_path / "rootonly"
    rootonly.mkdir()
    mon.check("missing")
    wait_for(lambda: state_of(mon, 4), 30, "volume 4 on its way",
             until=lambda s: s == "downloading", mount=mon.m)
    # between the hand-off and the completion, the attacker's swap
    as_user(attacker, "import os, sys; os.rename(sys.argv[1], sys.argv[2]);"
            " os.symlink(sys.argv[3], sys.argv[1])", series, away, rootonly)
    # the attacker may read it (by their group): so may their copy
    (save / b.name).write_bytes(b.content)
    os.chown(str(save / b.name), 0, attacker.gid)
    os.chmod(str(save / b.name), 0o640)
    qbit.api("/api/v2/torrents/recheck", {"hashes": b.hash})
    d = wait_for(lambda: shown(mon), 60, "volume 4's import refused",
                 until=lambda d: d["reason"], mount=mon.m)
    assert d["state"] == "completed"
    assert "series folder" in d["reason"] and "symbolic link" in \
        d["reason"], d["reason"]
    assert os.listdir(str(rootonly)) == []
    assert sorted(os.listdir(str(away))) == sorted(
        "Saga 01 T%02d.cbz" % v for v in (1, 3, 5, 7, 9, 11))
    assert "symbolic link is on its way" in mon.m.read("log").decode()
    # the folder back, the next missing check imports the volume: the
    # attacker's file, readable by no more users than the download's
    as_user(attacker, "import os, sys; os.unlink(sys.argv[1]);"
            " os.rename(sys.argv[2], sys.argv[1])", series, away)
    mon.check("missing")
    wait_for(lambda: shown(mon), 60, "volume 4 imported",
             until=lambda d: d["state"] == "imported", mount=mon.m)
    st = os.stat(str(series / "Saga 01 T04.cbz"))
    assert (st.st_uid, st.st_gid) == (attacker.uid, attacker.gid)
    assert st.st_mode & 0o777 & ~0o640 == 0
    assert (series / "Saga 01 T04.cbz").read_bytes() == b.content
    assert os.listdir(str(rootonly)) == []


def test_folder_of_a_user_the_daemon_cannot_act_as(hostile, clients, files,
                                                  users, service, tmp_path):
    """The daemon as its own user without CAP_SETUID or CAP_CHOWN (a
    daemon run by hand, writing in a folder its group shares) cannot
    create a copy as the series folder's owner: it creates it as itself,
    with the folder's group, and the import is done all the same."""
    attacker, _ = users
    qbit, b, save, mon = copying(hostile, clients, files, tmp_path, b"C",
                                 service=service,
                                 caps=[c for c in bounding_set()
                                       if c not in ("setuid", "setgid",
                                                    "chown")])
    series = mon.root / "Saga 01"
    os.chown(str(series), attacker.uid, service.gid)
    os.chmod(str(series), 0o2775)
    mon.check("missing")
    wait_for(lambda: state_of(mon, 4), 30, "volume 4 on its way",
             until=lambda s: s == "downloading", mount=mon.m)
    (save / b.name).write_bytes(b.content)
    os.chown(str(save / b.name), 0, attacker.gid)
    os.chmod(str(save / b.name), 0o640)
    qbit.api("/api/v2/torrents/recheck", {"hashes": b.hash})
    d = wait_for(lambda: shown(mon), 60, "volume 4 imported",
                 until=lambda d: d["state"] == "imported", mount=mon.m)
    assert not d["reason"], d
    st = os.stat(str(series / "Saga 01 T04.cbz"))
    assert (st.st_uid, st.st_gid) == (service.uid, service.gid)
    assert st.st_mode & 0o777 & ~0o640 == 0
    assert (series / "Saga 01 T04.cbz").read_bytes() == b.content
    assert not [n for n in os.listdir(str(series))
                if n.startswith(".import-")]
    assert (save / b.name).read_bytes() == b.content


def test_client_names_the_save_folder(hostile, clients, files, users,
                                      tmp_path):
    attacker, victim = users
    qbit = clients("qbittorrent")
    # a multi-file torrent with no folder of its own: qBittorrent's
    # content_path is then its save folder
    qbit.api("/api/v2/app/setPreferences", {"json": json.dumps(
        {"torrent_content_layout": "NoSubfolder"})})
    save = shared_save(tmp_path)
    entries = [("notes.txt", b"n" * 20000), ("cover.txt", b"c" * 20000)]
    data, _ = torrent_of("Saga 01 T04", entries)
    for path, content in entries:
        (save / path).write_bytes(content)
    before = private_file(victim, save / "victim")
    mon = hostile(["Saga 01"], monitor=AUTO, general=SEND,
                  extra=conf("qbittorrent", qbit.url, save) + POLL +
                  "[import]\nmode = move\n",
                  releases=sent_as(files, "/multi.torrent", data))
    series = mon.root / "Saga 01"
    os.chown(str(series), attacker.uid, attacker.gid)
    mon.check("missing")
    d = wait_for(lambda: shown(mon), 60, "volume 4's import refused",
                 until=lambda d: d["reason"], mount=mon.m)
    assert d["path"].rstrip("/") == str(save), d
    assert d["state"] == "completed"
    assert "names the save folder %s itself" % save in d["reason"], d
    assert "names the save folder" in mon.m.read("log").decode()
    untouched(save / "victim" / "Saga 01 T04.cbz", before)
    assert not (series / "Saga 01 T04.cbz").exists()
    no_copy_of(series, PRIVATE)
    # a missing check tries again, with the same answer
    mon.check("missing")
    assert "names the save folder" in shown(mon)["reason"]
    untouched(save / "victim" / "Saga 01 T04.cbz", before)


def test_racing_link_flip_never_copies(hostile, clients, files, users,
                                       tmp_path):
    attacker, victim = users
    qbit = clients("qbittorrent")
    # qBittorrent saves in its own folder, no save path of mediamon's yet:
    # mediamon learns it from qBittorrent; the import is refused (too
    # many entries) and tried again at each missing check, also once the
    # save path is configured
    save = qbit.save
    os.chmod(str(qbit.dir), 0o755)
    os.chmod(str(save), 0o1777)
    # two files: qBittorrent's content_path is their folder (of one file
    # alone, the file)
    entries = [("Saga 01 T04.nfo", b"n" * 20000), ("read.me", b"r" * 100)]
    data, _ = torrent_of("Saga 01 T04", entries)
    own = save / "Saga 01 T04"
    own.mkdir()
    os.chown(str(own), attacker.uid, attacker.gid)
    for path, content in entries:
        (own / path).write_bytes(content)
        os.chown(str(own / path), attacker.uid, attacker.gid)
    # more entries than an import takes: the attacker's own folder is
    # refused too, and the download stays completed, tried again at each
    # check, so the race is run as many times as the test allows
    for i in range(10001):
        (own / ("x%05d" % i)).touch()
    hidden = tmp_path / "victim"
    before = private_file(victim, hidden)
    flip = save / "flip"
    os.symlink(str(hidden), str(flip))
    os.lchown(str(flip), attacker.uid, attacker.gid)
    mon = hostile(["Saga 01"], monitor=AUTO, general=SEND,
                  extra=conf("qbittorrent", qbit.url, "x").replace(
                      "save_path = x\n", "") + POLL +
                  "[import]\nmode = copy\n",
                  releases=sent_as(files, "/flip.torrent", data))
    series = mon.root / "Saga 01"
    os.chown(str(series), attacker.uid, attacker.gid)
    mon.check("missing")
    wait_for(lambda: shown(mon), 60, "the first import refused",
             until=lambda d: d["reason"] and "import: " in d["reason"],
             mount=mon.m)
    mon.conf.write_text(mon.conf.read_text().replace(
        "[download]\n", "[download]\nsave_path = %s\n" % save))
    mon.m.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: b"reload: done" in mon.m.read("log"), 30,
             "reload: done in the log", mount=mon.m, interval=0.1)
    racer = subprocess.Popen(
        attacker.prefix() + ["/usr/bin/python3", "-c", FLIP, str(own),
                             str(flip), "120", "100000000"],
        stdout=subprocess.PIPE)
    tries, end = 0, time.monotonic() + 90
    try:
        while tries < 40 and time.monotonic() < end:
            mon.check("missing")
            tries += 1
            if shown(mon)["state"] != "completed":
                break
    finally:
        racer.kill()
        racer.wait(timeout=30)
    d = shown(mon)
    assert d["state"] != "imported", d
    no_copy_of(series, PRIVATE)
    untouched(hidden / "Saga 01 T04.cbz", before)
    # each try met the link or the folder: refused either way
    assert d["state"] == "completed", d
    log = mon.m.read("log").decode()
    assert "symbolic link is on its way" in log or \
        "more than 10000 files" in log or "nothing in it read" in log
    print("import tries against the racing link: %d, then %s" % (
        tries, d["state"]))


SECRET_NAME = "Saga 01 T04 zq-victims-own.cbz"


def fakes_for(user, tmp_path):
    """The fake qBittorrent and its base, copied where user may read them
    (the checkout may lie where they cannot)."""
    for d in (tmp_path.parent, tmp_path):
        os.chmod(str(d), 0o755)
    need_reachable(tmp_path.parent)
    d = tmp_path / "fakes"
    d.mkdir()
    for name in ("http_fake.py", "qbittorrent_fake.py"):
        shutil.copy(os.path.join(os.path.dirname(__file__), "..", "fakes",
                                 name), str(d / name))
        os.chmod(str(d / name), 0o644)
    os.chmod(str(d), 0o755)
    return str(d / "qbittorrent_fake.py")


@pytest.mark.parametrize("mode", ["copy", "move"])
def test_hostile_client_names_another_users_folder(hostile, fake, files,
                                                    users, tmp_path, mode):
    """Any local user listening on the client's port (the attacker, while
    the real client is down) says the torrent is complete in the
    victim's 0700 folder inside the shared save folder: nothing is
    imported, the victim's 0600 file stays theirs, where it was, and the
    refusal names nothing inside the folder (downloads.json, found.json,
    the log). The attacker's own folder then imports, as theirs: the
    user listening on the port, named as client_user (else it is not
    asked at all: test_client_listener.py), counts as the client's."""
    attacker, victim = users
    save = shared_save(tmp_path)
    hidden = save / "vic"
    hidden.mkdir()
    secret = hidden / SECRET_NAME
    secret.write_bytes(PRIVATE)
    for p, m in ((secret, 0o600), (hidden, 0o700)):
        os.chmod(str(p), m)
        os.chown(str(p), victim.uid, victim.gid)
    before = os.stat(str(secret))
    qbit = fake(fakes_for(attacker, tmp_path), prefix=attacker.prefix())
    data, info_hash = torrent_of("Saga 01 T04", [("Saga 01 T04.cbz",
                                                  CONTENT)])
    mon = hostile(["Saga 01"], monitor=AUTO, general=SEND,
                  extra=conf("qbittorrent", qbit.url, save).replace(
                      "username = mediamon\npassword = s3cret-Pass",
                      "username = admin\npassword = adminadmin") + POLL +
                  "client_user = %s\n[import]\nmode = %s\n" % (
                      attacker.name, mode),
                  releases=sent_as(files, "/hostile-%s.torrent" % mode,
                                   data))
    series = mon.root / "Saga 01"
    os.chown(str(series), attacker.uid, attacker.gid)

    def listed(path):
        """The client says the torrent is complete at path and lists its
        files (the victim's too, which it may name: it is hostile)."""
        name = os.path.basename(str(path))
        qbit.call("/_torrents", [{
            "hash": info_hash, "state": "uploading", "progress": 1,
            "content_path": str(path), "save_path": str(save),
            "name": name, "size": len(CONTENT),
            "completed": len(CONTENT), "dlspeed": 0,
            "_files": [{"name": name + "/" + f, "priority": 1}
                       for f in (SECRET_NAME, "Saga 01 T04.cbz")]}])
    listed(hidden)
    mon.check("missing")
    d = wait_for(lambda: shown(mon), 60, "volume 4's import refused",
                 until=lambda d: "import: " in (d["reason"] or ""),
                 mount=mon.m)
    assert d["state"] == "completed", d
    assert "another user's" in d["reason"], d
    told = [json.dumps(d), mon.m.read("status/found.json").decode(),
            mon.m.read("log").decode()]
    for text in told:
        assert "zq-victims-own" not in text
    now = os.stat(str(secret))
    assert (now.st_ino, now.st_mode, now.st_uid, now.st_nlink) == \
        (before.st_ino, before.st_mode, before.st_uid, 1)
    assert secret.read_bytes() == PRIVATE
    assert not (series / "Saga 01 T04.cbz").exists()
    no_copy_of(series, PRIVATE)
    # the attacker's own folder: theirs, so it goes in
    mine = save / "mine"
    mine.mkdir()
    (mine / "Saga 01 T04.cbz").write_bytes(CONTENT + b"mine")
    for p in (mine, mine / "Saga 01 T04.cbz"):
        os.chown(str(p), attacker.uid, attacker.gid)
    listed(mine)
    mon.check("missing")
    wait_for(lambda: shown(mon), 60, "volume 4 imported",
             until=lambda d: d["state"] == "imported", mount=mon.m)
    st = os.stat(str(series / "Saga 01 T04.cbz"))
    assert st.st_uid == attacker.uid
    assert (series / "Saga 01 T04.cbz").read_bytes() == CONTENT + b"mine"
    assert (mine / "Saga 01 T04.cbz").exists() == (mode == "copy")
    assert secret.read_bytes() == PRIVATE


def test_only_the_listed_files_are_opened(hostile, clients, files, tmp_path):
    """The real qBittorrent's torrent of a folder holding an .nfo and a
    read.me (two files: its content_path is their folder): a volume
    planted in that folder (which the client does not list) is neither
    imported nor named; the download holds no wanted volume, so it
    fails, as a wrong release does."""
    qbit = clients("qbittorrent")
    save = shared_save(tmp_path)
    entries = [("Saga 01 T04.nfo", b"n" * 20000), ("read.me", b"r" * 100)]
    data, info_hash = torrent_of("Saga 01 T04", entries)
    mon = hostile(["Saga 01"], monitor=AUTO, general=SEND,
                  extra=conf("qbittorrent", qbit.url, save) + POLL +
                  "[import]\nmode = copy\n",
                  releases=sent_as(files, "/listed.torrent", data))
    series = mon.root / "Saga 01"
    mon.check("missing")
    wait_for(lambda: state_of(mon, 4), 30, "volume 4 on its way",
             until=lambda s: s == "downloading", mount=mon.m)
    own = save / "Saga 01 T04"
    own.mkdir(exist_ok=True)
    for path, content in entries:
        (own / path).write_bytes(content)
    (own / "Saga 01 T04 planted.cbz").write_bytes(CONTENT + b"planted")
    qbit.api("/api/v2/torrents/recheck", {"hashes": info_hash})
    d = wait_for(lambda: shown(mon), 60, "volume 4's import done",
                 until=lambda d: d["state"] in ("failed", "imported"),
                 mount=mon.m)
    assert d["state"] == "failed", d
    assert "holds no wanted volume" in d["reason"], d
    for text in (json.dumps(d), mon.m.read("status/found.json").decode(),
                 mon.m.read("log").decode()):
        assert "planted" not in text
    assert not (series / "Saga 01 T04.cbz").exists()
    no_copy_of(series, CONTENT + b"planted")
