#!/usr/bin/env python3
"""Writes the benchmark inputs: a ~2 MB GFM document made of varied forum-style posts
(gfm-Kx.md), and a ~2 MB archive of phpBB posts (phpbb-Kx.bbcode) written the way
phpBB users write them, independently of markconv's own BBCode writer.

Usage: generate.py OUTDIR [--scale K]   (K copies of each 2 MB document, default 1)
       generate.py OUTDIR --posts N       (posts-N.jsonl and phpbb-posts-N.jsonl: N posts as
                                           JSON Lines, for markconv batch)

The posts are deterministic (seeded) so every run measures the same bytes.
"""
import os
import random
import sys

WORDS = ("the quick brown fox jumps over a lazy dog while forum users argue about "
         "markup nested lists tables code quotes links emphasis and everything else "
         "converter release notes bug report feature request thank you").split()


# Markup given to a word, by cumulative probability: (upper bound, format).
MARKDOWN_MARKS = [
    (0.05, "*{w}*"), (0.08, "**{w}**"), (0.10, "`{w}()`"), (0.12, "[{w}](https://example.com/{w}?a=1&b=2)"),
    (0.13, "~~{w}~~"), (0.135, "www.example.org/path"),
]
PHPBB_MARKS = [
    (0.05, "[i]{w}[/i]"), (0.08, "[b]{w}[/b]"), (0.09, "[u]{w}[/u]"),
    (0.11, "[url=https://example.com/{w}?a=1&b=2]{w}[/url]"), (0.12, "[color=#c00]{w}[/color]"),
    (0.125, "[size=150]{w}[/size]"), (0.13, "[url]https://www.example.org/path[/url]"),
]


def marked_sentence(rng, marks, n=None):
    n = n or rng.randint(6, 18)
    words = [rng.choice(WORDS) for _ in range(n)]
    for i in range(len(words)):
        r = rng.random()
        for bound, form in marks:
            if r < bound:
                words[i] = form.format(w=words[i])
                break
    return " ".join(words).capitalize() + rng.choice([".", ".", "!", "?"])


def sentence(rng, n=None):
    return marked_sentence(rng, MARKDOWN_MARKS, n)


def post(rng, number):
    out = [f"## Post {number}: {sentence(rng, 4)[:-1]}", ""]
    for _ in range(rng.randint(1, 3)):
        out += [" ".join(sentence(rng) for _ in range(rng.randint(2, 5))), ""]
    # A nested list, bullets and numbers mixed.
    for i in range(rng.randint(2, 4)):
        out.append(f"{i + 1}. {sentence(rng, 6)}")
        for _ in range(rng.randint(0, 3)):
            out.append(f"   - {sentence(rng, 5)}")
            if rng.random() < 0.3:
                out.append(f"     - [{'x' if rng.random() < 0.5 else ' '}] {sentence(rng, 4)}")
    out.append("")
    if rng.random() < 0.6:
        out += ["> " + sentence(rng), "> " + sentence(rng), ">", "> > " + sentence(rng, 5), ""]
    if rng.random() < 0.5:
        lang = rng.choice(["swift", "python", "c", ""])
        out += [f"```{lang}", "func f(x: Int) -> Int {", "    return x < 10 && x > 0 ? x : 0", "}", "```", ""]
    if rng.random() < 0.4:
        out += ["| name | value | note |", "|:-----|------:|:----:|"]
        for _ in range(rng.randint(2, 5)):
            out.append(f"| {rng.choice(WORDS)} | {rng.randint(1, 999)} | {sentence(rng, 3)} |")
        out.append("")
    if rng.random() < 0.3:
        out += [f"A claim that needs a source[^n{number}].", "", f"[^n{number}]: {sentence(rng, 8)}", ""]
    if rng.random() < 0.3:
        out += ["---", ""]
    return "\n".join(out) + "\n"


def bbcode_sentence(rng, n=None):
    return marked_sentence(rng, PHPBB_MARKS, n)


def bbcode_post(rng, number):
    """One phpBB post: quotes with the quote button's attribution, nested lists, code."""
    out = []
    if rng.random() < 0.5:
        out.append(f'[quote="user{rng.randint(1, 500)}" post_id={rng.randint(1, 99999)} '
                   f'time=1700000000 user_id={rng.randint(1, 500)}]{bbcode_sentence(rng)}\n'
                   f'{bbcode_sentence(rng)}[/quote]')
    for _ in range(rng.randint(1, 3)):
        out += [" ".join(bbcode_sentence(rng) for _ in range(rng.randint(2, 5))), ""]
    out.append(rng.choice(["[list]", "[list=1]"]))
    for _ in range(rng.randint(2, 4)):
        out.append(f"[*]{bbcode_sentence(rng, 6)}")
        if rng.random() < 0.5:
            out.append(rng.choice(["[list]", "[list=a]"]))
            for _ in range(rng.randint(1, 3)):
                out.append(f"[*]{bbcode_sentence(rng, 5)}")
            out.append("[/list]")
    out += ["[/list]", ""]
    if rng.random() < 0.4:
        lang = rng.choice(["=php", "=python", ""])
        out += [f"[code{lang}]", "function f($x) {", "    return $x < 10 && $x > 0 ? $x : 0; // [b]not bold[/b]", "}",
                "[/code]", ""]
    if rng.random() < 0.2:
        out += ["[img]https://example.com/picture.png[/img]", ""]
    return "\n".join(out) + "\n"


def write_scaled(outdir, name, document, scale):
    with open(os.path.join(outdir, name), "w") as f:
        for _ in range(scale):
            f.write(document)
            f.write("\n")


def write_posts(outdir, count):
    """N posts of each kind as JSON Lines: {"id": n, "text": …, "forum": …}."""
    import json
    rng = random.Random(20261129)
    for name, make in ((f"posts-{count}.jsonl", post), (f"phpbb-posts-{count}.jsonl", bbcode_post)):
        with open(os.path.join(outdir, name), "w") as f:
            for number in range(count):
                f.write(json.dumps({"id": number, "text": make(rng, number), "forum": "general"}) + "\n")


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    outdir = sys.argv[1]
    if "--posts" in sys.argv:
        os.makedirs(outdir, exist_ok=True)
        write_posts(outdir, int(sys.argv[sys.argv.index("--posts") + 1]))
        return
    scale = int(sys.argv[sys.argv.index("--scale") + 1]) if "--scale" in sys.argv else 1
    rng = random.Random(20261128)
    os.makedirs(outdir, exist_ok=True)
    write_scaled(outdir, f"gfm-{scale}x.md", about_two_megabytes(rng, post), scale)
    write_scaled(outdir, f"phpbb-{scale}x.bbcode", about_two_megabytes(rng, bbcode_post), scale)


def about_two_megabytes(rng, make):
    """Posts made by `make`, joined, until they reach 2 MB."""
    posts = []
    size = 0
    number = 0
    while size < 2_000_000:
        number += 1
        text = make(rng, number)
        posts.append(text)
        size += len(text.encode())
    return "\n".join(posts)

if __name__ == "__main__":
    main()
