# frontd -- GNU make, no autotools.
#
#   make                  build build/frontd (installs missing packages)
#   make check            build and run every test; ends "N passed, N failed"
#   make check SANITIZE=address   ... with ASan+UBSan (build-address/)
#   make check SANITIZE=thread    ... with TSan (build-thread/)
#   make bench            nginx origin + frontd + wrk
#   make bench-waiter     the waiter alone over socketpairs
#   make fuzz             the libFuzzer harnesses, FUZZ_TIME=60 s each
#   make run              frontd on conf/frontd.conf before a demo origin
#   make deps             install the Debian packages the build/tests need
#   make install          PREFIX=/usr/local DESTDIR=

PREFIX	?= /usr/local
DESTDIR	?=
CC	?= cc
SANITIZE ?=
WERROR	?=

LLHTTP_SRC	= /usr/share/llhttp
LLHTTP_INC	= /usr/share/include/llhttp

ifeq ($(SANITIZE),)
B		?= build
SANFLAGS	=
else
B		?= build-$(SANITIZE)
ifeq ($(SANITIZE),address)
SANFLAGS	= -fsanitize=address,undefined -fno-sanitize-recover=undefined \
		  -fno-omit-frame-pointer
else ifeq ($(SANITIZE),thread)
SANFLAGS	= -fsanitize=thread -fno-omit-frame-pointer
else ifeq ($(SANITIZE),fuzzer)
CC		= clang-14
SANFLAGS	= -fsanitize=fuzzer-no-link,address,undefined \
		  -fno-sanitize-recover=undefined -fno-omit-frame-pointer
else
$(error SANITIZE must be address, thread or fuzzer)
endif
endif

WARN	= -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes -Wshadow \
	  -Wpointer-arith -Wsign-compare -Wcast-qual -Wno-unused-parameter
ifneq ($(WERROR),)
WARN	+= -Werror
endif

CONFUSE_CFLAGS	:= $(shell pkg-config --cflags libconfuse 2>/dev/null)
CONFUSE_LIBS	:= $(shell pkg-config --libs libconfuse 2>/dev/null || echo -lconfuse)

OPT	?= -O2
CFLAGS_ALL = -std=c11 -D_GNU_SOURCE -g $(OPT) $(WARN) $(SANFLAGS) \
	  -Ilib -I$(LLHTTP_INC) $(CFLAGS)
LDFLAGS_ALL = $(SANFLAGS) $(LDFLAGS) -pthread -lm

LIB_SRC		= $(sort $(wildcard lib/*.c))
LIB_OBJ		= $(patsubst lib/%.c,$(B)/lib/%.o,$(LIB_SRC))
DAEMON_SRC	= $(sort $(wildcard daemon/*.c))
DAEMON_OBJ	= $(patsubst daemon/%.c,$(B)/daemon/%.o,$(DAEMON_SRC))
UNIT_SRC	= $(sort $(wildcard tests/unit/t_*.c))
UNIT_BIN	= $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))
FUZZ_SRC	= $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_NAMES	= $(patsubst tests/fuzz/fuzz_%.c,%,$(FUZZ_SRC))
REPLAY_BIN	= $(patsubst %,$(B)/tests/t_fuzz_%,$(FUZZ_NAMES))
BENCH_SRC	= $(sort $(wildcard tests/bench/*.c))
BENCH_BIN	= $(patsubst tests/bench/%.c,$(B)/tests/%,$(BENCH_SRC))
LLHTTP_OBJ	= $(B)/llhttp/api.o $(B)/llhttp/http.o $(B)/llhttp/llhttp.o

# Debian packages for the build, the tests and the benchmarks.
DEB_PKGS = gcc make pkg-config node-llhttp libconfuse-dev \
	   python3 curl varnish nginx wrk mandoc libxml2-utils ksh

.PHONY: all deps check unit integ bench bench-waiter run install clean \
	portcheck fuzz fuzz-run
all: $(B)/frontd

#--------------------------------------------------------------------
# Packages: install what is missing (as root), or say what to run.

deps:
	@missing=""; for p in $(DEB_PKGS); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | \
		grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
	    echo "frontd: missing packages; run as root:"; \
	    echo "  apt-get install -y$$missing"; exit 1; \
	fi; \
	echo "frontd: installing$$missing"; \
	apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq$$missing

$(B)/.deps:
	@test -f $(LLHTTP_SRC)/llhttp.c -a -f /usr/include/confuse.h || \
	    $(MAKE) --no-print-directory deps
	@mkdir -p $(B) && touch $@

#--------------------------------------------------------------------
# llhttp, from Debian's node-llhttp C sources; nothing of it is committed.

$(B)/llhttp/%.o: $(LLHTTP_SRC)/%.c $(B)/.deps
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -g $(OPT) $(SANFLAGS) -I$(LLHTTP_INC) -c -o $@ $<

$(B)/libllhttp.a: $(LLHTTP_OBJ)
	rm -f $@ && ar rcs $@ $^

#--------------------------------------------------------------------
# lib/ (mechanism) and daemon/ (policy)

$(B)/lib/%.o: lib/%.c $(wildcard lib/*.h) $(B)/.deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(B)/daemon/%.o: daemon/%.c $(wildcard lib/*.h daemon/*.h daemon/tbl/*.h) \
    $(B)/.deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Idaemon $(CONFUSE_CFLAGS) -c -o $@ $<

$(B)/libfrontd.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

# The default configuration is compiled in from conf/frontd.conf.
$(B)/gen/conf_default.c: conf/frontd.conf
	@mkdir -p $(dir $@)
	@{ echo '/* generated from conf/frontd.conf */'; \
	   echo 'extern const char CONF_default[];'; \
	   echo 'const char CONF_default[] ='; \
	   sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $<; \
	   echo ';'; } > $@

$(B)/gen/conf_default.o: $(B)/gen/conf_default.c
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(B)/frontd: $(DAEMON_OBJ) $(B)/gen/conf_default.o $(B)/libfrontd.a \
    $(B)/libllhttp.a
	$(CC) -o $@ $(DAEMON_OBJ) $(B)/gen/conf_default.o $(B)/libfrontd.a \
	    $(B)/libllhttp.a $(CONFUSE_LIBS) $(LDFLAGS_ALL)

#--------------------------------------------------------------------
# Tests: unit tests link lib/ alone.

$(B)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(B)/libfrontd.a \
    $(B)/libllhttp.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Itests/unit -o $@ $< $(B)/libfrontd.a \
	    $(B)/libllhttp.a $(LDFLAGS_ALL)

$(B)/tests/%: tests/bench/%.c $(B)/libfrontd.a $(B)/libllhttp.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Itests/unit -o $@ $< $(B)/libfrontd.a \
	    $(B)/libllhttp.a $(LDFLAGS_ALL)

# Fuzz harnesses (tests/fuzz/): for make check, each replays its
# committed corpus with the build's own compiler and sanitizers; make
# fuzz runs them under libFuzzer (clang-14), FUZZ_TIME seconds each.
FUZZ_DAEMON_OBJ	= $(filter-out $(B)/daemon/main.o,$(DAEMON_OBJ)) \
		  $(B)/gen/conf_default.o
FUZZ_TIME	?= 60

$(B)/tests/t_fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c \
    $(wildcard tests/fuzz/*.h) $(FUZZ_DAEMON_OBJ) $(B)/libfrontd.a \
    $(B)/libllhttp.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Idaemon -Itests/fuzz -DFUZZ_NAME='"$*"' \
	    -DFUZZ_CORPUS='"$(CURDIR)/tests/fuzz/corpus/$*"' -o $@ \
	    tests/fuzz/fuzz_$*.c tests/fuzz/replay.c $(FUZZ_DAEMON_OBJ) \
	    $(B)/libfrontd.a $(B)/libllhttp.a $(CONFUSE_LIBS) $(LDFLAGS_ALL)

$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(wildcard tests/fuzz/*.h) \
    $(FUZZ_DAEMON_OBJ) $(B)/libfrontd.a $(B)/libllhttp.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -fsanitize=fuzzer -Idaemon -Itests/fuzz -o $@ $< \
	    $(FUZZ_DAEMON_OBJ) $(B)/libfrontd.a $(B)/libllhttp.a \
	    $(CONFUSE_LIBS) $(LDFLAGS_ALL)

fuzz:
	@dpkg-query -W -f='$${Status}' libfuzzer-14-dev 2>/dev/null | \
	    grep -q 'ok installed' || { [ "$$(id -u)" = 0 ] && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    clang-14 libfuzzer-14-dev; }
	@$(MAKE) --no-print-directory SANITIZE=fuzzer fuzz-run

fuzz-run: $(patsubst %,$(B)/fuzz/fuzz_%,$(FUZZ_NAMES))
	@for n in $(FUZZ_NAMES); do \
	    mkdir -p $(B)/fuzz/corpus/$$n; \
	    echo "fuzz_$$n: $(FUZZ_TIME) s"; \
	    $(B)/fuzz/fuzz_$$n -max_total_time=$(FUZZ_TIME) -max_len=16400 \
		-print_final_stats=1 $(B)/fuzz/corpus/$$n \
		tests/fuzz/corpus/$$n 2>&1 | grep -E 'stat::|ERROR|SUMMARY|Done' \
		|| exit 1; \
	done

# The waiter and the event-port layer's users must compile unchanged
# against the illumos declarations (tests/illumos/illumos_port.h).
portcheck:
	@for f in lib/waiter.c; do \
	    $(CC) -std=c11 -D_GNU_SOURCE $(WARN) -Werror -fsyntax-only \
		-DFRONTD_PORT_NATIVE_CHECK -Itests/illumos -Ilib $$f || exit 1; \
	done

check: deps all $(UNIT_BIN) $(REPLAY_BIN) $(BENCH_BIN) portcheck
	@B=$(B) SANITIZE=$(SANITIZE) sh tests/run.sh

unit: all $(UNIT_BIN) $(REPLAY_BIN)
	@B=$(B) SANITIZE=$(SANITIZE) ONLY=unit sh tests/run.sh

integ: all
	@B=$(B) SANITIZE=$(SANITIZE) ONLY=integ sh tests/run.sh

bench-waiter: $(B)/tests/bench_waiter
	$(B)/tests/bench_waiter

bench: all
	@B=$(B) sh tests/bench/bench.sh

run: all
	@B=$(B) sh conf/demo.sh

clean:
	rm -rf build build-address build-thread build-fuzzer

-include smf/install.mk
