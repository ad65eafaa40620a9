import MarkupKit
import Testing

/// Debian's cmark-gfm 0.29.0.gfm.6 has inputs newer releases fixed: some take it minutes,
/// some square into hundreds of megabytes. The reader gives up on them with a clear error
/// instead (exit 65 from markconv), and leaves ordinary documents alone.
@Suite struct ParserGuardTests {
    @Test func aSlowInputStopsAtTheDeadline() {
        // cmark's pathological case 11: quadratic in gfm.6, over 10 s at this size.
        let input = Array(String(repeating: "![[]()", count: 160_000).utf8)
        #expect(throws: MarkupKitError.tooComplex(parser: "Markdown", limit: "not parsed within 0.2 s")) {
            try MarkdownReader(timeLimit: 0.2).read(utf8: input)
        }
    }

    @Test func aTableThatSquaresStopsAtTheMemoryBudget() {
        // 7 kB: a header of 1 000 columns and 1 000 one-cell rows, each filled out to 1 000.
        let input = Array((String(repeating: "x|", count: 1000) + "\n" + String(repeating: "-|", count: 1000) + "\n"
            + String(repeating: "x|\n", count: 1000)).utf8)
        // The budget: 256 MiB plus 512 bytes per input byte.
        let budget = MarkdownReader.memoryBudget(forInputOf: input.count) >> 20
        #expect(throws: MarkupKitError.tooComplex(parser: "Markdown", limit: "more than \(budget) MiB of parser memory")) {
            try MarkupKit.read(utf8: input, as: .gfm)
        }
    }

    @Test func aReferenceUsedOverAndOverCannotSquareTheOutput() throws {
        // 5 kB naming a 1 kB address a thousand times: a megabyte of HTML in cmark-gfm.
        let input = "[x]: /" + String(repeating: "x", count: 1000) + "\n\n" + String(repeating: "[x]\n", count: 1000)
        let result = try MarkupKit.convert(input, from: .gfm, to: .html)
        #expect(result.output.utf8.count < input.utf8.count + 120_000)
        #expect(result.warnings.contains { $0.kind == .limit && $0.message.contains("references add up") })
        #expect(result.output.hasSuffix("\nx</p>\n"))
    }

    @Test func ordinaryDocumentsAreNotAffected() throws {
        // A 2 MB document of ordinary Markdown is far inside both limits.
        let paragraph = "Some *emphasis*, a [link](https://example.com), `code` and a list:\n\n- one\n- two\n\n"
        let input = Array(String(repeating: paragraph, count: 2_000_000 / paragraph.utf8.count).utf8)
        let reading = try MarkupKit.read(utf8: input, as: .gfm)
        #expect(reading.document.nodeCount > 100_000)
        #expect(reading.warnings.isEmpty)
    }

    @Test func theReaderIsUsableAgainAfterGivingUp() throws {
        let slow = Array(String(repeating: "![[]()", count: 160_000).utf8)
        _ = try? MarkdownReader(timeLimit: 0.05).read(utf8: slow)
        let result = try MarkupKit.convert("~~a~~ *b*\n", from: .gfm, to: .html)
        #expect(result.output == "<p><del>a</del> <em>b</em></p>\n")
        let commonmark = try MarkupKit.convert("~~a~~ *b*\n", from: .commonmark, to: .html)
        #expect(commonmark.output == "<p>~~a~~ <em>b</em></p>\n")
    }
}
