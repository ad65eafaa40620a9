import MarkupKit
import MarkupKitTestSupport
import Testing

/// Issue 18: what we write must survive what the forum itself does to a post — its input
/// filter, its tag set, its length limit.
@Suite struct ForumInputFilterTests {
    /// What FluxBB 1.5's `remove_bad_characters` (include/functions.php) does to every
    /// posted form: these characters are deleted…
    static let fluxBBDeletes: [ClosedRange<UInt32>] = [
        0x00...0x08, 0x0B...0x0C, 0x0E...0x1F,  // control characters
        0x0337...0x0338, 0x115F...0x1160, 0x200B...0x200F, 0x202A...0x202F, 0x205F...0x2060,
        0x3164...0x3164, 0xFEFF...0xFEFF, 0xFFA0...0xFFA0, 0xFFF9...0xFFFD,
    ]
    /// …and these become a space.
    static let fluxBBSpaces: [ClosedRange<UInt32>] = [0x2000...0x200A, 0x3000...0x3000]

    static func savedByFluxBB(_ post: String) -> String {
        var saved = String.UnicodeScalarView()
        for scalar in post.unicodeScalars {
            if fluxBBDeletes.contains(where: { $0.contains(scalar.value) }) { continue }
            saved.append(fluxBBSpaces.contains(where: { $0.contains(scalar.value) }) ? " " : scalar)
        }
        return String(saved)
    }

    static let literalTags = [
        "Type [b] for bold and [/b] to end it.",
        "- an item with [*] and [/list] in it\n- [quote]not a quote[/quote]",
        "```\nthe code holds [/code] and [code]\n```",
        "A [link [url=x]](https://example.com/) and `[c]` as code.",
        "# [h] in a heading",
    ]

    /// The escape FluxBB is written with survives its filter: the saved post is the post
    /// we wrote, and it reads back to the same tree.
    @Test(arguments: literalTags)
    func fluxBBsFilterKeepsTheEscapes(_ markdown: String) throws {
        let tree = try MarkupKit.read(utf8: Array(markdown.utf8), as: .gfm).document
        let written = try MarkupKit.write(tree, as: .bbcode(.fluxBB)).text
        let saved = Self.savedByFluxBB(written)
        #expect(saved == written, "FluxBB's filter changed the post:\n\(written.debugDescription)\n\(saved.debugDescription)")
        let before = BBCodeReader(dialect: .fluxBB).read(written).document
        #expect(BBCodeReader(dialect: .fluxBB).read(saved).document == before)
        // And the literal tags came back as text, not markup.
        let text = before.nodes.compactMap { node -> String? in
            switch node.kind {
            case .text(let ref), .code(let ref), .codeBlock(_, let ref): before.string(ref)
            default: nil
            }
        }.joined()
            // Inside code the mark stays (code is shown as typed; the writer warned).
            .replacingOccurrences(of: "\u{2063}", with: "")
        for tag in ["[b]", "[/b]", "[*]", "[/list]", "[quote]", "[/code]", "[url=x]", "[c]", "[h]"] where markdown.contains(tag) {
            #expect(text.contains(tag), "\(tag) in \(written.debugDescription)")
        }
    }

    /// The filter is applied as FluxBB applies it: a zero-width space, what was written
    /// before, is deleted, and `[b]` becomes a real tag.
    @Test func theFilterDeletesZeroWidthSpaces() {
        #expect(Self.savedByFluxBB("[\u{200B}b]x") == "[b]x")
        #expect(Self.savedByFluxBB("[\u{2063}b]x") == "[\u{2063}b]x")
    }

    /// FluxBB 1.5.11 has no `[c]`: inline code is written as its text, with a warning,
    /// and a `[c]` in a post is read as the text 1.5 shows.
    @Test func fluxBBHasNoInlineCode() throws {
        let result = try MarkupKit.convert("Run `make` now.\n", from: .gfm, to: .bbcode(.fluxBB))
        #expect(result.output == "Run make now.\n")
        #expect(result.warnings.map(\.message) == ["inline code written as plain text (FluxBB 1.5 has no inline code)"])
        let read = try MarkupKit.convert("Use [c]git[/c].", from: .bbcode(.fluxBB), to: .gfm)
        #expect(read.output == "Use \\[c]git\\[/c].\n")
    }

    static let limited = BBCodeDialect.all.filter { $0.postLengthLimit != nil }.map(\.name)

    /// A post past the forum's default length is refused when submitted: the writer says
    /// so, in the forum's own unit (FluxBB counts bytes, the others characters).
    @Test(arguments: limited)
    func aPostPastTheDefaultLengthIsAWarning(_ name: String) throws {
        let dialect = try #require(BBCodeDialect.named(name))
        let limit = try #require(dialect.postLengthLimit)
        // "é" is one character and two bytes; the line break ends the post.
        let unitsPerLetter = limit.unit == .bytes ? 2 : 1
        let fitting = String(repeating: "é", count: (limit.count - 1) / unitsPerLetter) + "\n"
        let over = String(repeating: "é", count: limit.count / unitsPerLetter + 1) + "\n"
        let atLimit = try MarkupKit.convert(fitting, from: .gfm, to: .bbcode(dialect))
        #expect(atLimit.output == fitting && atLimit.warnings.isEmpty)
        let past = try MarkupKit.convert(over, from: .gfm, to: .bbcode(dialect))
        let length = limit.length(of: Array(past.output.utf8))
        #expect(length > limit.count)
        #expect(past.warnings.map(\.message) == [
            "the post is \(length) \(limit.unit.rawValue); \(dialect.title) refuses posts over \(limit.count) by default (\(limit.setting))",
        ])
        #expect(past.warnings.allSatisfy { $0.kind == .loss }, "--fail-if-lossy stops it")
    }

    /// A limit in characters counts Unicode scalars, as PHP's mb_strlen does (counted on
    /// the bytes eight at a time).
    @Test func aLengthInCharactersIsTheScalarCount() throws {
        let limit = try #require(BBCodeDialect.phpBB.postLengthLimit)
        try #require(limit.unit == .characters)
        let pieces = ["a", "é", "—", "😀", "\n", "[b]", "ß", "中文", " "]
        for length in [0, 1, 7, 8, 9, 63, 64, 65, 1000] {
            // Every piece at every offset of a word, in turn.
            let text = (0..<length).map { pieces[($0 * 7 + length) % pieces.count] }.joined()
            #expect(limit.length(of: Array(text.utf8)) == text.unicodeScalars.count, "\(text)")
        }
    }

    @Test func limitsAreRecordedForTheForumsThatHaveThem() {
        #expect(BBCodeDialect.smf.postLengthLimit == .init(20_000, .characters, setting: "max_messageLength"))
        #expect(BBCodeDialect.phpBB.postLengthLimit == .init(60_000, .characters, setting: "max_post_chars"))
        #expect(BBCodeDialect.fluxBB.postLengthLimit == .init(65_535, .bytes, setting: "PUN_MAX_POSTSIZE"))
    }
}
