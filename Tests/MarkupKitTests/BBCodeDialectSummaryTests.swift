import MarkupKit
import Testing

/// `markconv --describe` and the README's dialect table promise, kind by kind, what a
/// forum gets and when the writer warns. Each kind is written here in the form that
/// costs the most (a language on the code block, a start number on the list, a title on
/// the spoiler …), and the writer must warn exactly for the kinds the dialect's table
/// says it degrades.
@Suite struct BBCodeDialectSummaryTests {
    /// Content of each kind, as HTML (the reader that reaches every node kind).
    static let samples: [String: [String]] = [
        "bold": ["<p><b>x</b></p>"],
        "italic": ["<p><i>x</i></p>"],
        "underline": ["<p><u>x</u></p>"],
        "strikethrough": ["<p><s>x</s></p>"],
        "sub/superscript": ["<p>H<sub>2</sub>O</p>", "<p>x<sup>2</sup></p>"],
        "colour": ["<p><span style=\"color: #ff0000\">x</span></p>", "<p><span style=\"color: teal\">x</span></p>"],
        "size": ["<p><span style=\"font-size: 200%\">x</span></p>", "<p><span style=\"font-size: 24px\">x</span></p>",
                 "<p><span style=\"font-size: 18pt\">x</span></p>", "<p><font size=\"5\">x</font></p>"],
        "font": ["<p><span style=\"font-family: Arial, 'Courier New'\">x</span></p>"],
        "link": ["<p><a href=\"https://a.example/\">x</a></p>", "<p><a href=\"https://a.example/\">https://a.example/</a></p>"],
        "e-mail": ["<p><a href=\"mailto:a@example.com\">a@example.com</a></p>"],
        "image": ["<p><img src=\"https://a.example/i.png\" alt=\"A photo\" width=\"40\" height=\"30\"></p>"],
        "inline code": ["<p>Run <code>make</code>.</p>"],
        "code block": ["<pre><code class=\"language-swift\">let x = 1\n</code></pre>"],
        "quote": ["<blockquote><p>x</p></blockquote>"],
        "bullet list": ["<ul><li>a</li><li>b</li></ul>"],
        "numbered list": ["<ol start=\"3\"><li>a</li></ol>", "<ol type=\"a\"><li>a</li></ol>",
                          "<ol type=\"I\"><li>a</li></ol>"],
        "list depth": [String(repeating: "<ul><li>x", count: 12) + String(repeating: "</li></ul>", count: 12)],
        "heading": (1...6).map { "<h\($0)>x</h\($0)>" },
        "rule": ["<p>a</p><hr><p>b</p>"],
        "table": ["<table><tr><th align=\"right\">a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>"],
        "spoiler": ["<details><summary>Plot</summary><p>x</p></details>"],
        "alignment": ["<p style=\"text-align: center\">x</p>", "<p style=\"text-align: right\">x</p>",
                      "<p style=\"text-align: justify\">x</p>"],
        "literal [tags]": ["<p>Type [b]x[/b] for bold.</p>"],
    ]

    /// Kinds about reading only: nothing to write.
    static let readOnlyKinds: Set<String> = ["tag names"]

    @Test func everyKindInTheTableHasASample() {
        for dialect in BBCodeDialect.all {
            let kinds = Set(dialect.features.map(\.kind)).subtracting(Self.readOnlyKinds)
            #expect(kinds == Set(Self.samples.keys), "\(dialect.name)")
        }
    }

    @Test(arguments: BBCodeDialect.all.map(\.name))
    func theWriterWarnsExactlyForWhatTheTableSaysIsDegraded(_ name: String) throws {
        let dialect = try #require(BBCodeDialect.named(name))
        let degraded = Set(dialect.degradedKinds)
        for (kind, htmls) in Self.samples.sorted(by: { $0.key < $1.key }) {
            var warnings: [String] = []
            for html in htmls {
                let document = try MarkupKit.read(utf8: Array(html.utf8), as: .html).document
                let written = try MarkupKit.write(document, as: .bbcode(dialect))
                warnings += written.warnings.map { "\(html) → \(written.text.debugDescription): \($0.message)" }
            }
            if degraded.contains(kind) {
                #expect(!warnings.isEmpty, "\(name): the table says \(kind) is degraded, but no sample of it warns")
            } else {
                #expect(warnings.isEmpty, "\(name): the table says \(kind) is kept, but:\n\(warnings.joined(separator: "\n"))")
            }
        }
    }
}
