import MarkupKit

/// Content of each kind a BBCode dialect's table describes (`BBCodeDialect.features`),
/// in the form that costs the most: a language on the code block, a start number on the
/// list, a title on the spoiler, every heading level. Shared by the test that holds the
/// writer to the table and the one that holds the README's list of warnings to the writer.
public enum DialectFeatureSamples {
    /// Content of each kind, as HTML (the reader that reaches every node kind).
    public static let html: [String: [String]] = [
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
        // Past every forum's default limit: 70 000 characters, 140 000 bytes.
        "post length": ["<p>" + String(repeating: "é", count: 70_000) + "</p>"],
    ]

    /// Kinds about reading only: nothing to write.
    public static let readOnlyKinds: Set<String> = ["tag names"]

    /// Each sample of a kind, read as markconv reads HTML and written in the dialect.
    public static func written(_ kind: String, in dialect: BBCodeDialect) throws -> [(sample: String, result: WriteResult)] {
        try (html[kind] ?? []).map { sample in
            let document = try MarkupKit.read(utf8: Array(sample.utf8), as: .html).document
            return (sample, try MarkupKit.write(document, as: .bbcode(dialect)))
        }
    }
}
