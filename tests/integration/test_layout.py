# SPDX-License-Identifier: GPL-3.0-or-later
"""tests/check-layout.py, the layout's rules, run on small trees made
here: each rule's break is found and named, and a tree that keeps them
passes."""

import os
import subprocess

CHECK = os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "check-layout.py")


def tree(root, files):
    """Write files ({path: [included header, ...]}) under root, each
    module as a .c and a .h that include what is given."""
    for mod, includes in files.items():
        for ext in (".c", ".h"):
            path = root / (mod + ext)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("".join('#include "%s.h"\n' % i
                                    for i in includes if ext == ".c"))


def check(root):
    r = subprocess.run(["/usr/bin/python3", CHECK, str(root)],
                       capture_output=True, text=True, timeout=60)
    return r.returncode, r.stdout


GOOD = {
    "common/strbuf": [],
    "indexer/store/writer": ["common/strbuf"],
    "indexer/library/music": ["indexer/store/writer"],
    "indexer/manga/comicinfo": ["common/strbuf"],
    "indexer/monitor/checks": ["indexer/library/music"],
    "indexer/realdebrid/rd_repair": ["indexer/store/writer"],
    "indexer/reads": ["indexer/library/music"],
    "indexer/indexer": ["indexer/monitor/checks",
                        "indexer/realdebrid/rd_repair"],
    "fs/render": ["indexer/reads", "indexer/indexer"],
}


def test_a_tree_on_its_floors_passes(tmp_path):
    tree(tmp_path, GOOD)
    rc, out = check(tmp_path)
    assert rc == 0, out
    assert "nothing above its floor" in out


def test_the_store_reaching_up_into_a_domain_fails(tmp_path):
    files = dict(GOOD)
    files["indexer/store/query_repair"] = ["indexer/realdebrid/rd_repair"]
    tree(tmp_path, files)
    rc, out = check(tmp_path)
    assert rc == 1
    assert ("indexer/store/query_repair uses indexer/realdebrid/rd_repair,"
            " a floor above its own") in out


def test_a_domain_reaching_up_to_the_indexer_top_fails(tmp_path):
    files = dict(GOOD)
    files["indexer/library/music"] = ["indexer/store/writer",
                                      "indexer/indexer"]
    tree(tmp_path, files)
    rc, out = check(tmp_path)
    assert rc == 1
    assert "indexer/library/music uses indexer/indexer, a floor above" \
        in out


def test_a_cycle_of_folders_on_one_floor_fails(tmp_path):
    # no module cycle: library/a uses manga/b, manga/c uses library/d
    files = dict(GOOD)
    files["indexer/library/a"] = ["indexer/manga/b"]
    files["indexer/manga/b"] = []
    files["indexer/manga/c"] = ["indexer/library/d"]
    files["indexer/library/d"] = []
    tree(tmp_path, files)
    rc, out = check(tmp_path)
    assert rc == 1
    assert "cycle among the folders indexer/library, indexer/manga" in out
    assert "cycle among indexer" not in out.replace(
        "cycle among the folders", "")


def test_fs_past_its_seams_fails(tmp_path):
    files = dict(GOOD)
    files["fs/views"] = ["indexer/library/music"]
    tree(tmp_path, files)
    rc, out = check(tmp_path)
    assert rc == 1
    assert "fs/views uses indexer/library/music: fs/ reaches the index" \
        in out
