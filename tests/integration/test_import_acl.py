# SPDX-License-Identifier: GPL-3.0-or-later
"""A POSIX ACL that shuts the series folder's owner out of a download
(issue 76, a fresh probe): the kernel denies a user named in an ACL entry
with no rights (setfacl -m u:NAME:---) whatever the others' mode bits
give, so the import, which reads as root, must not hand them a copy of a
file they could not read. The real qBittorrent, a shared save folder,
volume 4 of the attacker's series completed there by the test; the ACL
on the file itself, or on the save folder on its way. Refused with the
reason, nothing of it in the series folder, the volume still wanted;
the ACL lifted, the next missing check imports it. The ACL is written as
its extended attribute (system.posix_acl_access), as setfacl writes it."""

import os
import struct

import pytest

from clients import clients, files  # noqa: F401
from conftest import wait_for
from test_import_hostile import as_user, copying, hostile  # noqa: F401
from test_import_hostile import no_copy_of, shown, users  # noqa: F401
from test_tracker import state_of

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0, reason="needs root to make two users")

ACL = "system.posix_acl_access"
# The entries' tags, as <sys/acl.h> and the kernel's posix_acl_xattr.h
# number them; a tag that names no one carries the id 0xffffffff.
USER_OBJ, USER, GROUP_OBJ, GROUP, MASK, OTHER = 0x01, 0x02, 0x04, 0x08, \
    0x10, 0x20
NOBODY = 0xffffffff
READ = "import os, sys; os.listdir(sys.argv[1])" \
    " if os.path.isdir(sys.argv[1]) else open(sys.argv[1], 'rb').read()"


def deny(path, uid):
    """The ACL of path: its mode bits, and uid named with no rights."""
    mode = os.stat(str(path)).st_mode
    entries = [(USER_OBJ, (mode >> 6) & 7, NOBODY), (USER, 0, uid),
               (GROUP_OBJ, (mode >> 3) & 7, NOBODY),
               (MASK, (mode >> 3) & 7, NOBODY), (OTHER, mode & 7, NOBODY)]
    os.setxattr(str(path), ACL, struct.pack("<I", 2) + b"".join(
        struct.pack("<HHI", *e) for e in entries))


def set_acl(path, entries):
    """The ACL of path: entries of (tag, rights, id), as setfacl writes
    them (the kernel sets the mode bits from them)."""
    os.setxattr(str(path), ACL, struct.pack("<I", 2) + b"".join(
        struct.pack("<HHI", *e) for e in entries))


# A root file's ACLs naming a group of the series folder's owner (their
# own, gid): whether the kernel lets them read it. A group entry of
# theirs counts before the others' entry, and the mask bounds it.
GROUPS = {
    "group named with nothing, others r": (lambda gid: [
        (USER_OBJ, 6, NOBODY), (GROUP_OBJ, 4, NOBODY), (GROUP, 0, gid),
        (MASK, 4, NOBODY), (OTHER, 4, NOBODY)], False),
    "group named r-x, others nothing": (lambda gid: [
        (USER_OBJ, 6, NOBODY), (GROUP_OBJ, 0, NOBODY), (GROUP, 5, gid),
        (MASK, 5, NOBODY), (OTHER, 0, NOBODY)], True),
    "group named rwx, mask -w-, others r": (lambda gid: [
        (USER_OBJ, 6, NOBODY), (GROUP_OBJ, 0, NOBODY), (GROUP, 7, gid),
        (MASK, 2, NOBODY), (OTHER, 4, NOBODY)], False),
    # no group bits in the mode: the kernel looks at the mode alone
    "group named r-x, mask nothing, others r": (lambda gid: [
        (USER_OBJ, 6, NOBODY), (GROUP_OBJ, 0, NOBODY), (GROUP, 5, gid),
        (MASK, 0, NOBODY), (OTHER, 4, NOBODY)], True),
}


def shut_out(user, path):
    """Whether the kernel refuses user path (read, or list a folder)."""
    out = user.run("/usr/bin/python3", "-c", READ, str(path))
    return out.returncode != 0 and b"PermissionError" in out.stderr


def completed(hostile, clients, files, tmp_path, attacker, fill):
    """Volume 4 of the attacker's series, asked of the real qBittorrent
    and its bytes written in the save folder by the test, root's:
    (the client, the torrent, the save folder, the Monitor)."""
    qbit, b, save, mon = copying(hostile, clients, files, tmp_path, fill)
    os.chown(str(mon.root / "Saga 01"), attacker.uid, attacker.gid)
    mon.check("missing")
    wait_for(lambda: state_of(mon, 4), 30, "volume 4 on its way",
             until=lambda s: s == "downloading", mount=mon.m)
    (save / b.name).write_bytes(b.content)
    os.chown(str(save / b.name), 0, 0)
    return qbit, b, save, mon


def rechecked(qbit, b, mon):
    """What health shows of volume 4 once the client's recheck has it
    imported or refused."""
    qbit.api("/api/v2/torrents/recheck", {"hashes": b.hash})
    return wait_for(lambda: shown(mon), 60, "volume 4's import tried",
                    until=lambda d: d["reason"] or
                    d["state"] == "imported", mount=mon.m)


def assert_refused(d, mon, b):
    series = mon.root / "Saga 01"
    assert d["state"] == "completed", d
    assert "series folder's owner could not" in d["reason"], d
    assert not (series / "Saga 01 T04.cbz").exists()
    no_copy_of(series, b.content)


@pytest.mark.parametrize("where", ["file", "save folder"])
def test_acl_naming_the_owner_with_no_rights(hostile, clients, files, users,
                                             tmp_path, where):
    attacker, _ = users
    qbit, b, save, mon = completed(hostile, clients, files, tmp_path,
                                   attacker, b"A")
    os.chmod(str(save / b.name), 0o644)
    shut = save / b.name if where == "file" else save
    deny(shut, attacker.uid)
    assert shut_out(attacker, save / b.name)
    assert_refused(rechecked(qbit, b, mon), mon, b)
    assert (save / b.name).read_bytes() == b.content
    # the ACL lifted, the attacker may read it: so may their copy
    os.removexattr(str(shut), ACL)
    as_user(attacker, READ, save / b.name)
    mon.check("missing")
    wait_for(lambda: shown(mon), 60, "volume 4 imported",
             until=lambda d: d["state"] == "imported", mount=mon.m)
    assert (mon.root / "Saga 01" / "Saga 01 T04.cbz").read_bytes() == \
        b.content


@pytest.mark.parametrize("case", sorted(GROUPS))
def test_acl_naming_a_group_of_the_owner(hostile, clients, files, users,
                                         tmp_path, case):
    """Judged as the kernel's posix_acl_permission() judges it: refused
    where the kernel refuses the owner, imported where it lets them in,
    whatever the others' mode bits alone would say."""
    attacker, _ = users
    entries, may = GROUPS[case]
    qbit, b, save, mon = completed(hostile, clients, files, tmp_path,
                                   attacker, b"G")
    set_acl(save / b.name, entries(attacker.gid))
    assert shut_out(attacker, save / b.name) != may
    d = rechecked(qbit, b, mon)
    if not may:
        assert_refused(d, mon, b)
        return
    assert d["state"] == "imported", d
    assert (mon.root / "Saga 01" / "Saga 01 T04.cbz").read_bytes() == \
        b.content
