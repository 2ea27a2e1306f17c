#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A fake NZBGet JSON-RPC server for tests, on the base fake's server.

What it follows (nzbgetcom/nzbget at 063e1cd8: daemon/remote/XmlRpc.cpp
XmlRpcProcessor::BuildResponse, XmlCommand::BuildErrorResponse,
DownloadXmlCommand::Execute; https://nzbget.com/documentation/api/append/):

- POST /jsonrpc (also /USER:PASS/jsonrpc) with {"method", "params",
  "id"}; HTTP Basic credentials (ControlUsername, ControlPassword), else
  401 with WWW-Authenticate: Basic realm="NZBGet".
- Answers {"version": "1.1", "id": ID, "result": ...}, or {"version":
  "1.1", "error": {"name": "JSONRPCError", "code": N, "message": ...}}
  (code 1: an unknown method, "Invalid procedure"; code 2: a parameter
  of the wrong type, "Invalid parameter (NAME)").
- append(NZBFilename, Content, Category, Priority, AddToTop, AddPaused,
  DupeKey, DupeScore, DupeMode[, AutoCategory], PPParameters): a Content
  that is an http(s) URL is queued and its NZB fetched later: the result
  is the new queue id (above 0). A Content in base64 is read at once:
  the id, or 0 or less when it is not an NZB.
- listgroups([0]) and history([false]): the queue's groups and the
  history's items, as lists of objects in NZBGet's own fields (NZBID,
  Status, FileSizeLo/Hi and RemainingSizeLo/Hi: 64-bit byte counts in
  two unsigned 32-bit halves, ...; ListGroupsXmlCommand,
  HistoryXmlCommand; https://nzbget.com/documentation/api/listgroups/).
- status(): the server's figures, DownloadRate among them (bytes/s, of
  all its downloads together; StatusXmlCommand,
  https://nzbget.com/documentation/api/status/).

Words in a URL stand in for what the real one would meet:
    refuse-me   the error object of an append it refuses ("Invalid
                parameter (Content)"), as a Content it cannot read gets
    zero-me     a result of 0, as a file it could not add gets
    error500    HTTP 500

Test controls:
    GET  /_requests   every RPC request: [{path, auth, body, time}]
    GET  /_adds       the URLs and files queued: [{filename, content,
                      category, priority, add_paused, dupe_mode, id}]
    POST /_queue     {"groups": [...], "history": [...], "status": {...}}:
                      what listgroups, history and status answer from
                      now on; a status of null answers HTTP 500
    POST /_reset?user=U&password=P   forget everything; require these
                      credentials (nzbget / tegbzn6789, NZBGet's
                      defaults, unless given)

Kept for the unit tests of the request itself (its parameters, the
answers NZBGet gives for a refusal or an error object, which a running
NZBGet without a news server cannot be made to give at will); the
hand-off's tests run the real nzbget (tests/integration/clients.py).
"""

import base64
import json
import threading
import time

import http_fake

lock = threading.Lock()
state = {}


def reset(user="nzbget", password="tegbzn6789"):
    with lock:
        state.update(user=user, password=password, requests=[], adds=[],
                     next_id=1, groups=[], history=[], status={
                         "DownloadRate": 0})


def error(code, message):
    return {"name": "JSONRPCError", "code": code, "message": message}


class NZBGet(http_fake.ClientFake):
    lock, state = lock, state
    routes = http_fake.ClientFake.routes + [
        (r"(/[^/]*:[^/]*)?/jsonrpc", "jsonrpc"),
        (r"/_reset", "reset_all"),
        (r"/_queue", "set_queue"),
    ]

    def credentials(self, m):
        if m.group(1):
            return m.group(1)[1:]
        auth = self.headers.get("Authorization") or ""
        if auth.startswith("Basic "):
            try:
                return base64.b64decode(auth[6:]).decode()
            except ValueError:
                return None
        return None

    def jsonrpc(self, m):
        raw = self.read_body()
        auth = self.credentials(m)
        try:
            req = json.loads(raw)
        except ValueError:
            req = None
        with lock:
            state["requests"].append({"path": self.path, "auth": auth,
                                      "body": req, "time": time.time()})
            want = "%s:%s" % (state["user"], state["password"])
        if auth != want:
            return self.reply(401, "<html><body>Unauthorized</body></html>",
                              {"WWW-Authenticate": 'Basic realm="NZBGet"'},
                              content_type="text/html")
        if not isinstance(req, dict):
            return self.answer(None, error=error(1, "Invalid request"))
        method, params = req.get("method"), req.get("params") or []
        if method in ("listgroups", "history", "status"):
            with lock:
                result = state["groups" if method == "listgroups" else
                               method]
            if result is None:
                return self.reply(500, "Internal Server Error")
            return self.answer(req.get("id"), result)
        if method != "append":
            return self.answer(req.get("id"),
                               error=error(1, "Invalid procedure"))
        result, err = self.append(params)
        if result is None and err is None:
            return self.reply(500, "Internal Server Error")
        self.answer(req.get("id"), result, err)

    def append(self, p):
        names = ["Filename", "Content", "Category", "Priority", "AddTop",
                 "AddPaused", "DupeKey", "DupeScore", "DupeMode"]
        kinds = [str, str, str, int, bool, bool, str, int, str]
        for i, (name, kind) in enumerate(zip(names, kinds)):
            ok = i < len(p) and isinstance(p[i], kind) and not (
                kind is int and isinstance(p[i], bool))
            if not ok:
                return None, error(2, "Invalid parameter (%s)" % name)
        if p[8].lower() not in ("score", "all", "force"):
            return None, error(2, "Invalid parameter (DupeMode)")
        content = p[1]
        if "error500" in content:
            return None, None
        if "refuse-me" in content:
            return None, error(2, "Invalid parameter (Content)")
        if "zero-me" in content:
            return 0, None
        if not content.lower().startswith(("http://", "https://")):
            try:
                data = base64.b64decode(content, validate=True)
            except ValueError:
                data = b""
            if b"<nzb" not in data[:1024]:
                return -1, None
        with lock:
            nzb_id = state["next_id"]
            state["next_id"] += 1
            state["adds"].append({"filename": p[0], "content": content,
                                  "category": p[2], "priority": p[3],
                                  "add_paused": p[5], "dupe_mode": p[8],
                                  "id": nzb_id})
        return nzb_id, None

    def answer(self, rid, result=None, error=None):
        doc = {"version": "1.1"}
        if rid is not None:
            doc["id"] = rid
        if error:
            doc["error"] = error
        else:
            doc["result"] = result
        self.reply(200, doc)

    def set_queue(self, m):
        doc = json.loads(self.read_body())
        with lock:
            state.update((k, doc[k]) for k in ("groups", "history", "status")
                         if k in doc)
        self.reply(200, {"ok": True})

    def reset_all(self, m):
        reset(self.query.get("user", ["nzbget"])[0],
              self.query.get("password", ["tegbzn6789"])[0])
        self.reply(200, {"ok": True})


if __name__ == "__main__":
    reset()
    http_fake.serve(NZBGet)
