# SPDX-License-Identifier: GPL-3.0-or-later
"""The OPDS catalog's search, as readers use it: the catalog's search
links, its OpenSearch description, and search/QUERY.xml for two accounts
over HTTP (a series only root may list is found by root alone), each
answer a valid OPDS feed, on the mount and over HTTP alike."""

import os
import tempfile
import urllib.parse
from xml.etree import ElementTree as ET

import pytest

from access_users import drop_user, make_user, world  # noqa: F401
from conftest import wait_for
from test_http import Web
from test_opds import make_library, parse, validate

ATOM = "{http://www.w3.org/2005/Atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"


def titles(body):
    return [e.title for e in parse(body).entries]


def search(w, query, user="root"):
    status, headers, body = w.curl("/opds/search/%s.xml" %
                                   urllib.parse.quote(query), user=user)
    return status, headers, body


@pytest.fixture
def shelves(world):  # noqa: F811
    root = os.path.join(world, "manga")
    make_library(root, {
        "Blue Lock": ["Blue Lock T01.cbz", "Blue Lock T04.cbz",
                      "Blue Lock T14.cbz"],
        "Blue Period": ["Blue Period T02.cbz"],
        "Secret Stash": ["Secret Stash T01.cbz"]})
    os.chmod(os.path.join(root, "Secret Stash"), 0o700)
    u = make_user()
    w = Web(tempfile.mkdtemp(dir=world), names=("root", u.name),
            manga=root)
    try:
        wait_for(lambda: search(w, "stash")[2], 60, "the series indexed",
                 until=lambda b: b"Secret Stash" in b)
        yield w, u
    finally:
        w.stop()
        drop_user(u)


def test_catalog_leads_to_the_search(shelves):
    w, _ = shelves
    status, _, body = w.curl("/opds/catalog.xml")
    assert status == 200
    found = {(ln.get("type"), ln.get("href")) for ln in
             ET.fromstring(body).findall(ATOM + "link")
             if ln.get("rel") == "search"}
    assert found == {
        ("application/opensearchdescription+xml", "search.xml"),
        ("application/atom+xml;profile=opds-catalog",
         "search/{searchTerms}.xml")}
    status, headers, body = w.curl("/opds/search.xml")
    assert status == 200
    assert headers["content-type"] == \
        "application/opensearchdescription+xml"
    url, = ET.fromstring(body).findall(OPENSEARCH + "Url")
    assert url.get("template") == "search/{searchTerms}.xml"
    assert url.get("type") == "application/atom+xml;profile=opds-catalog"


def test_search_finds_series_then_volumes(shelves, tmp_path):
    w, _ = shelves
    status, headers, body = search(w, "blue")
    assert status == 200
    assert headers["content-type"] == \
        "application/atom+xml;profile=opds-catalog"
    assert titles(body) == ["Blue Lock", "Blue Period"]
    assert ET.fromstring(body).find(ATOM + "link").get("type").endswith(
        "kind=navigation")
    for query in ("blue", "lock 4", "nothing here"):
        path = tmp_path / "feed.xml"
        path.write_bytes(search(w, query)[2])
        validate(str(path))
    # words in any order and case; a number is a number (4, not 14)
    assert titles(search(w, "LOCK 4")[2]) == ["Blue Lock, volume 4"]
    assert titles(search(w, "lock 04")[2]) == ["Blue Lock, volume 4"]
    assert titles(search(w, "period")[2]) == ["Blue Period"]
    assert titles(search(w, "nothing here")[2]) == []
    # the mount answers the same feed
    assert w.m.read("opds/search/blue.xml") == body


def test_search_shows_each_account_its_own(shelves):
    w, u = shelves
    assert titles(search(w, "secret")[2]) == ["Secret Stash"]
    status, _, body = search(w, "secret", user=u.name)
    assert status == 200 and titles(body) == []
    assert b"Secret" not in body and b"Stash" not in body
    assert titles(search(w, "blue", user=u.name)[2]) == [
        "Blue Lock", "Blue Period"]


def test_bad_queries(shelves):
    w, _ = shelves
    # no query, or one past 256 bytes: no such feed
    assert w.curl("/opds/search/.xml")[0] == 404
    assert search(w, "x" * 300)[0] == 414
    assert w.curl("/opds/search/blue")[0] == 404
    # the folder lists nothing
    status, _, body = w.curl("/opds/search/")
    assert status == 200 and b"blue" not in body.lower()


def test_folded_as_people_type(tmp_path):
    """Case and marks folded in every script (issue 77): an unaccented,
    lower-case query finds a French or Greek series."""
    root = str(tmp_path / "manga")
    make_library(root, {
        "Déjà Vu": ["Déjà Vu T01.cbz"],
        "Ελληνικά Κόμικς": ["Ελληνικά Κόμικς T01.cbz"]})
    w = Web(tmp_path, manga=root)
    try:
        wait_for(lambda: search(w, "DÉJÀ")[2], 60, "the series indexed",
                 until=lambda b: "Déjà Vu".encode() in b)
        for query, want in (("deja", ["Déjà Vu"]), ("DEJA vu", ["Déjà Vu"]),
                            ("ελληνικα", ["Ελληνικά Κόμικς"]),
                            ("ΚΟΜΙΚΣ", ["Ελληνικά Κόμικς"])):
            status, _, body = search(w, query)
            assert status == 200, query
            feed = tmp_path / "feed.xml"
            feed.write_bytes(body)
            validate(str(feed))
            assert titles(body) == want, query
    finally:
        w.stop()
