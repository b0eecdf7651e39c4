# echoscan — build, test, demo, bench, install.
# `make test` and `make demo` install what they need (Debian packages) when run as root.

PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR  := $(PREFIX)/bin
MANDIR  := $(PREFIX)/share/man/man1
BASHCOMPDIR := $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  := $(PREFIX)/share/zsh/site-functions

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -std=c11 -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-unused-parameter
DEFS    := -D_DEFAULT_SOURCE -D_GNU_SOURCE -DJUDYERROR_NOTEST -I. -Iinclude
LIBNET_LIBS := $(shell libnet-config --libs 2>/dev/null || echo -lnet)
PCAP_LIBS   := $(shell pkg-config --libs libpcap 2>/dev/null || echo -lpcap)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)
LIBS    := -Wl,--as-needed $(PCAP_LIBS) $(LIBNET_LIBS) -lJudy -lpthread -lm

BUILD   ?= build
SRC_LIB := $(wildcard scanner/*.c engine/*.c output/*.c)
SRC_LIB := $(filter-out scanner/main.c,$(SRC_LIB))
OBJ_LIB := $(patsubst %.c,$(BUILD)/%.o,$(SRC_LIB))
LIBA    := $(BUILD)/libechoscan.a
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))

# Debian packages needed to build and test (bench adds zmap, masscan, fping and nmap).
DEPS_PKGS := gcc make pkg-config libpcap-dev libnet1-dev libjudy-dev libcmocka-dev \
             iproute2 nftables iputils-ping procps tcpdump python3 python3-jsonschema zsh \
             python3-yaml parallel jq fping
BENCH_PKGS := zmap masscan time fping nmap
# `make fuzz`: libFuzzer harnesses (tests/fuzz/fuzz_*.c) built with clang under ASan+UBSan in
# build-fuzz/, each run for FUZZ_SECONDS (tests/fuzz/run.sh).
FUZZ_PKGS    := clang libclang-rt-14-dev
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 20
FUZZ_CFLAGS  := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_NAMES   := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))

.PHONY: all deps test unit lab demo bench asan fuzz fuzz-build install uninstall clean

all: echoscan

echoscan: $(BUILD)/scanner/main.o $(LIBA)
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS)

$(LIBA): $(OBJ_LIB)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(WARN) $(DEFS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(WARN) $(DEFS) -Wno-unused-function -o $@ $< $(LIBA) $(CMOCKA_LIBS) $(LIBS)

-include $(OBJ_LIB:.o=.d) $(BUILD)/scanner/main.d

# Installs missing Debian packages (only as root; otherwise says what is missing).
deps:
	@missing=""; for p in $(DEPS_PKGS) $(EXTRA_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
	  else echo "missing Debian packages:$$missing (run as root or apt-get install them)"; exit 1; fi; \
	fi

unit: $(UNIT_BIN)
	@bash tests/run_unit.sh $(UNIT_BIN)

lab: echoscan
	bash tests/lab/run.sh

test: deps
	$(MAKE) --no-print-directory all unit
	bash tests/check_layers.sh $(BUILD) "$(CC)" "$(LIBS)"
	bash tests/check_manpage.sh ./echoscan echoscan.1
	sh tests/check_links.sh
	bash tests/check_completions.sh ./echoscan
	./echoscan ping -h > $(BUILD)/ping-help.txt && bash tests/check_manpage.sh --help-file $(BUILD)/ping-help.txt echoscan.1
	$(MAKE) --no-print-directory lab

asan: deps
	$(MAKE) --no-print-directory BUILD=build-asan CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" unit

fuzz:
	$(MAKE) --no-print-directory deps EXTRA_PKGS="$(FUZZ_PKGS)"
	$(MAKE) --no-print-directory BUILD=build-fuzz CC=$(FUZZ_CC) \
		CFLAGS="$(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link" fuzz-build
	bash tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_NAMES)

fuzz-build: $(patsubst %,$(BUILD)/fuzz/%,$(FUZZ_NAMES))

# fuzz_cli must not resolve names or read files the fuzzer invents (see the harness).
$(BUILD)/fuzz/fuzz_cli: FUZZ_WRAP := -Wl,--wrap=getaddrinfo -Wl,--wrap=fopen
$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz_util.h $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fsanitize=fuzzer $(WARN) $(DEFS) -o $@ $< $(LIBA) $(FUZZ_WRAP) $(LIBS)

demo: deps
	$(MAKE) --no-print-directory all
	bash tests/demo.sh

bench:
	$(MAKE) --no-print-directory deps EXTRA_PKGS="$(BENCH_PKGS)"
	$(MAKE) --no-print-directory all
	bash bench/bench.sh

install: echoscan
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)
	install -m 0755 echoscan $(DESTDIR)$(BINDIR)/echoscan
	install -m 0644 echoscan.1 $(DESTDIR)$(MANDIR)/echoscan.1
	install -d $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 0644 completions/echoscan.bash $(DESTDIR)$(BASHCOMPDIR)/echoscan
	install -m 0644 completions/_echoscan $(DESTDIR)$(ZSHCOMPDIR)/_echoscan

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/echoscan $(DESTDIR)$(MANDIR)/echoscan.1
	rm -f $(DESTDIR)$(BASHCOMPDIR)/echoscan $(DESTDIR)$(ZSHCOMPDIR)/_echoscan

clean:
	rm -rf build build-asan build-fuzz echoscan
