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
import contextlib
import hashlib
import os
import pathlib
import shutil
import subprocess
import tempfile

import pytest

from clients import PASSWORD, USER, ed2k_link
from conftest import start, unmount, wait_for
from access_users import drop_user, make_user
from test_amule import ed2k_conf
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


# The attacker's listener on aMule's External Connections port (argv[4]
# of address argv[3]): each frame it is sent is written to the file
# argv[1]; a login
# (EC_OP_AUTH_REQ) is answered with the salt argv[2] (EC_OP_AUTH_SALT),
# so that a client that trusts it sends its password's salted hash
# (EC_OP_AUTH_PASSWD), and then refused (EC_OP_AUTH_FAIL).
EC_SPY = """
import socket, struct, sys
s = socket.socket()
s.bind((sys.argv[3], int(sys.argv[4])))
s.listen(16)
print(s.getsockname()[1], flush=True)
def frame(c):
    got = b""
    while len(got) < 8 or len(got) < 8 + struct.unpack(">I", got[4:8])[0]:
        b = c.recv(65536)
        if not b:
            return b""
        got += b
    with open(sys.argv[1], "ab") as f:
        f.write(got)
    return got[8:]
def answer(c, body):
    c.sendall(struct.pack(">II", 0x20, len(body)) + body)
while True:
    c, _ = s.accept()
    c.settimeout(5)
    try:
        if frame(c)[:1] == b"\\x02":
            answer(c, b"\\x4f\\x00\\x01" + struct.pack(
                ">HBIQ", 0x0B << 1, 5, 8, int(sys.argv[2])))
            frame(c)
            answer(c, b"\\x03\\x00\\x00")
    except OSError:
        pass
    c.close()
"""
EC_SALT = 0x5EED1234


@contextlib.contextmanager
def listening(script, *args):
    """script run by a user made for the test: (the user, the port it
    printed, the file it writes what it was sent to)."""
    user = make_user()
    # pytest's folders above tmp_path stay 0700 under xdist: the spy's
    # own folder is made where its user can reach it
    d = pathlib.Path(tempfile.mkdtemp(prefix="mediamon-spy."))
    os.chmod(str(d), 0o755)
    os.chown(str(d), user.uid, user.gid)
    seen = d / "seen"
    proc = subprocess.Popen(user.prefix() + ["/usr/bin/python3", "-c", script,
                                             str(seen)] + list(args),
                            stdout=subprocess.PIPE)
    try:
        yield user, int(proc.stdout.readline()), seen
    finally:
        proc.kill()
        proc.wait(timeout=30)
        drop_user(user)
        shutil.rmtree(str(d), ignore_errors=True)


@pytest.fixture
def spy():
    """A listener run by a user made for the test: (the user, its url,
    the file of what it was sent)."""
    with listening(SPY) as (user, port, seen):
        yield user, "http://127.0.0.1:%d" % port, seen


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


def ec_login():
    """What a login to the EC spy sends: the password's hash salted with
    EC_SALT, MD5(md5hex(password) . md5hex(SALT in upper-case hex))."""
    def hexed(b):
        return hashlib.md5(b).hexdigest().encode()
    return hashlib.md5(hexed(PASSWORD.encode()) +
                       hexed(b"%X" % EC_SALT)).digest()


@pytest.mark.parametrize("named,bare", [(False, False), (True, False),
                                        (False, True)])
def test_amules_port_goes_to_its_user_alone(tmp_path, fake, named, bare):
    """A release for amuled, whose External Connections port another user
    listens on while amuled is down: neither the login (the password's
    salted hash) nor the link is sent, health and the log name the user
    and [ed2k] client_user; named there, the same listener is asked and
    gets the login (and refuses it). A bare [ed2k] host (no port: amuled's
    4712) is looked at on that port, not on HTTP's 80: the listener is on
    4712 of an address of 127.0.0.0/8 chosen at random, which nothing
    else takes."""
    address = "127.%d.%d.%d" % tuple(1 + b % 254 for b in os.urandom(3)) \
        if bare else "127.0.0.1"
    with listening(EC_SPY, str(EC_SALT), address,
                   "4712" if bare else "0") as (user, port, seen):
        host = address if bare else "%s:%d" % (address, port)
        amule_asked(tmp_path, fake, user, host, seen, named)


def amule_asked(tmp_path, fake, user, host, seen, named):
    link = ed2k_link("Saga 01 T10.cbz", b"S" * 1000)
    extra = ed2k_conf(host, ed2k="client_user = %s\n" % user.name
                      if named else "")
    mon = mount(tmp_path, fake, extra)
    try:
        mon.catalog.write_text('{"title": "Saga 01 T10", "link": "%s",'
                               ' "size": 1000, "source": "EBDZ"}\n' % link)
        mon.check("missing")
        if named:
            wait_for(lambda: sent(seen), POLLS_S, "the listener asked",
                     until=lambda got: ec_login() in got, mount=mon.m)
            return
        text = wait_for(lambda: health(mon), POLLS_S,
                        "health naming amule's listener",
                        until=lambda t: "not the client's" in
                        "".join(lines_of(t, "amule")), mount=mon.m)
        line, = lines_of(text, "amule")
        assert "user %s" % user.name in line, line
        assert "client_user in [ed2k]" in line, line
        assert sent(seen) == b""
        log = mon.m.read("log")
        assert b"user %s" % user.name.encode() in log
        assert PASSWORD.encode() not in log
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
