import CGumbo
import GumboGuard
import MarkupKitCore

/// Reads HTML — a whole page or a fragment — into a document.
///
/// Gumbo parses the input exactly as the HTML5 standard tells browsers to, so broken
/// markup (unclosed tags, misnested formatting, a list directly inside a list) becomes
/// the tree a browser would show. The reader then maps that tree onto the document's
/// kinds: inline content directly in a block becomes a paragraph, formatting around a
/// block is closed before it and reopened inside and after it, whitespace follows HTML's
/// rules (runs are one space, `pre` keeps its text). Elements without a kind keep their
/// content; `script`, `style`, comments and embedded objects are dropped with a warning.
///
/// The walk over gumbo's tree is a loop with an explicit stack, so depth never reaches
/// the call stack. Gumbo's own cost grows with the square of the nesting depth; a
/// deadline (``Options/timeLimit``) turns a pathological input into
/// `MarkupKitError.tooComplex` rather than minutes of work.
public struct HTMLReader: Sendable {
    public struct Options: Hashable, Sendable {
        /// What is let through and what the input may cost: gumbo's time and memory
        /// budget, the nesting limit, the expansion budget of spanning cells and short
        /// rows, the address allowlist applied to what is read.
        public var policy: SafetyPolicy

        /// Keep the tags of elements that have no kind of their own (`<div class="note">`,
        /// `<span id="x">`, custom elements) as raw HTML around their converted content,
        /// exactly as they were written. Right for Markdown output, where raw HTML renders;
        /// wrong for BBCode, where it would show as text, so off by default.
        public var keepsUnknownElements: Bool

        /// How long gumbo may take, in seconds; nil for no limit.
        public var timeLimit: Double? {
            get { policy.parseTimeLimit }
            set { policy.parseTimeLimit = newValue }
        }

        /// How much memory gumbo may allocate for one document, in bytes: the policy's
        /// limit, or 2 GiB when it sets none.
        public var memoryLimit: Int { policy.parseMemoryLimit ?? 1 << 31 }

        /// How deep elements may nest in the tree (`NestingLimit`); nil for no limit.
        /// Past it, elements keep their content without a level of their own.
        public var nestingLimit: Int? {
            get { policy.nestingLimit }
            set { policy.nestingLimit = newValue }
        }

        public init(policy: SafetyPolicy = .standard, keepsUnknownElements: Bool = false) {
            self.policy = policy
            self.keepsUnknownElements = keepsUnknownElements
        }

        /// The standard policy with the given limits; a nil `memoryLimit` is none.
        public init(timeLimit: Double? = 10, memoryLimit: Int? = 1 << 31, keepsUnknownElements: Bool = false,
                    nestingLimit: Int? = NestingLimit.standard) {
            var policy = SafetyPolicy.standard
            policy.parseTimeLimit = timeLimit
            policy.parseMemoryLimit = memoryLimit ?? .max
            policy.nestingLimit = nestingLimit
            self.init(policy: policy, keepsUnknownElements: keepsUnknownElements)
        }
    }

    public var options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    /// Reads HTML text.
    public func read(_ text: String) throws(MarkupKitError) -> ReadResult {
        try read(utf8: Array(text.utf8))
    }

    /// Reads UTF-8 bytes; invalid UTF-8 is an error naming the first bad byte.
    public func read(utf8 bytes: [UInt8]) throws(MarkupKitError) -> ReadResult {
        try UTF8Validation.validate(bytes)
        return try read(preparedUTF8: bytes)
    }

    /// Reads bytes `InputPreparation` has already validated (`MarkupKit.read`), without
    /// validating them again.
    package func read(preparedUTF8 bytes: [UInt8]) throws(MarkupKitError) -> ReadResult {
        // Gumbo's tree points into the input (each tag's source text), so the input stays
        // pinned until the conversion is done.
        try bytes.withUnsafeBufferPointer { buffer throws(MarkupKitError) in
            try read(buffer)
        }
    }

    private func read(_ bytes: UnsafeBufferPointer<UInt8>) throws(MarkupKitError) -> ReadResult {
        let parse = bytes.withMemoryRebound(to: CChar.self) { chars in
            markupkit_html_parse_document(chars.baseAddress, chars.count, options.timeLimit ?? 0,
                                          options.memoryLimit == .max ? 0 : max(1, options.memoryLimit))
        }
        guard let parse else { throw .tooComplex(parser: "HTML", limit: "out of memory") }
        defer { markupkit_html_parse_free(parse) }
        switch markupkit_html_parse_status(parse) {
        case MARKUPKIT_HTML_PARSED:
            break
        case MARKUPKIT_HTML_TOO_SLOW:
            throw .tooComplex(parser: "HTML", limit: "not parsed within \(Self.formatSeconds(options.timeLimit ?? 0)) s")
        case MARKUPKIT_HTML_TOO_LARGE:
            throw .tooComplex(parser: "HTML", limit: "more than \(options.memoryLimit >> 20) MiB of parser memory")
        default:
            throw .tooComplex(parser: "HTML", limit: "out of memory")
        }
        let output = markupkit_html_parse_output(parse)!
        var conversion = HTMLTreeConversion(lineStarts: Self.lineStarts(of: bytes), textBytes: bytes.count,
                                            keepsUnknownElements: options.keepsUnknownElements)
        conversion.nestingLimit = options.nestingLimit ?? .max
        conversion.expansionBudget = options.policy.expansionBudget(forInputOf: bytes.count)
        conversion.policy = options.policy
        conversion.convert(root: output.pointee.document)
        var result = conversion.finish()
        options.policy.applyToReadDocument(&result)
        return result
    }

    private static func formatSeconds(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }

    /// The byte offset where each line starts, for turning gumbo's offsets into columns.
    private static func lineStarts(of bytes: UnsafeBufferPointer<UInt8>) -> [Int] {
        var starts = [0]
        for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            starts.append(offset + 1)
        }
        return starts
    }
}

// MARK: - The conversion

/// What an element means to the reader, decided once per tag.
enum ElementRole: Equatable {
    /// Inline element with no kind of its own: content kept, no paragraph boundary.
    case inline
    /// Block element with no kind of its own: content kept between paragraph boundaries.
    case block
    case paragraph
    case heading(Int)
    case blockQuote
    case list(ordered: Bool)
    case listItem
    case preformatted
    case thematicBreak
    case lineBreak
    case table
    case tableSection(isHeader: Bool)
    case tableRow
    case tableCell(isHeader: Bool)
    case caption
    case details
    case figure
    case image
    case input
    case anchor
    case code
    case formatting(NodeKind)
    case superscript
    case font
    case center
    case definitionTerm
    /// Dropped with its content; `warning` names it in the message, nil drops silently.
    case dropped(warning: String?)

    var isInlineFormatting: Bool {
        switch self {
        case .formatting, .superscript, .font, .anchor: true
        default: false
        }
    }

    /// The role of an element gumbo knows by its tag. A switch on gumbo's tag numbers,
    /// not a table made by naming every tag: that table's hundred and fifty string
    /// switches were 0.46 M instructions in every run that read HTML.
    static func of(_ tag: GumboTag) -> ElementRole {
        switch tag {
        case GUMBO_TAG_P: .paragraph
        case GUMBO_TAG_H1: .heading(1)
        case GUMBO_TAG_H2: .heading(2)
        case GUMBO_TAG_H3: .heading(3)
        case GUMBO_TAG_H4: .heading(4)
        case GUMBO_TAG_H5: .heading(5)
        case GUMBO_TAG_H6: .heading(6)
        case GUMBO_TAG_BLOCKQUOTE: .blockQuote
        case GUMBO_TAG_UL, GUMBO_TAG_MENU, GUMBO_TAG_DIR: .list(ordered: false)
        case GUMBO_TAG_OL: .list(ordered: true)
        case GUMBO_TAG_LI: .listItem
        case GUMBO_TAG_PRE, GUMBO_TAG_LISTING, GUMBO_TAG_XMP, GUMBO_TAG_PLAINTEXT: .preformatted
        case GUMBO_TAG_HR: .thematicBreak
        case GUMBO_TAG_BR: .lineBreak
        case GUMBO_TAG_TABLE: .table
        case GUMBO_TAG_THEAD: .tableSection(isHeader: true)
        case GUMBO_TAG_TBODY, GUMBO_TAG_TFOOT: .tableSection(isHeader: false)
        case GUMBO_TAG_TR: .tableRow
        case GUMBO_TAG_TD: .tableCell(isHeader: false)
        case GUMBO_TAG_TH: .tableCell(isHeader: true)
        case GUMBO_TAG_CAPTION: .caption
        case GUMBO_TAG_DETAILS: .details
        case GUMBO_TAG_FIGURE: .figure
        case GUMBO_TAG_IMG, GUMBO_TAG_IMAGE: .image
        case GUMBO_TAG_INPUT: .input
        case GUMBO_TAG_A: .anchor
        case GUMBO_TAG_CODE, GUMBO_TAG_KBD, GUMBO_TAG_SAMP, GUMBO_TAG_TT, GUMBO_TAG_VAR: .code
        case GUMBO_TAG_EM, GUMBO_TAG_I, GUMBO_TAG_CITE, GUMBO_TAG_DFN: .formatting(.emphasis)
        case GUMBO_TAG_STRONG, GUMBO_TAG_B: .formatting(.strong)
        case GUMBO_TAG_U, GUMBO_TAG_INS: .formatting(.underline)
        case GUMBO_TAG_S, GUMBO_TAG_DEL, GUMBO_TAG_STRIKE: .formatting(.strikethrough)
        case GUMBO_TAG_SUB: .formatting(.subscript)
        case GUMBO_TAG_SUP: .superscript
        case GUMBO_TAG_FONT: .font
        case GUMBO_TAG_CENTER: .center
        case GUMBO_TAG_DT: .definitionTerm
        case GUMBO_TAG_HTML, GUMBO_TAG_HEAD, GUMBO_TAG_BODY, GUMBO_TAG_DIV, GUMBO_TAG_SECTION, GUMBO_TAG_ARTICLE,
             GUMBO_TAG_MAIN, GUMBO_TAG_HEADER, GUMBO_TAG_FOOTER, GUMBO_TAG_NAV, GUMBO_TAG_ASIDE, GUMBO_TAG_ADDRESS,
             GUMBO_TAG_HGROUP, GUMBO_TAG_DL, GUMBO_TAG_DD, GUMBO_TAG_FIGCAPTION, GUMBO_TAG_FIELDSET, GUMBO_TAG_LEGEND,
             GUMBO_TAG_FORM, GUMBO_TAG_SUMMARY,
             GUMBO_TAG_NOSCRIPT, GUMBO_TAG_VIDEO, GUMBO_TAG_AUDIO, GUMBO_TAG_OBJECT, GUMBO_TAG_CANVAS, GUMBO_TAG_MAP,
             GUMBO_TAG_FRAMESET, GUMBO_TAG_NOFRAMES:
            .block
        case GUMBO_TAG_SCRIPT: .dropped(warning: "<script>")
        case GUMBO_TAG_STYLE: .dropped(warning: "<style>")
        case GUMBO_TAG_TEMPLATE: .dropped(warning: "<template>")
        case GUMBO_TAG_IFRAME, GUMBO_TAG_FRAME: .dropped(warning: "<iframe>")
        case GUMBO_TAG_EMBED: .dropped(warning: "<embed>")
        case GUMBO_TAG_SVG: .dropped(warning: "<svg>")
        case GUMBO_TAG_MATH: .dropped(warning: "<math>")
        case GUMBO_TAG_SELECT, GUMBO_TAG_TEXTAREA, GUMBO_TAG_DATALIST, GUMBO_TAG_OPTION, GUMBO_TAG_OPTGROUP,
             GUMBO_TAG_BUTTON, GUMBO_TAG_KEYGEN,
             GUMBO_TAG_OUTPUT, GUMBO_TAG_PROGRESS, GUMBO_TAG_METER:
            .dropped(warning: "form control")
        case GUMBO_TAG_TITLE, GUMBO_TAG_META, GUMBO_TAG_LINK, GUMBO_TAG_BASE, GUMBO_TAG_BASEFONT, GUMBO_TAG_BGSOUND,
             GUMBO_TAG_COL, GUMBO_TAG_COLGROUP, GUMBO_TAG_PARAM, GUMBO_TAG_SOURCE,
             GUMBO_TAG_TRACK, GUMBO_TAG_AREA, GUMBO_TAG_WBR, GUMBO_TAG_RP:
            .dropped(warning: nil)
        default: .inline
        }
    }

    /// Gumbo's number for a tag name (`GUMBO_TAG_UNKNOWN` for one it does not know).
    static func gumboTag(named name: String) -> GumboTag {
        var name = name
        return name.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { gumbo_tagn_enum($0.baseAddress, UInt32($0.count)) }
        }
    }

    /// The role of an element by its lower-case name: gumbo's for the names it knows, and
    /// for two it does not (0.10 predates them).
    static func role(named name: String) -> ElementRole {
        let tag = gumboTag(named: name)
        if tag != GUMBO_TAG_UNKNOWN { return of(tag) }
        switch name {
        case "search", "dialog": return .block
        default: return .inline
        }
    }
}

/// Formatting an element asked for, opened in the builder only once content arrives (so
/// empty formatting leaves no node and whitespace before it stays outside), and reopened
/// in the next paragraph when a block splits it.
private struct InlineEntry {
    var kind: NodeKind
    var range: SourceRange
    var isOpen = false
}

/// A list being read: where it sits in the builder and whether any item showed paragraphs.
private struct ListState {
    var depth: Int
    var isLoose = false
}

/// A table being read. It is opened in the builder at its first row, so a caption before
/// the rows can still become a paragraph above it.
private struct TableState {
    var depth: Int?
    /// Where the row being read starts, for the warning when its cells are not filled out.
    var rowStart = SourcePosition(line: 1, column: 1)
    var columns: [ColumnAlignment] = []
    var inHeaderSection = false
    var hasHeaderRow = false
    var rowCount = 0
    var cellCount = 0
    var rowHasOnlyHeaderCells = true
}

/// What an element did on the way in, undone in reverse on the way out. A block-level
/// element's `boundary` comes first, whatever its place: the paragraph inside it ends
/// before anything it opened closes.
private enum ExitAction: Equatable {
    case boundary
    case popInlineEntries(Int)
    case closeBlock
    case closeHost
    case endList
    case endTable
    case endTableRow
    case endTableSection
    case endFootnotes
    /// Empty cells after a cell that spans columns, so the columns stay aligned.
    case padCells(Int)
    /// The end tag of an element kept as raw HTML.
    case rawEndTag(GumboNodePointer, isBlock: Bool)
}

/// The container inline content goes into.
private enum Host {
    /// Block context: inline content opens a paragraph first.
    case none
    /// A paragraph the reader opened for inline content; a block ends it.
    case paragraph
    /// A heading or table cell, which holds only inlines: blocks inside it are flattened
    /// to lines.
    case inlineOnly
}

private struct Frame {
    var node: GumboNodePointer
    var nextChild = 0
    var exits: [ExitAction] = []
}

private struct HTMLTreeConversion {
    var builder = DocumentBuilder()
    var warnings: [ConversionWarning] = []
    let lineStarts: [Int]

    var host = Host.none
    var entries: [InlineEntry] = []
    var lists: [ListState] = []
    var tables: [TableState] = []
    /// Whitespace seen since the last content: dropped at a line's start and end.
    var pendingSpace = PendingSpace.none
    /// A block boundary inside an inline-only host, written as a line break if content follows.
    var pendingLineBreak = false
    var lineHasContent = false
    var hostHasContent = false
    /// The builder depth at which a paragraph was just closed, to see two paragraphs in a row.
    var paragraphClosedAtDepth: Int?
    /// Footnote sections being read (cmark-gfm's and GitHub's markup).
    var footnoteSections = 0
    /// Nodes another element already took care of (a `<summary>`, a quote's caption).
    var handled: Set<GumboNodePointer> = []
    var attributions: [GumboNodePointer: String] = [:]
    var flattenWarned = false
    /// Dropped content, counted per kind and reported once each.
    var dropped: [String: (count: Int, position: SourcePosition)] = [:]
    var droppedOrder: [String] = []

    enum PendingSpace: Comparable { case none, space, newline }

    let keepsUnknownElements: Bool
    var nestingLimit = Int.max
    var warnedAboutNesting = false
    var policy = SafetyPolicy.standard
    /// How many empty cells may still be added (spanning cells, short rows): a 51-byte
    /// `colspan=10000000`, or a wide row followed by many short ones, would otherwise
    /// make output out of all proportion to the input.
    var expansionBudget = Int.max
    var warnedAboutExpansion = false

    init(lineStarts: [Int], textBytes: Int, keepsUnknownElements: Bool) {
        self.lineStarts = lineStarts
        self.keepsUnknownElements = keepsUnknownElements
        builder = DocumentBuilder(reservingNodes: textBytes / 16, textBytes: textBytes / 2)
    }

    mutating func finish() -> ReadResult {
        endParagraph()
        for key in droppedOrder {
            let (count, position) = dropped[key]!
            let message = count == 1 ? "\(key) dropped" : "\(count) × \(key) dropped (the first here)"
            warnings.append(ConversionWarning(.loss, at: position, message))
        }
        return ReadResult(document: builder.finish(), warnings: warnings)
    }

    // MARK: Walking

    mutating func convert(root: GumboNodePointer) {
        var stack: [Frame] = [Frame(node: root)]
        while !stack.isEmpty {
            let top = stack.count - 1
            let node = stack[top].node
            guard stack[top].nextChild < node.childCount else {
                finish(stack.removeLast().exits)
                continue
            }
            let child = node.child(stack[top].nextChild)
            stack[top].nextChild += 1
            switch child.pointee.type {
            case GUMBO_NODE_TEXT, GUMBO_NODE_WHITESPACE, GUMBO_NODE_CDATA:
                text(child)
            case GUMBO_NODE_ELEMENT:
                guard !handled.contains(child) else { continue }
                var exits: [ExitAction] = []
                if enter(child, exits: &exits) {
                    stack.append(Frame(node: child, exits: exits))
                } else {
                    finish(exits)
                }
            case GUMBO_NODE_COMMENT:
                drop("HTML comment", at: child)
            case GUMBO_NODE_TEMPLATE:
                drop("<template>", at: child)
            default:
                break
            }
        }
    }

    func position(of node: GumboNodePointer) -> SourcePosition {
        let start = node.startPosition
        let line = Int(start.line)
        guard line >= 1, line <= lineStarts.count, Int(start.offset) >= lineStarts[line - 1] else {
            return SourcePosition(line: Int32(clamping: line), column: Int32(clamping: Int(start.column)))
        }
        return SourcePosition(line: Int32(clamping: line), column: Int32(clamping: Int(start.offset) - lineStarts[line - 1] + 1))
    }

    func range(of node: GumboNodePointer) -> SourceRange {
        let start = position(of: node)
        return SourceRange(start: start, end: start)
    }

    mutating func drop(_ key: String, at node: GumboNodePointer) {
        if let known = dropped[key] {
            dropped[key] = (known.count + 1, known.position)
        } else {
            dropped[key] = (1, position(of: node))
            droppedOrder.append(key)
        }
    }

    /// Handles an element's start; returns whether its children should be walked.
    /// Whatever it opens, it lists in `exits` to be undone when the element ends.
    mutating func enter(_ element: GumboNodePointer, exits: inout [ExitAction]) -> Bool {
        let role = ElementRole.of(element.tag)
        if builder.depth >= nestingLimit || entries.count >= nestingLimit, let keepsContent = pastNestingLimit(role, element) {
            if !keepsContent { return false }
            if role != .inline && !role.isInlineFormatting {
                blockBoundary()
                exits.append(.boundary)
            }
            return true
        }
        let style = element.attribute("style").map(CSSDeclarations.init(parsing:)) ?? CSSDeclarations()
        switch role {
        case .dropped(let warning):
            if let warning { drop(warning, at: element) }
            return false
        case .inline:
            if keepsRaw(element) {
                addRawInline(element.pointee.v.element.original_tag, at: element)
                exits.append(.rawEndTag(element, isBlock: false))
            }
            pushEntries(for: style, element: element, exits: &exits)
            return true
        case .formatting(let kind):
            pushEntries([kind], element: element, exits: &exits)
            pushEntries(for: style, element: element, exits: &exits)
            return true
        case .superscript:
            if let label = footnoteReferenceLabel(element) {
                addInline(.footnoteReference(label: label), at: element)
                return false
            }
            pushEntries([.superscript], element: element, exits: &exits)
            pushEntries(for: style, element: element, exits: &exits)
            return true
        case .font:
            pushEntries(HTMLAttributeValues.fontElementKinds(color: element.attribute("color"), size: element.attribute("size"),
                                              face: element.attribute("face")), element: element, exits: &exits)
            pushEntries(for: style, element: element, exits: &exits)
            return true
        case .anchor:
            if element.hasClass("footnote-backref") || element.hasAttribute("data-footnote-backref") { return false }
            if let label = footnoteReferenceLabel(anchor: element) {
                addInline(.footnoteReference(label: label), at: element)
                return false
            }
            if keepsUnknownElements, element.hasAttribute("href"), element.childCount == 0,
               element.pointee.v.element.original_tag.length > 0 {
                // A link around nothing has no Markdown form; its tags do.
                addRawInline(element.pointee.v.element.original_tag, at: element)
                exits.append(.rawEndTag(element, isBlock: false))
                return false
            }
            if keepsRaw(element) && !element.hasAttribute("href") {
                addRawInline(element.pointee.v.element.original_tag, at: element)
                exits.append(.rawEndTag(element, isBlock: false))
                return true
            }
            if let href = element.attribute("href") {
                let title = element.attribute("title") ?? ""
                pushEntries([.link(destination: HTMLAttributeValues.url(href), title: title)], element: element,
                            exits: &exits)
            }
            pushEntries(for: style, element: element, exits: &exits)
            return true
        case .code:
            var code = element.textContent()
            // Line ends become spaces, on the bytes (a map over the scalars rebuilt into a
            // string was 10 000 instructions a code element).
            let isLineEnd = { (byte: UInt8) in byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") }
            if code.utf8.contains(where: isLineEnd) {
                code = String(decoding: code.utf8.map { isLineEnd($0) ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
            }
            guard !code.isEmpty else { return false }
            prepareForContent()
            builder.addLeaf(.code(builder.storeText(code)), range: range(of: element))
            contentAdded()
            return false
        case .image:
            image(element)
            return false
        case .lineBreak:
            lineBreak(at: element)
            return false
        case .input:
            taskCheckbox(element)
            return false
        case .block, .figure, .caption:
            return enterBlock(element, role: role, style: style, exits: &exits)
        case .center:
            var centered = style
            centered.textAlign = centered.textAlign ?? .center
            return enterBlock(element, role: .block, style: centered, exits: &exits)
        case .definitionTerm:
            let entered = enterBlock(element, role: .block, style: style, exits: &exits)
            pushEntries([.strong], element: element, exits: &exits)
            return entered
        case .paragraph, .heading, .blockQuote, .details:
            return enterBlock(element, role: role, style: style, exits: &exits)
        case .list(let ordered):
            return enterList(element, ordered: ordered, style: style, exits: &exits)
        case .listItem:
            return enterListItem(element, style: style, exits: &exits)
        case .preformatted:
            preformatted(element)
            return false
        case .thematicBreak:
            guard host != .inlineOnly else {
                flattened("a horizontal rule", at: element)
                return false
            }
            endParagraph()
            prepareForBlock()
            builder.addLeaf(.thematicBreak, range: range(of: element))
            return false
        case .table:
            return enterTable(element, exits: &exits)
        case .tableSection(let isHeader):
            guard !tables.isEmpty, host != .inlineOnly else { return true }
            tables[tables.count - 1].inHeaderSection = isHeader
            exits.append(.endTableSection)
            return true
        case .tableRow:
            return enterTableRow(element, exits: &exits)
        case .tableCell(let isHeader):
            return enterTableCell(element, isHeader: isHeader, style: style, exits: &exits)
        }
    }

    mutating func finish(_ exits: [ExitAction]) {
        if exits.contains(.boundary) { blockBoundary() }
        for action in exits.reversed() where action != .boundary { perform(action) }
    }

    /// Past the nesting limit an element that would add a level keeps only its content
    /// (true); nil lets the element through (leaves, and the parts of a table or a
    /// paragraph, which hold the text and add a bounded number of levels).
    mutating func pastNestingLimit(_ role: ElementRole, _ element: GumboNodePointer) -> Bool? {
        switch role {
        case .dropped, .lineBreak, .image, .input, .code, .preformatted, .thematicBreak, .paragraph, .heading,
             .tableSection, .tableRow, .tableCell, .caption:
            return nil
        default:
            if !warnedAboutNesting {
                warnedAboutNesting = true
                warnings.append(NestingLimit.warning(nestingLimit, at: position(of: element)))
            }
            return true
        }
    }

    mutating func perform(_ action: ExitAction) {
        switch action {
        case .boundary:
            blockBoundary()
        case .popInlineEntries(let count):
            for _ in 0..<count {
                let entry = entries.removeLast()
                if entry.isOpen { builder.closeDroppingIfEmpty() }
            }
        case .closeBlock:
            builder.close()
            paragraphClosedAtDepth = nil
        case .closeHost:
            closeOpenEntries()
            builder.trimTrailingWhitespace()
            builder.close()
            host = .none
            resetLine()
        case .endList:
            let list = lists.removeLast()
            if builder.depth == list.depth + 1 { builder.close() }  // the last item
            if list.isLoose, case .list(var attributes) = builder.currentContainer {
                attributes.isTight = false
                builder.replaceCurrentContainer(with: .list(attributes))
            }
            builder.close()
            paragraphClosedAtDepth = nil
        case .rawEndTag(let element, let isBlock):
            guard let tag = Self.sourceEndTag(of: element) else { return }  // the parser closed it, not the source
            if isBlock {
                prepareForBlock()
                builder.addLeaf(.rawBlock(format: .html, content: storeSource(tag)), range: range(of: element))
                paragraphClosedAtDepth = nil
            } else {
                addRawInline(tag, at: element)
            }
        case .padCells(let count):
            for _ in 0..<takeFromExpansionBudget(count) {
                builder.open(.tableCell)
                builder.close()
                tables[tables.count - 1].cellCount += 1
                if tables[tables.count - 1].columns.count < tables[tables.count - 1].cellCount {
                    tables[tables.count - 1].columns.append(.none)
                }
            }
        case .endTableSection:
            tables[tables.count - 1].inHeaderSection = false
        case .endTableRow:
            endTableRow()
        case .endTable:
            let table = tables.removeLast()
            if table.depth != nil {
                builder.replaceCurrentContainer(with: .table(columns: table.columns))
                builder.close()
            }
            paragraphClosedAtDepth = nil
        case .endFootnotes:
            footnoteSections -= 1
        }
    }

    // MARK: Inline content

    /// Opens what inline content needs: a paragraph in block context (an item first, in a
    /// list), the whitespace or line break before it, and formatting not yet open.
    mutating func prepareForContent() {
        if host == .none {
            prepareForBlock()
            if let depth = paragraphClosedAtDepth, depth == builder.depth, case .listItem = builder.currentContainer {
                // Two paragraphs in one item need a blank line between them in Markdown.
                markInnermostListLoose()
            }
            builder.open(.paragraph)
            host = .paragraph
            resetLine()
            hostHasContent = false
        }
        if pendingLineBreak {
            pendingLineBreak = false
            if hostHasContent {
                builder.addLeaf(.lineBreak)
                lineHasContent = false
            }
            pendingSpace = .none
        }
        if pendingSpace != .none {
            if lineHasContent {
                if pendingSpace == .newline { builder.addLeaf(.softBreak) } else { builder.addText(" ") }
            }
            pendingSpace = .none
        }
        for index in entries.indices where !entries[index].isOpen {
            builder.open(entries[index].kind, range: entries[index].range)
            entries[index].isOpen = true
        }
    }

    mutating func contentAdded() {
        lineHasContent = true
        hostHasContent = true
    }

    mutating func resetLine() {
        pendingSpace = .none
        pendingLineBreak = false
        lineHasContent = false
    }

    mutating func addInline(_ kind: NodeKind, at element: GumboNodePointer) {
        prepareForContent()
        builder.addLeaf(kind, range: range(of: element))
        contentAdded()
    }

    /// Text, with HTML's whitespace rules: a run of whitespace is one space (a soft line
    /// break if it holds a newline), and none at the start or end of a line.
    mutating func text(_ node: GumboNodePointer) {
        let raw = node.textBytes
        // Gumbo 0.10 can encode a character reference it should have refused (found by
        // fuzzing); the tree only ever holds valid UTF-8.
        if UTF8Validation.firstInvalidOffset(in: raw.assumingMemoryBound(to: UInt8.self)) != nil {
            var repaired = Array(String(decoding: raw, as: UTF8.self).utf8)
            repaired.withUnsafeMutableBytes { text(UnsafeRawBufferPointer($0), node: node) }
            return
        }
        text(raw, node: node)
    }

    mutating func text(_ bytes: UnsafeRawBufferPointer, node: GumboNodePointer) {
        let textRange = range(of: node)
        var index = 0
        while index < bytes.count {
            var end = index
            if Self.isWhitespace(bytes[index]) {
                var holdsNewline = false
                while end < bytes.count, Self.isWhitespace(bytes[end]) {
                    if bytes[end] == UInt8(ascii: "\n") || bytes[end] == UInt8(ascii: "\r") { holdsNewline = true }
                    end += 1
                }
                if lineHasContent { pendingSpace = max(pendingSpace, holdsNewline ? .newline : .space) }
            } else {
                // Words parted by single spaces go in as one run (a single space stays
                // one space): text added word by word was 1 800 instructions a text node.
                while end < bytes.count {
                    if !Self.isWhitespace(bytes[end]) {
                        end += 1
                    } else if bytes[end] == UInt8(ascii: " "), end + 1 < bytes.count, !Self.isWhitespace(bytes[end + 1]) {
                        end += 2
                    } else {
                        break
                    }
                }
                prepareForContent()
                builder.addText(validatedUTF8: UnsafeRawBufferPointer(rebasing: bytes[index..<end]), range: textRange)
                contentAdded()
            }
            index = end
        }
    }

    static func isWhitespace(_ byte: UInt8) -> Bool { HTMLEscaping.isHTMLSpace(byte) }

    mutating func lineBreak(at element: GumboNodePointer) {
        pendingSpace = .none
        // A break with nothing before it on its paragraph has no Markdown or BBCode form.
        guard host != .none, hostHasContent else { return }
        pendingLineBreak = false
        prepareForContent()
        builder.addLeaf(.lineBreak, range: range(of: element))
        lineHasContent = false
    }

    mutating func image(_ element: GumboNodePointer) {
        let alternative = element.attribute("alt") ?? ""
        guard let source = element.attribute("src").map(HTMLAttributeValues.url), !source.isEmpty else {
            if !alternative.isEmpty {
                prepareForContent()
                builder.addText(alternative, range: range(of: element))
                contentAdded()
            }
            return
        }
        let attributes = ImageAttributes(source: source, title: element.attribute("title") ?? "",
                                         width: element.attribute("width").flatMap(HTMLAttributeValues.pixelCount),
                                         height: element.attribute("height").flatMap(HTMLAttributeValues.pixelCount))
        prepareForContent()
        builder.open(.image(attributes), range: range(of: element))
        builder.addText(alternative)
        builder.close()
        contentAdded()
    }

    /// A checkbox as the first thing in a list item makes it a task item.
    mutating func taskCheckbox(_ element: GumboNodePointer) {
        guard element.attribute("type")?.lowercased() == "checkbox" else {
            drop("form control", at: element)
            return
        }
        if host == .none, case .listItem(nil) = builder.currentContainer, builder.currentContainerIsEmpty {
            builder.replaceCurrentContainer(with: .listItem(task: element.hasAttribute("checked") ? .checked : .unchecked))
            return
        }
        prepareForContent()
        builder.addText(element.hasAttribute("checked") ? "[x]" : "[ ]", range: range(of: element))
        contentAdded()
    }

    /// `<sup class="footnote-ref"><a href="#fn-x">` (cmark-gfm) or a `<sup>` around an
    /// `<a data-footnote-ref>` (GitHub).
    func footnoteReferenceLabel(_ superscript: GumboNodePointer) -> String? {
        if superscript.hasClass("footnote-ref"), superscript.firstChildElement(GUMBO_TAG_A) == nil,
           let id = superscript.attribute("id"), id.hasPrefix("fnref-"), id.count > 6 {
            // Our writer's form inside a link, where the reference cannot be a link itself.
            var label = String(id.dropFirst(6))
            if let dash = label.lastIndex(of: "-"), label[label.index(after: dash)...].allSatisfy(\.isNumber),
               label.index(after: dash) < label.endIndex {
                label = String(label[..<dash])
            }
            return Self.percentDecoded(label)
        }
        guard superscript.childCount == 1, let anchor = superscript.firstChildElement(GUMBO_TAG_A) else { return nil }
        guard superscript.hasClass("footnote-ref") || anchor.hasAttribute("data-footnote-ref") else { return nil }
        return footnoteReferenceLabel(anchor: anchor)
    }

    func footnoteReferenceLabel(anchor: GumboNodePointer) -> String? {
        guard anchor.hasAttribute("data-footnote-ref") || anchor.hasClass("footnote-ref"),
              let href = anchor.attribute("href") else { return nil }
        for prefix in ["#user-content-fn-", "#fn-", "#fn"] where href.hasPrefix(prefix) && href.count > prefix.count {
            return Self.percentDecoded(String(href.dropFirst(prefix.count)))
        }
        return nil
    }

    static func percentDecoded(_ text: String) -> String {
        var bytes: [UInt8] = []
        let utf8 = Array(text.utf8)
        var index = 0
        while index < utf8.count {
            if utf8[index] == UInt8(ascii: "%"), index + 2 < utf8.count,
               let byte = UInt8(String(decoding: utf8[(index + 1)...(index + 2)], as: UTF8.self), radix: 16) {
                bytes.append(byte)
                index += 3
            } else {
                bytes.append(utf8[index])
                index += 1
            }
        }
        return String(validating: bytes, as: UTF8.self) ?? text
    }

    // MARK: Formatting entries

    mutating func pushEntries(_ kinds: [NodeKind], element: GumboNodePointer, exits: inout [ExitAction]) {
        guard !kinds.isEmpty else { return }
        let elementRange = range(of: element)
        for kind in kinds { entries.append(InlineEntry(kind: kind, range: elementRange)) }
        exits.append(.popInlineEntries(kinds.count))
    }

    /// The kinds a `style` attribute asks for, outermost first.
    mutating func pushEntries(for style: CSSDeclarations, element: GumboNodePointer, exits: inout [ExitAction]) {
        pushEntries(style.inlineKinds, element: element, exits: &exits)
    }

    mutating func closeOpenEntries() {
        for index in entries.indices.reversed() where entries[index].isOpen {
            builder.trimTrailingWhitespace()
            builder.closeDroppingIfEmpty()
            entries[index].isOpen = false
        }
    }

    // MARK: Blocks

    /// Ends the paragraph the reader opened, if any: a block follows.
    mutating func endParagraph() {
        guard host == .paragraph else {
            if host == .none { resetLine() }
            return
        }
        closeOpenEntries()
        builder.trimTrailingWhitespace()
        let wasEmpty = builder.currentContainerIsEmpty
        builder.closeDroppingIfEmpty()
        host = .none
        resetLine()
        paragraphClosedAtDepth = wasEmpty ? paragraphClosedAtDepth : builder.depth
    }

    /// Where one block ends and another begins: the end of a paragraph, or inside a
    /// heading or cell, a line break before whatever follows.
    mutating func blockBoundary() {
        if host == .inlineOnly {
            pendingLineBreak = true
            pendingSpace = .none
        } else {
            endParagraph()
        }
    }

    /// Before a block is added: content directly inside a list goes into its last item,
    /// or a new one (a `<ul>` directly inside a `<ul>` belongs to the item before it).
    mutating func prepareForBlock() {
        if let list = lists.last, builder.depth == list.depth, case .list = builder.currentContainer {
            builder.open(.listItem(task: nil))
            paragraphClosedAtDepth = nil
        }
    }

    mutating func openBlock(_ kind: NodeKind, at element: GumboNodePointer, exits: inout [ExitAction]) {
        builder.open(kind, range: range(of: element))
        paragraphClosedAtDepth = nil
        exits.append(.closeBlock)
    }

    mutating func flattened(_ what: String, at element: GumboNodePointer) {
        blockBoundary()
        guard !flattenWarned else { return }
        flattenWarned = true
        let container = builder.currentContainer.map { $0.displayName } ?? "heading"
        warnings.append(ConversionWarning(.loss, at: position(of: element),
                                          "\(what) inside a \(container) has no form there; its content is kept as lines"))
    }

    mutating func enterBlock(_ element: GumboNodePointer, role: ElementRole, style: CSSDeclarations,
                             exits: inout [ExitAction]) -> Bool {
        blockBoundary()
        exits.append(.boundary)
        if host == .inlineOnly {
            switch role {
            case .heading: flattened("a heading", at: element)
            case .blockQuote: flattened("a quote", at: element)
            case .details: flattened("a spoiler", at: element)
            default: break
            }
            pushEntries(for: style, element: element, exits: &exits)
            return true
        }
        let alignment = style.textAlign ?? element.attribute("align").flatMap { TextAlignment(htmlValue: $0.lowercased()) }
        if let alignment, alignment != .left || role == .block {
            prepareForBlock()
            openBlock(.alignment(alignment), at: element, exits: &exits)
        }
        switch role {
        case .paragraph:
            prepareForBlock()
            if let list = lists.last, builder.depth == list.depth + 1, case .listItem = builder.currentContainer {
                lists[lists.count - 1].isLoose = true
            }
        case .heading(let level):
            prepareForBlock()
            builder.open(.heading(level: level), range: range(of: element))
            host = .inlineOnly
            resetLine()
            hostHasContent = false
            flattenWarned = false
            exits.append(.closeHost)
        case .blockQuote:
            prepareForBlock()
            let attribution = attributions[element] ?? element.attribute("cite").map(collapsingWhitespace)
            openBlock(.blockQuote(attribution: attribution.flatMap { $0.isEmpty ? nil : $0 }), at: element, exits: &exits)
        case .details:
            prepareForBlock()
            var title: String?
            if let summary = element.firstChildElement(GUMBO_TAG_SUMMARY) {
                handled.insert(summary)
                title = collapsingWhitespace(summary.textContent())
            }
            openBlock(.spoiler(title: title), at: element, exits: &exits)
        case .figure:
            if element.hasClass("quote"), let quote = element.firstChildElement(GUMBO_TAG_BLOCKQUOTE),
               let caption = element.firstChildElement(GUMBO_TAG_FIGCAPTION) {
                handled.insert(caption)
                attributions[quote] = collapsingWhitespace(caption.textContent())
            }
        case .caption:
            if tables.last?.depth != nil {
                drop("table caption after the rows", at: element)
                return false
            }
        case .block:
            if keepsRaw(element) && !Self.isStructural(element.tag) {
                return enterRawBlock(element, exits: &exits)
            }
            if footnoteSections == 0, element.tag == GUMBO_TAG_SECTION,
               element.hasClass("footnotes") || element.hasAttribute("data-footnotes") {
                footnoteSections += 1
                exits.append(.endFootnotes)
            }
            if footnoteSections > 0, element.hasClass("sr-only") { return false }
        default:
            break
        }
        pushEntries(for: style, element: element, exits: &exits)
        return true
    }

    // MARK: Raw HTML

    /// Whether an element without a kind keeps its tags: only tags written in the source.
    func keepsRaw(_ element: GumboNodePointer) -> Bool {
        keepsUnknownElements && element.pointee.v.element.original_tag.length > 0
            && element.pointee.parse_flags.rawValue & GUMBO_INSERTION_BY_PARSER.rawValue == 0
    }

    /// The page's skeleton and sections: they mark up the page around a post, render
    /// nothing of their own, and would only be noise around the post's Markdown.
    static func isStructural(_ tag: GumboTag) -> Bool {
        switch tag {
        case GUMBO_TAG_HTML, GUMBO_TAG_HEAD, GUMBO_TAG_BODY, GUMBO_TAG_ARTICLE, GUMBO_TAG_SECTION, GUMBO_TAG_MAIN,
             GUMBO_TAG_HEADER, GUMBO_TAG_FOOTER, GUMBO_TAG_NAV, GUMBO_TAG_ASIDE, GUMBO_TAG_HGROUP:
            true
        default:
            false
        }
    }

    /// The element's own end tag as written. Gumbo also records the tag that closed an
    /// element implicitly (`</p>` for an `<a>` left open inside the paragraph), which is
    /// not this element's to keep.
    static func sourceEndTag(of element: GumboNodePointer) -> GumboStringPiece? {
        let start = element.pointee.v.element.original_tag
        let end = element.pointee.v.element.original_end_tag
        guard start.length > 1, end.length > 2 else { return nil }
        func name(_ piece: GumboStringPiece, from offset: Int) -> [UInt8] {
            let bytes = UnsafeRawBufferPointer(start: piece.data, count: piece.length)
            return bytes[offset...].prefix { !HTMLTreeConversion.isWhitespace($0) && $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: ">") }
                .map { $0 | 0x20 }
        }
        return name(start, from: 1) == name(end, from: 2) ? end : nil
    }

    mutating func storeSource(_ piece: GumboStringPiece) -> TextRef {
        builder.storeText(validatedUTF8: UnsafeRawBufferPointer(start: piece.data, count: piece.length))
    }

    mutating func addRawInline(_ tag: GumboStringPiece, at element: GumboNodePointer) {
        prepareForContent()
        builder.addLeaf(.rawInline(format: .html, content: storeSource(tag)), range: range(of: element))
        contentAdded()
    }

    /// A block element without a kind: its start tag, its content, its end tag. When the
    /// content is only inline, the whole element is one raw HTML block (Markdown would
    /// otherwise wrap the content in a paragraph the source did not have).
    mutating func enterRawBlock(_ element: GumboNodePointer, exits: inout [ExitAction]) -> Bool {
        prepareForBlock()
        if Self.holdsOnlyInlineContent(element) {
            var fragment = HTMLTreeConversion(lineStarts: lineStarts, textBytes: 0, keepsUnknownElements: true)
            fragment.host = .inlineOnly
            fragment.builder.open(.paragraph)
            fragment.convert(root: element)
            fragment.closeOpenEntries()
            fragment.builder.trimTrailingWhitespace()
            let inner = fragment.finish()
            warnings += inner.warnings
            var html = Array(UnsafeRawBufferPointer(start: element.pointee.v.element.original_tag.data,
                                                    count: element.pointee.v.element.original_tag.length))
            let rendered = HTMLWriter(options: .init(allowsRawHTML: true)).write(inner.document).bytes
            // The paragraph's own tags go; its content stays.
            html += rendered.dropFirst(3).dropLast(5)
            if let end = Self.sourceEndTag(of: element) { html += UnsafeRawBufferPointer(start: end.data, count: end.length) }
            let ref = html.withUnsafeBytes { builder.storeText(validatedUTF8: $0) }
            builder.addLeaf(.rawBlock(format: .html, content: ref), range: range(of: element))
            paragraphClosedAtDepth = nil
            return false
        }
        builder.addLeaf(.rawBlock(format: .html, content: storeSource(element.pointee.v.element.original_tag)),
                        range: range(of: element))
        paragraphClosedAtDepth = nil
        exits.append(.rawEndTag(element, isBlock: true))
        return true
    }

    /// Whether nothing under the element would make a block of its own.
    static func holdsOnlyInlineContent(_ element: GumboNodePointer) -> Bool {
        var stack: [GumboNodePointer] = [element]
        while let node = stack.popLast() {
            for index in 0..<node.childCount {
                let child = node.child(index)
                guard child.isElement else {
                    if child.pointee.type == GUMBO_NODE_COMMENT || child.pointee.type == GUMBO_NODE_TEMPLATE { return false }
                    continue
                }
                switch ElementRole.of(child.tag) {
                case .inline, .formatting, .superscript, .font, .anchor, .code, .image, .lineBreak, .input:
                    stack.append(child)
                default:
                    return false
                }
            }
        }
        return true
    }

    mutating func markInnermostListLoose() {
        if !lists.isEmpty { lists[lists.count - 1].isLoose = true }
    }

    // MARK: Lists

    mutating func enterList(_ element: GumboNodePointer, ordered: Bool, style: CSSDeclarations,
                            exits: inout [ExitAction]) -> Bool {
        blockBoundary()
        exits.append(.boundary)
        if host == .inlineOnly {
            flattened("a list", at: element)
            return true
        }
        if footnoteSections > 0 { return true }  // the footnotes' <ol> holds definitions
        prepareForBlock()
        let kind: ListKind
        if ordered && !style.isListUnnumbered {
            let numbering = element.attribute("type").flatMap(NumberingStyle.init(htmlType:))
                ?? style.listNumbering ?? .decimal
            kind = .ordered(start: startNumber(element), numbering: numbering)
        } else if let numbering = style.listNumbering, !ordered {
            kind = .ordered(start: 1, numbering: numbering)
        } else {
            kind = .bullet
        }
        if element.hasAttribute("reversed") {
            warnings.append(ConversionWarning(.loss, at: position(of: element), "a reversed list is written counting up"))
        }
        builder.open(.list(ListAttributes(kind: kind, isTight: true)), range: range(of: element))
        paragraphClosedAtDepth = nil
        lists.append(ListState(depth: builder.depth))
        exits.append(.endList)
        return true
    }

    func startNumber(_ element: GumboNodePointer) -> Int {
        guard let text = element.attribute("start")?.trimmingASCIIWhitespace(), let start = Int(text) else { return 1 }
        // Markdown's start numbers have at most nine digits and are not negative.
        return min(max(start, 0), 999_999_999)
    }

    mutating func enterListItem(_ element: GumboNodePointer, style: CSSDeclarations, exits: inout [ExitAction]) -> Bool {
        if footnoteSections > 0, let id = element.attribute("id"), host != .inlineOnly {
            for prefix in ["user-content-fn-", "fn-", "fn"] where id.hasPrefix(prefix) && id.count > prefix.count {
                blockBoundary()
                exits.append(.boundary)
                openBlock(.footnoteDefinition(label: Self.percentDecoded(String(id.dropFirst(prefix.count)))),
                          at: element, exits: &exits)
                return true
            }
        }
        guard let list = lists.last, host != .inlineOnly else {
            return enterBlock(element, role: .block, style: style, exits: &exits)
        }
        endParagraph()
        exits.append(.boundary)
        if builder.depth == list.depth + 1, case .listItem = builder.currentContainer {
            builder.close()
        }
        guard builder.depth == list.depth else {
            // An item somewhere else inside an item (under a <section>, say): its content.
            pushEntries(for: style, element: element, exits: &exits)
            return true
        }
        // The item is closed by the next item or the list's end, not by </li>: content
        // between items (a list directly inside a list) belongs to the item before it,
        // as browsers show it.
        builder.open(.listItem(task: nil), range: range(of: element))
        paragraphClosedAtDepth = nil
        pushEntries(for: style, element: element, exits: &exits)
        return true
    }

    // MARK: Code blocks

    mutating func preformatted(_ element: GumboNodePointer) {
        let code = element.firstChildElement(GUMBO_TAG_CODE)
        var text = element.textContent(lineBreak: "\n")
        if host == .inlineOnly {
            flattened("a code block", at: element)
            let line = collapsingWhitespace(text)
            guard !line.isEmpty else { return }
            prepareForContent()
            builder.addLeaf(.code(builder.storeText(line)), range: range(of: element))
            contentAdded()
            return
        }
        endParagraph()
        prepareForBlock()
        if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
        let info = Self.language(of: code) ?? Self.language(of: element) ?? ""
        builder.addLeaf(.codeBlock(info: info, code: builder.storeText(text)), range: range(of: element))
        paragraphClosedAtDepth = nil
    }

    /// `class="language-x"` (CommonMark), `lang-x`, or a `lang`/`data-lang` attribute.
    static func language(of element: GumboNodePointer?) -> String? {
        guard let element else { return nil }
        for name in element.classNames {
            for prefix in ["language-", "lang-"] where name.hasPrefix(prefix) && name.count > prefix.count {
                return String(name.dropFirst(prefix.count))
            }
        }
        for attribute in ["data-lang", "lang"] {
            if let value = element.attribute(attribute)?.trimmingASCIIWhitespace(), !value.isEmpty,
               !value.contains(" ") {
                return value
            }
        }
        return nil
    }

    // MARK: Tables

    mutating func enterTable(_ element: GumboNodePointer, exits: inout [ExitAction]) -> Bool {
        blockBoundary()
        exits.append(.boundary)
        if host == .inlineOnly {
            flattened("a table", at: element)
            return true
        }
        tables.append(TableState())
        exits.append(.endTable)
        return true
    }

    mutating func enterTableRow(_ element: GumboNodePointer, exits: inout [ExitAction]) -> Bool {
        guard let table = tables.last, host != .inlineOnly else {
            blockBoundary()
            exits.append(.boundary)
            return true
        }
        endParagraph()
        if table.depth == nil {
            prepareForBlock()
            builder.open(.table(columns: []), range: range(of: element))
            paragraphClosedAtDepth = nil
            tables[tables.count - 1].depth = builder.depth
        }
        guard builder.depth == tables[tables.count - 1].depth else { return true }
        let isHeader = table.inHeaderSection && !table.hasHeaderRow && table.rowCount == 0
        builder.open(.tableRow(isHeader: isHeader), range: range(of: element))
        tables[tables.count - 1].rowStart = position(of: element)
        tables[tables.count - 1].cellCount = 0
        tables[tables.count - 1].rowHasOnlyHeaderCells = true
        if isHeader { tables[tables.count - 1].hasHeaderRow = true }
        exits.append(.endTableRow)
        return true
    }

    /// How many of `count` empty cells may be added: all of them while the expansion
    /// budget lasts, then none, with one warning. A row left short is still a row of the
    /// table; every writer handles short rows.
    mutating func takeFromExpansionBudget(_ count: Int) -> Int {
        let granted = min(count, expansionBudget)
        expansionBudget -= granted
        if granted < count && !warnedAboutExpansion {
            warnedAboutExpansion = true
            let position = tables.last?.rowStart ?? SourcePosition(line: 1, column: 1)
            warnings.append(policy.expansionWarning("empty cells filling out spanning cells and short rows",
                                                    "further rows are left short", at: position))
        }
        return granted
    }

    mutating func endTableRow() {
        var table = tables[tables.count - 1]
        // A first row of <th> cells outside <thead> is the header row too.
        if table.rowCount == 0, !table.hasHeaderRow, table.rowHasOnlyHeaderCells, table.cellCount > 0 {
            builder.replaceCurrentContainer(with: .tableRow(isHeader: true))
            table.hasHeaderRow = true
        }
        // Short rows get empty cells, as a GFM table's would.
        if table.rowCount > 0 {
            for _ in 0..<takeFromExpansionBudget(max(0, table.columns.count - table.cellCount)) {
                builder.open(.tableCell)
                builder.close()
            }
        }
        table.rowCount += 1
        tables[tables.count - 1] = table
        builder.close()
    }

    mutating func enterTableCell(_ element: GumboNodePointer, isHeader: Bool, style: CSSDeclarations,
                                 exits: inout [ExitAction]) -> Bool {
        // The table is changed in place, never through a copy: a copy would share the
        // column list, and appending to it would copy every column for every cell.
        guard let current = tables.indices.last, let depth = tables[current].depth, host != .inlineOnly,
              builder.depth == depth + 1, case .tableRow = builder.currentContainer else {
            // A cell of a table flattened into a heading or cell: a space between cells.
            if lineHasContent { pendingSpace = max(pendingSpace, .space) }
            return true
        }
        let column = tables[current].cellCount
        let alignment = ColumnAlignment(style.textAlign
            ?? element.attribute("align").flatMap { TextAlignment(htmlValue: $0.lowercased()) })
        if column >= tables[current].columns.count {
            tables[current].columns.append(alignment)
        } else if tables[current].rowCount == 0 {
            tables[current].columns[column] = alignment
        }
        tables[current].cellCount += 1
        if !isHeader { tables[current].rowHasOnlyHeaderCells = false }
        builder.open(.tableCell, range: range(of: element))
        host = .inlineOnly
        resetLine()
        hostHasContent = false
        flattenWarned = false
        exits.append(.closeHost)
        if let span = element.attribute("colspan").flatMap({ Int($0.trimmingASCIIWhitespace()) }), span > 1 {
            // HTML reads a larger span as 1 000 (the table model's limit), as browsers do.
            let columns = min(span, 1000)
            exits.insert(.padCells(columns - 1), at: exits.count - 1)
            warnings.append(ConversionWarning(.loss, at: position(of: element), span == columns
                ? "a cell spanning \(span) columns is written as one cell"
                : "a cell spanning \(span) columns spans 1000, as in HTML, and is written as one cell"))
        }
        pushEntries(for: style, element: element, exits: &exits)
        return true
    }
}

extension ColumnAlignment {
    init(_ alignment: TextAlignment?) {
        switch alignment {
        case .left: self = .left
        case .center: self = .center
        case .right: self = .right
        case .justify, nil: self = .none
        }
    }
}
