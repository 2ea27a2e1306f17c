# SPDX-License-Identifier: GPL-3.0-or-later
"""mediamon's documentation and --check-config: the man pages render
without warnings and name every configuration key and mount file, and
--check-config masks secrets, reads back, and refuses what it must."""

import os
import re
import subprocess

import pytest

import conftest
from conftest import REPO
from service_common import EXAMPLE, MANS, config_keys, section_text, \
    write_conf


@pytest.mark.parametrize("page", MANS)
def test_man_page_renders_without_warnings(page):
    for cmd in (["man", "-l", "--warnings=w", page],
                ["groff", "-ww", "-z", "-man", page]):
        r = subprocess.run(cmd, capture_output=True, text=True,
                           env=dict(os.environ, MANWIDTH="80"))
        assert (r.returncode, r.stderr) == (0, ""), cmd
    assert "NAME" in subprocess.run(["man", "-l", page], check=True,
                                    capture_output=True,
                                    text=True).stdout


def test_warnings_check_can_fail(tmp_path):
    bad = tmp_path / "bad.8"
    bad.write_text(".TH BAD 8\n.SH NAME\n.BOGUS x\n")
    r = subprocess.run(["man", "-l", "--warnings=w", str(bad)],
                       capture_output=True, text=True)
    assert "BOGUS" in r.stderr


def test_every_config_key_documented():
    man = open(MANS[1]).read()
    example = open(EXAMPLE).read()
    for section, key in config_keys():
        part = section_text(man, section, ".SH [%s]\n")
        assert re.search(r"^\.BI %s " % key, part, re.M), (section, key)
        part = section_text(example, section, "\n[%s]\n")
        assert re.search(r"^# %s =( |$)" % key, part, re.M), (section, key)


def test_every_mount_file_documented():
    man = open(MANS[0]).read().replace("\\-", "-")
    # the items in full, not the short list made from the table
    man = re.sub(r'\.\\" The files of the mount: .*?\.\\" End of the files '
                 r'of the mount\n', "", man, flags=re.S)
    nodes = open(os.path.join(REPO, "fs", "tree", "nodes.c")).read()
    paths = re.findall(r'\{ "(/[^"]+)", \{ NODE_(?:FILE|CONTROL)', nodes)
    assert len(paths) > 10
    for path in paths:
        assert re.search(r'^\.IR? (.* )?%s( |$)' % re.escape(path), man,
                         re.M), path


SECRETS = {"prowlarr": ("api_key", "PROWLARRSECRET1"),
           "download": ("password", "DOWNLOADSECRET2"),
           "realdebrid": ("api_token", "RDSECRET3"),
           "sonarr": ("api_key", "SONARRSECRET4"),
           "radarr": ("api_key", "RADARRSECRET5"),
           "notify": ("discord_webhook",
                      "https://discord.com/api/webhooks/1/HOOKSECRET6")}


def check_config(*options, env=None):
    args = [conftest.BINARY, "--check-config"]
    for o in options:
        args += ["-o", o]
    return subprocess.run(args, capture_output=True, text=True, env=env)


def test_check_config_masks_secrets(library, tmp_path):
    conf = tmp_path / "mediamon.conf"
    conf.write_text("[general]\nthreads = 3\nlog_level = warn\n" +
                    "".join("[%s]\n%s = %s\n" % (s, k, v)
                            for s, (k, v) in SECRETS.items()))
    conf.chmod(0o600)
    r = check_config("config=" + str(conf), "music=" + str(library),
                     "db=" + str(tmp_path / "x.db"))
    assert (r.returncode, r.stderr) == (0, "")
    for section, (key, value) in SECRETS.items():
        assert value not in r.stdout
        assert "HOOKSECRET" not in r.stdout
        part = section_text(r.stdout, section, "[%s]\n")
        assert "\n%s = ********\n" % key in part, section
    assert "\nthreads = 3\n" in r.stdout
    assert "\nlog_level = warn\n" in r.stdout
    assert "\n[music]\nroot = %s\n" % library in r.stdout
    assert "\ndatabase = %s\n" % (tmp_path / "x.db") in r.stdout
    assert "\nauto_check_interval = 1h\n" in r.stdout   # a default
    # nothing was created or mounted
    assert not os.path.exists(str(tmp_path / "x.db"))


def test_check_config_output_reads_back(library, tmp_path):
    conf = tmp_path / "mediamon.conf"
    write_conf(conf, [("music", library)], "dry_run = no\n")
    first = check_config("config=" + str(conf))
    assert first.returncode == 0, first.stderr
    again = tmp_path / "again.conf"
    again.write_text(first.stdout)
    second = check_config("config=" + str(again))
    assert (second.returncode, second.stdout) == (0, first.stdout)


def test_check_config_example_with_a_root(library):
    """The example file, all comments, is valid once a root is given."""
    r = check_config("config=" + EXAMPLE, "music=" + str(library))
    assert (r.returncode, r.stderr) == (0, "")


@pytest.mark.parametrize("text, where", [
    ("[music]\nroot = /no/such/dir\n", ":2: music root"),
    ("[prowlarr]\nurl = localhost\n", ":2: bad value 'localhost'"),
    ("[notify]\ndiscord_webhook = not-a-url-HOOKSECRET6\n",
     ":2: bad value for discord_webhook"),
    ("[bogus]\n", ":1: unknown section"),
    ("[manga]\nmonitor = some\n", ":2: bad value 'some'"),
    (None, ": No such file or directory"),
])
def test_check_config_refuses(text, where, tmp_path, library):
    conf = tmp_path / "mediamon.conf"
    if text is not None:
        conf.write_text(text)
    r = check_config("config=" + str(conf), "music=" + str(library))
    assert r.returncode == 1
    assert r.stdout == ""
    assert r.stderr.startswith("mediamon: %s%s" % (conf, where)), r.stderr
    assert "HOOKSECRET" not in r.stderr


def test_check_config_refuses_a_monitored_root_that_is_no_root(tmp_path,
                                                             library):
    """[manga] monitored_root names one of the manga roots: another
    folder (here the music root) is refused with the reason."""
    conf = tmp_path / "mediamon.conf"
    conf.write_text("[manga]\nroot = %s\nmonitored_root = %s\n"
                    % (tmp_path, library))
    r = check_config("config=" + str(conf), "music=" + str(library))
    assert r.returncode == 1 and r.stdout == "", r
    assert "monitored_root '%s' in [manga] is none of its roots" % \
        os.path.realpath(str(library)) in r.stderr, r.stderr


def test_check_config_needs_a_root(tmp_path):
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path))
    r = check_config(env=env)
    if os.path.exists("/etc/mediamon/mediamon.conf"):
        pytest.skip("this machine has a system configuration")
    assert r.returncode == 1
    assert "no music or manga root" in r.stderr
