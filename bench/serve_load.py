#!/usr/bin/env python3
"""A load run of `markconv serve` on loopback with wrk (issue 15).

Starts the release binaries (`swift build -c release --product markconv` and
`--product markconv-serve`, which `markconv serve` becomes; same process) on a free port, posts a 5 kB Markdown post to /v1/convert
(to bbcode_phpbb) in rounds of a fixed number of seconds until at least --requests have
been answered, and prints requests/s, latency percentiles and the server's resident
memory after each round: memory must stay flat once warm. Needs wrk (apt-get install wrk).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def post_of_5kb():
    parts = ["# Release notes\n\nThanks to everyone who **tested** the beta. See [the docs](https://example.com/docs).\n"]
    n = 0
    while sum(len(p) for p in parts) < 5000:
        n += 1
        parts.append(f"\n## Part {n}\n\n- item {n} with `code` and *emphasis*\n  - nested {n}\n    - deeper {n}\n"
                     f"- another item, ~~struck~~, and a link to https://example.org/{n}\n\n"
                     f"> A quote about part {n}.\n\n| a | b |\n|---|---|\n| {n} | {n * 2} |\n")
    return "".join(parts)[:5000]


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markconv", default=os.path.join(ROOT, ".build/release/markconv"))
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--round-seconds", type=int, default=10)
    arguments = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")

    post = post_of_5kb()
    work = tempfile.mkdtemp(prefix="markconv-load-")
    body = json.dumps({"text": post, "from": "gfm", "to": "bbcode_phpbb"})
    script = os.path.join(work, "post.lua")
    with open(script, "w") as lua:
        lua.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n')
        lua.write("wrk.body = " + json.dumps(body) + "\n")
        # Count every status: a run with errors is no measurement.
        lua.write("local errors = 0\nresponse = function(status, headers, body) if status ~= 200 then errors = errors + 1 end end\n")

    server = subprocess.Popen([arguments.markconv, "serve", "--port", "0", "--max-conversions", "64"],
                              stderr=subprocess.PIPE, text=True)
    try:
        line = server.stderr.readline()
        match = re.search(r"listening on (http://\S+)", line)
        if not match:
            sys.exit(f"the server did not start: {line}")
        url = match.group(1) + "v1/convert"
        print(f"markconv serve at {url}; body {len(body)} bytes (post {len(post.encode())} bytes); "
              f"{arguments.connections} connections, 2 threads", flush=True)
        total = 0
        rounds = []
        print("| round | requests | requests/s | p50 | p99 | non-2xx | server RSS |")
        print("|--:|--:|--:|--:|--:|--:|--:|")
        while total < arguments.requests:
            run = subprocess.run(["wrk", "-t2", f"-c{arguments.connections}", f"-d{arguments.round_seconds}s",
                                  "--latency", "-s", script, url], capture_output=True, text=True, check=True)
            out = run.stdout
            requests = int(re.search(r"(\d+) requests in", out).group(1))
            rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
            p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)
            p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)
            non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
            errors = int(non2xx.group(1)) if non2xx else 0
            total += requests
            rss = rss_kib(server.pid)
            rounds.append((total, rate, p50, p99, errors, rss))
            print(f"| {len(rounds)} | {total:,} | {rate:,.0f} | {p50} | {p99} | {errors} | {rss / 1024:.1f} MiB |", flush=True)
        warm = rounds[0][5]
        last = rounds[-1][5]
        growth = (last - warm) / warm if warm else 0
        print(f"\n{total:,} requests; RSS {warm / 1024:.1f} MiB after the first round, {last / 1024:.1f} MiB at the end "
              f"({growth:+.0%}).")
        failed = sum(r[4] for r in rounds)
        if failed:
            sys.exit(f"{failed} responses were not 200")
        if growth > 0.25:
            sys.exit("memory grew by more than a quarter after warming up")
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
