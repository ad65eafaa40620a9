import MarkupKit
import MarkupKitTestSupport
import Testing

/// The Markdown writer must write what reads back to the same tree, and must be stable:
/// writing what it wrote gives the same bytes.
@Suite struct MarkdownWriterTests {
    private func markdown(_ document: Document, _ format: Format, indentation: MarkdownWriter.ListIndentation = .contentColumn) throws -> String {
        try MarkupKit.write(document, as: format, options: ConversionOptions(listIndentation: indentation)).text
    }

    /// For every spec example: our Markdown, rendered by cmark-gfm itself, gives the spec's
    /// HTML; no HTML comment appears that the input did not have; and a second pass
    /// writes the same bytes.
    @Test(arguments: SpecFile.examples)
    func specExampleRoundTrips(_ example: SpecExample) throws {
        let format = try Format(parsing: example.formatSpecification)
        // Read as trusted input, as the spec's expected HTML was rendered (--unsafe).
        let document = try MarkupKit.read(utf8: Array(example.markdown.utf8), as: format, for: format,
                                          options: ConversionOptions(allowsRawHTML: true)).document
        let written = try markdown(document, format)
        #expect(CmarkOracle.html(written, extensions: example.extensions, unsafe: true) == example.html,
                "written:\n\(written)")
        #expect(!written.contains("<!--") || example.markdown.contains("<!--"))
        let again = try markdown(try MarkupKit.read(utf8: Array(written.utf8), as: format, for: format,
                                                    options: ConversionOptions(allowsRawHTML: true)).document, format)
        #expect(again == written, "not idempotent")
    }

    /// Generated documents: the tree read back equals the tree written, in GFM and in
    /// CommonMark, with both list indentations.
    /// Where emphasis touches other syntax so that no delimiter reads back unambiguously,
    /// the writer uses `<em>` (or `<strong>`, `<del>`): the tree then holds raw HTML, but
    /// the rendering must be identical, and this must stay rare.
    @Test(arguments: 0..<20)
    func generatedDocumentsReadBackToTheSameTree(batch: Int) throws {
        var fallbacks = 0
        for seed in PropertyRuns.generatorSeeds((batch * 50)..<(batch * 50 + 50)) {
            guard let fellBack = try generatedDocumentRoundTrips(seed: seed) else { return }
            fallbacks += fellBack
        }
        // A bar on how often, set on the fixed seeds; exploration looks for wrong trees, and
        // reports the rate without failing on a batch that happens to be unlucky.
        if PropertyRuns.explorationSeed == nil {
            #expect(fallbacks <= 4, "\(fallbacks) of 200 conversions needed HTML for emphasis")
        } else if fallbacks > 4 {
            print("exploration: \(fallbacks) of 200 conversions needed HTML for emphasis in batch \(batch)")
        }
    }

    /// Generator seeds on which `scripts/explore` found the writer wrong (issue 13), kept
    /// as fixed cases. What they found: an HTML block of kinds 1 to 5 left open at the end
    /// of a list item or footnote took in the blank line written after it, or lost the
    /// blank lines it held; a quote or list ending in a table, or in an empty item, was set
    /// apart from the next block, which made a tight list loose, and so was a list at 2
    /// after a list, which a paragraph rule wrongly held could not start there; raw HTML
    /// starting a paragraph's later line (`<title>`) started an HTML block; `<textarea>`
    /// was taken for kind 1, which it is only from CommonMark 0.30; emphasis beside a
    /// footnote reference was never read back, so adjacent `**` runs merged; a list at 2
    /// after a table was set apart; emphasis in table cells was never read back; a span
    /// inside another with the same character paired with the outer one's delimiters; a
    /// code span written on an unchecked task's first line carried `[X]`, which checks the
    /// box in cmark-gfm 0.29 (179972834110809).
    static let explorationFindings: [UInt64] = [
        2923686958339, 2923686958551, 6862274792248, 6862274792467, 6862274792972, 8034501339296,
        8034501339423, 23995372216060, 26233233479903, 28219071364445, 28219071364868, 28219071365180,
        28219071365223, 32717031642642, 32717031642804, 32717031642959, 35862399985638, 35862399985928,
        35862399986191, 36107501251183, 36107501251263, 37458596637345, 37458596637357, 37458596637550,
        37458596637929, 38970467720437, 38970467721040, 38970467721221, 43994777261512, 43994777261592,
        43994777261642, 43994777261784, 44714495658767, 44714495658992, 44714495659366, 46613825186904,
        46613825187072, 47628560233086, 47628560233682, 51866846431022, 51866846431313, 53545542251731,
        53545542252034, 53545542252241, 58923662047709, 58923662047858, 72038576333606, 75474163005018,
        79078687484060, 79078687484371, 79078687484422, 79078687484492, 81148743809980, 81148743810337,
        81148743810687, 84748808317677, 89474541665149, 95480162882501, 95480162883081, 97653047391933,
        97653047392822, 106981300184643, 111092778032742, 111092778033365, 117150736736138, 117150736736346,
        117150736736719, 117150736737034, 117522494235004, 117522494235296, 117522494235581, 124388548057052,
        125062382241897, 125062382242273, 140084470096148, 140084470096531, 143214949728867, 145070670474856,
        148189063204420, 148189063204788, 148189063204860, 148292912710433, 148292912710782, 148292912710840,
        150237779037397, 150237779037578, 150237779037724, 152085388243003, 155917061381386, 155917061381424,
        155917061381633, 155917061381647, 156160391810059, 156160391810583, 157835960634790, 157835960634856,
        157835960635388, 157835960635456, 157835960635723, 157950108173828, 161603465377202, 161843835142092,
        161843835142188, 161843835142572, 161843835142684, 161843835142730, 163784590096073, 164819224957877,
        165562428137563, 165562428138498, 172568170729102, 172568170730014, 178448695817575, 179775395748264,
        181820848730399, 181820848730947, 190005188780929, 190005188781367, 190139160191840, 190139160191863,
        191378582725582, 191378582726095, 192486343997889, 192761657884979, 193203568963009, 193203568963060,
        193203568963474, 197327665485950, 197327665486418, 200474007479949, 203367855868892, 203367855868960,
        215881558627744, 223618911059672, 228823436337813, 228823436337904, 228823436338305, 228823436338385,
        229462429728309, 241441829786310, 241441829786711, 253668866852981, 253668866853748, 253800215518491,
        253800215518533, 253800215519093, 256498456097086, 272898154756704, 272898154757479, 278254540983532,
        278254540983605, 278254540984288, 279435145785347, 279435145785610, 279435145785643, 179972834110809,
    ]

    @Test(arguments: explorationFindings)
    func documentsExplorationFoundReadBackToTheSameTree(seed: UInt64) throws {
        _ = try generatedDocumentRoundTrips(seed: seed)
    }

    /// The findings above, each cut down to a few lines.
    static let explorationFindingsByHand = [
        "+ <script> beta\n\n  a1\n  | a |\n\\[ bar\n",
        "* a\n\n  - item\n* [x] b\n  <script>#brown\n  gamma\n* quick\n",
        "x[^ab]\n\n[^Ab]: 2) <script> x  \n\n[^note]: y\n",
        "3. <script> the\n\n   0. bar\n\n\n0. baz\n",
        "- a\n  - <div>\n  para\n- b\n  > <div>\n  plain\n",
        "- a\n  > | t |\n  > |---|\n  | after\n- b\n",
        "* 1. a1\n  2)\n  para\n* b\n",
        "- b\n  10) brown\n      <title> gamma\n",
        "6. <script> x\n\n   > <textarea>\n   > </textarea>\n---\n",
        "[^ab]**brown 1.****fox foo****brown +**\n\n[^ab]: x\n",
        "+ a\n  | t |\n  |---|\n  2) x\n+ b\n",
        "_a b*c*d e_\n",
        "| a |\n|---|\n| _a b*c*d e_ |\n",
        "0) alpha\n1) [ ] *+* `a`b` <span class=\"x\">\n   10) [X] 2)  +  ~x~\n",
    ]

    @Test(arguments: explorationFindingsByHand)
    func smallCasesExplorationFoundReadBackToTheSameTree(_ source: String) throws {
        for format in [Format.gfm, Format.commonmark] {
            let document = try MarkupKit.read(utf8: Array(source.utf8), as: format, for: format).document
            let written = try markdown(document, format)
            let reread = try MarkupKit.read(utf8: Array(written.utf8), as: format, for: format).document
            let html = HTMLWriter(options: .init(allowsRawHTML: true))
            #expect(reread == document || html.write(document).text == html.write(reread).text, """
                \(format)
                \(document.differences(from: reread).map(\.description).joined(separator: "\n"))
                written:
                \(written)
                """)
            #expect(try markdown(reread, format) == written)
        }
    }

    /// Writes the generated document of `seed` in GFM and CommonMark with both list
    /// indentations, and expects the same tree back and a stable second writing. Returns
    /// how many of the four writings needed the emphasis fallback, or nil after a failure.
    private func generatedDocumentRoundTrips(seed: UInt64) throws -> Int? {
        var generator = MarkdownGenerator(seed: seed)
        let source = generator.document()
        var fellBack = 0
        for format in [Format.gfm, Format.commonmark] {
            for indentation in [MarkdownWriter.ListIndentation.contentColumn, .atLeast(4)] {
                let document = try MarkupKit.read(utf8: Array(source.utf8), as: format, for: format).document
                let written = try markdown(document, format, indentation: indentation)
                let reread = try MarkupKit.read(utf8: Array(written.utf8), as: format, for: format).document
                var sameTree = reread == document
                if !sameTree {
                    // Only the emphasis fallback may change the tree, and never the rendering.
                    let html = HTMLWriter(options: .init(allowsRawHTML: true))
                    sameTree = html.write(document).text == html.write(reread).text
                    fellBack += 1
                }
                #expect(sameTree, """
                    seed \(seed) \(format) \(indentation)
                    \(document.differences(from: reread).map(\.description).joined(separator: "\n"))
                    source:
                    \(source)
                    written:
                    \(written)
                    """)
                let second = try markdown(reread, format, indentation: indentation)
                let stable = second == written
                #expect(stable, "seed \(seed) \(format): not idempotent\nfirst:\n\(written)\nsecond:\n\(second)")
                if !sameTree || !stable { return nil }
            }
        }
        return fellBack
    }

    @Test func readableOutput() throws {
        let source = """
            # Title

            Some *emphasis*, **strong**, `code`, a [link](https://example.com/a?b=c&d=e "Title"), \
            and plain punctuation: 3 * 4 = 12, snake_case, a < b, 50% off!

            1. one
            2. two
               - nested
                 - deeper

            > quoted

            ```swift
            let x = 1
            ```

            """
        let written = try MarkupKit.convert(source, from: .gfm, to: .gfm).output
        #expect(written == source)
    }

    @Test func adjacentListsSwitchMarkersInsteadOfComments() throws {
        var builder = DocumentBuilder()
        for kind in [ListKind.bullet, .bullet, .ordered(start: 1, numbering: .decimal), .ordered(start: 3, numbering: .decimal)] {
            builder.open(.list(ListAttributes(kind: kind, isTight: true)))
            builder.open(.listItem(task: nil))
            builder.open(.paragraph)
            builder.addText("x")
            builder.close()
            builder.close()
            builder.close()
        }
        let document = builder.finish()
        let written = try markdown(document, .gfm)
        #expect(written == "- x\n\n* x\n\n1. x\n\n3) x\n")
        #expect(MarkdownReader().read(written).document == document)
    }

    @Test func fourSpaceIndentationForPHPMarkdown() throws {
        let written = try MarkupKit.convert("- a\n  - b\n    1. c\n", from: .gfm, to: .gfm,
                                            options: ConversionOptions(listIndentation: .atLeast(4))).output
        #expect(written == "-   a\n    -   b\n        1.  c\n")
    }

    @Test func escapesOnlyWhereNeeded() throws {
        let cases: [(String, String)] = [
            ("\\*not emphasis\\*", "\\*not emphasis\\*"),
            ("2 * 3", "2 * 3"),
            ("snake_case_name", "snake_case_name"),
            ("\\[b\\]bold\\[/b\\]", "\\[b]bold\\[/b]"),
            ("a &amp;copy; b", "a \\&copy; b"),
            ("\\# not a heading", "\\# not a heading"),
            ("#hashtag", "#hashtag"),
            ("1\\. not a list", "1\\. not a list"),
            ("\\<b\\> not HTML", "\\<b> not HTML"),
            ("a <- b", "a <- b"),
        ]
        for (source, expected) in cases {
            let written = try MarkupKit.convert(source + "\n", from: .commonmark, to: .commonmark).output
            #expect(written == expected + "\n", "\(source)")
        }
    }

    @Test func kindsMarkdownLacksBecomeHTMLOrWarnings() throws {
        var builder = DocumentBuilder()
        builder.open(.paragraph, range: SourceRange(startLine: 1, startColumn: 1, endLine: 1, endColumn: 9))
        builder.open(.underline, range: SourceRange(startLine: 1, startColumn: 1, endLine: 1, endColumn: 9))
        builder.addText("under")
        builder.close()
        builder.open(.color(CSSColor(parsing: "red")!))
        builder.addText("red")
        builder.close()
        builder.close()
        builder.open(.spoiler(title: "Plot"))
        builder.open(.paragraph)
        builder.addText("twist")
        builder.close()
        builder.close()
        let document = builder.finish()
        let html = try MarkupKit.write(document, as: .gfm)
        #expect(html.text == "<u>under</u><span style=\"color: #ff0000\">red</span>\n\n<details>\n<summary>Plot</summary>\n\ntwist\n\n</details>\n")
        #expect(html.warnings.isEmpty)
        let plain = try MarkupKit.write(document, as: Format(parsing: "gfm-raw_html"))
        #expect(plain.text == "underred\n\ntwist\n")
        #expect(plain.warnings.map(\.description) == [
            "1:1: underline has no Markdown form; the text was kept without it",
            "colour has no Markdown form; the text was kept without it",
            "spoiler has no Markdown form; the content was kept without it",
        ])
    }
}
