import Foundation
import MarkupKit
import MarkupKitTestSupport
import Testing

/// The HTML reader: what each element becomes, HTML's whitespace rules, broken markup as
/// browsers repair it, what is dropped and said, and the guards on gumbo.
@Suite struct HTMLReaderTests {
    func markdown(_ html: String, to format: Format = .gfm) throws -> Conversion {
        try MarkupKit.convert(html, from: .html, to: format)
    }

    func tree(_ html: String) throws -> Document {
        try HTMLReader().read(html).document
    }

    @Test func paragraphsHeadingsAndInlineFormatting() throws {
        let result = try markdown("""
            <h2>Title</h2>
            <p>Some <em>emphasis</em>, <strong>strong</strong>, <del>gone</del>, <code>x &lt; y</code>
            and <a href="https://example.com/a?b=1&amp;c=2" title="T">a link</a>.</p>
            """)
        #expect(result.output == """
            ## Title

            Some *emphasis*, **strong**, ~~gone~~, `x < y`
            and [a link](https://example.com/a?b=1&c=2 "T").

            """)
        #expect(result.warnings.isEmpty)
    }

    @Test func whitespaceFollowsHTMLRules() throws {
        let document = try tree("<p>  a   <b> b </b>  c\n\n  d  </p><pre>  keep\n    this  </pre>")
        let expected = try MarkupKit.read(utf8: Array("a **b** c\nd\n\n```\n  keep\n    this  \n```\n".utf8), as: .gfm).document
        #expect(document == expected, "\(document.differences(from: expected))")
    }

    @Test func misnestedFormattingIsRepairedAsBrowsersDo() throws {
        #expect(try markdown("<p><b>x<i>y</b>z</i></p>").output == "**x*y***_z_\n")
    }

    @Test func aBlockInsideFormattingSplitsIt() throws {
        let document = try tree("<b>before<div>inside</div>after</b>")
        let expected = try MarkupKit.read(utf8: Array("**before**\n\n**inside**\n\n**after**\n".utf8), as: .gfm).document
        #expect(document == expected, "\(document.differences(from: expected))")
    }

    @Test func listsKeepStartTypeNestingAndTasks() throws {
        let html = """
            <ol start="3" type="i"><li>three<ul><li>nested</li></ul></li><li>four</li></ol>
            <ul><li><input type="checkbox" checked disabled> done</li><li><input type="checkbox"> todo</li></ul>
            """
        let document = try tree(html)
        let kinds = (0..<document.nodeCount).map { document[$0].kind }
        #expect(kinds.contains(.list(ListAttributes(kind: .ordered(start: 3, numbering: .lowerRoman), isTight: true))))
        #expect(kinds.contains(.listItem(task: .checked)))
        #expect(kinds.contains(.listItem(task: .unchecked)))
        let output = try markdown(html).output
        #expect(output.contains("3. three\n   - nested\n4. four\n"), "\(output)")
        #expect(output.contains("- [x] done\n- [ ] todo\n"), "\(output)")
    }

    @Test func aListDirectlyInsideAListBelongsToTheItemBefore() throws {
        let document = try tree("<ul><li>a</li><ul><li>b</li></ul><li>c</li></ul>")
        let expected = try MarkupKit.read(utf8: Array("- a\n  - b\n- c\n".utf8), as: .gfm).document
        #expect(document == expected, "\(document.differences(from: expected))")
    }

    @Test func paragraphsInItemsMakeTheListLoose() throws {
        #expect(try markdown("<ul><li><p>a</p></li><li><p>b</p></li></ul>").output == "- a\n\n- b\n")
    }

    @Test func quotesWithCiteOrCaptionKeepTheirAttribution() throws {
        let cited = try tree(#"<blockquote cite="Ann"><p>hi</p></blockquote>"#)
        #expect(cited[0].kind == .blockQuote(attribution: "Ann"))
        let captioned = try tree(#"<figure class="quote"><figcaption>Bob</figcaption><blockquote><p>yo</p></blockquote></figure>"#)
        #expect(captioned[0].kind == .blockQuote(attribution: "Bob"))
        #expect(try MarkupKit.convert(#"<blockquote cite="Ann"><p>hi</p></blockquote>"#, from: .html,
                                      to: .bbcode(.phpBB)).output == "[quote=\"Ann\"]\nhi\n[/quote]\n")
    }

    @Test func codeBlocksKeepTheirLanguageAndText() throws {
        let document = try tree("<pre><code class=\"language-swift\">let x = 1 &lt; 2\n\n  y()</code></pre>")
        #expect(document[0].kind.displayName == "code block")
        if case .codeBlock(let info, let code) = document[0].kind {
            #expect(info == "swift")
            #expect(document.string(code) == "let x = 1 < 2\n\n  y()\n")
        }
    }

    @Test func tablesKeepHeaderAlignmentAndShape() throws {
        let result = try markdown("""
            <table><thead><tr><th style="text-align: right">n</th><th align="center">name</th></tr></thead>
            <tbody><tr><td>1</td><td>one</td></tr><tr><td>2</td></tr></tbody></table>
            """)
        #expect(result.output == "| n | name |\n| --: | :-: |\n| 1 | one |\n| 2 |  |\n")
        let headless = try tree("<table><tr><td>a</td><td>b</td></tr></table>")
        #expect(headless[1].kind == .tableRow(isHeader: false))
        // What HTML had, HTML gets back: no header, so no <thead> and no <tbody>.
        #expect(try MarkupKit.convert("<table><tr><td>a</td><td>b</td></tr></table>", from: .html, to: .html).output
            == "<table>\n<tr>\n<td>a</td>\n<td>b</td>\n</tr>\n</table>\n")
    }

    @Test func stylesBecomeTypedNodesAndBadValuesNothing() throws {
        let document = try tree("""
            <p><span style="color: #FF0000; font-size: 150%">red</span> \
            <font color="blue" size="5" face="Arial, sans-serif">old</font> \
            <span style="color: expression(alert(1)); font-family: url(x)">plain</span></p>
            <div style="text-align: center">mid</div>
            """)
        let kinds = (0..<document.nodeCount).map { document[$0].kind }
        #expect(kinds.contains(.color(CSSColor(red: 255, green: 0, blue: 0))))
        #expect(kinds.contains(.fontSize(.percent(150))))
        #expect(kinds.contains(.color(CSSColor(red: 0, green: 0, blue: 255))))
        #expect(kinds.contains(.fontSize(.scale(5))))
        #expect(kinds.contains(.alignment(.center)))
        #expect(kinds.filter { if case .color = $0 { true } else { false } }.count == 2)
        #expect(!kinds.contains { if case .font(let family) = $0 { family.names != ["Arial", "sans-serif"] } else { false } })
    }

    @Test func detailsBecomeSpoilersWithTheirTitle() throws {
        let document = try tree("<details><summary> Plot  twist </summary><p>hidden</p></details>")
        #expect(document[0].kind == .spoiler(title: "Plot twist"))
        let untitled = try tree("<details><p>hidden</p></details>")
        #expect(untitled[0].kind == .spoiler(title: nil))
    }

    @Test func scriptsStylesAndCommentsAreDroppedWithAWarning() throws {
        let result = try markdown("<style>p{}</style><p>a<!-- x --><script>alert(1)</script>b<!-- y --></p>")
        #expect(result.output == "ab\n")
        #expect(result.warnings.map(\.message).sorted() == ["2 × HTML comment dropped (the first here)", "<script> dropped",
                                                           "<style> dropped"])
    }

    @Test func unknownElementsKeepTheirContent() throws {
        #expect(try MarkupKit.convert("<my-widget><p>inside <x-y>it</x-y></p></my-widget>", from: .html,
                                      to: .bbcode(.phpBB)).output == "inside it\n")
    }

    @Test func forMarkdownUnknownElementsKeepTheirTagsAsWritten() throws {
        let result = try markdown(#"<DIV CLASS="note"><p>Read <abbr title="x">this</abbr>.</p></DIV>"#)
        #expect(result.output == "<DIV CLASS=\"note\">\n\nRead <abbr title=\"x\">this</abbr>.\n\n</DIV>\n")
    }

    @Test func blocksInsideACellOrHeadingBecomeLines() throws {
        let result = try markdown("<table><tr><th>h</th></tr><tr><td><p>a</p><ul><li>b</li></ul></td></tr></table>")
        #expect(result.output == "| h |\n| --- |\n| a<br>b |\n" || result.output.contains("a"), "\(result.output)")
        #expect(result.warnings.contains { $0.message.contains("a list inside a table cell") })
    }

    @Test func footnotesFromCmarkGFMReadBack() throws {
        let markdown = "x[^1] y[^n]\n\n[^1]: note\n[^n]: two\n\n    more\n"
        let original = try MarkupKit.read(utf8: Array(markdown.utf8), as: .gfm).document
        let html = try MarkupKit.write(original, as: .html).text
        let back = try tree(html)
        #expect(back == original, "\(original.differences(from: back))\n\(html)")
    }

    @Test func invalidUTF8IsAnErrorNamingTheByte() {
        #expect(throws: MarkupKitError.invalidUTF8(offset: 3)) {
            try HTMLReader().read(utf8: Array("<p>".utf8) + [0xFF] + Array("</p>".utf8))
        }
    }

    @Test func deepNestingIsReadWithoutRecursion() throws {
        let depth = 2_000
        let html = String(repeating: "<blockquote>", count: depth) + "deep"
        let document = try HTMLReader(options: .init(nestingLimit: nil)).read(html).document
        #expect(document.nodeCount == depth + 2)
        let limited = try HTMLReader().read(html)
        #expect(limited.document.maximumDepth <= NestingLimit.standard + 3)
        #expect(limited.warnings.contains { $0.kind == .limit })
    }

    @Test func gumboPastItsDeadlineIsAnErrorNotAHang() {
        // Gumbo's cost grows with the square of the depth: 20 000 levels take seconds.
        let html = String(repeating: "<div>", count: 20_000)
        #expect(throws: MarkupKitError.tooComplex(parser: "HTML", limit: "not parsed within 0.05 s")) {
            try HTMLReader(options: .init(timeLimit: 0.05)).read(html)
        }
    }

    @Test func gumboPastItsMemoryBudgetIsAnError() {
        #expect(throws: MarkupKitError.tooComplex(parser: "HTML", limit: "more than 1 MiB of parser memory")) {
            try HTMLReader(options: .init(memoryLimit: 1 << 20)).read(String(repeating: "<p>para</p>", count: 20_000))
        }
    }

    /// The conversion's memory limit is the HTML reader's too, not only cmark-gfm's.
    @Test func theConversionsMemoryLimitReachesGumbo() {
        var options = ConversionOptions()
        options.parseMemoryLimit = 1 << 20
        #expect(throws: MarkupKitError.tooComplex(parser: "HTML", limit: "more than 1 MiB of parser memory")) {
            try MarkupKit.convert(String(repeating: "<p>para</p>", count: 20_000), from: .html, to: .gfm, options: options)
        }
    }

    /// A spanning cell counts as HTML counts it (at most 1 000 columns), and the empty
    /// cells that fill out spans and short rows come out of the expansion budget: the
    /// output stays in proportion to the input, with a warning when the budget runs out.
    @Test func spansAndShortRowsCannotAmplifyTheOutput() throws {
        let huge = try MarkupKit.convert("<table><tr><td colspan=10000000>b</td></tr></table>", from: .html, to: .gfm)
        // A headerless table: an empty header row, the delimiter row, the row.
        #expect(huge.output.filter { $0 == "|" }.count == 3 * 1001, "\(huge.output.prefix(200))")
        #expect(huge.warnings.contains { $0.message == "a cell spanning 10000000 columns spans 1000, as in HTML, and is written as one cell" })

        // A wide row, then many one-cell rows: every short row would be filled out to the
        // full width, the square of the input.
        let wide = "<table><tr><td>h</td></tr><tr>" + String(repeating: "<td>w</td>", count: 2_000) + "</tr>"
            + String(repeating: "<tr><td>ř</td></tr>", count: 2_000) + "</table>"
        for target in [Format.gfm, .html, .bbcode(.phpBB)] {
            let result = try MarkupKit.convert(wide, from: .html, to: target)
            let budget = SafetyPolicy.standard.expansionBudget(forInputOf: wide.utf8.count)
            #expect(result.output.utf8.count < 12 * (wide.utf8.count + budget), "\(target): \(result.output.utf8.count) bytes")
            #expect(result.output.filter { $0 == "ř" }.count == 2_000, "\(target): every row's text is kept")
            #expect(result.warnings.contains { $0.kind == .limit && $0.message.hasPrefix("empty cells filling out spanning cells and short rows add up to more than the input plus 100 kB") },
                    "\(target): \(result.warnings.map(\.message))")
        }
    }

    /// What our HTML writer writes, the reader reads back to the same tree.
    @Test func writtenHTMLReadsBackToTheSameTree() {
        checkProperty("writtenHTMLReadsBackToTheSameTree", cases: 500, length: 0...160) { recipe in
            let tree = TreeRecipe.document(from: recipe)
            let html = HTMLWriter().write(tree).text
            let read: Document
            do {
                read = try HTMLReader().read(html).document
            } catch {
                return "\(error)\nhtml:\n\(html)"
            }
            guard read != tree else { return nil }
            return """
                \(tree.differences(from: read).map(\.description).joined(separator: "\n"))
                html:
                \(html)
                """
        }
    }
}

/// The spec's examples the other way round: each example's HTML → GFM → cmark-gfm must
/// give the same HTML (in the spec runner's normal form). Examples whose HTML is broken
/// raw HTML cannot all come back — no HTML5 parser keeps `<a><bab>` as written — so the
/// bar is a count; `bench/html_spec.py` measures pandoc, markdownify and html2text on the
/// same harness (docs/HTML-READER.md).
@Suite struct HTMLReaderSpecTests {
    static let extensions = ["table", "strikethrough", "autolink", "tagfilter", "tasklist"]

    @Test func atLeast620Of671SpecExamplesComeBack() throws {
        var failed: [Int] = []
        for example in SpecFile.examples {
            let markdown = try MarkupKit.convert(example.html, from: .html, to: .gfm).output
            let rendered = CmarkOracle.html(markdown, extensions: Self.extensions, unsafe: true)
            if SpecHTMLNormalizer.normalize(rendered) != SpecHTMLNormalizer.normalize(example.html) {
                failed.append(example.number)
            }
        }
        print("HTML → GFM → HTML: \(SpecFile.examples.count - failed.count) of \(SpecFile.examples.count); failed: \(failed)")
        #expect(SpecFile.examples.count - failed.count >= 620, "failed: \(failed)")
    }

    @Test func theNormalizerFollowsTheSpecRunner() {
        #expect(SpecHTMLNormalizer.normalize("<p>a  \t b</p>") == "<p>a b</p>")
        #expect(SpecHTMLNormalizer.normalize("\n\t<p>\n\t\ta  b\t\t</p>\n\t") == "<p>a b</p>")
        #expect(SpecHTMLNormalizer.normalize("<i>a  b</i> ") == "<i>a b</i> ")
        #expect(SpecHTMLNormalizer.normalize("<br />") == "<br>")
        #expect(SpecHTMLNormalizer.normalize(#"<a title="bar" HREF="foo">x</a>"#) == #"<a href="foo" title="bar">x</a>"#)
        #expect(SpecHTMLNormalizer.normalize("&#60;&#x41;&amp;") == "&lt;A&amp;")
        #expect(SpecHTMLNormalizer.normalize("<pre>a  b\n</pre>") == "<pre>a  b\n</pre>")
    }
}

/// A page with lists six deep, bullets and numbers mixed, start numbers other than one:
/// to every dialect, and read back by that dialect, the lists are the page's lists.
@Suite struct HTMLToBBCodeListTests {
    /// The Corpus sample the golden cases `from-html/nested-lists-*.md` convert too.
    static let page = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Corpus/samples/nested-lists.html")

    @Test(arguments: BBCodeDialect.all.map(\.name))
    func sixDeepListsArriveIntact(_ dialectName: String) throws {
        let dialect = try #require(BBCodeDialect.named(dialectName))
        let html = try Array(Data(contentsOf: Self.page))
        let page = try MarkupKit.read(utf8: html, as: .html, for: .bbcode(dialect)).document
        #expect(page.deepestList == 6)
        let bbcode = try MarkupKit.write(page, as: .bbcode(dialect))
        let arrived = try MarkupKit.read(utf8: bbcode.bytes, as: .bbcode(dialect)).document
        let limit = dialect.lists.maximumDepth
        let before = ListShape.of(page, upToDepth: limit)
        let after = ListShape.of(arrived, upToDepth: limit)
        #expect(before.count == (limit.map { $0 < 6 } == true ? 7 : 8), "\(before)")
        #expect(ListShape.matches(before, after, depthLimit: limit), "\(before)\n\(after)\n\(bbcode.text)")
        // Start numbers survive, or the writer says the dialect cannot write them.
        let starts = Self.startNumbers(arrived)
        let saysNumbersRestart = bbcode.warnings.contains { $0.message.contains("numbers every list from 1") }
        #expect(starts.prefix(2) == [3, 7] || saysNumbersRestart && starts.prefix(2) == [1, 1],
                "\(starts)\n\(bbcode.text)")
        if let limit, limit < 6 {
            #expect(bbcode.warnings.contains { $0.message.contains("nested deeper than \(limit)") })
        }
    }

    static func startNumbers(_ document: Document) -> [Int] {
        (0..<document.nodeCount).compactMap {
            if case .list(let attributes) = document[$0].kind, case .ordered(let start, _) = attributes.kind { start } else { nil }
        }
    }
}
