/// A format name with its extensions, as written on the command line:
/// `gfm`, `commonmark+table+strikethrough`, `gfm-autolink`, `html`, `json`, and one
/// `bbcode…` name per forum dialect (`bbcode_phpbb`).
public struct Format: Hashable, Sendable, CustomStringConvertible {
    public enum Name: String, Hashable, Sendable, CaseIterable {
        case commonmark
        case gfm
        case html
        case json
        case bbcode

        /// Whether markconv can read this format.
        public var isReadable: Bool {
            switch self {
            case .commonmark, .gfm, .json, .bbcode, .html: true
            }
        }

        /// Whether markconv can write this format.
        public var isWritable: Bool {
            switch self {
            case .html, .json, .commonmark, .gfm, .bbcode: true
            }
        }

        /// The extensions a bare format name turns on.
        public var defaultExtensions: MarkdownExtensions {
            switch self {
            case .gfm: .gfm
            case .commonmark: .commonmark
            case .html, .json, .bbcode: []
            }
        }

        /// Whether `+ext`/`-ext` make sense for this format.
        public var takesExtensions: Bool {
            self == .commonmark || self == .gfm
        }

        /// One line for `--list-*-formats` and the help text.
        public var summary: String {
            switch self {
            case .commonmark: "CommonMark (raw HTML allowed), other extensions off unless named (+table …)"
            case .gfm: "GitHub Flavored Markdown (alias: markdown), all extensions on"
            case .html: "HTML (read through an HTML5 parser; written as a fragment, safe unless --unsafe)"
            case .json: "the document tree as JSON (docs/JSON.md)"
            case .bbcode: "BBCode, in one of the forum dialects"
            }
        }
    }

    public var name: Name
    public var extensions: MarkdownExtensions
    /// For BBCode, which forum's dialect.
    public var dialect: BBCodeDialect

    public init(_ name: Name, extensions: MarkdownExtensions? = nil, dialect: BBCodeDialect = .generic) {
        self.name = name
        self.extensions = extensions ?? name.defaultExtensions
        self.dialect = dialect
    }

    /// BBCode in a forum's dialect.
    public static func bbcode(_ dialect: BBCodeDialect) -> Format {
        Format(.bbcode, dialect: dialect)
    }

    /// Every format name: the Markdown, HTML and JSON ones, then the BBCode dialects.
    public static var allNames: [(name: String, summary: String, format: Format)] {
        Name.allCases.filter { $0 != .bbcode }.map { ($0.rawValue, $0.summary, Format($0)) }
            + BBCodeDialect.all.map { ($0.name, "BBCode: \($0.title)", .bbcode($0)) }
    }

    public static let gfm = Format(.gfm)
    public static let commonmark = Format(.commonmark)
    public static let html = Format(.html)
    public static let json = Format(.json)

    /// Other spellings users type for a format (pandoc's `html5` among them). A dialect
    /// may also be named without `bbcode_`: `phpbb`. Pairs, not a dictionary: three are
    /// looked through faster than a `[String: Name]` is first made (its first use looks
    /// `String`'s `Hashable` conformance up over the whole binary, at every run).
    static let aliases: [(alias: String, name: Name)] = [("markdown", .gfm), ("md", .gfm), ("html5", .html)]

    static func alias(_ text: String) -> Name? {
        aliases.first { $0.alias == text }?.name
    }

    /// The dialect a name means, with or without its `bbcode_`.
    static func dialect(named name: String) -> BBCodeDialect? {
        BBCodeDialect.named(name) ?? BBCodeDialect.named("bbcode_" + name)
    }

    /// The format name closest to a misspelt one, if one is close enough to be meant:
    /// at most one edit in four letters, and never more than two.
    static func suggestion(for name: String) -> String? {
        let candidates = allNames.map(\.name) + aliases.map(\.alias).sorted()
            + BBCodeDialect.all.map { String($0.name.dropFirst("bbcode_".count)) }.filter { !$0.isEmpty }
        let limit = min(2, max(1, name.count / 4))
        let scored = candidates.map { (candidate: $0, distance: editDistance(name, $0)) }.filter { $0.distance <= limit }
        guard let best = scored.min(by: { $0.distance < $1.distance }) else { return nil }
        return dialect(named: best.candidate)?.name ?? best.candidate
    }

    /// Levenshtein distance between two short names.
    private static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }

    /// Parses `name(+ext|-ext)*`.
    public init(parsing specification: String) throws(FormatError) {
        // `+` and `-` are ASCII: the specification is split on its bytes (a view of
        // scalars rebuilt into strings was generic code, and its first run looked up
        // conformances at start-up).
        let bytes = Array(specification.utf8)
        let isSign = { (byte: UInt8) in byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") }
        let nameEnd = bytes.firstIndex(where: isSign) ?? bytes.count
        let nameText = String(decoding: bytes[..<nameEnd], as: UTF8.self).lowercased()
        // The other formats first: asking for a dialect builds every dialect's table, a
        // tenth of a run's start-up. No dialect is named like one of them but `bbcode`.
        guard let name = Name(rawValue: nameText) ?? Format.alias(nameText), name != .bbcode else {
            guard let dialect = Format.dialect(named: nameText) else { throw .unknownFormat(nameText) }
            guard nameEnd == bytes.count else { throw .extensionsNotSupported(format: nameText) }
            self = .bbcode(dialect)
            return
        }
        var extensions = name.defaultExtensions
        var position = nameEnd
        while position < bytes.count {
            let enable = bytes[position] == UInt8(ascii: "+")
            let end = bytes[(position + 1)...].firstIndex(where: isSign) ?? bytes.count
            let extensionName = String(decoding: bytes[(position + 1)..<end], as: UTF8.self)
            guard name.takesExtensions else { throw .extensionsNotSupported(format: nameText) }
            guard let named = MarkdownExtensions(name: extensionName) else {
                throw .unknownExtension(extensionName, format: nameText)
            }
            if enable { extensions.insert(named) } else { extensions.remove(named) }
            position = end
        }
        self.init(name, extensions: extensions)
    }

    /// The canonical spelling: the name followed by the extensions that differ from the
    /// name's defaults.
    public var description: String {
        if name == .bbcode { return dialect.name }
        var text = name.rawValue
        let defaults = name.defaultExtensions
        for (extensionName, value) in MarkdownExtensions.named {
            if extensions.contains(value) && !defaults.contains(value) { text += "+" + extensionName }
            if !extensions.contains(value) && defaults.contains(value) { text += "-" + extensionName }
        }
        return text
    }
}

/// A format specification that cannot be used.
public enum FormatError: Error, Hashable, Sendable, CustomStringConvertible {
    case unknownFormat(String)
    case unknownExtension(String, format: String)
    case extensionsNotSupported(format: String)
    case notReadable(Format.Name)
    case notWritable(Format.Name)

    public var description: String {
        switch self {
        case .unknownFormat(let name):
            "unknown format '\(name)'" + (Format.suggestion(for: name).map { "; did you mean \($0)?" } ?? "")
        case .unknownExtension(let name, let format):
            "unknown extension '\(name)' for \(format) (markconv --list-extensions shows them)"
        case .extensionsNotSupported(let format):
            "\(format) takes no extensions"
        case .notReadable(let name):
            "\(name.rawValue) can be written but not read"
        case .notWritable(let name):
            "\(name.rawValue) can be read but not written yet"
        }
    }
}
