/// Generates forum posts in Markdown built around nested lists — the thing cross-posting
/// breaks most often: lists up to six deep, bullet and ordered mixed, start numbers, code
/// blocks and quotes inside items, emphasis, links whose URLs hold `&` and `?`, and text
/// that looks like markup in one format or the other (`[b]`, `*`).
///
/// Each post is written the way a person would type it, so the Markdown reader, not the
/// generator, decides what the tree is.
public struct NestedListPostGenerator {
    var random: SeededGenerator
    /// Whether this post may use what not every forum has: start numbers, code languages,
    /// inline code. About half the posts stay within what every dialect expresses, so the
    /// exact-HTML check has documents for every dialect.
    let usesRichFeatures: Bool
    let targetDepth: Int

    public init(seed: UInt64) {
        random = SeededGenerator(seed: seed)
        usesRichFeatures = seed % 2 == 1
        targetDepth = Int(seed % 6) + 1
    }

    public mutating func post() -> String {
        var blocks: [String] = [sentence(words: 6) + ":"]
        let lists = Int.random(in: 1...2, using: &random)
        for number in 0..<lists {
            blocks.append(list(depth: 1, mustReach: number == 0 ? targetDepth : 1, indent: ""))
            if number + 1 < lists { blocks.append(sentence(words: 5) + ".") }
        }
        if chance(0.5) { blocks.append(sentence(words: 8) + ".") }
        return blocks.joined(separator: "\n\n") + "\n"
    }

    // MARK: Lists

    /// A list's kind and start: nil for a bullet list.
    private mutating func listStart() -> Int? {
        guard chance(0.5) else { return nil }
        return usesRichFeatures && chance(0.4) ? Int.random(in: 2...12, using: &random) : 1
    }

    private mutating func list(depth: Int, mustReach: Int, indent: String) -> String {
        list(start: listStart(), depth: depth, mustReach: mustReach, indent: indent)
    }

    private mutating func list(start: Int?, depth: Int, mustReach: Int, indent: String) -> String {
        let ordered = start != nil
        let start = start ?? 1
        let bullet = pick(["-", "*", "+"])
        let delimiter = pick([".", ")"])
        let loose = chance(0.25)
        let count = Int.random(in: 1...4, using: &random)
        var items: [String] = []
        for number in 0..<count {
            let marker = ordered ? "\(start + number)\(delimiter) " : "\(bullet) "
            let contentIndent = indent + String(repeating: " ", count: marker.count)
            var lines = [indent + marker + itemText()]
            if chance(0.12) {
                lines.append("")
                lines.append(contentsOf: codeBlock().map { $0.isEmpty ? "" : contentIndent + $0 })
            }
            if chance(0.12) {
                // A quote inside the item, after a blank line so it is not a lazy line.
                lines.append("")
                lines.append(contentIndent + "> " + sentence(words: 5))
                if chance(0.5) { lines.append(contentIndent + "> " + sentence(words: 3)) }
            }
            let mustNest = number == 0 && mustReach > depth
            if depth < 6 && (mustNest || chance(0.3 / Double(depth))) {
                let nestedStart = listStart()
                // Only a list starting at 1 may interrupt a paragraph.
                if lines.count > 1 || (nestedStart ?? 1) != 1 { lines.append("") }
                lines.append(list(start: nestedStart, depth: depth + 1, mustReach: mustNest ? mustReach : depth + 1,
                                  indent: contentIndent))
            }
            items.append(lines.joined(separator: "\n"))
        }
        return items.joined(separator: loose ? "\n\n" : "\n")
    }

    private mutating func codeBlock() -> [String] {
        let language = usesRichFeatures && chance(0.6) ? pick(["swift", "sh", "python"]) : ""
        var lines = ["```" + language]
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            lines.append(pick(["let x = [b]1[/b]", "echo \"a & b\" | grep -v '*'", "  indented()", "for i in 1...3 { print(i) }"]))
        }
        lines.append("```")
        return lines
    }

    // MARK: Inline content

    private mutating func itemText() -> String {
        var parts: [String] = [capitalized(word())]
        for _ in 0..<Int.random(in: 1...5, using: &random) {
            switch Int.random(in: 0..<12, using: &random) {
            case 0: parts.append("*\(word())*")
            case 1: parts.append("**\(word()) \(word())**")
            case 2 where usesRichFeatures: parts.append("`\(pick(["make install", "[b]", "a*b", "x && y"]))`")
            case 3: parts.append("[\(word())](https://example.com/\(word())?q=\(word())&page=2)")
            case 4: parts.append(pick(["[b]", "[/b]", "[quote]", "[list]"]))
            case 5: parts.append(pick(["2 \\* 3", "\\*stars\\*", "a \\* b"]))
            case 6: parts.append("R&D")
            default: parts.append(word())
            }
        }
        return parts.joined(separator: " ")
    }

    private mutating func sentence(words: Int) -> String {
        capitalized((0..<words).map { _ in word() }.joined(separator: " "))
    }

    private mutating func word() -> String {
        pick(["install", "forum", "post", "list", "nested", "item", "quote", "code", "Debian", "phpBB", "link",
              "bold", "tree", "step", "über", "naïve", "日本", "next", "again", "done"])
    }

    private func capitalized(_ text: String) -> String {
        text.prefix(1).uppercased() + text.dropFirst()
    }

    // MARK: Randomness

    private mutating func chance(_ probability: Double) -> Bool {
        Double.random(in: 0..<1, using: &random) < probability
    }

    private mutating func pick<T>(_ choices: [T]) -> T {
        choices[Int.random(in: 0..<choices.count, using: &random)]
    }
}
