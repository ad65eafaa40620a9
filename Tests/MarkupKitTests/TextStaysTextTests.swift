import Foundation
import MarkupKit
import Testing

/// No text of the input becomes markup in BBCode output, whatever it was read from.
///
/// A random tree full of text that is markup somewhere — tags of every dialect, stray
/// brackets, quotes and `=`, in words, code, quote authors, spoiler titles, code
/// languages, image descriptions, footnote labels and link addresses — is written in a
/// source format and read back (the input as its reader sees it). That input is written
/// in each BBCode dialect and read back with the same dialect. Every character of the
/// input's text must come back as text, in order (the writer may add text: list numbers,
/// "wrote:", a footnote's number, never take it), except what the writer said it dropped;
/// and no link or image may appear that the input did not have.
@Suite struct TextStaysTextTests {
    static let sources: [String] = ["gfm", "html", "json"] + BBCodeDialect.all.map(\.name)

    @Test(arguments: sources)
    func noTextOfTheInputBecomesMarkup(_ sourceName: String) throws {
        let source = try Format(parsing: sourceName)
        checkProperty("noTextOfTheInputBecomesMarkup/\(sourceName)", cases: 60, length: 20...200) { recipe in
            let tree = HostileTree.document(from: recipe)
            let input: Document
            do {
                let written = try MarkupKit.write(tree, as: source)
                input = try MarkupKit.read(utf8: written.bytes, as: source).document
            } catch {
                return "\(sourceName) could not carry the tree: \(error)"
            }
            for dialect in BBCodeDialect.all {
                if let failure = Self.markupFromText(in: input, dialect: dialect) {
                    return "read from \(sourceName), written as bbcode_\(dialect.name): \(failure)"
                }
            }
            return nil
        }
    }

    /// Found by this property before: each is kept as it was found.
    @Test(arguments: [
        // a footnote label with no definition, written raw, became a bold tag
        ("gfm", "see[^[b]] here"),
        // phpBB: the escaper broke up `[*="] [*][*="]` as one tag, and the reader then
        // found the `[*]` inside it
        ("gfm", "- [\\*=\"] [\\*][\\*=\"]"),
        // `[del="` in one cell: its quoted value ran on past the writer's cell tags
        ("gfm", "| [del=\"][*] | [*=\"] |\n|---|---|\n| a | b |"),
        // an address shown as its own text was written percent-encoded as that text
        ("gfm", "<https://e.com/a]b>"),
        // vBulletin: an author ending in `;` lost it, one ending in `;12` became post 12
        ("bbcode_phpbb", "[quote=\"&amp;\"]x[/quote]"),
        ("bbcode_phpbb", "[quote=\"a;12\"]x[/quote]"),
        // vBulletin: ` word=` in an author was read as an attribute; SMF: an author
        // starting with `"` made the tag text
        ("bbcode_phpbb", "[quote=\"[*] word=[*]\"]x[/quote]"),
        ("bbcode_phpbb", "[quote='\"[*=x]']x[/quote]"),
        // Friendica: an image description is the tag's content, read as it is: it was
        // escaped (the escape came back as text) and `[/img]` in it ended the tag
        ("gfm", "![[/img][b]](https://e.com/x.png)"),
        // a backslash ending a quoted option escaped its closing quote: the image was
        // text, and its description's `[*=x)` an item
        ("html", "<img src=\"https://e.com/x.png\" alt='[*=x][*]\\'>"),
        // quotes in a spoiler title and an image description were replaced silently
        ("html", "<details><summary>say \"hi\"</summary>x</details>"),
        ("html", "<img src=\"https://e.com/x.png\" alt='a \"b\" ]c'>"),
        // FluxBB: ` word=` in an image description, written as the tag's bare value, was
        // read as an attribute
        ("html", "<img src=\"https://e.com/x.png\" alt='word word='>"),
        // phpBB links bare addresses: text that would be one, also across two text nodes
        // and with an address inside an address, was written so the forum linked it
        ("bbcode", "WWW.http://e.com/x ftp://[*=http://e.com/] a[b]@[/b]b.co www[i].[/i]e.org"),
        // a closing tag in upper case inside code (or an image description read as it is)
        // was written in lower case: the mark that breaks it up replaced the whole tag
        ("gfm", "```\na [/CODE] b [/Code]\n```\n\n![x [/IMG] y](https://e.com/x.png)"),
    ])
    func textFoundBeforeStaysText(_ sourceName: String, _ text: String) throws {
        let input = try MarkupKit.read(utf8: Array(text.utf8), as: Format(parsing: sourceName)).document
        for dialect in BBCodeDialect.all {
            let failure = Self.markupFromText(in: input, dialect: dialect)
            #expect(failure == nil, "\(dialect.name): \(failure ?? "")")
        }
    }

    /// Why writing `input` in `dialect` and reading it back turned some of its text into
    /// markup (or lost it without a word), or nil.
    static func markupFromText(in input: Document, dialect: BBCodeDialect) -> String? {
        let writing = BBCodeWriter(dialect: dialect).write(input)
        let output = BBCodeReader(dialect: dialect).read(writing.text).document
        let said = writing.warnings.map(\.message)
        let dropsDescriptions = said.contains { $0.contains("image description") && $0.contains("dropped") }
        // Where a quote author, spoiler title or image description was written with
        // look-alikes (and the writer said so), both sides are compared with them.
        let lookAlikes = said.contains { $0.contains("characters were replaced") }
        let expected = visibleText(of: input, skippingImageDescriptions: dropsDescriptions, foldingLookAlikes: lookAlikes)
        let actual = visibleText(of: output, skippingImageDescriptions: false, foldingLookAlikes: lookAlikes)
        if let missing = firstMissing(expected, in: actual) {
            return """
                the input's text is not all text in the output; from here on it is missing: \
                \(String(expected[missing...].prefix(40)).debugDescription)
                input text:  \(String(expected).debugDescription)
                output text: \(String(actual).debugDescription)
                written:
                \(writing.text)
                """
        }
        let inputAddresses = addresses(in: input)
        for address in addresses(in: output) where !inputAddresses.contains(address) {
            return "the output has a link or image to \(address.debugDescription) that the input did not have\nwritten:\n\(writing.text)"
        }
        return nil
    }

    /// The text a reader of the post sees, in order, without whitespace and invisible
    /// characters (the writer's own separators and escape marks).
    static func visibleText(of document: Document, skippingImageDescriptions: Bool, foldingLookAlikes: Bool) -> [Character] {
        var defined = Set<String>()
        for index in 0..<document.nodeCount {
            if case .footnoteDefinition(let label) = document[index].kind { defined.insert(label) }
        }
        var text = ""
        var index = 0
        while index < document.nodeCount {
            switch document[index].kind {
            case .text(let ref), .code(let ref), .codeBlock(_, let ref), .rawInline(_, let ref), .rawBlock(_, let ref):
                text += document.string(ref)
            case .blockQuote(let attribution?):
                text += attribution
            case .spoiler(let title?):
                text += title
            case .footnoteReference(let label) where !defined.contains(label):
                text += label
            case .image where skippingImageDescriptions:
                index = document.subtreeEnd(of: index)
                continue
            default:
                break
            }
            index += 1
        }
        let folded: [Character: Character] = foldingLookAlikes ? Self.lookAlikes : [:]
        return text.compactMap { character in
            if character.unicodeScalars.allSatisfy({ $0.properties.isWhitespace || $0.properties.generalCategory == .format }) {
                return nil
            }
            return folded[character] ?? character
        }
    }

    /// The look-alikes BBCode writers put in tag options, each as the character it stands
    /// for, with `"` and `]` further as the `'` and `)` that stand for them.
    static let lookAlikes: [Character: Character] = [
        "\"": "'", "]": ")", "\u{FF02}": "'", "\u{FF07}": "'", "\u{FF3B}": "[", "\u{FF3D}": ")", "\u{FF1D}": "=",
        "\u{FF1B}": ";", "\u{FF0C}": ",", "\u{FF1A}": ":", "\u{FF3C}": "\\",
    ]

    /// Where `expected` stops being a subsequence of `actual`, or nil if it is one.
    static func firstMissing(_ expected: [Character], in actual: [Character]) -> Int? {
        var position = actual.startIndex
        for (offset, character) in expected.enumerated() {
            guard let found = actual[position...].firstIndex(of: character) else { return offset }
            position = found + 1
        }
        return nil
    }

    /// Every link and image address, percent-decoded (a writer may encode a `]`).
    static func addresses(in document: Document) -> Set<String> {
        var found = Set<String>()
        for index in 0..<document.nodeCount {
            switch document[index].kind {
            case .link(let destination, _):
                found.insert(destination.removingPercentEncoding ?? destination)
            case .image(let image):
                found.insert(image.source.removingPercentEncoding ?? image.source)
            default:
                break
            }
        }
        return found
    }
}

/// A random tree whose every text and attribute is made of markup from somewhere: every
/// dialect's tag names opened, closed and given options, Markdown and HTML punctuation.
struct HostileTree {
    static let tagNames: [String] = {
        var names: Set<String> = ["*", "img", "quote", "hr", "table", "tr", "td", "th", "spoiler", "center", "left",
                                  "right", "h1", "h2", "size", "li", "ul", "ol", "youtube", "attach", "noparse",
                                  "plain", "icode", "abstract", "share", "nobb", "user", "mention", "ispoiler"]
        for dialect in BBCodeDialect.all {
            names.formUnion(dialect.bold + dialect.italic + dialect.underline + dialect.strikethrough)
            names.formUnion(dialect.subscript + dialect.superscript + dialect.color + dialect.font)
            names.formUnion(dialect.url + dialect.email + dialect.code.tags + dialect.noParse)
            names.formUnion(dialect.lists.bulletTags + dialect.lists.orderedTags + dialect.code.languageTags.keys)
        }
        return names.sorted()
    }()
    static let optionValues = ["x", "\"a]b\"", "'q'", "http://e.com/]", "", "1", "a=b", "\"", "]"]
    static let punctuation = ["[", "]", "=", "\"", "'", "[/", "]]", "[[", "&", "&amp;", "<b>", "</i>", "\\", "*", "_",
                              "`", "~~", "|", "#", ">", "-", "+", "1.", ":", "!", "(", ")", "{", "}", "%", "\u{200B}",
                              // Addresses a forum links by itself (phpBB), and their pieces.
                              "http://e.com/x", "www.e.org", "a@b.co", "ftp://", "://", "@", "WWW."]
    static let destinations = ["https://e.com/a]b", "https://e.com/[b]x[/b]", "https://e.com/?q=\"x\"&y='z'",
                               "https://e.com/a b", "/relative]", "https://e.com/(x)", "https://e.com/[url=y]",
                               "mailto:a@b.c"]

    private let bytes: [UInt8]
    private var position = 0
    private var builder = DocumentBuilder()
    private var footnoteLabels: [String] = []

    static func document(from bytes: [UInt8]) -> Document {
        var recipe = HostileTree(bytes: bytes)
        repeat {
            recipe.block(depth: 0)
        } while !recipe.exhausted
        var seen = Set<String>()
        for label in recipe.footnoteLabels where seen.insert(label).inserted && recipe.choose(2) == 0 {
            recipe.builder.open(.footnoteDefinition(label: label))
            recipe.paragraph()
            recipe.builder.close()
        }
        return recipe.builder.finish()
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private var exhausted: Bool { position >= bytes.count }

    /// The next choice among `count`; 0 once the bytes run out, which ends every loop.
    private mutating func choose(_ count: Int) -> Int {
        guard position < bytes.count else { return 0 }
        defer { position += 1 }
        return Int(bytes[position]) % count
    }

    /// One to three pieces of markup, sometimes with a word or a space between.
    private mutating func hostileText() -> String {
        var text = ""
        for number in 0...choose(3) {
            if number > 0 { text += ["", " ", "a"][choose(3)] }
            let name = Self.tagNames[choose(Self.tagNames.count)]
            switch choose(5) {
            case 0: text += "[\(name)]"
            case 1: text += "[/\(name)]"
            case 2: text += "[\(name)=\(Self.optionValues[choose(Self.optionValues.count)])]"
            case 3: text += Self.punctuation[choose(Self.punctuation.count)]
            default: text += "word"
            }
        }
        return text
    }

    private mutating func block(depth: Int) {
        switch choose(depth < 3 ? 9 : 4) {
        case 0, 1:
            paragraph()
        case 2:
            builder.open(.heading(level: 1 + choose(6)))
            inlines(depth: 0)
            builder.close()
        case 3:
            let info = choose(2) == 0 ? "" : hostileText()
            var code = ""
            for _ in 0...choose(3) { code += hostileText() + ["\n", "[/code]\n", "[/\(Self.tagNames[choose(Self.tagNames.count)])]\n"][choose(3)] }
            builder.addLeaf(.codeBlock(info: info, code: builder.storeText(code)))
        case 4:
            builder.open(.blockQuote(attribution: choose(3) == 0 ? nil : hostileText()))
            block(depth: depth + 1)
            builder.close()
        case 5:
            builder.open(.spoiler(title: choose(3) == 0 ? nil : hostileText()))
            block(depth: depth + 1)
            builder.close()
        case 6:
            builder.open(.list(ListAttributes(kind: choose(2) == 0 ? .bullet : .ordered(start: 1, numbering: .decimal),
                                              isTight: true)))
            for _ in 0...choose(3) {
                builder.open(.listItem(task: nil))
                paragraph()
                builder.close()
            }
            builder.close()
        case 7:
            let columns = 1 + choose(3)
            builder.open(.table(columns: Array(repeating: .none, count: columns)))
            for row in 0...(1 + choose(2)) {
                builder.open(.tableRow(isHeader: row == 0))
                for _ in 0..<columns {
                    builder.open(.tableCell)
                    inlines(depth: 1)
                    builder.close()
                }
                builder.close()
            }
            builder.close()
        default:
            builder.addLeaf(.thematicBreak)
        }
    }

    private mutating func paragraph() {
        builder.open(.paragraph)
        inlines(depth: 0)
        builder.close()
    }

    private mutating func inlines(depth: Int) {
        for number in 0...choose(4) {
            if number > 0 && choose(2) == 0 { builder.addText(" ") }
            inline(depth: depth)
        }
    }

    private mutating func inline(depth: Int) {
        let nests = depth < 2
        switch choose(10) {
        case 0 where nests:
            builder.open([.strong, .emphasis, .strikethrough, .underline, .superscript][choose(5)])
            inlines(depth: depth + 1)
            builder.close()
        case 1:
            builder.addLeaf(.code(builder.storeText(hostileText())))
        case 2 where nests:
            builder.open(.link(destination: Self.destinations[choose(Self.destinations.count)],
                               title: choose(2) == 0 ? "" : hostileText()))
            inlines(depth: 2)
            builder.close()
        case 3:
            builder.open(.image(ImageAttributes(source: Self.destinations[choose(Self.destinations.count - 1)],
                                                title: choose(2) == 0 ? "" : hostileText())))
            builder.addText(hostileText())
            builder.close()
        case 4:
            let label = ["1", "b", "note", "[b]", "x]y", "a=b", "*"][choose(7)]
            footnoteLabels.append(label)
            builder.addLeaf(.footnoteReference(label: label))
        case 5 where depth == 0:
            builder.addLeaf(.lineBreak)
        default:
            builder.addText(hostileText())
        }
    }
}
