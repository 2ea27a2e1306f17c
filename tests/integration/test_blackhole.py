# SPDX-License-Identifier: GPL-3.0-or-later
"""The blackhole client against another local user of a shared machine
(useradd, setpriv), who may change a folder on the path of the folder it
writes into, or make a link on it: the folder is refused with the
reason in health and /log, nothing is written where a link leads, and
the release stays wanted; a link only root could make is followed.
Its own user named as client_user, that user's folder is used; a name
taken already is never replaced; a release's name with terminal controls
is logged with them shown escaped."""

import json
import os

from access_users import pytestmark, user, world  # noqa: F401
from test_monitor import by_volume, monitored, saga  # noqa: F401


def hole_mon(monitored, fake, hole, extra=""):
    """A monitor whose torrent client is the blackhole folder hole (the
    fake qBittorrent serves the torrents Prowlarr's links lead to)."""
    qbit = fake("qbittorrent_fake.py")
    return monitored([saga(1)], monitor="auto_download = yes\n",
                     general="dry_run = no\n",
                     extra="[download]\nclient = blackhole\n"
                     "blackhole_dir = %s\n%s" % (hole, extra),
                     download_url=qbit.url + "/files/sample.torrent")


def as_user(who, script):
    out = who.run("/bin/sh", "-c", script)
    assert out.returncode == 0, out


def assert_refused(mon, hole, because):
    """The check refused the folder: said in health and /log, and the
    volumes are still wanted (failed, not sent)."""
    why = "blackhole: the folder %s is not used: %s" % (hole, because)
    health = mon.m.read("status/health").decode()
    assert "error: " + why in health, health
    assert why in mon.m.read("log").decode()
    found = by_volume(mon.m.json("status/found.json"), saga(1))
    assert found[10]["download"]["state"] == "failed"
    assert why in found[10]["download"]["error"]


def test_parent_swapped_by_its_owner(monitored, fake, world, user):
    # world/parent is the other user's: they swap hole for a link to a
    # folder of root's before the check
    parent = os.path.join(world, "parent")
    target = os.path.join(world, "target")
    os.mkdir(parent, 0o755)
    os.chown(parent, user.uid, user.gid)
    os.mkdir(os.path.join(parent, "hole"))
    os.mkdir(target, 0o755)
    hole = os.path.join(parent, "hole")
    mon = hole_mon(monitored, fake, hole)
    as_user(user, "mv %s/hole %s/moved && ln -s %s %s/hole"
            % (parent, parent, target, parent))
    mon.check("missing")
    assert os.listdir(target) == []
    assert os.listdir(os.path.join(parent, "moved")) == []
    assert_refused(mon, hole, "%s belongs to user %s" % (parent, user.name))
    # still wanted: the next check tries again, and is refused again
    mon.check("missing")
    assert os.listdir(target) == []


def test_folder_a_link_of_another_user(monitored, fake, world, user):
    # a sticky folder every user may write in, as /tmp: the other user's
    # link there is refused, though the folder it leads to is root's
    drop = os.path.join(world, "drop")
    target = os.path.join(world, "target")
    os.mkdir(drop)
    os.chmod(drop, 0o1777)
    os.mkdir(target, 0o755)
    hole = os.path.join(drop, "hole")
    as_user(user, "ln -s %s %s" % (target, hole))
    mon = hole_mon(monitored, fake, hole)
    mon.check("missing")
    assert os.listdir(target) == []
    assert_refused(mon, hole, "%s is a symbolic link of user %s" %
                   (hole, user.name))


def test_folder_through_roots_link(monitored, fake, world):
    # a link root made in a folder of root's (as /var/run -> /run) is
    # followed: no other user could have made it or can change it
    target = os.path.join(world, "disk", "hole")
    os.makedirs(target, 0o755)
    link = os.path.join(world, "media")
    os.symlink("disk", link)
    mon = hole_mon(monitored, fake, os.path.join(link, "hole"))
    mon.check("missing")
    assert "Saga 01 T10.link" in os.listdir(target)
    assert "blackhole" not in mon.m.read("status/health").decode()


def test_folder_of_client_user(monitored, fake, world, user):
    # the client's own folder: refused until its user is client_user
    hole = os.path.join(world, "hole")
    os.mkdir(hole, 0o755)
    os.chown(hole, user.uid, user.gid)
    mon = hole_mon(monitored, fake, hole)
    mon.check("missing")
    assert os.listdir(hole) == []
    assert_refused(mon, hole, "%s belongs to user %s" % (hole, user.name))
    mon.unmount()
    mon.conf.write_text(mon.conf.read_text() +
                        "client_user = %s\n" % user.name)
    mon.mount()
    mon.check("missing")
    assert sorted(os.listdir(hole)) == [
        "Saga 01 T02 FRENCH CBZ (HQ).torrent", "Saga 01 T10.link",
        "Saga 01 Tomes 4 à 6 FRENCH.torrent"]
    for name in os.listdir(hole):
        st = os.stat(os.path.join(hole, name))
        assert st.st_mode & 0o7777 == 0o644 and st.st_uid == 0


def test_name_taken_is_kept(monitored, fake, tmp_path):
    hole = tmp_path / "hole"
    hole.mkdir()
    (hole / "Saga 01 T10.link").write_text("mine\n")
    mon = hole_mon(monitored, fake, hole)
    mon.check("missing")
    assert (hole / "Saga 01 T10.link").read_text() == "mine\n"
    assert (hole / "Saga 01 T10 (2).link").read_text() == \
        "https://ddl.example/s01-10\n"
    assert not [n for n in os.listdir(str(hole)) if n.startswith(".")]


def test_controls_in_a_name_escaped(monitored, fake, tmp_path):
    hole = tmp_path / "hole"
    hole.mkdir()
    mon = hole_mon(monitored, fake, hole)
    mon.catalog.write_text(json.dumps(
        {"title": "Saga 01 T10 \x1b[2J\x1b]0;owned\x07",
         "link": "https://ddl.example/s01-10", "size": 1000,
         "source": "EBDZ"}) + "\n")
    mon.check("missing")
    log = mon.m.read("log").decode()
    assert "\x1b" not in log and "\x07" not in log
    assert 'handoff: sent "Saga 01 T10 \\x1b[2J\\x1b]0;owned\\x07" to' \
        " blackhole" in log
    assert "Saga 01 T10 _[2J_]0;owned_.link" in os.listdir(str(hole))
