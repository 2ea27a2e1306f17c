# SPDX-License-Identifier: GPL-3.0-or-later
"""The repair through AllDebrid and Premiumize (issue 53, point 8): the
same library and mount as test_repair.py's, the account served by
debrid_fake.py instead of Real-Debrid's fake. A dead link is repaired
(the torrent re-added, the old one deleted, the links following the new
one), a refused key and a rate limit show in /status/health until their
cause ends, and --check-config refuses what cannot work."""

import json
import os
import subprocess
import sys

import pytest

from conftest import BINARY, REPO
from test_planted import reachable, shows_nowhere
from test_repair import DEAD, OTHER, Setup, link, rd_mount  # noqa: F401

sys.path.insert(0, os.path.join(REPO, "tests", "fakes"))
from debrid_fake import AD_KEY, PM_KEY, make_hash  # noqa: E402
from realdebrid_fake import BUILTIN  # noqa: E402

SERVICES = {
    # name: (key, url path, list path, add path, delete path)
    "alldebrid": (AD_KEY, "/v4", "/magnet/status", "/magnet/upload",
                  "/magnet/delete"),
    "premiumize": (PM_KEY, "/api", "/transfer/list", "/transfer/create",
                   "/transfer/delete"),
}


class Service:
    """Setup's library, mount and mediamon, with the debrid service given
    in place of Real-Debrid."""

    def __init__(self, tmp_path, rd_mount, fake, make_mount, name,
                 key=None, extra=(), **kw):
        self.name = name
        key_, prefix = SERVICES[name][:2]
        state = tmp_path / "debrid.json"
        state.write_text(json.dumps({"torrents": [
            {"name": t["filename"],
             "files": [[f["path"], f["bytes"]] for f in t["files"]
                       if f["selected"]]}
            for t in BUILTIN["torrents"]] + list(extra)}))
        self.fake = fake("debrid_fake.py", name, state)
        self.s = Setup(tmp_path, rd_mount, fake, make_mount, token=None,
                       sections="[%s]\napi_key = %s\nurl = %s%s\n" % (
                           name, key or key_, self.fake.url, prefix),
                       **kw)

    def requests(self, path=None):
        return [r for r in self.fake.call("/_requests")
                if path is None or r["path"] == path]

    def torrents(self):
        return self.fake.call("/_torrents")

    def inject(self, **spec):
        self.fake.call("/_inject", spec)

    def health(self):
        return [line for line in
                self.s.m.read("status/health").decode().splitlines()
                if line.split(": ")[1:2] == [self.name]]


@pytest.fixture
def service(tmp_path, rd_mount, fake, make_mount):
    def make(name, **kw):
        return Service(tmp_path, rd_mount, fake, make_mount, name, **kw)
    return make


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_dead_links_repaired(service, name):
    v = service(name)
    _, _, list_path, add_path, delete_path = SERVICES[name]
    old = {t["name"]: t["id"] for t in v.torrents()}
    v.s.command("run")
    v.s.wait(lambda: len(v.s.repairs()["repaired"]) == 2, "two repairs")
    now = v.torrents()
    for n in (OTHER, DEAD):
        assert [t["name"] for t in now].count(n) == 1
        new = [t for t in now if t["name"] == n][0]
        assert new["id"] != old[n] and new["step"] == "downloaded"
    requests = v.requests()
    adds = v.requests(add_path)
    assert len(adds) == 2
    sent = json.dumps([a["form"] for a in adds])
    assert make_hash(OTHER) in sent and make_hash(DEAD) in sent
    assert len(v.requests(delete_path)) == 2
    assert v.requests(list_path)
    assert all(r["auth"] == "ok" for r in requests)
    if name == "alldebrid":
        # the key as a Bearer token, never in a URL; agent always
        assert not any(r["key_in_query"] for r in requests)
        assert all("agent=mediamon" in r["query"] for r in requests)
    states = v.s.states()
    for path in v.s.other_links + [v.s.dead_link]:
        assert states[path] == "repaired"
    assert states[v.s.unmapped_link] == "unmapped"
    metrics = v.s.m.json("metrics/repair.json")
    assert metrics["repairs_ok"] == 2
    key = SERVICES[name][0]
    assert key not in (v.s.tmp / "mediamon.log").read_text()


AUTH_ERRORS = {
    "alldebrid": {"status": "error", "error": {
        "code": "AUTH_BAD_APIKEY", "message": "The auth apikey is invalid"}},
    "premiumize": {"status": "error", "message": "Not logged in."},
}


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_refused_key_shown_until_accepted(service, name):
    v = service(name, dry_run=True)
    list_path = SERVICES[name][2]
    v.inject(path_regex="^%s$" % list_path, status=200,
             body=AUTH_ERRORS[name])
    v.s.command("scan")
    lines = v.health()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: %s: " % name)
    if name == "alldebrid":
        assert "AUTH_BAD_APIKEY" in lines[0]
    # the key works again: the next request clears it
    v.s.command("scan")
    assert v.health() == []
    assert [r["status"] for r in v.requests(list_path)][-1] == 200


RATE_LIMITS = {
    "alldebrid": [
        (429, {"status": "error", "error": {
            "code": "TOO_MANY_REQUESTS", "message": "Too many requests"}}),
        (200, {"status": "error", "error": {
            "code": "TOO_MANY_REQUESTS", "message": "Too many requests"}}),
        # AllDebrid's documentation: past its limits, 429 or 503
        (503, {"status": "error", "error": {
            "code": "TOO_MANY_REQUESTS", "message": "Too many requests"}}),
        (503, "Service Unavailable"),
    ],
    "premiumize": [
        (429, {"status": "error", "message": "Too many requests."}),
    ],
}


@pytest.mark.parametrize("name,status,body", [
    (n, status, body) for n in sorted(RATE_LIMITS)
    for status, body in RATE_LIMITS[n]])
def test_rate_limit_pauses_requests(service, name, status, body):
    v = service(name, dry_run=True)
    list_path = SERVICES[name][2]
    v.inject(path_regex="^%s$" % list_path, status=status, body=body,
             headers={"Retry-After": "1"})
    v.s.command("scan")
    paused = [line for line in v.health() if " paused until " in line]
    assert len(paused) == 1, v.health()
    assert paused[0].startswith("warn: %s: paused until " % name)
    # while paused, a pass sends nothing
    n = len(v.requests())
    v.s.command("scan")
    if any(" paused until " in line for line in v.health()):
        assert len(v.requests()) == n
    v.s.wait(lambda: not [line for line in v.health()
                          if " paused until " in line], "the pause's end")
    v.s.command("scan")
    assert v.requests(list_path)[-1]["status"] == 200
    assert v.health() == []


def check_config(tmp_path, text):
    conf = tmp_path / "bad.conf"
    conf.write_text("[music]\nroot = %s\n%s" % (tmp_path, text))
    os.chmod(str(conf), 0o600)
    return subprocess.run([BINARY, "--check-config", "-o",
                           "config=" + str(conf)],
                          capture_output=True, text=True, timeout=30)


@pytest.mark.parametrize("text,why", [
    ("[alldebrid]\nurl = http://127.0.0.1:1/v4\n",
     "[alldebrid] url is set but api_key is empty"),
    ("[premiumize]\napi_key =\nurl = http://127.0.0.1:1/api\n",
     "[premiumize] url is set but api_key is empty"),
    ("[alldebrid]\napi_key = adKEY-test\nurl = not a url\n",
     "bad value"),
    ("[premiumize]\napi_key = pmKEY-test\nurl = ftp://example.com/api\n",
     "bad value"),
    ("[realdebrid]\napi_token = rdTOKEN-test\n"
     "[alldebrid]\napi_key = adKEY-test\n",
     "[realdebrid] and [alldebrid] both give a key"),
    ("[alldebrid]\napi_key = adKEY-test\n"
     "[premiumize]\napi_key = pmKEY-test\n",
     "[alldebrid] and [premiumize] both give a key"),
])
def test_bad_config_refused(tmp_path, text, why):
    out = check_config(tmp_path, text)
    assert out.returncode != 0
    assert why in out.stderr + out.stdout, out.stderr
    for key in ("adKEY-test", "pmKEY-test", "rdTOKEN-test"):
        assert key not in out.stderr + out.stdout


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_good_config_accepted(tmp_path, name):
    key, prefix = SERVICES[name][:2]
    out = check_config(tmp_path, "[%s]\napi_key = %s\nurl = http://"
                       "127.0.0.1:1%s\n" % (name, key, prefix))
    assert out.returncode == 0, out.stderr
    assert key not in out.stderr + out.stdout


PLANTED = {
    # the key echoed in an error's code and message, as the service
    # shapes its errors
    "alldebrid": lambda key: {"status": "error", "error": {
        "code": "AUTH_BAD_APIKEY %s" % key,
        "message": "apikey=%s is invalid" % key}},
    "premiumize": lambda key: {"status": "error",
                               "message": "Not logged in: %s" % key},
}


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_key_planted_in_answers_shows_nowhere(tmp_path, rd_mount, fake,
                                              make_mount, name):
    """The key in a torrent's name and in the errors of every request
    (answered with HTTP 200, 500 and 503): in no file of the mount, read
    by root and by another user, not in the log, not in what was told."""
    key, _, list_path, add_path, _ = SERVICES[name]
    planted = "Planted.%s.S01" % key
    reachable(tmp_path)
    v = Service(tmp_path, rd_mount, fake, make_mount, name,
                start_mount=False, retry_delay="1s",
                extra=[{"name": planted,
                        "files": [["/%s/E01.mkv" % planted, 7000]]}])
    v.s.make_mount = lambda *o, env=None: make_mount("allow_other", *o,
                                                     env=env)
    link(os.path.join(v.s.rdm, planted, "E01.mkv"),
         os.path.join(v.s.tv, "Planted", "E01.mkv"))
    v.s.start()
    echo = PLANTED[name](key)
    v.inject(path_regex="^%s$" % add_path, status=500, body=echo)
    v.s.command("run")
    v.s.wait(lambda: any(a["http_status"] == 500 for a in
                         v.s.repairs()["recent_attempts"]), "the failed add")
    v.s.wait(lambda: v.s.repairs()["repaired"], "a repair")
    for status in (503, 200):
        v.inject(path_regex="^%s$" % list_path, status=status, body=echo)
        v.s.command("scan")
    v.s.wait(lambda: {500, 503, 200} <= {r["status"] for r in v.requests()
                                         if r["injected"]},
             "every echo answered")
    assert "Planted.REDACTED.S01" in json.dumps(
        v.s.m.json("status/broken.json"))
    shows_nowhere(key, v.s.m, tmp_path, v.s.told())


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_check_connections(tmp_path, fake, name):
    """--check-connections asks the account, and says a refused key
    (answered with HTTP 200) is refused."""
    key, prefix = SERVICES[name][:2]
    f = fake("debrid_fake.py", name)
    for given, want, rc in ((key, "%s: ok (account premium)" % name, 0),
                            ("WRONG-key-1", "%s: refused (" % name, 1)):
        conf = tmp_path / "c.conf"
        conf.write_text("[music]\nroot = %s\n[%s]\napi_key = %s\n"
                        "url = %s%s\n" % (tmp_path, name, given, f.url,
                                           prefix))
        os.chmod(str(conf), 0o600)
        out = subprocess.run([BINARY, "--check-connections", "-o",
                              "config=" + str(conf), "-o",
                              "db=" + str(tmp_path / "x.db")],
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == rc, out.stdout + out.stderr
        assert out.stdout.startswith(want), out.stdout
        assert given not in out.stdout + out.stderr
    requests = f.call("/_requests")
    assert [r["auth"] for r in requests] == ["ok", "wrong"]
    if name == "alldebrid":
        assert not any(r["key_in_query"] for r in requests)
