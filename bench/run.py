#!/usr/bin/env python3
"""Benchmarks markconv against cmark-gfm, pandoc and Python's bbcode package, every
comparison measured in the same run.

Run through bench/run, which builds the release binary and the inputs first.
Each figure is the median wall time of RUNS runs, taken in alternation with the
reference (so machine noise hits both alike), with the peak resident memory of a run.

Paths: md → html (against cmark-gfm), md → bbcode_phpbb (against pandoc, and cmark-gfm's
md → html as the floor), bbcode_phpbb → html (against Python's bbcode package, and in
MB/s against cmark-gfm's md → html); each also at 10× the input for scaling. The slow
references (pandoc, Python) run fewer times: they take seconds, and their spread is small
next to the ratios.

Usage: run.py [--runs N] [--write PATH]

--write replaces the part of PATH between <!-- bench:start --> and <!-- bench:end -->
with the new table (docs/PERFORMANCE.md keeps the latest one).
"""
import hashlib
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "bench", "out")
MARKCONV = os.path.join(ROOT, ".build-static", "release", "markconv")
GFM_EXTENSIONS = ["table", "strikethrough", "autolink", "tagfilter", "tasklist", "footnotes"]


TIME = "/usr/bin/time" if os.path.exists("/usr/bin/time") else None


def run_once(command, input_path):
    """Wall seconds and peak RSS (MiB) of one run, input on stdin, output discarded.

    The command runs under GNU time, which reports its peak RSS: Linux counts a child's
    memory from before exec too, so measured straight from this (larger) Python process
    every small child would look as big as the parent."""
    # Standard error goes to a file: a pipe would fill up with warnings (a forum without
    # tables warns once per table) and stall the process being timed.
    with open(input_path, "rb") as stdin, open(os.devnull, "wb") as devnull, \
            tempfile.TemporaryFile() as stderr, tempfile.NamedTemporaryFile(mode="r") as peak:
        wrapped = [TIME, "-f", "%M", "-o", peak.name] + command if TIME else command
        start = time.perf_counter()
        process = subprocess.Popen(wrapped, stdin=stdin, stdout=devnull, stderr=stderr)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        stderr.seek(0)
        errors = stderr.read()
        rss = int(peak.read().split()[-1]) / 1024 if TIME else usage.ru_maxrss / 1024
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(command)}\n{errors.decode(errors='replace')}")
    return elapsed, rss


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
    """Whether two commands print the same bytes (compared by digest, so that this
    process stays small; see run_once)."""
    digests = []
    for command in (first, second):
        with open(input_path, "rb") as stdin:
            process = subprocess.Popen(command, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            digest = hashlib.sha256()
            for chunk in iter(lambda: process.stdout.read(1 << 16), b""):
                digest.update(chunk)
            process.wait()
        digests.append(digest.digest())
    return digests[0] == digests[1]


def slow_runs(runs):
    return max(3, runs // 7)


def reference_tools():
    """The pandoc binary pypandoc-binary carries, and a command running Python's bbcode."""
    pandoc = None
    try:
        import pypandoc
        pandoc = pypandoc.get_pandoc_path()
        version = subprocess.run([pandoc, "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    except Exception:
        version = None
    try:
        import bbcode
        bbcode_version = getattr(bbcode, "__version__", "1.1.0")
        python_bbcode = [sys.executable, "-c",
                         "import sys, bbcode; sys.stdout.write(bbcode.render_html(sys.stdin.read()))"]
    except ImportError:
        python_bbcode, bbcode_version = None, None
    return pandoc, version, python_bbcode, bbcode_version


def batch_ids_in_order(command, path, count):
    """Runs a batch once; whether every id 0..count-1 came out once, in order."""
    import json
    with open(path, "rb") as stdin:
        process = subprocess.Popen(command, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        expected = 0
        ok = True
        for line in process.stdout:
            ok = ok and json.loads(line).get("id") == expected
            expected += 1
        process.wait()
    return ok and expected == count


def batch_report(runs):
    """markconv batch over 100 000 posts: posts/s with 1 and 2 jobs, and peak memory
    against 10 000 posts (flat, since the stream is converted a window at a time)."""
    lines = ["| batch | posts | jobs | time | posts/s | MB/s | peak RSS | every id once, in order |",
             "|---|---|---|---|---|---|---|---|"]
    for label, prefix, source, target in (("gfm → html", "posts", "gfm", "html"),
                                           ("phpBB → html", "phpbb-posts", "bbcode_phpbb", "html")):
        for count in (10000, 100000):
            path = os.path.join(OUT, f"{prefix}-{count}.jsonl")
            size = os.path.getsize(path) / 1e6
            for jobs in (1, 2):
                command = [MARKCONV, "batch", "-f", source, "-t", target, "--jobs", str(jobs)]
                result = compare({"batch": command}, path, max(3, runs // 7))["batch"]
                ordered = batch_ids_in_order(command, path, count) if count == 100000 else None
                lines.append(f"| {label} | {count} | {jobs} | {result[0]:.2f} s | {count / result[0]:,.0f} | "
                             f"{size / result[0]:.1f} | {result[1]:.0f} MiB | "
                             f"{'' if ordered is None else ('yes' if ordered else 'NO')} |")
    return "\n".join(lines)


def write_section(path, name, report):
    """Replaces the part of PATH between <!-- NAME:start --> and <!-- NAME:end --> with
    REPORT (docs/PERFORMANCE.md keeps one section per script)."""
    with open(path) as f:
        text = f.read()
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    if start not in text or end not in text:
        sys.exit(f"{path} has no {start} … {end} section")
    before, rest = text.split(start, 1)
    after = rest.split(end, 1)[1]
    with open(path, "w") as f:
        f.write(f"{before}{start}\n{report}\n{end}{after}")


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

    pandoc, pandoc_version, python_bbcode, bbcode_version = reference_tools()
    markconv_bbcode = [MARKCONV, "-f", "gfm", "-t", "bbcode_phpbb"]
    markconv_from_bbcode = [MARKCONV, "-f", "bbcode_phpbb", "-t", "html"]

    rows = []
    for scale in (1, 10):
        path = os.path.join(OUT, f"gfm-{scale}x.md")
        size = os.path.getsize(path) / 1e6
        identical = same_output(markconv_html, cmark_command, path)
        result = compare({"markconv": markconv_html, "cmark-gfm": cmark_command}, path, runs if scale == 1 else max(5, runs // 4))
        rows.append((scale, size, result, identical))

    # A real document: Node.js's API reference in one file (bench/run fetches nodejs-doc).
    real = os.path.join(OUT, "real", "node-api.md")
    real_row = None
    if os.path.exists(real):
        real_row = (os.path.getsize(real) / 1e6, compare({"markconv": markconv_html, "cmark-gfm": cmark_command}, real, runs),
                    same_output(markconv_html, cmark_command, real))

    # md → bbcode_phpbb: against pandoc at 1×, and cmark-gfm's md → html as the floor.
    gfm = os.path.join(OUT, "gfm-1x.md")
    to_bbcode = compare({"markconv": markconv_bbcode, "cmark-gfm": cmark_command}, gfm, runs)
    to_bbcode_pandoc = None
    if pandoc:
        to_bbcode_pandoc = compare({"markconv": markconv_bbcode, "pandoc": [pandoc, "-f", "gfm", "-t", "bbcode_phpbb"]},
                                   gfm, slow_runs(runs))
    to_bbcode_10x = compare({"markconv": markconv_bbcode}, os.path.join(OUT, "gfm-10x.md"), max(5, runs // 4))

    # bbcode_phpbb → html: against Python's bbcode, and MB/s against cmark-gfm md → html.
    archive = os.path.join(OUT, "phpbb-1x.bbcode")
    archive_size = os.path.getsize(archive) / 1e6
    from_bbcode = compare({"markconv": markconv_from_bbcode}, archive, runs)
    from_bbcode_python = None
    if python_bbcode:
        from_bbcode_python = compare({"markconv": markconv_from_bbcode, "python": python_bbcode}, archive, slow_runs(runs))
    from_bbcode_10x = compare({"markconv": markconv_from_bbcode}, os.path.join(OUT, "phpbb-10x.bbcode"), max(5, runs // 4))

    references = [version]
    if pandoc_version:
        references.append(pandoc_version)
    if bbcode_version:
        references.append(f"Python bbcode {bbcode_version} (pip)")
    lines = [
        f"Machine: {machine()}. References: {'; '.join(references)}. Median of {runs} alternating runs "
        f"(5+ for the 10x inputs, {slow_runs(runs)} where pandoc or Python take part); peak RSS is the largest "
        f"of those runs.",
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
    if real_row:
        size, result, identical = real_row
        ours, theirs = result["markconv"], result["cmark-gfm"]
        lines.append(
            f"| md → html, node-api.md (real) | {size:.1f} MB | {ours[0] * 1000:.0f} ms | {theirs[0] * 1000:.0f} ms | "
            f"**{ours[0] / theirs[0]:.2f}** (≤ 1.25) | {ours[1]:.0f} MiB | {theirs[1]:.0f} MiB | "
            f"≤ {2 * theirs[1] + 30:.0f} MiB | {'yes' if identical else 'NO'} |")
    small = rows[0][2]["markconv"][0]
    large = rows[1][2]["markconv"][0]
    cmark_seconds = rows[0][2]["cmark-gfm"][0]
    cmark_rate = rows[0][1] / cmark_seconds

    lines += ["", "| path | input | markconv | reference | markconv is (target) | markconv RSS | reference RSS |",
              "|---|---|---|---|---|---|---|"]
    ours = to_bbcode["markconv"]
    floor = to_bbcode["cmark-gfm"]
    lines.append(f"| md → bbcode_phpbb vs cmark-gfm md → html | {rows[0][1]:.1f} MB | {ours[0] * 1000:.0f} ms | "
                 f"{floor[0] * 1000:.0f} ms | **{ours[0] / floor[0]:.2f}×** its time (≤ 1.4×) | {ours[1]:.0f} MiB | "
                 f"{floor[1]:.0f} MiB |")
    if to_bbcode_pandoc:
        ours, theirs = to_bbcode_pandoc["markconv"], to_bbcode_pandoc["pandoc"]
        lines.append(f"| md → bbcode_phpbb vs pandoc | {rows[0][1]:.1f} MB | {ours[0] * 1000:.0f} ms | "
                     f"{theirs[0] * 1000:.0f} ms | **{theirs[0] / ours[0]:.0f}×** faster (≥ 40×) | {ours[1]:.0f} MiB | "
                     f"{theirs[1]:.0f} MiB |")
    ours = from_bbcode["markconv"]
    rate = archive_size / ours[0]
    lines.append(f"| bbcode_phpbb → html vs cmark-gfm md → html | {archive_size:.1f} MB | {rate:.0f} MB/s | "
                 f"{cmark_rate:.0f} MB/s | **{rate / cmark_rate:.2f}×** its MB/s (≥ 1×) | {ours[1]:.0f} MiB | "
                 f"{rows[0][2]['cmark-gfm'][1]:.0f} MiB |")
    if from_bbcode_python:
        ours, theirs = from_bbcode_python["markconv"], from_bbcode_python["python"]
        lines.append(f"| bbcode_phpbb → html vs Python bbcode | {archive_size:.1f} MB | {ours[0] * 1000:.0f} ms | "
                     f"{theirs[0] * 1000:.0f} ms | **{theirs[0] / ours[0]:.0f}×** faster (≥ 100×) | {ours[1]:.0f} MiB | "
                     f"{theirs[1]:.0f} MiB |")

    scaling = [
        ("md → html", large / small),
        ("md → bbcode_phpbb", to_bbcode_10x["markconv"][0] / to_bbcode["markconv"][0]),
        ("bbcode_phpbb → html", from_bbcode_10x["markconv"][0] / from_bbcode["markconv"][0]),
    ]
    lines += ["", "Scaling, markconv, 10× the input (target ≤ 11×): "
              + "; ".join(f"{name} {ratio:.2f}×" for name, ratio in scaling) + "."]
    if not to_bbcode_pandoc:
        lines.append("pandoc was not found (pip install pypandoc-binary): its row is missing.")
    if not from_bbcode_python:
        lines.append("Python's bbcode was not found (pip install bbcode): its row is missing.")
    lines += ["", batch_report(runs)]
    report = "\n".join(lines)
    print(report)
    if write:
        write_section(write, "bench", report)


if __name__ == "__main__":
    main()
