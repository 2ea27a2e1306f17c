# SPDX-License-Identifier: GPL-3.0-or-later
"""The README's first steps on a machine without network (issue 62,
point 8): its configuration snippets as written (the roots, then
Prowlarr and qBittorrent at localhost; new_volumes = yes by default, dry
run on), the daemon started in a network namespace of its own (`unshare
-n`: no route, not even loopback), a monitored series in the manga root.
Health then holds no error line, only warnings, each naming a source it
could not reach and why; they cannot clear without network, and a
second check leaves them warnings, asked again. With dry-run off, the
download client (asked at each poll though nothing is followed) is one
more warning."""

import os
import re
import subprocess

import pytest

from conftest import wait_for
from test_docs_snippets import markdown_blocks

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
CONTENT = b"PK\x05\x06" + b"\0" * 18
# the sources the first check asks for a French edition, and Prowlarr
SOURCES = {"nautiljon", "mangadex", "prowlarr"}


def readme_configuration():
    """The ini snippets of the README's first steps, in order, joined."""
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as f:
        text = f.read()
    steps = text.split("## First steps", 1)[1].split("\n## ", 1)[0]
    return "".join(body for ini, body in markdown_blocks(steps) if ini)


def no_network():
    """Why a network namespace cannot be made here, or None."""
    if os.geteuid() != 0:
        return "unshare -n needs root"
    r = subprocess.run(["unshare", "-n", "true"], capture_output=True,
                       text=True)
    if r.returncode:
        return "unshare -n refused: %s" % r.stderr.strip()
    return None


def source_lines(text):
    return [x for x in text.splitlines() if x != "ok"]


def test_readme_configuration_read():
    """What the test below runs is the README's: both snippets, the
    roots and the hand-off."""
    conf = readme_configuration()
    assert "[manga]\nroot = /srv/manga" in conf
    assert "client = qbittorrent" in conf
    assert "new_volumes" not in conf
    # qBittorrent 4.6.1 and later have no default password
    assert "adminadmin" not in conf
    assert "temporary one" in open(os.path.join(REPO, "README.md")).read()


@pytest.mark.skipif(no_network() is not None, reason=str(no_network()))
@pytest.mark.parametrize("send", [False, True], ids=["dry-run", "sending"])
def test_first_steps_without_network(make_mount, tmp_path, send):
    conf = readme_configuration().replace("/srv/", str(tmp_path) + "/srv/")
    sources = SOURCES | ({"qbittorrent"} if send else set())
    if send:
        conf = conf.replace("[general]\n", "[general]\ndry_run = no\n", 1)
    conf = conf.replace("/var/lib/mediamon", str(tmp_path / "var"))
    series = tmp_path / "srv" / "manga" / "Saga 01"
    series.mkdir(parents=True)
    # volume 2 missing: the missing check searches Prowlarr too
    for n in (1, 3):
        (series / ("Saga 01 T%02d.cbz" % n)).write_bytes(CONTENT)
    (tmp_path / "srv" / "music").mkdir()
    (tmp_path / "var").mkdir()
    path = tmp_path / "mediamon.conf"
    path.write_text(conf)
    path.chmod(0o600)
    # no proxy either: a user's machine without network has none
    m = make_mount("config=" + str(path), wait=False,
                   wrapper=["unshare", "-n", "--"],
                   env={"http_proxy": "", "https_proxy": "",
                        "HTTPS_PROXY": "", "ALL_PROXY": ""})
    text = wait_for(lambda: m.read("status/health").decode(), 120,
                    "health naming " + ", ".join(sorted(sources)),
                    until=lambda t: all(n + ": " in t for n in sources),
                    mount=m)
    lines = source_lines(text)
    assert not [x for x in lines if not x.startswith("warn: ")], text
    for line in lines:
        name = line.split(": ")[1]
        assert name in sources, line
        assert re.search("unreachable|resolve|refused", line, re.I), line
    # a second check asks again: still warnings, no error
    log = m.read("log").decode().count("new check finished")
    m.write("control/check-new", "1\n")
    wait_for(lambda: m.read("log").decode().count("new check finished"),
             120, "the second new check", until=lambda n: n > log, mount=m)
    lines = source_lines(m.read("status/health").decode())
    assert lines and all(x.startswith("warn: ") for x in lines), lines
    errors = [x for x in m.read("log").decode().splitlines()
              if " error: " in x]
    assert errors == [], errors
