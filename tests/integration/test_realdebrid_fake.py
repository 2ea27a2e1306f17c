# SPDX-License-Identifier: GPL-3.0-or-later
"""The fake Real-Debrid against what the real one answered: the recorded
answers of /work/shared/realworld (README there), when they are here
(MEDIAMON_REALWORLD, or ../shared/realworld beside the project); the
test skips when they are not."""

import json
import os
import sys
import urllib.error
import urllib.request

import pytest

from conftest import REPO

sys.path.insert(0, os.path.join(REPO, "tests", "fakes"))
from realdebrid_fake import TOKEN, torrent  # noqa: E402

REALWORLD = os.environ.get("MEDIAMON_REALWORLD") or os.path.join(
    REPO, "..", "shared", "realworld")
ANSWERS = os.path.join(REALWORLD, "answers", "realdebrid")

pytestmark = pytest.mark.skipif(not os.path.isdir(ANSWERS),
                                reason="no recorded real answers here")


def captured(name):
    with open(os.path.join(ANSWERS, name)) as f:
        return json.load(f)


def get(rd, path):
    """GET an API path with the token: (status, headers, JSON or None)."""
    req = urllib.request.Request(rd.url + "/rest/1.0" + path, headers={
        "Authorization": "Bearer " + TOKEN})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(req, timeout=10) as r:
            body = r.read()
            return r.status, r.headers, json.loads(body) if body else None
    except urllib.error.HTTPError as e:
        return e.code, e.headers, json.loads(e.read())


@pytest.fixture
def rd(fake, tmp_path):
    statuses = ["downloaded", "downloading", "waiting_files_selection",
                "error", "magnet_conversion"]
    state = tmp_path / "account.json"
    state.write_text(json.dumps({"torrents": [
        torrent("T.%s" % st, [("/T.%s.mkv" % st, 1000, 1)], status=st,
                added="2026-10-03T20:%02d:00" % i)
        for i, st in enumerate(statuses)]}))
    return fake("realdebrid_fake.py", state)


def test_list_entries_have_the_captured_members(rd):
    real = {}
    for entry in captured("list_statuses_subset.json") + \
            captured("list_page_limit12.json"):
        real.setdefault(entry["status"], set(entry))
    status, headers, page = get(rd, "/torrents?page=1&limit=100")
    assert status == 200 and headers["X-Total-Count"] == "5"
    ours = {entry["status"]: set(entry) for entry in page}
    for st in ("downloaded", "downloading", "waiting_files_selection",
               "error"):
        assert ours[st] == real[st], st


def test_info_has_the_captured_members(rd):
    real = set(captured("info_downloaded_interstellar.json"))
    status, _, listed = get(rd, "/torrents?page=1&limit=100")
    done = [t["id"] for t in listed if t["status"] == "downloaded"][0]
    status, _, info = get(rd, "/torrents/info/" + done)
    assert status == 200 and set(info) == real
    waiting = set(captured("info_waiting_files_selection_2files.json"))
    wid = [t["id"] for t in listed
           if t["status"] == "waiting_files_selection"][0]
    assert set(get(rd, "/torrents/info/" + wid)[2]) == waiting


def test_errors_and_the_end_of_the_list(rd):
    status, _, body = get(rd, "/torrents/info/X2ILDQNYFYOHM")
    assert (status, body) == (404, captured("err404_unknown_ressource.json"))
    status, headers, body = get(rd, "/torrents?page=2&limit=100")
    assert (status, body) == (204, None)
    assert headers["X-Total-Count"] == "5"


def test_rate_limit_and_made_up_torrents(fake, tmp_path):
    """Past its rate limit the fake answers the documented 429, refused
    requests counting; the torrents it makes up for a large account are
    listed with the captured members."""
    state = tmp_path / "account.json"
    state.write_text(json.dumps({"torrents": [], "generate": 3,
                                 "settings": {"rate_per_minute": 3}}))
    rd = fake("realdebrid_fake.py", state)
    real = {}
    for entry in captured("list_page_limit12.json"):
        real.setdefault(entry["status"], set(entry))
    status, headers, page = get(rd, "/torrents?offset=0&limit=5000")
    assert status == 200 and headers["X-Total-Count"] == "3"
    assert [set(entry) for entry in page] == [real["downloaded"]] * 3
    assert [get(rd, "/user")[0] for _ in range(2)] == [200, 200]
    for _ in range(2):
        status, _, body = get(rd, "/user")
        assert (status, body) == (
            429, captured("err429_too_many_requests_docs.json"))
    assert [r.get("limited", False) for r in rd.call("/_requests")] == [
        False, False, False, True, True]
