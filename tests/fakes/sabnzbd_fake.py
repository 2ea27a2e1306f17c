#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A fake SABnzbd API for tests, on the base fake's server.

What it follows (sabnzbd/sabnzbd at 5f933ddc: sabnzbd/interface.py
check_apikey and secured_expose, sabnzbd/api.py _api_addurl and report,
sabnzbd/urlgrabber.py add_url):

- GET or POST /api (also /sabnzbd/api) with mode and apikey. A missing
  key is 403 "API Key Required", a wrong one 403 "API Key Incorrect"
  (with api_warnings on, SABnzbd's default; text/html). mode=version
  needs no key: {"version": VERSION}.
- mode=addurl&name=URL (pp, script, cat, priority, nzbname optional):
  {"status": true, "nzo_ids": ["SABnzbd_nzo_..."]} once queued (the NZB
  is fetched later); {"status": false, "nzo_ids": []} for a name that is
  not http(s) or a duplicate it rejects; {"status": false, "error":
  "expects one parameter"} without a name. JSON answers are
  application/json;charset=UTF-8.

What it follows of the queue and the history (SABnzbd 3.7.2,
sabnzbd/sabnzbd at the tag 3.7.2: sabnzbd/api.py _api_queue_default,
build_queue, _api_history, build_history, get_active_history;
sabnzbd/database.py the history table and build_history_info;
sabnzbd/urlgrabber.py URLGrabber.run and fail_to_history;
sabnzbd/constants.py Status):

- mode=queue: {"queue": {"status", "noofslots", "slots": [...], ...}},
  one slot per job still downloading: nzo_id, filename, cat, status,
  mb and mbleft (MiB as text, "12.50"), percentage (text), ... The
  statuses: "Grabbing" while the NZB link is fetched (the slot then
  named "Trying to fetch NZB from URL"), "Queued", "Paused",
  "Propagating", "Checking", "Downloading", "Fetching" (more par2).
- mode=history: {"history": {"noofslots", "slots": [...], ...}}, jobs
  in post-processing first, then the database's rows, newest first:
  nzo_id, name, nzb_name, category, status, storage (the job's folder
  in the complete folder, "" when failed), path, fail_message,
  report ("future" for a URL fetch), url, completed (a Unix time),
  bytes, size, stage_log, ... The statuses: "Completed", "Failed", or
  one of post-processing ("Queued", "QuickCheck", "Verifying",
  "Repairing", "Extracting", "Moving", "Running").
- Both take nzo_ids=ID,ID (only those jobs) and output=json.
- A link that answers 404: the fetch does not retry ("404" in the
  error: "File not on server"), and fail_to_history() puts the job in
  the history as Failed with fail_message "URL Fetching failed; File
  not on server", its name "NZBNAME - URL".

What it follows of the configuration (sabnzbd/api.py _api_get_config,
sabnzbd/config.py get_config): mode=get_config&section=misc
&keyword=complete_dir gives {"config": {"misc": {"complete_dir":
FOLDER}}}, the completed jobs' folder (the fake's, given on its
command line).

Words in a name stand in for what the real one would meet:
    duplicate-me   rejected as a duplicate ({"status": false, ...})
    error500       HTTP 500
    echo-key       (planted secrets) with error500: HTTP 500 whose page
                   echoes the request, apikey and all, as a proxy's error
                   page does; alone: the job fails at once, its name and
                   fail_message echoing the key

A queued link is fetched at once: a 404 (or any answer but 200, or no
answer) fails it as above; else the job is Queued, and goes on only as
the test says (POST /_advance): Downloading (half of it left), then
Completed, the files the test gave for its name (POST /_deliver) written
into COMPLETE/CATEGORY/NZBNAME, COMPLETE the folder given as the first
argument.

Test controls:
    GET /_requests   every API request: [{method, path, args, time}]
    GET /_adds       the URLs queued: [{name, cat, nzbname, nzo_id, time}]
    POST /_deliver   {"nzbname": NAME, "files": {FILE: BASE64}}: what
                     a job of that name (nzbname=) downloads
    POST /_advance   {"nzo_id": ID}: the job's next step; answers its
                     status
"""

import base64
import json
import os
import secrets
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import http_fake

API_KEY = "sabKEY0123456789abcdef0123456789"
VERSION = "4.5.1"

lock = threading.Lock()
state = {"requests": [], "adds": [], "jobs": {}, "deliver": {},
         "complete": sys.argv[1] if len(sys.argv) > 1 else None}
MEBI = 1024 * 1024


def fetch(nzo):
    """URLGrabber.run for one job: the link fetched, the job Queued, or
    Failed in the history when the link gives no NZB."""
    try:
        opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}))
        with opener.open(nzo["url"], timeout=10) as r:
            r.read()
        why = None
    except urllib.error.HTTPError as e:
        why = "File not on server" if e.code == 404 else \
            "Server could not complete request"
    except OSError:
        why = "Server could not complete request"
    with lock:
        if why:
            nzo.update(status="Failed", history=True, storage="",
                       fail_message="URL Fetching failed; " + why,
                       name="%s - %s" % (nzo["nzbname"], nzo["url"]),
                       completed=int(time.time()))
            return
        files = state["deliver"].get(nzo["nzbname"], {})
        nzo.update(status="Queued", name=nzo["nzbname"], files=files,
                   bytes=sum(len(v) for v in files.values()))
        nzo["left"] = nzo["bytes"]


def queue_slot(i, nzo):
    mb, left = nzo["bytes"] / MEBI, nzo["left"] / MEBI
    return {"index": i, "nzo_id": nzo["nzo_id"], "filename": nzo["name"],
            "cat": nzo["cat"] or "None", "status": nzo["status"],
            "mb": "%.2f" % mb, "mbleft": "%.2f" % left,
            "size": "%d B" % nzo["bytes"], "sizeleft": "%d B" % nzo["left"],
            "percentage": "%d" % (100 * (mb - left) / mb) if mb else "0",
            "priority": "Normal", "script": "None", "labels": [],
            "password": "", "unpackopts": "3", "timeleft": "0:00:00",
            "avg_age": "-", "mbmissing": "0.00", "direct_unpack": None}


def history_slot(nzo):
    return {"nzo_id": nzo["nzo_id"], "name": nzo["name"],
            "nzb_name": nzo["nzbname"] + ".nzb", "category": nzo["cat"],
            "pp": "D", "script": "None", "report": "future",
            "url": nzo["url"], "status": nzo["status"],
            "storage": nzo["storage"], "path": nzo["storage"],
            "script_log": "", "script_line": "", "download_time": 1,
            "postproc_time": 0, "stage_log": [], "downloaded": nzo["bytes"],
            "completeness": None, "fail_message": nzo["fail_message"],
            "url_info": "", "bytes": nzo["bytes"],
            "size": "%d B" % nzo["bytes"], "meta": None, "series": "",
            "md5sum": "", "password": "", "completed": nzo["completed"],
            "loaded": False, "retry": 0}


class SABnzbd(http_fake.ClientFake):
    lock, state = lock, state
    routes = http_fake.ClientFake.routes + [
        (r"(/sabnzbd)?/api", "api"),
        (r"/_deliver", "deliver"),
        (r"/_advance", "advance"),
    ]

    def report(self, info):
        self.reply(200, info, content_type="application/json;charset=UTF-8")

    def api(self, m):
        args = dict(self.query)
        body = self.read_body()
        if body:
            args.update(urllib.parse.parse_qs(body.decode()))
        with lock:
            state["requests"].append({"method": self.command,
                             "path": urllib.parse.urlsplit(self.path).path,
                             "args": args, "time": time.time()})
        one = {k: v[0] for k, v in args.items()}
        mode = one.get("mode", "")
        if mode not in ("version", "auth"):
            key = one.get("apikey")
            if not key:
                return self.reply(403, "API Key Required",
                                  content_type="text/html;charset=utf-8")
            if key != API_KEY:
                return self.reply(403, "API Key Incorrect",
                                  content_type="text/html;charset=utf-8")
        if mode == "version":
            return self.report({"version": VERSION})
        if mode == "addurl":
            return self.addurl(one)
        if mode in ("queue", "history") and not one.get("name"):
            return self.listing(mode, one)
        if mode == "get_config" and one.get("section") == "misc" and \
                one.get("keyword") == "complete_dir":
            return self.report({"config": {"misc": {
                "complete_dir": state["complete"] or ""}}})
        self.report({"status": False, "error": "not implemented"})

    def listing(self, mode, one):
        wanted = one.get("nzo_ids")
        wanted = wanted.split(",") if wanted else None
        with lock:
            jobs = [j for j in state["jobs"].values()
                    if (wanted is None or j["nzo_id"] in wanted)
                    and j.get("history", False) == (mode == "history")]
            if mode == "queue":
                slots = [queue_slot(i, j) for i, j in enumerate(jobs)]
                return self.report({"queue": {
                    "status": "Idle", "paused": False, "noofslots": len(
                        slots), "noofslots_total": len(slots),
                    "slots": slots, "version": VERSION}})
            slots = [history_slot(j) for j in sorted(
                jobs, key=lambda j: -j["completed"])]
            self.report({"history": {
                "noofslots": len(slots), "slots": slots,
                "last_history_update": int(time.time()),
                "version": VERSION}})

    def deliver(self, m):
        doc = json.loads(self.read_body())
        with lock:
            state["deliver"][doc["nzbname"]] = {
                k: base64.b64decode(v) for k, v in doc["files"].items()}
        self.reply(200, {"ok": True})

    def advance(self, m):
        doc = json.loads(self.read_body())
        with lock:
            nzo = state["jobs"][doc["nzo_id"]]
            if nzo["status"] == "Queued":
                nzo.update(status="Downloading", left=nzo["bytes"] // 2)
            elif nzo["status"] == "Downloading":
                folder = os.path.join(state["complete"], nzo["cat"] or "",
                                      nzo["nzbname"])
                os.makedirs(folder)
                for name, data in nzo["files"].items():
                    with open(os.path.join(folder, name), "wb") as f:
                        f.write(data)
                nzo.update(status="Completed", left=0, history=True,
                           storage=folder, fail_message="",
                           completed=int(time.time()))
            self.reply(200, {"status": nzo["status"]})

    def addurl(self, one):
        name = one.get("name")
        if not name:
            return self.report({"status": False,
                                "error": "expects one parameter"})
        if "error500" in name and "echo-key" in name:
            return self.reply(500, "<html><body>500 for %s apikey=%s"
                              "</body></html>" % (self.path, API_KEY),
                              content_type="text/html")
        if "error500" in name:
            return self.reply(500, "<html><body>500 Internal Server Error"
                              "</body></html>", content_type="text/html")
        with lock:
            dup = "duplicate-me" in name or any(
                a["name"] == name for a in state["adds"])
            if dup or not name.lower().startswith("http"):
                return self.report({"status": False, "nzo_ids": []})
            nzo = "SABnzbd_nzo_" + secrets.token_hex(4)
            state["adds"].append({"name": name, "cat": one.get("cat"),
                         "nzbname": one.get("nzbname"), "nzo_id": nzo,
                         "time": time.time()})
            job = state["jobs"][nzo] = {
                "nzo_id": nzo, "url": name, "cat": one.get("cat"),
                "nzbname": one.get("nzbname") or name,
                "name": "Trying to fetch NZB from %s" % name,
                "status": "Grabbing", "bytes": 0, "left": 0}
        if "echo-key" in name:
            job.update(status="Failed", history=True, storage="",
                       fail_message="URL Fetching failed; %s?apikey=%s"
                       " refused (key %s)" % (name, API_KEY, API_KEY),
                       name="%s %s" % (job["nzbname"], API_KEY),
                       completed=int(time.time()))
        else:
            threading.Thread(target=fetch, args=(job,),
                             daemon=True).start()
        self.report({"status": True, "nzo_ids": [nzo]})


if __name__ == "__main__":
    http_fake.serve(SABnzbd)
