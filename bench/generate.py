#!/usr/bin/env python3
"""Writes the benchmark inputs: a ~2 MB GFM document made of varied forum-style posts.

Usage: generate.py OUTDIR [--scale K]   (K copies of the 2 MB document, default 1)

The posts are deterministic (seeded) so every run measures the same bytes.
"""
import os
import random
import sys

WORDS = ("the quick brown fox jumps over a lazy dog while forum users argue about "
         "markup nested lists tables code quotes links emphasis and everything else "
         "converter release notes bug report feature request thank you").split()


def sentence(rng, n=None):
    n = n or rng.randint(6, 18)
    words = [rng.choice(WORDS) for _ in range(n)]
    for i in range(len(words)):
        r = rng.random()
        if r < 0.05:
            words[i] = f"*{words[i]}*"
        elif r < 0.08:
            words[i] = f"**{words[i]}**"
        elif r < 0.10:
            words[i] = f"`{words[i]}()`"
        elif r < 0.12:
            words[i] = f"[{words[i]}](https://example.com/{words[i]}?a=1&b=2)"
        elif r < 0.13:
            words[i] = f"~~{words[i]}~~"
        elif r < 0.135:
            words[i] = "www.example.org/path"
    return " ".join(words).capitalize() + rng.choice([".", ".", "!", "?"])


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


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    outdir = sys.argv[1]
    scale = int(sys.argv[sys.argv.index("--scale") + 1]) if "--scale" in sys.argv else 1
    rng = random.Random(20261128)
    posts = []
    size = 0
    number = 0
    while size < 2_000_000:
        number += 1
        text = post(rng, number)
        posts.append(text)
        size += len(text.encode())
    document = "\n".join(posts)
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, f"gfm-{scale}x.md"), "w") as f:
        for _ in range(scale):
            f.write(document)
            f.write("\n")


if __name__ == "__main__":
    main()
