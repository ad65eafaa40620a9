import MarkupKit
import MarkupKitTestSupport
import Testing

/// `markconv --describe` and the README's dialect table promise, kind by kind, what a
/// forum gets and when the writer warns. Each kind is written here in the form that
/// costs the most (a language on the code block, a start number on the list, a title on
/// the spoiler …), and the writer must warn exactly for the kinds the dialect's table
/// says it degrades.
@Suite struct BBCodeDialectSummaryTests {
    @Test func everyKindInTheTableHasASample() {
        for dialect in BBCodeDialect.all {
            let kinds = Set(dialect.features.map(\.kind)).subtracting(DialectFeatureSamples.readOnlyKinds)
            #expect(kinds == Set(DialectFeatureSamples.html.keys), "\(dialect.name)")
        }
    }

    @Test(arguments: BBCodeDialect.all.map(\.name))
    func theWriterWarnsExactlyForWhatTheTableSaysIsDegraded(_ name: String) throws {
        let dialect = try #require(BBCodeDialect.named(name))
        let degraded = Set(dialect.degradedKinds)
        for kind in DialectFeatureSamples.html.keys.sorted() {
            let warnings = try DialectFeatureSamples.written(kind, in: dialect).flatMap { sample, written in
                written.warnings.map { "\(sample) → \(written.text.debugDescription): \($0.message)" }
            }
            if degraded.contains(kind) {
                #expect(!warnings.isEmpty, "\(name): the table says \(kind) is degraded, but no sample of it warns")
            } else {
                #expect(warnings.isEmpty, "\(name): the table says \(kind) is kept, but:\n\(warnings.joined(separator: "\n"))")
            }
        }
    }
}
