# SwiftWebSocket: every command a contributor or CI needs. `make test` is the gate.
SWIFT        ?= swift
SWIFT_FLAGS  ?=
PROTOCOL_MODULES := Modules/Framing Modules/Handshake Modules/Extensions Modules/Core

.PHONY: all build release test unit lint bench clean help peers autobahn autobahn-client autobahn-client-quick autobahn-server autobahn-server-quick autobahn-install autobahn-driver

all: build

help:
	@echo "make build    debug build of every target"
	@echo "make test     everything a change must pass (lint, unit and integration tests)"
	@echo "make lint     protocol modules import neither Foundation nor Glibc"
	@echo "make bench    loopback benchmark vs peers + codec benchmark (BENCH_QUICK=1: ~2 min)"
	@echo "make autobahn the whole Autobahn|Testsuite (517 cases) against our client and our server; installs it first"
	@echo "make clean    remove build products and reports"

build:
	$(SWIFT) build $(SWIFT_FLAGS)

release:
	$(SWIFT) build -c release $(SWIFT_FLAGS)

## The gate: `.ci/run` calls exactly this: lint, unit and integration tests, then the quick
## Autobahn set (every case of 1.x-10.x, most of 12.x/13.x) with the committed expectations.
test: lint unit autobahn-client-quick autobahn-server-quick

## Third-party peers for the integration tests (python-websockets from PyPI).
peers:
	@python3 -c 'import websockets' 2>/dev/null || python3 -m pip install --quiet --disable-pip-version-check -r Tests/Fixtures/requirements.txt

unit: peers
	$(SWIFT) build --build-tests $(SWIFT_FLAGS)
	$(SWIFT) test --skip-build $(SWIFT_FLAGS)

autobahn-install:
	bash Tools/Autobahn/install.sh

autobahn-driver:
	$(SWIFT) build -c release --product AutobahnDriver $(SWIFT_FLAGS)

## The conformance gate: every Autobahn target that exists, in full.
autobahn: autobahn-client autobahn-server

autobahn-client: autobahn-driver
	bash Tools/Autobahn/run.sh client all

autobahn-client-quick: autobahn-driver
	bash Tools/Autobahn/run.sh client quick

autobahn-server: autobahn-driver
	bash Tools/Autobahn/run.sh server all

autobahn-server-quick: autobahn-driver
	bash Tools/Autobahn/run.sh server quick

## DESIGN.md §9: Framing, Handshake, Extensions and Core stay pure Swift (stdlib only), so
## that they run anywhere and can be driven by any I/O layer.
lint:
	@bad=$$(grep -rnE '^\s*(@_exported\s+)?((public|package|internal|private|fileprivate)\s+)?import\s+(Foundation|FoundationEssentials|Glibc|Darwin|Musl|WinSDK)\b' $(PROTOCOL_MODULES) || true); \
	if [ -n "$$bad" ]; then echo "lint: protocol modules must not import Foundation or libc:"; echo "$$bad"; exit 1; fi; \
	echo "lint: protocol modules are stdlib-only"
	@python3 Tools/check-readme.py

## Loopback benchmark: our server and client against peers, the in-memory codec, allocations,
## memory. BENCH_QUICK=1 for a ~2 minute run; see Tools/Bench/README.md for the knobs.
bench:
	SWIFT=$(SWIFT) bash Tools/Bench/bench.sh

clean:
	rm -rf .build reports
