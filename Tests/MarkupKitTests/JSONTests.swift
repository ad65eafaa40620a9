import MarkupKit
import MarkupKitTestSupport
import Testing

@Suite struct JSONTests {
    /// Every spec example's tree survives JSON: same meaning, same positions, same hints.
    @Test(arguments: SpecFile.examples)
    func specTreesRoundTripThroughJSON(_ example: SpecExample) throws {
        let format = try Format(parsing: example.formatSpecification)
        let document = try MarkupKit.read(utf8: Array(example.markdown.utf8), as: format).document
        let json = JSONWriter().write(document)
        let reread = try JSONReader().read(utf8: json.bytes).document
        #expect(reread == document)
        #expect(reread.nodes.map(\.range) == document.nodes.map(\.range))
        #expect(document.nodes.indices.allSatisfy { reread.hints(at: $0) == document.hints(at: $0) })
        #expect(JSONWriter().write(reread).bytes == json.bytes)
    }

    @Test func handWrittenJSONWithEveryExtraKind() throws {
        let json = #"""
        {"schema": "markupkit-document", "version": 1, "blocks": [
          {"type": "alignment", "align": "center", "children": [
            {"type": "paragraph", "children": [
              {"type": "underline", "children": [{"type": "text", "text": "u"}]},
              {"type": "superscript", "children": [{"type": "text", "text": "2"}]},
              {"type": "subscript", "children": [{"type": "text", "text": "i"}]},
              {"type": "color", "color": "red", "children": [{"type": "text", "text": "r"}]},
              {"type": "font_size", "unit": "percent", "value": 150, "children": [{"type": "text", "text": "s"}]},
              {"type": "font", "families": ["Courier New", "monospace"], "children": [{"type": "text", "text": "f"}]}
            ]}
          ]},
          {"type": "spoiler", "title": "Plot <twist>", "children": [{"type": "paragraph", "children": [{"type": "text", "text": "x"}]}]},
          {"type": "block_quote", "attribution": "Ann", "children": []},
          {"type": "list", "ordered": true, "start": 3, "numbering": "lower-roman", "tight": true, "children": [
            {"type": "item", "children": [{"type": "paragraph", "children": [{"type": "text", "text": "\u00e9\ud83d\udca1\n"}]}]}
          ]},
          {"type": "paragraph", "children": [
            {"type": "image", "source": "/a.png", "title": "", "width": 20, "children": [{"type": "text", "text": "alt"}]}
          ]}
        ]}
        """#
        let document = try JSONReader().read(json).document
        let html = HTMLWriter().write(document).text
        #expect(html == """
            <div style="text-align: center">
            <p><u>u</u><sup>2</sup><sub>i</sub><span style="color: #ff0000">r</span>\
            <span style="font-size: 150%">s</span><span style="font-family: 'Courier New', monospace">f</span></p>
            </div>
            <details>
            <summary>Plot &lt;twist&gt;</summary>
            <p>x</p>
            </details>
            <figure class="quote">
            <figcaption>Ann</figcaption>
            <blockquote>
            </blockquote>
            </figure>
            <ol start="3" type="i">
            <li>é💡
            </li>
            </ol>
            <p><img src="/a.png" alt="alt" width="20" /></p>

            """)
    }

    @Test(arguments: [
        ("", "1:1: empty input"),
        ("[]", "the document must be a JSON object"),
        ("{\"version\": 2, \"blocks\": []}", "schema version 2 is not supported"),
        ("{\"version\": 1}", "missing \"blocks\" array"),
        ("{\"version\": 1, \"blocks\": [{\"type\": \"nope\"}]}", "unknown node type 'nope'"),
        ("{\"version\": 1, \"blocks\": [{\"type\": \"heading\", \"level\": 9}]}", "heading level must be 1 to 6"),
        ("{\"version\": 1, \"blocks\": [{\"type\": \"text\"}]}", "text needs \"text\""),
        ("{\"version\": 1, \"blocks\": [{\"type\": \"thematic_break\", \"children\": [{\"type\": \"paragraph\"}]}]}", "thematic_break cannot have children"),
        ("{\"version\": 1, \"blocks\": [{\"type\": \"color\", \"color\": \"red;x:y\"}]}", "'red;x:y' is not a colour"),
        ("{\"version\": 1, \"blocks\": [\n{\"type\": \"paragraph\",}]}", "2:22: expected a key in quotes"),
        ("{\"version\": 1, \"blocks\": [] } x", "text after the document"),
        ("{\"version\": 1, \"blocks\": [{\"type\": \"text\", \"text\": \"\\ud800\"}]}", "unpaired surrogate"),
    ])
    func invalidJSONIsRejectedWithAReason(json: String, reason: String) {
        #expect {
            try JSONReader().read(json)
        } throws: { error in
            "\(error)".contains(reason)
        }
    }

    @Test func deepJSONIsReadWithoutRecursion() throws {
        let depth = 200_000
        let json = "{\"version\":1,\"blocks\":[" + String(repeating: "{\"type\":\"block_quote\",\"children\":[", count: depth)
            + String(repeating: "]}", count: depth) + "]}"
        let document = try JSONReader().read(json).document
        #expect(document.maximumDepth == depth)
    }
}
