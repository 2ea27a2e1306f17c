# SPDX-License-Identifier: GPL-3.0-or-later
"""Notifications from a real daemon: the events it tells (health, scan
errors, the monitor's news), each kind of target at its fake (Discord,
Slack, ntfy, a plain JSON webhook), a 429, a restart while a target is
down, giving up, and the secrets in the targets' addresses."""

import os
import signal
import sqlite3

import pytest

from conftest import is_mounted, start, unmount
from test_monitor import monitored, qbit_conf, saga  # noqa: F401
from conftest import wait_for
from test_service_docs import check_config

TOKEN = "WEBHOOKTOKEN-s3cr3t"
NTFY_TOKEN = "tk_fakeTOKEN"     # what ntfy_fake.py takes
# what telegram_fake.py takes, and a chat its bot may write to
TELEGRAM_TOKEN = "7000000001:AAFakeBotTokenForMediamonTests_x1"
TELEGRAM_CHAT = "-1001234567890"
KINDS = ("discord", "slack", "ntfy", "hook", "telegram")
TITLES = {
    "new_volume": "New volume",
    "release_found": "Release found",
    "sent": "Sent to the download client",
    "handoff_failed": "Hand-off failed",
    "repair_done": "Torrent repaired",
    "repair_failed": "Repair failed",
    "repair_pass": "Debrid repair pass",
    "health_error": "Health: error",
    "health_ok": "Health: ok",
    "error_rate": "Error rate",
    "replacement": "Replacement searched",
    "imported": "Imported",
    "import_failed": "Import failed",
    "root_unavailable": "Root unavailable",
    "scan_finished": "Scan finished",
    "scan_slow": "Scan slow",
}


class Targets:
    """One fake of each kind of target, and what they took."""

    def __init__(self, fake):
        self.hooks = fake("webhook_fake.py")
        self.ntfy = fake("ntfy_fake.py")
        self.telegram = fake("telegram_fake.py")

    def conf(self, extra=""):
        return ("[notify]\n"
                "discord_webhook = %s/api/webhooks/42/%s\n"
                "slack_webhook = %s/services/T0001/B0001/%s\n"
                "ntfy_url = %s/private%s\nntfy_token = %s\n"
                "webhook = %s/hook?token=%s\n"
                "telegram_url = %s\ntelegram_token = %s\n"
                "telegram_chat = %s\n%s"
                % (self.hooks.url, TOKEN, self.hooks.url, TOKEN,
                   self.ntfy.url, TOKEN, NTFY_TOKEN, self.hooks.url, TOKEN,
                   self.telegram.url, TELEGRAM_TOKEN, TELEGRAM_CHAT, extra))

    def fake_of(self, kind):
        return {"ntfy": self.ntfy, "telegram": self.telegram}.get(
            kind, self.hooks)

    def plan(self, kind, **plan):
        self.fake_of(kind).call("/_plan", dict(plan, kind=kind))

    def posts(self, kind):
        return [p for p in self.fake_of(kind).call("/_posts")
                if p["kind"] == kind]

    def notes(self, kind, status=200):
        """(event, subject, post) of each post of kind answered status
        (None: any), oldest first."""
        got = []
        for p in self.posts(kind):
            if status is not None and p["status"] != status:
                continue
            event, subject = read_post(p)
            got.append((event, subject, p))
        return got

    def events(self, kind, status=200):
        return [(e, s) for e, s, _ in self.notes(kind, status)]


def read_post(p):
    """The event and subject a post tells, read as its receiver shows
    them: the first line of Discord's or Slack's text, ntfy's title, the
    plain webhook's fields."""
    body = p["body"]
    if p["kind"] == "hook":
        return body["event"], body["subject"]
    if p["kind"] == "ntfy":
        title = (p.get("message") or {}).get("title") or \
            p["headers"].get("X-Title", "")
    else:
        # Slack's and Telegram's text, Discord's content
        title = body["content" if p["kind"] == "discord" else "text"]
    title = title.split("\n")[0][len("mediamon: "):].replace("&amp;", "&")
    for event, head in TITLES.items():
        if title == head or title.startswith(head + ": "):
            return event, title[len(head) + 2:]
    raise AssertionError("no event in %r" % title)


def library_conf(tmp_path, targets, extra="", notify=""):
    conf = tmp_path / "notify.conf"
    conf.write_text("[general]\nwatch_debounce = 60s\n%s%s"
                    % (extra, targets.conf(notify)))
    conf.chmod(0o600)
    return conf


def corrupt(path):
    """A file named like FLAC that holds no FLAC stream."""
    path.write_bytes(b"fLaC" + bytes(range(256)) * 4)


def log_text(tmp_path):
    return (tmp_path / "mediamon.log").read_text()


def test_error_rate_once_per_change(fake, library, tmp_path):
    """Each target hears of scan errors once per change: the scans in
    between, which the alerts would precede, said nothing."""
    t = Targets(fake)
    for n in range(2):
        corrupt(library / "Alpha" / ("bad%d.flac" % n))
    m = start(tmp_path, "config=" + str(library_conf(tmp_path, t)),
              "music=" + str(library))
    try:
        first = m.wait_idle()
        assert first["tag_errors"] + first["io_errors"] == 2

        def alerted():
            """the error rate alert at every target"""
            return all(t.events(k) for k in KINDS)
        wait_for(alerted, 30, "alerted")
        body = t.notes("hook")[0][2]["body"]
        assert body["event"] == "error_rate"
        assert body["source"] == "mediamon"
        assert body["details"]["scan"] == first["id"]
        assert body["details"]["errors"] == 2
        assert body["details"]["threshold"] == pytest.approx(0.05)
        assert "above 5.0%" in body["message"]
        content = t.notes("discord")[0][2]["body"]["content"]
        assert content.startswith("mediamon: Error rate\nscan %d could not"
                                  " read 2 of 12 files" % first["id"])
        # the same errors again: no news
        m.rescan()
        m.rescan()
        # fixed, then broken again: a new change, a new alert
        for n in range(2):
            (library / "Alpha" / ("bad%d.flac" % n)).unlink()
        m.rescan()
        corrupt(library / "Beta" / "bad.flac")
        (library / "Beta" / "bad2.flac").write_bytes(b"")
        last = m.rescan()

        def two():
            """the second error rate alert at every target"""
            return all(len(t.events(k)) == 2 for k in KINDS)
        wait_for(two, 30, "two")
        scans = [p["body"]["details"]["scan"] for _, _, p in t.notes("hook")]
        assert scans == [first["id"], last["id"]]
        for k in KINDS:
            assert [e for e, _ in t.events(k)] == ["error_rate"] * 2
        log = m.read("log").decode()
    finally:
        unmount(m.path, m.proc)
    assert TOKEN not in log
    assert "notify: error_rate alert sent to webhook" in log


def test_error_rate_threshold_from_config(fake, library, tmp_path):
    """With error_rate = 50%, two bad files of twelve say nothing: the
    health alert that comes after is the first thing a target hears."""
    t = Targets(fake)
    for n in range(2):
        corrupt(library / "Alpha" / ("bad%d.flac" % n))
    conf = library_conf(tmp_path, t, notify="error_rate = 50%\n")
    m = start(tmp_path, "config=" + str(conf), "music=" + str(library))
    away = tmp_path / "away"
    try:
        m.wait_idle()
        os.rename(str(library), str(away))
        wait_for(lambda: t.events("hook"), 30, "t.events('hook')")
        assert [e for e, _ in t.events("hook")] == ["health_error"]
    finally:
        if away.exists():
            os.rename(str(away), str(library))
        unmount(m.path, m.proc)


def test_scan_finished_only_where_named(fake, library, tmp_path):
    """scan_finished goes to the target that names it, with the scan's
    figures; "all" leaves it out, so the others hear nothing."""
    t = Targets(fake)
    corrupt(library / "Alpha" / "bad.flac")
    conf = library_conf(tmp_path, t, notify="error_rate = 50%\n"
                        "webhook_events = all, scan_finished\n")
    m = start(tmp_path, "config=" + str(conf), "music=" + str(library))
    try:
        first = m.wait_idle()
        second = m.rescan()

        def both():
            """both scans told to the webhook"""
            return len(t.events("hook")) == 2
        wait_for(both, 30, "both")
        hook = [p["body"] for _, _, p in t.notes("hook")]
        assert [b["event"] for b in hook] == ["scan_finished"] * 2
        d = hook[0]["details"]
        assert [b["details"]["scan"] for b in hook] == [first["id"],
                                                        second["id"]]
        assert d["success"] is True
        assert d["files_seen"] == first["files_seen"] == 11
        assert d["errors"] == 1
        assert d["files_new"] == 11
        assert hook[1]["details"]["files_new"] == 0
        assert d["bytes_read"] > 0
        assert d["duration_s"] > 0
        assert d["files_per_s"] == pytest.approx(
            d["files_seen"] / d["duration_s"])
        assert hook[0]["message"].startswith(
            "scan %d finished in " % first["id"])
        assert ": 11 files (11 new, 0 changed, 0 deleted), 1 errors," \
            in hook[0]["message"]
        m.rescan()
        wait_for(lambda: len(t.events("hook")) == 3, 30, "third")
    finally:
        unmount(m.path, m.proc)
    for k in KINDS:
        if k != "hook":
            assert t.events(k) == []


def test_scan_slow_once_per_change(fake, library, tmp_path):
    """Under min_files_per_s, the first scan of every root is told at
    each target, the next ones that stay slow are not."""
    t = Targets(fake)
    conf = library_conf(tmp_path, t,
                        notify="min_files_per_s = 1000000\n")
    m = start(tmp_path, "config=" + str(conf), "music=" + str(library))
    try:
        first = m.wait_idle()
        wait_for(lambda: all(t.events(k) for k in KINDS), 30, "told")
        body = t.notes("hook")[0][2]["body"]
        assert body["event"] == "scan_slow"
        assert body["details"]["scan"] == first["id"]
        assert body["details"]["files_seen"] == 10
        assert body["details"]["threshold"] == 1000000
        assert body["details"]["files_per_s"] < 1000000
        assert "below 1000000" in body["message"]
        content = t.notes("discord")[0][2]["body"]["content"]
        assert content.startswith("mediamon: Scan slow\nscan %d read "
                                  % first["id"])
        m.rescan()
        last = m.rescan()
    finally:
        unmount(m.path, m.proc)
    assert last["id"] > first["id"]
    for k in KINDS:
        assert [e for e, _ in t.events(k)] == ["scan_slow"]


@pytest.mark.parametrize("value", ["fast", "-1", "1000001", "2.5", ""])
def test_min_files_per_s_refused(library, tmp_path, value):
    conf = tmp_path / "m.conf"
    conf.write_text("[notify]\nmin_files_per_s = %s\n" % value)
    r = check_config("config=" + str(conf), "music=" + str(library),
                     "db=" + str(tmp_path / "x.db"))
    assert r.returncode == 1
    assert r.stderr == ("mediamon: %s:2: bad value '%s' for min_files_per_s"
                        " in [notify]: expected a whole number from 0 to"
                        " 1000000\n" % (conf, value))


def test_scan_finished_named_by_events(library, tmp_path):
    conf = tmp_path / "m.conf"
    conf.write_text("[notify]\nevents = all, scan_finished, scan_slow\n"
                    "min_files_per_s = 50\n")
    r = check_config("config=" + str(conf), "music=" + str(library),
                     "db=" + str(tmp_path / "x.db"))
    assert (r.returncode, r.stderr) == (0, "")
    assert "events = all, scan_finished, scan_slow\n" in r.stdout
    assert "min_files_per_s = 50\n" in r.stdout


def test_health_error_and_back(fake, library, tmp_path):
    """Healthy from the start says nothing; turning to error and back is
    told once each, to every target."""
    t = Targets(fake)
    m = start(tmp_path, "config=" + str(library_conf(tmp_path, t)),
              "music=" + str(library))
    away = tmp_path / "away"
    try:
        m.wait_idle()
        os.rename(str(library), str(away))
        got = wait_for(lambda: t.notes("hook"), 30, "t.notes('hook')")
        assert got[0][0] == "health_error"
        details = got[0][2]["body"]["details"]
        assert "music root %s is not readable" % library in \
            details["errors"][0]
        assert "/status/health turned to error" in \
            got[0][2]["body"]["message"]
        os.rename(str(away), str(library))

        def back():
            """health_ok at every target"""
            return all(("health_ok", "") in t.events(k) for k in KINDS)
        wait_for(back, 30, "back")
        for k in KINDS:
            assert t.events(k) == [("health_error", ""), ("health_ok", "")]
        ntfy = t.notes("ntfy")[0][2]["message"]
        assert ntfy["priority"] == 4
        assert ntfy["tags"] == ["rotating_light", "mediamon"]
        assert t.notes("slack")[1][2]["body"]["text"].startswith(
            "mediamon: Health: ok\n/status/health is no longer in error")
    finally:
        if away.exists():
            os.rename(str(away), str(library))
        unmount(m.path, m.proc)


def test_429_waits_for_retry_after(fake, library, tmp_path):
    """Discord's 429: the alert goes again once its Retry-After passed."""
    t = Targets(fake)
    t.plan("discord", answers=["ratelimited"], retry_after=1.2)
    corrupt(library / "bad.flac")
    corrupt(library / "bad2.flac")
    m = start(tmp_path, "config=" + str(library_conf(tmp_path, t)),
              "music=" + str(library))
    try:
        wait_for(lambda: t.events("discord"), 30, "t.events('discord')")
        tries = t.posts("discord")
        assert [p["status"] for p in tries] == [429, 200]
        # Retry-After said 2 (1.2 rounded up); the fake's own clock
        assert tries[1]["at"] - tries[0]["at"] >= 2 - 0.05
        wait_for(lambda: all(t.events(k) for k in KINDS), 30,
                 "an alert at every target")
        for k in KINDS:
            assert [e for e, _ in t.events(k)] == ["error_rate"]
        assert "notify: discord: HTTP 429" in m.read("log").decode()
    finally:
        unmount(m.path, m.proc)


def queued(db):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    try:
        return con.execute("SELECT target, event FROM notify_queue"
                           " ORDER BY id").fetchall()
    finally:
        con.close()


def test_alert_survives_restart_while_target_is_down(fake, library,
                                                     tmp_path):
    t = Targets(fake)
    t.plan("hook", sticky="down")
    corrupt(library / "bad.flac")
    corrupt(library / "bad2.flac")
    conf = "config=" + str(library_conf(tmp_path, t))
    m = start(tmp_path, conf, "music=" + str(library))
    try:
        scan = m.wait_idle()
        wait_for(lambda: t.events("discord"), 30, "t.events('discord')")
        wait_for(lambda: t.notes("hook", 503), 30, "t.notes('hook', 503)")
        wait_for(lambda: "warn: notify webhook: HTTP 503" in
                 m.read("status/health").decode(), 30,
                 "the webhook's 503 in health")
        m.proc.send_signal(signal.SIGTERM)
        assert m.proc.wait(timeout=30) == 0
    finally:
        unmount(m.path, m.proc)
    assert queued(m.db) == [("webhook", "error_rate")]
    # back up, and nothing new to tell: only the alert kept is sent
    t.plan("hook", sticky=None)
    for name in ("bad.flac", "bad2.flac"):
        (library / name).unlink()
    m = start(tmp_path, conf, "music=" + str(library))
    try:
        got = wait_for(lambda: t.notes("hook"), 30, "t.notes('hook')")
        assert [(e, p["body"]["details"]["scan"]) for e, _, p in got] == \
            [("error_rate", scan["id"])]
        wait_for(lambda: "warn: notify webhook" not in
                 m.read("status/health").decode(), 30,
                 "the webhook's warning gone from health")
        for k in ("discord", "slack", "ntfy"):
            assert [e for e, _ in t.events(k)] == ["error_rate"]
    finally:
        unmount(m.path, m.proc)
    assert queued(m.db) == []


def test_alert_given_up_after_retry_for(fake, library, tmp_path):
    t = Targets(fake)
    t.plan("hook", sticky="down")
    corrupt(library / "bad.flac")
    corrupt(library / "bad2.flac")
    conf = library_conf(tmp_path, t, notify="retry_for = 2s\n")
    m = start(tmp_path, "config=" + str(conf), "music=" + str(library))
    line = "notify: webhook: gave up 1 alerts undelivered 2s after they" \
        " happened"
    try:
        wait_for(lambda: line in m.read("log").decode(), 30,
                 "the give-up line in the log")
        assert m.read("log").decode().count("gave up") == 1
        assert len(t.notes("hook", 503)) == 1
    finally:
        unmount(m.path, m.proc)
    assert queued(m.db) == []


def test_receiver_down_or_refusing(fake, library, tmp_path):
    """A webhook that fails and a Discord that is not there cost log
    lines and health lines without their addresses; the daemon goes on."""
    t = Targets(fake)
    conf = tmp_path / "alerts.conf"
    conf.write_text("[notify]\nwebhook = %s/fail?token=%s\n"
                    "discord_webhook = http://127.0.0.1:1/api/webhooks/1/%s\n"
                    "slack_webhook = %s/services/T0001/B0001/%s\n"
                    % (t.hooks.url, TOKEN, TOKEN, t.hooks.url, TOKEN))
    conf.chmod(0o600)
    t.plan("slack", sticky="no_service")
    corrupt(library / "bad.flac")
    corrupt(library / "bad2.flac")
    m = start(tmp_path, "config=" + str(conf), "music=" + str(library))
    try:
        wait_for(lambda: "notify: webhook: HTTP 500" in
                 m.read("log").decode(), 30, "the webhook's 500 logged")
        wait_for(lambda: "notify: slack: HTTP 404 (no_service): it refuses"
                 in m.read("log").decode(), 30, "slack's refusal logged")
        log = wait_for(lambda: "notify: discord: no answer; alerts wait"
                       in m.read("log").decode() and
                       m.read("log").decode(), 30, "discord's silence logged")
        assert "http: POST http://127.0.0.1:1: cannot connect" in log
        health = wait_for(lambda: "error: notify slack" in
                          m.read("status/health").decode() and
                          "warn: notify webhook: HTTP 500" in
                          m.read("status/health").decode() and
                          m.read("status/health").decode(), 30,
                          "slack's error and the webhook's 500 in health")
        assert TOKEN not in log + health
        assert m.proc.poll() is None
        assert m.rescan()["files_seen"] == 12
    finally:
        unmount(m.path, m.proc)
    assert TOKEN not in log_text(tmp_path)


def mount_files(root):
    """Every virtual file but the library views, with its content."""
    for top in ("README", "status", "metrics", "control", "log", "manga"):
        path = os.path.join(root, top)
        walk = [(root, [], [top])] if os.path.isfile(path) else \
            os.walk(path)
        for folder, _, files in walk:
            for name in files:
                with open(os.path.join(folder, name), "rb") as f:
                    yield os.path.join(folder, name), f.read()


def test_secrets_nowhere(fake, library, tmp_path):
    """The tokens in the targets' addresses appear in no file of the
    mount, no log line and no --check-config output, whether the targets
    took, refused or missed the alerts."""
    t = Targets(fake)
    t.plan("discord", sticky="unknown_webhook")
    t.plan("slack", sticky="down")
    corrupt(library / "bad.flac")
    corrupt(library / "bad2.flac")
    conf = library_conf(tmp_path, t)
    m = start(tmp_path, "config=" + str(conf), "music=" + str(library))
    try:
        wait_for(lambda: t.events("ntfy") and t.events("hook"), 30,
                 "alerts at ntfy and the webhook")
        wait_for(lambda: "error: notify discord" in
                 m.read("status/health").decode(), 30,
                 "discord's error in health")
        wait_for(lambda: "warn: notify slack" in
                 m.read("status/health").decode(), 30,
                 "slack's warning in health")
        seen = dict(mount_files(m.path))
        assert len(seen) > 20
        for path, text in seen.items():
            for secret in (TOKEN, NTFY_TOKEN, TELEGRAM_TOKEN):
                assert secret.encode() not in text, path
    finally:
        unmount(m.path, m.proc)
    log = log_text(tmp_path)
    assert "notify: discord: HTTP 404 (Unknown Webhook)" in log
    for secret in (TOKEN, NTFY_TOKEN, TELEGRAM_TOKEN):
        assert secret not in log
    r = check_config("config=" + str(conf), "music=" + str(library),
                     "db=" + str(tmp_path / "x.db"))
    assert r.returncode == 0, r.stderr
    for secret in (TOKEN, NTFY_TOKEN, TELEGRAM_TOKEN):
        assert secret not in r.stdout
    for key in ("discord_webhook", "slack_webhook", "ntfy_url",
                "ntfy_token", "webhook", "telegram_token"):
        assert "\n%s = ********\n" % key in r.stdout
    assert "\nevents = all\n" in r.stdout
    assert "\nretry_for = 1d\n" in r.stdout


def test_monitor_events_reach_each_target(monitored, fake):
    """A volume out, releases found, sent, a hand-off that failed: each
    reaches every kind of target once, however many checks see it."""
    t = Targets(fake)
    qbit = fake("qbittorrent_fake.py")
    mon = monitored([saga(1)], nautiljon={"saga+01": [12, "En cours"]},
                    monitor="auto_download = yes\ncache_ttl = 0\n",
                    general="dry_run = no\n",
                    extra=qbit_conf(qbit) + t.conf())
    # the catalog's release of volume 10 is one qBittorrent fails on
    mon.catalog.write_text(
        '{"title": "Saga 01 T10", "link": "https://ddl.example/error500",'
        ' "size": 1000, "source": "EBDZ"}\n')
    mon.check("new")            # the first count says nothing
    mon.check("missing")
    mon.nautiljon.call("/_set", {"saga+01": [13, "En cours"]})
    mon.check("new")
    mon.check("missing")        # found and failed again: no news
    mon.nautiljon.call("/_set", {"saga+01": [14, "En cours"]})
    mon.check("new")
    want = sorted([
        ("release_found", "Saga 01 volume 2"),
        ("release_found", "Saga 01 volume 4"),
        ("release_found", "Saga 01 volume 6"),
        ("release_found", "Saga 01 volume 10"),
        ("sent", "Saga 01 volume 2"),
        ("sent", "Saga 01 volume 4"),
        ("handoff_failed", "Saga 01 volume 10"),
        ("new_volume", "Saga 01 volume 13"),
        ("new_volume", "Saga 01 volume 14"),
    ])

    def told():
        """volume 14 at every target"""
        return all(("new_volume", "Saga 01 volume 14") in t.events(k)
                   for k in KINDS)
    wait_for(told, 60, "told")
    # the events this test causes; a loaded machine may add others of its
    # own (a health error for a check that ran late), which are not these
    caused = {e for e, _ in want}
    for k in KINDS:
        assert sorted(e for e in t.events(k) if e[0] in caused) == want, k
    failed = [p for e, _, p in t.notes("hook") if e == "handoff_failed"]
    assert failed[0]["body"]["details"]["client"] == "qbittorrent"
    assert "HTTP 500" in failed[0]["body"]["message"]
    sent = [p for e, _, p in t.notes("ntfy") if e == "sent"]
    assert sent[0]["message"]["tags"] == ["inbox_tray", "mediamon"]
    assert is_mounted(mon.m.path)


@pytest.mark.parametrize("digest", ["yes", "no"])
def test_many_found_one_digest(monitored, fake, digest):
    """Ten series with releases for 31 volumes: with [notify] digest, the
    check tells them in one message; without, one message each."""
    t = Targets(fake)
    mon = monitored([saga(n) for n in range(1, 11)],
                    extra=t.conf("digest = %s\n" % digest))
    mon.check("missing")

    def found():
        return [(s, p) for e, s, p in t.notes("hook")
                if e == "release_found"]
    if digest == "no":
        wait_for(lambda: len(found()) >= 31, 90, "31 messages")
        assert len(found()) == 31
        return
    # the digest is told at the check's end, after any single message
    # it could have left: the first to arrive is the only one
    got = wait_for(found, 60, "a digest")
    assert len(got) == 1
    subject, post = got[0]
    assert subject.startswith(
        "31 volumes: Saga 01 2, 4, 6, 10; Saga 02 2, 4, 6; Saga 03")
    body = post["body"]
    assert body["message"].startswith("31 volumes releases found:\n")
    assert 'Saga 10 volume 6: "Saga 10 Tomes 4 à 6 FRENCH"' in \
        body["message"]
    assert body["details"]["count"] == 31
    assert len(body["details"]["volumes"]) == 31


def test_telegram_flood_wait_and_wrong_chat(fake, library, tmp_path):
    """Telegram's 429 says in its parameters how long to wait, which is
    waited; a chat the bot cannot reach is an error in health and the
    log with Telegram's reason, and its token is nowhere."""
    t = Targets(fake)
    t.plan("telegram", answers=["flood"], retry_after=2)
    corrupt(library / "bad.flac")
    conf = library_conf(tmp_path, t)
    m = start(tmp_path, "config=" + str(conf), "music=" + str(library))
    try:
        wait_for(lambda: t.events("telegram"), 30, "the alert at telegram")
        tries = t.posts("telegram")
        assert [p["status"] for p in tries[:2]] == [429, 200]
        assert tries[1]["at"] - tries[0]["at"] >= 1.9
        body = tries[1]["body"]
        assert body["chat_id"] == TELEGRAM_CHAT
        assert body["link_preview_options"] == {"is_disabled": True}
        assert "parse_mode" not in body
        assert tries[1]["path"] == "/bot%s/sendMessage" % TELEGRAM_TOKEN
    finally:
        unmount(m.path, m.proc)

    lost = tmp_path / "lost"
    lost.mkdir()
    conf = library_conf(lost, t, notify="")
    conf.write_text(conf.read_text().replace(
        "telegram_chat = " + TELEGRAM_CHAT, "telegram_chat = @nobody_here"))
    m = start(lost, "config=" + str(conf), "music=" + str(library))
    try:
        wait_for(lambda: "error: notify telegram" in
                 m.read("status/health").decode(), 30,
                 "telegram's error in health")
        log = m.read("log").decode()
        assert "notify: telegram: HTTP 400 (Bad Request: chat not found)" \
            in log
        assert TELEGRAM_TOKEN not in log
    finally:
        unmount(m.path, m.proc)


@pytest.mark.parametrize("given", ["telegram_token = x:y",
                                   "telegram_chat = 12345"])
def test_telegram_token_and_chat_go_together(given, library, tmp_path):
    conf = tmp_path / "t.conf"
    conf.write_text("[notify]\n%s\n" % given)
    conf.chmod(0o600)
    r = check_config("config=" + str(conf), "music=" + str(library),
                     "db=" + str(tmp_path / "x.db"))
    assert r.returncode != 0
    assert "telegram_token and telegram_chat go together" in r.stderr
