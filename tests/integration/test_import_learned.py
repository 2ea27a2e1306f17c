# SPDX-License-Identifier: GPL-3.0-or-later
"""A client's own folder, learnt when no save_path is set, that is another
user's private folder (issue 76, first high hole): the real amuled (its
incoming folder, the EC answer EC_TAG_DIRECTORIES_INCOMING) and the real
qBittorrent (its default save path, /api/v2/app/defaultSavePath), each
told to save in the victim's 0700 folder, where a 0644 volume of the
attacker's series (a file, or a folder of photos that the import would
pack) lies complete. The attacker owns the series folder. In copy, move
and hardlink modes, and packed: nothing of the victim's goes in (no
copy, no pack, no link of their inode), their file stays where it was,
the volume stays wanted (completed, tried again), and the reason in
downloads.json and in health says why without naming the victim's file.
Two local users made by the test (useradd); the clients run as root, as
a compromised client may."""

import os

import pytest

from clients import Torrent, clients, ed2k_link, files  # noqa: F401
from conftest import wait_for
from test_amule import ed2k_conf
from test_clients import CONTENT, conf, health
from test_handoff import AUTO, SEND
from test_import_hostile import hostile, no_copy_of, sent_as  # noqa: F401
from test_import_hostile import users  # noqa: F401
from test_import_hostile import torrent_of
from test_monitor import release  # noqa: F401

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0, reason="needs root to make two users")

# What only the victim's files hold, and a name of theirs never told.
PRIVATE = CONTENT + b"the victim's own photos" * 400
SECRET = "zq-victims"


def victims(folder, victim, entries):
    """The victim's 0700 folder (made by the client as root) holding
    entries {path: bytes}, each file 0644 and each folder 0755, all the
    victim's: the stat of each file by its path."""
    stats = {}
    for rel, data in entries.items():
        p = folder / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        os.chmod(str(p), 0o644)
    for p in [folder] + sorted(folder.rglob("*")):
        os.chown(str(p), victim.uid, victim.gid)
        if p.is_dir():
            os.chmod(str(p), 0o755)
    os.chmod(str(folder), 0o700)
    for rel in entries:
        stats[rel] = os.stat(str(folder / rel))
    return stats


def refused(mon, volume, series, folder, stats):
    """The import refused, said in the volume's reason and health, the
    volume still wanted; the victim's files untouched and nowhere in the
    series folder."""
    d = wait_for(lambda: {e["volume"]: e for e in mon.m.json(
        "status/downloads.json")}.get(volume), 90, "the import refused",
        until=lambda d: d and "import: " in (d["reason"] or ""),
        mount=mon.m)
    assert d["state"] == "completed", d
    assert "another user's" in d["reason"], d
    text = wait_for(lambda: health(mon), 30, "health naming the import",
                    until=lambda t: "volume %d not imported" % volume in t,
                    mount=mon.m)
    line = [t for t in text.splitlines()
            if "volume %d not imported" % volume in t][0]
    assert "another user's" in line, line
    for told in (d["reason"], line):
        assert SECRET not in told and str(folder) not in told, told
    for rel, before in stats.items():
        now = os.stat(str(folder / rel))
        assert (now.st_ino, now.st_mode, now.st_uid, now.st_nlink) == \
            (before.st_ino, before.st_mode, before.st_uid, 1), rel
        assert (folder / rel).read_bytes() == PRIVATE
    no_copy_of(series, PRIVATE)
    assert not (series / ("Saga 01 T%02d.cbz" % volume)).exists()


@pytest.mark.parametrize("mode", ["copy", "move", "hardlink"])
def test_amule_incoming_folder_of_another_user(hostile, clients, users,
                                               tmp_path, mode):
    """amuled's incoming folder, learnt, is the victim's: the complete
    file there that it shares is the attacker's volume 10."""
    attacker, victim = users
    name = "Saga 01 T10.cbz"
    folder = tmp_path / ("%s-home" % SECRET)
    am = clients("amule", save=str(folder), files={name: PRIVATE})
    stats = victims(folder, victim, {name: PRIVATE})
    link = ed2k_link(name, PRIVATE)
    wait_for(lambda: am.cmd("show shared"), 60, "the file shared",
             until=lambda t: link.split("|")[4] in t)
    mon = hostile(["Saga 01"], monitor=AUTO, general=SEND,
                  extra=ed2k_conf(am.host) + "[import]\nmode = %s\n" % mode,
                  releases={"saga 01": []})
    mon.catalog.write_text(
        '{"title": "Saga 01 T10", "link": "%s", "size": %d,'
        ' "source": "EBDZ"}\n' % (link, len(PRIVATE)))
    series = mon.root / "Saga 01"
    os.chown(str(series), attacker.uid, attacker.gid)
    mon.check("missing")
    refused(mon, 10, series, folder, stats)


@pytest.mark.parametrize("mode", ["copy", "move", "hardlink", "pack"])
def test_qbittorrent_default_folder_of_another_user(hostile, clients, files,
                                                    users, tmp_path, mode):
    """qBittorrent's default save path, learnt, is the victim's: the
    torrent of the attacker's volume 4 is complete there at once (a
    file, or with pack a folder of photos the import would pack)."""
    attacker, victim = users
    folder = tmp_path / ("%s-home" % SECRET)
    qbit = clients("qbittorrent", save=str(folder))
    if mode == "pack":
        pages = [("001.jpg", PRIVATE), ("002.jpg", PRIVATE)]
        data, _ = torrent_of("Saga 01 T04", pages)
        entries = {"Saga 01 T04/" + p: d for p, d in pages}
    else:
        b = Torrent("Saga 01 T04.cbz", PRIVATE)
        data, entries = b.data, {b.name: PRIVATE}
    stats = victims(folder, victim, entries)
    extra = conf("qbittorrent", qbit.url, "x").replace(
        "save_path = x\n", "") + "poll_interval = 1\n" + \
        "[import]\nmode = %s\n" % ("hardlink" if mode == "pack" else mode)
    mon = hostile(["Saga 01"], monitor=AUTO, general=SEND, extra=extra,
                  releases=sent_as(files, "/learnt-%s.torrent" % mode,
                                   data))
    series = mon.root / "Saga 01"
    os.chown(str(series), attacker.uid, attacker.gid)
    mon.check("missing")
    refused(mon, 4, series, folder, stats)
