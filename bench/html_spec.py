#!/usr/bin/env python3
"""HTML -> GFM on the GFM spec's examples, for markconv and the converters people use.

For each of the 671 examples of cmark-gfm's spec.txt, the example's expected HTML is
converted to GFM by each tool, the GFM is rendered by cmark-gfm (all extensions, raw
HTML on), and the result is compared with the expected HTML after the normalisation the
spec's own runner applies (whitespace collapsed outside <pre>, whitespace around block
tags dropped, attributes sorted, references decoded). A tool scores an example when the
two are equal. Failures of markconv are grouped by the spec section they come from.

Usage: bench/html_spec.py [--markconv PATH] [--tools markconv,pandoc,markdownify,html2text]
       [--failures N]  (print the first N markconv failures in full)
"""
import argparse
import gzip
import html
import html.entities
import html.parser
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict

SPEC = "/usr/share/doc/cmark-gfm/spec.txt.gz"
EXTENSIONS = ["table", "strikethrough", "autolink", "tagfilter", "tasklist"]


def examples():
    text = gzip.open(SPEC, "rt", encoding="utf-8").read()
    fence = "`" * 32
    section, result = "", []
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("#"):
            section = line.lstrip("#").strip()
        if line.startswith(fence + " example"):
            options = line[len(fence) + len(" example"):].split()
            markdown, expected, state = [], [], "markdown"
            index += 1
            while not lines[index].startswith(fence):
                if state == "markdown" and lines[index] == ".":
                    state = "html"
                elif state == "markdown":
                    markdown.append(lines[index])
                else:
                    expected.append(lines[index])
                index += 1
            if "disabled" not in options:
                unescape = lambda part: "\n".join(part).replace("\u2192", "\t")
                result.append({"number": len(result) + 1, "section": section,
                               "markdown": unescape(markdown) + "\n" if markdown else "",
                               "html": unescape(expected) + "\n" if expected else ""})
        index += 1
    return result


BLOCK_TAGS = {"article", "header", "aside", "hgroup", "blockquote", "hr", "iframe", "body", "li", "map",
              "button", "object", "canvas", "ol", "caption", "output", "col", "p", "colgroup", "pre", "dd",
              "progress", "div", "section", "dl", "table", "td", "dt", "tbody", "embed", "textarea",
              "fieldset", "tfoot", "figcaption", "th", "figure", "thead", "footer", "tr", "form", "ul",
              "h1", "h2", "h3", "h4", "h5", "h6", "video", "script", "style"}


class Normalizer(html.parser.HTMLParser):
    """The spec runner's normal form, as its documentation describes it."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.out, self.last, self.last_tag, self.in_pre = [], "starttag", "", False

    def text(self):
        return "".join(self.out)

    def strip_end(self):
        joined = self.text().rstrip()
        self.out = [joined]

    def handle_data(self, data):
        after_tag = self.last in ("starttag", "endtag")
        if after_tag and self.last_tag == "br":
            data = data.lstrip("\n")
        if not self.in_pre:
            data = re.sub(r"\s+", " ", data)
            if after_tag and self.last_tag in BLOCK_TAGS:
                data = data.lstrip() if self.last == "starttag" else data.strip()
        self.out.append(data)
        self.last = "data"

    def handle_starttag(self, tag, attrs):
        if tag == "pre":
            self.in_pre = True
        if tag in BLOCK_TAGS:
            self.strip_end()
        rendered = "<" + tag
        for name, value in sorted(attrs, key=lambda pair: (pair[0], pair[1] or "")):
            rendered += " " + name + ("" if value is None else '="' + html.escape(value, quote=True) + '"')
        self.out.append(rendered + ">")
        self.last_tag, self.last = tag, "starttag"

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self.last = "endtag"

    def handle_endtag(self, tag):
        if tag == "pre":
            self.in_pre = False
        elif tag in BLOCK_TAGS:
            self.strip_end()
        self.out.append("</" + tag + ">")
        self.last_tag, self.last = tag, "endtag"

    def handle_comment(self, data):
        self.out.append("<!--" + data + "-->")
        self.last = "comment"

    def handle_decl(self, data):
        self.out.append("<!" + data + ">")
        self.last = "decl"

    unknown_decl = handle_decl

    def handle_pi(self, data):
        self.out.append("<?" + data + ">")
        self.last = "pi"

    def reference(self, character, fallback):
        escapes = {"<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;"}
        self.out.append(fallback if character is None else escapes.get(character, character))
        self.last = "ref"

    def handle_entityref(self, name):
        code = html.entities.name2codepoint.get(name)
        self.reference(None if code is None else chr(code), "&" + name + ";")

    def handle_charref(self, name):
        try:
            character = chr(int(name[1:], 16) if name[:1] in "xX" else int(name))
        except (ValueError, OverflowError):
            character = None
        self.reference(character, "&#" + name + ";")


def normalize(text):
    parser = Normalizer()
    for chunk in re.finditer(r"(<!\[CDATA\[.*?\]\]>|<[^>]*>|[^<]+)", text, re.DOTALL):
        if chunk.group(0).startswith("<![CDATA["):
            parser.out.append(chunk.group(0))
        else:
            parser.feed(chunk.group(0))
    parser.close()
    return parser.text()


def render(markdown):
    command = ["cmark-gfm", "--unsafe"] + [flag for name in EXTENSIONS for flag in ("-e", name)]
    return subprocess.run(command, input=markdown, capture_output=True, text=True, check=True).stdout


def markconv_outputs(markconv, items):
    lines = "".join(json.dumps({"id": item["number"], "text": item["html"]}) + "\n" for item in items)
    run = subprocess.run([markconv, "batch", "-f", "html", "-t", "gfm"], input=lines, capture_output=True,
                         text=True, check=True)
    outputs = {}
    for line in run.stdout.splitlines():
        record = json.loads(line)
        outputs[record["id"]] = record.get("output", "")
    return [outputs[item["number"]] for item in items]


def tool_outputs(tool, items, markconv):
    if tool == "markconv":
        return markconv_outputs(markconv, items)
    if tool == "pandoc":
        import pypandoc
        return [pypandoc.convert_text(item["html"], "gfm", format="html") for item in items]
    if tool == "markdownify":
        from markdownify import markdownify
        return [markdownify(item["html"]) for item in items]
    if tool == "html2text":
        import html2text
        return [html2text.html2text(item["html"]) for item in items]
    raise SystemExit(f"unknown tool {tool}")


def version(tool, markconv):
    try:
        if tool == "markconv":
            return subprocess.run([markconv, "--version"], capture_output=True, text=True).stdout.split("\n")[0]
        if tool == "pandoc":
            import pypandoc
            return "pandoc " + pypandoc.get_pandoc_version()
        from importlib.metadata import version as package_version
        return f"{tool} {package_version(tool)}"
    except Exception as error:  # a missing tool shows as such in the table
        return f"{tool} ({error})"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--markconv", default=".build-static/release/markconv")
    parser.add_argument("--tools", default="markconv,pandoc,markdownify,html2text")
    parser.add_argument("--failures", type=int, default=0)
    arguments = parser.parse_args()
    items = examples()
    expected = [normalize(item["html"]) for item in items]
    print(f"{len(items)} examples from {SPEC}; GFM rendered by cmark-gfm --unsafe -e {' -e '.join(EXTENSIONS)}\n")
    print("| converter | version | examples equal | seconds |")
    print("|---|---|--:|--:|")
    failures_by_tool = {}
    for tool in arguments.tools.split(","):
        try:
            started = time.time()
            outputs = tool_outputs(tool, items, arguments.markconv)
            elapsed = time.time() - started
        except Exception as error:
            print(f"| {tool} | not available: {error} | | |")
            continue
        failed = [(item, output) for item, output, want in zip(items, outputs, expected)
                  if normalize(render(output)) != want]
        failures_by_tool[tool] = failed
        print(f"| {tool} | {version(tool, arguments.markconv)} | {len(items) - len(failed)} of {len(items)} "
              f"| {elapsed:.1f} |")
    failed = failures_by_tool.get("markconv", [])
    if failed:
        print("\nmarkconv failures by spec section:\n")
        for section, count in Counter(item["section"] for item, _ in failed).most_common():
            numbers = ", ".join(str(item["number"]) for item, _ in failed if item["section"] == section)
            print(f"- {section}: {count} ({numbers})")
    for item, output in failed[:arguments.failures]:
        print(f"\n--- example {item['number']} ({item['section']})\nHTML:\n{item['html']}GFM:\n{output}"
              f"rendered:\n{render(output)}")


if __name__ == "__main__":
    main()
