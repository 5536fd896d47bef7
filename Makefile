# SwiftWebSocket: every command a contributor or CI needs. `make test` is the gate.
SWIFT        ?= swift
SWIFT_FLAGS  ?=
PROTOCOL_MODULES := Modules/Framing Modules/Handshake Modules/Extensions Modules/Core

.PHONY: all build release test deps unit simd-kernels lint bench clean help peers autobahn autobahn-client autobahn-client-quick autobahn-client-tls autobahn-client-tls-quick autobahn-server autobahn-server-quick autobahn-server-handler autobahn-server-handler-quick autobahn-install autobahn-driver \
	fuzz fuzz-build fuzz-quick sanitize sanitize-address sanitize-thread soak

all: build

help:
	@echo "make build    debug build of every target"
	@echo "make test     everything a change must pass: lint, unit and integration tests, C kernels, quick fuzz, ASan and TSan, quick Autobahn"
	@echo "make lint     protocol modules import neither Foundation nor Glibc; README examples match their files"
	@echo "make simd-kernels  the C UTF-8 kernels against a reference, natively and NEON under qemu"
	@echo "make bench    loopback benchmark vs peers + codec benchmark (BENCH_QUICK=1: ~2 min)"
	@echo "make autobahn the whole Autobahn|Testsuite (517 cases) against our client (over ws:// and wss://) and our server; installs it first"
	@echo "make fuzz     every libFuzzer target for FUZZ_SECONDS (default 60) each; fails on any crash, timeout or OOM"
	@echo "make sanitize the Core, transport, client and server tests under AddressSanitizer (+LeakSanitizer) and ThreadSanitizer"
	@echo "make soak     SOAK_CONNECTIONS (200) clients echoing for SOAK_SECONDS (180) against our server; checks fds, threads, RSS"
	@echo "make clean    remove build products and reports"

build: deps
	$(SWIFT) build $(SWIFT_FLAGS)

release: deps
	$(SWIFT) build -c release $(SWIFT_FLAGS)

## The gate: `.ci/run` calls exactly this: lint, unit and integration tests (attack tests and
## fuzz regressions included), a short fuzz run, the sanitizer runs, then the quick Autobahn set
## (every case of 1.x-10.x, most of 12.x/13.x) with the committed expectations.
test: deps lint unit simd-kernels fuzz-quick sanitize autobahn-client-quick autobahn-server-quick autobahn-server-handler-quick

## System libraries the package links (zlib for permessage-deflate, OpenSSL 3 for TLS),
## installed from Debian's archive when missing (root or sudo; elsewhere install them yourself).
SYSTEM_PACKAGES := zlib1g-dev libssl-dev pkg-config
deps:
	@if command -v dpkg >/dev/null && ! dpkg -s $(SYSTEM_PACKAGES) >/dev/null 2>&1; then \
		echo "deps: installing $(SYSTEM_PACKAGES)"; \
		sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
		$$sudo apt-get update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; \
	fi

## Third-party peers for the integration tests: python-websockets (13 or later, for its
## `websockets.asyncio` API) from PyPI, into the python3 on PATH when its pip may install there,
## else into .venv (Debian's own python3 refuses, PEP 668), which is first on PATH for every
## recipe and so for the tests' `/usr/bin/env python3`; node's ws from Debian (`node-ws`, which
## Tests/Fixtures/node/peer.js finds in /usr/share/nodejs whichever node runs it); the SOCKS5
## proxy microsocks from Debian (Tests/Fixtures/socks.py runs it).
export PATH := $(CURDIR)/.venv/bin:$(PATH)
PYTHON_PEERS := Tests/Fixtures/requirements.txt
peers:
	@python3 -c 'import websockets.asyncio' 2>/dev/null || \
	python3 -m pip install --quiet --disable-pip-version-check -r $(PYTHON_PEERS) 2>/dev/null || { \
		echo "peers: installing python-websockets into .venv"; \
		python3 -m venv .venv 2>/dev/null || { \
			sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
			$$sudo apt-get update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null && \
			python3 -m venv .venv; }; \
		.venv/bin/python3 -m pip install --quiet --disable-pip-version-check -r $(PYTHON_PEERS); }
	@node -e 'module.paths.push("/usr/share/nodejs"); require("ws")' 2>/dev/null || { \
		echo "peers: installing nodejs and node-ws (apt)"; \
		sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
		$$sudo apt-get update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs node-ws >/dev/null; }
	@command -v microsocks >/dev/null || { \
		echo "peers: installing microsocks (apt)"; \
		sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
		$$sudo apt-get update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq microsocks >/dev/null; }

## The tests open a few thousand sockets at once (1000 client/server pairs in one process):
## Debian's default soft limit of 1024 descriptors is raised for them, up to the hard limit.
RAISE_FD_LIMIT := ulimit -n 65536 2>/dev/null || ulimit -n "$$(ulimit -Hn)" 2>/dev/null || true;

unit: deps peers
	$(SWIFT) build --build-tests $(SWIFT_FLAGS)
	$(RAISE_FD_LIMIT) $(SWIFT) test --skip-build $(SWIFT_FLAGS)

## The C UTF-8 kernels against a byte-wise reference, natively and (NEON) on AArch64 under qemu.
simd-kernels:
	bash Tests/CSIMD/run.sh

autobahn-install:
	bash Tools/Autobahn/install.sh

autobahn-driver: deps
	$(SWIFT) build -c release --product AutobahnDriver $(SWIFT_FLAGS)

## The conformance gate: every Autobahn target that exists, in full.
autobahn: autobahn-client autobahn-server autobahn-client-tls autobahn-server-handler

autobahn-client: autobahn-driver
	bash Tools/Autobahn/run.sh client all

autobahn-client-quick: autobahn-driver
	bash Tools/Autobahn/run.sh client quick

## Our client over wss:// (fuzzingserver with Tests/Fixtures/tls/server.pem on 127.0.0.1:9003),
## gated by the same expectations as autobahn-client.
autobahn-client-tls: autobahn-driver
	bash Tools/Autobahn/run.sh client-tls all

autobahn-client-tls-quick: autobahn-driver
	bash Tools/Autobahn/run.sh client-tls quick

autobahn-server: autobahn-driver
	bash Tools/Autobahn/run.sh server all

## The server again, echoing through `handleMessages` (payloads in place, synchronous handler).
AUTOBAHN_HANDLER_DRIVER := .build/release/AutobahnDriver server 9002 --handler

autobahn-server-handler: autobahn-driver
	AUTOBAHN_DRIVER="$(AUTOBAHN_HANDLER_DRIVER)" bash Tools/Autobahn/run.sh server all

autobahn-server-handler-quick: autobahn-driver
	AUTOBAHN_DRIVER="$(AUTOBAHN_HANDLER_DRIVER)" bash Tools/Autobahn/run.sh server quick

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
bench: deps
	SWIFT=$(SWIFT) bash Tools/Bench/bench.sh

## Fuzzing (Tools/Fuzz, SECURITY.md): one libFuzzer executable per target, instrumented for
## coverage and built with AddressSanitizer (the masking and UTF-8 fast paths are `unsafe`), in
## its own scratch path. Each runs FUZZ_SECONDS; a crash, a timeout (10 s per input) or an
## out-of-memory (2 GiB) fails. `make test` runs FUZZ_QUICK_SECONDS per target.
FUZZ_SECONDS       ?= 60
FUZZ_QUICK_SECONDS ?= 10
FUZZ_TARGETS       ?= FrameDecoder UTF8Masking ServerConnection ClientConnection HTTPHead ExtensionHeader \
                      ProxyHeader ProxyAnswers \
                      $(if $(wildcard Plugins/PerMessageDeflate),PerMessageDeflate)
FUZZ_SANITIZE      ?= --sanitize=fuzzer --sanitize=address \
                      -Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table

fuzz-build: deps
	@for target in $(FUZZ_TARGETS); do \
		$(SWIFT) build -c release --scratch-path .build-fuzz $(FUZZ_SANITIZE) -Xswiftc -DFUZZING \
			--product Fuzz$$target $(SWIFT_FLAGS) || exit 1; \
	done

fuzz: fuzz-build
	bash Tools/Fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-quick: fuzz-build
	bash Tools/Fuzz/run.sh $(FUZZ_QUICK_SECONDS) $(FUZZ_TARGETS)

## Sanitizers: the tests of everything with threads, sockets or `unsafe` code (and the attacks
## on the server), under ASan with LeakSanitizer and under TSan, each in its own scratch path so
## that the normal build stays valid.
## Suppressions (Tools/Sanitizers/*.supp) name only known false positives, each with its reason.
SANITIZE_TESTS ?= CoreTests|FramingTests|TransportTests|ClientTests|ServerTests|AttackTests
# Skipped under sanitizers, with reasons: randomTimersRunInSortedOrder asserts timer order at 1 ms
# resolution and expects 120 timers scheduled back to back to share one base time, which a
# sanitizer's 2-10x slowdown breaks (not a race); MemoryAttacks measure malloc and RSS figures,
# which ASan's allocator and quarantine (and TSan's shadow memory) make meaningless.
SANITIZE_SKIP  ?= randomTimersRunInSortedOrder|MemoryAttacks
SANITIZER_ENV  := SWIFT_BACKTRACE=enable=no \
	ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:suppressions=$(CURDIR)/Tools/Sanitizers/asan.supp \
	LSAN_OPTIONS=suppressions=$(CURDIR)/Tools/Sanitizers/lsan.supp:print_suppressions=0 \
	TSAN_OPTIONS=suppressions=$(CURDIR)/Tools/Sanitizers/tsan.supp:halt_on_error=1:second_deadlock_stack=1

sanitize: sanitize-address sanitize-thread

sanitize-address: deps peers
	$(SWIFT) build --build-tests --sanitize=address --scratch-path .build-asan $(SWIFT_FLAGS)
	$(RAISE_FD_LIMIT) $(SANITIZER_ENV) $(SWIFT) test --skip-build --sanitize=address --scratch-path .build-asan \
		--filter '$(SANITIZE_TESTS)' --skip '$(SANITIZE_SKIP)' $(SWIFT_FLAGS)

sanitize-thread: deps peers
	$(SWIFT) build --build-tests --sanitize=thread --scratch-path .build-tsan $(SWIFT_FLAGS)
	$(RAISE_FD_LIMIT) $(SANITIZER_ENV) $(SWIFT) test --skip-build --sanitize=thread --scratch-path .build-tsan \
		--filter '$(SANITIZE_TESTS)' --skip '$(SANITIZE_SKIP)' $(SWIFT_FLAGS)

## Soak (not part of `make test`): SOAK_CONNECTIONS clients echo for SOAK_SECONDS against our
## server in a child process; fails on an unexpected close, on file descriptors or threads not
## back to their starting counts, or on RSS growing more than 5% after warm-up. Releases run
## `make soak SOAK_CONNECTIONS=2000 SOAK_SECONDS=1800`.
SOAK_CONNECTIONS ?= 200
SOAK_SECONDS     ?= 180

soak: deps
	$(SWIFT) build -c release --product SoakTest $(SWIFT_FLAGS)
	$(RAISE_FD_LIMIT) $(SWIFT) run -c release --skip-build SoakTest --connections $(SOAK_CONNECTIONS) --seconds $(SOAK_SECONDS)

clean:
	rm -rf .build .build-fuzz .build-asan .build-tsan .fuzz reports .venv
