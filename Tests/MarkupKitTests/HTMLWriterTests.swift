import MarkupKit
import MarkupKitTestSupport
import Testing

@Suite struct HTMLWriterTests {
    private func html(_ markdown: String, unsafe: Bool = false) throws -> String {
        try MarkupKit.convert(markdown, from: .gfm, to: .html, options: ConversionOptions(allowsRawHTML: unsafe)).output
    }

    @Test func safeByDefaultAsCmarkIs() throws {
        #expect(try html("[a](javascript:alert(1)) [b](JaVaScRiPt:x) ![c](vbscript:x) [d](data:text/html,x)\n")
            == "<p><a href=\"\">a</a> <a href=\"\">b</a> <img src=\"\" alt=\"c\" /> <a href=\"\">d</a></p>\n")
        // Stricter than cmark, which lets four data: image types through: images are
        // http, https or relative only (URLPolicy.standard).
        #expect(try html("![p](data:image/png;base64,AA==)\n") == "<p><img src=\"\" alt=\"p\" /></p>\n")
        #expect(try html("![p](data:image/png;base64,AA==)\n", unsafe: true)
            == "<p><img src=\"data:image/png;base64,AA==\" alt=\"p\" /></p>\n")
        #expect(try html("<script>alert(1)</script>\n") == "<!-- raw HTML omitted -->\n")
        #expect(try html("x <img src=x onerror=alert(1)>\n") == "<p>x <!-- raw HTML omitted --></p>\n")
    }

    @Test func unsafePassesRawHTMLThroughWithGFMsTagfilter() throws {
        #expect(try html("<b>ok</b> <script>x</script>\n", unsafe: true) == "<p><b>ok</b> &lt;script>x&lt;/script></p>\n")
        #expect(try html("<div>\n<iframe src=x>\n</div>\n", unsafe: true) == "<div>\n&lt;iframe src=x>\n</div>\n")
        let commonmark = try MarkupKit.convert("<script>x</script>\n", from: .commonmark, to: .html,
                                               options: ConversionOptions(allowsRawHTML: true)).output
        #expect(commonmark == "<script>x</script>\n")
    }

    @Test func omittedRawHTMLIsReportedOnce() throws {
        let result = try MarkupKit.convert("<b>x</b>\n\n<div></div>\n", from: .gfm, to: .html)
        #expect(result.warnings.map(\.description) == [
            "1:1: 3 raw HTML elements were omitted from safe HTML output; --unsafe passes trusted HTML through",
        ])
    }

    @Test func escapingOfTextAndURLs() throws {
        #expect(try html("a < b & \"c\" 'd'\n") == "<p>a &lt; b &amp; &quot;c&quot; 'd'</p>\n")
        #expect(try html("[x](<a b?c=d&e='f'>)\n") == "<p><a href=\"a%20b?c=d&amp;e=&#x27;f&#x27;\">x</a></p>\n")
        #expect(try html("[x](/ü \"t\\\"\")\n") == "<p><a href=\"/%C3%BC\" title=\"t&quot;\">x</a></p>\n")
    }

    @Test func footnotesReferencedFromInsideOtherFootnotesAreNumberedInSourceOrder() throws {
        let markdown = "[^1]: see [^2]\n\nx[^1] y[^2]\n\n[^2]: two\n"
        #expect(try html(markdown) == CmarkOracle.html(markdown, extensions: MarkdownExtensions.gfm.names, unsafe: false))
    }

    @Test func foreignRawContentIsKeptAsTextWithAWarning() throws {
        var builder = DocumentBuilder()
        builder.open(.paragraph)
        builder.addLeaf(.rawInline(format: .bbcode, content: builder.storeText("[b]x[/b] <i>")))
        let result = HTMLWriter().write(builder.finish())
        #expect(result.text == "<p>[b]x[/b] &lt;i&gt;</p>\n")
        #expect(result.warnings.count == 1)
    }

    @Test func everyNodeKindHasAnHTMLForm() throws {
        // The writer's switch is exhaustive; this checks it also balances its tags.
        var builder = DocumentBuilder()
        builder.open(.table(columns: [.left, .right]))
        builder.open(.tableRow(isHeader: true))
        builder.open(.tableCell); builder.addText("h"); builder.close()
        builder.close()
        builder.open(.tableRow(isHeader: false))
        builder.open(.tableCell); builder.addText("c"); builder.close()
        builder.open(.tableCell); builder.addLeaf(.footnoteReference(label: "n")); builder.close()
        builder.close()
        builder.close()
        builder.open(.footnoteDefinition(label: "n"))
        builder.addLeaf(.codeBlock(info: "sh x", code: builder.storeText("echo <hi>\n")))
        builder.close()
        let html = HTMLWriter().write(builder.finish()).text
        #expect(html == """
            <table>
            <thead>
            <tr>
            <th align="left">h</th>
            </tr>
            </thead>
            <tbody>
            <tr>
            <td align="left">c</td>
            <td align="right"><sup class="footnote-ref"><a href="#fn-n" id="fnref-n" data-footnote-ref>1</a></sup></td>
            </tr>
            </tbody>
            </table>
            <section class="footnotes" data-footnotes>
            <ol>
            <li id="fn-n">
            <pre><code class="language-sh">echo &lt;hi&gt;
            </code></pre>
            <a href="#fnref-n" class="footnote-backref" data-footnote-backref aria-label="Back to content">↩</a>
            </li>
            </ol>
            </section>

            """)
    }
}
