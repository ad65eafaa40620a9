import Foundation
import MarkupKit
import MarkupKitTestSupport
import Testing

/// The Swift code the DocC articles and the README show, run. Each Swift block must appear
/// in this file line for line (``articleCodeIsTheCodeTestedHere``), so no page can show
/// code that no longer compiles or no longer prints what its comments say.
@Suite struct DocumentationTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The Swift code blocks of a Markdown file, each as its lines without indentation,
    /// blank lines and imports (layout; the rest must match).
    static func swiftBlocks(in url: URL) throws -> [[String]] {
        CodeBlock.all(in: try String(contentsOf: url, encoding: .utf8)).filter { $0.language == "swift" }.map { block in
            block.lines.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("import ") }
        }
    }

    @Test(arguments: ["Sources/MarkupKit/MarkupKit.docc/GettingStarted.md", "Sources/MarkupKit/MarkupKit.docc/MarkupKit.md",
                      "README.md"])
    func articleCodeIsTheCodeTestedHere(_ article: String) throws {
        let tested = try String(contentsOfFile: #filePath, encoding: .utf8).components(separatedBy: "\n")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let blocks = try Self.swiftBlocks(in: Self.root.appendingPathComponent(article))
        #expect(!blocks.isEmpty)
        // A package manifest excerpt is checked by the example package, not here.
        for block in blocks where !block.contains(where: { $0.hasPrefix("dependencies:") }) {
            let found = tested.indices.contains { start in
                start + block.count <= tested.count && Array(tested[start..<start + block.count]) == block
            }
            #expect(found, "\(article): this block is not in DocumentationTests.swift:\n\(block.joined(separator: "\n"))")
        }
    }

    @Test func overview() throws {
        let post = try MarkupKit.convert("1. one\n   - nested", from: .gfm, to: .bbcode(.phpBB))
        print(post.output)      // [list=1]\n[*]one\n[list]\n[*]nested …
        #expect(post.output.hasPrefix("[list=1]\n[*]one\n[list]\n[*]nested"))
    }

    @Test func convertInOneCall() throws {
        let markdown = """
            # Release notes

            1. Install
               - Debian: `apt install markconv`
            2. Convert
            """
        let forum = try MarkupKit.convert(markdown, from: .gfm, to: .bbcode(.phpBB))
        print(forum.output)
        for warning in forum.warnings {
            print(warning)      // 1:1: heading has no tag in phpBB 3.3; written as a bold line
        }
        #expect(forum.warnings.map(\.description).contains("1:1: heading has no tag in phpBB 3.3; written as a bold line"))

        let commonmarkWithTables = try Format(parsing: "commonmark+table")
        let html = try MarkupKit.convert("| a |\n|---|\n| 1 |", from: commonmarkWithTables, to: .html).output
        #expect(html.hasPrefix("<table>"))

        let report = try MarkupKit.roundTrip(utf8: Array(markdown.utf8), as: .gfm, via: .bbcode(.phpBB))
        if !report.survived {
            for difference in report.differences {
                print(difference)   // heading 1 (1:1): heading 1 'Release notes' became paragraph …
            }
        }
        #expect(report.differences.first?.description.hasPrefix("heading 1 (1:1): heading 1 'Release notes' became paragraph") == true,
                "\(report.differences)")
    }

    @Test func walkAndChangeTheTree() throws {
        let markdown = "# Release notes\n\n1. Install\n   - Debian: `apt install markconv`\n2. Convert\n"
        let document = try MarkupKit.read(utf8: Array(markdown.utf8), as: .gfm).document
        var depth = 0
        var deepestList = 0
        for event in document.events {
            switch event {
            case .enter(let index):
                if case .list = document[index].kind {
                    depth += 1
                    deepestList = max(deepestList, depth)
                }
            case .exit(let index):
                if case .list = document[index].kind { depth -= 1 }
            }
        }
        print("lists nest \(deepestList) deep")     // 2
        #expect(deepestList == 2)

        var builder = DocumentBuilder()
        for index in document.topLevel {
            if case .heading(let level) = document[index].kind {
                builder.open(.heading(level: min(level + 1, 6)), range: document[index].range)
                for child in document.children(of: index) {
                    builder.append(document, subtreeAt: child)
                }
                builder.close()
            } else {
                builder.append(document, subtreeAt: index)
            }
        }
        let demoted = builder.finish()
        let written = try MarkupKit.write(demoted, as: .gfm)
        print(written.text)     // ## Release notes …
        #expect(written.text.hasPrefix("## Release notes\n"))
        // Only the heading changed.
        let original = try MarkupKit.write(document, as: .gfm).text
        #expect(written.text.dropFirst() == original[...])
    }

    @Test func addADialect() throws {
        var board = BBCodeDialect(name: "bbcode_myboard", title: "My Board")
        board.strikethrough = ["strike", "s"]     // written as [strike], both read
        board.size = nil                           // no [size]: text kept, with a warning
        board.inlineCode = .tag("icode")
        board.lists.maximumDepth = 3               // deeper items become lines, with a warning
        let boardPost = try MarkupKit.convert("~~old~~ `new`", from: .gfm, to: .bbcode(board))
        print(boardPost.output)     // [strike]old[/strike] [icode]new[/icode]
        print(board.summary)        // what the board gets, kind by kind
        #expect(boardPost.output == "[strike]old[/strike] [icode]new[/icode]\n")
        let readBack = try MarkupKit.convert("[s]a[/s] [strike]b[/strike]", from: .bbcode(board), to: .gfm).output
        #expect(readBack == "~~a~~ ~~b~~\n")
        #expect(board.summary.contains("[strike]…[/strike]   also read: [s]"))
    }
}
