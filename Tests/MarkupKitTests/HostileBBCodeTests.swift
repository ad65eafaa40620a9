import Foundation
import MarkupKit
import Testing

/// Malformed BBCode, in every dialect: the HTML is well-formed, no word of the input is
/// lost, and each file's rule holds. The rules are the project's decisions, documented
/// in docs/ARCHITECTURE.md ("Malformed BBCode").
@Suite struct HostileBBCodeTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/hostile")

    static func input(_ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }

    static func html(_ name: String, _ dialect: BBCodeDialect = .generic) throws -> String {
        try MarkupKit.convert(try input(name), from: .bbcode(dialect), to: .html).output
    }

    static let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path))?
        .filter { $0.hasPrefix("mal-") && $0.hasSuffix(".bbcode") }.sorted() ?? []

    @Test func theFixturesAreThere() {
        #expect(Self.files.count == 14)
    }

    @Test(arguments: files)
    func everyDialectGivesWellFormedHTMLAndKeepsEveryWord(_ file: String) throws {
        let source = try Self.input(file)
        for dialect in BBCodeDialect.all {
            let html = try Self.html(file, dialect)
            #expect(BalancedHTML.problem(in: html) == nil, "\(dialect.name): \(BalancedHTML.problem(in: html) ?? "")\n\(html)")
            // Words of the input: runs of letters outside brackets' tag names.
            let shown = BalancedHTML.text(of: html)
            for word in Self.words(outsideTags: source) {
                #expect(shown.contains(word), "\(dialect.name) lost '\(word)':\n\(html)")
            }
            // The same input gives the same output.
            #expect(try Self.html(file, dialect) == html)
        }
    }

    /// The words of the text between tags (a tag's own name is not the user's text when
    /// it is read as a tag).
    static func words(outsideTags source: String) -> [String] {
        var words: [String] = []
        var inBracket = false
        var current = ""
        for character in source {
            if character == "[" { inBracket = true }
            if !inBracket && character.isLetter {
                current.append(character)
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
            if character == "]" { inBracket = false }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    // The rules, one per file.

    /// A footnote reference with no definition has nothing to be numbered by: its label is
    /// the user's text, and must not become a tag (`[b]` made the rest of the post bold).
    @Test(arguments: BBCodeDialect.all.map(\.name))
    func aFootnoteLabelIsNeverATag(_ name: String) throws {
        let dialect = try #require(BBCodeDialect.named(name))
        for label in ["b", "quote", "url=https://example.com", "/list"] {
            var builder = DocumentBuilder()
            builder.open(.paragraph)
            builder.addText("see")
            builder.addLeaf(.footnoteReference(label: label))
            builder.addText(" here")
            builder.close()
            let written = BBCodeWriter(dialect: dialect).write(builder.finish())
            let read = BBCodeReader(dialect: dialect).read(written.text).document
            #expect(read.nodes.count == 2 && read.plainText(of: 0) == "see[\(label)] here", "\(written.text)")
            #expect(written.warnings.contains { $0.message.contains("has no definition") })
        }
    }

    @Test func strayClosersAreConsumedAndMisnestingIsClosedAndReopened() throws {
        // mal-01: [b][i]x[/b][/i] — the stray [/i] closes the reopened, empty [i].
        #expect(try Self.html("mal-01.bbcode") == "<p><strong><em>x</em></strong></p>\n")
        // mal-05: closing through two open tags closes both; later closers are consumed.
        #expect(try Self.html("mal-05.bbcode") == "<p><strong><em><u>x</u></em></strong></p>\n")
        // mal-25: a second closer has nothing to close: it is text.
        #expect(try Self.html("mal-25.bbcode") == "<p><strong>a</strong>[/b]</p>\n")
    }

    @Test func openTagsCloseAtTheEnd() throws {
        // mal-03
        #expect(try Self.html("mal-03.bbcode") == "<p><strong>unclosed</strong></p>\n")
    }

    @Test func aBlockSplitsTheFormattingAroundIt() throws {
        // mal-07: never <strong><blockquote>.
        #expect(try Self.html("mal-07.bbcode")
            == "<p><strong>a</strong></p>\n<blockquote>\n<p><strong>b</strong></p>\n</blockquote>\n<p><strong>c</strong></p>\n")
    }

    @Test func itemMarkersOutsideAListAreText() throws {
        // mal-09 (SMF is the exception: there a [*] line is a list of its own).
        for dialect in BBCodeDialect.all where !dialect.lists.starOutsideListStartsList {
            let html = try Self.html("mal-09.bbcode", dialect)
            #expect(!html.contains("<li>") && html.contains("[*]orphan item"), "\(dialect.name)")
        }
        let smf = try Self.html("mal-09.bbcode", .smf)
        #expect(smf.hasPrefix("<ul>\n<li>orphan item</li>\n<li>another</li>\n</ul>"), "\(smf)")
    }

    @Test func aURLWithMarkupInsideIsNoURL() throws {
        // mal-11: never a URL containing [b]. Where the forum links bare addresses (phpBB,
        // MyBB), the address inside the bold is linked, as the forum links it, and [url] is
        // text; FluxBB links no address with a [/url] after it in the same word, Friendica
        // and Hubzilla none right after a tag.
        func linksThisAddress(_ autolinks: BBCodeDialect.ReadingRules.Autolinks) -> Bool {
            switch autolinks.shape {
            case _ where autolinks.isEmpty: false
            case .textFormatter: true
            case .hostAndPath(let shape): shape.notBeforeEndTags.isEmpty
            case .characterRun(let shape): !shape.notAfter.contains("]")
            }
        }
        for dialect in BBCodeDialect.all {
            let html = try Self.html("mal-11.bbcode", dialect)
            if !linksThisAddress(dialect.reading.autolinks) {
                #expect(!html.contains("href"), "\(dialect.name): \(html)")
            } else {
                #expect(html.contains("<strong><a href=\"http://a.example/\">http://a.example/</a></strong>"), "\(dialect.name): \(html)")
            }
            #expect(html.contains("[url]") && html.contains("http://a.example/"))
        }
    }

    @Test func verbatimTagsWithoutAnEndAreText() throws {
        // mal-13: the rest is parsed as usual.
        #expect(try Self.html("mal-13.bbcode") == "<p>[code]unclosed code <strong>x</strong></p>\n")
    }

    @Test func tagNamesFoldCaseButTakeNoSpaces() throws {
        // mal-15: ASCII case-insensitive; `[ b ]` is not a tag.
        #expect(try Self.html("mal-15.bbcode") == "<p><strong>x</strong> [ b ]y[ /b ]</p>\n")
    }

    @Test func anUnterminatedValueLeavesTheTagAsText() throws {
        // mal-17: the start tag is text, so the lone [/quote] is text too.
        #expect(try Self.html("mal-17.bbcode") == "<p>[quote=&quot;unterminated]x[/quote]</p>\n")
    }

    @Test func bareValuesEndAtTheBracketOrBeforeTheNextAttributeAndNeverAcrossALine() throws {
        // The bare-value scan skips ahead with memchr (a line of `[b=[b=…` made every `[`
        // read to the tag limit); these are the three ways it can end.
        let forum = Format.bbcode(.phpBB)
        let quoted = try MarkupKit.convert("[quote=Ann Lee post_id=7 user_id=3]hi[/quote]", from: forum, to: .html).output
        #expect(quoted.contains("<figcaption>Ann Lee</figcaption>"), "\(quoted)")
        // Neither is a tag: every character stays, as text.
        let unclosed = "[color=red\nx] y [b=[b=[b=z"
        let shown = BalancedHTML.text(of: try MarkupKit.convert(unclosed, from: forum, to: .html).output)
        #expect(shown.trimmingCharacters(in: .whitespacesAndNewlines) == unclosed)
        let storm = String(repeating: "[size=", count: 20_000) + "]x"
        let stormShown = BalancedHTML.text(of: try MarkupKit.convert(storm, from: forum, to: .html).output)
        let stormKeptAsText = stormShown.trimmingCharacters(in: .whitespacesAndNewlines) == storm
        #expect(stormKeptAsText)
    }

    @Test func aBracketInsideAQuotedValueDoesNotEndTheTag() throws {
        // mal-19
        let html = try Self.html("mal-19.bbcode")
        #expect(html.contains("<figcaption>name][clan</figcaption>") && html.contains("<p>blah</p>"), "\(html)")
    }

    @Test func missingValuesLeaveTagsAsText() throws {
        // mal-21: never href="" or an empty image.
        for dialect in BBCodeDialect.all {
            let html = try Self.html("mal-21.bbcode", dialect)
            #expect(!html.contains("<a") && !html.contains("<img") && !html.contains("style="), "\(dialect.name): \(html)")
        }
    }

    @Test func aTagBrokenByALineEndIsText() throws {
        // mal-23
        #expect(try Self.html("mal-23.bbcode") == "<p>[b<br />\noops <em>i</em> forgot[/b]</p>\n")
    }

    @Test func alternatingMisnestingResolvesDeterministically() throws {
        // mal-27
        #expect(try Self.html("mal-27.bbcode")
            == "<p><em>a<strong>b</strong></em><strong>c</strong> <del><u><del><u>x</u></del></u></del></p>\n")
    }
}

/// Checks that HTML's tags nest, and gives its text.
enum BalancedHTML {
    static let voidElements: Set<String> = ["br", "hr", "img", "input"]

    /// The first nesting error, or nil.
    static func problem(in html: String) -> String? {
        var open: [String] = []
        var rest = Substring(html)
        while let start = rest.firstIndex(of: "<") {
            guard let end = rest[start...].firstIndex(of: ">") else { return "unclosed '<'" }
            let tag = rest[rest.index(after: start)..<end]
            rest = rest[rest.index(after: end)...]
            let isClosing = tag.hasPrefix("/")
            let name = String(tag.drop { $0 == "/" }.prefix { $0.isLetter || $0.isNumber }).lowercased()
            if voidElements.contains(name) || tag.hasSuffix("/") { continue }
            if isClosing {
                guard open.last == name else { return "</\(name)> closes <\(open.last ?? "nothing")>" }
                open.removeLast()
            } else {
                open.append(name)
            }
        }
        return open.isEmpty ? nil : "<\(open.last!)> is never closed"
    }

    /// The text, tags removed and the five escapes undone.
    static func text(of html: String) -> String {
        var text = ""
        var inTag = false
        for character in html {
            if character == "<" { inTag = true } else if character == ">" { inTag = false } else if !inTag { text.append(character) }
        }
        return text.replacing("&lt;", with: "<").replacing("&gt;", with: ">").replacing("&quot;", with: "\"")
            .replacing("&#39;", with: "'").replacing("&amp;", with: "&")
    }
}

/// Repetition that makes naive repair quadratic: formatting left open over thousands of
/// paragraphs or blocks, closers that misnest through everything. The output stays
/// proportional to the input, and every word stays.
@Suite struct AdversarialBBCodeTests {
    static let count = 20_000

    static let inputs: [String: String] = [
        "unclosed bold over paragraphs": String(repeating: "[b]x\n\n", count: count),
        "unclosed colours over paragraphs": (0..<count).map { "[color=#\(String($0, radix: 16).leftPadded(6))]x\n\n" }.joined(),
        "bold before a quote": String(repeating: "[b]", count: count) + "[quote]x[/quote]",
        "quotes holding open bold": String(repeating: "[quote][b]x", count: count),
        "lists holding open bold": String(repeating: "[list][*][b]x", count: count),
        "closers through everything": String(repeating: "[b][i]x", count: count) + String(repeating: "[/b]", count: count),
    ]

    @Test(arguments: inputs.keys.sorted())
    func outputGrowsWithTheInput(_ name: String) throws {
        let input = try #require(Self.inputs[name])
        let result = try MarkupKit.convert(input, from: .bbcode(.generic), to: .html)
        // At most eight carried tags reopen per paragraph: a constant factor, never the
        // thousands a quadratic repair would write here.
        #expect(result.output.utf8.count < input.utf8.count * 40, "\(result.output.utf8.count) bytes of HTML from \(input.utf8.count)")
        let words = BalancedHTML.text(of: result.output).filter { $0 == "x" }.count
        #expect(words == input.filter { $0 == "x" }.count)
        #expect(BalancedHTML.problem(in: result.output) == nil)
    }
}

private extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

/// Links and images from BBCode: only web and mail addresses and relative ones are kept,
/// whatever the spelling of the scheme; any other address is refused as it is from every
/// reader (the link keeps its text), with a warning that gives the address.
@Suite struct BBCodeLinkSafetyTests {
    static let refused = [
        "[url=javascript:alert(1)]x[/url]", "[url=JaVaScRiPt:alert(1)]x[/url]", "[url]javascript://%0Aalert(1)[/url]",
        "[url=vbscript:msgbox(1)]x[/url]", "[url=livescript:alert(1)]x[/url]", "[url=file:///etc/passwd]x[/url]",
        "[url=data:text/html,x]x[/url]", "[img]data:image/svg+xml;base64,PHN2Zz4=[/img]", "[img]javascript:alert(1)[/img]",
        "[img]mailto:a@b.c[/img]",
    ]

    @Test(arguments: refused)
    func otherSchemesAreRefused(_ input: String) throws {
        let address = input.hasPrefix("[url=") ? String(input.dropFirst(5).prefix { $0 != "]" })
            : String(input.drop { $0 != "]" }.dropFirst().prefix { $0 != "[" })
        for dialect in BBCodeDialect.all {
            let result = try MarkupKit.convert(input, from: .bbcode(dialect), to: .html)
            // Only empty addresses are left: `href=""`, `src=""`.
            #expect(!result.output.contains(#/(href|src)="[^"]/#), "\(dialect.name): \(result.output)")
            if input.hasPrefix("[url=") {
                #expect(BalancedHTML.text(of: result.output).trimmingCharacters(in: .whitespacesAndNewlines) == "x",
                        "\(dialect.name): the link's text stays")
            }
            #expect(result.warnings.contains { $0.message.contains("refused") && $0.message.hasSuffix("the address was \(address)") },
                    "\(dialect.name): \(result.warnings)")
        }
    }

    /// No forum has link or image titles: dropping one is a loss the user is told of
    /// (issue 17; `roundtrip` otherwise showed a difference whose two sides read the same).
    @Test func titlesDroppedByBBCodeAreWarned() throws {
        for dialect in BBCodeDialect.all {
            let result = try MarkupKit.convert(#"[a](https://e.com/ "The title") ![p](https://e.com/p.png "Photo")"#,
                                               from: .gfm, to: .bbcode(dialect))
            let messages = result.warnings.map(\.message)
            #expect(messages.contains("link title 'The title' has no form in BBCode; dropped"), "\(dialect.name): \(messages)")
            #expect(messages.contains("image title 'Photo' has no form in BBCode; dropped"), "\(dialect.name): \(messages)")
            #expect(result.warnings.allSatisfy { $0.kind == .loss && $0.position.line == 1 })
        }
        #expect(try MarkupKit.convert("[a](https://e.com/) ![](https://e.com/p.png)", from: .gfm, to: .bbcode(.phpBB))
            .warnings.isEmpty)
    }

    @Test func webMailAndRelativeAddressesAreLinks() throws {
        let html = try MarkupKit.convert(
            "[url=/page]a[/url] [url=#top]b[/url] [url=HTTPS://example.com/?a=1&b=2]c[/url] [email]me@example.com[/email] [img]//cdn.example/x.png[/img]",
            from: .bbcode(.generic), to: .html).output
        #expect(html == """
            <p><a href="/page">a</a> <a href="#top">b</a> <a href="HTTPS://example.com/?a=1&amp;b=2">c</a> \
            <a href="mailto:me@example.com">me@example.com</a> <img src="//cdn.example/x.png" alt="" /></p>

            """)
    }
}
