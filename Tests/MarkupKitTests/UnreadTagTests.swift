import MarkupKit
import Testing

/// Tags a forum has that markconv does not read (XenForo's `[USER]`, `[MEDIA]`,
/// `[ATTACH]` …) are kept as text with a warning of loss; other tag-like text says so
/// without being a loss; a colour written `rgb(…)` is read as HTML reads it (issue 17).
@Suite struct UnreadTagTests {
    @Test(arguments: BBCodeDialect.all.filter { !$0.unreadTags.isEmpty }.map(\.name))
    func everyUnreadTagIsKeptAsTextWithALoss(_ dialectName: String) throws {
        let dialect = try #require(BBCodeDialect.named(dialectName))
        // Reference tags around plain text are kept as BBCode instead (ForumReadingTests).
        for name in dialect.unreadTags
        where !dialect.reading.referenceTags.contains(name) && !dialect.reading.standaloneReferenceTags.contains(name) {
            let post = "a [\(name)]x[/\(name)] b [\(name)=1]y[/\(name)]"
            let result = try MarkupKit.read(utf8: Array(post.utf8), as: .bbcode(dialect))
            #expect(result.document.plainText(of: 0) == post, "\(dialect.name) [\(name)]")
            // Once per name, where it is first used.
            #expect(result.warnings.map(\.kind) == [.loss], "\(dialect.name) [\(name)]: \(result.warnings)")
            #expect(result.warnings.first?.message == "[\(name)] is a \(dialect.title) tag markconv does not read; kept as text, here and after")
            #expect(result.warnings.first?.position == SourcePosition(line: 1, column: 3))
        }
    }

    @Test func xenForoPostWithMentionsMediaAndColours() throws {
        let post = """
            [USER=12]Ann[/USER] posted [MEDIA=youtube]abc[/MEDIA].
            [COLOR=rgb(184, 49, 47)]red[/COLOR] [COLOR=nonsense]x[/COLOR] [sic] [/foo]
            """
        let result = try MarkupKit.read(utf8: Array(post.utf8), as: .bbcode(.xenForo))
        #expect(result.warnings.map(\.message) == [
            "[USER=…] is a XenForo 2 tag markconv does not read; kept as text, here and after",
            "[MEDIA=…] is a XenForo 2 tag markconv does not read; kept as text, here and after",
            "[COLOR=nonsense] kept as text: XenForo 2 has the tag, but markconv does not read that value",
            "[/foo] is not a XenForo 2 tag; kept as text, as the forum shows it (a board's own tags are not known), here and after",
        ])
        #expect(result.warnings.map(\.kind) == [.loss, .loss, .loss, .input])
        // The rgb() colour is the colour HTML's style reads.
        let html = try MarkupKit.read(utf8: Array(#"<p><span style="color: rgb(184,49,47)">red</span></p>"#.utf8), as: .html)
        let colours = [result.document, html.document].map { document in
            (0..<document.nodeCount).compactMap { index -> CSSColor? in
                if case .color(let colour) = document[index].kind { return colour }
                return nil
            }
        }
        #expect(colours[0] == [CSSColor(red: 184, green: 49, blue: 47)])
        #expect(colours[0] == colours[1])
    }

    @Test func rgbColoursParse() {
        #expect(CSSColor(parsing: "RGB( 1, 2 ,3 )") == CSSColor(red: 1, green: 2, blue: 3))
        for refused in ["rgb(1,2)", "rgb(1,2,3,4)", "rgb(256,0,0)", "rgb(1,,3)", "rgb(a,b,c)", "rgb(1,2,3"] {
            #expect(CSSColor(parsing: refused) == nil, "\(refused)")
        }
    }
}
