# lrscope — build, test and set-up.
#
#   make deps        install missing Debian packages (apt-get; sudo when not root)
#   make             build build/lrscope
#   make run         deps + build + start lrscope on Fashion-MNIST
#   make test        deps + include directions, unit tests (Criterion), end-to-end
#                    tests, sanitizer run,
#                    a short fuzzing run of each harness
#   make fuzz        libFuzzer harnesses (tests/fuzz/) for FUZZ_SECONDS each (60)
#   make tsan        ThreadSanitizer: the session's unit tests and a workbench burst
#   make bench       training speed of every preset against OpenBLAS sgemm
#   make install     PREFIX=/usr/local DESTDIR=
#
# Switches: WERROR=1 turns warnings into errors (CI); SANITIZE=address,undefined
# builds with sanitizers (objects go to their own folder); V=1 shows commands.

CC      ?= cc
PREFIX  ?= /usr/local
BUILD   ?= build
VERSION := 0.1.0

DEB_PKGS := gcc make pkg-config libncurses-dev libopenblas-dev libpng-dev zlib1g-dev \
            libcriterion-dev tmux dataset-fashion-mnist python3 clang libclang-rt-dev
PKGS     := openblas ncursesw libpng zlib

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wdouble-promotion -Wformat=2 -Wvla
ifeq ($(WERROR),1)
WARN += -Werror
endif

# Never -ffast-math or -Ofast: divergence is detected by NaN/Inf checks. The
# two -fno flags keep IEEE results and NaN checks intact; they only drop
# errno from sqrtf and FP-trap semantics, so branch-free loops vectorise.
# lrscope's own loops (im2col, Winograd's transforms, batch norm, pooling,
# SGD) use AVX2 and FMA when the building machine has them: x86-64-v3, the
# level of the Haswell GEMM kernels OpenBLAS picks. At one thread this made
# LeNet 25 % and cnn-bn 19 % faster than plain x86-64; -march=native, which
# adds AVX-512 here, was slower than x86-64-v3 on every preset. Results do
# not change: C11 mode keeps FMA contraction off (-ffp-contract=off), so the
# wider vectors do the same operations in the same order. `make ARCH=` builds
# for any x86-64 (or another CPU).
ARCH ?= $(if $(shell $(CC) -march=native -dM -E - </dev/null 2>/dev/null | grep -w __AVX2__),\
               -march=x86-64-v3)
OPT := -O3 -g -fno-math-errno -fno-trapping-math $(ARCH)
ifneq ($(SANITIZE),)
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=$(SANITIZE) -fno-sanitize-recover=all
BUILD := $(BUILD)/san$(if $(filter thread,$(SANITIZE)),-thread)
endif

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CPPFLAGS += -I. -DLRSCOPE_VERSION='"$(VERSION)"' -DNCURSES_WIDECHAR=1
CFLAGS   += -std=c11 $(OPT) $(WARN) -pthread $(PKG_CFLAGS) -MMD -MP
LDLIBS   += $(PKG_LIBS) -lm -pthread

LIB_SRC  := $(wildcard engine/*.c datasets/*.c) $(filter-out tui/main.c,$(wildcard tui/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
TEST_SRC := $(wildcard tests/*.c)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o)

.PHONY: all deps run test unit san e2e fuzz tsan bench screenshots clean install layers

all: $(BUILD)/lrscope

# Objects depend on the flags they were built with: changing OPT, WERROR or
# SANITIZE rebuilds them.
FLAGS_STAMP := $(BUILD)/.flags
$(shell mkdir -p $(BUILD); echo '$(CC) $(CPPFLAGS) $(CFLAGS)' | cmp -s - $(FLAGS_STAMP) || \
        echo '$(CC) $(CPPFLAGS) $(CFLAGS)' > $(FLAGS_STAMP))

# Quiet by default; V=1 shows the full commands.
ifeq ($(V),1)
Q :=
else
Q := @
endif

$(BUILD)/%.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/lrscope: $(BUILD)/tui/main.o $(LIB_OBJ)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(CFLAGS) $^ -o $@ $(LDFLAGS) $(LDLIBS)

$(BUILD)/unit-tests: $(TEST_OBJ) $(LIB_OBJ)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(CFLAGS) $^ -o $@ $(LDFLAGS) $(LDLIBS) -lcriterion

deps:
	@missing=""; \
	for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then echo "deps: everything is installed"; exit 0; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
	  echo "deps: this system has no apt-get. Install these (or your system's equivalents):$$missing"; \
	  exit 1; \
	fi; \
	sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	echo "deps: installing$$missing"; \
	$$sudo apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing

run: deps
	@$(MAKE) --no-print-directory all
	./$(BUILD)/lrscope $(ARGS)

# The unit tests run twice (plain, then under ASan+UBSan); the plain run goes
# last so the output ends with Criterion's summary.
test: deps
	@sh tests/check-layers.sh
	@$(MAKE) --no-print-directory all $(BUILD)/unit-tests
	@$(MAKE) --no-print-directory san
	@$(MAKE) --no-print-directory e2e
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=20
	@$(MAKE) --no-print-directory unit

layers:
	@sh tests/check-layers.sh

unit: $(BUILD)/unit-tests
	./$(BUILD)/unit-tests --jobs 2

san:
	@$(MAKE) --no-print-directory SANITIZE=address,undefined $(BUILD)/san/unit-tests \
	  $(BUILD)/san/lrscope
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ./$(BUILD)/san/unit-tests --jobs 2 --short-filename
	LRSCOPE_SAN=./$(BUILD)/san/lrscope sh tests/e2e/sanitized.sh

e2e: $(BUILD)/lrscope
	@for t in tests/e2e/*.sh; do [ -f "$$t" ] || continue; \
	  echo "e2e: $$t"; LRSCOPE=./$(BUILD)/lrscope sh "$$t" || exit 1; done

# ---- fuzzing: libFuzzer with ASan+UBSan, clang from Debian ----------------
# Each tests/fuzz/fuzz_NAME.c is a harness, linked with the library built by
# clang; its seeds come from `tests/fuzz/seeds.sh NAME DIR`, what it finds
# grows build/fuzz/corpus-NAME, and a crash leaves build/fuzz/crash-NAME-*.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_BUILD   := $(BUILD)/fuzz
FUZZ_CFLAGS  := -std=c11 -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
                -fno-sanitize-recover=all $(filter-out -Werror,$(WARN)) -Wno-double-promotion \
                -pthread $(PKG_CFLAGS) -MMD -MP
FUZZ_NAMES   := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(FUZZ_BUILD)/%.o) $(FUZZ_BUILD)/tests/fuzz/memfile.o

$(FUZZ_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZCC  $<")
	$(Q)$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_BUILD)/fuzz-%: $(FUZZ_BUILD)/tests/fuzz/fuzz_%.o $(FUZZ_LIB_OBJ)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(FUZZ_CC) -fsanitize=fuzzer,address,undefined $^ -o $@ $(PKG_LIBS) -lm -pthread

# Kept between runs (make would delete them as intermediate files).
.SECONDARY: $(FUZZ_LIB_OBJ) $(FUZZ_NAMES:%=$(FUZZ_BUILD)/tests/fuzz/fuzz_%.o)

# The checkpoint harness's seeds are checkpoints lrscope writes (about 25 kB).
fuzz: $(BUILD)/lrscope $(FUZZ_NAMES:%=$(FUZZ_BUILD)/fuzz-%)
	@for t in $(FUZZ_NAMES); do \
	  rm -rf $(FUZZ_BUILD)/seeds-$$t; mkdir -p $(FUZZ_BUILD)/corpus-$$t; \
	  LRSCOPE=./$(BUILD)/lrscope sh tests/fuzz/seeds.sh $$t $(FUZZ_BUILD)/seeds-$$t || exit 1; \
	  case $$t in checkpoint) len=65536 ;; *) len=20000 ;; esac; \
	  echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
	  $(FUZZ_BUILD)/fuzz-$$t -max_total_time=$(FUZZ_SECONDS) -max_len=$$len -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=$(FUZZ_BUILD)/crash-$$t- \
	    $(FUZZ_BUILD)/corpus-$$t $(FUZZ_BUILD)/seeds-$$t > $(FUZZ_BUILD)/fuzz-$$t.log 2>&1 \
	    || { tail -40 $(FUZZ_BUILD)/fuzz-$$t.log; echo "fuzz: $$t FAILED"; exit 1; }; \
	  grep -h "number_of_executed_units\|new_units_added" $(FUZZ_BUILD)/fuzz-$$t.log \
	    | sed "s/^/  $$t /"; \
	done

# ---- ThreadSanitizer: the session thread against the UI thread, the pool ---
# Criterion cannot start under TSan, so the session's and the thread pool's
# tests are built against tests/tsan/criterion/criterion.h and its
# one-process runner.
$(BUILD)/session-tests: tests/test_session.c tests/test_par.c tests/testutil.c \
		tests/tsan/runner.c $(LIB_OBJ)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(CPPFLAGS) -Itests/tsan $(filter-out -MMD -MP,$(CFLAGS)) $^ -o $@ \
	  $(LDFLAGS) $(LDLIBS)

tsan:
	@$(MAKE) --no-print-directory SANITIZE=thread $(BUILD)/san-thread/session-tests \
	  $(BUILD)/san-thread/lrscope
	TSAN_OPTIONS=halt_on_error=1 ./$(BUILD)/san-thread/session-tests
	LRSCOPE_SAN=./$(BUILD)/san-thread/lrscope sh tests/e2e/sanitized.sh

BENCH_MODELS := mlp mlp-bn lenet cnn-bn resnet:8
bench: all
	@for t in 1 2; do \
	  for m in $(BENCH_MODELS); do ./$(BUILD)/lrscope bench --model $$m --threads $$t || exit 1; done; \
	  ./$(BUILD)/lrscope bench --model resnet:20 --input-shape 3x32x32 --threads $$t || exit 1; \
	  ./$(BUILD)/lrscope bench --threads $$t --lr-estimate 10 | tail -1 || exit 1; \
	done

screenshots: all
	sh tests/make-screenshots.sh ./$(BUILD)/lrscope screenshots

install: all
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(BUILD)/lrscope $(DESTDIR)$(PREFIX)/bin/lrscope
	install -d $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 644 docs/lrscope.1 $(DESTDIR)$(PREFIX)/share/man/man1/lrscope.1
	install -m 644 docs/lrscope.bash \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions/lrscope

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(BUILD)/tui/main.d $(FUZZ_LIB_OBJ:.o=.d)
