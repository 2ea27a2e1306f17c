# SPDX-License-Identifier: GPL-3.0-or-later
"""The OpenSubsonic API under /rest of the [http] listener (issue 67):
the subsonic-response envelope in JSON and XML, the login forms (p plain
and enc:, the t+s token against [http] subsonic_passwords) and their
errors, and the first methods. No Subsonic client library installs from
Debian (supysonic is a server), so the requests are written from the
OpenSubsonic specification (opensubsonic.netlify.app), as players send
them: GET /rest/METHOD.view?u=&p=|t=&s=&v=&c=&f=."""

import hashlib
import json
import os
import re
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import pytest

from conftest import start_refused
from test_http import PASSWORD, Web, htpasswd

NS = "{http://subsonic.org/restapi}"


def call(w, method, f="json", auth=None, **params):
    """(HTTP status, content type, the decoded body: the JSON
    subsonic-response object, or the XML root element) of
    /rest/METHOD."""
    q = dict(auth if auth is not None else {"u": "root", "p": PASSWORD})
    q.update({"v": "1.16.1", "c": "mediamon-test"})
    if f:
        q["f"] = f
    q.update(params)
    url = "%s/rest/%s?%s" % (w.base, method, urllib.parse.urlencode(q))
    with urllib.request.urlopen(url, timeout=120) as r:
        body = r.read()
        status, ctype = r.status, r.headers.get("Content-Type", "")
    if f == "json":
        return status, ctype, json.loads(body)["subsonic-response"]
    return status, ctype, ET.fromstring(body)


def token(password, salt):
    return hashlib.md5((password + salt).encode()).hexdigest()


@pytest.fixture
def web(tmp_path):
    w = Web(tmp_path)
    yield w
    w.stop()


def ok(resp):
    assert resp["status"] == "ok", resp
    assert resp["version"] == "1.16.1"
    assert resp["type"] == "mediamon"
    assert resp["openSubsonic"] is True
    assert re.match(r"\d+\.\d+", resp["serverVersion"])
    return resp


def failed(resp, code):
    assert resp["status"] == "failed", resp
    assert resp["error"]["code"] == code, resp
    assert resp["error"]["message"], resp
    return resp


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
    assert ok(call(web, "getOpenSubsonicExtensions")[2])[
        "openSubsonicExtensions"] == []
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
    # no password kept for tokens: 41
    failed(call(web, "ping", auth={"u": "root", "s": "salt1",
                                   "t": token(PASSWORD, "salt1")})[2], 41)
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


def passwords_file(path, text, mode=0o600):
    path.write_text(text)
    os.chmod(str(path), mode)
    return path


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


def test_kept_password_must_be_the_htpasswd_one(tmp_path):
    kept = passwords_file(tmp_path / "subsonic-passwords",
                          "root:another password\n")
    w = Web(tmp_path, conf_extra="subsonic_passwords = %s\n" % kept)
    try:
        failed(call(w, "ping", auth={"u": "root", "s": "s1",
                                     "t": token("another password",
                                                "s1")})[2], 40)
        assert "another password" not in w.log()
    finally:
        w.stop()


@pytest.mark.parametrize("mode", [0o644, 0o640])
def test_passwords_open_to_others_stop_the_start(tmp_path, mode):
    kept = passwords_file(tmp_path / "subsonic-passwords",
                          "root:%s\n" % PASSWORD, mode)
    htpasswd(tmp_path / "htpasswd", "root")
    music = tmp_path / "music"
    music.mkdir()
    conf = tmp_path / "http.conf"
    conf.write_text("[analysis]\nenabled = no\n[http]\nlisten = "
                    "127.0.0.1:0\nhtpasswd = %s\nsubsonic_passwords = %s\n"
                    "[music]\nroot = %s\n" % (tmp_path / "htpasswd", kept,
                                              music))
    text = start_refused(tmp_path, "config=" + str(conf))
    assert "subsonic_passwords: %s holds secrets" % kept in text, text
    assert PASSWORD not in text
