import MarkupKit
import MarkupKitTestSupport
import Testing

/// Every example of the GFM spec, through our reader and our HTML writer, must give the
/// spec's HTML exactly (byte for byte, which is stricter than the spec runner's optional
/// normalisation). Examples run with raw HTML allowed, as the spec's own runner does.
@Suite struct SpecConformanceTests {
    @Test func theSpecIsInstalledWithAll671Examples() {
        #expect(SpecFile.examples.count == 671,
                "expected 671 runnable examples in \(SpecFile.path); install it with `apt-get install cmark-gfm`")
    }

    @Test(arguments: SpecFile.examples)
    func example(_ example: SpecExample) throws {
        let format = try Format(parsing: example.formatSpecification)
        let result = try MarkupKit.convert(example.markdown, from: format, to: .html,
                                           options: ConversionOptions(allowsRawHTML: true))
        #expect(result.output == example.html, "markdown:\n\(example.markdown)")
    }

    /// In safe mode there is no expected HTML in the spec; cmark-gfm's own safe rendering
    /// is the reference.
    @Test(arguments: SpecFile.examples)
    func exampleInSafeModeMatchesCmark(_ example: SpecExample) throws {
        let format = try Format(parsing: example.formatSpecification)
        let result = try MarkupKit.convert(example.markdown, from: format, to: .html)
        #expect(result.output == CmarkOracle.html(example.markdown, extensions: example.extensions, unsafe: false))
    }
}
