#!/usr/bin/env python3
"""Size-driven hostile inputs at two scales: does each take at most linear time?

Generates every case at --scale 1 and 2 (the inputs are the pathological patterns that
docs/SECURITY.md lists: cmark's and markdown-it's pathological suites, GFM's table and
autolink storms, deep and broken BBCode, encoding floods), converts each with markconv
to HTML, and prints the time at each scale and their ratio per doubling of the input's
bytes. A case passes when that ratio is at most 2.3 (a run under 0.25 s at 2× is fast whatever
its ratio: at that size a process start and page faults are most of the time),
or when markconv gives up with exit 65 ("input too complex", here after 2 s) — the guard
on Debian's cmark-gfm 0.29, whose slow inputs newer releases fixed. Exits 1 if any fails.

Usage: bench/hostile_sizes.py [--markconv PATH] [--only SUBSTRING] [--ratio 2.3]
"""
import argparse
import itertools
import os
import subprocess
import sys
import tempfile
import time


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


# name: (format, builder(scale) -> str or bytes)
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
}


def run(markconv, path, source):
    started = time.perf_counter()
    result = subprocess.run([markconv, "--lossy-utf8", "--parse-time-limit", "2", "-f", source, "-t", "html", path],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - started, result.returncode, result.stderr.decode(errors="replace")


def cmark_time(path):
    """cmark-gfm's own time on a Markdown input (the Debian command, same library)."""
    started = time.perf_counter()
    try:
        subprocess.run(["cmark-gfm", "-e", "table", "-e", "strikethrough", "-e", "autolink", "-e", "tagfilter",
                        "-e", "tasklist", path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
    except subprocess.TimeoutExpired:
        return 30.0
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--markconv", default=".build/release/markconv")
    parser.add_argument("--only", default="")
    parser.add_argument("--ratio", type=float, default=2.3)
    arguments = parser.parse_args()
    failures = 0
    print("| case | input 1× | 1× s | 2× s | per doubling | result |")
    print("|---|--:|--:|--:|--:|---|")
    with tempfile.TemporaryDirectory() as folder:
        for name, (source, build) in CASES.items():
            if arguments.only not in name:
                continue
            times, statuses, sizes, cmark_times = [], [], [], []
            for scale in (1, 2):
                content = build(scale)
                data = content if isinstance(content, bytes) else content.encode()
                path = os.path.join(folder, f"{name}-{scale}")
                with open(path, "wb") as file:
                    file.write(data)
                sizes.append(len(data))
                # The best of two runs: the machine's noise is not the converter's.
                best = run(arguments.markconv, path, source)
                for _ in range(4 if best[0] < 1 else 0):
                    best = min(best, run(arguments.markconv, path, source))
                times.append(best[0])
                statuses.append(best[1])
                if source == "gfm" and best[0] > 0.05:
                    cmark_times.append(cmark_time(path))
                os.remove(path)
            # Per doubling of the input's bytes (a few generators grow faster than their scale).
            growth = sizes[1] / sizes[0]
            ratio = (times[1] / times[0]) * 2 / growth if times[0] > 0 else 0
            if statuses == [65, 65]:
                verdict = "guarded: exit 65 at both scales"
            elif any(status != 0 for status in statuses):
                verdict = f"FAIL: exit {statuses}"
            elif times[1] < 0.25 or ratio <= arguments.ratio:
                verdict = "linear"
            else:
                verdict = f"FAIL: ×{ratio:.2f} per doubling"
            if verdict.startswith("FAIL") and statuses[1] == 65 and statuses[0] == 0:
                verdict = "guarded: exit 65 at 2×"
            if verdict.startswith("FAIL") and len(cmark_times) == 2 and cmark_times[0] > 0:
                own = (cmark_times[1] / cmark_times[0]) * 2 / growth
                if own > arguments.ratio:
                    # Debian's cmark-gfm is as slow on its own: not ours to fix, and the
                    # deadline bounds it.
                    verdict = f"cmark-gfm 0.29 alone: ×{own:.2f} ({cmark_times[0]:.2f} s, {cmark_times[1]:.2f} s); the deadline bounds it"
            failures += verdict.startswith("FAIL")
            print(f"| {name} | {sizes[0]:,} | {times[0]:.3f} | {times[1]:.3f} | {ratio:.2f} | {verdict} |", flush=True)
    print(f"\n{failures} failing case(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
