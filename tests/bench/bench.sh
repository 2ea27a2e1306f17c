#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# bench.sh: mediamon's benchmark, run by `make bench` from the repository
# root once ./mediamon is built. POSIX sh (make runs it with sh).
#
# On a 100,000-file corpus of real FLAC and MP3 files (tests/bench/
# gen_corpus.py, cached across runs), with a warm page cache, it times MPD's
# own database build and rescan (a private mpd instance, never the system
# service), minidlna's first scan (tests/bench/bench_minidlna.sh) and
# mediamon's first scan, no-change rescan and full re-read,
# with find printing every file's size, mtime and inode from one thread
# (what a no-change rescan looks at), and the same walks without the store
# (tests/bench/bench_scan_floor.c: what the machine's kernel and the tag
# readers cost, the floor under the scans). On
# a watched copy of the corpus (hard links) it times single-file changes and
# 1,000 tracks copied in until they show in the mount (the inotify watcher;
# the timing loops are in watch_latency.py). Over the library views of the
# corpus it times `ls -l` of the artists folder, a walk of every view, a
# `du` of one view and the reading of an album through the mount against
# reading it directly (a corpus album, and one of real-size files), and
# walks the same tree served from memory with no work behind it
# (tests/bench/bench_fuse_tree.c), the floor of what FUSE costs here.
# It times the first scan with cover art on and off ([music] covers),
# taking turns. On a few minutes of synthesised FLAC
# and MP3 audio (cached too) it measures the track analysis in audio
# seconds per CPU second (tests/bench/bench_analysis.c), and in a store of
# 100,000 synthetic fingerprints the time per track of the duplicate
# lookup and of the record that follows it. On a library of a million
# tiny tagged MP3s (tests/bench/gen_tiny.py, cached too) it times the first
# scan and the no-change rescan, against `find` printing the same size,
# mtime and inode of every file, and measures the daemon's peak memory and
# the store's size. On a manga library of 10,000 small volume archives
# (tests/bench/gen_opds.py, cached too) it times the reading of the OPDS
# catalog's root, its list of series and its largest series feed through
# python3 -m http.server serving the mount, and over the same library the
# [http] listener's requests per second (a status file, a volume) and the
# health file's read time while 50 clients download (tests/bench/
# http_load.py). The cold and idle sections
# (tests/bench/bench_power.sh) time the first scan with the page cache
# dropped, against the floor, MPD and minidlna, and count the wakeups of a mounted daemon
# left idle. The nas section (tests/bench/bench_nas.sh) times the floor,
# mediamon's first scan, no-change rescan and a walk of its views, MPD's
# update and minidlna's first scan through a
# FUSE share that waits 1 ms in every request (tests/bench/
# bench_latency_fs.c), as a NAS on gigabit Ethernet does. It prints one
# table of figures, ratios and targets.
#
# Every timed run reads its files again right before (corpus_warm): the
# page cache left idle here is reclaimed within a minute or so.
#
# History: each run's figures are kept with the commit they measured in
# BENCH_DIR/history.csv (run time, commit, figure, value; the commit is
# followed by "+dirty" when the work tree had changes), and each figure is
# printed with its change against the last run of an earlier commit (an
# ancestor of HEAD), a change for the worse of more than 10% flagged.
#
# A missed target is printed as MISSED, never an error: the script fails
# only when something broke (no corpus, mpd or the mount never came up, a
# scan that never finished or reported failure, a change the watcher never
# brought to the mount).
#
# Sections are functions named section_NAME, run in the order given by
# MEDIAMON_BENCH_SECTIONS; each adds rows to the table with `row` and keeps
# figures for later sections with `put` / `get`.
#
# Environment:
#   MEDIAMON_BENCH_DIR       cache directory (default ~/.cache/mediamon-bench)
#   MEDIAMON_BENCH_FILES     corpus size (default 100000)
#   MEDIAMON_BENCH_SECTIONS  sections to run (default
#                            "mpd mediamon cold idle nas formats watch views
#                            covers analysis scale onefolder opds http
#                            playlists arm64 subsonic")
#   MEDIAMON_BENCH_SUBSONIC_FILES files of the subsonic section's library
#                            (100000; tests/bench/bench_subsonic.sh)
#   MEDIAMON_BENCH_SUPYSONIC_FILES files of supysonic's library there
#                            (10000, at most the above)
#   MEDIAMON_BENCH_PLAYLISTS_TRACKS  analysed tracks of the playlists
#                            section (300)
#   MEDIAMON_BENCH_IDLE_S    seconds the idle section counts wakeups (60)
#   MEDIAMON_BENCH_NAS_FILES files of the nas section's library (20000;
#                            MEDIAMON_BENCH_FILES: the corpus itself)
#   MEDIAMON_BENCH_NAS_DELAY_US microseconds the nas section's share waits
#                            in each request (1000)
#   MEDIAMON_BENCH_NAS_MPD   no: the nas section skips MPD's update
#   MEDIAMON_BENCH_NAS_MINIDLNA no: the nas section skips minidlna's scan
#   MEDIAMON_BENCH_MINIDLNA_DEADLINE_S seconds a minidlna scan may take
#                            before the run fails (1800)
#   MEDIAMON_BENCH_NAS_IO_DEPTH the nas section's mediamon's
#                            [general] scan_io_depth (its default)
#   MEDIAMON_BENCH_SCALE_FILES  files of the scale library (1000000)
#   MEDIAMON_BENCH_SCALE_PEERS  yes: the default sections take
#                            scalepeers after scale (MPD and the cold
#                            first scans at the scale library's size:
#                            tests/bench/bench_scale_peers.sh)
#   MEDIAMON_BENCH_OPDS_FILES   volumes of the OPDS library (10000)
#   MEDIAMON_BENCH_ONEFOLDER_FILES  the onefolder section's two folder
#                            sizes, small then large ("1000 100000")
#   MEDIAMON_BENCH_ARM64_FILES  files of the arm64 section's library
#                            (10000), scanned by build-arm64/mediamon
#                            under qemu-user and by the native build
#   MEDIAMON_BENCH_TIMEOUT   seconds one scan or MPD update may take (3600)
#   MEDIAMON_BENCH_WATCH_DRYRUN  1: the watch section asks for each rescan
#                            itself through control/rescan, to test the
#                            section against a daemon without a watcher
#   MEDIAMON                 the daemon to run (default ./mediamon)
#   MEDIAMON_BENCH_ANALYSIS  the analysis driver (default
#                            build/bench/bench_analysis, built by make bench)
#   MEDIAMON_BENCH_FUSE_TREE the views' floor (default
#                            build/bench/bench_fuse_tree, built by make bench)
#   MEDIAMON_BENCH_SCAN_FLOOR the scans' floor (default
#                            build/bench/bench_scan_floor, built by make bench)
#   MEDIAMON_BENCH_LATENCY_FS the nas section's share (default
#                            build/bench/bench_latency_fs, built by make bench)
set -eu

REPO=$(cd "$(dirname "$0")/../.." && pwd)
BENCH_DIR=${MEDIAMON_BENCH_DIR:-$HOME/.cache/mediamon-bench}
CORPUS=$BENCH_DIR/corpus
FILES=${MEDIAMON_BENCH_FILES:-100000}
SECTIONS=${MEDIAMON_BENCH_SECTIONS:-mpd mediamon cold idle nas formats watch views covers analysis scale onefolder opds http playlists arm64 subsonic}
if [ -z "${MEDIAMON_BENCH_SECTIONS-}" ] &&
	[ "${MEDIAMON_BENCH_SCALE_PEERS-}" = yes ]; then
	SECTIONS=$(echo "$SECTIONS" | sed 's/\bscale\b/scale scalepeers/')
fi
# The scale section's library of tiny MP3s, cached like the corpus.
SCALE=$BENCH_DIR/scale
# The formats section's library: as many files as the corpus, in every
# format a home library holds (gen_corpus.py --mixed), cached like it.
FORMATS=$BENCH_DIR/formats
SCALE_FILES=${MEDIAMON_BENCH_SCALE_FILES:-1000000}
# The opds section's manga library of volume archives, cached like it.
OPDS=$BENCH_DIR/opds
OPDS_FILES=${MEDIAMON_BENCH_OPDS_FILES:-10000}
ONEFOLDER_FILES=${MEDIAMON_BENCH_ONEFOLDER_FILES:-1000 100000}
# The arm64 section's library, cached like the corpus: smaller, since
# every instruction of the arm64 build is emulated.
ARM64_LIB=$BENCH_DIR/arm64-library
ARM64_FILES=${MEDIAMON_BENCH_ARM64_FILES:-10000}
HISTORY=$BENCH_DIR/history.csv
SLOWER_PCT=10   # a change for the worse beyond this is flagged
TIMEOUT=${MEDIAMON_BENCH_TIMEOUT:-3600}
MEDIAMON=${MEDIAMON:-$REPO/mediamon}
ANALYSIS_DRIVER=${MEDIAMON_BENCH_ANALYSIS:-$REPO/build/bench/bench_analysis}
FUSE_TREE=${MEDIAMON_BENCH_FUSE_TREE:-$REPO/build/bench/bench_fuse_tree}
SCAN_FLOOR=${MEDIAMON_BENCH_SCAN_FLOOR:-$REPO/build/bench/bench_scan_floor}
# The analysis section's audio: synthesised once, then cached.
ANALYSIS_AUDIO=$BENCH_DIR/analysis-audio
WATCH_DRYRUN=${MEDIAMON_BENCH_WATCH_DRYRUN:-}
# The tracks the watch section copies in: a second, smaller generated
# library (another seed, so other names), cached like the corpus.
NEW_TRACKS=$BENCH_DIR/new-tracks
NEW_TRACKS_FILES=1000
WATCH_CHANGES=40          # single-file changes timed
WATCH_CHANGE_TIMEOUT=10   # seconds one of them may take to show
WATCH_BULK_TIMEOUT=300    # seconds the new tracks may take to show
PYTHON=/usr/bin/python3   # Debian's python3, the one with python3-mutagen

# Targets (see the issues): MPD rescan / mediamon full scan, no-change
# rescan, peak resident memory, p95 of a single-file change from the close
# of the write to visible in the mount (with the default 200 ms debounce).
TARGET_RATIO=10
TARGET_NOCHANGE_S=0.15
TARGET_RSS_KB=65536
TARGET_WATCH_P95_MS=500
# The library views: `ls -l` of the artists folder, `find` over every view,
# reads through the mount against direct reads of one album (the album
# read VIEWS_READ_PASSES times each way, in VIEWS_READ_ROUNDS rounds that
# take turns, the best round of each way kept: the machine may be shared).
TARGET_VIEWS_LS_MS=50
TARGET_VIEWS_FIND_S=3
TARGET_VIEWS_READ_RATIO=0.8
VIEWS_READ_PASSES=20
VIEWS_READ_ROUNDS=5
# The album of real-size files the views section reads (views_big_album).
BIG_ALBUM=$BENCH_DIR/views-album
BIG_ALBUM_TRACKS=6
# Cover art: the first scan with covers on may take at most 5% longer than
# with them off; COVERS_ROUNDS of each, taking turns, the best of each kept.
TARGET_COVERS_RATIO=1.05
COVERS_ROUNDS=5
# The scale library (issue 25): first scan, no-change rescan, the peak
# resident memory, and the store once the scan is done and its WAL
# checkpointed (the daemon stopped).
TARGET_SCALE_FIRST_S=25
# The first scan against its floor (the same walk and tags without the
# store, two threads), warm, 100,000 files (issue 80).
TARGET_FIRST_FLOOR_RATIO=2
TARGET_SCALE_NOCHANGE_S=1.5
TARGET_SCALE_RSS_KB=131072
TARGET_SCALE_STORE_MB=400
# The worst stat() or read of a status file (status_latency.py), during
# the first scan and after it (issue 32).
TARGET_SCALE_STATUS_MS=100
# The OPDS catalog (issue 51): the root and any series feed read through a
# web server in under 2 s; each read OPDS_READS times, the worst kept.
TARGET_OPDS_S=2
OPDS_READS=3
# Track analysis: seconds of audio analysed per second of CPU time.
TARGET_ANALYSIS_RATE=200
# The store the duplicate lookup is timed in: this many analysed tracks.
ANALYSIS_DUP_TRACKS=100000

WORK=""        # temporary directory of this run
MPD_PID=""     # our own mpd, while it runs
MM_PID=""      # mediamon, while it runs
FLOOR_PID=""   # bench_fuse_tree, while it runs
MM_MNT=""      # its mount point, while it may be mounted
MM_EXTRA_ROOT="" # a second music root for the next mediamon_start
MM_MANGA=""    # a manga root for the next mediamon_start
HS_PID=""      # python3 -m http.server, while it serves the mount
SL_PID=""      # status_latency.py, while it polls in the background
WATCH_LIB=""   # the watch section's library, while it exists
BROKEN=""      # set when a figure could not be trusted: exit 1 at the end

# ---------------------------------------------------------------- helpers

log() {
	printf 'bench: %s\n' "$*" >&2
}

die() {
	printf 'bench: error: %s\n' "$*" >&2
	exit 1
}

now() {
	date +%s.%N
}

# since START: seconds elapsed since START (a value of now), 3 decimals
since() {
	awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'
}

# verdict VALUE OP TARGET -> "ok" or "MISSED" (OP: lt, le or ge)
verdict() {
	if awk -v v="$1" -v t="$3" -v op="$2" \
		'BEGIN { exit !((op == "lt" && v < t) || (op == "le" && v <= t) ||
			(op == "ge" && v >= t)) }'; then
		echo ok
	else
		echo MISSED
	fi
}

# put KEY VALUE / get KEY: figures shared between sections
put() {
	printf '%s=%s\n' "$1" "$2" >>"$WORK/figures"
}

get() {
	sed -n "s/^$1=//p" "$WORK/figures" | tail -n 1
}

# row LABEL FIGURE [WALL [TARGET [VERDICT [CHANGE]]]]: one line of the
# final table
row() {
	printf '%s|%s|%s|%s|%s|%s\n' "$1" "$2" "${3-}" "${4-}" "${5-}" "${6-}" \
		>>"$WORK/table"
}

# figure_row KEY BETTER LABEL FIGURE [WALL [TARGET [VERDICT]]]: a row whose
# figure (its first number, or VALUE when KEY is given as KEY=VALUE) is
# kept in the history as KEY and shown with
# its change since the last run of an earlier commit. BETTER says which
# way is good: lower (a time), higher (a rate or a ratio), smaller (a
# size). A figure that is not a number (FAILED) is neither kept nor
# compared.
figure_row() {
	fr_key=$1 fr_better=$2
	shift 2
	case $fr_key in
	*=*) fr_value=${fr_key#*=} fr_key=${fr_key%%=*} ;;
	*) fr_value=$(printf '%s\n' "$2" |
		awk '$1 ~ /^[0-9.]+x?$/ { sub(/x$/, "", $1); print $1 }') ;;
	esac
	fr_change=""
	if [ -n "$fr_value" ]; then
		printf '%s,%s\n' "$fr_key" "$fr_value" >>"$WORK/results"
		fr_change=$(change "$fr_key" "$fr_value" "$fr_better")
	fi
	row "$1" "$2" "${3-}" "${4-}" "${5-}" "$fr_change"
}

# change KEY VALUE BETTER: VALUE against the figure KEY of the last run of
# an earlier commit, as a signed percentage, flagged when worse by more
# than SLOWER_PCT
change() {
	awk -F , -v k="$1" -v v="$2" -v better="$3" -v pct="$SLOWER_PCT" '
		$1 == k { old = $2 }
		END {
			if (old == "" || old + 0 == 0) exit
			d = (v - old) / old * 100
			worse = (better == "higher") ? -d : d
			flag = ""
			if (worse > pct)
				flag = (better == "smaller") ? " LARGER" : " SLOWER"
			printf "%+.1f%%%s\n", d, flag
		}' "$WORK/previous"
}

# commit_of_tree: the commit the benchmarked tree is at, "+dirty" when
# tracked files differ from it
commit_of_tree() {
	ct=$(git -C "$REPO" rev-parse --short=12 HEAD 2>/dev/null) || {
		echo unknown
		return 0
	}
	if [ -n "$(git -C "$REPO" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
		ct="$ct+dirty"
	fi
	echo "$ct"
}

# history_load: WORK/previous, each figure's value in the last run of an
# earlier commit (another commit, an ancestor of HEAD), with that commit
# and run: "KEY,VALUE,COMMIT of RUN"
history_load() {
	: >"$WORK/previous"
	[ -s "$HISTORY" ] || return 0
	hl_head=$(git -C "$REPO" rev-parse HEAD 2>/dev/null) || return 0
	: >"$WORK/earlier"
	# The commits of the history, each once, checked for being earlier.
	tail -n +2 "$HISTORY" | cut -d , -f 2 | sed 's/+dirty$//' | sort -u |
		while read -r hl_c; do
			hl_full=$(git -C "$REPO" rev-parse --verify -q "$hl_c^{commit}") ||
				continue
			[ "$hl_full" != "$hl_head" ] || continue
			git -C "$REPO" merge-base --is-ancestor "$hl_full" "$hl_head" &&
				echo "$hl_c" >>"$WORK/earlier"
		done
	tail -n +2 "$HISTORY" | awk -F , -v list="$WORK/earlier" '
		BEGIN { while ((getline c < list) > 0) ok[c] = 1 }
		{ c = $2; sub(/\+dirty$/, "", c) }
		ok[c] { value[$3] = $4; from[$3] = $2 " of " $1 }
		END { for (k in value) print k "," value[k] "," from[k] }' \
		>"$WORK/previous"
}

# baselines: the runs this run's figures were compared with, the most
# used first
baselines() {
	awk -F , 'NR == FNR { used[$1] = 1; next } used[$1] { print $3 }' \
		"$WORK/results" "$WORK/previous" | sort | uniq -c | sort -rn |
		sed 's/^ *[0-9]* //' >"$WORK/baseline"
}

# history_save: append this run's figures to the history, unless some
# were broken
history_save() {
	[ -s "$WORK/results" ] || return 0
	if [ -n "$BROKEN" ]; then
		log "figures not kept in $HISTORY: some are not valid"
		return 0
	fi
	[ -s "$HISTORY" ] || echo "run,commit,figure,value" >"$HISTORY"
	hs_run=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	hs_commit=$(commit_of_tree)
	sed "s/^/$hs_run,$hs_commit,/" "$WORK/results" >>"$HISTORY"
	log "figures kept in $HISTORY ($hs_commit)"
}

# stop_pid PID NAME: TERM, wait up to 10 s, then KILL; reaps the child.
stop_pid() {
	kill -TERM "$1" 2>/dev/null || true
	wait_gone "$1" 10 || {
		log "$2 (pid $1) did not exit in 10 s; killing it"
		kill -KILL "$1" 2>/dev/null || true
	}
	wait "$1" 2>/dev/null || true
}

# wait_gone PID SECONDS: true once PID has exited
wait_gone() {
	wg_i=0
	while running "$1"; do
		wg_i=$((wg_i + 1))
		[ "$wg_i" -le $(($2 * 10)) ] || return 1
		sleep 0.1
	done
}

# running PID: true while PID runs; a zombie (exited, not yet reaped by
# `wait`) does not count.
running() {
	case $(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null) in
	Z | '') return 1 ;;
	*) return 0 ;;
	esac
}

is_mounted() {
	awk -v m="$1" '$2 == m { found = 1 } END { exit !found }' /proc/self/mounts
}

# wait_mounted PID DIR LOG NAME: wait up to 30 s until the file system
# NAME (running as PID, its errors in LOG) is mounted at DIR
wait_mounted() {
	wm_i=0
	until is_mounted "$2"; do
		running "$1" || die "$4 exited: $(cat "$3")"
		wm_i=$((wm_i + 1))
		[ "$wm_i" -le 600 ] || die "$4 did not mount $2 in 30 s"
		sleep 0.05
	done
}

cleanup() {
	status=$?
	set +e
	[ -z "$SL_PID" ] || stop_pid "$SL_PID" status_latency.py
	[ -z "$HS_PID" ] || stop_pid "$HS_PID" http.server
	subsonic_stop
	mediamon_stop
	nas_stop
	floor_stop
	[ -n "$MPD_PID" ] && mpd_stop
	minidlna_stop
	watch_library_remove
	if [ -n "$WORK" ]; then
		if [ -n "$MM_MNT" ] && is_mounted "$MM_MNT"; then
			log "$MM_MNT is still mounted; leaving $WORK in place"
		else
			rm -rf --one-file-system "$WORK"
		fi
	fi
	exit "$status"
}

# ----------------------------------------------------------------- corpus

# generate SCRIPT DIR FILES WHAT [ARG...]: the library of FILES files
# tests/bench/SCRIPT writes in DIR, generated once, then cached
generate() {
	gen_script=$1 gen_dir=$2 gen_files=$3 gen_what=$4
	shift 4
	mkdir -p "$BENCH_DIR" || die "cannot create $BENCH_DIR"
	log "$gen_what: $gen_dir ($gen_files files; generated once, then cached)"
	"$PYTHON" "$REPO/tests/bench/$gen_script" "$gen_dir" \
		--files "$gen_files" "$@" || die "generating the $gen_what failed"
	[ -f "$gen_dir/.complete" ] || die "no $gen_what at $gen_dir"
}

corpus_ensure() {
	generate gen_corpus.py "$CORPUS" "$FILES" corpus
}

# Read every file so the timing that follows is a warm-cache figure. Called
# right before each timed phase, not once: this machine's memory manager
# (DAMON) pages out file cache left untouched for about a minute, so a cache
# warmed at the start would be cold again by the later phases.
corpus_warm() {
	warm "$CORPUS"
}

# warm DIR...: read every file under the DIRs into the page cache
warm() {
	warm_start=$(now)
	find "$@" -type f -print0 | xargs -0 cat >/dev/null ||
		die "could not read $*"
	log "page cache warmed in $(since "$warm_start") s ($*)"
}

corpus_describe() {
	flac=$(find "$CORPUS" -type f -name '*.flac' | wc -l)
	mp3=$(find "$CORPUS" -type f -name '*.mp3' | wc -l)
	size=$(du -sh "$CORPUS" | cut -f 1)
	put audio_files $((flac + mp3))
	put corpus_desc "$((flac + mp3)) audio files ($flac FLAC, $mp3 MP3), $size"
}

# -------------------------------------------------------------------- MPD

# port_free PORT: nothing listens on PORT (IPv4 or IPv6)
port_free() {
	hex=$(printf '%04X' "$1")
	! cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
		awk -v p="$hex" '$4 == "0A" && substr($2, length($2) - 3) == p { f = 1 }
			END { exit !f }'
}

# free_port FIRST LAST WHO: the first port from FIRST to LAST nothing
# listens on, for WHO (named when there is none)
free_port() {
	port=$1
	while ! port_free "$port"; do
		port=$((port + 1))
		[ "$port" -le "$2" ] || die "no free port in $1-$2 for $3"
	done
	echo "$port"
}

# mpd_write_conf DIR PORT MUSIC: DIR/mpd.conf for a private instance
mpd_write_conf() {
	dir=$1 port=$2 music=$3
	case $music in *'"'* | *\\*) die "corpus path must not contain quotes or backslashes" ;; esac
	mkdir -p "$dir/playlists"
	cat >"$dir/mpd.conf" <<EOF
music_directory    "$music"
playlist_directory "$dir/playlists"
db_file            "$dir/database"
state_file         "$dir/state"
pid_file           "$dir/pid"
log_file           "$dir/log"
bind_to_address    "127.0.0.1"
port               "$port"
auto_update        "no"
zeroconf_enabled   "no"
audio_output {
	type "null"
	name "null"
}
EOF
}

mpc_() {
	mpc -h 127.0.0.1 -p "$MPD_PORT" "$@"
}

# mpd_launch MUSIC: start mpd on MUSIC, wait until it answers
mpd_launch() {
	mpd_write_conf "$MPD_DIR" "$MPD_PORT" "$1"
	mpd --no-daemon "$MPD_DIR/mpd.conf" >"$MPD_DIR/stdout" 2>&1 &
	MPD_PID=$!
	ms_i=0
	until mpc_ status >/dev/null 2>&1; do
		if ! running "$MPD_PID"; then
			tail -n 20 "$MPD_DIR/stdout" "$MPD_DIR/log" >&2 2>/dev/null
			MPD_PID=""
			die "mpd exited at startup (see above)"
		fi
		ms_i=$((ms_i + 1))
		[ "$ms_i" -le 500 ] || die "mpd did not answer on port $MPD_PORT in 10 s"
		sleep 0.02
	done
}

# mpd_updating: a database update runs
mpd_updating() {
	mpc_ status | grep -q '^Updating DB'
}

mpd_songs() {
	mpc_ stats | sed -n 's/^Songs:[[:space:]]*//p'
}

# Start mpd on the corpus with an empty database and no update running.
# Without a database file mpd starts a full update by itself at once, which
# would overlap the timed one; so a first instance on an empty directory
# writes an empty database, and the real instance starts from that.
# mpd_start [MUSIC]: MPD on an empty database of MUSIC (default the corpus)
# shellcheck disable=SC2120 # bench_scale_peers.sh passes MUSIC
mpd_start() {
	MPD_DIR=$WORK/mpd
	# an earlier section's database, state and log go
	rm -rf "$MPD_DIR"
	mkdir -p "$MPD_DIR/empty"
	MPD_PORT=$(free_port 6601 6699 mpd)
	mpd_launch "$MPD_DIR/empty"
	ms_i=0
	while mpd_updating || [ ! -s "$MPD_DIR/database" ]; do
		running "$MPD_PID" || die "mpd exited while creating its database"
		ms_i=$((ms_i + 1))
		[ "$ms_i" -le 500 ] || die "mpd wrote no empty database in 10 s"
		sleep 0.02
	done
	mpd_stop
	mpd_launch "${1:-$CORPUS}"
	! mpd_updating || die "mpd started an update by itself"
	[ "$(mpd_songs)" = 0 ] || die "mpd did not start from an empty database"
	log "mpd answers on 127.0.0.1:$MPD_PORT (pid $MPD_PID), empty database"
}

mpd_stop() {
	stop_pid "$MPD_PID" mpd
	MPD_PID=""
}

# mpd_time COMMAND: run `mpc -w COMMAND` (update or rescan), print seconds.
mpd_time() {
	start=$(now)
	mpc_ -q --wait "$1" >/dev/null 2>"$MPD_DIR/mpc.err" ||
		die "mpc $1 failed: $(cat "$MPD_DIR/mpc.err")"
	seconds=$(since "$start")
	# --wait must have waited for the whole job, or the figure means nothing.
	if mpc_ status | grep -q '^Updating DB'; then
		die "mpc --wait $1 returned while MPD was still updating"
	fi
	echo "$seconds"
}

section_mpd() {
	mpd_start
	corpus_warm
	log "MPD: first database build (mpc --wait update)"
	update_s=$(mpd_time update)
	songs=$(mpd_songs)
	log "MPD: update ${update_s} s, $songs songs"
	[ "$songs" = "$(get audio_files)" ] ||
		log "warning: MPD has $songs songs, the corpus $(get audio_files) audio files"
	# The rescan is the figure the main target compares against, and it
	# varies by a quarter from run to run here: keep MPD's best of 2.
	rescan_s=""
	for n in 1 2; do
		corpus_warm
		log "MPD: rescan of every file (mpc --wait rescan), run $n of 2"
		t=$(mpd_time rescan)
		log "MPD: rescan ${t} s"
		if [ -z "$rescan_s" ] || [ "$(verdict "$t" lt "$rescan_s")" = ok ]; then
			rescan_s=$t
		fi
	done
	mpd_stop
	put mpd_update_s "$update_s"
	put mpd_rescan_s "$rescan_s"
	figure_row "mpd_update_s@$FILES" lower \
		"MPD update (first database build)" "$update_s s"
	figure_row "mpd_rescan_s@$FILES" lower \
		"MPD rescan (re-read every file, best of 2)" "$rescan_s s"
	corpus_warm
	minidlna_scan "$CORPUS" minidlna_first_s
	figure_row "minidlna_first_s@$FILES" lower \
		"minidlna first scan ($(get minidlna_first_s_files) files)" \
		"$(get minidlna_first_s) s"
}

# --------------------------------------------------------------- mediamon

# mediamon_start [MUSIC [CONFIG]]: a fresh database, MUSIC (default the
# corpus) as the only root, and the configuration file CONFIG if given.
# The background audio analysis is off unless CONFIG turns it on: these
# sections time scans, the watcher and the views, and 100,000 tracks of
# analysis would take the CPU they are timed on (the analysis section
# times it on its own). The queue is still filled during the scan.
mediamon_start() {
	mm_music=${1:-$CORPUS}
	mm_config=${2-}
	if [ -z "$mm_config" ]; then
		mm_config=$WORK/bench.conf
		printf '[analysis]\nenabled = no\n' >"$mm_config"
	fi
	[ -x "$MEDIAMON" ] || die "$MEDIAMON is not built (make mediamon)"
	case $mm_music$WORK$mm_config in *,*) die "paths given with -o must not contain commas" ;; esac
	MM_MNT=$WORK/mnt
	MM_DB=$WORK/mediamon.db
	MM_LOG=$WORK/mediamon.log
	mkdir -p "$MM_MNT"
	rm -f "$MM_DB" "$MM_DB-wal" "$MM_DB-shm" # a fresh db: a true first scan
	MM_START=$(now)
	set -- -f
	[ -z "$mm_config" ] || set -- "$@" -o "config=$mm_config"
	[ -z "$MM_EXTRA_ROOT" ] || set -- "$@" -o "music=$MM_EXTRA_ROOT"
	[ -z "$MM_MANGA" ] || set -- "$@" -o "manga=$MM_MANGA"
	"$MEDIAMON" "$@" -o "music=$mm_music" -o "db=$MM_DB" "$MM_MNT" >"$MM_LOG" 2>&1 &
	MM_PID=$!
	mm_i=0
	until [ -r "$MM_MNT/metrics/scan.json" ]; do
		mediamon_alive || die "mediamon exited before its mount came up"
		mm_i=$((mm_i + 1))
		[ "$mm_i" -le 1500 ] || die "the mount at $MM_MNT did not come up in 30 s"
		sleep 0.02
	done
	log "mediamon mounted $MM_MNT (pid $MM_PID) after $(since "$MM_START") s"
}

# mediamon_alive: the daemon still runs; if not, show its last log lines.
mediamon_alive() {
	[ -n "$MM_PID" ] && running "$MM_PID" && return 0
	log "mediamon exited; last lines of its log:"
	tail -n 20 "$MM_LOG" >&2 || true
	[ -z "$MM_PID" ] || wait "$MM_PID" 2>/dev/null || true
	MM_PID=""
	return 1
}

mediamon_stop() {
	[ -n "$MM_MNT" ] || return 0
	if is_mounted "$MM_MNT"; then
		fusermount3 -u "$MM_MNT" 2>/dev/null ||
			{ sleep 1; fusermount3 -u "$MM_MNT"; } ||
			log "warning: could not unmount $MM_MNT"
	fi
	if [ -z "$MM_PID" ]; then
		:
	elif wait_gone "$MM_PID" 10; then
		wait "$MM_PID" 2>/dev/null || true
	else
		stop_pid "$MM_PID" mediamon
	fi
	MM_PID=""
	if is_mounted "$MM_MNT"; then
		fusermount3 -u -z "$MM_MNT" 2>/dev/null || log "warning: $MM_MNT is still mounted"
	fi
}

# scan_json FILTER: apply a jq filter to the current metrics/scan.json
scan_json() {
	jq -r "$1" "$MM_MNT/metrics/scan.json"
}

# scan_wait OLD_ID: wait until the last finished scan is a new one (its
# id differs from OLD_ID) and none runs. The daemon times its scans
# itself, and scan_record() takes the wall time from the finish it
# records, so the wait only has to cost the scan nothing: one grep every
# 0.5 s until no scan runs, and jq only then. (Looking with jq, awk and
# date every 20 ms took most of a core here, jq alone 20 ms a start, and
# made the 1,000,000-file rescan 0.5 s slower than it is; a grep every
# 0.1 s still cost it 30-40 ms while the mount answered with a loop of its
# own, whose watchdog each read kept ticking every 2 ms for 50 ms.)
# Whether the daemon still runs is looked at every second.
scan_wait() {
	sw_looks=0
	sw_max=$(awk -v t="$TIMEOUT" 'BEGIN { printf "%d", t * 2 }')
	until grep -q '"running": *null' "$MM_MNT/metrics/scan.json" 2>/dev/null &&
		jq -e --arg old "$1" \
			'.running == null and .last != null and (.last.id | tostring) != $old' \
			"$MM_MNT/metrics/scan.json" >/dev/null 2>&1; do
		sw_looks=$((sw_looks + 1))
		if [ $((sw_looks % 2)) = 0 ]; then
			mediamon_alive || die "mediamon exited during a scan"
		fi
		[ "$sw_looks" -le "$sw_max" ] || die "scan not finished after $TIMEOUT s"
		sleep 0.5
	done
}

# scan_record NAME START: keep the last scan's figures as NAME_*, its wall
# time from START (a value of now, when it was asked) to the finish the
# daemon recorded, check it succeeded, and log a one-line summary.
scan_record() {
	scan_json '.last | [.duration_s, .files_seen, .files_per_s, .peak_rss_kb,
		.success, .trigger, .id, .finished_at_s] | map(tostring) | join(" ")' >"$WORK/last"
	read -r duration seen rate rss success trigger id finished <"$WORK/last"
	wall=$(awk -v a="$2" -v b="$finished" 'BEGIN { printf "%.3f", b - a }')
	put "$1_s" "$duration"
	put "$1_wall_s" "$wall"
	put "$1_rss_kb" "$rss"
	log "mediamon $1: scan $id ($trigger) ${duration} s (wall $wall s), $seen files, $rate files/s, peak RSS $rss kB, success $success"
	if [ "$success" != true ]; then
		log "error: scan $id reported success=$success; its figures are not valid"
		BROKEN=1
	fi
}

# median3 NAME: NAME_s and NAME_wall_s, those of the median of the runs
# NAME1, NAME2 and NAME3 that scan_record kept
median3() {
	for n in 1 2 3; do
		echo "$(get "$1${n}_s") $(get "$1${n}_wall_s")"
	done | sort -g | sed -n 2p >"$WORK/median"
	read -r m_s m_wall <"$WORK/median"
	put "$1_s" "$m_s"
	put "$1_wall_s" "$m_wall"
}

# mediamon_rescan COMMAND NAME: echo COMMAND > control/rescan, wait, record
mediamon_rescan() {
	old=$(scan_json '.last.id | tostring')
	start=$(now)
	echo "$1" >"$MM_MNT/control/rescan" || die "writing '$1' to control/rescan failed"
	scan_wait "$old"
	scan_record "$2" "$start"
}

# VmHWM: the daemon's peak resident set, from the kernel, in kB
mediamon_vmhwm() {
	sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$MM_PID/status"
}

# The first scan is the median of 3, each with a fresh database right
# after corpus_warm: even then the machine's memory manager may page out
# part of what was just read (a region it sampled as idle), and the daemon
# then logs that it read the disk. Each run says whether it did.
section_mediamon() {
	for n in 1 2 3; do
		[ "$n" = 1 ] || mediamon_stop
		corpus_warm
		mediamon_start
		log "mediamon: first full scan (startup, fresh database), run $n of 3"
		scan_wait ""
		scan_record "first$n" "$MM_START"
		trigger=$(scan_json '.last.trigger')
		[ "$trigger" = startup ] || log "warning: the first scan's trigger is '$trigger', not 'startup'"
		! grep -q 'the page cache is cold' "$MM_LOG" ||
			log "mediamon: run $n read part of the corpus from the disk"
	done
	median3 first

	log "mediamon: no-change rescans (echo 1 > control/rescan), median of 3"
	for n in 1 2 3; do
		corpus_warm
		mediamon_rescan 1 "nochange$n"
	done
	median3 nochange

	corpus_warm
	log "mediamon: full re-read (echo full > control/rescan)"
	mediamon_rescan full full
	find_time "$CORPUS" find_s
	scan_floor "$CORPUS" floor_s
	scan_floor "$CORPUS" floor_stat_s --stat
	scan_floor "$CORPUS" floor_watch_s --stat --watch

	vmhwm=$(mediamon_vmhwm)
	put mm_vmhwm_kb "$vmhwm"
	mediamon_stop

	figure_row "first_s@$FILES" lower "mediamon first full scan (median of 3)" \
		"$(get first_s) s" "$(get first_wall_s) s"
	figure_row "floor_s@$FILES" lower \
		"  the same walk and tags without the store (the floor)" \
		"$(get floor_s) s"
	figure_row "nochange_s@$FILES" lower \
		"mediamon no-change rescan (median of 3)" "$(get nochange_s) s" \
		"$(get nochange_wall_s) s" "< $TARGET_NOCHANGE_S s" \
		"$(verdict "$(get nochange_s)" lt "$TARGET_NOCHANGE_S")"
	figure_row "floor_watch_s@$FILES" lower \
		"  the same stat()s without the store, folders watched (the floor)" \
		"$(get floor_watch_s) s"
	figure_row "floor_stat_s@$FILES" lower \
		"  the same stat()s without the store, no watches" \
		"$(get floor_stat_s) s"
	figure_row "find_s@$FILES" lower \
		"  find -printf size, mtime, inode (one thread)" \
		"$(get find_s) s"
	figure_row "full_s@$FILES" lower "mediamon full re-read (rescan full)" \
		"$(get full_s) s" "$(get full_wall_s) s"
	figure_row "vmhwm_kb@$FILES" smaller "mediamon peak RSS (VmHWM)" \
		"$vmhwm kB" "" "< $TARGET_RSS_KB kB" \
		"$(verdict "$vmhwm" lt "$TARGET_RSS_KB")"
	figure_row "full_rss_kb@$FILES" smaller \
		"mediamon peak RSS (scan.json, full re-read)" "$(get full_rss_kb) kB"
}

# ---------------------------------------------------------------- formats

# The first scan and no-change rescan of a library of every format (Ogg,
# Opus, MP4, WavPack, WAV, AIFF beside FLAC and MP3), the same size as
# the corpus, shown under the FLAC and MP3 figures of section_mediamon.
section_formats() {
	generate gen_corpus.py "$FORMATS" "$FILES" "mixed-format library" \
		--mixed
	warm "$FORMATS"
	mediamon_start "$FORMATS"
	log "mediamon: first full scan of the mixed-format library"
	scan_wait ""
	scan_record formats_first "$MM_START"
	for n in 1 2 3; do
		warm "$FORMATS"
		mediamon_rescan 1 "formats_nochange$n"
	done
	median3 formats_nochange
	mediamon_stop
	figure_row "formats_first_s@$FILES" lower \
		"mediamon first full scan, mixed formats" \
		"$(get formats_first_s) s" "$(get formats_first_wall_s) s"
	figure_row "formats_nochange_s@$FILES" lower \
		"mediamon no-change rescan, mixed formats (median of 3)" \
		"$(get formats_nochange_s) s" "$(get formats_nochange_wall_s) s"
}

# ------------------------------------------------------------------ watch

# new_tracks_ensure: the tracks to copy in, generated once and cached; seed
# 2, so their names differ from the corpus's.
new_tracks_ensure() {
	generate gen_corpus.py "$NEW_TRACKS" "$NEW_TRACKS_FILES" "new tracks" \
		--seed 2
}

# watch_library: WATCH_LIB, a library holding the corpus, for the watcher
# to watch while files are added to it: the corpus itself stays pristine.
# Hard links (cp -al) make it in seconds and take no space, but need the
# corpus's filesystem: when the work directory is on another one, the
# library goes in the cache directory. Where hard links fail, a copy of a
# 10,000-file subset stands in, and the table says so.
watch_library() {
	if [ "$(stat -c %d "$WORK")" = "$(stat -c %d "$CORPUS")" ]; then
		WATCH_LIB=$WORK/library
		mkdir "$WATCH_LIB"
	else
		WATCH_LIB=$(mktemp -d "$BENCH_DIR/watch-library.XXXXXX")
		log "$WORK is not on the corpus's filesystem: the watched library goes in $WATCH_LIB (removed at the end)"
	fi
	case $WATCH_LIB in *,*) die "paths given with -o must not contain commas" ;; esac
	wl_start=$(now)
	if cp -al "$CORPUS/." "$WATCH_LIB/" 2>"$WORK/cp.err"; then
		put watch_lib_files "$(get audio_files)"
		log "watched library: $WATCH_LIB, the corpus hard-linked in $(since "$wl_start") s"
		return 0
	fi
	log "warning: cannot hard-link the corpus into $WATCH_LIB ($(head -n 1 "$WORK/cp.err"))"
	log "warning: watching a copy of a 10,000-file subset instead"
	watch_library_remove
	WATCH_LIB=$WORK/library
	mkdir "$WATCH_LIB"
	(cd "$CORPUS" && find . -type f \( -name '*.flac' -o -name '*.mp3' \) -print0 |
		sort -z | head -z -n 10000 | xargs -0 cp -a --parents -t "$WATCH_LIB") ||
		die "could not copy a subset of the corpus into $WATCH_LIB"
	put watch_lib_files "$(find "$WATCH_LIB" -type f | wc -l)"
	put watch_lib_note "SUBSET: no hard links"
}

watch_library_remove() {
	[ -n "$WATCH_LIB" ] || return 0
	rm -rf --one-file-system "$WATCH_LIB" || log "warning: could not remove $WATCH_LIB"
	WATCH_LIB=""
}

# watch_enabled: the daemon says its watcher runs (dies if not, unless in
# a dry run, which needs no watcher)
watch_enabled() {
	if [ -n "$WATCH_DRYRUN" ]; then
		log "watch: DRY RUN: each change is followed by a write to control/rescan"
		return 0
	fi
	jq -e '.watcher.enabled == true' "$MM_MNT/status/summary.json" >/dev/null ||
		die "this mediamon does not watch its roots (status/summary.json: watcher.enabled is not true); build one with the watcher, or set MEDIAMON_BENCH_WATCH_DRYRUN=1 to test the bench"
	[ -r "$MM_MNT/metrics/watch.json" ] ||
		die "the watcher is enabled but there is no metrics/watch.json"
	log "watch: watcher on, $(jq -r '.watcher | "\(.watches) directories watched, \(.overflows) overflows"' \
		"$MM_MNT/status/summary.json")"
}

# watch_helper MODE ARGS...: run watch_latency.py MODE on the watched
# library and keep its KEY=VALUE figures; false, with BROKEN set, when it
# failed
watch_helper() {
	wh_mode=$1
	shift
	[ -z "$WATCH_DRYRUN" ] || set -- "$@" --dry-run
	wh_rc=0
	"$PYTHON" "$REPO/tests/bench/watch_latency.py" "$wh_mode" --mnt "$MM_MNT" \
		--lib "$WATCH_LIB" --source "$NEW_TRACKS" \
		--targets "$WORK/watch-targets" "$@" >"$WORK/watch.out" || wh_rc=$?
	while IFS='=' read -r key value; do
		put "$key" "$value"
	done <"$WORK/watch.out"
	[ "$wh_rc" != 0 ] || return 0
	mediamon_alive || die "mediamon exited during the watch section"
	log "error: the watch section's $wh_mode step failed (see above)"
	BROKEN=1
	return 1
}

# watch_json_read NAME: keep the daemon's own latency figures as
# watch_NAME_daemon_*, and log them with its other watcher figures
watch_json_read() {
	[ -r "$MM_MNT/metrics/watch.json" ] || return 0
	jq -r '[.latency_ms.samples, .latency_ms.p50, .latency_ms.p95,
		.latency_ms.max, .batches, .paths_submitted, .overflows,
		(.events | tostring)] | map(tostring) | join(" ")' \
		"$MM_MNT/metrics/watch.json" >"$WORK/watch.json.line" ||
		die "metrics/watch.json is not what this script expects"
	read -r samples p50 p95 max batches paths overflows events <"$WORK/watch.json.line"
	log "watch: metrics/watch.json after the $1 step: latency p50 $p50 ms, p95 $p95 ms, max $max ms (over the last $samples samples, at most 1024); $batches batches, $paths paths submitted, $overflows overflows; events $events"
	case $p95 in '' | null) return 0 ;; esac
	put "watch_$1_daemon_samples" "$samples"
	put "watch_$1_daemon_ms" "$(ms3 "$p50" "$p95" "$max")"
}

# ms3 A B C: "A / B / C ms", rounded
ms3() {
	awk -v a="$1" -v b="$2" -v c="$3" 'BEGIN { printf "%.0f / %.0f / %.0f ms", a, b, c }'
}

# The single-file changes run first, on the idle library, so the daemon's
# own latency figures (its last 1,024 samples) cover exactly those; then
# the bulk copy.
section_watch() {
	new_tracks_ensure
	watch_library
	"$PYTHON" "$REPO/tests/bench/watch_latency.py" prepare --lib "$WATCH_LIB" \
		--targets "$WORK/watch-targets" --count $(((WATCH_CHANGES + 1) / 2)) ||
		die "could not prepare the files to retag"
	warm "$WATCH_LIB"
	mediamon_start "$WATCH_LIB"
	log "watch: first scan of the watched library ($(get watch_lib_files) audio files)"
	scan_wait ""
	scan_record watch_first "$MM_START"
	watch_enabled

	warm "$NEW_TRACKS"
	log "watch: $WATCH_CHANGES single-file changes, one at a time"
	watch_helper single --changes "$WATCH_CHANGES" \
		--timeout "$WATCH_CHANGE_TIMEOUT" || true
	watch_json_read single

	warm "$NEW_TRACKS"
	log "watch: $NEW_TRACKS_FILES new tracks copied in, in new folders (cp -r)"
	watch_helper bulk --timeout "$WATCH_BULK_TIMEOUT" || true
	watch_json_read bulk

	warm "$NEW_TRACKS"
	log "watch: $NEW_TRACKS_FILES new tracks copied into existing folders (cp -r)"
	watch_helper bulk --existing --timeout "$WATCH_BULK_TIMEOUT" || true
	watch_json_read refill

	put watch_vmhwm_kb "$(mediamon_vmhwm)"
	mediamon_stop
	watch_library_remove
	watch_rows
}

# ------------------------------------------------------------------ views

# views_album: the corpus album (ARTIST/ALBUM (YEAR)) with the most bytes
# that the artists view shows under the same names, with as many files,
# all of them tracks (no cover art either way, so both reads are of the
# same files).
views_album() {
	du -s "$CORPUS"/*/*/ | sort -rn | while read -r _ dir; do
		rel=${dir#"$CORPUS"/}
		rel=${rel%/}
		through=$MM_MNT/library/music/artists/$rel
		[ -d "$through" ] || continue
		[ "$(ls "$dir" | wc -l)" = "$(ls "$through" | wc -l)" ] || continue
		[ -z "$(find "$dir" "$through" -maxdepth 1 ! -type d \
			! -name '*.flac' ! -name '*.mp3')" ] || continue
		printf '%s\n' "$rel"
		break
	done
}

# views_big_album: a folder of audio files of real size, synthesised once
# and cached (BIG_ALBUM_TRACKS FLAC files of 90 s of pink noise, about 7 MB
# each), given to the views section's daemon as a second music root. The
# corpus's files are a few kB, so reading its albums times opens, not
# throughput; this album times throughput. Prints the album's folder
# relative to its root.
views_big_album() {
	vb_dir="$BIG_ALBUM/Bench Artist/Bench Album (2020)"
	if [ ! -f "$BIG_ALBUM/.complete" ]; then
		rm -rf "$BIG_ALBUM"
		mkdir -p "$vb_dir" || die "cannot create $vb_dir"
		vb_i=1
		while [ "$vb_i" -le "$BIG_ALBUM_TRACKS" ]; do
			# named as the views name it, so both sides list alike
			vb_f="$vb_dir/0$vb_i - Track $vb_i.flac"
			sox -n -r 44100 -c 2 -b 16 "$vb_f" synth 90 pinknoise \
				vol 0.3 2>/dev/null &&
			metaflac --set-tag="ARTIST=Bench Artist" \
				--set-tag="ALBUM=Bench Album" --set-tag=DATE=2020 \
				--set-tag="TITLE=Track $vb_i" \
				--set-tag="TRACKNUMBER=$vb_i" "$vb_f" ||
				die "cannot synthesise $vb_f (sox, metaflac)"
			vb_i=$((vb_i + 1))
		done
		: >"$BIG_ALBUM/.complete"
	fi
	printf '%s\n' "Bench Artist/Bench Album (2020)"
}

# views_compare KEY DIRECT THROUGH: read every file of DIRECT and of
# THROUGH (the same album through the mount) VIEWS_READ_PASSES times, in
# VIEWS_READ_ROUNDS rounds taking turns; keeps the best of each as
# KEY_direct_s and KEY_mount_s, and the album's size as KEY_bytes
views_compare() {
	warm "$2"
	put "$1_bytes" "$(cat "$2"/* | wc -c)"
	: >"$WORK/views-direct"
	: >"$WORK/views-mount"
	vr_round=0
	while [ "$vr_round" -lt "$VIEWS_READ_ROUNDS" ]; do
		printf '%s\n' "$(views_read "$2")" >>"$WORK/views-direct"
		printf '%s\n' "$(views_read "$3")" >>"$WORK/views-mount"
		vr_round=$((vr_round + 1))
	done
	put "$1_direct_s" "$(sort -g "$WORK/views-direct" | head -n 1)"
	put "$1_mount_s" "$(sort -g "$WORK/views-mount" | head -n 1)"
	vc_first=$(ls "$2" | head -n 1)
	cmp -s "$2/$vc_first" "$3/$vc_first" ||
		die "a file read through the mount differs from the original"
}

# views_compare_rows KEY WHAT TARGET: the rows of views_compare's figures
views_compare_rows() {
	mb=$(awk -v b="$(get "$1_bytes")" -v p="$VIEWS_READ_PASSES" \
		'BEGIN { printf "%.1f", b * p / 1048576 }')
	figure_row "$1_direct_s@$FILES" lower \
		"views: $2 read $VIEWS_READ_PASSES times ($mb MB), direct" \
		"$(get "$1_direct_s") s"
	figure_row "$1_mount_s@$FILES" lower \
		"views: the same through the mount" "$(get "$1_mount_s") s"
	ratio_row "views: mount read throughput / direct" "$1_direct_s" \
		"$1_mount_s" "$3"
}

# views_read DIR: read every file of DIR VIEWS_READ_PASSES times; prints
# the seconds it took
views_read() {
	vr_start=$(now)
	vr_i=0
	while [ "$vr_i" -lt "$VIEWS_READ_PASSES" ]; do
		cat "$1"/* >/dev/null || die "reading $1 failed"
		vr_i=$((vr_i + 1))
	done
	since "$vr_start"
}

# views_floor: walk, as the views section walked mediamon's, the same
# tree served from memory by bench_fuse_tree: what the kernel and FUSE
# alone cost for it here. Keeps views_floor_s.
views_floor() {
	[ -x "$FUSE_TREE" ] || die "$FUSE_TREE is not built (make bench)"
	floor=$WORK/floor
	mkdir -p "$floor"
	"$FUSE_TREE" "$WORK/views-tree" "$floor" 2>"$WORK/floor.log" &
	FLOOR_PID=$!
	wait_mounted "$FLOOR_PID" "$floor" "$WORK/floor.log" bench_fuse_tree
	start=$(now)
	n=$(find "$floor" | wc -l)
	put views_floor_s "$(since "$start")"
	[ "$n" = "$(get views_entries)" ] ||
		log "warning: the floor tree has $n entries, the views $(get views_entries)"
	floor_stop
}

floor_stop() {
	[ -n "$FLOOR_PID" ] || return 0
	is_mounted "$WORK/floor" && fusermount3 -u "$WORK/floor"
	wait_gone "$FLOOR_PID" 10 || stop_pid "$FLOOR_PID" bench_fuse_tree
	wait "$FLOOR_PID" 2>/dev/null || true
	FLOOR_PID=""
}

# views_lslr DIR KEY: a second ls -lR of DIR (issue 80: what the kernel
# keeps of it), kept as KEY_us, microseconds an entry, and KEY_entries
views_lslr() {
	ls -lR "$1" >/dev/null || die "ls -lR $1 failed"
	vl_start=$(now)
	ls -lR "$1" >/dev/null || die "the second ls -lR $1 failed"
	vl_s=$(since "$vl_start")
	vl_n=$(find "$1" | wc -l)
	put "$2_entries" "$vl_n"
	put "$2_us" "$(awk -v s="$vl_s" -v n="$vl_n" \
		'BEGIN { printf "%.1f", (n > 0 ? s * 1e6 / n : 0) }')"
}

section_views() {
	big=$(views_big_album)
	corpus_warm
	MM_EXTRA_ROOT=$BIG_ALBUM
	mediamon_start
	MM_EXTRA_ROOT=""
	log "views: first scan (startup, fresh database)"
	scan_wait ""
	scan_record views_first "$MM_START"
	lib=$MM_MNT/library/music

	start=$(now)
	ls -l "$lib/artists" >/dev/null || die "ls -l of the artists view failed"
	put views_ls_first_ms "$(awk -v s="$(since "$start")" 'BEGIN { printf "%.1f", s * 1000 }')"
	: >"$WORK/views-ls"
	for n in 1 2 3 4 5; do
		start=$(now)
		ls -l "$lib/artists" >/dev/null || die "ls -l of the artists view failed"
		awk -v s="$(since "$start")" 'BEGIN { printf "%.1f\n", s * 1000 }' >>"$WORK/views-ls"
	done
	put views_ls_ms "$(sort -g "$WORK/views-ls" | sed -n 3p)"
	put views_artists "$(ls "$lib/artists" | wc -l)"

	start=$(now)
	put views_entries "$(find "$lib" | wc -l)"
	put views_find_s "$(since "$start")"
	start=$(now)
	find "$lib" >/dev/null || die "the second walk of the views failed"
	put views_find_again_s "$(since "$start")"

	views_lslr "$lib" views_lslr
	views_lslr "$CORPUS" views_lslr_plain

	start=$(now)
	du -s "$lib/albums" >/dev/null || die "du of the albums view failed"
	put views_du_s "$(since "$start")"
	find "$lib" -mindepth 1 -printf '%y %P\0' >"$WORK/views-tree" ||
		die "the views could not be listed for the floor"

	album=$(views_album)
	[ -n "$album" ] || die "no corpus album is in the artists view under its own name"
	views_compare views_small "$CORPUS/$album" "$lib/artists/$album"
	[ -d "$lib/artists/$big" ] || die "the synthesised album is not in the artists view"
	views_compare views_big "$BIG_ALBUM/$big" "$lib/artists/$big"
	put views_vmhwm_kb "$(mediamon_vmhwm)"
	mediamon_stop
	views_floor

	figure_row "views_ls_first_ms@$FILES" lower \
		"views: ls -l artists/ ($(get views_artists) folders), first" \
		"$(get views_ls_first_ms) ms"
	figure_row "views_ls_ms@$FILES" lower \
		"views: ls -l artists/, median of 5" "$(get views_ls_ms) ms" "" \
		"< $TARGET_VIEWS_LS_MS ms" \
		"$(verdict "$(get views_ls_ms)" lt "$TARGET_VIEWS_LS_MS")"
	figure_row "views_find_s@$FILES" lower \
		"views: find library/music ($(get views_entries) entries)" \
		"$(get views_find_s) s" "" "< $TARGET_VIEWS_FIND_S s" \
		"$(verdict "$(get views_find_s)" lt "$TARGET_VIEWS_FIND_S")"
	figure_row "views_find_again_s@$FILES" lower \
		"views: the same find again (listings the kernel kept)" \
		"$(get views_find_again_s) s"
	figure_row "views_lslr_us@$FILES" lower \
		"views: a second ls -lR library/music, an entry ($(get views_lslr_entries))" \
		"$(get views_lslr_us) us" "" "<= 20 us" \
		"$(verdict "$(get views_lslr_us)" le 20)"
	figure_row "views_lslr_plain_us@$FILES" lower \
		"views: a second ls -lR of the library's own folder, an entry ($(get views_lslr_plain_entries))" \
		"$(get views_lslr_plain_us) us"
	figure_row "views_floor_s@$FILES" lower \
		"views: the same tree served from memory (the floor)" \
		"$(get views_floor_s) s"
	ratio_row "views: find through mediamon / through the floor" \
		views_find_s views_floor_s "" lower
	row "views:   (the floor: bench_fuse_tree, no work behind a request)" ""
	figure_row "views_du_s@$FILES" lower "views: du -s library/music/albums" \
		"$(get views_du_s) s"
	views_compare_rows views_small "a corpus album (files of a few kB)" ""
	views_compare_rows views_big "an album of $BIG_ALBUM_TRACKS FLAC files of real size" \
		"$TARGET_VIEWS_READ_RATIO"
	row "views:   (each the best of $VIEWS_READ_ROUNDS rounds taking turns)" ""
	figure_row "views_vmhwm_kb@$FILES" smaller \
		"views: mediamon peak RSS (VmHWM)" "$(get views_vmhwm_kb) kB"
}

# ----------------------------------------------------------------- covers

# covers_scan yes|no ROUND: the first scan of the corpus with [music]
# covers so; keeps its figures as covers_yes_ROUND_* and the cover counts
# of summary.json; a run whose counts show the key was not applied
# breaks the figures.
# covers_conf VALUE: write the config of a timed run with [music] covers
# = VALUE (yes or no), the analysis off, as $WORK/covers-VALUE.conf
covers_conf() {
	printf '[music]\ncovers = %s\n[analysis]\nenabled = no\n' "$1" \
		>"$WORK/covers-$1.conf"
}

covers_scan() {
	covers_conf "$1"
	corpus_warm
	mediamon_start "$CORPUS" "$WORK/covers-$1.conf"
	log "covers: first scan with covers = $1, round $2 of $COVERS_ROUNDS"
	scan_wait ""
	scan_record "covers_$1_$2" "$MM_START"
	jq -r '.counts | [.albums, .albums_with_cover, .albums_without_cover]
		| map(tostring) | join(" ")' "$MM_MNT/status/summary.json" \
		>"$WORK/covers.counts" || die "status/summary.json has no counts"
	read -r albums with without <"$WORK/covers.counts"
	mediamon_stop
	if [ "$1" = no ] && [ "$with$without" != 00 ]; then
		log "error: covers = no, yet $with albums with a cover and $without without"
		BROKEN=1
	elif [ "$1" = yes ] && [ "$((with + without))" != "$albums" ]; then
		log "error: covers = yes, yet $with + $without albums of $albums counted"
		BROKEN=1
	fi
	put covers_albums "$albums"
	[ "$1" = no ] || put covers_with "$with"
}

section_covers() {
	: >"$WORK/covers-yes"
	: >"$WORK/covers-no"
	n=1
	while [ "$n" -le "$COVERS_ROUNDS" ]; do
		# Each round starts with the other setting, so neither gains
		# from going second.
		if [ $((n % 2)) = 1 ]; then order="yes no"; else order="no yes"; fi
		for covers in $order; do
			covers_scan "$covers" "$n"
			get "covers_${covers}_${n}_s" >>"$WORK/covers-$covers"
		done
		n=$((n + 1))
	done
	put covers_yes_s "$(sort -g "$WORK/covers-yes" | head -n 1)"
	put covers_no_s "$(sort -g "$WORK/covers-no" | head -n 1)"
	ratio=$(awk -v a="$(get covers_yes_s)" -v b="$(get covers_no_s)" \
		'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }')
	figure_row "covers_yes_s@$FILES" lower \
		"covers: first full scan, covers = yes (best of $COVERS_ROUNDS)" \
		"$(get covers_yes_s) s"
	row "covers:   albums with a cover" \
		"$(get covers_with) of $(get covers_albums)"
	figure_row "covers_no_s@$FILES" lower \
		"covers: first full scan, covers = no (best of $COVERS_ROUNDS)" \
		"$(get covers_no_s) s"
	row "covers:   (rounds taking turns, each on a fresh database)" ""
	if [ "$ratio" = n/a ]; then
		row "covers: scan time with / without" "n/a (zero time)"
	else
		figure_row "covers_ratio@$FILES" lower \
			"covers: scan time with / without" "${ratio}x" "" \
			"<= ${TARGET_COVERS_RATIO}x" \
			"$(verdict "$TARGET_COVERS_RATIO" ge "$ratio")"
	fi
}

# watch_bulk_rows KEY WHERE: the rows of one bulk copy (w: the label, from
# watch_rows)
watch_bulk_rows() {
	if [ -n "$(get "watch_$1_s")" ]; then
		figure_row "watch_$1_s@$FILES" lower \
			"$w: $(get "watch_$1_tracks") tracks copied $2, until committed" \
			"$(get "watch_$1_s") s"
		row "$w:   the same from the end of the copy ($(get "watch_$1_copy_s") s)" \
			"$(get "watch_$1_after_copy_s") s"
		row "$w:   until the last watch scan had finished" \
			"$(get "watch_$1_settled_s") s"
	else
		row "$w: $NEW_TRACKS_FILES tracks copied $2, until committed" FAILED
	fi
}

watch_rows() {
	w=watch
	[ -z "$WATCH_DRYRUN" ] || w="watch (DRY RUN)"
	row "$w: audio files in the watched library" "$(get watch_lib_files)" "" "" \
		"$(get watch_lib_note)"
	figure_row "watch_first_s@$FILES" lower \
		"$w: first scan, adding the watches" "$(get watch_first_s) s" \
		"$(get watch_first_wall_s) s"
	if [ -n "$(get watch_p95_ms)" ]; then
		result=$(verdict "$(get watch_p95_ms)" lt "$TARGET_WATCH_P95_MS")
		[ -z "$WATCH_DRYRUN" ] || result="(dry run)"
		figure_row "watch_p95_ms@$FILES=$(get watch_p95_ms)" lower \
			"$w: single-file change p50 / p95 / max ($(get watch_changes))" \
			"$(ms3 "$(get watch_p50_ms)" "$(get watch_p95_ms)" "$(get watch_max_ms)")" \
			"" "p95 < $TARGET_WATCH_P95_MS ms" "$result"
	else
		row "$w: single-file change p50 / p95 / max" FAILED
	fi
	if [ -n "$(get watch_single_daemon_ms)" ]; then
		row "$w:   the daemon's own ($(get watch_single_daemon_samples) samples)" \
			"$(get watch_single_daemon_ms)"
	fi
	watch_bulk_rows bulk "in new folders"
	watch_bulk_rows refill "into existing folders"
	if [ -n "$(get watch_scans)" ]; then
		row "$w: tag / i/o errors, all $(get watch_scans) watch scans" \
			"$(get watch_tag_errors) / $(get watch_io_errors)"
	fi
	figure_row "watch_vmhwm_kb@$FILES" smaller \
		"mediamon peak RSS after watch (VmHWM)" "$(get watch_vmhwm_kb) kB" "" \
		"< $TARGET_RSS_KB kB" "$(verdict "$(get watch_vmhwm_kb)" lt "$TARGET_RSS_KB")"
}

# --------------------------------------------------------------- analysis

# analysis_track NAME SECONDS RATE CHANNELS BPM WAVE NOTE...: one track of
# tones shaped at a tempo, with reverb, as NAME.wav in the audio directory.
analysis_track() {
	at_name=$1 at_len=$2 at_rate=$3 at_ch=$4 at_bpm=$5 at_wave=$6
	shift 6
	at_tones=""
	for at_note in "$@"; do
		at_tones="$at_tones $at_wave $at_note"
	done
	at_hz=$(awk -v b="$at_bpm" 'BEGIN { printf "%.4f", b / 60 }')
	# shellcheck disable=SC2086
	sox -R -D -V1 -r "$at_rate" -c "$at_ch" -n -b 16 \
		"$ANALYSIS_AUDIO/$at_name.wav" synth "$at_len" $at_tones \
		synth "$at_len" sine amod "$at_hz" 0 0 40 reverb 40 gain -n -3 ||
		die "sox could not make $at_name"
}

# Four minutes of varied audio, half FLAC, half MP3 (two bitrates), at
# 44.1 and 48 kHz, stereo and mono.
analysis_audio_ensure() {
	[ -f "$ANALYSIS_AUDIO/.complete" ] && return
	log "analysis: synthesising audio in $ANALYSIS_AUDIO"
	rm -rf "$ANALYSIS_AUDIO"
	mkdir -p "$ANALYSIS_AUDIO" || die "cannot create $ANALYSIS_AUDIO"
	analysis_track t1 40 44100 2 120 sawtooth A2 E3
	analysis_track t2 35 44100 2 96 square D3 A3
	analysis_track t3 45 48000 2 132 sawtooth C3 G3
	analysis_track t4 30 44100 2 84 triangle F2 C3
	analysis_track t5 50 44100 1 108 sine G3
	analysis_track t6 40 44100 2 140 square E2 B2
	for t in t1 t3 t5; do
		sox -V1 "$ANALYSIS_AUDIO/$t.wav" "$ANALYSIS_AUDIO/$t.flac" ||
			die "sox could not encode $t.flac"
	done
	lame --quiet -b 192 "$ANALYSIS_AUDIO/t2.wav" "$ANALYSIS_AUDIO/t2.mp3" &&
		lame --quiet -V 2 "$ANALYSIS_AUDIO/t4.wav" \
			"$ANALYSIS_AUDIO/t4.mp3" &&
		lame --quiet -b 128 "$ANALYSIS_AUDIO/t6.wav" \
			"$ANALYSIS_AUDIO/t6.mp3" ||
		die "lame could not encode the MP3 files"
	rm -f "$ANALYSIS_AUDIO"/*.wav
	touch "$ANALYSIS_AUDIO/.complete"
}

# The driver measures its own CPU time (getrusage), so a busy machine
# slows the wall time more than the figure.
section_analysis() {
	analysis_audio_ensure
	warm "$ANALYSIS_AUDIO"
	sa_start=$(now)
	sa_out=$("$ANALYSIS_DRIVER" "$ANALYSIS_AUDIO"/*.flac \
		"$ANALYSIS_AUDIO"/*.mp3) || die "the analysis driver failed"
	sa_wall=$(since "$sa_start")
	log "$sa_out"
	sa_rate=$(echo "$sa_out" |
		sed -n 's/.*, \([0-9.]*\) audio s per CPU s$/\1/p')
	sa_audio=$(echo "$sa_out" | sed -n 's/.* \([0-9.]*\) s of audio.*/\1/p')
	[ -n "$sa_rate" ] || die "no figure from the analysis driver"
	figure_row analysis_rate higher \
		"analysis: audio s per CPU s ($sa_audio s of audio)" "$sa_rate" \
		"$sa_wall s" ">= $TARGET_ANALYSIS_RATE" \
		"$(verdict "$sa_rate" ge "$TARGET_ANALYSIS_RATE")"

	sa_start=$(now)
	sa_out=$("$ANALYSIS_DRIVER" --duplicates "$ANALYSIS_DUP_TRACKS" \
		"$WORK") || die "the duplicates driver failed"
	sa_wall=$(since "$sa_start")
	log "$sa_out"
	sa_lookup=$(echo "$sa_out" | sed -n 's/.*, \([0-9.]*\) ms lookup.*/\1/p')
	sa_record=$(echo "$sa_out" | sed -n 's/.* \([0-9.]*\) ms record.*/\1/p')
	[ -n "$sa_lookup" ] && [ -n "$sa_record" ] ||
		die "no figure from the duplicates driver"
	figure_row "analysis_lookup_ms@$ANALYSIS_DUP_TRACKS" lower \
		"analysis: duplicate lookup per track, worker ($ANALYSIS_DUP_TRACKS tracks)" \
		"$sa_lookup ms" "$sa_wall s"
	figure_row "analysis_record_ms@$ANALYSIS_DUP_TRACKS" lower \
		"analysis: its record per track, writer ($ANALYSIS_DUP_TRACKS tracks)" \
		"$sa_record ms"
}

# -------------------------------------------------------------- onefolder
# One folder of many files (issue 44): a full rescan of a folder of
# 100,000 files should cost no more per file than one of 1,000 (the
# scan's look-ups among a folder's known files are hashed).

# onefolder_time FILES: a full rescan of one folder of FILES empty files,
# its time per file kept as onefolder_FILES_us (microseconds)
onefolder_time() {
	of_root=$WORK/onefolder-$1
	rm -rf "$of_root"
	mkdir -p "$of_root/many"
	(cd "$of_root/many" && seq -f 'file %06g.txt' 1 "$1" | xargs -d '\n' touch)
	mediamon_start "$of_root"
	scan_wait ""
	log "onefolder: full rescan of one folder of $1 files"
	mediamon_rescan full "onefolder_$1"
	mediamon_stop
	rm -rf "$of_root"
	put "onefolder_$1_us" "$(awk -v s="$(get "onefolder_$1_s")" -v n="$1" \
		'BEGIN { printf "%.2f", s * 1e6 / n }')"
}

# grouped N: N with its thousands set apart ("100,000")
grouped() {
	printf '%s\n' "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta'
}

section_onefolder() {
	# shellcheck disable=SC2086 # two counts, split on purpose
	set -- $ONEFOLDER_FILES
	[ $# = 2 ] && [ "$1" -gt 0 ] && [ "$2" -gt "$1" ] ||
		die "MEDIAMON_BENCH_ONEFOLDER_FILES: two counts, small then large"
	of_small=$1 of_big=$2
	onefolder_time "$of_small"
	onefolder_time "$of_big"
	small=$(get "onefolder_${of_small}_us")
	big=$(get "onefolder_${of_big}_us")
	ratio=$(awk -v a="$big" -v b="$small" \
		'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')
	for of_n in "$of_small" "$of_big"; do
		figure_row "onefolder_us@$of_n" lower \
			"one folder of $(grouped "$of_n") files: full rescan, per file" \
			"$(get "onefolder_${of_n}_us") us"
	done
	of_label="  per file, $(grouped "$of_big") against $(grouped "$of_small")"
	if [ "$ratio" = n/a ]; then
		row "$of_label" "n/a (zero time)"
	else
		row "$of_label" "${ratio}x" "" "<= 2x" "$(verdict 2 ge "$ratio")"
	fi
}

# ------------------------------------------------------------------- opds

# opds_read URL: the seconds urllib takes to read URL whole, and its bytes
opds_read() {
	"$PYTHON" -c 'import sys, time, urllib.request
t = time.monotonic()
with urllib.request.urlopen(sys.argv[1], timeout=600) as r:
    n = len(r.read())
print("%.3f %d" % (time.monotonic() - t, n))' "$1"
}

# opds_time KEY PATH: the worst of OPDS_READS reads of the mount's PATH
# through the web server, kept as KEY_s (and its size as KEY_kb)
opds_time() {
	: >"$WORK/opds-reads"
	for ot_n in $(seq "$OPDS_READS"); do
		opds_read "$HS_URL$2" >>"$WORK/opds-reads" ||
			die "reading $2 through http.server failed"
	done
	put "$1_s" "$(sort -g "$WORK/opds-reads" | tail -n 1 | cut -d ' ' -f 1)"
	put "$1_kb" "$(($(head -n 1 "$WORK/opds-reads" | cut -d ' ' -f 2) / 1024))"
	log "opds: $2: $(paste -sd ' ' "$WORK/opds-reads") (s, bytes)"
}

# The manga library's OPDS catalog, served by python3 -m http.server over
# the mount once the first scan is done: the root feed, the list of every
# series and the feed of the series of the most volumes (what a reader
# opens first and the largest feed a series gives).
section_opds() {
	generate gen_opds.py "$OPDS" "$OPDS_FILES" "OPDS library"
	warm "$OPDS"
	mkdir -p "$WORK/no-music"
	MM_MANGA=$OPDS
	mediamon_start "$WORK/no-music"
	MM_MANGA=""
	scan_wait ""
	op_series=$(find "$OPDS" -mindepth 1 -maxdepth 1 -type d | wc -l)
	op_i=0
	until [ "$(find "$MM_MNT/opds/series" -mindepth 1 -maxdepth 1 | wc -l)" \
		-ge "$op_series" ]; do
		op_i=$((op_i + 1))
		[ "$op_i" -le 600 ] || die "the $op_series series never all showed in opds/series"
		sleep 0.5
	done
	op_port=$("$PYTHON" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
	"$PYTHON" -m http.server "$op_port" --bind 127.0.0.1 \
		--directory "$MM_MNT" >/dev/null 2>&1 &
	HS_PID=$!
	HS_URL=http://127.0.0.1:$op_port/
	op_i=0
	until opds_read "${HS_URL}README" >/dev/null 2>&1; do
		op_i=$((op_i + 1))
		[ "$op_i" -le 150 ] || die "http.server on port $op_port never answered"
		sleep 0.1
	done
	opds_time opds_root opds/catalog.xml
	opds_time opds_list opds/series.xml
	opds_time opds_series "opds/series/Series%200000.xml"
	stop_pid "$HS_PID" http.server
	HS_PID=""
	mediamon_stop
	for op_what in "root catalog.xml:root" "series.xml, every series:list" \
		"largest series feed:series"; do
		op_key=${op_what##*:}
		op_s=$(get "opds_${op_key}_s")
		figure_row "opds_${op_key}_s@$OPDS_FILES" lower \
			"opds: ${op_what%:*} through http.server ($(get "opds_${op_key}_kb") kB)" \
			"$op_s s" "" "< ${TARGET_OPDS_S} s" \
			"$(verdict "$op_s" lt "$TARGET_OPDS_S")"
	done
	row "opds:   ($OPDS_FILES volumes in $op_series series, the worst of $OPDS_READS reads)" ""
}

# ------------------------------------------------------------------- http
# The [http] listener (issue 66) over the opds section's manga library:
# GETs of status/summary.json and downloads of a volume per second (8
# clients with keep-alive each), and the read of status/health through the
# mount, idle and while 50 clients download (tests/bench/http_load.py);
# ten requests of the account, hashed at bcrypt cost 12, each on a new
# connection: <= 1.5 s (issue 78). The others have no target: figures to
# follow from run to run.

section_http() {
	command -v htpasswd >/dev/null ||
		die "the http section needs htpasswd (apache2-utils)"
	generate gen_opds.py "$OPDS" "$OPDS_FILES" "OPDS library"
	warm "$OPDS"
	mkdir -p "$WORK/no-music"
	ht_user=$(id -un)
	ht_pass=bench-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
	# the cost a door open to the Internet wants (mediamon.conf(5)):
	# each request would pay a quarter of a second without the
	# credentials kept (http_verified.h)
	htpasswd -cbB -C 12 "$WORK/htpasswd" "$ht_user" "$ht_pass" 2>/dev/null ||
		die "htpasswd could not write $WORK/htpasswd"
	chmod 600 "$WORK/htpasswd"
	printf '[analysis]\nenabled = no\n[http]\nlisten = 127.0.0.1:0\nhtpasswd = %s\nmax_connections_per_address = 256\n' \
		"$WORK/htpasswd" >"$WORK/http.conf"
	MM_MANGA=$OPDS
	mediamon_start "$WORK/no-music" "$WORK/http.conf"
	MM_MANGA=""
	scan_wait ""
	ht_port=$(sed -n 's/.*http: listening on .* (port \([0-9]*\)).*/\1/p' \
		"$MM_LOG" | head -n 1)
	[ -n "$ht_port" ] || die "the http listener did not start (see $MM_LOG)"
	ht_volume=$(cd "$MM_MNT" && find library/manga -name '*.cbz' | head -n 1)
	[ -n "$ht_volume" ] || die "no volume under $MM_MNT/library/manga"
	"$PYTHON" "$REPO/tests/bench/http_load.py" "http://127.0.0.1:$ht_port" \
		"$ht_user" "$ht_pass" "$MM_MNT" status/summary.json \
		"$ht_volume" >"$WORK/http-load" ||
		die "http_load.py failed (see $MM_LOG)"
	mediamon_stop
	while read -r ht_key ht_value; do
		put "http_$ht_key" "$ht_value"
	done <"$WORK/http-load"
	figure_row "http_status_rps" higher \
		"http: GET status/summary.json per second (8 clients)" \
		"$(get http_status_rps) /s" "" "" ""
	figure_row "http_volume_rps" higher \
		"http: volume downloads per second (8 clients, $(get http_volume_mb_s) MB/s)" \
		"$(get http_volume_rps) /s" "" "" ""
	figure_row "http_health_idle_ms" lower \
		"http: read of status/health, listener idle" \
		"$(get http_health_idle_ms) ms" "" "" ""
	figure_row "http_health_busy_ms" lower \
		"http: read of status/health while 50 clients download" \
		"$(get http_health_busy_ms) ms" "" "" ""
	figure_row "http_logins10_s" lower \
		"http: 10 requests of a bcrypt cost-12 account, new connections" \
		"$(get http_logins10_s) s" "" "<= 1.5 s" \
		"$(verdict "$(get http_logins10_s)" le 1.5)"
}

# -------------------------------------------------------------- playlists
# Listing the playlists (issue 63): ls -lR of /playlists over
# PLAYLISTS_TRACKS analysed tracks, the first time (each playlist rendered
# once for its size) and again (the sizes kept while the store stands
# still), against ls -lR of /library/music, the tracks they are made from.
# The tracks are 5-second cuts of the analysis section's audio, each with
# a title of its own.

PLAYLISTS_TRACKS=${MEDIAMON_BENCH_PLAYLISTS_TRACKS:-300}

# ls_time KEY DIR [ONCE]: ls -lR of DIR, kept as KEY_s: the median of
# three, or with ONCE the one run (a first listing happens once)
ls_time() {
	for lt_i in 1 2 3; do
		lt_start=$(now)
		ls -lR "$2" >/dev/null || die "ls -lR $2 failed"
		lt_s=$(since "$lt_start")
		put "$1${lt_i}_s" "$lt_s"
		put "$1${lt_i}_wall_s" "$lt_s"
		if [ -n "${3-}" ]; then
			put "$1_s" "$lt_s"
			return
		fi
	done
	median3 "$1"
}

section_playlists() {
	analysis_audio_ensure
	pl_root=$WORK/playlists-music
	rm -rf "$pl_root"
	mkdir -p "$pl_root/cuts"
	pl_i=0
	while [ "$pl_i" -lt "$PLAYLISTS_TRACKS" ]; do
		for pl_src in "$ANALYSIS_AUDIO"/*.flac; do
			[ "$pl_i" -lt "$PLAYLISTS_TRACKS" ] || break
			pl_out=$(printf '%s/a%02d/t%05d.flac' "$pl_root" \
				$((pl_i % 30)) "$pl_i")
			mkdir -p "${pl_out%/*}"
			sox -V1 "$pl_src" "$pl_out" trim $((pl_i % 20)) 5 ||
				die "sox could not cut $pl_src"
			metaflac --remove-all-tags --set-tag="TITLE=Cut $pl_i" \
				--set-tag="ARTIST=Artist $((pl_i % 30))" \
				--set-tag="ALBUM=Album $((pl_i % 30))" \
				--set-tag="GENRE=Genre $((pl_i % 7))" \
				--set-tag="DATE=$((1960 + pl_i % 60))" "$pl_out" ||
				die "metaflac could not tag $pl_out"
			pl_i=$((pl_i + 1))
		done
	done
	rmdir "$pl_root/cuts"
	printf '[analysis]\nenabled = yes\n' >"$WORK/playlists.conf"
	mediamon_start "$pl_root" "$WORK/playlists.conf"
	scan_wait ""
	pl_start=$(now)
	pl_looks=0
	until jq -e '.queued == 0 and .busy == 0 and .done > 0' \
		"$MM_MNT/metrics/analysis.json" >/dev/null 2>&1; do
		pl_looks=$((pl_looks + 1))
		[ "$pl_looks" -le $((TIMEOUT * 2)) ] ||
			die "the analysis of $PLAYLISTS_TRACKS tracks never ended"
		sleep 0.5
	done
	log "playlists: $PLAYLISTS_TRACKS tracks analysed in $(since "$pl_start") s"
	ls_time playlists_music "$MM_MNT/library/music"
	ls_time playlists_first "$MM_MNT/playlists" once
	ls_time playlists_again "$MM_MNT/playlists"
	pl_files=$(find "$MM_MNT/playlists" -type f | wc -l)
	mediamon_stop
	rm -rf "$pl_root"
	pl_music=$(get playlists_music_s)
	for pl_what in first again; do
		pl_s=$(get "playlists_${pl_what}_s")
		pl_ratio=$(awk -v a="$pl_s" -v b="$pl_music" \
			'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')
		figure_row "playlists_${pl_what}_s@$PLAYLISTS_TRACKS" lower \
			"playlists: ls -lR playlists/, $pl_what ($pl_files files)" \
			"$pl_s s" "" "<= 2x library/music: ${pl_ratio}x" \
			"$(verdict "$pl_ratio" le 2)"
	done
	figure_row "playlists_music_s@$PLAYLISTS_TRACKS" lower \
		"playlists: ls -lR library/music ($PLAYLISTS_TRACKS tracks)" \
		"$pl_music s"
}

# ------------------------------------------------------------------ arm64

# The arm64 build (make cross ARCH=arm64), which binfmt_misc runs under
# qemu-user, beside the native build on the same library of ARM64_FILES:
# the Raspberry Pi OS 64-bit build's first scan, no-change rescan and peak
# memory, timed through an emulator that translates every instruction on
# this machine. The ratio says what emulation costs, not how fast a Pi is.
section_arm64() {
	a_bin=$REPO/build-arm64/mediamon
	if [ ! -x "$a_bin" ] ||
		! grep -qs '^enabled' /proc/sys/fs/binfmt_misc/qemu-aarch64; then
		log "arm64: skipped: no build-arm64/mediamon that binfmt_misc runs (contrib/install-packaging-deps.sh arm64, then make cross ARCH=arm64)"
		row "arm64: skipped (no build-arm64/mediamon run by binfmt_misc)" ""
		return 0
	fi
	generate gen_corpus.py "$ARM64_LIB" "$ARM64_FILES" "arm64 library"
	a_native=$MEDIAMON
	for a_build in native arm64; do
		[ "$a_build" = native ] || MEDIAMON=$a_bin
		warm "$ARM64_LIB"
		mediamon_start "$ARM64_LIB"
		scan_wait ""
		scan_record "${a_build}_first" "$MM_START"
		warm "$ARM64_LIB"
		mediamon_rescan 1 "${a_build}_nochange"
		put "${a_build}_vmhwm_kb" "$(mediamon_vmhwm)"
		mediamon_stop
	done
	MEDIAMON=$a_native
	for a_what in "first scan:first" "no-change rescan:nochange"; do
		a_key=${a_what##*:}
		a_n=$(get "native_${a_key}_s")
		a_a=$(get "arm64_${a_key}_s")
		figure_row "arm64_${a_key}_s@$ARM64_FILES" lower \
			"arm64 build under qemu-user: ${a_what%:*}" "$a_a s" "" \
			"native $a_n s" "$(awk -v a="$a_a" -v n="$a_n" \
			'BEGIN { if (n > 0) printf "%.1fx", a / n }')"
	done
	figure_row "arm64_vmhwm_kb@$ARM64_FILES" smaller \
		"arm64 build under qemu-user: peak RSS (VmHWM, qemu's own included)" \
		"$(get arm64_vmhwm_kb) kB" "" "native $(get native_vmhwm_kb) kB"
	row "arm64:  ($ARM64_FILES files, warm cache; emulated on this machine, not a Pi)" ""
}

# ------------------------------------------------------------------ scale

scale_ensure() {
	generate gen_tiny.py "$SCALE" "$SCALE_FILES" "scale library"
}

# scan_floor DIR KEY [OPTION...]: on a warm DIR, the seconds
# bench_scan_floor takes for a first scan's work without the store (with
# --stat, a no-change rescan's; with --watch too, with the inotify watch
# on every folder that the daemon keeps), kept as KEY.
scan_floor() {
	sf_dir=$1 sf_key=$2
	shift 2
	warm "$sf_dir"
	sf_out=$("$SCAN_FLOOR" "$@" "$sf_dir") || die "bench_scan_floor failed on $sf_dir"
	log "scan floor${*:+ $*}: $sf_out"
	put "$sf_key" "$(echo "$sf_out" | sed -n 's/.*, \([0-9.]*\) s$/\1/p')"
}

# find_time DIR KEY: time, on a warm DIR, find printing each file's size,
# mtime and inode (what a no-change rescan looks at, from one thread):
# the floor a no-change rescan is compared with; kept as KEY.
find_time() {
	warm "$1"
	ft_start=$(now)
	find "$1" -printf '%s %T@ %i\n' >/dev/null || die "find over $1 failed"
	put "$2" "$(since "$ft_start")"
}

# store_kb FILE...: the kB the files hold (those that exist)
store_kb() {
	sk=0
	for sk_f in "$@"; do
		[ -e "$sk_f" ] || continue
		sk=$((sk + $(stat -c %s "$sk_f") / 1024))
	done
	echo "$sk"
}

# A million files of 500 bytes: what is left is the walk, the tags' few
# bytes and the store. The no-change rescans are compared with find
# printing every file's size, mtime and inode, the same look at each file
# from one thread, timed on the same warm tree.
section_scale() {
	scale_ensure
	warm "$SCALE"
	mediamon_start "$SCALE"
	log "scale: first scan of $SCALE_FILES files (startup, fresh database)"
	rm -f "$WORK/scale-stop"
	"$PYTHON" "$REPO/tests/bench/status_latency.py" "$MM_MNT" \
		--stop "$WORK/scale-stop" >"$WORK/scale-during" &
	sl_pid=$!
	scan_wait ""
	: >"$WORK/scale-stop"
	wait "$sl_pid" || die "status_latency.py failed during the first scan"
	scan_record scale_first "$MM_START"
	put scale_status_during_ms "$(awk '{ print $2 }' "$WORK/scale-during")"
	put scale_status_during_what "$(awk '{ print $3 ", " $5 " rounds of " $7 " files, " $9 " EAGAIN" }' "$WORK/scale-during")"
	"$PYTHON" "$REPO/tests/bench/status_latency.py" "$MM_MNT" --rounds 20 \
		>"$WORK/scale-after" || die "status_latency.py failed after the first scan"
	put scale_status_after_ms "$(awk '{ print $2 }' "$WORK/scale-after")"
	put scale_status_after_what "$(awk '{ print $3 ", " $9 " EAGAIN" }' "$WORK/scale-after")"
	put scale_store_wal_kb "$(store_kb "$MM_DB" "$MM_DB-wal")"
	for n in 1 2 3; do
		warm "$SCALE"
		log "scale: no-change rescan, run $n of 3"
		mediamon_rescan 1 "scale_nochange$n"
	done
	median3 scale_nochange
	put scale_vmhwm_kb "$(mediamon_vmhwm)"
	mediamon_stop
	# The last connection's close checkpoints the WAL into the store.
	[ ! -s "$MM_DB-wal" ] ||
		log "warning: the store's WAL holds $(store_kb "$MM_DB-wal") kB after the daemon stopped"
	put scale_store_kb "$(store_kb "$MM_DB" "$MM_DB-wal")"

	find_time "$SCALE" scale_find_s
	scan_floor "$SCALE" scale_floor_s
	scan_floor "$SCALE" scale_floor_stat_s --stat
	scan_floor "$SCALE" scale_floor_watch_s --stat --watch

	mb=$(awk -v k="$(get scale_store_kb)" 'BEGIN { printf "%.0f", k / 1024 }')
	wal_mb=$(awk -v k="$(get scale_store_wal_kb)" 'BEGIN { printf "%.0f", k / 1024 }')
	figure_row "scale_first_s@$SCALE_FILES" lower \
		"scale: first scan, $SCALE_FILES tiny MP3s" "$(get scale_first_s) s" \
		"$(get scale_first_wall_s) s" "< $TARGET_SCALE_FIRST_S s" \
		"$(verdict "$(get scale_first_s)" lt "$TARGET_SCALE_FIRST_S")"
	figure_row "scale_status_during_ms@$SCALE_FILES" lower \
		"scale: worst status read during the first scan ($(get scale_status_during_what))" \
		"$(get scale_status_during_ms) ms" "" "< $TARGET_SCALE_STATUS_MS ms" \
		"$(verdict "$(get scale_status_during_ms)" lt "$TARGET_SCALE_STATUS_MS")"
	figure_row "scale_status_after_ms@$SCALE_FILES" lower \
		"scale: worst status read after it ($(get scale_status_after_what))" \
		"$(get scale_status_after_ms) ms" "" "< $TARGET_SCALE_STATUS_MS ms" \
		"$(verdict "$(get scale_status_after_ms)" lt "$TARGET_SCALE_STATUS_MS")"
	figure_row "scale_floor_s@$SCALE_FILES" lower \
		"scale:   the same walk and tags without the store (the floor)" \
		"$(get scale_floor_s) s"
	figure_row "scale_nochange_s@$SCALE_FILES" lower \
		"scale: no-change rescan (median of 3)" "$(get scale_nochange_s) s" \
		"$(get scale_nochange_wall_s) s" "< $TARGET_SCALE_NOCHANGE_S s" \
		"$(verdict "$(get scale_nochange_s)" lt "$TARGET_SCALE_NOCHANGE_S")"
	figure_row "scale_floor_watch_s@$SCALE_FILES" lower \
		"scale:   the same stat()s without the store, folders watched (the floor)" \
		"$(get scale_floor_watch_s) s"
	figure_row "scale_floor_stat_s@$SCALE_FILES" lower \
		"scale:   the same stat()s without the store, no watches" \
		"$(get scale_floor_stat_s) s"
	figure_row "scale_find_s@$SCALE_FILES" lower \
		"scale:   find -printf size, mtime, inode (one thread)" \
		"$(get scale_find_s) s"
	figure_row "scale_vmhwm_kb@$SCALE_FILES" smaller \
		"scale: mediamon peak RSS (VmHWM)" "$(get scale_vmhwm_kb) kB" "" \
		"< $TARGET_SCALE_RSS_KB kB" \
		"$(verdict "$(get scale_vmhwm_kb)" lt "$TARGET_SCALE_RSS_KB")"
	figure_row "scale_store_mb@$SCALE_FILES" smaller \
		"scale: store after the scan (WAL checkpointed)" "$mb MB" "" \
		"<= $TARGET_SCALE_STORE_MB MB" \
		"$(verdict "$TARGET_SCALE_STORE_MB" ge "$mb")"
	figure_row "scale_store_wal_mb@$SCALE_FILES" smaller \
		"scale:   the same with its WAL, after the first scan" "$wal_mb MB"
}

# --------------------------------------------------------------- minidlna

. "$REPO/tests/bench/bench_minidlna.sh"

# ------------------------------------------------------------ cold, idle

. "$REPO/tests/bench/bench_power.sh"
. "$REPO/tests/bench/bench_scale_peers.sh"

# -------------------------------------------------------------------- nas

. "$REPO/tests/bench/bench_nas.sh"

# --------------------------------------------------------------- subsonic

. "$REPO/tests/bench/bench_subsonic.sh"

# ----------------------------------------------------------------- report

# ratio_row LABEL NUMERATOR_KEY DENOMINATOR_KEY [TARGET [BETTER [FILES]]]:
# BETTER (default higher) as figure_row's, the target a floor for higher
# and a ceiling for lower; FILES (default $FILES) the library's size its
# history key names
ratio_row() {
	a=$(get "$2") b=$(get "$3")
	[ -n "$a" ] && [ -n "$b" ] || return 0
	if [ "$(verdict "$b" ge 0.000001)" != ok ]; then
		row "$1" "n/a (zero time)"
		return 0
	fi
	r=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.6f", a / b }')
	shown=$(awk -v r="$r" 'BEGIN { printf (r < 10 ? "%.2fx" : "%.1fx"), r }')
	rr_key="ratio_$2_$3@${6:-$FILES}=$r"
	rr_better=${5:-higher}
	if [ -n "${4-}" ]; then
		rr_op=ge rr_sign=">="
		[ "$rr_better" = higher ] || rr_op=le rr_sign="<="
		figure_row "$rr_key" "$rr_better" "$1" "$shown" "" \
			"$rr_sign ${4}x" "$(verdict "$r" "$rr_op" "$4")"
	else
		figure_row "$rr_key" "$rr_better" "$1" "$shown"
	fi
}

# first_scan_ratios: the first scan against MPD and against its floor, in
# one place: warm at $FILES files, cold (the cold section's), and at
# $SCALE_FILES (the scale section's; MPD is not run on that library). A
# ratio whose section did not run is left out.
first_scan_ratios() {
	ratio_row "MPD rescan / mediamon first full scan" mpd_rescan_s first_s "$TARGET_RATIO"
	ratio_row "MPD update / mediamon first full scan" mpd_update_s first_s
	ratio_row "mediamon first full scan / its floor" first_s floor_s \
		"$TARGET_FIRST_FLOOR_RATIO" lower
	ratio_row "MPD update, cold / mediamon first scan, cold" \
		cold_mpd_update_s cold_first_s "$TARGET_COLD_MPD_RATIO"
	ratio_row "mediamon cold first scan / cold floor, 2 threads" \
		cold_first_s cold_floor2_s "" lower
	ratio_row "mediamon cold first scan / cold floor, 8 threads" \
		cold_first_s cold_floor8_s "$TARGET_COLD_FLOOR8_RATIO" lower
	ratio_row "scale: first scan / its floor ($SCALE_FILES files)" \
		scale_first_s scale_floor_s "" lower "$SCALE_FILES"
	ratio_row "scale: MPD rescan / mediamon first scan" \
		scale_mpd_rescan_s scale_first_s "" higher "$SCALE_FILES"
	ratio_row "scale: MPD update / mediamon first scan" \
		scale_mpd_update_s scale_first_s "" higher "$SCALE_FILES"
	ratio_row "scale: MPD update, cold / mediamon first scan, cold" \
		scale_cold_mpd_update_s scale_cold_first_s "" higher \
		"$SCALE_FILES"
	ratio_row "scale: cold first scan / cold floor, 8 threads" \
		scale_cold_first_s scale_cold_floor8_s "" lower "$SCALE_FILES"
}

report() {
	first_scan_ratios
	ratio_row "MPD rescan / mediamon full re-read" mpd_rescan_s full_s
	ratio_row "minidlna first scan / mediamon first full scan" \
		minidlna_first_s first_s
	echo
	echo "mediamon benchmark: $(get corpus_desc), warm cache, $(nproc) CPUs"
	echo "versions: $(get versions)"
	echo "commit: $(commit_of_tree); load average at the end: $(cut -d ' ' -f 1-3 /proc/loadavg)"
	# Columns as wide as their widest cell; labels left, the rest right.
	{ echo "|figure|wall|target|result|change"; cat "$WORK/table"; } | awk -F '|' '
		{ n = NR; for (i = 1; i <= 6; i++) { cell[n, i] = $i
			if (length($i) > w[i]) w[i] = length($i) } }
		END { fmt = "%-" w[1] "s  %" w[2] "s  %" w[3] "s  %" w[4] "s  %-" w[5] "s  %s\n"
			for (r = 1; r <= n; r++)
				printf fmt, cell[r, 1], cell[r, 2], cell[r, 3], cell[r, 4], cell[r, 5], cell[r, 6] }'
	echo "(figure: the daemon's own measurement for mediamon's scans, wall time"
	echo " for MPD and for the watch rows but the daemon's own latency;"
	echo " wall: what this script measured around it, for cross-checking;"
	baselines
	if [ -s "$WORK/baseline" ]; then
		echo " change: against the last run of an earlier commit, $(head -n 1 "$WORK/baseline")"
		[ "$(wc -l <"$WORK/baseline")" = 1 ] ||
			echo "   (some figures from older runs: $(tail -n +2 "$WORK/baseline" | paste -sd ';' -))"
		echo "   SLOWER / LARGER: worse by more than $SLOWER_PCT%)"
	else
		echo " change: no run of an earlier commit in $HISTORY)"
	fi
}

# check_setup: fail early, before the long corpus work, on what would fail
# later anyway.
check_setup() {
	for tool in jq find xargs awk "$PYTHON"; do
		command -v "$tool" >/dev/null 2>&1 ||
			die "$tool is missing (run contrib/install-deps.sh)"
	done
	for section in $SECTIONS; do
		command -v "section_$section" >/dev/null 2>&1 ||
			die "unknown section '$section' (MEDIAMON_BENCH_SECTIONS)"
		case $section in
		mpd)
			for tool in mpd mpc minidlnad; do
				command -v "$tool" >/dev/null 2>&1 ||
					die "$tool is missing (run contrib/install-deps.sh)"
			done
			;;
		mediamon | cold | idle | nas | formats | watch | views | covers | scale | scalepeers | onefolder | opds | arm64)
			[ -x "$MEDIAMON" ] || die "$MEDIAMON is not built (make mediamon)"
			case $section in mediamon | cold | nas | scale | scalepeers)
				[ -x "$SCAN_FLOOR" ] ||
					die "$SCAN_FLOOR is not built (make bench)" ;;
			esac
			[ "$section" != nas ] || [ -x "$LATENCY_FS" ] ||
				die "$LATENCY_FS is not built (make bench)"
			command -v fusermount3 >/dev/null 2>&1 ||
				die "fusermount3 is missing (run contrib/install-deps.sh)"
			;;
		analysis)
			[ -x "$ANALYSIS_DRIVER" ] ||
				die "$ANALYSIS_DRIVER is not built (make bench)"
			for tool in sox lame; do
				command -v "$tool" >/dev/null 2>&1 ||
					die "$tool is missing (run contrib/install-deps.sh)"
			done
			;;
		esac
	done
}

versions() {
	v=""
	case " $SECTIONS " in *" mediamon "* | *" cold "* | *" idle "* | *" nas "* | *" formats "* | *" watch "* | *" views "* | *" covers "* | *" scale "* | *" scalepeers "* | *" onefolder "* | *" opds "* | *" arm64 "*)
		v=$("$MEDIAMON" -V 2>&1 | head -n 1) ;;
	esac
	case " $SECTIONS " in *" mpd "* | *" cold "* | *" nas "* | *" scalepeers "*)
		! command -v mpd >/dev/null 2>&1 ||
			v="${v:+$v, }$(mpd --version | head -n 1)"
		! minidlna_have ||
			v="${v:+$v, }minidlna $(minidlnad -V | sed 's/^Version //')"
		;;
	esac
	echo "$v"
}

main() {
	check_setup
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/mediamon-bench.XXXXXX")
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	: >"$WORK/figures"
	: >"$WORK/table"
	: >"$WORK/results"
	history_load

	put versions "$(versions)"
	case " $SECTIONS " in *" mpd "* | *" mediamon "* | *" cold "* | *" idle "* | *" watch "* | *" views "* | *" covers "*)
		corpus_ensure
		corpus_describe
		;;
	*)
		put corpus_desc "no section on the corpus" ;;
	esac
	for section in $SECTIONS; do
		"section_$section"
	done
	report
	history_save
	[ -z "$BROKEN" ] || die "some figures are not valid (see above)"
}

main "$@"
