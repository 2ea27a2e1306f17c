# SPDX-License-Identifier: GPL-3.0-or-later
"""What the tests of mediamon as a system service share (test_service*.py):
the man pages and the example configuration, a stand-in for systemd's
notification socket, the daemon's log, and the Prometheus file parsed."""

import os
import re
import shutil
import socket
import tempfile

import pytest

from conftest import REPO, wait_for


EXAMPLE = os.path.join(REPO, "contrib", "mediamon.conf.example")


MANS = [os.path.join(REPO, "man", "mediamon.8"),
        os.path.join(REPO, "man", "mediamon.conf.5")]


def config_keys():
    """[(section, key)] of the key table (common/config_keys.def) in its
    order: its rows, and where it includes the manga sources' table
    (common/manga_sources.def), each source's url and
    requests_per_minute."""
    with open(os.path.join(REPO, "common", "manga_sources.def")) as f:
        sources = re.findall(r"^MANGA_SOURCE\((\w+),", f.read(), re.M)
    with open(os.path.join(REPO, "common", "config_keys.def")) as f:
        lines = f.read().split("\n")
    keys = []
    for line in lines:
        m = re.match(r'\t\{ "(\w+)", "(\w+)",', line)
        if m:
            keys.append(m.groups())
        elif line == '#include "common/manga_sources.def"':
            keys += [(name, key) for name in sources
                     for key in ("url", "requests_per_minute")]
    return keys


def section_text(text, section, heading):
    """The part of text under [section]: from its heading to the next
    one."""
    start = text.index(heading.replace("%s", section))
    nxt = re.search(r"\n\.SH " if heading.startswith(".SH") else r"\n\[",
                    text[start + 1:])
    return text[start:start + 1 + nxt.start()] if nxt else text[start:]


@pytest.fixture(params=["path", "abstract"])
def notify_socket(request, tmp_path, monkeypatch):
    """A stand-in for systemd's notification socket, named in
    NOTIFY_SOCKET for the daemons the test starts."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    short = None
    if request.param == "path":
        name = str(tmp_path / "notify.sock")
        if len(name.encode()) >= 100:
            # the daemon connects to the name itself: a short one
            short = tempfile.mkdtemp(prefix="mm-notify.")
            name = os.path.join(short, "notify.sock")
        sock.bind(name)
    else:
        name = "@mediamon-test-%d-%d" % (os.getpid(), id(sock))
        sock.bind("\0" + name[1:])
    sock.settimeout(20)
    monkeypatch.setenv("NOTIFY_SOCKET", name)
    yield sock
    sock.close()
    if short:
        shutil.rmtree(short, ignore_errors=True)


def receive_until(sock, key, timeout=30):
    """The datagrams received until one holds key=..., as dicts (each
    receive fails after the socket's own timeout)."""
    got = []

    def receive():
        data = sock.recv(4096).decode()
        got.append(dict(line.split("=", 1) for line in data.split("\n")))
        return got[-1]
    wait_for(receive, timeout, "notification with " + key,
             until=lambda fields: key in fields, interval=0)
    return got


def log_lines(m):
    return m.read("log").decode().splitlines()


SAMPLE = re.compile(r'^(mediamon_[a-z0-9_]+)(\{([a-z_]+="(?:[^"\\\n]|\\[\\"n])*"'
                    r'(?:,[a-z_]+="(?:[^"\\\n]|\\[\\"n])*")*)\})? '
                    r'(-?[0-9.e+-]+|NaN|\+Inf|-Inf)$')


def parse_prometheus(text):
    """Check the text exposition format strictly (HELP then TYPE before
    a metric's samples, each name once, units in names) and return
    {(name, labels): value}."""
    assert text.endswith("\n")
    samples, typed, helped, done = {}, {}, set(), set()
    current = None
    for line in text.splitlines():
        if line.startswith("# HELP "):
            name = line.split(" ")[2]
            assert name not in helped and name not in done, name
            assert len(line.split(" ", 3)) == 4, line
            if current:
                done.add(current)
            helped.add(name)
            current = name
        elif line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            assert name == current and name not in typed, line
            assert kind in ("counter", "gauge"), line
            typed[name] = kind
        else:
            m = SAMPLE.match(line)
            assert m, line
            assert m.group(1) == current and current in typed, line
            labels = tuple(re.findall(r'([a-z_]+)="((?:[^"\\]|\\.)*)"',
                                      m.group(3) or ""))
            assert (m.group(1), labels) not in samples, line
            samples[(m.group(1), labels)] = float(m.group(4))
    for name, kind in typed.items():
        assert name.endswith("_total") == (kind == "counter"), name
        assert not re.search(r"_(ms|kb|mb|s|bytes_read)$", name), name
    return samples


def write_conf(path, roots, extra=""):
    path.write_text("[general]\nwatch_debounce = 60s\n" + extra +
                    "".join("[%s]\nroot = %s\n" % (k, r) for k, r in roots))
