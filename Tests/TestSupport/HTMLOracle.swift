/// Checks HTML our writers produced from hostile input against the rules of
/// docs/SECURITY.md, independently of the writer: only allowlisted elements and
/// attributes, no event attributes, `style` only in the typed grammar, every `href` and
/// `src` (decoded as a browser decodes an attribute, then cleaned up as a browser cleans a
/// URL) on the scheme allowlist, tags balanced, no `<a>` inside `<a>`, no NUL or other
/// control character (form feed is HTML whitespace, as tab and LF are). Returns one line
/// per violation.
public enum HTMLOracle {
    static let elements: Set<String> = [
        "a", "strong", "em", "u", "del", "sub", "sup", "code", "pre", "blockquote", "figure", "figcaption", "div",
        "span", "p", "br", "hr", "img", "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td", "h1", "h2",
        "h3", "h4", "h5", "h6", "input", "section", "details", "summary",
    ]
    static let voidElements: Set<String> = ["br", "hr", "img", "input"]
    static let attributes: Set<String> = [
        "href", "title", "src", "alt", "width", "height", "class", "style", "start", "type", "align", "id",
        "checked", "disabled", "data-footnote-ref", "data-footnotes", "data-footnote-backref", "aria-label",
    ]

    public static func violations(in html: String) -> [String] {
        var problems: [String] = []
        for scalar in html.unicodeScalars where (scalar.value < 0x20 && !["\t", "\n", "\u{0C}"].contains(scalar)) || scalar.value == 0x7F {
            problems.append("control character U+\(String(scalar.value, radix: 16)) in the output")
            break
        }
        let scalars = Array(html.unicodeScalars)
        var open: [String] = []
        var index = 0
        while index < scalars.count {
            guard scalars[index] == "<" else {
                index += 1
                continue
            }
            guard let tag = SpecHTMLNormalizer.Tag.parse(scalars, at: index) else {
                problems.append("a '<' that is not a tag at \(index) (text must be escaped)")
                index += 1
                continue
            }
            index = tag.end
            switch tag.kind {
            case .verbatim(let text):
                if !text.hasPrefix("<!--") { problems.append("markup declaration \(text.prefix(40))") }
            case .end(let name):
                if voidElements.contains(name) { continue }
                if open.last == name {
                    open.removeLast()
                } else {
                    problems.append("unbalanced </\(name)> (open: \(open.suffix(3)))")
                    if let position = open.lastIndex(of: name) { open.removeSubrange(position...) }
                }
            case .start(let name, let attributeList, _):
                if !elements.contains(name) { problems.append("element <\(name)> not allowed") }
                if name == "a" && open.contains("a") { problems.append("<a> inside <a>") }
                for (attribute, value) in attributeList {
                    check(attribute, value: decodeReferences(value ?? ""), on: name, into: &problems)
                }
                if !voidElements.contains(name) { open.append(name) }
            }
        }
        if !open.isEmpty { problems.append("unclosed at the end: \(open.suffix(5))") }
        return problems
    }

    static func check(_ attribute: String, value: String, on element: String, into problems: inout [String]) {
        if attribute.hasPrefix("on") { problems.append("event attribute \(attribute) on <\(element)>") }
        if !attributes.contains(attribute) { problems.append("attribute \(attribute) on <\(element)> not allowed") }
        if attribute == "style" && !isTypedStyle(value) { problems.append("style outside the grammar: \(value.prefix(60))") }
        if attribute == "href" || attribute == "src" {
            let allowed: Set<String> = attribute == "href" ? ["http", "https", "mailto"] : ["http", "https"]
            if let scheme = scheme(of: value), !allowed.contains(scheme) {
                problems.append("\(attribute) with the scheme \(scheme): \(value.prefix(60))")
            }
        }
    }

    /// The scheme after a browser's clean-up: C0 controls and spaces trimmed, tab, LF and
    /// CR deleted, ASCII lower-cased. Written here again, not taken from the library.
    static func scheme(of url: String) -> String? {
        var scalars = Array(url.unicodeScalars)
        while let first = scalars.first, first.value <= 0x20 { scalars.removeFirst() }
        scalars.removeAll { $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let colon = scalars.firstIndex(of: ":"), colon > 0 else { return nil }
        let candidate = scalars[..<colon]
        guard let first = candidate.first, first.isASCII, first.properties.isAlphabetic,
              candidate.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "+-.".unicodeScalars.contains($0)) })
        else { return nil }
        return String(String.UnicodeScalarView(candidate)).lowercased()
    }

    /// `color: #rrggbb`, `font-size: N(px|%|pt)` or a size keyword, `font-family:` plain
    /// names, `text-align:` a keyword — each declaration one of those.
    static func isTypedStyle(_ style: String) -> Bool {
        for declaration in style.split(separator: ";") {
            let parts = declaration.split(separator: ":", maxSplits: 1).map { String($0).trimmingAll(" ") }
            guard parts.count == 2 else { return false }
            let value = parts[1]
            switch parts[0] {
            case "color":
                guard value.count == 7, value.hasPrefix("#"), value.dropFirst().allSatisfy({ $0.isHexDigit }) else { return false }
            case "font-size":
                let keywords = ["x-small", "small", "medium", "large", "x-large", "xx-large", "xxx-large"]
                let number = value.prefix { $0.isNumber }
                guard keywords.contains(value) || !number.isEmpty && ["px", "%", "pt"].contains(String(value.dropFirst(number.count)))
                else { return false }
            case "font-family":
                guard value.allSatisfy({ $0.isLetter || $0.isNumber || " -_,'".contains($0) }) else { return false }
            case "text-align":
                guard ["left", "right", "center", "justify"].contains(value) else { return false }
            default:
                return false
            }
        }
        return true
    }

    /// Character references as a browser decodes them in an attribute (the ones that can
    /// spell a scheme: numeric, and the named ones used to hide colons and tabs).
    static func decodeReferences(_ value: String) -> String {
        let named = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "colon": ":", "tab": "\t",
                     "newline": "\n", "nbsp": "\u{A0}"]
        var result = ""
        var rest = Substring(value)
        while let ampersand = rest.firstIndex(of: "&") {
            result += rest[..<ampersand]
            let after = rest[rest.index(after: ampersand)...]
            let name = after.prefix { $0.isLetter || $0.isNumber || $0 == "#" }
            var consumed = name.count
            if after.dropFirst(name.count).first == ";" { consumed += 1 }
            if name.hasPrefix("#") {
                let digits = name.dropFirst()
                let value = digits.first == "x" || digits.first == "X" ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
                if let value, let scalar = Unicode.Scalar(value) {
                    result.unicodeScalars.append(scalar)
                    rest = after.dropFirst(consumed)
                    continue
                }
            } else if let character = named[name.lowercased()] {
                result += character
                rest = after.dropFirst(consumed)
                continue
            }
            result += "&"
            rest = after
        }
        return result + rest
    }
}
