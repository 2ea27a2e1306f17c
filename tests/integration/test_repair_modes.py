# SPDX-License-Identifier: GPL-3.0-or-later
"""A repair asked for by hand with a mode and a limit, over a real mount
with the Real-Debrid fake: links repairs only the torrents with dead
links, quick only those the account lists in error, full both; a limit
caps the torrents a pass re-adds; [realdebrid] repair_mode sets the mode
of the passes nobody asked for; bad options are refused and change
nothing."""

import errno

import pytest

from test_repair import DEAD, OTHER, rd_mount, setup  # noqa: F401
from test_repair_ops import ERRORED, adds_of, einval, errored_account
from realdebrid_fake import make_hash

BROKEN = "Broken.Magnet"
# Dead.Movie.1999 has a dead link and is "dead" on the account: both
# modes take it.
LINKS = {OTHER, DEAD}
QUICK = {ERRORED, BROKEN, DEAD}


def added(s):
    """The names of the torrents re-added, by their info hash."""
    hashes = {make_hash(n): n for n in LINKS | QUICK}
    return sorted(hashes[h] for r in s.requests()
                  if r["path"] == "/torrents/addMagnet"
                  for h in hashes if h in r["form"]["magnet"][0])


@pytest.mark.parametrize("mode, names", [
    ("links", LINKS), ("quick", QUICK), ("full", LINKS | QUICK)])
def test_each_mode_repairs_only_what_it_names(setup, mode, names):
    # the configured mode (full, with repair_account_errors) is not used
    s = setup(account=errored_account(), account_errors=True)
    s.command("repair mode=%s" % mode)
    assert added(s) == sorted(names)
    torrents = {t["filename"]: t for t in s.rd.call("/_torrents")}
    for name in (LINKS | QUICK) - names:
        assert adds_of(s, name) == []
        assert not [r for r in s.changes() if torrents[name]["id"] in
                    r["path"]], name
    log = (s.tmp / "mediamon.log").read_text()
    assert "rd: repair pass started (control, mode %s)" % mode in log


def test_limit_caps_the_torrents_of_a_pass(setup):
    s = setup(account=errored_account(), account_errors=True)
    s.command("repair limit=2")
    first = added(s)
    assert len(first) == 2
    assert len(s.repairs()["queue"]) == 2
    assert "at most 2 repairs" in (s.tmp / "mediamon.log").read_text()
    s.command("run mode=quick limit=1")
    second = added(s)
    assert len(second) == 3
    for name in first:
        second.remove(name)
    assert second[0] in QUICK
    s.command("run")
    assert added(s) == sorted(LINKS | QUICK)


def test_dry_run_plans_within_the_limit(setup):
    s = setup(dry_run=True, account=errored_account(), account_errors=True)
    s.command("repair mode=quick limit=1")
    assert s.changes() == []
    queue = s.repairs()["queue"]
    assert {q["torrent"] for q in queue} == {
        t["id"] for t in s.rd.call("/_torrents") if t["filename"] in QUICK}
    assert len([q for q in queue if q["plan"]]) == 1


def test_configured_mode_takes_the_place_of_account_errors(setup):
    s = setup(account=errored_account(), account_errors=False,
              rd_extra="repair_mode = quick\n")
    assert "(without mode=, quick: [realdebrid] repair_mode)" in \
        s.m.read("control/repair").decode()
    s.command("run")
    assert added(s) == sorted(QUICK)
    s.command("repair mode=links")
    assert added(s) == sorted(QUICK | {OTHER})


BAD = [
    ("repair mode=fast\n", "no such repair mode"),
    ("repair mode=\n", "no such repair mode"),
    ("run mode=links,quick\n", "no such repair mode"),
    ("repair limit=0\n", "a limit is a number"),
    ("repair limit=-1\n", "a limit is a number"),
    ("repair limit=abc\n", "a limit is a number"),
    ("repair limit=\n", "a limit is a number"),
    ("repair limit=100001\n", "a limit is a number"),
    ("repair limit=99999999999999999999\n", "a limit is a number"),
    ("repair limit=5x\n", "a limit is a number"),
    ("repair limit=1 limit=2\n", "not an option of a repair"),
    ("repair mode=links mode=full\n", "not an option of a repair"),
    ("repair now\n", "not an option of a repair"),
    ("repair mode=links limit=5 please\n", "not an option of a repair"),
    ("repairs limit=5\n", "not a command it takes"),
    ("repair limit=5" + " " * 5000 + "x\n", "longer than any command"),
    ("repair limit=5\nrun\n", "one command a write"),
]


def test_bad_options_are_refused_and_change_nothing(setup):
    s = setup(account=errored_account(), account_errors=True)
    for text, _ in BAD:
        einval(s.m, "control/repair", text)
    assert s.passes() == 0
    assert s.changes() == []
    log = (s.tmp / "mediamon.log").read_text().splitlines()
    refused = [line for line in log if "control: " in line and
               " refused " in line]
    assert len(refused) == len(BAD)
    for line, (_, why) in zip(refused, BAD):
        assert why in line, (line, why)
    text = s.m.read("control/repair").decode()
    assert "mode=links" in text and "limit=N" in text
    # repair_account_errors = yes, no repair_mode: full
    assert "(without mode=, full: [realdebrid] repair_mode)" in text
    # the file still takes a good one
    s.command("repair mode=links limit=1")
    assert len(added(s)) == 1


def test_a_good_write_is_what_the_shell_sends(setup):
    s = setup(dry_run=True)
    with pytest.raises(OSError) as e:
        s.m.write("control/repair", "repair mode=links limit=0\n")
    assert e.value.errno == errno.EINVAL
    assert s.m.write("control/repair", "Repair  Mode=LINKS\tLIMIT=5\r\n") \
        == len("Repair  Mode=LINKS\tLIMIT=5\r\n")
    s.wait(lambda: s.passes() == 1, "a pass")
