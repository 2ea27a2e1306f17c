# SPDX-License-Identifier: GPL-3.0-or-later
"""mediamon --check-connections: one harmless request to every configured
service, one line each, exit 0 when all are ok, 1 when one is not, 2 on a
bad configuration or command; no secret in what it prints."""

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
                        "refused credentials (HTTP 401)"}
    no_secret(r, PASSWORD, "wrong-Pass-42")


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
        "qbittorrent": "refused credentials (login: Fails.)",
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
