import MarkupKit
import Testing

/// A forum's reading beyond its tags (`BBCodeDialect.ReadingRules`), here phpBB 3.3's
/// (issue 19): each rule read as phpBB reads it, and every place the tree differs from
/// what the forum shows, or drops something, warned.
@Suite struct ForumReadingTests {
    private func read(_ post: String, _ dialect: BBCodeDialect = .phpBB) throws -> ReadResult {
        try MarkupKit.read(utf8: Array(post.utf8), as: .bbcode(dialect))
    }

    /// Every link in the tree: its address and its text.
    private func links(_ document: Document) -> [String] {
        document.nodes.indices.compactMap { index in
            guard case .link(let destination, _) = document[index].kind else { return nil }
            return "\(destination) \(document.plainText(of: index))"
        }
    }

    @Test func bareAddressesAreLinksAsAutolinkFindsThem() throws {
        let post = """
            See https://e.com/guide_(v2), www.e.org/dl. or mail me@e.org! Also xhttp://e.com/a[b]c \
            and http://e.com/[x]y. [code]http://e.com/code[/code] [url=http://e.com/u]http://e.com/inside[/url] \
            a@localhost .b@e.org
            """
        let result = try read(post)
        #expect(links(result.document) == [
            "https://e.com/guide_(v2) https://e.com/guide_(v2)", "http://www.e.org/dl www.e.org/dl", "mailto:me@e.org me@e.org",
            "http://e.com/a http://e.com/a", "http://e.com/[x]y http://e.com/[x]y", "http://e.com/u http://e.com/inside",
            "mailto:b@e.org b@e.org",
        ])
        #expect(result.warnings.isEmpty, "\(result.warnings)")
        // Only where the forum links them: the generic core reads tags alone.
        #expect(links(try read(post, .generic).document) == ["http://e.com/u http://e.com/inside"])
    }

    /// MyBB 1.8 links what mycode_auto_url's expression takes: after a space, a bracket or
    /// a tag, a host with a dot whose address ends with a word character, `/` or a
    /// matched `)`; no e-mail addresses.
    @Test func myBBLinksWhatItsPatternTakes() throws {
        let post = """
            See http://e.com/a. and (http://en.wikipedia.org/wiki/PHP_(x)). ftp.e.org https://chat.e.net/r \
            x:http://no.com http://a.b http://localhost/ [b]www.e.org[/b] mail a@e.org
            """
        let result = try read(post, .myBB)
        #expect(links(result.document) == [
            "http://e.com/a http://e.com/a", "http://en.wikipedia.org/wiki/PHP_(x) http://en.wikipedia.org/wiki/PHP_(x)",
            "http://ftp.e.org ftp.e.org", "https://chat.e.net/r https://chat.e.net/r", "http://www.e.org www.e.org",
        ])
        #expect(result.warnings.isEmpty, "\(result.warnings)")
    }

    /// FluxBB 1.5 links what do_clickable's expression takes: after a space, `]` or `)`,
    /// or wrapped in `(…)` or quotes; a path does not end with punctuation, and a lone
    /// `/` is left out.
    @Test func fluxBBLinksWhatItsPatternTakes() throws {
        let post = """
            See http://e.com/a. and (http://w.org/a) "http://q.org" http://x.yz:80/ http://a.b-c \
            [b]www.e.org[/b] x:http://no.com (http://open.org no ftp.e.org mail a@e.org
            """
        let result = try read(post, .fluxBB)
        #expect(links(result.document) == [
            "http://e.com/a http://e.com/a", "http://w.org/a http://w.org/a", "http://q.org http://q.org",
            "http://x.yz:80 http://x.yz:80", "http://a.b http://a.b", "http://www.e.org www.e.org", " ftp.e.org",
        ])
        // ftp.… links to ftp://, which markconv refuses (warned), and nothing before [/url]
        // in the same word is linked.
        #expect(result.warnings.map(\.message) == [
            "link address with the scheme ftp: refused (allowed: http, https, mailto, relative); the text is kept, the address was ftp://ftp.e.org",
        ])
        #expect(links(try read("[url][b]http://e.com/[/b][/url] http://e.com/a[/img]", .fluxBB).document).isEmpty)
    }

    /// Friendica and Hubzilla run their patterns over the post with its tags in it: no
    /// address right after a tag is linked; Friendica's takes parentheses in pairs,
    /// Hubzilla's any.
    @Test func friendicaAndHubzillaLinkWhatTheirPatternsTake() throws {
        let post = "See (https://ex.org/P_(x)), [b]http://after.tag/[/b] x=http://ex.com xhttp://w.org http://ex.com/a. http://e.org"
        // Friendica's host needs two characters before its dot: e.org is no address.
        #expect(links(try read(post, .friendica).document) == [
            "https://ex.org/P_(x) https://ex.org/P_(x)", "http://ex.com/a. http://ex.com/a.",
        ])
        #expect(links(try read(post, .hubzilla).document) == [
            "https://ex.org/P_(x)), https://ex.org/P_(x)),", "http://w.org http://w.org", "http://ex.com/a. http://ex.com/a.",
            "http://e.org http://e.org",
        ])
        // Text of a no-parse tag is shown as typed.
        #expect(links(try read("[noparse]http://e.com/x[/noparse]", .friendica).document).isEmpty)
    }

    /// Where a forum's pattern is not known (closed source, or a list of top-level
    /// domains), addresses are linked as phpBB links them, and a warning says so.
    @Test func unknownPatternsAreLinkedAsPhpBBLinksThemWithAWarning() throws {
        for dialect in [BBCodeDialect.smf, .xenForo, .vBulletin, .steam] {
            let result = try read("see http://e.com/a. now", dialect)
            #expect(links(result.document) == ["http://e.com/a http://e.com/a"], "\(dialect.name)")
            #expect(result.warnings.map(\.message) == [
                "bare addresses are links, as \(dialect.title) links them by default; where each one ends follows phpBB's reading, which markconv could not check against \(dialect.title)",
            ])
        }
        #expect(try read("see http://e.com/a. now", .generic).warnings.isEmpty)
    }

    /// MyBB, Friendica and Hubzilla pair formatting tags with regular expressions: one
    /// never closed is text there, not formatting to the end; MyBB and Hubzilla split
    /// items at `[*]` alone, so `[/*]` is text; MyBB takes no `rgb()` colour.
    @Test func regularExpressionForumsLeaveUnpairedTagsAsText() throws {
        for dialect in [BBCodeDialect.myBB, .friendica, .hubzilla] {
            let result = try read("[b]a[/b] [i]never closed", dialect)
            #expect(result.document.plainText(of: 0) == "a [i]never closed", "\(dialect.name)")
            #expect(result.warnings.map(\.message) == [
                "[i] is never closed: \(dialect.title) shows it as text, and so does markconv",
            ])
        }
        // phpBB closes it at the end, as s9e does.
        #expect(try read("[i]never closed").document.nodes.count == 3)
        let items = try read("[list][*]one[/*] two[*]three[/list]", .myBB)
        #expect(Array(items.document.children(of: 0)).map { items.document.plainText(of: $0) } == ["one[/*] two", "three"])
        let colour = try read("[color=rgb(1,2,3)]x[/color] [color=red]y[/color]", .myBB)
        #expect(colour.document.plainText(of: 0) == "[color=rgb(1,2,3)]x[/color] y")
    }

    /// MyBB, Friendica and Hubzilla take a space inside a link's or image's address (the
    /// browser sends it as %20); the generic core keeps such a tag as text.
    @Test func spacesInAddressesWhereTheForumTakesThem() throws {
        let post = "[url=http://ex.com/a b.html]x[/url] [img]http://ex.com/c d.png[/img]"
        for dialect in [BBCodeDialect.phpBB, .myBB, .friendica, .hubzilla] {
            let html = try MarkupKit.convert(post, from: .bbcode(dialect), to: .html).output
            #expect(html.contains("href=\"http://ex.com/a%20b.html\"") && html.contains("src=\"http://ex.com/c%20d.png\""),
                    "\(dialect.name): \(html)")
        }
        #expect(try MarkupKit.convert(post, from: .bbcode(.generic), to: .html).output == "<p>\(post)</p>\n")
    }

    /// Each forum's attachment tag is kept as the reference it is, as phpBB's is.
    @Test func attachmentsOfEachForumAreKeptAsReferences() throws {
        let posts: [(BBCodeDialect, String)] = [
            (.smf, "[attach id=5]cat.jpg[/attach]"), (.xenForo, "[ATTACH type=\"full\"]123[/ATTACH]"),
            (.vBulletin, "[ATTACH=CONFIG]123[/ATTACH]"), (.myBB, "[attachment=12]"),
        ]
        for (dialect, attachment) in posts {
            let post = "Photo: \(attachment) here"
            let result = try MarkupKit.convert(post, from: .bbcode(dialect), to: .bbcode(dialect))
            #expect(result.output == post + "\n", "\(dialect.name)")
            #expect(result.warnings.first?.message.contains("refers to something on the forum") == true, "\(dialect.name)")
        }
    }

    /// What MyBB or FluxBB would link is written split, by each one's means, and reads
    /// back as the text it was.
    @Test func textTheOtherForumsWouldLinkIsWrittenSplit() throws {
        let text = "visit http://e.com or www.e.org, ftp.e.net (irc://c.e.net/r)"
        var builder = DocumentBuilder()
        builder.open(.paragraph)
        builder.addText(text)
        builder.close()
        let document = builder.finish()
        let myBB = try MarkupKit.write(document, as: .bbcode(.myBB)).text
        #expect(myBB == "visit http[b][/b]://e.com or www[b][/b].e.org, ftp[b][/b].e.net (irc[b][/b]://c.e.net/r)\n")
        let fluxBB = try MarkupKit.write(document, as: .bbcode(.fluxBB)).text
        #expect(fluxBB == "visit http\u{2063}://e.com or www\u{2063}.e.org, ftp\u{2063}.e.net (irc://c.e.net/r)\n")
        for (written, dialect) in [(myBB, BBCodeDialect.myBB), (fluxBB, .fluxBB)] {
            let back = try read(written, dialect).document
            #expect(links(back).isEmpty)
            #expect(back.plainText(of: 0) == text)
        }
    }

    /// Text that phpBB would link is written so it stays text, and reads back as it was.
    @Test func textThatWouldBeALinkIsWrittenSplit() throws {
        let text = "visit http://e.com or www.e.org, mail a@b.org; http://u@h.org"
        var builder = DocumentBuilder()
        builder.open(.paragraph)
        builder.addText(text)
        builder.close()
        let written = try MarkupKit.write(builder.finish(), as: .bbcode(.phpBB)).text
        #expect(written == "visit http[b][/b]://e.com or www[b][/b].e.org, mail a[b][/b]@b.org; http[b][/b]://u[b][/b]@h.org\n")
        let back = try read(written).document
        #expect(links(back).isEmpty)
        #expect(back.plainText(of: 0) == text)
    }

    @Test func addressesWithSpacesAndImagesInTheValue() throws {
        let result = try read("""
            [url=https://e.com/my file.pdf]file[/url] [img]https://e.com/my photo.png[/img] \
            [img=https://e.com/a.png][/img] [img src=https://e.com/b.png][/img] [img=https://e.com/c.png]caption[/img]
            """)
        let document = result.document
        #expect(links(document) == ["https://e.com/my%20file.pdf file"])
        let images = document.nodes.compactMap { node -> String? in
            if case .image(let image) = node.kind { return image.source }
            return nil
        }
        #expect(images == ["https://e.com/my%20photo.png", "https://e.com/a.png", "https://e.com/b.png", "https://e.com/c.png"])
        #expect(result.warnings.map(\.description) == [
            "1:149: the text inside [img=…][/img] is not shown by phpBB 3.3, which takes the address from the tag; dropped",
        ])
        // Where the forum refuses them, the tags stay text.
        #expect(try read("[url=https://e.com/a b]x[/url]", .generic).document.plainText(of: 0) == "[url=https://e.com/a b]x[/url]")
    }

    @Test func listTypeEmailSubjectAndQuoteAuthorLinks() throws {
        let list = try read("[list type=a][*]x[/list]").document
        #expect(list[0].kind == .list(ListAttributes(kind: .ordered(start: 1, numbering: .lowerAlpha), isTight: true)))
        let mail = try read("[email=help@e.com subject=\"Order 42\" body=\"Hi & bye\"]us[/email]").document
        #expect(links(mail) == ["mailto:help@e.com?subject=Order%2042&body=Hi%20%26%20bye us"])
        let quote = try read("[quote=\"[url=https://e.com/u/2]Alice[/url]\" post_id=12]Hello[/quote]")
        #expect(quote.document[0].kind == .blockQuote(attribution: "Alice"))
        #expect(quote.warnings.map(\.description) == [
            "1:1: the link on quote author 'Alice' (https://e.com/u/2) has no place in the tree; the name was kept",
        ])
        #expect(try read("[quote=\"[url]Bob[/url]\"]x[/quote]").document[0].kind == .blockQuote(attribution: "Bob"))
    }

    @Test func codeNeverClosedRunsToTheEnd() throws {
        let result = try read("Run:\n[code]make\n[b]not bold[/b]\n")
        let blocks = Array(result.document.topLevel)
        #expect(blocks.count == 2)
        guard case .codeBlock(_, let code) = result.document[blocks[1]].kind else {
            Issue.record("no code block: \(result.document)")
            return
        }
        #expect(result.document.string(code) == "make\n[b]not bold[/b]\n")
        #expect(result.warnings.map(\.description) == [
            "2:1: [code] is never closed: the rest of the post is code, as phpBB 3.3 shows it",
        ])
        // The generic core keeps such a tag as text.
        #expect(try read("[code]x\n", .generic).document.plainText(of: 0) == "[code]x")
    }

    @Test func textAfterAnItemsEndStaysInTheItem() throws {
        let result = try read("[list][*]one[/*] said between [*]two[/*][/list]")
        let list = result.document
        #expect(Array(list.children(of: 0)).map { list.plainText(of: $0) } == ["one said between", "two"])
        #expect(result.warnings.map(\.description) == [
            "1:13: text after [/*] and before the next [*] is kept in the item before it (phpBB 3.3 shows it inside the list, without a bullet)",
        ])
    }

    /// Formatting left open in a quote or list goes on after its end tag, as s9e's
    /// autoReopen has it, until its own end tag; the generic core ends it with the block.
    @Test func formattingLeftOpenInABlockGoesOnAfterIt() throws {
        func html(_ post: String, _ dialect: BBCodeDialect) throws -> Conversion {
            try MarkupKit.convert(post, from: .bbcode(dialect), to: .html)
        }
        let post = "[quote][b]x[/quote] after[/b] plain"
        let phpBB = try html(post, .phpBB)
        #expect(phpBB.output == "<blockquote>\n<p><strong>x</strong></p>\n</blockquote>\n<p><strong>after</strong> plain</p>\n")
        #expect(phpBB.warnings.map(\.description) == [
            "1:8: [b] was left open inside a block: it goes on after the block's end, as phpBB 3.3 shows it (close it inside the block if it should end there)",
        ])
        #expect(try html(post, .generic).output.hasSuffix("<p>after[/b] plain</p>\n"))
        // Through nested blocks, one end tag at a time; a new item still ends it ([*] closes
        // its parent's formatting without reopening it).
        #expect(try html("[quote][quote][i]x[/quote]y[/quote]z", .phpBB).output.hasSuffix("<p><em>z</em></p>\n"))
        #expect(try html("[list][*][b]one[*]two[/list] after", .phpBB).output
                == "<ul>\n<li><strong>one</strong></li>\n<li>two</li>\n</ul>\n<p>after</p>\n")
        // Closed in the block, it stays there.
        #expect(try html("[quote][b]x[/b][/quote] after", .phpBB).output.hasSuffix("<p>after</p>\n"))
    }

    /// An attachment is a reference to the forum's file: kept exactly for phpBB, its text
    /// elsewhere, both warned.
    @Test func attachmentsAreKeptAsReferences() throws {
        let post = "Photo: [attachment=0]photo.jpg[/attachment]"
        let result = try MarkupKit.convert(post, from: .bbcode(.phpBB), to: .bbcode(.phpBB))
        #expect(result.output == post + "\n")
        #expect(result.warnings.map(\.description) == [
            "1:8: [attachment] 'photo.jpg' refers to something on the forum: kept as phpBB 3.3 BBCode, written back as it was for BBCode and as its text elsewhere, here and after",
        ])
        let markdown = try MarkupKit.convert(post, from: .bbcode(.phpBB), to: .gfm)
        #expect(markdown.output == "Photo: \\[attachment=0]photo.jpg\\[/attachment]\n")
        #expect(markdown.warnings.map(\.message).last == "raw bbcode written as text")
        // With markup inside it is no plain reference: text, as before, with the loss warned.
        let marked = try read("[attachment=0][b]x[/b][/attachment]")
        #expect(marked.warnings.first?.message == "[attachment=…] is a phpBB 3.3 tag markconv does not read; kept as text, here and after")
    }
}
