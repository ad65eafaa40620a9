/// Something a reader or writer could not carry over exactly, or repaired, with where it
/// happened in the input. Warnings never stop a conversion; the user decides what to do
/// with them (`markconv --fail-if-lossy`).
public struct ConversionWarning: Hashable, Sendable, Codable, CustomStringConvertible {
    public enum Kind: String, Hashable, Sendable, Codable {
        /// The target cannot express something; the text was kept, the formatting was not.
        case loss
        /// A configured limit was reached; content past it was kept as text.
        case limit
        /// The input was malformed and was repaired.
        case input
    }

    public var kind: Kind
    public var position: SourcePosition
    public var message: String

    public init(_ kind: Kind, at position: SourcePosition = .unknown, _ message: String) {
        self.kind = kind
        self.position = position
        self.message = message
    }

    /// `LINE:COL: message`, or just the message when the position is unknown.
    public var description: String {
        // The numbers interpolated as numbers: a `SourcePosition` interpolated went
        // through its description, a string made and copied at every warning printed.
        position.isKnown ? "\(position.line):\(position.column): \(message)" : message
    }
}

/// Why a conversion could not be done at all.
public enum MarkupKitError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The input is not valid UTF-8; `offset` is the first bad byte, counted from 0.
    case invalidUTF8(offset: Int)
    /// The input cannot be read as the given format.
    case invalidInput(format: String, message: String)
    /// A parser gave up on the input within its time or memory limit (`parser` is
    /// "HTML" or "Markdown"); `limit` says which limit, for the message.
    case tooComplex(parser: String, limit: String)

    public var description: String {
        switch self {
        case .invalidUTF8(let offset):
            "invalid UTF-8 at byte offset \(offset)"
        case .invalidInput(let format, let message):
            "not valid \(format): \(message)"
        case .tooComplex(let parser, let limit):
            "input too complex for the \(parser) parser (\(limit))"
        }
    }
}

/// What a reader produced: the document and what it had to repair or leave out.
public struct ReadResult: Sendable {
    public var document: Document
    public var warnings: [ConversionWarning]

    public init(document: Document, warnings: [ConversionWarning] = []) {
        self.document = document
        self.warnings = warnings
    }

    /// Moves every position, of nodes and of warnings, from a fragment read on its own to
    /// the text it was taken from, where it starts at `origin`.
    public mutating func relocate(to origin: SourcePosition) {
        document.relocate(to: origin)
        for index in warnings.indices {
            warnings[index].position = warnings[index].position.relocated(to: origin)
        }
    }
}

/// What a writer produced: the output bytes (UTF-8) and what the target could not express.
public struct WriteResult: Sendable {
    public var bytes: [UInt8]
    public var warnings: [ConversionWarning]

    public init(bytes: [UInt8], warnings: [ConversionWarning] = []) {
        self.bytes = bytes
        self.warnings = warnings
    }

    /// The output as text.
    public var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// How deep containers may nest in a document read from user input.
///
/// Past the limit a reader keeps the content and drops the extra levels — a Markdown
/// quote or list deeper than the limit is read as part of the one around it, a BBCode or
/// HTML tag past it stays text — and says so once. 100 000 levels would be built, walked
/// and freed without trouble (nothing recurses on depth), but no post needs more than a
/// few dozen, and every level past that is work an attacker chose.
public enum NestingLimit {
    public static let standard = 256

    /// The warning a reader gives, once, when it reaches `limit`.
    public static func warning(_ limit: Int, at position: SourcePosition) -> ConversionWarning {
        ConversionWarning(.limit, at: position,
                          "nesting deeper than \(limit) levels: the deeper levels are kept as text or merged into the level around them (--nesting-limit)")
    }
}

/// How many markup tags one BBCode post may use. Past it, tags are text: a post with
/// more than a hundred thousand tags is not a post, and each is work an attacker chose.
public enum TagLimit {
    public static let standard = 100_000

    public static func warning(_ limit: Int, at position: SourcePosition) -> ConversionWarning {
        ConversionWarning(.limit, at: position,
                          "more than \(limit) tags: the rest are kept as text (--tag-limit)")
    }
}
