# SPDX-License-Identifier: GPL-3.0-or-later
"""Every configuration snippet of the documents passes `mediamon
--check-config` as written, since people copy them. A snippet is, in
README.md and docs/*.md, a fenced block marked ```ini (any other block is
not configuration), and in the man pages an .EX block whose first line is
a [section]. A block that begins with a [section] but is not marked ini
fails, so that no snippet escapes the check by its marking.

A snippet names folders of a machine (/srv/music, /mnt/realdebrid): it is
checked in a mount namespace of its own with a tmpfs on /srv and /mnt
where the folders and files it names are made, and with -o music=DIR,
since a fragment (a [prowlarr] section alone) adds to a configuration
that has a root."""

import glob
import os
import re
import shlex
import subprocess

import pytest

from conftest import BINARY

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
SECTION = re.compile(r"^\[\w+\]")
SCRATCH = ("/srv/", "/mnt/")


def markdown_blocks(text):
    """[(marked ini, first line, body)] of the fenced and indented
    blocks."""
    blocks, lines, i = [], text.split("\n"), 0
    while i < len(lines):
        m = re.match(r"^```(\w*)$", lines[i])
        if m:
            end = lines.index("```", i + 1)
            body = lines[i + 1:end]
            blocks.append((m.group(1) == "ini", "\n".join(body) + "\n"))
            i = end + 1
        elif lines[i].startswith("    ") and (i == 0 or not lines[i - 1]):
            body = []
            while i < len(lines) and (lines[i].startswith("    ") or
                                      not lines[i].strip() and
                                      i + 1 < len(lines) and
                                      lines[i + 1].startswith("    ")):
                body.append(lines[i][4:])
                i += 1
            blocks.append((False, "\n".join(body) + "\n"))
        else:
            i += 1
    return blocks


def man_blocks(text):
    """[(a configuration snippet, body)] of the .EX ... .EE blocks."""
    blocks = []
    for body in re.findall(r"^\.EX\n(.*?)^\.EE$", text, re.M | re.S):
        body = body.replace("\\-", "-").replace("\\e", "\\")
        blocks.append((bool(SECTION.match(body)), body))
    return blocks


def snippets():
    found = []
    docs = ["README.md"] + sorted(glob.glob(os.path.join(REPO, "docs",
                                                         "*.md")))
    for doc in docs:
        rel = os.path.relpath(os.path.join(REPO, doc), REPO)
        with open(os.path.join(REPO, rel), encoding="utf-8") as f:
            blocks = markdown_blocks(f.read())
        found += [(rel, n, ini, body) for n, (ini, body) in
                  enumerate(blocks, 1)]
    for rel in ("man/mediamon.8", "man/mediamon.conf.5"):
        with open(os.path.join(REPO, rel), encoding="utf-8") as f:
            found += [(rel, n, ini, body) for n, (ini, body) in
                      enumerate(man_blocks(f.read()), 1)]
    return found


SNIPPETS = snippets()
CONFIGS = [s for s in SNIPPETS if s[2]]


def scratch_paths(body):
    """The folders and files a snippet names below /srv or /mnt: a
    *_file or catalog file is a file (holding a made-up secret), a
    database a file made by the daemon, anything else a folder (a root,
    a save path, the local half of a path_map)."""
    folders, files = set(), set()
    for key, value in re.findall(r"^(\w+)\s*=\s*(.*?)(?:\s+[#;].*)?$",
                                 body, re.M):
        for v in re.split(r"[,:]\s*", value):
            if not v.startswith(SCRATCH):
                continue
            if key == "file" or key.endswith("_file"):
                files.add(v)
            elif key == "database":
                folders.add(os.path.dirname(v))
            else:
                folders.add(v)
    return sorted(folders), sorted(files)


def check(body, tmp_path):
    conf = tmp_path / "snippet.conf"
    conf.write_text(body)
    conf.chmod(0o600)
    music = tmp_path / "music"
    music.mkdir()
    folders, files = scratch_paths(body)
    q = shlex.quote
    steps = ["mount -t tmpfs tmpfs /srv", "mount -t tmpfs tmpfs /mnt"]
    steps += ["mkdir -p -- " + q(d) for d in folders]
    for f in files:
        steps += ["mkdir -p -- " + q(os.path.dirname(f)),
                  "echo secret > " + q(f), "chmod 600 " + q(f)]
    steps.append("exec %s --check-config -o config=%s -o music=%s" % (
        q(BINARY), q(str(conf)), q(str(music))))
    return subprocess.run(["unshare", "-m", "--propagation", "private",
                           "sh", "-c", " && ".join(steps)],
                          capture_output=True, text=True, timeout=60)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs a mount namespace")
@pytest.mark.parametrize("doc,n,ini,body", CONFIGS,
                         ids=["%s#%d" % (s[0], s[1]) for s in CONFIGS])
def test_snippet_checks(doc, n, ini, body, tmp_path):
    r = check(body, tmp_path)
    assert r.returncode == 0, "%s, snippet %d:\n%s\n%s" % (
        doc, n, body, r.stderr)


def test_every_snippet_is_marked():
    unmarked = ["%s#%d" % (doc, n) for doc, n, ini, body in SNIPPETS
                if not ini and SECTION.match(body)]
    assert unmarked == []


def test_snippets_are_found():
    """The README has its two, the guide its long one, mediamon.conf(5)
    its example; a shell block is not one."""
    docs = {s[0] for s in CONFIGS}
    assert {"README.md", "docs/GUIDE.md", "man/mediamon.conf.5"} <= docs
    assert markdown_blocks("x\n\n    [general]\n    a = 1\n\n```ini\n"
                           "[music]\n```\n\n```sh\nls\n```\n") == [
        (False, "[general]\na = 1\n"), (True, "[music]\n"),
        (False, "ls\n")]
    assert man_blocks(".EX\n[general]\n.EE\n.EX\nls \\-l\n.EE\n") == [
        (True, "[general]\n"), (False, "ls -l\n")]


@pytest.mark.skipif(os.geteuid() != 0, reason="needs a mount namespace")
def test_a_bad_snippet_fails(tmp_path):
    """The check can fail: a value out of range, a key the table lacks,
    a root that is not made."""
    for bad in ("[general]\nthreads = 0\n", "[general]\nbogus = 1\n",
                "[music]\nroot = /nowhere/music\n"):
        sub = tmp_path / str(abs(hash(bad)))
        sub.mkdir()
        assert check(bad, sub).returncode == 1, bad
