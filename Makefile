# frontd -- GNU make, no autotools.
#
#   make                  build build/frontd (installs missing packages)
#   make check            build and run every test; ends "N passed, N failed"
#   make check SANITIZE=address   ... with ASan+UBSan (build-address/)
#   make check SANITIZE=thread    ... with TSan (build-thread/)
#   make bench            nginx origin + frontd + wrk
#   make bench-peers      HAProxy, nginx and frontd side by side; report in
#                         tests/bench/results/ (ROUNDS, DURATION, IDLE)
#   make bench-slow       slow headers, body and read against the same three;
#                         report in tests/bench/results/ (CONNS, ATTACK,
#                         ATTACKER_CPU)
#   make bench-failover   one of three origins stopped and started under
#                         wrk: requests failed, seconds until it is back
#   make bench-waiter     the waiter alone over socketpairs
#   make fuzz             the libFuzzer harnesses, FUZZ_TIME=60 s each
#   make run              frontd on conf/frontd.conf before a demo origin
#   make portcheck        compile what an illumos build compiles against the
#                         illumos event-port declarations; no Linux-only names
#   make deps             install the Debian packages the build/tests need
#   make install          PREFIX=/usr/local DESTDIR=
#
# On a machine that has never built anything, the first "make" installs
# what the build needs ($(B)/config.mk records that it did) and then reads
# this file again, so that what it looks for at parse time (pkg-config,
# Debian's llhttp sources) is there: one run is enough.  Rejected: a
# marker file as an ordinary prerequisite -- make has already decided by
# then that /usr/share/llhttp/api.c has no rule, and stops.
#
# Where the system comes from:
#   Linux    lib/port_epoll.c gives the event-port API over epoll+eventfd;
#            packages through apt-get (Debian 12)
#   SunOS    the native event ports (lib/port_epoll.c is not built),
#            -lsocket -lnsl, __EXTENSIONS__; run it as gmake, with llhttp
#            and libconfuse installed where pkg-config finds them
# llhttp is taken from "pkg-config libllhttp" wherever that answers, else
# built from Debian's node-llhttp C sources (nothing of it is committed).

PREFIX	?= /usr/local
DESTDIR	?=
CC	?= cc
SANITIZE ?=
WERROR	?=
OS	:= $(shell uname -s)

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

.DEFAULT_GOAL := all

WARN	= -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes -Wshadow \
	  -Wpointer-arith -Wsign-compare -Wcast-qual -Wno-unused-parameter
ifneq ($(WERROR),)
WARN	+= -Werror
endif

#--------------------------------------------------------------------
# Packages.  Each goal installs what it needs and no more, so that
# "make run" on a bare machine does not wait for the test tools.

PKGS_BUILD = gcc make pkg-config libc6-dev node-llhttp libconfuse-dev
PKGS_RUN   = nginx curl
PKGS_CHECK = python3 curl varnish nginx wrk mandoc libxml2-utils ksh haproxy
PKGS_BENCH = python3 curl nginx haproxy wrk procps slowhttptest

# Goals that must not install or look for anything first.
NOCONF_GOALS = clean deps install
ifneq ($(filter-out $(NOCONF_GOALS),$(or $(MAKECMDGOALS),all)),)
include $(B)/config.mk
endif

# $(call pkgs,PACKAGES): install the missing Debian packages as root, or
# say what to run; on other Linux systems (no dpkg) leave it to the
# compiler to say what is missing; on SunOS say what the build looks for.
ifeq ($(OS),SunOS)
define pkgs
	@pkg-config --exists libconfuse libllhttp 2>/dev/null || { \
	    echo "frontd: pkg-config finds no libconfuse or libllhttp;"; \
	    echo "  install both, or set PKG_CONFIG_PATH to where they are"; \
	    exit 1; }
endef
else
define pkgs
	@command -v dpkg-query >/dev/null || exit 0; \
	missing=""; for p in $(sort $(1)); do \
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
endef
endif

# Remade before anything else when missing; make then starts over.
$(B)/config.mk: Makefile
	$(call pkgs,$(PKGS_BUILD))
	@mkdir -p $(B)
	@echo "# make found the build packages here on $$(date)" > $@

deps:
	$(call pkgs,$(PKGS_BUILD) $(PKGS_CHECK))
deps-run:
	$(call pkgs,$(PKGS_RUN))
deps-check:
	$(call pkgs,$(PKGS_CHECK))
deps-bench:
	$(call pkgs,$(PKGS_BENCH))

#--------------------------------------------------------------------
# What the system provides, looked for once the packages are there.

ifneq ($(shell pkg-config --exists libllhttp 2>/dev/null && echo y),)
LLHTTP_SRC	=
LLHTTP_CFLAGS	:= $(shell pkg-config --cflags libllhttp)
LLHTTP_LIBS	:= $(shell pkg-config --libs libllhttp)
LLHTTP_A	=
else
LLHTTP_SRC	= /usr/share/llhttp
LLHTTP_CFLAGS	= -I/usr/share/include/llhttp
LLHTTP_A	= $(B)/libllhttp.a
LLHTTP_LIBS	= $(LLHTTP_A)
endif
CONFUSE_CFLAGS	:= $(shell pkg-config --cflags libconfuse 2>/dev/null)
CONFUSE_LIBS	:= $(shell pkg-config --libs libconfuse 2>/dev/null || echo -lconfuse)

ifeq ($(OS),SunOS)
OS_CFLAGS	= -D__EXTENSIONS__ -D_POSIX_PTHREAD_SEMANTICS
OS_LIBS		= -lsocket -lnsl
NOT_HERE	= lib/port_epoll.c
else
OS_CFLAGS	= -D_GNU_SOURCE
OS_LIBS		=
NOT_HERE	=
endif

OPT	?= -O2
CFLAGS_ALL = -std=c11 $(OS_CFLAGS) -g $(OPT) $(WARN) $(SANFLAGS) \
	  -Ilib $(LLHTTP_CFLAGS) $(CFLAGS)
LDFLAGS_ALL = $(SANFLAGS) $(LDFLAGS) $(OS_LIBS) -pthread -lm

LIB_SRC		= $(filter-out $(NOT_HERE),$(sort $(wildcard lib/*.c)))
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

.PHONY: all deps deps-run deps-check deps-bench check unit integ bench \
	bench-peers bench-slow bench-failover bench-waiter run install clean portcheck fuzz \
	fuzz-run
all: $(B)/frontd

#--------------------------------------------------------------------
# llhttp, from Debian's node-llhttp C sources when pkg-config has none.

LLHTTP_OBJ	= $(B)/llhttp/api.o $(B)/llhttp/http.o $(B)/llhttp/llhttp.o

$(B)/llhttp/%.o: $(LLHTTP_SRC)/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -g $(OPT) $(SANFLAGS) $(LLHTTP_CFLAGS) -c -o $@ $<

$(B)/libllhttp.a: $(LLHTTP_OBJ)
	rm -f $@ && ar rcs $@ $^

#--------------------------------------------------------------------
# lib/ (mechanism) and daemon/ (policy)

$(B)/lib/%.o: lib/%.c $(wildcard lib/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(B)/daemon/%.o: daemon/%.c $(wildcard lib/*.h daemon/*.h daemon/tbl/*.h)
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
    $(LLHTTP_A)
	$(CC) -o $@ $(DAEMON_OBJ) $(B)/gen/conf_default.o $(B)/libfrontd.a \
	    $(LLHTTP_LIBS) $(CONFUSE_LIBS) $(LDFLAGS_ALL)

#--------------------------------------------------------------------
# Tests: unit tests link lib/ alone.

$(B)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(B)/libfrontd.a \
    $(LLHTTP_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Itests/unit -o $@ $< $(B)/libfrontd.a \
	    $(LLHTTP_LIBS) $(LDFLAGS_ALL)

$(B)/tests/%: tests/bench/%.c $(B)/libfrontd.a $(LLHTTP_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Itests/unit -o $@ $< $(B)/libfrontd.a \
	    $(LLHTTP_LIBS) $(LDFLAGS_ALL)

#--------------------------------------------------------------------
# portcheck: every file an illumos build compiles (all of lib/ but
# port_epoll.c, daemon/, the unit tests and benchmarks: the event-port
# users and the waiter's users among them) is compiled as illumos would
# see it (__sun, no __linux__) against the illumos event-port declarations
# in tests/illumos/, with warnings as errors.  Then tests/illumos/linuxonly
# reads the same files after the preprocessor's #if choices and fails on
# any Linux-only name left (epoll, eventfd, prctl, SO_REUSEPORT, ...).
# glibc's headers stand in for the rest of libc, so a call illumos lacks
# but glibc declares is caught by that list, not by the compiler.

PORTCHECK_SRC	= $(filter-out lib/port_epoll.c,$(LIB_SRC)) $(DAEMON_SRC) \
		  $(UNIT_SRC) $(BENCH_SRC)
PORTCHECK_FLAGS	= -std=c11 -D_GNU_SOURCE -D__EXTENSIONS__ -U__linux__ \
		  -U__linux -Ulinux -U__gnu_linux__ -D__sun -D__illumos__ \
		  -DFRONTD_PORT_NATIVE_CHECK -Itests/illumos -Ilib -Idaemon \
		  -Itests/unit $(LLHTTP_CFLAGS) $(CONFUSE_CFLAGS)

# Fuzz harnesses (tests/fuzz/): for make check, each replays its
# committed corpus with the build's own compiler and sanitizers; make
# fuzz runs them under libFuzzer (clang-14), FUZZ_TIME seconds each.
FUZZ_DAEMON_OBJ	= $(filter-out $(B)/daemon/main.o,$(DAEMON_OBJ)) \
		  $(B)/gen/conf_default.o
FUZZ_TIME	?= 60

$(B)/tests/t_fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c \
    $(wildcard tests/fuzz/*.h) $(FUZZ_DAEMON_OBJ) $(B)/libfrontd.a \
    $(LLHTTP_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Idaemon -Itests/fuzz -DFUZZ_NAME='"$*"' \
	    -DFUZZ_CORPUS='"$(CURDIR)/tests/fuzz/corpus/$*"' -o $@ \
	    tests/fuzz/fuzz_$*.c tests/fuzz/replay.c $(FUZZ_DAEMON_OBJ) \
	    $(B)/libfrontd.a $(LLHTTP_LIBS) $(CONFUSE_LIBS) $(LDFLAGS_ALL)

$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(wildcard tests/fuzz/*.h) \
    $(FUZZ_DAEMON_OBJ) $(B)/libfrontd.a $(LLHTTP_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -fsanitize=fuzzer -Idaemon -Itests/fuzz -o $@ $< \
	    $(FUZZ_DAEMON_OBJ) $(B)/libfrontd.a $(LLHTTP_LIBS) \
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

portcheck:
	@for f in $(PORTCHECK_SRC); do \
	    $(CC) $(PORTCHECK_FLAGS) $(WARN) -Werror -fsyntax-only $$f || \
		exit 1; \
	done
	@CC="$(CC)" FLAGS="$(PORTCHECK_FLAGS)" \
	    sh tests/illumos/linuxonly $(PORTCHECK_SRC)
	@echo "portcheck: $(words $(PORTCHECK_SRC)) files compile as on illumos"

#--------------------------------------------------------------------

check: deps-check all $(UNIT_BIN) $(REPLAY_BIN) $(BENCH_BIN) portcheck
	@B=$(B) SANITIZE=$(SANITIZE) sh tests/run.sh

unit: all $(UNIT_BIN) $(REPLAY_BIN)
	@B=$(B) SANITIZE=$(SANITIZE) ONLY=unit sh tests/run.sh

integ: deps-check all
	@B=$(B) SANITIZE=$(SANITIZE) ONLY=integ sh tests/run.sh

bench-waiter: $(B)/tests/bench_waiter
	$(B)/tests/bench_waiter

bench: deps-bench all
	@B=$(B) sh tests/bench/bench.sh

bench-peers: deps-bench all
	@B=$(B) sh tests/bench/peers.sh

bench-slow: deps-bench all
	@B=$(B) sh tests/bench/slow.sh

bench-failover: deps-bench all
	@B=$(B) sh tests/bench/failover.sh

run: deps-run all
	@B=$(B) sh conf/demo.sh

clean:
	rm -rf build build-address build-thread build-fuzzer

-include smf/install.mk
