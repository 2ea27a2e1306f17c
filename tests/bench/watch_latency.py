#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Time mediamon's watcher from outside: bench.sh's `watch` section.

    watch_latency.py prepare --lib LIB --targets LIST [--count N]
    watch_latency.py single  --mnt MNT --lib LIB --source SRC --targets LIST
                             [--changes N] [--timeout S] [--dry-run]
    watch_latency.py bulk    --mnt MNT --lib LIB --source SRC
                             [--existing] [--timeout S] [--dry-run]

LIB is the watched library: hard links to the benchmark corpus, which must
stay pristine, so no file of LIB is ever written in place unless this
script made it a private copy first.

prepare (before mediamon starts): picks N audio files spread over LIB,
replaces each with a private copy of itself (a file of its own, no longer
a hard link) and writes their paths to LIST.

single: N single-file changes, one at a time, alternating a tag rewrite
(mutagen, in place) of a file from LIST and a copy of a SRC file into that
file's folder under a new name. Each latency is the wall time from the end
of the write (the file is closed) to the moment MNT/metrics/scan.json
shows a finished scan that found the change (files_changed or files_new at
least 1); scan.json is polled every 5 ms. Between changes the daemon is
left to settle (no scan for 0.5 s).

bulk: copies every top-level folder of SRC (a gen_corpus.py library) into
LIB/new-arrivals with `cp -r`, so the watcher sees new folders; with
--existing, into LIB/refill, whose folders are made (and watched) first, so
the watcher sees each file. Then, each time MNT/metrics/scan.json
(polled every 5 ms) shows a newly finished scan, reads
MNT/status/summary.json until counts.files has grown by the number of
files copied (images included) and counts.tracks by the audio files. It also sums the tag and i/o
errors of every scan the watcher started (files read while cp was still
writing them would show there).

The figures go to stdout as KEY=VALUE lines (bench.sh keeps them with
`put`), progress to stderr. Exit status 0 when every change became
visible, 1 on a timeout or an unexpected state, 2 on bad usage.

--dry-run is for testing the bench against a daemon without a watcher:
after each write the script asks for the rescan itself through
MNT/control/rescan, so the figures time that path, not the watcher.

Run with /usr/bin/python3 (Debian's python3-mutagen lives there).
"""

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import time

sys.dont_write_bytecode = True

import mutagen  # noqa: E402

AUDIO = (".flac", ".mp3")
POLL_S = 0.005          # poll scan.json every 5 ms (about 1 ms to render)
QUIET_S = 0.5           # no new scan for this long: the daemon is idle
NEW_DIR = "new-arrivals"  # bulk: new folders
REFILL_DIR = "refill"     # bulk --existing: existing folders


def log(msg):
    print(f"watch_latency: {msg}", file=sys.stderr, flush=True)


def fail(msg):
    log(f"error: {msg}")
    sys.exit(1)


def read_json(path):
    """One rendering of a mount file (each open is a fresh snapshot)."""
    try:
        with open(path, "rb") as f:
            return json.loads(f.read())
    except OSError as e:
        fail(f"cannot read {path}: {e.strerror} (did mediamon exit?)")
    except ValueError as e:
        fail(f"{path} is not valid JSON: {e}")


def scan_json(mnt):
    return read_json(os.path.join(mnt, "metrics", "scan.json"))


def counts(mnt):
    """(files, tracks) as status/summary.json counts them."""
    c = read_json(os.path.join(mnt, "status", "summary.json"))["counts"]
    return c["files"], c["tracks"]


def watch_errors(mnt):
    """Tag and i/o errors summed over the scans the watcher started."""
    path = os.path.join(mnt, "metrics", "scan.csv")
    try:
        with open(path, encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        fail(f"cannot read {path}: {e.strerror}")
    watch = [r for r in rows if r.get("trigger") == "watch"]
    return (len(watch), sum(int(r["tag_errors"]) for r in watch),
            sum(int(r["io_errors"]) for r in watch))


def ask_rescan(mnt, what):
    """--dry-run only: what the watcher would do, asked by hand."""
    with open(os.path.join(mnt, "control", "rescan"), "w",
              encoding="utf-8") as f:
        f.write(what + "\n")


def wait_quiet(mnt, timeout):
    """Wait until no scan runs and none has finished for QUIET_S seconds;
    return the id of the last finished scan."""
    deadline = time.monotonic() + timeout
    state, since = None, time.monotonic()
    while True:
        s = scan_json(mnt)
        now = time.monotonic()
        key = (s.get("running") is None, (s.get("last") or {}).get("id"))
        if key != state:
            state, since = key, now
        elif key[0] and now - since >= QUIET_S:
            return key[1]
        if now > deadline:
            fail(f"mediamon did not settle (a scan ran or finished) "
                 f"within {timeout} s")
        time.sleep(0.02)


def audio_files(root):
    """Every audio file under root, in a stable order."""
    out = []
    for d, dirs, files in os.walk(root):
        dirs.sort()
        out.extend(os.path.join(d, f) for f in sorted(files)
                   if f.endswith(AUDIO))
    return out


def percentile(sorted_values, p):
    """Nearest-rank percentile of a sorted, non-empty list."""
    rank = max(1, -(-len(sorted_values) * p // 100))  # ceil
    return sorted_values[int(rank) - 1]


# ------------------------------------------------------------- prepare

def prepare(args):
    every = audio_files(args.lib)
    if len(every) < args.count:
        fail(f"{args.lib} holds {len(every)} audio files, {args.count} needed")
    step = len(every) // args.count
    targets = every[step // 2::step][:args.count]
    for path in targets:
        # A private copy under the same name: writing to it later leaves
        # the corpus (the other name of a hard link) alone.
        tmp = path + ".bench-copy"
        shutil.copy2(path, tmp)
        os.replace(tmp, path)
        if os.stat(path).st_nlink != 1:
            fail(f"{path} is still a hard link after copying it")
    with open(args.targets, "w", encoding="utf-8") as f:
        f.writelines(p + "\n" for p in targets)
    log(f"{len(targets)} files of {args.lib} made private copies for "
        f"tag changes")


# -------------------------------------------------------------- single

def retag(path, n):
    """Rewrite the title tag in place; return the time the file was closed."""
    if os.stat(path).st_nlink != 1:
        fail(f"{path} is a hard link: writing it would change the corpus")
    audio = mutagen.File(path, easy=True)
    if audio is None:
        fail(f"mutagen cannot read {path}")
    title = (audio.get("title") or ["untitled"])[0].split(" [bench ")[0]
    audio["title"] = f"{title} [bench {n}]"
    audio.save()        # opens, writes and closes the file
    return time.monotonic()


def copy_in(src, dest):
    """Copy src to dest, a new file, the way cp does (written under its
    final name); return the time it was closed."""
    with open(src, "rb") as f:
        data = f.read()
    with open(dest, "xb") as f:
        f.write(data)
    return time.monotonic()


def wait_visible(mnt, old_id, field, timeout, start):
    """Poll scan.json until a finished scan newer than old_id has field
    >= 1; return (seconds since start or None on timeout, that scan)."""
    deadline = start + timeout
    while True:
        last = scan_json(mnt).get("last") or {}
        now = time.monotonic()
        if last.get("id") != old_id and (last.get(field) or 0) >= 1:
            return now - start, last
        if now > deadline:
            return None, last
        time.sleep(POLL_S)


def single(args):
    with open(args.targets, encoding="utf-8") as f:
        targets = [line.rstrip("\n") for line in f if line.strip()]
    sources = audio_files(args.source)
    if len(targets) * 2 < args.changes or not sources:
        fail(f"{len(targets)} targets in {args.targets} and "
             f"{len(sources)} source files: too few for {args.changes} changes")
    trigger = "control" if args.dry_run else "watch"
    old_id = wait_quiet(args.mnt, args.timeout)
    samples = {"tag": [], "new": []}
    missed = False
    for n in range(args.changes):
        target = targets[n // 2]
        if n % 2 == 0:
            kind, field, path = "tag", "files_changed", target
            closed = retag(path, n)
        else:
            src = sources[(n * 37) % len(sources)]
            kind, field = "new", "files_new"
            path = os.path.join(os.path.dirname(target),
                                f"99 - bench new {n}{os.path.splitext(src)[1]}")
            closed = copy_in(src, path)
        if args.dry_run:
            ask_rescan(args.mnt, os.path.abspath(path))
        latency, last = wait_visible(args.mnt, old_id, field, args.timeout,
                                     closed)
        what = f"change {n + 1}/{args.changes} ({kind})"
        if latency is None:
            # One lost change means the watcher is broken: stop there
            # rather than wait out the timeout for every other change.
            log(f"{what}: not visible after {args.timeout} s: {path}; "
                f"the last scan: {json.dumps(last)}")
            missed = True
            break
        samples[kind].append(latency * 1000)
        log(f"{what}: {latency * 1000:.0f} ms (scan {last.get('id')}, "
            f"trigger {last.get('trigger')}, the scan itself "
            f"{(last.get('duration_s') or 0) * 1000:.0f} ms)")
        if last.get("trigger") != trigger:
            log(f"warning: scan {last.get('id')} has trigger "
                f"'{last.get('trigger')}', not '{trigger}'")
        # Let that scan and any late event settle before the next change.
        old_id = wait_quiet(args.mnt, args.timeout)
    every = sorted(samples["tag"] + samples["new"])
    print(f"watch_changes={len(every)}")
    if every and not missed:
        for p in (50, 95):
            print(f"watch_p{p}_ms={percentile(every, p):.0f}")
        print(f"watch_max_ms={every[-1]:.0f}")
    for kind, values in samples.items():
        if values:
            values.sort()
            log(f"{kind}: {len(values)} changes, p50 "
                f"{percentile(values, 50):.0f} ms, p95 "
                f"{percentile(values, 95):.0f} ms, max {values[-1]:.0f} ms")
    if missed:
        fail(f"change {len(every) + 1} of {args.changes} never became visible")


# ---------------------------------------------------------------- bulk

def watches(mnt):
    return read_json(os.path.join(mnt, "metrics", "watch.json"))["watches"]


def make_folders(args, dest):
    """The folders of args.source, empty, under dest, each watched (the
    watcher's scan of the new folders adds the watches) before return."""
    folders = [os.path.join(dest, os.path.relpath(d, args.source))
               for d, _, _ in os.walk(args.source)]
    before = 0 if args.dry_run else watches(args.mnt)
    for d in folders:
        os.makedirs(d, exist_ok=True)
    if args.dry_run:
        ask_rescan(args.mnt, os.path.abspath(dest))
        return
    deadline = time.monotonic() + args.timeout
    while watches(args.mnt) < before + len(folders):
        if time.monotonic() > deadline:
            fail(f"{len(folders)} new folders, but {watches(args.mnt) - before}"
                 f" more watches after {args.timeout} s")
        time.sleep(0.02)


def bulk(args):
    dest = os.path.join(args.lib, REFILL_DIR if args.existing else NEW_DIR)
    key = "watch_refill" if args.existing else "watch_bulk"
    if os.path.exists(dest):
        fail(f"{dest} exists already: the library is not fresh")
    tops = sorted(os.path.join(args.source, n) for n in os.listdir(args.source)
                  if not n.startswith("."))
    expected_new = len(audio_files(args.source))
    # Cover art and artist images are files too, not tracks.
    expected_files = sum(len(files) for top in tops
                         for _, _, files in os.walk(top))
    if args.existing:
        make_folders(args, dest)
    old_id = wait_quiet(args.mnt, args.timeout)
    before = counts(args.mnt)
    expected = (before[0] + expected_files, before[1] + expected_new)
    log(f"copying {expected_new} tracks ({len(tops)} artist folders) into "
        f"{dest}; the mount shows {before[0]} files and {before[1]} tracks, "
        f"waiting for {expected[0]} and {expected[1]}")
    start, start_wall = time.monotonic(), time.time()
    if not args.existing:
        os.mkdir(dest)
    result = subprocess.run(["cp", "-r", "--", *tops, dest + "/"],
                            stderr=subprocess.PIPE, check=False)
    copied = time.monotonic()
    if result.returncode != 0:
        fail(f"cp -r failed: {result.stderr.decode(errors='replace')}")
    if args.dry_run:
        ask_rescan(args.mnt, "1")
    # The counts change when a scan commits, and each scan finishes right
    # after its last commit. summary.json is costly to render (its counts
    # read every row: some 30 ms at 100,000 files, on a CPU the daemon
    # needs), so it is read only when scan.json shows a newly finished scan.
    deadline = copied + args.timeout
    seen = old_id
    now_counts = before
    while True:
        last_id = (scan_json(args.mnt).get("last") or {}).get("id")
        now = time.monotonic()
        if last_id != seen:
            seen = last_id
            now_counts = counts(args.mnt)
            if now_counts == expected or now_counts[0] > expected[0]:
                break
        if now > deadline:
            break
        time.sleep(POLL_S)
    if now_counts != expected:
        fail(f"{now - copied:.1f} s after the copy the mount shows "
             f"{now_counts[0]} files and {now_counts[1]} tracks; "
             f"{expected[0]} and {expected[1]} expected")
    print(f"{key}_tracks={expected_new}")
    print(f"{key}_copy_s={copied - start:.3f}")
    print(f"{key}_s={now - start:.3f}")
    print(f"{key}_after_copy_s={now - copied:.3f}")
    # Files read while cp was still writing them are read again after
    # their close: the index is final once the watcher has settled.
    wait_quiet(args.mnt, args.timeout)
    last = scan_json(args.mnt).get("last") or {}
    settled = (last.get("finished_at_s") or start_wall) - start_wall
    print(f"{key}_settled_s={settled:.3f}")
    scans, tag_errors, io_errors = watch_errors(args.mnt)
    print(f"watch_scans={scans}")
    print(f"watch_tag_errors={tag_errors}")
    print(f"watch_io_errors={io_errors}")
    log(f"the copy took {copied - start:.3f} s; all {expected_new} tracks "
        f"committed {now - start:.3f} s after its start, "
        f"{now - copied:.3f} s after its end; the last watch scan finished "
        f"{settled:.3f} s after its start; {scans} watch scans in all, "
        f"{tag_errors} tag errors, {io_errors} i/o errors in them")


def main():
    parser = argparse.ArgumentParser(
        description="Time mediamon's watcher (bench.sh's watch section).")
    parser.add_argument("mode", choices=("prepare", "single", "bulk"))
    parser.add_argument("--mnt", help="mediamon's mount point")
    parser.add_argument("--lib", required=True, help="the watched music root")
    parser.add_argument("--source", help="a gen_corpus.py library to copy from")
    parser.add_argument("--targets", help="the list of files to retag")
    parser.add_argument("--count", type=int, default=20,
                        help="prepare: files to make private (default 20)")
    parser.add_argument("--changes", type=int, default=40,
                        help="single: changes to time (default 40)")
    parser.add_argument("--timeout", type=float, default=120,
                        help="seconds one change or the bulk copy may take "
                             "to show (default 120)")
    parser.add_argument("--existing", action="store_true",
                        help="bulk: copy into folders made beforehand")
    parser.add_argument("--dry-run", action="store_true",
                        help="ask for each rescan by hand (no watcher)")
    args = parser.parse_args()
    need = {"prepare": ("targets",), "single": ("mnt", "source", "targets"),
            "bulk": ("mnt", "source")}[args.mode]
    for name in need:
        if getattr(args, name) is None:
            parser.error(f"{args.mode} needs --{name}")
    if args.count < 1 or args.changes < 1:
        parser.error("--count and --changes must be at least 1")
    {"prepare": prepare, "single": single, "bulk": bulk}[args.mode](args)


if __name__ == "__main__":
    main()
