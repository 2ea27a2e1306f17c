# SPDX-License-Identifier: GPL-3.0-or-later
# shellcheck shell=sh
#
# The scalepeers section of `make bench` (issue 80): the first scan of
# the scale library (tests/bench/gen_tiny.py, $SCALE_FILES files, a
# million by default) against MPD and against its floor, warm and cold,
# so that the report's first-scan ratios (first_scan_ratios) stand at
# $FILES and at $SCALE_FILES in one run. It is not among the default
# sections: MPD takes minutes over a million files, and the cold runs
# read the library from the disk three times more. It runs when
# MEDIAMON_BENCH_SCALE_PEERS=yes (after the scale section) or when named
# in MEDIAMON_BENCH_SECTIONS. It uses the scale section's warm first
# scan and floor when that ran before it, else makes its own. MPD's
# figures are left out when mpd or mpc is missing, the cold ones when
# not root. Sourced by bench.sh; it runs nothing by itself.

# scalepeers_mpd: MPD's first database build and its rescan of the warm
# scale library, kept as scale_mpd_update_s and scale_mpd_rescan_s
scalepeers_mpd() {
	mpd_start "$SCALE"
	warm "$SCALE"
	log "scalepeers: MPD's first database build ($SCALE_FILES files)"
	put scale_mpd_update_s "$(mpd_time update)"
	warm "$SCALE"
	log "scalepeers: MPD's rescan of every file"
	put scale_mpd_rescan_s "$(mpd_time rescan)"
	log "scalepeers: MPD update $(get scale_mpd_update_s) s," \
		"rescan $(get scale_mpd_rescan_s) s, $(mpd_songs) songs"
	mpd_stop
}

# scalepeers_cold: the floor on 8 threads, mediamon's first scan and
# MPD's first database build, each with the page cache dropped
scalepeers_cold() {
	# read whole once first, as the cold section does: the virtual
	# disk's host keeps what it read lately
	warm "$SCALE"
	cold_floor 8 scale_cold_floor8_s "$SCALE"
	drop_caches
	mediamon_start "$SCALE"
	log "scalepeers: mediamon's first scan, cold"
	scan_wait ""
	scan_record scale_cold_first "$MM_START"
	mediamon_stop
	[ -n "$SP_MPD" ] || return 0
	mpd_start "$SCALE"
	drop_caches
	log "scalepeers: MPD's first database update, cold"
	put scale_cold_mpd_update_s "$(mpd_time update)"
	mpd_stop
}

section_scalepeers() {
	scale_ensure
	SP_MPD=""
	if command -v mpd >/dev/null 2>&1 && command -v mpc >/dev/null 2>&1
	then
		SP_MPD=yes
	else
		log "scalepeers: MPD skipped: mpd or mpc is missing"
	fi
	if [ -z "$(get scale_first_s)" ]; then
		warm "$SCALE"
		mediamon_start "$SCALE"
		log "scalepeers: mediamon's first scan of $SCALE_FILES files"
		scan_wait ""
		scan_record scale_first "$MM_START"
		mediamon_stop
		figure_row "scale_first_s@$SCALE_FILES" lower \
			"scale: first scan, $SCALE_FILES tiny MP3s" \
			"$(get scale_first_s) s" "$(get scale_first_wall_s) s"
	fi
	[ -n "$(get scale_floor_s)" ] || scan_floor "$SCALE" scale_floor_s
	[ -z "$SP_MPD" ] || scalepeers_mpd
	if [ "$(id -u)" = 0 ] && [ -w /proc/sys/vm/drop_caches ]; then
		scalepeers_cold
	else
		log "scalepeers: the cold runs skipped: dropping the page cache takes root"
	fi
	for k in scale_mpd_update_s:"MPD update (first database build)" \
		scale_mpd_rescan_s:"MPD rescan (re-read every file)" \
		scale_cold_first_s:"mediamon first scan, cold" \
		scale_cold_floor8_s:"  the floor, cold, 8 threads" \
		scale_cold_mpd_update_s:"MPD update, cold"; do
		[ -z "$(get "${k%%:*}")" ] ||
			figure_row "${k%%:*}@$SCALE_FILES" lower \
				"scale: ${k#*:}" "$(get "${k%%:*}") s"
	done
}
