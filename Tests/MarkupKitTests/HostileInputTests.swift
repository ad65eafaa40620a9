import Foundation
import MarkupKit
import MarkupKitTestSupport
import Testing

/// The collection of hostile inputs (`Fixtures/hostile/`, with `manifest.tsv` saying what
/// each must get): every file, in every direction, gives HTML that `HTMLOracle` accepts,
/// and each file's own rule holds. The mal-* files' rules are in HostileBBCodeTests.
@Suite struct HostileInputTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/hostile")

    struct Entry: Sendable, CustomStringConvertible {
        var file: String
        var group: String
        var rule: String
        var description: String { file }
    }

    static let manifest: [Entry] = {
        guard let text = try? String(contentsOf: directory.appendingPathComponent("manifest.tsv"), encoding: .utf8) else {
            return []
        }
        return text.split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return fields.count >= 4 ? Entry(file: fields[0], group: fields[1], rule: fields[3]) : nil
        }
    }()

    static func bytes(_ file: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(file)))
    }

    /// Invalid UTF-8 is refused unless asked for; the oracle runs on the lossy reading.
    static let lossy: ConversionOptions = {
        var options = ConversionOptions()
        options.replacesInvalidUTF8 = true
        return options
    }()

    static func convert(_ input: [UInt8], _ from: Format, _ to: Format) throws -> WriteResult {
        try MarkupKit.convert(utf8: input, from: from, to: to, options: lossy)
    }

    @Test func everyManifestEntryHasItsFile() throws {
        #expect(Self.manifest.count >= 50)
        for entry in Self.manifest {
            #expect(FileManager.default.fileExists(atPath: Self.directory.appendingPathComponent(entry.file).path), "\(entry.file)")
        }
    }

    /// All directions that end in HTML, for one input.
    static func htmlOutputs(of entry: Entry) throws -> [(String, String)] {
        let input = try bytes(entry.file)
        var outputs: [(String, String)] = []
        if entry.file.hasSuffix(".bbcode") {
            for dialect in BBCodeDialect.all {
                let source = Format.bbcode(dialect)
                outputs.append(("\(dialect.name) → html", try convert(input, source, .html).text))
                let markdown = try convert(input, source, .gfm)
                outputs.append(("\(dialect.name) → gfm → html", try convert(markdown.bytes, .gfm, .html).text))
                // The Markdown must stay inert even for a renderer with raw HTML on (xf-01).
                outputs.append(("\(dialect.name) → gfm → cmark --unsafe",
                                CmarkOracle.html(markdown.text, extensions: MarkdownExtensions.gfm.names, unsafe: true)))
            }
        } else {
            outputs.append(("gfm → html", try convert(input, .gfm, .html).text))
            for dialect in BBCodeDialect.all {
                let bbcode = try convert(input, .gfm, .bbcode(dialect))
                outputs.append(("gfm → \(dialect.name) → html", try convert(bbcode.bytes, .bbcode(dialect), .html).text))
            }
        }
        // Whatever the file is, read as HTML it must come out safe too.
        outputs.append(("as html → html", try convert(input, .html, .html).text))
        let html = try convert(input, .html, .gfm)
        outputs.append(("as html → gfm → cmark --unsafe",
                        CmarkOracle.html(html.text, extensions: MarkdownExtensions.gfm.names, unsafe: true)))
        return outputs
    }

    @Test(arguments: manifest)
    func everyDirectionGivesSafeHTML(_ entry: Entry) throws {
        for (direction, html) in try Self.htmlOutputs(of: entry) {
            let problems = HTMLOracle.violations(in: html)
            #expect(problems.isEmpty, "\(entry.file) \(direction): \(problems)\n\(html.prefix(600))")
        }
    }

    /// The same bytes give the same output, from one process to the next as well: no
    /// output depends on dictionary order (checked here within a process, twice).
    @Test(arguments: manifest)
    func outputIsDeterministic(_ entry: Entry) throws {
        let first = try Self.htmlOutputs(of: entry).map(\.1)
        let second = try Self.htmlOutputs(of: entry).map(\.1)
        #expect(first == second, "\(entry.file)")
    }

    // MARK: Each file's own rule

    func html(_ file: String, from format: Format = .bbcode(.generic)) throws -> String {
        try Self.convert(try Self.bytes(file), format, .html).text
    }

    @Test func xssLinkTextAuthorAndVerbatimContentStayText() throws {
        #expect(try html("xss-19.bbcode").contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        let quote = try html("xss-25.bbcode")
        #expect(quote.contains("&lt;img src=x onerror=alert(1)&gt;") && !quote.contains("<img"))
        #expect(try html("xss-33.bbcode").contains("&lt;/code&gt;&lt;script&gt;"))
        #expect(try html("xss-15.bbcode").contains("src=\"x.png%22%20onerror=%22alert(1)\"")
            || !(try html("xss-15.bbcode")).contains("onerror=\""))
    }

    @Test func cssValuesOutsideTheirGrammarNeverReachStyle() throws {
        for file in ["xss-21.bbcode", "xss-23.bbcode"] {
            let output = try html(file)
            #expect(!output.contains("expression") || !output.contains("style=\"") , "\(file): \(output)")
            #expect(!output.contains("style=\"color: red;background"), "\(file): \(output)")
        }
    }

    @Test func markdownSafeModeEmptiesTheAddressAsCmarkDoes() throws {
        #expect(try html("xss-md-01.md", from: .gfm) == "<p><a href=\"\">x</a></p>\n")
        let entities = try html("xss-md-03.md", from: .gfm)
        #expect(!entities.contains("javascript") && entities.contains("<a href=\"\">a</a>"))
        #expect(try html("xss-md-09.md", from: .gfm).contains("<a href=\"\">a</a>"))
        // NUL becomes U+FFFD, percent-encoded: never joins "java" and "script".
        #expect(try html("xss-md-13.md", from: .gfm).contains("java%EF%BF%BDscript"))
        let decoded = try html("xss-md-15.md", from: .gfm)
        #expect(decoded.contains("&lt;script&gt;") && decoded.contains("&amp;lt;") && decoded.contains("&lt;b&gt;"))
        // Only the info string's first word, escaped, reaches class=.
        #expect(try html("xss-md-11.md", from: .gfm).contains("<code class=\"language-js&quot;\">"))
    }

    @Test func markdownMatchesCmarkOnItsOwnHardCases() throws {
        for file in ["mal-md-01.md", "enc-13.md"] {
            let markdown = String(decoding: try Self.bytes(file), as: UTF8.self)
            #expect(try html(file, from: .gfm) == CmarkOracle.html(markdown, extensions: MarkdownExtensions.gfm.names, unsafe: false))
        }
    }

    @Test func bbcodeTextIsLiteralInMarkdown() throws {
        // xf-01: the Markdown shows the tags as text even where raw HTML renders.
        let markdown = try Self.convert(try Self.bytes("xf-01.bbcode"), .bbcode(.generic), .gfm).text
        let rendered = CmarkOracle.html(markdown, extensions: MarkdownExtensions.gfm.names, unsafe: true)
        #expect(rendered.contains("&lt;img src=x onerror=alert(1)&gt;") && rendered.contains("&lt;script&gt;"), "\(rendered)")
        // xf-03: text full of Markdown syntax comes back as the same tree.
        let source = try Self.bytes("xf-03.bbcode")
        let tree = try MarkupKit.read(utf8: source, as: .bbcode(.generic)).document
        let written = try MarkupKit.write(tree, as: .gfm)
        let back = try MarkupKit.read(utf8: written.bytes, as: .gfm).document
        #expect(back == tree, "\(tree.differences(from: back))\n\(written.text)")
    }

    @Test(arguments: BBCodeDialect.all.map(\.name))
    func aURLCannotEndTheTagItIsWrittenIn(_ dialectName: String) throws {
        let dialect = try #require(BBCodeDialect.named(dialectName))
        // xf-05: ] [ " in a Markdown URL.
        let tree = try MarkupKit.read(utf8: try Self.bytes("xf-05.md"), as: .gfm).document
        let bbcode = try MarkupKit.write(tree, as: .bbcode(dialect))
        let back = try MarkupKit.read(utf8: bbcode.bytes, as: .bbcode(dialect)).document
        let destinations = { (document: Document) in
            (0..<document.nodeCount).compactMap { if case .link(let url, _) = document[$0].kind { url } else { nil } }
        }
        #expect(destinations(back).count <= 1, "\(bbcode.text)")
        for url in destinations(back) {
            #expect(url.removingPercentEncoding == destinations(tree).first?.removingPercentEncoding, "\(bbcode.text)")
        }
        // xf-07: a quoted value holding both " and ] is written back so it reads the same.
        let quote = try MarkupKit.read(utf8: try Self.bytes("xf-07.bbcode"), as: .bbcode(dialect)).document
        let rewritten = try MarkupKit.write(quote, as: .bbcode(dialect))
        let reread = try MarkupKit.read(utf8: rewritten.bytes, as: .bbcode(dialect)).document
        #expect(reread == quote || !rewritten.warnings.isEmpty, "\(rewritten.text)")
    }

    @Test func encodingIsDecidedOnceAtTheEdge() throws {
        // enc-01: invalid UTF-8 is refused with its offset, or replaced when asked.
        #expect(throws: MarkupKitError.invalidUTF8(offset: 3)) {
            try MarkupKit.convert(utf8: try Self.bytes("enc-01.bbcode"), from: .bbcode(.generic), to: .html)
        }
        let lossy = try Self.convert(try Self.bytes("enc-01.bbcode"), .bbcode(.generic), .html)
        #expect(lossy.text.contains("\u{FFFD}") && lossy.warnings.contains { $0.message.contains("invalid UTF-8") })
        // enc-03: NUL is U+FFFD, in text and in a URL.
        let nul = try html("enc-03.bbcode")
        #expect(nul.contains("a\u{FFFD}b") && !nul.contains("\u{0}"))
        // enc-05: CRLF, CR and LF give the same tree.
        let mixed = try Self.bytes("enc-05.bbcode")
        let lf = mixed.reduce(into: [UInt8]()) { result, byte in
            if byte == 0x0D { result.append(0x0A) } else if !(byte == 0x0A && result.last == 0x0A && false) { result.append(byte) }
        }
        let crlfTree = try MarkupKit.read(utf8: mixed, as: .bbcode(.generic)).document
        let normalized = String(decoding: mixed, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
            .replacingOccurrences(of: "\r", with: "\n")
        #expect(try MarkupKit.read(utf8: Array(normalized.utf8), as: .bbcode(.generic)).document == crlfTree)
        #expect(!lf.isEmpty)
        // enc-07: C0 controls never reach the output; U+2028 in a URL is percent-encoded.
        let controls = try html("enc-07.bbcode")
        #expect(HTMLOracle.violations(in: controls).isEmpty && controls.contains("%E2%80%A8"))
        // enc-09: bidi overrides in URLs are percent-encoded.
        #expect(try html("enc-09.bbcode").contains("%E2%80%AE"))
        // enc-11: only ASCII folds: long s is not [s], Kelvin is not k.
        let folded = try html("enc-11.bbcode")
        #expect(!folded.contains("<del>") && folded.contains("[\u{17F}]x[/\u{17F}]"))
        // enc-15: BBCode text is literal; every & escaped once.
        #expect(try html("enc-15.bbcode").contains("&amp;amp; &amp;lt;b&amp;gt; &amp;#60;script&amp;#62;"))
    }

    @Test func deepInputIsCutAtTheLimitWithAWarning() throws {
        for (file, format) in [("deep-01.md", Format.gfm), ("deep-03.bbcode", Format.bbcode(.generic))] {
            let result = try Self.convert(try Self.bytes(file), format, .html)
            #expect(result.warnings.contains { $0.kind == .limit }, "\(file)")
            #expect(HTMLOracle.violations(in: result.text).isEmpty, "\(file)")
        }
    }
}

/// Inputs the fuzzer found (`scripts/fuzz`), kept as regression cases: each, read as the
/// format its name starts with, gives HTML the oracle accepts, and every other writer
/// writes it (as the fuzzing harness has them do) without failing.
@Suite struct FuzzFindingsTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/fuzz")
    static let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path))?.sorted() ?? []

    @Test(arguments: files)
    func findingStaysFixed(_ file: String) throws {
        let format = try Format(parsing: String(file.prefix { $0 != "-" }))
        var options = ConversionOptions()
        options.replacesInvalidUTF8 = true
        let input = Array(try Data(contentsOf: Self.directory.appendingPathComponent(file)))
        let html = try MarkupKit.convert(utf8: input, from: format, to: .html, options: options).text
        #expect(HTMLOracle.violations(in: html).isEmpty, "\(html)")
        let document = try MarkupKit.read(utf8: input, as: format, options: options).document
        for target in [Format.gfm, .commonmark, .json] + BBCodeDialect.all.map({ Format.bbcode($0) }) {
            _ = try MarkupKit.write(document, as: target, readFrom: format)
        }
    }

    @Test func theHTMLWriterNeverNestsLinks() throws {
        let json = #"{"schema":"markupkit-document","version":1,"blocks":[{"type":"paragraph","children":[{"type":"link","destination":"/a","title":"","children":[{"type":"link","destination":"/b","title":"","children":[{"type":"text","text":"x"}]}]}]}]}"#
        #expect(try MarkupKit.convert(json, from: .json, to: .html).output == "<p><a href=\"/a\">x</a></p>\n")
    }
}
