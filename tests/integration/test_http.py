# SPDX-License-Identifier: GPL-3.0-or-later
"""The [http] listener (issue 66): the mount's files over HTTP to htpasswd
accounts that are local users, each with that user's rights; curl for the
good and the hostile cases, promtool, and Chromium's screenshot of the
dashboard (the real Prometheus scraping /metrics: test_http_metrics.py)."""

import base64
import http.client
import os
import pathlib
import re
import resource
import shutil
import signal
import socket
import subprocess
import tempfile
import urllib.parse
from xml.etree import ElementTree

import pytest

from conftest import start, start_refused, unmount, wait_for, make_flac
from access_users import make_user, drop_user, world  # noqa: F401
from test_charts import near, png_pixels
from test_manga import make_cbz
from test_service_metrics import promtool

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("htpasswd") or
    not shutil.which("curl"),
    reason="needs root (to act as the accounts' users), htpasswd and curl")

PASSWORD = "s3cret word"


def htpasswd(path, *names):
    """An htpasswd file of bcrypt entries, each name with PASSWORD."""
    lines = []
    for name in names:
        r = subprocess.run(["htpasswd", "-nbB", "-C", "5", name, PASSWORD],
                           capture_output=True, text=True, check=True)
        lines.append(r.stdout.strip())
    path.write_text("\n".join(lines) + "\n")
    os.chmod(str(path), 0o600)


class Web:
    """A mediamon with [http] on a port from the kernel."""

    def __init__(self, where, conf_extra="", names=("root",), music=None,
                 manga=None, options=(), analysis=False, wait=True,
                 listen="127.0.0.1:0"):
        where = pathlib.Path(where)
        self.where = where
        htpasswd(where / "htpasswd", *names)
        conf = where / "http.conf"
        text = ("[analysis]\nenabled = %s\n[http]\nlisten = %s\n"
                "htpasswd = %s\n%s" % ("yes" if analysis else "no", listen,
                                        where / "htpasswd", conf_extra))
        if not music:
            music = where / "music"
            music.mkdir(exist_ok=True)
        text += "[music]\nroot = %s\n" % music
        if manga:
            text += "[manga]\nroot = %s\n" % manga
        conf.write_text(text)
        # wait=False: back as soon as it is mounted, its first scan
        # maybe still running
        self.m = start(where, "config=" + str(conf), *options, wait=wait)
        line = wait_for(lambda: re.search(
            r"http: listening on \S+ \(port (\d+)\)",
            pathlib.Path(self.m.proc.log_path).read_text()), 30,
            "the listener's port", mount=self.m)
        self.base = "http://%s:%s" % (listen.rsplit(":", 1)[0],
                                      line.group(1))

    def log(self):
        return pathlib.Path(self.m.proc.log_path).read_text()

    def curl(self, path, *args, user="root", password=PASSWORD):
        """(status, headers as a dict of lower-case names, body)."""
        head = self.where / "head.txt"
        cmd = ["curl", "-sS", "--path-as-is", "-D", str(head),
               "--max-time", "120"]
        if user is not None:
            cmd += ["-u", "%s:%s" % (user, password)]
        r = subprocess.run(cmd + list(args) + [self.base + path],
                           capture_output=True, timeout=150)
        assert r.returncode == 0, r.stderr
        lines = head.read_bytes().decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
        return status, headers, r.stdout

    def stop(self):
        unmount(self.m.path, self.m.proc)


@pytest.fixture
def web(tmp_path, template_library):
    """A mount of a music and a manga library, served to root."""
    music = tmp_path / "music"
    shutil.copytree(str(template_library), str(music))
    manga = tmp_path / "manga"
    os.makedirs(str(manga / "Saga"))
    make_cbz(str(manga / "Saga" / "Saga T01.cbz"))
    w = Web(tmp_path, music=music, manga=manga)
    yield w
    w.stop()


def a_file(top, ext):
    for d, _, files in os.walk(top):
        for f in sorted(files):
            if f.endswith(ext):
                return os.path.join(d, f)
    raise AssertionError("no %s file under %s" % (ext, top))


def mount_url(w, path):
    rel = os.path.relpath(path, w.m.path)
    return "/" + urllib.parse.quote(rel)


def test_no_or_wrong_credentials_get_401(web):
    for user, password in ((None, None), ("root", "wrong"),
                           ("nosuchuser", PASSWORD)):
        status, headers, _ = web.curl("/metrics", user=user,
                                      password=password)
        assert status == 401, (user, password)
        assert headers["www-authenticate"].startswith("Basic realm="), \
            headers
    assert web.curl("/metrics")[0] == 200


def test_files_come_with_their_type_and_bytes(web):
    status, headers, body = web.curl("/metrics")
    assert status == 200
    assert headers["content-type"].startswith("text/plain; version=0.0.4")
    assert b"mediamon_uptime_seconds" in body
    promtool(body.decode())
    status, headers, body = web.curl("/opds/catalog.xml")
    assert (status, headers["content-type"]) == (
        200, "application/atom+xml;profile=opds-catalog;kind=navigation")
    assert body == web.m.read("opds/catalog.xml")
    status, headers, body = web.curl("/status/summary.json")
    assert (status, headers["content-type"]) == (200, "application/json")
    status, headers, body = web.curl("/status/")
    assert status == 200 and b'href="summary.json"' in body
    # a volume, through the mount's view, with its comic type
    wait_for(lambda: os.listdir(os.path.join(web.m.path, "library",
                                             "manga")), 60, "the manga view")
    cbz = a_file(os.path.join(web.m.path, "library", "manga"), ".cbz")
    status, headers, body = web.curl(mount_url(web, cbz))
    assert (status, headers["content-type"]) == (
        200, "application/vnd.comicbook+zip")
    with open(cbz, "rb") as f:
        assert body == f.read()
    assert "last-modified" in headers
    # saved under its own name, not the feed's urn:mediamon:... id
    name = os.path.basename(cbz)
    assert headers["content-disposition"] == (
        "attachment; filename=\"%s\"; filename*=UTF-8''%s" % (
            name, urllib.parse.quote(name, safe="-._~")))
    # a file's bytes last as long as its ETag; a rendering is asked anew
    assert headers["cache-control"] == "private, max-age=3600"
    assert web.curl("/status/summary.json")[1]["cache-control"] == \
        "no-cache"
    # a track is no download
    flac = a_file(os.path.join(web.m.path, "library", "music"), ".flac")
    assert "content-disposition" not in web.curl(mount_url(web, flac))[1]


def test_opds_links_work_over_http(web):
    """Every link of the OPDS feeds (a page template at its first page),
    followed from the catalog as a reader would, answers 200 over HTTP
    with the mount's bytes."""
    wait_for(lambda: b"Saga" in web.m.read("opds/series.xml"), 60,
             "the series feed", mount=web.m)
    atom = "{http://www.w3.org/2005/Atom}"
    todo, seen = ["/opds/catalog.xml"], set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        status, headers, body = web.curl(urllib.parse.quote(path))
        assert status == 200, path
        assert body == web.m.read(path.lstrip("/")), path
        if path.startswith(("/opds/pages/", "/opds/covers/")):
            # a page's type is its bytes', whatever its name says
            assert headers["content-type"] == "image/jpeg", path
        if path.startswith("/opds/files/"):
            # a reader saves the volume under its name, not its urn
            assert "filename*=UTF-8''%s" % urllib.parse.quote(
                os.path.basename(path), safe="-._~") in \
                headers["content-disposition"], path
        if not headers["content-type"].startswith("application/atom+xml"):
            continue
        for link in ElementTree.fromstring(body).iter(atom + "link"):
            # OPDS-PSE's page template: its first page
            href = link.get("href").replace("{pageNumber}", "0")
            url = urllib.parse.urljoin("http://h" + path, href)
            parts = urllib.parse.urlsplit(url)
            assert parts.netloc == "h", (path, href)
            todo.append(urllib.parse.unquote(parts.path))
    assert any(p.endswith(".cbz") for p in seen), seen


def test_validators_and_ranges(web):
    flac = a_file(os.path.join(web.m.path, "library", "music"), ".flac")
    with open(flac, "rb") as f:
        whole = f.read()
    url = mount_url(web, flac)
    status, headers, body = web.curl(url)
    assert (status, body, headers["content-type"]) == (200, whole,
                                                       "audio/flac")
    etag, last = headers["etag"], headers["last-modified"]
    status, _, body = web.curl(url, "-H", "If-None-Match: " + etag)
    assert (status, body) == (304, b"")
    status, _, _ = web.curl(url, "-H", "If-Modified-Since: " +
                            headers["last-modified"])
    assert status == 304
    status, headers, body = web.curl(url, "-H", "Range: bytes=4-9")
    assert (status, body) == (206, whole[4:10])
    assert headers["content-range"] == "bytes 4-9/%d" % len(whole)
    status, _, body = web.curl(url, "-H", "Range: bytes=-5")
    assert (status, body) == (206, whole[-5:])
    status, headers, _ = web.curl(url, "-H", "Range: bytes=%d-" % len(whole))
    assert status == 416
    assert headers["content-range"] == "bytes */%d" % len(whole)
    # a resumed download of a file replaced since gets the whole file
    status, headers, body = web.curl(url, "-H", "Range: bytes=4-9", "-H",
                                     'If-Range: "old"')
    assert (status, body) == (200, whole)
    assert "content-range" not in headers
    status, _, body = web.curl(url, "-H", "Range: bytes=4-9", "-H",
                               "If-Range: " + etag)
    assert (status, body) == (206, whole[4:10])
    status, _, body = web.curl(url, "-H", "Range: bytes=4-9", "-H",
                               "If-Range: " + last)
    assert (status, body) == (206, whole[4:10])
    status, _, body = web.curl(url, "-H", "Range: bytes=4-9", "-H",
                               "If-Range: Sun, 06 Nov 1994 08:49:37 GMT")
    assert (status, body) == (200, whole)
    # a change made only if the copy is still the one named
    status, _, body = web.curl(url, "-H", 'If-Match: "old"')
    assert status == 412 and body != whole
    assert web.curl(url, "-H", "If-Match: " + etag)[0] == 200
    assert web.curl(url, "-H", "If-Match: *")[0] == 200
    assert web.curl(url, "-H", "If-Unmodified-Since: "
                    "Sun, 06 Nov 1994 08:49:37 GMT")[0] == 412
    assert web.curl(url, "-H", "If-Unmodified-Since: " + last)[0] == 200
    # a rendering has an ETag of its content too
    status, headers, _ = web.curl("/opds/catalog.xml")
    status, _, _ = web.curl("/opds/catalog.xml", "-H",
                            "If-None-Match: " + headers["etag"])
    assert status == 304


def byteranges(content_type, body):
    """The parts of a multipart/byteranges body: [(Content-Range, type,
    bytes)], checked to be framed as RFC 9110 and 2046 say."""
    m = re.fullmatch(r"multipart/byteranges; boundary=(\S+)", content_type)
    assert m, content_type
    delimiter = b"\r\n--" + m.group(1).encode()
    assert body.startswith(delimiter + b"\r\n")
    assert body.endswith(delimiter + b"--\r\n")
    parts = []
    for chunk in body[:-len(delimiter) - 4].split(delimiter)[1:]:
        head, data = chunk[2:].split(b"\r\n\r\n", 1)
        fields = dict(line.split(": ", 1) for line in
                      head.decode("ascii").split("\r\n"))
        parts.append((fields["Content-Range"], fields["Content-Type"],
                      data))
    return parts


def test_several_ranges(web):
    flac = a_file(os.path.join(web.m.path, "library", "music"), ".flac")
    with open(flac, "rb") as f:
        whole = f.read()
    size = len(whole)
    assert size > 100
    url = mount_url(web, flac)
    # two ranges, asked out of order: one part each, in order
    status, headers, body = web.curl(url, "-H",
                                     "Range: bytes=20-29, 0-9")
    assert status == 206
    assert "content-range" not in headers
    assert int(headers["content-length"]) == len(body)
    assert byteranges(headers["content-type"], body) == [
        ("bytes 0-9/%d" % size, "audio/flac", whole[:10]),
        ("bytes 20-29/%d" % size, "audio/flac", whole[20:30])]
    two = len(body)
    # overlapping and touching ranges merged; a suffix range
    status, headers, body = web.curl(url, "-H",
                                     "Range: bytes=0-4,3-9,10-11,-6")
    assert status == 206
    assert byteranges(headers["content-type"], body) == [
        ("bytes 0-11/%d" % size, "audio/flac", whole[:12]),
        ("bytes %d-%d/%d" % (size - 6, size - 1, size), "audio/flac",
         whole[-6:])]
    # merged into one: a plain 206 with Content-Range
    status, headers, body = web.curl(url, "-H", "Range: bytes=0-4,5-9")
    assert (status, body) == (206, whole[:10])
    assert headers["content-range"] == "bytes 0-9/%d" % size
    # an unsatisfiable range among good ones is left out
    status, headers, body = web.curl(url, "-H", "Range: bytes=%d-,2-3,"
                                     "5-6" % (size + 10))
    assert status == 206
    assert [p[0] for p in byteranges(headers["content-type"], body)] == [
        "bytes 2-3/%d" % size, "bytes 5-6/%d" % size]
    # none satisfiable: 416 with the length
    status, headers, _ = web.curl(url, "-H", "Range: bytes=%d-,%d-%d" %
                                  (size, size + 1, size + 9))
    assert status == 416
    assert headers["content-range"] == "bytes */%d" % size
    # more than 16 ranges, more bytes asked than the file has, malformed
    # or another unit: the whole file
    many = ",".join("%d-%d" % (2 * i, 2 * i) for i in range(17))
    for bad in ("bytes=" + many, "bytes=0-,0-", "bytes=0-%d,1-" % size,
                "bytes=0-1,x-2", "bytes=5-1,7-9", "items=0-1,2-3"):
        status, headers, body = web.curl(url, "-H", "Range: " + bad)
        assert (status, body) == (200, whole), bad
    # HEAD tells the multipart length without the body
    status, headers, _ = web.curl(url, "-I", "-H",
                                  "Range: bytes=0-9,20-29")
    assert (status, int(headers["content-length"])) == (206, two)
    assert headers["content-type"].startswith("multipart/byteranges")
    # Python's http.client reads the same answer, and a rendered file
    # (the OPDS catalog, built in memory) is cut the same way
    host, port = web.base[len("http://"):].split(":")
    auth = base64.b64encode(("root:" + PASSWORD).encode()).decode()
    conn = http.client.HTTPConnection(host, int(port), timeout=120)
    try:
        conn.request("GET", url, headers={
            "Authorization": "Basic " + auth,
            "Range": "bytes=1-2,-3"})
        r = conn.getresponse()
        body = r.read()
        assert r.status == 206
        assert int(r.getheader("Content-Length")) == len(body)
        assert [p[2] for p in byteranges(r.getheader("Content-Type"),
                                         body)] == [whole[1:3], whole[-3:]]
        conn.request("GET", "/opds/catalog.xml",
                     headers={"Authorization": "Basic " + auth})
        r = conn.getresponse()
        catalog = r.read()
        assert r.status == 200 and len(catalog) > 40
        kind = r.getheader("Content-Type")
        conn.request("GET", "/opds/catalog.xml", headers={
            "Authorization": "Basic " + auth,
            "Range": "bytes=30-39,0-4"})
        r = conn.getresponse()
        body = r.read()
        assert r.status == 206
        assert [(p[0], p[2]) for p in byteranges(
            r.getheader("Content-Type"), body)] == [
            ("bytes 0-4/%d" % len(catalog), catalog[:5]),
            ("bytes 30-39/%d" % len(catalog), catalog[30:40])]
        assert {p[1] for p in byteranges(r.getheader("Content-Type"),
                                         body)} == {kind}
    finally:
        conn.close()


def test_reload_applies_http(tmp_path):
    """SIGHUP applies [http]: the accounts read again, a new address,
    new threads on the same socket, and an address that cannot be bound
    leaves the listener where it was, said once."""
    w = Web(tmp_path, names=("root", "nobody"))
    conf = tmp_path / "http.conf"
    held = socket.socket()
    try:
        def reload(change):
            done = w.log().count("reload: done")
            conf.write_text(change(conf.read_text()))
            w.m.proc.send_signal(signal.SIGHUP)
            wait_for(lambda: w.log().count("reload: done") > done, 60,
                     "reload: done in the log", mount=w.m, interval=0.1)

        assert w.curl("/metrics", user="nobody")[0] != 401
        # an account removed is refused, one added heard
        htpasswd(tmp_path / "htpasswd", "root", "daemon")
        reload(lambda text: text)
        assert w.curl("/metrics", user="nobody")[0] == 401
        assert w.curl("/metrics", user="daemon")[0] != 401
        assert w.curl("/metrics")[0] == 200
        # a new address: heard there, no longer on the old one
        old = w.base
        reload(lambda text: text.replace("listen = 127.0.0.1:0",
                                         "listen = 127.0.0.2:0"))
        port = re.findall(r"http: listening on 127\.0\.0\.2:0 "
                          r"\(port (\d+)\)", w.log())
        assert len(port) == 1, w.log()
        w.base = "http://127.0.0.2:%s" % port[0]
        assert w.curl("/metrics")[0] == 200
        r = subprocess.run(["curl", "-sS", "-o", "/dev/null", "--max-time",
                            "60", old + "/metrics"], capture_output=True)
        assert r.returncode == 7, r     # connection refused
        # new threads and limits: the same socket, so the same port
        reload(lambda text: text.replace(
            "[http]\n", "[http]\nthreads = 2\nmax_connections = 64\n"))
        assert re.findall(r"http: listening on 127\.0\.0\.2:0 "
                          r"\(port (\d+)\)", w.log()) == [port[0]] * 2
        assert w.curl("/metrics")[0] == 200
        # an address taken by another: still heard where it was
        held.bind(("127.0.0.1", 0))
        held.listen(1)
        taken = "127.0.0.1:%d" % held.getsockname()[1]
        reload(lambda text: text.replace("listen = 127.0.0.2:0",
                                         "listen = " + taken))
        assert w.log().count("http: reload: cannot listen on %s; still"
                             " listening on 127.0.0.2:0" % taken) == 1
        assert ("error: http: cannot listen on %s; still listening on"
                " 127.0.0.2:0 (see /log)\n" % taken) in status_answers(w)
        assert w.curl("/metrics")[0] == 200
        # listen no longer set: the door closes, and the fault is over
        reload(lambda text: text.replace("listen = " + taken + "\n", ""))
        assert "http: listen is no longer set" in w.log()
        assert "error: http" not in status_answers(w)
        r = subprocess.run(["curl", "-sS", "-o", "/dev/null", "--max-time",
                            "60", w.base + "/metrics"], capture_output=True)
        assert r.returncode == 7, r
    finally:
        held.close()
        w.stop()


def test_control_over_post(web):
    status, _, body = web.curl("/control/rescan", "--data-binary", "1")
    assert (status, body) == (200, b"done\n")
    status, _, _ = web.curl("/control/rescan", "--data-binary", "nonsense")
    assert status == 400
    assert web.curl("/control/nosuch", "--data-binary", "1")[0] == 404
    assert web.curl("/status/health", "--data-binary", "1")[0] == 405
    big = web.where / "big"
    big.write_bytes(b"1" * (128 << 10))
    status, _, _ = web.curl("/control/rescan", "--data-binary",
                            "@" + str(big))
    assert status == 413
    assert web.curl("/metrics", "-X", "DELETE")[0] == 405


def test_hostile_paths_and_headers(web):
    for path in ("/status/..%2F..%2F..%2Fetc%2Fpasswd", "/../etc/passwd",
                 "/status/./health", "/library/%2e%2e/%2e%2e/etc"):
        status, _, body = web.curl(path)
        assert status == 400, (path, body)
    assert web.curl("/nosuch")[0] == 404
    # headers past the cap: refused, and the listener answers after it
    r = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w",
                        "%{http_code}", "-u", "root:" + PASSWORD, "-H",
                        "X-Big: " + "a" * (64 << 10), web.base + "/metrics"],
                       capture_output=True, text=True, timeout=150)
    assert r.stdout in ("431", "413", "400", "000"), r
    assert web.curl("/metrics")[0] == 200


def test_wrong_passwords_are_held_and_logged_once(web):
    for _ in range(20):
        web.curl("/metrics", password="wrong")
    status, headers, _ = web.curl("/metrics")
    assert status == 429 and int(headers["retry-after"]) > 0
    # a connection of this machine's counts by its user, whatever its
    # address of the loopback
    assert web.log().count("wrong passwords from user root ") == 1


def forwarded(client, proto="https"):
    return ("-H", "X-Forwarded-For: 198.51.100.1, " + client,
            "-H", "X-Forwarded-Proto: " + proto)


def test_trusted_proxy_forwards_the_client(tmp_path):
    """From trusted_proxy, the hold counts the client it names (the last
    address of X-Forwarded-For), and the log says how it came."""
    w = Web(tmp_path, conf_extra="trusted_proxy = 127.0.0.1\n")
    try:
        for _ in range(20):
            w.curl("/metrics", *forwarded("203.0.113.9"),
                   password="wrong")
        status, headers, _ = w.curl("/metrics", *forwarded("203.0.113.9"))
        assert status == 429 and int(headers["retry-after"]) > 0
        # another client of the proxy, and the proxy itself, are heard
        assert w.curl("/metrics", *forwarded("203.0.113.10"))[0] == 200
        assert w.curl("/metrics")[0] == 200
        # an IPv6 client, written back in its short form
        assert w.curl("/metrics", *forwarded("2001:DB8:0::5"))[0] == 200
        log = w.log()
        assert log.count("wrong passwords from 203.0.113.9 (https through"
                         " proxy 127.0.0.1)") == 1, log
        assert "wrong passwords from 127.0.0.1" not in log
        assert "198.51.100.1" not in log
    finally:
        w.stop()


def test_forwarded_headers_are_bad_or_from_anyone_else(tmp_path):
    """A peer that is not trusted_proxy cannot choose the address held:
    changing X-Forwarded-For on each wrong password still holds it; and
    from the proxy, a header that is no address is the proxy's own."""
    w = Web(tmp_path, conf_extra="trusted_proxy = 192.0.2.7\n")
    try:
        for i in range(20):
            w.curl("/metrics", *forwarded("203.0.113.%d" % i),
                   password="wrong")
        status, _, _ = w.curl("/metrics", *forwarded("203.0.113.99"))
        assert status == 429
        log = w.log()
        assert log.count("wrong passwords from user root in") == 1, log
        assert "203.0.113." not in log
    finally:
        w.stop()
    (tmp_path / "bad").mkdir()
    w = Web(tmp_path / "bad", conf_extra="trusted_proxy = 127.0.0.1\n")
    try:
        for bad in ("not-an-address", "", "999.1.1.1", "1.2.3.4:80",
                    "x" * 300):
            w.curl("/metrics", "-H", "X-Forwarded-For: " + bad,
                   "-H", "X-Forwarded-Proto: gopher", password="wrong")
        for _ in range(20):
            w.curl("/metrics", password="wrong")
        assert w.curl("/metrics")[0] == 429
        log = w.log()
        assert log.count("wrong passwords from user root in") == 1, log
        assert "gopher" not in log and "not-an-address" not in log
    finally:
        w.stop()


@pytest.mark.parametrize("value", ["proxy.example", "10.0.0.300",
                                   "127.0.0.1/8", "::1::"])
def test_trusted_proxy_not_an_address_stops_the_start(tmp_path, value):
    htpasswd(tmp_path / "htpasswd", "root")
    (tmp_path / "music").mkdir()
    conf = tmp_path / "http.conf"
    conf.write_text("[analysis]\nenabled = no\n[http]\nlisten = "
                    "127.0.0.1:0\nhtpasswd = %s\ntrusted_proxy = %s\n"
                    "[music]\nroot = %s\n" % (tmp_path / "htpasswd", value,
                                              tmp_path / "music"))
    text = start_refused(tmp_path, "config=" + str(conf))
    assert "trusted_proxy = %s is not an IPv4 or IPv6 address" % value \
        in text, text


@pytest.mark.parametrize("mode", [0o644, 0o640])
def test_htpasswd_others_may_read_stops_the_start(tmp_path, mode):
    """The accounts' file is a secret: readable by its group or by every
    user, the daemon does not start, and says which and how to mend it;
    no hash reaches the log."""
    htpasswd(tmp_path / "htpasswd", "root")
    os.chmod(str(tmp_path / "htpasswd"), mode)
    (tmp_path / "music").mkdir()
    conf = tmp_path / "http.conf"
    conf.write_text("[analysis]\nenabled = no\n[http]\nlisten = "
                    "127.0.0.1:0\nhtpasswd = %s\n[music]\nroot = %s\n"
                    % (tmp_path / "htpasswd", tmp_path / "music"))
    text = start_refused(tmp_path, "config=" + str(conf))
    assert "%s holds secrets" % (tmp_path / "htpasswd") in text, text
    assert "chmod 600" in text and "$2y$" not in text


def test_listener_threads_are_named(web):
    """The threads that answer requests carry the name mm-http, like the
    daemon's others (top -H, ps -L): a connection's own, while it is
    open."""
    assert web.curl("/metrics")[0] == 200
    conn = http.client.HTTPConnection(
        urllib.parse.urlsplit(web.base).netloc, timeout=60)
    try:
        conn.request("GET", "/rest/ping.view")
        conn.getresponse().read()
        tasks = pathlib.Path("/proc/%d/task" % web.m.proc.pid)
        names = []
        for t in tasks.iterdir():
            try:
                names.append((t / "comm").read_text().strip())
            except FileNotFoundError:
                pass  # a thread that ended since the folder was read
        assert "mm-http" in names, names
    finally:
        conn.close()


def test_slow_client_is_cut_others_are_served(tmp_path):
    w = Web(tmp_path, conf_extra="timeout = 2s\n")
    try:
        host, port = w.base[len("http://"):].split(":")
        s = socket.create_connection((host, int(port)), timeout=120)
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        # while it hangs, another client is answered
        assert w.curl("/metrics")[0] == 200
        # then it is closed: recv() ends
        assert s.recv(4096) == b""
        s.close()
    finally:
        w.stop()


class Flood:
    """n idle connections to w's listener from source (an address of the
    loopback), and how many of them the listener has closed."""

    def __init__(self, w, n, source="127.0.0.1"):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft < n + 256:
            resource.setrlimit(resource.RLIMIT_NOFILE,
                               (min(hard, n + 1024), hard))
        host, port = w.base[len("http://"):].split(":")
        self.socks = []
        self.closed = set()
        try:
            for _ in range(n):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                self.socks.append(s)
                s.settimeout(120)
                s.bind((source, 0))
                s.connect((host, int(port)))
                s.setblocking(False)
        except BaseException:
            self.close()
            raise

    def count_closed(self):
        """The connections the listener closed so far (EOF or reset)."""
        for i, s in enumerate(self.socks):
            if i in self.closed:
                continue
            try:
                if s.recv(1) == b"":
                    self.closed.add(i)
            except BlockingIOError:
                pass
            except OSError:
                self.closed.add(i)
        return len(self.closed)

    def close(self):
        for s in self.socks:
            s.close()


def held(w):
    """The listener's connections the daemon holds: the sockets
    established on its port (the kernel's queue of those it did not
    accept yet has no inode) that are among the daemon's descriptors.
    /proc/net/tcp is no snapshot: read while sockets come and go, it
    repeats lines, so a socket counts once, by inode, and only if the
    daemon still holds it after the read."""
    port = int(w.base.rsplit(":", 1)[1])
    on_port = set()
    for line in pathlib.Path("/proc/net/tcp").read_text().splitlines()[1:]:
        f = line.split()
        if (int(f[1].split(":")[1], 16) == port and f[3] == "01" and
                f[9] != "0"):
            on_port.add("socket:[%s]" % f[9])
    ours = set()
    for fd in pathlib.Path("/proc/%d/fd" % w.m.proc.pid).iterdir():
        try:
            ours.add(os.readlink(fd))
        except FileNotFoundError:
            pass
    return len(on_port & ours)


def status_answers(w):
    return (pathlib.Path(w.m.path) / "status" / "health").read_text()


def test_idle_flood_from_one_address_is_bounded(tmp_path):
    """2,000 idle connections from one address: the listener keeps
    max_connections_per_address of them and closes the rest; the mount's
    status files and a request from another address are answered."""
    w = Web(tmp_path, conf_extra="max_connections_per_address = 32\n")
    flood = None
    try:
        flood = Flood(w, 2000)
        wait_for(flood.count_closed, 120, "the flood cut to 32",
                 until=lambda n: n >= 2000 - 32, mount=w.m)
        assert held(w) <= 32
        assert status_answers(w)
        status, _, body = w.curl("/status/health", "--interface",
                                 "127.0.0.2")
        assert status == 200 and body.strip(), body
    finally:
        if flood:
            flood.close()
        w.stop()


def test_idle_flood_is_bounded_by_max_connections(tmp_path):
    """2,000 idle connections, with no bound per address: the listener
    accepts max_connections of them and leaves the rest in the kernel's
    queue, the mount answers meanwhile, and once they go the listener
    answers again."""
    w = Web(tmp_path, conf_extra="max_connections = 64\n"
            "max_connections_per_address = 100000\n")
    flood = None
    try:
        flood = Flood(w, 2000)
        # the rest wait in the kernel's queue, never accepted
        wait_for(lambda: held(w), 120, "64 connections held",
                 until=lambda n: n >= 64, mount=w.m)
        for _ in range(20):
            assert held(w) <= 64
        assert status_answers(w)
        flood.close()
        flood = None
        status, _, body = wait_for(
            lambda: w.curl("/status/health"), 120,
            "an answer once the flood is gone",
            until=lambda r: r[0] == 200, mount=w.m)
        assert body.strip()
    finally:
        if flood:
            flood.close()
        w.stop()


def open_and_shut(world):
    """A library under world of two artists: Open (track Pub), and Shut
    (track Priv) in a folder only root may enter."""
    music = os.path.join(world, "music")
    make_flac(os.path.join(music, "Open", "Pub", "01.flac"), "Pub",
              "Open", "Pub", 1)
    make_flac(os.path.join(music, "Shut", "Priv", "01.flac"), "Priv",
              "Shut", "Priv", 1)
    os.chmod(os.path.join(music, "Shut"), 0o700)
    return music


def test_another_users_private_file(world):  # noqa: F811
    """An account gets its user's rights: a track in a folder only root
    may enter is 404 for it (the views do not show it) and 200 for root;
    a control write is refused to it (403)."""
    u = make_user()
    try:
        music = open_and_shut(world)
        where = tempfile.mkdtemp(dir=world)
        w = Web(where, names=("root", u.name), music=music)
        try:
            top = os.path.join(w.m.path, "library/music/artists")
            wait_for(lambda: sorted(os.listdir(top)), 60,
                     "both artists", until=lambda v: len(v) == 2)
            priv = mount_url(w, a_file(os.path.join(top, "Shut"), ".flac"))
            pub = mount_url(w, a_file(os.path.join(top, "Open"), ".flac"))
            assert w.curl(priv)[0] == 200
            assert w.curl(pub, user=u.name)[0] == 200
            assert w.curl(priv, user=u.name)[0] in (403, 404)
            status, _, body = w.curl("/library/music/artists/",
                                     user=u.name)
            assert b"Open" in body and b"Shut" not in body
            assert w.curl("/control/rescan", "--data-binary", "1",
                          user=u.name)[0] == 403
        finally:
            w.stop()
    finally:
        drop_user(u)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_dashboard_in_chromium(web, tmp_path):
    chromium = shutil.which("chromium")
    if not chromium:
        pytest.skip("chromium is not installed")
    status, headers, body = web.curl("/")
    assert (status, headers["content-type"]) == (200,
                                                 "text/html; charset=utf-8")
    assert b'<img src="/metrics/scans.svg"' in body
    # it refreshes itself, and a phone shows it at its own width
    assert re.search(rb'<meta http-equiv="refresh" content="\d+">', body)
    assert b'<meta name="viewport" content="width=device-width' in body
    url = web.base.replace("http://", "http://root:%s@" %
                           urllib.parse.quote(PASSWORD)) + "/"
    png = tmp_path / "dashboard.png"
    flags = [chromium, "--headless", "--no-sandbox", "--disable-gpu",
             "--no-first-run", "--disable-background-networking",
             "--hide-scrollbars", "--window-size=800,1600",
             "--user-data-dir=" + str(tmp_path / "chromium")]
    dom = subprocess.run(flags + ["--dump-dom", url], capture_output=True,
                         text=True, timeout=180)
    assert dom.returncode == 0, dom.stderr
    assert 'id="health"' in dom.stdout, dom.stdout[-2000:]
    shot = subprocess.run(flags + ["--screenshot=" + str(png), url],
                          capture_output=True, text=True, timeout=180)
    assert shot.returncode == 0 and png.exists(), shot.stderr
    counts = png_pixels(str(png))
    # the charts came with the page (their credentials too): the blue
    # of their first lines' legends and points (common/svg.c)
    assert near(counts, (31, 119, 180)) > 50


def test_one_connection_serves_several_requests(web):
    """Keep-alive: a file, a rendering, a folder, a 304 and a Subsonic
    call, one after another on one connection, none of them closing it;
    a POST's body is read before its answer, and the connection stays."""
    port = int(web.base.rsplit(":", 1)[1])
    auth = "Basic " + base64.b64encode(
        ("root:" + PASSWORD).encode()).decode()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.connect()
        sock = conn.sock
        etags = {}
        for path, extra in (("/status/summary.json", {}),
                            ("/opds/catalog.xml", {}),
                            ("/status/", {}),
                            ("/opds/catalog.xml", "etag"),
                            ("/rest/ping?u=root&p=%s&c=t&v=1.16.1&f=json"
                             % urllib.parse.quote(PASSWORD), {})):
            headers = {"Authorization": auth}
            if extra == "etag":
                headers["If-None-Match"] = etags[path]
            conn.request("GET", path, headers=headers)
            r = conn.getresponse()
            r.read()
            assert r.status == (304 if extra == "etag" else 200), path
            assert not r.will_close, (path, r.getheaders())
            assert conn.sock is sock, path
            etags[path] = r.getheader("ETag")
        conn.request("POST", "/control/nosuchfile", body=b"1\n",
                     headers={"Authorization": auth})
        r = conn.getresponse()
        r.read()
        assert r.status == 404
        conn.request("GET", "/status/summary.json",
                     headers={"Authorization": auth})
        r = conn.getresponse()
        assert r.status == 200 and r.read()
    finally:
        conn.close()
