#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Generate the scale library: OUT [--files 1000000].

A million tiny tagged MP3 files, for the scale section of `make bench`:
how the scanner and the store behave at ten times the main corpus, when
the files themselves cost next to nothing to read. Each file, about 500
bytes, is an ID3v2.4 tag (title, artist, album artist, album, track
"n/total", year, genre, in UTF-8) followed by three silent MPEG frames
that lame encoded once, laid out as

    Artist/Album (Year)/NN - Title.mp3

with about ten tracks an album and ten albums an artist. The tag's bytes
are written here by hand, by the ID3v2.4 specification (id3v2.4.0-
structure: syncsafe sizes in the header and in each frame header); a
sample of the files is read back with mutagen before the library is
marked complete, so a generator bug cannot pass unseen.

Fast: no per-file library call but os.open/os.write/os.close, two worker
processes, each album drawn from a generator seeded by its own index (so
the bytes do not depend on which worker wrote them). Cached: when
OUT/.complete holds the same parameters the script exits at once; it
builds in OUT.tmp and renames that to OUT.

Run with /usr/bin/python3 (Debian's python3-mutagen lives there).
"""

import multiprocessing
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ left in the work tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_corpus  # noqa: E402  (word lists, the cache marker)

# Bump when the output for the same parameters changes, so caches rebuild.
GENERATOR_VERSION = 1

TRACKS_PER_ALBUM = (8, 12)
ALBUMS_PER_ARTIST = 10
MPEG_FRAMES = 3             # silent frames after the tag, 104 bytes each
SAMPLE_CHECKED = 200        # files read back with mutagen
BYTES_PER_FILE_ESTIMATE = 8192  # a block and an inode's share, for space


def syncsafe(n):
    """n as the four 7-bit bytes ID3v2.4 sizes are."""
    if n >= 1 << 28:
        raise ValueError("ID3v2 size too large")
    return bytes(((n >> 21) & 0x7f, (n >> 14) & 0x7f, (n >> 7) & 0x7f,
                  n & 0x7f))


def text_frame(frame_id, text):
    """An ID3v2.4 text frame: encoding 3 (UTF-8), the text."""
    body = b"\x03" + text.encode("utf-8")
    return frame_id + syncsafe(len(body)) + b"\x00\x00" + body


def id3v24(fields):
    frames = b"".join(text_frame(k, v) for k, v in fields)
    return b"ID3\x04\x00\x00" + syncsafe(len(frames)) + frames


def silent_frames(workdir):
    """MPEG_FRAMES silent MPEG frames, encoded by lame from zeros."""
    if shutil.which("lame") is None:
        sys.exit("gen_tiny: lame is missing (run contrib/install-deps.sh)")
    raw = os.path.join(workdir, "silence.raw")
    out = os.path.join(workdir, "silence.mp3")
    with open(raw, "wb") as f:
        f.write(bytes(1152 * 2 * (MPEG_FRAMES + 2)))
    # -t: no Xing/Info frame; 32 kbps mono, which lame resamples to
    # 22.05 kHz: MPEG-2 layer III frames of 104 bytes.
    result = subprocess.run(
        ["lame", "--quiet", "-t", "-r", "-s", "44.1", "--bitwidth", "16",
         "--signed", "--little-endian", "-m", "m", "-b", "32", "--cbr",
         raw, out], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        check=False)
    if result.returncode != 0:
        sys.exit("gen_tiny: lame failed:\n" +
                 result.stderr.decode(errors="replace"))
    with open(out, "rb") as f:
        data = f.read()
    if data[:2] != b"\xff\xf3":
        sys.exit("gen_tiny: lame's output does not start with an MPEG-2"
                 " layer III frame")
    size = 72 * 32000 // 22050
    if len(data) < size * MPEG_FRAMES:
        sys.exit(f"gen_tiny: lame wrote {len(data)} bytes, fewer than"
                 f" {MPEG_FRAMES} frames")
    return data[:size * MPEG_FRAMES]


def plan_artists(rng, count):
    """count artist names; past the word lists' few thousand names, a
    name drawn again is told apart by its number."""
    taken = set()
    names = []
    for i in range(count):
        name = gen_corpus.artist_name(rng)
        if name in taken:
            name = f"{name} {i}"
        taken.add(name)
        names.append(name)
    return names


def album_rng(seed, index):
    return random.Random(seed * 10_000_019 + index)


def plan_sizes(files, seed):
    """Track counts of the albums, summing to files."""
    rng = random.Random(seed)
    sizes = []
    left = files
    while left > 0:
        n = min(left, rng.randint(*TRACKS_PER_ALBUM))
        sizes.append(n)
        left -= n
    return sizes


_ARTISTS = []
_AUDIO = b""


def init_worker(artists, audio):
    _ARTISTS[:] = artists
    global _AUDIO
    _AUDIO = audio


def write_albums(job):
    """Write albums [first, first + count) under root; return files."""
    root, seed, first, sizes = job
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
    written = 0
    for index, tracks in enumerate(sizes, start=first):
        rng = album_rng(seed, index)
        artist = _ARTISTS[index // ALBUMS_PER_ARTIST % len(_ARTISTS)]
        year = rng.randint(1960, 2024)
        # the album's index keeps two albums of an artist apart
        album = f"{gen_corpus.phrase(rng, 1, 3)} {index % 97}"
        genre = rng.choice(gen_corpus.GENRES)
        artist_dir = os.path.join(root, artist.replace("/", "-"))
        directory = os.path.join(artist_dir, f"{album} ({year})")
        try:
            os.mkdir(artist_dir)
        except FileExistsError:
            pass
        os.mkdir(directory)
        titles = set()
        for number in range(1, tracks + 1):
            title = gen_corpus.unique_name(
                rng, lambda r: gen_corpus.phrase(r, 1, 4), titles)
            tag = id3v24(((b"TIT2", title), (b"TPE1", artist),
                          (b"TPE2", artist), (b"TALB", album),
                          (b"TRCK", f"{number}/{tracks}"),
                          (b"TDRC", str(year)), (b"TCON", genre)))
            fd = os.open(os.path.join(directory,
                                      f"{number:02d} - {title}.mp3"),
                         flags, 0o644)
            try:
                os.write(fd, tag + _AUDIO)
            finally:
                os.close(fd)
            written += 1
    return written


def check_sample(out, files):
    """Read a sample back with mutagen: every tag as written."""
    from mutagen.mp3 import MP3
    rng = random.Random(7)
    paths = []
    for dirpath, _, names in os.walk(out):
        paths.extend(os.path.join(dirpath, n) for n in names
                     if n.endswith(".mp3"))
        if len(paths) >= 20 * SAMPLE_CHECKED:
            break
    if not paths:
        sys.exit(f"gen_tiny: no file in {out}")
    for path in rng.sample(paths, min(SAMPLE_CHECKED, len(paths))):
        audio = MP3(path)
        tags = audio.tags
        if tags is None or tags.version[:2] != (2, 4):
            sys.exit(f"gen_tiny: mutagen reads no ID3v2.4 tag in {path}")
        name = os.path.basename(path)
        number, title = name[:-4].split(" - ", 1)
        if str(tags["TIT2"]) != title or \
                str(tags["TRCK"]).split("/")[0] != str(int(number)):
            sys.exit(f"gen_tiny: mutagen reads {tags['TIT2']!r} track "
                     f"{tags['TRCK']} in {path}")
        for frame in ("TPE1", "TPE2", "TALB", "TDRC", "TCON"):
            if not str(tags.get(frame, "")):
                sys.exit(f"gen_tiny: mutagen finds no {frame} in {path}")
        if audio.info.sample_rate != 22050 or audio.info.length <= 0:
            sys.exit(f"gen_tiny: mutagen reads no audio in {path}")
    print(f"gen_tiny: {min(SAMPLE_CHECKED, len(paths))} files read back by"
          " mutagen as written", file=sys.stderr)


def generate(out, params, jobs):
    sizes = plan_sizes(params["files"], params["seed"])
    artists = plan_artists(random.Random(params["seed"]),
                           max(1, len(sizes) // ALBUMS_PER_ARTIST))
    tmp = out.rstrip("/") + ".tmp"
    if os.path.exists(tmp):
        shutil.rmtree(tmp)
    os.makedirs(tmp)
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="gen_tiny.") as workdir:
        audio = silent_frames(workdir)
    chunk = 500
    work = [(tmp, params["seed"], i, sizes[i:i + chunk])
            for i in range(0, len(sizes), chunk)]
    with multiprocessing.Pool(jobs, init_worker, (artists, audio)) as pool:
        gen_corpus.report("gen_tiny", pool.imap_unordered(write_albums, work),
                          params["files"], 100_000, start)
    check_sample(tmp, params["files"])
    gen_corpus.finish(tmp, out, dict(
        params, albums=len(sizes),
        seconds=round(time.monotonic() - start, 1)))


def main():
    args = gen_corpus.parse_args(
        "Generate (or reuse) the scale library of tiny MP3s.", 1_000_000,
        "files")

    params = {"generator": GENERATOR_VERSION, "kind": "tiny",
              "files": args.files, "seed": args.seed}
    old = gen_corpus.read_complete(args.out)
    if old is not None and all(old.get(k) == v for k, v in params.items()):
        return
    if old is None and os.path.exists(args.out) and os.listdir(args.out):
        gen_corpus.clear_old(args.out)  # exits: not ours
    parent = os.path.dirname(os.path.abspath(args.out)) or "/"
    os.makedirs(parent, exist_ok=True)
    need = args.files * BYTES_PER_FILE_ESTIMATE
    if shutil.disk_usage(parent).free < 2 * need:
        sys.exit(f"gen_tiny: {parent} has too little room for "
                 f"{args.files} files (about {need / 1e9:.1f} GB, twice"
                 " that free)")
    generate(args.out, params, max(1, args.jobs))


if __name__ == "__main__":
    main()
