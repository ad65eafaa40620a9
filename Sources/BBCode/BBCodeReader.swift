#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MarkupKitCore

/// Reads a forum post in one BBCode dialect into a `Document`.
///
/// One pass over the UTF-8 bytes (every character of BBCode syntax is ASCII, so a `[` can
/// never be part of a multi-byte character), with a stack of open blocks and a stack of
/// open inline tags. The forum's rules are followed: `[*]` closes at the next `[*]` or at
/// the list's end, a nested list belongs to the item before it, misnested inline tags
/// are closed and reopened (`[b]x[i]y[/b]z[/i]`), a block tag inside an inline one closes
/// it and reopens it after, end tags without a start, unknown tags and tags with invalid
/// values stay text, open tags close at the end. Nothing the user wrote is dropped
/// except the line breaks that only lay out block tags.
public struct BBCodeReader: Sendable {
    public var dialect: BBCodeDialect
    /// What is let through and what a post may cost: the nesting and tag limits, and the
    /// address allowlist applied to what is read (the same as every reader's: a refused
    /// address leaves its link's text, with a warning).
    public var policy: SafetyPolicy

    /// How deep tags may nest (`NestingLimit`); nil for no limit. A tag past it stays text.
    public var nestingLimit: Int? {
        get { policy.nestingLimit }
        set { policy.nestingLimit = newValue }
    }

    /// How many tags a post may use (`TagLimit`); nil for no limit. Later tags stay text.
    public var tagLimit: Int? {
        get { policy.tagLimit }
        set { policy.tagLimit = newValue }
    }

    public init(dialect: BBCodeDialect = .generic, policy: SafetyPolicy) {
        self.dialect = dialect
        self.policy = policy
    }

    public init(dialect: BBCodeDialect = .generic, nestingLimit: Int? = NestingLimit.standard,
                tagLimit: Int? = TagLimit.standard) {
        var policy = SafetyPolicy.standard
        policy.nestingLimit = nestingLimit
        policy.tagLimit = tagLimit
        self.init(dialect: dialect, policy: policy)
    }

    public func read(_ text: String) -> ReadResult {
        read(normalized: BBCodeReader.normalize(Array(text.utf8)))
    }

    /// Reads UTF-8 bytes; invalid UTF-8 is an error naming the first bad byte.
    public func read(utf8 bytes: [UInt8]) throws(MarkupKitError) -> ReadResult {
        try UTF8Validation.validate(bytes)
        return read(normalized: BBCodeReader.normalize(bytes))
    }

    /// Reads bytes `InputPreparation` has already validated (`MarkupKit.read`), without
    /// validating them again.
    package func read(preparedUTF8 bytes: [UInt8]) -> ReadResult {
        read(normalized: BBCodeReader.normalize(bytes))
    }

    private func read(normalized bytes: [UInt8]) -> ReadResult {
        bytes.withUnsafeBufferPointer { buffer in
            var parser = BBCodeParser(input: buffer, dialect: dialect, vocabulary: BBCodeVocabulary(dialect))
            parser.nestingLimit = nestingLimit ?? .max
            parser.tagLimit = tagLimit ?? .max
            var result = parser.parse()
            policy.applyToReadDocument(&result)
            return result
        }
    }

    /// Line ends become LF, a leading byte order mark goes, NUL becomes U+FFFD.
    static func normalize(_ bytes: [UInt8]) -> [UInt8] {
        let needsWork = bytes.starts(with: [0xEF, 0xBB, 0xBF]) || bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return false }
            return memchr(base, Int32(UInt8(ascii: "\r")), buffer.count) != nil || memchr(base, 0, buffer.count) != nil
        }
        guard needsWork else { return bytes }
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\r"):
                result.append(UInt8(ascii: "\n"))
                if index < bytes.count && bytes[index] == UInt8(ascii: "\n") { index += 1 }
            case 0:
                result.append(contentsOf: [0xEF, 0xBF, 0xBD])
            default:
                result.append(byte)
            }
        }
        return result
    }
}

private struct BBCodeParser {
    let input: UnsafeBufferPointer<UInt8>
    let dialect: BBCodeDialect
    let vocabulary: BBCodeVocabulary
    /// The UTF-8 of the dialect's escape mark, if it escapes with one.
    lazy var escapeMark: [UInt8]? = {
        guard case .invisibleMark(let mark) = dialect.escape else { return nil }
        return Array(String(mark).utf8)
    }()
    var builder: DocumentBuilder
    var warnings: [ConversionWarning] = []
    var index = 0
    /// Line bookkeeping for positions: the line number at `lineStart`.
    var line: Int32 = 1
    var lineStart = 0
    var countedUpTo = 0

    /// An open block tag.
    struct Block {
        enum Kind { case quote, list, item, heading, table, row, cell, alignment, spoiler }
        var kind: Kind
        /// The tag name that opened it, which a closing tag must match (empty if implicit).
        var tagName: String
        /// Lists: a blank line inside an item made the list loose.
        var isLoose = false
        var listAttributes = ListAttributes(kind: .bullet, isTight: true)
        /// Rows: whether every cell so far is a header cell; tables: the widest row.
        var allHeaderCells = true
        var cellCount = 0
        /// Lists: items opened so far, and whether one of them holds several blocks.
        var itemCount = 0
        var hasItemOfSeveralBlocks = false
        /// Items opened by SMF's `[*]`, which end at the line break.
        var endsAtLineBreak = false
        /// The opening tag as written, for blocks opened by a tag.
        var source: Range<Int>?
    }

    /// An open inline tag, or one waiting to be reopened after a block interrupted it.
    struct Inline {
        var role: TagRole
        var tagName: String
        var kind: NodeKind
        /// How many blocks were open when it was opened: it belongs to that level.
        var depth: Int
        /// The opening tag as written.
        var source: Range<Int>
        /// Whether anything was put inside it yet (before a block interrupted it).
        var hasContent = false
        /// Left open in a block whose end tag it outlived (`ReadingRules.formattingOutlivesBlockEnd`).
        var outlivedBlock = false
    }

    var blocks: [Block] = []
    var inlines: [Inline] = []
    var pendingReopen: [Inline] = []
    var paragraphOpen = false
    var pendingLineBreak = false
    /// Nothing but formatting tags since the paragraph or line began: spaces here are
    /// layout, not content.
    var atLineStart = false
    var warnedAboutCarriedFormatting = false
    /// Whether the paragraph (or heading, or cell) holds any content yet.
    var paragraphHasContent = false
    /// The tag being handled, for blocks that remember how they were opened.
    var openingTag: Range<Int>?
    /// Where closing tags for verbatim content are known to be absent, by tag name.
    var noClosingTagAfter: [String: Int] = [:]
    /// The last closing tag found for each name, and where the search for it began.
    var closingTagFound: [String: (Int, ScannedTag)] = [:]

    var nestingLimit = Int.max
    var warnedAboutNesting = false
    /// The names of unread tags already warned about (each once per post).
    var unreadTagNames = Set<String>()
    var tagLimit = Int.max
    var tagsUsed = 0
    /// Where a `[/*]` was read without ending its item (`ReadingRules.textAfterItemEndStaysInItem`).
    var itemEndIgnoredAt: SourcePosition?
    /// What `ReadingRules` made the reader do differently from the tags alone, warned once each.
    var warnedReadingRules = Set<String>()
    /// Text of a no-parse tag is being read: shown as typed, so no autolinks.
    var insideNoParse = false

    init(input: UnsafeBufferPointer<UInt8>, dialect: BBCodeDialect, vocabulary: BBCodeVocabulary) {
        self.input = input
        self.dialect = dialect
        self.vocabulary = vocabulary
        self.builder = DocumentBuilder(reservingNodes: input.count / 8 + 16, textBytes: input.count)
        autolinkAnchors = BBCodeAutolinks.Anchors(dialect.reading.autolinks)
    }

    /// What can start a bare address, prepared once for the whole post.
    private let autolinkAnchors: BBCodeAutolinks.Anchors

    // MARK: The main loop

    mutating func parse() -> ReadResult {
        var textStart = 0
        while index < input.count {
            let byte = input[index]
            if byte == UInt8(ascii: "\n") {
                emitText(textStart..<index)
                handleNewlines()
                textStart = index
                continue
            }
            guard byte == UInt8(ascii: "[") else {
                index += 1
                continue
            }
            if let mark = escapeMark, startsEscapeMark(mark, at: index + 1) {
                // The writer's escape for FluxBB: `[` + an invisible mark is a literal `[`;
                // the mark goes.
                emitText(textStart..<index + 1)
                index += 1 + mark.count
                textStart = index
                continue
            }
            if let tag = BBCodeTagScanner.scan(input, at: index) {
                if let role = vocabulary.role(of: tag) {
                    emitText(textStart..<index)
                    if handle(tag, role) {
                        textStart = index
                        continue
                    }
                    // Not a tag here after all (a bad value, a closer with nothing open): text.
                    index = tag.start
                    textStart = index
                } else if !tag.isClosing,
                          dialect.reading.referenceTags.contains(tag.name) || dialect.reading.standaloneReferenceTags.contains(tag.name),
                          let end = keepReference(tag, textBefore: textStart..<index) {
                    index = end
                    textStart = index
                    continue
                } else {
                    warnAboutUnreadTag(tag)
                }
            }
            index += 1
        }
        emitText(textStart..<index)
        closeEverything()
        return ReadResult(document: builder.finish(), warnings: warnings)
    }

    /// Handles a tag the dialect knows; false leaves it as text.
    private mutating func handle(_ tag: ScannedTag, _ role: TagRole) -> Bool {
        let position = self.position(at: tag.start)
        if tag.isClosing {
            index = tag.end
            if closeTag(tag, role, at: position) { return true }
            return false
        }
        if !tag.isClosing {
            tagsUsed += 1
            if tagsUsed > tagLimit {
                if tagsUsed == tagLimit + 1 { warnings.append(TagLimit.warning(tagLimit, at: position)) }
                index = tag.end
                return false
            }
        }
        if builder.depth >= nestingLimit {
            // Past the limit a start tag is text; its end tag then finds no start and is
            // text too, so what the user wrote is all there.
            if !warnedAboutNesting {
                warnedAboutNesting = true
                warnings.append(NestingLimit.warning(nestingLimit, at: position))
            }
            index = tag.end
            return false
        }
        if role.isVerbatim || role == .url || role == .email || role == .image {
            return openVerbatim(tag, role, at: position)
        }
        index = tag.end
        if role.isBlock {
            openingTag = tag.start..<tag.end
            return openBlock(tag, role, at: position)
        }
        if dialect.reading.unclosedFormattingIsText, findClosingTag(tag.name, from: tag.end) == nil {
            warnOnce("unclosed [\(tag.name)]", ConversionWarning(.input, at: position, """
                [\(tag.spelledName)] is never closed: \(dialect.title) shows it as text, and so does markconv
                """))
            return false
        }
        guard let kind = inlineKind(tag, role) else {
            if role == .color, !dialect.reading.rgbColours, let value = tag.value, value.lowercased().hasPrefix("rgb") {
                warnings.append(ConversionWarning(.input, at: position, """
                    [\(tag.spelledName)=\(value)] kept as text, as \(dialect.title) shows it: its colours are names and hex digits
                    """))
            } else if let value = tag.value {
                warnings.append(ConversionWarning(.loss, at: position, """
                    [\(tag.spelledName)=\(value)] kept as text: \(dialect.title) has the tag, but markconv does not read that value
                    """))
            }
            return false
        }
        ensureInlineContext(at: position, forContent: false)
        builder.open(kind, range: SourceRange(start: position, end: position))
        builder.setHintsForCurrentContainer(spellingHint(tag, canonical: canonicalName(for: role)))
        inlines.append(Inline(role: role, tagName: tag.name, kind: kind, depth: blocks.count, source: tag.start..<tag.end))
        return true
    }

    /// A reference tag (`ReadingRules.referenceTags`) around plain text, kept whole as raw
    /// BBCode; where the reading goes on, or nil when it is not one.
    private mutating func keepReference(_ tag: ScannedTag, textBefore: Range<Int>) -> Int? {
        let end: Int
        let name: String
        if dialect.reading.standaloneReferenceTags.contains(tag.name) {
            guard let value = tag.value, !value.isEmpty else { return nil }
            end = tag.end
            name = value
        } else {
            guard let close = findClosingTag(tag.name, from: tag.end), close.start - tag.end <= BBCodeTagScanner.limit,
                  !input[tag.end..<close.start].contains(where: { $0 == UInt8(ascii: "[") || $0 == UInt8(ascii: "\n") })
            else { return nil }
            end = close.end
            name = String(decoding: input[tag.end..<close.start], as: UTF8.self)
        }
        emitText(textBefore)
        let position = self.position(at: tag.start)
        ensureInlineContext(at: position)
        let source = UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: input[tag.start..<end]))
        builder.addLeaf(.rawInline(format: .bbcode, content: builder.storeText(validatedUTF8: source)),
                        range: SourceRange(start: position, end: self.position(at: end - 1)))
        warnOnce("reference \(tag.name)", ConversionWarning(.loss, at: position, """
            [\(tag.spelledName)] '\(name)' refers to something on the forum: kept as \(dialect.title) BBCode, \
            written back as it was for BBCode and as its text elsewhere, here and after
            """))
        return end
    }

    /// A tag the forum has and markconv does not read is a loss: the forum shows something
    /// else (a mention, an attachment, a video). Another that looks meant as a tag (a
    /// closing tag, or one with a value) is text to the forum too, unless the board added
    /// it: said, but no loss. An opening `[sic]` alone is left to be the text it usually
    /// is. The first of each name is warned about.
    private mutating func warnAboutUnreadTag(_ tag: ScannedTag) {
        let unread = dialect.unreadTags.contains(tag.name)
        guard unread || tag.isClosing || tag.value != nil || !tag.attributes.isEmpty,
              unreadTagNames.insert(tag.name).inserted else { return }
        let written = "[\(tag.isClosing ? "/" : "")\(tag.spelledName)\(tag.value == nil ? "" : "=…")]"
        warnings.append(unread
            ? ConversionWarning(.loss, at: position(at: tag.start),
                                "\(written) is a \(dialect.title) tag markconv does not read; kept as text, here and after")
            : ConversionWarning(.input, at: position(at: tag.start),
                                "\(written) is not a \(dialect.title) tag; kept as text, as the forum shows it (a board's own tags are not known), here and after"))
    }

    private func startsEscapeMark(_ mark: [UInt8], at position: Int) -> Bool {
        position + mark.count <= input.count && mark.indices.allSatisfy { input[position + $0] == mark[$0] }
    }

    // MARK: Text and line breaks

    private mutating func emitText(_ range: Range<Int>) {
        guard !range.isEmpty else { return }
        var start = range.lowerBound
        let end = range.upperBound
        let inInlineContext = paragraphOpen || isInlineBlock(blocks.last?.kind)
        if !inInlineContext || pendingLineBreak || atLineStart {
            // Whitespace at the start of a paragraph or a line is not content.
            while start < end, input[start] == UInt8(ascii: " ") || input[start] == UInt8(ascii: "\t") { start += 1 }
            guard start < end else { return }
        }
        if let ignored = itemEndIgnoredAt, input[start..<end].contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }) {
            itemEndIgnoredAt = nil
            warnOnce("text after [/*]", ConversionWarning(.input, at: ignored, """
                text after [/*] and before the next [*] is kept in the item before it (\(dialect.title) shows it \
                inside the list, without a bullet)
                """))
        }
        ensureInlineContext(at: position(at: start))
        if !dialect.reading.autolinks.isEmpty, !isInsideLink, !insideNoParse {
            addTextWithAutolinks(start..<end)
            return
        }
        builder.addText(validatedUTF8: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: input[start..<end])),
                        range: SourceRange(start: position(at: start), end: position(at: end - 1)))
    }

    private mutating func warnOnce(_ key: String, _ warning: ConversionWarning) {
        if warnedReadingRules.insert(key).inserted { warnings.append(warning) }
    }

    private var isInsideLink: Bool {
        inlines.contains(where: { if case .link = $0.kind { true } else { false } })
            || pendingReopen.contains(where: { if case .link = $0.kind { true } else { false } })
    }

    /// Text in which the forum links bare addresses (`ReadingRules.Autolinks`): each one
    /// found becomes a link around its own text.
    private mutating func addTextWithAutolinks(_ range: Range<Int>) {
        var textStart = range.lowerBound
        for found in BBCodeAutolinks.find(in: input, range, rules: dialect.reading.autolinks, anchors: autolinkAnchors) {
            if dialect.reading.autolinks.approximate {
                warnOnce("approximate autolinks", ConversionWarning(.input, at: position(at: found.range.lowerBound), """
                    bare addresses are links, as \(dialect.title) links them by default; where each one ends follows \
                    phpBB's reading, which markconv could not check against \(dialect.title)
                    """))
            }
            addTextAroundAutolinkBreaks(textStart..<found.range.lowerBound)
            let linkRange = SourceRange(start: position(at: found.range.lowerBound), end: position(at: found.range.upperBound - 1))
            builder.open(.link(destination: found.destination, title: ""), range: linkRange)
            builder.setHintsForCurrentContainer(SyntaxHints(form: "autolink"))
            builder.addText(validatedUTF8: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: input[found.range])), range: linkRange)
            builder.close()
            textStart = found.range.upperBound
        }
        addTextAroundAutolinkBreaks(textStart..<range.upperBound)
    }

    /// Text that is no link, without the invisible marks a writer put where the forum
    /// would have linked an address (`http\u{2063}://`, for FluxBB): they were never the
    /// author's.
    private mutating func addTextAroundAutolinkBreaks(_ range: Range<Int>) {
        guard !range.isEmpty else { return }
        var start = range.lowerBound
        if let mark = escapeMark {
            var position = range.lowerBound
            while position + mark.count <= range.upperBound {
                guard input[position] == mark[0], startsEscapeMark(mark, at: position),
                      BBCodeAutolinks.isBreak(in: input, before: position, after: position + mark.count,
                                              end: range.upperBound, rules: dialect.reading.autolinks) else {
                    position += 1
                    continue
                }
                addVerbatimText(start..<position)
                position += mark.count
                start = position
            }
        }
        addVerbatimText(start..<range.upperBound)
    }

    private mutating func addVerbatimText(_ range: Range<Int>) {
        guard !range.isEmpty else { return }
        builder.addText(validatedUTF8: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: input[range])),
                        range: SourceRange(start: position(at: range.lowerBound), end: position(at: range.upperBound - 1)))
    }

    /// A run of line ends: one is a line break, a blank line ends the paragraph. Lines
    /// that hold only spaces count as blank.
    private mutating func handleNewlines() {
        var newlines = 0
        var position = index
        var consumed = index
        while position < input.count {
            let byte = input[position]
            if byte == UInt8(ascii: "\n") {
                newlines += 1
                position += 1
                consumed = position
            } else if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
                position += 1
            } else {
                break
            }
        }
        index = consumed
        applyNewlines(newlines)
    }

    private mutating func applyNewlines(_ newlines: Int) {
        if let item = blocks.last, item.kind == .item, item.endsAtLineBreak {
            closeBlocks(downTo: blocks.count - 1)
            return
        }
        if newlines >= 2 { markLooseListAround() }
        guard paragraphOpen || isInlineBlock(blocks.last?.kind) else { return }
        if newlines >= 2 && paragraphOpen {
            closeInlineContext()
        } else {
            pendingLineBreak = true
        }
    }

    private func isInlineBlock(_ kind: Block.Kind?) -> Bool {
        kind == .heading || kind == .cell
    }

    /// Opens what inline content needs to go into: an implicit item, row or cell, a
    /// paragraph; reopens the formatting a block interrupted; adds a pending line break.
    private mutating func ensureInlineContext(at position: SourcePosition, forContent: Bool = true) {
        let range = SourceRange(start: position, end: position)
        defer {
            if forContent {
                atLineStart = false
                paragraphHasContent = true
            }
        }
        if !paragraphOpen && !isInlineBlock(blocks.last?.kind) {
            switch blocks.last?.kind {
            case .list:
                openItem(tagName: "", at: position, endsAtLineBreak: false)
            case .table:
                var row = Block(kind: .row, tagName: "")
                row.allHeaderCells = false
                row.cellCount = 1
                openBlockNode(.tableRow(isHeader: false), row, at: position)
                openBlockNode(.tableCell, Block(kind: .cell, tagName: ""), at: position)
            case .row:
                openBlockNode(.tableCell, Block(kind: .cell, tagName: ""), at: position)
                blocks[blocks.count - 2].allHeaderCells = false
                blocks[blocks.count - 2].cellCount += 1
            default:
                break
            }
            if !isInlineBlock(blocks.last?.kind) {
                builder.open(.paragraph, range: range)
                paragraphOpen = true
                atLineStart = true
                paragraphHasContent = false
            }
            pendingLineBreak = false
        }
        if pendingLineBreak {
            pendingLineBreak = false
            // A line end before anything else in the paragraph, or right after another
            // with only tags between them, lays the text out; it is not a second break.
            if paragraphHasContent && !atLineStart {
                builder.trimTrailingSpaces()
                builder.addLeaf(.lineBreak, range: range)
                atLineStart = true
            }
        }
        guard !pendingReopen.isEmpty else { return }
        let depth = blocks.count
        var reopen: [Inline] = []
        pendingReopen.removeAll { inline in
            if inline.depth <= depth { reopen.append(inline); return true }
            return false
        }
        for var inline in reopen {
            if inline.outlivedBlock {
                inline.outlivedBlock = false
                warnOnce("outlived", ConversionWarning(.input, at: self.position(at: inline.source.lowerBound), """
                    [\(inline.tagName)] was left open inside a block: it goes on after the block's end, as \
                    \(dialect.title) shows it (close it inside the block if it should end there)
                    """))
            }
            builder.open(inline.kind, range: range)
            inlines.append(inline)
        }
    }

    /// Closes the open inline tags (keeping them to reopen) and the paragraph.
    private mutating func closeInlineContext(closingParagraph: Bool = true) {
        if !inlines.isEmpty {
            var closed: [Inline] = []
            while var inline = inlines.popLast() {
                builder.trimTrailingWhitespace()
                if !builder.currentContainerIsEmpty { inline.hasContent = true }
                builder.closeDroppingIfEmpty()
                closed.append(inline)
            }
            carryOver(closed.reversed())
        }
        if closingParagraph { builder.trimTrailingWhitespace() }
        if paragraphOpen && closingParagraph {
            // A paragraph opened for formatting that then held nothing goes with it.
            builder.closeDroppingIfEmpty()
            paragraphOpen = false
        }
        pendingLineBreak = false
    }

    /// How many formatting tags left open are carried into the next paragraph or block.
    /// Without a bound, `[b]x` repeated over a thousand paragraphs would nest a thousand
    /// `<strong>` in the last one: the output would grow with the square of the input.
    static let maximumCarriedFormatting = 8

    /// Keeps formatting that a block or paragraph end interrupted, to reopen it where text
    /// goes on; past the bound, the outermost of it ends here for good (its tag, if it
    /// never held anything, is kept as text).
    private mutating func carryOver(_ closed: some Collection<Inline>) {
        var carried = Array(closed) + pendingReopen
        let excess = carried.count - Self.maximumCarriedFormatting
        if excess > 0 {
            for inline in carried.prefix(excess) where !inline.hasContent {
                let range = inline.source
                builder.addText(validatedUTF8: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: input[range])),
                                range: SourceRange(start: position(at: range.lowerBound), end: position(at: range.upperBound - 1)))
            }
            if carried.prefix(excess).contains(where: \.hasContent), !warnedAboutCarriedFormatting {
                warnedAboutCarriedFormatting = true
                warnings.append(ConversionWarning(.limit, at: position(at: carried[0].source.lowerBound),
                    "more than \(Self.maximumCarriedFormatting) formatting tags were left open; the outer ones end at the paragraph where they began"))
            }
            carried.removeFirst(excess)
        }
        pendingReopen = carried
    }

    /// Formatting open inside the blocks an end tag closes, that held something, waits to
    /// be reopened after them, at `depth` (`ReadingRules.formattingOutlivesBlockEnd`).
    /// What never held anything stays where it is, to become text when the block ends.
    private mutating func carryFormattingPastBlockEnd(toDepth depth: Int) {
        closeInlineContext(closingParagraph: false)
        for number in pendingReopen.indices where pendingReopen[number].depth > depth && pendingReopen[number].hasContent {
            pendingReopen[number].depth = depth
            pendingReopen[number].outlivedBlock = true
        }
    }

    /// Formatting that is never used again and never held anything was not formatting:
    /// its tag is kept as text where the block ends (`[b]` before a blank line and the
    /// end of the post).
    private mutating func keepUnusedFormattingAsText(deeperThan depth: Int) {
        var unused: [Inline] = []
        pendingReopen.removeAll { inline in
            guard inline.depth > depth else { return false }
            if !inline.hasContent { unused.append(inline) }
            return true
        }
        guard !unused.isEmpty else { return }
        // The text goes in as it was written, not inside other formatting waiting to reopen.
        let waiting = pendingReopen
        pendingReopen = []
        defer { pendingReopen = waiting + pendingReopen }
        for inline in unused {
            let range = inline.source
            ensureInlineContext(at: position(at: range.lowerBound))
            builder.addText(validatedUTF8: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: input[range])),
                            range: SourceRange(start: position(at: range.lowerBound), end: position(at: range.upperBound - 1)))
        }
        closeInlineContext(closingParagraph: false)
    }

    /// A blank line inside an item, or between two items, makes the list loose (as in
    /// Markdown); one just before the list's end does not.
    private mutating func markLooseListAround() {
        guard let last = blocks.indices.last else { return }
        let list: Int
        if blocks[last].kind == .list {
            guard blocks[last].itemCount > 0 else { return }
            list = last
        } else if blocks[last].kind == .item, last > 0, blocks[last - 1].kind == .list {
            list = last - 1
        } else {
            return
        }
        guard index < input.count else { return }
        if let next = BBCodeTagScanner.scan(input, at: index), next.isClosing, let role = vocabulary.role(of: next) {
            switch role {
            case .list, .bulletList, .orderedList: return
            case .item, .itemMarker:
                // `[/li]` after the blank line: loose only if another item follows.
                var after = next.end
                while after < input.count, input[after] == UInt8(ascii: " ") || input[after] == UInt8(ascii: "\n") { after += 1 }
                if let following = BBCodeTagScanner.scan(input, at: after), following.isClosing { return }
            default: break
            }
        }
        blocks[list].isLoose = true
    }

    // MARK: Blocks

    /// Inside a table, outside its cells' inline content, only table tags are tags: a
    /// cell holds a line of text, so `[quote]` or `[list]` there stays text.
    private var isInTableStructure: Bool {
        guard let last = blocks.last?.kind else { return false }
        return last == .table || last == .row || last == .cell
    }

    private mutating func openBlock(_ tag: ScannedTag, _ role: TagRole, at position: SourcePosition) -> Bool {
        if isInTableStructure {
            switch role {
            case .tableRow, .tableCell, .tableHeaderCell: break
            default: return false
            }
        }
        switch role {
        case .quote:
            let (attribution, attributes) = quoteAttribution(tag, at: position)
            prepareForBlock(at: position)
            openBlockNode(.blockQuote(attribution: attribution), Block(kind: .quote, tagName: tag.name), at: position)
            var hints = spellingHint(tag, canonical: "quote")
            hints.attributes = attributes
            builder.setHintsForCurrentContainer(hints)
        case .list, .bulletList, .orderedList:
            guard let attributes = listAttributes(tag, role) else { return false }
            prepareForBlock(at: position)
            var block = Block(kind: .list, tagName: tag.name)
            block.listAttributes = attributes
            openBlockNode(.list(attributes), block, at: position)
            builder.setHintsForCurrentContainer(spellingHint(tag, canonical: nil))
        case .itemMarker:
            guard let list = blocks.lastIndex(where: { $0.kind == .list }) else {
                // `[*]` outside a list is text (phpBB), except in SMF, where it starts one.
                guard dialect.lists.starOutsideListStartsList else { return false }
                prepareForBlock(at: position)
                openBlockNode(.list(ListAttributes(kind: .bullet, isTight: true)), Block(kind: .list, tagName: ""), at: position)
                openItem(tagName: "*", at: position, endsAtLineBreak: true)
                return true
            }
            closeInlineContext()
            closeBlocks(downTo: list + 1)
            openItem(tagName: "*", at: position, endsAtLineBreak: dialect.lists.starItemEndsAtLineBreak)
        case .item:
            guard let list = blocks.lastIndex(where: { $0.kind == .list }) else { return false }
            closeInlineContext()
            closeBlocks(downTo: list + 1)
            openItem(tagName: "li", at: position, endsAtLineBreak: false)
        case .heading(let fixed):
            guard let level = fixed ?? headingLevel(tag) else { return false }
            prepareForBlock(at: position)
            openBlockNode(.heading(level: level), Block(kind: .heading, tagName: tag.name), at: position)
        case .horizontalRule:
            prepareForBlock(at: position)
            builder.addLeaf(.thematicBreak, range: SourceRange(start: position, end: position))
        case .table:
            prepareForBlock(at: position)
            openBlockNode(.table(columns: []), Block(kind: .table, tagName: tag.name), at: position)
        case .tableRow:
            guard let table = blocks.lastIndex(where: { $0.kind == .table }) else { return false }
            closeInlineContext()
            closeBlocks(downTo: table + 1)
            openBlockNode(.tableRow(isHeader: false), Block(kind: .row, tagName: tag.name), at: position)
        case .tableCell, .tableHeaderCell:
            guard blocks.contains(where: { $0.kind == .table }) else { return false }
            closeInlineContext()
            if let row = blocks.lastIndex(where: { $0.kind == .row }),
               blocks.lastIndex(where: { $0.kind == .table })! < row {
                closeBlocks(downTo: row + 1)
            } else {
                openBlockNode(.tableRow(isHeader: false), Block(kind: .row, tagName: ""), at: position)
            }
            blocks[blocks.count - 1].cellCount += 1
            if role == .tableCell { blocks[blocks.count - 1].allHeaderCells = false }
            openBlockNode(.tableCell, Block(kind: .cell, tagName: tag.name), at: position)
        case .alignment(let fixed):
            guard let alignment = fixed ?? tag.value.flatMap({ TextAlignment(rawValue: $0.lowercased()) }) else { return false }
            prepareForBlock(at: position)
            openBlockNode(.alignment(alignment), Block(kind: .alignment, tagName: tag.name), at: position)
        case .spoiler:
            let title = tag.value.map { $0.trimmingASCIISpaces() }.flatMap { $0.isEmpty ? nil : $0 }
            prepareForBlock(at: position)
            openBlockNode(.spoiler(title: title), Block(kind: .spoiler, tagName: tag.name), at: position)
        default:
            return false
        }
        return true
    }

    /// Before a block: the paragraph (and heading or cell) ends; in a list, the block goes
    /// into an item.
    private mutating func prepareForBlock(at position: SourcePosition) {
        closeInlineContext()
        if let last = blocks.last, last.kind == .heading {
            closeBlocks(downTo: blocks.count - 1)
        }
        if blocks.last?.kind == .list {
            openItem(tagName: "", at: position, endsAtLineBreak: false)
        }
    }

    private mutating func openItem(tagName: String, at position: SourcePosition, endsAtLineBreak: Bool) {
        if blocks.last?.kind == .list { blocks[blocks.count - 1].itemCount += 1 }
        var block = Block(kind: .item, tagName: tagName)
        block.endsAtLineBreak = endsAtLineBreak
        openBlockNode(.listItem(task: nil), block, at: position)
    }

    private mutating func openBlockNode(_ kind: NodeKind, _ block: Block, at position: SourcePosition) {
        builder.open(kind, range: SourceRange(start: position, end: position))
        var block = block
        if !block.tagName.isEmpty { block.source = openingTag }
        if isInlineBlock(block.kind) {
            atLineStart = true
            paragraphHasContent = false
        }
        blocks.append(block)
    }

    /// Closes blocks until `count` remain.
    private mutating func closeBlocks(downTo count: Int, atEndOfInput: Bool = false) {
        while blocks.count > count {
            closeInlineContext(closingParagraph: false)
            // Formatting opened inside the block does not outlive it.
            keepUnusedFormattingAsText(deeperThan: blocks.count - 1)
            closeInlineContext()
            let block = blocks.removeLast()
            if atEndOfInput, let source = block.source, builder.currentContainerIsEmpty,
               block.kind != .item && block.kind != .row && block.kind != .cell {
                // Never closed and nothing inside: not a block after all; its tag is text.
                builder.closeDroppingIfEmpty()
                ensureInlineContext(at: position(at: source.lowerBound))
                builder.addText(validatedUTF8: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: input[source])),
                                range: SourceRange(start: position(at: source.lowerBound), end: position(at: source.upperBound - 1)))
                continue
            }
            switch block.kind {
            case .list:
                // Loose as the writer writes it: a blank line between items, or inside an
                // item of several blocks.
                var attributes = block.listAttributes
                attributes.isTight = !(block.isLoose && (block.itemCount > 1 || block.hasItemOfSeveralBlocks))
                builder.replaceCurrentContainer(with: .list(attributes))
            case .row:
                let cells = builder.currentContainerChildKinds.count
                builder.replaceCurrentContainer(with: .tableRow(isHeader: block.allHeaderCells && cells > 0))
                if let table = blocks.indices.last, blocks[table].kind == .table {
                    blocks[table].cellCount = max(blocks[table].cellCount, cells)
                }
            case .table:
                builder.replaceCurrentContainer(with: .table(columns: Array(repeating: .none, count: block.cellCount)))
            case .item:
                if let list = blocks.indices.last, blocks[list].kind == .list {
                    let children = builder.currentContainerChildKinds
                    if children.count > 1 { blocks[list].hasItemOfSeveralBlocks = true }
                    // Two paragraphs in a row were parted by a blank line.
                    if zip(children, children.dropFirst()).contains(where: { $0 == .paragraph && $1 == .paragraph }) {
                        blocks[list].isLoose = true
                    }
                }
            default:
                break
            }
            builder.close(at: position(at: index))
        }
    }

    private mutating func closeEverything() {
        // A tag that was never closed and holds nothing was not a tag: its text stays.
        builder.trimTrailingWhitespace()
        var literal: [Range<Int>] = []
        while let inline = inlines.last, !inline.hasContent, builder.currentContainerIsEmpty {
            closeInline()
            inlines.removeLast()
            literal.insert(inline.source, at: 0)
        }
        if !literal.isEmpty {
            let waiting = pendingReopen
            pendingReopen = []
            for range in literal {
                ensureInlineContext(at: position(at: range.lowerBound))
                builder.addText(validatedUTF8: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: input[range])),
                                range: SourceRange(start: position(at: range.lowerBound), end: position(at: range.upperBound - 1)))
            }
            pendingReopen = waiting + pendingReopen
        }
        closeInlineContext(closingParagraph: false)
        closeBlocks(downTo: 0, atEndOfInput: true)
        keepUnusedFormattingAsText(deeperThan: -1)
        closeInlineContext()
    }

    // MARK: Closing tags

    private mutating func closeTag(_ tag: ScannedTag, _ role: TagRole, at position: SourcePosition) -> Bool {
        if role.isVerbatim {
            return false  // a closing [/code] with nothing open is text
        }
        if role.isBlock {
            switch role {
            case .itemMarker where dialect.reading.itemEndTagIsText:
                warnOnce("[/*] is text", ConversionWarning(.input, at: position, """
                    [/*] is no tag in \(dialect.title), which ends items at the next [*]: kept as text
                    """))
                return false
            case .itemMarker, .item:
                // `[/*]` and `[/li]` close the current item, if there is one.
                guard let item = blocks.lastIndex(where: { $0.kind == .item }),
                      !blocks[item...].contains(where: { $0.kind == .list }) else { return false }
                if role == .itemMarker && dialect.reading.textAfterItemEndStaysInItem {
                    // The item ends at the next `[*]` or the list's end; text before that
                    // stays in it, where the forum shows it, unbulleted (warned if any).
                    itemEndIgnoredAt = position
                    return true
                }
                closeBlocks(downTo: item)
                return true
            case .horizontalRule:
                return dialect.horizontalRule == .pairedTag
            default:
                let kind = blockKind(for: role)
                guard let block = blocks.lastIndex(where: { $0.kind == kind && ($0.tagName == tag.name || $0.tagName.isEmpty) })
                else { return false }
                if dialect.reading.formattingOutlivesBlockEnd { carryFormattingPastBlockEnd(toDepth: block) }
                closeBlocks(downTo: block)
                return true
            }
        }
        if let open = inlines.lastIndex(where: { $0.tagName == tag.name }) {
            // Misnesting: close what was opened inside, then reopen it.
            var inner = Array(inlines[(open + 1)...])
            // Closing through many open tags would mean reopening them all, again and
            // again: past the bound the closing tag is text.
            guard inner.count <= Self.maximumCarriedFormatting else { return false }
            // A line break just before the closing tag belongs after it, where it shows.
            for number in inner.indices.reversed() {
                if !builder.currentContainerIsEmpty { inner[number].hasContent = true }
                closeInline()
            }
            closeInline(at: position)
            inlines.removeSubrange(open...)
            for inline in inner {
                builder.open(inline.kind, range: SourceRange(start: position, end: position))
                inlines.append(inline)
            }
            return true
        }
        if let waiting = pendingReopen.lastIndex(where: { $0.tagName == tag.name }) {
            pendingReopen.remove(at: waiting)
            return true
        }
        return false
    }

    /// Closes the innermost inline container, dropping it if empty. A line break just
    /// before the closing tag, or before formatting that turned out empty, is still to
    /// come: it shows after the tag, if anything follows.
    private mutating func closeInline(at position: SourcePosition? = nil) {
        if builder.removeTrailingLineBreak() { lineBreakIsPendingAgain() }
        let before = builder.nodeCount
        builder.closeDroppingIfEmpty(at: position)
        if builder.nodeCount < before, builder.removeTrailingLineBreak() { lineBreakIsPendingAgain() }
    }

    /// A line break taken back out of the tree: content came before it, and it will be
    /// put back if content comes after.
    private mutating func lineBreakIsPendingAgain() {
        pendingLineBreak = true
        atLineStart = false
    }

    private func blockKind(for role: TagRole) -> Block.Kind {
        switch role {
        case .quote: .quote
        case .list, .bulletList, .orderedList: .list
        case .heading: .heading
        case .table: .table
        case .tableRow: .row
        case .tableCell, .tableHeaderCell: .cell
        case .alignment: .alignment
        case .spoiler: .spoiler
        default: .item
        }
    }

    // MARK: Verbatim content: code, no-parse, URLs, images

    /// Tags whose content is taken as written up to the closing tag. Without a closing
    /// tag they are text.
    private mutating func openVerbatim(_ tag: ScannedTag, _ role: TagRole, at position: SourcePosition) -> Bool {
        if role == .url || role == .email,
           inlines.contains(where: { if case .link = $0.kind { true } else { false } })
            || pendingReopen.contains(where: { if case .link = $0.kind { true } else { false } }) {
            // No link inside a link (HTML cannot nest them): the inner tag is text.
            return false
        }
        if (role == .url || role == .email) && tag.value != nil {
            // `[url=…]text[/url]`: the text is parsed like any other.
            guard var destination = linkDestination(tag.value!, email: role == .email) else { return false }
            if role == .email { destination += mailQuery(tag) }
            index = tag.end
            ensureInlineContext(at: position, forContent: false)
            builder.open(.link(destination: destination, title: ""), range: SourceRange(start: position, end: position))
            builder.setHintsForCurrentContainer(spellingHint(tag, canonical: canonicalName(for: role)))
            inlines.append(Inline(role: role, tagName: tag.name, kind: .link(destination: destination, title: ""), depth: blocks.count,
                                  source: tag.start..<tag.end))
            return true
        }
        var foundClose = findClosingTag(tag.name, from: tag.end)
        if foundClose == nil, case .code = role, dialect.reading.unclosedCodeRunsToEnd, !isInTableStructure {
            // The forum shows the rest of the post as code.
            foundClose = ScannedTag(isClosing: true, key: 0, name: tag.name, spelledName: tag.spelledName, value: nil,
                                    attributes: [], start: input.count, end: input.count)
            warnings.append(ConversionWarning(.input, at: position, """
                [\(tag.spelledName)] is never closed: the rest of the post is code, as \(dialect.title) shows it
                """))
        }
        guard let close = foundClose else { return false }
        // A URL or an image is short; a long stretch up to a closing tag is something else.
        if role == .url || role == .email || role == .image, close.start - tag.end > BBCodeTagScanner.limit { return false }
        var content = UnsafeBufferPointer(rebasing: input[tag.end..<close.start])
        switch role {
        case .url, .email:
            // A URL with tags in it (`[url][b]http://…[/b][/url]`) is not a URL: the tag
            // stays text and what is inside is read as usual.
            guard !containsKnownTag(content) else { return false }
            let text = String(decoding: content, as: UTF8.self).trimmingASCIISpaces()
            guard var destination = linkDestination(text, email: role == .email) else { return false }
            if role == .email { destination += mailQuery(tag) }
            index = close.end
            ensureInlineContext(at: position)
            builder.open(.link(destination: destination, title: ""), range: SourceRange(start: position, end: position))
            builder.setHintsForCurrentContainer(SyntaxHints(form: "bare"))
            builder.addText(text)
            builder.close(at: self.position(at: close.end - 1))
        case .image:
            let text = String(decoding: content, as: UTF8.self)
            guard let image = imageAttributes(tag, content: text) else { return false }
            if dialect.reading.imageSourceInValue, tag.attribute("src") ?? tag.value != nil,
               !text.trimmingASCIISpaces().isEmpty, image.alt.isEmpty {
                warnings.append(ConversionWarning(.loss, at: position, """
                    the text inside [img=…][/img] is not shown by \(dialect.title), which takes the address from the tag; dropped
                    """))
            }
            index = close.end
            ensureInlineContext(at: position)
            builder.open(.image(image.attributes), range: SourceRange(start: position, end: position))
            builder.addText(image.alt)
            builder.close(at: self.position(at: close.end - 1))
        case .noParse:
            index = close.end
            // Not parsed, but laid out like any text: a line end is a line break, a blank
            // line a new paragraph. Shown as typed: no address in it is a link.
            insideNoParse = true
            defer { insideNoParse = false }
            var lineStart = 0
            var offset = 0
            while offset <= content.count {
                guard offset == content.count || content[offset] == UInt8(ascii: "\n") else {
                    offset += 1
                    continue
                }
                let line = UnsafeBufferPointer(rebasing: content[lineStart..<offset])
                if !line.isEmpty {
                    let base = tag.end + lineStart
                    emitText(base..<base + line.count)
                }
                guard offset < content.count else { break }
                var newlines = 0
                while offset < content.count, content[offset] == UInt8(ascii: "\n") || content[offset] == UInt8(ascii: " ") {
                    if content[offset] == UInt8(ascii: "\n") { newlines += 1 }
                    offset += 1
                }
                applyNewlines(newlines)
                lineStart = offset
            }
        case .inlineCode:
            index = close.end
            ensureInlineContext(at: position)
            // Inline code is one line: a line end inside it is a space, as in Markdown.
            let flat = content.map { $0 == UInt8(ascii: "\n") ? UInt8(ascii: " ") : $0 }
            builder.addLeaf(.code(flat.withUnsafeBytes { builder.storeText(validatedUTF8: $0) }),
                            range: SourceRange(start: position, end: self.position(at: close.end - 1)))
        case .code(let fixedLanguage):
            let hasNewline = content.contains(UInt8(ascii: "\n"))
            if dialect.code.newlineMakesBlock && !hasNewline {
                index = close.end
                ensureInlineContext(at: position)
                builder.addLeaf(.code(builder.storeText(validatedUTF8: UnsafeRawBufferPointer(content))),
                                range: SourceRange(start: position, end: self.position(at: close.end - 1)))
                return true
            }
            if isInTableStructure { return false }
            // The line break right after the opening tag and before the closing one lay
            // the block out; they are not code.
            if content.first == UInt8(ascii: "\n") { content = UnsafeBufferPointer(rebasing: content.dropFirst()) }
            // What is left is lines, each ending in a line break but the last: one empty
            // line is a lone line break, no line at all is nothing.
            let hasLines = !content.isEmpty
            if content.last == UInt8(ascii: "\n") { content = UnsafeBufferPointer(rebasing: content.dropLast()) }
            var language = fixedLanguage ?? ""
            if fixedLanguage == nil, let value = tag.value, dialect.code.language {
                language = value.trimmingASCIISpaces()
            }
            index = close.end
            prepareForBlock(at: position)
            var code = Array(content)
            if hasLines { code.append(UInt8(ascii: "\n")) }
            let ref = code.withUnsafeBytes { builder.storeText(validatedUTF8: $0) }
            builder.addLeaf(.codeBlock(info: language, code: ref), range: SourceRange(start: position, end: self.position(at: close.end - 1)))
            builder.setHintsForLastNode(spellingHint(tag, canonical: dialect.code.tags.first))
        default:
            return false
        }
        return true
    }

    private func containsKnownTag(_ content: UnsafeBufferPointer<UInt8>) -> Bool {
        for offset in content.indices where content[offset] == UInt8(ascii: "[") {
            if let tag = BBCodeTagScanner.scan(UnsafeBufferPointer(rebasing: content[offset...]), at: 0),
               vocabulary.role(of: tag) != nil {
                return true
            }
        }
        return false
    }

    /// The first `[/name]` (any case) after `start`, remembering where there is none so
    /// that many unclosed tags do not make the reading quadratic.
    private mutating func findClosingTag(_ name: String, from start: Int) -> ScannedTag? {
        if let known = noClosingTagAfter[name], known <= start { return nil }
        // A search from an earlier place that found a closing tag beyond this one found
        // the first one after here too; `[url]` repeated a thousand times stays linear.
        if let (searchedFrom, found) = closingTagFound[name], searchedFrom <= start, start <= found.start {
            return found
        }
        var position = start
        while position < input.count {
            if input[position] == UInt8(ascii: "["), position + 1 < input.count, input[position + 1] == UInt8(ascii: "/"),
               let tag = BBCodeTagScanner.scan(input, at: position), tag.isClosing, tag.name == name {
                closingTagFound[name] = (start, tag)
                return tag
            }
            position += 1
        }
        noClosingTagAfter[name] = min(noClosingTagAfter[name] ?? start, start)
        return nil
    }

    // MARK: Values

    private func inlineKind(_ tag: ScannedTag, _ role: TagRole) -> NodeKind? {
        switch role {
        case .bold: return .strong
        case .italic: return .emphasis
        case .underline: return .underline
        case .strikethrough: return .strikethrough
        case .subscript: return .subscript
        case .superscript: return .superscript
        case .color:
            guard let value = tag.value?.trimmingASCIISpaces() else { return nil }
            if !dialect.reading.rgbColours, value.lowercased().hasPrefix("rgb") { return nil }
            return CSSColor(parsing: value).map { .color($0) }
        case .size:
            return tag.value.flatMap(fontSize).map { .fontSize($0) }
        case .font:
            return tag.value.flatMap { FontFamily(parsing: $0) }.map { .font($0) }
        default:
            return nil
        }
    }

    /// A size in the dialect's unit; `px`, `pt` and `%` suffixes and the CSS keywords are
    /// understood everywhere. Out of bounds or unreadable: no size (the tag stays text).
    private func fontSize(_ value: String) -> FontSize? {
        let text = value.trimmingASCIISpaces().lowercased()
        let keywords = ["xx-small": 1, "x-small": 1, "small": 2, "medium": 3, "large": 4, "x-large": 5, "xx-large": 6]
        if let step = keywords[text] { return .scale(step) }
        let size: FontSize?
        if text.hasSuffix("px"), let number = Int(text.dropLast(2)) {
            size = .pixels(number)
        } else if text.hasSuffix("pt"), let number = Int(text.dropLast(2)) {
            size = .points(number)
        } else if text.hasSuffix("%"), let number = Int(text.dropLast()) {
            size = .percent(number)
        } else if let number = Int(text) {
            switch dialect.size {
            case .percent, nil: size = .percent(number)
            case .scale: size = .scale(number)
            case .pixels: size = .pixels(number)
            case .points: size = .points(number)
            }
        } else {
            size = nil
        }
        return size.flatMap { $0.isValid ? $0 : nil }
    }

    /// A URL as a tag gives it: trimmed, no spaces or line breaks inside, not empty. Which
    /// schemes are kept is not decided here but by the policy every reader applies to
    /// its tree (`SafetyPolicy.applyToReadDocument(_:)`), so a refused `[url=ftp://…]`
    /// reads as a refused `[…](ftp://…)` does: its text, with a warning.
    private func linkDestination(_ value: String, email: Bool) -> String? {
        // Looked at as bytes: a character test on a String walks grapheme clusters, which
        // made this a tenth of reading a post with links. Every byte asked about is ASCII,
        // and no other character's UTF-8 holds an ASCII byte.
        var text = value.trimmingASCIISpaces()
        // One pass over the contiguous bytes for all three questions (three passes of
        // `utf8.contains` cost 16 instructions a byte).
        var hasSpace = false
        var hasControl = false
        var hasAt = false
        text.withUTF8 { bytes in
            for byte in bytes {
                switch byte {
                case UInt8(ascii: " "): hasSpace = true
                case 0..<0x20, 0x7F: hasControl = true
                case UInt8(ascii: "@"): hasAt = true
                default: break
                }
            }
        }
        if hasSpace && dialect.reading.encodesSpacesInAddresses && !email {
            text = text.replacing(" ", with: "%20")
            hasSpace = false
        }
        guard !text.isEmpty, text.utf8.count <= 2048, !hasSpace, !hasControl else { return nil }
        if email {
            guard hasAt else { return nil }
            return text.lowercased().hasPrefix("mailto:") ? text : "mailto:" + text
        }
        return text
    }

    /// `?subject=…&body=…` from `[email subject=… body=…]` where the forum reads them
    /// (`ReadingRules.emailSubjectAndBody`), encoded as PHP's rawurlencode does.
    private func mailQuery(_ tag: ScannedTag) -> String {
        guard dialect.reading.emailSubjectAndBody else { return "" }
        let fields = [("subject", tag.attribute("subject")), ("body", tag.attribute("body"))].compactMap { name, value in
            value.map { "\(name)=\(Self.rawURLEncoded($0))" }
        }
        return fields.isEmpty ? "" : "?" + fields.joined(separator: "&")
    }

    private static func rawURLEncoded(_ text: String) -> String {
        var encoded = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                encoded += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return encoded
    }

    private func imageAttributes(_ tag: ScannedTag, content: String) -> (attributes: ImageAttributes, alt: String)? {
        var source = content.trimmingASCIISpaces()
        var alt = tag.attribute("alt") ?? ""
        var width = tag.attribute("width").flatMap { Int($0) }
        var height = tag.attribute("height").flatMap { Int($0) }
        if dialect.reading.imageSourceInValue, let named = tag.attribute("src") ?? tag.value, !named.isEmpty,
           Self.widthAndHeight(named.trimmingASCIISpaces()) == nil {
            // `[img=URL]…[/img]`, `[img src=URL]…[/img]`: the address is the value, and
            // what is between the tags is not shown.
            source = named.trimmingASCIISpaces()
            return linkDestination(source, email: false).map { destination in
                (ImageAttributes(source: destination, title: tag.attribute("title") ?? "", width: width, height: height), alt)
            }
        }
        if let value = tag.value?.trimmingASCIISpaces(), !value.isEmpty {
            switch dialect.image {
            case .urlInOption:
                if let size = Self.widthAndHeight(value) {
                    (width, height) = size
                } else {
                    alt = source
                    source = value
                }
            case .altInOption:
                alt = value
            case .sizeInOption, .plain, .attributes:
                guard let size = Self.widthAndHeight(value) else { return nil }
                (width, height) = size
            }
        }
        guard let destination = linkDestination(source, email: false) else { return nil }
        return (ImageAttributes(source: destination, title: tag.attribute("title") ?? "", width: width, height: height), alt)
    }

    /// `640x480`.
    private static func widthAndHeight(_ value: String) -> (Int?, Int?)? {
        let parts = value.lowercased().split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 2, let width = Int(parts[0]), let height = Int(parts[1]),
              (1...10_000).contains(width), (1...10_000).contains(height) else { return nil }
        return (width, height)
    }

    private func headingLevel(_ tag: ScannedTag) -> Int? {
        switch dialect.headings {
        case .single:
            return tag.value == nil ? 2 : nil
        case .headingEquals(let maximum):
            guard let level = tag.value.flatMap({ Int($0.trimmingASCIISpaces()) }), (1...maximum).contains(level) else { return nil }
            return level
        default:
            return nil
        }
    }

    private func listAttributes(_ tag: ScannedTag, _ role: TagRole) -> ListAttributes? {
        switch role {
        case .bulletList:
            return ListAttributes(kind: .bullet, isTight: true)
        case .orderedList:
            return ListAttributes(kind: .ordered(start: 1, numbering: .decimal), isTight: true)
        default:
            break
        }
        let option = tag.value
            ?? (dialect.lists.numbering == .typeAttribute || dialect.reading.listTypeAttribute ? tag.attribute("type") : nil)
        guard let option = option?.trimmingASCIISpaces(), !option.isEmpty, option != "*" else {
            return ListAttributes(kind: .bullet, isTight: true)
        }
        let styles: [String: NumberingStyle] = [
            "1": .decimal, "a": .lowerAlpha, "A": .upperAlpha, "i": .lowerRoman, "I": .upperRoman,
            "decimal": .decimal, "lower-alpha": .lowerAlpha, "upper-alpha": .upperAlpha,
            "lower-roman": .lowerRoman, "upper-roman": .upperRoman,
        ]
        var allowed: [NumberingStyle] = []
        switch dialect.lists.numbering {
        case .listEquals(let list): allowed = list
        case .typeAttribute: allowed = NumberingStyle.allCases
        case .none: allowed = []
        }
        if let style = styles[option], allowed.contains(style) {
            return ListAttributes(kind: .ordered(start: 1, numbering: style), isTight: true)
        }
        // A simple word (`disc`, `square`) some forums show as a bullet list.
        let isWord = option.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
        return dialect.lists.unknownOption == .bullet && isWord ? ListAttributes(kind: .bullet, isTight: true) : nil
    }

    /// The author of a quote and the ids that came with it, in the dialect's form.
    private mutating func quoteAttribution(_ tag: ScannedTag, at position: SourcePosition) -> (String?, [SyntaxHints.Attribute]) {
        var attributes = tag.attributes
        var author = tag.value?.trimmingASCIISpaces()
        switch dialect.quote {
        case .xenForo:
            // "Name, post: 1, member: 2"
            if let value = author {
                var parts = value.components(separatedByString: ", ")
                var ids: [SyntaxHints.Attribute] = []
                while let last = parts.last, let colon = last.firstIndex(of: ":"),
                      last[..<colon].allSatisfy({ $0.isLetter }), parts.count > 1 {
                    ids.insert(SyntaxHints.Attribute(name: String(last[..<colon]),
                                                     value: last[last.index(after: colon)...].trimmingASCIISpaces()), at: 0)
                    parts.removeLast()
                }
                author = parts.joined(separator: ", ")
                attributes = ids + attributes
            }
        case .semicolonPost:
            if let value = author, let semicolon = value.lastIndex(of: ";"),
               value.index(after: semicolon) != value.endIndex,
               value[value.index(after: semicolon)...].allSatisfy({ $0.isNumber }), semicolon != value.startIndex {
                attributes.insert(SyntaxHints.Attribute(name: "post", value: String(value[value.index(after: semicolon)...])), at: 0)
                author = String(value[..<semicolon])
            }
        case .quotedName, .bareName, .singleQuotedName, .authorAttribute:
            break
        }
        if dialect.reading.quoteAuthorLinks, let value = author, let (name, address) = Self.linkedAuthor(value) {
            author = name
            warnings.append(ConversionWarning(.loss, at: position, """
                the link on quote author '\(name)' (\(address)) has no place in the tree; the name was kept
                """))
        }
        // `[quote author=…]` is SMF's form, and common enough elsewhere to honour.
        if author == nil, let named = tag.attribute("author") {
            author = named
            attributes.removeAll { $0.name.lowercased() == "author" }
        }
        if let value = author, value.isEmpty { author = nil }
        return (author, attributes)
    }

    /// An author written `[url=ADDRESS]Name[/url]` or `[url]ADDRESS[/url]`: the name and
    /// the address.
    private static func linkedAuthor(_ value: String) -> (String, String)? {
        let lowered = value.lowercased()
        guard lowered.hasPrefix("[url"), lowered.hasSuffix("[/url]") else { return nil }
        let inner = value.dropLast("[/url]".count)
        guard let close = inner.firstIndex(of: "]") else { return nil }
        let opening = inner[..<close].dropFirst("[url".count)
        let text = String(inner[inner.index(after: close)...])
        if opening.isEmpty { return text.isEmpty ? nil : (text, text) }
        guard opening.hasPrefix("=") else { return nil }
        let address = String(opening.dropFirst())
        return (text, address)
    }

    // MARK: Hints and positions

    private func canonicalName(for role: TagRole) -> String? {
        switch role {
        case .bold: dialect.bold.first
        case .italic: dialect.italic.first
        case .underline: dialect.underline.first
        case .strikethrough: dialect.strikethrough.first
        case .url: dialect.url.first
        case .email: dialect.email.first
        default: nil
        }
    }

    /// Records the tag's spelling when it differs from what the writer would write, so
    /// writing back to the same dialect keeps `[B]` or `[strike]`.
    private func spellingHint(_ tag: ScannedTag, canonical: String?) -> SyntaxHints {
        guard tag.spelledName != (canonical ?? tag.name) else { return SyntaxHints() }
        return SyntaxHints(spelling: tag.spelledName)
    }

    /// The line and column (UTF-8 bytes, 1-based) of a byte offset. Offsets only move
    /// forward during a parse, so this counts each line end once.
    private mutating func position(at offset: Int) -> SourcePosition {
        if offset < countedUpTo {
            // Backwards within the current line (a tag's start after its text).
            if offset >= lineStart { return SourcePosition(line: line, column: Int32(offset - lineStart + 1)) }
            return recount(offset)
        }
        // Line ends found with memchr: this runs over every byte of the input once.
        var position = countedUpTo
        let base = input.baseAddress!
        while position < offset,
              let found = memchr(base + position, Int32(UInt8(ascii: "\n")), offset - position) {
            let newline = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            line += 1
            lineStart = newline + 1
            position = newline + 1
        }
        countedUpTo = offset
        return SourcePosition(line: line, column: Int32(offset - lineStart + 1))
    }

    private func recount(_ offset: Int) -> SourcePosition {
        var line: Int32 = 1
        var start = 0
        for position in 0..<offset where input[position] == UInt8(ascii: "\n") {
            line += 1
            start = position + 1
        }
        return SourcePosition(line: line, column: Int32(offset - start + 1))
    }
}

extension String {
    func trimmingASCIISpaces() -> String {
        let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") }
        let bytes = utf8
        guard let first = bytes.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = bytes.lastIndex(where: { !isSpace($0) })!
        if first == bytes.startIndex && last == bytes.index(before: bytes.endIndex) { return self }
        return String(Substring(bytes[first...last]))
    }

    func components(separatedByString separator: String) -> [String] {
        var parts: [String] = []
        var rest = Substring(self)
        while let range = rest.firstRange(of: separator) {
            parts.append(String(rest[..<range.lowerBound]))
            rest = rest[range.upperBound...]
        }
        parts.append(String(rest))
        return parts
    }
}

extension Substring {
    func trimmingASCIISpaces() -> String { String(self).trimmingASCIISpaces() }
}
