#!/usr/bin/env python3
"""Size-driven hostile inputs at two scales: does each take at most linear time?

Generates every case at scale 1 and 2 (the inputs are the pathological patterns that
docs/SECURITY.md lists: cmark's and markdown-it's pathological suites, GFM's table and
autolink storms, deep and broken BBCode, encoding floods), converts each with markconv
to HTML, and prints the user CPU time at each scale and their ratio per doubling of the
input's bytes. Runs that short are mostly noise, so a case whose runs take under half a second
keeps doubling (4×, 8×, … up to 4 MB of input) and is judged on the slope through its
longer runs (its peak memory must grow at most as fast). A case passes when that growth
is at most 2.3, or when markconv gives up on
a Markdown input with exit 65 ("input too complex", here after 2 s) — the guard on
Debian's cmark-gfm 0.29, whose slow inputs newer releases fixed. A case above the limit
is timed a second time, interleaved with cmark-gfm alone on the same inputs for Markdown,
and passes if it is linear then or grows no faster than cmark-gfm alone; failing that, if
the instructions markconv executes (callgrind, which valgrind installs) grow linearly: the
time is then the memory system's, not more work. Exits 1 if any case fails.

Usage: bench/hostile_sizes.py [--markconv PATH] [--only SUBSTRING] [--ratio 2.3] [--jobs 2]
"""
import argparse
import collections
import concurrent.futures
import itertools
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

from instructions import instructions, stripped_copy


def collisions(count):
    """Reference labels that all fall into bucket 0 of a 16-slot table hashed as cmark does."""
    def bucket0(label):
        value = 0
        for character in label:
            value = (ord(character) + ((value << 6) & 0xFFFFFFFF) + ((value << 16) & 0xFFFFFFFF) - value) & 0xFFFFFFFF
        return value % 16 == 0
    labels = itertools.islice((f"x{i}" for i in itertools.count() if bucket0(f"x{i}")), count)
    first = next(labels)
    return "".join(f"[{label}]: /url\n\n[{first}]\n\n" for label in labels)


# A case keeps doubling until a run takes JUDGED_SECONDS (see judge), well short of the
# 2 s deadline, or until its input would pass MAX_BYTES: cmark-gfm's nodes take ~150 bytes
# of memory per input byte on inline storms, and at a gigabyte the kernel's handling of
# fresh pages, not parsing, decides the time, differently on every machine (a 12.8 MB
# bracket storm here: 1.5 s to 4.7 s of system time in three tries; on the CI machine
# a 6 MB storm of `a_ ` grew 2.8× per doubling for markconv and cmark-gfm alike). The
# growth is fitted through the runs of at least FITTED_SECONDS.
JUDGED_SECONDS = 0.5
FITTED_SECONDS = 0.1
MAX_BYTES = 4_000_000
# A Markdown case above the ratio still passes when, timed again interleaved with cmark-gfm
# alone on the same inputs, markconv's time per cmark-gfm's time grows at most this much
# per doubling: the growth is then the library's, which the deadline bounds. (Our own
# quadratic work on top of a linear parse would push this ratio towards 2.)
RELATIVE_LIMIT = 1.1
# A case whose time still grows too fast passes when the instructions markconv executes
# grow at most this much per doubling (a linear pass shows 2.0, a quadratic one 4; n log n
# at these sizes about 2.1). deep-md-ordered: time ×3.3 per doubling over 1×…4× on CI,
# instructions 138 M, 263 M, 513 M (×1.93).
INSTRUCTION_LIMIT = 2.2

# name: (format, builder(scale) -> str or bytes[, output format, HTML if not given])
CASES = {
    # cmark's pathological suite (test/pathological_tests.py sizes)
    "cmark-nested-strong-emph": ("gfm", lambda k: "*a **a " * 32500 * k + "b" + " a** a*" * 32500 * k),
    "cmark-emph-closers": ("gfm", lambda k: "a_ " * 32500 * k),
    "cmark-emph-openers": ("gfm", lambda k: "_a " * 32500 * k),
    "cmark-link-closers": ("gfm", lambda k: "a]" * 32500 * k),
    "cmark-link-openers": ("gfm", lambda k: "[a" * 32500 * k),
    "cmark-mismatched": ("gfm", lambda k: "*a_ " * 25000 * k),
    "cmark-issue-389": ("gfm", lambda k: "*a " * 20000 * k + "_a*_ " * 20000 * k),
    "cmark-multiple-of-3": ("gfm", lambda k: "a**b" + "c* " * 25000 * k),
    "cmark-link-openers-emph-closers": ("gfm", lambda k: "[ a_" * 25000 * k),
    "cmark-bracket-paren": ("gfm", lambda k: "[ (](" * 40000 * k),
    "cmark-bang-brackets": ("gfm", lambda k: "![[]()" * 160000 * k),
    "cmark-nested-brackets": ("gfm", lambda k: "[" * 25000 * k + "a" + "]" * 25000 * k),
    "cmark-nested-quotes": ("gfm", lambda k: "> " * 25000 * k + "a"),
    "cmark-indented-lists": ("gfm", lambda k: "".join("  " * d + "* a\n" for d in range(500 * k))),
    "cmark-backticks": ("gfm", lambda k: "".join("e" + "`" * i for i in range(1, 2500 * k))),
    "cmark-unclosed-links-a": ("gfm", lambda k: "[a](<b" * 30000 * k),
    "cmark-unclosed-links-b": ("gfm", lambda k: "[a](b" * 30000 * k),
    "cmark-unclosed-comment": ("gfm", lambda k: "</" + "<!--" * 300000 * k),
    "cmark-empty-lines-deep-lists": ("gfm", lambda k: "- " * 30000 * k + "x" + "\n" * 30000 * k),
    "cmark-empty-lines-deep-lists-quote": ("gfm", lambda k: "> " + "- " * 30000 * k + "x\n" + ">\n" * 30000 * k),
    "cmark-emph-in-deep-quote": ("gfm", lambda k: ">" * 100000 * k + "a*" * 100000 * k),
    "cmark-reference-collisions": ("gfm", lambda k: collisions(25000 * k)),
    "cmark-nested-inlines": ("gfm", lambda k: "*" * 20000 * k + "a" + "*" * 20000 * k),
    "cmark-many-references": ("gfm", lambda k: "".join(f"[{i}]: u\n" for i in range(1, 80000 * k)) + "[0] " * 5000 * k),
    # GFM extensions
    "gfm-tables-cr-vt": ("gfm", lambda k: "aaa\rbbb\n-\v\n" * 30000 * k),
    "gfm-image-openers": ("gfm", lambda k: "![p" * 100000 * k + "\n"),
    "gfm-table-amplification": ("gfm", lambda k: "x|" * 1000 * k + "\n" + "-|" * 1000 * k + "\n" + "x|\n" * 1000 * k),
    "gfm-table-many-columns": ("gfm", lambda k: "|" + "a|" * 70000 * k + "\n|" + "-|" * 70000 * k + "\n"),
    "gfm-www-storm": ("gfm", lambda k: "www." * 100000 * k),
    "md-reference-amplification": ("gfm", lambda k: "[x]: " + "x" * 1000 * k + "\n\n" + "[x]\n" * 1000 * k),
    "md-md4c-236": ("gfm", lambda k: "]([\n" * 50000 * k),
    "md-cdata-storm": ("gfm", lambda k: "a <![CDATA[" * 40000 * k),
    "md-processing-instruction-storm": ("gfm", lambda k: "a <? " * 40000 * k),
    # markdown-it's additions
    "mdit-emph-pattern": ("gfm", lambda k: "**_* " * 50000 * k),
    "mdit-backtick-backslash": ("gfm", lambda k: "``\\" * 50000 * k),
    "mdit-lt-storm": ("gfm", lambda k: "<" * 400000 * k + ">"),
    "mdit-hardbreak-spaces": ("gfm", lambda k: "x" + " " * 150000 * k + "x  \nx"),
    "mdit-linkify-asterisks": ("gfm", lambda k: "https://test.com?" + "*" * 70000 * k + "a"),
    "mdit-quotes": ("gfm", lambda k: '"' * 160000 * k),
    # deep Markdown
    "deep-md-quotes": ("gfm", lambda k: "> " * 100000 * k + "a"),
    "deep-md-gt": ("gfm", lambda k: ">" * 100000 * k + "a"),
    "deep-md-bullets": ("gfm", lambda k: "- " * 100000 * k + "x"),
    "deep-md-ordered": ("gfm", lambda k: "1. " * 50000 * k + "x"),
    "deep-md-quote-list": ("gfm", lambda k: "> - " * 50000 * k + "x"),
    "deep-md-images": ("gfm", lambda k: "![" * 30000 * k + "a" + "](u)" * 30000 * k),
    "deep-md-emphasis": ("gfm", lambda k: "*" * 50000 * k + "a" + "*" * 50000 * k),
    # BBCode
    "bb-quotes-balanced": ("bbcode", lambda k: "[quote]" * 100000 * k + "x" + "[/quote]" * 100000 * k),
    "bb-quotes-unclosed": ("bbcode", lambda k: "[quote]" * 100000 * k + "x"),
    "bb-closers-only": ("bbcode", lambda k: "[/quote]" * 100000 * k),
    "bb-never-matching-closers": ("bbcode", lambda k: "[b]" * 50000 * k + "x" + "[/i]" * 50000 * k),
    "bb-close-through-stack": ("bbcode", lambda k: "[b][i]" * 50000 * k + "x" + "[/b]" * 50000 * k),
    "bb-misnest-chain": ("bbcode", lambda k: "[b]x[i]y[/b]z[/i]" * 50000 * k),
    "bb-unclosed-content-url": ("bbcode", lambda k: "[url]" * 100000 * k + "http://a.example/"),
    "bb-unclosed-inline-with-text": ("bbcode", lambda k: "[b]x " * 100000 * k),
    "bb-open-brackets": ("bbcode", lambda k: "[" * 500000 * k),
    "bb-half-tags": ("bbcode", lambda k: "[b" * 250000 * k),
    "bb-half-closers": ("bbcode", lambda k: "[/" * 250000 * k),
    "bb-unterminated-quotes": ("bbcode", lambda k: '[quote="' * 100000 * k),
    "bb-huge-attribute": ("bbcode", lambda k: "[url=http://a.example/" + "a" * 900000 * k + "]x[/url]"),
    "bb-many-tags": ("bbcode", lambda k: "[b]x[/b]" * 100000 * k),
    "bb-many-items": ("bbcode", lambda k: "[list]" + "[*]x" * 200000 * k + "[/list]"),
    "bb-nested-lists": ("bbcode", lambda k: "[list][*]" * 50000 * k + "x"),
    "bb-code-storm": ("bbcode", lambda k: "[code]" * 100000 * k + "x" + "[/code]" * 100000 * k),
    "bb-mixed-deep": ("bbcode", lambda k: "[quote][list][*][b][url=http://a.example/]" * 20000 * k + "x"),
    "bb-attribute-storm": ("bbcode", lambda k: "[b=" * 250000 * k),
    "bb-author-storm": ("bbcode", lambda k: "[quote=" + "a " * 300000 * k + "]x[/quote]"),
    # encodings
    "enc-invalid-bytes": ("bbcode", lambda k: b"[b]" + b"\xff" * 300000 * k + b"[/b]"),
    "enc-overlong-nul": ("bbcode", lambda k: b"\xc0\x80" * 300000 * k),
    "enc-nul-bytes": ("bbcode", lambda k: b"[b]" + b"\x00" * 300000 * k + b"[/b]"),
    "enc-lone-cr": ("bbcode", lambda k: "[b]" + "\r" * 500000 * k + "[/b]"),
    "enc-crlf-list": ("gfm", lambda k: "- item\r\n" * 150000 * k),
    "enc-zalgo": ("bbcode", lambda k: "[b]a" + "\u0301" * 200000 * k + "[/b]"),
    "enc-combining-brackets": ("bbcode", lambda k: "[\u0338b]x[/b\u0338]" * 50000 * k),
    # HTML tables: spans and short rows filled out with empty cells (the expansion budget),
    # rows and cells without end tags, tables in cells; also written as GFM, whose writer
    # fills out the header
    "html-huge-colspans": ("html", lambda k: "<table><tr><td colspan=10000000>b</td></tr></table>" * 2000 * k),
    "html-colspan-row": ("html", lambda k: "<table><tr>" + "<td colspan=1000>x</td>" * 20000 * k + "</tr></table>"),
    "html-wide-then-short-rows": ("html", lambda k: "<table><tr><td>h</td></tr><tr>" + "<td>w</td>" * 5000 * k
                                  + "</tr>" + "<tr><td>r</td></tr>" * 20000 * k + "</table>"),
    "html-wide-then-short-rows-gfm": ("html", lambda k: "<table><tr>" + "<th>w</th>" * 5000 * k + "</tr>"
                                      + "<tr><td>r" * 20000 * k + "</table>", "gfm"),
    "html-rowspans": ("html", lambda k: "<table>" + "<tr><td rowspan=65534>x</td><td>y</td></tr>" * 20000 * k + "</table>"),
    "html-many-columns": ("html", lambda k: "<table><tr>" + "<td>a" * 100000 * k + "</table>", "gfm"),
    "html-deep-tables": ("html", lambda k: "<table><tr><td>" * 2000 * k + "x"),
    "html-many-tables": ("html", lambda k: "<table><tr><td>a</td><td colspan=3>b</td></tr><tr><td>c</td></tr></table>\n"
                         * 20000 * k),
    # phpBB's reading beyond its tags: bare addresses linked (and broken up again when
    # written), attachments kept as references, a [code] never closed
    "phpbb-autolink-storm": ("bbcode_phpbb", lambda k: "http://a.b/c www.d.e f@g.h, " * 30000 * k),
    "phpbb-autolink-brackets": ("bbcode_phpbb", lambda k: "http://a" + "[x]" * 150000 * k + " www." * 50000 * k),
    "phpbb-autolink-at-storm": ("bbcode_phpbb", lambda k: "a@" * 200000 * k + "b.c" + ".@" * 100000 * k),
    "phpbb-autolinks-written": ("commonmark", lambda k: "http://a www.b c@d.e `f@g.h` " * 30000 * k, "bbcode_phpbb"),
    "mybb-autolink-storm": ("bbcode_mybb", lambda k: "(http://a.b/c)) www.d.e ftp.f.g x:http://h " * 30000 * k),
    "mybb-autolink-hosts": ("bbcode_mybb", lambda k: " www." * 100000 * k + " http://" + "a." * 100000 * k),
    "fluxbb-autolink-wrapped": ("bbcode_fluxbb", lambda k: "(http://a.b/c" + "/)" * 100000 * k + " 'www.a.b/' " * 30000 * k),
    "fluxbb-autolink-hosts": ("bbcode_fluxbb", lambda k: " www.-" * 100000 * k + " ftp." * 100000 * k),
    "fluxbb-autolinks-written": ("commonmark", lambda k: "http://a www.b ftp.c `f.g` " * 30000 * k, "bbcode_fluxbb"),
    "friendica-autolink-parens": ("bbcode_friendica", lambda k: " http://ab.c/(" * 60000 * k + " http://ab.c/((x)" * 30000 * k),
    "hubzilla-autolink-storm": ("bbcode_hubzilla", lambda k: "]http://a x=http://b http://c.d/(e)," * 30000 * k),
    "mybb-unclosed-formatting": ("bbcode_mybb", lambda k: "[b]x [i]y [u]z " * 40000 * k + "[/b]" * 1000 * k),
    "hubzilla-item-ends": ("bbcode_hubzilla", lambda k: "[list]" + "[*]a[/*] b" * 50000 * k + "[/list]"),
    "phpbb-attachments": ("bbcode_phpbb", lambda k: "[attachment=0]a.jpg[/attachment] [attachment=1]b " * 30000 * k),
    "phpbb-code-never-closed": ("bbcode_phpbb", lambda k: "[code]x\n[list][*]" * 30000 * k),
    # HTML inside Markdown read for its meaning (to BBCode): tags paired among siblings,
    # blocks left open paired with blocks of end tags, each HTML block read by gumbo
    "md-html-inline-unclosed": ("gfm", lambda k: "<u>a <span style='color:red'>b " * 25000 * k, "bbcode_phpbb"),
    "md-html-inline-misnested": ("gfm", lambda k: "<b>" + "<i>x <u>y " * 25000 * k + "</b>" * 1000 * k, "bbcode_phpbb"),
    "md-html-inline-pairs": ("gfm", lambda k: "<u>a</u> <kbd>k</kbd> <sub>2</sub><br>" * 25000 * k, "bbcode_phpbb"),
    "md-html-blocks-open": ("gfm", lambda k: "<details>\n<summary>t</summary>\n\n" * 5000 * k + "x\n", "bbcode_phpbb"),
    "md-html-blocks-paired": ("gfm", lambda k: "<div align=center>\n\nx\n\n</div>\n\n" * 5000 * k, "bbcode_phpbb"),
    "md-html-blocks-nested": ("gfm", lambda k: "<details>\n\n" * 200 + "x\n\n" + "</details>\n\n" * 200
                              + "<details>\n\n</details>\n\n" * 5000 * k, "bbcode_phpbb"),
}


Run = collections.namedtuple("Run", "seconds status megabytes")


def run(command):
    """One run: the user CPU time the child used, its exit status and peak memory.

    User time is the converter's work. Not wall time (the machine's load), and not system
    time: that is the kernel clearing fresh pages, which depends on the machine and, in
    the few hundred megabytes these cases reach, grows faster than the memory itself
    (cmark's arena is backed by huge pages for its first 64 MiB and by 4 KiB pages after
    that: deep-md-images took 0.029, 0.069, 0.176 s of system time at 4×, 8×, 16×, user
    time 0.075, 0.139, 0.247 s). Memory is judged on its own (see judge)."""
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, wait_status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(wait_status)
    return Run(usage.ru_utime, child.returncode, usage.ru_maxrss / 1024)


def markconv_command(markconv, path, source, target="html"):
    return [markconv, "--lossy-utf8", "--parse-time-limit", "2", "-f", source, "-t", target, path]


def instruction_counts(markconv, paths, source, target):
    """Instructions markconv executes on each input, under callgrind (None without valgrind).

    Run with a deadline far off: under valgrind a run takes some fifty times as long."""
    if not shutil.which("valgrind"):
        return None
    with tempfile.TemporaryDirectory() as folder:
        stripped = stripped_copy(markconv, folder)
        return [instructions([stripped, "--lossy-utf8", "--parse-time-limit", "600", "-f", source, "-t", target], path)
                for path in paths]


def cmark_command(path):
    """cmark-gfm alone on a Markdown input (the Debian command, same library, same extensions)."""
    return ["cmark-gfm", "-e", "table", "-e", "strikethrough", "-e", "autolink", "-e", "tagfilter", "-e", "tasklist",
            path]


def write_case(folder, name, build, scale):
    content = build(scale)
    data = content if isinstance(content, bytes) else content.encode()
    path = os.path.join(folder, f"{name}-{scale}")
    with open(path, "wb") as file:
        file.write(data)
    return path, len(data)


def repetitions(seconds):
    """How often to time a command whose first run took this long: as many as fit in about
    a second, at least three and at most nine; the median of three from a quarter of a
    second (such runs vary little); a second and a half or more: once. (Two seconds' worth
    of runs, up to fifteen, took CI 10 minutes for 88 cases.)"""
    if seconds >= 1.5:
        return 1
    if seconds >= 0.25:
        return 3
    return max(3, min(9, int(1 / max(seconds, 1e-3))))


def measure_interleaved(commands, first_runs=None):
    """Each command timed several times, in turns, so a change in the machine's state
    (another job, free huge pages) reaches every command alike; per command, the median
    time, the worst exit status and the largest peak memory. The median, not the best:
    the machine's noise goes both ways (here one input's runs varied by a third, and the
    best of five picked a lucky run at one scale and not at the next)."""
    runs = [[first] for first in first_runs] if first_runs else [[run(command)] for command in commands]
    for _ in range(repetitions(max(results[0].seconds for results in runs)) - 1):
        for command, results in zip(commands, runs):
            results.append(run(command))
    return [Run(statistics.median(r.seconds for r in results), max(r.status for r in results),
                max(r.megabytes for r in results)) for results in runs]


def measure(command, first_run=None):
    """`first_run`, a run of the command already made, counts as the first of its runs."""
    return measure_interleaved([command], [first_run] if first_run else None)[0]


def per_doubling(costs, sizes):
    """Growth of a cost per doubling of the input's bytes: 2 to the least-squares slope of
    log2(cost) on log2(bytes) (bytes, not scale: a few generators grow faster than their scale)."""
    xs, ys = [math.log2(size) for size in sizes], [math.log2(max(cost, 1e-6)) for cost in costs]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = (sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys))
             / sum((x - mean_x) ** 2 for x in xs))
    return 2 ** slope


def judge(markconv, folder, name, source, build, ratio_limit, target="html"):
    """Times the case at 1× and 2×, then keeps doubling while the runs are too short to judge.

    Below half a second a run's time is mostly process start, page faults and whether the
    working set still fits the caches, and the 1×→2× ratio of a linear case swings between
    2.0 and 2.5 from one try to the next. So the case keeps doubling until a run takes
    JUDGED_SECONDS (or its input would pass MAX_BYTES), and the growth per doubling is the
    slope through every run of at least FITTED_SECONDS (at least the last three): a quadratic
    case shows ~4× there, a linear one ~2×, and one noisy run moves a fit over three or four
    points much less than a ratio of two. Peak memory is fitted over the same runs and
    held to the same limit. A case whose time is over the limit is timed once more (see
    below).

    Returns the (run, bytes) points, the verdict, and whether it fails.
    """
    points, paths, scale = [], [], 1
    try:
        while True:
            path, size = write_case(folder, name, build, scale)
            paths.append(path)
            # One run tells whether to go on doubling; only the runs the fit uses are
            # timed over and over (below).
            result = run(markconv_command(markconv, path, source, target))
            points.append((result, size))
            if result.status == 65 and source == "gfm":
                # The deadline on Debian's cmark-gfm 0.29, whose slow inputs newer releases fixed.
                return points, f"guarded: exit 65 at {scale}×", False
            if result.status != 0:
                return points, f"FAIL: exit {result.status} at {scale}×", True
            if len(points) >= 3 and (result.seconds >= JUDGED_SECONDS or size * 2 > MAX_BYTES):
                break
            scale *= 2
        # At least three runs: a case stopped by MAX_BYTES may still be short, and two
        # short runs are one noisy ratio.
        fitted = min(3, len(points))
        while fitted < len(points) and points[-fitted - 1][0].seconds >= FITTED_SECONDS:
            fitted += 1
        for number in range(len(points) - fitted, len(points)):
            points[number] = (measure(markconv_command(markconv, paths[number], source, target), points[number][0]),
                              points[number][1])
            if points[number][0].status != 0:
                return points, f"FAIL: exit {points[number][0].status} at {1 << number}×", True
        sizes = [size for _, size in points[-fitted:]]
        growth = per_doubling([run.seconds for run, _ in points[-fitted:]], sizes)
        judged = f"×{growth:.2f} over {scale >> (fitted - 1)}×…{scale}×"
        # Peak memory must grow linearly too (it is steady from run to run, so one fit
        # over the same runs settles it).
        memory = per_doubling([run.megabytes for run, _ in points[-fitted:]], sizes)
        if memory > ratio_limit:
            return points, f"FAIL (memory ×{memory:.2f} per doubling over {scale >> (fitted - 1)}×…{scale}×)", True
        if growth <= ratio_limit:
            return points, f"linear ({judged})", False
        # One slow run at either end moves the slope: a case over the limit is timed again,
        # for Markdown in turns with cmark-gfm alone on the same files. Super-linear work of
        # our own is over the limit both times and grows faster than cmark-gfm's.
        fitted_paths = paths[-fitted:]
        commands = [[markconv_command(markconv, path, source, target) for path in fitted_paths]]
        if source == "gfm":
            commands.append([cmark_command(path) for path in fitted_paths])
        timings = [[result.seconds for result in measure_interleaved(pair)] for pair in zip(*commands)]
        again = per_doubling([timing[0] for timing in timings], sizes)
        if again <= ratio_limit:
            return points, f"linear on a second timing (×{again:.2f}; first {judged})", False
        if source == "gfm":
            alone = per_doubling([timing[1] for timing in timings], sizes)
            # A run shorter than the clock's tick reads as no time at all: floored as
            # per_doubling floors a cost (cmark-gfm alone on a small input read 0.0).
            relative = per_doubling([timing[0] / max(timing[1], 1e-6) for timing in timings], sizes)
            if relative <= RELATIVE_LIMIT:
                # On inline storms Debian's cmark-gfm builds ~150 bytes of tree per input
                # byte and grows as fast on its own: the time is the library's, and the
                # deadline bounds it.
                return points, (f"{judged}, again ×{again:.2f}, as cmark-gfm 0.29 alone (×{alone:.2f}; "
                                f"markconv per cmark-gfm ×{relative:.2f})"), False
            judged += f", again ×{again:.2f}; cmark-gfm alone ×{alone:.2f}"
        else:
            judged += f", again ×{again:.2f}"
        # Time that grows faster than the work is the memory system's (cache and TLB
        # misses over a few hundred megabytes of tree); time that grows with the work is
        # ours. Instructions, counted under callgrind, tell the two apart: they repeat to a
        # few parts in a thousand where these times swing by half.
        counts = instruction_counts(markconv, fitted_paths, source, target)
        if counts is None:
            return points, f"FAIL ({judged}; valgrind is not installed to count instructions)", True
        work = per_doubling(counts, sizes)
        if work <= INSTRUCTION_LIMIT:
            return points, f"linear in instructions (×{work:.2f} per doubling; time {judged})", False
        return points, f"FAIL ({judged}; instructions ×{work:.2f} per doubling)", True
    finally:
        for path in paths:
            os.remove(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--markconv", default=".build-static/release/markconv")
    parser.add_argument("--only", default="")
    parser.add_argument("--ratio", type=float, default=2.3)
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                        help="cases judged at once (each time is the child's own CPU time, so two cases "
                             "on two cores do not slow each other's clock)")
    arguments = parser.parse_args()
    failures = 0
    print("| case | input 1× | 1× s | 2× s | 1×→2× | largest | its s | its MB | verdict |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|---|")
    chosen = [(name, case) for name, case in CASES.items() if arguments.only in name]
    with tempfile.TemporaryDirectory() as folder, \
            concurrent.futures.ThreadPoolExecutor(max_workers=max(1, arguments.jobs)) as pool:
        judged = [pool.submit(judge, arguments.markconv, folder, name, source, build, arguments.ratio, *target)
                  for name, (source, build, *target) in chosen]
        # Rows in the table's order, each as soon as it and those before it are done.
        for (name, _), future in zip(chosen, judged):
            points, verdict, failed = future.result()
            failures += failed
            (first, first_size) = points[0]
            second = f"{points[1][0].seconds:.3f}" if len(points) > 1 else "–"
            first_doubling = (f"{per_doubling([first.seconds, points[1][0].seconds], [first_size, points[1][1]]):.2f}"
                              if len(points) > 1 else "–")
            largest = f"{2 ** (len(points) - 1)}× ({points[-1][1] / 1e6:.1f} MB)"
            print(f"| {name} | {first_size:,} | {first.seconds:.3f} | {second} | {first_doubling} "
                  f"| {largest} | {points[-1][0].seconds:.3f} | {points[-1][0].megabytes:.0f} | {verdict} |", flush=True)
    print(f"\n{failures} failing case(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
