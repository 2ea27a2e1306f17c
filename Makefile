# SPDX-License-Identifier: GPL-3.0-or-later
# mediamon: make, make test, make flood, make bench, make run, make install, make clean;
# make asan, make fuzz, make fuzz-smoke, make valgrind for hardening;
# make dist for the source release; make deb, make deb-test for the Debian
# package; make cross ARCH=arm64, make cross-test ARCH=arm64 for a
# Raspberry Pi; make image, make image-test for the container.

VERSION := 0.1.0
PREFIX ?= /usr/local
LIBEXECDIR ?= $(PREFIX)/libexec/mediamon
DESTDIR ?=
BUILD ?= build
BIN ?= mediamon
# Extra compiler and linker flags for an instrumented build (make asan).
SANITIZE ?=

PKGS := fuse3 sqlite3 libcurl libcrypto zlib jansson libxml-2.0 inih libarchive \
	libmicrohttpd libxcrypt libutf8proc
# What only mediamon-analyse links: the audio analysis pulls libavcodec
# and a hundred more libraries, which the daemon is kept free of.
ANALYSIS_PKGS := flac jansson libchromaprint libebur128 aubio libmpg123 \
	libseccomp libavformat libavcodec libavutil libswresample libswscale
CC ?= cc
# A cross build's own (make cross) finds the foreign architecture's .pc files.
PKG_CONFIG ?= pkg-config
CFLAGS ?= -O2 -g
# _FILE_OFFSET_BITS: on a 32-bit target (armhf) libfuse wants, and large
# files need, a 64-bit off_t; time_t stays as the target's libraries have it.
CFLAGS += -std=gnu11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -Wall -Wextra \
	-Werror -pthread -I. \
	-DMEDIAMON_VERSION='"$(VERSION)"' -DFUSE_USE_VERSION=314 \
	-DMEDIAMON_LIBEXECDIR='"$(LIBEXECDIR)"' \
	$(shell $(PKG_CONFIG) --cflags $(PKGS) $(ANALYSIS_PKGS))
CFLAGS += $(SANITIZE)
LDLIBS += $(shell $(PKG_CONFIG) --libs $(PKGS)) -pthread -lm
ANALYSIS_LIBS := $(shell $(PKG_CONFIG) --libs $(ANALYSIS_PKGS))
# What links the analysis and the daemon's modules both: tests, benches.
ANALYSIS_LDLIBS := $(ANALYSIS_LIBS) $(LDLIBS)

COMMON_SRC := $(wildcard common/*.c)
ANALYSIS_SRC := $(addprefix indexer/analysis/,analysis.c analysis_decode.c \
	analysis_decode_av.c \
	analysis_fp.c analysis_peak.c analysis_spectrum.c analysis_confine.c)
INDEXER_SRC := $(filter-out $(ANALYSIS_SRC),\
	$(wildcard indexer/*.c indexer/*/*.c))
FS_SRC := $(filter-out fs/main.c,$(wildcard fs/*.c fs/*/*.c))
LIB_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(COMMON_SRC) $(INDEXER_SRC) $(FS_SRC))
LIB := $(BUILD)/libmediamon.a
ANALYSIS_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(ANALYSIS_SRC))
ANALYSIS_LIB := $(BUILD)/libanalysis.a
# The analysis child, next to the daemon, which looks for it there first.
ANALYSER := $(patsubst ./%,%,$(dir $(BIN))mediamon-analyse)

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
FIXTURES := $(BUILD)/fixtures/.done

.PHONY: all test unit flood bench reliability run demo install uninstall clean \
	docs

all: $(BIN) $(ANALYSER)

$(BIN): $(BUILD)/fs/main.o $(LIB)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(ANALYSER): $(BUILD)/analyser/main.o $(BUILD)/analyser/transcode.o \
		$(BUILD)/analyser/scale.o \
		$(ANALYSIS_LIB) $(LIB)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(ANALYSIS_LIBS) \
		-pthread -lm

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(ANALYSIS_LIB): $(ANALYSIS_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

# What unit tests share (starting fake servers, a store of their own,
# bounded joins, the fixtures of the test files split from one) is
# linked into each: every tests/unit/*.c that is not a test_*.c.
TEST_SUPPORT := $(patsubst tests/unit/%.c,$(BUILD)/tests/%.o, \
	$(filter-out $(UNIT_SRC),$(wildcard tests/unit/*.c)))

$(BUILD)/tests/%.o: tests/unit/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(ANALYSIS_LIB) $(LIB) $(TEST_SUPPORT)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -MMD -MP -o $@ $< \
		$(TEST_SUPPORT) $(ANALYSIS_LIB) $(LIB) $(ANALYSIS_LDLIBS) \
		$(shell $(PKG_CONFIG) --libs cmocka)

$(FIXTURES): tests/data/make-fixtures.sh tests/data/make-analysis-fixtures.sh \
		tests/data/make-odd-tags.py
	@mkdir -p $(BUILD)/fixtures
	sh tests/data/make-fixtures.sh $(BUILD)/fixtures
	sh tests/data/make-analysis-fixtures.sh $(BUILD)/fixtures
	/usr/bin/python3 tests/data/make-odd-tags.py $(BUILD)/fixtures/odd
	@touch $@

unit: $(UNIT_BIN) $(FIXTURES) $(ANALYSER)

# How many pytest-xdist workers run the integration tests (make test, make
# asan): most of a test's time is waiting, so more workers than cores
# (four alone on two cores: about 11 minutes, two: about 19). make asan
# runs beside make test in CI (.ci/run), which then gives each two.
TEST_WORKERS ?= 4
ASAN_TEST_WORKERS ?= 2
# The npm packages of the tests (contrib/install-deps.sh installs them
# too), so that a second clone of a machine set up already tests whole.
JS_PACKAGES := tests/js/node_modules/.package-lock.json
$(JS_PACKAGES): tests/js/package.json tests/js/package-lock.json
	npm ci --prefix tests/js --ignore-scripts --no-audit --no-fund \
		--loglevel=error
test: $(BIN) $(ANALYSER) unit $(JS_PACKAGES)
	MEDIAMON_TEST_WORKERS=$(TEST_WORKERS) \
	MEDIAMON_BINARY=$(abspath $(BIN)) \
	MEDIAMON_LATENCY_FS=$(abspath $(BUILD)/bench/bench_latency_fs) \
	MEDIAMON_DOCS_TOOL=$(abspath $(DOCS_TOOL)) \
		sh tests/run-tests.sh $(BUILD)

# The issue-sized floods (pytest mark "flood": 200,000 files made and
# removed by one user), which make test skips: CI runs them after it,
# bounded by 15 minutes.
flood: $(BIN) $(ANALYSER)
	MEDIAMON_BINARY=$(abspath $(BIN)) MEDIAMON_FLOOD=1 \
		/usr/bin/python3 -m pytest -q -rfEs -p no:cacheprovider \
		--basetemp=$(abspath $(BUILD))/pytest-flood -m flood \
		tests/integration

# The whole suite again with AddressSanitizer and UndefinedBehaviorSanitizer
# in every binary, built apart in build-asan. ASan's reports go to files
# named by process id, so that a report from a daemon behind a mount is not
# lost; UBSan's go to the daemons' logs. Any report fails the run (leaks
# inside libfuse aside: tests/lsan.supp). A small quarantine of freed
# memory keeps the daemon within the memory bounds the tests hold it to.
.PHONY: asan valgrind fuzz fuzz-smoke fuzz-build fuzz-harnesses fuzz-figures
ASAN_BUILD := build-asan
ASAN_FLAGS := -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
ASAN_REPORTS := $(abspath $(ASAN_BUILD))/sanitizer
ASAN_OPTS := detect_leaks=1:quarantine_size_mb=16
SANITIZER_MARKS := ^==[0-9]+==ERROR: (Address|Leak)Sanitizer|:[0-9]+:[0-9]+: runtime error:
asan: $(JS_PACKAGES)
	$(MAKE) BUILD=$(ASAN_BUILD) BIN=$(ASAN_BUILD)/mediamon \
		SANITIZE="$(ASAN_FLAGS)" $(ASAN_BUILD)/mediamon \
		$(ASAN_BUILD)/mediamon-analyse unit
	@rm -rf $(ASAN_REPORTS) && mkdir -p $(ASAN_REPORTS)
	MEDIAMON_REPORT_LOG=$(ASAN_REPORTS)/report \
	ASAN_OPTIONS=$(ASAN_OPTS):log_path=$(ASAN_REPORTS)/report \
	LSAN_OPTIONS=suppressions=$(abspath tests/lsan.supp) \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	MEDIAMON_TEST_WORKERS=$(ASAN_TEST_WORKERS) \
	MEDIAMON_BINARY=$(abspath $(ASAN_BUILD))/mediamon \
	MEDIAMON_LATENCY_FS=$(abspath $(BUILD)/bench/bench_latency_fs) \
	MEDIAMON_DOCS_TOOL=$(abspath $(BUILD)/tools/mediamon-docs) \
		sh tests/run-tests.sh $(ASAN_BUILD); rc=$$?; \
	found=$$(grep -rlE "$(SANITIZER_MARKS)" $(ASAN_REPORTS) \
		$(ASAN_BUILD)/pt $(ASAN_BUILD)/pt-serial 2>/dev/null); \
	if [ -n "$$found" ]; then cat $$found; \
		echo "asan: sanitizer reports in:" $$found; exit 1; fi; \
	exit $$rc

# One integration file (VALGRIND_TESTS) with every daemon it starts under
# valgrind's memcheck: an error, or memory definitely lost at exit, fails
# the test that started that daemon (its report is in build/valgrind).
VALGRIND_TESTS ?= tests/integration/test_manga.py
VALGRIND_DIR := $(abspath $(BUILD))/valgrind
valgrind: $(BIN) $(ANALYSER)
	@rm -rf $(VALGRIND_DIR) && mkdir -p $(VALGRIND_DIR)
	MEDIAMON_BINARY=$(abspath $(BIN)) \
	MEDIAMON_WRAPPER="valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite \
		--log-file=$(VALGRIND_DIR)/vg.%p" \
	MEDIAMON_REPORT_LOG=$(VALGRIND_DIR)/vg MEDIAMON_REPORT_EXITCODE=99 \
		/usr/bin/python3 -m pytest -q -p no:cacheprovider \
		--basetemp=$(VALGRIND_DIR)/pytest $(VALGRIND_TESTS)

# libFuzzer harnesses (tests/fuzz/fuzz_NAME.c), built with clang against a
# library of their own in build-fuzz. `make fuzz` runs each FUZZ_SECONDS,
# `make fuzz-smoke` (CI) each FUZZ_SMOKE_SECONDS with a fixed seed, so it
# repeats itself; both start from the
# committed corpus tests/fuzz/corpus/NAME/, so every input that once
# crashed a harness is tried again first.
FUZZ_BUILD := build-fuzz
# clang's guess that SQL split over string literals in an array is a
# missing comma is not an error of this code.
FUZZ_FLAGS := -O1 -fsanitize=fuzzer-no-link,address,undefined \
	-fno-omit-frame-pointer -fno-sanitize-recover=all \
	-Wno-string-concatenation
FUZZ_SECONDS ?= 300
FUZZ_SMOKE_SECONDS ?= 20
FUZZ_BIN := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,\
	$(wildcard tests/fuzz/fuzz_*.c))

fuzz-build:
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=clang SANITIZE="$(FUZZ_FLAGS)" \
		fuzz-harnesses

fuzz-harnesses: $(FUZZ_BIN)

$(BUILD)/fuzz/fuzz.o: tests/fuzz/fuzz.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(BUILD)/fuzz/fuzz.o \
		$(ANALYSIS_LIB) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fsanitize=fuzzer -MMD -MP -o $@ $< \
		$(BUILD)/fuzz/fuzz.o $(ANALYSIS_LIB) $(LIB) $(ANALYSIS_LDLIBS)

fuzz: fuzz-build
	sh tests/fuzz/run-fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

fuzz-smoke: fuzz-build
	FUZZ_SEED=1 sh tests/fuzz/run-fuzz.sh $(FUZZ_BUILD) \
		$(FUZZ_SMOKE_SECONDS)

# The smoke run's executions per harness as reliability figures, "name:
# value" lines appended to $(BUILD)/reliability.txt (RELIABILITY_EXTRA).
fuzz-figures: fuzz-smoke
	@mkdir -p $(BUILD)
	cat $(FUZZ_BUILD)/fuzz/stats >>$(BUILD)/reliability.txt

# The analysis section's driver: analyses files, prints audio s per CPU s.
BENCH_ANALYSIS := $(BUILD)/bench/bench_analysis

$(BENCH_ANALYSIS): tests/bench/bench_analysis.c $(ANALYSIS_LIB) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -o $@ $< $(ANALYSIS_LIB) $(LIB) \
		$(ANALYSIS_LDLIBS)

# The views section's floor: a tree served from memory, no work behind it.
BENCH_FUSE_TREE := $(BUILD)/bench/bench_fuse_tree

$(BENCH_FUSE_TREE): tests/bench/bench_fuse_tree.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -o $@ $< \
		$(shell $(PKG_CONFIG) --libs fuse3)

# The nas section's share: a folder shown through FUSE with a delay in
# every request, a network share's round trip.
BENCH_LATENCY_FS := $(BUILD)/bench/bench_latency_fs

$(BENCH_LATENCY_FS): tests/bench/bench_latency_fs.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -o $@ $< \
		$(shell $(PKG_CONFIG) --libs fuse3)

# test_scan_io.py scans through it too (not instrumented under make asan:
# it is the share, not what is tested).
test asan: $(BENCH_LATENCY_FS)

# The documents' lists made from the tables (tools/mediamon-docs.c):
# make docs writes them; test_docs_drift.py fails when they differ.
DOCS_TOOL := $(BUILD)/tools/mediamon-docs

$(DOCS_TOOL): tools/mediamon-docs.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -MMD -MP -o $@ $< $(LIB) \
		$(LDLIBS)

test asan: $(DOCS_TOOL)

docs: $(DOCS_TOOL)
	MEDIAMON_DOCS_TOOL=$(abspath $(DOCS_TOOL)) \
		/usr/bin/python3 tests/integration/test_docs_drift.py --write

# The scans' floor: the same walk and tag reading without the store.
BENCH_SCAN_FLOOR := $(BUILD)/bench/bench_scan_floor

$(BENCH_SCAN_FLOOR): tests/bench/bench_scan_floor.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -o $@ $< $(LIB) $(LDLIBS)

bench: mediamon $(ANALYSER) $(BENCH_ANALYSIS) $(BENCH_FUSE_TREE) \
		$(BENCH_SCAN_FLOOR) $(BENCH_LATENCY_FS)
	MEDIAMON_BENCH_ANALYSIS=$(abspath $(BENCH_ANALYSIS)) \
	MEDIAMON_BENCH_FUSE_TREE=$(abspath $(BENCH_FUSE_TREE)) \
	MEDIAMON_BENCH_LATENCY_FS=$(abspath $(BENCH_LATENCY_FS)) \
	MEDIAMON_BENCH_SCAN_FLOOR=$(abspath $(BENCH_SCAN_FLOOR)) \
		sh tests/bench/bench.sh

# Prints the reliability figures: kills survived, hostile cases passed,
# concurrent reads served, store faults survived, fuzz executions per
# harness (a short fuzz run).
# Each measurement is a target in RELIABILITY_EXTRA that appends its
# "name: value" lines to $(BUILD)/reliability.txt.
RELIABILITY_EXTRA ?= fuzz-figures
reliability: mediamon mediamon-analyse
	@rm -f $(BUILD)/reliability.txt
	@sh tests/reliability.sh $(BUILD); rc=$$?; \
	for t in $(RELIABILITY_EXTRA); do \
		$(MAKE) --no-print-directory $$t || rc=1; done; \
	grep -q '^fuzz' $(BUILD)/reliability.txt || echo \
		"fuzz executions per harness: not measured here" \
		>>$(BUILD)/reliability.txt; \
	echo "== reliability"; cat $(BUILD)/reliability.txt; exit $$rc

# Sets up demo music and manga libraries under the work tree (unless MUSIC
# or MANGA names one) and runs the daemon in the foreground on MNT (./mnt)
# until Ctrl-C, with the demo's configuration: contrib/demo.conf, copied
# once to $(DEMO)/mediamon.conf (edit the copy), which keeps it off the
# network.
DEMO ?= $(BUILD)/demo
MNT ?= mnt
MUSIC ?= $(DEMO)/music
MANGA ?= $(DEMO)/manga
# Built on every core unless make was given -j (it then runs a jobserver).
NPROC := $(shell nproc 2>/dev/null || echo 1)
RUN_JOBS = $(if $(findstring jobserver,$(MAKEFLAGS)),,-j$(NPROC))
run:
	@$(MAKE) --no-print-directory $(RUN_JOBS) mediamon mediamon-analyse
	@if [ "$(MUSIC)" = "$(DEMO)/music" ]; then \
		sh tests/data/make-demo.sh $(DEMO)/music; fi
	@if [ "$(MANGA)" = "$(DEMO)/manga" ]; then \
		sh tests/data/make-demo-manga.sh $(DEMO)/manga; fi
	@mkdir -p $(DEMO) $(MNT)
	@[ -f $(DEMO)/catalog.jsonl ] || \
		cp tests/data/demo-catalog.jsonl $(DEMO)/catalog.jsonl
	@[ -f $(DEMO)/mediamon.conf ] || \
		sed 's|@DEMO@|$(abspath $(DEMO))|' contrib/demo.conf \
		>$(DEMO)/mediamon.conf
	./mediamon -f -o config=$(abspath $(DEMO))/mediamon.conf \
		-o music=$(abspath $(MUSIC)) -o manga=$(abspath $(MANGA)) \
		-o db=$(abspath $(DEMO))/mediamon.db $(abspath $(MNT))

BINDIR ?= $(PREFIX)/bin
DOCDIR ?= $(PREFIX)/share/doc/mediamon
UNITDIR ?= $(PREFIX)/lib/systemd/system
MANDIR ?= $(PREFIX)/share/man
INSTALLED := $(BINDIR)/mediamon $(LIBEXECDIR)/mediamon-analyse \
	$(DOCDIR)/mediamon.conf.example \
	$(DOCDIR)/fstab.example $(UNITDIR)/mediamon.service \
	$(MANDIR)/man8/mediamon.8 $(MANDIR)/man5/mediamon.conf.5

# The unit names the binary where this install puts it.
install: mediamon mediamon-analyse
	install -D -m 0755 mediamon $(DESTDIR)$(BINDIR)/mediamon
	install -D -m 0755 mediamon-analyse \
		$(DESTDIR)$(LIBEXECDIR)/mediamon-analyse
	install -D -m 0644 contrib/mediamon.conf.example \
		$(DESTDIR)$(DOCDIR)/mediamon.conf.example
	install -D -m 0644 fstab.example $(DESTDIR)$(DOCDIR)/fstab.example
	install -D -m 0644 man/mediamon.8 $(DESTDIR)$(MANDIR)/man8/mediamon.8
	install -D -m 0644 man/mediamon.conf.5 \
		$(DESTDIR)$(MANDIR)/man5/mediamon.conf.5
	@mkdir -p $(DESTDIR)$(UNITDIR)
	sed 's|/usr/local/bin/mediamon|$(BINDIR)/mediamon|' \
		contrib/mediamon.service > $(DESTDIR)$(UNITDIR)/mediamon.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/mediamon.service

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	-rmdir $(DESTDIR)$(DOCDIR) $(DESTDIR)$(LIBEXECDIR)

# Cross builds for a Raspberry Pi: ARCH=arm64 (Pi OS 64-bit) or armhf,
# with Debian's cross compilers against the :ARCH libraries
# (contrib/install-packaging-deps.sh), into build-ARCH. make cross-test
# runs the unit tests built there under qemu-user, which binfmt_misc must
# know (the install script enables it), since tests start the analyser
# and fakes as children. The target's loader and libraries are the
# multiarch ones on this machine (/lib/ld-linux-aarch64.so.1,
# /usr/lib/TRIPLET): qemu's -L sysroot is not needed, and broke fork and
# exec in the tests (qemu 7.2 spun in the child for seconds).
ARCH ?= arm64
CROSS_TRIPLET_arm64 := aarch64-linux-gnu
CROSS_TRIPLET_armhf := arm-linux-gnueabihf
CROSS_QEMU_arm64 := aarch64
CROSS_QEMU_armhf := arm
CROSS_TRIPLET := $(CROSS_TRIPLET_$(ARCH))
CROSS_QEMU := $(CROSS_QEMU_$(ARCH))
CROSS_BUILD := build-$(ARCH)
CROSS_MAKE = $(MAKE) \
	BUILD=$(CROSS_BUILD) BIN=$(CROSS_BUILD)/mediamon \
	CC=$(CROSS_TRIPLET)-gcc AR=$(CROSS_TRIPLET)-ar \
	PKG_CONFIG=$(CROSS_TRIPLET)-pkg-config
# Unit tests that cannot pass under qemu-user (7.2, Debian 12's), each for
# a reason of qemu's: test_analysis_child checks how a failed
# posix_spawn() is reported, which glibc learns through the memory a vfork
# child shares, and qemu runs vfork as fork; test_symlinks needs
# openat2(), which qemu answers ENOSYS without asking the kernel, and
# seccomp, which qemu refuses to a guest; test_import too, whose fallback
# without openat2 refuses a link out of the download with EXDEV where the
# test expects openat2's ELOOP; test_cover_copies fails at its first open
# of a copy (a memfd mapped shared) under qemu, not looked into yet: the
# native and sanitizer runs cover both.
CROSS_UNIT_SKIP ?= test_analysis_child test_symlinks test_import \
	test_cover_copies
# qemu-user runs a binary five to ten times slower than the machine, and
# CI runs it beside the sanitizer run: test_analysis, which decodes audio,
# took 300 s there, the native runs' bound for a stuck binary.
CROSS_UNIT_TIMEOUT ?= 1500
.PHONY: cross cross-test cross-check
cross-check:
	@[ -n "$(CROSS_TRIPLET)" ] || \
		{ echo "cross: ARCH is arm64 or armhf, not $(ARCH)"; exit 1; }
	@command -v $(CROSS_TRIPLET)-pkg-config >/dev/null || \
		{ echo "cross: no $(CROSS_TRIPLET)-pkg-config:" \
		"contrib/install-packaging-deps.sh $(ARCH)"; exit 1; }

cross: cross-check
	+$(CROSS_MAKE) $(CROSS_BUILD)/mediamon $(CROSS_BUILD)/mediamon-analyse

cross-test: cross
	+$(CROSS_MAKE) unit
	@grep -qs '^enabled' /proc/sys/fs/binfmt_misc/qemu-$(CROSS_QEMU) || \
		{ echo "cross-test: binfmt_misc does not run $(ARCH)" \
		"binaries: contrib/install-packaging-deps.sh $(ARCH)"; exit 1; }
	MEDIAMON_UNIT_ONLY=1 MEDIAMON_UNIT_SKIP="$(CROSS_UNIT_SKIP)" \
	MEDIAMON_UNIT_TIMEOUT=$(CROSS_UNIT_TIMEOUT) \
	MEDIAMON_UNIT_WRAPPER=qemu-$(CROSS_QEMU)-static \
		sh tests/run-tests.sh $(CROSS_BUILD)

# The container image (Dockerfile), built with podman from a Debian 12
# base made locally (contrib/build-image.sh); make image-test runs it with
# a mount shared with the host and another container, restarts it and
# cleans up (tests/packaging/image-test.sh, as root).
.PHONY: image image-test
IMAGE ?= localhost/mediamon:$(VERSION)
IMAGE_BASE ?= localhost/mediamon-base:bookworm
image:
	sh contrib/build-image.sh $(IMAGE_BASE) $(IMAGE)

image-test: image
	sh tests/packaging/image-test.sh $(IMAGE)

# The source release, $(BUILD)/dist/mediamon-$(VERSION).tar.gz
# (contrib/dist.sh): what git tracks, or in a tree unpacked from a release
# what its MANIFEST lists.
.PHONY: dist
dist:
	sh contrib/dist.sh $(BUILD)/dist $(VERSION)

# The Debian package (debian/), built by contrib/build-deb.sh from the
# source release unpacked in $(DEB_OUT), so that no build product lands in
# the tree and no git is needed; lintian's errors fail it. make deb-test installs, upgrades and purges
# it in a Debian 12 chroot (as root; tests/packaging/deb-test.sh).
.PHONY: deb deb-test
DEB_OUT := $(BUILD)/deb
deb:
	sh contrib/build-deb.sh $(DEB_OUT)

deb-test: deb
	sh tests/packaging/deb-test.sh $(DEB_OUT)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) $(BIN) $(ANALYSER) \
		build-arm64 build-armhf

-include $(LIB_OBJ:.o=.d) $(ANALYSIS_OBJ:.o=.d) $(BUILD)/analyser/main.d \
	$(BUILD)/analyser/transcode.d $(BUILD)/analyser/scale.d \
	$(BUILD)/fs/main.d $(TEST_SUPPORT:.o=.d) \
	$(UNIT_BIN:=.d) $(BUILD)/fuzz/fuzz.d $(FUZZ_BIN:=.d) \
	$(BENCH_ANALYSIS).d
