# SPDX-License-Identifier: GPL-3.0-or-later
"""/rest's envelope in JSON and XML and its logins (issue 67): p plain
and enc:, the t+s token against [http] subsonic_passwords, the
OpenSubsonic apiKey of [http] subsonic_api_keys, their errors, and
files of secrets open to others refused."""

import os
import signal
from urllib.parse import urlencode

import pytest

from conftest import start_refused, wait_for
from subsonic_calls import (call, token, ok, failed, passwords_file, NS)
from test_http import PASSWORD, Web, htpasswd


@pytest.fixture
def web(tmp_path):
    w = Web(tmp_path)
    yield w
    w.stop()


def test_envelope_in_json_and_xml(web):
    for method in ("ping", "ping.view"):
        status, ctype, resp = call(web, method)
        assert status == 200 and ctype.startswith("application/json")
        assert set(ok(resp)) == {"status", "version", "type",
                                 "serverVersion", "openSubsonic"}
    # XML is the default, and what f=xml asks
    for f in (None, "xml"):
        status, ctype, root = call(web, "ping.view", f=f)
        assert status == 200 and ctype.startswith("text/xml")
        assert root.tag == NS + "subsonic-response"
        assert root.get("status") == "ok"
        assert root.get("version") == "1.16.1"
        assert root.get("openSubsonic") == "true"
        assert root.get("type") == "mediamon"


def test_first_methods(web):
    assert ok(call(web, "getLicense")[2])["license"] == {"valid": True}
    # transcodeOffset: stream hears timeOffset ([http] max_transcodes);
    # indexBasedQueue and songLyrics always
    assert ok(call(web, "getOpenSubsonicExtensions")[2])[
        "openSubsonicExtensions"] == [
            {"name": "formPost", "versions": [1]},
            {"name": "transcodeOffset", "versions": [1]},
            {"name": "indexBasedQueue", "versions": [1]},
            {"name": "songLyrics", "versions": [1]}]
    folders = ok(call(web, "getMusicFolders.view")[2])["musicFolders"]
    assert folders == {"musicFolder": [{"id": 1, "name": "music"}]}
    root = call(web, "getMusicFolders", f="xml")[2]
    got = [(e.get("id"), e.get("name")) for e in
           root.iter(NS + "musicFolder")]
    assert got == [("1", "music")]
    lic = call(web, "getLicense", f="xml")[2].find(NS + "license")
    assert lic is not None and lic.get("valid") == "true"


def test_login_forms_and_their_errors(web):
    enc = "enc:" + PASSWORD.encode().hex()
    ok(call(web, "ping", auth={"u": "root", "p": enc})[2])
    ok(call(web, "ping", auth={"u": "root", "p": enc.upper()
                               .replace("ENC:", "enc:")})[2])
    # wrong: a wrong password, a wrong one in hex, hex that is not hex,
    # a name no account has (four of the five a minute allows)
    for auth in ({"u": "root", "p": "wrong"},
                 {"u": "root", "p": "enc:" + b"wrong".hex()},
                 {"u": "root", "p": "enc:zz"},
                 {"u": "nosuchuser", "p": PASSWORD}):
        status, _, resp = call(web, "ping", auth=auth)
        assert status == 200
        failed(resp, 40)
    # the same error in XML
    root = call(web, "ping", f="xml", auth={"u": "root"})[2]
    assert root.get("status") == "failed"
    assert root.find(NS + "error").get("code") == "10"
    failed(call(web, "ping", auth={})[2], 10)
    failed(call(web, "ping", auth={"p": PASSWORD})[2], 10)
    failed(call(web, "ping", auth={"u": "root", "t": "abc"})[2], 10)
    failed(call(web, "ping", auth={"apiKey": "k"})[2], 42)
    failed(call(web, "ping", auth={"u": "root", "p": PASSWORD,
                                   "t": "x", "s": "y"})[2], 43)
    failed(call(web, "ping", auth={"u": "root", "apiKey": "k"})[2], 43)
    # an unknown method, or a path under one: code 0, after the login
    failed(call(web, "noSuchMethod")[2], 0)
    failed(call(web, "ping.view/more")[2], 0)
    failed(call(web, "noSuchMethod", auth={"u": "root", "p": "x"})[2], 40)
    # the listener still answers the right password
    ok(call(web, "ping")[2])


def test_unserved_method_is_named(web):
    """A method of the spec not served says so, naming it (issue 77):
    not implemented (yet), or never, as its row of
    fs/subsonic/subsonic_methods.def says (issue 82); a name that is no
    method of the spec says that, in JSON and XML."""
    for method in ("getShares", "getShares.view", "getAvatar"):
        resp = failed(call(web, method)[2], 0)
        name = method.split(".")[0]
        assert resp["error"]["message"] == name + " is not implemented"
    for method in ("getPodcasts", "jukeboxControl.view", "search"):
        resp = failed(call(web, method)[2], 0)
        name = method.split(".")[0]
        assert resp["error"]["message"] == name + " will not be implemented"
    root = call(web, "createShare", f="xml")[2]
    err = root.find(NS + "error")
    assert root.get("status") == "failed" and err.get("code") == "0"
    assert err.get("message") == "createShare is not implemented"
    for method in ("noSuchMethod", "getpodcasts", "getPodcasts/more",
                   "getPodcastsX"):
        resp = failed(call(web, method)[2], 0)
        assert resp["error"]["message"] == \
            "No such method in the Subsonic API.", method
    # served methods are not in the list
    ok(call(web, "getLicense")[2])


def test_token_against_the_kept_password(tmp_path):
    kept = passwords_file(tmp_path / "subsonic-passwords",
                          "# the accounts that log in with a token\n"
                          "root:%s\n" % PASSWORD)
    w = Web(tmp_path, conf_extra="subsonic_passwords = %s\n" % kept)
    try:
        for salt in ("c19b2d", "a salt with spaces"):
            ok(call(w, "ping", auth={"u": "root", "s": salt,
                                     "t": token(PASSWORD, salt)})[2])
        ok(call(w, "ping", auth={"u": "root", "s": "c19b2d",
                                 "t": token(PASSWORD, "c19b2d").upper()})[2])
        for t in (token(PASSWORD, "other"), token("wrong", "c19b2d"),
                  "not hex at all"):
            failed(call(w, "ping", auth={"u": "root", "s": "c19b2d",
                                         "t": t})[2], 40)
        ok(call(w, "ping")[2])
        assert PASSWORD not in w.log()
    finally:
        w.stop()


def test_token_without_a_kept_password_is_a_failure(tmp_path):
    """A token of an account that keeps no password gets 41, which
    names no part of the one kept for another, and counts as a wrong
    password (before, 41 could be asked without end, telling which
    accounts keep one): past five a minute the address is held."""
    kept = passwords_file(tmp_path / "subsonic-passwords",
                          "root:%s\n" % PASSWORD)
    w = Web(tmp_path, names=("root", "daemon"),
            conf_extra="subsonic_passwords = %s\n" % kept)
    try:
        def ping(*auth):
            return w.curl("/rest/ping?" + urlencode(
                auth + (("v", "1.16.1"), ("c", "t"))), user=None)

        bodies = []
        for n in range(6):
            status, _, body = ping(("u", "daemon"), ("s", "saltes%d" % n),
                                   ("t", token(PASSWORD, "saltes%d" % n)))
            assert status == 200 and b'code="41"' in body, body
            bodies.append(body)
        bodies.append(ping(("u", "root"), ("p", "wrong"))[2])
        for body in bodies:
            for i in range(len(PASSWORD) - 5):
                assert PASSWORD[i:i + 6].encode() not in body, body
        status, head, _ = ping(("u", "root"), ("p", PASSWORD))
        assert status == 429 and int(head["retry-after"]) > 0
    finally:
        w.stop()


def test_kept_password_must_be_the_htpasswd_one(tmp_path):
    kept = passwords_file(tmp_path / "subsonic-passwords",
                          "root:another password\n")
    w = Web(tmp_path, conf_extra="subsonic_passwords = %s\n" % kept)
    try:
        failed(call(w, "ping", auth={"u": "root", "s": "salt01",
                                     "t": token("another password",
                                                "salt01")})[2], 40)
        assert "another password" not in w.log()
    finally:
        w.stop()


def secrets_open_refused(tmp_path, key, secret, mode):
    """A start whose [http] key names a file of secret open to others
    (mode) is refused: the log names the file, not the secret."""
    kept = passwords_file(tmp_path / key.replace("_", "-"),
                          "root:%s\n" % secret, mode)
    htpasswd(tmp_path / "htpasswd", "root")
    music = tmp_path / "music"
    music.mkdir()
    conf = tmp_path / "http.conf"
    conf.write_text("[analysis]\nenabled = no\n[http]\nlisten = "
                    "127.0.0.1:0\nhtpasswd = %s\n%s = %s\n"
                    "[music]\nroot = %s\n" % (tmp_path / "htpasswd", key,
                                              kept, music))
    text = start_refused(tmp_path, "config=" + str(conf))
    assert "%s: %s holds secrets" % (key, kept) in text, text
    assert secret not in text


@pytest.mark.parametrize("mode", [0o644, 0o640])
def test_passwords_open_to_others_stop_the_start(tmp_path, mode):
    secrets_open_refused(tmp_path, "subsonic_passwords", PASSWORD, mode)


API_KEY = "3f1c0a9be8d24c7d9a61f0e2b7c45d88"


def test_api_key_names_its_account(tmp_path):
    """The apiKeyAuthentication extension: a key of [http]
    subsonic_api_keys logs in alone (tokenInfo says whose it is); with
    u, p, t or s it is 43, a key not kept 44."""
    keys = passwords_file(tmp_path / "subsonic-api-keys",
                          "# one line a key\n"
                          "root:%s\n"
                          "root:tooshort\n"
                          "nosuchuser:%s\n" % (API_KEY, "9" * 32))
    w = Web(tmp_path, conf_extra="subsonic_api_keys = %s\n" % keys)
    try:
        key = {"apiKey": API_KEY}
        got = ok(call(w, "getOpenSubsonicExtensions", auth=key)[2])
        assert got["openSubsonicExtensions"] == [
            {"name": "formPost", "versions": [1]},
            {"name": "apiKeyAuthentication", "versions": [1]},
            {"name": "transcodeOffset", "versions": [1]},
            {"name": "indexBasedQueue", "versions": [1]},
            {"name": "songLyrics", "versions": [1]}]
        ok(call(w, "ping", auth=key)[2])
        assert ok(call(w, "tokenInfo", auth=key)[2])["tokenInfo"] == \
            {"username": "root"}
        root = call(w, "tokenInfo.view", f="xml", auth=key)[2]
        assert root.find(NS + "tokenInfo").get("username") == "root"
        # a name and password still log in
        assert ok(call(w, "tokenInfo")[2])["tokenInfo"] == \
            {"username": "root"}
        for extra in ({"u": "root"}, {"p": PASSWORD}, {"t": "x"},
                      {"s": "y"}):
            failed(call(w, "ping", auth=dict(key, **extra))[2], 43)
        # three wrong keys (of the five a minute allows): one not kept,
        # one too short to be kept, one of no account
        for bad in (API_KEY[:-1] + "0", "tooshort", "9" * 32):
            failed(call(w, "ping", auth={"apiKey": bad})[2], 44)
        ok(call(w, "ping", auth=key)[2])
        text = w.log()
        assert API_KEY not in text and "9" * 32 not in text
        assert "line 3: a key of fewer than 16 characters" in text
    finally:
        w.stop()


def test_api_keys_read_again_on_reload(tmp_path):
    """A reload (SIGHUP) reads subsonic_api_keys again: a key removed is
    refused (44), one added taken; a file then open to others is
    refused and the keys in use stay."""
    other = "7b2e9d04c1f84a6e8d3c5a0f19e6b2c4"
    keys = passwords_file(tmp_path / "subsonic-api-keys",
                          "root:%s\n" % API_KEY)
    w = Web(tmp_path, conf_extra="subsonic_api_keys = %s\n" % keys)
    try:
        def reload():
            done = w.log().count("reload: done")
            w.m.proc.send_signal(signal.SIGHUP)
            wait_for(lambda: w.log().count("reload: done") > done, 60,
                     "reload: done in the log", mount=w.m, interval=0.1)

        ok(call(w, "ping", auth={"apiKey": API_KEY})[2])
        failed(call(w, "ping", auth={"apiKey": other})[2], 44)
        passwords_file(keys, "root:%s\n" % other)
        reload()
        failed(call(w, "ping", auth={"apiKey": API_KEY})[2], 44)
        assert ok(call(w, "tokenInfo", auth={"apiKey": other})[2])[
            "tokenInfo"] == {"username": "root"}
        os.chmod(keys, 0o644)
        reload()
        assert "Subsonic passwords and API keys in use stay" in w.log()
        ok(call(w, "ping", auth={"apiKey": other})[2])
        text = w.log()
        assert API_KEY not in text and other not in text
    finally:
        w.stop()


def test_api_keys_open_to_others_stop_the_start(tmp_path):
    secrets_open_refused(tmp_path, "subsonic_api_keys", API_KEY, 0o644)
