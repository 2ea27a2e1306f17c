# SPDX-License-Identifier: GPL-3.0-or-later
# bench_minidlna.sh: minidlna, the peer that indexes a music library for
# DLNA players, for bench.sh, which sources it: a private instance (its
# own configuration, database, port and log under $WORK, never the
# system service) timed on its first scan. The mpd, cold and nas
# sections use it. It defines helpers only, and uses bench.sh's (log,
# die, now, since, running, stop_pid, port_free); it runs nothing by
# itself.
#
# minidlna 1.3 scans once at startup (-R: a new database) and writes
# "Scanning DIR finished (N files)!" to its log at the warn level when
# it is done (its scanner.c); the time from its start to that line is
# its first scan. It counts its images (cover art) among the files.

# Seconds a first scan may take before the bench gives up on it: a cold
# first scan of 100,000 files took 59 s here.
MINIDLNA_DEADLINE_S=${MEDIAMON_BENCH_MINIDLNA_DEADLINE_S:-1800}
MINIDLNA_PID=""

minidlna_free_port() {
	md_port=8201
	while ! port_free "$md_port"; do
		md_port=$((md_port + 1))
		[ "$md_port" -lt 8300 ] ||
			die "no free port in 8201-8299 for minidlna"
	done
	echo "$md_port"
}

# minidlna_have: minidlnad is installed
minidlna_have() {
	command -v minidlnad >/dev/null 2>&1
}

# minidlna_scan MUSIC KEY: minidlna's first scan of MUSIC from a new
# database, its seconds kept as KEY and its file count as KEY_files
minidlna_scan() {
	md_dir=$WORK/minidlna
	rm -rf "$md_dir"
	mkdir -p "$md_dir/db" "$md_dir/log"
	case $1 in *'
'*) die "minidlna: a library path must be one line" ;; esac
	cat >"$md_dir/minidlna.conf" <<EOF
media_dir=A,$1
db_dir=$md_dir/db
log_dir=$md_dir/log
port=$(minidlna_free_port)
network_interface=lo
inotify=no
friendly_name=mediamon-bench
EOF
	md_start=$(now)
	minidlnad -S -R -f "$md_dir/minidlna.conf" -P "$md_dir/pid" \
		>"$md_dir/stdout" 2>&1 &
	MINIDLNA_PID=$!
	md_i=0
	until md_line=$(grep -h ' finished (' "$md_dir/stdout" \
		"$md_dir/log/minidlna.log" 2>/dev/null | head -n 1) &&
		[ -n "$md_line" ]; do
		if ! running "$MINIDLNA_PID"; then
			tail -n 20 "$md_dir/stdout" >&2
			MINIDLNA_PID=""
			die "minidlna exited before its scan finished (see above)"
		fi
		md_i=$((md_i + 1))
		[ "$md_i" -le $((MINIDLNA_DEADLINE_S * 20)) ] ||
			die "minidlna's scan did not finish in $MINIDLNA_DEADLINE_S s"
		sleep 0.05
	done
	put "$2" "$(since "$md_start")"
	put "${2}_files" "$(echo "$md_line" |
		sed -n 's/.* finished (\([0-9]*\) files).*/\1/p')"
	minidlna_stop
	log "minidlna: first scan of $1: $(get "$2") s, $(get "${2}_files") files"
}

minidlna_stop() {
	[ -z "$MINIDLNA_PID" ] || stop_pid "$MINIDLNA_PID" minidlna
	MINIDLNA_PID=""
}
