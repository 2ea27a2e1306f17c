# SPDX-License-Identifier: GPL-3.0-or-later
"""docs/INSTALL.md's reverse proxy, as a user would copy it: its [http]
section and its nginx server block, run with the real nginx of Debian in
front of mediamon (a certificate of the test's own, its ports from the
kernel). Through it, one client's wrong passwords hold that client only:
the proxy's connections are known as the proxy's by proxy_user, so the
client each request comes from is the one X-Forwarded-For names."""

import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess

import pytest

from conftest import REPO, start, unmount, wait_for
from test_http import PASSWORD, htpasswd

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("nginx") or
    not shutil.which("openssl") or not shutil.which("htpasswd"),
    reason="needs root (nginx's workers run as www-data), nginx, openssl "
           "and htpasswd")


def install_blocks():
    """(the [http] ini block, the nginx server block) of INSTALL.md's
    section on reverse proxies, as written there."""
    with open(os.path.join(REPO, "docs", "INSTALL.md")) as f:
        text = f.read()
    section = text.split("## Over HTTPS, behind Caddy or nginx", 1)[1]
    section = section.split("\n## ", 1)[0]
    ini = re.search(r"```ini\n(.*?)```", section, re.S).group(1)
    server = re.search(r"\n((?:    .*\n|\n)*?    server \{\n(?:    .*\n)*?"
                       r"    \}\n)", section).group(1)
    server = "\n".join(line[4:] for line in server.splitlines()) + "\n"
    return ini, server


def free_port():
    with socket.socket() as s:
        s.bind(("0.0.0.0", 0))
        return s.getsockname()[1]


def other_address():
    """An address of this machine that is not the loopback's, or None."""
    r = subprocess.run(["ip", "-4", "-o", "addr", "show", "scope",
                        "global"], capture_output=True, text=True,
                       timeout=30)
    m = re.search(r"inet (\d+\.\d+\.\d+\.\d+)/", r.stdout)
    return m.group(1) if m else None


@pytest.fixture
def proxied(tmp_path, template_library):
    """mediamon with INSTALL.md's [http] section, behind nginx with its
    server block: (the mount, nginx's port)."""
    ini, server = install_blocks()
    assert "\nproxy_user = www-data" in "\n" + ini, \
        "INSTALL.md's example must name nginx's user: " + ini
    music = tmp_path / "music"
    shutil.copytree(str(template_library), str(music))
    htpasswd(tmp_path / "htpasswd", "root")
    conf = tmp_path / "mediamon.conf"
    conf.write_text(ini.replace("127.0.0.1:8080", "127.0.0.1:0")
                    .replace("/etc/mediamon/htpasswd",
                             str(tmp_path / "htpasswd")) +
                    "[music]\nroot = %s\n" % music)
    conf.chmod(0o600)
    m = start(tmp_path, "config=" + str(conf))
    nginx = None
    try:
        port = wait_for(lambda: re.search(
            r"http: listening on \S+ \(port (\d+)\)",
            pathlib.Path(m.proc.log_path).read_text()), 30,
            "the listener's port", mount=m).group(1)
        key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                        "-nodes", "-days", "2", "-subj",
                        "/CN=media.example.org", "-keyout", str(key),
                        "-out", str(cert)], check=True,
                       capture_output=True, timeout=120)
        front = free_port()
        temp = tmp_path / "nginx"
        temp.mkdir()
        shutil.chown(str(temp), "www-data", "www-data")
        block = (server.replace("listen 443 ssl;", "listen %d ssl;" % front)
                 .replace("/etc/ssl/media.example.org.pem", str(cert))
                 .replace("/etc/ssl/private/media.example.org.key",
                          str(key))
                 .replace("127.0.0.1:8080", "127.0.0.1:" + port))
        assert "listen %d ssl;" % front in block and port in block, block
        nconf = tmp_path / "nginx.conf"
        nconf.write_text(
            "user www-data;\nworker_processes 1;\ndaemon off;\n"
            "pid %(t)s/nginx.pid;\nerror_log %(t)s/error.log;\n"
            "events {}\nhttp {\naccess_log %(t)s/access.log;\n"
            "client_body_temp_path %(t)s/body;\n"
            "proxy_temp_path %(t)s/proxy;\n"
            "fastcgi_temp_path %(t)s/fastcgi;\n"
            "uwsgi_temp_path %(t)s/uwsgi;\nscgi_temp_path %(t)s/scgi;\n"
            "%(block)s}\n" % {"t": temp, "block": block})
        nginx = subprocess.Popen(["nginx", "-c", str(nconf), "-p",
                                  str(temp)], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE)

        def up():
            assert nginx.poll() is None, nginx.stderr.read()
            with socket.socket() as s:
                return s.connect_ex(("127.0.0.1", front)) == 0
        wait_for(up, 30, "nginx listening", mount=m)
        yield m, front
    finally:
        if nginx is not None:
            nginx.send_signal(signal.SIGQUIT)
            try:
                nginx.wait(timeout=30)
            except subprocess.TimeoutExpired:
                nginx.kill()
                nginx.wait(timeout=30)
        unmount(m.path, m.proc)


def curl(front, path, client="127.0.0.1", password=PASSWORD):
    r = subprocess.run(["curl", "-sSk", "-o", "/dev/null", "-w",
                        "%{http_code}", "--max-time", "60", "-u",
                        "root:" + password,
                        "https://%s:%d%s" % (client, front, path)],
                       capture_output=True, text=True, timeout=90)
    assert r.returncode == 0, r.stderr
    return int(r.stdout)


def test_install_example_proxy_holds_one_client_only(proxied):
    m, front = proxied
    other = other_address()
    if other is None:
        pytest.skip("this machine has no address but the loopback's")
    assert curl(front, "/metrics") == 200
    assert curl(front, "/metrics", other) == 200
    for _ in range(20):
        curl(front, "/metrics", password="wrong")
    assert curl(front, "/metrics") == 429
    # another client, through the same proxy: not held
    assert curl(front, "/metrics", other) == 200
    log = pathlib.Path(m.proc.log_path).read_text()
    assert log.count("wrong passwords from 127.0.0.1 (https through") == 1, \
        log
