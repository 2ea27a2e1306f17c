# SPDX-License-Identifier: GPL-3.0-or-later
"""POST with form parameters (issue 77): the OpenSubsonic formPost
extension, listed by getOpenSubsonicExtensions: a method's parameters,
the account's among them, in an application/x-www-form-urlencoded body,
read as the query's and beside them; a body of another type, one past
64 KiB and a parameter holding a NUL refused with a clear HTTP error;
a form without the account, or with a wrong password, the API's error
as for a GET."""

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest

import opensubsonic_schema
from subsonic_calls import call, ok, failed, token, starred, walk
from subsonic_calls import music  # noqa: F401
from test_http import PASSWORD

BASE = [("v", "1.16.1"), ("c", "mediamon-test"), ("f", "json")]
ROOT = [("u", "root"), ("p", PASSWORD)]


def post(w, method, body, query=(), ctype=None):
    """(HTTP status, content type, the body's bytes) of a POST of body
    (pairs form-encoded, or bytes as they are) to /rest/METHOD."""
    url = "%s/rest/%s" % (w.base, method)
    if query:
        url += "?" + urllib.parse.urlencode(list(query))
    data = body if isinstance(body, bytes) else \
        urllib.parse.urlencode(list(body)).encode()
    req = urllib.request.Request(url, data=data, method="POST")
    req.add_header("Content-Type", ctype or
                   "application/x-www-form-urlencoded")
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()


def answer(w, method, body, **kw):
    """The subsonic-response of a POST that is answered 200."""
    status, ctype, got = post(w, method, body, **kw)
    assert status == 200 and ctype == "application/json", (status, got)
    got = json.loads(got)
    opensubsonic_schema.check(method, got)
    return got["subsonic-response"]


def test_listed(music):  # noqa: F811
    got = ok(call(music, "getOpenSubsonicExtensions")[2])
    assert {"name": "formPost", "versions": [1]} in \
        got["openSubsonicExtensions"]


def test_parameters_in_the_form(music):  # noqa: F811
    ids = walk(music)
    # everything in the body, "+" a space and %XX a byte
    got = ok(answer(music, "search3", ROOT + BASE + [("query", "Band")]))
    assert [a["name"] for a in got["searchResult3"]["artist"]] == ["Band"]
    assert ok(answer(music, "getAlbumList2", BASE + ROOT + [
        ("type", "alphabeticalByName")]))["albumList2"]["album"][0][
            "name"] == "Solo"
    raw = ("u=root&p=%s&v=1.16.1&c=x&f=json&query=Z%%65d+" %
           urllib.parse.quote(PASSWORD)).encode()
    got = ok(answer(music, "search3", raw))["searchResult3"]
    assert [a["name"] for a in got["artist"]] == []
    raw = raw.replace(b"+", b"")
    got = ok(answer(music, "search3", raw))["searchResult3"]
    assert [a["name"] for a in got["artist"]] == ["Zed"]
    # the password hex-encoded in the form
    ok(answer(music, "ping", BASE + [
        ("u", "root"), ("p", "enc:" + PASSWORD.encode().hex())]))
    # the account in the query, the rest in the form, and the reverse
    ok(answer(music, "getSong", [("id", ids["First"][0])] + BASE,
              query=ROOT))
    ok(answer(music, "getSong", ROOT, query=BASE + [
        ("id", ids["First"][0])]))
    # a name that comes again: each value, the query's and the form's
    ok(answer(music, "star", ROOT + BASE + [("id", ids["First"][0]),
                                           ("id", ids["Only"][0])],
              query=[("id", ids["Second"][0])]))
    assert starred(music)[2] == {"First", "Second", "Only"}
    # an empty form: the query's parameters alone
    ok(answer(music, "ping", b"", query=ROOT + BASE))
    # XML when f is not json
    status, ctype, got = post(music, "ping", ROOT)
    assert status == 200 and ctype.startswith("text/xml")
    assert b'status="ok"' in got


def test_account_errors_as_for_a_get(music):  # noqa: F811
    # a token without a kept password: 41, as in a query
    salt = "c0ffee"
    tok = [("u", "root"), ("t", token(PASSWORD, salt)), ("s", salt)]
    failed(answer(music, "ping", BASE + tok), 41)
    failed(call(music, "ping", auth=dict(tok))[2], 41)
    failed(answer(music, "ping", BASE), 10)
    failed(answer(music, "ping", BASE + [("u", "root")]), 10)
    failed(answer(music, "ping", BASE + [("u", "root"),
                                         ("p", "wrong")]), 40)
    failed(answer(music, "getSong", ROOT + BASE + [("id", "so0")]), 70)


@pytest.mark.parametrize("ctype", [
    "application/json", "multipart/form-data; boundary=x", "text/plain",
    "application/x-www-form-urlencodedx"])
def test_other_types_refused(music, ctype):  # noqa: F811
    status, _, got = post(music, "ping", ROOT + BASE, ctype=ctype)
    assert status == 415
    assert b"application/x-www-form-urlencoded" in got


def test_form_type_with_parameters(music):  # noqa: F811
    ok(answer(music, "ping", ROOT + BASE,
              ctype="Application/X-WWW-Form-Urlencoded; charset=UTF-8"))


def test_too_big_and_nul_refused(music):  # noqa: F811
    pad = [("pad", "x" * (64 << 10))]
    status, _, got = post(music, "ping", ROOT + BASE + pad)
    assert status == 413 and b"64 KiB" in got
    status, _, got = post(music, "ping", ROOT + BASE + [("id", "a\0b")])
    assert status == 400 and b"NUL" in got
    # the listener answers on
    ok(answer(music, "ping", ROOT + BASE))


def test_stream_by_form(music):  # noqa: F811
    """A file's method (stream) takes its id from the form too."""
    ids = walk(music)
    status, ctype, got = post(music, "stream", ROOT + BASE + [
        ("id", ids["First"][0])])
    assert status == 200 and ctype == "audio/flac"
    status, _, want = music.curl("/rest/stream?" + urllib.parse.urlencode(
        ROOT + BASE + [("id", ids["First"][0])]), user=None)
    assert status == 200 and got == want and got[:4] == b"fLaC"
    status, ctype, got = post(music, "stream", ROOT + BASE)
    assert status == 200 and b'"code":10' in got.replace(b" ", b"")
