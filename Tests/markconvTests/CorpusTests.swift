import Foundation
import MarkupKit
import MarkupKitTestSupport
import Testing

@Suite struct CorpusTests {
    @Test func theCorpusHasCases() {
        #expect(CorpusCase.all.count >= 20, "Corpus/ should hold the golden command cases")
    }

    /// Each case's command, run for real, prints exactly what the case expects.
    @Test(arguments: CorpusCase.all)
    func goldenCase(_ testCase: CorpusCase) throws {
        let actual = try testCase.run()
        #expect(actual == testCase.expected,
                "\(testCase.path): output differs (- expected, + actual)\n\(LineDiff.describe(expected: testCase.expected, actual: actual))")
    }

    /// For every case that turns Markdown into HTML, cmark-gfm's own renderer on the same
    /// input must agree with the expected output, so no golden file can enshrine a bug.
    @Test(arguments: CorpusCase.all.filter(\.isMarkdownToHTML))
    func markdownToHTMLCasesAgreeWithCmark(_ testCase: CorpusCase) throws {
        let source = try Format(parsing: testCase.option("-f", "--from") ?? "gfm")
        let unsafe = testCase.arguments.contains("--unsafe")
        let reference = CmarkOracle.html(testCase.input, extensions: source.extensions.names, unsafe: unsafe)
        #expect(testCase.expected.hasPrefix(reference),
                "\(testCase.path)\n\(LineDiff.describe(expected: reference, actual: testCase.expected))")
        let rest = testCase.expected.dropFirst(reference.count)
        #expect(rest.isEmpty || rest.hasPrefix("markconv: "), "\(testCase.path): unexpected text after the HTML")
    }
}

extension CorpusCase {
    func option(_ short: String, _ long: String) -> String? {
        guard let index = arguments.firstIndex(where: { $0 == short || $0 == long }), index + 1 < arguments.count else {
            return nil
        }
        return arguments[index + 1]
    }

    /// Reads Markdown from standard input and writes HTML successfully.
    var isMarkdownToHTML: Bool {
        let from = option("-f", "--from") ?? "gfm"
        let to = option("-t", "--to") ?? "html"
        let markdown = ["gfm", "commonmark", "markdown"].contains { from.hasPrefix($0) }
        let positional = arguments.enumerated().contains { index, word in
            !word.hasPrefix("-") && (index == 0 || !["-f", "--from", "-t", "--to", "-o", "--output"].contains(arguments[index - 1]))
        }
        let succeeds = !expected.split(separator: "\n").contains { $0.hasPrefix("[exit ") }
        return markdown && to == "html" && !positional && succeeds
    }
}
