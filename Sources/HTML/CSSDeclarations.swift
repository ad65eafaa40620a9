import MarkupKitCore

/// What the reader takes from an element's `style` attribute: only properties that have a
/// node in the tree, each parsed into its typed value. Anything else, or a value outside a
/// property's grammar, is ignored — it never reaches a writer.
struct CSSDeclarations {
    var color: CSSColor?
    var fontSize: FontSize?
    var fontFamily: FontFamily?
    var textAlign: TextAlignment?
    var isBold = false
    var isItalic = false
    var isUnderlined = false
    var isStruckThrough = false
    var isSuperscript = false
    var isSubscript = false
    var listNumbering: NumberingStyle?
    var isListUnnumbered = false

    init() {}

    /// Parses `name: value; name: value` declarations (case-insensitive names,
    /// `!important` ignored). Comments and quoted semicolons are not supported: a
    /// declaration that does not parse is dropped, which is always safe.
    init(parsing style: String) {
        for declaration in style.split(separator: ";") {
            guard let colon = declaration.firstIndex(of: ":") else { continue }
            let name = declaration[..<colon].trimmingASCIIWhitespace().lowercased()
            var value = declaration[declaration.index(after: colon)...].trimmingASCIIWhitespace()
            if value.lowercased().hasSuffix("!important") {
                value = String(value.dropLast("!important".count)).trimmingASCIIWhitespace()
            }
            apply(name: name, value: value)
        }
    }

    /// The inline containers these declarations ask for, outermost first.
    var inlineKinds: [NodeKind] {
        var kinds: [NodeKind] = []
        if isBold { kinds.append(.strong) }
        if isItalic { kinds.append(.emphasis) }
        if isUnderlined { kinds.append(.underline) }
        if isStruckThrough { kinds.append(.strikethrough) }
        if isSuperscript { kinds.append(.superscript) }
        if isSubscript { kinds.append(.subscript) }
        if let color { kinds.append(.color(color)) }
        if let fontSize { kinds.append(.fontSize(fontSize)) }
        if let fontFamily { kinds.append(.font(fontFamily)) }
        return kinds
    }

    private mutating func apply(name: String, value: String) {
        let lowered = value.lowercased()
        switch name {
        case "color":
            color = CSSColor(parsing: value)
        case "font-size":
            fontSize = CSSDeclarations.fontSize(lowered)
        case "font-family":
            fontFamily = FontFamily(parsing: value)
        case "text-align":
            textAlign = TextAlignment(htmlValue: lowered)
        case "font-weight":
            if lowered == "bold" || lowered == "bolder" { isBold = true }
            if let weight = Int(lowered), weight >= 600 { isBold = true }
        case "font-style":
            isItalic = lowered == "italic" || lowered == "oblique"
        case "text-decoration", "text-decoration-line":
            let words = lowered.split(separator: " ")
            isUnderlined = words.contains("underline")
            isStruckThrough = words.contains("line-through")
        case "vertical-align":
            isSuperscript = lowered == "super"
            isSubscript = lowered == "sub"
        case "list-style-type", "list-style":
            let words = lowered.split(separator: " ")
            if words.contains("none") { isListUnnumbered = true }
            for word in words {
                if let numbering = NumberingStyle(cssValue: String(word)) { listNumbering = numbering }
            }
        default:
            break
        }
    }

    /// `12px`, `150%`, `10pt`, `1.5em`, or a keyword; sizes outside the tree's bounds are
    /// ignored.
    static func fontSize(_ value: String) -> FontSize? {
        let keywords = ["x-small", "small", "medium", "large", "x-large", "xx-large", "xxx-large"]
        if let step = keywords.firstIndex(of: value) { return .scale(step + 1) }
        let units: [(suffix: String, make: (Double) -> FontSize)] = [
            ("px", { .pixels(Int($0.rounded())) }), ("pt", { .points(Int($0.rounded())) }),
            ("%", { .percent(Int($0.rounded())) }), ("em", { .percent(Int(($0 * 100).rounded())) }),
        ]
        for unit in units where value.hasSuffix(unit.suffix) {
            let number = value.dropLast(unit.suffix.count)
            guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
                  let amount = Double(number), amount.isFinite, amount < 100_000 else { return nil }
            let size = unit.make(amount)
            return size.isValid ? size : nil
        }
        return nil
    }
}

extension TextAlignment {
    /// From `align=` or `text-align:` (`start` and `end` read as left and right).
    init?(htmlValue: String) {
        switch htmlValue {
        case "left", "start": self = .left
        case "center", "middle": self = .center
        case "right", "end": self = .right
        case "justify": self = .justify
        default: return nil
        }
    }
}

extension NumberingStyle {
    init?(cssValue: String) {
        switch cssValue {
        case "decimal": self = .decimal
        case "lower-alpha", "lower-latin": self = .lowerAlpha
        case "upper-alpha", "upper-latin": self = .upperAlpha
        case "lower-roman": self = .lowerRoman
        case "upper-roman": self = .upperRoman
        default: return nil
        }
    }

    /// From `<ol type>`, which is case-sensitive.
    init?(htmlType: String) {
        switch htmlType {
        case "1": self = .decimal
        case "a": self = .lowerAlpha
        case "A": self = .upperAlpha
        case "i": self = .lowerRoman
        case "I": self = .upperRoman
        default: return nil
        }
    }
}
