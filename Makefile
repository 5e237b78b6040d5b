# madoguchi — one Makefile for the workstation, the central and the card simulator.
#
# Public targets: all check demo bench fuzz install clean deps package-check.
# Internal targets are run through a recursive make with MODE set, so that
# pkg-config is asked only after `deps` has installed the packages.
#
#   MODE=rel   -O2, the programs that are installed and used by the demo
#   MODE=san   -O1 -g with AddressSanitizer and UBSan: every test binary and
#              the programs the tests start
#   MODE=fuzz  clang with -fsanitize=fuzzer: `make fuzz`
#
# BUILD names the output directory, so that several checkouts or people can
# build in one tree at once (make BUILD=build-card check).

PREFIX   ?= /usr/local
DESTDIR  ?=
BUILD    ?= build
MODE     ?= rel
FUZZ_SECONDS ?= 120
# -Werror for the project's own builds and tests; a distribution build
# (debian/rules) sets WERROR= so a newer compiler's new warning cannot
# break an install.  EXTRA_CPPFLAGS/EXTRA_CFLAGS/EXTRA_LDFLAGS carry the
# distribution's flags (dpkg-buildflags: hardening), after the project's.
WERROR   ?= -Werror
EXTRA_CPPFLAGS ?=
EXTRA_CFLAGS   ?=
EXTRA_LDFLAGS  ?=

# libopenjp2, libpng: the card's face images (src/img); chafa: drawing them (src/ui)
PKGS := ncursesw sqlite3 libsodium libpcsclite libcrypto libopenjp2 libpng chafa liboath libqrencode

MODULES  := core store card sync img app ui central
PROGRAMS := madoguchi madoguchi-central mynacard-sim

ifeq ($(MODE),fuzz)
CC := clang
# clang does not know gcc's -Wno-format-truncation (used for tests/): let it pass.
MODE_CFLAGS := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
	-Wno-unknown-warning-option -DMDG_TEST_CLOCK
MODE_LDFLAGS := -fsanitize=address,undefined
else ifeq ($(MODE),san)
CC ?= gcc
MODE_CFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined \
	-DMDG_TEST_CLOCK
MODE_LDFLAGS := -fsanitize=address,undefined
else
CC ?= gcc
MODE_CFLAGS := -O2 -g
MODE_LDFLAGS :=
endif

MODE_LDFLAGS += $(EXTRA_LDFLAGS)

O := $(BUILD)/$(MODE)

ifneq ($(filter progs tests fuzzers fuzz-drivers bench-progs,$(MAKECMDGOALS)),)
# Say what is missing and how to get it, instead of failing in the compiler.
PKG_MISSING := $(shell command -v pkg-config >/dev/null 2>&1 || { echo pkg-config; exit 0; }; \
	for p in $(PKGS); do pkg-config --exists $$p || echo $$p; done)
ifneq ($(PKG_MISSING),)
$(error missing build dependencies: $(PKG_MISSING) (pkg-config names). `make deps` installs \
	them (apt-get, as root or through sudo); `make demo` and `make check` install them first)
endif
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS))
endif

CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra $(WERROR) -Wshadow -Wstrict-prototypes \
	-Wformat=2 -Wno-format-nonliteral -Iinclude $(PKG_CFLAGS) $(MODE_CFLAGS) \
	$(EXTRA_CPPFLAGS) $(EXTRA_CFLAGS) -MMD -MP
LDLIBS := $(PKG_LIBS) -lpthread -lm

# Each src/<module>/ becomes lib<module>.a, except the program entry points
# (src/<dir>/main.c) which are linked on their own.
lib_srcs = $(filter-out src/$(1)/main.c,$(wildcard src/$(1)/*.c))
lib_objs = $(patsubst %.c,$(O)/%.o,$(call lib_srcs,$(1)))
LIBS := $(foreach m,$(MODULES) sim,$(O)/lib$(m).a)
# Link order: a module before what it depends on.
# (sim and central use card, store and sync, so they come before them.)
LINK_LIBS := $(O)/libui.a $(O)/libapp.a $(O)/libcentral.a $(O)/libsim.a \
	$(O)/libsync.a $(O)/libcard.a $(O)/libstore.a $(O)/libimg.a $(O)/libcore.a

# Test binaries: tests/unit/test_*.c, tests/integration/test_*.c, tests/tui/test_*.c,
# each linked with the harness and every module library.
TEST_SRCS := $(wildcard tests/unit/test_*.c tests/integration/test_*.c tests/tui/test_*.c)
TEST_BINS := $(patsubst tests/%.c,$(O)/tests/%,$(TEST_SRCS))
HARNESS   := $(O)/tests/lib/harness.o
# Extra test programs that are not suites (helpers the suites start, the
# Noise vector checker, ...): tests/tools/*.c, one program each.
TOOL_SRCS := $(wildcard tests/tools/*.c)
TOOL_BINS := $(patsubst tests/tools/%.c,$(O)/tests/tools/%,$(TOOL_SRCS))

FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_DRIVERS := $(patsubst tests/fuzz/%.c,$(O)/fuzz/%-corpus,$(FUZZ_SRCS))
FUZZERS := $(patsubst tests/fuzz/%.c,$(O)/fuzz/%,$(FUZZ_SRCS))

BENCH_SRCS := $(wildcard tests/bench/bench_*.c)
BENCH_BINS := $(patsubst tests/bench/%.c,$(O)/bench/%,$(BENCH_SRCS))

.PHONY: all check demo bench fuzz install clean deps package-check progs tests fuzzers fuzz-drivers bench-progs
.DEFAULT_GOAL := all
.SECONDARY:

all:
	@$(MAKE) --no-print-directory MODE=rel progs

deps:
	@scripts/deps.sh

check: deps
	@$(MAKE) --no-print-directory MODE=rel progs
	@$(MAKE) --no-print-directory MODE=san progs tests fuzz-drivers
	@BUILD=$(BUILD) scripts/run-tests

# The Debian packages built in a fresh clone, installed, run end to end and
# purged (scripts/package-check.sh).  Installs into this machine, as root:
# not part of check; .ci/run runs it after check.
package-check:
	@scripts/package-check.sh

demo: deps
	@$(MAKE) --no-print-directory MODE=rel progs
	@BUILD=$(BUILD) scripts/demo.sh

bench: deps
	@$(MAKE) --no-print-directory MODE=rel progs bench-progs
	@BUILD=$(BUILD) scripts/bench.sh

fuzz:
	@$(MAKE) --no-print-directory MODE=fuzz fuzzers
	@BUILD=$(BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

progs: $(addprefix $(O)/bin/,$(PROGRAMS))
tests: $(TEST_BINS) $(TOOL_BINS)
fuzz-drivers: $(FUZZ_DRIVERS)
fuzzers: $(FUZZERS)
bench-progs: $(BENCH_BINS)

# Quiet by default; make V=1 shows the commands.
Q := $(if $(V),,@)

$(O)/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(V),,echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

# The installed screens are the default of [ui] screens (madoguchi.conf(5)):
# $(PREFIX)/share/madoguchi/screens, /usr/share/... in the Debian package.
# prefix.txt changes only when PREFIX does, so `make` then `make install
# PREFIX=/usr` rebuilds config.o with the directory the screens go to.
$(O)/src/app/config.o: CFLAGS += -DMDG_SCREENS_DIR='"$(PREFIX)/share/madoguchi/screens"'
$(O)/src/app/config.o: $(O)/prefix.txt
ifneq ($(filter progs tests fuzzers fuzz-drivers bench-progs,$(MAKECMDGOALS)),)
$(shell mkdir -p $(O) && { [ "`cat $(O)/prefix.txt 2>/dev/null`" = "$(PREFIX)" ] || echo "$(PREFIX)" >$(O)/prefix.txt; })
endif
$(O)/prefix.txt:
	@mkdir -p $(@D)
	echo "$(PREFIX)" >$@

# Test code builds paths into fixed buffers where truncation is harmless.
$(O)/tests/%.o: CFLAGS += -Itests/lib -Wno-format-truncation

define lib_rule
$(O)/lib$(1).a: $(call lib_objs,$(1))
	@mkdir -p $$(@D)
	@rm -f $$@
	$(Q)ar rcs $$@ $$^ $(if $(call lib_objs,$(1)),,$(O)/empty.o)
endef
$(foreach m,$(MODULES) sim,$(eval $(call lib_rule,$(m))))

# An archive with no members is not portable; give empty modules one object.
$(O)/empty.o:
	@mkdir -p $(@D)
	echo 'typedef int mdg_empty_unit;' | $(CC) -x c -c -o $@ -
$(foreach m,$(MODULES) sim,$(if $(call lib_objs,$(m)),,$(eval $(O)/lib$(m).a: $(O)/empty.o)))

$(O)/bin/madoguchi: $(O)/src/ui/main.o $(LIBS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(MODE_LDFLAGS) -o $@ $< $(LINK_LIBS) $(LDLIBS)

$(O)/bin/madoguchi-central: $(O)/src/central/main.o $(LIBS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(MODE_LDFLAGS) -o $@ $< $(LINK_LIBS) $(LDLIBS)

$(O)/bin/mynacard-sim: $(O)/src/sim/main.o $(LIBS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(MODE_LDFLAGS) -o $@ $< $(LINK_LIBS) $(LDLIBS)

$(O)/tests/%: $(O)/tests/%.o $(HARNESS) $(LIBS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(MODE_LDFLAGS) -o $@ $< $(HARNESS) $(LINK_LIBS) $(LDLIBS)

# Test tools have their own main(); the shorter stem makes this rule win
# over the suite rule above.
$(O)/tests/tools/%: $(O)/tests/tools/%.o $(LIBS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(MODE_LDFLAGS) -o $@ $< $(LINK_LIBS) $(LDLIBS)

$(O)/bench/%: $(O)/tests/bench/%.o $(LIBS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(MODE_LDFLAGS) -o $@ $< $(LINK_LIBS) $(LDLIBS)

# SQLCipher column of bench_store: libsqlcipher exports the same symbols as
# libsqlite3, so this one program links it instead of -lsqlite3.
$(O)/bench/bench_store_sqlcipher: $(O)/tests/bench/sqlcipher/bench_store_sqlcipher.o $(LIBS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(MODE_LDFLAGS) -o $@ $< $(LINK_LIBS) $(filter-out -lsqlite3,$(LDLIBS)) -lsqlcipher
bench-progs: $(O)/bench/bench_store_sqlcipher

# Corpus drivers: the fuzz target linked with a plain main() that feeds it
# every file of its committed corpus (run by make check under ASan/UBSan).
$(O)/fuzz/%-corpus: $(O)/tests/fuzz/%.o $(O)/tests/fuzz/driver.o $(LIBS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(MODE_LDFLAGS) -o $@ $< $(O)/tests/fuzz/driver.o $(LINK_LIBS) $(LDLIBS)

# Real libFuzzer binaries (MODE=fuzz, clang).
$(O)/fuzz/%: $(O)/tests/fuzz/%.o $(LIBS)
	@mkdir -p $(@D)
	$(Q)$(CC) -fsanitize=fuzzer,address,undefined -o $@ $< $(LINK_LIBS) $(LDLIBS)

# The manual pages are installed naming the screens directory under PREFIX.
install:
	@$(MAKE) --no-print-directory MODE=rel progs
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/madoguchi/screens \
		$(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5 \
		$(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0755 $(addprefix $(BUILD)/rel/bin/,$(PROGRAMS)) $(DESTDIR)$(PREFIX)/bin/
	$(if $(wildcard screens/*.screen),install -m 0644 screens/*.screen $(DESTDIR)$(PREFIX)/share/madoguchi/screens/)
	for f in $(wildcard man/*.[158]); do \
		d=$(DESTDIR)$(PREFIX)/share/man/man$${f##*.}/$${f##*/}; \
		sed 's|/usr/local/share/madoguchi|$(PREFIX)/share/madoguchi|g' $$f >$$d && chmod 0644 $$d || exit 1; \
	done

clean:
	rm -rf $(BUILD)

-include $(shell find $(O) -name '*.d' 2>/dev/null)
