# SPDX-License-Identifier: GPL-3.0-or-later
"""mediamon as a system service: installed by `make install` and run from
there, its systemd unit, the notification protocol, and mounting through
mount(8). test_service_docs.py holds the man pages and --check-config,
test_service_metrics.py and test_service_prometheus.py the metrics,
test_service_signals.py logging and signals."""

import json
import os
import re
import signal
import subprocess

import pytest

import conftest
from conftest import REPO, is_mounted, start, unmount, wait_for
from service_common import MANS, section_text, receive_until
from service_common import notify_socket  # noqa: F401 (for pytest)


UNIT = os.path.join(REPO, "contrib", "mediamon.service")


def make(*args):
    subprocess.run(["make", "-s", "-C", REPO] + list(args), check=True,
                   stdout=subprocess.DEVNULL)


def files_under(top):
    return sorted(os.path.relpath(os.path.join(d, f), top)
                  for d, _, fs in os.walk(top) for f in fs)


@pytest.fixture(scope="module")
def prefix(tmp_path_factory):
    """An install with PREFIX in a temporary folder, so that the unit's
    paths exist on this machine."""
    where = tmp_path_factory.mktemp("prefix")
    make("install", "PREFIX=" + str(where))
    return where


def test_install_into_destdir_and_uninstall(tmp_path):
    dest = tmp_path / "dest"
    make("install", "DESTDIR=" + str(dest), "PREFIX=/opt/mm")
    installed = files_under(str(dest))
    for rel in ["opt/mm/bin/mediamon",
                "opt/mm/lib/systemd/system/mediamon.service",
                "opt/mm/share/doc/mediamon/mediamon.conf.example",
                "opt/mm/share/doc/mediamon/fstab.example",
                "opt/mm/share/man/man8/mediamon.8",
                "opt/mm/share/man/man5/mediamon.conf.5"]:
        assert rel in installed
    binary = dest / "opt/mm/bin/mediamon"
    assert os.access(str(binary), os.X_OK)
    out = subprocess.run([str(binary), "--version"], check=True,
                         capture_output=True, text=True).stdout
    assert out.startswith("mediamon ")
    unit = (dest / "opt/mm/lib/systemd/system/mediamon.service").read_text()
    assert "ExecStart=/opt/mm/bin/mediamon -f " in unit
    make("uninstall", "DESTDIR=" + str(dest), "PREFIX=/opt/mm")
    assert files_under(str(dest)) == []


def test_installed_binary_mounts(prefix, library, tmp_path, monkeypatch):
    monkeypatch.setattr(conftest, "BINARY", str(prefix / "bin/mediamon"))
    m = start(tmp_path, "music=" + str(library))
    try:
        assert m.json("status/summary.json")["counts"]["tracks"] == 9
    finally:
        unmount(m.path, m.proc)
    assert m.proc.returncode == 0


def unit_options(text):
    return [line.split("=", 1)[0] for line in text.splitlines()
            if "=" in line and not line.startswith("#")]


def test_unit_file():
    text = open(UNIT).read()
    assert "Type=notify" in text.splitlines()
    assert "Restart=on-failure" in text.splitlines()
    start_line = [line for line in text.splitlines()
                  if line.startswith("ExecStart=")]
    assert len(start_line) == 1 and " -f " in start_line[0]
    assert "ExecReload=/bin/kill -HUP $MAINPID" in text
    # the store's folder is private, as the folders mediamon makes are
    assert "StateDirectoryMode=0700" in text.splitlines()
    # of the Protect* settings, on systemd 252 only these make no mount
    # namespace (a system call filter, capabilities and a device rule;
    # a UTS namespace)
    hiding = [o for o in unit_options(text)
              if o.startswith(("Private", "Protect", "ProcSubset",
                               "ReadOnly", "ReadWrite", "Inaccessible",
                               "TemporaryFileSystem", "MountFlags"))
              and o not in ("ProtectClock",
                            "ProtectHostname")]
    assert hiding == []


def verify(unit, prefix):
    env = dict(os.environ, MANPATH=str(prefix / "share/man"))
    return subprocess.run(["systemd-analyze", "verify", str(unit)],
                          capture_output=True, text=True, env=env)


def test_unit_verifies(prefix):
    """Also the Documentation= man pages, found where the install put
    them."""
    r = verify(prefix / "lib/systemd/system/mediamon.service", prefix)
    assert (r.returncode, r.stdout + r.stderr) == (0, "")


def test_unit_credentials(prefix, tmp_path):
    """The unit's LoadCredential= lines name every secret key as
    SECTION_KEY, the name mediamon reads, and verify once uncommented."""
    text = (prefix / "lib/systemd/system/mediamon.service").read_text()
    names = re.findall(r"^#LoadCredential=([a-z_]+):", text, re.M)
    man = open(MANS[1]).read()
    secrets = set()
    for section in re.findall(r"^\.SH \[([a-z]+)\]", man, re.M):
        part = section_text(man, section, ".SH [%s]")
        for key in re.findall(r'^\.BI ([a-z_]+) "[^"]*secret', part, re.M):
            sections = ("sonarr", "radarr") if section == "sonarr" \
                else (section,)
            secrets |= {"%s_%s" % (s, key) for s in sections}
    assert sorted(names) == sorted(secrets)
    on = tmp_path / "mediamon.service"
    on.write_text(text.replace("#LoadCredential=", "LoadCredential="))
    r = verify(on, prefix)
    assert (r.returncode, r.stdout + r.stderr) == (0, "")


def test_unit_verify_catches_mistakes(prefix, tmp_path):
    """The check above can fail: a typo in the unit makes it speak."""
    text = (prefix / "lib/systemd/system/mediamon.service").read_text()
    bad = tmp_path / "mediamon.service"
    bad.write_text(text.replace("Type=notify", "Type=notfy"))
    r = verify(bad, prefix)
    assert "notfy" in r.stderr


def test_notify_ready_status_stopping(notify_socket, library, tmp_path):
    m = start(tmp_path, "music=" + str(library), wait=False)
    try:
        ready = receive_until(notify_socket, "READY")[-1]
        assert ready["READY"] == "1"
        assert re.match(r"(scanning|idle)", ready["STATUS"])
        assert is_mounted(m.path)
        # STATUS follows the state until the first scan is over
        status = ready["STATUS"]
        if status.startswith("scanning"):
            status = wait_for(lambda: receive_until(
                notify_socket, "STATUS")[-1]["STATUS"], 30,
                "STATUS past scanning",
                until=lambda st: not st.startswith("scanning"), interval=0)
        assert status in ("idle", "checking")
        assert m.wait_idle()["files_seen"] == 10
        m.proc.send_signal(signal.SIGTERM)
        assert m.proc.wait(timeout=15) == 0
        assert not is_mounted(m.path)
        stopping = receive_until(notify_socket, "STOPPING")[-1]
        assert stopping["STOPPING"] == "1"
    finally:
        unmount(m.path, m.proc)


def test_bad_notify_socket_is_harmless(library, tmp_path, monkeypatch):
    """A NOTIFY_SOCKET that names nothing costs a log line, not the
    daemon."""
    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "nobody-listens"))
    m = start(tmp_path, "music=" + str(library))
    try:
        assert m.json("status/summary.json")["counts"]["tracks"] == 9
        assert b"notify: " in m.read("log")
    finally:
        unmount(m.path, m.proc)


MOUNT_SCRIPT = """set -e
# mount(8) runs helpers without PATH, so mount.fuse3's shell looks for
# `mediamon` on its default path: put the binary there, in this private
# mount namespace only.
mount --bind "$BIN" /usr/local/bin
%s
cat "$MNT/status/summary.json" > "$OUT"
%s
# the daemon ends with its mount
for i in $(seq 300); do
    pgrep -f -- "$MNT" >/dev/null || exit 0
    sleep 0.1
done
echo "mediamon still runs after the unmount" >&2
exit 1
"""


def mount_fuse_setup(prefix, tmp_path, database, library):
    """For mount(8): a folder holding the installed binary alone (bound
    over mount.fuse3's default path in a private mount namespace), the
    mount point and a configuration; the script's environment."""
    if os.geteuid() != 0:
        pytest.skip("mount(8) and a mount namespace need root")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    os.symlink(str(prefix / "bin/mediamon"), str(bin_dir / "mediamon"))
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    conf = tmp_path / "mediamon.conf"
    conf.write_text("[general]\ndatabase = %s\n[music]\nroot = %s\n" %
                    (database, library))
    return mnt, conf, dict(os.environ, BIN=str(bin_dir), MNT=str(mnt),
                           CONF=str(conf))


@pytest.mark.parametrize("how", ["type", "fstab"])
def test_mount_through_mount_fuse(how, prefix, library, tmp_path):
    """`mount -t fuse.mediamon` (and the fstab.example line through
    `mount -T`) runs mount.fuse3, which runs `mediamon SOURCE MOUNTPOINT
    -o OPTIONS`; the daemon takes its configuration from config=."""
    mnt, conf, env = mount_fuse_setup(prefix, tmp_path,
                                      tmp_path / "state" / "m.db", library)
    if how == "type":
        mount = ('mount -t fuse.mediamon mediamon "$MNT" -o '
                 '"config=$CONF,allow_other"')
        umount = 'umount "$MNT"'
    else:
        line = [l for l in open(os.path.join(REPO, "fstab.example"))
                if not l.startswith("#") and l.strip()]
        assert len(line) == 1
        fields = line[0].split()
        assert fields[2] == "fuse.mediamon"
        fields[1] = str(mnt)
        fields[3] = fields[3].replace("/etc/mediamon/mediamon.conf",
                                      str(conf))
        fstab = tmp_path / "fstab"
        fstab.write_text(" ".join(fields) + "\n")
        mount = 'mount -T "%s" "$MNT"' % fstab
        umount = 'fusermount3 -u "$MNT"'
    out = tmp_path / "summary.json"
    env["OUT"] = str(out)
    r = subprocess.run(["unshare", "-m", "--propagation", "private", "sh",
                        "-c", MOUNT_SCRIPT % (mount, umount)],
                       env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    summary = json.loads(out.read_text())
    assert summary["roots"][0]["path"] == str(library)
    assert os.path.exists(str(tmp_path / "state" / "m.db"))
    # a new store, a first scan: all of it in syslog, none on the terminal
    assert (r.stdout, r.stderr) == ("", "")


def test_mount_error_reaches_the_terminal(prefix, library, tmp_path):
    """What stops a mount started by mount(8) is said on its terminal:
    the positive control of the quiet mount above."""
    # /proc refuses the folder the store would be made in
    mnt, _, env = mount_fuse_setup(prefix, tmp_path, "/proc/mediamon/m.db",
                                   library)
    script = ('mount --bind "$BIN" /usr/local/bin\n'
              'mount -t fuse.mediamon mediamon "$MNT" -o "config=$CONF"\n')
    r = subprocess.run(["unshare", "-m", "--propagation", "private", "sh",
                        "-c", script], env=env, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode != 0
    assert r.stderr.startswith("mediamon: database folder /proc/mediamon: "),\
        r.stderr
    assert not is_mounted(mnt)
