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

/// Format names are read before dialect names (building the dialects' tables is a tenth
/// of a run's start-up), which is right only while no dialect shares a format's name.
@Suite struct FormatNameTests {
    @Test func noDialectIsNamedLikeAnotherFormat() throws {
        let otherNames = Set(["gfm", "commonmark", "html", "json", "markdown", "md", "html5"])
        for dialect in BBCodeDialect.all {
            let short = dialect.name.hasPrefix("bbcode_") ? String(dialect.name.dropFirst("bbcode_".count)) : dialect.name
            #expect(!otherNames.contains(dialect.name) && !otherNames.contains(short), "\(dialect.name)")
            #expect(try Format(parsing: dialect.name) == .bbcode(dialect))
            if short != dialect.name { #expect(try Format(parsing: short) == .bbcode(dialect)) }
        }
        #expect(try Format(parsing: "bbcode").name == .bbcode)
        #expect(try Format(parsing: "GFM-autolink") == Format(.gfm, extensions: Format.Name.gfm.defaultExtensions.subtracting(.autolink)))
        #expect(throws: FormatError.unknownFormat("nope")) { try Format(parsing: "nope") }
        #expect(throws: FormatError.extensionsNotSupported(format: "bbcode_phpbb")) { try Format(parsing: "bbcode_phpbb+table") }
    }
}
