import ByteScan
import CCmarkGFM
import CmarkArena
import MarkupKitCore
import MarkupKitHTML
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads CommonMark and GitHub Flavored Markdown through cmark-gfm.
///
/// cmark-gfm parses; this type turns cmark's node tree into a `Document` in one
/// iterative pass over cmark's ENTER/EXIT events, then frees cmark's tree. Smart
/// punctuation is never enabled: it would rewrite the user's quotes and dashes.
public struct MarkdownReader: Sendable {
    public var extensions: MarkdownExtensions
    /// What is let through and what the input may cost: the nesting limit, cmark-gfm's
    /// time and memory budget, the expansion budget of links to references, the address
    /// allowlist applied to what is read.
    public var policy: SafetyPolicy

    /// How deep quotes, lists and inline formatting may nest (`NestingLimit`); nil for
    /// no limit. Deeper levels are merged into the one around them, with a warning.
    public var nestingLimit: Int? {
        get { policy.nestingLimit }
        set { policy.nestingLimit = newValue }
    }

    /// How long cmark-gfm may take on one document read with `read(utf8:)`, in seconds;
    /// nil for no limit. Debian's cmark-gfm 0.29.0.gfm.6 takes minutes on some inputs
    /// that newer releases fixed.
    public var timeLimit: Double? {
        get { policy.parseTimeLimit }
        set { policy.parseTimeLimit = newValue }
    }

    /// Read raw HTML for its meaning where the tree has a node for it (`EmbeddedHTML`):
    /// `<u>…</u>`, `<sub>`, `<kbd>`, a coloured `<span>`, `<br>`, `<img>`, and HTML blocks
    /// (a `<details>` around Markdown, a centred `<div>`) as the HTML reader reads them.
    /// Off, raw HTML stays raw HTML, as CommonMark defines it — right when the output
    /// passes it through (Markdown, or HTML with trusted input), wrong when it cannot.
    public var readsEmbeddedHTML: Bool

    public init(extensions: MarkdownExtensions = .gfm, policy: SafetyPolicy, readsEmbeddedHTML: Bool = false) {
        self.extensions = extensions
        self.policy = policy
        self.readsEmbeddedHTML = readsEmbeddedHTML
    }

    /// A reader with the standard address allowlist and the given limits. Without a
    /// `memoryLimit`, cmark-gfm's memory is not limited.
    public init(extensions: MarkdownExtensions = .gfm, nestingLimit: Int? = NestingLimit.standard,
                timeLimit: Double? = nil, memoryLimit: Int? = nil) {
        var policy = SafetyPolicy.standard
        policy.nestingLimit = nestingLimit
        policy.parseTimeLimit = timeLimit
        policy.parseMemoryLimit = memoryLimit ?? .max
        self.init(extensions: extensions, policy: policy)
    }

    /// The memory budget `MarkupKit` gives a parse: 256 MiB plus 512 bytes per input
    /// byte. cmark needs about 150 bytes per node, and the densest honest input (a
    /// million nested `- `) makes one node per byte; what squares (a 7 kB table filled
    /// out to a million cells) exceeds it at once.
    public static func memoryBudget(forInputOf count: Int) -> Int {
        let perByte = count.multipliedReportingOverflow(by: 512)
        return perByte.overflow ? .max : (256 << 20) + perByte.partialValue
    }

    /// Reads Markdown text, without the time and memory limits (for text you trust).
    public func read(_ text: String) -> ReadResult {
        var text = text
        var unlimited = self
        unlimited.policy.parseTimeLimit = nil
        unlimited.policy.parseMemoryLimit = .max
        // Cannot throw without limits.
        return text.withUTF8 { (try? unlimited.convert($0)) ?? ReadResult(document: Document()) }
    }

    /// Reads Markdown from UTF-8 bytes; invalid UTF-8 is an error naming the first bad byte.
    public func read(utf8 bytes: UnsafeBufferPointer<UInt8>) throws(MarkupKitError) -> ReadResult {
        if let offset = UTF8Validation.firstInvalidOffset(in: bytes) {
            throw .invalidUTF8(offset: offset)
        }
        return try convert(bytes)
    }

    /// Reads bytes `InputPreparation` has already validated (`MarkupKit.read`), without
    /// validating them again.
    package func read(preparedUTF8 bytes: [UInt8]) throws(MarkupKitError) -> ReadResult {
        try bytes.withUnsafeBufferPointer { (buffer) throws(MarkupKitError) in try convert(buffer) }
    }

    public func read(utf8 bytes: [UInt8]) throws(MarkupKitError) -> ReadResult {
        try bytes.withUnsafeBufferPointer { (buffer) throws(MarkupKitError) in try read(utf8: buffer) }
    }

    private func convert(_ source: UnsafeBufferPointer<UInt8>) throws(MarkupKitError) -> ReadResult {
        let types = CmarkRegistry.shared
        var options = CMARK_OPT_SOURCEPOS
        if extensions.contains(.footnotes) { options |= CMARK_OPT_FOOTNOTES }
        // Everything cmark allocates for this parse — parser, nodes, buffers — comes from
        // the thread's arena and is released in one step once the tree has been converted,
        // so neither the parser nor the tree is freed node by node.
        let allocator = markupkit_arena_start()
        defer { markupkit_arena_release() }
        guard let parser = cmark_parser_new_with_mem(options, allocator) else {
            fatalError("cmark_parser_new failed: out of memory")
        }
        for name in extensions.cmarkSyntaxExtensionNames {
            guard let syntaxExtension = cmark_find_syntax_extension(name) else {
                fatalError("cmark-gfm has no '\(name)' extension")
            }
            cmark_parser_attach_syntax_extension(parser, syntaxExtension)
        }
        // Tables filled up with empty cells grow with the square of their size (7 kB of
        // input, 10 MB of cells): the memory budget is what stops them.
        let memoryLimit = policy.parseMemoryLimit ?? Self.memoryBudget(forInputOf: source.count)
        let timeLimit = policy.parseTimeLimit
        var status = MARKUPKIT_PARSE_DONE
        let parsed = MarkdownReader.withCmarkParsingLock { () -> OpaquePointer? in
            source.withMemoryRebound(to: CChar.self) { chars in
                markupkit_arena_parse(parser, chars.baseAddress, chars.count, timeLimit ?? 0,
                                      memoryLimit == .max ? 0 : max(1, memoryLimit), &status)
            }
        }
        switch status {
        case MARKUPKIT_PARSE_TOO_SLOW:
            let seconds = timeLimit ?? 0
            throw .tooComplex(parser: "Markdown",
                              limit: "not parsed within \(seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)) s")
        case MARKUPKIT_PARSE_TOO_LARGE:
            throw .tooComplex(parser: "Markdown", limit: "more than \(memoryLimit >> 20) MiB of parser memory")
        default:
            break
        }
        guard let root = parsed else { fatalError("cmark_parser_finish failed: out of memory") }

        var converter = CmarkConverter(source: source, types: types, expectedSize: source.count,
                                       keepsHTMLAsText: !extensions.contains(.rawHTML))
        converter.nestingLimit = policy.nestingLimit ?? .max
        converter.expansionBudget = policy.expansionBudget(forInputOf: source.count)
        converter.policy = policy
        converter.readsEmbeddedHTML = readsEmbeddedHTML && !converter.keepsHTMLAsText
        var result = converter.convert(root)
        policy.applyToReadDocument(&result)
        return result
    }
}

/// The node types the core extensions register at run time, read once.
struct CmarkRegistry: @unchecked Sendable {
    let table: cmark_node_type
    let tableRow: cmark_node_type
    let tableCell: cmark_node_type
    let strikethrough: cmark_node_type
    let tasklist: OpaquePointer?

    static let shared: CmarkRegistry = {
        // Must run before any cmark_find_syntax_extension, or every lookup returns nil.
        cmark_gfm_core_extensions_ensure_registered()
        return CmarkRegistry(
            table: markupkit_node_type_table(),
            tableRow: markupkit_node_type_table_row(),
            tableCell: markupkit_node_type_table_cell(),
            strikethrough: markupkit_node_type_strikethrough(),
            tasklist: cmark_find_syntax_extension("tasklist"))
    }()
}

/// One conversion of a cmark tree; lives for a single `read`.
private struct CmarkConverter {
    let source: UnsafeBufferPointer<UInt8>
    let types: CmarkRegistry
    /// `-raw_html`: HTML in the input is text.
    let keepsHTMLAsText: Bool
    var builder: DocumentBuilder
    /// Byte offsets of line starts, built on first use (hints and footnote labels need it).
    var lineStarts: [Int] = []
    /// Footnote labels as written at their definitions, by footnote number - 1.
    var footnoteLabels: [String] = []
    /// Nodes of unknown types whose content is kept without a wrapper.
    var hasTransparentNodes = false
    /// cmark's per-node user data marks a node read as transparent: no hashing, however
    /// many nodes a hostile input makes transparent.
    nonisolated(unsafe) static let transparentMark = UnsafeMutableRawPointer(bitPattern: 1)!
    var warnings: [ConversionWarning] = []
    var nestingLimit = Int.max
    var warnedAboutNesting = false
    var expandedBytes = 0
    var expansionBudget = Int.max
    var policy = SafetyPolicy.standard
    var warnedAboutExpansion = false
    var readsEmbeddedHTML = false
    /// The walk over cmark's tree, kept so that code between `<kbd>` and `</kbd>`, read as
    /// one code span, can be stepped over.
    var iterator: OpaquePointer?
    /// Parents whose HTML children have been paired, start tag with end tag.
    var pairedParents = NodeSet()
    /// For each open pair of inline tags, how many containers its start tag opened.
    var inlineElementsOpen: [Int] = []
    /// For each HTML block left open and paired, how many containers it left open.
    var blockElementsOpen: [Int] = []
    /// HTML blocks of end tags that close earlier blocks: how many of those each closes.
    var blockEndTags: [OpaquePointer: Int] = [:]
    /// Marks an inline end tag paired with a start tag, whose user data points at it.
    nonisolated(unsafe) static let endTagMark = UnsafeMutableRawPointer(bitPattern: 2)!

    init(source: UnsafeBufferPointer<UInt8>, types: CmarkRegistry, expectedSize: Int, keepsHTMLAsText: Bool) {
        self.source = source
        self.types = types
        self.keepsHTMLAsText = keepsHTMLAsText
        // Typical prose makes a node per 11 bytes; reserving for one per 6 means regrowth
        // (a copy of the whole array) is rare, and capacity never touched costs no memory.
        self.builder = DocumentBuilder(reservingNodes: min(expectedSize / 6, 1 << 26) + 16, textBytes: expectedSize)
    }

    mutating func convert(_ root: OpaquePointer) -> ReadResult {
        footnoteLabels = collectFootnoteLabels(root)
        guard let iterator = cmark_iter_new(root) else { fatalError("cmark_iter_new failed: out of memory") }
        defer { cmark_iter_free(iterator) }
        self.iterator = iterator
        while true {
            let event = cmark_iter_next(iterator)
            if event == CMARK_EVENT_DONE { break }
            guard let node = cmark_iter_get_node(iterator) else { continue }
            let type = cmark_node_get_type(node)
            if event == CMARK_EVENT_EXIT {
                if type != CMARK_NODE_DOCUMENT && type != CMARK_NODE_FOOTNOTE_REFERENCE
                    && type != CMARK_NODE_CUSTOM_BLOCK && type != CMARK_NODE_CUSTOM_INLINE
                    && (!hasTransparentNodes || cmark_node_get_user_data(node) != Self.transparentMark) {
                    builder.close()
                }
                continue
            }
            enter(node, type: type)
        }
        return ReadResult(document: builder.finish(), warnings: warnings)
    }

    /// Keeps a node's content but not the node: its exit closes nothing.
    private mutating func markTransparent(_ node: OpaquePointer) {
        cmark_node_set_user_data(node, Self.transparentMark)
        hasTransparentNodes = true
    }

    /// A link's or image's address and title, or nil past the expansion budget, where the
    /// node is made transparent and so kept as its text.
    ///
    /// Addresses and titles may add up to the expansion budget. Links written in
    /// place cannot exceed the input; only a reference used over and over can (a 5 kB
    /// post naming a 1 kB address a thousand times makes a megabyte of HTML).
    private mutating func addressAndTitle(of node: OpaquePointer, at range: SourceRange) -> (String, String)? {
        let address = string(cmark_node_get_url(node))
        let title = string(cmark_node_get_title(node))
        expandedBytes += address.utf8.count + title.utf8.count
        guard expandedBytes > expansionBudget else { return (address, title) }
        if !warnedAboutExpansion {
            warnedAboutExpansion = true
            warnings.append(policy.expansionWarning("links to references", "further ones are kept as their text", at: range.start))
        }
        markTransparent(node)
        return nil
    }


    /// Past the nesting limit a container's content goes into the container around it.
    /// Paragraphs, headings and tables are always opened: they hold the text, and they
    /// cannot nest in themselves.
    private mutating func isPastNestingLimit(_ node: OpaquePointer, type: cmark_node_type, range: SourceRange) -> Bool {
        guard builder.depth >= nestingLimit else { return false }
        switch type {
        case CMARK_NODE_PARAGRAPH, CMARK_NODE_HEADING, types.table, types.tableRow, types.tableCell:
            return false
        default:
            break
        }
        guard cmark_node_first_child(node) != nil || type == CMARK_NODE_ITEM || type == CMARK_NODE_LIST
            || type == CMARK_NODE_BLOCK_QUOTE else { return false }
        if type == CMARK_NODE_IMAGE || type == CMARK_NODE_LINK {
            return false  // their text would lose its meaning as a description
        }
        markTransparent(node)
        if !warnedAboutNesting {
            warnedAboutNesting = true
            warnings.append(NestingLimit.warning(nestingLimit, at: range.start))
        }
        return true
    }

    private mutating func enter(_ node: OpaquePointer, type: cmark_node_type) {
        let range = Self.range(of: node)
        if builder.depth >= nestingLimit, isPastNestingLimit(node, type: type, range: range) { return }
        switch type {
        case CMARK_NODE_TEXT:
            let text = literal(of: node)
            if UTF8Validation.firstInvalidOffset(in: text.assumingMemoryBound(to: UInt8.self)) == nil {
                builder.addText(validatedUTF8: text, range: range)
            } else {
                // cmark-gfm 0.29 can cut a character in two when it turns an unmatched
                // footnote reference whose label spans lines back into text (found by
                // fuzzing); the tree only ever holds valid UTF-8.
                builder.addText(String(decoding: text, as: UTF8.self), range: range)
            }
        case CMARK_NODE_SOFTBREAK:
            builder.addLeaf(.softBreak, range: range)
        case CMARK_NODE_PARAGRAPH:
            builder.open(.paragraph, range: range)
        case CMARK_NODE_EMPH:
            builder.open(.emphasis, range: range)
        case CMARK_NODE_STRONG:
            builder.open(.strong, range: range)
        case CMARK_NODE_CODE:
            builder.addLeaf(.code(builder.storeText(validatedUTF8: literal(of: node))), range: range)
        case CMARK_NODE_LINK:
            guard let (destination, title) = addressAndTitle(of: node, at: range) else { return }
            builder.open(.link(destination: destination, title: title), range: range)
        case CMARK_NODE_IMAGE:
            guard let (source, title) = addressAndTitle(of: node, at: range) else { return }
            builder.open(.image(ImageAttributes(source: source, title: title)), range: range)
        case CMARK_NODE_LINEBREAK:
            builder.addLeaf(.lineBreak, range: range)
        case CMARK_NODE_HTML_INLINE:
            if keepsHTMLAsText {
                builder.addText(validatedUTF8: literal(of: node), range: range)
            } else if readsEmbeddedHTML, addEmbeddedInline(node, range: range) {
                break
            } else {
                builder.addLeaf(.rawInline(format: .html, content: builder.storeText(validatedUTF8: literal(of: node))),
                                range: range)
            }
        case CMARK_NODE_LIST:
            openList(node, range: range)
        case CMARK_NODE_ITEM:
            var task: TaskState?
            if let tasklist = types.tasklist, cmark_node_get_syntax_extension(node) == tasklist {
                task = cmark_gfm_extensions_get_tasklist_item_checked(node) ? .checked : .unchecked
            }
            builder.open(.listItem(task: task), range: range)
        case CMARK_NODE_HEADING:
            builder.open(.heading(level: Int(cmark_node_get_heading_level(node))), range: range)
            // An ATX heading is one line; a setext heading ends on its underline.
            let isATX = range.start.line == range.end.line
            builder.setHintsForCurrentContainer(SyntaxHints(form: isATX ? "atx" : "setext"))
        case CMARK_NODE_BLOCK_QUOTE:
            builder.open(.blockQuote(attribution: nil), range: range)
        case CMARK_NODE_CODE_BLOCK:
            addCodeBlock(node, range: range)
        case CMARK_NODE_HTML_BLOCK:
            if keepsHTMLAsText {
                addAsParagraph(literal(of: node), range: range)
            } else if readsEmbeddedHTML {
                addEmbeddedBlock(node, range: range)
            } else {
                builder.addLeaf(.rawBlock(format: .html, content: builder.storeText(validatedUTF8: literal(of: node))),
                                range: range)
            }
        case CMARK_NODE_THEMATIC_BREAK:
            builder.addLeaf(.thematicBreak, range: range)
        case CMARK_NODE_FOOTNOTE_REFERENCE:
            builder.addLeaf(.footnoteReference(label: referenceLabel(node)), range: range)
        case CMARK_NODE_FOOTNOTE_DEFINITION:
            builder.open(.footnoteDefinition(label: nextDefinitionLabel()), range: range)
        case CMARK_NODE_DOCUMENT, CMARK_NODE_CUSTOM_BLOCK, CMARK_NODE_CUSTOM_INLINE:
            break
        case types.table:
            let columns = Int(cmark_gfm_extensions_get_table_columns(node))
            var alignments: [ColumnAlignment] = []
            if let raw = cmark_gfm_extensions_get_table_alignments(node) {
                alignments = (0..<columns).map { column in
                    switch raw[column] {
                    case UInt8(ascii: "l"): .left
                    case UInt8(ascii: "c"): .center
                    case UInt8(ascii: "r"): .right
                    default: .none
                    }
                }
            }
            builder.open(.table(columns: alignments), range: range)
        case types.tableRow:
            builder.open(.tableRow(isHeader: cmark_gfm_extensions_get_table_row_is_header(node) != 0), range: range)
        case types.tableCell:
            builder.open(.tableCell, range: range)
        case types.strikethrough:
            builder.open(.strikethrough, range: range)
        default:
            // A node type a newer libcmark-gfm may add: keep its content, drop the wrapper.
            markTransparent(node)
            let name = String(cString: cmark_node_get_type_string(node))
            warnings.append(ConversionWarning(.loss, at: range.start, "unsupported Markdown element '\(name)'; its content was kept"))
        }
    }

    /// An HTML block read with `-raw_html`: its lines as a paragraph of text.
    private mutating func addAsParagraph(_ text: UnsafeRawBufferPointer, range: SourceRange) {
        var lines = text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        while let last = lines.last, last.isEmpty { lines.removeLast() }
        builder.open(.paragraph, range: range)
        for (offset, line) in lines.enumerated() {
            if offset > 0 { builder.addLeaf(.softBreak) }
            builder.addText(validatedUTF8: UnsafeRawBufferPointer(rebasing: line))
        }
        builder.close()
    }

    // MARK: Embedded HTML

    /// Pairs the start and end tags of inline HTML among `parent`'s children, once per
    /// parent: a paired start tag's user data points at its end tag, which is marked with
    /// `endTagMark`. A start tag left open inside another element's pair (misnested) and
    /// code around anything but text stay raw.
    private mutating func pairInlineTags(in parent: OpaquePointer) {
        guard pairedParents.insert(parent) else { return }
        var openings: [(node: OpaquePointer, name: String, number: Int, isCode: Bool, othersBefore: Int)] = []
        // Open start tags by element number: only known elements have a meaning that
        // opens something (an array, not a `[String: Int]`, whose first use cost a
        // conformance scan over the whole binary).
        var openCounts: [Int] = []
        // Siblings other than text, counted so that code is paired only around text.
        var others = 0
        var child = cmark_node_first_child(parent)
        while let node = child {
            child = cmark_node_next(node)
            let type = cmark_node_get_type(node)
            if type == CMARK_NODE_TEXT || type == CMARK_NODE_SOFTBREAK { continue }
            defer { others += 1 }
            guard type == CMARK_NODE_HTML_INLINE, let tag = EmbeddedHTML.tag(literal(of: node)) else { continue }
            if tag.isEndTag {
                let number = EmbeddedHTML.elementNumber(tag.name)
                guard number < openCounts.count, openCounts[number] > 0 else { continue }
                while let opening = openings.popLast() {
                    openCounts[opening.number] -= 1
                    guard opening.name == tag.name else { continue }
                    if !opening.isCode || others == opening.othersBefore + 1 {
                        cmark_node_set_user_data(opening.node, UnsafeMutableRawPointer(node))
                        cmark_node_set_user_data(node, Self.endTagMark)
                    }
                    break
                }
            } else if !tag.isSelfClosing, let meaning = EmbeddedHTML.inlineMeaning(ofTag: tag) {
                switch meaning {
                case .containers, .code:
                    let number = EmbeddedHTML.elementNumber(tag.name)
                    openings.append((node, tag.name, number, meaning == .code, others))
                    if openCounts.isEmpty { openCounts = Array(repeating: 0, count: EmbeddedHTML.knownElementCount + 1) }
                    openCounts[number] += 1
                case .leaf, .image, .text:
                    break
                }
            }
        }
    }

    /// Adds an inline HTML tag as what it means; false when it stays raw HTML.
    private mutating func addEmbeddedInline(_ node: OpaquePointer, range: SourceRange) -> Bool {
        if let parent = cmark_node_parent(node) { pairInlineTags(in: parent) }
        let mark = cmark_node_get_user_data(node)
        if mark == Self.endTagMark {
            for _ in 0..<inlineElementsOpen.removeLast() { builder.close(at: range.end) }
            return true
        }
        guard let tag = EmbeddedHTML.tag(literal(of: node)), let meaning = EmbeddedHTML.inlineMeaning(ofTag: tag) else {
            return false
        }
        let endTag = mark.map(OpaquePointer.init)
        switch meaning {
        case .containers(let kinds):
            guard let endTag else { return false }
            guard builder.depth + kinds.count <= nestingLimit else {
                cmark_node_set_user_data(endTag, nil)  // both tags stay raw
                return false
            }
            let whole = SourceRange(start: range.start, end: Self.range(of: endTag).end)
            for kind in kinds { builder.open(kind, range: whole) }
            inlineElementsOpen.append(kinds.count)
        case .code:
            guard let endTag else { return false }
            var code: [UInt8] = []
            var sibling = cmark_node_next(node)
            while let current = sibling, current != endTag {
                if cmark_node_get_type(current) == CMARK_NODE_SOFTBREAK {
                    code.append(UInt8(ascii: " "))
                } else {
                    code.append(contentsOf: literal(of: current))
                }
                sibling = cmark_node_next(current)
            }
            if !code.isEmpty {
                let text = code.withUnsafeBytes { builder.storeText(validatedUTF8: $0) }
                builder.addLeaf(.code(text), range: SourceRange(start: range.start, end: Self.range(of: endTag).end))
            }
            // The text inside was read as code; the walk goes on after the end tag.
            cmark_iter_reset(iterator, endTag, CMARK_EVENT_ENTER)
        case .leaf(let kind):
            builder.addLeaf(kind, range: range)
            if kind == .lineBreak { skipWhiteSpace(after: node) }
        case .image(let attributes, let alternative):
            builder.open(.image(attributes), range: range)
            if !alternative.isEmpty { builder.addText(alternative, range: range) }
            builder.close()
        case .text(let alternative):
            if !alternative.isEmpty { builder.addText(alternative, range: range) }
        }
        return true
    }

    /// After `<br>`, white space starts the next line, where HTML does not show it: a line
    /// ending is stepped over and spaces are taken off the text that follows.
    private mutating func skipWhiteSpace(after lineBreak: OpaquePointer) {
        builder.trimTrailingSpaces()
        var next = cmark_node_next(lineBreak)
        if let softBreak = next, cmark_node_get_type(softBreak) == CMARK_NODE_SOFTBREAK {
            cmark_iter_reset(iterator, softBreak, CMARK_EVENT_ENTER)
            next = cmark_node_next(softBreak)
        }
        guard let text = next, cmark_node_get_type(text) == CMARK_NODE_TEXT,
              let literal = cmark_node_get_literal(text), literal.pointee == CChar(UInt8(ascii: " ")) else { return }
        var start = literal
        while start.pointee == CChar(UInt8(ascii: " ")) || start.pointee == CChar(UInt8(ascii: "\t")) { start += 1 }
        cmark_node_set_literal(text, start)
    }

    /// Pairs HTML blocks that leave elements open (`<details><summary>…</summary>`) with
    /// later blocks of nothing but their end tags, among `parent`'s children, once per
    /// parent: the opening block's user data points at the closing one. A closing block
    /// must end whole openings, innermost first.
    private mutating func pairBlockTags(in parent: OpaquePointer) {
        guard pairedParents.insert(parent) else { return }
        var openings: [(node: OpaquePointer, leftOpen: [String])] = []
        var child = cmark_node_first_child(parent)
        while let node = child {
            child = cmark_node_next(node)
            guard cmark_node_get_type(node) == CMARK_NODE_HTML_BLOCK else { continue }
            let content = literal(of: node)
            let balance = EmbeddedHTML.balance(ofBlock: content)
            if let endTags = balance.endTagsOnly {
                var closed = 0
                var used = 0
                while used < endTags.count, closed < openings.count {
                    let leftOpen = openings[openings.count - 1 - closed].leftOpen
                    guard used + leftOpen.count <= endTags.count,
                          endTags[used..<(used + leftOpen.count)].elementsEqual(leftOpen.reversed()) else { break }
                    used += leftOpen.count
                    closed += 1
                }
                guard used == endTags.count, closed > 0 else { continue }
                for opening in openings.suffix(closed) {
                    cmark_node_set_user_data(opening.node, UnsafeMutableRawPointer(node))
                }
                openings.removeLast(closed)
                blockEndTags[node] = closed
            } else if !balance.leftOpen.isEmpty && !content.contains(EmbeddedHTML.slot.utf8) {
                openings.append((node, balance.leftOpen))
            }
        }
    }

    /// Adds an HTML block as the HTML reader reads it. A block paired with a later block of
    /// end tags leaves its containers open, so the Markdown between goes inside them.
    private mutating func addEmbeddedBlock(_ node: OpaquePointer, range: SourceRange) {
        if let parent = cmark_node_parent(node) { pairBlockTags(in: parent) }
        if let closed = blockEndTags[node] {
            for _ in 0..<closed {
                for _ in 0..<blockElementsOpen.removeLast() { builder.close(at: range.end) }
            }
            return
        }
        let content = literal(of: node)
        var isOpening = cmark_node_get_user_data(node) != nil
        if isOpening && builder.depth >= nestingLimit {
            // No deeper: read on its own, and its closing block closes nothing.
            blockElementsOpen.append(0)
            isOpening = false
        }
        var fragmentPolicy = policy
        fragmentPolicy.nestingLimit = nestingLimit == .max ? nil : max(1, nestingLimit - builder.depth)
        do {
            if isOpening {
                var reading = try EmbeddedHTML.readBlock(content, policy: fragmentPolicy, leavingSlot: true)
                reading.relocate(to: range.start)
                if let leftOpen = appendLeavingSlotOpen(reading.document) {
                    warnings += reading.warnings
                    blockElementsOpen.append(leftOpen)
                    return
                }
                // The slot landed where blocks cannot go (inside formatting): the block is
                // read on its own, and its closing block closes nothing.
                blockElementsOpen.append(0)
            }
            var reading = try EmbeddedHTML.readBlock(content, policy: fragmentPolicy, leavingSlot: false)
            reading.relocate(to: range.start)
            warnings += reading.warnings
            builder.append(reading.document)
        } catch {
            warnings.append(ConversionWarning(.loss, at: range.start, "an HTML block was kept as raw HTML: \(error)"))
            builder.addLeaf(.rawBlock(format: .html, content: builder.storeText(validatedUTF8: content)), range: range)
        }
    }

    /// Appends a block read with `EmbeddedHTML.slot` up to the slot, leaving open the
    /// containers around it; how many, or nil (nothing appended) when one of them cannot
    /// hold blocks.
    private mutating func appendLeavingSlotOpen(_ document: Document) -> Int? {
        var slotIndex = document.nodeCount - 1
        while slotIndex >= 0, document[slotIndex].kind.textRef == nil { slotIndex -= 1 }
        guard slotIndex >= 0, case .text(let ref) = document[slotIndex].kind else { return nil }
        let text = document.string(ref)
        guard text.hasSuffix(EmbeddedHTML.slot) else { return nil }
        // The containers around the slot, outermost first.
        var path: [Int] = []
        var level = document.topLevel
        while let holder = level.first(where: { $0 < slotIndex && document.subtreeEnd(of: $0) > slotIndex }) {
            path.append(holder)
            level = document.children(of: holder)
        }
        let paragraph = path.last.flatMap { document[$0].kind == .paragraph ? $0 : nil }
        for holder in path where holder != paragraph {
            switch document[holder].kind {
            case .blockQuote, .listItem, .alignment, .spoiler, .footnoteDefinition:
                continue
            default:
                return nil
            }
        }
        var leftOpen = builder.appendLeavingOpen(document, before: slotIndex)
        if paragraph != nil {
            let before = text.dropLast(EmbeddedHTML.slot.count).trimmingASCIIWhitespace()
            if !before.isEmpty { builder.addText(before, range: document[slotIndex].range) }
            builder.closeDroppingIfEmpty()
            leftOpen -= 1
        }
        return leftOpen
    }

    private mutating func openList(_ node: OpaquePointer, range: SourceRange) {
        let tight = cmark_node_get_list_tight(node) != 0
        if cmark_node_get_list_type(node) == CMARK_ORDERED_LIST {
            let start = Int(cmark_node_get_list_start(node))
            builder.open(.list(ListAttributes(kind: .ordered(start: start, numbering: .decimal), isTight: tight)),
                         range: range)
            let delimiter = cmark_node_get_list_delim(node) == CMARK_PAREN_DELIM ? ")" : "."
            builder.setHintsForCurrentContainer(SyntaxHints(marker: delimiter))
        } else {
            builder.open(.list(ListAttributes(kind: .bullet, isTight: tight)), range: range)
            if let bullet = byte(atLine: range.start.line, column: range.start.column),
               bullet == UInt8(ascii: "-") || bullet == UInt8(ascii: "*") || bullet == UInt8(ascii: "+") {
                builder.setHintsForCurrentContainer(SyntaxHints(marker: String(UnicodeScalar(bullet))))
            }
        }
    }

    private mutating func addCodeBlock(_ node: OpaquePointer, range: SourceRange) {
        let info = string(cmark_node_get_fence_info(node))
        builder.addLeaf(.codeBlock(info: info, code: builder.storeText(validatedUTF8: literal(of: node))),
                        range: range)
        var fenceLength: Int32 = 0
        var fenceOffset: Int32 = 0
        var fenceCharacter: CChar = 0
        if cmark_node_get_fenced(node, &fenceLength, &fenceOffset, &fenceCharacter) != 0 {
            let fence = String(repeating: String(UnicodeScalar(UInt8(bitPattern: fenceCharacter))),
                               count: Int(fenceLength))
            builder.setHintsForLastNode(SyntaxHints(marker: fence, form: "fenced"))
        } else {
            builder.setHintsForLastNode(SyntaxHints(form: "indented"))
        }
    }

    // MARK: Footnotes

    /// cmark-gfm 0.29 moves the definitions it uses to the end of the document, in the order
    /// they are first referenced, and numbers references by that order. It does not expose
    /// a definition's label, so the label is read back from the source, just before the
    /// definition's content: `[^label]:`.
    private mutating func collectFootnoteLabels(_ root: OpaquePointer) -> [String] {
        var definitions: [OpaquePointer] = []
        var child = cmark_node_last_child(root)
        while let node = child, cmark_node_get_type(node) == CMARK_NODE_FOOTNOTE_DEFINITION {
            definitions.append(node)
            child = cmark_node_previous(node)
        }
        return definitions.reversed().enumerated().map { number, node in
            let start = Self.range(of: node).start
            return definitionLabel(endingBefore: start) ?? String(number + 1)
        }
    }

    private var definitionsOpened = 0

    private mutating func nextDefinitionLabel() -> String {
        defer { definitionsOpened += 1 }
        return footnoteLabels.indices.contains(definitionsOpened) ? footnoteLabels[definitionsOpened]
            : String(definitionsOpened + 1)
    }

    /// A reference's literal is its footnote number; the label is the definition's.
    private func referenceLabel(_ node: OpaquePointer) -> String {
        let number = Int(string(cmark_node_get_literal(node))) ?? 0
        return footnoteLabels.indices.contains(number - 1) ? footnoteLabels[number - 1] : String(number)
    }

    private mutating func definitionLabel(endingBefore start: SourcePosition) -> String? {
        guard let contentStart = offset(ofLine: start.line, column: start.column) else { return nil }
        let lineStart = lineStarts[Int(start.line) - 1]
        var position = min(contentStart, source.count) - 1
        while position >= lineStart, source[position] == UInt8(ascii: " ") || source[position] == UInt8(ascii: "\t") {
            position -= 1
        }
        guard position > lineStart, source[position] == UInt8(ascii: ":"),
              source[position - 1] == UInt8(ascii: "]") else { return nil }
        let labelEnd = position - 1
        var labelStart = labelEnd
        while labelStart - 2 >= lineStart {
            if source[labelStart - 1] == UInt8(ascii: "^") && source[labelStart - 2] == UInt8(ascii: "[") {
                return String(decoding: UnsafeBufferPointer(rebasing: source[labelStart..<labelEnd]), as: UTF8.self)
            }
            labelStart -= 1
        }
        return nil
    }

    // MARK: Source access

    private mutating func offset(ofLine line: Int32, column: Int32) -> Int? {
        guard line >= 1, column >= 1 else { return nil }
        if lineStarts.isEmpty { buildLineStarts() }
        guard Int(line) <= lineStarts.count else { return nil }
        let offset = lineStarts[Int(line) - 1] + Int(column) - 1
        return offset <= source.count ? offset : nil
    }

    private mutating func byte(atLine line: Int32, column: Int32) -> UInt8? {
        guard let offset = offset(ofLine: line, column: column), offset < source.count else { return nil }
        return source[offset]
    }

    private mutating func buildLineStarts() {
        lineStarts = [0]
        guard let base = source.baseAddress else { return }
        let count = source.count
        lineStarts.reserveCapacity(count / 32 + 1)
        if memchr(base, Int32(UInt8(ascii: "\r")), count) == nil {
            // The usual case, LF only: found sixteen bytes at a time, a batch at a time (a
            // call to memchr per line cost more than the search).
            var resume = 0
            withUnsafeTemporaryAllocation(of: Int.self, capacity: 4096) { batch in
                while resume < count {
                    let found = markupkit_line_starts(base, count, resume, batch.baseAddress!, batch.count, &resume)
                    lineStarts.append(contentsOf: batch[..<found])
                }
            }
            return
        }
        var index = 0
        while index < count {
            let byte = source[index]
            index += 1
            // cmark counts CR, LF and CRLF each as one line ending.
            if byte == UInt8(ascii: "\r") {
                if index < count && source[index] == UInt8(ascii: "\n") { index += 1 }
                lineStarts.append(index)
            } else if byte == UInt8(ascii: "\n") {
                lineStarts.append(index)
            }
        }
    }

    // MARK: cmark accessors

    private func literal(of node: OpaquePointer) -> UnsafeRawBufferPointer {
        guard let pointer = cmark_node_get_literal(node) else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: pointer, count: strlen(pointer))
    }

    private func string(_ pointer: UnsafePointer<CChar>?) -> String {
        guard let pointer else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: strlen(pointer)), as: UTF8.self)
    }

    private static func range(of node: OpaquePointer) -> SourceRange {
        SourceRange(startLine: cmark_node_get_start_line(node), startColumn: cmark_node_get_start_column(node),
                    endLine: cmark_node_get_end_line(node), endColumn: cmark_node_get_end_column(node))
    }
}

extension MarkdownReader {
    /// Registers cmark-gfm's core extensions, once per process.
    ///
    /// cmark-gfm's own `cmark_gfm_core_extensions_ensure_registered()` is not thread-safe:
    /// two threads calling it at once register the extensions twice, with new node type
    /// numbers. Code in the same process that uses libcmark-gfm directly must call this
    /// instead (the reader calls it itself).
    public static func registerCmarkExtensions() {
        _ = CmarkRegistry.shared
    }

    /// Runs `body` while no other thread is parsing with libcmark-gfm.
    ///
    /// libcmark-gfm 0.29 adds the extensions' special characters to a process-wide table
    /// before parsing inlines (and while parsing table rows) and removes them afterwards,
    /// so two parses at once can lose each other's `~` or `|`. The reader parses under
    /// this lock (converting the finished tree needs none); code in the same process that
    /// parses with libcmark-gfm directly must use it too.
    public static func withCmarkParsingLock<Result>(_ body: () throws -> Result) rethrows -> Result {
        registerCmarkExtensions()
        return try cmarkParsingLock.withLock { _ in try body() }
    }

    private static let cmarkParsingLock = Mutex<Void>(())

    /// The version of the libcmark-gfm this process linked, e.g. "0.29.0.gfm.6".
    public static var cmarkVersion: String {
        String(cString: cmark_version_string())
    }
}
