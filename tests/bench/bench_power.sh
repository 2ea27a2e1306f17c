# SPDX-License-Identifier: GPL-3.0-or-later
# bench_power.sh: the idle and cold sections of bench.sh (issue 49), which
# sources it: what a box that sleeps or was just booted sees. It defines
# section functions and their helpers only, and uses bench.sh's (row,
# figure_row, put, get, mediamon_start, scan_wait, covers_conf...); it
# runs nothing by itself.
#
# idle: mediamon mounted over the corpus, its first scan over and the
# daemon idle (analysis off, as in every timed section), the voluntary
# context switches of all its threads summed over IDLE_WINDOW_S seconds
# (/proc/PID/task/*/status): how often it wakes with nothing to do.
# cold: the first scan of the corpus with the page cache dropped before
# each run (as after a reboot; the corpus read whole once before, so that
# each program finds the same disk), mediamon's (with the cover search and
# without, covers = no) beside the floor's
# (bench_scan_floor, 2 and 8 threads), MPD's first database update and
# minidlna's first scan. Dropping the cache takes root; otherwise the
# section says it skipped.
#
# Measured here (2 shared CPUs, a 300-file corpus, a 10 s window, as
# root): idle 0.00 wakeups/s (before issue 49: 10.5, the invalidation
# thread's 100 ms tick and the service thread's 2 s look; 11.5 with the
# analysis on, its worker looking every second). Cold, on the 100,000-file
# corpus: mediamon 5.7 s (8.9 s before it opened files ahead on a cold
# local disk), the floor 8.3 s on 2 threads and 4.7 s on 8 (1.22x, where
# the target is 1.3x; the floor's own figure varies by a quarter from
# run to run here), MPD's update 43.0 s (7.5x), minidlna's 129 s.

# Seconds the idle daemon is watched; MEDIAMON_BENCH_IDLE_S shortens it.
IDLE_WINDOW_S=${MEDIAMON_BENCH_IDLE_S:-60}
# Seconds it is left alone first, once its scan is over.
IDLE_SETTLE_S=5
# An idle mount wakes at most this often (wakeups per second).
TARGET_IDLE_WAKEUPS=1
# A cold first scan takes at most this many times the 8-thread floor's.
TARGET_COLD_FLOOR8_RATIO=1.3
# and is at least this many times faster than MPD's first update, cold.
TARGET_COLD_MPD_RATIO=5

# switches PID: "TID NAME COUNT" for every thread of PID, COUNT its
# voluntary context switches so far
switches() {
	for sw_task in /proc/"$1"/task/*; do
		sw_n=$(sed -n 's/^voluntary_ctxt_switches:[[:space:]]*//p' \
			"$sw_task/status" 2>/dev/null) || continue
		[ -n "$sw_n" ] || continue
		echo "${sw_task##*/} $(cat "$sw_task/comm" 2>/dev/null) $sw_n"
	done | sort
}

section_idle() {
	corpus_warm
	# the counts are kept out of the store's folder ($WORK), whose
	# changes wake the daemon
	mkdir -p "$WORK/idle"
	mediamon_start
	log "idle: first scan, then ${IDLE_SETTLE_S} s left alone"
	scan_wait ""
	sleep "$IDLE_SETTLE_S"
	mediamon_alive || die "mediamon exited before the idle window"
	switches "$MM_PID" >"$WORK/idle/before"
	log "idle: counting its threads' wakeups for $IDLE_WINDOW_S s"
	sleep "$IDLE_WINDOW_S"
	mediamon_alive || die "mediamon exited during the idle window"
	switches "$MM_PID" >"$WORK/idle/after"
	mediamon_stop
	# each thread's wakeups in the window, by name; one born in it
	# counts from 0
	awk 'NR == FNR { was[$1] = $3; next }
		{ by[$2] += $3 - was[$1] }
		END { for (t in by) print t, by[t] }' \
		"$WORK/idle/before" "$WORK/idle/after" | sort -k 2 -rn \
		>"$WORK/idle/threads"
	woke=$(awk '$2 > 0' "$WORK/idle/threads" | paste -sd ' ' -)
	log "idle: wakeups by thread: ${woke:-none}"
	rate=$(awk -v s="$IDLE_WINDOW_S" '{ n += $2 }
		END { printf "%.2f", n / s }' "$WORK/idle/threads")
	figure_row "idle_wakeups_per_s@$FILES=$rate" lower \
		"mediamon idle, mounted: wakeups/s (all threads, ${IDLE_WINDOW_S} s)" \
		"$rate /s" "" "<= $TARGET_IDLE_WAKEUPS /s" \
		"$(verdict "$rate" le "$TARGET_IDLE_WAKEUPS")"
}

# drop_caches: write back and forget the page cache, dentries and
# inodes, as a reboot would
drop_caches() {
	sync
	echo 3 >/proc/sys/vm/drop_caches || die "cannot drop the page cache"
}

# cold_floor THREADS KEY [DIR]: the floor's first scan of DIR (default
# the corpus) with the page cache dropped, on THREADS threads, kept as KEY
cold_floor() {
	drop_caches
	cf_out=$("$SCAN_FLOOR" --threads "$1" "${3:-$CORPUS}") ||
		die "bench_scan_floor failed on ${3:-$CORPUS}"
	log "cold scan floor, $1 threads: $cf_out"
	put "$2" "$(echo "$cf_out" | sed -n 's/.*, \([0-9.]*\) s$/\1/p')"
}

section_cold() {
	if [ "$(id -u)" != 0 ] || [ ! -w /proc/sys/vm/drop_caches ]; then
		log "cold: skipped: dropping the page cache takes root"
		row "cold first scan (page cache dropped)" "skipped: not root"
		return 0
	fi
	# Read whole once first: the disk of a virtual machine answers from
	# the host's cache what it read lately, so the first program of the
	# section would pay for the disk and the next ones not (the floor
	# 83 s on 2 threads first, then 4.6 s on 8; mediamon 26 s, reading
	# the MP3s' ends the floor had not, then 5.2 s).
	corpus_warm
	cold_floor 2 cold_floor2_s
	cold_floor 8 cold_floor8_s
	drop_caches
	mediamon_start
	log "cold: mediamon's first scan (startup, fresh database)"
	scan_wait ""
	scan_record cold_first "$MM_START"
	mediamon_stop
	# the same without the cover search, which reads further into the
	# files holding a picture
	covers_conf no
	drop_caches
	mediamon_start "$CORPUS" "$WORK/covers-no.conf"
	log "cold: mediamon's first scan with covers = no"
	scan_wait ""
	scan_record cold_nocovers "$MM_START"
	mediamon_stop
	cold_peers
	figure_row "cold_first_s@$FILES" lower \
		"mediamon first scan, cold (page cache dropped)" \
		"$(get cold_first_s) s" "$(get cold_first_wall_s) s"
	figure_row "cold_nocovers_s@$FILES" lower \
		"  the same with covers = no (no cover search)" \
		"$(get cold_nocovers_s) s" "$(get cold_nocovers_wall_s) s"
	ratio_row "mediamon cold first scan, covers = yes / covers = no" \
		cold_first_s cold_nocovers_s "" lower
	figure_row "cold_floor2_s@$FILES" lower \
		"  the floor, cold, 2 threads" "$(get cold_floor2_s) s"
	figure_row "cold_floor8_s@$FILES" lower \
		"  the floor, cold, 8 threads" "$(get cold_floor8_s) s"
	[ -z "$(get cold_mpd_update_s)" ] ||
		figure_row "cold_mpd_update_s@$FILES" lower \
			"MPD update (first database build), cold" \
			"$(get cold_mpd_update_s) s"
	[ -z "$(get cold_minidlna_s)" ] ||
		figure_row "cold_minidlna_s@$FILES" lower \
			"minidlna first scan, cold" "$(get cold_minidlna_s) s"
	ratio_row "minidlna first scan, cold / mediamon first scan, cold" \
		cold_minidlna_s cold_first_s
}

# cold_peers: MPD's first database update and minidlna's first scan of
# the corpus, each with the page cache dropped first
cold_peers() {
	if command -v mpd >/dev/null 2>&1 && command -v mpc >/dev/null 2>&1
	then
		mpd_start
		drop_caches
		log "cold: MPD's first database update (mpc --wait update)"
		put cold_mpd_update_s "$(mpd_time update)"
		log "cold: MPD update $(get cold_mpd_update_s) s," \
			"$(mpd_songs) songs"
		mpd_stop
	else
		log "cold: MPD skipped: mpd or mpc is missing"
	fi
	if minidlna_have; then
		drop_caches
		minidlna_scan "$CORPUS" cold_minidlna_s
	else
		log "cold: minidlna skipped: minidlnad is missing"
	fi
}
