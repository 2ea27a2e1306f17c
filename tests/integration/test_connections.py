# SPDX-License-Identifier: GPL-3.0-or-later
"""mediamon --check-connections: one harmless request to every configured
service, one line each, exit 0 when all are ok, 1 when one is not, 2 on a
bad configuration or command; no secret in what it prints."""

import re
import socket
import subprocess

import conftest
from clients import PASSWORD, USER, clients  # noqa: F401 (fixture)

PROWLARR_KEY = "fakeKEY-0123456789abcdef"
ARR_KEY = "arrKEY-test"


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def check(tmp_path, library, text, *extra):
    conf = tmp_path / "mediamon.conf"
    conf.write_text(text)
    conf.chmod(0o600)
    args = [conftest.BINARY, "--check-connections", *extra,
            "-o", "config=" + str(conf), "-o", "music=" + str(library),
            "-o", "db=" + str(tmp_path / "x.db")]
    return subprocess.run(args, capture_output=True, text=True,
                          timeout=120)


def lines(r):
    return dict(line.split(": ", 1) for line in r.stdout.splitlines())


def no_secret(r, *secrets):
    for s in secrets:
        assert s not in r.stdout and s not in r.stderr


def test_all_ok(library, tmp_path, fake, clients):  # noqa: F811
    prowlarr = fake("prowlarr_fake.py")
    sonarr = fake("arr_fake.py", "sonarr")
    radarr = fake("arr_fake.py", "radarr")
    qbit = clients("qbittorrent")
    r = check(tmp_path, library,
              "[prowlarr]\nurl = %s\napi_key = %s\n"
              "[download]\nclient = qbittorrent\nurl = %s\n"
              "username = %s\npassword = %s\n"
              "[sonarr]\nurl = %s\napi_key = %s\n"
              "[radarr]\nurl = %s\napi_key = %s\n"
              % (prowlarr.url, PROWLARR_KEY, qbit.url, USER, PASSWORD,
                 sonarr.url, ARR_KEY, radarr.url, ARR_KEY))
    assert r.returncode == 0, r.stdout + r.stderr
    assert lines(r) == {
        "prowlarr": "ok (version 1.20.1.4603)",
        "qbittorrent": lines(r)["qbittorrent"],
        "sonarr": "ok (version 4.0.0.738)",
        "radarr": "ok (version 5.2.6.8376)",
    }
    assert lines(r)["qbittorrent"].startswith("ok (version v4.")
    no_secret(r, PROWLARR_KEY, ARR_KEY, PASSWORD)


def test_transmission_ok_and_wrong_password(library, tmp_path,
                                            clients):  # noqa: F811
    tr = clients("transmission")
    conf = ("[download]\nclient = transmission\nurl = %s\n"
            "username = %s\npassword = %%s\n" % (tr.url, USER))
    r = check(tmp_path, library, conf % PASSWORD)
    assert r.returncode == 0, r.stdout + r.stderr
    assert lines(r)["transmission"].startswith("ok (version ")
    r = check(tmp_path, library, conf % "wrong-Pass-42")
    assert r.returncode == 1
    assert lines(r) == {"transmission":
                        "refused credentials (the user name or password"
                        " was refused (HTTP 401))"}
    no_secret(r, PASSWORD, "wrong-Pass-42")


def test_aria2_ok_wrong_secret_and_down(library, tmp_path,
                                        clients):  # noqa: F811
    """aria2c's JSON-RPC: its version with the right secret (the url
    naming only the host gets /jsonrpc), the secret refused in words
    that say which key, and aria2 down: unreachable."""
    a2 = clients("aria2")
    conf = "[download]\nclient = aria2\nurl = %s\npassword = %s\n"
    r = check(tmp_path, library, conf % (a2.url, PASSWORD))
    assert r.returncode == 0, r.stdout + r.stderr
    assert lines(r)["aria2"].startswith("ok (version 1."), r.stdout
    r = check(tmp_path, library, conf % (a2.rpc_url, "wrong-Secret-42"))
    assert r.returncode == 1
    assert lines(r) == {"aria2": "refused credentials (the RPC secret was"
                        " refused: [download] password must be aria2c's"
                        " --rpc-secret)"}
    no_secret(r, PASSWORD, "wrong-Secret-42")
    port = closed_port()
    r = check(tmp_path, library,
              conf % ("http://127.0.0.1:%d" % port, PASSWORD))
    assert r.returncode == 1
    assert lines(r)["aria2"].startswith("unreachable (")
    no_secret(r, PASSWORD)


def test_wrong_key_and_password_refused(library, tmp_path, fake,
                                        clients):  # noqa: F811
    prowlarr = fake("prowlarr_fake.py")
    qbit = clients("qbittorrent")
    r = check(tmp_path, library,
              "[prowlarr]\nurl = %s\napi_key = wrongKEY-987\n"
              "[download]\nclient = qbittorrent\nurl = %s\n"
              "username = %s\npassword = wrong-Pass-42\n"
              % (prowlarr.url, qbit.url, USER))
    assert r.returncode == 1
    assert lines(r) == {
        "prowlarr": "refused credentials (HTTP 401)",
        "qbittorrent": "refused credentials (login refused (Fails.):"
                       " check the user name and password)",
    }
    no_secret(r, "wrongKEY-987", "wrong-Pass-42")


def test_service_down_unreachable(library, tmp_path, fake):
    sonarr = fake("arr_fake.py", "sonarr")
    port = closed_port()
    r = check(tmp_path, library,
              "[sonarr]\nurl = %s\napi_key = %s\n"
              "[radarr]\nurl = http://127.0.0.1:%d\napi_key = %s\n"
              % (sonarr.url, ARR_KEY, port, ARR_KEY))
    assert r.returncode == 1
    out = lines(r)
    assert out["sonarr"] == "ok (version 4.0.0.738)"
    assert out["radarr"].startswith("unreachable (")
    assert "127.0.0.1:%d" % port in out["radarr"]
    no_secret(r, ARR_KEY)


def test_webhooks_not_asked(library, tmp_path):
    r = check(tmp_path, library,
              "[notify]\nslack_webhook = https://hooks.slack.com/services/"
              "T0/B0/secretXYZ\nwebhook = http://127.0.0.1:%d/h?token=tokXYZ\n"
              % closed_port())
    assert r.returncode == 0, r.stdout + r.stderr
    assert lines(r) == {"slack": "not asked (no harmless request)",
                        "webhook": "not asked (no harmless request)"}
    no_secret(r, "secretXYZ", "tokXYZ")


def test_bad_config_exit_2(library, tmp_path):
    r = check(tmp_path, library, "[prowlarr]\nnot_a_key = 1\n")
    assert r.returncode == 2
    assert r.stdout == ""
    assert "not_a_key" in r.stderr


def test_with_check_config_or_mount_point_exit_2(library, tmp_path):
    r = check(tmp_path, library, "", "--check-config")
    assert (r.returncode, r.stdout) == (2, "")
    assert "--check-connections" in r.stderr
    r = check(tmp_path, library, "", str(tmp_path))
    assert (r.returncode, r.stdout) == (2, "")
    assert "--check-connections" in r.stderr


RD_TOKEN = "rdTOKEN-test"
PLEX_TOKEN = "plexTOKEN-test"
JELLY_KEY = "jellyKEY-test"
TG_TOKEN = "7000000001:AAFakeBotTokenForMediamonTests_x1"
DISCORD = "/api/webhooks/42/dcTOKEN-abc"


def remote_conf(rd, plex, jelly, emby, tg, ntfy, hooks, rd_token=RD_TOKEN,
                plex_token=PLEX_TOKEN, jelly_key=JELLY_KEY,
                tg_token=TG_TOKEN, discord=DISCORD):
    return ("[realdebrid]\napi_token = %s\nurl = %s/rest/1.0\n"
            "[plex]\nurl = %s\ntoken = %s\n"
            "[jellyfin]\nurl = %s\napi_key = %s\n"
            "[emby]\nurl = %s\napi_key = %s\n"
            "[notify]\ntelegram_url = %s\ntelegram_token = %s\n"
            "telegram_chat = 123456789\nntfy_url = %s/mediamon\n"
            "discord_webhook = %s%s\n"
            % (rd_token, rd.url, plex.url, plex_token, jelly.url,
               jelly_key, emby.url, jelly_key, tg.url, tg_token, ntfy.url,
               hooks.url, discord))


def remote_fakes(fake):
    return (fake("realdebrid_fake.py"), fake("plex_fake.py"),
            fake("jellyfin_fake.py", "jellyfin"),
            fake("jellyfin_fake.py", "emby"), fake("telegram_fake.py"),
            fake("ntfy_fake.py"), fake("webhook_fake.py"))


def test_remote_services_ok(library, tmp_path, fake):
    fakes = remote_fakes(fake)
    r = check(tmp_path, library, remote_conf(*fakes))
    assert r.returncode == 0, r.stdout + r.stderr
    assert lines(r) == {
        "realdebrid": "ok (account premium)",
        "plex": "ok (version 1.40.1.8227-c0dd5a73e)",
        "jellyfin": "ok (version 10.8.13)",
        "emby": "ok (version 4.8.1.0)",
        "telegram": "ok (bot mediamon_test_bot)",
        "ntfy": "ok (healthy)",
        "discord": "ok (webhook mediamon)",
    }
    no_secret(r, RD_TOKEN, PLEX_TOKEN, JELLY_KEY, TG_TOKEN, "dcTOKEN-abc")
    # nothing was sent: the Discord webhook and Telegram saw one GET each
    posts = fakes[6].call("/_posts")
    assert [p["headers"].get("Content-Length", "0") for p in posts] == \
        ["0"]
    assert [p["path"] for p in fakes[4].call("/_posts")] == \
        ["/bot%s/getMe" % TG_TOKEN]


def test_remote_services_refused(library, tmp_path, fake):
    fakes = remote_fakes(fake)
    r = check(tmp_path, library, remote_conf(
        *fakes, rd_token="rdWRONG-1", plex_token="plexWRONG-2",
        jelly_key="jellyWRONG-3", tg_token="1:tgWRONG-4",
        discord="/api/webhooks/42/revoked"))
    assert r.returncode == 1
    refused = "refused credentials (HTTP 401)"
    assert lines(r) == {
        "realdebrid": refused, "plex": refused, "jellyfin": refused,
        "emby": refused, "telegram": refused, "ntfy": "ok (healthy)",
        "discord": refused,
    }
    no_secret(r, "rdWRONG-1", "plexWRONG-2", "jellyWRONG-3", "tgWRONG-4")


def test_usenet_and_blackhole(library, tmp_path, fake,
                              clients):  # noqa: F811
    sab = fake("sabnzbd_fake.py")
    hole = tmp_path / "hole"
    hole.mkdir()
    conf = ("[download]\nclient = blackhole\nblackhole_dir = %s\n"
            "[usenet]\nclient = sabnzbd\nurl = %s\napi_key = %%s\n"
            % (hole, sab.url))
    key = "sabKEY0123456789abcdef0123456789"
    r = check(tmp_path, library, conf % key)
    assert r.returncode == 0, r.stdout + r.stderr
    out = lines(r)
    assert out["blackhole"] == "ok (folder %s writable)" % hole
    assert out["sabnzbd"].startswith("ok (version ")
    no_secret(r, key)
    hole.rmdir()
    r = check(tmp_path, library, conf % "sabWRONG-5")
    assert r.returncode == 1
    assert lines(r) == {
        "blackhole": "cannot open the folder %s: No such file or"
                     " directory" % hole,
        "sabnzbd": "refused credentials (refused (HTTP 403): API Key"
                   " Incorrect)"}
    no_secret(r, "sabWRONG-5")

    nzbget = clients("nzbget")
    r = check(tmp_path, library,
              "[usenet]\nclient = nzbget\nurl = %s\nusername = %s\n"
              "password = %%s\n" % (nzbget.url, USER) % PASSWORD)
    assert r.returncode == 0, r.stdout + r.stderr
    assert lines(r)["nzbget"].startswith("ok (version ")
    no_secret(r, PASSWORD)
    r = check(tmp_path, library,
              "[usenet]\nclient = nzbget\nurl = %s\nusername = %s\n"
              "password = nzbWRONG-6\n" % (nzbget.url, USER))
    assert (r.returncode, lines(r)) == (
        1, {"nzbget": "refused credentials (the user name or password"
                      " was refused (HTTP 401))"})


def test_bad_answer_and_http_status(library, tmp_path, fake):
    # a server that is none of these services: it has no such route
    # (404), and its /ok is JSON without a webhook's name
    other = fake("http_fake.py")
    r = check(tmp_path, library,
              "[radarr]\nurl = %s\napi_key = %s\n"
              "[notify]\ndiscord_webhook = %s/ok\n"
              % (other.url, ARR_KEY, other.url))
    assert r.returncode == 1
    assert lines(r) == {"radarr": "HTTP 404",
                        "discord": "bad answer (no name)"}
    no_secret(r, ARR_KEY)


def test_catalogues_only_with_manga(library, tmp_path, fake):
    nautiljon = fake("nautiljon_fake.py")
    mangadex = fake("mangadex_fake.py")
    updates = fake("mangaupdates_fake.py")
    anilist = fake("anilist_fake.py")
    kitsu = fake("kitsu_fake.py")
    conf = ("[nautiljon]\nurl = %s\n[mangadex]\nurl = %s\n"
            "[mangaupdates]\nurl = %s\n[anilist]\nurl = %s\n"
            "[kitsu]\nurl = %s\n"
            % (nautiljon.url, mangadex.url, updates.url, anilist.url,
               kitsu.url))
    manga = tmp_path / "manga"
    manga.mkdir()
    r = check(tmp_path, library, conf, "-o", "manga=%s" % manga)
    assert r.returncode == 0, r.stdout + r.stderr
    out = lines(r)
    assert sorted(out) == ["anilist", "kitsu", "mangadex", "mangaupdates",
                           "nautiljon"]
    assert all(re.fullmatch(r"ok \(HTTP [1-4]\d\d\)", v)
               for v in out.values()), out
    # without a manga root the monitor reads neither: not asked
    r = check(tmp_path, library, conf)
    assert (r.returncode, r.stdout) == (0, "")


def test_sources_only_those_the_check_asks(library, tmp_path, fake):
    """A manga source is asked only when the new-volume check is on and
    may ask it ([monitor] new_sources): offline, with local services only,
    --check-connections exits 0 (issue 62). The default addresses are the
    public ones; not asking them is what this shows."""
    sonarr = fake("arr_fake.py", "sonarr")
    local = "[sonarr]\nurl = %s\napi_key = %s\n" % (sonarr.url, ARR_KEY)
    manga = tmp_path / "manga"
    manga.mkdir()
    dead = "http://127.0.0.1:%d" % closed_port()
    sources = ("[nautiljon]\nurl = %s\n[mangadex]\nurl = %s\n"
               "[mangaupdates]\nurl = %s\n[anilist]\nurl = %s\n"
               "[kitsu]\nurl = %s\n" % (dead, dead, dead, dead, dead))
    r = check(tmp_path, library, local + sources + "[monitor]\n"
              "new_volumes = no\n", "-o", "manga=%s" % manga)
    assert r.returncode == 0, r.stdout + r.stderr
    assert lines(r) == {"sonarr": "ok (version 4.0.0.738)"}
    # only the sources named: the others stay unasked
    mangadex = fake("mangadex_fake.py")
    r = check(tmp_path, library, local + sources.replace(
        "[mangadex]\nurl = %s" % dead, "[mangadex]\nurl = %s"
        % mangadex.url) + "[monitor]\nnew_sources = mangadex\n",
        "-o", "manga=%s" % manga)
    assert r.returncode == 0, r.stdout + r.stderr
    out = lines(r)
    assert sorted(out) == ["mangadex", "sonarr"]
    assert re.fullmatch(r"ok \(HTTP [1-4]\d\d\)", out["mangadex"]), out
    # a source named and unreachable is still told, and fails the check
    r = check(tmp_path, library, local + sources +
              "[monitor]\nnew_sources = anilist\n",
              "-o", "manga=%s" % manga)
    assert r.returncode == 1
    assert sorted(lines(r)) == ["anilist", "sonarr"]
    assert lines(r)["anilist"].startswith("unreachable (")
