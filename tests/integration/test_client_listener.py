# SPDX-License-Identifier: GPL-3.0-or-later
"""A download client on this machine is asked only where its own user
listens (issue 60, probe): while the client is down, any local user may
listen on its port, and the idle probe (or any question) would hand them
the client's user name and password (Transmission's and NZBGet's Basic
header, qBittorrent's login form): with them, the WebUI's "run a program
on completion" runs their code as the client's user. A listener of
another user is not asked; health says whose it is. Named as the
section's client_user, the same listener is asked. Prowlarr's API key
(with it, Prowlarr's "Custom Script" connections run a program) is
held back the same way, unless [prowlarr] user names the listener's
user."""

import base64
import os
import pathlib
import shutil
import subprocess
import tempfile

import pytest

from clients import PASSWORD, USER
from conftest import start, unmount, wait_for
from access_users import drop_user, make_user
from test_client_probe import POLLS_S, client_conf, lines_of
from test_clients import health
from test_connections import check, lines
from test_handoff import AUTO, SEND
from test_monitor import API_KEY, Monitor

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not os.path.exists("/usr/sbin/useradd"),
    reason="needs root and useradd to listen as another user")

# The attacker's listener: binds a port of the kernel's, prints it, then
# writes each request it is sent (head and body) to the file argv[1] and
# answers 401, as a client with another password would.
SPY = """
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
print(s.getsockname()[1], flush=True)
while True:
    c, _ = s.accept()
    c.settimeout(5)
    got = b""
    try:
        while b"\\r\\n\\r\\n" not in got:
            b = c.recv(65536)
            if not b:
                break
            got += b
        head, _, body = got.partition(b"\\r\\n\\r\\n")
        for line in head.split(b"\\r\\n"):
            if line.lower().startswith(b"content-length:"):
                n = int(line.split(b":")[1])
                while len(body) < n:
                    b = c.recv(65536)
                    if not b:
                        break
                    body += b
        with open(sys.argv[1], "ab") as f:
            f.write(got + body + b"\\n---\\n")
        c.sendall(b"HTTP/1.1 401 Unauthorized\\r\\nContent-Length: 0\\r\\n"
                  b"Connection: close\\r\\n\\r\\n")
    except OSError:
        pass
    c.close()
"""


@pytest.fixture
def spy():
    """A listener run by a user made for the test: (the user, its url,
    the file of what it was sent)."""
    user = make_user()
    # pytest's folders above tmp_path stay 0700 under xdist: the spy's
    # own folder is made where its user can reach it
    d = pathlib.Path(tempfile.mkdtemp(prefix="mediamon-spy."))
    os.chmod(str(d), 0o755)
    os.chown(str(d), user.uid, user.gid)
    seen = d / "seen"
    proc = subprocess.Popen(user.prefix() + ["/usr/bin/python3", "-c", SPY,
                                             str(seen)],
                            stdout=subprocess.PIPE)
    try:
        port = int(proc.stdout.readline())
        yield user, "http://127.0.0.1:%d" % port, seen
    finally:
        proc.kill()
        proc.wait(timeout=30)
        drop_user(user)
        shutil.rmtree(str(d), ignore_errors=True)


def sent(seen):
    return seen.read_bytes() if seen.exists() else b""


def secrets():
    pair = base64.b64encode(("%s:%s" % (USER, PASSWORD)).encode())
    return [PASSWORD.encode(), pair]


def mount(tmp_path, fake, extra, prowlarr=None):
    """A Monitor (its Prowlarr at prowlarr when given), mounted."""
    mon = Monitor(tmp_path, fake, ["Saga 01"], monitor=AUTO, general=SEND,
                  extra=extra, releases={"saga 01": []})
    if prowlarr:
        mon.conf.write_text(mon.conf.read_text().replace(
            "url = %s\n" % mon.prowlarr.url, "url = %s\n" % prowlarr, 1))
    mon.mount()
    return mon


@pytest.mark.parametrize("kind", ["qbittorrent", "transmission", "nzbget"])
def test_another_users_listener_is_not_asked(tmp_path, fake, spy, kind):
    user, url, seen = spy
    mon = mount(tmp_path, fake, client_conf(kind, url, tmp_path))
    try:
        text = wait_for(lambda: health(mon), POLLS_S,
                        "health naming %s's listener" % kind,
                        until=lambda t: "not the client's" in
                        "".join(lines_of(t, kind)), mount=mon.m)
        line, = lines_of(text, kind)
        assert "user %s" % user.name in line, line
        assert "client_user" in line, line
        got = sent(seen)
        for s in secrets():
            assert s not in got, got
        assert b"user %s" % user.name.encode() in mon.m.read("log")
        assert PASSWORD.encode() not in mon.m.read("log")
    finally:
        mon.unmount()


def test_the_client_user_is_asked(tmp_path, fake, spy):
    """The same listener named as [download] client_user: it is the
    client's, so it is asked (with the credentials) and says 401."""
    user, url, seen = spy
    extra = client_conf("transmission", url, tmp_path).replace(
        "[download]\n", "[download]\nclient_user = %s\n" % user.name, 1)
    mon = mount(tmp_path, fake, extra)
    try:
        wait_for(lambda: sent(seen), POLLS_S, "the listener asked",
                 until=lambda got: secrets()[1] in got, mount=mon.m)
        text = wait_for(lambda: health(mon), POLLS_S,
                        "health naming transmission",
                        until=lambda t: lines_of(t, "transmission"),
                        mount=mon.m)
        assert "not the client's" not in text, text
    finally:
        mon.unmount()


@pytest.mark.parametrize("named", [False, True])
def test_prowlarrs_key_goes_to_its_user_alone(tmp_path, fake, spy, named):
    """A missing check searches Prowlarr at the listener's port: not asked
    (its user named in the log) unless [prowlarr] user names that user,
    who then gets the key (and answers 401)."""
    user, url, seen = spy
    extra = "[prowlarr]\nuser = %s\n" % user.name if named else ""
    mon = mount(tmp_path, fake, extra, prowlarr=url)
    try:
        mon.check("missing")
        if named:
            wait_for(lambda: sent(seen), POLLS_S, "the listener asked",
                     until=lambda got: API_KEY.encode() in got, mount=mon.m)
            return
        log = wait_for(lambda: mon.m.read("log"), POLLS_S,
                       "the log naming the listener's user", mount=mon.m,
                       until=lambda t: b"not Prowlarr's" in t)
        assert b"user %s's" % user.name.encode() in log
        assert API_KEY.encode() not in sent(seen)
        assert API_KEY.encode() not in log
    finally:
        mon.unmount()


def test_check_connections_asks_no_other_user(library, tmp_path, spy):
    """mediamon --check-connections, with Prowlarr and Transmission at
    the listener's port: neither asked, each line names its user, no
    secret sent or printed."""
    user, url, seen = spy
    r = check(tmp_path, library,
              "[prowlarr]\nurl = %s\napi_key = %s\n%s"
              % (url, API_KEY, client_conf("transmission", url, tmp_path)))
    assert r.returncode == 1, r.stdout + r.stderr
    said = lines(r)
    assert said["prowlarr"] == "not asked: its port is user %s's, not" \
        " Prowlarr's ([prowlarr] user)" % user.name, said
    assert "user %s's, not the client's" % user.name in \
        said["transmission"], said
    for s in secrets() + [API_KEY.encode()]:
        assert s not in sent(seen)
        assert s.decode() not in r.stdout + r.stderr


# Each service mediamon sends a secret to: its section, the name of its
# line in --check-connections and the one it gives itself there, and its
# keys (the spy's url and the secret in them).
KEYED = {
    "sonarr": ("sonarr", "sonarr", "Sonarr", "url = %s\napi_key = %s\n"),
    "radarr": ("radarr", "radarr", "Radarr", "url = %s\napi_key = %s\n"),
    "plex": ("plex", "plex", "Plex", "url = %s\ntoken = %s\n"),
    "jellyfin": ("jellyfin", "jellyfin", "Jellyfin",
                 "url = %s\napi_key = %s\n"),
    "emby": ("emby", "emby", "Emby", "url = %s\napi_key = %s\n"),
    "ntfy": ("notify", "ntfy", "ntfy",
             "ntfy_url = %s/topic\nntfy_token = %s\n"),
    "realdebrid": ("realdebrid", "realdebrid", "Real-Debrid",
                   "url = %s\napi_token = %s\n"),
    "alldebrid": ("alldebrid", "alldebrid", "AllDebrid",
                  "url = %s\napi_key = %s\n"),
}


@pytest.mark.parametrize("named", [False, True])
@pytest.mark.parametrize("service", sorted(KEYED))
def test_each_services_key_goes_to_its_user_alone(library, tmp_path, spy,
                                                  service, named):
    """--check-connections with Sonarr, Radarr, Plex, Jellyfin, Emby,
    ntfy, Real-Debrid or AllDebrid at another user's listener: not asked, the line names that user
    and the key to set, the secret neither sent nor printed; with
    [SECTION] user naming the listener's user, it is asked (and answers
    401; ntfy stops at its health)."""
    user, url, seen = spy
    section, line, name, keys = KEYED[service]
    text = "[%s]\n%s" % (section, keys % (url, API_KEY))
    if named:
        text += "user = %s\n" % user.name
    r = check(tmp_path, library, text)
    assert r.returncode == 1, r.stdout + r.stderr
    said = lines(r)
    assert API_KEY not in r.stdout + r.stderr
    if named:
        assert said[line].startswith("refused credentials"), said
        # ntfy's probe asks its health first, which wants no token
        assert (b"/v1/health" if service == "ntfy" else
                API_KEY.encode()) in sent(seen)
        return
    assert said[line] == "not asked: its port is user %s's, not %s's" \
        " ([%s] user)" % (user.name, name, section), said
    assert API_KEY.encode() not in sent(seen)


def test_a_local_ntfy_is_sent_alerts_by_its_user_alone(library, tmp_path,
                                                       spy):
    """Scan errors raise an alert for ntfy at another user's listener:
    nothing is sent (neither the alert nor the token), health and the log
    name the user and [notify] user; the alert waits."""
    user, url, seen = spy
    for n in range(2):
        (library / "Alpha" / ("bad%d.flac" % n)).write_bytes(
            b"fLaC" + bytes(range(256)) * 4)
    conf = tmp_path / "notify.conf"
    conf.write_text("[notify]\nntfy_url = %s/topic\nntfy_token = %s\n"
                    % (url, API_KEY))
    conf.chmod(0o600)
    m = start(tmp_path, "config=" + str(conf), "music=" + str(library))
    try:
        text = wait_for(lambda: m.read("status/health").decode(), 60,
                        "health naming ntfy's listener",
                        until=lambda t: "user %s's, not ntfy's" % user.name
                        in t, mount=m)
        assert "[notify]" in text, text
        log = m.read("log")
        assert b"user %s's, not ntfy's" % user.name.encode() in log
        assert API_KEY.encode() not in log
        assert sent(seen) == b""
    finally:
        unmount(m.path, m.proc)
