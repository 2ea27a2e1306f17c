# SPDX-License-Identifier: GPL-3.0-or-later
"""A local user made for the test reads through the mount only what it may
read on disk (issue 20): a private root, a private folder in a public
one, a private manga root, the groups of the caller, links out of the
roots read as the user, the files that name real paths, and the scan
errors of a private folder."""

import errno
import grp
import json
import os
import uuid

import pytest

from conftest import accounts, wait_for, make_mp3, unmount
from watch_common import CONVERGE_S, NOT_YET
from access_users import (denied, start_daemon, titles, music_world,
                          real_files, assert_all_denied, with_cover)
from access_users import pytestmark, figures, user  # noqa: F401 (for pytest)
from access_users import world  # noqa: F401 (for pytest)


def test_private_root_is_read_by_no_one_else(world, user, template_library):
    """A music root chmod 700: the user reads none of its files through
    /library, /search or covers, lists none of them, reads no attribute
    of them, and reads no status file naming its paths; the owner reads
    all. Opened up on disk, the same reads work for the user."""
    root, conf = music_world(world, template_library)
    with_cover(root)
    os.chmod(root, 0o700)
    m = start_daemon(world, "config=" + conf)
    try:
        files = real_files(m)
        assert len(files) >= 20, files
        assert any(p.endswith("/cover.jpg") for p in files)
        # the owner lists first, so a listing the kernel keeps for it
        # would show
        album = os.path.dirname([p for p in files if "/artists/" in p][0])
        owner_names = sorted(os.listdir(album))
        assert len(owner_names) >= 3
        for p in files:
            with open(p, "rb") as f:
                assert f.read(4)
        assert_all_denied(user, files, "private root")
        # an album none of whose files the user may read is not there
        listed = user.ask([("list", album), ("list",
                                             m.file("search/first"))])
        assert isinstance(listed[0], OSError) and \
            listed[0].errno == errno.ENOENT and listed[1] == [], listed
        for got in user.ask([("xattr", p) for p in files[:3]]):
            denied(got, "xattr of a private track")
        for rel in ["status/no-cover", "status/duplicates", "log",
                    "status/broken", "status/missing.json"]:
            denied(user.read(m.file(rel)), rel)
        assert root.encode() in m.read("status/no-cover") or \
            m.read("status/no-cover") == b""
        # what says the permissions did it: opened up, the user reads
        os.chmod(root, 0o755)
        wait_for(lambda: not isinstance(user.read(files[0]), OSError),
                 CONVERGE_S,
                 "the user reads an opened root", mount=m, ignore=NOT_YET)
        # another thread may keep its verdict a second (caller.h)
        wait_for(lambda: user.ask([("read", p) for p in files]), CONVERGE_S,
                 "the user reads every file of an opened root", mount=m,
                 until=lambda got: not [g for g in got
                                        if isinstance(g, OSError)])
        # what may be listed is kept a second (caller.h)
        wait_for(lambda: user.listdir(album) == owner_names, CONVERGE_S,
                 "the user lists an opened root", mount=m, ignore=NOT_YET)
    finally:
        unmount(m.path, m.proc)


# Root that may not take another user's ids: what a daemon run as an
# ordinary user is, and checks by mode bits.
NO_SETID = ["setpriv", "--bounding-set", "-setuid,-setgid", "--"]


@pytest.mark.parametrize("wrapper", [(), NO_SETID],
                         ids=["as the user", "by mode bits"])
def test_groups_of_the_caller_count(world, user, template_library, wrapper):
    """A root readable by a group: the user reads it with that group among
    its supplementary groups, and not without it; so too when the daemon
    may not become the user and checks the mode bits instead."""
    root, conf = music_world(world, template_library)
    group = "mg" + uuid.uuid4().hex[:10]
    accounts("groupadd", group)
    try:
        gid = grp.getgrnam(group).gr_gid
        os.chown(root, 0, gid)
        os.chmod(root, 0o750)
        m = start_daemon(world, "config=" + conf, wrapper=wrapper)
        if wrapper:
            assert b"cannot act as other users" in m.read("log")
        try:
            files = real_files(m)
            assert_all_denied(user, files, "without the group")
            got = user.ask([("read", p) for p in files], groups=[gid])
            assert not [g for g in got if isinstance(g, OSError)], got
            album = os.path.dirname(files[0])
            assert user.listdir(album, groups=[gid]) == \
                sorted(os.listdir(album))
            got = user.listdir(album)
            assert isinstance(got, OSError) and got.errno == errno.ENOENT
        finally:
            unmount(m.path, m.proc)
    finally:
        accounts("groupdel", group, check=False)


def test_private_folder_inside_a_public_root(world, user, template_library):
    """One album folder chmod 700 in a root all may read: its tracks are
    neither listed nor read for the user, the others are."""
    root, conf = music_world(world, template_library)
    os.chmod(os.path.join(root, "Beta"), 0o700)
    m = start_daemon(world, "config=" + conf)
    try:
        files = real_files(m)
        third = [p for p in files if "Third" in os.path.basename(p)]
        others = [p for p in files if p not in third]
        assert third and others
        assert_all_denied(user, third, "private folder")
        got = user.ask([("read", p) for p in others])
        assert not [g for g in got if isinstance(g, OSError)], got
        names = user.listdir(m.file("search/third"))
        assert names == [], names
        assert len(user.listdir(m.file("search/first"))) == 3
    finally:
        unmount(m.path, m.proc)


def test_private_manga_root(world, user):
    """A manga root chmod 700: its series are not in /manga or
    /library/manga for the user, nor found by name."""
    manga = os.path.join(world, "manga")
    for v in (1, 3):
        os.makedirs(os.path.join(manga, "Berserk"), exist_ok=True)
        with open(os.path.join(manga, "Berserk", "Berserk T%02d.cbz" % v),
                  "wb") as f:
            f.write(b"PK\x05\x06" + b"\0" * 18)
    os.chmod(manga, 0o700)
    m = start_daemon(world, "manga=" + manga)
    try:
        assert os.listdir(m.file("manga")) == ["Berserk"]
        assert os.listdir(m.file("library/manga")) == ["Berserk"]
        volumes = [m.file("library/manga/Berserk/" + n) for n in
                   os.listdir(m.file("library/manga/Berserk"))
                   if n.startswith("Volume")]
        assert len(volumes) == 2
        got = user.ask([("list", m.file("manga")),
                        ("list", m.file("library/manga")),
                        ("list", m.file("library/manga/Berserk"))])
        assert got[0] == [] and got[1] == [], got
        assert isinstance(got[2], OSError) and \
            got[2].errno == errno.ENOENT, got
        for rel in ["manga/Berserk/status.json", "manga/Berserk/volumes"]:
            denied(user.read(m.file(rel)), rel)
        assert_all_denied(user, volumes, "private manga")
    finally:
        unmount(m.path, m.proc)


def test_link_out_of_the_roots_reads_as_the_user(world, user,
                                                 template_library):
    """With follow_outside_symlinks = yes the planted link is indexed, yet
    the user reads through it only what it reads on disk: nothing of a
    file only root may read, while root reads it."""
    root, conf = music_world(world, template_library,
                             music="follow_outside_symlinks = yes\n")
    secret_dir = os.path.join(world, "private")
    os.mkdir(secret_dir, 0o700)
    make_mp3(os.path.join(secret_dir, "secret.mp3"), "Secret", "S", "S", 1)
    upload = os.path.join(root, "upload")
    os.mkdir(upload)
    os.chown(upload, user.uid, user.gid)
    assert user.run("ln", "-s", os.path.join(secret_dir, "secret.mp3"),
                    os.path.join(upload, "notes.mp3")).returncode == 0
    m = start_daemon(world, "config=" + conf)
    try:
        assert "Secret" in titles(m)
        found = [m.file("search/secret/" + n)
                 for n in os.listdir(m.file("search/secret"))]
        assert len(found) == 1
        with open(found[0], "rb") as f:
            assert f.read() == open(os.path.join(
                secret_dir, "secret.mp3"), "rb").read()
        denied(user.read(found[0]), "a link out of the roots")
        # nor sees its tags: it may not read what the link leads to
        assert user.listdir(m.file("search/secret")) == []
    finally:
        unmount(m.path, m.proc)


def test_files_naming_paths_are_the_owners(world, user, template_library):
    """The status files that print real paths, and the log, are the
    daemon's user's alone; the others every user may read."""
    root, conf = music_world(world, template_library)
    m = start_daemon(world, "config=" + conf)
    try:
        private = ["status/no-cover", "status/duplicates",
                   "status/duplicates.json", "status/broken",
                   "status/broken.json", "status/repairs.json",
                   "status/debrid-torrents.json", "status/debrid-magnets",
                   "status/orphans", "status/missing.json",
                   "status/new.json", "status/downloads.json", "log"]
        for rel in private:
            st = os.stat(m.file(rel))
            assert st.st_mode & 0o777 == 0o400 and st.st_uid == 0, rel
            assert m.read(rel) is not None
            denied(user.read(m.file(rel)), rel)
        for rel in ["status/summary.json", "status/health",
                    "status/missing", "metrics/scan.json", "README"]:
            assert os.stat(m.file(rel)).st_mode & 0o777 == 0o444, rel
            assert not isinstance(user.read(m.file(rel)), OSError), rel
    finally:
        unmount(m.path, m.proc)


def test_scan_errors_in_a_private_folder_are_not_told(world, user,
                                                     template_library):
    """scans.json tells a scan's first five errors in words; one in a
    folder the caller may not list is not told to them (its count is)."""
    root, conf = music_world(world, template_library)
    private = os.path.join(root, "Private")
    os.mkdir(private)
    damaged = b"fLaC" + bytes(range(256)) * 4
    for i in range(3):
        with open(os.path.join(private, "bad%d.flac" % i), "wb") as f:
            f.write(damaged)
    for i in range(3, 7):
        with open(os.path.join(root, "bad%d.flac" % i), "wb") as f:
            f.write(damaged)
    os.chmod(private, 0o700)
    m = start_daemon(world, "config=" + conf)
    try:
        m.wait_idle()
        scan = m.json("metrics/scans.json")["scans"][0]
        text = user.read(m.file("metrics/scans.json"))
    finally:
        unmount(m.path, m.proc)
    assert not isinstance(text, OSError), text
    theirs = json.loads(text)["scans"][0]
    assert scan["files_failed"] == theirs["files_failed"] == 7
    kept = [e["path"] for e in scan["first_errors"]]
    assert len(set(kept)) == 5
    assert all(os.path.basename(p).startswith("bad") and e["error"]
               for p, e in zip(kept, scan["first_errors"]))
    # four of them at most are outside Private: one at least is in it
    assert any(p.startswith(private + "/") for p in kept)
    assert [e["path"] for e in theirs["first_errors"]] == \
        [p for p in kept if not p.startswith(private + "/")]
    assert private.encode() not in text
