# SPDX-License-Identifier: GPL-3.0-or-later
"""The [http] listener's connections counted per local user: any user of
this machine may connect from every address of 127.0.0.0/8, so the
limit per address alone let one user take every connection (issue 60)."""

import base64
import contextlib
import select
import signal
import subprocess
import tempfile

import pytest

from conftest import wait_for
from access_users import drop_user, make_user
from test_http import Web, held

# Run as the flooding user: an idle connection to the port argv[1] from
# each address 127.0.0.2..40 (or argv[3] connections from argv[4],
# 127.0.0.1 when not given; to ::1 from an IPv6 one), each with the
# start of a request; prints how many the listener closed once argv[2]
# are, or in 60 s; keeps the others until its stdin closes.
FLOOD = r"""
import select, socket, sys, time
port, want = int(sys.argv[1]), int(sys.argv[2])
source = sys.argv[4] if len(sys.argv) > 4 else "127.0.0.1"
sources = ([source] * int(sys.argv[3]) if len(sys.argv) > 3 else
           ["127.0.0.%d" % n for n in range(2, 41)])
socks = []
for source in sources:
    six = ":" in source
    s = socket.socket(socket.AF_INET6 if six else socket.AF_INET)
    s.bind((source, 0))
    s.connect(("::1" if six else "127.0.0.1", port))
    s.sendall(b"GET /status/health HTTP/1.1\r\n")
    socks.append(s)
closed, deadline = set(), time.monotonic() + 60
while len(closed) < want and time.monotonic() < deadline:
    open_ = [s for s in socks if s not in closed]
    ready, _, _ = select.select(open_, [], [],
                                deadline - time.monotonic())
    for s in ready:
        try:
            if s.recv(4096) == b"":
                closed.add(s)
        except OSError:
            closed.add(s)
print(len(closed), flush=True)
sys.stdin.read()
"""


def start_flood(u, port, want, *from_one):
    return subprocess.Popen(
        u.prefix() + ["/usr/bin/python3", "-c", FLOOD, port, str(want)] +
        [str(n) for n in from_one],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE)


def closed_of(flood):
    ready, _, _ = select.select([flood.stdout], [], [], 300)
    assert ready, "the flood did not say how many were closed"
    return int(flood.stdout.readline())


def curl_as(u, url):
    r = u.run("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}",
              "--max-time", "30", url)
    return int(r.stdout or 0)


@contextlib.contextmanager
def listener_and_users(conf_extra, n, listen="127.0.0.1:0"):
    """A listener (Web) on listen with conf_extra in [http], in a folder
    every user may enter, n new local users, and a list for the floods
    started: all gone at the end, the floods first."""
    where = tempfile.mkdtemp(prefix="mediamon-peers.")
    subprocess.run(["chmod", "755", where], check=True)
    users = [make_user() for _ in range(n)]
    floods, w = [], None
    try:
        w = Web(where, conf_extra=conf_extra, listen=listen)
        yield w, users, floods
    finally:
        for flood in floods:
            if flood.poll() is None:
                flood.kill()
                flood.wait(60)
        if w:
            w.stop()
        for u in users:
            drop_user(u)
        subprocess.run(["rm", "-rf", where])


def test_one_local_user_cannot_take_every_connection():
    """A local user opens 39 idle connections, from 127.0.0.2..40: the
    listener keeps max_connections_per_address of them and closes the
    others unanswered, logged once (before, it kept max_connections,
    each address its own, and no one else was served); another local
    user and root are still served, and the first once its connections
    are gone."""
    with listener_and_users("max_connections = 12\n"
                            "max_connections_per_address = 4\n"
                            "timeout = 10m\n", 2) as (w, users, floods):
        flooder, other = users
        port = w.base.rsplit(":", 1)[1]
        flood = start_flood(flooder, port, 35)
        floods.append(flood)
        assert closed_of(flood) == 35
        assert held(w) == 4
        assert w.log().count("http: user %s holds 4 connections"
                             % flooder.name) == 1
        assert curl_as(other, w.base + "/status/health") == 401
        assert w.curl("/status/health", "--interface", "127.0.0.9")[0] \
            == 200
        flood.stdin.close()
        flood.wait(60)
        wait_for(lambda: curl_as(flooder, w.base + "/status/health"), 60,
                 "the flooder served once its connections are gone",
                 until=lambda code: code == 401, mount=w.m)


def test_the_proxys_user_counts_by_address_alone():
    """The proxy's connections carry every client's: once a reload names
    its user as proxy_user, its 39 connections from as many addresses
    are all kept (each address within its limit), none closed."""
    with listener_and_users("max_connections_per_address = 4\n"
                            "timeout = 10m\n", 1) as (w, users, floods):
        proxy = users[0]
        conf = w.where / "http.conf"
        conf.write_text(conf.read_text().replace(
            "timeout = 10m\n", "timeout = 10m\nproxy_user = %s\n"
            % proxy.name))
        done = w.log().count("reload: done")
        w.m.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: w.log().count("reload: done") > done, 60,
                 "reload: done in the log", mount=w.m)
        flood = start_flood(proxy, w.base.rsplit(":", 1)[1], 0)
        floods.append(flood)
        assert closed_of(flood) == 0
        wait_for(lambda: held(w), 60, "the 39 connections held",
                 until=lambda n: n == 39, mount=w.m)
        assert "http: user %s holds" % proxy.name not in w.log()


def test_one_local_users_connections_leave_the_address_to_others():
    """A local user holds 10 idle connections from 127.0.0.1 itself: it
    keeps max_connections_per_address of them, the others closed and
    logged once, and root's request from 127.0.0.1 and another user's
    are answered (before, libmicrohttpd's limit per address counted the
    loopback as one: the user's connections shut every other local user
    out of it, unlogged, for as long as it held them; issue 76)."""
    with listener_and_users("max_connections_per_address = 4\n"
                            "timeout = 10m\n", 2) as (w, users, floods):
        flooder, other = users
        flood = start_flood(flooder, w.base.rsplit(":", 1)[1], 6, 10)
        floods.append(flood)
        assert closed_of(flood) == 6
        assert held(w) == 4
        assert w.log().count("http: user %s holds 4 connections"
                             % flooder.name) == 1
        assert w.curl("/status/health")[0] == 200
        assert curl_as(other, w.base + "/status/health") == 401
        assert curl_as(flooder, w.base + "/status/health") == 0


def machine_address():
    """An IPv4 address of this machine outside the loopback, or None."""
    r = subprocess.run(["hostname", "-I"], capture_output=True, text=True)
    for addr in r.stdout.split():
        if "." in addr and not addr.startswith("127."):
            return addr
    return None


def six_from(w, flooder, floods, addr):
    """flooder's six idle connections from addr, the listener's limit
    four: two closed, logged once, its next one closed too, and root's
    answered."""
    flood = start_flood(flooder, w.base.rsplit(":", 1)[1], 2, 6, addr)
    floods.append(flood)
    assert closed_of(flood) == 2
    assert w.log().count("http: user %s holds 4 connections"
                         % flooder.name) == 1
    assert curl_as(flooder, w.base + "/status/health") == 0
    assert w.curl("/status/health")[0] == 200


def test_a_local_user_from_another_address_is_still_that_user():
    """A local user may connect to the listener on 127.0.0.1 from an
    address of the machine outside the loopback too: only this machine
    reaches the loopback, so its connections from there count by its
    user as well, and with its limit held its next one from 127.0.0.1
    is closed while root's is answered (before, that address was
    another machine's to the count: the user had max_connections_per_
    address more from each address of the machine)."""
    addr = machine_address()
    if not addr:
        pytest.skip("this machine has no address outside the loopback")
    with listener_and_users("max_connections_per_address = 4\n"
                            "timeout = 10m\n", 1) as (w, users, floods):
        six_from(w, users[0], floods, addr)


def test_a_local_users_ipv6_connections_are_its_own():
    """On a listener of ::1, a local user's connections from ::1 count
    by its user as over IPv4: with its limit held its next ones are
    closed, logged once, and root's are answered."""
    with listener_and_users("max_connections_per_address = 4\n"
                            "timeout = 10m\n", 1,
                            listen="[::1]:0") as (w, users, floods):
        six_from(w, users[0], floods, "::1")


# Connects to 127.0.0.1 port argv[1] argv[2] times, each with a whole
# request (its headers and argv[3]'s lines), and closes each at once:
# prints "closed" once all are.
CLOSE_AT_ONCE = r"""
import socket, sys
more = "".join(h + "\r\n" for h in sys.argv[3:])
for _ in range(int(sys.argv[2])):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    s.sendall(("GET /status/health HTTP/1.1\r\nHost: x\r\n%s\r\n"
               % more).encode())
    s.close()
print("closed", flush=True)
"""


def closed_while_stopped(w, user, n, *headers):
    """user's n requests, each closed at once, sent while the daemon is
    stopped (before it accepts any of them)."""
    w.m.proc.send_signal(signal.SIGSTOP)
    try:
        r = user.run("/usr/bin/python3", "-c", CLOSE_AT_ONCE,
                     w.base.rsplit(":", 1)[1], str(n), *headers)
    finally:
        w.m.proc.send_signal(signal.SIGCONT)
    assert r.stdout.strip() == b"closed", r.stderr


def test_a_connection_closed_before_it_is_looked_up_is_no_ones():
    """A local user's connections closed before the daemon accepts them
    (stopped meanwhile): the kernel keeps their end a while, owned by no
    one (and shown as root's in /proc/net/tcp, which the daemon read
    before): each is counted by its address, never root's, and that is
    logged once."""
    with listener_and_users("timeout = 10m\n", 1) as (w, users, floods):
        closed_while_stopped(w, users[0], 3)
        line = "http: a connection from 127.0.0.1 has no user's socket" \
            " at its end any more: counted by its address (told once)"
        wait_for(lambda: w.log().count(line), 60, "the refusal logged",
                 mount=w.m)
        assert w.curl("/status/health")[0] == 200
        assert w.log().count(line) == 1


def test_a_closed_connection_is_not_the_proxys():
    """The same connections from the proxy's address, with a wrong
    password and an X-Forwarded-For: they are no proxy's (their socket's
    owner is not known), so the header is not heard and the wrong
    passwords count against 127.0.0.1 (before, /proc/net/tcp showed
    them root's: any local user could name the address held)."""
    with listener_and_users("trusted_proxy = 127.0.0.1\n", 1) as (
            w, users, floods):
        auth = "Authorization: Basic " + base64.b64encode(
            b"root:wrong").decode()
        closed_while_stopped(w, users[0], 7, auth,
                             "X-Forwarded-For: 203.0.113.9")
        wait_for(lambda: "wrong passwords from 127.0.0.1 in" in w.log(),
                 60, "the wrong passwords counted", mount=w.m)
        assert "203.0.113.9" not in w.log()
