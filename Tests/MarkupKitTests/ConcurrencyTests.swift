import Foundation
import Synchronization
import MarkupKit
import MarkupKitTestSupport
import Testing

/// Conversions on many threads at once give the same output as one at a time. libcmark-gfm
/// 0.29 keeps per-parse state in process-wide tables, so this fails without the reader's
/// parsing lock.
@Suite struct ConcurrencyTests {
    @Test func parallelConversionsWithDifferentExtensionsAgree() throws {
        let documents = (0..<200).map { seed in
            var generator = MarkdownGenerator(seed: UInt64(10_000 + seed))
            return generator.document() + "\n~~struck~~ | a |\n|---|\n| b |\n"
        }
        let formats = [Format.gfm, Format.commonmark, try Format(parsing: "commonmark+strikethrough+table")]
        let expected = try documents.enumerated().map { index, text in
            try MarkupKit.convert(text, from: formats[index % formats.count], to: .html).output
        }
        let results = Mutex<[Int: String]>([:])
        DispatchQueue.concurrentPerform(iterations: documents.count * 4) { iteration in
            let index = iteration % documents.count
            let output = (try? MarkupKit.convert(documents[index], from: formats[index % formats.count], to: .html).output) ?? ""
            if output != expected[index] {
                results.withLock { $0[index] = output }
            }
        }
        let mismatches = results.withLock { $0 }
        #expect(mismatches.isEmpty, "\(mismatches.count) documents came out differently when converted in parallel")
    }
}
