# Makefile — a thin wrapper for people. The build itself is premake5.lua.
#   make          install missing Debian packages (as root), build bin/vane
#   make demo     the offline demonstration on bundled sources
#   make lint     cppcheck and the complexity gate (pmccabe)
#   make test     make lint, then unit and end-to-end tests, release and sanitize builds
#   make bench    benchmarks against urlwatch and the curl floor (a table for the README)
#   make fuzz     the front-door fuzzer, sanitize build, FUZZ_CASES cases per door
#   make clean    remove everything built

# Debian 12 packages the build, the tests and the demo need.
PKGS = build-essential pkg-config premake4 liblua5.4-dev lua-cjson-dev \
       libcurl4-openssl-dev libsqlite3-dev libcmocka-dev libxml2-dev libpcre2-dev \
       libstemmer-dev libopencc-dev libopencc-data libzstd-dev \
       libmicrohttpd-dev \
       openssl \
       python3 python3-aiosmtpd python3-websocket curl cppcheck pmccabe tzdata \
       prometheus chromium
# and what `make bench` needs besides
BENCH_PKGS = urlwatch hyperfine time
CONFIG ?= release
PREMAKE := $(shell command -v premake5 >/dev/null 2>&1 && echo premake5 || echo "premake4 --file=premake5.lua")
EMBED = $(sort $(wildcard db/*.sql)) $(sort $(wildcard scripts/*.lua)) \
        $(sort $(wildcard rules/*.lua)) $(sort $(wildcard engine/lib/lua/*.lua))
JOBS ?= 2

.PHONY: all deps build demo test lint bench fuzz clean

all: deps
	@$(MAKE) --no-print-directory build CONFIG=release

deps:
	@missing=""; for p in $(PKGS) $(EXTRA_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) || exit 1; \
	  else \
	    echo "missing Debian packages; run as root:"; \
	    echo "  apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

# The list of embedded files is kept in a file that changes only when the
# list does, so removing a script or rule also rebuilds the embedded data.
EMBED_LIST := build/gen/embed.list
$(shell mkdir -p build/gen; echo '$(EMBED)' | cmp -s - $(EMBED_LIST) || echo '$(EMBED)' > $(EMBED_LIST))
build/gen/embedded_data.c: $(EMBED) $(EMBED_LIST) tools/embed.sh
	@mkdir -p build/gen
	@sh tools/embed.sh $@ $(EMBED)

build/Makefile: premake5.lua $(wildcard engine/*.c engine/*/*.c) $(wildcard tests/test_*.c) $(wildcard tests/bench/bench_*.c) build/gen/embedded_data.c
	@$(PREMAKE) gmake >/dev/null

build: build/gen/embedded_data.c build/Makefile
	@$(MAKE) --no-print-directory -j$(JOBS) -C build config=$(CONFIG) >/dev/null

demo: all
	@sh tests/demo.sh bin/vane

# Static analysis: no cppcheck warnings, and no function above the
# complexity cutoff of tools/complexity.sh outside its allow-list.
lint: deps
	@cppcheck --enable=warning,style,performance,portability --error-exitcode=1 \
	  --inline-suppr -q -I engine -I /usr/include/lua5.4 --suppress=missingIncludeSystem --suppress=toomanyconfigs \
	  engine tests/*.c tests/bench/*.c && echo "cppcheck: no warnings"
	@sh tools/complexity.sh

test: deps lint
	@$(MAKE) --no-print-directory build CONFIG=release
	@$(MAKE) --no-print-directory build CONFIG=sanitize
	@sh tests/run_tests.sh release sanitize

# A long run of tests/test_fuzz.c (the same program make test runs briefly).
FUZZ_CASES ?= 50000
fuzz:
	@$(MAKE) --no-print-directory build CONFIG=sanitize
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  VANE_FUZZ_CASES=$(FUZZ_CASES) build/tests/sanitize/test_fuzz

bench:
	@$(MAKE) --no-print-directory deps EXTRA_PKGS="$(BENCH_PKGS)"
	@$(MAKE) --no-print-directory build CONFIG=release
	@sh tests/bench/run.sh

clean:
	rm -rf build bin
