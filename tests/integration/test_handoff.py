# SPDX-License-Identifier: GPL-3.0-or-later
"""The hand-off of found releases over a real mount, against fakes that
answer as Prowlarr, qBittorrent and SABnzbd do, and the real NZBGet
(test_clients.py has the real qBittorrent and Transmission):
which client gets what, what a refusal or a bad link does, and how all
of it shows in status/found.json; the history of checks
(metrics/checks.csv), the cache's pruning and the per-flow settings."""

import csv
import io
import json
import sqlite3

from clients import PASSWORD, USER, clients  # noqa
from conftest import wait_for
from test_monitor import (API_KEY, by_volume, monitored, qbit_conf,  # noqa
                          release, saga)

MAGNET = "magnet:?xt=urn:btih:%s&dn=Saga+01+T02"


def magnet_only(guid, title, seeders=40):
    """A release of a Cardigann indexer whose "download" is a magnet:
    the magnet is its guid, no download link, a proxy magnet link."""
    r = release(guid, title, seeders=seeders, indexer_id=3)
    r["guid"] = r["magnetUrl"] = MAGNET % guid
    r["downloadUrl"] = None
    return r


def with_links(guid, title, seeders, download=None, magnet=None,
               guid_value=None):
    """A release whose indexer links are as given (see prowlarr_fake.py
    for the words that misbehave)."""
    r = release(guid, title, seeders=seeders)
    r["downloadUrl"] = download
    r["magnetUrl"] = magnet
    if guid_value:
        r["guid"] = guid_value
    return r


AUTO = "auto_download = yes\n"
SEND = "dry_run = no\n"
# The catalog's release of Saga 01 volume 10 (test_monitor.Monitor's),
# a web link any torrent client takes as it is.
CATALOG_LINK = "https://ddl.example/s01-10"


def downloads(mon, series="Saga 01"):
    """Each wanted volume's download object, by volume."""
    return {v: e["download"] for v, e in
            by_volume(mon.m.json("status/found.json"), series).items()}


def adds(qbit):
    """How many torrents qBittorrent was asked to add (the tracker's
    polls are other requests)."""
    return len([r for r in qbit.call("/_requests")
                if r["path"] == "/api/v2/torrents/add"])


def states(entry):
    """The state of each release of a found.json entry, best first."""
    return [r["download"] and r["download"]["state"]
            for r in entry["releases"]]


def no_secret(mon):
    """Prowlarr's key is in no file of the mount that shows links or
    errors, and in no log line."""
    for rel in ("status/found.json", "manga/Saga 01/results.json",
                "status/health", "log", "metrics/checks.csv"):
        assert API_KEY not in mon.m.read(rel).decode(), rel


def test_magnet_only_reaches_qbittorrent(monitored, fake):
    qbit = fake("qbittorrent_fake.py")
    mon = monitored([saga(1)], monitor=AUTO, general=SEND,
                    extra=qbit_conf(qbit), releases={"saga 01": [
                        magnet_only("m02", "Saga 01 T02 FRENCH")]})
    last = mon.check("missing")
    # the proxy link's redirect was read by mediamon: qBittorrent got the
    # magnet, and nothing of Prowlarr's
    adds = qbit.call("/_adds")
    assert [u for a in adds for u in a["urls"]] == [MAGNET % "m02",
                                                     CATALOG_LINK]
    assert last["sent"] == 2 and last["downloads"] == 2
    d = downloads(mon)[2]
    assert d["state"] == "sent" and d["client"] == "qbittorrent"
    assert d["reason"] is None
    entry = by_volume(mon.m.json("status/found.json"), "Saga 01")[2]
    assert states(entry) == ["sent"]
    assert entry["releases"][0]["link"] is None
    no_secret(mon)
    assert API_KEY not in json.dumps(qbit.call("/_requests"))


USENET = {"saga 01": [
    release("u02", "Saga.01.T02.FRENCH.CBZ-NZB", protocol="usenet",
            indexer_id=2),
    release("t02-03", "Saga 01 Tomes 2 à 3 FRENCH", seeders=30),
]}


def test_usenet_reaches_sabnzbd(monitored, fake):
    qbit = fake("qbittorrent_fake.py")
    sab = fake("sabnzbd_fake.py")
    mon = monitored([saga(1)], monitor=AUTO, general=SEND, extra=(
        qbit_conf(qbit) + "[usenet]\nclient = sabnzbd\nurl = %s\n"
        "api_key = sabKEY0123456789abcdef0123456789\ncategory = books\n"
        % sab.url), releases=USENET)
    mon.check("missing")
    # the single volume (usenet) ranks before the range of 2 and 3:
    # SABnzbd gets it, as Prowlarr's proxy link, which it fetches itself
    adds = sab.call("/_adds")
    assert len(adds) == 1 and adds[0]["cat"] == "books"
    assert adds[0]["name"].startswith(mon.prowlarr.url + "/2/download?")
    assert adds[0]["nzbname"] == "Saga.01.T02.FRENCH.CBZ-NZB"
    d = downloads(mon)
    assert d[2]["state"] == "sent" and d[2]["client"] == "sabnzbd"
    # the range was not needed: volume 3 is owned
    assert [u for a in qbit.call("/_adds") for u in a["urls"]] == [
        CATALOG_LINK]
    entry = by_volume(mon.m.json("status/found.json"), "Saga 01")[2]
    assert entry["releases"][0]["protocol"] == "usenet"
    assert entry["releases"][0]["seeders"] is None
    assert states(entry) == ["sent", None]
    no_secret(mon)


def test_usenet_reaches_nzbget(monitored, fake, clients):
    """The real NZBGet (clients.py) fetches Prowlarr's proxy link itself,
    which redirects it to the indexer's NZB."""
    qbit = fake("qbittorrent_fake.py")
    nz = clients("nzbget")
    mon = monitored([saga(1)], monitor=AUTO, general=SEND, extra=(
        qbit_conf(qbit) + "[usenet]\nclient = nzbget\nurl = %s\n"
        "username = %s\npassword = %s\n" % (nz.url, USER, PASSWORD)),
        releases=USENET)
    mon.check("missing")
    assert downloads(mon)[2]["client"] == "nzbget"
    groups = wait_for(lambda: nz.call("listgroups", 0), 30,
                      "the NZB in NZBGet's queue")
    assert [g["NZBName"] for g in groups] == ["Saga.01.T02.FRENCH.CBZ-NZB"]
    # NZBGet itself asked Prowlarr's proxy link, which redirected it
    assert [(d["indexer"], d["status"]) for d in
            mon.prowlarr.call("/_downloads")] == [(2, 301)]
    assert PASSWORD not in mon.m.read("log").decode()


def test_usenet_skipped_without_usenet_client(monitored, fake):
    qbit = fake("qbittorrent_fake.py")
    mon = monitored([saga(1)], monitor=AUTO, general=SEND,
                    extra=qbit_conf(qbit), releases=USENET)
    last = mon.check("missing")
    entry = by_volume(mon.m.json("status/found.json"), "Saga 01")[2]
    # the usenet release is skipped, with the reason; the next best (the
    # range, a torrent) goes to qBittorrent
    assert states(entry) == ["skipped", "sent"]
    assert entry["releases"][0]["download"]["reason"] == \
        "no usenet client is set up"
    assert entry["download"]["state"] == "sent"
    assert entry["download"]["title"] == "Saga 01 Tomes 2 à 3 FRENCH"
    assert last["skipped"] == 1 and last["sent"] == 2


def test_usenet_only_skipped_stays_wanted(monitored, fake):
    qbit = fake("qbittorrent_fake.py")
    mon = monitored([saga(1)], monitor=AUTO, general=SEND,
                    extra=qbit_conf(qbit),
                    releases={"saga 01": USENET["saga 01"][:1]})
    last = mon.check("missing")
    entry = by_volume(mon.m.json("status/found.json"), "Saga 01")[2]
    assert states(entry) == ["skipped"]
    assert entry["download"] == {
        "state": "skipped", "client": "none",
        "title": "Saga.01.T02.FRENCH.CBZ-NZB", "at": entry["download"]["at"],
        "reason": "no usenet client is set up",
        "error": "no usenet client is set up", "client_id": None,
        "progress": 0.0}
    assert last["skipped"] == 1 and last["errors"] == 0
    # nothing went: the volume is still wanted, and no client was asked
    assert "Saga 01\t2\n" in mon.m.read("status/missing").decode()
    assert [u for a in qbit.call("/_adds") for u in a["urls"]] == [
        CATALOG_LINK]


def test_refusal_tries_the_next_release(monitored, fake):
    qbit = fake("qbittorrent_fake.py")
    mon = monitored([saga(1)], monitor=AUTO, general=SEND,
                    extra=qbit_conf(qbit), releases={"saga 01": [
                        magnet_only("fails-me", "Saga 01 T02 HQ", 90),
                        magnet_only("good", "Saga 01 T02", 10)]})
    last = mon.check("missing")
    entry = by_volume(mon.m.json("status/found.json"), "Saga 01")[2]
    # qBittorrent refused the best ("Fails."): the next one went
    assert states(entry) == ["failed", "sent"]
    assert entry["releases"][0]["download"]["reason"] == \
        "qbittorrent: the torrent was refused (Fails.)"
    assert entry["download"]["state"] == "sent"
    assert entry["download"]["title"] == "Saga 01 T02"
    assert [u for a in qbit.call("/_adds") for u in a["urls"]] == [
        MAGNET % "good", CATALOG_LINK]
    assert last["failed"] == 1 and last["sent"] == 2
    # a release refused is not the client failing
    assert "qbittorrent" not in mon.m.read("status/health").decode()


def test_refused_everywhere_stays_wanted(monitored, fake):
    qbit = fake("qbittorrent_fake.py")
    mon = monitored([saga(1)], monitor=AUTO, general=SEND,
                    extra=qbit_conf(qbit), releases={"saga 01": [
                        magnet_only("fails-me", "Saga 01 T02 HQ", 90),
                        magnet_only("invalid-me", "Saga 01 T02", 10)]})
    last = mon.check("missing")
    entry = by_volume(mon.m.json("status/found.json"), "Saga 01")[2]
    assert states(entry) == ["failed", "failed"]
    assert entry["download"]["state"] == "failed"
    assert entry["download"]["reason"] == \
        "qbittorrent: the torrent was refused (Fails.)"
    assert entry["download"]["title"] == "Saga 01 T02 HQ"
    assert last["failed"] == 2 and last["errors"] == 1
    assert last["sent"] == 1
    # the volume stays wanted, but the releases refused are blocklisted:
    # the next check sends neither again
    assert "Saga 01\t2\n" in mon.m.read("status/missing").decode()
    before = adds(qbit)
    mon.check("missing")
    assert "Saga 01\t2\n" in mon.m.read("status/missing").decode()
    assert adds(qbit) == before


def test_bad_links_fail_their_release(monitored, fake):
    qbit = fake("qbittorrent_fake.py")
    mon = monitored([saga(1)], monitor=AUTO, general=SEND,
                    extra=qbit_conf(qbit), releases={"saga 01": [
                        with_links("loop", "Saga 01 T02 A", 90,
                                   magnet="loop"),
                        with_links("ftp", "Saga 01 T02 B", 80,
                                   download="ftp"),
                        with_links("limited", "Saga 01 T02 C", 70,
                                   download="limited"),
                        with_links("html", "Saga 01 T02 D", 60,
                                   download="html"),
                        with_links("gone", "Saga 01 T02 E", 50,
                                   download="gone",
                                   guid_value=MAGNET % "fallback"),
                        with_links("never", "Saga 01 T02 F", 40,
                                   download="torrent:never")]})
    mon.check("missing")
    entry = by_volume(mon.m.json("status/found.json"), "Saga 01")[2]
    reasons = [r["download"] and r["download"]["reason"]
               for r in entry["releases"]]
    prefix = "qbittorrent: no link of the release works: "
    assert reasons[:4] == [
        prefix + "a redirect loop",
        prefix + "the link redirects to a ftp: link, neither a magnet"
        " nor a web link",
        prefix + "the indexer's grab limit is reached (HTTP 429, retry"
        " after 30 s)",
        prefix + "the link gave an HTML or XML page, not a torrent"]
    # a link gone, but a magnet guid: the fallback, sent; the next
    # release is never tried
    assert states(entry) == ["failed"] * 4 + ["sent", None]
    assert [u for a in qbit.call("/_adds") for u in a["urls"]] == [
        MAGNET % "fallback", CATALOG_LINK]
    # the redirect to a magnet was read, never followed into qBittorrent
    assert all(not a["torrents"] for a in qbit.call("/_adds"))
    no_secret(mon)


def test_dead_link_blocklisted_at_once(monitored, fake):
    """A link that answers 410, or redirects to the indexer's 404, is a
    release gone for good (issue 45): blocklisted with that reason at
    once, and never fetched again."""
    qbit = fake("qbittorrent_fake.py")
    missing = with_links("missing", "Saga 01 T04 B", 80, download="/nothing")
    missing["_redirect"] = True
    mon = monitored([saga(1)], monitor=AUTO, general=SEND,
                    extra=qbit_conf(qbit), releases={"saga 01": [
                        with_links("gone", "Saga 01 T02 A", 90,
                                   download="gone"),
                        missing,
                        with_links("limited", "Saga 01 T06 C", 70,
                                   download="limited")]})
    mon.check("missing")
    found = by_volume(mon.m.json("status/found.json"), "Saga 01")
    prefix = "qbittorrent: no link of the release works: "
    gone = prefix + "the release is no longer there (HTTP 410)"
    notfound = prefix + "the release is no longer there (HTTP 404)"
    assert found[2]["releases"][0]["download"]["reason"] == gone
    assert found[4]["releases"][0]["download"]["reason"] == notfound
    blocked = mon.m.read("control/blocklist").decode()
    assert "\tSaga 01 T02 A\t%s\n" % gone in blocked
    assert "\tSaga 01 T04 B\t%s\n" % notfound in blocked
    # a grab limit passes: not blocklisted
    assert "Saga 01 T06 C" not in blocked
    fetched = len(mon.prowlarr.call("/_downloads"))
    assert fetched == 3
    mon.check("missing")
    links = [d["link"] for d in mon.prowlarr.call("/_downloads")[fetched:]]
    assert links == ["limited"]
    found = by_volume(mon.m.json("status/found.json"), "Saga 01")
    assert found[2]["releases"] == [] and found[4]["releases"] == []
    assert "qbittorrent" not in mon.m.read("status/health").decode()


def test_prowlarr_html_in_health(monitored):
    mon = monitored([saga(1)])
    html = "<!DOCTYPE html><html><body>Prowlarr</body></html>"
    mon.prowlarr.call("/_inject", {"query": "saga 01", "status": 200,
                                   "times": 1, "body": html,
                                   "content_type": "text/html"})
    last = mon.check("missing")
    assert last["errors"] == 1
    assert "error: prowlarr: an HTML page, not JSON (check the url)" in \
        mon.m.read("status/health").decode()
    assert "an HTML page, not JSON (is the url Prowlarr's" in \
        mon.m.read("log").decode()
    assert by_volume(mon.m.json("status/found.json"), "Saga 01")[2][
        "releases"] == []


def test_prowlarr_wrong_key(monitored):
    mon = monitored([saga(1)])
    mon.unmount()
    mon.conf.write_text(mon.conf.read_text().replace(API_KEY, "wrongKEY"))
    mon.mount()
    last = mon.check("missing")
    assert last["errors"] == 1
    searches = mon.searches()
    assert searches and searches[-1]["api_key"] == "wrongKEY"
    assert "error: prowlarr: access refused (HTTP 401 or 403)" in \
        mon.m.read("status/health").decode()
    assert "wrongKEY" not in mon.m.read("log").decode()


def checks_csv(mon):
    return list(csv.DictReader(io.StringIO(
        mon.m.read("metrics/checks.csv").decode())))


def test_checks_history(monitored, fake):
    qbit = fake("qbittorrent_fake.py")
    mon = monitored([saga(1)], monitor=AUTO, general=SEND,
                    extra=qbit_conf(qbit),
                    nautiljon={"saga+01": [14, "En cours"]})
    assert mon.m.read("metrics/checks.csv").decode().splitlines() == [
        "id,kind,trigger,started_at,finished_at,duration_s,series,wanted,"
        "found,catalog,prowlarr,nautiljon,cache_hits,sent,skipped,failed,"
        "errors,completed,download_failed,imported,mangadex,mangaupdates,"
        "anilist,kitsu"]
    mon.check("missing")
    mon.check("missing")
    mon.check("new")
    rows = checks_csv(mon)
    # every check kept, the newest last
    assert [(r["kind"], r["trigger"]) for r in rows] == [
        ("missing", "control")] * 2 + [("new", "control")]
    first, second, new = rows
    assert first["prowlarr"] == "1" and first["cache_hits"] == "0"
    assert first["sent"] == "3" and first["wanted"] == "5"
    assert first["found"] == "4" and first["catalog"] == "5"
    # asked by hand: Prowlarr afresh, not the cache (issue 81)
    assert second["prowlarr"] == "1" and second["cache_hits"] == "0"
    assert second["sent"] == "0"
    assert new["nautiljon"] == "1" and new["wanted"] == "3"
    assert all(r["finished_at"].endswith("Z") and
               float(r["duration_s"]) >= 0 for r in rows)
    assert int(first["id"]) < int(second["id"]) < int(new["id"])
    # monitor.json's last check of each flow is the newest row
    last = mon.m.json("metrics/monitor.json")["last_check"]
    assert last["missing"]["cache_hits"] == 0
    assert last["missing"]["requests"]["prowlarr"] == 1
    assert last["new"]["requests"]["nautiljon"] == 1
    # both flows set last_checked for the series
    status = mon.m.json("manga/Saga 01/status.json")
    assert status["last_checked"]
    # and the history outlives a restart
    mon.unmount()
    mon.mount()
    assert len(checks_csv(mon)) == 3


def test_last_checked_by_the_missing_flow(monitored):
    mon = monitored([saga(1)], monitor="new_volumes = no\n")
    assert mon.m.json("manga/Saga 01/status.json")["last_checked"] is None
    mon.check("missing")
    assert mon.m.json("manga/Saga 01/status.json")["last_checked"]


def cache_rows(mon):
    db = sqlite3.connect("file:%s?mode=ro" % mon.m.db, uri=True)
    try:
        return db.execute("SELECT query FROM search_cache"
                          " ORDER BY query").fetchall()
    finally:
        db.close()


def test_expired_cache_entries_pruned(monitored):
    mon = monitored([saga(1), saga(2)], monitor="cache_ttl = 1h\n")
    mon.check("missing")
    assert cache_rows(mon) == [("saga 01",), ("saga 02",)]
    doc = mon.m.json("metrics/monitor.json")
    assert doc["cache"]["total_entries"] == 2
    mon.m.write("manga/Saga 02/monitored", "0\n")
    # past the ttl, whatever the clock did meanwhile
    db = sqlite3.connect(mon.m.db, timeout=60)
    try:
        with db:
            db.execute("UPDATE search_cache SET stored_at = stored_at"
                       " - 7200")
    finally:
        db.close()
    # expired, not pruned yet: monitor.json counts only live entries
    assert len(cache_rows(mon)) == 2
    assert mon.m.json("metrics/monitor.json")["cache"][
        "total_entries"] == 0
    # the next check prunes them: Saga 02's goes, Saga 01's is new
    mon.check("missing")
    assert cache_rows(mon) == [("saga 01",)]
    assert mon.m.json("metrics/monitor.json")["cache"][
        "total_entries"] == 1


def test_per_flow_settings(monitored, fake):
    qbit = fake("qbittorrent_fake.py")
    mon = monitored([saga(1)], general=SEND, extra=qbit_conf(qbit),
                    nautiljon={"saga+01": [13, "En cours"]},
                    monitor="missing_search_sources = catalog\n"
                    "missing_auto_download = yes\n"
                    "new_search_sources = prowlarr\n"
                    "new_auto_download = no\n")
    last = mon.check("missing")
    # the missing flow: the catalog only, and what it found is sent
    assert mon.searches() == []
    assert last["requests"]["catalog"] == 5
    assert [u for a in qbit.call("/_adds") for u in a["urls"]] == [
        CATALOG_LINK]
    last = mon.check("new")
    # the new flow: Prowlarr only, and nothing sent
    assert len(mon.searches()) == 1
    assert last["requests"]["catalog"] == 0
    assert len(qbit.call("/_adds")) == 1 and last["sent"] == 0
    assert downloads(mon)[12] is None


def test_client_down_other_protocol_goes(monitored, fake):
    qbit = fake("qbittorrent_fake.py")
    sab = fake("sabnzbd_fake.py")
    mon = monitored([saga(1)], monitor=AUTO, general=SEND, extra=(
        qbit_conf(qbit, password="wrong") + "[usenet]\nclient = sabnzbd\n"
        "url = %s\napi_key = sabKEY0123456789abcdef0123456789\n" % sab.url),
        releases={"saga 01": [
            magnet_only("t02", "Saga 01 T02 FRENCH", 90),
            release("u02", "Saga.01.T02.FRENCH.CBZ-NZB", protocol="usenet",
                    indexer_id=2)]})
    mon.check("missing")
    entry = by_volume(mon.m.json("status/found.json"), "Saga 01")[2]
    # qBittorrent refused the login: its release failed, and the usenet
    # one went to SABnzbd all the same
    assert states(entry) == ["failed", "sent"]
    assert "login refused" in entry["releases"][0]["download"]["reason"]
    assert entry["download"]["client"] == "sabnzbd"
    assert len(sab.call("/_adds")) == 1
    # the refused login was not tried again for the catalog's volume 10
    logins = [r for r in qbit.call("/_requests")
              if r["path"] == "/api/v2/auth/login"]
    assert len(logins) == 1
    assert downloads(mon)[10]["state"] == "failed"
    assert "error: qbittorrent: login refused" in \
        mon.m.read("status/health").decode()
