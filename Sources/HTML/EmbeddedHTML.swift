#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CGumbo
import MarkupKitCore

/// HTML written inside Markdown, read for what it means, so that `<u>`, `<sub>`, a coloured
/// `<span>` or a `<details>` block reach formats that cannot carry raw HTML (BBCode, JSON,
/// safe HTML) as the tree's own nodes instead of tag text.
///
/// cmark-gfm hands inline HTML over one tag at a time and HTML blocks as whole lines. The
/// Markdown reader pairs start and end tags among siblings itself, asks here what a single
/// tag means (``inlineMeaning(ofTag:)``), and reads HTML blocks with ``readBlock(_:policy:leavingSlot:)``.
/// Both follow the HTML reader's element table, so a tag means the same in either input.
public enum EmbeddedHTML {
    /// One tag, as the tokenizer saw it: names lower-cased, attribute values with their
    /// character references decoded.
    public struct Tag: Hashable, Sendable {
        public var name: String
        public var isEndTag: Bool
        public var isSelfClosing: Bool
        /// The first value given for each attribute, as HTML keeps it.
        public var attributes: TagAttributes
    }

    /// A tag's attributes by name, in the order written. The few a tag has are looked
    /// through: a `[String: String]` was a hash table made per tag, and its type's first
    /// use looked `String`'s `Hashable` conformance up over the whole binary, 0.25 M
    /// instructions in every run that met a tag with an attribute.
    public struct TagAttributes: Hashable, Sendable, ExpressibleByDictionaryLiteral {
        private var names: [String] = []
        private var values: [String] = []

        public init(dictionaryLiteral elements: (String, String)...) {
            for (name, value) in elements { addIfAbsent(name, value) }
        }

        public var isEmpty: Bool { names.isEmpty }
        public var count: Int { names.count }

        public subscript(name: String) -> String? {
            names.firstIndex(of: name).map { values[$0] }
        }

        /// Keeps the first value given for a name, as HTML does.
        public mutating func addIfAbsent(_ name: String, _ value: String) {
            guard !names.contains(name) else { return }
            names.append(name)
            values.append(value)
        }

        /// Equal when they give the same names the same values, in any order.
        public static func == (lhs: TagAttributes, rhs: TagAttributes) -> Bool {
            lhs.count == rhs.count && zip(lhs.names, lhs.values).allSatisfy { rhs[$0] == $1 }
        }

        public func hash(into hasher: inout Hasher) {
            // Order-free: the sum of each pair's own hash.
            var sum = 0
            for (name, value) in zip(names, values) {
                var pair = Hasher()
                pair.combine(name)
                pair.combine(value)
                sum &+= pair.finalize()
            }
            hasher.combine(count)
            hasher.combine(sum)
        }
    }

    /// What a tag standing inside Markdown text means in the tree.
    public enum InlineMeaning: Hashable, Sendable {
        /// A start tag whose content, up to its end tag, goes into these containers,
        /// outermost first; none when the tags carry nothing the tree keeps (`<span>`).
        case containers([NodeKind])
        /// A start tag whose text, up to its end tag, is code (`<code>`, `<kbd>`).
        case code
        /// A tag that stands alone (`<br>`).
        case leaf(NodeKind)
        /// `<img>`: an image with its alternative text.
        case image(ImageAttributes, alternative: String)
        /// An `<img>` without an address shows its alternative text.
        case text(String)
    }

    /// The tag `bytes` consist of, or nil when they are not exactly one start or end tag
    /// (a comment, a declaration, a processing instruction).
    public static func tag(_ bytes: UnsafeRawBufferPointer) -> Tag? {
        var scanner = TagScanner(bytes: bytes)
        guard let tag = scanner.nextTag(), scanner.position == bytes.count else { return nil }
        return tag
    }

    /// What a start tag means inside Markdown text; nil for tags kept as raw HTML: end tags,
    /// elements the tree has no node for (a block element, `<script>`, a custom element),
    /// a `<span>` whose style asks for nothing the tree has.
    public static func inlineMeaning(ofTag tag: Tag) -> InlineMeaning? {
        guard !tag.isEndTag else { return nil }
        let styleKinds = tag.attributes["style"].map { CSSDeclarations(parsing: $0).inlineKinds } ?? []
        switch ElementRole.role(named: tag.name) {
        case .formatting(let kind):
            return .containers([kind] + styleKinds)
        case .superscript:
            return .containers([.superscript] + styleKinds)
        case .font:
            let kinds = HTMLAttributeValues.fontElementKinds(color: tag.attributes["color"], size: tag.attributes["size"],
                                                             face: tag.attributes["face"]) + styleKinds
            return kinds.isEmpty ? nil : .containers(kinds)
        case .anchor:
            guard let href = tag.attributes["href"] else {
                // `<a name="top">` marks a place; the tree has no node for that.
                return .containers(styleKinds)
            }
            return .containers([.link(destination: HTMLAttributeValues.url(href), title: tag.attributes["title"] ?? "")]
                                   + styleKinds)
        case .code:
            return .code
        case .lineBreak:
            return .leaf(.lineBreak)
        case .image:
            let alternative = tag.attributes["alt"] ?? ""
            guard let source = tag.attributes["src"].map(HTMLAttributeValues.url), !source.isEmpty else {
                return .text(alternative)
            }
            return .image(ImageAttributes(source: source, title: tag.attributes["title"] ?? "",
                                          width: tag.attributes["width"].flatMap(HTMLAttributeValues.pixelCount),
                                          height: tag.attributes["height"].flatMap(HTMLAttributeValues.pixelCount)),
                          alternative: alternative)
        case .inline:
            // Only phrasing elements known to carry nothing of their own: an unknown or
            // custom element stays raw, so a writer that cannot show it says so.
            guard Self.isPlainPhrasingElement(tag.name) else { return nil }
            return .containers(styleKinds)
        default:
            return nil
        }
    }

    private static func isPlainPhrasingElement(_ name: String) -> Bool {
        switch ElementRole.gumboTag(named: name) {
        case GUMBO_TAG_SPAN, GUMBO_TAG_MARK, GUMBO_TAG_SMALL, GUMBO_TAG_BIG, GUMBO_TAG_ABBR, GUMBO_TAG_TIME, GUMBO_TAG_DATA,
             GUMBO_TAG_BDI, GUMBO_TAG_BDO, GUMBO_TAG_NOBR, GUMBO_TAG_WBR:
            true
        default:
            false
        }
    }

    /// A number for each element HTML knows, below ``knownElementCount``; the same
    /// number, ``knownElementCount``, for every other name. Every tag with a meaning in
    /// the tree (``inlineMeaning(ofTag:)``) is a known element, so counts of open ones
    /// fit an array.
    public static func elementNumber(_ name: String) -> Int {
        Int(ElementRole.gumboTag(named: name).rawValue)
    }

    public static var knownElementCount: Int { Int(GUMBO_TAG_UNKNOWN.rawValue) }

    /// How an HTML block leaves the elements it opens.
    public struct BlockBalance: Hashable, Sendable {
        /// Elements started and not ended in the block, outermost first: content after the
        /// block, up to a block of their end tags, is inside them.
        public var leftOpen: [String] = []
        /// For a block of nothing but end tags (and white space), their names in order.
        public var endTagsOnly: [String]?
    }

    /// Follows a block's tags to see which elements it leaves open. Elements an end tag
    /// closes implicitly (an unclosed `<p>` inside a closed `<div>`) are closed with it, as a
    /// browser closes them; void elements and self-closing tags open nothing.
    public static func balance(ofBlock bytes: UnsafeRawBufferPointer) -> BlockBalance {
        // A comment opens and ends nothing (API documentation carries thousands).
        if isOneComment(bytes) { return BlockBalance() }
        var scanner = TagScanner(bytes: bytes)
        var open: [String] = []
        var endTags: [String] = []
        var onlyEndTags = true
        while scanner.position < bytes.count {
            let byte = bytes[scanner.position]
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
                || byte == UInt8(ascii: "\r") {
                scanner.position += 1
                continue
            }
            guard let tag = scanner.nextTag(keepingAttributes: false) else {
                onlyEndTags = false
                scanner.skipToNextTag()
                continue
            }
            if tag.isEndTag {
                endTags.append(tag.name)
                if let index = open.lastIndex(of: tag.name) { open.removeSubrange(index...) }
            } else {
                onlyEndTags = false
                if !tag.isSelfClosing && !Self.isVoidElement(tag.name) {
                    if HTMLEscaping.rawTextElementNames.contains(tag.name) {
                        scanner.skipRawText(endingWith: tag.name)
                    } else {
                        open.append(tag.name)
                    }
                }
            }
        }
        return BlockBalance(leftOpen: onlyEndTags ? [] : open, endTagsOnly: onlyEndTags && !endTags.isEmpty ? endTags : nil)
    }

    /// Elements that have no end tag. A switch, not a `Set<String>`: the set's first use
    /// looked `String`'s `Hashable` conformance up over the whole binary (0.25 M
    /// instructions) in every run that read an HTML block.
    static func isVoidElement(_ name: String) -> Bool {
        // By gumbo's tag number, which knows every one of them: a switch on strings
        // compared them one by one.
        switch ElementRole.gumboTag(named: name) {
        case GUMBO_TAG_AREA, GUMBO_TAG_BASE, GUMBO_TAG_BR, GUMBO_TAG_COL, GUMBO_TAG_EMBED, GUMBO_TAG_HR, GUMBO_TAG_IMG,
             GUMBO_TAG_INPUT, GUMBO_TAG_LINK, GUMBO_TAG_META, GUMBO_TAG_PARAM, GUMBO_TAG_SOURCE, GUMBO_TAG_TRACK,
             GUMBO_TAG_WBR, GUMBO_TAG_KEYGEN, GUMBO_TAG_BASEFONT, GUMBO_TAG_BGSOUND, GUMBO_TAG_FRAME:
            true
        default:
            false
        }
    }

    /// Text that marks, in a block read with a slot, where the content that follows the
    /// block belongs. Private-use characters, so no HTML rule changes or drops it.
    public static let slot = "\u{E000}markupkit-slot\u{E001}"

    /// Reads an HTML block as the HTML reader reads a fragment. With `leavingSlot`, the
    /// block is one that leaves elements open; ``slot`` is read as the text that follows
    /// it, so it lands where the content after the block goes (inside `<details>`, say).
    public static func readBlock(_ bytes: UnsafeRawBufferPointer, policy: SafetyPolicy,
                                 leavingSlot: Bool) throws(MarkupKitError) -> ReadResult {
        if !leavingSlot, isOneComment(bytes) {
            // What the HTML reader makes of it, without starting a parser for it: API
            // documentation carries hundreds of these (`<!-- YAML … -->`), and a gumbo
            // parse each was a fifth of converting such a page to BBCode.
            return ReadResult(document: Document(),
                              warnings: [ConversionWarning(.loss, at: SourcePosition(line: 1, column: 1), "HTML comment dropped")])
        }
        var input = [UInt8](bytes)
        if leavingSlot {
            input.append(contentsOf: slot.utf8)
        }
        return try HTMLReader(options: .init(policy: policy)).read(utf8: input)
    }
}

extension EmbeddedHTML {
    /// Whether the block is one comment and nothing else: `<!--` at its first byte, the
    /// first `-->` ending it (no `--!>` before), only whitespace after. Abrupt comments
    /// (`<!-->`, `<!--->`) are left to the parser.
    static func isOneComment(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let count = bytes.count
        guard count >= 7, bytes[0] == UInt8(ascii: "<"), bytes[1] == UInt8(ascii: "!"), bytes[2] == UInt8(ascii: "-"),
              bytes[3] == UInt8(ascii: "-"), bytes[4] != UInt8(ascii: ">"),
              !(bytes[4] == UInt8(ascii: "-") && bytes[5] == UInt8(ascii: ">")) else { return false }
        var position = 4
        // From one `-` to the next by memchr: a comment is mostly other bytes. No `-` left
        // where `-->` could start: not closed.
        while position + 2 < count {
            guard let dash = memchr(bytes.baseAddress! + position, Int32(UInt8(ascii: "-")), count - 2 - position) else {
                return false
            }
            position = UnsafeRawPointer(dash) - bytes.baseAddress!
            if bytes[position + 1] == UInt8(ascii: "-") {
                if bytes[position + 2] == UInt8(ascii: ">") { break }
                if bytes[position + 2] == UInt8(ascii: "!") { return false }
            }
            position += 1
        }
        guard position + 2 < count else { return false }
        return bytes[(position + 3)...].allSatisfy(HTMLEscaping.isHTMLSpace)
    }
}

/// Reads tags as the HTML standard's tokenizer does, for the one tag cmark-gfm gives an
/// inline HTML node and for following the tags of a block. Linear: every byte is looked
/// at a bounded number of times.
private struct TagScanner {
    let bytes: UnsafeRawBufferPointer
    var position = 0

    init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    private func isNameByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
            || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
    }

    private func isSpace(_ byte: UInt8) -> Bool { HTMLEscaping.isHTMLSpace(byte) }

    private func isLetter(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
    }

    private mutating func skipSpaces() {
        while position < bytes.count, isSpace(bytes[position]) { position += 1 }
    }

    /// The name at `position`, lower-cased (name bytes are ASCII: folded as bytes, not
    /// through Unicode's `lowercased()`).
    private mutating func name() -> String {
        let start = skipName()
        return lowercased(start..<position)
    }

    private func lowercased(_ range: Range<Int>) -> String {
        String(unsafeUninitializedCapacity: range.count) { buffer in
            for index in range {
                let byte = bytes[index]
                buffer[index - range.lowerBound] = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
            }
            return range.count
        }
    }

    /// Moves past the name at `position`; returns where it started.
    private mutating func skipName() -> Int {
        let start = position
        while position < bytes.count, isNameByte(bytes[position]) { position += 1 }
        return start
    }

    /// The tag at `position`, which moves past it; nil (and `position` unchanged) when
    /// there is no start or end tag there. Without `keepingAttributes` they are read
    /// (a tag is one by the same rules) but not kept: following a block's elements needs
    /// only their names.
    mutating func nextTag(keepingAttributes: Bool = true) -> EmbeddedHTML.Tag? {
        let start = position
        guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "<") else { return nil }
        position += 1
        let isEndTag = bytes[position] == UInt8(ascii: "/")
        if isEndTag { position += 1 }
        guard position < bytes.count, isLetter(bytes[position]) else {
            position = start
            return nil
        }
        var tag = EmbeddedHTML.Tag(name: name(), isEndTag: isEndTag, isSelfClosing: false, attributes: [:])
        while true {
            skipSpaces()
            guard position < bytes.count else {
                position = start
                return nil
            }
            let byte = bytes[position]
            if byte == UInt8(ascii: ">") {
                position += 1
                return tag
            }
            if byte == UInt8(ascii: "/"), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: ">") {
                tag.isSelfClosing = true
                position += 2
                return tag
            }
            guard isNameByte(byte) else {
                position = start
                return nil
            }
            let attribute = skipName()..<position
            skipSpaces()
            var value = ""
            if position < bytes.count, bytes[position] == UInt8(ascii: "=") {
                position += 1
                skipSpaces()
                guard position < bytes.count, let range = attributeValueRange() else {
                    position = start
                    return nil
                }
                if keepingAttributes {
                    value = Self.decodingCharacterReferences(UnsafeRawBufferPointer(rebasing: bytes[range]))
                }
            }
            if keepingAttributes { tag.attributes.addIfAbsent(lowercased(attribute), value) }
        }
    }

    /// Moves past the attribute value at `position`; nil for a quoted one left unclosed.
    private mutating func attributeValueRange() -> Range<Int>? {
        let quote = bytes[position]
        let start: Int
        let end: Int
        if quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") {
            start = position + 1
            var index = start
            while index < bytes.count, bytes[index] != quote { index += 1 }
            guard index < bytes.count else { return nil }
            end = index
            position = index + 1
        } else {
            start = position
            while position < bytes.count, !isSpace(bytes[position]), bytes[position] != UInt8(ascii: ">") {
                position += 1
            }
            end = position
        }
        return start..<end
    }

    /// Skips to the next `<` after the current byte (past a comment or declaration whole).
    mutating func skipToNextTag() {
        if bytes[position] == UInt8(ascii: "<"), position + 3 < bytes.count, bytes[position + 1] == UInt8(ascii: "!"),
           bytes[position + 2] == UInt8(ascii: "-"), bytes[position + 3] == UInt8(ascii: "-") {
            var index = position + 4
            while index + 2 < bytes.count {
                if bytes[index] == UInt8(ascii: "-") && bytes[index + 1] == UInt8(ascii: "-") && bytes[index + 2] == UInt8(ascii: ">") {
                    position = index + 3
                    return
                }
                index += 1
            }
            position = bytes.count
            return
        }
        position += 1
        while position < bytes.count, bytes[position] != UInt8(ascii: "<") { position += 1 }
    }

    /// Skips the content of `<script>` and the like, which is text up to its end tag.
    mutating func skipRawText(endingWith name: String) {
        let closing = Array("</\(name)".utf8)
        while position < bytes.count {
            if bytes[position] == UInt8(ascii: "<"), position + closing.count <= bytes.count,
               zip(closing.indices, closing).allSatisfy({ index, byte in bytes[position + index] | 0x20 == byte | 0x20 }) {
                return
            }
            position += 1
        }
    }

    /// Character references in an attribute value: numeric ones and the few named ones
    /// attribute values use; any other named reference is kept as written.
    static func decodingCharacterReferences(_ value: UnsafeRawBufferPointer) -> String {
        guard value.contains(UInt8(ascii: "&")) else { return String(decoding: value, as: UTF8.self) }
        var text = String(decoding: value, as: UTF8.self)[...]
        var result = ""
        while let ampersand = text.firstIndex(of: "&") {
            result += text[..<ampersand]
            text = text[ampersand...]
            guard let semicolon = text.prefix(12).firstIndex(of: ";") else {
                result.append("&")
                text = text.dropFirst()
                continue
            }
            let reference = text[text.index(after: text.startIndex)..<semicolon]
            var decoded: String?
            if reference.hasPrefix("#x") || reference.hasPrefix("#X") {
                decoded = UInt32(reference.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String($0) }
            } else if reference.hasPrefix("#") {
                decoded = UInt32(reference.dropFirst()).flatMap(Unicode.Scalar.init).map { String($0) }
            } else {
                decoded = Self.namedReferences[String(reference)]
            }
            if let decoded, decoded != "\0" {
                result += decoded
                text = text[text.index(after: semicolon)...]
            } else {
                result.append("&")
                text = text.dropFirst()
            }
        }
        return result + text
    }

    private static let namedReferences = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{A0}"]
}
