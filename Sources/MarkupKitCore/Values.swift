/// Typed attribute values carried by nodes.
///
/// Every value that may end up inside an output attribute (a `style=`, a `[size=…]`) is a
/// validated type rather than a string, so a writer can never be handed something outside
/// the value's grammar.

/// Bullet or ordered, with the ordered list's first number and numbering style.
public enum ListKind: Hashable, Sendable, Codable {
    case bullet
    case ordered(start: Int, numbering: NumberingStyle)
}

public enum NumberingStyle: String, Hashable, Sendable, Codable, CaseIterable {
    case decimal
    case lowerAlpha = "lower-alpha"
    case upperAlpha = "upper-alpha"
    case lowerRoman = "lower-roman"
    case upperRoman = "upper-roman"
}

/// A list: its kind and whether it is tight (items are not separated by blank lines),
/// which changes rendering, so it is meaning rather than syntax.
public struct ListAttributes: Hashable, Sendable, Codable {
    public var kind: ListKind
    public var isTight: Bool

    public init(kind: ListKind, isTight: Bool) {
        self.kind = kind
        self.isTight = isTight
    }

    public var isOrdered: Bool {
        if case .ordered = kind { return true }
        return false
    }
}

public enum TaskState: String, Hashable, Sendable, Codable {
    case unchecked
    case checked
}

/// A table column's alignment; `none` leaves it to the renderer.
public enum ColumnAlignment: String, Hashable, Sendable, Codable, CaseIterable {
    case none
    case left
    case center
    case right
}

/// Block alignment, from BBCode `[center]`, `[align=…]` or HTML `text-align`.
public enum TextAlignment: String, Hashable, Sendable, Codable, CaseIterable {
    case left
    case center
    case right
    case justify
}

/// The format of raw content that a reader kept verbatim (an HTML block in Markdown, say).
/// Writers pass raw content of their own format through (when allowed) and report any other.
public struct RawFormat: Hashable, Sendable, Codable, CustomStringConvertible {
    public var name: String

    public init(_ name: String) {
        self.name = name
    }

    public static let html = RawFormat("html")
    public static let bbcode = RawFormat("bbcode")
    public static let markdown = RawFormat("markdown")

    public var description: String { name }
}

/// An image's attributes. The alternative text is the image node's inline children.
public struct ImageAttributes: Hashable, Sendable, Codable {
    public var source: String
    public var title: String
    public var width: Int?
    public var height: Int?

    public init(source: String, title: String = "", width: Int? = nil, height: Int? = nil) {
        self.source = source
        self.title = title
        self.width = width
        self.height = height
    }
}

/// An sRGB colour. Names are resolved to their value when read, so `red` and `#f00`
/// compare equal; the original spelling, where it matters to a writer, is a syntax hint.
public struct CSSColor: Hashable, Sendable, Codable, CustomStringConvertible {
    public var red: UInt8
    public var green: UInt8
    public var blue: UInt8

    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// Accepts `#rgb`, `#rrggbb` (case-insensitive), `rgb(r, g, b)` with integer components
    /// (what XenForo's editor writes, and HTML's `style=` often holds) and the CSS named
    /// colours; nothing else.
    public init?(parsing text: some StringProtocol) {
        let value = text.lowercased()
        if value.hasPrefix("rgb("), value.hasSuffix(")") {
            let components = value.dropFirst(4).dropLast().split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingASCIIWhitespace() }
            let numbers = components.compactMap { UInt8($0) }
            guard components.count == 3, numbers.count == 3 else { return nil }
            self.init(red: numbers[0], green: numbers[1], blue: numbers[2])
            return
        }
        if value.hasPrefix("#") {
            let digits = Array(value.utf8.dropFirst())
            let nibbles = digits.compactMap(CSSColor.hexValue)
            guard digits.count == 3 || digits.count == 6, nibbles.count == digits.count else { return nil }
            if nibbles.count == 3 {
                self.init(red: nibbles[0] * 17, green: nibbles[1] * 17, blue: nibbles[2] * 17)
            } else {
                self.init(red: nibbles[0] << 4 | nibbles[1],
                          green: nibbles[2] << 4 | nibbles[3],
                          blue: nibbles[4] << 4 | nibbles[5])
            }
            return
        }
        guard let rgb = namedCSSColors[value] else { return nil }
        self.init(red: UInt8(rgb >> 16), green: UInt8((rgb >> 8) & 0xFF), blue: UInt8(rgb & 0xFF))
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        default: return nil
        }
    }

    /// `#rrggbb`, lower case.
    public var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = [UInt8(ascii: "#")]
        for component in [red, green, blue] {
            bytes.append(digits[Int(component >> 4)])
            bytes.append(digits[Int(component & 0xF)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    public var description: String { hexString }
}

/// A font size in the unit its source meant. BBCode dialects disagree on what `[size=3]`
/// means (3 %, step 3 of 7, or 3 px), so readers record the unit they know.
public enum FontSize: Hashable, Sendable, Codable {
    /// Percent of the surrounding size (phpBB, Discourse).
    case percent(Int)
    /// The legacy 1–7 scale of HTML's `<font size>` (XenForo, vBulletin, SMF).
    case scale(Int)
    /// CSS pixels (Friendica, Hubzilla).
    case pixels(Int)
    /// Typographic points (SMF `[size=10pt]`).
    case points(Int)

    /// The bounds a size must lie in to be accepted at all.
    public static let percentRange = 1...400
    public static let scaleRange = 1...7
    public static let pixelRange = 1...200
    public static let pointRange = 1...150

    /// Whether the value lies in its unit's bounds.
    public var isValid: Bool {
        switch self {
        case .percent(let value): FontSize.percentRange.contains(value)
        case .scale(let value): FontSize.scaleRange.contains(value)
        case .pixels(let value): FontSize.pixelRange.contains(value)
        case .points(let value): FontSize.pointRange.contains(value)
        }
    }

    /// The CSS `font-size` value.
    public var cssValue: String {
        switch self {
        case .percent(let value): "\(value)%"
        case .pixels(let value): "\(value)px"
        case .points(let value): "\(value)pt"
        case .scale(let step):
            ["x-small", "small", "medium", "large", "x-large", "xx-large", "xxx-large"][
                min(max(step, 1), 7) - 1]
        }
    }
}

/// A font family list, each name restricted to letters, digits, space, `-` and `_`.
public struct FontFamily: Hashable, Sendable, Codable {
    public private(set) var names: [String]

    /// Accepts a comma-separated list of up to five names, each optionally quoted.
    public init?(parsing text: some StringProtocol) {
        var names: [String] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            var name = part.trimmingASCIIWhitespace()
            if name.count >= 2, let first = name.first, first == "\"" || first == "'", name.last == first {
                name = String(name.dropFirst().dropLast())
            }
            guard !name.isEmpty, name.utf8.count <= 64, name.unicodeScalars.allSatisfy(FontFamily.isAllowed)
            else { return nil }
            names.append(name)
        }
        guard (1...5).contains(names.count) else { return nil }
        self.names = names
    }

    private static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", " ", "-", "_": true
        default: false
        }
    }

    /// The CSS `font-family` value: names with spaces quoted.
    public var cssValue: String {
        names.map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: ", ")
    }
}

extension StringProtocol {
    /// The text without the ASCII whitespace (space, tab, LF, CR, FF) around it.
    public func trimmingASCIIWhitespace() -> String {
        // On the UTF-8 bytes: the whitespace is ASCII, so a byte index found here is a
        // character boundary. (Rebuilding a scalar view from an array of scalars was
        // 120 000 instructions a call, in every link address an HTML reader reads.)
        let text = String(self)
        guard let first = text.utf8.firstIndex(where: { !$0.isASCIIWhitespace }),
              let last = text.utf8.lastIndex(where: { !$0.isASCIIWhitespace }) else { return "" }
        // Just past the last: a whitespace byte or the end, so a scalar boundary too.
        let end = text.utf8.index(after: last)
        if first == text.startIndex && end == text.endIndex { return text }
        return String(text[first..<end])
    }
}

extension UInt8 {
    /// Space, tab, LF, CR or form feed: HTML's and CSS's whitespace, as a byte.
    @inlinable
    public var isASCIIWhitespace: Bool {
        self == 0x20 || self == 0x09 || self == 0x0A || self == 0x0D || self == 0x0C
    }
}

extension Unicode.Scalar {
    /// Space, tab, LF, CR or form feed: HTML's and CSS's whitespace.
    public var isASCIIWhitespace: Bool {
        self == " " || self == "\t" || self == "\n" || self == "\r" || self == "\u{0C}"
    }
}
