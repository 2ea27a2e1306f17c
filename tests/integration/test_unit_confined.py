# SPDX-License-Identifier: GPL-3.0-or-later
"""The service's confinement (contrib/mediamon.service): what
`systemd-analyze security` makes of the unit, printed; and the daemon at
work as the unit runs it, which setpriv gives as systemd would: as a user
of its own (the unit's User=, here one the test makes) holding the unit's
capabilities as ambient ones and no others, with no new privileges, on a
root only its owner may read: it mounts, indexes the root, and its owner
reads it through a mount all users share; its analysis child holds no
capability. Without the capabilities that read a private tree the same
run fails, so the check can fail."""

import ipaddress
import os
import pathlib
import pwd
import re
import socket
import subprocess

import pytest

from conftest import BINARY, REPO, WRAPPER, unmount
from syscall_filter import X86_64, unit_filter
from test_connections import PROWLARR_KEY
from access_users import (make_user, drop_user, music_world, real_files,
                          start_daemon, world)  # noqa: F401 (a fixture)
from test_analysis import add_tracks, wait_analysed
from test_analysis import sounds  # noqa: F401 (a fixture)
from test_analysis_confined import child_status

UNIT = os.path.join(REPO, "contrib", "mediamon.service")

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0, reason="runs the daemon as root under setpriv")


def unit_lines(key):
    return [line.split("=", 1)[1] for line in open(UNIT).read().splitlines()
            if line.startswith(key + "=")]


def unit_caps(key):
    caps = " ".join(unit_lines(key)).split()
    assert caps, "the unit names no " + key
    return [c.lower().replace("cap_", "", 1) for c in caps]


def bounding_set():
    return unit_caps("CapabilityBoundingSet")


def confined(service, caps):
    """The unit's User= (service) with caps as its ambient capabilities,
    the bounding set the same, no supplementary group, no new
    privileges."""
    plus = ",".join("+" + c for c in caps)
    return ["setpriv", "--reuid=%d" % service.uid,
            "--regid=%d" % service.gid, "--clear-groups",
            "--inh-caps=" + plus, "--ambient-caps=" + plus,
            "--bounding-set=-all," + plus, "--no-new-privs", "--"]


def test_unit_runs_as_its_own_user_with_its_bounding_set():
    assert unit_lines("User") == ["mediamon"]
    assert sorted(unit_caps("AmbientCapabilities")) == sorted(bounding_set())


def test_unit_exposure_printed():
    out = subprocess.run(["systemd-analyze", "security", "--offline=yes",
                          "--no-pager", UNIT], capture_output=True,
                         text=True, timeout=120)
    level = re.search(r"Overall exposure level for \S+: ([0-9.]+) (\w+)",
                      out.stdout + out.stderr)
    assert level, out.stdout[-2000:] + out.stderr
    print("systemd-analyze security: exposure %s %s" % level.groups())
    # Without a mount namespace (which would hide the mount) nor a
    # network shut off, this is what the unit's settings give ("OK"); 4.3
    # as root, 9.6 with none of them.
    assert float(level.group(1)) <= 4.0
    assert unit_lines("NoNewPrivileges") == ["yes"]


def test_unit_reaches_every_unicast_address_but_ipv4_link_local():
    """The unit's IP address allow list: every address but IPv4's
    link-local range (cloud instance metadata), multicast and broadcast,
    so that the loopback, local networks and the internet stay open."""
    assert unit_lines("IPAddressDeny") == ["any"]
    allow = [ipaddress.ip_network(n) for line in unit_lines("IPAddressAllow")
             for n in line.split()]

    def allowed(a):
        a = ipaddress.ip_address(a)
        return any(a.version == n.version and a in n for n in allow)

    # IPv4: all but link-local, multicast, reserved and broadcast
    want = [ipaddress.ip_network("0.0.0.0/0")]
    for gone in ("169.254.0.0/16", "224.0.0.0/3"):
        gone = ipaddress.ip_network(gone)
        want = [p for n in want for p in (
            n.address_exclude(gone) if n.overlaps(gone) else [n])]
    assert list(ipaddress.collapse_addresses(
        n for n in allow if n.version == 4)) == \
        list(ipaddress.collapse_addresses(want))
    for a in ("127.0.0.1", "::1", "10.1.2.3", "172.16.0.5", "192.168.1.20",
              "100.64.0.1", "1.1.1.1", "169.253.1.1", "169.255.0.1",
              "2606:4700::1111", "fd12::1", "fe80::1", "64:ff9b::101:101",
              "::ffff:192.168.1.20"):
        assert allowed(a), a
    for a in ("169.254.169.254", "169.254.0.1", "224.0.0.251",
              "239.255.255.250", "255.255.255.255", "ff02::fb"):
        assert not allowed(a), a


@pytest.mark.skipif(not X86_64, reason="the filter's numbers are x86-64's")
def test_names_resolved_without_netlink(tmp_path, library, fake):
    """Without a netlink socket (the unit's only for the HTTP door's
    peers) nor @resources' calls, a service named by a host name (this machine's, not "localhost", which
    curl does not look up) is reached all the same: the name lookup
    (glibc's, for curl) needs none, and nothing else the check does."""
    name = socket.gethostname()
    try:
        addrs = {a[4][0] for a in socket.getaddrinfo(name, 80)}
    except socket.gaierror:
        addrs = set()
    if "127.0.0.1" not in addrs:
        pytest.skip("%s does not resolve to 127.0.0.1" % name)
    prowlarr = fake("prowlarr_fake.py")
    conf = tmp_path / "c.conf"
    conf.write_text("[prowlarr]\nurl = %s\napi_key = %s\n" % (
        prowlarr.url.replace("127.0.0.1", name), PROWLARR_KEY))
    os.chmod(str(conf), 0o600)
    r = subprocess.run(unit_filter() + [
        BINARY, "--check-connections", "-o", "config=" + str(conf),
        "-o", "music=" + str(library), "-o", "db=" + str(tmp_path / "x.db")],
        capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.startswith("prowlarr: ok"), \
        r.stdout + r.stderr


@pytest.fixture
def owner():
    u = make_user()
    yield u
    drop_user(u)


@pytest.fixture
def service():
    """The unit's own user (mediamon on an installed system)."""
    u = make_user()
    yield u
    drop_user(u)


def index_private_root(world, owner, service, template_library, caps):
    root, conf = music_world(world, template_library)
    subprocess.run(["chown", "-R", "%d:%d" % (owner.uid, owner.gid), root],
                   check=True)
    os.chmod(root, 0o700)
    # as the unit's comment says of a configuration that holds a secret
    os.chown(conf, service.uid, service.gid)
    return start_daemon(world, "config=" + conf,
                        wrapper=confined(service, caps))


def test_daemon_works_under_the_units_capabilities(world, owner, service,
                                                   template_library):
    m = index_private_root(world, owner, service, template_library,
                           bounding_set())
    try:
        tracks = m.json("status/summary.json")["counts"]["tracks"]
        assert tracks >= 9
        files = real_files(m)
        assert files
        got = owner.ask([("read", p) for p in files])
        assert not [g for g in got if isinstance(g, OSError)], got
        # nothing it does is refused: it acts as each caller, and warns of
        # nothing
        log = m.read("log").decode()
        assert [line for line in log.splitlines()
                if " info: " not in line] == [], log
    finally:
        unmount(m.path, m.proc)


def test_roots_own_configuration_with_a_secret_is_taken(world, owner,
                                                        service,
                                                        template_library):
    """A configuration that holds a secret and stays root's own (0600),
    as an install from before the unit ran as its own user left it, is
    read: no one but root may read or change it."""
    root, conf = music_world(world, template_library)
    with open(conf, "a") as f:
        f.write("[prowlarr]\nurl = http://127.0.0.1:9\n"
                "api_key = 0123456789abcdef\n")
    assert (os.stat(conf).st_uid, os.stat(conf).st_mode & 0o777) == \
        (0, 0o600)
    m = start_daemon(world, "config=" + conf,
                     wrapper=confined(service, bounding_set()))
    try:
        assert m.json("status/summary.json")["counts"]["tracks"] >= 9
        assert "0123456789abcdef" not in m.read("log").decode()
    finally:
        unmount(m.path, m.proc)
    # group-readable, it is refused as ever
    os.chmod(conf, 0o640)
    with pytest.raises(AssertionError, match="its group can read"):
        m = start_daemon(world, "config=" + conf,
                         wrapper=confined(service, bounding_set()))
        unmount(m.path, m.proc)


def test_fewer_capabilities_fail_the_same_run(world, owner, service,
                                              template_library):
    caps = [c for c in bounding_set()
            if c not in ("dac_override", "dac_read_search")]
    with pytest.raises(AssertionError, match="is not a readable directory"):
        m = index_private_root(world, owner, service, template_library,
                               caps)
        unmount(m.path, m.proc)


@pytest.mark.skipif(bool(WRAPPER), reason="the wrapper's children")
def test_analysis_child_holds_no_capability(sounds, world, service):
    """The daemon holds the unit's ambient capabilities, which an exec
    hands down: its analysis child, started as [analysis] user, holds
    none of them in any set."""
    root = pathlib.Path(world) / "music"
    add_tracks(sounds, root, 8, "a")
    conf = pathlib.Path(world) / "c.conf"
    conf.write_text("[music]\nroot = %s\n[analysis]\nuser = daemon\n" %
                    root)
    os.chmod(str(conf), 0o600)
    os.chown(str(conf), service.uid, service.gid)
    m = start_daemon(world, "config=" + str(conf),
                     wrapper=confined(service, bounding_set()))
    try:
        me = open("/proc/%d/status" % m.proc.pid).read()
        assert re.search(r"^CapAmb:\s*0*[1-9a-f]", me, re.M), me
        s = child_status(m)
        daemon = pwd.getpwnam("daemon")
        assert s["Uid"].split() == [str(daemon.pw_uid)] * 4, s["Uid"]
        assert s["Groups"].strip() == ""
        for caps in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
            assert int(s[caps], 16) == 0, (caps, s[caps])
        a = wait_analysed(m)
        assert (a["analysed"], a["failed"]) == (8, 0), a
    finally:
        unmount(m.path, m.proc)
