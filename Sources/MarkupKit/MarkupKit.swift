@_exported import MarkupKitBBCode
@_exported import MarkupKitCore
@_exported import MarkupKitHTML
@_exported import MarkupKitJSON
@_exported import MarkupKitMarkdown

/// Options that apply to a whole conversion.
public struct ConversionOptions: Hashable, Sendable {
    /// Pass raw HTML and dangerous URLs through to HTML output. For trusted input only.
    public var allowsRawHTML: Bool
    /// How far nested lists are indented in Markdown output.
    public var listIndentation: MarkdownWriter.ListIndentation
    /// How deep containers may nest in what is read (`NestingLimit`); nil for no limit.
    public var nestingLimit: Int? = NestingLimit.standard
    /// How many tags a BBCode post may use (`TagLimit`); nil for no limit.
    public var tagLimit: Int? = TagLimit.standard
    /// Replace invalid UTF-8 with U+FFFD (and warn) instead of failing.
    public var replacesInvalidUTF8 = false
    /// How much memory a parser may allocate for one document, in bytes; nil for the
    /// default budget (`MarkdownReader.memoryBudget(forInputOf:)`).
    public var parseMemoryLimit: Int?
    /// Which link and image addresses are kept (ignored with `allowsRawHTML`).
    public var urlPolicy: URLPolicy = .standard
    /// How long the HTML and Markdown parsers may take on one document, in seconds (nil: no limit).
    /// Past it the conversion fails with `MarkupKitError.tooComplex`.
    public var parseTimeLimit: Double?

    public init(allowsRawHTML: Bool = false, listIndentation: MarkdownWriter.ListIndentation = .contentColumn,
                parseTimeLimit: Double? = ConversionOptions.defaultParseTimeLimit) {
        self.allowsRawHTML = allowsRawHTML
        self.listIndentation = listIndentation
        self.parseTimeLimit = parseTimeLimit
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
            prepared = try InputPreparation.prepare(input, replacingInvalidUTF8: options.replacesInvalidUTF8,
                                                    keepingFormFeeds: format.name == .commonmark || format.name == .gfm)
        } else if options.replacesInvalidUTF8, let offset = UTF8Validation.firstInvalidOffset(in: input) {
            // JSON is otherwise taken strictly: its syntax already says what a string may hold.
            prepared.bytes = Array(String(decoding: input, as: UTF8.self).utf8)
            prepared.warnings = [ConversionWarning(.input, "invalid UTF-8 from byte offset \(offset) replaced with U+FFFD (--lossy-utf8)")]
        }
        var reading = try readUnchecked(utf8: prepared.bytes, as: format, for: target, options: options)
        reading.warnings = prepared.warnings + reading.warnings
        // Addresses are checked once, here, whatever the reader: a refused one can then
        // reach no writer. --unsafe (trusted input) keeps every address.
        if !options.allowsRawHTML {
            reading.warnings += reading.document.applyURLPolicy(options.urlPolicy)
        }
        return reading
    }

    private static func readUnchecked(utf8 input: [UInt8], as format: Format, for target: Format?,
                                      options: ConversionOptions) throws -> ReadResult {
        switch format.name {
        case .commonmark, .gfm:
            return try MarkdownReader(extensions: format.extensions, nestingLimit: options.nestingLimit,
                                      timeLimit: options.parseTimeLimit,
                                      memoryLimit: options.parseMemoryLimit ?? MarkdownReader.memoryBudget(forInputOf: input.count))
                .read(utf8: input)
        case .json:
            return try JSONReader().read(utf8: input)
        case .bbcode:
            return try BBCodeReader(dialect: format.dialect, nestingLimit: options.nestingLimit, tagLimit: options.tagLimit)
                .read(utf8: input)
        case .html:
            let keepsTags = target.map { ($0.name == .gfm || $0.name == .commonmark) && $0.extensions.contains(.rawHTML) }
            return try HTMLReader(options: .init(timeLimit: options.parseTimeLimit, keepsUnknownElements: keepsTags ?? false,
                                                 nestingLimit: options.nestingLimit))
                .read(utf8: input)
        }
    }

    /// Writes a document in a format. `source` is the format it was read from, which
    /// decides format-specific rendering rules (GFM's tagfilter applies to GFM input).
    public static func write(_ document: Document, as format: Format, readFrom source: Format? = nil,
                             options: ConversionOptions = ConversionOptions()) throws -> WriteResult {
        switch format.name {
        case .html:
            let filtersTags = source?.extensions.contains(.tagfilter) ?? false
            return HTMLWriter(options: .init(allowsRawHTML: options.allowsRawHTML, filtersTags: filtersTags))
                .write(document)
        case .json:
            return JSONWriter().write(document)
        case .bbcode:
            return BBCodeWriter(dialect: format.dialect).write(document)
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
