# SPDX-License-Identifier: GPL-3.0-or-later
"""A secret planted in every field of every service's answers (issue 45):
each service's fake echoes its own key or token in its error bodies and
in the fields the daemon shows; the secret is then looked for in every
file of the mount (read by root and by another user), in the log and in
every notification sent. The real qBittorrent, Transmission and NZBGet
are run with their passwords planted where they can be. Prowlarr's case
is test_monitor.py's
test_key_planted_in_answers_shows_nowhere."""

import json
import os
import subprocess
import sys

import pytest

from conftest import REPO, start, unmount, wait_for
from reliability import every_file
from clients import PASSWORD, Torrent, clients, files  # noqa: F401
from test_clients import CONTENT, NZB, catalog, conf, usenet_conf
from test_handoff import AUTO, SEND, downloads
from test_monitor import Monitor, monitored, release, saga  # noqa: F401
from test_tracker import POLL, SAB_KEY, sab_conf
from test_notify import (NTFY_TOKEN, TELEGRAM_TOKEN, TOKEN,
                         Targets, corrupt, library_conf)
from test_repair import (ARR_KEY, DEAD, OTHER, Setup, link,  # noqa: F401
                         rd_mount, touch)

sys.path.insert(0, os.path.join(REPO, "tests", "fakes"))
from realdebrid_fake import TOKEN as RD_TOKEN, make_hash, torrent  # noqa: E402

NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
          "--"]
# run as another user: the paths of the mount it may read that hold argv[2]
SEARCH = r"""
import os, sys
sys.path.insert(0, sys.argv[3])
from reliability import every_file
hits = []
for path in every_file(sys.argv[1]):
    try:
        with open(path, "rb") as f:
            if sys.argv[2].encode() in f.read():
                hits.append(path)
    except OSError:
        pass
print("\n".join(hits))
"""


def reachable(path):
    """Let another user reach path: pytest's folders are 0700."""
    path = os.path.abspath(str(path))
    while path != "/":
        os.chmod(path, os.stat(path).st_mode | 0o011)
        path = os.path.dirname(path)


def shows_nowhere(secret, m, tmp, told):
    """secret in no file of mount m (root, then nobody), not in the log,
    not in what was told."""
    read = 0
    for path in every_file(m.path):
        with open(path, "rb") as f:
            assert secret.encode() not in f.read(), path
        read += 1
    assert read > 20
    out = subprocess.run(NOBODY + ["/usr/bin/python3", "-c", SEARCH, m.path,
                                   secret, os.path.dirname(__file__)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""
    log = (tmp / "mediamon.log").read_text(errors="replace")
    assert secret not in log, [line for line in log.splitlines()
                               if secret in line]
    assert secret not in json.dumps(told)


def rd_setup(tmp_path, rd_mount, fake, make_mount, **kw):
    reachable(tmp_path)
    s = Setup(tmp_path, rd_mount, fake, make_mount, start_mount=False, **kw)
    s.make_mount = lambda *o, env=None: make_mount("allow_other", *o,
                                                   env=env)
    s.start()
    return s


@pytest.mark.parametrize("given", ["api_token", "api_token_file"])
def test_realdebrid_token_in_its_answers(tmp_path, rd_mount, fake,
                                         make_mount, given):
    """The token, given in the configuration or in a file, in a torrent's
    name, its links and download link, and in the error and error_details
    of a failed request."""
    token = RD_TOKEN
    if given == "api_token_file":
        token = tmp_path / "rd-token"
        token.write_text(RD_TOKEN + "\n")
        os.chmod(str(token), 0o600)
    s = rd_setup(tmp_path, rd_mount, fake, make_mount, retry_delay="1s",
                 token=str(token), token_key=given)
    name = "Planted.%s.S01" % RD_TOKEN
    planted = torrent(name, [("/%s/E01.mkv" % name, 7000, 1)])
    planted["links"] = ["https://real-debrid.com/d/%s" % RD_TOKEN]
    planted["download"] = "https://x.rdb.so/d/%s/E01.mkv" % RD_TOKEN
    s.rd.call("/_torrents", planted)
    link(os.path.join(s.rdm, "__all__", name, "E01.mkv"),
         os.path.join(s.tv, "Planted", "E01.mkv"))
    echo = {"error": "bad_token %s" % RD_TOKEN, "error_code": 8,
            "error_details": "Authorization: Bearer %s" % RD_TOKEN}
    s.inject(path_regex="addMagnet", status=500, body=echo, times=1)
    s.inject(path_regex="^/torrents/info", status=503, body=echo, times=1)
    # each echo stops its pass: the next is asked for, not waited for
    s.command("run")
    s.command("run")
    s.wait(lambda: any(a["http_status"] == 500 for a in
                       s.repairs()["recent_attempts"]), "the failed add")
    s.command("run")
    s.wait(lambda: s.repairs()["repaired"], "a repair")
    s.inject(path_regex="^/torrents$", status=401, body=echo, times=1)
    s.command("scan")
    s.wait(lambda: {500, 503, 401} <= {r["status"] for r in s.requests()
                                       if r["injected"]},
           "every echo answered")
    # the torrent's name is shown: with its secret masked
    assert "Planted.REDACTED.S01" in json.dumps(
        s.m.json("status/broken.json"))
    shows_nowhere(RD_TOKEN, s.m, tmp_path, s.told())


def test_arr_key_in_its_answers(tmp_path, rd_mount, fake, make_mount):
    """Sonarr's key in a series' title and path, and echoed in the
    message and description of failed requests: a torrent repaired for
    good as a virus asks Sonarr for a rescan and a search."""
    s = rd_setup(tmp_path, rd_mount, fake, make_mount, search=True,
                 max_attempts=3, retry_delay="1s")
    s.sonarr.call("/_items", {"kind": "sonarr", "items": [
        {"id": 7, "title": "Other Show %s" % ARR_KEY,
         "path": os.path.join(s.tv, "Other Show")},
        {"id": 9, "title": "Show ?apikey=%s" % ARR_KEY,
         "path": os.path.join(s.tv, "Show")}]})
    s.radarr.call("/_echo", {"status": 500, "times": -1})
    s.rd.call("/_magnets", {make_hash(name): {
        "filename": name, "fails_with": "virus",
        "files": [{"path": path, "bytes": 7000}]}
        for name, path in [(OTHER, "/%s/E01.mkv" % OTHER),
                           (DEAD, "/%s/Dead.Movie.1999.avi" % DEAD)]})
    s.command("run")
    s.wait(lambda: len(s.repairs()["failed"]) == 2, "the failures")
    s.wait(lambda: s.sonarr.call("/_commands") and
           s.radarr.call("/_requests"), "Sonarr and Radarr asked")
    shows_nowhere(ARR_KEY, s.m, tmp_path, s.told())


@pytest.mark.parametrize("pad", [0, 36])
def test_notify_targets_echo_their_token(fake, library, tmp_path, pad):
    """Every target answers 400 with its address and Authorization header
    in its error text, the token there whole or where the log's excerpt
    of the answer would cut it (pad): no piece of a token shows."""
    t = Targets(fake)
    for kind in ("discord", "slack", "ntfy", "hook", "telegram"):
        t.plan(kind, sticky="echo", pad=pad)
    corrupt(library / "bad.flac")
    conf = library_conf(tmp_path, t)
    reachable(tmp_path)
    m = start(tmp_path, "allow_other", "config=" + str(conf),
              "music=" + str(library))
    try:
        wait_for(lambda: all(t.posts(k) for k in ("discord", "slack", "ntfy",
                                                  "hook", "telegram")),
                 30, "an alert at every target", mount=m)
        log = wait_for(lambda: (tmp_path / "mediamon.log").read_text(), 30,
                       "every target's refusal in the log", mount=m,
                       until=lambda text: text.count(" refused the ") >= 5)
        # the answers are shown, their secrets masked
        assert "bad request to /api/webhooks/42/REDACTED" in log
        for secret in (TOKEN, NTFY_TOKEN, TELEGRAM_TOKEN):
            shows_nowhere(secret[:8], m, tmp_path, [])
    finally:
        unmount(m.path, m.proc)


def test_nautiljon_url_password_in_its_page(tmp_path, fake):
    """The password of Nautiljon's address (a proxy's user:password)
    echoed in a series page's status and in Prowlarr's answers."""
    planted = "Pw-n4utilj0n"
    mon = Monitor(tmp_path, fake, [saga(1)], nautiljon={
        "saga+01": [14, "En cours ?password=%s %s" % (planted, planted)]})
    text = mon.conf.read_text()
    url = mon.nautiljon.url
    mon.conf.write_text(text.replace(
        "url = %s\n" % url, "url = %s\n" % url.replace(
            "://", "://mediamon:%s@" % planted)))
    reachable(tmp_path)
    mon.m = start(tmp_path, "allow_other", "config=" + str(mon.conf))
    try:
        mon.check("new")
        assert mon.pages()
        shows_nowhere(planted, mon.m, tmp_path, [])
    finally:
        mon.unmount()


RPC = {"qbittorrent": "", "transmission": "/transmission/rpc"}


@pytest.mark.parametrize("kind", sorted(RPC))
def test_torrent_client_password_in_its_answers(monitored, clients, files,
                                                tmp_path, kind):
    """The real qBittorrent and Transmission (its rpc-username and
    rpc-password): the password in the save path, in the client's own
    download folder, in the name of a torrent it holds that is wanted by
    no volume (so it is never imported into the library, whose own file
    names are the user's), and in the address of a link that answers
    404, which the client's error echoes."""
    client = clients(kind, save="downloads-%s" % PASSWORD)
    b = Torrent("Saga 01 Extra %s.cbz" % PASSWORD, CONTENT + b"B" * 40000)
    save = tmp_path / ("saves-%s" % PASSWORD)
    save.mkdir()
    (save / b.name).write_bytes(b.content)
    r = release("b04", "Saga 01 T04 FRENCH", seeders=30)
    r["downloadUrl"] = files.put("/b.torrent", b.data)
    r["magnetUrl"] = None
    reachable(tmp_path)
    mon = monitored(["Saga 01"], monitor=AUTO, general=SEND,
                    extra=conf(kind, client.url, save, rpc=RPC[kind]) + POLL,
                    releases={"saga 01": [r]})
    catalog(mon, files.url + "/gone-%s.torrent" % PASSWORD)
    mon.check("missing")
    wait_for(lambda: downloads(mon).get(4), 60, "volume 4 seen completed",
             until=lambda d: d and d["state"] in ("failed", "imported"),
             mount=mon.m)
    assert b.hash in [t["hash" if kind == "qbittorrent" else "hashString"]
                      for t in client.torrents()]
    assert downloads(mon)[10]["state"] in ("sent", "failed")
    # again, for another user to read it too
    mon.unmount()
    mon.m = start(tmp_path, "allow_other", "config=" + str(mon.conf))
    shows_nowhere(PASSWORD, mon.m, tmp_path, [])


def test_nzbget_password_in_its_answers(monitored, clients, files,
                                        tmp_path):
    """The real NZBGet (its ControlPassword), downloading from its own
    news server: the password in its category's folder (the save folder
    learnt from it, where the download completes) and in the name of the
    NZB it queues, which it takes from the link; the download is
    imported from there."""
    content = CONTENT + b"N" * 50000
    ns = clients("nserv", files={"Saga 01 T10.cbz": content})
    nz = clients("nzbget", news_port=ns.port,
                 save="downloads-%s" % PASSWORD)
    reachable(tmp_path)
    mon = monitored(["Saga 01"], monitor=AUTO, general=SEND,
                    extra=usenet_conf(nz.url) + "[download]\n" + POLL,
                    releases={"saga 01": []})
    catalog(mon, files.put("/s01-10-%s.nzb" % PASSWORD,
                           ns.nzb("Saga 01 T10.cbz"), "application/x-nzb"))
    mon.check("missing")
    wait_for(lambda: downloads(mon).get(10), 90, "volume 10 imported",
             until=lambda d: d is None or d["state"] == "imported",
             mount=mon.m)
    assert (mon.root / "Saga 01" / "Saga 01 T10.cbz").read_bytes() == \
        content
    assert PASSWORD in json.dumps(nz.call("history", False))
    # the folder learnt is told, its secret masked
    assert "import: nzbget saves in %s by default" % (
        nz.save / "manga").as_posix().replace(PASSWORD, "REDACTED") in \
        mon.m.read("log").decode()
    mon.unmount()
    mon.m = start(tmp_path, "allow_other", "config=" + str(mon.conf))
    shows_nowhere(PASSWORD, mon.m, tmp_path, [])


def test_sabnzbd_key_in_its_answers(monitored, fake, files, tmp_path):
    """SABnzbd's fake (SABnzbd is not in Debian): its key in its complete
    folder (learnt from get_config), in the name and fail_message of a
    job that fails, and in the page of a 500 that echoes the request."""
    complete = tmp_path / ("complete-%s" % SAB_KEY)
    complete.mkdir()
    sab = fake("sabnzbd_fake.py", complete)
    found = []
    # the words reach the fake in the proxy link's file=, the title
    for guid, title in (("u04", "Saga 01 T04 FRENCH echo-key"),
                        ("u06", "Saga 01 T06 FRENCH echo-key error500")):
        r = release(guid, title, protocol="usenet")
        r["downloadUrl"] = files.put("/%s.nzb" % guid, NZB,
                                     "application/x-nzb")
        found.append(r)
    reachable(tmp_path)
    mon = monitored(["Saga 01"], monitor=AUTO, general=SEND,
                    extra=sab_conf(sab, None), releases={"saga 01": found})
    mon.check("missing")
    wait_for(lambda: downloads(mon).get(4), 30, "volume 4 failed",
             until=lambda d: d and d["state"] == "failed", mount=mon.m)
    # SABnzbd's words are shown, the key masked
    assert "URL Fetching failed; " in downloads(mon)[4]["reason"]
    assert "apikey=REDACTED" in downloads(mon)[4]["reason"]
    assert downloads(mon)[6]["state"] == "failed"
    assert len(sab.call("/_adds")) == 1
    mon.unmount()
    mon.m = start(tmp_path, "allow_other", "config=" + str(mon.conf))
    shows_nowhere(SAB_KEY, mon.m, tmp_path, [])


def test_mangadex_url_password_in_its_answers(tmp_path, fake):
    """The password of MangaDex's address (a proxy's user:password)
    echoed in a series' status, last volume and other titles, and in the
    detail of an error of its aggregate."""
    planted = "Pw-m4ngad3x"
    one = "0a1b2c3d-0000-4000-8000-000000000001"
    two = "0a1b2c3d-0000-4000-8000-000000000002"
    mon = Monitor(tmp_path, fake, [saga(1), saga(2)],
                  monitor="edition = en\n", mangadex={
                      "Saga 01": {"id": one, "lastVolume": planted,
                                  "status": "ongoing ?password=%s %s"
                                  % (planted, planted),
                                  "alt": ["Saga %s" % planted],
                                  "volumes": {"en": 16}},
                      "Saga 02": {"id": two, "volumes": {"en": 18},
                                  "fails": [400, "Error validating "
                                            "?password=%s: %s" % (
                                                planted, planted)]}})
    text = mon.conf.read_text()
    url = mon.mangadex.url
    mon.conf.write_text(text.replace(
        "url = %s\n" % url, "url = %s\n" % url.replace(
            "://", "://mediamon:%s@" % planted)))
    reachable(tmp_path)
    mon.m = start(tmp_path, "allow_other", "config=" + str(mon.conf))
    try:
        mon.m.write("manga/Saga 02/source", "mangadex:%s\n" % two)
        last = mon.check("new")
        assert last["errors"] == 1
        paths = sorted(c["path"] for c in mon.mangadex_calls())
        assert paths == ["/manga", "/manga/%s/aggregate" % one,
                         "/manga/%s/aggregate" % two]
        assert "mangadex: Saga 02: " in mon.m.read("status/health").decode()
        assert [e["volume"] for e in mon.m.json("status/new.json")] == \
            list(range(12, 17))
        shows_nowhere(planted, mon.m, tmp_path, [])
    finally:
        mon.unmount()
