# SPDX-License-Identifier: GPL-3.0-or-later
"""Issue 76: the [catalog] file against another local user of a shared
machine (useradd, setpriv): mediamon --import-catalog appends nowhere a
link of theirs leads, and says why; the daemon's reload refuses a file
others may change, with a line in /status/health until it is mended,
and keeps the catalog it loaded before."""

import os
import subprocess

import conftest
from access_users import pytestmark, user, world  # noqa: F401
from test_monitor import by_volume, monitored, saga  # noqa: F401

LINK = "ed2k://|file|Saga%2001%20T02.cbz|1000|" \
    "0123456789abcdef0123456789abcdef|/"


def import_catalog(conf, export):
    music = conf.parent / "music"
    music.mkdir(exist_ok=True)
    return subprocess.run(
        [conftest.BINARY, "-o", "config=" + str(conf), "-o",
         "music=" + str(music), "--import-catalog", "links", str(export)],
        capture_output=True, text=True, timeout=60 * conftest.SLOW)


def test_import_not_through_a_link_of_another_user(tmp_path, world, user):
    # the catalog's folder is the other user's; they put a link to a
    # file of root's at the catalog's name
    folder = os.path.join(world, "shared")
    os.mkdir(folder, 0o755)
    os.chown(folder, user.uid, user.gid)
    victim = os.path.join(world, "root-only")
    with open(victim, "w") as f:
        f.write("root's own\n")
    os.chmod(victim, 0o600)
    catalog = os.path.join(folder, "catalog.jsonl")
    out = user.run("ln", "-s", victim, catalog)
    assert out.returncode == 0, out
    conf = tmp_path / "m.conf"
    conf.write_text("[catalog]\nfile = %s\n" % catalog)
    export = tmp_path / "export.txt"
    export.write_text(LINK + "\n")
    run = import_catalog(conf, export)
    assert run.returncode == 2, run
    assert "catalog: the file %s is not used: %s belongs to user %s" % (
        catalog, folder, user.name) in run.stderr, run.stderr
    with open(victim) as f:
        assert f.read() == "root's own\n"
    # given to root, with the link gone, the catalog is made there
    os.unlink(catalog)
    os.chown(folder, 0, 0)
    run = import_catalog(conf, export)
    assert run.returncode == 0, run
    st = os.lstat(catalog)
    assert st.st_uid == 0 and not os.path.islink(catalog)
    with open(victim) as f:
        assert f.read() == "root's own\n"


def test_reload_refuses_a_file_others_may_change(monitored):
    mon = monitored([saga(1)])
    mon.check("missing")
    found = by_volume(mon.m.json("status/found.json"), saga(1))
    assert found[10]["releases"][0]["source"] == "catalog"
    # written by every user: refused, the catalog kept as it was
    mon.catalog.write_text("")
    os.chmod(mon.catalog, 0o666)
    mon.check("missing")
    health = mon.m.read("status/health").decode()
    why = "catalog: the file %s is not used: %s may be written by every" \
        " user" % (mon.catalog, mon.catalog)
    assert "error: " + why in health, health
    log = mon.m.read("log").decode()
    assert log.count(why) == 1, log
    found = by_volume(mon.m.json("status/found.json"), saga(1))
    assert found[10]["releases"][0]["source"] == "catalog"
    mon.check("missing")
    assert mon.m.read("log").decode().count(why) == 1
    # mended: read again, and the line is gone
    os.chmod(mon.catalog, 0o644)
    mon.check("missing")
    assert "catalog:" not in mon.m.read("status/health").decode()
