import Foundation
import MarkupKit
import MarkupKitTestSupport
import Testing

/// Form feed (U+000C) and vertical tab (U+000B) are whitespace to CommonMark, and
/// cmark-gfm keeps them in the text it renders: Markdown input keeps them too (issue 13).
/// NUL and the other C0 controls still become U+FFFD with a warning.
@Suite struct WhitespaceControlTests {
    static let documents = [
        "a\u{0C}b\u{0B}c\n",
        "*\u{0C}x* and *x\u{0B}* and **y**\u{0C}z\n",
        "# heading\u{0C}\n\n- \u{0C}item\n- item\u{0B}\n",
        "```\n\u{0C}code\u{0B}\n```\n\n`\u{0C}span\u{0B}`\n",
        "[link](<u\u{0C}v> \"t\u{0B}\") ![i\u{0C}](/x.png)\n",
        "para\n\u{0C}\nsame paragraph? \u{0B}\n\n> quote\u{0C}\n",
        "| a\u{0C} | b |\n|---|---|\n| \u{0B} | c |\n",
    ]

    /// The HTML is cmark-gfm's, byte for byte, but for vertical tab, which HTML calls a
    /// parse error: we write it as a space (form feed is HTML whitespace and stays).
    @Test(arguments: documents)
    func markdownRendersAsCmarkGFMRendersIt(_ markdown: String) throws {
        let result = try MarkupKit.convert(markdown, from: .gfm, to: .html)
        let cmark = CmarkOracle.html(markdown, extensions: MarkdownExtensions.gfm.names, unsafe: false)
        #expect(result.output == cmark.replacingOccurrences(of: "\u{0B}", with: " "))
        #expect(result.warnings.isEmpty, "\(result.warnings)")
        #expect(HTMLOracle.violations(in: result.output).isEmpty)
    }

    @Test(arguments: documents)
    func markdownKeepsThemThroughMarkdownAndJSON(_ markdown: String) throws {
        let tree = try MarkupKit.read(utf8: Array(markdown.utf8), as: .gfm).document
        #expect(tree.nodes.contains { node in
            guard case .text(let ref) = node.kind else { return false }
            return tree.string(ref).contains { $0 == "\u{0C}" || $0 == "\u{0B}" }
        } || markdown.contains("`"))
        let written = try MarkupKit.write(tree, as: .gfm).text
        #expect(try MarkupKit.read(utf8: Array(written.utf8), as: .gfm).document == tree, "\(written.debugDescription)")
        let json = try MarkupKit.write(tree, as: .json).bytes
        #expect(try MarkupKit.read(utf8: json, as: .json).document == tree)
    }

    /// Forums delete control characters from a post, which would join the words on
    /// either side: BBCode gets the spaces they stand for, with a warning.
    @Test(arguments: BBCodeDialect.all.map(\.name))
    func bbcodeGetsSpacesWithAWarning(_ dialectName: String) throws {
        let dialect = try #require(BBCodeDialect.named(dialectName))
        let result = try MarkupKit.convert("one\u{0C}two\u{0B}three\n", from: .gfm, to: .bbcode(dialect))
        #expect(result.output == "one two three\n")
        let warning = try #require(result.warnings.first { $0.message.contains("form feeds") })
        #expect(warning.position == SourcePosition(line: 1, column: 1))
    }

    @Test func otherControlsStillBecomeReplacementCharacters() throws {
        let result = try MarkupKit.convert("a\u{0}b\u{1B}c\u{7F}d\u{0C}e\n", from: .gfm, to: .gfm)
        #expect(result.output == "a\u{FFFD}b\u{FFFD}c\u{FFFD}d\u{0C}e\n")
        #expect(result.warnings.map(\.message) == ["3 control characters (NUL, other C0, DEL) replaced with U+FFFD"])
    }

    /// BBCode and HTML input are as before: a forum deletes them (phpBB), so they are
    /// replaced with a warning rather than kept as whitespace a forum would not show.
    @Test func bbcodeInputStillReplacesThem() throws {
        let result = try MarkupKit.convert("a\u{0C}b\n", from: .bbcode(.phpBB), to: .html)
        #expect(result.output.contains("a\u{FFFD}b"))
        #expect(!result.warnings.isEmpty)
    }
}
