#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fails when the code breaks the layout's rules: a cycle of #includes
between the project's modules, a use across the layers, or the mount
(fs/) reaching the index other than through its three seams.

A module is a .c file and its header (indexer/library/scan.c and .h). A
header with no .c of its own that includes a module's header and is
included by that module's .c is the module's private header (tags_private.h
of tags.c), part of it.
Module A uses module B when A's .c or .h includes B's header. The uses
must form no cycle: a lower module that must tell a higher one takes a
callback or a queue (ARCHITECTURE.md). fs/ must not be used by indexer/
or common/, and indexer/ not by common/ (DESIGN.md).

Folders stand on floors, and a module uses modules of its own floor or
below only: common/ < indexer/store/ (the engine: writer, reader, schema)
< indexer/library/, manga/, analysis/ (the domains that own rows) <
indexer/monitor/, realdebrid/ (the domains that act on them) < the
indexer's top (indexer/*.c) < fs/tree/ (the tree both doors serve) and
analyser/ < the doors: fs/mount/ (the FUSE mount), fs/http/ (the HTTP
listener and its page), fs/subsonic/ (the OpenSubsonic API) < fs/ (the
program: main.c, daemon.c, which start the doors). The folders' uses
must form no cycle either.

A door uses the tree, the folders below it and its own files, never
another door: what two doors share belongs to the tree. The
allow-list's "reach MODULE MODULE" lines name today's uses of a door by
another door or by the tree, a list that may only shrink (an entry no
longer used fails): they are left out of the floors' and folders'
checks.

fs/ reaches the index through indexer/indexer.h (commands, live status)
and indexer/reads.h (the read API) only, and holds no SQL.

A .c file holds at most 800 lines, and opens, before its first #include
and after its SPDX line, with a comment saying what it owns and what it
must not do. A test file (tests/unit/*.c, tests/integration/*.py) holds
at most 1,000 lines: a larger one is split by concern, what its parts
share in a module of their own. A function's whole definition, from the
first line of its signature (its return type's line when that stands
alone above the name) through its closing brace, holds at most 80
lines; its braces stand each alone at the start of a line, as the kernel
style puts them. ROOT/tests/check-layout.allow lists today's exceptions
("long PATH LINES" for a .c or a test file, "uncommented PATH",
"function PATH:NAME LINES"); it may only shrink: a listed file or
function that grew past its count fails, and so does an entry that no
longer applies (the file or function fixed or gone).

The .c files of one folder call each other through the folder's
headers (a calls b when b defines, at the left margin, a function a
header of the folder declares and a calls it) without a cycle, two
files calling each other both ways included, unless the allow-list
names it ("knot PATH PATH...", the cycle's files in sorted order): a
split is one-way, the lower file returning what its caller must do
instead of calling back, or the files are one module, which
ARCHITECTURE.md says. A listed knot that is no longer one fails too.

A static function bears a name no other .c file gives one of its own:
grep and a reader find the one meant. The allow-list's "clashes N" is
how many names two files or more still share, a count that may only
fall (tests/check-layout.py --clashes lists them).

Every function a module's header declares carries the module's prefix:
its name starts with the module's name (scan_store_) or with the first
word of it, the family it belongs to (render_ for render_status.h).

Usage: tests/check-layout.py [--clashes] [ROOT]; prints every break of
these rules, and exits 1 when there is any (with --clashes: the static
names shared, each with its files, and exits 0)."""

import os
import re
import sys

DIRS = ("common", "indexer", "fs", "analyser")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
SPDX = re.compile(r"^(/\* SPDX-License-Identifier: [^*\n]*\*/"
                  r"|// SPDX-License-Identifier: .*)$", re.M)
MAX_LINES = 800
TEST_DIRS = (os.path.join("tests", "unit"),
             os.path.join("tests", "integration"))
MAX_TEST_LINES = 1000
MAX_FUNCTION = 80
CALLED = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\s*\(")
RETURN_TYPE = re.compile(r"^[A-Za-z_][A-Za-z0-9_ ]*[A-Za-z0-9_ *]$")
ALLOW = os.path.join("tests", "check-layout.allow")
LAYER = {"common": 0, "indexer": 1, "fs": 2, "analyser": 2}
FS_SEAMS = {"indexer/indexer", "indexer/reads"}
FLOOR = {
    "common": 0,
    "indexer/store": 1,
    "indexer/library": 2, "indexer/manga": 2, "indexer/analysis": 2,
    "indexer/monitor": 3, "indexer/realdebrid": 3,
    "indexer": 4,
    "fs/tree": 5, "analyser": 5,
    "fs/mount": 6, "fs/http": 6, "fs/subsonic": 6,
    "fs": 7,
}
DOORS = ("fs/mount", "fs/http", "fs/subsonic")


def modules(root):
    """Every module (path without extension) and the modules it uses."""
    uses = {}
    has_c = set()
    for top in DIRS:
        for folder, _, files in os.walk(os.path.join(root, top)):
            for name in files:
                if not name.endswith((".c", ".h")):
                    continue
                path = os.path.join(folder, name)
                mod = os.path.relpath(path, root)[:-2]
                if name.endswith(".c"):
                    has_c.add(mod)
                with open(path, encoding="utf-8", errors="replace") as f:
                    text = f.read()
                for inc in INCLUDE.findall(text):
                    if inc.endswith(".h") and inc.split("/")[0] in DIRS:
                        used = inc[:-2]
                        if used != mod:
                            uses.setdefault(mod, set()).add(used)
                uses.setdefault(mod, set())
    for mod in list(uses):
        if mod in has_c:
            continue
        for owner in list(uses[mod]):
            if mod in uses.get(owner, ()):
                uses[owner].discard(mod)
                uses[mod].discard(owner)
                uses[owner] |= uses.pop(mod)
                for other in uses.values():
                    if mod in other:
                        other.discard(mod)
                        other.add(owner)
                uses[owner].discard(owner)
                break
    return uses


def folder(mod):
    """The folder a module is in, as FLOOR names it."""
    return mod.rsplit("/", 1)[0]


def cycles(uses):
    """The strongly connected components with more than one module
    (Tarjan's algorithm, iterative)."""
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = [0]
    for start in sorted(uses):
        if start in index:
            continue
        work = [(start, iter(sorted(uses.get(start, ()))))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on.add(start)
        while work:
            node, it = work[-1]
            nxt = next(it, None)
            if nxt is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    comp = []
                    while True:
                        m = stack.pop()
                        on.discard(m)
                        comp.append(m)
                        if m == node:
                            break
                    if len(comp) > 1:
                        out.append(sorted(comp))
                continue
            if nxt not in uses:
                continue
            if nxt not in index:
                index[nxt] = low[nxt] = counter[0]
                counter[0] += 1
                stack.append(nxt)
                on.add(nxt)
                work.append((nxt, iter(sorted(uses.get(nxt, ())))))
            elif nxt in on:
                low[node] = min(low[node], index[nxt])
    return out


def opens_with_comment(text):
    """Whether a comment other than the SPDX line comes before the first
    #include (or, with none, anywhere before the code)."""
    head = re.split(r"^\s*#\s*include", text, maxsplit=1, flags=re.M)[0]
    return bool(re.search(r"/\*|//", SPDX.sub("", head)))


def allowed(root):
    """({path: lines} of the long files, {path} of the uncommented ones,
    {path:name: lines} of the long functions) that ROOT's allow-list lets
    pass; printed and counted: its lines that make no sense."""
    long, uncommented, functions, bad = {}, set(), {}, 0
    path = os.path.join(root, ALLOW)
    if not os.path.exists(path):
        return long, uncommented, functions, bad
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            words = line.split()
            if not words or words[0].startswith("#"):
                continue
            if words[0] == "long" and len(words) == 3 and \
                    words[2].isdigit():
                long[words[1]] = int(words[2])
            elif words[0] == "uncommented" and len(words) == 2:
                uncommented.add(words[1])
            elif words[0] == "knot" and len(words) >= 3 or \
                    words[0] == "reach" and len(words) == 3 or \
                    words[0] == "clashes" and len(words) == 2 and \
                    words[1].isdigit():
                pass            # check_knots(), reaches(), check_clashes()
            elif words[0] == "function" and len(words) == 3 and \
                    ":" in words[1] and words[2].isdigit():
                functions[words[1]] = int(words[2])
            else:
                print("check-layout: %s:%d: not \"long PATH LINES\","
                      " \"uncommented PATH\" nor \"function PATH:NAME"
                      " LINES\", nor \"knot PATH PATH...\", nor"
                      " \"reach MODULE MODULE\", nor \"clashes N\""
                      % (ALLOW, n))
                bad += 1
    return long, uncommented, functions, bad


def definitions(text):
    """{name: (lines, static)} of the functions TEXT defines, each counted
    whole, and whether it is static:
    from its signature's first line through its closing brace. A body
    opens with a "{" alone on its line and closes with the next "}"
    alone on its line (kernel style); the name is the first one called
    in the head above the brace, from the line that starts at the left
    margin; a return type alone on the line above that one counts too."""
    lines = text.split("\n")
    out = {}
    i = 0
    while i < len(lines):
        if lines[i] != "{":
            i += 1
            continue
        head, j = "", i - 1
        while j >= 0 and lines[j] and not lines[j].endswith(";") and \
                not lines[j].startswith(("}", "#", " */")):
            head = lines[j] + " " + head
            j -= 1
            if lines[j + 1][:1] not in ("\t", " ") and CALLED.search(head):
                break
        end = i + 1
        while end < len(lines) and lines[end] != "}":
            end += 1
        if j >= 0 and RETURN_TYPE.match(lines[j]):
            j -= 1
        name = CALLED.search(head)
        if name:
            out[name.group(1)] = (end - j, lines[j + 1].startswith("static"))
        i = end + 1
    return out


def function_lengths(text):
    """{name: lines} of the functions TEXT defines (definitions())."""
    return {name: n for name, (n, _) in definitions(text).items()}


def check_length(key, lines, ceiling, listed, fix):
    """KEY (a file or PATH:NAME) of LINES lines against CEILING and the
    allow-list's LISTED counts; FIX says what to do when it is over and
    not listed. Returns 1 on a break, printed, else 0."""
    if key in listed:
        if lines <= ceiling:
            print("check-layout: %s has %d lines now: remove it from %s"
                  % (key, lines, ALLOW))
            return 1
        if lines > listed[key]:
            print("check-layout: %s grew to %d lines, past the %d of %s:"
                  " it may only shrink" % (key, lines, listed[key], ALLOW))
            return 1
    elif lines > ceiling:
        print("check-layout: %s has %d lines, over %d: %s"
              % (key, lines, ceiling, fix))
        return 1
    return 0


def check_functions(rel, text, functions, seen):
    """REL's functions against MAX_FUNCTION and the allow-list; adds the
    PATH:NAME of each to SEEN; returns the number of breaks, printed."""
    bad = 0
    for name, lines in sorted(function_lengths(text).items()):
        key = "%s:%s" % (rel, name)
        seen.add(key)
        bad += check_length(key, lines, MAX_FUNCTION, functions,
                            "split it by phase into helpers")
    return bad


def check_tests(root, long, seen):
    """The test files' length against MAX_TEST_LINES and the allow-list's
    LONG; adds each to SEEN; returns the number of breaks, printed."""
    bad = 0
    for top in TEST_DIRS:
        folder = os.path.join(root, top)
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            if not name.endswith((".c", ".py")):
                continue
            rel = os.path.join(top, name)
            seen.add(rel)
            with open(os.path.join(root, rel), encoding="utf-8",
                      errors="replace") as f:
                lines = f.read().count("\n")
            bad += check_length(rel, lines, MAX_TEST_LINES, long,
                                "split it by concern, what the parts share"
                                " in a module of their own")
    return bad


def check_files(root):
    """The .c files' length and opening comment against the allow-list;
    returns the number of breaks, each printed."""
    long, uncommented, functions, bad = allowed(root)
    seen, seen_functions = set(), set()
    for top in DIRS:
        for folder, _, files in os.walk(os.path.join(root, top)):
            for name in sorted(files):
                if not name.endswith(".c"):
                    continue
                rel = os.path.relpath(os.path.join(folder, name), root)
                seen.add(rel)
                with open(os.path.join(root, rel), encoding="utf-8",
                          errors="replace") as f:
                    text = f.read()
                lines = text.count("\n")
                bad += check_functions(rel, text, functions,
                                       seen_functions)
                bad += check_length(rel, lines, MAX_LINES, long,
                                    "split it along its concerns")
                commented = opens_with_comment(text)
                if rel in uncommented and commented:
                    print("check-layout: %s opens with a comment now:"
                          " remove it from %s" % (rel, ALLOW))
                    bad += 1
                elif rel not in uncommented and not commented:
                    print("check-layout: %s has no opening comment saying"
                          " what it owns and must not do" % rel)
                    bad += 1
    bad += check_tests(root, long, seen)
    for rel in sorted((set(long) | uncommented) - seen):
        print("check-layout: %s is gone: remove it from %s" % (rel, ALLOW))
        bad += 1
    for key in sorted(set(functions) - seen_functions):
        print("check-layout: %s is gone: remove it from %s" % (key, ALLOW))
        bad += 1
    return bad


COMMENT = re.compile(r"/\*.*?\*/", re.S)
DECLARED = re.compile(r"^[A-Za-z][^;#{}()]*?\b([a-z_][a-z0-9_]*)\s*\(", re.M)


def folder_calls(folder):
    """{a.c: {b.c: {names}}}: the functions declared in FOLDER's headers
    and defined in its b.c (at the left margin, not static) that its a.c
    calls."""
    names = [n for n in os.listdir(folder) if n.endswith((".c", ".h"))]
    declared, texts, owner, calls = set(), {}, {}, {}
    for name in names:
        with open(os.path.join(folder, name), encoding="utf-8",
                  errors="replace") as f:
            if name.endswith(".h"):
                text = COMMENT.sub("", f.read())
                declared |= {m.group(1) for m in DECLARED.finditer(text)
                             if not m.group(0).startswith("typedef")}
            elif name.endswith(".c"):
                texts[name] = COMMENT.sub("", f.read())
    for name, text in texts.items():
        for line in text.split("\n"):
            if line[:1] in ("", " ", "\t", "#", "}", "{") or \
                    line.startswith("static") or line.rstrip()[-1:] == ";":
                continue
            m = CALLED.search(line)
            if m and m.group(1) in declared:
                owner.setdefault(m.group(1), name)
    for name, text in texts.items():
        for m in CALLED.finditer(text):
            other = owner.get(m.group(1))
            if other and other != name:
                calls.setdefault(name, {}).setdefault(other, set()).add(
                    m.group(1))
    return calls


def knots(root):
    """{(a, b, ...): {a: {b: names}}}: the files of each cycle of calls
    among the .c files of one folder (paths from ROOT, sorted), with the
    calls between them."""
    out = {}
    for top in DIRS:
        for folder, _, _ in os.walk(os.path.join(root, top)):
            calls = folder_calls(folder)
            rel = os.path.relpath(folder, root)
            for comp in cycles({a: set(b) for a, b in calls.items()}):
                out[tuple(os.path.join(rel, c) for c in comp)] = {
                    a: {b: calls[a][b] for b in calls[a] if b in comp}
                    for a in comp}
    return out


def allow_lines(root, kind):
    """The words after KIND of each line of ROOT's allow-list that starts
    with it."""
    path = os.path.join(root, ALLOW)
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [line.split()[1:] for line in f
                if line.split()[:1] == [kind]]


def check_knots(root):
    """The knots against the allow-list's "knot" lines; returns the number
    of breaks, each printed."""
    listed = {tuple(words) for words in allow_lines(root, "knot")
              if len(words) >= 2}
    found, bad = knots(root), 0
    for comp, calls in sorted(found.items()):
        if comp in listed:
            continue
        print("check-layout: %s call each other (%s): make the split"
              " one-way, the callee returning what the caller must do"
              % (", ".join(comp), "; ".join(
                  "%s calls %s" % (a, ", ".join(sorted(
                      n for names in calls[a].values() for n in names)))
                  for a in sorted(calls))))
        bad += 1
    for comp in sorted(listed - set(found)):
        print("check-layout: %s no longer call each other: remove their"
              " knot from %s" % (", ".join(comp), ALLOW))
        bad += 1
    return bad


def static_clashes(root):
    """{name: [path, ...]} of the static functions defined under the same
    name in more than one .c file."""
    where = {}
    for top in DIRS:
        for folder, _, files in os.walk(os.path.join(root, top)):
            for name in sorted(files):
                if not name.endswith(".c"):
                    continue
                path = os.path.join(folder, name)
                with open(path, encoding="utf-8", errors="replace") as f:
                    defs = definitions(f.read())
                for fn, (_, static) in defs.items():
                    if static:
                        where.setdefault(fn, []).append(
                            os.path.relpath(path, root))
    return {fn: paths for fn, paths in where.items() if len(paths) > 1}


def check_clashes(root):
    """The count of static_clashes() against the allow-list's "clashes
    N" (none: 0); returns 1 on a break, printed, else 0."""
    listed = 0
    path = os.path.join(root, ALLOW)
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                words = line.split()
                if len(words) == 2 and words[0] == "clashes" and \
                        words[1].isdigit():
                    listed = int(words[1])
    found = len(static_clashes(root))
    if found > listed:
        print("check-layout: %d static function names are each defined in"
              " more than one .c file, over the %d of %s: name the new one"
              " for what it does (tests/check-layout.py --clashes lists"
              " them)" % (found, listed, ALLOW))
        return 1
    if found < listed:
        print("check-layout: %d static function names are each defined in"
              " more than one .c file now: lower \"clashes\" to %d in %s"
              % (found, found, ALLOW))
        return 1
    return 0


def reaches(root):
    """{(a, b)} of the allow-list's "reach A B" lines: module A may use
    module B across the doors' rule for now."""
    return {tuple(words) for words in allow_lines(root, "reach")
            if len(words) == 2}


def door(mod):
    """The door (a folder of DOORS) module MOD is in, or None."""
    return folder(mod) if folder(mod) in DOORS else None


def check_doors(uses, listed):
    """Each use of a door by another door or by the tree against the
    allow-list's LISTED reaches; returns the number of breaks, each
    printed."""
    bad, seen = 0, set()
    for mod in sorted(uses):
        for used in sorted(uses[mod]):
            theirs = door(used)
            if not theirs or folder(mod) in (theirs, "fs"):
                continue
            seen.add((mod, used))
            if (mod, used) in listed:
                continue
            if door(mod):
                print("check-layout: %s uses %s: a door reaches another"
                      " door never (what both need belongs to fs/tree/)"
                      % (mod, used))
            else:
                print("check-layout: %s uses %s: the tree reaches no"
                      " door" % (mod, used))
            bad += 1
    for mod, used in sorted(listed - seen):
        print("check-layout: %s no longer uses %s: remove its reach from"
              " %s" % (mod, used, ALLOW))
        bad += 1
    return bad


def check_prefixes(root, uses):
    """The functions each module's header declares against its name;
    returns the number of breaks, each printed."""
    bad = 0
    for mod in sorted(uses):
        path = os.path.join(root, mod + ".h")
        if not os.path.exists(path):
            continue
        stem = os.path.basename(mod)
        with open(path, encoding="utf-8", errors="replace") as f:
            text = COMMENT.sub("", f.read())
        for m in DECLARED.finditer(text):
            name = m.group(1)
            if m.group(0).startswith(("typedef", "return")):
                continue
            if name.startswith(stem) or name.startswith(
                    stem.split("_")[0] + "_"):
                continue
            print("check-layout: %s.h declares %s, without the module's"
                  " prefix (%s_)" % (mod, name, stem))
            bad += 1
    return bad


def main():
    args = [a for a in sys.argv[1:] if a != "--clashes"]
    root = args[0] if args else os.path.dirname(
        os.path.dirname(os.path.abspath(__file__)))
    if "--clashes" in sys.argv:
        for fn, paths in sorted(static_clashes(root).items()):
            print("%s: %s" % (fn, " ".join(paths)))
        return 0
    uses = modules(root)
    listed = reaches(root)
    bad = check_doors(uses, listed)
    for mod in sorted(uses):
        for used in sorted(uses[mod]):
            a, b = mod.split("/")[0], used.split("/")[0]
            if LAYER.get(b, 0) > LAYER.get(a, 0):
                print("check-layout: %s uses %s, a higher layer"
                      % (mod, used))
                bad += 1
    folders = {}
    for mod in sorted(uses):
        for used in sorted(uses[mod]):
            a, b = folder(mod), folder(used)
            if a == b or (mod, used) in listed:
                continue
            folders.setdefault(a, set()).add(b)
            if FLOOR.get(b, 0) > FLOOR.get(a, 0):
                print("check-layout: %s uses %s, a floor above its own"
                      " (%s/ stands below %s/)" % (mod, used, a, b))
                bad += 1
    for comp in cycles(folders):
        print("check-layout: cycle among the folders %s" % ", ".join(comp))
        bad += 1
    for mod in sorted(uses):
        if not mod.startswith("fs/"):
            continue
        for used in sorted(uses[mod] - FS_SEAMS):
            if used.startswith("indexer/"):
                print("check-layout: %s uses %s: fs/ reaches the index"
                      " through %s only" % (mod, used,
                                            " and ".join(sorted(FS_SEAMS))))
                bad += 1
        for ext in (".c", ".h"):
            path = os.path.join(root, mod + ext)
            if os.path.exists(path):
                with open(path, encoding="utf-8", errors="replace") as f:
                    if "sqlite3" in f.read():
                        print("check-layout: %s%s speaks SQL: reads belong"
                              " behind indexer/reads.h" % (mod, ext))
                        bad += 1
    for comp in cycles(uses):
        print("check-layout: cycle among %s" % ", ".join(comp))
        bad += 1
    bad += check_files(root)
    bad += check_prefixes(root, uses)
    bad += check_knots(root)
    bad += check_clashes(root)
    if bad:
        return 1
    print("check-layout: %d modules in %d folders, no cycle, nothing above"
          " its floor, no door reaching another, fs/ on its seams, .c"
          " files and functions short and"
          " .c files opened by a comment, test files of at most 1,000 lines"
          " (or on %s), public names prefixed, no cycle of calls among a"
          " folder's files" % (len(uses), len(folders), ALLOW))
    return 0


if __name__ == "__main__":
    sys.exit(main())
