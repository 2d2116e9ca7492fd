# ledgerd - plain Makefile.  Knobs first.
PREFIX	?= /usr/local
DESTDIR	?=
BUILD	?= build
CC	?= cc
OPT	?= -O2
SAN	?=

CFLAGS	+= -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow \
	   -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter \
	   -g $(OPT) -Iinclude
ifeq ($(SAN),1)
override BUILD := $(BUILD)-san
CFLAGS	+= -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=all
LDFLAGS	+= -fsanitize=address,undefined
endif

PKGS	= libsodium jansson libmicrohttpd zlib libcurl
# Lazy (=): evaluated after scripts/install-deps may have run.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS)) -llmdb -lpthread

LIB_SRC	:= $(wildcard lib/*.c)
LIB_OBJ	:= $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
LIB	:= $(BUILD)/libledger.a
D_SRC	:= $(wildcard daemon/*.c)
D_OBJ	:= $(D_SRC:%.c=$(BUILD)/obj/%.o)
C_SRC	:= $(wildcard ledgerctl/*.c)
C_OBJ	:= $(C_SRC:%.c=$(BUILD)/obj/%.o)
T_SRC	:= $(wildcard tests/unit/test_*.c)
T_BIN	:= $(T_SRC:tests/unit/%.c=$(BUILD)/tests/%)
HARNESS	:= $(BUILD)/obj/tests/unit/harness.o

BINS	:= $(BUILD)/ledgerd $(BUILD)/ledgerctl
DEPS_STAMP := $(BUILD)/.deps-ok

.PHONY: all check check-once unit integration interop san install clean run \
	bench bench-full soak fuzz deps
all: $(BINS)

# Keep objects of test binaries between runs.
.SECONDARY:

# A fresh Debian 12 machine gets its packages here, once.
$(DEPS_STAMP): scripts/install-deps
	@mkdir -p $(@D)
	@scripts/install-deps --check >/dev/null 2>&1 || scripts/install-deps
	@touch $@
deps: $(DEPS_STAMP)

$(BUILD)/obj/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "  CC  $<"
	@$(CC) $(CFLAGS) $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

$(LIB): $(LIB_OBJ)
	@rm -f $@
	@echo "  AR  $@"
	@$(AR) rcs $@ $^

$(BUILD)/ledgerd: $(D_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(D_OBJ) $(LIB) $(PKG_LIBS)
$(BUILD)/ledgerctl: $(C_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(C_OBJ) $(LIB) $(PKG_LIBS)
$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(HARNESS) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(HARNESS) $(LIB) $(PKG_LIBS)

unit: $(T_BIN)
	@fail=0; for t in $(T_BIN); do \
		echo "== $$t"; LEDGER_SRCDIR=$(CURDIR) $$t || fail=1; \
	done; test $$fail = 0

integration: $(BINS)
	@BUILD=$(BUILD) tests/integration/run-all

# The whole suite once, in this build (plain or sanitized).
check-once: unit integration

# README's test command: the suite, then the suite again under ASan+UBSan.
check: deps
	@start=$$(date +%s); \
	$(MAKE) --no-print-directory check-once && \
	$(MAKE) --no-print-directory SAN=1 check-once && \
	$(MAKE) --no-print-directory fuzz-check && \
	echo "make check: all suites passed in $$(( $$(date +%s) - start ))s"

san:
	$(MAKE) SAN=1 all

run: $(BINS)
	@BUILD=$(BUILD) scripts/run-demo

# Benchmarks (not part of check): bench/*.c each link bench/common.c.
BENCH_BIN := $(patsubst bench/%.c,$(BUILD)/bench/%,$(filter-out bench/common.c,$(wildcard bench/*.c)))
$(BUILD)/bench/%: bench/%.c bench/common.c bench/bench.h $(LIB) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) $(LDFLAGS) -o $@ $< bench/common.c $(LIB) $(PKG_LIBS)
bench: $(BINS) $(BENCH_BIN)
	@BUILD=$(BUILD) bench/run-bench
bench-full: $(BINS) $(BENCH_BIN)
	@BUILD=$(BUILD) bench/run-bench --full

# --- reliability: libFuzzer targets and the soak (docs/RELIABILITY.md) ---
FUZZ_CC		?= clang
FUZZ_DIR	:= $(BUILD)/fuzz
FUZZ_CFLAGS	:= -std=c11 -D_GNU_SOURCE -g -O1 -Iinclude \
		   -fsanitize=address,undefined -fno-sanitize-recover=all \
		   -fno-omit-frame-pointer
FUZZ_SRC	:= $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN	:= $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_DIR)/%)
FUZZ_LIBOBJ	:= $(LIB_SRC:%.c=$(FUZZ_DIR)/obj/%.o)
FUZZ_TIME	?= 300
FUZZ_CHECK_TIME	?= 30
FUZZ_JOBS	?= 2
SOAK		?= 1000

$(FUZZ_DIR)/obj/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "  FUZZCC $<"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(PKG_CFLAGS) \
	    -MMD -MP -c -o $@ $<
$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_LIBOBJ)
	@echo "  FUZZLD $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(PKG_CFLAGS) -o $@ $< \
	    $(FUZZ_LIBOBJ) $(PKG_LIBS)
# fuzz_tilepath includes the daemon's route files for their static parsers.
$(FUZZ_DIR)/fuzz_tilepath: daemon/routes_tiles.c daemon/routes_entries.c \
	daemon/ledgerd.h
# fuzz_http includes daemon/http.c (its static handler) and links the rest
# of the daemon but main, the sequencer and the signer, which it stands in for.
FUZZ_D_OBJ	:= $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(filter-out \
		   daemon/main.c daemon/http.c daemon/sequencer.c \
		   daemon/signer.c,$(D_SRC)))
$(FUZZ_D_OBJ): daemon/ledgerd.h
$(FUZZ_DIR)/fuzz_http: tests/fuzz/fuzz_http.c tests/fuzz/fuzz.h \
	daemon/http.c daemon/ledgerd.h $(FUZZ_D_OBJ) $(FUZZ_LIBOBJ)
	@echo "  FUZZLD $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(PKG_CFLAGS) -o $@ $< \
	    $(FUZZ_D_OBJ) $(FUZZ_LIBOBJ) $(PKG_LIBS)

.PHONY: fuzz-build fuzz-check
fuzz-build: $(FUZZ_BIN)
# Regression inputs, then each target for FUZZ_CHECK_TIME seconds (seed 1),
# FUZZ_JOBS at once; fails on any finding or a run of too few executions.
fuzz-check: $(FUZZ_BIN)
	@FUZZ_JOBS=$(FUZZ_JOBS) tests/fuzz/run --check $(FUZZ_DIR) \
	    $(FUZZ_CHECK_TIME)
# Each target for FUZZ_TIME seconds, growing $(FUZZ_DIR)/corpus.
fuzz: $(FUZZ_BIN)
	@FUZZ_JOBS=$(FUZZ_JOBS) tests/fuzz/run $(FUZZ_DIR) $(FUZZ_TIME)
# Not in CI: SOAK kills under load, the wide fault-injection matrix, and
# MEMTIME seconds of steady load with memory sampled (docs/RELIABILITY.md).
MEMTIME		?= 3600
soak: $(BINS)
	@BUILD=$(BUILD) SOAK=$(SOAK) tests/integration/test_crash
	@BUILD=$(BUILD) SOAK=1 tests/integration/test_storage
	@BUILD=$(BUILD) MEMTIME=$(MEMTIME) MEMCSV=$(BUILD)/soak-memory.csv \
	    tests/integration/test_memory

install: $(BINS)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/sbin \
		$(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man8 \
		$(DESTDIR)$(PREFIX)/lib/systemd/system $(DESTDIR)$(PREFIX)/lib/sysusers.d \
		$(DESTDIR)$(PREFIX)/lib/tmpfiles.d
	install -m 0755 $(BUILD)/ledgerctl $(DESTDIR)$(PREFIX)/bin/ledgerctl
	install -m 0755 $(BUILD)/ledgerd $(DESTDIR)$(PREFIX)/sbin/ledgerd
	install -m 0644 docs/ledgerctl.1 $(DESTDIR)$(PREFIX)/share/man/man1/ledgerctl.1
	install -m 0644 docs/ledgerd.8 $(DESTDIR)$(PREFIX)/share/man/man8/ledgerd.8
	sed 's|/usr/local/sbin/|$(PREFIX)/sbin/|' systemd/ledgerd.service \
		> $(DESTDIR)$(PREFIX)/lib/systemd/system/ledgerd.service
	install -m 0644 systemd/ledgerd.sysusers $(DESTDIR)$(PREFIX)/lib/sysusers.d/ledgerd.conf
	install -m 0644 systemd/ledgerd.tmpfiles $(DESTDIR)$(PREFIX)/lib/tmpfiles.d/ledgerd.conf

clean:
	rm -rf build build-san

-include $(LIB_OBJ:.o=.d) $(D_OBJ:.o=.d) $(C_OBJ:.o=.d) \
	$(T_BIN:$(BUILD)/tests/%=$(BUILD)/obj/tests/unit/%.d) \
	$(FUZZ_LIBOBJ:.o=.d) $(FUZZ_D_OBJ:.o=.d)
