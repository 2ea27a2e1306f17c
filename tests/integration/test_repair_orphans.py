# SPDX-License-Identifier: GPL-3.0-or-later
"""Orphans, over a real mount with the Real-Debrid, Sonarr and Radarr
fakes: a dead link into the mount that no torrent of the account (listed
whole) explains is listed in status/orphans with its age; with
[realdebrid] orphans = delete it goes once it has been an orphan for
orphan_grace, never before, never in dry-run, never with the mount down,
never while an Arr knows it as a file."""

import os
import subprocess

from test_repair import rd_mount, setup  # noqa: F401


def orphans(s):
    return [line.split("\t") for line in
            s.m.read("status/orphans").decode().splitlines()]


def deleted(s):
    return [a["target"] for a in s.repairs()["recent_actions"]
            if a["action"] == "delete_orphan"]


def test_listed_then_deleted_after_its_grace(setup):
    s = setup(rd_extra="orphans = delete\norphan_grace = 3s\n")
    s.command("run")
    listed = orphans(s)
    assert [o[:2] for o in listed] == [
        [s.unmapped_link, os.path.join(s.rdm, "Never.Had.This",
                                       "gone.mkv")]]
    assert listed[0][2].endswith(" s") or listed[0][2].endswith("ms")
    # the pass that first saw it is within its grace
    assert os.path.islink(s.unmapped_link)
    assert deleted(s) == []

    def gone():
        s.command("run")
        return not os.path.lexists(s.unmapped_link)
    s.wait(gone, "the orphan deleted once its grace ran out")
    assert orphans(s) == []
    assert deleted(s) == [s.unmapped_link]
    assert s.unmapped_link not in s.states()
    told = s.wait(lambda: [m for m in s.told() if "1 orphans deleted" in m],
                  "the deletion told")
    assert told


def test_listed_only_by_default(setup):
    s = setup(rd_extra="orphan_grace = 0s\n")
    s.command("run")
    s.command("run")
    assert [o[0] for o in orphans(s)] == [s.unmapped_link]
    assert os.path.islink(s.unmapped_link)
    assert deleted(s) == []


def test_keep_lists_nothing(setup):
    s = setup(rd_extra="orphans = keep\n")
    s.command("run")
    assert orphans(s) == []
    assert os.path.islink(s.unmapped_link)


def test_never_in_dry_run_nor_with_the_mount_down(setup):
    s = setup(dry_run=True, rd_extra="orphans = delete\norphan_grace = 0s\n")
    s.command("run")
    s.command("run")
    assert [o[0] for o in orphans(s)] == [s.unmapped_link]
    assert os.path.islink(s.unmapped_link)
    s.m.write("control/dry-run", "0\n")
    subprocess.run(["umount", s.rdm], check=True)
    s.command("run")
    assert "debrid mount looks down" in s.m.read(
        "status/health").decode()
    assert os.path.islink(s.unmapped_link)
    assert deleted(s) == []


def test_kept_while_an_arr_knows_it(setup):
    s = setup(rd_extra="orphans = delete\norphan_grace = 0s\n")
    gone = os.path.join(s.tv, "Gone")
    s.sonarr.call("/_items", {
        "kind": "sonarr",
        "items": [{"id": 11, "title": "Gone", "path": gone}],
        "files": [{"id": 5, "seriesId": 11, "path": s.unmapped_link,
                   "relativePath": "gone.mkv"}]})
    s.command("run")
    s.command("run")
    assert os.path.islink(s.unmapped_link)
    assert [o[0] for o in orphans(s)] == [s.unmapped_link]
    assert any(r["path"] == "/api/v3/episodefile?seriesId=11"
               for r in s.sonarr.call("/_requests"))
    # Sonarr forgets it: it goes
    s.sonarr.call("/_items", {"kind": "sonarr", "items": []})
    s.command("run")
    assert not os.path.lexists(s.unmapped_link)
    assert deleted(s) == [s.unmapped_link]
