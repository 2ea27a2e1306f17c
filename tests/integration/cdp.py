# SPDX-License-Identifier: GPL-3.0-or-later
"""Headless Chromium driven through its DevTools protocol over a pipe
(--remote-debugging-pipe: JSON messages ended by a NUL byte, ours read
on its fd 3, its own written on its fd 4), so that a test asks the
browser what it computed (font sizes, image widths, layout) with no
module beyond the standard library. Every answer is awaited with a
deadline."""

import base64
import json
import os
import select
import shutil
import subprocess
import tempfile
import time

import pytest


class Browser:
    """One headless Chromium with a throw-away profile under tmp and one
    page, width x height CSS pixels (mobile: a phone's viewport)."""

    def __init__(self, tmp, width, height, mobile=False, timeout=60):
        chromium = shutil.which("chromium")
        if not chromium:
            pytest.skip("chromium is not installed")
        self.timeout, self.next_id, self.buf = timeout, 0, b""
        ours, theirs_in = os.pipe()
        theirs_out, mine = os.pipe()

        def fds():
            # dup first: a pipe's end may already sit at 3 or 4
            a, b = os.dup(ours), os.dup(mine)
            os.dup2(a, 3)
            os.dup2(b, 4)
        self.proc = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu",
             "--no-first-run", "--disable-background-networking",
             "--hide-scrollbars", "--remote-debugging-pipe",
             "--user-data-dir=" + tempfile.mkdtemp(dir=tmp),
             "about:blank"], preexec_fn=fds, close_fds=False,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        os.close(ours)
        os.close(mine)
        self.write, self.read = theirs_in, theirs_out
        try:
            target = self.call("Target.createTarget",
                               url="about:blank")["targetId"]
            self.session = self.call("Target.attachToTarget",
                                     targetId=target,
                                     flatten=True)["sessionId"]
            self.call("Emulation.setDeviceMetricsOverride", self.session,
                      width=width, height=height, deviceScaleFactor=1,
                      mobile=mobile)
            self.call("Network.enable", self.session)
        except BaseException:
            self.close()
            raise

    def _message(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            assert left > 0, "Chromium did not answer in time"
            ready, _, _ = select.select([self.read], [], [], left)
            if ready:
                chunk = os.read(self.read, 1 << 16)
                assert chunk, "Chromium went away"
                self.buf += chunk
        line, self.buf = self.buf.split(b"\0", 1)
        return json.loads(line)

    def call(self, method, session=None, **params):
        """The result of method, or an AssertionError with its error."""
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        os.write(self.write, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            answer = self._message(deadline)
            if answer.get("id") == self.next_id:
                assert "error" not in answer, (method, answer["error"])
                return answer["result"]

    def headers(self, **headers):
        """Send these headers with every request of the page."""
        self.call("Network.setExtraHTTPHeaders", self.session,
                  headers=headers)

    def js(self, expression):
        """The value of a JavaScript expression in the page."""
        result = self.call("Runtime.evaluate", self.session,
                           expression=expression, returnByValue=True)
        assert "exceptionDetails" not in result, result
        return result["result"].get("value")

    def open(self, url):
        """Load url and wait until it and its images are loaded."""
        self.call("Page.navigate", self.session, url=url)
        deadline = time.monotonic() + self.timeout
        while not self.js("document.readyState == 'complete' &&"
                          " [...document.images].every(i => i.complete)"):
            assert time.monotonic() < deadline, "%s did not load" % url
            time.sleep(0.05)

    def screenshot(self, path):
        """Write a PNG of the page as shown to path; its (width, height)
        in pixels."""
        shot = self.call("Page.captureScreenshot", self.session,
                         format="png")
        data = base64.b64decode(shot["data"])
        assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:16]
        with open(path, "wb") as f:
            f.write(data)
        return (int.from_bytes(data[16:20], "big"),
                int.from_bytes(data[20:24], "big"))

    def close(self):
        try:
            os.write(self.write, json.dumps(
                {"id": 0, "method": "Browser.close"}).encode() + b"\0")
        except OSError:
            pass
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.write)
        os.close(self.read)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
