import ArgumentParser
import MarkupKit

/// How Markdown output lays out nested lists, shared by `markconv`, `markconv roundtrip`
/// and `markconv batch` so that all three accept and refuse the same values.
struct MarkdownLayout: ParsableArguments {
    @Option(help: ArgumentHelp("Indent nested lists in Markdown output by at least N spaces, 1 to 8 (4 for PHP Markdown, as Friendica and Hubzilla use).",
                               valueName: "n"))
    var listIndent: Int?

    mutating func validate() throws {
        if let listIndent, !(1...8).contains(listIndent) {
            throw ValidationError("--list-indent takes 1 to 8 spaces")
        }
    }

    var listIndentation: MarkdownWriter.ListIndentation { Self.listIndentation(listIndent) }

    static func listIndentation(_ listIndent: Int?) -> MarkdownWriter.ListIndentation {
        listIndent.map { .atLeast($0) } ?? .contentColumn
    }

    /// The same option as command-line arguments, for the worker processes of a batch.
    var arguments: [String] { listIndent.map { ["--list-indent", String($0)] } ?? [] }
}
