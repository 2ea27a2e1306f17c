# SPDX-License-Identifier: GPL-3.0-or-later
"""The documents cannot drift from the code: the configuration keys of
the key table (common/config_keys.c) and the files of the mount's node
table (fs/tree/nodes.c) are each compared with what mediamon.conf(5),
mediamon(8), contrib/mediamon.conf.example and the mount's own /README
list. A key or file that a document lists and the table lacks fails, and
so does one the table has and a document misses: a key added to the
table alone fails here until it is documented. mediamon(8)'s PROMETHEUS
METRICS list is made from the metrics' table (fs/tree/prometheus_metrics.def)
and must equal it: after a change to the table, run make docs (this
file's --write). So must mediamon(8)'s short list of the mount's files,
the node table's help (which the README shows too). The lists of keys in
mediamon.conf(5), one a section
between two comments, and contrib/mediamon.conf.example's keys (all but
its opening comment) are what tools/mediamon-docs prints from the key
table (common/config_keys.def, each manga source's section from its row
of common/manga_sources.def), with each key's type, range or choices,
default and help, and must equal it too. The
choices of [download] client and [usenet] client come from the clients'
table (common/download_clients.def): mediamon.conf(5) lists them, and
--check-config names them for a bad value, both in the table's order.
mediamon(8)'s OPTIONS items and --help's lines are the options' table's
(fs/options.def), which main.c's parser is made from too."""

import glob
import os
import re
import subprocess
import sys

import pytest

from conftest import BINARY, start, unmount
from service_common import config_keys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def read(rel):
    with open(os.path.join(REPO, rel), encoding="utf-8") as f:
        return f.read()


def table_rows_without_help(text):
    """The paths of the node table's rows that have no .help, but the
    root (the README is its help)."""
    body = text.split("} fixed[] = {", 1)[1].split("\n};", 1)[0]
    rows = re.split(r'\n\t(?=\{ ")', body)
    return sorted(m.group(1) for m in (re.match(r'\{ "(/[^"]*)"', r)
                                       for r in rows)
                  if m and m.group(1) != "/" and ".help = \"" not in
                  m.string)


def table_files(text):
    """The files (not folders) of the node table, as "status/health"."""
    body = text.split("} fixed[] = {", 1)[1].split("\n};", 1)[0]
    return {m[1:] for m, kind in
            re.findall(r'\{ "(/[^"]*)", \{ (NODE_FILE|NODE_CONTROL|\.type)',
                       body) if kind != ".type"}


def roff(line):
    return line.replace("\\-", "-").replace("\\(em", "-")


def man_keys(text):
    """{"section.key"}: each .TP item at the top level of a .SH [section]
    (an .SH may name several sections: "[sonarr] and [radarr]"). The
    items inside .RS ... .RE are values, not keys."""
    keys, sections, depth, item = set(), [], 0, False
    for line in text.split("\n"):
        if line.startswith(".SH"):
            sections = re.findall(r"\[(\w+)\]", line)
            depth = 0
        elif line.startswith(".RS"):
            depth += 1
        elif line.startswith(".RE"):
            depth -= 1
        elif line.startswith(".TP"):
            item = depth == 0
            continue
        elif item and sections and re.match(r"\.(BI|B|BR) ", line):
            name = re.match(r'\.\w+ "?([a-z][a-z0-9_]*)', line)
            if name:
                keys |= {"%s.%s" % (s, name.group(1)) for s in sections}
        item = False
    return keys


def example_keys(text):
    """{"section.key"}: every "key = value" line, commented out or not,
    after a [section] of contrib/mediamon.conf.example."""
    keys, section = set(), None
    for line in text.split("\n"):
        m = re.match(r"^\[(\w+)\]", line)
        if m:
            section = m.group(1)
            continue
        m = re.match(r"^(?:# )?([a-z][a-z0-9_]*) =(?: |$)", line)
        if m and section:
            keys.add("%s.%s" % (section, m.group(1)))
    # a secret given as KEY_file is that key
    return {k[:-5] if k.endswith("_file") and k[:-5] in KEYS else k
            for k in keys}


def placeholder(path):
    """A folder, or a path below a placeholder such as SERIES or QUERY."""
    parts = path.strip("/").split("/")
    return path.endswith("/") or any(p.isupper() for p in parts[:-1])


def man_files(text):
    """The files mediamon(8) names as items of THE MOUNT; folders (a path
    ending in /, or with a placeholder such as SERIES) are not files."""
    section = text.split(".SH THE MOUNT", 1)[1].split("\n.SH ", 1)[0]
    files, item = set(), False
    for line in section.split("\n"):
        if line.startswith(".TP"):
            item = True
            continue
        if item and re.match(r"\.(I|IR|B|BR) ", line):
            for p in re.findall(r"/[A-Za-z0-9._/-]+", roff(line)):
                if not placeholder(p):
                    files.add(p[1:])
        item = False
    return files


def readme_files(text):
    """The files the mount's /README describes: a path at the start of a
    line (a word holding a slash, or one word followed by two blanks or
    alone on its line), then its description."""
    files = set()
    for line in text.split("\n"):
        m = re.match(r"([A-Za-z][\w.-]*(?:/[\w.-]*)*/?)(?: |$)", line)
        if not m or placeholder(m.group(1)):
            continue
        rest = line[m.end(1):]
        if "/" in m.group(1) or rest.startswith("  ") or not rest:
            files.add(m.group(1))
    return files


def table_metrics(text):
    """[(name, type, help, source)] of the metrics' table, in order."""
    rows = re.findall(r'^PROM\((\w+), ([GC]),\n((?:     "[^"]*",?\n)+)'
                      r'     "([^"]*)",\n', text, re.M)
    return [(name, {"G": "gauge", "C": "counter"}[kind],
             "".join(re.findall(r'"([^"]*)"', help_)), source)
            for name, kind, help_, source in rows]


METRICS_BEGIN = '.\\" The metrics\' table: fs/tree/prometheus_metrics.def\n'
METRICS_END = '.\\" End of the metrics\' table\n'


def man_metrics(rows):
    """mediamon(8)'s list of the metrics, made from the table."""
    out = [METRICS_BEGIN]
    for name, kind, help_, source in rows:
        path, field = source.split(" ", 1)
        out.append('.TP\n.BR %s " (%s)"\n%s\nFrom\n.IR %s ": %s".\n'
                   % (name, kind, help_.replace("\\", "\\e"), path,
                      field))
    return "".join(out + [METRICS_END])


def man_block(text, begin, end):
    """A list made from a table as a page has it, from the line begin to
    the line end, both in, or "" when either is missing."""
    if begin not in text or end not in text:
        return ""
    return begin + text.split(begin, 1)[1].split(end, 1)[0] + end


def man_metrics_block(text):
    """The list as mediamon(8) has it, between the two comments."""
    return man_block(text, METRICS_BEGIN, METRICS_END)


def table_clients(text):
    """[(name, protocol)] of the clients' table, in order."""
    return re.findall(r"^DOWNLOAD_CLIENT\((\w+), (\w+)\)$", text, re.M)


def client_choices(rows, protocol):
    """The choices of a section's client key that the table makes: none,
    the clients of its protocol or of either, in order, then prowlarr."""
    return ["none"] + [name for name, p in rows
                       if p in (protocol, "either")] + ["prowlarr"]


def man_choices(text, section):
    """The values mediamon.conf(5) gives the client key of [section]."""
    head = ".SH [%s]\n" % section
    if head not in text:
        return []
    body = text.split(head, 1)[1].split("\n.SH ", 1)[0]
    m = re.search(r'^\.BI client " \(([^)]*)\)"$', body, re.M)
    return m.group(1).split(", ") if m else []


def check_config_choices(tmp_path, section):
    """The choices mediamon --check-config names for a bad value of
    [section] client."""
    conf = tmp_path / "bad.conf"
    conf.write_text("[%s]\nclient = bogus\n" % section)
    r = subprocess.run([BINARY, "--check-config", str(conf)],
                       capture_output=True, text=True, timeout=120)
    m = re.search(r"bad value 'bogus' for client in \[%s\]: expected one"
                  r" of (.*)$" % section, r.stderr, re.M)
    assert r.returncode != 0 and m, r.stderr
    return m.group(1).split(", ")


DOCS_TOOL = os.environ.get("MEDIAMON_DOCS_TOOL", os.path.join(
    REPO, "build", "tools", "mediamon-docs"))


def docs_tool(kind):
    """What tools/mediamon-docs prints for kind; it fails naming each key
    without its help."""
    assert os.access(DOCS_TOOL, os.X_OK), \
        "%s is not built (make %s)" % (DOCS_TOOL, os.path.relpath(
            DOCS_TOOL, REPO))
    r = subprocess.run([DOCS_TOOL, kind], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout


KEYS_BLOCK = re.compile(r'^\.\\" The keys of \[(\w+)\]: .*?\n'
                        r'.*?^\.\\" End of the keys of \[\1\]\n',
                        re.M | re.S)


def man_key_blocks(text):
    """{section: its list of keys} of mediamon.conf(5), between the
    comments that open and close each."""
    return {m.group(1): m.group(0) for m in KEYS_BLOCK.finditer(text)}


def example_split(text):
    """contrib/mediamon.conf.example as (its opening comment, the rest
    from the first [section] on)."""
    m = re.search(r"^\[", text, re.M)
    return (text[:m.start()], text[m.start():]) if m else (text, "")


def key_blocks_drift(documented, made):
    """What differs between the man page's lists and the tool's, section
    by section, said so that the fix is plain."""
    out = []
    for section in sorted(set(documented) | set(made)):
        if section not in documented:
            out.append("[%s] has no list between the comments" % section)
        elif section not in made:
            out.append("[%s]'s list is of no section of the table"
                       % section)
        elif documented[section] != made[section]:
            out.append("[%s]'s list differs from the table's" % section)
    return out


def drift(documented, table):
    return {"listed but not in the table": sorted(documented - table),
            "in the table but not listed": sorted(table - documented)}


NO_DRIFT = {"listed but not in the table": [],
            "in the table but not listed": []}
KEYS = {"%s.%s" % key for key in config_keys()}
FILES = table_files(read("fs/tree/nodes.c"))
METRICS = table_metrics(read("fs/tree/prometheus_metrics.def"))
CLIENTS = table_clients(read("common/download_clients.def"))


def test_tables_are_read():
    """The parsers find the tables (a broken parser would see none and
    find every document in drift, or, worse, agree with an empty one)."""
    assert len(KEYS) > 100 and "general.threads" in KEYS
    assert "status/health" in FILES and "control/rescan" in FILES
    assert "status" not in FILES and "README" in FILES
    # every row of the table is read, each with its help and source
    assert len(METRICS) == read("fs/tree/prometheus_metrics.def").count(
        "\nPROM(") > 100
    assert ("mediamon_tracks", "gauge", "Tracks in the index.",
            "/status/summary.json counts.tracks") in METRICS
    assert len(CLIENTS) == read("common/download_clients.def").count(
        "\nDOWNLOAD_CLIENT(") >= 5
    assert ("qbittorrent", "torrent") in CLIENTS


@pytest.mark.parametrize("doc,parse", [
    ("man/mediamon.conf.5", man_keys),
    ("contrib/mediamon.conf.example", example_keys),
])
def test_keys(doc, parse):
    assert drift(parse(read(doc)), KEYS) == NO_DRIFT, doc


@pytest.mark.parametrize("section,protocol", [("download", "torrent"),
                                              ("usenet", "usenet")])
def test_client_choices(tmp_path, section, protocol):
    """The client key's choices are the clients' table's: the man page
    lists them, and --check-config names them for a bad value."""
    choices = client_choices(CLIENTS, protocol)
    assert man_choices(read("man/mediamon.conf.5"), section) == choices
    assert check_config_choices(tmp_path, section) == choices


SOURCES = re.findall(
    r'^MANGA_SOURCE\((\w+), "([^"]+)", "([\w ]*)", (\d+),\s+'
    r'"(\w+://[^"]+)", (\d+),\s+"([^"]+)"\)$',
    read("common/manga_sources.def"), re.M)


def test_manga_source_choices(tmp_path):
    """[monitor] new_sources' choices are the manga sources' table's, in
    its order: the man page lists them, --check-config names them for a
    bad value, and each source has its section of keys."""
    names = [name for name, *_ in SOURCES]
    assert len(SOURCES) == read("common/manga_sources.def").count(
        "\nMANGA_SOURCE(") >= 4
    m = re.search(r'^\.BI new_sources " \(list of ([^)]*)\)"$',
                  read("man/mediamon.conf.5"), re.M)
    assert m and m.group(1).split(", ") == names
    conf = tmp_path / "bad.conf"
    conf.write_text("[monitor]\nnew_sources = bogus\n")
    r = subprocess.run([BINARY, "--check-config", str(conf)],
                       capture_output=True, text=True, timeout=120)
    m = re.search(r"bad value 'bogus' for new_sources in \[monitor\]:"
                  r" expected a comma-separated list of (.*)$", r.stderr,
                  re.M)
    assert r.returncode != 0 and m, r.stderr
    assert m.group(1).split(", ") == names
    for name in names:
        assert {name + ".url", name + ".requests_per_minute"} <= KEYS


def test_man_key_lists():
    """mediamon.conf(5) lists each section's keys as the table says:
    name, type, range or choices, default and help (make docs)."""
    made = man_key_blocks(docs_tool("conf-man"))
    assert set(made) == {k.split(".")[0] for k in KEYS}
    assert key_blocks_drift(man_key_blocks(read("man/mediamon.conf.5")),
                            made) == [], "run make docs"


def test_example_keys():
    """contrib/mediamon.conf.example shows every key of the table, each
    commented out with its default and help (make docs)."""
    made = docs_tool("conf-example")
    assert made.startswith("[general]\n# ")
    assert example_split(read("contrib/mediamon.conf.example"))[1] == \
        made, "run make docs"


def hand_key_items(text, keys):
    """["[section] key"]: each key of keys ({"section.key"}) that a
    hand-written part of mediamon.conf(5) (outside the lists made from the
    table) sets as a heading of its own: a .B, .BR or .BI line naming the
    key of its .SH's section at the top level (not inside .RS ... .RE,
    where the items are values), right after .PP, .LP, .P, .IP or .TP, or
    followed by " :" as "key: what it does"."""
    text = KEYS_BLOCK.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    found, sections, depth, opens = [], [], 0, False
    for line in text.split("\n"):
        if line.startswith(".SH"):
            sections, depth = re.findall(r"\[(\w+)\]", line), 0
        elif line.startswith(".RS"):
            depth += 1
        elif line.startswith(".RE"):
            depth -= 1
        m = re.match(r'\.(?:BI|BR|B) "?([a-z][a-z0-9_]*)"?( :)?', line)
        if m and depth == 0 and (opens or m.group(2)):
            found += ["[%s] %s" % (s, m.group(1)) for s in sections
                      if "%s.%s" % (s, m.group(1)) in keys]
        opens = depth == 0 and re.match(r"\.(PP|LP|P|IP|TP)\b", line)
    return found


def test_one_description_per_key():
    """A key of the table is described once, by its help in the list made
    from the table: no hand-written paragraph of mediamon.conf(5) is
    headed by it (fold what it says into the key's .help in
    common/config_keys.def, then make docs)."""
    assert hand_key_items(read("man/mediamon.conf.5"), KEYS) == []


def test_made_lists_say_the_table():
    """The tool's lists carry the table's types and defaults: a range, the
    choices of an enum, a default config_init sets, one in words, a
    secret, and a key with no default."""
    made = man_key_blocks(docs_tool("conf-man"))
    assert '.BI threads " (1 to 256)"\nScan workers.\n' \
        "Default: the number of CPUs.\n" in made["general"]
    assert '.BI log_level " (debug, info, warn, error)"\n' in \
        made["general"]
    assert "Default: 30d.\n" in made["general"]
    assert '.BI password " (text, secret)"\n' in made["download"]
    assert '.BI url " (URL)"\nProwlarr' in made["prowlarr"]
    example = docs_tool("conf-example")
    assert "\n# keep_gone = 30d\n" in example
    assert "\n# Default: the number of CPUs.\n# threads =\n" in example
    assert "\n# api_key =\n" in example


MOUNT_BEGIN = '.\\" The files of the mount: fs/tree/nodes.c\n'
MOUNT_END = '.\\" End of the files of the mount\n'


def man_mount_block(text):
    """mediamon(8)'s list of the mount's files, between its comments."""
    return man_block(text, MOUNT_BEGIN, MOUNT_END)


def test_every_node_has_help():
    """Each path of the node table (fs/tree/nodes.c fixed[]) has its .help,
    which the README and mediamon(8) show."""
    assert table_rows_without_help(read("fs/tree/nodes.c")) == [], \
        "give these rows of fixed[] in fs/tree/nodes.c a .help"


def test_man_mount_list():
    """mediamon(8)'s short list of the mount's files is the node table's
    help, the README's lines (make docs)."""
    made = docs_tool("mount-man")
    assert made.startswith(MOUNT_BEGIN) and "\n.I /status/health\n" in made
    assert man_mount_block(read("man/mediamon.8")) == made, "run make docs"


def test_man_files():
    """Each file has its item in full under THE MOUNT, beside the short
    list made from the table (which is left out here)."""
    text = read("man/mediamon.8")
    text = text.replace(man_mount_block(text), "")
    assert drift(man_files(text), FILES) == NO_DRIFT


CHECKS_BEGIN = '.\\" The columns of checks.csv: fs/tree/render_monitor.c\n'
CHECKS_END = '.\\" End of the columns of checks.csv\n'


def man_checks_block(text):
    """mediamon(8)'s list of checks.csv's columns, between its comments."""
    return man_block(text, CHECKS_BEGIN, CHECKS_END)


def test_man_checks_columns():
    """mediamon(8) lists checks.csv's columns as the file's header names
    them, each manga source of the table among them (make docs)."""
    made = docs_tool("checks-man")
    names = re.findall(r"^MANGA_SOURCE\((\w+),",
                       read("common/manga_sources.def"), re.M)
    columns = " ".join(made.split("\n")[1:-2]).rstrip(".").split(", ")
    assert made.startswith(CHECKS_BEGIN) and names and \
        set(names) <= set(columns) and columns[0] == "id", made
    assert man_checks_block(read("man/mediamon.8")) == made, "run make docs"


THREADS_BEGIN = '.\\" The threads: common/threads.def\n'
THREADS_END = '.\\" End of the threads\n'


def table_threads(text):
    """The names of the threads' table, in order."""
    return re.findall(r'^THREAD\("(mm-[a-z-]+)",', text, re.M)


def code_thread_names(root):
    """The names the code gives its threads: each "mm-..." string of a
    .c file of the daemon's folders."""
    names = set()
    for folder in ("common", "indexer", "fs", "analyser", "tools"):
        for top, _, files in os.walk(os.path.join(root, folder)):
            for name in files:
                if name.endswith(".c"):
                    with open(os.path.join(top, name),
                              encoding="utf-8") as f:
                        names |= set(re.findall(r'"(mm-[a-z-]+)"',
                                                f.read()))
    return names


def test_man_threads():
    """mediamon(8)'s list of the threads is their table's (make docs),
    and every name the code gives a thread is a row of it, every row a
    name the code gives."""
    rows = table_threads(read("common/threads.def"))
    made = docs_tool("threads-man")
    assert len(rows) >= 20 and made.startswith(THREADS_BEGIN)
    assert re.findall(r"^\.B (mm\S+)$", made.replace("\\-", "-"),
                      re.M) == rows
    assert man_block(read("man/mediamon.8"), THREADS_BEGIN,
                     THREADS_END) == made, "run make docs"
    assert drift(code_thread_names(REPO), set(rows)) == NO_DRIFT


SUBSONIC_BEGIN = '.\\" The OpenSubsonic methods: ' \
    'fs/subsonic/subsonic_methods.def\n'
SUBSONIC_END = '.\\" End of the OpenSubsonic methods\n'


def table_methods(text):
    """The names of the OpenSubsonic methods' table, in order."""
    return re.findall(r"^SUBSONIC_METHOD\((\w+),", text, re.M)


def test_man_subsonic_methods():
    """mediamon.conf(5)'s list of the OpenSubsonic methods is their
    table's (make docs), each row an item, in the table's order."""
    rows = table_methods(read("fs/subsonic/subsonic_methods.def"))
    made = docs_tool("subsonic-man")
    assert len(rows) > 80 and made.startswith(SUBSONIC_BEGIN)
    assert re.findall(r"^\.B (\w+)$", made, re.M) == rows
    assert "\n.B getAlbumList2\n(since 1.8.0; reads) A list" in made
    assert "\n.B tokenInfo\n(OpenSubsonic) The name" in made
    assert "\n.B getVideos\n(since 1.8.0; never) Videos" in made
    assert man_block(read("man/mediamon.conf.5"), SUBSONIC_BEGIN,
                     SUBSONIC_END) == made, "run make docs"


def architecture_section(text, title):
    """The section "## title" of ARCHITECTURE.md, up to the next."""
    return text.split("\n## %s\n" % title, 1)[1].split("\n## ", 1)[0]


def test_architecture_opening_names_doors_and_threads():
    """ARCHITECTURE.md's opening table of the threads is the threads'
    table's names, in its order, and its doors are the folders of the
    doors and OPDS."""
    glance = architecture_section(read("ARCHITECTURE.md"), "At a glance")
    rows = table_threads(read("common/threads.def"))
    assert re.findall(r"^\| `(mm-[a-z-]+)` \|", glance, re.M) == rows
    doors = re.findall(r"^\| ([A-Za-z ]+) \| `([a-z/]+)`", glance, re.M)
    assert doors == [("the mount", "fs/mount/"), ("HTTP", "fs/http/"),
                     ("OpenSubsonic", "fs/subsonic/"), ("OPDS", "fs/tree/")]
    for _, folder in doors:
        assert os.path.isdir(os.path.join(REPO, folder))


def family_tests(text):
    """[(families, unit names, integration patterns)] of ARCHITECTURE.md's
    table of the tests by family."""
    rows = []
    for line in architecture_section(text, "Tests by family").split("\n"):
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`"):
            rows.append((re.findall(r"`([a-z/]+)/`", cells[0]),
                         cells[1].split(), cells[2].split()))
    return rows


def code_folders(root):
    """The folders holding a .c file of the code, as "indexer/store"."""
    found = set()
    for top in ("common", "indexer", "fs", "analyser", "tools", "docs"):
        for folder, _, files in os.walk(os.path.join(root, top)):
            if any(n.endswith(".c") for n in files):
                found.add(os.path.relpath(folder, root))
    return found


def test_architecture_tests_table():
    """Each family of code has its row in ARCHITECTURE.md's table of the
    tests, and each name or pattern there is a test file's."""
    rows = family_tests(read("ARCHITECTURE.md"))
    families = {f for r in rows for f in r[0]}
    assert drift(families, code_folders(REPO)) == NO_DRIFT
    for _, unit, integration in rows:
        for name in unit:
            assert os.path.exists(os.path.join(
                REPO, "tests", "unit", "test_%s.c" % name)), name
        for pattern in integration:
            assert glob.glob(os.path.join(
                REPO, "tests", "integration", "test_%s.py" % pattern)), \
                pattern


def option_names(head):
    """The options the head of an item names: "-o NAME", "--long", "-x"."""
    return re.findall(r"-o [a-z_]+|--?[A-Za-z][A-Za-z-]*", head)


def help_options(text):
    """The options --help lists: the head of each line indented by four
    blanks and opening with a dash, up to two blanks."""
    found = set()
    for line in text.split("\n"):
        m = re.match(r"^    (-\S.*?)(?:  |$)", line)
        if m:
            found |= set(option_names(m.group(1)))
    return found


def man_options(text):
    """(listed, obsolete): the options of the items of mediamon(8)'s
    OPTIONS, and those whose item opens with "Obsolete"."""
    section = text.split(".SH OPTIONS\n", 1)[1].split("\n.SH ", 1)[0]
    lines = section.split("\n")
    listed, obsolete = set(), set()
    for i in range(1, len(lines)):
        if lines[i - 1] != ".TP":
            continue
        names = set(option_names(roff(lines[i]).replace('"', "")))
        listed |= names
        if i + 1 < len(lines) and lines[i + 1].startswith("Obsolete"):
            obsolete |= names
    return listed, obsolete


def test_man_options():
    """mediamon(8) has an item for each option --help lists, and --help
    lists each option of mediamon(8) but those it calls obsolete (still
    taken, with a warning); --version says what the page says it does."""
    r = subprocess.run([BINARY, "--help"], capture_output=True, text=True,
                       timeout=120)
    helped = help_options(r.stdout)
    listed, obsolete = man_options(read("man/mediamon.8"))
    assert r.returncode == 0 and len(helped) > 20 and \
        {"-o config", "--check", "--apply", "-V"} <= helped, r.stdout
    assert obsolete and not obsolete & helped
    assert drift(listed - obsolete, helped) == NO_DRIFT
    r = subprocess.run([BINARY, "--version"], capture_output=True,
                       text=True, timeout=120)
    m = re.fullmatch(r"mediamon \S+ \((.*)\)\n", r.stdout)
    assert r.returncode == 0 and m, r.stdout
    names = [part.rsplit(" ", 1)[0] for part in m.group(1).split(", ")]
    assert names[:2] == ["libfuse", "SQLite"]
    assert ".BR \\-V \", \" \\-\\-version\nThe version, and those of " \
        "%s and %s.\n" % (", ".join(names[:-1]), names[-1]) in \
        read("man/mediamon.8")


OPTIONS_BEGIN = '.\\" The options: fs/options.def\n'
OPTIONS_END = '.\\" End of the options\n'


def macro_args(text, macro):
    """The arguments of each call of macro (a row of a .def) at the start
    of a line: each argument's C string literals joined and unescaped
    (None for NULL), any other argument as written."""
    rows = []
    for m in re.finditer(r"^%s\(" % macro, text, re.M):
        args, depth, i, cur = [], 1, m.end(), ""
        while depth:
            lit = re.match(r'"((?:[^"\\]|\\.)*)"', text[i:])
            if lit:
                cur += lit.group(0)
                i += lit.end()
                continue
            c = text[i]
            depth += {"(": 1, ")": -1}.get(c, 0)
            if depth == 1 and c == "," or not depth:
                args.append(cur.strip())
                cur = ""
            else:
                cur += c
            i += 1
        rows.append([None if a == "NULL" else "".join(
            bytes(x, "utf-8").decode("unicode_escape")
            for x in re.findall(r'"((?:[^"\\]|\\.)*)"', a))
            if a.startswith('"') else a for a in args])
    return rows


def table_options(text):
    """[(help head, man head)] of the options' table (fs/options.def), in
    its order, None where the row has none."""
    return [(row[1], row[3]) for row in macro_args(text,
                                                    "MEDIAMON_OPTION")]


def test_options_from_their_table():
    """mediamon(8)'s OPTIONS items are the options' table's (make docs),
    and --help lists the table's help heads, in its order, each once."""
    text = read("fs/options.def")
    rows = table_options(text)
    assert len(rows) == text.count("\nMEDIAMON_OPTION(") > 20
    made = docs_tool("options-man")
    assert made.startswith(OPTIONS_BEGIN) and made.endswith(OPTIONS_END)
    assert man_block(read("man/mediamon.8"), OPTIONS_BEGIN,
                     OPTIONS_END) == made, "run make docs"
    man_heads = re.findall(r"^\.TP\n(.*)$", made, re.M)
    assert man_heads == [m for _, m in rows if m]
    r = subprocess.run([BINARY, "--help"], capture_output=True, text=True,
                       timeout=120)
    heads = re.findall(r"^    (-\S.*?)(?:  |$)", r.stdout, re.M)
    assert r.returncode == 0 and heads == [h for h, _ in rows if h]
    assert all(len(line) <= 80 for line in r.stdout.split("\n"))


def test_man_metrics():
    """mediamon(8) lists every metric of the table with its type, help and
    source, and no other."""
    assert man_metrics_block(read("man/mediamon.8")) == man_metrics(METRICS)


def guide_files(text):
    """The files docs/GUIDE.md's listing of the mount names: an indented
    path at the start of a line."""
    return {m[1:] for m in re.findall(r"^    (/[\w./-]+)(?:\s|$)", text,
                                      re.M) if not placeholder(m)}


def test_guide_lists_no_file_gone():
    """The guide explains; the man page is the reference, so a new file
    need not be in the guide, but one gone from the table must leave it."""
    assert drift(guide_files(read("docs/GUIDE.md")), FILES)[
        "listed but not in the table"] == []


def test_mount_readme_files(library, tmp_path):
    m = start(tmp_path, "music=" + str(library), wait=False)
    try:
        text = m.read("README").decode()
    finally:
        unmount(m.path, m.proc)
    assert drift(readme_files(text), FILES) == NO_DRIFT
    # the README's lines are the table's help, as mediamon(8)'s list
    assert "\nstatus/health        \"ok\", or one line per problem" in text
    assert "\n  volumes            the volumes owned" in text
    # the files of a series that are not a table's rows of their own
    assert "\n  cover.EXT          the series' cover" in text
    assert "\n  VOLUME.pages/      a folder per volume archive" in text


def test_parsers_see_a_drift():
    """Each parser against a document that lists one key or file the
    table lacks and misses one it has."""
    man = ".SH [general]\n.TP\n.BI threads \" (1 to 256)\"\n.TP\n" \
          ".BI bogus \" (text)\"\n.RS\n.TP\n.B value\n.RE\n"
    assert drift(man_keys(man), {"general.threads", "general.dry_run"}) == {
        "listed but not in the table": ["general.bogus"],
        "in the table but not listed": ["general.dry_run"]}
    example = "# threads = 4\n[general]\n# threads = 4\nbogus = 1\n" \
              "# database =\n# A sentence = not a key\n"
    assert example_keys(example) == {"general.threads", "general.bogus",
                                     "general.database"}
    mount = ".SH THE MOUNT\n.TP\n.IR /status/new \", \" /status/new.json\n" \
            ".TP\n.I /manga/SERIES/\n.SH ACCESS\n.TP\n.I /status/x\n"
    assert man_files(mount) == {"status/new", "status/new.json"}
    guide = "    /status/health      ok\n    /manga/SERIES/  x\n" \
            "    /log\n        /status/x in a block\n"
    assert guide_files(guide) == {"status/health", "log"}
    readme = "status/health        ok\nlog\nafter a scan\n" \
             "manga/SERIES/  x\nmetrics/analysis.json the analysis\n" \
             "status/  a folder\n"
    assert readme_files(readme) == {"status/health", "log",
                                    "metrics/analysis.json"}
    rows = table_metrics('PROM(mediamon_a, C,\n     "One ",\n'
                         '     "two.",\n     "/metrics/x.json a.b",\n'
                         '     INT(1))\n')
    assert rows == [("mediamon_a", "counter", "One two.",
                     "/metrics/x.json a.b")]
    man = ".SH X\n" + man_metrics(rows) + ".SH Y\n"
    assert man_metrics_block(man) == man_metrics(rows)
    assert man_metrics_block(man.replace("One two", "One")) != \
        man_metrics(rows)
    rows = table_clients("/* DOWNLOAD_CLIENT(name, protocol) */\n"
                         "DOWNLOAD_CLIENT(a, torrent)\n"
                         "DOWNLOAD_CLIENT(b, either)\n"
                         "DOWNLOAD_CLIENT(c, usenet)\n")
    assert client_choices(rows, "usenet") == ["none", "b", "c", "prowlarr"]
    man = ".SH [download]\n.TP\n.BI client \" (none, a, prowlarr)\"\n" \
          ".SH [usenet]\n.TP\n.BI url \" (URL)\"\n"
    assert man_choices(man, "download") == ["none", "a", "prowlarr"]
    assert man_choices(man, "usenet") == []
    assert man_choices(man, "nowhere") == []
    listed = '.\\" The keys of [a]: t\n.TP\nx\n.\\" End of the keys of [a]\n'
    page = ".SH [a]\n" + listed + ".PP\nmore\n"
    assert man_key_blocks(page) == {"a": listed}
    assert key_blocks_drift(man_key_blocks(page), {"a": listed}) == []
    assert key_blocks_drift(man_key_blocks(page.replace("x", "y")),
                            {"a": listed, "b": ""}) == [
        "[a]'s list differs from the table's",
        "[b] has no list between the comments"]
    page = (".SH [a] and [b]\n" + listed + ".PP\n.BR x :\nagain\n"
            ".PP\nSee\n.BR y :\nthe rest\n.TP\n.B z\n.RS\n.TP\n"
            ".B x\na value\n.RE\n.PP\n.B w\n.SH [c]\n.PP\n.B x\n")
    assert hand_key_items(page, {"a.x", "b.x", "a.y", "b.z", "c.w"}) == [
        "[a] x", "[b] x", "[a] y", "[b] z"]
    assert hand_key_items(".SH [a]\n" + listed, {"a.x"}) == []
    assert help_options("usage: x\n    -o db=FILE   the db\n"
                        "    -d, -o debug   print\n"
                        "    --check [--apply]\n      -q  no\n") == {
        "-o db", "-d", "-o debug", "--check", "--apply"}
    assert man_options(".SH OPTIONS\n.TP\n.BI \"\\-o db=\" FILE\nThe db.\n"
                       ".TP\n.B \"\\-o old\"\nObsolete.\n.TP\n"
                       ".BR \\-h \", \" \\-\\-help\nHelp.\n"
                       ".SH X\n.TP\n.B \\-z\n") == (
        {"-o db", "-o old", "-h", "--help"}, {"-o old"})
    nodes = ('} fixed[] = {\n\t{ "/", { .type = NODE_DIR } },\n'
             '\t{ "/a", { NODE_FILE,\n\t\t.render = f },\n'
             '\t  .help = "x" },\n\t{ "/b", { NODE_FILE } },\n};\n')
    assert table_rows_without_help(nodes) == ["/b"]
    assert man_mount_block("x\n" + MOUNT_BEGIN + ".TP\n" + MOUNT_END) == \
        MOUNT_BEGIN + ".TP\n" + MOUNT_END
    table = ("x\n## Tests by family\n\n| family | unit | integration |\n"
             "| --- | --- | --- |\n| `a/`, `b/c/` | x y | p* |\n"
             "| `d/` (top) | | q |\n\n## Next\n| `e/` | z | r |\n")
    assert family_tests(table) == [(["a", "b/c"], ["x", "y"], ["p*"]),
                                  (["d"], [], ["q"])]
    assert example_split("# head\n\n[a]\n# k = 1\n") == (
        "# head\n\n", "[a]\n# k = 1\n")
    assert macro_args('X(F("a", b) F(c),\n\t"-x",\n\t"one "\n\t"two",\n'
                      '\tNULL, "\\\\-x \\"y\\"\\n")\n#define X(a)\n', "X") == [
        ['F("a", b) F(c)', "-x", "one two", None, '\\-x "y"\n']]


def write(rel, text):
    with open(os.path.join(REPO, rel), "w", encoding="utf-8") as f:
        f.write(text)


def write_key_lists():
    """Each section's list of mediamon.conf(5) replaced by the tool's (a
    new section's put before EXAMPLE, where its .SH may move), and the
    example's keys below its opening comment."""
    text = read("man/mediamon.conf.5")
    made = man_key_blocks(docs_tool("conf-man"))
    for section, block in man_key_blocks(text).items():
        text = text.replace(block, made.get(section, ""))
    for section in set(made) - set(man_key_blocks(text)):
        text = text.replace("\n.SH EXAMPLE\n", "\n.SH [%s]\n%s.SH EXAMPLE\n"
                            % (section, made[section]))
    write("man/mediamon.conf.5", text)
    head = example_split(read("contrib/mediamon.conf.example"))[0]
    write("contrib/mediamon.conf.example", head + docs_tool("conf-example"))


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    # rewrite mediamon(8)'s list of the metrics from the table
    text = read("man/mediamon.8")
    old = man_metrics_block(text)
    assert old, "mediamon.8 has no list of the metrics to rewrite"
    text = text.replace(old, man_metrics(METRICS))
    old = man_mount_block(text)
    assert old, "mediamon.8 has no list of the mount's files to rewrite"
    text = text.replace(old, docs_tool("mount-man"))
    old = man_checks_block(text)
    assert old, "mediamon.8 has no list of checks.csv's columns to rewrite"
    text = text.replace(old, docs_tool("checks-man"))
    old = man_block(text, THREADS_BEGIN, THREADS_END)
    assert old, "mediamon.8 has no list of the threads to rewrite"
    text = text.replace(old, docs_tool("threads-man"))
    old = man_block(text, OPTIONS_BEGIN, OPTIONS_END)
    assert old, "mediamon.8 has no list of the options to rewrite"
    write("man/mediamon.8", text.replace(old, docs_tool("options-man")))
    write_key_lists()
    text = read("man/mediamon.conf.5")
    old = man_block(text, SUBSONIC_BEGIN, SUBSONIC_END)
    assert old, "mediamon.conf.5 has no list of the methods to rewrite"
    write("man/mediamon.conf.5",
          text.replace(old, docs_tool("subsonic-man")))


def test_guide_says_what_token_logins_need():
    """Most Subsonic players log in with a token, which a bcrypt line of
    the htpasswd file cannot check: the guide's tablet recipe says so."""
    guide = read("docs/GUIDE.md")
    recipe = guide.split("**Read on a tablet.**", 1)[1].split("\n**", 1)[0]
    assert "token" in recipe and "subsonic_passwords" in recipe, recipe
