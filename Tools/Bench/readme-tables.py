#!/usr/bin/env python3
"""Prints README.md's server and client benchmark tables from results/latest.json (paste them over the old ones)."""
import json
import os
d = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "latest.json")))

def fmt(x):
    if x is None: return "n/a"
    if x >= 1e6: return f"{x/1e6:.2f} M"
    if x >= 1e5: return f"{x/1e3:.0f} k"
    if x >= 1e3: return f"{x/1e3:.1f} k"
    return f"{x:.0f}"

def med(table, row, name):
    c = d[table].get(row, {}).get(name)
    return c.get("median") if isinstance(c, dict) else None

srows = [("stream-16", "stream 16 B, 64 in flight"), ("stream-1k", "stream 1 KiB, 64 in flight"),
         ("stream-64k", "stream 64 KiB"), ("stream-1m", "stream 1 MiB"), ("pingpong-16", "ping-pong 16 B"),
         ("pingpong-1k", "ping-pong 1 KiB"), ("fanin-100", "fan-in, 100 conns"), ("handshake", "handshakes/s"),
         ("deflate-json-1k", "permessage-deflate JSON 1 KiB"), ("wss-stream-1k", "wss stream 1 KiB"),
         ("wss-stream-64k", "wss stream 64 KiB"), ("wss-pingpong-16", "wss ping-pong 16 B"),
         ("wss-handshake", "wss handshakes/s")]
peers = ["hummingbird", "picows", "websockets", "node ws"]
print("| row | TCP floor | C ws echo | **SwiftWebSocket** | **handleMessages** | hummingbird | picows | python websockets | node ws |")
print("|---|---|---|---|---|---|---|---|---|")
for key, label in srows:
    floor = med("servers", key, "tcp floor")
    cells = []
    for n in ["ours", "ours+handler"]:
        v = med("servers", key, n)
        cells.append(f"**{fmt(v)} ({v/floor:.2f}x)**" if v and floor else f"**{fmt(v)}**")
    f = "–" if floor is None else fmt(floor)
    c = med("servers", key, "C ws_echo")
    cw = "n/a" if c is None and key.startswith("wss") else ("–" if c is None else fmt(c))
    print(f"| {label} | {f} | {cw} | {cells[0]} | {cells[1]} | " + " | ".join(fmt(med("servers", key, p)) for p in peers) + " |")
mem = d["memory"]
print("| memory per idle connection | – | " + " | ".join(
    (f"**{mem[n]['bytes_per_idle_connection']/1024:.1f} KiB**" if n.startswith("ours") else f"{mem[n]['bytes_per_idle_connection']/1024:.1f} KiB")
    for n in ["C ws_echo", "ours", "ours+handler"] + peers) + " |")
al = d["allocations"]
for row in ["stream-16", "stream-1k", "stream-64k"]:
    print(f"| allocations per echoed message ({row}) | – | " + " | ".join(
        (f"**{al[n][row]:.2f}**" if n.startswith("ours") else f"{al[n][row]:.2f}") if row in al.get(n, {}) else "n/a"
        for n in ["C ws_echo", "ours", "ours+handler"] + peers) + " |")
print()
crows = srows  # the same rows, in the same order
print("| row | C load generator | **SwiftWebSocket** | **on loop** | **handleMessages** | hummingbird | picows | python websockets | node ws |")
print("|---|---|---|---|---|---|---|---|---|")
for key, label in crows:
    ref = med("clients", key, "C loadgen")
    cells = []
    for n in ["ours", "ours+loopexec", "ours+handler"]:
        v = med("clients", key, n)
        cells.append(f"**{fmt(v)} ({v/ref:.2f}x)**" if v and ref else f"**{fmt(v)}**")
    print(f"| {label} | {fmt(ref)} | " + " | ".join(cells) + " | " + " | ".join(fmt(med("clients", key, p)) for p in peers) + " |")
