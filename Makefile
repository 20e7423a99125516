# Palette Maker — every set-up step is here, so that on a fresh Debian 12 (as root, or a user
# with sudo) these two commands are all it takes:
#
#   make run    install missing packages, build the web app and the release binary, serve it
#   make test   the same plus the test tools, build the `ci` preset (-Werror) and run ctest
#
# Other targets: build, web, deb (Debian package), debug (ASan+UBSan build + ctest), format,
# lint, deps, clean, distclean. See scripts/install-deps.sh for the package list.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build
# The steps below run in order; a -j given to make goes to the compiler through JOBS instead.
.NOTPARALLEL:

JOBS ?= $(shell nproc 2>/dev/null || echo 2)
# cmake --build / ctest run their own make; do not hand them ours (jobserver, -s, -w, ...).
SUB := env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES

WEB_DIR      := web
WEB_NPM_STAMP := $(WEB_DIR)/node_modules/.pm-npm-ci.stamp
WEB_INDEX    := $(WEB_DIR)/dist/index.html
# Everything in web/ that can change the built app (not node_modules, not the output).
WEB_SRCS     := $(shell [ -d $(WEB_DIR) ] && find $(WEB_DIR) \( -path $(WEB_DIR)/node_modules -o -path $(WEB_DIR)/dist \) -prune -o -type f -print 2>/dev/null)
E2E_DIR      := tests/e2e
E2E_NPM_STAMP := $(E2E_DIR)/node_modules/.pm-npm-ci.stamp
S3_DIR       := tests/services/s3
S3_NPM_STAMP := $(S3_DIR)/node_modules/.pm-npm-ci.stamp
PKG_DIR      := tests/packaging
PKG_NPM_STAMP := $(PKG_DIR)/node_modules/.pm-npm-ci.stamp

.PHONY: run serve build web test test-prep debug format lint deps deps-run deps-test deps-dev \
        e2e-deps deb clean distclean help

help:
	@sed -n '1,9p' Makefile | sed 's/^# \{0,1\}//'

# --- packages ------------------------------------------------------------------------------
deps: deps-test
deps-run:
	@scripts/install-deps.sh run
deps-test:
	@scripts/install-deps.sh test
deps-dev:
	@scripts/install-deps.sh dev

# --- web app (web/dist is embedded by the C++ build) --------------------------------------
# npm ci only when node_modules is older than package-lock.json (or missing).
$(WEB_NPM_STAMP): $(wildcard $(WEB_DIR)/package.json $(WEB_DIR)/package-lock.json)
	scripts/npm-ci.sh $(WEB_DIR)
	@touch $@

$(WEB_INDEX): $(WEB_NPM_STAMP) $(WEB_SRCS)
	cd $(WEB_DIR) && npm run build
	@touch $@

ifneq ($(wildcard $(WEB_DIR)/package.json),)
web: $(WEB_INDEX)
else
web:
	@echo "make: $(WEB_DIR)/package.json does not exist yet: no web app to build" >&2
endif

# --- browser-test tools --------------------------------------------------------------------
$(E2E_NPM_STAMP): $(wildcard $(E2E_DIR)/package.json $(E2E_DIR)/package-lock.json)
	scripts/npm-ci.sh $(E2E_DIR)
	@touch $@

# The S3 test server (s3rver) and the SigV4-verifying proxy in front of it.
$(S3_NPM_STAMP): $(wildcard $(S3_DIR)/package.json $(S3_DIR)/package-lock.json)
	cd $(S3_DIR) && npm ci --no-audit --no-fund
	@touch $@

# The YAML parser of the Kubernetes manifest test.
$(PKG_NPM_STAMP): $(wildcard $(PKG_DIR)/package.json $(PKG_DIR)/package-lock.json)
	scripts/npm-ci.sh $(PKG_DIR)
	@touch $@

ifneq ($(wildcard $(E2E_DIR)/package-lock.json),)
e2e-deps: $(E2E_NPM_STAMP) $(S3_NPM_STAMP) $(PKG_NPM_STAMP)
else
e2e-deps:
	@:
endif

# --- C++ -----------------------------------------------------------------------------------
build: deps-run web
	$(SUB) cmake --preset release
	$(SUB) cmake --build --preset release -j$(JOBS)

run: build
	./build/release/palettemaker serve

serve:
	./build/release/palettemaker serve

# The Debian package of the release binary: build/deb/palettemaker_<version>_<arch>.deb.
deb: build
	packaging/debian/build-deb.sh build/release/palettemaker build/deb

# Everything `make test` does before ctest (used on its own by tools that want ctest's exit code).
test-prep: deps-test web e2e-deps
	$(SUB) cmake --preset ci
	$(SUB) cmake --build --preset ci -j$(JOBS)

# Output ends with ctest's summary; --no-tests=error makes an empty suite a failure.
test: test-prep
	$(SUB) ctest --preset ci --no-tests=error

debug: deps-test web e2e-deps
	$(SUB) cmake --preset debug
	$(SUB) cmake --build --preset debug -j$(JOBS)
	$(SUB) ctest --preset debug --no-tests=error

# --- style ---------------------------------------------------------------------------------
FORMAT_FILES = $(shell find src tests bench \( -path tests/e2e/node_modules \) -prune -o -type f \( -name '*.h' -o -name '*.cc' \) -print 2>/dev/null)

format: deps-dev
	@files="$(FORMAT_FILES)"; [ -z "$$files" ] || clang-format -i $$files
	@echo "clang-format: $(words $(FORMAT_FILES)) files"

# clang-tidy on src/ (or FILES="a.cc b.cc") with the ci preset's compile commands (configured
# when missing). ~100 s for all of src/ on 2 cores.
lint: deps-dev web
	@[ -f build/ci/compile_commands.json ] || $(SUB) cmake --preset ci >/dev/null
	@JOBS=$(JOBS) scripts/lint.sh $(FILES)

# --- cleaning ------------------------------------------------------------------------------
# Build outputs only; ./data (the server's data) is never touched.
clean:
	rm -rf build $(WEB_DIR)/dist

distclean: clean
	rm -rf $(WEB_DIR)/node_modules $(E2E_DIR)/node_modules $(S3_DIR)/node_modules $(PKG_DIR)/node_modules
