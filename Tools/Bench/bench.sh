#!/usr/bin/env bash
# `make bench`: installs the peers, builds everything in release mode, runs run.py.
# Knobs: see run.py (BENCH_QUICK=1 for a ~2 minute run, BENCH_DURATION, BENCH_RUNS, …).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
SWIFT="${SWIFT:-swift}"

# Peers from this machine's registries: node ws from Debian, picows/websockets/uvloop from PyPI.
if ! NODE_PATH=/usr/share/nodejs node -e 'require("ws")' 2>/dev/null; then
    echo "bench: installing node-ws (apt)"
    if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq node-ws nodejs >/dev/null
    else sudo apt-get update -qq && sudo apt-get install -y -qq node-ws nodejs >/dev/null; fi
fi
if ! .venv/bin/python -c 'import picows, websockets, uvloop' 2>/dev/null; then
    echo "bench: installing picows, websockets, uvloop into Tools/Bench/.venv (pip)"
    python3 -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
fi

# The C programs: floor echo, C WebSocket echo, load generator (OpenSSL for --tls), malloc counter.
mkdir -p bin
for program in tcp_echo ws_echo; do
    gcc -O2 -Wall -o "bin/$program" "C/$program.c" -lz
done
gcc -O2 -Wall -o bin/loadgen C/loadgen.c -lz -lssl -lcrypto

# The wss rows' test certificates (.tls/, not committed), made once: a CA and a server
# certificate for 127.0.0.1 and localhost that it signed, ECDSA P-256 keys.
tls=.tls
if [ ! -f "$tls/ca.pem" ] || [ ! -f "$tls/server.pem" ] || [ ! -f "$tls/server.key" ]; then
    echo "bench: making the TLS test CA and server certificate in Tools/Bench/$tls"
    mkdir -p "$tls"
    ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -noenc"
    openssl req -x509 $ec -keyout "$tls/ca.key" -out "$tls/ca.pem" -days 3650 \
        -subj "/O=SwiftWebSocket Bench/CN=SwiftWebSocket Bench CA" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    openssl req -x509 $ec -keyout "$tls/server.key" -out "$tls/server.pem" -days 3650 \
        -subj "/O=SwiftWebSocket Bench/CN=localhost" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" \
        -addext "basicConstraints=critical,CA:FALSE" -addext "keyUsage=critical,digitalSignature" \
        -addext "extendedKeyUsage=serverAuth" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null
fi
gcc -O2 -Wall -shared -fPIC -o bin/mallocount.so C/mallocount.c

# The Swift programs: ours (path dependency on the repository), then hummingbird's.
echo "bench: building Tools/Bench/Ours (release)"
# The drivers' own sources are touched first: their release builds inline the library across
# modules, and an incremental build once kept a stale copy of a changed library struct's layout
# in BenchServer (a crash in the new code); recompiling the three small mains is cheap.
touch Ours/Sources/*/main.swift
(cd Ours && "$SWIFT" build -c release >/dev/null)
echo "bench: building Tools/Bench/Peers (release; the first build compiles SwiftNIO, minutes)"
(cd Peers && "$SWIFT" build -c release >/dev/null) || echo "bench: hummingbird peers did not build; their columns will say so"
echo "bench: building CodecBench (release)"
(cd ../.. && "$SWIFT" build -c release --product CodecBench >/dev/null)

exec python3 run.py
