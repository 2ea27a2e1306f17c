# SPDX-License-Identifier: GPL-3.0-or-later
"""The real download clients Debian ships (qbittorrent-nox,
transmission-daemon, nzbget, amuled, aria2c), each started on 127.0.0.1
with a throw-away profile in a temporary folder, credentials the test sets, a
free port, a deadline to answer, and always stopped; and what the tests
hand them: torrents made here (bencoded by hand) and a small HTTP server
on loopback that serves them, an NZB, or a 404; NZBGet's own news
server (nzbget --nserv), from which NZBGet downloads without network;
and opentracker, a BitTorrent tracker on loopback through which seeders
and downloaders meet.

A test that needs a program the machine lacks is skipped, naming it
(contrib/install-deps.sh installs them all)."""

import base64
import hashlib
import http.cookiejar
import http.server
import ipaddress
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest

from conftest import REPO, wait_for

sys.path.insert(0, os.path.join(REPO, "tests", "fakes"))
from http_fake import bencode  # noqa: E402

USER = "mediamon"
PASSWORD = "s3cret-Pass"


def free_port():
    """A TCP port nobody listens on at 127.0.0.1 (now)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def need(program):
    """The path of program, or skip the test when it is not installed."""
    path = shutil.which(program) or shutil.which(program, path="/usr/bin")
    if not path:
        pytest.skip("%s is not installed (contrib/install-deps.sh installs"
                    " it)" % program)
    return path


class StaticServer:
    """python3 -m http.server serving a folder (the mount, as a user
    would serve it) on 127.0.0.1: it sends each file with the
    Content-Length that stat gives. A context manager; base is its URL."""

    def __init__(self, folder):
        self.folder = str(folder)
        self.base = None
        self.proc = None

    def __enter__(self):
        port = free_port()
        self.base = "http://127.0.0.1:%d/" % port
        self.proc = subprocess.Popen(
            ["/usr/bin/python3", "-m", "http.server", str(port), "--bind",
             "127.0.0.1", "--directory", self.folder],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def up():
            try:
                with socket.create_connection(("127.0.0.1", port), 1):
                    return True
            except OSError:
                return self.proc.poll() is not None
        try:
            wait_for(up, 15, "http.server on port %d" % port)
            assert self.proc.poll() is None, "http.server ended at start"
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(timeout=30)


class Torrent:
    """A single-file torrent of content (bytes) named name, with its v1
    info hash and magnet link; announced to tracker (a url) when given,
    in the torrent and the magnet (tr=)."""

    def __init__(self, name, content, tracker=None):
        piece = 16384
        self.name = name
        self.content = content
        pieces = b"".join(hashlib.sha1(content[i:i + piece]).digest()
                          for i in range(0, len(content), piece))
        info = {"length": len(content), "name": name,
                "piece length": piece, "pieces": pieces}
        self.data = bencode({"announce": tracker or
                             "http://127.0.0.1:9/announce", "info": info})
        self.hash = hashlib.sha1(bencode(info)).hexdigest()
        self.magnet = "magnet:?xt=urn:btih:%s&dn=%s" % (
            self.hash, urllib.parse.quote(name))
        if tracker:
            self.magnet += "&tr=" + urllib.parse.quote(tracker, safe="")


class Files:
    """A small HTTP server on 127.0.0.1 serving what the test puts in
    files (path: (content type, bytes)); any other path is 404. Each
    request's path is kept in requests."""

    def __init__(self):
        self.files = {}
        self.requests = []
        files = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                files.requests.append(self.path)
                got = files.files.get(self.path)
                if not got:
                    self.send_error(404, "Not Found")
                    return
                self.send_response(200)
                self.send_header("Content-Type", got[0])
                self.send_header("Content-Length", str(len(got[1])))
                self.end_headers()
                self.wfile.write(got[1])

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                      Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       daemon=True)
        self.thread.start()

    def put(self, path, data, ctype="application/x-bittorrent"):
        self.files[path] = (ctype, data)
        return self.url + path

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class Relay:
    """An HTTP relay on 127.0.0.1 in front of a client at target, as a
    reverse proxy is: each request goes on as it came, its Host header
    made the target's, and its answer comes back; (method, path,
    status) of each is kept in seen, to count what a client was asked.
    A request whose path or body holds refuse (bytes, when set) is
    answered 500 instead, as a client that fails there."""

    def __init__(self, target):
        self.seen = []
        self.refuse = None
        relay = self
        host = urllib.parse.urlsplit(target).netloc
        opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), NoRedirect)

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def forward(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else None
                if relay.refuse and relay.refuse in (
                        self.path.encode() + b" " + (body or b"")):
                    relay.seen.append((self.command, self.path, 500))
                    self.send_error(500, "Internal Server Error")
                    return
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("host", "content-length",
                                                "connection")}
                headers["Host"] = host
                req = urllib.request.Request(target + self.path, body,
                                             headers, method=self.command)
                try:
                    r = opener.open(req, timeout=30)
                except urllib.error.HTTPError as e:
                    r = e
                data = r.read()
                relay.seen.append((self.command, self.path, r.status))
                self.send_response(r.status)
                for k, v in r.headers.items():
                    if k.lower() not in ("content-length", "connection",
                                         "transfer-encoding"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = forward

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                      Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_port
        threading.Thread(target=self.server.serve_forever,
                         daemon=True).start()

    def count(self, status, path=""):
        return sum(1 for _, p, s in self.seen
                   if s == status and p.startswith(path))

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


class Client:
    """A client program running in the foreground in its own folder;
    save names its download folder there."""

    name = None

    def __init__(self, tmp, password=PASSWORD, save="downloads"):
        self.dir = tmp / self.name
        self.dir.mkdir()
        self.save = self.dir / save
        self.save.mkdir()
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.password = password
        self.out = open(str(self.dir / "output.log"), "ab")
        self.proc = None

    def run(self, args):
        self.args = args
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                                     stdout=self.out,
                                     stderr=subprocess.STDOUT,
                                     start_new_session=True)
        wait_for(self.answers, 30, "%s answering on %s" % (self.name,
                                                           self.url),
                 ignore=(OSError,))

    def answers(self):
        if self.proc.poll() is not None:
            raise AssertionError("%s exited with status %s: %s" % (
                self.name, self.proc.returncode, self.output()))
        with socket.create_connection(("127.0.0.1", self.port), 1):
            return True

    def output(self):
        return (self.dir / "output.log").read_text(errors="replace")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.out.close()

    def start_again(self):
        """After stop(): the same program and profile on the same port."""
        self.out = open(str(self.dir / "output.log"), "ab")
        self.run(self.args)


def pbkdf2(password):
    """qBittorrent's WebUI\\Password_PBKDF2 for password: PBKDF2-HMAC-
    SHA512, 100000 iterations, a 16-byte salt, "@ByteArray(salt:hash)"
    in base64 (src/base/utils/password.cpp, generate())."""
    salt = os.urandom(16)
    key = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, 100000)
    return "@ByteArray(%s:%s)" % (base64.b64encode(salt).decode(),
                                  base64.b64encode(key).decode())


class Qbittorrent(Client):
    """qbittorrent-nox 4.5 with a profile of its own: the WebUI on
    127.0.0.1 with a login even from localhost, its CSRF and Host header
    checks on, BitTorrent listening on loopback without DHT, PeX, LSD or
    port forwarding, its log in the profile. More than one connection
    per address: every peer here is 127.0.0.1, and libtorrent keeps one
    peer per address otherwise (a tracker's list names qBittorrent
    itself there too, and the one kept may be it)."""

    name = "qbittorrent"

    def __init__(self, tmp, password=PASSWORD, save="downloads"):
        super().__init__(tmp, password, save)
        program = need("qbittorrent-nox")
        conf = self.dir / "qBittorrent" / "config"
        conf.mkdir(parents=True)
        self.log = self.dir / "qBittorrent" / "data" / "logs"
        # a port taken from the kernel is free when taken, not always
        # when qBittorrent binds it (any connection's local port may take
        # it meanwhile): a WebUI that cannot bind takes new ports
        for attempt in range(3):
            try:
                self.start(program, conf)
                break
            except AssertionError as e:
                if "already in use" not in str(e) or attempt == 2:
                    raise
                self.port = free_port()
                self.url = "http://127.0.0.1:%d" % self.port
        self.opener = None

    def start(self, program, conf):
        """Write the profile's configuration and start qBittorrent."""
        (conf / "qBittorrent.conf").write_text(
            "[LegalNotice]\nAccepted=true\n\n"
            "[Application]\nFileLogger\\Enabled=true\n"
            "FileLogger\\Path=%s\n\n"
            "[BitTorrent]\nSession\\Port=%d\nSession\\Interface=lo\n"
            "Session\\InterfaceName=lo\nSession\\DHTEnabled=false\n"
            "Session\\LSDEnabled=false\nSession\\PeXEnabled=false\n"
            "Session\\MultiConnectionsPerIp=true\n"
            "Session\\DefaultSavePath=%s\n\n"
            "[Network]\nPortForwardingEnabled=false\n\n"
            "[Preferences]\nWebUI\\Address=127.0.0.1\nWebUI\\Port=%d\n"
            "WebUI\\Username=%s\nWebUI\\Password_PBKDF2=\"%s\"\n"
            "WebUI\\LocalHostAuth=true\nWebUI\\CSRFProtection=true\n"
            "WebUI\\HostHeaderValidation=true\nWebUI\\UseUPnP=false\n"
            "General\\UseRandomPort=false\n"
            % (self.log, free_port(), self.save, self.port, USER,
               pbkdf2(PASSWORD)))
        self.run([program, "--profile=%s" % self.dir])

    def logins(self):
        """The WebUI logins qBittorrent logged: (successes, failures)."""
        text = ""
        if self.log.is_dir():
            for f in self.log.iterdir():
                text += f.read_text(errors="replace")
        return (text.count("WebAPI login success"),
                text.count("WebAPI login failure"))

    def api(self, path, form=None):
        """The answer of the WebUI API to a GET of path (a POST of form),
        logged in with the right password, as JSON when it is."""
        if not self.opener:
            self.opener = urllib.request.build_opener(
                urllib.request.ProxyHandler({}),
                urllib.request.HTTPCookieProcessor(
                    http.cookiejar.CookieJar()))
            self.post("/api/v2/auth/login",
                      {"username": USER, "password": PASSWORD})
        body = self.post(path, form) if form is not None else \
            self.opener.open(self.url + path, timeout=10).read()
        try:
            return json.loads(body)
        except ValueError:
            return body.decode()

    def post(self, path, form):
        req = urllib.request.Request(
            self.url + path, urllib.parse.urlencode(form).encode(),
            headers={"Referer": self.url + "/"})
        return self.opener.open(req, timeout=10).read()

    def torrents(self):
        return self.api("/api/v2/torrents/info")


class Transmission(Client):
    """transmission-daemon 3.00 in the foreground with a config folder of
    its own: RPC on 127.0.0.1 for 127.0.0.1 only, with a user name and
    password; peers on loopback, no DHT, LPD, PEX, uTP or port mapping;
    its debug log in the folder."""

    name = "transmission"

    def __init__(self, tmp, password=PASSWORD, save="downloads"):
        super().__init__(tmp, password, save)
        program = need("transmission-daemon")
        conf = self.dir / "config"
        conf.mkdir()
        self.peer_port = free_port()
        (conf / "settings.json").write_text(json.dumps({
            "rpc-bind-address": "127.0.0.1",
            "rpc-whitelist": "127.0.0.1", "rpc-whitelist-enabled": True,
            "rpc-host-whitelist-enabled": True,
            "bind-address-ipv4": "127.0.0.1", "bind-address-ipv6": "::1",
            "peer-port": self.peer_port, "peer-port-random-on-start": False,
            "dht-enabled": False, "lpd-enabled": False,
            "pex-enabled": False, "utp-enabled": False,
            "port-forwarding-enabled": False,
            "download-dir": str(self.save),
            "incomplete-dir-enabled": False, "watch-dir-enabled": False,
            "blocklist-enabled": False, "message-level": 3,
        }))
        self.log = self.dir / "transmission.log"
        self.run([program, "-f", "-g", str(conf), "-p", str(self.port),
                  "-t", "-u", USER, "-v", PASSWORD, "-e", str(self.log),
                  "--log-debug"])
        self.token = ""
        self.rpc_url = self.url + "/transmission/rpc"

    def rpc(self, method, **args):
        """An RPC call with the right credentials: its arguments."""
        body = json.dumps({"method": method, "arguments": args}).encode()
        auth = base64.b64encode(("%s:%s" % (USER, PASSWORD)).encode())
        for _ in range(2):
            req = urllib.request.Request(self.rpc_url, body, headers={
                "Authorization": "Basic " + auth.decode(),
                "X-Transmission-Session-Id": self.token})
            try:
                with urllib.request.build_opener(
                        urllib.request.ProxyHandler({})).open(
                            req, timeout=10) as r:
                    doc = json.loads(r.read())
                    assert doc["result"] == "success", doc
                    return doc["arguments"]
            except urllib.error.HTTPError as e:
                if e.code != 409:
                    raise
                self.token = e.headers["X-Transmission-Session-Id"]
        raise AssertionError("transmission kept answering 409")

    def torrents(self):
        return self.rpc("torrent-get", fields=[
            "id", "hashString", "name", "labels", "downloadDir",
            "error", "errorString"])["torrents"]


class Nzbget(Client):
    """nzbget 21 as a standalone server (-s) with a configuration of its
    own: its control port on 127.0.0.1 with a user name and password,
    every folder in its own, no news server."""

    name = "nzbget"

    def __init__(self, tmp, password=PASSWORD, news_port=None,
                 save="downloads"):
        super().__init__(tmp, password, save)
        program = need("nzbget")
        self.log = self.dir / "nzbget.log"
        conf = self.dir / "nzbget.conf"
        server = ("Server1.Active=yes\nServer1.Name=nserv\n"
                  "Server1.Host=127.0.0.1\nServer1.Port=%d\n"
                  "Server1.Connections=2\nServer1.Level=0\n" % news_port
                  if news_port else "")
        conf.write_text(server + 
            "MainDir=%s\nDestDir=%s\nInterDir=${MainDir}/inter\n"
            "NzbDir=${MainDir}/nzb\nQueueDir=${MainDir}/queue\n"
            "TempDir=${MainDir}/tmp\nScriptDir=${MainDir}/scripts\n"
            "LockFile=${MainDir}/nzbget.lock\nLogFile=%s\n"
            "WebDir=\nConfigTemplate=\n"
            "ControlIP=127.0.0.1\nControlPort=%d\n"
            "ControlUsername=%s\nControlPassword=%s\n"
            "RestrictedUsername=\nAddUsername=\nSecureControl=no\n"
            "AuthorizedIP=\nFormAuth=no\n"
            "WriteLog=append\nDetailTarget=log\nInfoTarget=log\n"
            "WarningTarget=log\nErrorTarget=log\nDebugTarget=none\n"
            "DaemonUsername=\nUMask=077\nOutputMode=loggable\n"
            "Category1.Name=manga\nCategory1.DestDir=%s\n"
            % (self.dir, self.save, self.log, self.port, USER, PASSWORD,
               self.save / "manga"))
        self.run([program, "-c", str(conf), "-s"])

    def call(self, method, *params):
        body = json.dumps({"method": method, "params": list(params)})
        auth = base64.b64encode(("%s:%s" % (USER, PASSWORD)).encode())
        req = urllib.request.Request(self.url + "/jsonrpc", body.encode(),
                                     headers={"Authorization": "Basic " +
                                              auth.decode()})
        with urllib.request.build_opener(
                urllib.request.ProxyHandler({})).open(req, timeout=10) as r:
            return json.loads(r.read())["result"]


class Tracker(Client):
    """opentracker, a BitTorrent tracker, on 127.0.0.1 with a throw-away
    configuration in its folder: it serves only the info hashes given
    (Debian builds it with a whitelist: "access.whitelist"), chroots
    into the folder and, started as root, runs as nobody (it refuses to
    run as root). announce is the url to put in torrents and magnets.

    Why a tracker: Transmission 3.00 never connects to a peer on
    127.0.0.0/8 that it learns of, from a tracker or PEX
    (libtransmission/net.c isMartianAddr(), used by
    tr_address_is_valid_for_peers() in tr_peerMgrAddPex()), and its RPC
    has no call to add a peer; it does take a connection from one
    (tr_peerMgrAddIncoming() checks only the blocklist). So a seeder
    that learns of Transmission from the tracker connects to it."""

    name = "opentracker"

    def __init__(self, tmp, password=PASSWORD, hashes=()):
        super().__init__(tmp, password)
        program = need("opentracker")
        self.dir.chmod(0o755)
        (self.dir / "whitelist").write_text(
            "".join(h + "\n" for h in hashes))
        (self.dir / "whitelist").chmod(0o644)
        (self.dir / "opentracker.conf").write_text(
            "access.whitelist whitelist\ntracker.rootdir %s\n" % self.dir)
        user = ["-u", "nobody"] if os.geteuid() == 0 else []
        self.announce = self.url + "/announce"
        self.run([program, "-i", "127.0.0.1", "-p", str(self.port), "-P",
                  str(self.port), "-f", str(self.dir / "opentracker.conf")]
                 + user)


class NewsServer(Client):
    """NZBGet's own news server (nzbget --nserv) on 127.0.0.1, serving
    the files given (name: bytes) as articles; nzb(name) is the NZB it
    made for one."""

    name = "nserv"

    def __init__(self, tmp, password=PASSWORD, files=None):
        super().__init__(tmp, password)
        program = need("nzbget")
        self.data = self.dir / "data"
        self.data.mkdir()
        for name, content in (files or {}).items():
            (self.data / name).write_bytes(content)
        # NZBGet 21 writes the NZBs, then in about one run of --nserv -q
        # in eight here dies of SIGSEGV on its way out: it is run again,
        # at most five times.
        for _ in range(5):
            made = subprocess.run([program, "--nserv", "-d", str(self.data),
                                   "-z", "20000", "-q"],
                                  stdin=subprocess.DEVNULL, stdout=self.out,
                                  stderr=subprocess.STDOUT, timeout=30)
            if made.returncode != -signal.SIGSEGV:
                break
        made.check_returncode()
        self.run([program, "--nserv", "-d", str(self.data), "-b",
                  "127.0.0.1", "-p", str(self.port)])

    def nzb(self, name):
        return (self.data / (name + ".nzb")).read_bytes()


def md4(data):
    """MD4 (RFC 1320): OpenSSL 3 no longer gives it to hashlib."""
    def rol(x, n):
        x &= 0xffffffff
        return (x << n | x >> (32 - n)) & 0xffffffff
    rounds = (
        (lambda x, y, z: x & y | ~x & z, 0, range(16), (3, 7, 11, 19)),
        (lambda x, y, z: x & y | x & z | y & z, 0x5a827999,
         (0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15),
         (3, 5, 9, 13)),
        (lambda x, y, z: x ^ y ^ z, 0x6ed9eba1,
         (0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15),
         (3, 9, 11, 15)))
    msg = bytearray(data) + b"\x80"
    msg += b"\0" * ((56 - len(msg)) % 64)
    msg += (len(data) * 8).to_bytes(8, "little")
    h = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476]
    for i in range(0, len(msg), 64):
        x = [int.from_bytes(msg[i + 4 * k:i + 4 * k + 4], "little")
             for k in range(16)]
        v = list(h)
        for f, add, order, shifts in rounds:
            for k, idx in enumerate(order):
                j = (-k) % 4
                v[j] = rol(v[j] + f(v[(j + 1) % 4], v[(j + 2) % 4],
                                    v[(j + 3) % 4]) + x[idx] + add,
                           shifts[k % 4])
        h = [(a + b) & 0xffffffff for a, b in zip(h, v)]
    return b"".join(a.to_bytes(4, "little") for a in h)


def ed2k_link(name, data):
    """The ed2k link of a file (one of less than one part, 9,728,000
    bytes, whose hash is the MD4 of its bytes)."""
    assert len(data) < 9728000
    return "ed2k://|file|%s|%d|%s|/" % (urllib.parse.quote(name),
                                        len(data), md4(data).hex().upper())


def kad_files(conf, kad_id, nodes):
    """aMule's Kad files in its folder conf: preferencesKad.dat with its
    Kad id (16 bytes), nodes.dat (version 2) with nodes [(id, ip, udp,
    tcp)] (amule 2.3.3's src/kademlia/kademlia/Prefs.cpp and
    routing/RoutingZone.cpp, ReadFile(): IPs in host order, little
    endian, each contact of Kad version 8, no UDP key, not verified)."""
    (conf / "preferencesKad.dat").write_bytes(
        struct.pack("<IH", 0, 0) + kad_id + b"\0")
    data = struct.pack("<III", 0, 2, len(nodes))
    for node_id, ip, udp, tcp in nodes:
        data += node_id + struct.pack(
            "<IHHBIIB", int(ipaddress.IPv4Address(ip)), udp, tcp, 8,
            0, 0, 0)
    (conf / "nodes.dat").write_bytes(data)


class Amule(Client):
    """amuled 2.3 with a configuration folder of its own: External
    Connections on 127.0.0.1 with the MD5 of the password (its
    ECPassword), no server, no Kad, its own TCP port and UDP off, LAN
    addresses not filtered, its temporary and incoming folders in its
    folder; files (name: bytes) are in its incoming folder when it
    starts, which it shares: a completed download's state. host is the
    EC address; cmd() runs amulecmd (Debian's amule-utils) against it,
    under the same prefix."""

    name = "amule"

    def __init__(self, tmp, password=PASSWORD, save="incoming", files=None,
                 kad=None, prefix=(), name=None):
        """kad: {"id": 16 bytes, "nodes": [(id, ip, udp, tcp)]}: UDP and
        Kad on, with that Kad id and those nodes to start from (its
        nodes.dat); prefix: the command amuled runs under (ip netns exec
        NAME); name: its folder's, when two run."""
        self.name = name or self.name
        super().__init__(tmp, password, save)
        program = need("amuled")
        conf = self.dir / "config"
        conf.mkdir()
        (self.dir / "temp").mkdir()
        for name, content in (files or {}).items():
            (self.save / name).write_bytes(content)
        self.tcp, self.udp = free_port(), free_port()
        (conf / "amule.conf").write_text(
            "[eMule]\nPort=%d\nUDPPort=%d\nUDPEnable=%d\n"
            "ConnectToKad=%d\nConnectToED2K=0\nAutoconnect=%d\n"
            "Reconnect=0\nUPnPEnabled=0\nFilterLanIPs=0\n"
            "IPFilterAutoLoad=0\nTempDir=%s\nIncomingDir=%s\n"
            "[ExternalConnect]\nAcceptExternalConnections=1\n"
            "ECAddress=127.0.0.1\nECPort=%d\nECPassword=%s\n"
            "UPnPECEnabled=0\n[WebServer]\nEnabled=0\n"
            % (self.tcp, self.udp, bool(kad), bool(kad), bool(kad),
               self.dir / "temp", self.save,
               self.port, hashlib.md5(PASSWORD.encode()).hexdigest()))
        if kad:
            kad_files(conf, kad["id"], kad["nodes"])
        self.log = conf / "logfile"
        self.host = "127.0.0.1:%d" % self.port
        self.prefix = list(prefix)
        self.run(self.prefix + [program, "-c", str(conf), "-o"])

    def answers(self):
        if not self.prefix:
            return super().answers()
        # its EC port is in its network namespace: its log says it
        if self.proc.poll() is not None:
            raise AssertionError("amuled exited with status %s: %s" % (
                self.proc.returncode, self.output()))
        return self.logged("listening on 127.0.0.1:%d" % self.port) > 0

    def cmd(self, command):
        """amulecmd's answer to command, with the right password."""
        return subprocess.run(
            self.prefix + [need("amulecmd"), "-h", "127.0.0.1",
                           "-p", str(self.port), "-P", PASSWORD,
                           "-c", command],
            capture_output=True, text=True, timeout=30).stdout

    def logged(self, text):
        """How many lines of amuled's log file hold text (its standard
        output is buffered)."""
        if not self.log.is_file():
            return 0
        return self.log.read_text(errors="replace").count(text)


class Aria2(Client):
    """aria2c 1.36 with its JSON-RPC on 127.0.0.1 (--enable-rpc, the
    secret PASSWORD unless told), no configuration file, session or DHT,
    saving in its folder; it downloads web links itself."""

    name = "aria2"

    def __init__(self, tmp, password=PASSWORD, save="downloads"):
        super().__init__(tmp, password, save)
        program = need("aria2c")
        self.run([program, "--no-conf", "--enable-rpc",
                  "--rpc-listen-port=%d" % self.port,
                  "--rpc-secret=%s" % password, "--dir=%s" % self.save,
                  "--enable-dht=false", "--enable-dht6=false",
                  "--bt-enable-lpd=false", "--enable-peer-exchange=false",
                  "--disable-ipv6=true", "--check-certificate=false",
                  "--console-log-level=notice"])
        self.rpc_url = self.url + "/jsonrpc"

    def rpc(self, method, *params):
        """A call with the right secret: its result."""
        body = json.dumps({"jsonrpc": "2.0", "id": "t", "method": method,
                           "params": ["token:" + self.password] +
                           list(params)}).encode()
        req = urllib.request.Request(self.rpc_url, body, headers={
            "Content-Type": "application/json"})
        with urllib.request.build_opener(
                urllib.request.ProxyHandler({})).open(req, timeout=10) as r:
            return json.loads(r.read())["result"]

    def downloads(self):
        """Every download aria2 knows, waiting, active then stopped (the
        order they go through: one that moves on between two calls is
        seen twice, never missed), each once, the last seen."""
        keys = ["gid", "status", "dir", "files", "errorCode"]
        seen = (self.rpc("aria2.tellWaiting", 0, 1000, keys) +
                self.rpc("aria2.tellActive", keys) +
                self.rpc("aria2.tellStopped", 0, 1000, keys))
        return list({d["gid"]: d for d in seen}.values())


@pytest.fixture
def clients(tmp_path):
    """Start real clients by kind ("qbittorrent", "transmission",
    "nzbget", "amule", "aria2", "nserv", a news server for NZBGet, and
    "opentracker", a BitTorrent tracker); all are stopped at the end."""
    kinds = {"qbittorrent": Qbittorrent, "transmission": Transmission,
             "nzbget": Nzbget, "nserv": NewsServer,
             "opentracker": Tracker, "amule": Amule, "aria2": Aria2}
    started = []

    def make(kind, **kw):
        # listed before it starts, so that one which fails to answer in
        # time is stopped too
        c = kinds[kind].__new__(kinds[kind])
        started.append(c)
        c.__init__(tmp_path, **kw)
        return c
    yield make
    for c in started:
        if hasattr(c, "out"):
            c.stop()


@pytest.fixture
def relays():
    """Start relays in front of a url; all are stopped at the end."""
    started = []

    def make(target):
        r = Relay(target)
        started.append(r)
        return r
    yield make
    for r in started:
        r.stop()


@pytest.fixture
def files():
    """The loopback file server; stopped at the end."""
    f = Files()
    yield f
    f.stop()
