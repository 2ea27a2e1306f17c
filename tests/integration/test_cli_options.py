# SPDX-License-Identifier: GPL-3.0-or-later
"""The -o options of the command line: one that names a key of the
configuration file (which -o does not set) is refused by name, by
--check-config and by a start alike, before the store is made; the
mount options mediamon passes to libfuse keep working; one libfuse does
not know is refused by --check-config too, in libfuse's words, and stops
a start before the store is made."""

import subprocess

import pytest

from conftest import BINARY, SLOW, is_mounted, start_refused


def check_config(tmp_path, *options):
    args = [BINARY, "--check-config", "-o", "music=" + str(tmp_path),
            "-o", "db=" + str(tmp_path / "m.db")]
    for o in options:
        args += ["-o", o]
    return subprocess.run(args, capture_output=True, text=True,
                          timeout=30 * SLOW)


def key_refused(key):
    return ("mediamon: unknown option '%s' (-o sets config, music, manga,"
            " db and db_shared_ok; other keys are set in the configuration"
            " file)\n" % key)


@pytest.mark.parametrize("option, why", [
    ("log_level=debug", key_refused("log_level")),
    ("threads=2", key_refused("threads")),
    ("allow_other,url=http://127.0.0.1:1", key_refused("url")),
    ("database=/tmp/x.db", key_refused("database")),
    # libfuse's own words
    ("no_such_option=1", "fuse: unknown option(s): `-o no_such_option=1'"),
    ("allow_other,nosuch", "fuse: unknown option(s): `-o nosuch'"),
    ("entry_timeout=-1", "entry_timeout and attr_timeout must be 0 or"),
])
def test_check_config_refuses(tmp_path, option, why):
    r = check_config(tmp_path, option)
    assert (r.returncode, r.stdout) == (1, ""), r
    if why.startswith("mediamon:"):
        assert r.stderr == why
    else:
        assert why in r.stderr


def test_check_config_keeps_the_mount_options(tmp_path):
    r = check_config(tmp_path, "allow_other,default_permissions,ro",
                     "fsname=media,subtype=x,auto_unmount",
                     "entry_timeout=2", "max_threads=4", "db_shared_ok",
                     "user=root")
    assert r.returncode == 0, r.stderr
    assert "database_shared_ok = yes" in r.stdout


@pytest.mark.parametrize("option, why", [
    ("log_level=debug", "mediamon: unknown option 'log_level'"),
    ("no_such_option=1", "unknown option(s): `-o no_such_option=1'"),
])
def test_start_refuses_before_the_store(tmp_path, option, why):
    log = start_refused(tmp_path, "music=" + str(tmp_path), option)
    assert why in log
    assert not (tmp_path / "state" / "mediamon.db").exists()
    assert not is_mounted(str(tmp_path / "mnt"))


def test_start_keeps_the_mount_options(tmp_path, make_mount):
    m = make_mount("music=" + str(tmp_path),
                   "ro,fsname=media,subtype=x,user=root")
    assert is_mounted(m.path)
