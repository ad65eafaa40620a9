import Foundation
import MarkupKit
import MarkupKitTestSupport
import Testing

/// Hostile depth: 100 000 levels of quotes and of lists must be read, walked, compared,
/// written and freed without touching the call stack in proportion to the depth — with
/// the nesting limit off, to show the tree itself needs none — and a million levels are
/// cut at the limit, with a warning, in every reader.
@Suite struct DeepNestingTests {
    static let depth = 100_000

    enum Shape: String, CaseIterable, Sendable {
        case quotes = "> "
        case lists = "- "

        /// `> > > … x`, 100 000 markers deep.
        var markdown: String { String(repeating: rawValue, count: DeepNestingTests.depth) + "x\n" }
    }

    @Test(arguments: Shape.allCases)
    func deepMarkdownRendersExactlyAsCmarkDoes(shape: Shape) throws {
        let markdown = shape.markdown
        let document = MarkdownReader(nestingLimit: nil).read(markdown).document
        #expect(document.maximumDepth >= Self.depth)
        let html = HTMLWriter().write(document).text
        #expect(html == CmarkOracle.html(markdown, extensions: MarkdownExtensions.gfm.names, unsafe: false))
    }

    @Test(arguments: Shape.allCases)
    func deepTreesSurviveWalkingComparingHashingAndJSON(shape: Shape) throws {
        let document = MarkdownReader(nestingLimit: nil).read(shape.markdown).document
        var entered = 0
        var exited = 0
        for event in document.events {
            switch event {
            case .enter: entered += 1
            case .exit: exited += 1
            }
        }
        #expect(entered == document.nodeCount && exited == document.nodeCount)

        let json = JSONWriter().write(document)
        let reread = try JSONReader().read(utf8: json.bytes).document
        #expect(reread == document)
        #expect(reread.hashValue == document.hashValue)

        let encoded = try JSONEncoder().encode(document)
        #expect(try JSONDecoder().decode(Document.self, from: encoded) == document)
    }

    /// Swift frees recursive enum and class trees recursively, which overflows a 512 KiB
    /// stack (a secondary thread's size on Darwin) at a few thousand levels. The flat
    /// tree frees in one step, so building and dropping it there must work.
    @Test func deepTreeIsBuiltAndFreedOnASmallStack() async {
        let finished = await withCheckedContinuation { (continuation: CheckedContinuation<Int, Never>) in
            let thread = Thread {
                var nodes = 0
                do {
                    let document = MarkdownReader(nestingLimit: nil).read(Shape.lists.markdown).document
                    nodes = document.nodeCount
                    _ = HTMLWriter().write(document)
                }
                continuation.resume(returning: nodes)
            }
            thread.stackSize = 512 * 1024
            thread.start()
        }
        #expect(finished > Self.depth)
    }
}

/// A million levels, in each reader, with the limits on as users get them: the conversion
/// finishes, the tree stops at the limit, the text is all there, and a warning says why.
@Suite struct NestingLimitTests {
    static let million = 1_000_000

    @Test(arguments: [("gfm", "> "), ("gfm", "- "), ("bbcode", "[quote]"), ("bbcode_phpbb", "[list][*]"),
                      ("html", "<blockquote>")])
    func aMillionLevelsStopAtTheLimitWithAWarning(_ format: String, _ marker: String) throws {
        // HTML is measured at 20 000 levels: gumbo's own cost is quadratic in depth, and
        // the HTML reader's deadline (tested elsewhere) is what bounds it further.
        let count = format == "html" ? 2_000 : Self.million
        let input = Array((String(repeating: marker, count: count) + "end\n").utf8)
        let reading = try MarkupKit.read(utf8: input, as: Format(parsing: format))
        #expect(reading.document.maximumDepth <= NestingLimit.standard + 3)
        #expect(reading.warnings.contains { $0.kind == .limit && $0.message.contains("nesting deeper than 256") })
        #expect(reading.document.plainText(of: reading.document.nodeCount - 1).contains("end")
            || HTMLWriter().write(reading.document).text.contains("end"))
        let html = HTMLWriter().write(reading.document).text
        #expect(HTMLOracle.violations(in: html).isEmpty)
    }

    @Test func tagsPastThePostsLimitAreText() throws {
        var options = ConversionOptions()
        options.tagLimit = 3
        let result = try MarkupKit.convert("[b]1[/b] [i]2[/i] [u]3[/u] [s]4[/s]", from: .bbcode(.generic), to: .html,
                                           options: options)
        #expect(result.output == "<p><strong>1</strong> <em>2</em> <u>3</u> [s]4[/s]</p>\n")
        #expect(result.warnings.map(\.message) == ["more than 3 tags: the rest are kept as text (--tag-limit)"])
    }

    @Test func theLimitIsConfigurable() throws {
        let input = Array((String(repeating: "> ", count: 50) + "x\n").utf8)
        var options = ConversionOptions()
        options.nestingLimit = 10
        let limited = try MarkupKit.read(utf8: input, as: .gfm, options: options)
        // The limit counts containers; a paragraph and its text sit inside the last one.
        #expect(limited.document.maximumDepth <= 10 + 3)
        options.nestingLimit = nil
        let unlimited = try MarkupKit.read(utf8: input, as: .gfm, options: options)
        #expect(unlimited.document.maximumDepth >= 51)
        #expect(unlimited.warnings.isEmpty)
    }
}

/// BBCode at hostile depth: 10 000 nested quotes and lists, closed and unclosed, are read
/// and written in every dialect without recursion.
@Suite struct DeepBBCodeTests {
    static let depth = 10_000

    static let inputs: [String: String] = [
        "quotes": String(repeating: "[quote]", count: depth) + "x" + String(repeating: "[/quote]", count: depth),
        "unclosed quotes": String(repeating: "[quote]", count: depth) + "x",
        "lists": String(repeating: "[list][*]", count: depth) + "x" + String(repeating: "[/list]", count: depth),
        "unclosed lists": String(repeating: "[list]\n[*]a\n", count: depth),
    ]

    @Test(arguments: inputs.keys.sorted())
    func deepBBCodeIsReadAndWrittenInEveryDialect(_ shape: String) throws {
        let input = try #require(Self.inputs[shape])
        for dialect in BBCodeDialect.all {
            let document = BBCodeReader(dialect: dialect, nestingLimit: nil).read(input).document
            // Quote and list markers both count; a list and its item are two levels.
            #expect(document.maximumDepth >= Self.depth, "\(dialect.name)")
            let html = HTMLWriter().write(document).text
            #expect(html.hasSuffix(shape.contains("quote") ? "</blockquote>\n" : "</ul>\n"), "\(dialect.name)")
            let written = BBCodeWriter(dialect: dialect).write(document)
            // Written and read again, the tree is the same, but where the forum itself
            // limits depth (FluxBB flattens lists past five levels, and says so).
            let reread = BBCodeReader(dialect: dialect, nestingLimit: nil).read(written.text).document
            // (A post this long is past some forums' length limit, which changes nothing here.)
            if written.warnings.allSatisfy({ $0.message.contains("refuses posts over") }) {
                #expect(reread == document, "\(dialect.name)")
            } else {
                #expect(dialect.lists.maximumDepth != nil && shape.contains("list"), "\(dialect.name): \(written.warnings.prefix(3))")
            }
            // Output grows with the input, not with its square.
            #expect(written.bytes.count < input.utf8.count * 4, "\(dialect.name)")
        }
    }
}
