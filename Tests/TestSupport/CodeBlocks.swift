import Foundation

/// The fenced code blocks of a Markdown file, for the tests that run what the README and
/// the DocC articles show.
public struct CodeBlock: Sendable {
    /// The info string after the fence: `swift`, `console`, `sh` …
    public var language: String
    public var lines: [String]

    /// Every block fenced with three or more backticks; a block closes at a line of exactly
    /// its own fence, so a longer fence can hold a shorter one.
    public static func all(in markdown: String) -> [CodeBlock] {
        var blocks: [CodeBlock] = []
        var open: (fence: String, block: CodeBlock)?
        for line in markdown.components(separatedBy: "\n") {
            if let current = open {
                if line.trimmingCharacters(in: .whitespaces) == current.fence {
                    blocks.append(current.block)
                    open = nil
                } else {
                    open!.block.lines.append(line)
                }
            } else if line.trimmingCharacters(in: .whitespaces).hasPrefix("```") {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                let fence = String(trimmed.prefix { $0 == "`" })
                open = (fence, CodeBlock(language: String(trimmed.dropFirst(fence.count)), lines: []))
            }
        }
        return blocks
    }
}
