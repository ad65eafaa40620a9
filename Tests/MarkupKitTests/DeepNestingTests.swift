import Foundation
import MarkupKit
import MarkupKitTestSupport
import Testing

/// Hostile depth: 100 000 levels of quotes and of lists must be read, walked, compared,
/// written and freed without touching the call stack in proportion to the depth.
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
        let document = MarkdownReader().read(markdown).document
        #expect(document.maximumDepth >= Self.depth)
        let html = HTMLWriter().write(document).text
        #expect(html == CmarkOracle.html(markdown, extensions: MarkdownExtensions.gfm.names, unsafe: false))
    }

    @Test(arguments: Shape.allCases)
    func deepTreesSurviveWalkingComparingHashingAndJSON(shape: Shape) throws {
        let document = MarkdownReader().read(shape.markdown).document
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
                    let document = MarkdownReader().read(Shape.lists.markdown).document
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
