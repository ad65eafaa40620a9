/// A small, seeded, reproducible random number generator (SplitMix64).
public struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

/// Generates random Markdown documents that use every construct cmark-gfm knows — and
/// plenty of near-misses (unclosed emphasis, stray brackets, lazy lines) — to compare our
/// reader and HTML writer against cmark-gfm's renderer on inputs nobody wrote by hand.
public struct MarkdownGenerator {
    var random: SeededGenerator

    public init(seed: UInt64) {
        random = SeededGenerator(seed: seed)
    }

    public mutating func document() -> String {
        var blocks: [String] = []
        for _ in 0..<Int.random(in: 1...6, using: &random) {
            blocks.append(block(depth: 0))
        }
        var text = blocks.joined(separator: pick(["\n\n", "\n", "\n\n\n"]))
        if chance(0.3) {
            // Footnote definitions, sometimes for labels never referenced.
            for label in ["1", "note", "Ab", "x y", "2"].shuffled(using: &random).prefix(Int.random(in: 1...3, using: &random)) {
                // No references inside definitions: cmark-gfm counts those even when it then
                // drops an unreferenced definition, and writes back links to references that
                // no longer exist. Our writer links only references that exist (see
                // docs/ARCHITECTURE.md); HTMLWriterTests covers references in definitions.
                text += "\n\n[^\(label)]: \(inlines(words: 4, footnotes: false))"
                if chance(0.3) { text += "\n\n    \(inlines(words: 3, footnotes: false))" }
            }
        }
        if chance(0.2) { text += "\n\n[ref]: /url \"Title\"\n[Other Ref]: <http://example.com/a b>" }
        return text + (chance(0.8) ? "\n" : "")
    }

    private mutating func block(depth: Int) -> String {
        let choice = Int.random(in: 0..<(depth > 3 ? 7 : 13), using: &random)
        switch choice {
        case 0, 1, 2:
            return paragraph()
        case 3:
            let level = Int.random(in: 1...6, using: &random)
            if level <= 2 && chance(0.4) {
                return inlines(words: 3) + "\n" + (level == 1 ? "===" : "---")
            }
            return String(repeating: "#", count: level) + " " + inlines(words: 4) + (chance(0.2) ? " ##" : "")
        case 4:
            return pick(["***", "---", "___", " * * *"])
        case 5:
            let fence = pick(["```", "~~~", "````"])
            let info = pick(["", "swift", "c++ extra", "a&b", "`x`"])
            let body = (0..<Int.random(in: 0...3, using: &random)).map { _ in pick(["let x = 1 < 2", "  <b>&amp;", "```", "", "\tcode"]) }
            return ([fence + info] + body + [chance(0.9) ? fence : ""]).joined(separator: "\n")
        case 6:
            return pick([
                "<div>\n*not emphasis*\n</div>",
                "<!-- comment -->",
                "<table><tr><td>x</td></tr></table>",
                "<script>alert(1)</script>",
                "    indented code\n    more",
                "<textarea>\n</textarea>",
                "<DIV CLASS=\"a\">\n\n*md*\n\n</DIV>",
            ])
        case 7, 8:
            return list(depth: depth)
        case 9:
            let inner = block(depth: depth + 1)
            var quoted = inner.split(separator: "\n", omittingEmptySubsequences: false).map { "> " + $0 }
            if quoted.count > 1 && chance(0.3) {
                // A lazy continuation line.
                quoted[quoted.count - 1] = String(quoted[quoted.count - 1].dropFirst(2))
            }
            return quoted.joined(separator: "\n")
        case 10:
            return table()
        case 11:
            return paragraph() + "\n" + pick(["- item", "1. one", "> quote", "    not code", "| a |"])
        default:
            return paragraph()
        }
    }

    private mutating func list(depth: Int) -> String {
        let ordered = chance(0.4)
        let bullet = pick(["-", "*", "+"])
        var number = pick([1, 1, 3, 0, 10])
        let delimiter = pick([".", ")"])
        let loose = chance(0.3)
        var items: [String] = []
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let marker = ordered ? "\(number)\(delimiter)" : bullet
            number += 1
            let indent = String(repeating: " ", count: marker.count + 1)
            var content = chance(0.2) ? pick(["[ ] ", "[x] ", "[X] "]) + inlines(words: 3) : inlines(words: 4)
            if depth < 4 && chance(0.35) {
                let child = block(depth: depth + 1)
                let indented = child.split(separator: "\n", omittingEmptySubsequences: false)
                    .map { $0.isEmpty ? "" : indent + $0 }.joined(separator: "\n")
                content += (chance(0.5) ? "\n" : "\n\n") + indented
            }
            items.append(marker + " " + content)
        }
        return items.joined(separator: loose ? "\n\n" : "\n")
    }

    private mutating func table() -> String {
        let columns = Int.random(in: 1...4, using: &random)
        let header = (0..<columns).map { _ in inlines(words: 2) }
        let delimiter = (0..<columns).map { _ in pick(["---", ":--", "--:", ":-:", "-"]) }
        var rows = ["| " + header.joined(separator: " | ") + " |", "|" + delimiter.joined(separator: "|") + "|"]
        for _ in 0..<Int.random(in: 0...3, using: &random) {
            let cells = (0..<Int.random(in: 1...(columns + 1), using: &random)).map { _ in
                pick(["", "a \\| b", "`c|d`", "**x**"]) + inlines(words: 2)
            }
            rows.append((chance(0.5) ? "| " : "") + cells.joined(separator: " | "))
        }
        return rows.joined(separator: "\n")
    }

    private mutating func paragraph() -> String {
        var lines: [String] = []
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            lines.append(inlines(words: Int.random(in: 1...8, using: &random)))
        }
        return lines.joined(separator: pick(["\n", "  \n", "\\\n"]))
    }

    private mutating func inlines(words count: Int, footnotes: Bool = true) -> String {
        (0..<count).map { _ in inline(footnotes: footnotes) }.joined(separator: pick([" ", " ", "", "  "]))
    }

    private mutating func inline(footnotes: Bool) -> String {
        switch Int.random(in: 0..<30, using: &random) {
        case 0: return "*" + word() + "*"
        case 1: return "**" + word() + " " + word() + "**"
        case 2: return "_" + word() + "_"
        case 3: return "`" + pick(["code", "a`b", " x ", "<tag>", "&amp;"]) + "`"
        case 4: return "[" + word() + "](" + pick(["/url", "http://a.b/c?d=e&f=g", "<a b>", "javascript:alert(1)", "#frag", "/u \"t&t\"", "data:image/png;base64,x", "VBScript:x"]) + ")"
        case 5: return "![" + pick(["alt", "*em* alt", "a `c`"]) + "](/img.png" + pick(["", " 'title'"]) + ")"
        case 6: return "<" + pick(["http://example.com/x y", "https://a.b/?q=1&r=2", "mailto:a@b.c", "a@b.co", "made-up:x"]) + ">"
        case 7: return pick(["www.example.com/path", "https://example.org.", "foo@bar.baz", "http://x.y/(z)"])
        case 8: return pick(["<span class=\"x\">", "</span>", "<img src=x onerror=alert(1)>", "<!-- c -->", "<title>", "<script>", "<a href=\"/\">"])
        case 9: return pick(["&amp;", "&copy;", "&#35;", "&#x1F600;", "&bogus;", "&lt;"])
        case 10: return pick(["\\*", "\\[", "\\\\", "\\`", "\\<"])
        case 11: return "~~" + word() + "~~"
        case 12: return "~" + word() + "~"
        case 13 where footnotes: return "[^" + pick(["1", "note", "ab", "missing"]) + "]"
        case 14: return pick(["*", "**", "_", "[", "]", "(", ")", "<", ">", "&", "\"", "'", "|", "!", "~"])
        case 15: return "[" + word() + "][ref]"
        case 16: return "[Other Ref]"
        case 17: return pick(["ä", "日本", "💡", "a\u{301}", "\u{00A0}"])
        case 18: return "***" + word() + "***"
        default: return word()
        }
    }

    private mutating func word() -> String {
        pick(["alpha", "beta", "gamma", "x", "foo", "bar", "a1", "the", "quick", "brown", "fox", "1.", "2)", "#", "-", "+"])
    }

    private mutating func chance(_ probability: Double) -> Bool {
        Double.random(in: 0..<1, using: &random) < probability
    }

    private mutating func pick<T>(_ choices: [T]) -> T {
        choices[Int.random(in: 0..<choices.count, using: &random)]
    }
}
