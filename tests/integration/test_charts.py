# SPDX-License-Identifier: GPL-3.0-or-later
"""/metrics/scans.svg, checks.svg and repairs.svg: SVG charts of the
history in the store, rendered by librsvg's rsvg-convert (as a file
manager's thumbnailer would) into a PNG that is read here, pixel by
pixel, to see that the chart and its lines are drawn."""

import math
import shutil
import sqlite3
import struct
import subprocess
import time
import xml.etree.ElementTree as ET
import zlib

import pytest

from clients import StaticServer
from conftest import add_scan, start, unmount

SVG = "{http://www.w3.org/2000/svg}"
# The colours of the lines (fs/tree/render_charts.c).
BLUE, ORANGE, GREEN, RED = ((31, 119, 180), (255, 127, 14), (44, 160, 44),
                            (214, 39, 40))
PURPLE = (148, 103, 189)  # the marks of full scans (common/svg.c)
CHARTS = {"scans": "scan", "checks": "check", "repairs": "repair pass"}


def unfilter(data, width, height, bpp):
    """The pixel rows of a PNG's inflated IDAT data (filters 0 to 4)."""
    stride = width * bpp
    rows, prev, at = [], bytearray(stride), 0
    for _ in range(height):
        kind, row = data[at], bytearray(data[at + 1:at + 1 + stride])
        at += 1 + stride
        for i in range(stride):
            a = row[i - bpp] if i >= bpp else 0
            b = prev[i]
            if kind == 1:
                row[i] = (row[i] + a) & 255
            elif kind == 2:
                row[i] = (row[i] + b) & 255
            elif kind == 3:
                row[i] = (row[i] + (a + b) // 2) & 255
            elif kind == 4:
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                row[i] = (row[i] + pred) & 255
        rows.append(row)
        prev = row
    return rows


def png_pixels(path):
    """{(r, g, b): count} of the opaque pixels of an 8-bit RGB(A) PNG."""
    with open(path, "rb") as f:
        blob = f.read()
    assert blob[:8] == b"\x89PNG\r\n\x1a\n"
    at, idat, header = 8, b"", None
    while at < len(blob):
        length, kind = struct.unpack(">I4s", blob[at:at + 8])
        body = blob[at + 8:at + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        at += 12 + length
    width, height, depth, colour = header[:4]
    assert depth == 8 and colour in (2, 6), header
    bpp = 4 if colour == 6 else 3
    counts = {}
    for row in unfilter(zlib.decompress(idat), width, height, bpp):
        for i in range(0, len(row), bpp):
            if bpp == 4 and row[i + 3] < 128:
                continue
            rgb = (row[i], row[i + 1], row[i + 2])
            counts[rgb] = counts.get(rgb, 0) + 1
    return counts


def render(m, name, tmp_path):
    """The chart as its SVG text, checked for well-formedness, and the
    pixel counts of its rendering."""
    if not shutil.which("rsvg-convert"):
        pytest.skip("rsvg-convert (Debian package librsvg2-bin) is not "
                    "installed")
    svg = tmp_path / (name + ".svg")
    svg.write_bytes(m.read("metrics/%s.svg" % name))
    root = ET.parse(str(svg)).getroot()
    assert root.tag == SVG + "svg"
    png = tmp_path / (name + ".png")
    r = subprocess.run(["rsvg-convert", "-o", str(png), str(svg)],
                       capture_output=True, text=True, timeout=60)
    assert (r.returncode, r.stderr) == (0, "")
    return svg.read_text(), root, png_pixels(str(png))


def near(counts, rgb):
    """Pixels of about that colour (lines are anti-aliased)."""
    return sum(n for c, n in counts.items()
               if all(abs(c[i] - rgb[i]) <= 24 for i in range(3)))


def drawn(counts):
    """Pixels that are not the white background."""
    return sum(n for c, n in counts.items() if c != (255, 255, 255))


def test_pixel_check_can_fail(tmp_path):
    """A blank picture is seen as blank."""
    if not shutil.which("rsvg-convert"):
        pytest.skip("rsvg-convert is not installed")
    svg = tmp_path / "blank.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="80" '
                   'height="40"><rect width="80" height="40" '
                   'fill="#ffffff"/></svg>')
    subprocess.run(["rsvg-convert", "-o", str(tmp_path / "b.png"),
                    str(svg)], check=True)
    assert drawn(png_pixels(str(tmp_path / "b.png"))) == 0


def start_without_checks(tmp_path, library):
    """A daemon whose monitor runs no check of its own: the history in
    the store is the test's."""
    conf = tmp_path / "mediamon.conf"
    conf.write_text("[monitor]\nauto_check_interval = 0\n")
    return start(tmp_path, "config=" + str(conf), "music=" + str(library))


def test_empty_history(library, tmp_path):
    """No checks (none run), no repair passes, and the scans pruned: each
    chart is its axes, title and a line that says there is nothing yet."""
    m = start_without_checks(tmp_path, library)
    try:
        db = sqlite3.connect(m.db, timeout=30)
        db.execute("DELETE FROM scans")
        db.commit()
        db.close()
        for name, what in CHARTS.items():
            text, root, counts = render(m, name, tmp_path)
            assert "no %s yet" % what in text, name
            assert root.findall(".//%spolyline" % SVG) == [], name
            assert drawn(counts) > 2000, name
            # the legend's swatch only, no line
            assert near(counts, BLUE if name != "repairs" else GREEN) \
                < 300, name
    finally:
        unmount(m.path, m.proc)


def scans_begin(db, hours):
    """When the scans a test adds begin (hours ago), and their first id."""
    return (time.time() - hours * 3600,
            db.execute("SELECT max(id) FROM scans").fetchone()[0] + 1)


def test_last_hundred(library, tmp_path):
    """130 scans, 40 passes and a check in the store: the scans chart
    shows the last 100, oldest left, each a point of both lines."""
    m = start_without_checks(tmp_path, library)
    try:
        db = sqlite3.connect(m.db, timeout=30)
        t, first = scans_begin(db, 200)
        for i in range(first, first + 130):
            add_scan(db, t + i * 3600, 0.5 + (i % 7) * 0.25,
                     files_seen=1000 + (i % 5) * 400, scan_id=i)
        for i in range(1, 41):
            db.execute("INSERT INTO rd_passes (id, kind, trigger, dry_run,"
                       " started_at, finished_at, repaired, failed) VALUES"
                       " (?, 'run', 'schedule', 0, ?, ?, ?, ?)",
                       (i, t + i * 60, t + i * 60 + 5, i % 6, i % 3))
        db.execute("INSERT INTO checks (kind, trigger, started_at,"
                   " finished_at, series, wanted, found, sent) VALUES"
                   " ('missing', 'schedule', ?, ?, 3, 7, 4, 2)", (t, t + 1))
        db.commit()
        db.close()
        last = first + 129
        text, root, counts = render(m, "scans", tmp_path)
        assert "the last 100 scans" in text
        lines = root.findall(".//%spolyline" % SVG)
        assert len(lines) == 2
        for line in lines:
            assert len(line.get("points").split()) == 100
        # over time: the x axis labelled at the round days the 100
        # hours cross, the oldest point at its left end
        labels = [x.text for x in root.iter(SVG + "text")
                  if x.get("text-anchor") == "middle"]
        starts = [t + i * 3600 for i in (last - 99, last)]
        days = range(math.ceil(starts[0] / 86400),
                     math.floor(starts[1] / 86400) + 1)
        assert labels == [time.strftime("%m-%d", time.gmtime(d * 86400))
                          for d in days] + ["scan started (UTC)"]
        assert float(lines[0].get("points").split(",")[0]) == \
            pytest.approx(82, abs=0.2)
        # each point where its figure puts it: y = base - k * value
        ids = range(last - 99, last + 1)
        for line, value in zip(lines, (
                lambda i: (1000 + i % 5 * 400) / (0.5 + i % 7 * 0.25),
                lambda i: 0.5 + i % 7 * 0.25)):
            points = [tuple(map(float, p.split(",")))
                      for p in line.get("points").split()]
            assert [x for x, _ in points] == sorted(x for x, _ in points)
            lo, hi = min(ids, key=value), max(ids, key=value)
            k = (points[lo - ids[0]][1] - points[hi - ids[0]][1]) / \
                (value(hi) - value(lo))
            base = points[lo - ids[0]][1] + k * value(lo)
            assert k > 0
            for i, (_, y) in zip(ids, points):
                assert y == pytest.approx(base - k * value(i), abs=0.2)
        assert near(counts, BLUE) > 1000 and near(counts, ORANGE) > 1000

        text, root, counts = render(m, "repairs", tmp_path)
        assert "the last 40 repair passes" in text
        assert near(counts, GREEN) > 1000 and near(counts, RED) > 500

        text, root, counts = render(m, "checks", tmp_path)
        assert "the last 1 check," in text
        # one check: a dot per line (wanted, found; sent, failed;
        # completed, imported, failed downloads), no polyline
        assert root.findall(".//%spolyline" % SVG) == []
        assert len(root.findall(".//%scircle" % SVG)) == 7
        assert "Downloads after each check" in text
    finally:
        unmount(m.path, m.proc)


def y_ticks(root):
    """The labels of the y axes' ticks, axis by axis (each axis' ticks
    are written from 0 up)."""
    axes = []
    for t in root.iter(SVG + "text"):
        if t.get("text-anchor") != "end":
            continue
        if t.text == "0":
            axes.append([])
        axes[-1].append(t.text)
    return axes


def test_failed_full_and_one_format(library, tmp_path):
    """Checks that want thousands of volumes and fail 0 to 3 hand-offs
    each: the failures have an axis of their own, where they do not lie
    flat; every y axis has one number format; full scans are marked."""
    m = start_without_checks(tmp_path, library)
    try:
        db = sqlite3.connect(m.db, timeout=30)
        t = time.time() - 100 * 3600
        for i in range(30):
            db.execute("INSERT INTO checks (kind, trigger, started_at,"
                       " finished_at, series, wanted, found, sent, failed,"
                       " completed, imported, download_failed)"
                       " VALUES ('missing', 'schedule', ?, ?, 40, ?, ?, 2,"
                       " ?, 2, ?, ?)", (t + i * 3600, t + i * 3600 + 1,
                                        3000 + i * 400, 1000 + i * 100,
                                        i % 4, 2 - i % 2, i % 2))
        first = db.execute("SELECT max(id) FROM scans").fetchone()[0] + 1
        # the last 20 scans 10 minutes apart, up to the daemon's own
        # first scan: on the time axis, each mark stands apart
        for i in range(first, first + 20):
            add_scan(db, time.time() - (first + 20 - i) * 600, 1 + i % 3,
                     files_seen=12000, scan_id=i)
        full = [first + 3, first + 11]
        db.executemany("UPDATE scans SET scope = 'all,full' WHERE id = ?",
                       [(i,) for i in full])
        db.commit()
        db.close()

        text, root, counts = render(m, "checks", tmp_path)
        lines = {p.get("stroke"): p for p in
                 root.findall(".//%spolyline" % SVG)}
        # wanted, found; sent, failed; the downloads completed, imported
        # and failed after each check (issue 38)
        assert set(lines) == {"#1f77b4", "#2ca02c", "#ff7f0e", "#d62728",
                              "#17becf", "#8c564b", "#e377c2"}
        ys = [float(p.split(",")[1])
              for p in lines["#e377c2"].get("points").split()]
        assert len(set(ys)) == 2, ys
        ys = [float(p.split(",")[1])
              for p in lines["#d62728"].get("points").split()]
        # 0 to 3 failures over most of a 170 px plot
        assert max(ys) - min(ys) > 100, ys
        assert near(counts, RED) > 500
        labels = [t.text for t in root.iter(SVG + "text")]
        assert "failed" in labels and "sent" in labels
        axes = y_ticks(root)
        assert len(axes) == 3, axes
        # wanted goes to 14600: 0, 5k, 10k, 15k, never 5000 beside 10k
        assert axes[0] == ["0", "5k", "10k", "15k"], axes

        text, root, counts = render(m, "scans", tmp_path)
        for axis in y_ticks(root):
            suffixes = {t.lstrip("0123456789.") for t in axis[1:]}
            assert len(suffixes) == 1, axis
        marks = [x for x in root.iter(SVG + "line")
                 if x.get("stroke-dasharray")]
        # each full scan in both panels, and the legend's
        assert len(marks) == 2 * len(full) + 1
        assert "full scan" in [t.text for t in root.iter(SVG + "text")]
        assert near(counts, PURPLE) > 300
    finally:
        unmount(m.path, m.proc)


def browse(url, tmp_path, name):
    """What a browser makes of url: Debian's Chromium, headless, renders
    it to a PNG (with its document, to see no parser error), or, where
    Chromium is not installed, curl fetches it (failing on a body shorter
    than its Content-Length) and rsvg-convert renders that."""
    png = tmp_path / (name + ".png")
    chromium = shutil.which("chromium")
    if chromium:
        flags = [chromium, "--headless", "--no-sandbox", "--disable-gpu",
                 "--no-first-run", "--disable-background-networking",
                 "--hide-scrollbars", "--window-size=1200,900",
                 "--user-data-dir=" + str(tmp_path / "chromium")]
        dom = subprocess.run(flags + ["--dump-dom", url],
                             capture_output=True, text=True, timeout=120)
        assert dom.returncode == 0, dom.stderr
        assert "parsererror" not in dom.stdout and \
            "Unexpected end" not in dom.stdout, dom.stdout[-2000:]
        assert "<polyline" in dom.stdout, dom.stdout[-2000:]
        shot = subprocess.run(flags + ["--screenshot=" + str(png), url],
                              capture_output=True, text=True, timeout=120)
        assert shot.returncode == 0 and png.exists(), shot.stderr
    else:
        if not shutil.which("rsvg-convert"):
            pytest.skip("neither chromium nor rsvg-convert is installed")
        svg = tmp_path / (name + ".svg")
        r = subprocess.run(["curl", "-sS", "--fail", "-o", str(svg), url],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        subprocess.run(["rsvg-convert", "-o", str(png), str(svg)],
                       check=True, timeout=60)
    return png_pixels(str(png))


def test_served_to_a_browser(library, tmp_path):
    """A chart over 4 KiB on a fresh mount, served by python3 -m
    http.server (which sends the Content-Length stat gives), is whole in
    a browser, and again after it grew since it was last opened."""
    m = start_without_checks(tmp_path, library)
    try:
        db = sqlite3.connect(m.db, timeout=30)
        t, first = scans_begin(db, 300)
        for i in range(first, first + 75):
            add_scan(db, t + i * 3600, 1.5, files_seen=1200, scan_id=i)
        db.commit()
        url_path = "metrics/scans.svg"
        with StaticServer(m.path) as web:
            counts = browse(web.base + url_path, tmp_path, "fresh")
            assert near(counts, BLUE) > 300 and near(counts, ORANGE) > 300
            before = len(m.read(url_path))
            assert before > 4096
            for i in range(first + 75, first + 175):
                add_scan(db, t + i * 3600, 1.25 + i % 9 * 0.125,
                         files_seen=1234567 + i * 7919, scan_id=i)
            db.commit()
            counts = browse(web.base + url_path, tmp_path, "grown")
            assert near(counts, BLUE) > 300 and near(counts, ORANGE) > 300
            r = subprocess.run(["curl", "-sS", "--fail", web.base + url_path],
                               capture_output=True, timeout=60)
            assert r.returncode == 0, r.stderr
            assert r.stdout == m.read(url_path)
            assert len(r.stdout) > before
        db.close()
    finally:
        unmount(m.path, m.proc)
