#!/usr/bin/env python3
"""The loopback benchmark of SwiftWebSocket (`make bench`): servers and clients side by side.

Runs on the Python standard library alone; the programs it drives are built by bench.sh.

Phases, in this order:
  codec     the in-memory CodecBench of the root package (its Markdown table, as printed);
  memory    each server fresh: RSS before and with N idle upgraded connections;
  servers   every server at once, each on its own port, driven by the C load generator (loadgen)
            row by row, the servers interleaved within a row (A B C … A B C …), runs rotated;
            messages/s, server CPU seconds per million messages (/proc/PID/stat utime+stime),
            peak RSS (VmHWM) after the fan-in row (the first row, so the peak is 100 connections);
  allocs    servers under an LD_PRELOAD malloc counter: allocations per echoed message;
  clients   every client driver against one fixed fast server (C ws_echo), interleaved.

The "wss" rows repeat a few rows over TLS (wss://): every server that can serves a second
instance with the test certificate of .tls/ (bench.sh makes it), loadgen --tls drives them; the
clients' wss rows run against our BenchServer over TLS. Each wss row runs with its ws twin
(selecting a wss row selects the twin too) and is reported beside it.

Knobs (environment): BENCH_QUICK=1 (about two minutes), BENCH_DURATION (seconds per
measurement), BENCH_WARMUP, BENCH_RUNS (interleaved repetitions), BENCH_LOOPS (our server's
eventLoopCount), BENCH_IDLE (idle connections for the memory phase), BENCH_SERVERS,
BENCH_CLIENTS, BENCH_ROWS (comma-separated substrings that select), BENCH_SKIP (phases to skip),
BENCH_NAME (output name instead of "latest", for partial runs).

Writes results/latest.json, results/latest.md and results/chart.svg (results/NAME.json, .md, .svg).
"""
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BIN = os.path.join(HERE, "bin")
WORK = os.path.join(HERE, "work")
RESULTS = os.path.join(HERE, "results")
TLS_DIR = os.path.join(HERE, ".tls")  # made by bench.sh: a test CA and a server certificate
TLS_CA = os.path.join(TLS_DIR, "ca.pem")
TLS_SERVER_ARGS = ["--tls-cert", os.path.join(TLS_DIR, "server.pem"), "--tls-key", os.path.join(TLS_DIR, "server.key")]
VENV_PY = os.path.join(HERE, ".venv", "bin", "python")
JSON_PAYLOAD = os.path.join(HERE, "fixtures", "message-1k.json")
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")

QUICK = os.environ.get("BENCH_QUICK") == "1"
DURATION = float(os.environ.get("BENCH_DURATION", "0.3" if QUICK else "1.0"))
WARMUP = float(os.environ.get("BENCH_WARMUP", "0.15" if QUICK else "0.3"))
RUNS = int(os.environ.get("BENCH_RUNS", "1" if QUICK else "3"))
LOOPS = int(os.environ.get("BENCH_LOOPS", "1"))
IDLE = int(os.environ.get("BENCH_IDLE", "200" if QUICK else "1000"))
SKIP = set(filter(None, os.environ.get("BENCH_SKIP", "").split(",")))


def selected(name, variable):
    wanted = [w.strip().lower() for w in os.environ.get(variable, "").split(",") if w.strip()]
    return not wanted or any(w in name.lower() for w in wanted)


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


# MARK: What runs

class Row:
    """One benchmark row: a traffic pattern every server (or client) gets in turn."""

    def __init__(self, key, title, size=16, inflight=1, conns=1, kind="binary", mode="stream", deflate=False,
                 twin=None):
        self.key, self.title, self.size, self.inflight, self.conns = key, title, size, inflight, conns
        self.kind, self.mode, self.deflate = kind, mode, deflate
        self.twin = twin  # wss rows: the key of the same row over ws://
        self.tls = twin is not None

    def args(self):
        """Options common to loadgen and every client driver."""
        a = ["--mode", self.mode, "--conns", str(self.conns), "--inflight", str(self.inflight)]
        if self.kind == "json":
            a += ["--payload", JSON_PAYLOAD]
        else:
            a += ["--size", str(self.size), "--kind", self.kind]
        if self.deflate:
            a.append("--deflate")
        return a

    @property
    def payload_bytes(self):
        return 1024 if self.kind == "json" else self.size


ALL_ROWS = [
    # Fan-in first: the servers' VmHWM right after it is their peak with 100 connections.
    Row("fanin-100", "fan-in: 100 conns × ping-pong 16 B", 16, 1, 100),
    Row("pingpong-16", "ping-pong 16 B", 16),
    Row("wss-pingpong-16", "wss ping-pong 16 B", 16, twin="pingpong-16"),
    Row("pingpong-1k", "ping-pong 1 KiB", 1024),
    Row("stream-16", "stream 16 B, 64 in flight", 16, 64),
    Row("stream-16-text", "stream 16 B text, 64 in flight", 16, 64, kind="text"),
    Row("stream-1k", "stream 1 KiB, 64 in flight", 1024, 64),
    Row("wss-stream-1k", "wss stream 1 KiB, 64 in flight", 1024, 64, twin="stream-1k"),
    Row("stream-1k-text", "stream 1 KiB text, 64 in flight", 1024, 64, kind="text"),
    Row("stream-64k", "stream 64 KiB, 64 in flight", 65536, 64),
    Row("wss-stream-64k", "wss stream 64 KiB, 64 in flight", 65536, 64, twin="stream-64k"),
    Row("stream-1m", "stream 1 MiB, 64 in flight", 1 << 20, 64),
    Row("handshake", "handshakes/s (connect, upgrade, close), 4 concurrent", mode="handshake", conns=4),
    Row("wss-handshake", "wss handshakes/s (connect, TLS, upgrade, close), 4 concurrent", mode="handshake", conns=4,
        twin="handshake"),
    Row("deflate-json-1k", "permessage-deflate JSON 1 KiB text, 64 in flight", 1024, 64, kind="json", deflate=True),
]


def select_rows(rows):
    """BENCH_ROWS's rows, plus the ws twin of every wss row chosen (its reference)."""
    chosen = {r.key for r in rows if selected(r.key, "BENCH_ROWS")}
    chosen |= {r.twin for r in rows if r.key in chosen and r.twin}
    return [r for r in rows if r.key in chosen]


ROWS = select_rows(ALL_ROWS)


# Servers without a wss:// instance, and what their wss cells say.
NO_TLS = {"tcp floor": "no TLS floor", "C ws_echo": "no TLS in C ws_echo"}
# The fixed TLS echo server of the clients' wss rows (C ws_echo has no TLS): ours, the fastest
# TLS server here in most rows (picows is faster with 64 KiB messages); see README.md.
TLS_ECHO = "ours"


def server_commands(tls=False):
    """name -> (argv, extra environment, is the raw TCP floor); with tls, the wss:// instances
    (--tls-cert/--tls-key) of the servers that have one."""
    if tls:
        return {name: (argv + TLS_SERVER_ARGS, env, raw) for name, (argv, env, raw) in server_commands().items()
                if name not in NO_TLS}
    node_env = {"NODE_PATH": "/usr/share/nodejs"}
    return {
        "tcp floor": ([os.path.join(BIN, "tcp_echo")], {}, True),
        "C ws_echo": ([os.path.join(BIN, "ws_echo")], {}, False),
        "ours": ([os.path.join(HERE, "Ours/.build/release/BenchServer"), "--loops", str(LOOPS)], {}, False),
        "ours+handler": ([os.path.join(HERE, "Ours/.build/release/BenchServer"), "--loops", str(LOOPS), "--handler"], {}, False),
        "hummingbird": ([os.path.join(HERE, "Peers/.build/release/HBServer")], {}, False),
        "picows": ([VENV_PY, os.path.join(HERE, "Python/picows_server.py")], {}, False),
        "websockets": ([VENV_PY, os.path.join(HERE, "Python/websockets_server.py")], {}, False),
        "node ws": (["node", os.path.join(HERE, "Node/ws_server.js")], node_env, False),
    }


def client_commands():
    """name -> (argv prefix, extra environment); the URL or port and the row's options follow."""
    node_env = {"NODE_PATH": "/usr/share/nodejs"}
    return {
        "C loadgen": ([os.path.join(BIN, "loadgen")], {}),
        "ours": ([os.path.join(HERE, "Ours/.build/release/BenchClient")], {}),
        "ours+loopexec": ([os.path.join(HERE, "Ours/.build/release/BenchClient"), "--loop-executor"], {}),
        "ours+handler": ([os.path.join(HERE, "Ours/.build/release/BenchClient"), "--handler"], {}),
        "hummingbird": ([os.path.join(HERE, "Peers/.build/release/HBClient")], {}),
        "picows": ([VENV_PY, os.path.join(HERE, "Python/picows_client.py")], {}),
        "websockets": ([VENV_PY, os.path.join(HERE, "Python/websockets_client.py")], {}),
        "node ws": (["node", os.path.join(HERE, "Node/ws_client.js")], node_env),
    }


# MARK: Processes

class Server:
    def __init__(self, name, argv, env, raw, preload=None):
        self.name, self.raw = name, raw
        environment = dict(os.environ, **env)
        if preload:
            environment.update(preload)
        self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        env=environment, cwd=HERE, start_new_session=True)
        line = self.process.stdout.readline().decode().split()
        if len(line) != 2 or line[0] != "PORT":
            self.stop()
            raise RuntimeError(f"{name} did not start")
        self.port = int(line[1])

    @property
    def pid(self):
        return self.process.pid

    def cpu_seconds(self):
        with open(f"/proc/{self.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK

    def status(self, key):
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) * 1024
        return 0

    def alive(self):
        return self.process.poll() is None

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_servers(names, preload=None, tls=False):
    servers = {}
    for name, (argv, env, raw) in server_commands(tls).items():
        if name not in names:
            continue
        if not os.path.exists(argv[0]) and argv[0] not in ("node",):
            log(f"  {name}: {argv[0]} is missing, skipped")
            continue
        try:
            servers[name] = Server(name, argv, env, raw, preload and preload(name))
        except (RuntimeError, OSError) as error:
            log(f"  {name}{' (wss)' if tls else ''}: {error}")
    return servers


def run_json(argv, env=None, timeout=60):
    """Runs a driver; returns its last JSON line as a dict ({"error": …} on failure)."""
    try:
        done = subprocess.run(argv, capture_output=True, timeout=timeout, env=dict(os.environ, **(env or {})))
    except subprocess.TimeoutExpired:
        return {"error": "timeout"}
    lines = [l for l in done.stdout.decode(errors="replace").splitlines() if l.startswith("{")]
    if not lines:
        return {"error": (done.stderr.decode(errors="replace").strip().splitlines() or ["no output"])[-1][:200]}
    result = json.loads(lines[-1])
    if done.returncode == 3 and "unsupported" in result:
        return {"unsupported": result["unsupported"]}
    if done.returncode != 0 or result.get("errors"):
        result["error"] = result.get("error") or (done.stderr.decode(errors="replace").strip().splitlines() or ["errors"])[-1][:200]
    return result


def loadgen(port, row, raw=False, extra=()):
    argv = [os.path.join(BIN, "loadgen"), "--port", str(port), "--duration", str(DURATION), "--warmup", str(WARMUP)]
    argv += row.args() + (["--raw"] if raw else []) + (["--tls", "--ca", TLS_CA] if row.tls else []) + list(extra)
    return run_json(argv, timeout=WARMUP + DURATION + 40)


# MARK: Phases

def phase_codec():
    log("codec: swift run -c release CodecBench")
    done = subprocess.run(["swift", "run", "-c", "release", "CodecBench"], cwd=REPO, capture_output=True, timeout=600)
    table = [l for l in done.stdout.decode().splitlines() if l.startswith("|")]
    rows = []
    for line in table[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 4:
            try:
                rows.append({"operation": cells[0], "size": cells[1], "rate": cells[2], "gb_per_s": float(cells[3])})
            except ValueError:
                pass
    return {"table": table, "rows": rows}


def phase_memory(names):
    """Per server: RSS after one connection came and went, then with IDLE idle connections."""
    results = {}
    idle_row = Row("idle", "idle", mode="idle", conns=IDLE)
    warm_row = Row("warm", "warm", 16, 1, 1)
    for name in names:
        servers = start_servers([name])
        if name not in servers:
            continue
        server = servers[name]
        try:
            if server.raw:
                loadgen(server.port, warm_row, raw=True)
            else:
                loadgen(server.port, warm_row)
            time.sleep(0.3)
            before = server.status("VmRSS")
            argv = [os.path.join(BIN, "loadgen"), "--port", str(server.port), "--mode", "idle", "--conns", str(IDLE),
                    "--duration", "60", "--warmup", "0"] + (["--raw"] if server.raw else [])
            holder = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            ready = holder.stdout.readline().decode()
            time.sleep(0.5)
            during = server.status("VmRSS") if "ready" in ready else 0
            holder.send_signal(signal.SIGKILL)
            holder.wait()
            results[name] = {"rss_bytes": before, "rss_with_idle": during, "idle_connections": idle_row.conns,
                             "bytes_per_idle_connection": (during - before) / IDLE if during else None}
            log(f"  {name}: {results[name]['bytes_per_idle_connection'] or 0:.0f} B per idle connection")
        finally:
            server.stop()
    return results


def rotate(items, by):
    by %= max(1, len(items))
    return items[by:] + items[:by]


def summarize(runs):
    good = [r for r in runs if "rate" in r]
    if not good:
        return {"runs": runs}
    rates = [r["rate"] for r in good]
    summary = {"median": statistics.median(rates), "min": min(rates), "max": max(rates), "runs": runs}
    cpu = [r["cpu_per_million"] for r in good if r.get("cpu_per_million") is not None]
    if cpu:
        summary["cpu_per_million"] = statistics.median(cpu)
    for key in ("rtt_p50_us", "rtt_p99_us"):
        values = [r[key] for r in good if key in r]
        if values:
            summary[key] = statistics.median(values)
    return summary


def phase_servers(names):
    servers = start_servers(names)
    tls_servers = start_servers(names, tls=True) if any(r.tls for r in ROWS) else {}
    order = [n for n in names if n in servers or n in tls_servers]
    table, peaks = {}, {}
    for row in ROWS:
        log(f"servers: {row.title}")
        cells = {name: [] for name in order}
        for run in range(RUNS):
            for name in rotate(order, run):
                if row.tls and name in NO_TLS:
                    cells[name].append({"unsupported": NO_TLS[name]})
                    continue
                server = (tls_servers if row.tls else servers).get(name)
                if server is None:
                    cells[name].append({"error": "wss server did not start" if row.tls else "did not start"})
                    continue
                if not server.alive():
                    cells[name].append({"error": "server died"})
                    continue
                if server.raw and row.deflate:
                    cells[name].append({"unsupported": "compression has no raw TCP floor"})
                    continue
                cpu_before = server.cpu_seconds()
                result = loadgen(server.port, row, raw=server.raw)
                cpu = server.cpu_seconds() - cpu_before
                if "messages" in result and "error" not in result and result["seconds"] > 0:
                    result["rate"] = result["messages"] / result["seconds"]
                    total = result.get("total") or result["messages"]
                    result["cpu_per_million"] = cpu / total * 1e6 if total else None
                cells[name].append(result)
        table[row.key] = {name: summarize(runs) for name, runs in cells.items()}
        for name in order:
            cell = table[row.key][name]
            log(f"  {name:12} " + (f"{cell['median']:12.0f}/s" if "median" in cell else str(cell["runs"][-1])[:100]))
        if row.key == "fanin-100":
            peaks = {name: servers[name].status("VmHWM") for name in order if name in servers and servers[name].alive()}
    for server in list(servers.values()) + list(tls_servers.values()):
        server.stop()
    return table, peaks


def phase_allocs(names):
    """Allocations per echoed message, from an LD_PRELOAD counter around the measured window."""
    os.makedirs(WORK, exist_ok=True)
    preload_lib = os.path.join(BIN, "mallocount.so")

    def preload(name):
        return {"LD_PRELOAD": preload_lib, "MALLOCOUNT_FILE": os.path.join(WORK, f"malloc-{name.replace(' ', '_')}.bin")}

    servers = start_servers(names, preload)
    rows = [r for r in ROWS if r.key in ("pingpong-16", "stream-16", "stream-1k", "stream-64k")]
    results = {}
    for name, server in servers.items():
        results[name] = {}
        for row in rows:
            file = preload(name)["MALLOCOUNT_FILE"]
            result = loadgen(server.port, row, extra=["--malloc-file", file])
            if "allocs" in result and result.get("messages"):
                results[name][row.key] = result["allocs"] / result["messages"]
        log(f"  {name:12} " + ", ".join(f"{k} {v:.2f}" for k, v in results[name].items()))
        server.stop()
    return results


def phase_core():
    """The sans-I/O Core alone (CoreEcho): ns and allocations per echoed message."""
    program = os.path.join(HERE, "Ours/.build/release/CoreEcho")
    os.makedirs(WORK, exist_ok=True)
    env = {"LD_PRELOAD": os.path.join(BIN, "mallocount.so"), "MALLOCOUNT_FILE": os.path.join(WORK, "malloc-core.bin")}
    results = {}
    for size, kind in ((16, "binary"), (16, "text"), (1024, "binary"), (1024, "text"), (65536, "binary")):
        result = run_json([program, "--size", str(size), "--kind", kind, "--batch", "64",
                           "--seconds", str(max(0.3, DURATION / 2))], env)
        results[f"{size}-{kind}"] = result
        log(f"  core echo {size} B {kind}: {result.get('ns_per_message', 0):.0f} ns, "
            f"{result.get('allocs_per_message', 0):.2f} allocations per message")
    return results


def client_target(name, echo, tls):
    """Where a client driver connects: loadgen takes a port, the others a URL; wss:// with the CA."""
    if name == "C loadgen":
        return ["--port", str(echo.port)] + (["--tls", "--ca", TLS_CA] if tls else [])
    if not tls:
        return ["--url", f"ws://127.0.0.1:{echo.port}/"]
    # hummingbird's WSClient sends the URL's host as SNI, which swift-nio-ssl refuses for an IP.
    name_option = ["--server-name", "localhost"] if name == "hummingbird" else []
    return ["--url", f"wss://127.0.0.1:{echo.port}/", "--ca", TLS_CA] + name_option


def phase_clients(names):
    echoes = {}
    if any(not r.tls for r in ROWS):
        echoes[False] = start_servers(["C ws_echo"]).get("C ws_echo")
    if any(r.tls for r in ROWS):
        echoes[True] = start_servers([TLS_ECHO], tls=True).get(TLS_ECHO)
    if not any(echoes.values()):
        return {}
    commands = {n: c for n, c in client_commands().items() if n in names}
    order = list(commands)
    table = {}
    for row in ROWS:
        log(f"clients: {row.title}")
        cells = {name: [] for name in order}
        echo = echoes.get(row.tls)
        for run in range(RUNS):
            for name in rotate(order, run):
                argv, env = commands[name]
                if echo is None:
                    cells[name].append({"error": "echo server did not start"})
                    continue
                if not os.path.exists(argv[0]) and argv[0] != "node":
                    cells[name].append({"error": "not built"})
                    continue
                target = client_target(name, echo, row.tls)
                argv = argv + target + row.args() + ["--duration", str(DURATION), "--warmup", str(WARMUP)]
                result = run_json(argv, env, timeout=WARMUP + DURATION + 60)
                if "messages" in result and "error" not in result and result["seconds"] > 0:
                    result["rate"] = result["messages"] / result["seconds"]
                cells[name].append(result)
        table[row.key] = {name: summarize(runs) for name, runs in cells.items()}
        for name in order:
            cell = table[row.key][name]
            log(f"  {name:12} " + (f"{cell['median']:12.0f}/s" if "median" in cell else str(cell["runs"][-1])[:100]))
    for echo in echoes.values():
        if echo:
            echo.stop()
    return table


# MARK: Reporting

def versions():
    found = {"swift": subprocess.run(["swift", "--version"], capture_output=True).stdout.decode().splitlines()[0:1],
             "hummingbird-websocket": "2.8.1 (hummingbird 2.28.1, swift-websocket 1.6.2)"}
    try:
        found["node"] = subprocess.run(["node", "--version"], capture_output=True).stdout.decode().strip()
        found["node ws"] = json.load(open("/usr/share/nodejs/ws/package.json"))["version"]
    except OSError:
        pass
    try:
        code = "import picows, websockets, uvloop, sys; print(picows.__version__, websockets.__version__, uvloop.__version__, sys.version.split()[0])"
        picows, websockets, uvloop, python = subprocess.run([VENV_PY, "-c", code], capture_output=True).stdout.decode().split()
        found.update({"picows": picows, "websockets": websockets, "uvloop": uvloop, "python": python})
    except (OSError, ValueError):
        pass
    # TLS libraries: ours, loadgen and the Python peers link the system's OpenSSL, node its own,
    # hummingbird swift-nio-ssl's BoringSSL.
    try:
        found["openssl"] = subprocess.run(["openssl", "version"], capture_output=True).stdout.decode().split()[1]
        found["node openssl"] = subprocess.run(["node", "-p", "process.versions.openssl"], capture_output=True).stdout.decode().strip()
        found["python ssl"] = subprocess.run([VENV_PY, "-c", "import ssl; print(ssl.OPENSSL_VERSION)"],
                                             capture_output=True).stdout.decode().strip()
    except (OSError, IndexError):
        pass
    found["hummingbird TLS"] = "swift-nio-ssl 2.37.6 (BoringSSL)"
    return found


def human(rate):
    if rate >= 1e6:
        return f"{rate / 1e6:.2f} M"
    if rate >= 1e3:
        return f"{rate / 1e3:.1f} k"
    return f"{rate:.0f}"


def cell_text(cell, reference=None, cpu=False):
    if "median" not in cell:
        last = cell["runs"][-1] if cell.get("runs") else {}
        if "unsupported" in last:
            reason = last["unsupported"]
            if "floor" in reason:
                return "—"
            if reason in NO_TLS.values():
                return "n/a: no TLS"
            return "n/a: not yet supported"
        return "error: " + str(last.get("error", "?"))[:40]
    text = f"{human(cell['median'])} ({human(cell['min'])}–{human(cell['max'])})"
    if reference:
        text += f" **{cell['median'] / reference:.2f}x**"
    if cpu and cell.get("cpu_per_million") is not None:
        text += f" · {cell['cpu_per_million']:.1f} s/M"
    return text


def row_reference(table, row, kind):
    """The median a row's cells are compared with. Servers: the raw TCP echo floor; wss rows have no
    TLS floor, so ours over ws:// (the row's ws twin). Clients: the C load generator (over TLS in
    the wss rows)."""
    if kind == "servers":
        if row.tls:
            return table.get(row.twin, {}).get("ours", {}).get("median")
        return table.get(row.key, {}).get("tcp floor", {}).get("median")
    return table.get(row.key, {}).get("C loadgen", {}).get("median")


def tls_cost(table, names):
    """Markdown lines: per wss row, each implementation's wss median over its own ws twin's."""
    rows = [r for r in ROWS if r.tls and r.key in table and r.twin in table]
    if not rows:
        return []
    out = ["", "wss ÷ ws: each implementation's wss median over its own median in the row's ws twin:\n",
           "| row | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for row in rows:
        cells, twins = table[row.key], table[row.twin]

        def ratio(name):
            wss, ws = cells.get(name, {}).get("median"), twins.get(name, {}).get("median")
            return f"{wss / ws:.2f}x" if wss and ws else "—"
        out.append(f"| {row.title} | " + " | ".join(ratio(n) for n in names) + " |")
    return out


def tls_negotiated(results):
    """What the C load generator negotiated with each TLS server (its "tls" field, per run)."""
    found = {}
    for kind, label in (("servers", "{}"), ("clients", "{} (the clients' echo server)")):
        for row in ROWS:
            if not row.tls:
                continue
            for name, cell in results.get(kind, {}).get(row.key, {}).items():
                for run in cell.get("runs", []):
                    if run.get("tls"):
                        found.setdefault(label.format(name if kind == "servers" else TLS_ECHO), set()).add(run["tls"])
    return {name: sorted(values) for name, values in found.items()}


def markdown(results):
    out = []
    meta = results["meta"]
    out.append(f"# SwiftWebSocket loopback benchmark\n")
    out.append(f"{meta['date']} · {meta['machine']} · {meta['cores']} cores · load before: {meta['load_before']} · "
               f"{meta['runs']} interleaved runs × {meta['duration']} s (+{meta['warmup']} s warm-up) · "
               f"our server: eventLoopCount {meta['loops']} · load after: {meta.get('load_after', '?')} · "
               f"wall time {meta.get('wall_seconds', '?')} s\n")
    out.append("Cells: median messages/s (min–max over runs), **ratio** to the row's reference (each table names it), "
               "server CPU seconds per million messages (s/M).\n")
    servers = results.get("servers", {})
    if servers:
        names = list(next(iter(servers.values())).keys())
        out.append("## Servers (driven by the C load generator; reference: raw TCP echo floor, "
                   "for wss rows ours over ws)\n")
        out.append("| row | " + " | ".join(names) + " |")
        out.append("|---|" + "---|" * len(names))
        for row in ROWS:
            cells = servers.get(row.key)
            if not cells:
                continue
            reference = row_reference(servers, row, "servers")
            out.append(f"| {row.title} | " + " | ".join(
                cell_text(cells[n], reference if n != "tcp floor" else None, cpu=True) for n in names) + " |")
        out.extend(tls_cost(servers, names))
        latency_rows = [r for r in ROWS if r.inflight == 1 and r.mode == "stream" and r.key in servers]
        if latency_rows:
            out.append("")
            out.append("Round-trip times with one message in flight per connection, median over runs of "
                       "each run's p50 / p99 (µs):\n")
            out.append("| row | " + " | ".join(names) + " |")
            out.append("|---|" + "---|" * len(names))
            for row in latency_rows:
                cells = servers[row.key]
                out.append(f"| {row.title} | " + " | ".join(
                    f"{cells[n]['rtt_p50_us']:.0f} / {cells[n]['rtt_p99_us']:.0f}" if "rtt_p50_us" in cells[n] else "—"
                    for n in names) + " |")
        if results.get("peak_rss_100") or results.get("memory") or results.get("allocations"):
            out.append("")
            out.append("| memory and allocations | " + " | ".join(names) + " |")
            out.append("|---|" + "---|" * len(names))
        peaks = results.get("peak_rss_100", {})
        if peaks:
            out.append("| peak RSS (VmHWM) after 100 connections | " + " | ".join(
                f"{peaks[n] / 2**20:.1f} MiB" if n in peaks else "—" for n in names) + " |")
        memory = results.get("memory", {})
        if memory:
            out.append(f"| memory per idle connection ({IDLE} open) | " + " | ".join(
                f"{memory[n]['bytes_per_idle_connection'] / 1024:.1f} KiB" if memory.get(n, {}).get("bytes_per_idle_connection") is not None else "—"
                for n in names) + " |")
        allocs = results.get("allocations", {})
        if allocs:
            for key in ("pingpong-16", "stream-16", "stream-1k", "stream-64k"):
                out.append(f"| allocations per echoed message, {key} | " + " | ".join(
                    f"{allocs[n][key]:.2f}" if key in allocs.get(n, {}) else "—" for n in names) + " |")
        out.append("")
    clients = results.get("clients", {})
    if clients:
        names = list(next(iter(clients.values())).keys())
        out.append(f"## Clients (against the C ws_echo server, wss rows against {TLS_ECHO} over TLS; "
                   "reference: the C load generator)\n")
        out.append("| row | " + " | ".join(names) + " |")
        out.append("|---|" + "---|" * len(names))
        for row in ROWS:
            cells = clients.get(row.key)
            if not cells:
                continue
            floor = row_reference(clients, row, "clients")
            out.append(f"| {row.title} | " + " | ".join(
                cell_text(cells[n], floor if n != "C loadgen" else None) for n in names) + " |")
        out.extend(tls_cost(clients, names))
        out.append("")
    negotiated = results.get("tls", {})
    if negotiated:
        groups = {}
        for name, values in negotiated.items():
            groups.setdefault(" / ".join(values), []).append(name)
        out.append("TLS (wss rows) as the C load generator negotiated it (OpenSSL client defaults, full handshakes, "
                   "ECDSA P-256 server certificate from bench.sh's test CA): " +
                   "; ".join(f"{value} with {', '.join(names)}" for value, names in groups.items()) + ".\n")
    goals = results.get("goals", [])
    if goals:
        out.append("## Goals\n")
        out.append("| goal | target | achieved | met |")
        out.append("|---|---|---|---|")
        for goal in goals:
            out.append(f"| {goal['goal']} | {goal['target']} | {goal['achieved']} | {'yes' if goal['met'] else '**no**'} |")
        out.append("")
    core = results.get("core", {})
    if core:
        out.append("## The sans-I/O Core alone (CoreEcho: 64 frames per receive, echo, take output)\n")
        out.append("| message | ns per echoed message | messages/s (one core) | allocations per message |")
        out.append("|---|---|---|---|")
        for key, value in core.items():
            if "ns_per_message" in value:
                out.append(f"| {key.replace('-', ' B ')} | {value['ns_per_message']:.0f} | {human(1e9 / value['ns_per_message'])} | "
                           f"{value.get('allocs_per_message', float('nan')):.2f} |")
        out.append("")
    codec = results.get("codec", {})
    if codec.get("table"):
        out.append("## In-memory codec (CodecBench, one core)\n")
        out.extend(codec["table"])
        out.append("")
    out.append("Versions: " + ", ".join(f"{k} {v if isinstance(v, str) else ' '.join(v)}" for k, v in meta["versions"].items()))
    return "\n".join(out) + "\n"


def goals(results):
    found = []
    servers, clients = results.get("servers", {}), results.get("clients", {})

    def median(table, row, name):
        return table.get(row, {}).get(name, {}).get("median")

    def ratio_goal(title, row, target):
        floor = median(servers, row, "tcp floor")
        for name, how in (("ours", ""), ("ours+handler", " (handleMessages)")):
            ours = median(servers, row, name)
            if ours and floor:
                found.append({"goal": f"server {title} vs raw TCP floor{how}", "target": f"≥ {target}x",
                              "achieved": f"{ours / floor:.2f}x", "met": ours / floor >= target})

    ratio_goal("stream 16 B", "stream-16", 0.5)
    ratio_goal("stream 1 KiB", "stream-1k", 0.5)
    ratio_goal("stream 64 KiB", "stream-64k", 0.9)
    ratio_goal("stream 1 MiB", "stream-1m", 0.9)
    ratio_goal("ping-pong 16 B", "pingpong-16", 0.9)
    ratio_goal("ping-pong 1 KiB", "pingpong-1k", 0.9)
    ratio_goal("fan-in 100", "fanin-100", 0.9)
    ours, picows = median(servers, "handshake", "ours"), median(servers, "handshake", "picows")
    if ours and picows:
        found.append({"goal": "server handshakes/s vs picows", "target": "≥ 1x",
                      "achieved": f"{ours / picows:.2f}x", "met": ours >= picows})
    for row in ROWS:
        cells = clients.get(row.key, {})
        peers = {n: c["median"] for n, c in cells.items()
                 if n not in ("ours", "ours+loopexec", "ours+handler", "C loadgen") and "median" in c}
        for name, how in (("ours", ""), ("ours+handler", " (handleMessages)")):
            ours = median(clients, row.key, name)
            if ours and peers:
                best = max(peers, key=peers.get)
                found.append({"goal": f"client {row.title} vs fastest peer client ({best}){how}", "target": "≥ 1x",
                              "achieved": f"{ours / peers[best]:.2f}x", "met": ours >= peers[best]})
    for entry in results.get("codec", {}).get("rows", []):
        operation = entry["operation"]
        # The per-kernel UTF-8 rows break the validator's own rows down (it runs the best kernel the
        # CPU has: AVX2 or SSSE3 on x86-64, NEON on AArch64, the portable Swift path only elsewhere),
        # so they stay in the codec table and are not goals of their own.
        if operation.startswith(("mask", "copy + unmask", "UTF-8")) and "byte-wise" not in operation \
                and not operation.endswith(" kernel"):
            found.append({"goal": f"codec {entry['operation']} {entry['size']}", "target": "≥ 5 GB/s",
                          "achieved": f"{entry['gb_per_s']:.2f} GB/s", "met": entry["gb_per_s"] >= 5})
    for name, how in (("ours", ""), ("ours+handler", ", handleMessages")):
        for key, value in results.get("allocations", {}).get(name, {}).items():
            found.append({"goal": f"allocations per echoed message ({key}{how})", "target": "0",
                          "achieved": f"{value:.2f}", "met": value < 0.01})
    idle = results.get("memory", {}).get("ours", {}).get("bytes_per_idle_connection")
    if idle is not None:
        found.append({"goal": "memory per idle connection", "target": "≤ 16 KiB",
                      "achieved": f"{idle / 1024:.1f} KiB", "met": idle <= 16 * 1024})
    return found


def chart(results, path):
    """A two-panel horizontal bar chart (SVG, no dependencies): each row's medians relative to its
    reference (raw TCP floor for servers, the C load generator for clients)."""
    palette = {"tcp floor": "#9e9e9e", "C ws_echo": "#616161", "C loadgen": "#616161", "ours": "#e4572e",
               "ours+loopexec": "#f4a582", "ours+handler": "#b2182b",
               "hummingbird": "#17bebb", "picows": "#76b041", "websockets": "#ffc914", "node ws": "#2e86ab"}
    panels = []
    for key, title in (("servers", "Servers: messages/s relative to a raw TCP echo (wss: to ours over ws; C loadgen drives)"),
                       ("clients", f"Clients: messages/s relative to the C load generator (against C ws_echo; wss: {TLS_ECHO})")):
        table = results.get(key, {})
        if table:
            panels.append((key, title, table))
    bar, gap, label_w, plot_w = 9, 14, 330, 520
    height = 40
    for _, _, table in panels:
        names = list(next(iter(table.values())).keys())
        height += 60 + len(table) * (len(names) * bar + gap)
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + plot_w + 180}" height="{height}" '
           f'font-family="Helvetica,Arial,sans-serif" font-size="11">',
           '<rect width="100%" height="100%" fill="white"/>']
    y = 24
    for key, title, table in panels:
        names = list(next(iter(table.values())).keys())
        svg.append(f'<text x="10" y="{y}" font-size="14" font-weight="bold">{title}</text>')
        y += 14
        for i, name in enumerate(names):
            svg.append(f'<rect x="{10 + i * 120}" y="{y}" width="10" height="10" fill="{palette.get(name, "#444")}"/>'
                       f'<text x="{10 + i * 120 + 14}" y="{y + 9}">{name}</text>')
        y += 24
        top = y
        for row in ROWS:
            cells = table.get(row.key)
            if not cells:
                continue
            ref = row_reference(table, row, key)
            if not ref:
                ref = max((c.get("median") or 0) for c in cells.values()) or 1
            svg.append(f'<text x="{label_w - 8}" y="{y + len(names) * bar / 2 + 4}" text-anchor="end">{row.title}</text>')
            for name in names:
                value = cells[name].get("median")
                if value:
                    ratio = value / ref
                    width = min(ratio, 1.5) / 1.5 * plot_w
                    svg.append(f'<rect x="{label_w}" y="{y}" width="{width:.1f}" height="{bar - 1}" fill="{palette.get(name, "#444")}"/>'
                               f'<text x="{label_w + width + 4:.1f}" y="{y + bar - 1}" font-size="9">{ratio:.2f}x · {human(value)}/s</text>')
                else:
                    svg.append(f'<text x="{label_w + 4}" y="{y + bar - 1}" font-size="9" fill="#888">{name}: n/a</text>')
                y += bar
            y += gap
        one = label_w + plot_w / 1.5
        svg.append(f'<line x1="{one:.1f}" y1="{top - 4}" x2="{one:.1f}" y2="{y - gap}" stroke="#333" stroke-dasharray="3,3"/>'
                   f'<text x="{one:.1f}" y="{top - 6}" text-anchor="middle" font-size="9">1.0x</text>')
        y += 20
    svg.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(svg) + "\n")


def main():
    started = time.time()
    os.makedirs(RESULTS, exist_ok=True)
    server_names = [n for n in server_commands() if selected(n, "BENCH_SERVERS")]
    client_names = [n for n in client_commands() if selected(n, "BENCH_CLIENTS")]
    results = {"meta": {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "machine": platform.processor() or platform.machine(),
        "cores": os.cpu_count(), "load_before": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "duration": DURATION, "warmup": WARMUP, "runs": RUNS, "loops": LOOPS, "quick": QUICK,
        "idle_connections": IDLE, "versions": versions()}}
    try:
        with open("/proc/cpuinfo") as f:
            results["meta"]["machine"] = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    if "codec" not in SKIP:
        results["codec"] = phase_codec()
    if "core" not in SKIP:
        log("core: the sans-I/O Connection alone, in memory")
        results["core"] = phase_core()
    if "memory" not in SKIP:
        log("memory: idle connections")
        results["memory"] = phase_memory(server_names)
    if "servers" not in SKIP:
        results["servers"], results["peak_rss_100"] = phase_servers(server_names)
    if "allocs" not in SKIP:
        log("allocations per echoed message")
        names = [n for n in server_names if n != "tcp floor"]
        if QUICK:
            names = [n for n in names if n in ("ours", "ours+handler", "C ws_echo")]
        results["allocations"] = phase_allocs(names)
    if "clients" not in SKIP:
        results["clients"] = phase_clients(client_names)
    negotiated = tls_negotiated(results)
    if negotiated:
        results["tls"] = negotiated
    results["goals"] = goals(results)
    results["meta"]["wall_seconds"] = round(time.time() - started, 1)
    results["meta"]["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    name = os.environ.get("BENCH_NAME", "latest")
    with open(os.path.join(RESULTS, f"{name}.json"), "w") as f:
        json.dump(results, f, indent=1)
    text = markdown(results)
    with open(os.path.join(RESULTS, f"{name}.md"), "w") as f:
        f.write(text)
    chart(results, os.path.join(RESULTS, "chart.svg" if name == "latest" else f"{name}.svg"))
    print(text)
    log(f"bench: {results['meta']['wall_seconds']} s; results in {RESULTS}")


if __name__ == "__main__":
    main()
