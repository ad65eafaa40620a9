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
    /// What becomes of a Markdown file's front matter: by default it is read as Markdown,
    /// as CommonMark says (`markconv` drops it).
    public var frontMatter = FrontMatter.markdown

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

/// The block of metadata a static site generator's Markdown file starts with (Jekyll's
/// and Hugo's YAML between `---` lines, Hugo's TOML between `+++` lines): not part of the
/// post, and garbage when read as Markdown (a rule, then a heading or a paragraph).
public enum FrontMatter: String, Hashable, Sendable, CaseIterable {
    /// Left out of the document, with a warning.
    case drop
    /// Kept as a code block (`yaml` or `toml`) at the document's start.
    case keep
    /// Read as the Markdown it is not: a thematic break and what follows.
    case markdown

    /// The front matter at the start of `bytes` (after a BOM was dropped and line ends
    /// made LF): its language, its text, how many lines it takes with its fences, and how
    /// many bytes.
    static func find(in bytes: [UInt8]) -> (language: String, text: String, lines: Int, length: Int)? {
        // Every fence starts the first line: most inputs are done with at their first byte,
        // before the table of fences (generic types' first use) is made.
        guard bytes.first == UInt8(ascii: "-") || bytes.first == UInt8(ascii: "+") else { return nil }
        let fences: [(open: [UInt8], closes: [[UInt8]], language: String)] = [
            (Array("---".utf8), [Array("---".utf8), Array("...".utf8)], "yaml"),
            (Array("+++".utf8), [Array("+++".utf8)], "toml"),
        ]
        let firstEnd = bytes.firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
        guard let fence = fences.first(where: { trimmed(bytes[..<firstEnd]) == $0.open[...] }) else { return nil }
        var lines = 1
        var start = firstEnd + 1
        // Front matter is short: its closing fence is looked for in the first 1 000 lines.
        while start < bytes.count && lines < 1000 {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            lines += 1
            if fence.closes.contains(where: { trimmed(bytes[start..<end]) == $0[...] }) {
                let text = String(decoding: bytes[(firstEnd + 1)..<start], as: UTF8.self)
                return (fence.language, text, lines, min(end + 1, bytes.count))
            }
            start = end + 1
        }
        return nil
    }

    private static func trimmed(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var line = line
        while line.last == UInt8(ascii: " ") || line.last == UInt8(ascii: "\t") { line.removeLast() }
        return line
    }
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
        let isMarkdown = format.name == .gfm || format.name == .commonmark
        guard isMarkdown, options.frontMatter != .markdown, let frontMatter = FrontMatter.find(in: prepared.bytes) else {
            var reading = try readUnchecked(utf8: prepared.bytes, as: format, for: target, policy: options.policy)
            reading.warnings = prepared.warnings + reading.warnings
            return reading
        }
        // Its lines are read as blank lines, so that every position after it stays true.
        let blanked = [UInt8](repeating: UInt8(ascii: "\n"), count: frontMatter.lines)
            + prepared.bytes[frontMatter.length...]
        var reading = try readUnchecked(utf8: blanked, as: format, for: target, policy: options.policy)
        let place = SourceRange(start: SourcePosition(line: 1, column: 1),
                                end: SourcePosition(line: Int32(frontMatter.lines), column: 3))
        switch options.frontMatter {
        case .drop, .markdown:
            reading.warnings.insert(ConversionWarning(.loss, at: place.start, """
                \(frontMatter.language == "yaml" ? "YAML" : "TOML") front matter (lines 1–\(frontMatter.lines)) left out \
                (--front-matter=keep keeps it as a code block)
                """), at: 0)
        case .keep:
            var builder = DocumentBuilder()
            builder.addLeaf(.codeBlock(info: frontMatter.language, code: builder.storeText(frontMatter.text)), range: place)
            builder.append(reading.document)
            reading.document = builder.finish()
        }
        reading.warnings = prepared.warnings + reading.warnings
        return reading
    }

    /// Every reader is given the whole policy, and applies its address allowlist as its
    /// last step, so a refused address can reach no writer whichever way it came in.
    /// Reads input `InputPreparation` has made valid (JSON's is checked by its reader).
    private static func readUnchecked(utf8 input: [UInt8], as format: Format, for target: Format?,
                                      policy: SafetyPolicy) throws -> ReadResult {
        switch format.name {
        case .commonmark, .gfm:
            return try MarkdownReader(extensions: format.extensions, policy: policy,
                                      readsEmbeddedHTML: !passesRawHTMLThrough(target)).read(preparedUTF8: input)
        case .json:
            return try JSONReader(policy: policy).read(utf8: input)
        case .bbcode:
            return BBCodeReader(dialect: format.dialect, policy: policy).read(preparedUTF8: input)
        case .html:
            let keepsTags = target.map { ($0.name == .gfm || $0.name == .commonmark) && $0.extensions.contains(.rawHTML) }
            return try HTMLReader(options: .init(policy: policy, keepsUnknownElements: keepsTags ?? false))
                .read(preparedUTF8: input)
        }
    }

    /// Whether raw HTML read from Markdown reaches `target` as written: Markdown with raw
    /// HTML keeps it; HTML renders it exactly as cmark-gfm does (passed through with
    /// `--unsafe`, else omitted). For BBCode and JSON, and with no target known, it is read
    /// for its meaning instead.
    private static func passesRawHTMLThrough(_ target: Format?) -> Bool {
        guard let target else { return false }
        switch target.name {
        case .gfm, .commonmark: return target.extensions.contains(.rawHTML)
        case .html: return true
        case .bbcode, .json: return false
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
