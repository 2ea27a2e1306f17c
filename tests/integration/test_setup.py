# SPDX-License-Identifier: GPL-3.0-or-later
"""The README's first command: contrib/install-deps.sh as root, as a user
with sudo (it runs itself again through sudo), and without either; the
package it picks where Debian and Ubuntu releases name one differently."""

import os
import pathlib
import shutil
import subprocess
import tempfile

import pytest

from conftest import REPO

SCRIPT = os.path.join(REPO, "contrib", "install-deps.sh")
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def as_nobody():
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def run(cmd, path, script=SCRIPT, **kw):
    return subprocess.run(cmd + ["env", "-i", "PATH=" + path, "sh",
                                 script], capture_output=True, text=True,
                          cwd=REPO, timeout=600, **kw)


def tool(folder, name, body):
    path = folder / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)


@pytest.fixture
def root():
    if os.geteuid() != 0:
        pytest.skip("runs the script as root and as another user")


def test_as_root_with_no_sudo(root):
    """With nothing but a system PATH, as root: every package the suite
    needs is on this machine already, so the script says so."""
    r = run([], SYSTEM_PATH)
    assert (r.returncode, r.stderr) == (
        0, "install-deps: all packages present\n")


@pytest.fixture
def public_dir():
    """A folder another user may read (pytest's are the owner's only, and
    so may be the checkout's), holding a copy of the script."""
    with tempfile.TemporaryDirectory() as d:
        os.chmod(d, 0o755)
        shutil.copy(SCRIPT, os.path.join(d, "install-deps.sh"))
        yield pathlib.Path(d)


def test_user_goes_through_sudo(root, public_dir):
    tool(public_dir, "sudo", 'echo "sudo $*"\n')
    script = str(public_dir / "install-deps.sh")
    r = run(as_nobody(), str(public_dir) + ":" + SYSTEM_PATH, script)
    assert r.returncode == 0, r.stderr
    assert "not root: running again through sudo" in r.stderr
    assert r.stdout == "sudo -- sh %s\n" % script


def test_user_without_sudo(root, public_dir):
    """A PATH with no sudo on it: a clear error, nothing run."""
    bare = public_dir
    for name in ("id", "sh"):
        os.symlink("/usr/bin/" + name if os.path.exists("/usr/bin/" + name)
                   else "/bin/" + name, str(bare / name))
    r = run(as_nobody(), str(bare), str(public_dir / "install-deps.sh"))
    assert r.returncode == 1
    assert "sudo is not installed" in r.stderr
    assert "run it as root" in r.stderr


@pytest.fixture
def apt(root, tmp_path):
    """dpkg-query, apt-cache and apt-get stand-ins: nothing installed,
    every package known but those listed in tmp_path/absent, and the
    installation asked for written down."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (tmp_path / "absent").write_text("")
    tool(bin_dir, "dpkg-query", "exit 1\n")
    tool(bin_dir, "apt-cache", """
if grep -qx "$2" "%s/absent"; then
    echo "N: Unable to locate package $2" >&2
else
    printf '%%s:\\n  Installed: (none)\\n  Candidate: 1.0\\n' "$2"
fi
""" % tmp_path)
    tool(bin_dir, "apt-get", 'echo "$*" >> "%s/apt-get"\n' % tmp_path)
    return tmp_path


def installed_list(apt):
    calls = (apt / "apt-get").read_text().splitlines()
    assert calls[0] == "update -qq"
    assert calls[1].startswith("install -y -qq --no-install-recommends ")
    return calls[1].split()[4:]


def test_picks_the_name_this_release_has(apt):
    """Ubuntu 24.04 and Debian 12 ship promtool inside prometheus; later
    releases have a promtool package."""
    (apt / "absent").write_text("promtool\n")
    r = run([], str(apt / "bin") + ":" + SYSTEM_PATH)
    assert r.returncode == 0, r.stderr
    got = installed_list(apt)
    assert "prometheus" in got and "promtool" not in got
    assert "librsvg2-bin" in got and "libfuse3-dev" in got
    os.unlink(str(apt / "apt-get"))
    (apt / "absent").write_text("")
    run([], str(apt / "bin") + ":" + SYSTEM_PATH)
    got = installed_list(apt)
    assert "promtool" in got and "prometheus" not in got


def test_unknown_package_is_named(apt):
    (apt / "absent").write_text("libinih-dev\n")
    r = run([], str(apt / "bin") + ":" + SYSTEM_PATH)
    assert r.returncode == 1
    assert "the apt sources hold no package libinih-dev" in r.stderr
    assert (apt / "apt-get").read_text() == "update -qq\n"


def test_triggers_pending_counts_as_installed(apt):
    """A package dpkg has configured but whose triggers wait (an install
    cut short, or one holding the lock) is usable: nothing is installed
    again, and the npm packages present are left alone."""
    tool(apt / "bin", "dpkg-query", 'printf "install ok %s" "%s"\n' %
         ("%s", "triggers-pending"))
    tool(apt / "bin", "npm", "exit 0\n")
    r = run([], str(apt / "bin") + ":" + SYSTEM_PATH)
    assert (r.returncode, r.stderr) == (
        0, "install-deps: all packages present\n")
    assert not (apt / "apt-get").exists()


def test_make_test_brings_the_npm_packages(tmp_path):
    """A second clone on a machine set up already (its packages present,
    its tests/js without node_modules): make test installs the npm
    packages first, and not again once they are there."""
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", REPO, str(clone)], check=True,
                   timeout=120)
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}

    def dry():
        return subprocess.run(["make", "-n", "test"], cwd=str(clone),
                              env=env, capture_output=True, text=True,
                              timeout=300).stdout

    assert "npm ci --prefix tests/js" in dry()
    modules = clone / "tests" / "js" / "node_modules"
    modules.mkdir()
    (modules / ".package-lock.json").write_text("{}\n")
    assert "npm ci" not in dry()
