#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Generate the benchmark music library: OUT [--files 100000].

Every file is a real FLAC or MP3 (audio encoded by flac and lame from tones
made by sox) with tags written by mutagen, laid out as

    Artist/Album (Year)/NN - Title.ext      (D-NN - Title.ext on 2-disc sets,
    Artist/Album (Year)/CD1/NN - Title.ext   or CD1/, Disc 2/... subfolders)

About 40% of the files are FLAC, a few hundred artists have albums of 8 to
14 tracks in varied genres and years, some albums are "Various Artists"
compilations, and tag styles vary the way real libraries do (ID3v2.3 and
v2.4, some ID3v1 too, "n/total" or separate TRACKTOTAL in Vorbis comments).

Cover art as real libraries have it: about 60% of the album folders hold a
JPEG (cover.jpg, folder.jpg, Folder.jpg, front.jpg...), the tracks of about
30% of the albums embed a ~30 KB front cover (a quarter of those after a
back cover), with or without a folder image, and about a quarter of the
artist folders hold an artist.jpg.

Speed: a handful of short template files are encoded once; each corpus file
is a template's bytes with tags set by mutagen on an in-memory copy, then
written once. Two worker processes write 100k files (about 2.4 GB on
disk) in about 15 s.

Deterministic: the whole plan comes from one seeded random generator in the
parent, and a file's bytes depend only on its plan entry, never on which
worker wrote it. Cached: when OUT/.complete holds the same parameters the
script exits at once. It builds in OUT.tmp and renames that to OUT.

With --mixed, the library is of every format a real home library
holds, in about these shares of its albums: MP3 30%, FLAC 25%, MP4 AAC
20% and ALAC 3%, Ogg Vorbis 8%, Opus 7%, WavPack 3%, WAV 2%, AIFF 2%
(MIXED_SHARES); the new formats' templates are encoded by oggenc,
opusenc, ffmpeg, wavpack and sox, and tagged by mutagen the same way.

Run with /usr/bin/python3 (Debian's python3-mutagen lives there).
"""

import argparse
import base64
import io
import json
import multiprocessing
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

from mutagen.flac import FLAC, Picture
from mutagen.aiff import AIFF
from mutagen.apev2 import APEv2, APEValue, BINARY
from mutagen.id3 import (APIC, ID3, TALB, TCON, TDRC, TIT2, TPE1, TPE2,
                         TPOS, TRCK)
from mutagen.mp4 import MP4, MP4Cover
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis
from mutagen.wave import WAVE

sys.dont_write_bytecode = True  # no __pycache__ left in the work tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tinyjpeg  # noqa: E402  (a sibling module, found through the line above)

# Bump when the output for the same parameters changes, so caches rebuild.
GENERATOR_VERSION = 3

FLAC_SHARE = 0.40          # share of albums (so about of files) in FLAC
EMBEDDED_COVER_SHARE = 0.30     # albums whose tracks embed a front cover
BACK_COVER_SHARE = 0.25         # of those, a back cover comes first
FOLDER_IMAGE_SHARE = 0.60       # album folders with an image file
ARTIST_IMAGE_SHARE = 0.25       # artist folders with artist.jpg
COMPILATION_SHARE = 0.03
TWO_DISC_SHARE = 0.05
DISC_FOLDER_SHARE = 0.5         # of 2-disc sets, in one folder per disc
COVER_BYTES = (20_000, 40_000)   # embedded picture sizes, about 30 KB
FOLDER_IMAGE_BYTES = (30_000, 80_000)
BYTES_PER_FILE_ESTIMATE = 50_000  # for the free-space check (real: ~32 KB)
# Folder image names with how often taggers and rippers write them.
FOLDER_IMAGE_NAMES = [("cover.jpg", 40), ("folder.jpg", 30),
                      ("Folder.jpg", 10), ("front.jpg", 8), ("Cover.jpg", 7),
                      ("cover.jpeg", 3), ("album.jpg", 2)]
DISC_FOLDER_STYLES = ["CD{}", "CD {}", "Disc {}"]

# Template sounds: (name, format, rate, bits, channels, seconds, synth args,
# encoder options). Short, so the corpus stays around 2 GB; varied, so a
# scanner meets several sample rates, depths, channel counts and MP3 modes.
TEMPLATES = [
    ("f44s", "flac", 44100, 16, 2, 0.5, "sine 220 sine 330", ["--best"]),
    ("f44t", "flac", 44100, 16, 2, 0.5, "triangle 262 sine 392", ["-5"]),
    ("f48h", "flac", 48000, 24, 2, 0.4, "sine 440 sine 660", ["--best"]),
    ("f44m", "flac", 44100, 16, 1, 0.6, "pluck 196", ["-5"]),
    ("m128", "mp3", 44100, 16, 2, 0.5, "square 147 sine 220", ["-b", "128"]),
    ("m320", "mp3", 44100, 16, 2, 0.4, "sine 330 sine 495", ["-b", "320"]),
    ("mv2", "mp3", 44100, 16, 2, 0.7, "sawtooth 110 sine 220", ["-V", "2"]),
    ("m48m", "mp3", 48000, 16, 1, 0.8, "pluck 262", ["-b", "96"]),
]

# --mixed: the share of albums in each format, and the templates of the
# formats FLAC and MP3 do not have (format "alac" is written as .m4a).
MIXED_SHARES = [("mp3", 0.30), ("flac", 0.25), ("m4a", 0.20), ("alac", 0.03),
                ("ogg", 0.08), ("opus", 0.07), ("wv", 0.03), ("wav", 0.02),
                ("aiff", 0.02)]
MIXED_TEMPLATES = [
    ("a44", "m4a", 44100, 16, 2, 0.5, "sine 220 sine 330", ["-b:a", "128k"]),
    ("a48m", "m4a", 48000, 16, 1, 0.6, "pluck 196", ["-b:a", "96k"]),
    ("l44", "alac", 44100, 16, 2, 0.4, "triangle 262 sine 392", []),
    ("v44", "ogg", 44100, 16, 2, 0.5, "square 147 sine 220", ["-q", "4"]),
    ("v48m", "ogg", 48000, 16, 1, 0.6, "pluck 262", ["-q", "2"]),
    ("o48", "opus", 48000, 16, 2, 0.5, "sine 330 sine 495", ["--bitrate", "96"]),
    ("w44", "wv", 44100, 16, 2, 0.4, "sawtooth 110 sine 220", []),
    ("r44", "wav", 44100, 16, 2, 0.3, "sine 440 sine 660", []),
    ("i44", "aiff", 44100, 16, 2, 0.3, "triangle 196 sine 294", []),
]
EXTENSIONS = {"alac": "m4a"}

GENRES = [
    "Rock", "Pop", "Jazz", "Blues", "Classical", "Electronic", "Hip-Hop",
    "Folk", "Country", "Metal", "Punk", "Soul", "Funk", "Reggae", "Ambient",
    "Techno", "House", "Indie", "Alternative", "R&B", "Latin", "World",
    "Soundtrack", "Chanson", "J-Pop", "Bossa Nova", "Drum & Bass", "Ska",
]

# Word lists for names. A few non-ASCII words keep UTF-8 paths and tags in
# every run of the benchmark.
ADJECTIVES = [
    "Silent", "Electric", "Golden", "Broken", "Velvet", "Hollow", "Crimson",
    "Neon", "Distant", "Frozen", "Wild", "Lonely", "Burning", "Paper",
    "Iron", "Crystal", "Midnight", "Northern", "Secret", "Lucky", "Blue",
    "Quiet", "Restless", "Sacred", "Bitter", "Sweet", "Electric", "Hidden",
    "Fading", "Rising", "Savage", "Gentle", "Painted", "Endless", "Strange",
    "Éternel", "Schöne", "Dulce", "Tōkyō",
]
NOUNS = [
    "River", "Mountain", "Echo", "Signal", "Garden", "Mirror", "Shadow",
    "Harbor", "Engine", "Forest", "Comet", "Window", "Machine", "Desert",
    "Ocean", "Highway", "Lantern", "Thunder", "Orchid", "Fever", "Station",
    "Harvest", "Canyon", "Circus", "Satellite", "Horizon", "Season", "Wolf",
    "Raven", "Empire", "Island", "Avenue", "Dream", "Winter", "Summer",
    "Café", "Straße", "Corazón", "Fjörd", "夜明け", "Сердце",
]
FIRST_NAMES = [
    "Anna", "Ben", "Clara", "David", "Elena", "Felix", "Grace", "Hugo",
    "Iris", "Jonas", "Kira", "Leo", "Maya", "Nils", "Olga", "Paul",
    "Rosa", "Sam", "Tara", "Victor", "Zoë", "José", "Søren", "Amélie",
    "Yuki", "Chloé", "Björn", "Łukasz",
]
LAST_NAMES = [
    "Hart", "Stone", "Miller", "Moreau", "Novak", "Berg", "Costa", "Reyes",
    "Lindqvist", "Okafor", "Tanaka", "Weber", "Quinn", "Fischer", "Rossi",
    "Dubois", "Kowalski", "Haddad", "Ivanova", "Nakamura", "Müller",
    "García", "Ødegaard",
]
TITLE_WORDS = ADJECTIVES + NOUNS + [
    "Love", "Night", "Light", "Fire", "Rain", "Home", "Road", "Heart",
    "Time", "Song", "Sky", "Stars", "Gold", "Ghost", "Train", "Kiss",
    "Tomorrow", "Yesterday", "Again", "Away", "Forever", "Alone", "Down",
]


# --------------------------------------------------------------------------
# Planning (parent process, one seeded generator: the whole corpus layout)

def unique_name(rng, make, taken):
    """Draw names from make(rng) until one is not in taken; record it."""
    while True:
        name = make(rng)
        if name not in taken:
            taken.add(name)
            return name


def artist_name(rng):
    style = rng.random()
    if style < 0.30:
        return f"The {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}s"
    if style < 0.60:
        return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    if style < 0.80:
        return f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"
    if style < 0.90:
        return f"{rng.choice(NOUNS)} & the {rng.choice(NOUNS)}s"
    return f"{rng.choice(NOUNS)}{rng.choice(NOUNS).lower()}"


def phrase(rng, low, high):
    return " ".join(rng.choice(TITLE_WORDS) for _ in range(rng.randint(low, high)))


def plan_artists(rng, count):
    taken = set()
    artists = []
    for _ in range(count):
        start = rng.randint(1960, 2015)
        artists.append({
            "name": unique_name(rng, artist_name, taken),
            "genres": rng.sample(GENRES, 2),
            "years": (start, min(2024, start + rng.randint(3, 30))),
            "albums": set(),
            # Some artists have many more albums than others (about 5 to 45
            # each at 100k files).
            "weight": rng.uniform(0.2, 1.8),
            # Tag habits stick to an artist, like the rip tool a person used.
            "vorbis_total_style": rng.random() < 0.5,
            "id3_v23": rng.random() < 0.3,
            "id3_v1": rng.random() < 0.1,
        })
    return artists


def album_format(draw, mixed):
    """The format of an album from one random draw in [0, 1)."""
    if not mixed:
        return "flac" if draw < FLAC_SHARE else "mp3"
    for fmt, share in MIXED_SHARES:
        if draw < share:
            return fmt
        draw -= share
    return MIXED_SHARES[0][0]


def plan_album(rng, artist, artists, track_count, index, mixed=False):
    """One album as a plain dict (sent to a worker as is)."""
    year = rng.randint(*artist["years"])
    title = unique_name(rng, lambda r: phrase(r, 1, 3), artist["albums"])
    compilation = rng.random() < COMPILATION_SHARE
    album_artist = "Various Artists" if compilation else artist["name"]
    fmt = album_format(rng.random(), mixed)
    templates = [t[0] for t in TEMPLATES + MIXED_TEMPLATES if t[1] == fmt]
    discs = 2 if track_count >= 10 and rng.random() < TWO_DISC_SHARE else 1
    per_disc = [track_count - track_count // 2, track_count // 2] if discs == 2 \
        else [track_count]
    cover = None
    if rng.random() < EMBEDDED_COVER_SHARE:
        cover = {"seed": index, "bytes": rng.randint(*COVER_BYTES),
                 "back": rng.random() < BACK_COVER_SHARE}
    folder_image = None
    if rng.random() < FOLDER_IMAGE_SHARE:
        names, weights = zip(*FOLDER_IMAGE_NAMES)
        folder_image = {"name": rng.choices(names, weights)[0],
                        "seed": 100_000 + index,
                        "bytes": rng.randint(*FOLDER_IMAGE_BYTES)}
    disc_folder = None
    if discs == 2 and rng.random() < DISC_FOLDER_SHARE:
        disc_folder = rng.choice(DISC_FOLDER_STYLES)
    date = str(year) if rng.random() < 0.8 else \
        f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"

    tracks = []
    titles = set()
    for disc, total in enumerate(per_disc, start=1):
        for number in range(1, total + 1):
            track_artist = rng.choice(artists)["name"] if compilation \
                else artist["name"]
            tracks.append({
                "disc": disc, "number": number, "total": total,
                "title": unique_name(rng, lambda r: phrase(r, 1, 4), titles),
                "artist": track_artist,
            })
    return {
        "dir": os.path.join(album_artist, f"{title} ({year})"),
        "album": title, "album_artist": album_artist, "date": date,
        "genre": rng.choice(artist["genres"]), "format": fmt,
        "template": rng.choice(templates), "discs": discs, "cover": cover,
        "folder_image": folder_image, "disc_folder": disc_folder,
        "artist_image": None,
        "vorbis_total_style": artist["vorbis_total_style"],
        "id3_v23": artist["id3_v23"], "id3_v1": artist["id3_v1"],
        "tracks": tracks,
    }


def plan_corpus(files, seed, mixed=False):
    """The list of albums holding exactly `files` tracks."""
    rng = random.Random(seed)
    artists = plan_artists(rng, max(1, min(400, round(files / 250))))
    weights = [a["weight"] for a in artists]
    with_image = {a["name"] for a in artists
                  if rng.random() < ARTIST_IMAGE_SHARE}
    compilation_titles = set()
    albums = []
    left = files
    while left > 0:
        artist = rng.choices(artists, weights)[0]
        count = min(left, rng.randint(8, 14))
        album = plan_album(rng, artist, artists, count, len(albums), mixed)
        if album["album_artist"] == "Various Artists":
            # Compilations share one directory: keep their names apart.
            while album["dir"] in compilation_titles:
                album["album"] += " II"
                album["dir"] = os.path.join(
                    "Various Artists", f"{album['album']} ({album['date'][:4]})")
            compilation_titles.add(album["dir"])
        elif album["album_artist"] in with_image:
            # Written once, with the artist's first album.
            with_image.discard(album["album_artist"])
            album["artist_image"] = {"seed": 200_000 + len(albums),
                                     "bytes": rng.randint(
                                         *FOLDER_IMAGE_BYTES)}
        albums.append(album)
        left -= count
    return albums


# --------------------------------------------------------------------------
# Templates (encoded once with sox + flac / lame)

def run(cmd):
    result = subprocess.run(cmd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, check=False)
    if result.returncode != 0:
        sys.exit(f"gen_corpus: {' '.join(cmd)} failed:\n"
                 f"{result.stderr.decode(errors='replace')}")


def encode(fmt, options, wav, out):
    """Encode wav into out in format fmt."""
    if fmt == "flac":
        run(["flac", "-s", "-f", *options, "-o", out, wav])
    elif fmt == "mp3":
        run(["lame", "--quiet", *options, wav, out])
    elif fmt in ("m4a", "alac"):
        run(["ffmpeg", "-v", "quiet", "-y", "-i", wav, "-c:a",
             "aac" if fmt == "m4a" else "alac", *options, out])
    elif fmt == "ogg":
        run(["oggenc", "-Q", "--serial", "1", *options, "-o", out, wav])
    elif fmt == "opus":
        run(["opusenc", "--quiet", "--serial", "1", *options, wav, out])
    elif fmt == "wv":
        run(["wavpack", "-q", "-y", *options, wav, "-o", out])
    else:
        run(["sox", "-D", wav, out])


def encode_templates(workdir, mixed=False):
    """Encode every template; return {name: path}."""
    tools = ["sox", "flac", "lame"]
    if mixed:
        tools += ["ffmpeg", "oggenc", "opusenc", "wavpack"]
    for tool in tools:
        if shutil.which(tool) is None:
            sys.exit(f"gen_corpus: {tool} is missing (run contrib/install-deps.sh)")
    paths = {}
    for name, fmt, rate, bits, channels, seconds, synth, options in \
            TEMPLATES + (MIXED_TEMPLATES if mixed else []):
        wav = os.path.join(workdir, name + ".wav")
        out = os.path.join(workdir, f"{name}.{EXTENSIONS.get(fmt, fmt)}")
        # -R: repeatable (fixed seed), -D: no dither, so templates are
        # the same bytes on every run and the corpus is reproducible.
        run(["sox", "-q", "-R", "-D", "-n", "-r", str(rate), "-b", str(bits),
             "-c", str(channels), wav, "synth", str(seconds), *synth.split(),
             "fade", "0.02", str(seconds), "0.1", "vol", "0.4"])
        encode(fmt, options, wav, out)
        paths[name] = out
    return paths


# --------------------------------------------------------------------------
# Writing (worker processes)

_TEMPLATE_BYTES = {}


def init_worker(template_paths):
    for name, path in template_paths.items():
        with open(path, "rb") as f:
            _TEMPLATE_BYTES[name] = f.read()


def track_file_name(album, track, ext):
    """The track's path under its album folder."""
    number = f"{track['number']:02d}"
    if album["disc_folder"]:
        return os.path.join(album["disc_folder"].format(track["disc"]),
                            f"{number} - {track['title']}.{ext}")
    if album["discs"] > 1:
        number = f"{track['disc']}-{number}"
    return f"{number} - {track['title']}.{ext}"


def flac_bytes(album, track, template, cover, back):
    data = io.BytesIO(template)
    audio = FLAC(data)
    audio.clear()  # drop what flac copied from the WAV (a channel mask)
    if album["vorbis_total_style"]:
        numbers = {"tracknumber": str(track["number"]),
                   "tracktotal": str(track["total"]),
                   "discnumber": str(track["disc"]),
                   "disctotal": str(album["discs"])}
    else:
        numbers = {"tracknumber": f"{track['number']}/{track['total']}",
                   "discnumber": f"{track['disc']}/{album['discs']}"}
    audio.update({"title": track["title"], "artist": track["artist"],
                  "albumartist": album["album_artist"],
                  "album": album["album"], "date": album["date"],
                  "genre": album["genre"], **numbers})
    for kind, image in ((4, back), (3, cover)):  # back, front cover
        if not image:
            continue
        picture = Picture()
        picture.type = kind
        picture.mime = "image/jpeg"
        picture.desc = "Back cover" if kind == 4 else "Front cover"
        picture.width = picture.height = 64
        picture.depth = 24
        picture.data = image
        audio.add_picture(picture)
    data.seek(0)  # mutagen saves from the file object's current position
    audio.save(data)
    return data.getvalue()


def mp3_bytes(album, track, template, cover, back):
    data = io.BytesIO(template)
    tags = ID3()
    for frame in (TIT2(encoding=3, text=track["title"]),
                  TPE1(encoding=3, text=track["artist"]),
                  TPE2(encoding=3, text=album["album_artist"]),
                  TALB(encoding=3, text=album["album"]),
                  TRCK(encoding=3, text=f"{track['number']}/{track['total']}"),
                  TPOS(encoding=3, text=f"{track['disc']}/{album['discs']}"),
                  TDRC(encoding=3, text=album["date"]),
                  TCON(encoding=3, text=album["genre"])):
        tags.add(frame)
    if back:
        tags.add(APIC(encoding=3, mime="image/jpeg", type=4,
                      desc="Back cover", data=back))
    if cover:
        tags.add(APIC(encoding=3, mime="image/jpeg", type=3,
                      desc="Front cover", data=cover))
    # For v2.3 mutagen itself turns TDRC into TYER and UTF-8 into UTF-16.
    tags.save(data, v2_version=3 if album["id3_v23"] else 4,
              v1=2 if album["id3_v1"] else 0)
    return data.getvalue()


def numbers(album, track):
    return (f"{track['number']}/{track['total']}",
            f"{track['disc']}/{album['discs']}")


def vorbis_bytes(album, track, template, cover, back, kind):
    data = io.BytesIO(template)
    audio = kind(data)
    audio.clear()
    trck, tpos = numbers(album, track)
    audio.update({"title": track["title"], "artist": track["artist"],
                  "albumartist": album["album_artist"],
                  "album": album["album"], "date": album["date"],
                  "genre": album["genre"], "tracknumber": trck,
                  "discnumber": tpos})
    pictures = []
    for kind_no, image in ((4, back), (3, cover)):
        if image:
            picture = Picture()
            picture.type = kind_no
            picture.mime = "image/jpeg"
            picture.data = image
            pictures.append(base64.b64encode(picture.write()).decode())
    if pictures:
        audio["metadata_block_picture"] = pictures
    data.seek(0)
    audio.save(data)
    return data.getvalue()


def mp4_bytes(album, track, template, cover, back):
    data = io.BytesIO(template)
    audio = MP4(data)
    audio.update({"\xa9nam": [track["title"]], "\xa9ART": [track["artist"]],
                  "aART": [album["album_artist"]],
                  "\xa9alb": [album["album"]], "\xa9day": [album["date"]],
                  "\xa9gen": [album["genre"]],
                  "trkn": [(track["number"], track["total"])],
                  "disk": [(track["disc"], album["discs"])]})
    images = [i for i in (cover, back) if i]
    if images:
        audio["covr"] = [MP4Cover(i, MP4Cover.FORMAT_JPEG) for i in images]
    data.seek(0)
    audio.save(data)
    return data.getvalue()


def wv_bytes(album, track, template, cover, back):
    data = io.BytesIO(template)
    tags = APEv2()
    trck, tpos = numbers(album, track)
    tags.update({"Title": track["title"], "Artist": track["artist"],
                 "Album Artist": album["album_artist"],
                 "Album": album["album"], "Year": album["date"],
                 "Genre": album["genre"], "Track": trck, "Disc": tpos})
    if cover:
        tags["Cover Art (Front)"] = APEValue(b"cover.jpg\x00" + cover,
                                             BINARY)
    tags.save(data)
    return data.getvalue()


def iff_bytes(album, track, template, cover, back, kind):
    data = io.BytesIO(template)
    audio = kind(data)
    audio.add_tags()
    trck, tpos = numbers(album, track)
    for frame in (TIT2(encoding=3, text=track["title"]),
                  TPE1(encoding=3, text=track["artist"]),
                  TPE2(encoding=3, text=album["album_artist"]),
                  TALB(encoding=3, text=album["album"]),
                  TRCK(encoding=3, text=trck), TPOS(encoding=3, text=tpos),
                  TDRC(encoding=3, text=album["date"]),
                  TCON(encoding=3, text=album["genre"])):
        audio.tags.add(frame)
    if cover:
        audio.tags.add(APIC(encoding=3, mime="image/jpeg", type=3,
                            desc="Front cover", data=cover))
    data.seek(0)
    audio.save(data)
    return data.getvalue()


WRITERS = {
    "flac": flac_bytes, "mp3": mp3_bytes, "m4a": mp4_bytes,
    "alac": mp4_bytes, "wv": wv_bytes,
    "ogg": lambda *a: vorbis_bytes(*a, OggVorbis),
    "opus": lambda *a: vorbis_bytes(*a, OggOpus),
    "wav": lambda *a: iff_bytes(*a, WAVE),
    "aiff": lambda *a: iff_bytes(*a, AIFF),
}


def write_album(job):
    """Write every track of one album under root; return the track count."""
    root, album = job
    directory = os.path.join(root, album["dir"])
    os.makedirs(directory, exist_ok=True)
    template = _TEMPLATE_BYTES[album["template"]]
    cover = back = None
    if album["cover"]:
        cover = tinyjpeg.gradient_cover(album["cover"]["seed"],
                                        pad_to=album["cover"]["bytes"])
        if album["cover"]["back"]:
            back = tinyjpeg.gradient_cover(album["cover"]["seed"] + 7,
                                           pad_to=8_000)
    for image, path in ((album["folder_image"], directory),
                        (album["artist_image"], os.path.dirname(directory))):
        if image:
            name = image.get("name", "artist.jpg")
            with open(os.path.join(path, name), "wb") as f:
                f.write(tinyjpeg.gradient_cover(image["seed"],
                                                pad_to=image["bytes"]))
    make = WRITERS[album["format"]]
    ext = EXTENSIONS.get(album["format"], album["format"])
    for track in album["tracks"]:
        path = os.path.join(directory, track_file_name(album, track, ext))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(make(album, track, template, cover, back))
    return len(album["tracks"])


# --------------------------------------------------------------------------
# Driver: cache check, space check, build, progress, rename

def read_complete(out):
    try:
        with open(os.path.join(out, ".complete"), encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def check_space(out, files):
    parent = os.path.dirname(os.path.abspath(out)) or "/"
    os.makedirs(parent, exist_ok=True)
    need = files * BYTES_PER_FILE_ESTIMATE
    free = shutil.disk_usage(parent).free
    # Keep well clear of a full disk: the estimate is about twice the real
    # size, and at least as much again must stay free.
    if free < 2 * need:
        sys.exit(f"gen_corpus: {parent} has {free / 1e9:.1f} GB free; "
                 f"{files} files need about {need / 1e9:.1f} GB and twice "
                 f"that must be free")


def clear_old(out):
    """Remove an earlier corpus at out, but never a directory not ours."""
    if not os.path.exists(out):
        return
    if read_complete(out) is not None:
        shutil.rmtree(out)
    elif os.path.isdir(out) and not os.listdir(out):
        os.rmdir(out)
    else:
        sys.exit(f"gen_corpus: {out} exists and is not a corpus made by "
                 f"gen_corpus.py (no .complete); remove it or choose another OUT")


def report(name, counts, total, every, start):
    """Sum the files each worker's task wrote (counts), printing how far
    the generation is every `every` files and at its end: a cache made
    once takes minutes, and its maker should see it move."""
    done = 0
    next_report = every
    for count in counts:
        done += count
        if done >= next_report or done == total:
            elapsed = time.monotonic() - start
            print(f"{name}: {done} / {total} files, {elapsed:.0f} s"
                  f" ({done / elapsed:.0f} files/s)",
                  file=sys.stderr, flush=True)
            while next_report <= done:
                next_report += every


def generate(out, params, jobs):
    mixed = params.get("mixed", False)
    albums = plan_corpus(params["files"], params["seed"], mixed)
    tmp = out.rstrip("/") + ".tmp"
    if os.path.exists(tmp):
        shutil.rmtree(tmp)
    os.makedirs(tmp)
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="gen_corpus.") as workdir:
        templates = encode_templates(workdir, mixed)
        with multiprocessing.Pool(jobs, init_worker, (templates,)) as pool:
            work = ((tmp, album) for album in albums)
            counts = pool.imap_unordered(write_album, work, chunksize=8)
            report("gen_corpus", counts, params["files"], 10_000, start)
    finish(tmp, out, dict(params, albums=len(albums),
                          seconds=round(time.monotonic() - start, 1)))


def finish(tmp, out, complete):
    """Mark the library built in tmp complete (complete: its parameters
    and figures) and put it in out's place."""
    with open(os.path.join(tmp, ".complete"), "w", encoding="utf-8") as f:
        json.dump(complete, f, sort_keys=True)
        f.write("\n")
    clear_old(out)
    os.rename(tmp, out)


def parse_args(description, files, what, mixed=False):
    """OUT, --files (default files), --seed and --jobs (and --mixed when
    mixed), checked."""
    parser = argparse.ArgumentParser(description=description)
    if mixed:
        parser.add_argument("--mixed", action="store_true",
                            help="every format, not FLAC and MP3 only")
    parser.add_argument("out", metavar="OUT", help="library directory")
    parser.add_argument("--files", type=int, default=files,
                        help=f"number of {what} (default {files})")
    parser.add_argument("--seed", type=int, default=1,
                        help="random seed (default 1)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2,
                        help="worker processes (default: CPU count); does "
                             "not change the output")
    args = parser.parse_args()
    if args.files < 1:
        parser.error("--files must be at least 1")
    return args


def main():
    args = parse_args("Generate (or reuse) the benchmark music corpus.",
                      100_000, "audio files", mixed=True)

    params = {"generator": GENERATOR_VERSION, "files": args.files,
              "seed": args.seed}
    if args.mixed:
        params["mixed"] = True
    old = read_complete(args.out)
    if old is not None and all(old.get(k) == v for k, v in params.items()):
        return
    if old is None and os.path.exists(args.out) and os.listdir(args.out):
        clear_old(args.out)  # exits with a clear message: not ours
    check_space(args.out, args.files)
    generate(args.out, params, max(1, args.jobs))


if __name__ == "__main__":
    main()
