# mediamon: make, make test, make bench, make run, make install, make clean.

VERSION := 0.1.0
PREFIX ?= /usr/local
DESTDIR ?=
BUILD := build

PKGS := fuse3 sqlite3 libcurl flac id3tag jansson libxml-2.0 inih libarchive
CC ?= cc
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -pthread -I. \
	-DMEDIAMON_VERSION='"$(VERSION)"' -DFUSE_USE_VERSION=314 \
	$(shell pkg-config --cflags $(PKGS))
LDLIBS += $(shell pkg-config --libs $(PKGS)) -pthread -lm

COMMON_SRC := $(wildcard common/*.c)
INDEXER_SRC := $(wildcard indexer/*.c)
FS_SRC := $(filter-out fs/main.c,$(wildcard fs/*.c))
LIB_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(COMMON_SRC) $(INDEXER_SRC) $(FS_SRC))
LIB := $(BUILD)/libmediamon.a

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
FIXTURES := $(BUILD)/fixtures/.done

.PHONY: all test unit bench reliability run demo install uninstall clean

all: mediamon

mediamon: $(BUILD)/fs/main.o $(LIB)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

# What unit tests share (starting fake servers) is linked into each.
TEST_SUPPORT := $(BUILD)/tests/fake.o

$(TEST_SUPPORT): tests/unit/fake.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB) $(TEST_SUPPORT)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -o $@ $< $(TEST_SUPPORT) $(LIB) $(LDLIBS) \
		$(shell pkg-config --libs cmocka)

$(FIXTURES): tests/data/make-fixtures.sh
	@mkdir -p $(BUILD)/fixtures
	sh tests/data/make-fixtures.sh $(BUILD)/fixtures
	@touch $@

unit: $(UNIT_BIN) $(FIXTURES)

test: mediamon unit
	sh tests/run-tests.sh $(BUILD)

bench: mediamon
	sh tests/bench/bench.sh

# Prints the reliability figures: kills survived, hostile cases passed,
# concurrent reads served. A measurement of elsewhere (fuzz executions per
# harness) joins by naming in RELIABILITY_EXTRA a target that appends its
# "name: value" lines to $(BUILD)/reliability.txt.
RELIABILITY_EXTRA ?=
reliability: mediamon
	@rm -f $(BUILD)/reliability.txt
	@sh tests/reliability.sh $(BUILD); rc=$$?; \
	for t in $(RELIABILITY_EXTRA); do \
		$(MAKE) --no-print-directory $$t || rc=1; done; \
	grep -q '^fuzz' $(BUILD)/reliability.txt || echo \
		"fuzz executions per harness: not measured here" \
		>>$(BUILD)/reliability.txt; \
	echo "== reliability"; cat $(BUILD)/reliability.txt; exit $$rc

# Sets up demo music and manga libraries under the work tree (unless MUSIC
# or MANGA names one) and runs the daemon in the foreground on ./mnt until
# Ctrl-C.
MUSIC ?= $(BUILD)/demo/music
MANGA ?= $(BUILD)/demo/manga
run: mediamon
	@if [ "$(MUSIC)" = "$(BUILD)/demo/music" ]; then \
		sh tests/data/make-demo.sh $(BUILD)/demo/music; fi
	@if [ "$(MANGA)" = "$(BUILD)/demo/manga" ]; then \
		sh tests/data/make-demo-manga.sh $(BUILD)/demo/manga; fi
	@mkdir -p mnt
	./mediamon -f -o music=$(abspath $(MUSIC)) \
		-o manga=$(abspath $(MANGA)) \
		-o db=$(abspath $(BUILD))/demo/mediamon.db $(abspath mnt)

BINDIR ?= $(PREFIX)/bin
DOCDIR ?= $(PREFIX)/share/doc/mediamon
UNITDIR ?= $(PREFIX)/lib/systemd/system
MANDIR ?= $(PREFIX)/share/man
INSTALLED := $(BINDIR)/mediamon $(DOCDIR)/mediamon.conf.example \
	$(DOCDIR)/fstab.example $(UNITDIR)/mediamon.service \
	$(MANDIR)/man8/mediamon.8 $(MANDIR)/man5/mediamon.conf.5

# The unit names the binary where this install puts it.
install: mediamon
	install -D -m 0755 mediamon $(DESTDIR)$(BINDIR)/mediamon
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
	-rmdir $(DESTDIR)$(DOCDIR)

clean:
	rm -rf $(BUILD) mediamon

-include $(LIB_OBJ:.o=.d) $(BUILD)/fs/main.d $(TEST_SUPPORT:.o=.d) \
	$(UNIT_BIN:=.d)
