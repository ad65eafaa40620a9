#!/usr/bin/env python3
"""Benchmarks markconv against cmark-gfm, every comparison measured in the same run.

Run through bench/run, which builds the release binary and the inputs first.
Each figure is the median wall time of RUNS runs, taken in alternation with the
reference (so machine noise hits both alike), with the peak resident memory of a run.

Usage: run.py [--runs N] [--write PATH]

--write replaces the part of PATH between <!-- bench:start --> and <!-- bench:end -->
with the new table (docs/PERFORMANCE.md keeps the latest one).
"""
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "bench", "out")
MARKCONV = os.path.join(ROOT, ".build", "release", "markconv")
GFM_EXTENSIONS = ["table", "strikethrough", "autolink", "tagfilter", "tasklist", "footnotes"]


def run_once(command, input_path):
    """Wall seconds and peak RSS (MiB) of one run, input on stdin, output discarded."""
    with open(input_path, "rb") as stdin, open(os.devnull, "wb") as devnull:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdin=stdin, stdout=devnull, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        errors = process.stderr.read()
        process.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(command)}\n{errors.decode(errors='replace')}")
    return elapsed, usage.ru_maxrss / 1024


def compare(commands, input_path, runs):
    """Runs the commands in alternation; returns {name: (median seconds, max MiB)}."""
    times = {name: [] for name in commands}
    memory = {name: 0.0 for name in commands}
    for name, command in commands.items():  # warm the page cache and the binaries
        run_once(command, input_path)
    for _ in range(runs):
        for name, command in commands.items():
            elapsed, rss = run_once(command, input_path)
            times[name].append(elapsed)
            memory[name] = max(memory[name], rss)
    return {name: (statistics.median(times[name]), memory[name]) for name in commands}


def same_output(first, second, input_path):
    with open(input_path, "rb") as f:
        data = f.read()
    a = subprocess.run(first, input=data, capture_output=True).stdout
    b = subprocess.run(second, input=data, capture_output=True).stdout
    return a == b


def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def main():
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 21
    write = sys.argv[sys.argv.index("--write") + 1] if "--write" in sys.argv else None
    cmark = shutil.which("cmark-gfm")
    if not cmark:
        sys.exit("cmark-gfm is not installed (apt-get install cmark-gfm)")
    version = subprocess.run([cmark, "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    cmark_command = [cmark] + sum((["-e", e] for e in GFM_EXTENSIONS), [])
    markconv_html = [MARKCONV, "-f", "gfm", "-t", "html"]

    rows = []
    for scale in (1, 10):
        path = os.path.join(OUT, f"gfm-{scale}x.md")
        size = os.path.getsize(path) / 1e6
        identical = same_output(markconv_html, cmark_command, path)
        result = compare({"markconv": markconv_html, "cmark-gfm": cmark_command}, path, runs if scale == 1 else max(5, runs // 4))
        rows.append((scale, size, result, identical))

    lines = [
        f"Machine: {machine()}. Reference: {version}. Median of {runs} alternating runs "
        f"(5+ for the 10x input); peak RSS is the largest of those runs.",
        "",
        "| path | input | markconv | cmark-gfm | ratio (target) | markconv RSS | cmark-gfm RSS | RSS budget | output identical |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for scale, size, result, identical in rows:
        ours, theirs = result["markconv"], result["cmark-gfm"]
        budget = 2 * theirs[1] + 30
        lines.append(
            f"| md → html | {size:.1f} MB | {ours[0] * 1000:.0f} ms | {theirs[0] * 1000:.0f} ms | "
            f"**{ours[0] / theirs[0]:.2f}** (≤ 1.25) | {ours[1]:.0f} MiB | {theirs[1]:.0f} MiB | "
            f"≤ {budget:.0f} MiB | {'yes' if identical else 'NO'} |")
    small = rows[0][2]["markconv"][0]
    large = rows[1][2]["markconv"][0]
    lines += ["", f"Scaling, markconv md → html: 10× the input costs {large / small:.2f}× the time (target ≤ 11×)."]
    report = "\n".join(lines)
    print(report)
    if write:
        with open(write) as f:
            text = f.read()
        start, end = "<!-- bench:start -->", "<!-- bench:end -->"
        if start not in text or end not in text:
            sys.exit(f"{write} has no {start} … {end} section")
        before, rest = text.split(start, 1)
        after = rest.split(end, 1)[1]
        with open(write, "w") as f:
            f.write(f"{before}{start}\n{report}\n{end}{after}")


if __name__ == "__main__":
    main()
