# SPDX-License-Identifier: GPL-3.0-or-later
"""Settings edited as people edit files (issue 46): the writable files of
a series save with the real sed -i and vim (ex mode), through the
temporary file and rename they use; a refused edit loses nothing and
says why in one line of /log; anything else stays refused."""

import errno
import os
import shutil
import subprocess
import tempfile

import pytest

from conftest import start, unmount, wait_for


@pytest.fixture
def series(library, tmp_path):
    manga = tmp_path / "manga"
    (manga / "Saga").mkdir(parents=True)
    (manga / "Saga" / "Saga v01.cbz").write_bytes(b"PK\x05\x06" + bytes(18))
    m = start(tmp_path, "music=" + str(library), "manga=" + str(manga))
    try:
        yield m
    finally:
        unmount(m.path, m.proc)


def run(*cmd, home=None):
    env = dict(os.environ, HOME=str(home)) if home else None
    return subprocess.run(cmd, capture_output=True, text=True, timeout=30,
                          stdin=subprocess.DEVNULL, env=env)


def folder(m):
    return sorted(os.listdir(m.file("manga/Saga")))


def refused_lines(m, rel):
    return [line for line in m.read("log").decode().splitlines()
            if "/" + rel + " refused " in line]


def test_sed_in_place(series):
    m = series
    before = folder(m)
    m.write("manga/Saga/latest", "7")
    r = run("sed", "-i", "s/7/12/", m.file("manga/Saga/latest"))
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    assert m.read("manga/Saga/latest") == b"12\n"
    m.write("manga/Saga/source", "saga")
    r = run("sed", "-i", "s/saga/saga-2012/", m.file("manga/Saga/source"))
    assert r.returncode == 0, r.stderr
    assert m.read("manga/Saga/source") == b"saga-2012\n"
    assert folder(m) == before


def test_sed_refused_loses_nothing(series):
    m = series
    m.write("manga/Saga/latest", "7")
    r = run("sed", "-i", "s/7/seven/", m.file("manga/Saga/latest"))
    assert r.returncode != 0
    assert os.strerror(errno.EINVAL) in r.stderr, r.stderr
    assert m.read("manga/Saga/latest") == b"7\n"
    lines = refused_lines(m, "manga/Saga/latest")
    assert len(lines) == 1 and '"seven\\n"' in lines[0], lines
    assert not [n for n in folder(m) if n.startswith("sed")]


@pytest.mark.skipif(not shutil.which("vim"), reason="needs vim")
@pytest.mark.parametrize("tool,rel,old,new", [
    ("vim", "latest", "7", "9"),
    ("vim", "monitored", "1", "0"),
    ("vim", "preferences", "min_seeders = 3", "min_seeders = 5"),
    ("ex", "source", "saga", "saga-2012"),
])
def test_vim_ex_mode(series, tmp_path, tool, rel, old, new):
    """vim with its default settings (no vimrc: defaults.vim), and ex."""
    m = series
    home = tmp_path / "home"
    home.mkdir()
    before = folder(m)
    m.write("manga/Saga/" + rel, old)
    r = run(tool, "-Es", "-c", "%%s/%s/%s/" % (old, new), "-c", "wq",
            m.file("manga/Saga/" + rel), home=home)
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert m.read("manga/Saga/" + rel).decode().strip() == new
    assert folder(m) == before


@pytest.mark.skipif(not shutil.which("vim"), reason="needs vim")
def test_vim_refused_loses_nothing(series, tmp_path):
    """A value refused fails the close (E512), not the write: vim read a
    failed write as a full disk that may have lost the file (E514)."""
    m = series
    home = tmp_path / "home"
    home.mkdir()
    said = tmp_path / "said"
    m.write("manga/Saga/monitored", "1")
    r = run("vim", "-Es", "-c", "%s/1/yes please/", "-c",
            "try | wq | catch | call writefile([v:exception], '%s') | cq |"
            " endtry" % said, m.file("manga/Saga/monitored"), home=home)
    assert r.returncode != 0
    assert "E512" in said.read_text(), said.read_text()
    assert "E514" not in said.read_text()
    assert m.read("manga/Saga/monitored") == b"1\n"
    assert len(refused_lines(m, "manga/Saga/monitored")) == 1


def test_refused_value_fails_the_close(series):
    """The writes are taken, whatever they hold; the close sets the value
    as one write and fails with its error; a good value in two writes is
    set whole at the close; a dup()ed descriptor's second close sets
    nothing again."""
    m = series
    path = m.file("manga/Saga/latest")
    m.write("manga/Saga/latest", "7")
    fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
    assert os.write(fd, b"seven\n") == 6
    with pytest.raises(OSError) as e:
        os.close(fd)
    assert e.value.errno == errno.EINVAL
    assert m.read("manga/Saga/latest") == b"7\n"
    fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
    os.write(fd, b"1")
    os.write(fd, b"2\n")
    other = os.dup(fd)
    os.close(fd)
    assert m.read("manga/Saga/latest") == b"12\n"
    os.close(other)
    lines = refused_lines(m, "manga/Saga/latest")
    assert len(lines) == 1 and '"seven\\n"' in lines[0], lines


def test_other_names_stay_refused(series):
    """Only the tools' temporary names, in a series folder, by the
    mount's owner; nothing else is made, renamed or removed."""
    m = series
    for cmd, err in [
            (("touch", "manga/Saga/new"), errno.EROFS),
            (("touch", "manga/Saga/.latest.swp"), errno.EROFS),
            (("touch", "status/sed123456"), errno.EROFS),
            (("touch", "manga/Saga/volumes~"), errno.EROFS),
            (("mv", "manga/Saga/latest", "manga/Saga/latest~"),
             errno.EROFS),
            (("rm", "-f", "manga/Saga/latest"), errno.EROFS)]:
        r = subprocess.run(cmd, cwd=m.path, capture_output=True, text=True,
                           timeout=30)
        assert r.returncode != 0 and os.strerror(err) in r.stderr, (cmd,
                                                                     r.stderr)
    # a temporary file renamed onto a file that is not writable
    tmp = m.file("manga/Saga/sedAbC123")
    with open(tmp, "w") as f:
        f.write("1\n")
    with pytest.raises(OSError) as e:
        os.rename(tmp, m.file("manga/Saga/volumes"))
    assert e.value.errno == errno.EROFS
    os.unlink(tmp)
    assert not os.path.exists(tmp)


@pytest.mark.skipif(not shutil.which("nano") or not shutil.which("tmux"),
                    reason="needs nano and tmux")
def test_nano_in_tmux(series, tmp_path):
    """nano, typed into in a terminal, saves a setting in place; its lock
    file (--locking) is refused, which it says and goes on."""
    m = series
    home = tmp_path / "home"
    home.mkdir()
    # tmux's socket where its path fits an AF_UNIX address, wherever the
    # clone sits
    short = tempfile.mkdtemp(prefix="mm-tmux.", dir="/tmp")
    sock = os.path.join(short, "s")
    m.write("manga/Saga/latest", "7")

    def tmux(*args):
        return subprocess.run(["tmux", "-S", sock] + list(args),
                              capture_output=True, text=True, timeout=10)

    def screen():
        return tmux("capture-pane", "-p").stdout

    tmux("new-session", "-d", "-x", "400", "-y", "24",
         "HOME=%s nano --locking %s" % (home, m.file("manga/Saga/latest")))
    try:
        said = wait_for(screen, 10, "nano to say its lock file was refused",
                        until=lambda s: "lock file" in s)
        assert os.strerror(errno.EROFS) in said, said
        tmux("send-keys", "C-k", "9", "C-o")
        wait_for(screen, 10, "nano to ask for the name",
                 until=lambda s: "File Name to Write" in s)
        tmux("send-keys", "Enter")
        wait_for(screen, 10, "nano to write", until=lambda s: "Wrote" in s)
        tmux("send-keys", "C-x")
        assert m.read("manga/Saga/latest") == b"9\n"
    finally:
        tmux("kill-server")
        shutil.rmtree(short, ignore_errors=True)
