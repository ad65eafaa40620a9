import MarkupKit
import MarkupKitTestSupport
import Testing

/// Our HTML writer against cmark-gfm's own renderer on generated documents: 2 000 random
/// documents, each in three configurations, must match byte for byte.
@Suite struct DifferentialTests {
    static let configurations: [(format: String, extensions: [String], unsafe: Bool)] = [
        ("gfm", MarkdownExtensions.gfm.names, false),
        ("gfm", MarkdownExtensions.gfm.names, true),
        ("commonmark", [], true),
    ]

    @Test(arguments: 0..<40)
    func generatedDocumentsRenderAsCmarkRendersThem(batch: Int) throws {
        for seed in PropertyRuns.generatorSeeds((batch * 50)..<(batch * 50 + 50)) {
            var generator = MarkdownGenerator(seed: seed)
            let markdown = generator.document()
            for configuration in Self.configurations {
                let ours = try MarkupKit.convert(markdown, from: Format(parsing: configuration.format), to: .html,
                                                 options: ConversionOptions(allowsRawHTML: configuration.unsafe)).output
                let theirs = CmarkOracle.html(markdown, extensions: configuration.extensions, unsafe: configuration.unsafe)
                #expect(ours == theirs, "seed \(seed), \(configuration.format), unsafe: \(configuration.unsafe)\n\(markdown)")
                if ours != theirs { return }
            }
        }
    }

    @Test func theGeneratorProducesEveryKindOfNode() throws {
        var seen = Set<String>()
        for seed in 0..<300 {
            var generator = MarkdownGenerator(seed: UInt64(seed))
            let document = MarkdownReader().read(generator.document()).document
            for node in document.nodes { seen.insert(node.kind.displayName.split(separator: " ").first.map(String.init) ?? "") }
        }
        for expected in ["paragraph", "heading", "thematic", "block", "bullet", "ordered", "item", "code", "table",
                         "footnote", "raw", "text", "soft", "line", "inline", "emphasis", "strong", "strikethrough",
                         "link", "image"] {
            #expect(seen.contains(expected), "the generator never produced a \(expected) node")
        }
    }
}
