#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Load mediamon's [http] listener: bench.sh's `http` section.

    http_load.py BASE USER PASSWORD MOUNT STATUS VOLUME [SECONDS]

BASE is the listener's URL, MOUNT the mount point, STATUS and VOLUME
paths under it (a status file, a volume to download). Prints, one per
line as "KEY VALUE":

  status_rps      GETs of STATUS answered per second, 8 clients with
                  keep-alive, for SECONDS (default 5)
  volume_rps      downloads of VOLUME per second, the same way
  volume_mb_s     the bytes of those downloads, MB per second
  health_idle_ms  the median read of MOUNT/status/health (20 reads), idle
  health_busy_ms  the same while 50 clients download VOLUME over and over
  logins10_s      ten GETs of STATUS one after another, each on a new
                  connection with its credentials (the account is
                  hashed at bcrypt cost 12 by bench.sh: issue 78)

Exits 1 when an answer is not 200 (the bench then fails: something
broke)."""

import base64
import http.client
import statistics
import sys
import threading
import time
import urllib.parse


def client(base, auth, path, stop, counts, errors):
    u = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
    headers = {"Authorization": auth}
    n = size = 0
    try:
        while not stop.is_set():
            conn.request("GET", path, headers=headers)
            r = conn.getresponse()
            body = r.read()
            if r.status != 200:
                errors.append("%s: %d" % (path, r.status))
                return
            n += 1
            size += len(body)
    except OSError as e:
        errors.append("%s: %s" % (path, e))
    finally:
        conn.close()
        counts.append((n, size))


def load(base, auth, path, clients, stop):
    counts, errors = [], []
    threads = [threading.Thread(target=client, daemon=True,
                                args=(base, auth, path, stop, counts,
                                      errors))
               for _ in range(clients)]
    for t in threads:
        t.start()
    return threads, counts, errors


def rate(base, auth, path, seconds):
    stop = threading.Event()
    start = time.monotonic()
    threads, counts, errors = load(base, auth, path, 8, stop)
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    took = time.monotonic() - start
    if errors:
        sys.exit("http_load: %s" % errors[0])
    return (sum(n for n, _ in counts) / took,
            sum(s for _, s in counts) / took / 1e6)


def health_ms(mount):
    times = []
    for _ in range(20):
        t = time.monotonic()
        with open(mount + "/status/health", "rb") as f:
            f.read()
        times.append((time.monotonic() - t) * 1000)
    return statistics.median(times)


def logins(base, auth, path, n):
    """Seconds n GETs of path take, each on a connection of its own."""
    u = urllib.parse.urlsplit(base)
    start = time.monotonic()
    for _ in range(n):
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
        conn.request("GET", path, headers={"Authorization": auth})
        r = conn.getresponse()
        r.read()
        conn.close()
        if r.status != 200:
            sys.exit("http_load: %s answered %d" % (path, r.status))
    return time.monotonic() - start


def main():
    base, user, password, mount, status, volume = sys.argv[1:7]
    seconds = float(sys.argv[7]) if len(sys.argv) > 7 else 5.0
    auth = "Basic " + base64.b64encode(
        ("%s:%s" % (user, password)).encode()).decode()
    status = "/" + urllib.parse.quote(status)
    volume = "/" + urllib.parse.quote(volume)
    print("status_rps %.1f" % rate(base, auth, status, seconds)[0])
    rps, mb_s = rate(base, auth, volume, seconds)
    print("volume_rps %.1f" % rps)
    print("volume_mb_s %.1f" % mb_s)
    print("health_idle_ms %.2f" % health_ms(mount))
    stop = threading.Event()
    threads, _, errors = load(base, auth, volume, 50, stop)
    time.sleep(1)
    busy = health_ms(mount)
    stop.set()
    for t in threads:
        t.join()
    if errors:
        sys.exit("http_load: %s" % errors[0])
    print("health_busy_ms %.2f" % busy)
    print("logins10_s %.3f" % logins(base, auth, status, 10))


if __name__ == "__main__":
    main()
