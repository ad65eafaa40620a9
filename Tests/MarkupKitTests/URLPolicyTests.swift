import MarkupKit
import Testing

/// The address allowlist, read the way a browser reads an address, decided once in the
/// tree so that no writer — HTML, Markdown or BBCode — can carry a refused address on.
@Suite struct URLPolicyTests {
    let policy = URLPolicy.standard

    @Test func schemesAreReadAsBrowsersReadThem() {
        #expect(URLPolicy.scheme(of: "JaVaScRiPt:alert(1)") == "javascript")
        #expect(URLPolicy.scheme(of: " \u{01}\u{1F}javascript:x") == "javascript")
        #expect(URLPolicy.scheme(of: "java\tscr\nipt\r:x") == "javascript")
        // Fullwidth letters are no scheme to a browser: a relative address.
        #expect(URLPolicy.scheme(of: "\u{FF4A}avascript:x") == nil)
        #expect(URLPolicy.scheme(of: "/path:with-colon") == nil)
        #expect(URLPolicy.scheme(of: "#fragment") == nil)
        #expect(URLPolicy.scheme(of: "a+b.c-d:x") == "a+b.c-d")
    }

    /// The byte-by-byte scheme check answers as the scheme read into a string does, on
    /// every address above and on prefixes, look-alikes and broken-up schemes.
    @Test func aSchemeComparedInPlaceIsTheSchemeRead() {
        let addresses = ["http://a", "HTTPS://a", "https:", "http", "https", "httpx://a", "htt:", "mailto:a@b.c", "MAILTO:x",
                         "mail\tto:x", " \u{01}mailto:x", "mailtox:y", "ma:ilto", "/relative", "relative/path", "#top", "?q=1",
                         "", ":", "javascript:x", "\u{00}javascript:x", "jav\tascript:x", "\u{FF4A}avascript:x",
                         "a+b.c-d:x", "1http:x", "h\u{0131}ttp:x", "http\n:x", " http :x"]
        for address in addresses {
            let scheme = URLPolicy.scheme(of: address)
            #expect(URLPolicy.hasScheme(address, "http") == (scheme == "http"), "\(address.debugDescription)")
            #expect(URLPolicy.hasScheme(address, "https") == (scheme == "https"), "\(address.debugDescription)")
            #expect(URLPolicy.hasScheme(address, "mailto") == (scheme == "mailto"), "\(address.debugDescription)")
            #expect(URLPolicy.hasScheme(address, "javascript") == (scheme == "javascript"), "\(address.debugDescription)")
            for isImage in [false, true] {
                let allowed = isImage ? policy.imageSchemes : policy.linkSchemes
                #expect(policy.allows(address, isImage: isImage) == (scheme.map(allowed.contains) ?? true),
                        "\(address.debugDescription)")
            }
        }
    }

    @Test func onlyTheAllowlistPasses() {
        for allowed in ["http://a", "HTTPS://a", "mailto:a@b.c", "/relative", "relative/path", "#top", "?q=1", ""] {
            #expect(policy.allows(allowed, isImage: false), "\(allowed)")
        }
        for refused in ["javascript:x", "vbscript:x", "livescript:x", "file:///etc/passwd", "data:text/html,x", "ftp://a",
                        "irc://a", "\u{00}javascript:x", "jav\tascript:x"] {
            #expect(!policy.allows(refused, isImage: false), "\(refused)")
        }
        #expect(!policy.allows("mailto:a@b.c", isImage: true))
        #expect(!policy.allows("data:image/png;base64,AA==", isImage: true))
        #expect(policy.allows("https://example.com/a.png", isImage: true))
    }

    /// From every reader to every writer: the refused address reaches no output, the text
    /// does, and a warning names the scheme.
    @Test(arguments: [
        ("gfm", "[click](javascript:alert(1)) ![pic](vbscript:x)\n"),
        ("html", "<a href=' JaVa&#9;script:alert(1)'>click</a> <img src='vbscript:x' alt='pic'>"),
        ("json", #"{"schema":"markupkit-document","version":1,"blocks":[{"type":"paragraph","children":[{"type":"link","destination":"javascript:alert(1)","title":"","children":[{"type":"text","text":"click"}]},{"type":"text","text":" "},{"type":"image","source":"vbscript:x","title":"","children":[{"type":"text","text":"pic"}]}]}]}"#),
    ])
    func refusedAddressesReachNoWriter(_ source: String, _ input: String) throws {
        for target in ["html", "gfm", "commonmark", "bbcode_phpbb", "bbcode_xenforo", "json"] {
            let result = try MarkupKit.convert(input, from: Format(parsing: source), to: Format(parsing: target))
            let lowered = result.output.lowercased()
            #expect(!lowered.contains("script:") && !lowered.contains("vbscript"), "\(source) → \(target): \(result.output)")
            #expect(result.output.contains("click") && result.output.contains("pic"), "\(source) → \(target): \(result.output)")
            #expect(result.warnings.contains { $0.message.contains("scheme javascript: refused") }, "\(source) → \(target)")
        }
    }

    @Test func unsafeKeepsEveryAddressForTrustedInput() throws {
        let result = try MarkupKit.convert("[x](irc://chat)\n", from: .gfm, to: .html, options: ConversionOptions(allowsRawHTML: true))
        #expect(result.output == "<p><a href=\"irc://chat\">x</a></p>\n")
    }

    /// One policy, every reader: the same `ftp:` link is the same tree and the same
    /// warning whichever format it came in, and a policy that allows `ftp` is honoured by
    /// every reader alike.
    static let ftpLinks: [(String, String)] = [
        ("gfm", "[files](ftp://example.com/pub)\n"),
        ("html", "<p><a href=\"ftp://example.com/pub\">files</a></p>"),
        ("bbcode_phpbb", "[url=ftp://example.com/pub]files[/url]"),
        ("bbcode_xenforo", "[URL='ftp://example.com/pub']files[/URL]"),
        ("json", #"{"schema":"markupkit-document","version":1,"blocks":[{"type":"paragraph","children":[{"type":"link","destination":"ftp://example.com/pub","title":"","children":[{"type":"text","text":"files"}]}]}]}"#),
    ]

    @Test func everyReaderAppliesTheSamePolicy() throws {
        var allowingFTP = ConversionOptions()
        allowingFTP.urlPolicy.linkSchemes.insert("ftp")
        var refusedTrees: [Document] = []
        for (source, input) in Self.ftpLinks {
            let refused = try MarkupKit.read(utf8: Array(input.utf8), as: Format(parsing: source))
            refusedTrees.append(refused.document)
            #expect(refused.warnings.map(\.message) == [
                "link address with the scheme ftp: refused (allowed: http, https, mailto, relative); the text is kept, the address was ftp://example.com/pub",
            ], "\(source)")
            let allowed = try MarkupKit.read(utf8: Array(input.utf8), as: Format(parsing: source), options: allowingFTP)
            #expect(allowed.warnings.isEmpty, "\(source): \(allowed.warnings)")
            let html = try MarkupKit.write(allowed.document, as: .html, options: allowingFTP).text
            #expect(html == "<p><a href=\"ftp://example.com/pub\">files</a></p>\n", "\(source)")
        }
        #expect(Set(refusedTrees).count == 1, "every reader builds the same refused link")
    }

    /// `--unsafe` trusts the input for HTML (and Markdown, JSON) output; BBCode output
    /// keeps the allowlist, since a post is never the place for a `javascript:` link.
    @Test func unsafeDoesNotCarryScriptAddressesIntoBBCode() throws {
        for (source, input) in [("gfm", "[x](javascript:alert(1)) ![p](javascript:alert(2))\n"),
                                ("bbcode_phpbb", "[url=javascript:alert(1)]x[/url] [img]javascript:alert(2)[/img]"),
                                ("html", "<a href='javascript:alert(1)'>x</a> <img alt=p src='javascript:alert(2)'>")] {
            let trusted = ConversionOptions(allowsRawHTML: true)
            let html = try MarkupKit.convert(input, from: Format(parsing: source), to: .html, options: trusted)
            #expect(html.output.contains("href=\"javascript:alert(1)\""), "\(source): --unsafe keeps the address for HTML")
            for dialect in BBCodeDialect.all {
                let post = try MarkupKit.convert(input, from: Format(parsing: source), to: .bbcode(dialect), options: trusted)
                #expect(!post.output.lowercased().contains("javascript"), "\(source) → \(dialect.name): \(post.output)")
                #expect(post.output.contains("x"), "\(source) → \(dialect.name): the link's text stays")
                #expect(post.warnings.filter { $0.message.contains("scheme javascript: refused") }.count == 2,
                        "\(source) → \(dialect.name): \(post.warnings)")
            }
        }
    }
}

