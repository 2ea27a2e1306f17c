# SPDX-License-Identifier: GPL-3.0-or-later
"""The catalog's ed2k links (EBDZ's releases) through the real amuled
(clients.py starts it on 127.0.0.1 with a throw-away configuration, no
server, no Kad): the link sent is in amuled's download queue with its
hash and name, and the tracker shows it downloading with its size; a
file amuled holds complete (in its incoming folder, shared: where a
completed download lands) is taken, followed as completed and imported;
a wrong password is refused once, one log line, not at every check;
amuled down is a warning in health; an export of ed2k
links added to the catalog by mediamon --import-catalog goes the same
way.

A real transfer between two amuleds (test_peer_to_peer_transfer, where
`ip netns` is allowed): aMule drops a source on 127.0.0.0/8 whatever its
settings (NetworkFunctions.cpp, IsGoodIP()'s reserved ranges), asks its
sources only while connected to a server (none is in Debian) or to Kad
(PartFile.cpp, Process()), and its Kad takes no contact of a LAN range
(10/8 read "0 Kad contacts" with FilterLanIPs=0). So the seeder runs in
a network namespace joined to this one by a veth pair with addresses of
TEST-NET-3 (203.0.113.0/24, never routed), the downloader's nodes.dat
names the seeder by its Kad id (the id its preferencesKad.dat is given:
Kad packets are obfuscated with the receiver's id, and a wrong one is
never answered), both join Kad ("Connected (firewalled)"), and the link
names the seeder as a source (|sources,IP:PORT|)."""

import datetime
import fcntl
import json
import os
import random
import shutil
import socket
import struct
import subprocess
import tempfile
import threading

import pytest

import conftest
from clients import PASSWORD, clients, ed2k_link  # noqa: F401
from conftest import wait_for
from test_clients import CONTENT, TAKEN, health, retry
from test_handoff import AUTO, SEND, downloads
from test_monitor import monitored  # noqa: F401
from test_series_meta import seconds

NAME = "Saga 01 T10.cbz"
POLL = "[download]\npoll_interval = 1\n"


def ed2k_conf(host, password=PASSWORD, ed2k="", download=""):
    """[ed2k] for amuled at host, with the lines ed2k, and [download]'s
    poll_interval of 1 s with the lines download."""
    return ("[ed2k]\nclient = amule\nhost = %s\npassword = %s\n"
            % (host, password)) + ed2k + POLL + download


def start(monitored, host, link, password=PASSWORD, ed2k="", download=""):
    """Saga 01 wanting volume 10, whose one release is the catalog's
    ed2k link (Prowlarr finds none)."""
    mon = monitored(["Saga 01"], monitor=AUTO, general=SEND,
                    extra=ed2k_conf(host, password, ed2k, download),
                    releases={"saga 01": []})
    mon.catalog.write_text(
        '{"title": "Saga 01 T10", "link": "%s", "size": 1000,'
        ' "source": "EBDZ"}\n' % link)
    return mon


def state_of(mon, volume=10):
    d = downloads(mon).get(volume)
    return d and d["state"]


def shown(mon, volume=10):
    return {e["volume"]: e for e in
            mon.m.json("status/downloads.json")}.get(volume)


def log(mon):
    return mon.m.read("log").decode()


def test_link_listed_and_followed(monitored, clients):
    am = clients("amule")
    data = CONTENT + os.urandom(50000)
    link = ed2k_link(NAME, data)
    file_hash = link.split("|")[4]
    mon = start(monitored, am.host, link)
    mon.check("missing")
    d = downloads(mon)[10]
    assert d["state"] in TAKEN and d["client"] == "amule", d
    assert d["client_id"] == file_hash.lower()
    # amuled has it in its queue, by its hash and name
    queue = am.cmd("show dl")
    assert "%s %s" % (file_hash, NAME) in queue, queue
    # no peer: it waits in amuled, which the tracker shows as on its way,
    # with the size the link gave and nothing done
    wait_for(lambda: shown(mon), 60, "volume 10 downloading",
             until=lambda e: e and e["state"] == "downloading", mount=mon.m)
    e = shown(mon)
    assert e["client"] == "amule" and e["bytes_total"] == len(data), e
    assert e["bytes_done"] == 0 and e["progress"] == 0, e
    # the tracker's polls are logins: none refused
    assert am.logged("Authentication failed") == 0


def test_completed_file_imported(monitored, clients):
    data = CONTENT + os.urandom(50000)
    am = clients("amule", files={NAME: data})
    link = ed2k_link(NAME, data)
    # amuled hashes what its incoming folder holds before it shares it
    wait_for(lambda: am.cmd("show shared"), 60, "the file shared",
             until=lambda t: link.split("|")[4] in t)
    mon = start(monitored, am.host, link)
    mon.check("missing")
    # amuled answers "Invalid link or already on list": it lists the
    # file, so it is taken
    assert downloads(mon)[10]["state"] in TAKEN + ("completed", "imported")
    assert "amule: the file was there already" in log(mon)
    wait_for(lambda: state_of(mon), 60, "volume 10 imported",
             until=lambda s: s == "imported", mount=mon.m)
    got = mon.root / "Saga 01" / NAME
    assert got.read_bytes() == data
    e = shown(mon)
    assert e["bytes_total"] == e["bytes_done"] == len(data), e
    assert e["progress"] == 1.0


def polls_after(am, when):
    """How many of the tracker's logins amuled logged at or after when (a
    Unix time; amuled's log is in local time, to the second)."""
    n = 0
    if not am.log.is_file():
        return 0
    for line in am.log.read_text(errors="replace").splitlines():
        if "Connecting client: mediamon" not in line:
            continue
        stamp = datetime.datetime.strptime(line[1:20], "%Y-%m-%d %H:%M:%S")
        n += stamp.timestamp() >= when
    return n


def test_no_source_outlives_download_stall(monitored, clients):
    """A file no source serves yet (sources of an ed2k file appear over
    days) is not cut by [download] stall_timeout, here its least (1 min):
    polled beyond it, it is still downloading and in amuled's queue.
    [ed2k] stall_timeout is the ed2k client's (test_ed2k_stall_timeout)."""
    am = clients("amule")
    data = CONTENT + os.urandom(50000)
    link = ed2k_link(NAME, data)
    mon = start(monitored, am.host, link, download="stall_timeout = 1m\n")
    mon.check("missing")
    e = wait_for(lambda: shown(mon), 60, "volume 10 downloading",
                 until=lambda e: e and e["state"] == "downloading",
                 mount=mon.m)
    # no progress since (the times are to the second)
    still = max(seconds(e["times"]["sent_at"]),
                seconds(e["times"]["progress_at"])) + 1
    # two polls past the stall: the first one's word is stored when the
    # second one logs in
    wait_for(lambda: polls_after(am, still + 61), 330,
             "two polls beyond [download] stall_timeout",
             until=lambda n: n >= 2, mount=mon.m)
    assert state_of(mon) == "downloading"
    e = shown(mon)
    assert e["state"] == "downloading" and e["bytes_done"] == 0, e
    assert "stalled" not in log(mon)
    assert NAME in am.cmd("show dl")


def test_ed2k_stall_timeout(monitored, clients):
    """[ed2k] stall_timeout is what stalls an ed2k download: a file with
    no progress for longer fails, its reason the stall."""
    am = clients("amule")
    link = ed2k_link(NAME, CONTENT + os.urandom(50000))
    mon = start(monitored, am.host, link, ed2k="stall_timeout = 3s\n")
    mon.check("missing")
    wait_for(lambda: state_of(mon), 120, "volume 10 stalled",
             until=lambda s: s == "failed", mount=mon.m)
    assert "stalled: no progress for" in log(mon)


def test_wrong_password_refused_once(monitored, clients):
    am = clients("amule")
    link = ed2k_link(NAME, CONTENT + os.urandom(1000))
    mon = start(monitored, am.host, link, password="not-" + PASSWORD)
    mon.check("missing")
    refused = "Unauthorized access attempt"
    wait_for(lambda: am.logged(refused), 30, "amuled refusing the login",
             until=lambda n: n)
    mon.check("missing")
    # one login refused, not one per check or per poll
    assert am.logged(refused) == 1
    text = health(mon)
    assert "amule: the password was refused" in text, text
    assert "not asked again" in text
    # one error where the refusal is met; each check's hand-off notes
    # the reason it did not ask
    assert log(mon).count("error: amule: the password was refused") == 1
    assert state_of(mon) == "failed"
    assert am.cmd("show dl").count("Saga 01") == 0
    retry(mon)
    wait_for(lambda: am.logged(refused), 30, "amuled refusing the retry",
             until=lambda n: n == 2)


def test_amuled_down(monitored, clients):
    am = clients("amule")
    host = am.host
    am.stop()
    mon = start(monitored, host, ed2k_link(NAME, CONTENT))
    mon.check("missing")
    text = wait_for(lambda: health(mon), 30, "health naming amule",
                    until=lambda t: "amule" in t, mount=mon.m)
    # out of reach is a warning, as a source's is: the next poll asks
    # again
    line = next(x for x in text.splitlines() if "amule" in x)
    assert line.startswith("warn: amule: "), line
    assert "cannot connect to %s" % host in line, line
    assert state_of(mon) == "failed"
    assert "amule: cannot connect" in log(mon)


def test_link_without_hash_refused(monitored, clients):
    """A catalog ed2k link without a file hash is the release's fault:
    refused before amuled is asked, and never sent again."""
    am = clients("amule")
    mon = start(monitored, am.host, "ed2k://|file|Saga%2001%20T10.cbz|1000|"
                "ABC|/")
    mon.check("missing")
    d = downloads(mon)[10]
    assert d["state"] == "failed", d
    assert "not an ed2k file link with its hash" in log(mon)
    assert am.logged("adding link") == 0
    mon.check("missing")
    # blocklisted: the second check does not send it
    assert log(mon).count("error: amule: the link is not an ed2k") == 1
    assert "for volume 10 not taken: amule: the link" in log(mon)


def ip(*args):
    return subprocess.run(["ip"] + list(args), capture_output=True,
                          text=True, timeout=30)


def subnet_of_our_own():
    """(a held lock, the first address) of a /30 of 203.0.113.0/24 that no
    other test of this machine holds (make test and make asan run this
    file at once: two veths of one subnet route one test's transfer into
    the other's namespace) and no interface has: the lock is a file of
    the machine's temporary folder, held until closed."""
    bases = [4 * i for i in range(1, 63)]
    random.shuffle(bases)
    for base in bases:
        f = open(os.path.join(tempfile.gettempdir(),
                              "mediamon-test-net-%d.lock" % base), "a")
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            f.close()
            continue
        if not ip("-4", "-o", "addr", "show", "to",
                  "203.0.113.%d/30" % base).stdout.strip():
            return f, base
        f.close()
    pytest.skip("every /30 of 203.0.113.0/24 is in use on this machine")


@pytest.fixture
def seeder_net():
    """A network namespace joined to this one by a veth pair: (the
    command prefix that runs a program in it, its address, this side's
    address), a /30 of TEST-NET-3 (203.0.113.0/24). Skips where `ip
    netns` is not allowed; removed at the end."""
    if not shutil.which("ip"):
        pytest.skip("no ip (iproute2)")
    tag = os.urandom(3).hex()
    ns, here, there = "mm" + tag, "mmh" + tag, "mmn" + tag
    lock, base = subnet_of_our_own()
    seeder, host = "203.0.113.%d" % (base + 1), "203.0.113.%d" % (base + 2)
    made = ip("netns", "add", ns)
    if made.returncode:
        lock.close()
        pytest.skip("ip netns add is not allowed: " + made.stderr.strip())
    try:
        for args in [("link", "add", here, "type", "veth", "peer", "name",
                      there, "netns", ns),
                     ("addr", "add", host + "/30", "dev", here),
                     ("link", "set", here, "up"),
                     ("-n", ns, "addr", "add", seeder + "/30", "dev",
                      there),
                     ("-n", ns, "link", "set", there, "up"),
                     ("-n", ns, "link", "set", "lo", "up")]:
            r = ip(*args)
            assert not r.returncode, (args, r.stderr)
        yield ["ip", "netns", "exec", ns], seeder, host
    finally:
        ip("link", "del", here)
        ip("netns", "del", ns)
        lock.close()


def test_peer_to_peer_transfer(monitored, clients, seeder_net):
    """The link sent to amuled is downloaded from another amuled, the
    seeder in its network namespace, over Kad and TCP: followed as
    downloading, completed, and imported, byte for byte."""
    prefix, seeder_ip, _ = seeder_net
    data = CONTENT + os.urandom(300000)
    seeder_id, own_id = os.urandom(16), os.urandom(16)
    seeder = clients("amule", files={NAME: data}, prefix=prefix,
                     name="seeder", kad={"id": seeder_id, "nodes": []})
    am = clients("amule", kad={"id": own_id, "nodes": [
        (seeder_id, seeder_ip, seeder.udp, seeder.tcp)]})
    wait_for(lambda: am.cmd("status"), 120, "amuled joining Kad",
             until=lambda t: "Kad: Connected" in t)
    link = ed2k_link(NAME, data) + "|sources,%s:%d|/" % (seeder_ip,
                                                         seeder.tcp)
    # a source asked before it has hashed the file answers "no such
    # file", and aMule asks a source again only after 29 minutes
    # (FILEREASKTIME): the seeder shares it first
    wait_for(lambda: seeder.cmd("show shared"), 120, "the seeder sharing",
             until=lambda t: link.split("|")[4] in t)
    mon = start(monitored, am.host, link)
    mon.check("missing")
    assert downloads(mon)[10]["state"] in TAKEN
    wait_for(lambda: state_of(mon), 300, "volume 10 imported",
             until=lambda s: s == "imported", mount=mon.m)
    assert (mon.root / "Saga 01" / NAME).read_bytes() == data
    e = shown(mon)
    assert e["bytes_total"] == e["bytes_done"] == len(data), e
    # the seeder had it, the downloader fetched it
    assert seeder.logged("Downloading") == 0
    assert am.logged("Downloading %s" % NAME) == 1


def import_catalog(mon, fmt, path):
    return subprocess.run(
        [conftest.BINARY, "-o", "config=" + str(mon.conf),
         "--import-catalog", fmt, str(path)], capture_output=True,
        text=True, timeout=60 * conftest.SLOW)


def test_imported_catalog_sent_and_imported(monitored, clients, tmp_path):
    """EBDZ's flow: an export of ed2k links added to the catalog by
    mediamon --import-catalog (bad lines named, the catalog's own line
    kept, no duplicate), its release sent to amuled, which holds the file
    complete, and imported."""
    data = CONTENT + os.urandom(50000)
    am = clients("amule", files={NAME: data})
    link = ed2k_link(NAME, data)
    wait_for(lambda: am.cmd("show shared"), 60, "the file shared",
             until=lambda t: link.split("|")[4] in t)
    mon = monitored(["Saga 01"], monitor=AUTO, general=SEND,
                    extra=ed2k_conf(am.host), releases={"saga 01": []})
    kept = mon.catalog.read_text()
    export = tmp_path / "ebdz.txt"
    export.write_text("%s\n%s\n\nhttps://ddl.example/not-ed2k\n"
                      % (link, link.replace("Saga%2001", "Other")))
    run = import_catalog(mon, "links", export)
    assert run.returncode == 1, run
    assert run.stdout.startswith("1 added to %s, 1 there already, 1 bad"
                                 % mon.catalog), run.stdout
    assert run.stderr == "%s:4: not an ed2k file link" \
        " (ed2k://|file|NAME|SIZE|HASH|/)\n" % export, run.stderr
    lines = mon.catalog.read_text().splitlines()
    assert mon.catalog.read_text().startswith(kept)
    assert json.loads(lines[-1]) == {"title": NAME, "link": link,
                                     "size": len(data), "source": "import"}
    # again: nothing new
    again = import_catalog(mon, "links", export)
    assert again.stdout.startswith("0 added"), again.stdout
    assert mon.catalog.read_text().splitlines() == lines
    mon.check("missing")
    wait_for(lambda: state_of(mon), 60, "volume 10 imported",
             until=lambda s: s == "imported", mount=mon.m)
    assert (mon.root / "Saga 01" / NAME).read_bytes() == data
    assert downloads(mon)[10]["client"] == "amule"


class TricklingEC:
    """An aMule that answers the login a byte a second (issue 76): the
    answer is amuled's own refusal as recorded (tests/data/amule/
    auth_fail.bin, in its frame), 57 bytes, so a client that waits on
    each byte rather than on the whole answer is held nearly a minute.
    sent counts the bytes written on each connection."""

    def __init__(self):
        with open(os.path.join(conftest.REPO, "tests/data/amule",
                               "auth_fail.bin"), "rb") as f:
            body = f.read()
        self.answer = struct.pack(">II", 0x20, len(body)) + body
        self.sent = []
        self.stop = threading.Event()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.host = "127.0.0.1:%d" % self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            threading.Thread(target=self.trickle, args=(conn,),
                             daemon=True).start()

    def trickle(self, conn):
        n = len(self.sent)
        self.sent.append(0)
        with conn:
            conn.settimeout(10)
            try:
                conn.recv(4096)         # the login request
                for byte in self.answer:
                    if self.stop.wait(1):
                        return
                    conn.sendall(bytes([byte]))
                    self.sent[n] += 1
            except OSError:
                return

    def close(self):
        self.stop.set()
        self.thread.join()
        self.sock.close()


def test_trickling_amule_given_up(monitored):
    """An aMule that trickles its answer is given up on when the whole
    answer has not come within the client's 30 s, however steadily the
    bytes arrive: the tracker's probe of the idle client ends, health
    says it is too slow, and the monitor takes the next control write
    (a check of new volumes, which asks no client)."""
    fake = TricklingEC()
    try:
        mon = start(monitored, fake.host, ed2k_link(NAME, CONTENT))
        text = wait_for(lambda: health(mon), 60, "health naming amule",
                        until=lambda t: "amule" in t, mount=mon.m)
        line = next(x for x in text.splitlines() if "amule" in x)
        assert line.startswith("warn: amule: "), line
        assert "too slow: no whole answer within 30000 ms" in line, line
        assert fake.sent and fake.sent[0] < len(fake.answer), fake.sent
        mon.check("new", timeout=60)
    finally:
        fake.close()
