# SPDX-License-Identifier: GPL-3.0-or-later
"""tests/check-layout.py, the layout's rules, run on small trees made
here: each rule's break is found and named, and a tree that keeps them
passes; and on this tree, which keeps them."""

import os
import shutil
import subprocess

CHECK = os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "check-layout.py")


SPDX = "/* SPDX-License-Identifier: GPL-3.0-or-later */\n"
OPENING = "/*\n * What this file owns, and what it must not do.\n */\n"


def tree(root, files):
    """Write files ({path: [included header, ...]}) under root, each
    module as a .c, opened by its SPDX line and a comment, and a .h that
    include what is given."""
    for mod, includes in files.items():
        for ext in (".c", ".h"):
            path = root / (mod + ext)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text((SPDX + OPENING if ext == ".c" else "") +
                            "".join('#include "%s.h"\n' % i
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
    "fs/tree/render": ["indexer/reads", "indexer/indexer"],
    "fs/mount/fs": ["fs/tree/render"],
    "fs/http/http": ["fs/tree/render", "common/strbuf"],
    "fs/subsonic/subsonic": ["fs/tree/render"],
    "fs/main": ["fs/mount/fs", "fs/http/http", "fs/subsonic/subsonic"],
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


def refused(root, mod, includes):
    """What check-layout prints of GOOD with mod including includes
    instead, which it must refuse."""
    tree(root, dict(GOOD, **{mod: includes}))
    rc, out = check(root)
    assert rc == 1, out
    return out


def test_fs_past_its_seams_fails(tmp_path):
    out = refused(tmp_path, "fs/tree/views", ["indexer/library/music"])
    assert "fs/tree/views uses indexer/library/music: fs/ reaches the" \
        " index" in out


def test_a_door_reaching_another_door_fails(tmp_path):
    out = refused(tmp_path, "fs/subsonic/subsonic",
                  ["fs/tree/render", "fs/http/http"])
    assert "fs/subsonic/subsonic uses fs/http/http: a door reaches" \
        " another door never" in out


def test_the_tree_reaching_a_door_fails(tmp_path):
    out = refused(tmp_path, "fs/tree/nodes", ["fs/mount/fs"])
    assert "fs/tree/nodes uses fs/mount/fs: the tree reaches no door" \
        in out
    assert "fs/tree/nodes uses fs/mount/fs, a floor above its own" in out


def test_a_listed_reach_passes_and_a_stale_one_fails(tmp_path):
    """A reach the allow-list names passes, floors and folders' cycle
    included; one no longer used must be removed."""
    files = dict(GOOD)
    files["fs/http/http"] = ["fs/tree/render", "fs/subsonic/subsonic"]
    files["fs/subsonic/subsonic"] = ["fs/tree/render", "fs/http/http_serve"]
    files["fs/http/http_serve"] = []
    tree(tmp_path, files)
    allow(tmp_path, "reach fs/http/http fs/subsonic/subsonic",
          "reach fs/subsonic/subsonic fs/http/http_serve")
    rc, out = check(tmp_path)
    assert rc == 0, out
    allow(tmp_path, "reach fs/http/http fs/subsonic/subsonic",
          "reach fs/subsonic/subsonic fs/http/http_serve",
          "reach fs/mount/fs fs/http/http")
    rc, out = check(tmp_path)
    assert rc == 1
    assert "fs/mount/fs no longer uses fs/http/http: remove its reach" \
        in out


def copy_of_this_tree(dest):
    """The code, the unit and integration tests and the allow-list of
    this tree, copied under dest, as check-layout reads them."""
    src = os.path.dirname(os.path.dirname(CHECK))
    for part in ("common", "indexer", "fs", "analyser",
                 os.path.join("tests", "unit"),
                 os.path.join("tests", "integration")):
        shutil.copytree(os.path.join(src, part), dest / part,
                        ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(os.path.join(src, "tests", "check-layout.allow"),
                dest / "tests" / "check-layout.allow")


def plant(path, include):
    """Add an #include of include to the file at path, after its
    first one."""
    text = path.read_text()
    at = text.index("#include")
    path.write_text(text[:at] + '#include "%s"\n' % include + text[at:])


def test_a_door_planted_in_a_copy_of_this_tree_fails(tmp_path):
    """This tree's own doors: the mount reaching the HTTP door, or the
    tree reaching the Subsonic API, is refused in a copy of it."""
    copy_of_this_tree(tmp_path)
    rc, out = check(tmp_path)
    assert rc == 0, out
    plant(tmp_path / "fs" / "mount" / "fs_dir.c", "fs/http/http_range.h")
    plant(tmp_path / "fs" / "tree" / "views.c",
          "fs/subsonic/subsonic_marks.h")
    rc, out = check(tmp_path)
    assert rc == 1
    assert "fs/mount/fs_dir uses fs/http/http_range: a door reaches" \
        " another door never" in out
    assert "fs/tree/views uses fs/subsonic/subsonic_marks: the tree" \
        " reaches no door" in out


def test_this_tree_passes():
    rc, out = check(os.path.dirname(os.path.dirname(CHECK)))
    assert rc == 0, out


def write_c(root, rel, lines, opening=True):
    """A .c file of that many lines in all, opened by its SPDX line and,
    if asked, a comment."""
    head = SPDX + (OPENING if opening else "") + '#include "common/x.h"\n'
    body = "int x;\n" * (lines - head.count("\n"))
    (root / rel).write_text(head + body)


def allow(root, *lines):
    (root / "tests").mkdir(exist_ok=True)
    (root / "tests" / "check-layout.allow").write_text(
        "# the exceptions\n" + "".join(line + "\n" for line in lines))


def test_a_long_file_fails_unless_listed(tmp_path):
    tree(tmp_path, GOOD)
    write_c(tmp_path, "common/strbuf.c", 800)
    assert check(tmp_path)[0] == 0
    write_c(tmp_path, "common/strbuf.c", 801)
    rc, out = check(tmp_path)
    assert rc == 1
    assert "common/strbuf.c has 801 lines, over 800: split it" in out
    allow(tmp_path, "long common/strbuf.c 805")
    rc, out = check(tmp_path)
    assert rc == 0, out


def test_a_listed_long_file_may_only_shrink(tmp_path):
    tree(tmp_path, GOOD)
    allow(tmp_path, "long common/strbuf.c 805")
    write_c(tmp_path, "common/strbuf.c", 806)
    rc, out = check(tmp_path)
    assert rc == 1
    assert "common/strbuf.c grew to 806 lines, past the 805" in out
    write_c(tmp_path, "common/strbuf.c", 790)
    rc, out = check(tmp_path)
    assert rc == 1
    assert "common/strbuf.c has 790 lines now: remove it from" in out


def write_test(root, rel, lines):
    """A test file of that many lines."""
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text("x = 1\n" * lines)


def test_a_long_test_file_fails_unless_listed(tmp_path):
    tree(tmp_path, GOOD)
    write_test(tmp_path, "tests/integration/test_x.py", 1000)
    write_test(tmp_path, "tests/unit/test_y.c", 1000)
    assert check(tmp_path)[0] == 0
    write_test(tmp_path, "tests/integration/test_x.py", 1001)
    write_test(tmp_path, "tests/unit/test_y.c", 1002)
    rc, out = check(tmp_path)
    assert rc == 1
    assert "tests/integration/test_x.py has 1001 lines, over 1000: split" \
        in out
    assert "tests/unit/test_y.c has 1002 lines, over 1000: split" in out
    allow(tmp_path, "long tests/integration/test_x.py 1001",
          "long tests/unit/test_y.c 1002")
    rc, out = check(tmp_path)
    assert rc == 0, out
    write_test(tmp_path, "tests/unit/test_y.c", 1003)
    write_test(tmp_path, "tests/integration/test_x.py", 990)
    rc, out = check(tmp_path)
    assert rc == 1
    assert "tests/unit/test_y.c grew to 1003 lines, past the 1002" in out
    assert "tests/integration/test_x.py has 990 lines now: remove it" in out


def write_static(root, rel, name):
    """A .c file defining one static function, name."""
    (root / rel).write_text(SPDX + OPENING + "static int %s(void)\n{\n"
                            "\treturn 0;\n}\n" % name)


def test_a_static_name_of_two_files_fails_unless_counted(tmp_path):
    tree(tmp_path, GOOD)
    write_static(tmp_path, "common/strbuf.c", "grow")
    write_static(tmp_path, "indexer/store/writer.c", "flush")
    assert check(tmp_path)[0] == 0
    write_static(tmp_path, "indexer/store/writer.c", "grow")
    rc, out = check(tmp_path)
    assert rc == 1
    assert "1 static function names are each defined in more than one" \
        " .c file, over the 0 of" in out
    r = subprocess.run(["/usr/bin/python3", CHECK, "--clashes",
                        str(tmp_path)], capture_output=True, text=True,
                       timeout=60)
    assert r.stdout == "grow: common/strbuf.c indexer/store/writer.c\n"
    allow(tmp_path, "clashes 1")
    rc, out = check(tmp_path)
    assert rc == 0, out
    write_static(tmp_path, "indexer/store/writer.c", "flush")
    rc, out = check(tmp_path)
    assert rc == 1
    assert 'lower "clashes" to 0 in' in out


def test_a_file_with_no_opening_comment_fails_unless_listed(tmp_path):
    tree(tmp_path, GOOD)
    # the SPDX line alone is not the opening comment
    write_c(tmp_path, "common/strbuf.c", 10, opening=False)
    rc, out = check(tmp_path)
    assert rc == 1
    assert "common/strbuf.c has no opening comment" in out
    allow(tmp_path, "uncommented common/strbuf.c")
    rc, out = check(tmp_path)
    assert rc == 0, out
    write_c(tmp_path, "common/strbuf.c", 10)
    rc, out = check(tmp_path)
    assert rc == 1
    assert "common/strbuf.c opens with a comment now: remove it" in out


def test_an_entry_for_a_file_gone_or_garbled_fails(tmp_path):
    tree(tmp_path, GOOD)
    allow(tmp_path, "uncommented common/gone.c", "long common/gone.c 900",
          "short common/strbuf.c")
    rc, out = check(tmp_path)
    assert rc == 1
    assert "common/gone.c is gone: remove it from" in out
    assert ':4: not "long PATH LINES", "uncommented PATH" nor' in out


def write_function(root, rel, name, lines, head="static int\n%s(int a,\n"
                   "      int b)\n"):
    """Write rel, a .c opened as the rules ask, defining name in lines
    lines from its head's first line through its closing brace (kernel
    style), after a short function and a table whose braces open on
    their first line."""
    body = lines - head.count("\n") - 2
    text = (SPDX + OPENING + '#include "common/x.h"\n\n'
            "static const int table[] = {\n\t1,\n};\n\n"
            "static int\nshort_one(void)\n{\n\treturn table[0];\n}\n\n" +
            head % name + "{\n" + "\ta++;\n" * (body - 1) +
            "\treturn a + b;\n}\n")
    (root / rel).write_text(text)


def fill(root, lines, name="strbuf_fill", **head):
    """check() of the tree once common/strbuf.c's name has lines."""
    write_function(root, "common/strbuf.c", name, lines, **head)
    return check(root)


def test_a_long_function_fails_unless_listed(tmp_path):
    tree(tmp_path, GOOD)
    rc, out = fill(tmp_path, 80)
    assert rc == 0, out
    rc, out = fill(tmp_path, 81)
    assert rc == 1
    assert "common/strbuf.c:strbuf_fill has 81 lines, over 80: split" in out
    assert "short_one" not in out and "table" not in out
    allow(tmp_path, "function common/strbuf.c:strbuf_fill 81")
    rc, out = check(tmp_path)
    assert rc == 0, out


def test_a_function_counts_from_its_head_to_its_closing_brace(tmp_path):
    """The return type alone above the name, the signature's lines and
    both braces count: 76 lines of body under a head of three lines are
    81, over; under a head of one line, 78 (the old count, the body
    alone, let both pass)."""
    tree(tmp_path, GOOD)
    rc, out = fill(tmp_path, 81)
    assert rc == 1
    assert "common/strbuf.c:strbuf_fill has 81 lines, over 80" in out
    rc, out = fill(tmp_path, 81, head="int %s(int a, int b)\n")
    assert rc == 1
    assert "common/strbuf.c:strbuf_fill has 81 lines, over 80" in out
    rc, out = fill(tmp_path, 80, head="static const char *\n%s(int a,"
                   "\n\t\t   int b)\n")
    assert rc == 0, out
    rc, out = fill(tmp_path, 81, head="static const char *\n%s(int a,"
                   "\n\t\t   int b)\n")
    assert rc == 1
    assert "common/strbuf.c:strbuf_fill has 81 lines, over 80" in out


def test_a_listed_long_function_may_only_shrink(tmp_path):
    """Grown past its count, back under the ceiling, renamed or gone: each
    fails until the allow-list says so; a one-line head counts too."""
    tree(tmp_path, GOOD)
    allow(tmp_path, "function common/strbuf.c:strbuf_fill 90")
    rc, out = fill(tmp_path, 91, head="int %s(int a, int b)\n")
    assert rc == 1
    assert "common/strbuf.c:strbuf_fill grew to 91 lines, past the 90" in out
    assert fill(tmp_path, 90)[0] == 0
    rc, out = fill(tmp_path, 70)
    assert rc == 1
    assert "common/strbuf.c:strbuf_fill has 70 lines now: remove it" in out
    rc, out = fill(tmp_path, 70, name="strbuf_other")
    assert rc == 1
    assert "common/strbuf.c:strbuf_fill is gone: remove it from" in out


def test_a_public_name_without_its_prefix_fails(tmp_path):
    """A header's function that carries neither the module's name nor its
    family's first word is named; both forms pass."""
    tree(tmp_path, GOOD)
    header = tmp_path / "indexer/library/music.h"
    header.write_text("int music_scan(void);\nint music_rows_add(int n);\n")
    assert check(tmp_path)[0] == 0
    (tmp_path / "fs/tree/render.h").write_text(
        "/* scan(void) in a comment is no declaration */\n"
        "int render_summary(void);\nvoid query_summary(int id);\n")
    rc, out = check(tmp_path)
    assert rc == 1
    assert "fs/tree/render.h declares query_summary" in out, out
    assert "render_summary" not in out


def calls(root, rel, defines, call):
    """A .c file under root that defines the public function DEFINES and
    calls CALL (declared, with DEFINES, in the folder's header)."""
    folder = (root / rel).parent
    with open(folder / "watch.h", "a") as f:
        f.write("void %s(void);\n" % defines)
    (root / rel).write_text(SPDX + OPENING + '#include "%s/watch.h"\n\n'
                            "void %s(void)\n{\n\t%s();\n}\n"
                            % (os.path.relpath(folder, root), defines, call))


def test_two_files_calling_each_other_fail_unless_listed(tmp_path):
    """watch.c and watch_map.c calling each other through their header is
    a knot; one way only passes; a listed knot passes, and its entry fails
    once the knot is untied."""
    tree(tmp_path, GOOD)
    lib = "indexer/library/"
    (tmp_path / lib / "watch.h").write_text("")
    calls(tmp_path, lib + "watch.c", "watch_wake", "watch_map_dir")
    calls(tmp_path, lib + "watch_map.c", "watch_map_dir", "strlen")
    rc, out = check(tmp_path)
    assert rc == 0, out
    calls(tmp_path, lib + "watch_map.c", "watch_map_dir", "watch_wake")
    rc, out = check(tmp_path)
    assert rc == 1
    assert ("indexer/library/watch.c, indexer/library/watch_map.c call"
            " each other (watch.c calls watch_map_dir; watch_map.c calls"
            " watch_wake)") in out, out
    allow(tmp_path, "knot %swatch.c %swatch_map.c" % (lib, lib))
    assert check(tmp_path)[0] == 0
    calls(tmp_path, lib + "watch_map.c", "watch_map_dir", "strlen")
    rc, out = check(tmp_path)
    assert rc == 1
    assert "no longer call each other: remove their knot" in out, out


def test_a_cycle_of_three_files_fails(tmp_path):
    """a calls b, b calls c, c calls a: no pair calls both ways, and it is
    a knot all the same; a static function of the same name is no call."""
    tree(tmp_path, GOOD)
    lib = "indexer/library/"
    (tmp_path / lib / "watch.h").write_text("")
    calls(tmp_path, lib + "watch_a.c", "watch_a", "watch_b")
    calls(tmp_path, lib + "watch_b.c", "watch_b", "watch_c")
    (tmp_path / lib / "watch_c.c").write_text(
        SPDX + OPENING + "static void watch_a(void)\n{\n}\n\n"
        "void watch_c(void)\n{\n\twatch_a();\n}\n")
    assert check(tmp_path)[0] == 0
    calls(tmp_path, lib + "watch_c.c", "watch_c", "watch_a")
    rc, out = check(tmp_path)
    assert rc == 1
    assert ("indexer/library/watch_a.c, indexer/library/watch_b.c,"
            " indexer/library/watch_c.c call each other") in out, out
