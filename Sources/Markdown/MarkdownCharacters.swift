/// Character classes as CommonMark defines them, for deciding what needs escaping and
/// whether an emphasis delimiter will open or close.
enum MarkdownCharacters {
    static func isASCIIPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E: true
        default: false
        }
    }

    /// ASCII punctuation or a Unicode punctuation character (cmark-gfm 0.29's rule).
    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return isASCIIPunctuation(scalar) }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// Unicode whitespace as CommonMark means it (Zs, tab, line feed, form feed, CR).
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case " ", "\t", "\n", "\u{0C}", "\r": return true
        default: return scalar.properties.generalCategory == .spaceSeparator
        }
    }

    static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9": true
        default: false
        }
    }

    /// Whether a delimiter run between `before` and `after` (nil: start or end of the
    /// line) is left-flanking, that is, may open.
    static func isLeftFlanking(before: Unicode.Scalar?, after: Unicode.Scalar?) -> Bool {
        guard let after, !isWhitespace(after) else { return false }
        guard isPunctuation(after) else { return true }
        guard let before else { return true }
        return isWhitespace(before) || isPunctuation(before)
    }

    /// Whether a delimiter run is right-flanking, that is, may close.
    static func isRightFlanking(before: Unicode.Scalar?, after: Unicode.Scalar?) -> Bool {
        guard let before, !isWhitespace(before) else { return false }
        guard isPunctuation(before) else { return true }
        guard let after else { return true }
        return isWhitespace(after) || isPunctuation(after)
    }

    /// Whether a run of `delimiter` between `before` and `after` can open emphasis.
    static func canOpen(_ delimiter: Unicode.Scalar, before: Unicode.Scalar?, after: Unicode.Scalar?) -> Bool {
        let left = isLeftFlanking(before: before, after: after)
        guard delimiter == "_" else { return left }
        let right = isRightFlanking(before: before, after: after)
        return left && (!right || before.map(isPunctuation) == true)
    }

    /// Whether a run of `delimiter` between `before` and `after` can close emphasis.
    static func canClose(_ delimiter: Unicode.Scalar, before: Unicode.Scalar?, after: Unicode.Scalar?) -> Bool {
        let right = isRightFlanking(before: before, after: after)
        guard delimiter == "_" else { return right }
        let left = isLeftFlanking(before: before, after: after)
        return right && (!left || after.map(isPunctuation) == true)
    }

    /// Whether an HTML block with this content may start right after a paragraph line:
    /// CommonMark's start conditions 1 to 6 may, the generic tag of condition 7 may not.
    static func htmlBlockCanInterruptParagraph(_ content: String) -> Bool {
        // Only the start decides: at most a tag name's worth of it is looked at.
        let text = head(of: content)
        guard text.hasPrefix("<") else { return false }
        if text.hasPrefix("<!--") || text.hasPrefix("<?") || text.hasPrefix("<![cdata[") { return true }
        if text.hasPrefix("<!"), let letter = text.dropFirst(2).first, letter.isLetter { return true }
        var name = text.dropFirst()
        if name.hasPrefix("/") { name = name.dropFirst() }
        let tag = String(name.prefix { $0.isLetter || $0.isNumber })
        let after = name.dropFirst(tag.count).first
        let ends = after == nil || after == " " || after == "\t" || after == "\n" || after == ">"
            || (after == "/" && name.dropFirst(tag.count + 1).first == ">")
        if kindOneTagNames.contains(tag) {
            return !text.hasPrefix("</") && (after == nil || after == " " || after == "\t" || after == "\n" || after == ">")
        }
        return ends && blockTagNames.contains(tag)
    }

    /// The start of an HTML block's content, leading spaces dropped, lower-cased: enough
    /// for every start condition (the longest block tag name is ten letters), so that a
    /// long block is not lower-cased whole to look at its first tag.
    private static func head(of content: String) -> String {
        let start = content.utf8.firstIndex { $0 != UInt8(ascii: " ") } ?? content.utf8.endIndex
        return String(content[start...].prefix(32)).lowercased()
    }

    /// Whether an HTML block of kinds 1 to 5 (`<script>`, `<pre>`, `<style>`,
    /// a comment, `<?`, `<!X`, CDATA) ends on its own closing marker.
    static func htmlBlockEndsByItself(_ content: String) -> Bool {
        htmlBlockClosing(content) == true
    }

    /// Whether an HTML block of kinds 1 to 5 lacks its closing marker: it then runs to the
    /// end of its container and takes in any blank line written inside that container.
    static func htmlBlockIsLeftOpen(_ content: String) -> Bool {
        htmlBlockClosing(content) == false
    }

    /// For kinds 1 to 5, whether the last line holds the kind's closing marker; nil for
    /// kinds 6 and 7, which end at a blank line.
    private static func htmlBlockClosing(_ content: String) -> Bool? {
        let text = head(of: content)
        // The last line that is not empty, lower-cased.
        let bytes = content.utf8
        var end = bytes.endIndex
        while end > bytes.startIndex, bytes[bytes.index(before: end)] == UInt8(ascii: "\n") { end = bytes.index(before: end) }
        let lineStart = bytes[..<end].lastIndex(of: UInt8(ascii: "\n")).map { bytes.index(after: $0) } ?? bytes.startIndex
        let last = String(content[lineStart..<end]).lowercased()
        let tag = String(text.dropFirst().prefix { $0.isLetter })
        if text.hasPrefix("<") && kindOneTagNames.contains(tag) {
            let after = text.dropFirst(1 + tag.count).first
            guard after == nil || after == " " || after == "\t" || after == "\n" || after == ">" else { return nil }
            return last.contains("</script>") || last.contains("</pre>") || last.contains("</style>")
        }
        if text.hasPrefix("<!--") { return last.contains("-->") }
        if text.hasPrefix("<?") { return last.contains("?>") }
        if text.hasPrefix("<![cdata[") { return last.contains("]]>") }
        if text.hasPrefix("<!"), let letter = text.dropFirst(2).first, letter.isLetter { return last.contains(">") }
        return nil
    }

    /// HTML block start condition 1 in CommonMark 0.29, cmark-gfm's spec (`<textarea>`
    /// joined it only in 0.30): these blocks end at `</script>`, `</pre>` or `</style>`.
    private static let kindOneTagNames: Set<String> = ["script", "pre", "style"]

    /// CommonMark 0.29's block-level tag names (HTML block start condition 6).
    private static let blockTagNames: Set<String> = [
        "address", "article", "aside", "base", "basefont", "blockquote", "body", "caption", "center", "col",
        "colgroup", "dd", "details", "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure",
        "footer", "form", "frame", "frameset", "h1", "h2", "h3", "h4", "h5", "h6", "head", "header", "hr",
        "html", "iframe", "legend", "li", "link", "main", "menu", "menuitem", "nav", "noframes", "ol",
        "optgroup", "option", "p", "param", "section", "source", "summary", "table", "tbody", "td", "tfoot",
        "th", "thead", "title", "tr", "track", "ul",
    ]

}

// MARK: The same decisions on UTF-8 bytes

/// The writer decides escaping on the UTF-8 it writes, not on `String`s: every character
/// that means something in Markdown is ASCII, so a scalar is decoded only where a rule
/// looks at a neighbour that is not.
extension MarkdownCharacters {
    /// The scalar whose UTF-8 starts at `offset` (the bytes are valid UTF-8), and its length.
    @inline(__always)
    static func scalar<Bytes: RandomAccessCollection<UInt8>>(in bytes: Bytes, at offset: Int) -> (scalar: Unicode.Scalar, length: Int)
        where Bytes.Index == Int {
        let lead = bytes[offset]
        if lead < 0x80 { return (Unicode.Scalar(lead), 1) }
        let length = utf8Length(lead)
        var value = UInt32(lead) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
        var position = offset + 1
        while position < offset + length && position < bytes.endIndex {
            value = value << 6 | UInt32(bytes[position] & 0x3F)
            position += 1
        }
        return (Unicode.Scalar(value) ?? "\u{FFFD}", length)
    }

    /// The scalar whose UTF-8 ends just before `end`.
    static func scalar<Bytes: RandomAccessCollection<UInt8>>(in bytes: Bytes, endingAt end: Int) -> Unicode.Scalar
        where Bytes.Index == Int {
        var start = end - 1
        while start > bytes.startIndex && bytes[start] & 0xC0 == 0x80 { start -= 1 }
        return scalar(in: bytes, at: start).scalar
    }

    /// How many bytes the UTF-8 sequence that starts with `lead` has.
    @inline(__always)
    static func utf8Length(_ lead: UInt8) -> Int {
        lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
    }

    static func isASCIIPunctuation(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E: true
        default: false
        }
    }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: false
        }
    }

    /// `&#N;`: the character as a numeric character reference, which ends and starts with
    /// punctuation — the last resort for a delimiter that would not flank otherwise.
    static func appendReference(_ scalar: Unicode.Scalar, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "&"))
        output.append(UInt8(ascii: "#"))
        appendDecimal(Int(scalar.value), to: &output)
        output.append(UInt8(ascii: ";"))
    }

    /// Appends `bytes[offset]` as a link destination or an info string needs it: cmark
    /// decodes entities there before backslash escapes, so a backslash that would escape
    /// what follows is doubled and an `&` that starts an entity is written `&amp;`.
    static func appendForDestination(_ bytes: [UInt8], at offset: Int, to output: inout [UInt8]) {
        let byte = bytes[offset]
        if byte == UInt8(ascii: "\\"), offset + 1 == bytes.count || isASCIIPunctuation(bytes[offset + 1]) {
            output.append(contentsOf: "\\\\".utf8)
        } else if byte == UInt8(ascii: "&"), startsEntity(bytes, at: offset) {
            output.append(contentsOf: "&amp;".utf8)
        } else {
            output.append(byte)
        }
    }

    static func appendDecimal(_ value: Int, to output: inout [UInt8]) {
        if value >= 10 { appendDecimal(value / 10, to: &output) }
        output.append(UInt8(ascii: "0") + UInt8(value % 10))
    }

    /// Whether the bytes at `index` start something cmark would decode as an entity or a
    /// numeric character reference (`&amp;`, `&#35;`, `&#x1F600;`).
    static func startsEntity<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes, at index: Int) -> Bool
        where Bytes.Index == Int {
        let end = bytes.endIndex
        guard bytes[index] == UInt8(ascii: "&"), index + 2 < end else { return false }
        var position = index + 1
        if bytes[position] == UInt8(ascii: "#") {
            position += 1
            var hex = false
            if position < end, bytes[position] == UInt8(ascii: "x") || bytes[position] == UInt8(ascii: "X") {
                hex = true
                position += 1
            }
            let start = position
            while position < end, position - start < 8,
                  hex ? isHexDigit(bytes[position]) : (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
                position += 1
            }
            return position > start && position < end && bytes[position] == UInt8(ascii: ";")
        }
        let start = position
        while position < end, position - start < 32, isAlphanumeric(bytes[position]) {
            position += 1
        }
        return position > start && position < end && bytes[position] == UInt8(ascii: ";")
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"), UInt8(ascii: "A")...UInt8(ascii: "F"): true
        default: false
        }
    }
}
