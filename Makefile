# The two commands: `make demo` runs khien with the simulator feeding it; `make test` runs every test.
SHELL := /bin/bash
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 15
# ccache hits across clones of the repository (CI builds in a fresh clone).
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1

.PHONY: all bootstrap build build-dev demo test unit e2e fuzz bench docs clean web

all: build

bootstrap:
	@bash scripts/bootstrap

# The operations console (web/dist), embedded into khien by CMake: dependencies installed only when
# node_modules is older than the lock file, `npm run build` only when a source changed. `npm install`
# rather than `npm ci`: this npm (11, with omit-lockfile-registry-resolved) leaves rollup's optional
# per-platform packages out of the lock file, which `npm ci` then refuses as out of sync; `npm
# install` installs exactly the locked versions and leaves the lock file unchanged.
WEB_SOURCES := $(shell find web/src -type f 2>/dev/null) web/index.html web/vite.config.ts web/tsconfig.json web/package.json web/package-lock.json
web: web/dist/index.html
web/dist/index.html: $(WEB_SOURCES)
	@cd web && if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then npm install --no-audit --no-fund; fi
	cd web && npm run build

# Optimized binary at build/bin/khien.
build: bootstrap web
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS)

build-dev: bootstrap web
	cmake --preset dev >/dev/null
	cmake --build --preset dev -j $(JOBS)

demo: build
	build/bin/khien demo --data khien-demo --http 127.0.0.1:8080 --syslog-udp 127.0.0.1:5514 --syslog-tcp 127.0.0.1:5514

# Every test: unit, golden and end-to-end tests (ASan + UBSan build), then each fuzz target briefly.
test: build-dev
	cd build/dev && ctest --output-on-failure -j $(JOBS) --timeout 900
	$(MAKE) fuzz

fuzz: bootstrap
	cmake --preset fuzz >/dev/null
	cmake --build --preset fuzz -j $(JOBS)
	bash scripts/run-fuzzers build/fuzz/bin $(FUZZ_SECONDS)

bench: build
	build/bin/khien bench --events 1000000
	@if [ -x build/release/bin/khien_bench ] || [ -x build/bin/khien_bench ]; then build/bin/khien_bench; fi

docs: build
	build/bin/khien schema --markdown > /dev/null

clean:
	rm -rf build
