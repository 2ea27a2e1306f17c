# SPDX-License-Identifier: GPL-3.0-or-later
"""make dist: the source release carries what the build needs and a
MANIFEST, so that a tree unpacked from it, with no git, builds, makes the
same release again and (contrib/build-deb.sh) its Debian package; a tree
that is neither a checkout nor a release is refused with a reason."""

import os
import shutil
import subprocess
import tarfile

import pytest

from conftest import BINARY, REPO

VERSION = "9.8.7"
NAME = "mediamon-" + VERSION


def no_git_env():
    env = dict(os.environ)
    # git must not find a repository above the unpacked tree either.
    env["GIT_CEILING_DIRECTORIES"] = "/"
    env["GIT_DIR"] = "/nonexistent"
    return env


def dist(tree, out, env=None):
    return subprocess.run(["sh", "contrib/dist.sh", str(out), VERSION],
                          cwd=tree, capture_output=True, text=True,
                          timeout=300, env=env)


def unpack(tarball, where):
    where.mkdir()
    subprocess.run(["tar", "-xzf", tarball, "-C", str(where)], check=True,
                   timeout=120)
    return where / NAME


def test_release_builds_and_remakes_itself_without_git(tmp_path):
    if os.path.realpath(BINARY) != os.path.realpath(
            os.path.join(REPO, "mediamon")):
        pytest.skip("a release builds with its own flags: the sanitized"
                    " binary this run checks (%s) is not in it" % BINARY)
    made = dist(REPO, tmp_path / "a")
    assert made.returncode == 0, made.stderr
    tarball = made.stdout.strip().splitlines()[-1]
    assert tarball == str(tmp_path / "a" / (NAME + ".tar.gz"))
    with tarfile.open(tarball) as t:
        names = t.getnames()
    assert all(n == NAME or n.startswith(NAME + "/") for n in names)
    tree = unpack(tarball, tmp_path / "u")
    assert not (tree / ".git").exists()
    listed = (tree / "MANIFEST").read_text().split("\n")[:-1]
    for needed in ("Makefile", "LICENSE", "debian/changelog",
                   "debian/copyright", "contrib/build-deb.sh",
                   "contrib/dist.sh", "fs/main.c", "man/mediamon.8"):
        assert needed in listed
    for f in listed:
        assert os.path.lexists(tree / f), f
    # No build product of the checkout travels with it.
    assert not any(n.startswith(NAME + "/build/") for n in names)
    assert NAME + "/mediamon" not in names

    again = dist(tree, tmp_path / "b", env=no_git_env())
    assert again.returncode == 0, again.stderr
    with open(tarball, "rb") as a, \
            open(tmp_path / "b" / (NAME + ".tar.gz"), "rb") as b:
        assert a.read() == b.read()

    built = subprocess.run(["make", "-j2", "BUILD=" + str(tmp_path / "o"),
                            "BIN=" + str(tmp_path / "o" / "mediamon"),
                            str(tmp_path / "o" / "mediamon")],
                           cwd=tree, capture_output=True, text=True,
                           timeout=900, env=no_git_env())
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr
    assert os.access(tmp_path / "o" / "mediamon", os.X_OK)


def test_tree_without_git_or_manifest_is_refused(tmp_path):
    tree = tmp_path / "t"
    shutil.copytree(os.path.join(REPO, "contrib"), tree / "contrib")
    shutil.copy(os.path.join(REPO, "Makefile"), tree / "Makefile")
    made = dist(tree, tmp_path / "out", env=no_git_env())
    assert made.returncode != 0
    assert "neither a git checkout nor a release" in made.stderr
    assert not (tmp_path / "out" / (NAME + ".tar.gz")).exists()


def test_manifest_without_the_makefile_is_refused(tmp_path):
    tree = tmp_path / "t"
    shutil.copytree(os.path.join(REPO, "contrib"), tree / "contrib")
    (tree / "MANIFEST").write_text("contrib/dist.sh\n")
    made = dist(tree, tmp_path / "out", env=no_git_env())
    assert made.returncode != 0
    assert "no Makefile" in made.stderr
