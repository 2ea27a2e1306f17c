# SPDX-License-Identifier: GPL-3.0-or-later
"""A download client with nothing followed is asked its cheapest question
at each poll (issue 62, point 6), with the real clients of clients.py:
stopped, health warns within a few polls, naming it and the cause;
started again on the same port, the warning goes. A refused password is
asked once, not at every poll (qBittorrent bans an address after a few
failed logins); an address nobody listens on is a warning, not an
error."""

import pytest

from clients import PASSWORD, USER, clients, free_port, relays  # noqa: F401
from conftest import wait_for
from test_clients import conf, health
from test_handoff import AUTO, SEND
from test_monitor import monitored  # noqa: F401

POLL = "poll_interval = 1\n"
# how long a few polls of 1 s may take on a loaded machine
POLLS_S = 60


def client_conf(kind, url, tmp_path, password=PASSWORD):
    if kind == "nzbget":
        return ("[usenet]\nclient = nzbget\nurl = %s\nusername = %s\n"
                "password = %s\ncategory = manga\n[download]\n%s"
                % (url, USER, password, POLL))
    rpc = "/transmission/rpc" if kind == "transmission" else ""
    return conf(kind, url, tmp_path, password=password, rpc=rpc) + POLL


def idle(monitored, extra):
    """A mount that sends nothing (no release found) and polls every
    second, dry-run off."""
    return monitored(["Saga 01"], monitor=AUTO, general=SEND, extra=extra,
                     releases={"saga 01": []})


def lines_of(text, name):
    """The health lines naming service name."""
    return [x for x in text.splitlines()
            if x.split(": ")[1:2] == [name]]


@pytest.mark.parametrize("kind", ["qbittorrent", "transmission", "nzbget"])
def test_idle_client_down_then_back(monitored, clients, tmp_path, kind):
    client = clients(kind)
    mon = idle(monitored, client_conf(kind, client.url, tmp_path))
    assert lines_of(health(mon), kind) == []
    client.stop()
    # the poll during the stop may see the connection closed; those after
    # see it refused
    text = wait_for(lambda: health(mon), POLLS_S, "health naming " + kind,
                    until=lambda t: "refused" in "".join(lines_of(t, kind)),
                    mount=mon.m)
    line, = lines_of(text, kind)
    # a warning naming the client once, and the cause
    assert line.startswith("warn: %s: " % kind), line
    assert "%s: %s" % (kind, kind) not in line, line
    client.start_again()
    wait_for(lambda: health(mon), POLLS_S, "health clear of " + kind,
             until=lambda t: not lines_of(t, kind), mount=mon.m)


def test_idle_wrong_password_asked_once(monitored, clients, relays,
                                        tmp_path):
    """qBittorrent with a wrong password, NZBGet (right) behind a relay
    that counts its probes: after five polls qBittorrent saw one login."""
    qbit = clients("qbittorrent")
    nz = clients("nzbget")
    relay = relays(nz.url)
    extra = (conf("qbittorrent", qbit.url, tmp_path, password="wrong") +
             POLL + "[usenet]\nclient = nzbget\nurl = %s\nusername = %s\n"
             "password = %s\n" % (relay.url, USER, PASSWORD))
    mon = idle(monitored, extra)
    text = wait_for(lambda: health(mon), POLLS_S, "health naming qbittorrent",
                    until=lambda t: lines_of(t, "qbittorrent"), mount=mon.m)
    line, = lines_of(text, "qbittorrent")
    assert "check the user name and password" in line, line
    assert "not asked again" in line, line
    seen = relay.count(200, "/jsonrpc")
    wait_for(lambda: relay.count(200, "/jsonrpc"), POLLS_S,
             "five more polls of NZBGet", until=lambda n: n >= seen + 5,
             mount=mon.m)
    assert qbit.logins() == (0, 1)
    assert lines_of(health(mon), "nzbget") == []


def test_idle_client_nobody_listens(monitored, tmp_path):
    url = "http://127.0.0.1:%d" % free_port()
    mon = idle(monitored, client_conf("transmission", url, tmp_path))
    text = wait_for(lambda: health(mon), POLLS_S,
                    "health naming transmission",
                    until=lambda t: lines_of(t, "transmission"), mount=mon.m)
    line, = lines_of(text, "transmission")
    assert line.startswith("warn: transmission: "), line
    assert "refused" in line.lower(), line
    assert not [x for x in text.splitlines() if x.startswith("error:")], text
