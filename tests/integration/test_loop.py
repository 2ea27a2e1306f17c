# SPDX-License-Identifier: GPL-3.0-or-later
"""The manga loop as people run it (issue 62): what a first start without
network leaves in health."""

from conftest import wait_for
from test_monitor import Monitor, saga


def test_unreachable_source_is_a_warning(fake, tmp_path):
    """A source out of reach (no network at a first start) is a warning
    naming the cause, never an error left in health: the next check asks
    again (point 8)."""
    mon = Monitor(tmp_path, fake, [saga(1)])
    mon.mount()
    try:
        mon.nautiljon.stop()
        mon.mangadex.stop()
        mon.check("new")
        health = wait_for(lambda: mon.m.read("status/health").decode(),
                          30, "health naming nautiljon",
                          until=lambda h: "nautiljon" in h, mount=mon.m)
        mine = [x for x in health.splitlines()
                if x.split(": ")[1:2] in (["nautiljon"], ["mangadex"])]
        assert mine, health
        for line in mine:
            assert line.startswith("warn: "), health
            assert "unreachable" in line, health
    finally:
        mon.unmount()
