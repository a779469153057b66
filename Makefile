# iosim — one IOS router in one C process.
#   make run     build and start a router console (stdio)
#   make test    install what is missing, build with sanitizers, run every test
#   make bench   print speed and memory figures
CC      ?= cc
SUBDIRS := core cli platform hsrp ipc ha crypto router
PKGS    := readline libssl libcrypto libcrypt usrsctp
# Debian's libev ships no pkg-config file; use it when a distribution does.
EV_CFLAGS := $(shell pkg-config --cflags libev 2>/dev/null)
EV_LIBS   := $(shell pkg-config --libs libev 2>/dev/null || echo -lev)

CSTD    := -std=c17 -D_GNU_SOURCE
WARN    := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
CFLAGS_COMMON = $(CSTD) $(WARN) $(EV_CFLAGS) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS    = $(shell pkg-config --libs $(PKGS) 2>/dev/null) $(EV_LIBS) -lm

SRCS    := $(foreach d,$(SUBDIRS),$(wildcard $(d)/*.c))
HDRS    := $(foreach d,$(SUBDIRS),$(wildcard $(d)/*.h))

# Release build
OPT      ?= -O2 -g
OBJS     := $(SRCS:%.c=build/obj/%.o)
# Test build: ASan + UBSan, and the checks declarations make of themselves
# at run time (IOSIM_CHECKS: a handler asking for an argument its syntax
# does not declare aborts)
SAN      := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined \
	    -DIOSIM_CHECKS
TOBJS    := $(SRCS:%.c=build/tobj/%.o)
LIBOBJS  := $(filter-out build/tobj/router/main.o,$(TOBJS))

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=build/tests/%)

.PHONY: all run test bench deps clean unit fuzz clang
all: build/iosim

deps:
	@tools/deps.sh build

build/iosim: $(OBJS)
	@echo "  LINK    $@"
	@$(CC) $(OPT) -o $@ $^ $(LIBS)

build/obj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(OPT) $(CFLAGS_COMMON) -c -o $@ $<

build/test/iosim: $(TOBJS)
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) -O1 -g $(SAN) -o $@ $^ $(LIBS)

# The IKE lab tests' router (tests/lab/src/iosim_testcmds.c): iosim plus
# test-only commands that print phase 1 keys for tshark and age SAs.
build/test/iosim-testcmds: tests/lab/src/iosim_testcmds.c $(LIBOBJS) $(HDRS)
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) -O1 -g $(SAN) $(CFLAGS_COMMON) -o $@ $< $(LIBOBJS) $(LIBS)

build/tobj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC+SAN  $<"
	@$(CC) -O1 -g $(SAN) $(CFLAGS_COMMON) -c -o $@ $<

build/tests/%: tests/unit/%.c $(LIBOBJS) $(HDRS) $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) -O1 -g $(SAN) $(CFLAGS_COMMON) $(shell pkg-config --cflags cmocka) \
		-o $@ $< $(LIBOBJS) $(LIBS) $(shell pkg-config --libs cmocka)

unit: $(UNIT_BINS)

run:
	@tools/deps.sh build
	@$(MAKE) --no-print-directory build/iosim
	./build/iosim $(ARGS)

test:
	@tools/deps.sh test
	@$(MAKE) --no-print-directory build/test/iosim build/test/iosim-testcmds build/iosim $(UNIT_BINS)
	@tools/run-tests.sh

bench:
	@tools/deps.sh test
	@$(MAKE) --no-print-directory build/iosim build/bench/rib_bench build/bench/pktgen \
		build/bench/ipc_bench build/bench/ipsec_bench build/bench/crypto_ha_bench
	@bench/run.sh

# Benchmarks of internals, linked with the release objects.
build/bench/%: bench/%.c $(filter-out build/obj/router/main.o,$(OBJS)) $(HDRS)
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) $(OPT) $(CFLAGS_COMMON) -o $@ $< \
		$(filter-out build/obj/router/main.o,$(OBJS)) $(LIBS)

# The forwarding bench's frame generator (bench/forward.py runs
# it): a standalone program, an explicit rule over the pattern above).
build/bench/pktgen: bench/pktgen.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(OPT) $(CSTD) $(WARN) -o $@ $<

# Every command path with its help, for comparing two builds' grammars
# (tools/grammar-dump).
build/grammar_dump: tools/src/grammar_dump.c $(filter-out build/obj/router/main.o,$(OBJS)) $(HDRS)
	@echo "  LINK    $@"
	@$(CC) $(OPT) $(CFLAGS_COMMON) -o $@ $< \
		$(filter-out build/obj/router/main.o,$(OBJS)) $(LIBS)

# Both compilers must build it.
clang:
	@$(MAKE) --no-print-directory CC=clang OPT="-O2" build/iosim-clang
build/iosim-clang: $(SRCS) $(HDRS)
	clang -O2 $(CFLAGS_COMMON) -o $@ $(SRCS) $(LIBS)

clean:
	rm -rf build

# Fuzzing (clang's libFuzzer): make fuzz FUZZ_RUNS=N runs each target N times
# from its seed corpus: tests/fuzz/corpus/NAME/ when there is one, else the
# seed configurations.
FUZZ_RUNS ?= 20000
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=build/fuzz/%)
build/fuzz/%: tests/fuzz/%.c $(SRCS) $(HDRS)
	@mkdir -p $(dir $@)
	clang -O1 -g -fsanitize=fuzzer,address,undefined -DIOSIM_CHECKS $(CFLAGS_COMMON) \
		-o $@ $< $(filter-out router/main.c,$(SRCS)) $(LIBS)
fuzz: $(FUZZ_BINS)
	@for f in $(FUZZ_BINS); do \
		c=tests/fuzz/corpus/$$(basename $$f); [ -d $$c ] || c=tests/data/shared/configs/; \
		t=$$(mktemp -d); \
		$$f -runs=$(FUZZ_RUNS) -max_len=4096 -timeout=10 $$t $$c 2>&1 | tail -3; \
		rm -rf $$t; \
	done
