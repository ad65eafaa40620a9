@_exported import MarkupKitBBCode
@_exported import MarkupKitCore
@_exported import MarkupKitHTML
@_exported import MarkupKitJSON
@_exported import MarkupKitMarkdown

/// Options that apply to a whole conversion: the output's layout, and the
/// `SafetyPolicy` every reader and writer of it is given.
public struct ConversionOptions: Hashable, Sendable {
    /// What is let through and what reading may cost, for every reader and writer alike.
    public var policy = SafetyPolicy.standard
    /// How far nested lists are indented in Markdown output.
    public var listIndentation: MarkdownWriter.ListIndentation

    /// Trust the input (`SafetyPolicy.trustsInput`): raw HTML and every address reach
    /// HTML output. For trusted input only.
    public var allowsRawHTML: Bool {
        get { policy.trustsInput }
        set { policy.trustsInput = newValue }
    }
    /// How deep containers may nest in what is read (`NestingLimit`); nil for no limit.
    public var nestingLimit: Int? {
        get { policy.nestingLimit }
        set { policy.nestingLimit = newValue }
    }
    /// How many tags a BBCode post may use (`TagLimit`); nil for no limit.
    public var tagLimit: Int? {
        get { policy.tagLimit }
        set { policy.tagLimit = newValue }
    }
    /// Replace invalid UTF-8 with U+FFFD (and warn) instead of failing.
    public var replacesInvalidUTF8: Bool {
        get { policy.replacesInvalidUTF8 }
        set { policy.replacesInvalidUTF8 = newValue }
    }
    /// How much memory a parser may allocate for one document, in bytes; nil for each
    /// parser's standard budget (`SafetyPolicy.parseMemoryLimit`).
    public var parseMemoryLimit: Int? {
        get { policy.parseMemoryLimit }
        set { policy.parseMemoryLimit = newValue }
    }
    /// Which link and image addresses are kept (every address, when the input is trusted,
    /// but in BBCode output).
    public var urlPolicy: URLPolicy {
        get { policy.urlPolicy }
        set { policy.urlPolicy = newValue }
    }
    /// How long the HTML and Markdown parsers may take on one document, in seconds (nil: no limit).
    /// Past it the conversion fails with `MarkupKitError.tooComplex`.
    public var parseTimeLimit: Double? {
        get { policy.parseTimeLimit }
        set { policy.parseTimeLimit = newValue }
    }

    public init(allowsRawHTML: Bool = false, listIndentation: MarkdownWriter.ListIndentation = .contentColumn,
                parseTimeLimit: Double? = ConversionOptions.defaultParseTimeLimit) {
        self.listIndentation = listIndentation
        self.allowsRawHTML = allowsRawHTML
        self.parseTimeLimit = parseTimeLimit
    }

    public init(policy: SafetyPolicy, listIndentation: MarkdownWriter.ListIndentation = .contentColumn) {
        self.policy = policy
        self.listIndentation = listIndentation
    }

    /// Ten seconds: a 2 MB page parses in well under one; only pathological nesting
    /// (tens of thousands of levels) comes near it.
    public static let defaultParseTimeLimit: Double? = 10
}

/// The result of a conversion: the output text and what could not be carried over.
public struct Conversion: Sendable {
    public var output: String
    public var warnings: [ConversionWarning]
}

/// One-call conversions between the formats, and the readers and writers behind them.
///
/// ```swift
/// let result = try MarkupKit.convert("- a\n  - b", from: .gfm, to: .html)
/// print(result.output)
/// ```
public enum MarkupKit {
    /// Converts `text` from one format to another.
    public static func convert(_ text: String, from source: Format, to target: Format,
                               options: ConversionOptions = ConversionOptions()) throws -> Conversion {
        let result = try convert(utf8: Array(text.utf8), from: source, to: target, options: options)
        return Conversion(output: result.text, warnings: result.warnings)
    }

    /// Converts UTF-8 bytes; the output is UTF-8 bytes too.
    public static func convert(utf8 input: [UInt8], from source: Format, to target: Format,
                               options: ConversionOptions = ConversionOptions()) throws -> WriteResult {
        let reading = try read(utf8: input, as: source, for: target, options: options)
        var writing = try write(reading.document, as: target, readFrom: source, options: options)
        writing.warnings = reading.warnings + writing.warnings
        return writing
    }

    /// Reads UTF-8 input in a format into a document. `target`, when known, is the format
    /// the document will be written in: HTML read for Markdown with raw HTML keeps the tags
    /// of elements that have no Markdown form (`HTMLReader.Options.keepsUnknownElements`).
    public static func read(utf8 input: [UInt8], as format: Format, for target: Format? = nil,
                            options: ConversionOptions = ConversionOptions()) throws -> ReadResult {
        var prepared: (bytes: [UInt8], warnings: [ConversionWarning]) = (input, [])
        if format.name != .json {
            prepared = try InputPreparation.prepare(input, replacingInvalidUTF8: options.policy.replacesInvalidUTF8,
                                                    keepingFormFeeds: format.name == .commonmark || format.name == .gfm)
        } else if options.replacesInvalidUTF8, let offset = UTF8Validation.firstInvalidOffset(in: input) {
            // JSON is otherwise taken strictly: its syntax already says what a string may hold.
            prepared.bytes = Array(String(decoding: input, as: UTF8.self).utf8)
            prepared.warnings = [ConversionWarning(.input, "invalid UTF-8 from byte offset \(offset) replaced with U+FFFD (--lossy-utf8)")]
        }
        var reading = try readUnchecked(utf8: prepared.bytes, as: format, for: target, policy: options.policy)
        reading.warnings = prepared.warnings + reading.warnings
        return reading
    }

    /// Every reader is given the whole policy, and applies its address allowlist as its
    /// last step, so a refused address can reach no writer whichever way it came in.
    private static func readUnchecked(utf8 input: [UInt8], as format: Format, for target: Format?,
                                      policy: SafetyPolicy) throws -> ReadResult {
        switch format.name {
        case .commonmark, .gfm:
            return try MarkdownReader(extensions: format.extensions, policy: policy).read(utf8: input)
        case .json:
            return try JSONReader(policy: policy).read(utf8: input)
        case .bbcode:
            return try BBCodeReader(dialect: format.dialect, policy: policy).read(utf8: input)
        case .html:
            let keepsTags = target.map { ($0.name == .gfm || $0.name == .commonmark) && $0.extensions.contains(.rawHTML) }
            return try HTMLReader(options: .init(policy: policy, keepsUnknownElements: keepsTags ?? false)).read(utf8: input)
        }
    }

    /// Writes a document in a format. `source` is the format it was read from, which
    /// decides format-specific rendering rules (GFM's tagfilter applies to GFM input).
    public static func write(_ document: Document, as format: Format, readFrom source: Format? = nil,
                             options: ConversionOptions = ConversionOptions()) throws -> WriteResult {
        switch format.name {
        case .html:
            let filtersTags = source?.extensions.contains(.tagfilter) ?? false
            return HTMLWriter(options: .init(policy: options.policy, filtersTags: filtersTags))
                .write(document)
        case .json:
            return JSONWriter().write(document)
        case .bbcode:
            return BBCodeWriter(dialect: format.dialect, policy: options.policy).write(document)
        case .commonmark, .gfm:
            let extensions = format.extensions
            return MarkdownWriter(options: .init(extensions: extensions, allowsRawHTML: extensions.contains(.rawHTML),
                                                 listIndentation: options.listIndentation))
                .write(document)
        }
    }

    /// The libcmark-gfm version linked in, e.g. "0.29.0.gfm.6".
    public static var cmarkVersion: String { MarkdownReader.cmarkVersion }

    /// This library's version.
    public static let version = "0.1.0"
}
