#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the HTTP door's page costs a new connection as the machine's
sockets grow (issue 77): docs/PERFORMANCE.md's "A local connection's
user".

    MEDIAMON_BINARY=./mediamon http_peer_cost.py [PAIRS]

Starts a mediamon with [http] on 127.0.0.1 (tests/integration's Web, an
empty library), then GETs / as root 300 times, each on a new connection
(the peer's user is looked up once a connection), first with no socket
added, then with PAIRS (default 5,000) idle loopback connections held by
this script (two sockets each). Prints, for each, the sockets added, the
lines of /proc/net/tcp then, the daemon's CPU time a GET (all its
threads, from /proc) and the median wall time of a GET. Exits 1 when an
answer is not 200."""

import base64
import http.client
import os
import resource
import socket
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "integration"))
from test_http import PASSWORD, Web  # noqa: E402

GETS = 300


def cpu_s(pid):
    fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def gets(port, n):
    """The wall times of n GETs of /, each on a new connection."""
    auth = "Basic " + base64.b64encode(
        ("root:" + PASSWORD).encode()).decode()
    walls = []
    for _ in range(n):
        start = time.monotonic()
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        c.request("GET", "/", headers={"Authorization": auth})
        r = c.getresponse()
        r.read()
        c.close()
        if r.status != 200:
            sys.exit("GET /: %d" % r.status)
        walls.append(time.monotonic() - start)
    return walls


def held_pairs(k):
    """k loopback connections (both ends) and their listener."""
    lis = socket.socket()
    lis.bind(("127.0.0.1", 0))
    lis.listen(4096)
    held = [lis]
    for _ in range(k):
        held.append(socket.create_connection(lis.getsockname()))
        held.append(lis.accept()[0])
    return held


def main():
    pairs = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    w = Web(tempfile.mkdtemp(prefix="mediamon-peer-cost."))
    try:
        port = int(w.base.rsplit(":", 1)[1])
        gets(port, 20)
        for k in (0, pairs):
            held = held_pairs(k)
            before = cpu_s(w.m.proc.pid)
            walls = gets(port, GETS)
            spent = cpu_s(w.m.proc.pid) - before
            with open("/proc/net/tcp") as f:
                lines = sum(1 for _ in f)
            print("sockets_added %d tcp_lines %d cpu_ms_a_get %.2f"
                  " wall_median_ms %.2f" % (2 * k, lines, 1000 * spent / GETS,
                                            1000 * statistics.median(walls)),
                  flush=True)
            for s in held:
                s.close()
    finally:
        w.stop()


if __name__ == "__main__":
    main()
