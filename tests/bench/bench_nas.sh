# SPDX-License-Identifier: GPL-3.0-or-later
# bench_nas.sh: the nas section of bench.sh (issue 49), which sources it:
# the scans of a library on a network share, where every request costs a
# round trip. It defines the section and its helpers only, and uses
# bench.sh's (row, figure_row, put, get, mediamon_start, scan_wait,
# mpd_start, minidlna_scan...); it runs nothing by itself.
#
# The library (one of MEDIAMON_BENCH_NAS_FILES files, 20,000 by default,
# or the corpus when that is its size) is shown through tests/bench/bench_latency_fs.c, which waits
# NAS_DELAY_US in every lookup, getattr, opendir, readdir, open and read
# (1 ms: a gigabit NAS), its source kept warm so that the delay is all a
# request costs. Through it: the floor's first scan on 2 and 8 threads
# and its stat walk (bench_scan_floor, 2 threads, --stat), mediamon's
# first scan, a no-change rescan and a walk of its albums view (find
# printing every track's size) against find over the share itself,
# MPD's first database update and
# minidlna's first scan (unless MEDIAMON_BENCH_NAS_MPD=no or
# MEDIAMON_BENCH_NAS_MINIDLNA=no: each reads one file after another,
# minutes on 100,000 files). MEDIAMON_BENCH_NAS_IO_DEPTH sets mediamon's
# [general] scan_io_depth (its default otherwise). Each program gets a
# fresh mount, so none finds what another put in the kernel's caches.
# The share is always unmounted (nas_stop, from bench.sh's cleanup too).
#
# Measured here (2 shared CPUs, load 2-6, 20,000 files, 1 ms): the floor
# 40.8 s on 2 threads, 10.2 s on 8, its stat walk 15.9 s; mediamon's
# first scan 8.7 s (42.3 s before scan_io_depth), its no-change rescan
# 4.0 s (15.4 s before); MPD's update 121 s. A walk of the albums view
# 5.2 s (29.6 s before the views stated a folder's tracks ahead), find
# over the share 31.3 s; minidlna's first scan 219 s.

NAS_DELAY_US=${MEDIAMON_BENCH_NAS_DELAY_US:-1000}
# 20,000 files: through the share MPD and minidlna read one file after
# another, and take minutes on them already.
NAS_FILES=${MEDIAMON_BENCH_NAS_FILES:-20000}
NAS_MPD=${MEDIAMON_BENCH_NAS_MPD:-yes}
NAS_MINIDLNA=${MEDIAMON_BENCH_NAS_MINIDLNA:-yes}
NAS_IO_DEPTH=${MEDIAMON_BENCH_NAS_IO_DEPTH:-}
LATENCY_FS=${MEDIAMON_BENCH_LATENCY_FS:-$REPO/build/bench/bench_latency_fs}
# A first scan through the share takes at most this many times the
# 8-thread floor's through it, a no-change rescan this many times the
# floor's stat walk (issue 49).
TARGET_NAS_FIRST_RATIO=1.5
TARGET_NAS_NOCHANGE_RATIO=2
NAS_PID=""     # bench_latency_fs, while it runs
NAS_MNT=""     # its mount point, while it may be mounted

# nas_source: the library the share shows, generated when it is not the
# corpus
nas_source() {
	if [ "$NAS_FILES" = "$FILES" ]; then
		echo "$CORPUS"
	else
		echo "$BENCH_DIR/nas"
	fi
}

# nas_start SOURCE: SOURCE shown through the latency share at NAS_MNT
nas_start() {
	[ -x "$LATENCY_FS" ] || die "$LATENCY_FS is not built (make bench)"
	NAS_MNT=$WORK/nas
	mkdir -p "$NAS_MNT"
	warm "$1"
	"$LATENCY_FS" "$1" "$NAS_MNT" -f -o "delay_us=$NAS_DELAY_US" \
		2>"$WORK/nas.log" &
	NAS_PID=$!
	wait_mounted "$NAS_PID" "$NAS_MNT" "$WORK/nas.log" bench_latency_fs
}

nas_stop() {
	[ -n "$NAS_PID" ] || return 0
	if is_mounted "$NAS_MNT"; then
		fusermount3 -u "$NAS_MNT" 2>/dev/null ||
			{ sleep 1; fusermount3 -u "$NAS_MNT"; } ||
			fusermount3 -u -z "$NAS_MNT" ||
			log "warning: could not unmount $NAS_MNT"
	fi
	wait_gone "$NAS_PID" 10 || stop_pid "$NAS_PID" bench_latency_fs
	wait "$NAS_PID" 2>/dev/null || true
	NAS_PID=""
}

# nas_floor SOURCE KEY [OPTION...]: bench_scan_floor with OPTIONs through
# a fresh share of SOURCE, its seconds kept as KEY
nas_floor() {
	nf_src=$1 nf_key=$2
	shift 2
	nas_start "$nf_src"
	nf_out=$("$SCAN_FLOOR" "$@" "$NAS_MNT") ||
		die "bench_scan_floor failed through the share"
	nas_stop
	log "nas: scan floor $*: $nf_out"
	put "$nf_key" "$(echo "$nf_out" | sed -n 's/.*, \([0-9.]*\) s$/\1/p')"
}

# nas_find DIR KEY: the seconds find takes to print the size of every
# file under DIR (a stat() each, one after another), kept as KEY
nas_find() {
	nf_start=$(now)
	find "$1" -type f -printf '%s\n' >/dev/null || die "find over $1 failed"
	put "$2" "$(since "$nf_start")"
}

# nas_mpd SOURCE: MPD's first database update through a fresh share
nas_mpd() {
	nas_start "$1"
	nm_corpus=$CORPUS
	CORPUS=$NAS_MNT
	mpd_start
	CORPUS=$nm_corpus
	log "nas: MPD's first database update (mpc --wait update)"
	put nas_mpd_update_s "$(mpd_time update)"
	log "nas: MPD update $(get nas_mpd_update_s) s, $(mpd_songs) songs"
	mpd_stop
	nas_stop
}

# nas_ratio KEY BETTER LABEL NUMERATOR_KEY DENOMINATOR_KEY [TARGET]: a
# row of the ratio of two figures, BETTER as figure_row's; a ratio to be
# lower is to be at most TARGET
nas_ratio() {
	nr=$(awk -v a="$(get "$4")" -v b="$(get "$5")" \
		'BEGIN { if (a > 0 && b > 0) printf "%.2f", a / b }')
	[ -n "$nr" ] || return 0
	if [ -n "${6-}" ]; then
		figure_row "$1@$NAS_FILES=$nr" "$2" "$3" "${nr}x" "" \
			"<= ${6}x" "$(verdict "$nr" le "$6")"
	else
		figure_row "$1@$NAS_FILES=$nr" "$2" "$3" "${nr}x"
	fi
}

section_nas() {
	nas_src=$(nas_source)
	if [ "$nas_src" = "$CORPUS" ]; then
		corpus_ensure
		corpus_describe
	else
		generate gen_corpus.py "$nas_src" "$NAS_FILES" "nas library"
	fi
	log "nas: through a share that waits $NAS_DELAY_US us a request"
	nas_floor "$nas_src" nas_floor2_s --threads 2
	nas_floor "$nas_src" nas_floor8_s --threads 8
	nas_floor "$nas_src" nas_floor_stat_s --stat
	nas_start "$nas_src"
	nas_conf=""
	if [ -n "$NAS_IO_DEPTH" ]; then
		nas_conf=$WORK/nas.conf
		printf '[general]\nscan_io_depth = %s\n' "$NAS_IO_DEPTH" \
			>"$nas_conf"
		printf '[analysis]\nenabled = no\n' >>"$nas_conf"
	fi
	mediamon_start "$NAS_MNT" "$nas_conf"
	log "nas: mediamon's first scan (startup, fresh database)"
	scan_wait ""
	scan_record nas_first "$MM_START"
	log "nas: mediamon's no-change rescan (echo 1 > control/rescan)"
	mediamon_rescan 1 nas_nochange
	# what the kernel keeps of the share's files (1 s) gone first
	sleep 2
	log "nas: a walk of mediamon's albums view (find -printf %s)"
	nas_find "$MM_MNT/library/music/albums" nas_views_walk_s
	mediamon_stop
	nas_stop
	nas_start "$nas_src"
	log "nas: find -printf %s over the share itself"
	nas_find "$NAS_MNT" nas_find_s
	nas_stop
	if [ "$NAS_MPD" = no ]; then
		log "nas: MPD skipped (MEDIAMON_BENCH_NAS_MPD=no)"
	elif command -v mpd >/dev/null 2>&1 && command -v mpc >/dev/null 2>&1
	then
		nas_mpd "$nas_src"
	else
		log "nas: MPD skipped: mpd or mpc is missing"
	fi
	if [ "$NAS_MINIDLNA" = no ]; then
		log "nas: minidlna skipped (MEDIAMON_BENCH_NAS_MINIDLNA=no)"
	elif minidlna_have; then
		nas_start "$nas_src"
		minidlna_scan "$NAS_MNT" nas_minidlna_s
		nas_stop
	else
		log "nas: minidlna skipped: minidlnad is missing"
	fi

	nas_what="$NAS_FILES files, ${NAS_DELAY_US} us a request"
	figure_row "nas_first_s@$NAS_FILES" lower \
		"nas: mediamon first scan ($nas_what)" \
		"$(get nas_first_s) s" "$(get nas_first_wall_s) s"
	figure_row "nas_floor2_s@$NAS_FILES" lower \
		"nas:   the floor, 2 threads" "$(get nas_floor2_s) s"
	figure_row "nas_floor8_s@$NAS_FILES" lower \
		"nas:   the floor, 8 threads" "$(get nas_floor8_s) s"
	figure_row "nas_nochange_s@$NAS_FILES" lower \
		"nas: mediamon no-change rescan" "$(get nas_nochange_s) s" \
		"$(get nas_nochange_wall_s) s"
	figure_row "nas_floor_stat_s@$NAS_FILES" lower \
		"nas:   the floor's stat walk, 2 threads" \
		"$(get nas_floor_stat_s) s"
	figure_row "nas_views_walk_s@$NAS_FILES" lower \
		"nas: a walk of mediamon's albums view (find -printf %s)" \
		"$(get nas_views_walk_s) s"
	figure_row "nas_find_s@$NAS_FILES" lower \
		"nas:   find -printf %s over the share itself" \
		"$(get nas_find_s) s"
	[ -z "$(get nas_mpd_update_s)" ] ||
		figure_row "nas_mpd_update_s@$NAS_FILES" lower \
			"nas: MPD update (first database build)" \
			"$(get nas_mpd_update_s) s"
	nas_ratio ratio_nas_first_floor8 lower \
		"nas: mediamon first scan / floor, 8 threads" \
		nas_first_s nas_floor8_s "$TARGET_NAS_FIRST_RATIO"
	nas_ratio ratio_nas_nochange_stat lower \
		"nas: mediamon no-change rescan / floor's stat walk" \
		nas_nochange_s nas_floor_stat_s "$TARGET_NAS_NOCHANGE_RATIO"
	[ -z "$(get nas_minidlna_s)" ] ||
		figure_row "nas_minidlna_s@$NAS_FILES" lower \
			"nas: minidlna first scan" "$(get nas_minidlna_s) s"
	nas_ratio ratio_nas_mpd_first higher \
		"nas: MPD update / mediamon first scan" \
		nas_mpd_update_s nas_first_s
	nas_ratio ratio_nas_minidlna_first higher \
		"nas: minidlna first scan / mediamon first scan" \
		nas_minidlna_s nas_first_s
}
