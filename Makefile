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
	echo "make check: all suites passed in $$(( $$(date +%s) - start ))s"

san:
	$(MAKE) SAN=1 all

run: $(BINS)
	@BUILD=$(BUILD) scripts/run-demo

install: $(BINS)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/sbin \
		$(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man8 \
		$(DESTDIR)$(PREFIX)/lib/systemd/system $(DESTDIR)$(PREFIX)/lib/sysusers.d \
		$(DESTDIR)$(PREFIX)/lib/tmpfiles.d
	install -m 0755 $(BUILD)/ledgerctl $(DESTDIR)$(PREFIX)/bin/ledgerctl
	install -m 0755 $(BUILD)/ledgerd $(DESTDIR)$(PREFIX)/sbin/ledgerd
	if [ -f docs/ledgerctl.1 ]; then install -m 0644 docs/ledgerctl.1 $(DESTDIR)$(PREFIX)/share/man/man1/; fi
	if [ -f docs/ledgerd.8 ]; then install -m 0644 docs/ledgerd.8 $(DESTDIR)$(PREFIX)/share/man/man8/; fi
	if [ -f systemd/ledgerd.service ]; then install -m 0644 systemd/ledgerd.service $(DESTDIR)$(PREFIX)/lib/systemd/system/; fi
	if [ -f systemd/ledgerd.sysusers ]; then install -m 0644 systemd/ledgerd.sysusers $(DESTDIR)$(PREFIX)/lib/sysusers.d/ledgerd.conf; fi
	if [ -f systemd/ledgerd.tmpfiles ]; then install -m 0644 systemd/ledgerd.tmpfiles $(DESTDIR)$(PREFIX)/lib/tmpfiles.d/ledgerd.conf; fi

clean:
	rm -rf build build-san

-include $(LIB_OBJ:.o=.d) $(D_OBJ:.o=.d) $(C_OBJ:.o=.d) \
	$(T_BIN:$(BUILD)/tests/%=$(BUILD)/obj/tests/unit/%.d)
