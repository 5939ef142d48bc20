# Makefile — a thin wrapper for people. The build itself is premake5.lua.
#   make          install missing Debian packages (as root), build bin/vane
#   make demo     the offline demonstration on bundled sources
#   make lint     cppcheck and the complexity gate (pmccabe)
#   make test     make lint, then unit and end-to-end tests, release and sanitize builds
#   make bench    benchmarks against urlwatch and the curl floor (a table for the README)
#   make fuzz     the front-door fuzzer, sanitize build, FUZZ_CASES cases per door
#   make man      the man pages (scdoc) into build/man
#   make install  bin/vane, man pages, completion, scripts, rules, examples (PREFIX, DESTDIR)
#   make uninstall  remove exactly what make install put
#   make deb      the Debian package, build/vane_VERSION_ARCH.deb (debian/)
#   make clean    remove everything built

# Debian 12 packages the build, the tests and the demo need.
PKGS = build-essential pkg-config premake4 liblua5.4-dev lua-cjson-dev \
       libcurl4-openssl-dev libsqlite3-dev libcmocka-dev libxml2-dev libpcre2-dev \
       libstemmer-dev libopencc-dev libopencc-data libzstd-dev \
       libmicrohttpd-dev \
       openssl \
       python3 python3-aiosmtpd python3-websocket curl cppcheck pmccabe tzdata \
       prometheus chromium
PKGS += scdoc man-db groff-base bash-completion   # make man; the man-page and completion tests
# and what `make deb` and tests/e2e/test_deb.py need
PKGS += debhelper
PKGS += lintian
PKGS += dpkg-dev
PKGS += fakeroot
PKGS += man-db
PKGS += scdoc
PKGS += postgresql libpq-dev   # the PostgreSQL store and its tests (a throw-away cluster)
# and what `make bench` needs besides
BENCH_PKGS = urlwatch hyperfine time
CONFIG ?= release
PREMAKE := $(shell command -v premake5 >/dev/null 2>&1 && echo premake5 || echo "premake4 --file=premake5.lua")
EMBED = $(sort $(wildcard db/sqlite/*.sql)) $(sort $(wildcard db/postgresql/*.sql)) $(sort $(wildcard scripts/*.lua)) \
        $(sort $(wildcard rules/*.lua)) $(sort $(wildcard engine/lib/lua/*.lua))
JOBS ?= 2

.PHONY: all deps build demo test lint bench fuzz clean deb

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

# ---- installing: make man, make install, make uninstall ---------------------
# PREFIX (default /usr/local) is where vane lives; DESTDIR is prepended to
# every path (a package's staging folder). INSTALLED lists every file
# install puts, relative to $(DESTDIR)$(PREFIX): uninstall removes exactly
# those, then the folders that are vane's own if they are left empty.
PREFIX ?= /usr/local
INSTALL ?= install
MAN_PAGES = vane.1 vane.lua.5 vane-rules.7 vane-scripts.7
MAN_GZ = $(MAN_PAGES:%=build/man/%.gz)
SHIPPED_SCRIPTS = $(sort $(wildcard scripts/*.lua))
SHIPPED_RULES = $(sort $(wildcard rules/*.lua))
SYSTEMD_UNITS = $(sort $(wildcard packaging/systemd/*))
INSTALLED = bin/vane $(foreach m,$(MAN_PAGES),share/man/man$(subst .,,$(suffix $(m)))/$(m).gz) \
            share/bash-completion/completions/vane \
            $(SHIPPED_SCRIPTS:%=share/vane/%) $(SHIPPED_RULES:%=share/vane/%) \
            share/doc/vane/examples/vane.lua $(SYSTEMD_UNITS:packaging/%=share/doc/vane/%)
VANE_DIRS = share/vane/scripts share/vane/rules share/vane share/doc/vane/examples \
            share/doc/vane/systemd share/doc/vane

.PHONY: man install uninstall

man: $(MAN_GZ)

build/man/%.gz: man/%.scd
	@mkdir -p build/man
	@scdoc < $< > build/man/$*
	@gzip -9n -c build/man/$* > $@

install: build man
	@root='$(DESTDIR)$(PREFIX)'; set -e; \
	$(INSTALL) -D -m 0755 bin/vane "$$root/bin/vane"; \
	for m in $(MAN_PAGES); do \
	  $(INSTALL) -D -m 0644 build/man/$$m.gz "$$root/share/man/man$${m##*.}/$$m.gz"; done; \
	$(INSTALL) -D -m 0644 completion/vane.bash "$$root/share/bash-completion/completions/vane"; \
	for f in $(SHIPPED_SCRIPTS) $(SHIPPED_RULES); do $(INSTALL) -D -m 0644 $$f "$$root/share/vane/$$f"; done; \
	$(INSTALL) -D -m 0644 vane.lua "$$root/share/doc/vane/examples/vane.lua"; \
	for f in $(SYSTEMD_UNITS); do $(INSTALL) -D -m 0644 $$f "$$root/share/doc/vane/$${f#packaging/}"; done; \
	echo "installed vane into $$root"

uninstall:
	@root='$(DESTDIR)$(PREFIX)'; \
	for f in $(INSTALLED); do rm -f "$$root/$$f"; done; \
	for d in $(VANE_DIRS); do [ ! -d "$$root/$$d" ] || rmdir --ignore-fail-on-non-empty "$$root/$$d"; done; \
	echo "removed vane from $$root"

# The Debian package, built by dpkg-buildpackage in a copy of the sources
# under build/deb/ (its `clean` step would otherwise remove this tree's
# build/ and bin/); the .deb is moved to build/.
VERSION := $(shell sed -n 's/^\#define VANE_VERSION "\(.*\)"/\1/p' engine/util/version.h)
deb:
	@rm -rf build/deb && mkdir -p build/deb/vane-$(VERSION)
	@tar --exclude=./build --exclude=./bin --exclude=./.git -cf - . | tar -C build/deb/vane-$(VERSION) -xf -
	@cd build/deb/vane-$(VERSION) && dpkg-buildpackage -b -us -uc >../build.log 2>&1 || \
	  { tail -30 ../build.log >&2; echo "make deb: dpkg-buildpackage failed, see build/deb/build.log" >&2; exit 1; }
	@mv build/deb/vane_$(VERSION)_*.deb build/ && ls build/vane_$(VERSION)_*.deb

clean:
	rm -rf build bin
