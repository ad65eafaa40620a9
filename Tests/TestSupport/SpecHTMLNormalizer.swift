/// HTML in the normal form the CommonMark spec's test runner compares: whitespace runs are
/// one space outside `<pre>`, whitespace next to a block-level tag is dropped, tag and
/// attribute names are lower case, attributes are sorted, self-closing tags lose their
/// slash, and numeric character references are decoded (`<`, `>`, `&` and `"` stay
/// escaped). Named references other than those four are left as written: the spec's
/// expected HTML holds them only inside raw HTML.
///
/// A test oracle, not a parser: it reads well-formed tags and passes anything else on
/// as text, which is how both sides of every comparison are treated alike.
public enum SpecHTMLNormalizer {
    static let blockTags: Set<String> = [
        "article", "header", "aside", "hgroup", "blockquote", "hr", "iframe", "body", "li", "map", "button",
        "object", "canvas", "ol", "caption", "output", "col", "p", "colgroup", "pre", "dd", "progress", "div",
        "section", "dl", "table", "td", "dt", "tbody", "embed", "textarea", "fieldset", "tfoot", "figcaption",
        "th", "figure", "thead", "footer", "tr", "form", "ul", "h1", "h2", "h3", "h4", "h5", "h6", "video",
        "script", "style",
    ]

    enum Last { case startTag, endTag, data, other }

    public static func normalize(_ html: String) -> String {
        let scalars = Array(html.unicodeScalars)
        var output = String.UnicodeScalarView()
        var last = Last.startTag
        var lastTag = ""
        var inPre = false
        var index = 0

        func stripEnd() {
            while let final = output.last, final == " " || final == "\t" || final == "\n" || final == "\r" || final == "\u{0C}" {
                output.removeLast()
            }
        }
        func emit(_ text: String) { output.append(contentsOf: text.unicodeScalars) }

        while index < scalars.count {
            if scalars[index] == "<", let tag = Tag.parse(scalars, at: index) {
                switch tag.kind {
                case .start(let name, let attributes, let selfClosing):
                    if name == "pre" { inPre = true }
                    if blockTags.contains(name) { stripEnd() }
                    emit("<" + name)
                    for (attribute, value) in attributes.sorted(by: { ($0.0, $0.1 ?? "") < ($1.0, $1.1 ?? "") }) {
                        emit(" " + attribute)
                        if let value { emit("=\"" + escapeAttribute(value) + "\"") }
                    }
                    emit(">")
                    lastTag = name
                    last = selfClosing ? .endTag : .startTag
                case .end(let name):
                    if name == "pre" { inPre = false } else if blockTags.contains(name) { stripEnd() }
                    emit("</" + name + ">")
                    lastTag = name
                    last = .endTag
                case .verbatim(let text):
                    emit(text)
                    last = .other
                }
                index = tag.end
                continue
            }
            // Text up to the next tag.
            var end = index + 1
            while end < scalars.count, !(scalars[end] == "<" && Tag.parse(scalars, at: end) != nil) { end += 1 }
            var data = decodeNumericReferences(String(String.UnicodeScalarView(scalars[index..<end])))
            let afterTag = last == .startTag || last == .endTag
            if afterTag && lastTag == "br" { data = String(data.drop { $0 == "\n" }) }
            if !inPre {
                data = collapse(data)
                if afterTag && blockTags.contains(lastTag) {
                    data = last == .startTag ? String(data.drop { $0 == " " }) : data.trimmingAll(" ")
                }
            }
            emit(data)
            last = .data
            index = end
        }
        return String(output)
    }

    static func collapse(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        var inSpace = false
        for scalar in text.unicodeScalars {
            if scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" || scalar == "\u{0C}" {
                if !inSpace { result.append(" ") }
                inSpace = true
            } else {
                result.append(scalar)
                inSpace = false
            }
        }
        return String(result)
    }

    static func escapeAttribute(_ value: String) -> String {
        var result = ""
        for character in value {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#x27;"
            default: result.append(character)
            }
        }
        return result
    }

    /// `&#65;` and `&#x41;` become the character (escaped again if it is one of the four).
    static func decodeNumericReferences(_ text: String) -> String {
        guard text.contains("&#") else { return text }
        var result = ""
        var rest = Substring(text)
        while let ampersand = rest.range(of: "&#") {
            result += rest[..<ampersand.lowerBound]
            let after = rest[ampersand.upperBound...]
            let isHex = after.first == "x" || after.first == "X"
            let digits = (isHex ? after.dropFirst() : after).prefix { isHex ? $0.isHexDigit : $0.isNumber }
            let afterDigits = (isHex ? after.dropFirst() : after).dropFirst(digits.count)
            if !digits.isEmpty, afterDigits.first == ";", let value = UInt32(digits, radix: isHex ? 16 : 10),
               let scalar = Unicode.Scalar(value) {
                switch scalar {
                case "<": result += "&lt;"
                case ">": result += "&gt;"
                case "&": result += "&amp;"
                case "\"": result += "&quot;"
                default: result.unicodeScalars.append(scalar)
                }
                rest = afterDigits.dropFirst()
            } else {
                result += "&#"
                rest = after
            }
        }
        return result + rest
    }

    struct Tag {
        enum Kind {
            case start(String, [(String, String?)], selfClosing: Bool)
            case end(String)
            case verbatim(String)
        }
        var kind: Kind
        var end: Int

        static func isNameStart(_ scalar: Unicode.Scalar) -> Bool {
            (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z")
        }

        static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
            scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" || scalar == "\u{0C}"
        }

        static func text(_ scalars: [Unicode.Scalar], _ range: Range<Int>) -> String {
            String(String.UnicodeScalarView(scalars[range]))
        }

        static func parse(_ scalars: [Unicode.Scalar], at start: Int) -> Tag? {
            var index = start + 1
            guard index < scalars.count else { return nil }
            func find(_ terminator: String, from position: Int) -> Int? {
                let target = Array(terminator.unicodeScalars)
                var candidate = position
                while candidate + target.count <= scalars.count {
                    if Array(scalars[candidate..<(candidate + target.count)]) == target { return candidate + target.count }
                    candidate += 1
                }
                return nil
            }
            if scalars[index] == "!" || scalars[index] == "?" {
                let terminator = text(scalars, index..<min(index + 3, scalars.count)) == "!--" ? "-->" : ">"
                guard let end = find(terminator, from: index + 1) else { return nil }
                return Tag(kind: .verbatim(text(scalars, start..<end)), end: end)
            }
            let isEnd = scalars[index] == "/"
            if isEnd { index += 1 }
            guard index < scalars.count, isNameStart(scalars[index]) else { return nil }
            let nameStart = index
            while index < scalars.count, !isSpace(scalars[index]), scalars[index] != "/", scalars[index] != ">" { index += 1 }
            let name = text(scalars, nameStart..<index).lowercased()
            var attributes: [(String, String?)] = []
            var selfClosing = false
            while index < scalars.count {
                while index < scalars.count, isSpace(scalars[index]) { index += 1 }
                guard index < scalars.count else { return nil }
                if scalars[index] == ">" {
                    return Tag(kind: isEnd ? .end(name) : .start(name, attributes, selfClosing: selfClosing), end: index + 1)
                }
                if scalars[index] == "/" {
                    selfClosing = true
                    index += 1
                    continue
                }
                let attributeStart = index
                while index < scalars.count, !isSpace(scalars[index]), scalars[index] != "=", scalars[index] != ">",
                      scalars[index] != "/" || index == attributeStart {
                    index += 1
                }
                let attribute = text(scalars, attributeStart..<index).lowercased()
                while index < scalars.count, isSpace(scalars[index]) { index += 1 }
                var value: String?
                if index < scalars.count, scalars[index] == "=" {
                    index += 1
                    while index < scalars.count, isSpace(scalars[index]) { index += 1 }
                    guard index < scalars.count else { return nil }
                    if scalars[index] == "\"" || scalars[index] == "'" {
                        let quote = scalars[index]
                        let valueStart = index + 1
                        guard let close = scalars[valueStart...].firstIndex(of: quote) else { return nil }
                        value = decodeNumericReferences(text(scalars, valueStart..<close))
                        index = close + 1
                    } else {
                        let valueStart = index
                        while index < scalars.count, !isSpace(scalars[index]), scalars[index] != ">" { index += 1 }
                        value = text(scalars, valueStart..<index)
                    }
                }
                selfClosing = false
                attributes.append((attribute, value))
            }
            return nil
        }
    }
}

extension String {
    func trimmingAll(_ character: Character) -> String {
        String(drop { $0 == character }.reversed().drop { $0 == character }.reversed())
    }
}
