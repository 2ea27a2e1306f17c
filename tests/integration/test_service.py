# SPDX-License-Identifier: GPL-3.0-or-later
"""mediamon as a system service: installed by `make install` and run from
there, its systemd unit, the notification protocol, mounting through
mount(8), the man pages, the Prometheus file, logging, signals and
--check-config."""

import errno
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import threading
import time

import pytest

import conftest
from conftest import REPO, SLOW, is_mounted, start, unmount, wait_for
from test_docs_drift import table_metrics

UNIT = os.path.join(REPO, "contrib", "mediamon.service")
EXAMPLE = os.path.join(REPO, "contrib", "mediamon.conf.example")


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


@pytest.fixture(params=["path", "abstract"])
def notify_socket(request, tmp_path, monkeypatch):
    """A stand-in for systemd's notification socket, named in
    NOTIFY_SOCKET for the daemons the test starts."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    if request.param == "path":
        name = str(tmp_path / "notify.sock")
        sock.bind(name)
    else:
        name = "@mediamon-test-%d-%d" % (os.getpid(), id(sock))
        sock.bind("\0" + name[1:])
    sock.settimeout(20)
    monkeypatch.setenv("NOTIFY_SOCKET", name)
    yield sock
    sock.close()


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


MANS = [os.path.join(REPO, "man", "mediamon.8"),
        os.path.join(REPO, "man", "mediamon.conf.5")]


def config_keys():
    """Every (section, key) of the key table (common/config_keys.def)."""
    text = open(os.path.join(REPO, "common", "config_keys.def")).read()
    keys = re.findall(r'\{ "(\w+)", "(\w+)", T_', text)
    assert len(keys) > 40
    return keys


@pytest.mark.parametrize("page", MANS)
def test_man_page_renders_without_warnings(page):
    for cmd in (["man", "-l", "--warnings=w", page],
                ["groff", "-ww", "-z", "-man", page]):
        r = subprocess.run(cmd, capture_output=True, text=True,
                           env=dict(os.environ, MANWIDTH="80"))
        assert (r.returncode, r.stderr) == (0, ""), cmd
    assert "NAME" in subprocess.run(["man", "-l", page], check=True,
                                    capture_output=True,
                                    text=True).stdout


def test_warnings_check_can_fail(tmp_path):
    bad = tmp_path / "bad.8"
    bad.write_text(".TH BAD 8\n.SH NAME\n.BOGUS x\n")
    r = subprocess.run(["man", "-l", "--warnings=w", str(bad)],
                       capture_output=True, text=True)
    assert "BOGUS" in r.stderr


def section_text(text, section, heading):
    """The part of text under [section]: from its heading to the next
    one."""
    start = text.index(heading.replace("%s", section))
    nxt = re.search(r"\n\.SH " if heading.startswith(".SH") else r"\n\[",
                    text[start + 1:])
    return text[start:start + 1 + nxt.start()] if nxt else text[start:]


def test_every_config_key_documented():
    man = open(MANS[1]).read()
    example = open(EXAMPLE).read()
    for section, key in config_keys():
        part = section_text(man, section, ".SH [%s]\n")
        assert re.search(r"^\.BI %s " % key, part, re.M), (section, key)
        part = section_text(example, section, "\n[%s]\n")
        assert re.search(r"^# %s =( |$)" % key, part, re.M), (section, key)


def test_every_mount_file_documented():
    man = open(MANS[0]).read().replace("\\-", "-")
    # the items in full, not the short list made from the table
    man = re.sub(r'\.\\" The files of the mount: .*?\.\\" End of the files '
                 r'of the mount\n', "", man, flags=re.S)
    nodes = open(os.path.join(REPO, "fs", "nodes.c")).read()
    paths = re.findall(r'\{ "(/[^"]+)", \{ NODE_(?:FILE|CONTROL)', nodes)
    assert len(paths) > 10
    for path in paths:
        assert re.search(r'^\.IR? (.* )?%s( |$)' % re.escape(path), man,
                         re.M), path


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


def test_prometheus(library, tmp_path):
    m = start(tmp_path, "music=" + str(library))
    try:
        text = m.read("metrics/prometheus").decode()
        summary = m.json("status/summary.json")
        scan = m.json("metrics/scan.json")
        watch = m.json("metrics/watch.json")
        monitor = m.json("metrics/monitor.json")
        # the name node_exporter's textfile collector reads
        prom = m.read("metrics/mediamon.prom").decode()
    finally:
        unmount(m.path, m.proc)
    got = parse_prometheus(text)
    assert set(parse_prometheus(prom)) == set(got)
    assert re.findall("^# .*", prom, re.M) == re.findall("^# .*", text,
                                                          re.M)
    expect = {
        ("mediamon_tracks", ()): summary["counts"]["tracks"],
        ("mediamon_files", ()): summary["counts"]["files"],
        ("mediamon_dry_run", ()): 1,
        ("mediamon_root_files", (("kind", "music"),
                                 ("path", str(library)))): 10,
        ("mediamon_scans_total", ()): scan["totals"]["scans"],
        ("mediamon_last_scan_files_seen", ()): 10,
        ("mediamon_last_scan_read_bytes", ()): scan["last"]["bytes_read"],
        ("mediamon_last_scan_peak_rss_bytes", ()):
            scan["last"]["peak_rss_kb"] * 1024,
        ("mediamon_last_scan_phase_seconds", (("phase", "walk"),)):
            scan["last"]["phases"]["walk_s"],
        ("mediamon_watch_watches", ()): watch["watches"],
        ("mediamon_watch_debounce_seconds", ()): 0.2,
        ("mediamon_watch_events_total", (("kind", "create"),)):
            watch["events"]["create"],
        ("mediamon_cache_hits_total", ()): monitor["cache"]["hits"],
        ("mediamon_throttle_requests_per_minute",
         (("service", "prowlarr"),)): 30,
        ("mediamon_scans_success_ratio", ()): 1,
        ("mediamon_scan_average_duration_seconds", ()):
            scan["totals"]["avg_duration_s"],
        ("mediamon_scan_read_bytes_total", ()): scan["last"]["bytes_read"],
    }
    assert summary["counts"]["tracks"] == 9
    for key, value in expect.items():
        assert got[key] == pytest.approx(value), key
    assert ("mediamon_watch_events_total", (("kind", "total"),)) not in got
    state = [k for k in got if k[0] == "mediamon_state"]
    assert len(state) == 1 and got[state[0]] == 1
    promtool(text)
    promtool(prom)


def promtool(text):
    if not shutil.which("promtool"):
        pytest.skip("promtool (Debian package prometheus) is not installed")
    r = subprocess.run(["promtool", "check", "metrics"], input=text,
                       capture_output=True, text=True)
    assert (r.returncode, r.stdout + r.stderr) == (0, ""), r.stdout + r.stderr


def test_prometheus_strange_root_name(template_library, tmp_path):
    """A root path with a quote, a backslash and a line break stays one
    well-formed label."""
    root = tmp_path / 'odd "dir" \\ name\nline'
    shutil.copytree(str(template_library), str(root))
    # -o takes a backslash as an escape
    m = start(tmp_path, "music=" + str(root).replace("\\", "\\\\"))
    try:
        text = m.read("metrics/prometheus").decode()
    finally:
        unmount(m.path, m.proc)
    got = parse_prometheus(text)
    escaped = str(root).replace("\\", "\\\\").replace('"', '\\"') \
        .replace("\n", "\\n")
    assert got[("mediamon_root_files", (("kind", "music"),
                                        ("path", escaped)))] == 10
    promtool(text)


def test_prometheus_checks_can_fail():
    """Both checkers refuse what the format forbids."""
    bad = ("# HELP mediamon_x_total x\n# TYPE mediamon_x_total counter\n"
           'mediamon_x_total{path="a"b"} 1\n')
    with pytest.raises(AssertionError):
        parse_prometheus(bad)
    with pytest.raises(AssertionError):
        promtool(bad)


DASHBOARD = os.path.join(REPO, "contrib", "grafana-dashboard.json")
# What the dashboard shows, by a metric each (issue 26): scan rate,
# no-change rescan time, watch latency, missing volumes, broken links,
# repairs, request budgets, and the totals.
DASHBOARD_TOPICS = {
    "mediamon_last_scan_files_per_second",
    "mediamon_last_scan_duration_seconds",
    "mediamon_last_scan_files_changed",
    "mediamon_watch_latency_p95_seconds", "mediamon_missing_volumes",
    "mediamon_broken_links", "mediamon_repairs_ok",
    "mediamon_throttle_requests_per_minute",
    "mediamon_throttle_requests_total", "mediamon_scans_success_ratio",
    "mediamon_scan_average_duration_seconds",
    "mediamon_scan_read_bytes_total",
}


def dashboard_queries(doc):
    """Every query of a Grafana dashboard, rows' panels included."""
    exprs = []
    panels = list(doc["panels"])
    while panels:
        p = panels.pop(0)
        panels += p.get("panels", [])
        if p["type"] == "row":
            continue
        assert p["targets"], p["title"]
        for target in p["targets"]:
            exprs.append(target["expr"])
    return exprs


def unknown_metrics(exprs, exported):
    names = set(re.findall(r"\bmediamon_[a-z0-9_]+", " ".join(exprs)))
    return names - exported, names


def test_grafana_dashboard(library, tmp_path):
    """contrib/grafana-dashboard.json is JSON that Grafana imports, each
    query is PromQL that promtool reads, and names only metrics the
    daemon exports."""
    with open(DASHBOARD) as f:
        doc = json.load(f)
    assert doc["title"] == "mediamon" and doc["schemaVersion"] >= 30
    assert [i["pluginId"] for i in doc["__inputs"]] == ["prometheus"]
    exprs = dashboard_queries(doc)
    assert len(exprs) >= 20
    m = start(tmp_path, "music=" + str(library))
    try:
        prom = m.read("metrics/mediamon.prom").decode()
    finally:
        unmount(m.path, m.proc)
    exported = set(re.findall(r"^# TYPE (\S+) ", prom, re.M))
    unknown, used = unknown_metrics(exprs, exported)
    assert unknown == set()
    assert DASHBOARD_TOPICS <= used, DASHBOARD_TOPICS - used
    # each query, as a recording rule, through promtool's PromQL parser
    if not shutil.which("promtool"):
        pytest.skip("promtool (Debian package prometheus) is not installed")
    rules = tmp_path / "rules.yml"
    rules.write_text(json.dumps({"groups": [{"name": "dashboard", "rules": [
        {"record": "dashboard:query_%d" % i, "expr": e}
        for i, e in enumerate(exprs)]}]}))
    r = subprocess.run(["promtool", "check", "rules", str(rules)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_grafana_checks_can_fail(tmp_path):
    """A metric the daemon does not export, and a query promtool cannot
    read, are both seen."""
    unknown, _ = unknown_metrics(["rate(mediamon_nope_total[5m])"],
                                 {"mediamon_files"})
    assert unknown == {"mediamon_nope_total"}
    if not shutil.which("promtool"):
        pytest.skip("promtool is not installed")
    rules = tmp_path / "rules.yml"
    rules.write_text(json.dumps({"groups": [{"name": "d", "rules": [
        {"record": "d:q", "expr": "rate(mediamon_files[5m]"}]}]}))
    r = subprocess.run(["promtool", "check", "rules", str(rules)],
                       capture_output=True, text=True)
    assert r.returncode != 0


def log_lines(m):
    return m.read("log").decode().splitlines()


def test_log_level_control(library, tmp_path):
    m = start(tmp_path, "music=" + str(library))
    try:
        assert m.read("control/log-level").decode().split("\n")[0] == \
            "info"
        assert m.write("control/log-level", "debug\n") == 6
        assert m.read("control/log-level").decode().startswith("debug\n")
        assert any(re.match(r"\S+ debug: log level now debug$", line)
                   for line in log_lines(m))
        m.write("control/log-level", "error")
        assert m.read("control/log-level").decode().startswith("error\n")
        scan = m.rescan()
        started = "scan %d started" % scan["id"]
        assert not any(started in line for line in log_lines(m))
        m.write("control/log-level", "info")
        scan = m.rescan()
        started = "scan %d started" % scan["id"]
        assert any(started in line for line in log_lines(m))
        for bad in ["verbose", "\n", "DEBUGGING", "debug\ninfo", "info\0",
                    "warning", "in fo"]:
            with pytest.raises(OSError) as e:
                m.write("control/log-level", bad)
            assert e.value.errno == errno.EINVAL, bad
            assert m.read("control/log-level").decode().startswith(
                "info\n")
    finally:
        unmount(m.path, m.proc)


def counters(m):
    """The counters since the start that /control/reset-metrics zeroes."""
    watch = m.json("metrics/watch.json")
    analysis = m.json("metrics/analysis.json")
    fuse = m.json("metrics/fuse.json")
    return {"watch events": watch["events"]["total"],
            "watch batches": watch["batches"],
            "watch latency samples": watch["latency_ms"]["samples"],
            "analysis done": analysis["done"],
            "fuse requests": fuse["requests"]}


def test_reset_metrics(library, tmp_path):
    m = start(tmp_path, "music=" + str(library))
    try:
        assert m.read("control/reset-metrics").decode().startswith(
            "counting since ")
        assert "(the start)" in m.read("control/reset-metrics").decode()
        # watch events and a scan of them; the analysis of the tracks
        # (one second each: each one is too short, and counts)
        (library / "Beta" / "Third" / "new.txt").write_text("x\n")
        wait_for(lambda: counters(m)["watch latency samples"] > 0, 30,
                 "the watcher's scan of a new file", mount=m)
        wait_for(lambda: m.json("metrics/analysis.json")["queued"] == 0 and
                 counters(m)["analysis done"] == 9, 60,
                 "the analysis of the nine tracks", mount=m)
        before = counters(m)
        assert all(before.values()), before
        scans = m.json("metrics/scan.json")["totals"]["scans"]
        csv_rows = m.read("metrics/scan.csv").decode().count("\n")
        for bad in ["0", "2", "yes", "\n", "1\n1", "1 1", "1\0"]:
            with pytest.raises(OSError) as e:
                m.write("control/reset-metrics", bad)
            assert e.value.errno == errno.EINVAL, bad
        # nothing changed on bad input
        after_bad = counters(m)
        assert all(after_bad[k] >= before[k] for k in before), after_bad
        assert m.write("control/reset-metrics", "1\n") == 2
        now = counters(m)
        for key in ("watch events", "watch batches",
                    "watch latency samples", "analysis done"):
            assert now[key] == 0, key
        # the requests of the reads since the reset alone
        assert now["fuse requests"] < after_bad["fuse requests"]
        assert m.json("metrics/watch.json")["latency_ms"]["p50"] is None
        text = m.read("control/reset-metrics").decode()
        assert "(the last reset)" in text
        assert any("metrics: the counters since the start set to zero" in
                   line for line in log_lines(m))
        # the history in the store stays
        assert m.json("metrics/scan.json")["totals"]["scans"] == scans
        assert m.read("metrics/scan.csv").decode().count("\n") == csv_rows
        assert m.json("metrics/analysis.json")["too_short"] == 9
        # and the counters count again
        (library / "Beta" / "Third" / "more.txt").write_text("y\n")
        wait_for(lambda: counters(m)["watch events"] > 0, 30,
                 "an inotify event after the reset", mount=m)
    finally:
        unmount(m.path, m.proc)


@pytest.mark.parametrize("var", ["INVOCATION_ID", "JOURNAL_STREAM"])
def test_journal_priority_prefixes(var, library, tmp_path, monkeypatch):
    """Run by systemd, stderr lines carry the journal's priority and no
    time stamp (the journal has its own)."""
    monkeypatch.setenv(var, "8:1234" if var == "JOURNAL_STREAM"
                       else "0123456789abcdef0123456789abcdef")
    # a notification socket nobody listens on gives an error line
    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "nobody"))
    m = start(tmp_path, "music=" + str(library))
    unmount(m.path, m.proc)
    lines = (tmp_path / "mediamon.log").read_text().splitlines()
    assert lines and all(re.match(r"<[3467]>(debug|info|warn|error): ",
                                  line) for line in lines), lines
    assert any(line.startswith("<6>info: scan 1 started") for line in lines)
    assert any(line.startswith("<3>error: notify: ") for line in lines)


def test_plain_stderr_outside_systemd(library, tmp_path, monkeypatch):
    for var in ("INVOCATION_ID", "JOURNAL_STREAM"):
        monkeypatch.delenv(var, raising=False)
    m = start(tmp_path, "music=" + str(library))
    unmount(m.path, m.proc)
    lines = (tmp_path / "mediamon.log").read_text().splitlines()
    assert lines and all(re.match(r"\d{4}-\d\d-\d\dT\S+Z (debug|info|"
                                  r"warn|error): ", line) for line in lines)


SYSLOG_SCRIPT = """set -e
# A /dev of our own in this mount namespace, whose log socket is the
# test's listener.
mkdir -p "$T/dev"
mount -t tmpfs tmpfs "$T/dev"
for d in fuse null zero urandom; do
    touch "$T/dev/$d"
    mount --bind "/dev/$d" "$T/dev/$d"
done
touch "$T/dev/log"
mount --bind "$SOCK" "$T/dev/log"
mount --rbind "$T/dev" /dev
"$BINARY" -o "music=$LIB" -o "db=$T/db/m.db" "$MNT"
cat "$MNT/status/summary.json" > /dev/null
fusermount3 -u "$MNT"
for i in $(seq 300); do
    pgrep -f -- "$MNT" >/dev/null || exit 0
    sleep 0.1
done
exit 1
"""


def test_syslog_when_daemonized(library, tmp_path):
    if os.geteuid() != 0:
        pytest.skip("a private /dev needs root")
    sock_path = tmp_path / "log.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(sock_path))
    sock.settimeout(0.5)
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    env = dict(os.environ, T=str(tmp_path), SOCK=str(sock_path),
               BINARY=conftest.BINARY, LIB=str(library), MNT=str(mnt))
    for var in ("INVOCATION_ID", "JOURNAL_STREAM"):
        env.pop(var, None)
    r = subprocess.run(["unshare", "-m", "--propagation", "private", "sh",
                        "-c", SYSLOG_SCRIPT], env=env, capture_output=True,
                       text=True, timeout=60)
    got = []

    def drained():
        """Whether nothing came for the socket's timeout."""
        try:
            got.append(sock.recv(4096).decode())
        except socket.timeout:
            return True
        return False
    wait_for(drained, 30, "end of the daemon's syslog datagrams",
             interval=0)
    sock.close()
    assert r.returncode == 0, r.stderr
    # <30> is facility daemon (3 * 8) and priority info (6)
    assert any(re.match(r"<30>.*mediamon\[\d+\]: info: scan 1 started",
                        m) for m in got), got
    assert "scan 1 started" not in r.stderr


def write_conf(path, roots, extra=""):
    path.write_text("[general]\nwatch_debounce = 60s\n" + extra +
                    "".join("[%s]\nroot = %s\n" % (k, r) for k, r in roots))


def root_files(m):
    return {r["path"]: r["files"]
            for r in m.json("status/summary.json")["roots"]}


@pytest.fixture
def reloadable(library, template_library, tmp_path):
    """A daemon on a config file with one music root, and a second
    library to add."""
    second = tmp_path / "second"
    shutil.copytree(str(template_library / "Beta"), str(second))
    conf = tmp_path / "mediamon.conf"
    write_conf(conf, [("music", library)])
    m = start(tmp_path, "config=" + str(conf))
    yield m, conf, library, second
    unmount(m.path, m.proc)


def test_sighup_adds_and_removes_roots(reloadable):
    m, conf, library, second = reloadable
    assert root_files(m) == {str(library): 10}
    write_conf(conf, [("music", library), ("music", second)])
    m.proc.send_signal(signal.SIGHUP)

    wait_for(lambda: root_files(m), 30, "both roots scanned",
             until=lambda roots: roots == {str(library): 10, str(second): 4},
             mount=m)
    assert m.json("status/summary.json")["counts"]["tracks"] == 12
    assert any("reload: done, 2 music and 0 manga roots" in line
               for line in log_lines(m))

    write_conf(conf, [("music", second)])
    m.proc.send_signal(signal.SIGHUP)

    wait_for(lambda: root_files(m), 30, "the first root gone",
             until=lambda roots: roots == {str(second): 4}, mount=m)
    m.wait_idle()
    assert m.json("status/summary.json")["counts"]["tracks"] == 3
    assert sorted(os.listdir(m.file("library/music/artists"))) == ["Beta"]
    assert m.proc.poll() is None


def test_reloads_while_the_mount_is_busy(reloadable):
    """Reads of health and rescan writes go on through reloads that
    replace the roots: each is served, or refused with EAGAIN while the
    indexer restarts, and the daemon lives on."""
    m, conf, library, second = reloadable
    stop = threading.Event()
    errors = []

    def busy():
        while not stop.is_set():
            try:
                m.read("status/health")
                m.write("control/rescan", str(library) + "\n")
            except OSError as e:
                if e.errno != errno.EAGAIN:
                    errors.append(e)
    threads = [threading.Thread(target=busy, daemon=True)
               for _ in range(4)]
    for t in threads:
        t.start()
    try:
        for i in range(10):
            roots = [("music", library)] + ([("music", second)] if i % 2
                                            else [])
            write_conf(conf, roots)
            m.proc.send_signal(signal.SIGHUP)
            time.sleep(0.3)
    finally:
        stop.set()
    wait_for(lambda: [t.name for t in threads if t.is_alive()], 30,
             "end of the busy threads", until=lambda alive: not alive,
             interval=0.1)
    assert errors == []
    assert m.proc.poll() is None
    m.wait_idle()


@pytest.mark.parametrize("bad", [
    "[music]\nroot = %(lib)s\nbogus = 1\n",
    "[general]\nthreads = many\n[music]\nroot = %(lib)s\n",
    "[music]\nroot = %(lib)s/no-such-folder\n",
    None,	# the file is gone
])
def test_sighup_refuses_bad_config(bad, reloadable, tmp_path):
    m, conf, library, second = reloadable
    before = m.json("status/summary.json")["roots"]
    if bad is None:
        conf.unlink()
    else:
        conf.write_text(bad % {"lib": library, "tmp": tmp_path})
    m.proc.send_signal(signal.SIGHUP)

    line = wait_for(lambda: [line for line in log_lines(m)
                             if "keeping the configuration in use" in line],
                    30, "the refusal in the log", mount=m)[0]
    assert " error: reload: " in line
    if bad is None or "bogus" in bad:
        assert str(conf) in line
    # still serving, with the same roots, and still scanning
    assert m.proc.poll() is None
    assert m.json("status/summary.json")["roots"] == before
    assert m.rescan()["files_seen"] == 10
    # health says so, as what runs is not what the file says, until a
    # reload works
    why = line.split(" error: reload: ", 1)[1].split(
        "; keeping the configuration in use")[0]
    assert m.read("status/health").decode() == (
        "error: reload refused: %s; the configuration from before is in"
        " use\n" % why)
    write_conf(conf, [("music", library)])
    m.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: m.read("status/health") == b"ok\n", 30,
             "health ok after a good reload", mount=m)


def test_sighup_notifies_reloading(notify_socket, reloadable):
    m, conf, library, second = reloadable
    receive_until(notify_socket, "READY")
    m.proc.send_signal(signal.SIGHUP)
    got = receive_until(notify_socket, "RELOADING")
    assert got[-1]["RELOADING"] == "1"
    assert receive_until(notify_socket, "READY")[-1]["READY"] == "1"


def test_sighup_refuses_another_database(library, tmp_path):
    """The database comes from the file here (start() would give -o db=,
    which wins over any file)."""
    conf = tmp_path / "mediamon.conf"
    conf.write_text("[general]\ndatabase = %s/a.db\n[music]\nroot = %s\n"
                    % (tmp_path, library))
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    log = open(str(tmp_path / "mediamon.log"), "ab")
    proc = subprocess.Popen([conftest.BINARY, "-f", "-o", "config=" +
                             str(conf), str(mnt)], stdout=log,
                            stderr=subprocess.STDOUT)
    m = conftest.Mount(str(mnt), proc, str(tmp_path / "a.db"))
    try:
        wait_for(lambda: is_mounted(mnt), 30, "the mount", mount=m)
        m.wait_idle()
        conf.write_text(conf.read_text().replace("a.db", "b.db"))
        proc.send_signal(signal.SIGHUP)

        refused = wait_for(lambda: [
            line for line in log_lines(m)
            if "keeping the configuration in use" in line], 30,
            "the refusal in the log", mount=m)
        assert "the database cannot change" in refused[0]
        assert m.rescan()["files_seen"] == 10
        assert not os.path.exists(str(tmp_path / "b.db"))
    finally:
        unmount(m.path, proc)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_stop_signals_unmount(sig, library, tmp_path):
    m = start(tmp_path, "music=" + str(library))
    try:
        m.proc.send_signal(sig)
        assert m.proc.wait(timeout=15) == 0
        assert not is_mounted(m.path)
    finally:
        unmount(m.path, m.proc)
    assert "unmounting" in (tmp_path / "mediamon.log").read_text()


SECRETS = {"prowlarr": ("api_key", "PROWLARRSECRET1"),
           "download": ("password", "DOWNLOADSECRET2"),
           "realdebrid": ("api_token", "RDSECRET3"),
           "sonarr": ("api_key", "SONARRSECRET4"),
           "radarr": ("api_key", "RADARRSECRET5"),
           "notify": ("discord_webhook",
                      "https://discord.com/api/webhooks/1/HOOKSECRET6")}


def check_config(*options, env=None):
    args = [conftest.BINARY, "--check-config"]
    for o in options:
        args += ["-o", o]
    return subprocess.run(args, capture_output=True, text=True, env=env)


def test_check_config_masks_secrets(library, tmp_path):
    conf = tmp_path / "mediamon.conf"
    conf.write_text("[general]\nthreads = 3\nlog_level = warn\n" +
                    "".join("[%s]\n%s = %s\n" % (s, k, v)
                            for s, (k, v) in SECRETS.items()))
    conf.chmod(0o600)
    r = check_config("config=" + str(conf), "music=" + str(library),
                     "db=" + str(tmp_path / "x.db"))
    assert (r.returncode, r.stderr) == (0, "")
    for section, (key, value) in SECRETS.items():
        assert value not in r.stdout
        assert "HOOKSECRET" not in r.stdout
        part = section_text(r.stdout, section, "[%s]\n")
        assert "\n%s = ********\n" % key in part, section
    assert "\nthreads = 3\n" in r.stdout
    assert "\nlog_level = warn\n" in r.stdout
    assert "\n[music]\nroot = %s\n" % library in r.stdout
    assert "\ndatabase = %s\n" % (tmp_path / "x.db") in r.stdout
    assert "\nauto_check_interval = 1h\n" in r.stdout   # a default
    # nothing was created or mounted
    assert not os.path.exists(str(tmp_path / "x.db"))


def test_check_config_output_reads_back(library, tmp_path):
    conf = tmp_path / "mediamon.conf"
    write_conf(conf, [("music", library)], "dry_run = no\n")
    first = check_config("config=" + str(conf))
    assert first.returncode == 0, first.stderr
    again = tmp_path / "again.conf"
    again.write_text(first.stdout)
    second = check_config("config=" + str(again))
    assert (second.returncode, second.stdout) == (0, first.stdout)


def test_check_config_example_with_a_root(library):
    """The example file, all comments, is valid once a root is given."""
    r = check_config("config=" + EXAMPLE, "music=" + str(library))
    assert (r.returncode, r.stderr) == (0, "")


@pytest.mark.parametrize("text, where", [
    ("[music]\nroot = /no/such/dir\n", ":2: music root"),
    ("[prowlarr]\nurl = localhost\n", ":2: bad value 'localhost'"),
    ("[notify]\ndiscord_webhook = not-a-url-HOOKSECRET6\n",
     ":2: bad value for discord_webhook"),
    ("[bogus]\n", ":1: unknown section"),
    ("[manga]\nmonitor = some\n", ":2: bad value 'some'"),
    (None, ": No such file or directory"),
])
def test_check_config_refuses(text, where, tmp_path, library):
    conf = tmp_path / "mediamon.conf"
    if text is not None:
        conf.write_text(text)
    r = check_config("config=" + str(conf), "music=" + str(library))
    assert r.returncode == 1
    assert r.stdout == ""
    assert r.stderr.startswith("mediamon: %s%s" % (conf, where)), r.stderr
    assert "HOOKSECRET" not in r.stderr


def test_check_config_refuses_a_monitored_root_that_is_no_root(tmp_path,
                                                             library):
    """[manga] monitored_root names one of the manga roots: another
    folder (here the music root) is refused with the reason."""
    conf = tmp_path / "mediamon.conf"
    conf.write_text("[manga]\nroot = %s\nmonitored_root = %s\n"
                    % (tmp_path, library))
    r = check_config("config=" + str(conf), "music=" + str(library))
    assert r.returncode == 1 and r.stdout == "", r
    assert "monitored_root '%s' in [manga] is none of its roots" % \
        os.path.realpath(str(library)) in r.stderr, r.stderr


def test_check_config_needs_a_root(tmp_path):
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path))
    r = check_config(env=env)
    if os.path.exists("/etc/mediamon/mediamon.conf"):
        pytest.skip("this machine has a system configuration")
    assert r.returncode == 1
    assert "no music or manga root" in r.stderr


# Every metric of the Prometheus file and the document field it mirrors
# (issue 34): name -> (document, path, labels, scale, skip, trim). A path
# step "*" takes every member of an object, its key the next label's
# value ("trim" cut off it, "skip" left out); "#" takes every element of
# an array, whose members named by the labels are the labels; a string
# is the last label's value, with 1 as the sample.
PROM_DOCS = {"summary": "status/summary.json", "scan": "metrics/scan.json",
             "watch": "metrics/watch.json", "monitor": "metrics/monitor.json",
             "repair": "metrics/repair.json",
             "analysis": "metrics/analysis.json", "fuse": "metrics/fuse.json",
             "requests": "metrics/requests.json"}


def S(doc, path, *labels, scale=1, skip=None, trim=None):
    return (doc, path, labels, scale, skip, trim)


PROM_SOURCES = {
    "mediamon_uptime_seconds": S("summary", "uptime_s"),
    "mediamon_state": S("summary", "state", "state"),
    "mediamon_dry_run": S("summary", "dry_run"),
    "mediamon_scan_pending": S("summary", "scan_pending"),
    "mediamon_tracks": S("summary", "counts.tracks"),
    "mediamon_albums": S("summary", "counts.albums"),
    "mediamon_artists": S("summary", "counts.artists"),
    "mediamon_files": S("summary", "counts.files"),
    "mediamon_series": S("summary", "counts.series"),
    "mediamon_volumes": S("summary", "counts.volumes"),
    "mediamon_missing_volumes": S("summary", "counts.missing"),
    "mediamon_broken_links": S("summary", "counts.broken_links"),
    "mediamon_root_files": S("summary", "roots.#.files", "kind", "path"),
    "mediamon_scan_progress_files": S("summary", "scan_progress.done"),
    "mediamon_scan_progress_estimate_files":
        S("summary", "scan_progress.total_estimate"),
    "mediamon_scans_total": S("scan", "totals.scans"),
    "mediamon_scans_succeeded_total": S("scan", "totals.succeeded"),
    "mediamon_scans_failed_total": S("scan", "totals.failed"),
    "mediamon_scan_files_indexed_total": S("scan", "totals.files_indexed"),
    "mediamon_scan_average_files_per_second":
        S("scan", "totals.avg_files_per_s"),
    "mediamon_scans_success_ratio":
        S("scan", "totals.success_rate_pct", scale=0.01),
    "mediamon_scan_average_duration_seconds":
        S("scan", "totals.avg_duration_s"),
    "mediamon_scan_read_bytes_total": S("scan", "totals.bytes_read"),
    "mediamon_last_scan_id": S("scan", "last.id"),
    "mediamon_last_scan_success": S("scan", "last.success"),
    "mediamon_last_scan_started_timestamp_seconds":
        S("scan", "last.started_at_s"),
    "mediamon_last_scan_finished_timestamp_seconds":
        S("scan", "last.finished_at_s"),
    "mediamon_last_scan_duration_seconds": S("scan", "last.duration_s"),
    "mediamon_last_scan_files_seen": S("scan", "last.files_seen"),
    "mediamon_last_scan_files_new": S("scan", "last.files_new"),
    "mediamon_last_scan_files_changed": S("scan", "last.files_changed"),
    "mediamon_last_scan_files_unchanged": S("scan", "last.files_unchanged"),
    "mediamon_last_scan_files_deleted": S("scan", "last.files_deleted"),
    "mediamon_last_scan_tag_errors": S("scan", "last.tag_errors"),
    "mediamon_last_scan_io_errors": S("scan", "last.io_errors"),
    "mediamon_last_scan_read_bytes": S("scan", "last.bytes_read"),
    "mediamon_last_scan_files_per_second": S("scan", "last.files_per_s"),
    "mediamon_last_scan_read_bytes_per_second":
        S("scan", "last.mb_per_s", scale=1e6),
    "mediamon_last_scan_phase_seconds":
        S("scan", "last.phases.*", "phase", trim="_s"),
    "mediamon_last_scan_peak_rss_bytes":
        S("scan", "last.peak_rss_kb", scale=1024),
    "mediamon_last_scan_cpu_seconds": S("scan", "last.cpu_s"),
    "mediamon_last_scan_cpu_share": S("scan", "last.cpu_share_pct"),
    "mediamon_running_scan_id": S("scan", "running.id"),
    "mediamon_running_scan_duration_seconds":
        S("scan", "running.duration_s"),
    "mediamon_running_scan_files_seen": S("scan", "running.files_seen"),
    "mediamon_watch_enabled": S("watch", "enabled"),
    "mediamon_watch_watches": S("watch", "watches"),
    "mediamon_watch_polled_dirs": S("watch", "polled_dirs"),
    "mediamon_watch_debounce_seconds":
        S("watch", "debounce_ms", scale=1e-3),
    "mediamon_watch_poll_interval_seconds": S("watch", "poll_interval_s"),
    "mediamon_watch_overflows_total": S("watch", "overflows"),
    "mediamon_watch_storms_total": S("watch", "storms"),
    "mediamon_watch_events_total":
        S("watch", "events.*", "kind", skip="total"),
    "mediamon_watch_batches_total": S("watch", "batches"),
    "mediamon_watch_paths_submitted_total": S("watch", "paths_submitted"),
    "mediamon_watch_latency_samples_total": S("watch", "latency_ms.samples"),
    "mediamon_watch_latency_p50_seconds":
        S("watch", "latency_ms.p50", scale=1e-3),
    "mediamon_watch_latency_p95_seconds":
        S("watch", "latency_ms.p95", scale=1e-3),
    "mediamon_watch_latency_max_seconds":
        S("watch", "latency_ms.max", scale=1e-3),
    "mediamon_cache_entries": S("monitor", "cache.total_entries"),
    "mediamon_cache_size_bytes": S("monitor", "cache.cache_size_bytes"),
    "mediamon_cache_hits_total": S("monitor", "cache.hits"),
    "mediamon_cache_misses_total": S("monitor", "cache.misses"),
    "mediamon_throttle_requests_per_minute":
        S("requests", "*.requests_per_minute", "service"),
    "mediamon_throttle_min_interval_seconds":
        S("requests", "*.min_interval_seconds", "service"),
    "mediamon_throttle_requests_total":
        S("requests", "*.requests", "service"),
    "mediamon_throttle_waits_total":
        S("requests", "*.waits", "service"),
    "mediamon_throttle_http_429_total":
        S("requests", "*.http_429", "service"),
    "mediamon_throttle_failures_total":
        S("requests", "*.failures", "service"),
    "mediamon_throttle_window_requests":
        S("requests", "*.window.requests", "service"),
    "mediamon_throttle_window_reset_timestamp_seconds":
        S("requests", "*.window.resets_at_s", "service"),
    "mediamon_throttle_backoff_seconds":
        S("requests", "*.backoff_seconds", "service"),
    "mediamon_throttle_paused_until_timestamp_seconds":
        S("requests", "*.paused_until_s", "service"),
    "mediamon_throttle_last_refusal_status":
        S("requests", "*.last_refusal.status", "service"),
    "mediamon_throttle_last_refusal_timestamp_seconds":
        S("requests", "*.last_refusal.at_s", "service"),
    "mediamon_check_running": S("monitor", "running.*", "check"),
    "mediamon_check_started_timestamp_seconds":
        S("monitor", "last_check.*.started_at_s", "check"),
    "mediamon_check_finished_timestamp_seconds":
        S("monitor", "last_check.*.finished_at_s", "check"),
    "mediamon_check_series": S("monitor", "last_check.*.series", "check"),
    "mediamon_check_wanted_volumes":
        S("monitor", "last_check.*.wanted", "check"),
    "mediamon_check_found_volumes":
        S("monitor", "last_check.*.found", "check"),
    "mediamon_check_requests":
        S("monitor", "last_check.*.requests.*", "check", "source"),
    "mediamon_check_cache_hits":
        S("monitor", "last_check.*.cache_hits", "check"),
    "mediamon_check_downloads":
        S("monitor", "last_check.*.downloads", "check"),
    "mediamon_check_errors": S("monitor", "last_check.*.errors", "check"),
    "mediamon_repair_requests":
        S("repair", "requests_by_endpoint.*", "endpoint"),
    "mediamon_repair_rate_limited": S("repair", "rate_limited"),
    "mediamon_repairs_ok": S("repair", "repairs_ok"),
    "mediamon_repairs_failed": S("repair", "repairs_failed"),
    "mediamon_repair_permanent_failures":
        S("repair", "permanent_failures"),
    "mediamon_repair_links_deleted": S("repair", "links_deleted"),
    "mediamon_repair_rescans": S("repair", "rescans"),
    "mediamon_repair_old_torrents_to_delete":
        S("repair", "old_torrents_to_delete"),
    "mediamon_repair_old_torrent_delete_failures":
        S("repair", "old_torrent_delete_failures"),
    "mediamon_repair_passes": S("repair", "passes"),
    "mediamon_repair_last_pass_duration_seconds":
        S("repair", "last_pass_duration_s"),
    "mediamon_analysis_enabled": S("analysis", "enabled"),
    "mediamon_analysis_paused": S("analysis", "paused"),
    "mediamon_analysis_threads": S("analysis", "threads"),
    "mediamon_analysis_busy_tracks": S("analysis", "busy"),
    "mediamon_analysis_analysed_tracks": S("analysis", "analysed"),
    "mediamon_analysis_queued_tracks": S("analysis", "queued"),
    "mediamon_analysis_failed_tracks": S("analysis", "failed"),
    "mediamon_analysis_too_short_tracks": S("analysis", "too_short"),
    "mediamon_analysis_done_total": S("analysis", "done"),
    "mediamon_analysis_audio_seconds_total": S("analysis", "audio_s"),
    "mediamon_analysis_cpu_seconds_total": S("analysis", "cpu_s"),
    "mediamon_analysis_tracks_per_second":
        S("analysis", "tracks_per_second"),
    "mediamon_analysis_audio_seconds_per_cpu_second":
        S("analysis", "audio_seconds_per_cpu_second"),
    "mediamon_fuse_max_threads": S("fuse", "max_threads"),
    "mediamon_fuse_max_idle_threads": S("fuse", "max_idle_threads"),
    "mediamon_fuse_requests_total": S("fuse", "requests"),
    "mediamon_fuse_requests_in_flight": S("fuse", "requests_in_flight"),
    "mediamon_fuse_views_stats_ahead_total": S("fuse", "views_stats_ahead"),
    "mediamon_fuse_stat_renders_total": S("fuse", "stat_renders"),
    "mediamon_fuse_times_unsaved": S("fuse", "times_unsaved"),
}


def test_prometheus_table_sources():
    """The metrics' table (fs/prometheus_metrics.def) names the same
    metrics, in the same JSON files, as PROM_SOURCES."""
    rows = table_metrics(open(os.path.join(
        REPO, "fs", "prometheus_metrics.def")).read())
    assert sorted(r[0] for r in rows) == sorted(PROM_SOURCES)
    for name, _, _, source in rows:
        assert source.split(" ")[0] == \
            "/" + PROM_DOCS[PROM_SOURCES[name][0]], name


def prom_escape(value):
    return value.replace("\\", "\\\\").replace('"', '\\"') \
        .replace("\n", "\\n")


def prom_expected(name, source, docs):
    """The samples {(name, labels): value} the documents docs give the
    metric name, by its row of PROM_SOURCES."""
    doc, path, labels, scale, skip, trim = source
    out = {}

    def walk(node, steps, values):
        if not steps:
            if isinstance(node, str) and len(values) < len(labels):
                values = values + [node]
                node = 1
            elif isinstance(node, bool):
                node = int(node)
            elif not isinstance(node, (int, float)):
                return
            key = tuple((labels[i], prom_escape(v))
                        for i, v in enumerate(values))
            out[(name, key)] = node * scale
        elif steps[0] == "*":
            for key, child in (node or {}).items():
                if key != skip:
                    if trim and key.endswith(trim) and len(key) > len(trim):
                        key = key[:-len(trim)]
                    walk(child, steps[1:], values + [key])
        elif steps[0] == "#":
            for child in node or []:
                walk(child, steps[1:], [child.get(label) or ""
                                        for label in labels])
        elif isinstance(node, dict):
            walk(node.get(steps[0]), steps[1:], values)

    walk(docs[doc], path.split("."), [])
    return out


def insert_row(db, table, **values):
    """A row of table with values, its other NOT NULL columns without a
    default given 1: enough for the counts the metrics take."""
    for _, column, _, notnull, default, pk in db.execute(
            "PRAGMA table_info(%s)" % table):
        if notnull and default is None and not pk and column not in values:
            values[column] = 1
    db.execute("INSERT INTO %s (%s) VALUES (%s)" % (
        table, ", ".join(values), ", ".join("?" * len(values))),
        list(values.values()))


def fill_store(path, root):
    """A store with rows behind every metric the library's scan leaves at
    zero: a failed scan, checks of both kinds, Real-Debrid attempts,
    repairs, failures, deletions and passes, manga series."""
    db = sqlite3.connect(path)
    with db:
        conftest.add_scan(db, 1700000000.5, 12.25, files_seen=7,
                          bytes_read=12345, success=0)
        for kind, n in (("missing", 3), ("new", 5)):
            insert_row(db, "checks", kind=kind, trigger="control",
                       started_at=1700000100.25 + n,
                       finished_at=1700000200.5 + n, series=n,
                       wanted=n + 1, found=n - 1, catalog=n + 2,
                       prowlarr=n + 3, nautiljon=n + 4, cache_hits=n + 5,
                       sent=n + 6, errors=n - 2)
        for i, (endpoint, status) in enumerate((
                ("addMagnet", 200), ("addMagnet", 429), ("delete", 204),
                ("torrents", 200))):
            insert_row(db, "rd_attempts", endpoint=endpoint,
                       http_status=status, at=1700000300 + i)
        for i, state in enumerate(("repaired", "repaired", "failed")):
            insert_row(db, "rd_repairs", torrent_id="t%d" % i, state=state)
        insert_row(db, "rd_failures", torrent_id="t2", links_deleted=4,
                   rescans=2)
        insert_row(db, "rd_deletes", torrent_id="old", since=1700000000,
                   failures=3)
        insert_row(db, "rd_passes", kind="repair", trigger="control",
                   started_at=1700000400, finished_at=1700000402.75,
                   duration_s=2.75)
    db.close()


def test_prometheus_every_metric(library, tmp_path):
    """Every metric of the Prometheus file has its source in
    PROM_SOURCES, every source its metric, and each sample the value of
    the field it mirrors, on a store where each is set. Live counters
    may move between the reads: a sample lies between the value read
    before and the one read after."""
    m = start(tmp_path, "music=" + str(library))
    unmount(m.path, m.proc)
    fill_store(m.db, library)
    # a limit of idle threads, which has no sample by default
    m = start(tmp_path, "music=" + str(library), "max_idle_threads=4")
    try:
        # a change the watcher sees and times, a track analysed anew
        track = next(p for p in library.rglob("*") if p.is_file())
        with open(str(track), "ab"):
            pass
        os.utime(str(track), (1600000000, 1600000000))
        wait_for(lambda: m.json("metrics/watch.json"), 30,
                 "the change timed", mount=m,
                 until=lambda w: w["latency_ms"]["samples"])
        m.wait_quiet()
        wait_for(lambda: m.json("metrics/analysis.json"), 90,
                 "analysis done", mount=m, until=lambda a:
                 a["queued"] == 0 and a["busy"] == 0 and a["done"])
        before = {d: m.json(rel) for d, rel in PROM_DOCS.items()}
        text = m.read("metrics/prometheus").decode()
        after = {d: m.json(rel) for d, rel in PROM_DOCS.items()}
    finally:
        unmount(m.path, m.proc)
    (tmp_path / "prometheus.txt").write_text(text)
    got = parse_prometheus(text)
    names = re.findall(r"^# HELP (\S+)", text, re.M)
    assert sorted(names) == sorted(PROM_SOURCES)
    low, high = {}, {}
    for name, source in PROM_SOURCES.items():
        low.update(prom_expected(name, source, before))
        high.update(prom_expected(name, source, after))
    # a sample the documents had before and after is in the file; one the
    # file shows was in one of them (a rate over a recent window may
    # start or end between the reads)
    assert set(low) & set(high) <= set(got) <= set(low) | set(high)
    low, high = {**high, **low}, {**low, **high}
    # what the mount does at the instant of a read: any reading of its
    # range, not one between two others
    instant = {"mediamon_fuse_requests_in_flight":
               (1, got[("mediamon_fuse_max_threads", ())])}
    for key, value in got.items():
        a, b = instant.get(key[0]) or sorted((low[key], high[key]))
        assert a - 1e-9 <= value <= b + 1e-9 or \
            value == pytest.approx(a), (key, value, a, b)
    # every family that has a source row set above has a sample; a
    # phase that took less than the clock's step is a sample of 0
    assert any(k[0] == "mediamon_last_scan_phase_seconds" for k in got)
    for name in ("mediamon_check_requests", "mediamon_repair_requests",
                 "mediamon_repair_last_pass_duration_seconds",
                 "mediamon_scans_failed_total", "mediamon_root_files",
                 "mediamon_watch_latency_max_seconds",
                 "mediamon_analysis_tracks_per_second",
                 "mediamon_fuse_max_idle_threads"):
        assert any(k[0] == name and v for k, v in got.items()), name
