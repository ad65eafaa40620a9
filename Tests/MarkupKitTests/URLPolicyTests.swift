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
}
