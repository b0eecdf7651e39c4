# echoscan — build, test, demo, bench, install.
# `make test` and `make demo` install what they need (Debian packages) when run as root.

PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR  := $(PREFIX)/bin
MANDIR  := $(PREFIX)/share/man/man1
BASHCOMPDIR := $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  := $(PREFIX)/share/zsh/site-functions
LIBDIR  ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
MAN3DIR := $(PREFIX)/share/man/man3

CC      ?= cc
CFLAGS  ?= -O2 -g
# Warnings are errors only where the project asks (make test, asan, .ci/run):
# a packager's plain `make` with a newer compiler must not fail on a new warning.
WERROR  ?=
WARN    := -std=c11 -Wall -Wextra -Wshadow -Wformat=2 -Wno-unused-parameter $(if $(filter 1,$(WERROR)),-Werror)
DEFS    := -D_DEFAULT_SOURCE -D_GNU_SOURCE -DJUDYERROR_NOTEST -I. -Iinclude
LIBNET_LIBS := $(shell libnet-config --libs 2>/dev/null || echo -lnet)
PCAP_LIBS   := $(shell pkg-config --libs libpcap 2>/dev/null || echo -lpcap)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)
XDP_LIBS    := $(shell pkg-config --libs libxdp libbpf 2>/dev/null || echo -lxdp -lbpf)
LIBS    := -Wl,--as-needed $(PCAP_LIBS) $(LIBNET_LIBS) $(XDP_LIBS) -lJudy -lpthread -lm

BUILD   ?= build
# libechoscan (engine/, the public API of include/echoscan.h) as a static and
# a shared library; the CLI's own modules (scanner/, output/) in an internal
# archive linked before it.
SRC_LIB := $(wildcard engine/*.c)
OBJ_LIB := $(patsubst %.c,$(BUILD)/%.o,$(SRC_LIB))
SRC_CLI := $(filter-out scanner/main.c,$(wildcard scanner/*.c output/*.c))
OBJ_CLI := $(patsubst %.c,$(BUILD)/%.o,$(SRC_CLI))
LIBA    := $(BUILD)/libechoscan.a
LIBCLI  := $(BUILD)/libechoscan-cli.a
# The version is the header's; the soname carries the major number.
ES_VER   = $(shell sed -n 's/^\#define ES_VERSION_$(1) \([0-9]*\)$$/\1/p' include/echoscan.h)
SO_MAJOR := $(call ES_VER,MAJOR)
VERSION  := $(SO_MAJOR).$(call ES_VER,MINOR).$(call ES_VER,PATCH)
LIBSO    := $(BUILD)/libechoscan.so.$(VERSION)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))

# Debian packages needed to build and test (bench adds zmap, masscan, fping and nmap).
DEPS_PKGS := gcc make pkg-config libpcap-dev libnet1-dev libjudy-dev libcmocka-dev \
             iproute2 nftables iputils-ping procps tcpdump python3 python3-jsonschema zsh \
             python3-yaml parallel jq fping traceroute libxdp-dev libbpf-dev clang
BENCH_PKGS := zmap masscan time fping nmap scamper
# `make fuzz`: libFuzzer harnesses (tests/fuzz/fuzz_*.c) built with clang under ASan+UBSan in
# build-fuzz/, each run for FUZZ_SECONDS (tests/fuzz/run.sh).
FUZZ_PKGS    := clang libclang-rt-14-dev
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 20
FUZZ_CFLAGS  := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_NAMES   := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))

.PHONY: all lib deps test unit unit-clang lab demo bench bench-api asan fuzz fuzz-build install uninstall clean examples

all: echoscan lib

lib: $(LIBA) $(LIBSO)

echoscan: $(BUILD)/scanner/main.o $(LIBCLI) $(LIBA)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

$(LIBA): $(OBJ_LIB)
	@rm -f $@
	ar rcs $@ $^

$(LIBCLI): $(OBJ_CLI)
	@rm -f $@
	ar rcs $@ $^

# Only the es_ names of echoscan.h are exported: -fvisibility=hidden hides
# the rest at compile time, the version script once more at link time.
$(OBJ_LIB): XCFLAGS := -fPIC -fvisibility=hidden
$(LIBSO): $(OBJ_LIB) engine/libechoscan.map
	$(CC) $(CFLAGS) $(LDFLAGS) -shared -Wl,-soname,libechoscan.so.$(SO_MAJOR) \
		-Wl,--version-script=engine/libechoscan.map -Wl,--no-undefined \
		-o $@ $(OBJ_LIB) $(LIBS)
	ln -sf $(notdir $@) $(BUILD)/libechoscan.so.$(SO_MAJOR)
	ln -sf libechoscan.so.$(SO_MAJOR) $(BUILD)/libechoscan.so

# The XDP program of --rx xdp (engine/bpf/*.bpf.c), compiled for BPF and embedded in rx_xdp.o.
BPF_CC     ?= clang
BPF_CFLAGS := -O2 -g -target bpf -I/usr/include/$(shell $(CC) -print-multiarch 2>/dev/null)
$(BUILD)/bpf/%.bpf.o: engine/bpf/%.bpf.c
	@mkdir -p $(dir $@)
	$(BPF_CC) $(BPF_CFLAGS) -c -o $@ $<
$(BUILD)/engine/rx_xdp.o: $(BUILD)/bpf/rx_xdp.bpf.o
$(BUILD)/engine/rx_xdp.o: DEFS += -DRX_XDP_OBJ='"$(BUILD)/bpf/rx_xdp.bpf.o"'

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(XCFLAGS) $(WARN) $(DEFS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIBCLI) $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $(DEFS) -Wno-unused-function $(LDFLAGS) -o $@ $< $(LIBCLI) $(LIBA) $(CMOCKA_LIBS) $(LIBS)

-include $(OBJ_LIB:.o=.d) $(OBJ_CLI:.o=.d) $(BUILD)/scanner/main.d

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
	$(MAKE) --no-print-directory WERROR=1 all unit
	bash tests/check_layers.sh $(BUILD) "$(CC)" "$(LIBS)"
	sh tests/check_man3.sh $(BUILD)/libechoscan.so echoscan.3
	$(MAKE) --no-print-directory WERROR=1 unit-clang
	bash tests/check_manpage.sh ./echoscan echoscan.1
	sh tests/check_links.sh
	bash tests/check_completions.sh ./echoscan
	./echoscan ping -h > $(BUILD)/ping-help.txt && bash tests/check_manpage.sh --help-file $(BUILD)/ping-help.txt echoscan.1
	$(MAKE) --no-print-directory lab

# The whole tree and the unit tests built with clang (build-clang/), so gcc-only code cannot creep in.
unit-clang:
	$(MAKE) --no-print-directory WERROR=$(WERROR) BUILD=build-clang CC=clang build-clang/scanner/main.o unit

asan: deps
	$(MAKE) --no-print-directory WERROR=1 BUILD=build-asan CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" unit

fuzz:
	$(MAKE) --no-print-directory deps EXTRA_PKGS="$(FUZZ_PKGS)"
	$(MAKE) --no-print-directory WERROR=1 BUILD=build-fuzz CC=$(FUZZ_CC) \
		CFLAGS="$(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link" fuzz-build
	bash tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_NAMES)

fuzz-build: $(patsubst %,$(BUILD)/fuzz/%,$(FUZZ_NAMES))

# fuzz_cli must not resolve names or read files the fuzzer invents (see the harness).
$(BUILD)/fuzz/fuzz_cli: FUZZ_WRAP := -Wl,--wrap=getaddrinfo -Wl,--wrap=fopen
$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz_util.h $(LIBCLI) $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fsanitize=fuzzer $(WARN) $(DEFS) -o $@ $< $(LIBCLI) $(LIBA) $(FUZZ_WRAP) $(LIBS)

demo: deps
	$(MAKE) --no-print-directory all
	bash tests/demo.sh

bench:
	$(MAKE) --no-print-directory deps EXTRA_PKGS="$(BENCH_PKGS)"
	$(MAKE) --no-print-directory all
	bash bench/bench.sh

# The same sweeps and pings through the CLI and through the public API (medians of BENCH_RUNS).
bench-api:
	$(MAKE) --no-print-directory all
	bash bench/api.sh

# What a static link of libechoscan.a adds, in Libs.private: libnet and Judy
# have no .pc (libxdp and libbpf are listed plainly too); libpcap's own (Requires.private: libpcap) would pull its
# private dbus/systemd libraries into `pkg-config --static` and its dbus
# include paths into every --cflags, though echoscan.h needs no pcap header.
PC_LIBS_PRIVATE := $(PCAP_LIBS) $(LIBNET_LIBS) $(XDP_LIBS) -lJudy -lpthread -lm

install: echoscan $(LIBA) $(LIBSO)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)
	install -m 0755 echoscan $(DESTDIR)$(BINDIR)/echoscan
	install -m 0644 echoscan.1 $(DESTDIR)$(MANDIR)/echoscan.1
	install -d $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 0644 completions/echoscan.bash $(DESTDIR)$(BASHCOMPDIR)/echoscan
	install -m 0644 completions/_echoscan $(DESTDIR)$(ZSHCOMPDIR)/_echoscan
	install -d $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(MAN3DIR)
	install -m 0644 include/echoscan.h $(DESTDIR)$(INCLUDEDIR)/echoscan.h
	install -m 0644 $(LIBA) $(DESTDIR)$(LIBDIR)/libechoscan.a
	install -m 0755 $(LIBSO) $(DESTDIR)$(LIBDIR)/libechoscan.so.$(VERSION)
	ln -sf libechoscan.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libechoscan.so.$(SO_MAJOR)
	ln -sf libechoscan.so.$(SO_MAJOR) $(DESTDIR)$(LIBDIR)/libechoscan.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
	    -e 's|@VERSION@|$(VERSION)|' -e 's|@LIBS_PRIVATE@|$(PC_LIBS_PRIVATE)|' \
	    echoscan.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/echoscan.pc
	chmod 0644 $(DESTDIR)$(PKGCONFIGDIR)/echoscan.pc
	install -m 0644 echoscan.3 $(DESTDIR)$(MAN3DIR)/echoscan.3

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/echoscan $(DESTDIR)$(MANDIR)/echoscan.1
	rm -f $(DESTDIR)$(BASHCOMPDIR)/echoscan $(DESTDIR)$(ZSHCOMPDIR)/_echoscan
	rm -f $(DESTDIR)$(INCLUDEDIR)/echoscan.h $(DESTDIR)$(LIBDIR)/libechoscan.a
	rm -f $(DESTDIR)$(LIBDIR)/libechoscan.so $(DESTDIR)$(LIBDIR)/libechoscan.so.$(SO_MAJOR)
	rm -f $(DESTDIR)$(LIBDIR)/libechoscan.so.$(VERSION)
	rm -f $(DESTDIR)$(PKGCONFIGDIR)/echoscan.pc $(DESTDIR)$(MAN3DIR)/echoscan.3

# The examples, each built with nothing but
#   cc x.c $(pkg-config --cflags --libs echoscan)
# against the library installed into a staging tree (DESTDIR), as a
# program of a user's would be: examples/build.sh sets PKG_CONFIG_PATH and
# PKG_CONFIG_SYSROOT_DIR to that tree.
STAGE := $(abspath $(BUILD))/stage
examples: lib echoscan
	rm -rf $(STAGE)
	$(MAKE) --no-print-directory install DESTDIR=$(STAGE)
	CC="$(CC)" bash examples/build.sh $(STAGE) $(PKGCONFIGDIR) $(BUILD)/examples

clean:
	rm -rf build build-asan build-clang build-fuzz echoscan
