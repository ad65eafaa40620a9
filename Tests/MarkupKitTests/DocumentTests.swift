import Foundation
import MarkupKit
import MarkupKitTestSupport
import Testing

@Suite struct DocumentTests {
    /// `- a *b*` built by hand.
    static func smallList(range: SourceRange = .unknown) -> Document {
        var builder = DocumentBuilder()
        builder.open(.list(ListAttributes(kind: .bullet, isTight: true)), range: range)
        builder.open(.listItem(task: nil), range: range)
        builder.open(.paragraph, range: range)
        builder.addText("a ", range: range)
        builder.open(.emphasis, range: range)
        builder.addText("b", range: range)
        builder.close()
        builder.close()
        builder.close()
        builder.close()
        return builder.finish()
    }

    @Test func structureIsPreorderWithSubtreeEnds() {
        let document = Self.smallList()
        #expect(document.nodeCount == 6)
        #expect(Array(document.topLevel) == [0])
        #expect(Array(document.children(of: 0)) == [1])
        #expect(Array(document.children(of: 2)) == [3, 4])
        #expect(document.children(of: 2).first == 3 && document.children(of: 2).last == 4)
        #expect(document.children(of: 3).first == nil && document.children(of: 3).last == nil)
        #expect(document.subtreeEnd(of: 0) == 6)
        #expect(document.maximumDepth == 5)
        #expect(document.plainText(of: 0) == "a b")
    }

    @Test func equalityComparesMeaningNotPositionsOrHints() {
        var first = Self.smallList(range: SourceRange(startLine: 1, startColumn: 1, endLine: 1, endColumn: 7))
        let second = Self.smallList()
        first.setHints(SyntaxHints(marker: "*"), at: 0)
        #expect(first == second)
        #expect(first.hashValue == second.hashValue)
        #expect(first.hints(at: 0)?.marker == "*")
        #expect(second.hints(at: 0) == nil)
    }

    @Test func differentTextIsNotEqual() {
        var builder = DocumentBuilder()
        builder.open(.paragraph)
        builder.addText("a c")
        #expect(builder.finish() != Self.smallList())

        var one = DocumentBuilder()
        one.open(.paragraph)
        one.addText("x")
        var other = DocumentBuilder()
        other.open(.paragraph)
        other.addText("y")
        #expect(one.finish() != other.finish())
    }

    @Test func adjacentTextIsMergedButNotAcrossContainers() {
        var builder = DocumentBuilder()
        builder.open(.paragraph)
        builder.addText("a")
        builder.addText("b")
        builder.open(.strong)
        builder.addText("c")
        builder.close()
        builder.addText("d")
        builder.addText("")
        let document = builder.finish()
        let texts = document.nodes.compactMap { node -> String? in
            if case .text(let ref) = node.kind { return document.string(ref) }
            return nil
        }
        #expect(texts == ["ab", "c", "d"])
    }

    @Test func markdownThatMeansTheSameReadsToEqualTrees() {
        let reader = MarkdownReader()
        #expect(reader.read("*a* & b\n").document == reader.read("_a_ &amp; b\n").document)
        #expect(reader.read("- x\n").document == reader.read("* x\n").document)
        #expect(reader.read("- x\n").document != reader.read("1. x\n").document)
        #expect(reader.read("- x\n- y\n").document != reader.read("- x\n\n- y\n").document)
    }

    @Test func markdownHintsRecordTheSyntaxUsed() {
        let document = MarkdownReader().read("* a\n\n3) b\n\nTitle\n===\n\n~~~~ swift\ncode\n~~~~\n").document
        let hints = document.nodes.indices.compactMap { document.hints(at: $0) }
        #expect(hints.contains(SyntaxHints(marker: "*")))
        #expect(hints.contains(SyntaxHints(marker: ")")))
        #expect(hints.contains(SyntaxHints(form: "setext")))
        #expect(hints.contains(SyntaxHints(marker: "~~~~", form: "fenced")))
    }

    @Test func sourceRangesComeFromTheReader() {
        let document = MarkdownReader().read("# Hi\n\npara *x*\n").document
        #expect(document[0].range == SourceRange(startLine: 1, startColumn: 1, endLine: 1, endColumn: 4))
        let emphasis = document.nodes.firstIndex { $0.kind == .emphasis }!
        #expect(document[emphasis].range.start == SourcePosition(line: 3, column: 6))
    }

    @Test func footnoteLabelsAreTheDefinitionsAsWritten() {
        let document = MarkdownReader().read("a[^Note] b[^2]\n\n[^note]: first\n[^2]: second\n").document
        let labels = document.nodes.compactMap { node -> String? in
            switch node.kind {
            case .footnoteReference(let label): "ref:" + label
            case .footnoteDefinition(let label): "def:" + label
            default: nil
            }
        }
        #expect(labels == ["ref:note", "ref:2", "def:note", "def:2"])
    }

    /// Hints set, replaced and removed in any order are found as a dictionary would find
    /// them (the table is kept in node order, and readers append to it).
    @Test func hintsSetInAnyOrderAreFoundAtTheirNodes() throws {
        var builder = DocumentBuilder()
        builder.open(.paragraph)
        for _ in 0..<40 { builder.addLeaf(.softBreak) }
        builder.close()
        var document = builder.finish()
        var model: [Int: String] = [:]
        var random = SeededGenerator(seed: 3)
        for step in 0..<400 {
            let index = Int.random(in: 0..<document.nodeCount, using: &random)
            if Bool.random(using: &random) {
                document.setHints(SyntaxHints(marker: "\(step)"), at: index)
                model[index] = "\(step)"
            } else {
                document.setHints(SyntaxHints(), at: index)
                model[index] = nil
            }
            for node in 0..<document.nodeCount {
                #expect(document.hints(at: node)?.marker == model[node], "node \(node) after step \(step)")
            }
        }
        let decoded = try JSONDecoder().decode(Document.self, from: JSONEncoder().encode(document))
        for node in 0..<document.nodeCount { #expect(decoded.hints(at: node)?.marker == model[node]) }
    }

    @Test func codableRoundTripKeepsEverything() throws {
        var document = MarkdownReader().read("- [x] *a* `b`\n\n| x |\n|:-:|\n| y |\n").document
        document.setHints(SyntaxHints(spelling: "X", attributes: [.init(name: "post", value: "1")]), at: 1)
        let decoded = try JSONDecoder().decode(Document.self, from: JSONEncoder().encode(document))
        #expect(decoded == document)
        #expect(decoded.nodes.map(\.range) == document.nodes.map(\.range))
        #expect(decoded.hints(at: 1) == document.hints(at: 1))
    }

    @Test func decodingRejectsATreeThatIsNotWellFormed() throws {
        let encoded = try JSONEncoder().encode(Self.smallList())
        var text = String(decoding: encoded, as: UTF8.self)
        text = text.replacingOccurrences(of: "\"subtreeEnd\":6", with: "\"subtreeEnd\":60")
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Document.self, from: Data(text.utf8))
        }
    }

    @Test func appendingDocumentsShiftsIndicesAndText() {
        var builder = DocumentBuilder()
        builder.append(Self.smallList())
        builder.append(Self.smallList())
        let joined = builder.finish()
        #expect(joined.nodeCount == 12)
        #expect(Array(joined.topLevel) == [0, 6])
        #expect(joined.plainText(of: 6) == "a b")
    }

    /// What an embedded HTML block leaves open stays open for what comes next.
    @Test func appendingLeavingOpenKeepsTheContainersAroundAPlace() throws {
        let spoiler = try MarkupKit.read(utf8: Array("<details><summary>T</summary><p>a</p><p>b</p></details>".utf8),
                                         as: .html).document
        let second = try #require(spoiler.children(of: 0).last)
        var builder = DocumentBuilder()
        #expect(builder.appendLeavingOpen(spoiler, before: second) == 1)
        builder.open(.paragraph)
        builder.addText("c")
        builder.close()
        builder.close()
        let joined = builder.finish()
        #expect(joined.children(of: 0).map { joined.plainText(of: $0) } == ["a", "c"])
    }

    /// A container that went missing around children that stayed is one difference, not
    /// one for it and one for each child now standing alone.
    @Test func aContainerLostAroundItsContentIsOneDifference() throws {
        let centred = try MarkupKit.read(utf8: Array("[center]one\n\ntwo[/center]\n\nend".utf8), as: .bbcode(.friendica))
        let flat = try MarkupKit.read(utf8: Array("one\n\ntwo\n\nend".utf8), as: .bbcode(.friendica))
        #expect(centred.document.differences(from: flat.document).map(\.description) == [
            "center alignment 1 (1:1): center alignment 'one two' is missing; its 2 blocks stayed, without it",
        ])
    }
}

@Suite struct ValueTests {
    @Test func colours() {
        #expect(CSSColor(parsing: "#F00") == CSSColor(red: 255, green: 0, blue: 0))
        #expect(CSSColor(parsing: "red") == CSSColor(parsing: "#ff0000"))
        #expect(CSSColor(parsing: "RebeccaPurple")?.hexString == "#663399")
        #expect(CSSColor(parsing: "#12345") == nil)
        #expect(CSSColor(parsing: "red;background:url(x)") == nil)
        #expect(CSSColor(parsing: "expression(alert(1))") == nil)
    }

    @Test func fontFamilies() {
        #expect(FontFamily(parsing: "Arial, 'Courier New'")?.cssValue == "Arial, 'Courier New'")
        #expect(FontFamily(parsing: "Comic Sans MS")?.names == ["Comic Sans MS"])
        #expect(FontFamily(parsing: "a;b") == nil)
        #expect(FontFamily(parsing: "x\"onmouseover=alert(1)") == nil)
        #expect(FontFamily(parsing: "a,b,c,d,e,f") == nil)
        #expect(FontFamily(parsing: "") == nil)
    }

    @Test func fontSizes() {
        #expect(FontSize.percent(150).cssValue == "150%")
        #expect(FontSize.scale(7).cssValue == "xxx-large")
        #expect(!FontSize.percent(100_000).isValid)
        #expect(FontSize.pixels(12).isValid)
    }

    @Test func utf8ValidationFindsTheFirstBadByte() {
        #expect(UTF8Validation.firstInvalidOffset(in: Array("héllo wörld, all fine".utf8)) == nil)
        #expect(UTF8Validation.firstInvalidOffset(in: Array("abcdefghij".utf8) + [0xFF]) == 10)
        #expect(UTF8Validation.firstInvalidOffset(in: [0x61, 0xC3]) == 1)                // truncated
        #expect(UTF8Validation.firstInvalidOffset(in: [0xC0, 0x80]) == 0)                // overlong
        #expect(UTF8Validation.firstInvalidOffset(in: [0x61, 0xED, 0xA0, 0x80]) == 1)    // surrogate
        #expect(UTF8Validation.firstInvalidOffset(in: [0xF4, 0x90, 0x80, 0x80]) == 0)    // > U+10FFFF
        #expect(UTF8Validation.firstInvalidOffset(in: [0xF0, 0x9F, 0x92, 0xA1]) == nil)  // 💡
    }
}

@Suite struct FormatTests {
    @Test func parsesNamesAndExtensions() throws {
        #expect(try Format(parsing: "gfm") == .gfm)
        #expect(try Format(parsing: "markdown") == .gfm)
        #expect(try Format(parsing: "commonmark+table+strikethrough").extensions == [.rawHTML, .table, .strikethrough])
        #expect(try Format(parsing: "gfm-autolink-footnotes").extensions == [.table, .strikethrough, .tagfilter, .tasklist, .rawHTML])
        #expect(try Format(parsing: "commonmark-raw_html").extensions == [])
        #expect(try Format(parsing: "commonmark+table").description == "commonmark+table")
        #expect(try Format(parsing: "gfm-autolink").description == "gfm-autolink")
    }

    @Test func rejectsWhatItCannotUse() {
        #expect(throws: FormatError.unknownFormat("rtf")) { try Format(parsing: "rtf") }
        #expect(throws: FormatError.unknownExtension("emoji", format: "gfm")) { try Format(parsing: "gfm+emoji") }
        #expect(throws: FormatError.extensionsNotSupported(format: "html")) { try Format(parsing: "html+table") }
    }

    @Test func theOneCallAPIConvertsAndReportsWarnings() throws {
        let result = try MarkupKit.convert("- a\n  - b\n\n<b>x</b>\n", from: .gfm, to: .html)
        #expect(result.output == "<ul>\n<li>a\n<ul>\n<li>b</li>\n</ul>\n</li>\n</ul>\n<p><!-- raw HTML omitted -->x<!-- raw HTML omitted --></p>\n")
        #expect(result.warnings.count == 1)
        #expect(result.warnings.first?.position == SourcePosition(line: 4, column: 1))
    }

    @Test func invalidUTF8IsAnErrorWithTheOffset() {
        #expect(throws: MarkupKitError.invalidUTF8(offset: 3)) {
            try MarkupKit.convert(utf8: [0x61, 0x62, 0x63, 0xFE], from: .gfm, to: .html)
        }
    }
}

/// `trimmingASCIIWhitespace` trims on bytes what HTML calls whitespace, and nothing else.
@Suite struct ASCIIWhitespaceTrimmingTests {
    /// The definition, one scalar at a time.
    private func trimmedByScalars(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        guard let first = scalars.firstIndex(where: { !$0.isASCIIWhitespace }),
              let last = scalars.lastIndex(where: { !$0.isASCIIWhitespace }) else { return "" }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }

    @Test(arguments: ["", " ", "\t\n\r\u{0C} ", "a", " a ", "\t\nhttps://example.com/a b\r\n", "é", " é\t", "\u{301}",
                      " \u{301}x\u{301} ", "\u{A0}x\u{A0}", "\u{2003}x\u{2003}", "\r\n", "a\r\n", "\u{1F600} \u{1F600}",
                      "\u{0B}x\u{0B}"])
    func agreesWithTheScalarDefinition(_ text: String) {
        #expect(text.trimmingASCIIWhitespace() == trimmedByScalars(text), "\(text.debugDescription)")
        #expect(Array(text.trimmingASCIIWhitespace().unicodeScalars) == Array(trimmedByScalars(text).unicodeScalars))
    }
}
