# SPDX-License-Identifier: GPL-3.0-or-later
# bench_subsonic.sh: the subsonic section of bench.sh (issue 67), which
# sources it: getArtists, getAlbumList2 and search3 of mediamon's
# /rest beside the same calls to supysonic (Debian's Subsonic server) on
# the same library, in one run. It defines the section and its helpers
# only, and uses bench.sh's (figure_row, put, get, generate, warm,
# mediamon_start, scan_wait, stop_pid...); it runs nothing by itself.
#
# The library is MEDIAMON_BENCH_SUBSONIC_FILES files of the corpus'
# kind (100,000 by default, the issue's size); supysonic's is
# MEDIAMON_BENCH_SUPYSONIC_FILES of them (10,000 by default). Each
# server gets its throw-away configuration, database and loopback port.
# supysonic's database is filled by tests/bench/supysonic_fill.py:
# supysonic's own Scanner.scan_file over its files, 1,000 to a
# transaction, then its
# cover pass and prune (supysonic-cli's scan commits each file alone:
# 302 s for 10,000 files here, near an hour for 100,000; the rows are the
# same, checked at 600 files: every track's path, title, year, genre,
# duration, number, disc, art, album and artist, every folder's cover);
# its fill time is a row too. supysonic answers from supysonic-server
# on waitress (python3-waitress). The calls are timed by
# tests/bench/subsonic_load.py: the median of three, and the first
# getAlbumList2. mediamon gathers its lists' index on the first call of
# all (getArtists: the owner's, then each account's made from it); after
# a change a thread of its own gathers it again, and a list asked
# meanwhile is answered from the index before.
#
# Measured here at 100,000 files (105,558 with the corpus' extras), 2
# shared CPUs at load 12-19 (other sessions' tests), one run: mediamon's
# first scan 14.7 s, getArtists 0.007 s, getAlbumList2 0.048 s, search3
# 0.045 s, the first getAlbumList2 (the index gathered) 7.8 s (2.8 s
# once its reads share one transaction, measured by hand at load 18);
# supysonic's batched scan 807 s, getArtists 0.092 s, getAlbumList2
# 0.183 s, search3 0.040 s, its first getAlbumList2 0.236 s.
# The tags of the index read in one query (track_attrs_titles()) instead
# of each song's record: mediamon's first getAlbumList2 by hand at
# 100,000 files, load 13-14, 3.3 s before, 2.5 s after; its CPU 1.32 s
# before, 0.60 s after (the rest is the walk of 9,082 album folders of
# the view, their listings and covers).

#
# The household (issue 77): three local users who are not root
# (mmbench-ss1 to 3, made for the run and removed after), each an account
# of the htpasswd, ask the same lists of mediamon on a hard-linked copy
# of the library in a folder every user may reach (the cache under $HOME
# is root's alone). The first's medians, its first list, the first list
# again after a track is added, and the daemon's peak memory after the
# three accounts' lists are rows with the issue's targets.

SUBSONIC_FILES=${MEDIAMON_BENCH_SUBSONIC_FILES:-100000}
SUBSONIC_LIB=$BENCH_DIR/subsonic-library
# supysonic's library: MEDIAMON_BENCH_SUPYSONIC_FILES files of the same
# kind (10,000 by default, at most mediamon's), its own folder when it is
# not mediamon's size (its batched fill takes 807 s at 100,000)
SUPYSONIC_FILES=${MEDIAMON_BENCH_SUPYSONIC_FILES:-10000}
[ "$SUPYSONIC_FILES" -le "$SUBSONIC_FILES" ] || SUPYSONIC_FILES=$SUBSONIC_FILES
SUPYSONIC_LIB=$SUBSONIC_LIB
[ "$SUPYSONIC_FILES" -eq "$SUBSONIC_FILES" ] ||
	SUPYSONIC_LIB=$BENCH_DIR/supysonic-library
SS_PID=""
SS_HOME=""	# the household's copy of the library
SS_USERS=""	# the household's users made for the run
TARGET_SS_HOUSEHOLD_S=0.1	# getAlbumList2 of 500 and search3, median
TARGET_SS_FIRST_S=0.5	# the first list after a change
TARGET_SS_RSS_KB=153600	# after three accounts' lists

# subsonic_stop: supysonic-server goes, if it runs, and the household's
# users and copy (also from cleanup)
subsonic_stop() {
	[ -z "$SS_PID" ] || stop_pid "$SS_PID" supysonic-server
	SS_PID=""
	for ss_u in $SS_USERS; do
		userdel "$ss_u" 2>/dev/null ||
			log "warning: userdel $ss_u failed; remove it by hand"
	done
	SS_USERS=""
	[ -z "$SS_HOME" ] || rm -rf --one-file-system "$SS_HOME"
	SS_HOME=""
}

# subsonic_rows WHO FILES: the figures of subsonic_load.py's output file
# $WORK/subsonic-WHO, over a library of FILES files, as rows
subsonic_rows() {
	while read -r sr_key sr_value; do
		put "subsonic_$1_$sr_key" "$sr_value"
	done <"$WORK/subsonic-$1"
	for sr_call in artists:getArtists albums:getAlbumList2 \
		albums500:"getAlbumList2 of 500" search:search3; do
		figure_row "subsonic_$1_${sr_call%%:*}_s" lower \
			"subsonic: $1 ${sr_call#*:} ($2 tracks)" \
			"$(get "subsonic_$1_${sr_call%%:*}_s") s" "" "" ""
	done
	figure_row "subsonic_$1_albums_first_s" lower \
		"subsonic: $1 first getAlbumList2 ($2 tracks)" \
		"$(get "subsonic_$1_albums_first_s") s" "" "" ""
}

# subsonic_household_lib: SS_HOME, a folder every user may reach, with
# the library hard-linked into it as SS_HOME/library
subsonic_household_lib() {
	SS_HOME=$(mktemp -d /var/tmp/mediamon-bench-ss.XXXXXX) ||
		die "no folder for the household's library in /var/tmp"
	chmod 755 "$SS_HOME"
	cp -al "$SUBSONIC_LIB" "$SS_HOME/library" 2>"$WORK/ss-cp.err" ||
		die "cannot hard-link the library into $SS_HOME (same file system as $BENCH_DIR needed): $(head -n 1 "$WORK/ss-cp.err")"
}

# subsonic_until TRIES WHY COMMAND...: COMMAND asked every 0.1 s until it
# succeeds; die saying WHY after TRIES, or when mediamon is gone
subsonic_until() {
	su_tries=$1 su_why=$2 su_i=0
	shift 2
	until "$@"; do
		su_i=$((su_i + 1))
		[ "$su_i" -lt "$su_tries" ] && mediamon_alive ||
			die "$su_why (see $MM_LOG)"
		sleep 0.1
	done
}

# subsonic_pings BASE PASSWORD: whether mmbench-ss1's ping is answered ok
subsonic_pings() {
	curl -fsS "$1/rest/ping.view?u=mmbench-ss1&p=$2&v=1.16.1&c=bench&f=json" \
		2>/dev/null | grep -q '"status": *"ok"'
}

# subsonic_tracks_above N: whether the index holds more than N tracks
subsonic_tracks_above() {
	[ "$(jq '.counts.tracks' "$MM_MNT/status/summary.json")" -gt "$1" ]
}

# subsonic_household BASE PASSWORD: the household's accounts made, their
# lists timed against mediamon at BASE, and their rows
subsonic_household() {
	for ss_n in 1 2 3; do
		ss_u=mmbench-ss$ss_n
		id "$ss_u" >/dev/null 2>&1 ||
			useradd --no-create-home --user-group \
				--shell /usr/sbin/nologin "$ss_u" ||
			die "useradd $ss_u failed"
		SS_USERS="$SS_USERS $ss_u"
		htpasswd -bB -C 5 "$WORK/ss-htpasswd" "$ss_u" "$2" \
			2>/dev/null || die "htpasswd could not add $ss_u"
	done
	kill -HUP "$MM_PID"
	subsonic_until 600 "the household's account was not taken after a reload" \
		subsonic_pings "$1" "$2"
	"$PYTHON" "$REPO/tests/bench/subsonic_load.py" "$1" mmbench-ss1 "$2" \
		>"$WORK/subsonic-household" ||
		die "subsonic_load.py failed for a household account (see $MM_LOG)"
	for ss_u in mmbench-ss2 mmbench-ss3; do
		"$PYTHON" "$REPO/tests/bench/subsonic_load.py" "$1" "$ss_u" "$2" \
			first >/dev/null ||
			die "subsonic_load.py failed for $ss_u (see $MM_LOG)"
	done
	put subsonic_household_rss_kb "$(mediamon_vmhwm)"
	ss_tracks=$(jq '.counts.tracks' "$MM_MNT/status/summary.json")
	ss_one=$(find "$SS_HOME/library" -name '*.mp3' -print -quit)
	[ -n "$ss_one" ] || die "no .mp3 in the household's library"
	mkdir -p "$SS_HOME/library/zz-bench-added"
	cp "$ss_one" "$SS_HOME/library/zz-bench-added/added.mp3"
	subsonic_until 1200 "a track added was not indexed within 120 s" \
		subsonic_tracks_above "$ss_tracks"
	"$PYTHON" "$REPO/tests/bench/subsonic_load.py" "$1" mmbench-ss1 "$2" \
		first >"$WORK/subsonic-household-change" ||
		die "subsonic_load.py failed after a change (see $MM_LOG)"
	sed 's/^first_s /albums_after_change_s /' \
		"$WORK/subsonic-household-change" >>"$WORK/subsonic-household"
	[ "$(sed -n 's/^albums500_n //p' "$WORK/subsonic-household")" = \
		"$(sed -n 's/^albums500_n //p' "$WORK/subsonic-mediamon")" ] || {
		log "error: a household account that may read every file got another getAlbumList2 than root's"
		BROKEN=1
	}
}

# subsonic_household_rows: the household's rows, with the issue's targets
subsonic_household_rows() {
	subsonic_rows household "$SUBSONIC_FILES"
	for ss_k in albums500 search; do
		ss_v=$(get "subsonic_household_${ss_k}_s")
		row "subsonic: household $ss_k within target" "$ss_v s" "" \
			"<= $TARGET_SS_HOUSEHOLD_S s" \
			"$(verdict "$ss_v" le "$TARGET_SS_HOUSEHOLD_S")"
	done
	ss_v=$(get subsonic_household_albums_after_change_s)
	figure_row subsonic_household_albums_after_change_s lower \
		"subsonic: household first getAlbumList2 after a track added" \
		"$ss_v s" "" "<= $TARGET_SS_FIRST_S s" \
		"$(verdict "$ss_v" le "$TARGET_SS_FIRST_S")"
	ss_v=$(get subsonic_household_rss_kb)
	figure_row subsonic_household_rss_kb smaller \
		"subsonic: mediamon's peak RSS after three accounts' lists" \
		"$ss_v kB" "" "<= $TARGET_SS_RSS_KB kB" \
		"$(verdict "$ss_v" le "$TARGET_SS_RSS_KB")"
}

section_subsonic() {
	command -v htpasswd >/dev/null ||
		die "the subsonic section needs htpasswd (apache2-utils)"
	for tool in supysonic-cli supysonic-server; do
		command -v "$tool" >/dev/null 2>&1 ||
			die "$tool is missing (run contrib/install-deps.sh)"
	done
	generate gen_corpus.py "$SUBSONIC_LIB" "$SUBSONIC_FILES" \
		"Subsonic library"
	warm "$SUBSONIC_LIB"
	ss_user=$(id -un)
	ss_pass=bench-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')

	# mediamon
	htpasswd -cbB -C 5 "$WORK/ss-htpasswd" "$ss_user" "$ss_pass" \
		2>/dev/null || die "htpasswd could not write $WORK/ss-htpasswd"
	chmod 600 "$WORK/ss-htpasswd"
	printf '[analysis]\nenabled = no\n[http]\nlisten = 127.0.0.1:0\nhtpasswd = %s\n' \
		"$WORK/ss-htpasswd" >"$WORK/subsonic.conf"
	subsonic_household_lib
	mm_start=$(now)
	mediamon_start "$SS_HOME/library" "$WORK/subsonic.conf"
	scan_wait ""
	scan_record subsonic_mediamon_scan "$mm_start"
	figure_row subsonic_mediamon_scan_s lower \
		"subsonic: mediamon's first scan ($SUBSONIC_FILES files)" \
		"$(get subsonic_mediamon_scan_s) s" "" "" ""
	ss_port=$(sed -n 's/.*http: listening on .* (port \([0-9]*\)).*/\1/p' \
		"$MM_LOG" | head -n 1)
	[ -n "$ss_port" ] || die "the http listener did not start (see $MM_LOG)"
	"$PYTHON" "$REPO/tests/bench/subsonic_load.py" \
		"http://127.0.0.1:$ss_port" "$ss_user" "$ss_pass" \
		>"$WORK/subsonic-mediamon" ||
		die "subsonic_load.py failed against mediamon (see $MM_LOG)"
	subsonic_household "http://127.0.0.1:$ss_port" "$ss_pass"
	mediamon_stop
	subsonic_rows mediamon "$SUBSONIC_FILES"
	subsonic_household_rows

	# supysonic: its configuration is supysonic.conf in its working folder
	[ "$SUPYSONIC_LIB" = "$SUBSONIC_LIB" ] || {
		generate gen_corpus.py "$SUPYSONIC_LIB" "$SUPYSONIC_FILES" \
			"supysonic's library"
		warm "$SUPYSONIC_LIB"
	}
	ss_dir=$WORK/supysonic
	mkdir -p "$ss_dir/cache"
	printf '[base]\ndatabase_uri = sqlite:///%s/supysonic.db\n[webapp]\ncache_dir = %s/cache\nlog_file = %s/supysonic.log\nlog_level = WARNING\nmount_webui = off\n[daemon]\nsocket = %s/daemon.sock\nrun_watcher = no\n' \
		"$ss_dir" "$ss_dir" "$ss_dir" "$ss_dir" >"$ss_dir/supysonic.conf"
	(cd "$ss_dir" &&
		supysonic-cli user add "$ss_user" -p "$ss_pass" &&
		supysonic-cli folder add music "$SUPYSONIC_LIB") \
		>"$ss_dir/setup.log" 2>&1 ||
		die "supysonic-cli could not set up (see $ss_dir/setup.log)"
	log "supysonic: its database filled by tests/bench/supysonic_fill.py: its own Scanner.scan_file over its $SUPYSONIC_FILES files, 1,000 to a transaction (supysonic-cli's scan commits each file alone: about an hour at 100,000)"
	ss_start=$(now)
	(cd "$ss_dir" && "$PYTHON" "$REPO/tests/bench/supysonic_fill.py" music) \
		>"$ss_dir/fill.log" 2>&1 ||
		die "supysonic's fill failed (see $ss_dir/fill.log)"
	put subsonic_supysonic_fill_s "$(since "$ss_start")"
	log "supysonic: its database holds $(tr '\n' ' ' <"$ss_dir/fill.log")"
	figure_row subsonic_supysonic_fill_s lower \
		"subsonic: supysonic's scan, batched ($SUPYSONIC_FILES files)" \
		"$(get subsonic_supysonic_fill_s) s" "" "" ""
	ss_port=$(free_port 5722 5821 supysonic)
	(cd "$ss_dir" && exec supysonic-server -S waitress -h 127.0.0.1 -p "$ss_port") \
		>"$ss_dir/server.log" 2>&1 &
	SS_PID=$!
	ss_i=0
	until curl -fsS -o /dev/null "http://127.0.0.1:$ss_port/rest/ping.view?u=$ss_user&p=$ss_pass&v=1.16.1&c=bench" 2>/dev/null; do
		ss_i=$((ss_i + 1))
		[ "$ss_i" -lt 600 ] && running "$SS_PID" ||
			die "supysonic-server did not answer (see $ss_dir/server.log)"
		sleep 0.1
	done
	"$PYTHON" "$REPO/tests/bench/subsonic_load.py" \
		"http://127.0.0.1:$ss_port" "$ss_user" "$ss_pass" \
		>"$WORK/subsonic-supysonic" ||
		die "subsonic_load.py failed against supysonic (see $ss_dir)"
	subsonic_stop
	subsonic_rows supysonic "$SUPYSONIC_FILES"
}
