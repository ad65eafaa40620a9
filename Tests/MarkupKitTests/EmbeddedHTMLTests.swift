import MarkupKit
@testable import MarkupKitHTML
import MarkupKitTestSupport
import Testing

/// Raw HTML in Markdown read for its meaning (issue 17, item 2): what markconv itself
/// writes to Markdown as HTML (underline, colour, size, font, spoilers, alignment) and
/// what people write by hand (`<details>`, `<sub>`, `<kbd>`, `<br>` in a table) reaches
/// BBCode as tags of the forum, not as tag text; unpaired or unknown tags stay raw HTML,
/// with the writer's warning, and Markdown and HTML output keep raw HTML as written.
@Suite struct EmbeddedHTMLTests {
    private func bbcode(_ markdown: String, _ dialect: BBCodeDialect = .friendica) throws -> WriteResult {
        try MarkupKit.convert(utf8: Array(markdown.utf8), from: .gfm, to: .bbcode(dialect))
    }

    @Test func whatPeopleWriteByHandBecomesForumTags() throws {
        let post = """
            <details>
            <summary>Spoilers for <b>chapter 3</b></summary>

            - a
              - b

            </details>

            Press <kbd>Ctrl</kbd>+<kbd>C</kbd>, H<sub>2</sub>O, x<sup>2</sup>, <u>read</u> \
            <span style="color: red">this</span> <ins>now</ins>.

            | a | b |
            |---|---|
            | one<br>two | <s>old</s> |

            <p align="center">
              <img src="logo.png" alt="Logo">
            </p>

            """
        let result = try bbcode(post)
        #expect(result.text == """
            [spoiler="Spoilers for chapter 3"]
            [ul]
            [li]a
            [ul]
            [li]b[/li]
            [/ul][/li]
            [/ul]
            [/spoiler]
            Press [code]Ctrl[/code]+[code]C[/code], H[sub]2[/sub]O, x[sup]2[/sup], [u]read[/u] [color=#ff0000]this[/color] [u]now[/u].
            [table]
            [tr][th]a[/th][th]b[/th][/tr]
            [tr][td]one
            two[/td][td][s]old[/s][/td][/tr]
            [/table]
            [center]
            [img=logo.png]Logo[/img]
            [/center]

            """)
        #expect(result.warnings.isEmpty, "\(result.warnings)")
    }

    /// Every kind the Markdown writer can only say in HTML comes back from its Markdown.
    @Test(arguments: ["[u]u[/u] [color=red]c[/color] [size=20]s[/size] [font=Arial]f[/font] [sup]p[/sup] [sub]b[/sub]",
                      "[center]one\n\ntwo[/center]", "[right]r[/right]",
                      "[spoiler=Title]hidden [b]bold[/b]\n\nmore[/spoiler]", "[spoiler]untitled[/spoiler]",
                      "[spoiler=outer][spoiler=inner][center]deep[/center][/spoiler][/spoiler]"])
    func markdownWrittenAsHTMLReadsBack(_ post: String) throws {
        let report = try MarkupKit.roundTrip(utf8: Array(post.utf8), as: .bbcode(.friendica), via: .gfm)
        #expect(report.differences.isEmpty, "\(report.differences)")
    }

    /// Random trees with every kind: what the Markdown writer writes as HTML is all read
    /// back as nodes, the same ones, and no raw HTML is left.
    @Test func generatedTreesReadBackFromTheirMarkdown() throws {
        func htmlOnlyKinds(_ document: Document) -> [NodeKind] {
            document.nodes.map(\.kind).filter {
                switch $0 {
                case .underline, .color, .fontSize, .font, .superscript, .subscript, .alignment, .spoiler,
                     .rawInline, .rawBlock: true
                default: false
                }
            }
        }
        checkProperty("generatedTreesReadBackFromTheirMarkdown", cases: 400, length: 0...160) { recipe in
            let tree = TreeRecipe.document(from: recipe)
            guard let written = try? MarkupKit.write(tree, as: .gfm),
                  let read = try? MarkupKit.read(utf8: written.bytes, as: .gfm).document else { return "not converted" }
            let expected = htmlOnlyKinds(tree)
            let found = htmlOnlyKinds(read)
            guard found != expected else { return nil }
            return "expected \(expected)\nfound \(found)\nwritten:\n\(written.text)"
        }
    }

    /// Found by exploring the property above: emphasis the writer had to give as HTML
    /// crossed delimiters (`~~a<strong>~~x~~<u>b</u></strong>~~`), so its tags stood in two
    /// parents and stayed raw. The writer now reads such runs back with their tags paired.
    @Test func htmlWrittenForEmphasisDoesNotCrossDelimiters() throws {
        var builder = DocumentBuilder()
        builder.open(.paragraph)
        builder.open(.strikethrough)
        builder.addText("alpha")
        builder.open(.strong)
        builder.open(.strikethrough)
        builder.addText("[b]")
        builder.close()
        builder.open(.underline)
        builder.addText("alpha")
        builder.close()
        builder.close()
        builder.close()
        builder.close()
        let tree = builder.finish()
        let written = try MarkupKit.write(tree, as: .gfm)
        #expect(try MarkupKit.read(utf8: written.bytes, as: .gfm).document == tree, "\(written.text)")
    }

    @Test func unpairedMisnestedAndUnknownTagsStayRawAndWarned() throws {
        let result = try bbcode("<u>never closed *x*\n\na <b>bold <i>x</b> y</i> <my-tag>z</my-tag> <kbd>*k*</kbd>\n",
                                .phpBB)
        #expect(result.text == """
            <u>never closed [i]x[/i]

            a [b]bold <i>x[/b] y</i> <my-tag>z</my-tag> <kbd>[i]k[/i]</kbd>

            """)
        #expect(result.warnings.filter { $0.message == "raw html written as text" }.count == 7)
    }

    @Test func markdownAndHTMLOutputKeepRawHTMLAsWritten() throws {
        let markdown = "<u>x</u> <span style=\"color:red\">y</span>\n\n<details>\n<summary>T</summary>\n\nz\n\n</details>\n"
        #expect(try MarkupKit.convert(markdown, from: .gfm, to: .gfm).output == markdown)
        let trusted = try MarkupKit.convert(markdown, from: .gfm, to: .html, options: ConversionOptions(allowsRawHTML: true))
        #expect(trusted.output.hasPrefix("<p><u>x</u> <span style=\"color:red\">y</span></p>\n<details>"))
    }

    /// Scripts in an HTML block are dropped as the HTML reader drops them, with its warning,
    /// and the rest of the block is kept.
    @Test func blocksFollowTheHTMLReader() throws {
        let result = try bbcode("<div>\n<script>alert(1)</script>\n<b>kept</b>\n</div>\n\n<!-- note -->\n", .phpBB)
        #expect(result.text == "[b]kept[/b]\n")
        #expect(result.warnings.map(\.description) == ["2:1: <script> dropped", "6:1: HTML comment dropped"])
    }

    /// A block left open deeper than the nesting limit is read on its own: no container
    /// opened by embedded HTML goes past the limit.
    @Test func openBlocksRespectTheNestingLimit() throws {
        let depth = 300
        let markdown = String(repeating: "<details>\n\n", count: depth) + "x\n\n" + String(repeating: "</details>\n\n", count: depth)
        let read = try MarkupKit.read(utf8: Array(markdown.utf8), as: .gfm)
        // As deep as quotes nested as deep in Markdown itself, which the limit stops too.
        let quotes = try MarkupKit.read(utf8: Array((String(repeating: "> ", count: depth) + "x\n").utf8), as: .gfm)
        #expect(read.document.maximumDepth == quotes.document.maximumDepth)
        #expect(read.document.plainText(of: read.document.topLevel.first!).contains("x"))
    }

    /// A block that is one comment is answered without gumbo; the answer must be the
    /// HTML reader's own, and anything else must still go to the reader.
    @Test(arguments: ["<!-- YAML\nadded: v0.1.90\n-->\n", "<!--x-->", "<!-- a -- b -->  \n\n", "<!-- <!-- nested -->",
                      "<!-- a --> b", "<!--> x", "<!---> x", "<!-- a --!> b -->", "<!-- never closed", " <!-- lead -->",
                      "<!-- a -->\n<p>b</p>", "<!-- x -  \n", "<!-- x --\n"])
    func aCommentBlockReadsAsTheHTMLReaderReadsIt(_ block: String) throws {
        for policy in [SafetyPolicy.standard, .trusted] {
            let bytes = Array(block.utf8)
            let embedded = try bytes.withUnsafeBytes { try EmbeddedHTML.readBlock($0, policy: policy, leavingSlot: false) }
            let reader = try HTMLReader(options: .init(policy: policy)).read(utf8: bytes)
            #expect(embedded.document == reader.document, "\(block)")
            #expect(embedded.warnings == reader.warnings, "\(block)")
        }
        let shortcut = Array(block.utf8).withUnsafeBytes { EmbeddedHTML.isOneComment($0) }
        #expect(shortcut == ["<!-- YAML\nadded: v0.1.90\n-->\n", "<!--x-->", "<!-- a -- b -->  \n\n", "<!-- <!-- nested -->"].contains(block))
    }
}
