#!/usr/bin/env python3
"""Instruction counts (valgrind's callgrind) of markconv against cmark-gfm and pandoc on
the same inputs, in one run: real documentation (bench/out/real, Node.js's API reference
as Debian ships it in nodejs-doc) and the generated posts (bench/out/gfm-1x.md,
bench/out/phpbb-1x.bbcode).

Instruction counts repeat to a few parts in a thousand on this machine, where wall times
swing by ±20 %, so the ratios here are the ones the targets are checked against. Each
binary is copied and stripped first: valgrind 3.19 cannot read the DWARF 5 that Swift
writes, and the symbol table alone is what a profile needs.

Paths and targets (issue 14):
  md → html          markconv -f gfm -t html   ≤ 1.25 × cmark-gfm (six extensions)
  md → gfm           markconv -f gfm -t gfm    ≤ 1.5  × cmark-gfm -t commonmark
  md → bbcode_phpbb  markconv                  ≤ 1.4  × cmark-gfm's md → html
  html → gfm         markconv -f html -t gfm   reported against pandoc -f html -t gfm
  bbcode_phpbb → html                          instructions per byte, startup excluded

"startup" is a run on an empty input: what any run costs before it reads a byte. The
in-process figures subtract it.

Usage: instructions.py [--markconv PATH] [--no-pandoc] [--write docs/PERFORMANCE.md]
(--write replaces the part between <!-- instructions:start --> and <!-- instructions:end -->.)
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

from run import reference_tools, write_section

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "bench", "out")
GFM_EXTENSIONS = ["table", "strikethrough", "autolink", "tagfilter", "tasklist", "footnotes"]
# The real documents, by what each is heavy in.
REAL = [
    ("fs.md", "code spans, links, nested lists, HTML comments"),
    ("crypto.md", "code blocks, code spans, links"),
    ("webcrypto.md", "tables"),
    ("deprecations.md", "raw HTML blocks"),
    ("node-api.md", "all 64 pages of the API reference in one file"),
]


def instructions(command, input_path):
    """Instructions executed by `command` reading `input_path` on stdin."""
    with open(input_path, "rb") as stdin, tempfile.NamedTemporaryFile() as log:
        result = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                                 f"--log-file={log.name}"] + command,
                                stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        text = open(log.name).read()
    found = re.search(r"Collected : (\d+)", text)
    if result.returncode != 0 or not found:
        sys.exit(f"failed under valgrind: {' '.join(command)}\n{text[-2000:]}")
    return int(found.group(1))


def stripped_copy(path, directory):
    copy = os.path.join(directory, os.path.basename(path))
    shutil.copy(path, copy)
    subprocess.run(["strip", copy], check=True)
    return copy


def mega(count):
    return f"{count / 1e6:,.1f} M"


def main():
    arguments = sys.argv[1:]
    markconv_path = arguments[arguments.index("--markconv") + 1] if "--markconv" in arguments \
        else os.path.join(ROOT, ".build-static", "release", "markconv")
    write = arguments[arguments.index("--write") + 1] if "--write" in arguments else None
    if not shutil.which("valgrind"):
        sys.exit("instructions.py: valgrind is needed (apt-get install valgrind)")
    cmark = shutil.which("cmark-gfm")
    if not cmark:
        sys.exit("instructions.py: cmark-gfm is needed (apt-get install cmark-gfm)")
    pandoc = None if "--no-pandoc" in arguments else reference_tools()[0]

    scratch = tempfile.mkdtemp()
    markconv = stripped_copy(markconv_path, scratch)
    cmark_html = [cmark] + sum((["-e", e] for e in GFM_EXTENSIONS), [])
    cmark_commonmark = cmark_html + ["-t", "commonmark"]
    empty = os.path.join(scratch, "empty.md")
    open(empty, "w").close()
    startup = instructions([markconv, "-f", "gfm", "-t", "html"], empty)
    cmark_startup = instructions(cmark_html, empty)

    documents = [(os.path.join(OUT, "real", name), name, what) for name, what in REAL]
    documents = [d for d in documents if os.path.exists(d[0])]
    if not documents:
        print("instructions.py: no real documents in bench/out/real (bench/run fetches them)", file=sys.stderr)
    documents.append((os.path.join(OUT, "gfm-1x.md"), "gfm-1x.md", "generated forum posts (bench/generate.py)"))

    lines = [
        f"Instructions (callgrind, stripped binaries), one run. Startup (an empty input): markconv "
        f"{mega(startup)}, cmark-gfm {mega(cmark_startup)}; each ratio is whole runs, the in-process "
        f"one (in brackets) subtracts each program's startup.",
        "",
        "| document | size | md → html ÷ cmark-gfm (≤ 1.25) | md → gfm ÷ cmark-gfm -t commonmark (≤ 1.5) "
        "| md → bbcode_phpbb ÷ cmark-gfm md → html (≤ 1.4) | cmark-gfm md → html |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    misses = []
    for path, name, what in documents:
        size = os.path.getsize(path)
        reference = instructions(cmark_html, path)
        reference_commonmark = instructions(cmark_commonmark, path)
        ours = {target: instructions([markconv, "-f", "gfm", "-t", target], path)
                for target in ("html", "gfm", "bbcode_phpbb")}

        def ratio(mine, theirs, target, label):
            whole = mine / theirs
            inside = (mine - startup) / max(theirs - cmark_startup, 1)
            if whole > target:
                misses.append(f"{label} on {name}: {whole:.2f}× (target ≤ {target})")
            mark = "" if whole <= target else " ✗"
            return f"**{whole:.2f}**{mark} ({inside:.2f})"

        lines.append(f"| {name} ({what}) | {size / 1e3:,.0f} kB "
                     f"| {ratio(ours['html'], reference, 1.25, 'md → html')} "
                     f"| {ratio(ours['gfm'], reference_commonmark, 1.5, 'md → gfm')} "
                     f"| {ratio(ours['bbcode_phpbb'], reference, 1.4, 'md → bbcode_phpbb')} "
                     f"| {mega(reference)} |")

    # BBCode → HTML: instructions per byte with startup taken out.
    archive = os.path.join(OUT, "phpbb-1x.bbcode")
    if os.path.exists(archive):
        size = os.path.getsize(archive)
        total = instructions([markconv, "-f", "bbcode_phpbb", "-t", "html"], archive)
        per_byte = (total - startup) / size
        lines += ["", f"bbcode_phpbb → html, {size / 1e6:.1f} MB of phpBB posts: {mega(total)} "
                      f"({per_byte:.1f} instructions per byte in process; cmark-gfm's md → html on "
                      f"gfm-1x.md: {(instructions(cmark_html, os.path.join(OUT, 'gfm-1x.md')) - cmark_startup) / os.path.getsize(os.path.join(OUT, 'gfm-1x.md')):.1f})."]

    # HTML → GFM against pandoc, on cmark-gfm's HTML of the real documents.
    if pandoc:
        lines += ["", "| html → gfm | size | markconv | pandoc | pandoc ÷ markconv |", "|---|--:|--:|--:|--:|"]
        for path, name, _ in documents[:2]:
            html = os.path.join(scratch, name + ".html")
            with open(path, "rb") as source, open(html, "wb") as target:
                subprocess.run(cmark_html + ["--unsafe"], stdin=source, stdout=target, check=True)
            mine = instructions([markconv, "-f", "html", "-t", "gfm"], html)
            theirs = instructions([pandoc, "-f", "html", "-t", "gfm"], html)
            lines.append(f"| {name} as cmark-gfm's HTML | {os.path.getsize(html) / 1e3:,.0f} kB | {mega(mine)} "
                         f"| {mega(theirs)} | **{theirs / mine:.1f}×** |")
    else:
        lines += ["", "pandoc was not found (pip install pypandoc-binary): html → gfm is not compared."]

    if misses:
        lines += ["", "Targets missed: " + "; ".join(misses) + "."]
    shutil.rmtree(scratch)
    report = "\n".join(lines)
    print(report)
    if write:
        write_section(write, "instructions", report)


if __name__ == "__main__":
    main()
