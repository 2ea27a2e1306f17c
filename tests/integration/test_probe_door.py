# SPDX-License-Identifier: GPL-3.0-or-later
"""The doors probed by a local user (issue 60): what the mount and the
[http] listener answer that user must name nothing of another user's
private files, and what the listener hears of who asks must come from
who asks. Each case is one the probe found open."""

import grp
import json
import os
import random
import signal
import subprocess
import tempfile
import uuid
import xml.etree.ElementTree as ET
from urllib.parse import quote, urlencode

from conftest import accounts, make_flac, unmount, wait_for
from access_users import denied, start_daemon, user, world  # noqa: F401
from access_users import drop_user, make_user
from test_http import PASSWORD, Web, open_and_shut

HIDDEN = "a track this user may not read"
NS = "{http://subsonic.org/restapi}"


def garbage_flac(path):
    """A file that begins like a FLAC and is none: indexed by its name,
    and a failure of the analysis."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    rng = random.Random(7)
    with open(path, "wb") as f:
        f.write(b"fLaC" + bytes(rng.randrange(256) for _ in range(40000)))


def last_error(data):
    return json.loads(data)["last_error"]


def test_analysis_error_names_no_private_track(world, user):  # noqa: F811
    """A track in a folder only root may enter that the analysis fails
    on: /metrics/analysis.json names its path to root, and to another
    user only that an error came, until the user may read it."""
    music = os.path.join(world, "music")
    make_flac(os.path.join(music, "Open", "Pub", "01.flac"), "Pub", "Open",
              "Pub", 1)
    shut = os.path.join(music, "Shut")
    secret = os.path.join(shut, "SecretXyz", "SecretXyz.flac")
    garbage_flac(secret)
    os.chmod(secret, 0o600)
    os.chmod(shut, 0o700)
    m = start_daemon(world, "music=" + music)
    try:
        mine = wait_for(lambda: last_error(m.read(
            "metrics/analysis.json")), 90, "the analysis' error", mount=m)
        assert mine["message"].startswith(secret + ": "), mine
        theirs = last_error(user.read(m.file("metrics/analysis.json")))
        assert theirs["message"] == HIDDEN, theirs
        assert theirs["at_s"] == mine["at_s"]
        denied(user.read(secret), "the failed track itself")

        os.chmod(shut, 0o755)
        os.chmod(secret, 0o644)
        wait_for(lambda: last_error(user.read(m.file(
            "metrics/analysis.json"))), 30, "the error named to a reader",
            until=lambda e: e["message"] == mine["message"], mount=m)
    finally:
        unmount(m.path, m.proc)


def curl_as(u, url, *args):
    """The status code of a GET of url by curl run as the local user u."""
    r = u.run("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}",
              "--max-time", "60", *args, url)
    assert r.returncode == 0, r
    return int(r.stdout)


def test_another_local_users_forwarded_for_is_not_heard(user):  # noqa: F811
    """With trusted_proxy = 127.0.0.1, as the install guide sets it, a
    local user who connects from the loopback is not the proxy: the
    X-Forwarded-For it sends is not heard, so naming a new address at
    each try does not escape the wrong-password hold (before, it guessed
    without end), and the log says whose the connection was. Root's
    connections (the proxy's user) are still heard."""
    where = tempfile.mkdtemp(prefix="mediamon-probe.")
    os.chmod(where, 0o755)
    w = Web(where, conf_extra="trusted_proxy = 127.0.0.1\n")
    try:
        url = w.base + "/metrics"
        codes = [curl_as(user, url, "-u", "root:wrong%d" % i, "-H",
                         "X-Forwarded-For: 203.0.113.%d" % (i + 1))
                 for i in range(8)]
        assert codes[:5] == [401] * 5, codes
        assert codes[-1] == 429, codes
        assert curl_as(user, url, "-u", "root:" + PASSWORD, "-H",
                       "X-Forwarded-For: 203.0.113.99") == 429
        assert "is user %s's, not the proxy's" % user.name in w.log()
        # the proxy's own connection forwards a client not held
        status, _, _ = w.curl("/metrics", "-H",
                              "X-Forwarded-For: 198.51.100.7")
        assert status == 200
    finally:
        w.stop()
        subprocess.run(["rm", "-rf", where])


def test_local_guesses_are_held_by_user_not_by_loopback(user):  # noqa: F811
    """Any local user may connect from any address of 127.0.0.0/8: a
    guesser that takes a new one for each try is held after the sixth
    wrong password all the same, counted by its socket's owner (issue
    60), and logged by its name; root's requests from the loopback and
    another local user's wrong password are not held with it (before,
    the loopback was one key: six wrong passwords a minute by any local
    user kept every local user out, issue 76)."""
    where = tempfile.mkdtemp(prefix="mediamon-probe.")
    os.chmod(where, 0o755)
    other = make_user()
    w = Web(where)
    try:
        url = w.base + "/metrics"
        codes = [curl_as(user, url, "--interface", "127.0.0.%d" % (i + 2),
                         "-u", "root:wrong%d" % i) for i in range(8)]
        assert codes[:5] == [401] * 5, codes
        assert codes[-1] == 429, codes
        assert curl_as(user, url, "-u", "root:" + PASSWORD) == 429
        assert w.log().count("wrong passwords from user %s " % user.name) \
            == 1
        for source in ("127.0.0.1", "127.0.0.200"):
            assert w.curl("/metrics", "--interface", source)[0] == 200
        assert curl_as(other, url, "-u", "root:wrong") == 401
    finally:
        w.stop()
        drop_user(other)
        subprocess.run(["rm", "-rf", where])


def test_control_post_from_a_web_page_is_refused(tmp_path):
    """A page of another site can make the browser POST a form to the
    listener with the password it keeps for it: a POST that names the
    page it comes from (Origin, which browsers send, or a Referer alone,
    when an older browser or the page's referrer policy leaves Origin
    out: issue 76) is refused and changes nothing; one with neither, as
    curl sends it, is taken."""
    w = Web(tmp_path)
    try:
        for header in ("Origin: http://evil.example", "Origin: null",
                       "Origin: " + w.base,
                       "Referer: http://evil.example/form.html",
                       "Referer: " + w.base + "/"):
            status, _, body = w.curl("/control/log-level", "-H", header,
                                     "--data-binary", "error")
            assert status == 403, (header, body)
        assert w.m.read("control/log-level").decode().split()[0] != "error"
        assert w.curl("/control/log-level", "--data-binary", "error")[0] \
            == 200
        assert w.m.read("control/log-level").decode().split()[0] == "error"
    finally:
        w.stop()


def test_control_characters_of_a_tag_break_no_xml_answer(tmp_path):
    """A user's track titled with control characters (and markup) in a
    shared root: every Subsonic list that holds it stays well-formed XML
    for every player (before, one such title broke search3 and
    getRandomSongs for all who could see the track), the markup as
    text."""
    top = tmp_path / "music"
    title = "ctl\x01\x0bx</song><song id=\"x\"'&"
    make_flac(str(top / "Evil" / "01.flac"), title, "Evil\"Artist",
              "Evil</album>", 1)
    w = Web(tmp_path, music=top)
    try:
        def xml(method, **params):
            _, _, body = w.curl("/rest/%s?%s" % (method, urlencode(dict(
                u="root", p=PASSWORD, v="1.16.1", c="t", **params))))
            return ET.fromstring(body)

        wait_for(lambda: xml("search3", query="").findall(
            ".//" + NS + "song"), 60, "the song", mount=w.m)
        for method, params in (("search3", {"query": ""}),
                               ("getRandomSongs", {}),
                               ("getAlbumList2", {"type": "newest"}),
                               ("getArtists", {})):
            root = xml(method, **params)
            assert root.get("status") == "ok", (method, root.attrib)
        song = xml("search3", query="").find(".//" + NS + "song")
        assert song.get("title") == title.replace(
            "\x01", "\ufffd").replace("\x0b", "\ufffd")
        assert song.get("album") == "Evil</album>"
    finally:
        w.stop()


def test_every_answer_says_nosniff(tmp_path):
    """A browser must not take a library file for a page or a script by
    its bytes: every answer (a file, a range, a 304, a folder, the
    dashboard, a refusal, a Subsonic answer, a track streamed) names its
    type as the only one (X-Content-Type-Options: nosniff)."""
    top = tmp_path / "music"
    make_flac(str(top / "Page" / "01.flac"), "Page", "Page", "Page", 1)
    w = Web(tmp_path, music=top)
    try:
        album = "/library/music/artists/Page/Page/"
        track = album + quote(wait_for(lambda: os.listdir(
            w.m.path + album), 60, "the track")[0])
        status, head, _ = w.curl(track)
        answers = [(status, head)]
        answers.append(w.curl(track, "-r", "0-3")[:2])
        answers.append(w.curl(track, "-H",
                              "If-None-Match: " + head["etag"])[:2])
        for path in (album, "/", "/status/health", "/nothing/here"):
            answers.append(w.curl(path)[:2])
        answers.append(w.curl("/metrics", user=None)[:2])
        answers.append(w.curl("/rest/ping?u=root&p=x&v=1.16.1&c=t")[:2])
        song = ET.fromstring(w.curl("/rest/search3?" + urlencode(dict(
            u="root", p=PASSWORD, v="1.16.1", c="t", query="")))[2]).find(
            ".//" + NS + "song")
        answers.append(w.curl("/rest/stream?" + urlencode(dict(
            u="root", p=PASSWORD, v="1.16.1", c="t",
            id=song.get("id"))))[:2])
        assert sorted({s for s, _ in answers}) == [200, 206, 304, 401, 404]
        for status, head in answers:
            assert head.get("x-content-type-options") == "nosniff", \
                (status, head)
    finally:
        w.stop()


def test_account_groups_are_the_users_now(world):  # noqa: F811
    """An HTTP account's groups are its user's as a login now would get
    them: a user added to a folder's group reads that folder's track at
    once, no reload, and no longer once taken out of it; a user deleted
    from the machine is refused (401), logged once."""
    group = "mg" + uuid.uuid4().hex[:10]
    accounts("groupadd", group)
    user = make_user()
    try:
        music = os.path.join(world, "music")
        make_flac(os.path.join(music, "Grp", "Alb", "01.flac"), "Alb",
                  "Grp", "Alb", 1)
        os.chown(os.path.join(music, "Grp"), 0, grp.getgrnam(group).gr_gid)
        os.chmod(os.path.join(music, "Grp"), 0o750)
        where = tempfile.mkdtemp(dir=world)
        w = Web(where, names=("root", user.name), music=music)
        try:
            album = "/library/music/artists/Grp/Alb/"
            track = album + quote(wait_for(lambda: os.listdir(
                w.m.path + album), 60, "the track")[0])
            assert w.curl(track, user=user.name)[0] == 404
            accounts("gpasswd", "-a", user.name, group)
            assert w.curl(track, user=user.name)[0] == 200
            accounts("gpasswd", "-d", user.name, group)
            assert w.curl(track, user=user.name)[0] == 404
            assert w.curl("/", user=user.name)[0] == 200
            drop_user(user)
            assert w.curl("/", user=user.name)[0] == 401
            assert w.curl("/", user=user.name)[0] == 401
            assert w.log().count("http: %s is no local user any more"
                                 % user.name) == 1
            assert w.curl("/")[0] == 200
        finally:
            w.stop()
    finally:
        drop_user(user)
        accounts("groupdel", group, check=False)


def prometheus_samples(text, name):
    return [line for line in text.splitlines()
            if line.startswith((name + " ", name + "{"))]


def test_library_counts_are_the_owners(world, user):  # noqa: F811
    """summary.json's counts and each root's files, and the Prometheus
    samples that mirror them, take in tracks another user may not see:
    root gets them; another account over HTTP and another user on the
    mount get their own counts (the track they may read, not the one in
    root's folder: issue 79), null files and no sample (before, both got
    root's figures, then null counts)."""
    music = open_and_shut(world)
    where = tempfile.mkdtemp(dir=world)
    os.chmod(where, 0o755)
    w = Web(where, names=("root", user.name), music=music,
            options=("allow_other",))
    try:
        mine = wait_for(lambda: json.loads(w.curl(
            "/status/summary.json")[2]), 60, "both tracks counted",
            until=lambda d: d["counts"]["tracks"] == 2)
        assert mine["roots"][0]["files"] == 2
        # counted on a thread of their own: the first reads may find
        # them being counted (null)
        theirs = [wait_for(lambda: json.loads(w.curl(
                      "/status/summary.json", user=user.name)[2]), 60,
                      "the account's counts", until=lambda d: d["counts"]),
                  wait_for(lambda: json.loads(user.read(w.m.file(
                      "status/summary.json"))), 60, "the user's counts",
                      until=lambda d: d["counts"])]
        assert (mine["counts"]["tracks"], mine["counts"]["albums"],
                mine["counts"]["artists"]) == (2, 2, 2)
        for doc in theirs:
            assert (doc["counts"]["tracks"], doc["counts"]["albums"],
                    doc["counts"]["artists"], doc["counts"]["files"],
                    doc["counts"]["broken_links"]) == (1, 1, 1, 1, 0), doc
            assert [r["files"] for r in doc["roots"]] == [None], doc
            assert doc["roots"][0]["path"] == mine["roots"][0]["path"]
        prom = w.curl("/metrics", user=user.name)[2].decode()
        own = w.curl("/metrics")[2].decode()
        for name in ("mediamon_tracks", "mediamon_files",
                     "mediamon_root_files"):
            assert prometheus_samples(own, name), name
            assert not prometheus_samples(prom, name), name
            assert "# TYPE %s gauge" % name in prom
        assert prometheus_samples(prom, "mediamon_uptime_seconds")
    finally:
        w.stop()
