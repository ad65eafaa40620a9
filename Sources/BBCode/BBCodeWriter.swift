import ByteScan
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MarkupKitCore

/// Writes a `Document` in one BBCode dialect: what that forum's parser reads back into
/// the same tree, as far as the forum can express it.
///
/// Nested lists go inside the item that owns them. What the dialect lacks degrades to the
/// closest readable form — a table to lines of text, a heading to a bold line — with a
/// warning naming where and what was lost; text is never dropped. Literal text that the
/// forum would take for a tag is escaped by the dialect's own means.
public struct BBCodeWriter: Sendable {
    public var dialect: BBCodeDialect
    /// Its address allowlist applies to what is written even when the policy trusts the
    /// input: `--unsafe` is about HTML, and a post is never the place for a
    /// `javascript:` link. A refused link is written as its text, with a warning.
    public var policy: SafetyPolicy

    public init(dialect: BBCodeDialect = .generic, policy: SafetyPolicy = .standard) {
        self.dialect = dialect
        self.policy = policy
    }

    public func write(_ document: Document) -> WriteResult {
        document.withUnsafeStorage { nodes, store in
            var writer = BBCodeOutput(document: document, nodes: nodes, store: store, dialect: dialect,
                                      urlPolicy: policy.urlPolicy)
            writer.render()
            return writer.finish()
        }
    }
}

private struct BBCodeOutput: ~Copyable {
    let document: Document
    /// The document's nodes and text, lent for the whole write: nodes are read in place,
    /// text is copied from here as bytes.
    let nodes: UnsafeBufferPointer<Node>
    let store: UnsafeBufferPointer<UInt8>
    let dialect: BBCodeDialect
    let urlPolicy: URLPolicy
    let vocabulary: BBCodeVocabulary
    var out: ByteBuffer
    var warnings: [ConversionWarning] = []
    /// Warnings given once per document, by kind (`OnceKey`).
    var warnedKinds: UInt8 = 0
    /// Messages of warnings given at every node of a kind, by kind: a handful, looked
    /// through (a dictionary keyed by a type of its own costs a conformance lookup over the
    /// whole binary at its first use, in every run that warns).
    var repeatedMessages: [(key: RepeatedWarning, message: String)] = []
    var footnotes: [Int] = []
    /// The inline elements open in `renderInlines`, innermost last: where each ends, the
    /// tag that closes it (none when empty), and whether it ends a link. One stack for
    /// every paragraph, so it is not grown afresh for each.
    var inlineClosers: [InlineCloser] = []
    /// Footnote numbers by label; made only for a document with footnotes. A class
    /// behind an optional: an empty `[String: Int]` in the writer, destroyed with it,
    /// instantiated its type at every write (a 0.34 M instruction conformance scan).
    var footnoteNumbers: FootnoteNumbers?
    /// What can start an address the forum links by itself, prepared once.
    let autolinkAnchors: BBCodeAutolinks.Anchors
    /// Whether the forum links bare addresses at all.
    let linksAddresses: Bool

    /// The dialect's way of parting text that would otherwise be read as markup, and its
    /// no-parse tag: written wherever text is escaped, so made once.
    let splitter: [UInt8]
    let noParseTag: String
    /// A bullet list's opening and closing tags: one pair for every list. The closing
    /// one is number 1 in `closingTags`.
    let bulletListTags: (open: String, close: String)
    /// The closing tags of open blocks, by number (`Open.closing`): a handful per document.
    var closingTags: [String]

    init(document: Document, nodes: UnsafeBufferPointer<Node>, store: UnsafeBufferPointer<UInt8>, dialect: BBCodeDialect,
         urlPolicy: URLPolicy) {
        self.document = document
        self.nodes = nodes
        self.store = store
        noParseTag = dialect.noParse.first ?? "noparse"
        let bulletTag = dialect.lists.bulletTags.first ?? "list"
        bulletListTags = ("[\(bulletTag)]", "[/\(bulletTag)]")
        closingTags = ["", bulletListTags.close]
        switch dialect.escape {
        case .noParseTag: splitter = Array("[\(noParseTag)][/\(noParseTag)]".utf8)
        case .emptyTagSplit(let tag): splitter = Array("[\(tag)][/\(tag)]".utf8)
        case .invisibleMark(let mark): splitter = Array(String(mark).utf8)
        }
        self.dialect = dialect
        self.urlPolicy = urlPolicy
        self.vocabulary = BBCodeVocabulary(dialect)
        autolinkAnchors = BBCodeAutolinks.Anchors(dialect.reading.autolinks)
        linksAddresses = !dialect.reading.autolinks.isEmpty
        // The text, and about a tag for every node: growing by doubling copied it all twice.
        self.out = ByteBuffer(reservingCapacity: store.count + document.nodeCount * 8 + 64)
    }

    consuming func finish() -> WriteResult {
        var warnings = warnings
        // Markdown keeps form feed and vertical tab (whitespace to CommonMark); forums
        // delete control characters from a post (phpBB's parser does), which would join
        // the words on either side, so they are written as the spaces they stand for.
        // memchr, as every post is searched and almost none hold either.
        let first = out.withUnsafeBytes { buffer -> Int? in
            guard let base = buffer.baseAddress else { return nil }
            var found: Int?
            for byte: Int32 in [0x0B, 0x0C] {
                if let match = memchr(base, byte, buffer.count) {
                    let offset = UnsafeRawPointer(match) - UnsafeRawPointer(base)
                    found = min(found ?? offset, offset)
                }
            }
            return found
        }
        let position = first == nil ? nil : firstFormFeedPosition()
        var bytes = out.finish()
        if let first {
            for index in first..<bytes.count where bytes[index] == 0x0B || bytes[index] == 0x0C {
                bytes[index] = UInt8(ascii: " ")
            }
            warnings.append(ConversionWarning(.loss, at: position ?? SourcePosition(line: 1, column: 1),
                                              "form feeds and vertical tabs written as spaces (forums delete control characters)"))
        }
        // A post over the forum's default length is refused when it is submitted: all of
        // it is lost unless it is split, which only the user can decide.
        if let limit = dialect.postLengthLimit, bytes.count > limit.count {
            let length = limit.length(of: bytes)
            if length > limit.count {
                warnings.append(ConversionWarning(.loss, "the post is \(length) \(limit.unit.rawValue); "
                    + "\(dialect.title) refuses posts over \(limit.count) by default (\(limit.setting))"))
            }
        }
        return WriteResult(bytes: bytes, warnings: warnings)
    }

    private func firstFormFeedPosition() -> SourcePosition? {
        for (index, node) in document.nodes.enumerated() {
            let text: TextRef
            switch node.kind {
            case .text(let ref), .code(let ref), .codeBlock(_, let ref), .rawBlock(_, let ref), .rawInline(_, let ref): text = ref
            default: continue
            }
            if document.string(text).utf8.contains(where: { $0 == 0x0B || $0 == 0x0C }) { return document[index].range.start }
        }
        return nil
    }

    // MARK: Blocks

    /// An open block container: its node, the next child, what was written last.
    private struct Open {
        var node: Int
        var next: Int
        var previous: Int?
        /// Its closing tag's number in `closingTags`; 0 for none. A number, so that an
        /// `Open` is a plain value: it is copied at every step of the walk.
        var closing: Int
        /// Lists: depth of lists, for FluxBB's limit; items separated by blank lines.
        var listDepth: Int
        var loose: Bool
        var flattened: Bool
        /// Where its separator and its output began, and the sibling written before it.
        var mark = 0
        var start = 0
        /// A container written without a tag inside an item of a tight list.
        var inTightItem = false
        var previousSibling: Int?
    }

    mutating func render() {
        for (index, node) in document.nodes.enumerated() {
            if case .footnoteDefinition(let label) = node.kind {
                let numbers = footnoteNumbers ?? FootnoteNumbers()
                footnoteNumbers = numbers
                if numbers.byLabel[label] == nil {
                    footnotes.append(index)
                    numbers.byLabel[label] = footnotes.count
                }
            }
        }
        renderBlocks(document.topLevel.filter { !isFootnoteDefinition($0) }, listDepth: 0)
        if !footnotes.isEmpty {
            warnOnce(key: .footnotes, { _ in "footnotes written as numbered notes at the end" },
                     at: document[footnotes[0]].range.start)
            newlineForBlock()
            writeRule()
            for (number, definition) in footnotes.enumerated() {
                out.ensureNewline()
                out.append(byte: UInt8(ascii: "\n"))
                out.append(contentsOf: "[\(number + 1)] ")
                renderBlocks(Array(document.children(of: definition)), listDepth: 0)
            }
        }
        out.ensureNewline()
    }

    /// The number of a closing tag in `closingTags`, given one the first time it is asked
    /// for (a dialect has a handful, so they are looked through rather than hashed).
    private mutating func closingNumber(_ tag: String) -> Int {
        if let number = closingTags.firstIndex(of: tag) { return number }
        closingTags.append(tag)
        return closingTags.count - 1
    }

    private func isFootnoteDefinition(_ index: Int) -> Bool {
        if case .footnoteDefinition = document[index].kind { return true }
        return false
    }

    /// Writes sibling blocks and everything inside them, with a heap stack.
    private mutating func renderBlocks(_ roots: [Int], listDepth: Int) {
        var stack: [Open] = []
        var rootIndex = 0
        var previousRoot: Int?
        while true {
            if var top = stack.last {
                let end = document.subtreeEnd(of: top.node)
                if top.next >= end {
                    stack.removeLast()
                    if top.closing != 0 {
                        // An item's end tag follows its content; a block's goes on a line of its own.
                        if case .listItem = document[top.node].kind {
                            out.removeTrailingWhitespace()
                        } else {
                            out.ensureNewline()
                        }
                        out.append(contentsOf: closingTags[top.closing])
                    }
                    if out.count == top.start {
                        // Nothing was written for it (a container the dialect has no tag
                        // for, with nothing inside): no separator either, and the next
                        // sibling follows the one before.
                        // The separator went, if it is still there: writing it may have taken
                        // trailing white space of the sibling before (an empty inline code).
                        out.truncate(to: min(top.mark, out.count))
                        if stack.isEmpty { previousRoot = top.previousSibling } else { stack[stack.count - 1].previous = top.previousSibling }
                    }
                    continue
                }
                let child = top.next
                top.next = document.subtreeEnd(of: child)
                let previous = top.previous
                top.previous = child
                stack[stack.count - 1] = top
                let mark = out.count
                separate(previous, child, in: top)
                let start = out.count
                if var opened = enter(child, parent: top) {
                    (opened.mark, opened.start, opened.previousSibling) = (mark, start, previous)
                    if opened.closing == 0 && !opened.flattened && !isListOrItem(opened.node) {
                        // Written without a tag: its blocks are the item's blocks.
                        opened.inTightItem = isInTightItem(top)
                        opened.loose = top.loose && !top.flattened
                    } else if opened.flattened {
                        // Past the depth limit, lines of the item that holds them: a blank
                        // line between their blocks would make a tight item read back loose.
                        opened.inTightItem = isInTightItem(top)
                    }
                    stack.append(opened)
                } else if out.count == start {
                    out.truncate(to: mark)
                    stack[stack.count - 1].previous = previous
                }
            } else {
                guard rootIndex < roots.count else { break }
                let child = roots[rootIndex]
                rootIndex += 1
                let previous = previousRoot
                let mark = out.count
                separate(previous, child, in: nil, listDepth: listDepth)
                previousRoot = child
                let start = out.count
                if var opened = enter(child, parent: nil, listDepth: listDepth) {
                    (opened.mark, opened.start, opened.previousSibling) = (mark, start, previous)
                    stack.append(opened)
                } else if out.count == start {
                    out.truncate(to: mark)
                    previousRoot = previous
                }
            }
        }
    }

    /// Between siblings: a blank line between paragraphs (and inside loose list items),
    /// one line break before and after block tags, which forums lay out themselves.
    private mutating func separate(_ previous: Int?, _ next: Int, in parent: Open?, listDepth: Int = 0) {
        guard let previous else { return }
        // Spaces at the end of a line are not content to a forum's parser.
        out.removeTrailingSpaces()
        if let parent, case .list = document[parent.node].kind {
            if parent.loose { out.ensureBlankLine() } else { out.ensureNewline() }
            return
        }
        out.ensureNewline()
        // In an item of a loose list every block is set apart, which is what makes the
        // list read back as loose; in a tight one no block may be, or it would read back
        // loose, so two lines of text there stay two lines of one paragraph.
        // An item past the depth limit is lines of the item that holds them: in a loose
        // one, its blocks are set apart as that item's are.
        let inLooseItem = parent.map { open in
            if !open.flattened { return open.loose }
            if case .listItem = document[open.node].kind { return !isInTightItem(open) }
            return false
        } ?? false
        if let parent, isInTightItem(parent) { return }
        let depth = parent?.listDepth ?? listDepth
        if inLooseItem || (writesAsText(previous, leading: false, listDepth: depth)
                           && writesAsText(next, leading: true, listDepth: depth)) {
            out.ensureBlankLine()
        }
    }

    private func isInTightItem(_ open: Open) -> Bool {
        if open.inTightItem { return true }
        guard case .listItem = document[open.node].kind else { return false }
        return !open.loose && !open.flattened
    }

    private func isListOrItem(_ index: Int) -> Bool {
        switch document[index].kind {
        case .list, .listItem: true
        default: false
        }
    }

    /// Whether a block's first (or last) line is plain text in this dialect — a paragraph,
    /// or a heading or rule the dialect has no tag for. Two such lines in a row need a
    /// blank line to stay apart. A container written without its tag (an alignment the
    /// dialect lacks) is as its first or last child.
    private func writesAsText(_ index: Int, leading: Bool, listDepth: Int) -> Bool {
        var node = index
        while true {
            switch document[node].kind {
            case .paragraph, .rawBlock:
                return true
            case .heading:
                return dialect.headings == .none || (listDepth > 0 && dialect.lists.itemsAllowOnlyInlineContent)
            case .thematicBreak:
                return dialect.horizontalRule == .none
            case .table:
                return dialect.table == .none
            case .blockQuote(let attribution) where listDepth > 0 && dialect.lists.itemsAllowOnlyInlineContent:
                if attribution != nil && leading { return true }
            case .spoiler(let title) where dialect.spoiler == .none:
                if title != nil && leading { return true }
            case .alignment(let alignment) where !hasTag(for: alignment):
                break
            case .footnoteDefinition:
                break
            case let kind:
                return !kind.isBlock
            }
            // Written without a tag of its own: look at the child on that side.
            let children = document.children(of: node)
            guard let child = leading ? children.first : children.last else { return false }
            node = child
        }
    }

    private func hasTag(for alignment: TextAlignment) -> Bool {
        switch dialect.alignment {
        case .none: false
        case .tags(let available): available.contains(alignment)
        case .alignEquals: true
        case .centerOnly: alignment == .center
        }
    }

    private mutating func enter(_ index: Int, parent: Open?, listDepth inherited: Int = 0) -> Open? {
        let position = nodes[index].range.start
        let listDepth = parent?.listDepth ?? inherited
        switch nodes[index].kind {
        case .paragraph:
            renderInlines(childrenOf: index)
        case .heading(let level):
            if listDepth > 0 && dialect.lists.itemsAllowOnlyInlineContent {
                warn(repeated: .headingInList, at: position) { "heading inside a list item written as a bold line (\($0.title) allows no heading there)" }
                writeBold(childrenOf: index)
            } else {
                writeHeading(index, level: level)
            }
        case .thematicBreak:
            writeRule()
            if dialect.horizontalRule == .none {
                warn(repeated: .noTag("thematic break"), at: position) { "thematic break has no tag in \($0.title); written as * * *" }
            }
        case .codeBlock(let info, let code):
            writeCodeBlock(info: info, code: code, at: position)
        case .rawBlock(let format, let content):
            if format == .bbcode {
                out.append(contentsOf: document.string(content).trimmingSuffixNewlines())
            } else {
                writeEscaped(document.string(content).trimmingSuffixNewlines())
                warn(repeated: .rawAsText(format), at: position) { _ in "raw \(format) written as text" }
            }
        case .table:
            writeTable(index)
        case .blockQuote(let attribution):
            if listDepth > 0 && dialect.lists.itemsAllowOnlyInlineContent {
                warn("quote inside a list item written as plain lines (\(dialect.title) rejects [quote] there)", at: position)
                if let attribution {
                    writeEscaped(attribution + " wrote:")
                    if !document.children(of: index).isEmpty {
                        // The attribution line is a block of the item: set apart as its others are.
                        if let parent, parent.loose && !parent.flattened { out.ensureBlankLine() } else { out.ensureNewline() }
                    }
                }
                return Open(node: index, next: index + 1, previous: nil, closing: 0, listDepth: listDepth,
                            loose: false, flattened: false)
            }
            var tag = quoteTag(attribution: attribution, hints: document.hints(at: index))
            // A name of letters and digits is written as it is in every form; any other
            // is read back to see whether the form could hold it (a reader per quote
            // would otherwise be work on every quoted post).
            if let attribution, !attribution.isEmpty,
               !attribution.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || ("0"..."9").contains($0) }) {
                let readBack = quoteAttribution(readFrom: tag)
                if readBack != attribution {
                    // The forum's quote tag has no way to write every character (a `"` and
                    // a `]` in one name, say): the form's own look-alikes (`'` for `"`, `)`
                    // for `]`) where they were enough, or else fullwidth forms of every
                    // character a tag option could end or split at.
                    if readBack.flatMap(Self.foldingOptionLookAlikes) != Self.foldingOptionLookAlikes(attribution) {
                        tag = quoteTag(attribution: Self.fullwidthPunctuation(attribution), hints: document.hints(at: index))
                    }
                    warn("quote attribution '\(attribution)' cannot be written exactly in \(dialect.title); characters were replaced", at: position)
                }
            }
            out.append(contentsOf: tag)
            out.append(byte: UInt8(ascii: "\n"))
            return Open(node: index, next: index + 1, previous: nil, closing: closingNumber("[/quote]"), listDepth: listDepth,
                        loose: false, flattened: false)
        case .list(let attributes):
            return openList(index, attributes: attributes, listDepth: listDepth, parent: parent)
        case .listItem(let task):
            return openItem(index, task: task, parent: parent)
        case .footnoteDefinition:
            // Definitions not at the top level: their content, where they stand.
            return Open(node: index, next: index + 1, previous: nil, closing: 0, listDepth: listDepth, loose: false,
                        flattened: false)
        case .alignment(let alignment):
            return openAlignment(index, alignment, listDepth: listDepth)
        case .spoiler(let title):
            return openSpoiler(index, title: title, listDepth: listDepth)
        case .tableRow, .tableCell, .text, .softBreak, .lineBreak, .code, .emphasis, .strong, .strikethrough,
             .underline, .superscript, .subscript, .link, .image, .footnoteReference, .rawInline, .color, .fontSize,
             .font:
            // Inline content or table parts where a block belongs (a hand-made tree).
            writeEscaped(document.plainText(of: index))
        }
        return nil
    }

    // MARK: Lists

    private mutating func openList(_ index: Int, attributes: ListAttributes, listDepth: Int, parent: Open?) -> Open {
        let depth = listDepth + 1
        let position = document[index].range.start
        if let maximum = dialect.lists.maximumDepth, depth > maximum {
            warnOnce(key: .deepLists,
                     { "lists nested deeper than \(maximum) levels were written as lines; \($0.title) deletes deeper ones" },
                     at: position)
            return Open(node: index, next: index + 1, previous: nil, closing: 0, listDepth: depth,
                        loose: false, flattened: true)
        }
        var open = ""
        var close = 0
        switch attributes.kind {
        case .bullet:
            (open, close) = (bulletListTags.open, 1)
        case .ordered(let start, let numbering):
            if start != 1 {
                warn("list starts at \(start); \(dialect.title) numbers every list from 1", at: position)
            }
            let tags = orderedListTags(numbering, at: position)
            (open, close) = (tags.0, closingNumber(tags.1))
        }
        out.append(contentsOf: open)
        out.append(byte: UInt8(ascii: "\n"))
        return Open(node: index, next: index + 1, previous: nil, closing: close, listDepth: depth,
                    loose: !attributes.isTight, flattened: false)
    }

    /// `[list=X]`'s code for a numbering (a switch: a dictionary's first use looks its key's
    /// `Hashable` conformance up over the whole binary, at every run that writes a list).
    private static func listCode(_ style: NumberingStyle) -> String {
        switch style {
        case .decimal: "1"
        case .lowerAlpha: "a"
        case .upperAlpha: "A"
        case .lowerRoman: "i"
        case .upperRoman: "I"
        }
    }

    private mutating func orderedListTags(_ numbering: NumberingStyle, at position: SourcePosition) -> (String, String) {
        if numbering == .decimal, let tag = dialect.lists.orderedTags.first {
            return ("[\(tag)]", "[/\(tag)]")
        }
        switch dialect.lists.numbering {
        case .listEquals(let styles):
            // A loop, not `styles.contains(numbering)`: that generic call, unspecialized
            // across modules, instantiated the array's type at every list (18 000
            // instructions each, 0.34 M on deprecations.md).
            var style = NumberingStyle.decimal
            for supported in styles where supported == numbering { style = numbering }
            if style != numbering {
                warn("\(numbering.rawValue) numbering written as 1, 2, 3 (\(dialect.title) has no such list)", at: position)
            }
            return ("[list=\(Self.listCode(style))]", "[/list]")
        case .typeAttribute:
            return ("[list type=\(numbering.rawValue)]", "[/list]")
        case .none:
            if let tag = dialect.lists.orderedTags.first {
                if numbering != .decimal {
                    warn("\(numbering.rawValue) numbering written as 1, 2, 3 (\(dialect.title) has no such list)", at: position)
                }
                return ("[\(tag)]", "[/\(tag)]")
            }
            warn("numbered list written as a bullet list (\(dialect.title) has no numbered lists)", at: position)
            return ("[list]", "[/list]")
        }
    }

    private mutating func openItem(_ index: Int, task: TaskState?, parent: Open?) -> Open {
        let flattened = parent?.flattened ?? false
        var closing = 0
        if flattened {
            // Past the forum's depth limit: the item as a line of its own, marked by depth
            // (right after the owning item's marker if the item has nothing before it).
            out.removeTrailingSpaces()
            if !(out.hasSuffix("[*]") || out.hasSuffix("[li]")) { out.ensureNewline() }
            let excess = (parent?.listDepth ?? 1) - (dialect.lists.maximumDepth ?? 0)
            // At most three dashes, so that a hostile depth cannot square the output.
            out.append(contentsOf: String(repeating: "–", count: min(max(excess, 1), 3)) + " ")
        } else {
            switch dialect.lists.item {
            case .star: out.append("[*]")
            case .starClosed:
                out.append("[*]")
                closing = closingNumber("[/*]")
            case .li:
                out.append("[li]")
                closing = closingNumber("[/li]")
            }
        }
        if let task {
            out.append(contentsOf: task == .checked ? "☑ " : "☐ ")
            warnOnce(key: .taskItems, { _ in "task list items written with ☐/☑ (BBCode has no check boxes)" },
                     at: document[index].range.start)
        }
        if flattened, let first = document.children(of: index).first,
           !writesAsText(first, leading: true, listDepth: parent?.listDepth ?? 0) {
            // A block tag after the dash would split the line when read back (the dash a
            // paragraph of its own, then the block), so the block starts the next line,
            // as it would be written the second time: after a blank line if the item that
            // holds these lines is loose, as its blocks are set apart.
            out.removeTrailingSpaces()
            if let parent, !isInTightItem(parent) { out.ensureBlankLine() } else { out.ensureNewline() }
        }
        return Open(node: index, next: index + 1, previous: nil, closing: closing, listDepth: parent?.listDepth ?? 0,
                    loose: parent?.loose ?? false, flattened: flattened)
    }

    // MARK: Other blocks

    private mutating func writeHeading(_ index: Int, level: Int) {
        let position = document[index].range.start
        switch dialect.headings {
        case .numbered(let maximum):
            let written = min(max(level, 1), maximum)
            if written != level {
                warn(repeated: .headingLevel(level), at: position) { "heading level \(level) written as level \(written) (\($0.title) has \(maximum))" }
            }
            out.append("[h")
            out.append(decimal: written)
            out.append(byte: UInt8(ascii: "]"))
            renderInlines(childrenOf: index)
            out.append("[/h")
            out.append(decimal: written)
            out.append(byte: UInt8(ascii: "]"))
        case .headingEquals(let maximum):
            let written = min(max(level, 1), maximum)
            if written != level {
                warn(repeated: .headingLevel(level), at: position) { "heading level \(level) written as level \(written) (\($0.title) has \(maximum))" }
            }
            out.append("[heading=")
            out.append(decimal: written)
            out.append(byte: UInt8(ascii: "]"))
            renderInlines(childrenOf: index)
            out.append("[/heading]")
        case .single:
            if level != 2 { warnOnce(key: .headingLevel, { "headings written as [h], the only level \($0.title) has" }, at: position) }
            out.append("[h]")
            renderInlines(childrenOf: index)
            out.append("[/h]")
        case .none:
            warn(repeated: .noTag("heading"), at: position) { "heading has no tag in \($0.title); written as a bold line" }
            writeBold(childrenOf: index)
        }
    }

    private mutating func writeBold(childrenOf index: Int) {
        guard !document.children(of: index).isEmpty else { return }
        out.append("[b]")
        renderInlines(childrenOf: index)
        out.append("[/b]")
    }

    private mutating func writeRule() {
        switch dialect.horizontalRule {
        case .tag: out.append("[hr]")
        case .pairedTag: out.append("[hr][/hr]")
        case .none: out.append("* * *")
        }
    }

    private mutating func writeCodeBlock(info: String, code: TextRef, at position: SourcePosition) {
        let language = String(info.prefix { $0 != " " && $0 != "\t" })
        var tag = dialect.code.tags.first ?? "code"
        var value: String?
        if !language.isEmpty {
            if dialect.code.language && isSafeOptionValue(language) {
                value = language
            } else if let special = dialect.code.languageTags.first(where: { $0.value == language.lowercased() })?.key {
                tag = special
            } else {
                warn("code language \(language) dropped (\(dialect.title) has no code languages)", at: position)
            }
        }
        let code = text(code)
        var body = code
        // The last line end, unless it is part of a CR LF (one character, kept whole).
        if body.last == UInt8(ascii: "\n") && (body.count < 2 || body[body.count - 2] != UInt8(ascii: "\r")) {
            body = UnsafeBufferPointer(rebasing: body.dropLast())
        }
        if let value { appendTag(tag, value: value) } else { appendTag(tag) }
        out.append(byte: UInt8(ascii: "\n"))
        // Each line of code ends in a line break; the reader drops the one after the
        // opening tag and the last: so one empty line is two breaks, and none is one.
        if !code.isEmpty {
            appendBreakingClosingTag(tag, in: body, what: "code", at: position)
            out.append(byte: UInt8(ascii: "\n"))
        }
        appendClosingTag(tag)
    }

    /// Content read as it is up to the first closing tag (code, an image's description):
    /// a closing tag inside would end it early, so an invisible mark is put after its `[`.
    private mutating func appendBreakingClosingTag(_ tag: String, in content: UnsafeBufferPointer<UInt8>, what: String,
                                                   at position: SourcePosition) {
        guard var found = Self.firstClosingTag(tag, in: content) else {
            out.append(content)
            return
        }
        var mark: Unicode.Scalar = "\u{200B}"
        if case .invisibleMark(let dialectMark) = dialect.escape { mark = dialectMark }
        warn("the \(what) contained [/\(tag)], which would end it; an invisible U+\(String(mark.value, radix: 16, uppercase: true)) was put after the [", at: position)
        var start = 0
        while true {
            out.append(UnsafeBufferPointer(rebasing: content[start...found]))
            out.append(contentsOf: String(mark))
            start = found + 1
            guard let next = Self.firstClosingTag(tag, in: content, from: start) else { break }
            found = next
        }
        out.append(UnsafeBufferPointer(rebasing: content[start...]))
    }

    private mutating func writeTable(_ index: Int) {
        let position = document[index].range.start
        let rows = Array(document.children(of: index))
        if case .table(let columns) = document[index].kind, columns.contains(where: { $0 != .none }) {
            warnOnce(key: .tableAlignment, { _ in "table column alignment has no BBCode form; dropped" }, at: position)
        }
        switch dialect.table {
        case .full, .noHeaderCells:
            out.append("[table]\n")
            for row in rows {
                guard case .tableRow(let isHeader) = document[row].kind else { continue }
                out.append("[tr]")
                for cell in document.children(of: row) {
                    if isHeader && dialect.table == .full {
                        out.append("[th]")
                        renderInlines(childrenOf: cell)
                        out.append("[/th]")
                    } else if isHeader {
                        out.append("[td][b]")
                        renderInlines(childrenOf: cell)
                        out.append("[/b][/td]")
                        warnOnce(key: .headerCells, { "table header cells written as bold cells (\($0.title) has no [th])" }, at: position)
                    } else {
                        out.append("[td]")
                        renderInlines(childrenOf: cell)
                        out.append("[/td]")
                    }
                }
                out.append("[/tr]\n")
            }
            out.append("[/table]")
        case .none:
            warn("table has no tag in \(dialect.title); written as lines of text, cells separated by |", at: position)
            for (number, row) in rows.enumerated() {
                if number > 0 { out.append(byte: UInt8(ascii: "\n")) }
                let isHeader: Bool
                if case .tableRow(let header) = document[row].kind { isHeader = header } else { isHeader = false }
                if isHeader { out.append("[b]") }
                for (offset, cell) in document.children(of: row).enumerated() {
                    if offset > 0 { out.append(" | ") }
                    renderInlines(childrenOf: cell)
                }
                if isHeader { out.append("[/b]") }
            }
        }
    }

    private mutating func openAlignment(_ index: Int, _ alignment: TextAlignment, listDepth: Int) -> Open? {
        let tags: (String, String)?
        switch dialect.alignment {
        case .tags(let available) where available.contains(alignment):
            tags = ("[\(alignment.rawValue)]", "[/\(alignment.rawValue)]")
        case .alignEquals:
            tags = ("[align=\(alignment.rawValue)]", "[/align]")
        case .centerOnly where alignment == .center:
            tags = ("[center]", "[/center]")
        default:
            tags = nil
        }
        guard let (open, close) = tags else {
            warn("\(alignment.rawValue) alignment has no tag in \(dialect.title); the content was kept without it",
                 at: document[index].range.start)
            return Open(node: index, next: index + 1, previous: nil, closing: 0, listDepth: listDepth, loose: false, flattened: false)
        }
        out.append(contentsOf: open)
        out.append(byte: UInt8(ascii: "\n"))
        return Open(node: index, next: index + 1, previous: nil, closing: closingNumber(close), listDepth: listDepth,
                    loose: false, flattened: false)
    }

    private mutating func openSpoiler(_ index: Int, title: String?, listDepth: Int) -> Open? {
        let position = document[index].range.start
        switch dialect.spoiler {
        case .titled:
            if let title {
                let written = quotedOption(title, lookAlikes: ["\"": "'", "\n": " "], what: "spoiler title", at: position)
                out.append(contentsOf: "[spoiler=\"\(written)\"]")
            } else {
                out.append("[spoiler]")
            }
            out.append(byte: UInt8(ascii: "\n"))
            return Open(node: index, next: index + 1, previous: nil, closing: closingNumber("[/spoiler]"), listDepth: listDepth, loose: false, flattened: false)
        case .untitled:
            out.append("[spoiler]\n")
            if let title {
                out.append("[b]")
                writeEscaped(title)
                out.append("[/b]\n")
                warn("spoiler title written as a bold line inside (\(dialect.title) spoilers have no title)", at: position)
            }
            return Open(node: index, next: index + 1, previous: nil, closing: closingNumber("[/spoiler]"), listDepth: listDepth, loose: false, flattened: false)
        case .none:
            warn("spoiler has no tag in \(dialect.title); its content was written visibly", at: position)
            if let title {
                out.append("[b]")
                writeEscaped(title)
                out.append("[/b]\n")
            }
            return Open(node: index, next: index + 1, previous: nil, closing: 0, listDepth: listDepth, loose: false, flattened: false)
        }
    }

    private func quoteTag(attribution: String?, hints: SyntaxHints?) -> String {
        guard let author = attribution, !author.isEmpty else { return "[quote]" }
        let ids = hints?.attributes ?? []
        func id(_ names: String...) -> [SyntaxHints.Attribute] {
            ids.filter { names.contains($0.name.lowercased()) && isSafeOptionValue($0.value) }
        }
        switch dialect.quote {
        case .quotedName:
            let escaped = author.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"")
            let extras = id("post_id", "time", "user_id").map { " \($0.name)=\($0.value)" }.joined()
            return "[quote=\"\(escaped)\"\(extras)]"
        case .bareName:
            return isSafeOptionValue(author) ? "[quote=\(author)]" : "[quote=\"\(author.replacing("\"", with: "'"))\"]"
        case .xenForo:
            let extras = id("post", "member").map { ", \($0.name): \($0.value)" }.joined()
            return "[quote=\"\(author.replacing("\"", with: "'"))\(extras)\"]"
        case .semicolonPost:
            let post = id("post").first.map { ";\($0.value)" } ?? ""
            // The last `;` before digits starts the post number: such a one is written as
            // its look-alike, the fullwidth semicolon (not the Greek question mark, which
            // is a semicolon to Unicode normalisation and to Swift string comparison).
            var name = author.replacing("]", with: ")")
            if let semicolon = name.lastIndex(of: ";"), name[name.index(after: semicolon)...].allSatisfy(\.isNumber) {
                name.replaceSubrange(semicolon...semicolon, with: "\u{FF1B}")
            }
            return "[quote=\(name)\(post)]"
        case .authorAttribute:
            let extras = id("link", "date").map { " \($0.name)=\($0.value)" }.joined()
            return "[quote author=\(author.replacing("]", with: ")"))\(extras)]"
        case .singleQuotedName:
            let extras = id("pid", "dateline").map { " \($0.name)='\($0.value)'" }.joined()
            return "[quote='\(author.replacing("'", with: "\\'"))'\(extras)]"
        }
    }

    /// The author a quote tag reads back as in this dialect, or nil if it is no quote.
    private func quoteAttribution(readFrom tag: String) -> String?? {
        guard case .blockQuote(let author)? = BBCodeReader(dialect: dialect).read(tag + "x[/quote]").document.nodes.first?.kind
        else { return nil }
        return author
    }

    /// A name with the quote forms' own look-alikes undone, to tell whether they were enough.
    private static func foldingOptionLookAlikes(_ name: String?) -> String? {
        name.map { String($0.map { $0 == "\"" ? "'" : $0 == "]" ? ")" : $0 }) }
    }

    /// Every character a tag option may end or split at, as its fullwidth form (none of
    /// them is equal to its ASCII form under Unicode normalisation), and line ends as spaces.
    static func fullwidthPunctuation(_ text: String) -> String {
        String(text.map { character -> Character in
            switch character {
            case "\"": "\u{FF02}"
            case "'": "\u{FF07}"
            case "[": "\u{FF3B}"
            case "]": "\u{FF3D}"
            case "=": "\u{FF1D}"
            case ";": "\u{FF1B}"
            case ",": "\u{FF0C}"
            case ":": "\u{FF1A}"
            case "\\": "\u{FF3C}"
            case "\n", "\r": " "
            default: character
            }
        })
    }

    /// `value` as a quoted tag option: each character that would end the option (or the
    /// tag, which never spans lines) is written as its look-alike, with a warning when
    /// any was, since the reader then sees a different text.
    private mutating func quotedOption(_ value: String, lookAlikes: [Character: Character], what: String,
                                       at position: SourcePosition) -> String {
        // A backslash before another or before the closing quote would be read as an escape.
        let escapes = value.last == "\\" || value.contains("\\\\")
        guard escapes || value.contains(where: { lookAlikes[$0] != nil }) else { return value }
        warn("\(what) '\(value)' cannot be written exactly in \(dialect.title); characters were replaced", at: position)
        var written = String(value.map { lookAlikes[$0] ?? $0 })
        if escapes { written = written.replacing("\\", with: "\u{FF3C}") }
        return written
    }

    /// Whether a bare option value holds ` name=`, where the reader's scanner ends the
    /// value and starts an attribute.
    private static func startsAttributeAfterSpace(_ value: String) -> Bool {
        var value = value
        return value.withUTF8 { bytes in
            bytes.indices.contains { bytes[$0] == UInt8(ascii: " ")
                && BBCodeTagScanner.startsAttribute(bytes, at: $0 + 1, limit: bytes.count) }
        }
    }

    private func isSafeOptionValue(_ value: String) -> Bool {
        !value.isEmpty && !value.unicodeScalars.contains { $0 == "]" || $0 == "[" || $0 == "\"" || $0 == "'" || $0.value < 0x21 }
    }

    private mutating func newlineForBlock() {
        out.ensureNewline()
        out.append(byte: UInt8(ascii: "\n"))
    }

    // MARK: Inline content

    /// The inline children of a paragraph, heading or cell, with a heap stack.
    private mutating func renderInlines(childrenOf parent: Int) {
        // This paragraph's open elements are those above `base` on the shared stack.
        let base = inlineClosers.count
        var linkDepth = 0
        // Links written as tags, inside which the forum links nothing by itself (links
        // written as their text do not count).
        var taggedLinkDepth = 0
        var index = parent + 1
        let end = document.subtreeEnd(of: parent)
        while index < end || inlineClosers.count > base {
            if inlineClosers.count > base, let last = inlineClosers.last, last.end <= index {
                inlineClosers.removeLast()
                if !last.tag.isEmpty { appendClosingTag(last.tag) }
                if last.endsLink { linkDepth -= 1 }
                if last.endsLink && !last.tag.isEmpty { taggedLinkDepth -= 1 }
                continue
            }
            // Read in place from the lent nodes: a copy of each node retained and released
            // its payload (5 M instructions on Node.js's API reference).
            let nodeEnd = document.subtreeEnd(of: index)
            let position = nodes[index].range.start
            var closing: String?
            switch nodes[index].kind {
            case .text(let ref):
                writeEscaped(textAt: ref, insideLink: taggedLinkDepth > 0)
            case .softBreak:
                out.append(byte: UInt8(ascii: " "))
            case .lineBreak:
                // Spaces before a line end are not content to a forum's parser.
                out.removeTrailingSpaces()
                out.append(byte: UInt8(ascii: "\n"))
            case .code(let ref):
                writeInlineCode(text(ref), at: position)
            case .emphasis:
                closing = formatting(dialect.italic, index: index, what: "emphasis")
            case .strong:
                closing = formatting(dialect.bold, index: index, what: "strong emphasis")
            case .strikethrough:
                closing = formatting(dialect.strikethrough, index: index, what: "strikethrough")
            case .underline:
                closing = formatting(dialect.underline, index: index, what: "underline")
            case .superscript:
                closing = formatting(dialect.superscript, index: index, what: "superscript")
            case .subscript:
                closing = formatting(dialect.subscript, index: index, what: "subscript")
            case .color(let color):
                if dialect.color.isEmpty {
                    warn(repeated: .noTag("colour"), at: position) { "colour has no tag in \($0.title); the text was kept without it" }
                } else {
                    let spelling = document.hints(at: index)?.spelling.flatMap { CSSColor(parsing: $0) == color ? $0 : nil }
                    appendTag(dialect.color[0], value: spelling ?? color.hexString)
                    closing = dialect.color[0]
                }
            case .fontSize(let size):
                if let unit = dialect.size {
                    appendTag("size", value: sizeValue(size, in: unit, at: position))
                    closing = "size"
                } else {
                    warn(repeated: .noTag("font size"), at: position) { "font size has no tag in \($0.title); the text was kept without it" }
                }
            case .font(let family):
                if let tag = dialect.font.first {
                    appendTag(tag, value: family.names.joined(separator: ", "))
                    closing = tag
                } else {
                    warn(repeated: .noTag("font"), at: position) { "font has no tag in \($0.title); the text was kept without it" }
                }
            case .link(let destination, let title):
                if !title.isEmpty { warn("link title '\(title)' has no form in BBCode; dropped", at: position) }
                if destination.isEmpty {
                    // A link to nowhere (a refused address): its text is all there is.
                    inlineClosers.append(InlineCloser(end: nodeEnd, tag: "", endsLink: true))
                } else if !urlPolicy.allows(destination, isImage: false) {
                    // Only a trusted tree still holds such an address (every reader
                    // empties it otherwise).
                    warnings.append(urlPolicy.refusal(destination, isImage: false, at: position))
                    inlineClosers.append(InlineCloser(end: nodeEnd, tag: "", endsLink: true))
                } else if linkDepth > 0 {
                    warn("link inside a link written as its text", at: position)
                    inlineClosers.append(InlineCloser(end: nodeEnd, tag: "", endsLink: true))
                } else if let closingTag = openLink(destination, at: index) {
                    inlineClosers.append(InlineCloser(end: nodeEnd, tag: closingTag, endsLink: true))
                    if !closingTag.isEmpty { taggedLinkDepth += 1 }
                } else {
                    // Written whole: `[url]…[/url]`.
                    index = nodeEnd
                    continue
                }
                linkDepth += 1
                index += 1
                continue
            case .image(let image):
                if image.source.isEmpty || !urlPolicy.allows(image.source, isImage: true) {
                    // An image of nothing (a refused address): its description as text.
                    if !image.source.isEmpty { warnings.append(urlPolicy.refusal(image.source, isImage: true, at: position)) }
                    writeEscaped(document.plainText(of: index))
                } else {
                    if !image.title.isEmpty { warn("image title '\(image.title)' has no form in BBCode; dropped", at: position) }
                    writeImage(image, alt: document.plainText(of: index), at: position)
                }
                index = nodeEnd
                continue
            case .footnoteReference(let label):
                guard let number = footnoteNumbers?.byLabel[label] else {
                    // No definition to number it by: the label is the user's text, and
                    // `[b]` as a label must not become a tag.
                    writeEscaped("[\(label)]")
                    warn("footnote reference [^\(label)] has no definition; written as text", at: position)
                    break
                }
                if let sup = dialect.superscript.first {
                    appendTag(sup)
                    out.append(decimal: number)
                    appendClosingTag(sup)
                } else {
                    out.append(byte: UInt8(ascii: "["))
                    out.append(decimal: number)
                    out.append(byte: UInt8(ascii: "]"))
                }
            case .rawInline(let format, let ref):
                if format == .bbcode {
                    out.append(text(ref))
                } else {
                    writeEscaped(textAt: ref)
                    warn(repeated: .rawAsText(format), at: position) { _ in "raw \(format) written as text" }
                }
            case .paragraph, .heading, .thematicBreak, .blockQuote, .list, .listItem, .codeBlock, .table, .tableRow,
                 .tableCell, .footnoteDefinition, .alignment, .spoiler, .rawBlock:
                // A block inside inline content (a hand-made tree): its text.
                writeEscaped(document.plainText(of: index))
                index = nodeEnd
                continue
            }
            if nodes[index].kind.isContainer { inlineClosers.append(InlineCloser(end: nodeEnd, tag: closing ?? "", endsLink: false)) }
            index += 1
        }
    }

    /// Opens a formatting tag and returns the name to close it by, or warns that the
    /// dialect lacks it.
    private mutating func formatting(_ tags: [String], index: Int, what: String) -> String? {
        guard let canonical = tags.first else {
            warn(repeated: .noTag(what), at: document[index].range.start) { "\(what) has no tag in \($0.title); the text was kept without it" }
            return nil
        }
        // The spelling read from the source, if this dialect reads it the same way.
        var tag = canonical
        if let spelling = document.hints(at: index)?.spelling, tags.contains(spelling.lowercased()),
           !vocabulary.lowercaseOnly.contains(spelling.lowercased()) || spelling == spelling.lowercased() {
            tag = spelling
        }
        appendTag(tag)
        return tag
    }

    /// Opens a link and returns the tag to close it by, or writes it whole and returns nil.
    private mutating func openLink(_ destination: String, at index: Int) -> String? {
        let url = Self.safeURL(destination)
        let unchanged = url == destination
        if URLPolicy.hasScheme(url, "mailto"), let email = dialect.email.first {
            let address = url.utf8.dropFirst(7)
            if unchanged && isOwnText(index, address) {
                appendTag(email)
                out.append(contentsOf: String(Substring(address)))
                appendClosingTag(email)
                return nil
            }
            appendTag(email, value: String(Substring(address)))
            return email
        }
        let tag = dialect.url.first ?? "url"
        // `[url]…[/url]` shows its address as the text: only an address written unchanged.
        if unchanged && isOwnText(index, destination.utf8[...]) {
            appendTag(tag)
            out.append(contentsOf: url)
            appendClosingTag(tag)
            return nil
        }
        appendTag(tag, value: url)
        return tag
    }

    /// Whether a link's only content is exactly `text`.
    private func isOwnText(_ index: Int, _ text: Substring.UTF8View) -> Bool {
        let end = document.subtreeEnd(of: index)
        guard end == index + 2, case .text(let ref) = document[index + 1].kind else { return false }
        return self.text(ref).elementsEqual(text)
    }

    /// A URL that cannot end its tag early: brackets, quotes, spaces and controls are
    /// percent-encoded.
    static func safeURL(_ url: String) -> String {
        let needsEncoding = url.containsByte {
            $0 < 0x21 || $0 == 0x7F || $0 == UInt8(ascii: "[") || $0 == UInt8(ascii: "]") || $0 == UInt8(ascii: "\"")
                || $0 == UInt8(ascii: "'")
        }
        guard needsEncoding else { return url }
        var result = ""
        for scalar in url.unicodeScalars {
            switch scalar {
            case "[", "]", "\"", "'", " ", "\u{7F}":
                result += "%" + String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 2)
            case _ where scalar.value < 0x20:
                result += "%" + String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 2)
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    private mutating func writeImage(_ image: ImageAttributes, alt: String, at position: SourcePosition) {
        let source = Self.safeURL(image.source)
        let hasSize = image.width != nil || image.height != nil
        switch dialect.image {
        case .plain:
            out.append(contentsOf: "[img]\(source)[/img]")
            if !alt.isEmpty || hasSize { warn("image description and size have no form in \(dialect.title); dropped", at: position) }
        case .attributes:
            var tag = "[img"
            if !alt.isEmpty {
                // These forums end a quoted option at the first `"` or `]`.
                let written = quotedOption(alt, lookAlikes: ["\"": "'", "]": ")", "\n": " "], what: "image description",
                                           at: position)
                tag += " alt=\"\(written)\""
            }
            if let width = image.width { tag += " width=\(width)" }
            if let height = image.height { tag += " height=\(height)" }
            out.append(contentsOf: tag + "]\(source)[/img]")
        case .urlInOption:
            // The description is the tag's content, read as it is up to `[/img]`: not
            // escaped, but kept from ending the tag early.
            out.append(contentsOf: "[img=\(source)]")
            let description = alt.containsByte({ $0 == UInt8(ascii: "\n") }) ? alt.replacing("\n", with: " ") : alt
            var written = description
            written.withUTF8 { appendBreakingClosingTag("img", in: $0, what: "image description", at: position) }
            out.append("[/img]")
            if hasSize { warn("image size dropped (\(dialect.title) takes it instead of the description)", at: position) }
        case .altInOption:
            if alt.isEmpty || !isSafeOptionValue(alt.replacing(" ", with: "_")) || Self.startsAttributeAfterSpace(alt) {
                out.append(contentsOf: "[img]\(source)[/img]")
                if !alt.isEmpty { warn("image description dropped (it cannot be written as a tag option)", at: position) }
            } else {
                out.append(contentsOf: "[img=\(alt)]\(source)[/img]")
            }
            if hasSize { warn("image size has no form in \(dialect.title); dropped", at: position) }
        case .sizeInOption:
            if let width = image.width, let height = image.height {
                out.append(contentsOf: "[img=\(width)x\(height)]\(source)[/img]")
            } else {
                out.append(contentsOf: "[img]\(source)[/img]")
            }
            if !alt.isEmpty { warn("image description has no form in \(dialect.title); dropped", at: position) }
        }
    }

    private mutating func writeInlineCode(_ code: UnsafeBufferPointer<UInt8>, at position: SourcePosition) {
        // A code span's line ends are spaces to Markdown, and a forum's inline code is one line.
        guard let base = code.baseAddress, memchr(base, Int32(UInt8(ascii: "\n")), code.count) != nil else {
            writeFlatInlineCode(code, at: position)
            return
        }
        // (A CR LF is one character, which Markdown never makes but a JSON tree may hold: kept.)
        var flat = Array(code)
        for index in flat.indices where flat[index] == UInt8(ascii: "\n") && (index == 0 || flat[index - 1] != UInt8(ascii: "\r")) {
            flat[index] = UInt8(ascii: " ")
        }
        flat.withUnsafeBufferPointer { writeFlatInlineCode($0, at: position) }
    }

    private mutating func writeFlatInlineCode(_ code: UnsafeBufferPointer<UInt8>, at position: SourcePosition) {
        // Only a closing tag inside would end the code early.
        switch dialect.inlineCode {
        case .tag(let tag) where Self.firstClosingTag(tag, in: code) == nil:
            appendWrapped(code, in: tag)
        case .singleLineCode where Self.firstClosingTag("code", in: code) == nil:
            appendWrapped(code, in: "code")
        case .noParse where !code.isEmpty && Self.firstClosingTag(noParseTag, in: code) == nil:
            appendWrapped(code, in: noParseTag)
            warnOnce(key: .inlineCodeWithoutStyling, { "inline code written without code styling (\($0.title) has no inline code)" },
                     at: position)
        default:
            writeEscaped(bytes: code, insideLink: false)
            warnOnce(key: .inlineCodeAsText, { "inline code written as plain text (\($0.title) has no inline code)" }, at: position)
        }
    }

    /// Whether content read as it is up to `[/tag]` (code, an image's description) holds
    /// that closing tag, in any case: where the first is.
    static func firstClosingTag(_ tag: String, in content: UnsafeBufferPointer<UInt8>, from start: Int = 0) -> Int? {
        guard let base = content.baseAddress else { return nil }
        // Tag names are ASCII to every reader (`BBCodeTagScanner`), so `[/CODE]` closes
        // `[code]` and nothing outside ASCII does: compared as bytes, each `[` found by memchr.
        var closingTag = "[/\(tag)]"
        return closingTag.withUTF8 { needle in
            var position = start
            while position + needle.count <= content.count,
                  let found = memchr(base + position, Int32(UInt8(ascii: "[")), content.count - needle.count + 1 - position) {
                position = UnsafePointer<UInt8>(found.assumingMemoryBound(to: UInt8.self)) - base
                if BBCodeAutolinks.matches(content, at: position, end: content.count, needle) { return position }
                position += 1
            }
            return nil
        }
    }

    /// A size in the dialect's unit, converted (and bounded) where the source used another.
    private mutating func sizeValue(_ size: FontSize, in unit: BBCodeDialect.SizeUnit, at position: SourcePosition) -> String {
        let steps = [60, 80, 100, 120, 150, 200, 300]
        let percent: Int
        switch size {
        case .percent(let value): percent = value
        case .scale(let step): percent = steps[min(max(step, 1), 7) - 1]
        case .pixels(let value): percent = value * 100 / 16
        case .points(let value): percent = value * 100 / 12
        }
        let written: String
        let sameUnit: Bool
        switch unit {
        case .percent:
            written = String(min(max(percent, FontSize.percentRange.lowerBound), FontSize.percentRange.upperBound))
            if case .percent = size { sameUnit = true } else { sameUnit = false }
        case .scale:
            let step = (steps.enumerated().min { abs($0.element - percent) < abs($1.element - percent) }?.offset ?? 2) + 1
            written = String(step)
            if case .scale = size { sameUnit = true } else { sameUnit = false }
        case .pixels:
            written = String(min(max((percent * 16 + 50) / 100, 1), FontSize.pixelRange.upperBound))
            if case .pixels = size { sameUnit = true } else { sameUnit = false }
        case .points:
            written = String(min(max((percent * 12 + 50) / 100, 1), FontSize.pointRange.upperBound))
            if case .points = size { sameUnit = true } else { sameUnit = false }
        }
        if !sameUnit {
            warn("font size \(size.cssValue) written as [size=\(written)] (\(dialect.title) sizes are \(unit.rawValue))", at: position)
        }
        return written
    }

    // MARK: Escaping

    /// Writes text so the forum shows it as it is: every `[` that would start a tag the
    /// dialect knows is escaped by the dialect's means.
    /// Inside a link's tags the forum links nothing by itself.
    private mutating func writeEscaped(_ text: String, insideLink: Bool = false) {
        var text = text
        text.withUTF8 { writeEscaped(bytes: $0, insideLink: insideLink) }
    }

    /// Text a document holds, escaped, from the document's bytes.
    private mutating func writeEscaped(textAt ref: TextRef, insideLink: Bool = false) {
        writeEscaped(bytes: text(ref), insideLink: insideLink)
    }

    private mutating func writeEscaped(bytes text: UnsafeBufferPointer<UInt8>, insideLink: Bool) {
        // Most text has no brackets and no address in it: written as it is.
        if appendIfNothingToEscape(text, insideLink: insideLink) { return }
        let autolinks = !insideLink && linksAddresses
        // Text that must be escaped together with what the output ends with, when it does.
        var joined: [UInt8]?
        // The forum sees the text written just before (another node's) and this as one
        // run: an address may start there and go on here. The two are written as one.
        if autolinks, let start = autolinkRunStart(), start < out.count {
            let tailCount = out.count - start
            var run = out.withUnsafeBytes { Array($0[start...]) }
            run.append(contentsOf: text)
            // Places to break in the text before were broken when it was written; one that
            // shows only now, with this text after it, is inside it.
            let crossing = run.withUnsafeBufferPointer { bytes in
                BBCodeAutolinks.anchorBreaks(in: bytes, anchors: autolinkAnchors).contains { $0 < tailCount }
            }
            if crossing {
                out.truncate(to: start)
                joined = run
            }
        }
        // Text written just before (another node's) may hold a `[` that this text would
        // close into a tag: the two are escaped as one.
        let closesBracket = joined.map { $0.contains(UInt8(ascii: "]")) }
            ?? (text.baseAddress.map { memchr($0, Int32(UInt8(ascii: "]")), text.count) != nil } ?? false)
        if closesBracket, let start = unclosedBracketInOutput() {
            var run = out.withUnsafeBytes { Array($0[start...]) }
            if let joined { run.append(contentsOf: joined) } else { run.append(contentsOf: text) }
            out.truncate(to: start)
            joined = run
        }
        if let joined {
            joined.withUnsafeBufferPointer { escapeAndAppend($0, autolinks: autolinks) }
        } else {
            escapeAndAppend(text, autolinks: autolinks)
        }
    }

    private mutating func escapeAndAppend(_ bytes: UnsafeBufferPointer<UInt8>, autolinks: Bool) {
        // Where the forum would link a bare address by itself, the address is broken
        // up as a tag would be: text stays text.
        var breaks = autolinks ? BBCodeAutolinks.anchorBreaks(in: bytes, anchors: autolinkAnchors) : []
        breaks.reverse()
        var runStart = 0
        var position = 0
        while position < bytes.count, let base = bytes.baseAddress,
              let bracket = memchr(base + position, Int32(UInt8(ascii: "[")), bytes.count - position) {
            position = UnsafePointer<UInt8>(bracket.assumingMemoryBound(to: UInt8.self)) - base
            // Not only whole tags: `[name=` or `[name` at the end may be finished by
            // what is written after it (a quoted value runs on past the writer's own
            // tags to the next `"]`), so a known name after a `[` is always broken up.
            guard let opening = BBCodeTagScanner.scanOpening(bytes, at: position),
                  vocabulary.role(of: opening) != nil, couldContinueTag(bytes, at: opening.end) else {
                position += 1
                continue
            }
            appendBreakingAutolinks(bytes, runStart..<position, breaks: &breaks)
            position = escape(bytes, opening: opening)
            runStart = position
        }
        appendBreakingAutolinks(bytes, runStart..<bytes.count, breaks: &breaks)
    }

    /// Where the run of text the output ends with starts: after the last `]`, space or line
    /// end (no address holds white space), at most a tag's length back; nil when the
    /// output ends with one.
    private func autolinkRunStart() -> Int? {
        let start = lastInOutputTail {
            $0 == UInt8(ascii: "]") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t")
        }.map { $0.position + 1 }
            ?? max(0, out.count - BBCodeTagScanner.limit)
        return start < out.count ? start : nil
    }

    /// The last byte of the output's final tag length that `wanted` picks, and where it is:
    /// tags never span lines or pass that length, so nothing further back can join text
    /// written next.
    private func lastInOutputTail(_ wanted: (UInt8) -> Bool) -> (position: Int, byte: UInt8)? {
        out.withUnsafeBytes { bytes in
            let lowest = max(0, bytes.count - BBCodeTagScanner.limit)
            return (lowest..<bytes.count).reversed().first { wanted(bytes[$0]) }.map { ($0, bytes[$0]) }
        }
    }

    /// Appends text that holds nothing to escape, and says whether it did.
    private mutating func appendIfNothingToEscape(_ bytes: UnsafeBufferPointer<UInt8>, insideLink: Bool) -> Bool {
        guard !needsEscaping(bytes, insideLink: insideLink) else { return false }
        out.append(bytes)
        return true
    }

    /// Whether text holds a bracket, or may hold or finish an address the forum links by
    /// itself (never inside a link's tags). Every finder starts from `://`, `@`, `www.` or
    /// (MyBB, FluxBB) `ftp.`: a `.` after a `w` (or `p`), or a first `.`, `/` or `:`, may
    /// end such a start begun in the text written before, which is joined to this one.
    private func needsEscaping(_ bytes: UnsafeBufferPointer<UInt8>, insideLink: Bool) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        let autolinks = !insideLink && linksAddresses
        let ftp = autolinkAnchors.ftp
        if autolinks, let first = bytes.first,
           first == UInt8(ascii: ".") || first == UInt8(ascii: "/") || first == UInt8(ascii: ":") {
            return true
        }
        // Brackets, and where the forum links addresses `:`, `@` and `.` after a `w` (or
        // `p`), looked for sixteen bytes at a time.
        return markupkit_bbcode_text_is_special(base, bytes.count, autolinks ? 1 : 0, ftp ? 1 : 0) != 0
    }

    /// Appends `bytes[range]`, with the dialect's split at each break inside it.
    private mutating func appendBreakingAutolinks(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>,
                                                  breaks: inout [Int]) {
        var start = range.lowerBound
        while let next = breaks.last, next < range.upperBound {
            breaks.removeLast()
            guard next >= start else { continue }
            out.append(UnsafeBufferPointer(rebasing: bytes[start..<next]))
            appendSplitter()
            start = next
        }
        out.append(UnsafeBufferPointer(rebasing: bytes[start..<range.upperBound]))
    }

    private mutating func appendSplitter() {
        splitter.withUnsafeBufferPointer { out.append($0) }
    }

    /// Whether the byte after a tag name lets a tag go on: its `]`, a value, attributes,
    /// or the end of this text.
    private func couldContinueTag(_ bytes: UnsafeBufferPointer<UInt8>, at position: Int) -> Bool {
        guard position < bytes.count else { return true }
        switch bytes[position] {
        case UInt8(ascii: "]"), UInt8(ascii: "="), UInt8(ascii: " "), UInt8(ascii: "\t"): return true
        default: return false
        }
    }

    /// Where the output's last `[` is, if no `]` or line end follows it (every tag the
    /// writer writes is closed, so such a bracket is text).
    private func unclosedBracketInOutput() -> Int? {
        lastInOutputTail { $0 == UInt8(ascii: "[") || $0 == UInt8(ascii: "]") || $0 == UInt8(ascii: "\n") }
            .flatMap { $0.byte == UInt8(ascii: "[") ? $0.position : nil }
    }

    /// Writes the tag opening at `opening` so that no reader of the dialect sees a tag
    /// there; returns where the text goes on. Only a whole tag with no other `[` in it is
    /// wrapped in the no-parse tag (nothing in it can end the wrapping early); otherwise
    /// the `[` is parted from the name and the rest is text to escape like any other.
    private mutating func escape(_ bytes: UnsafeBufferPointer<UInt8>, opening: ScannedTag) -> Int {
        let start = opening.start
        switch dialect.escape {
        case .noParseTag:
            if !dialect.noParse.contains(opening.name), let tag = BBCodeTagScanner.scan(bytes, at: start),
               !bytes[(start + 1)..<tag.end].contains(UInt8(ascii: "[")) {
                appendTag(noParseTag)
                out.append(UnsafeBufferPointer(rebasing: bytes[start..<tag.end]))
                appendClosingTag(noParseTag)
                return tag.end
            }
            // The no-parse tag itself, or a tag that may hold one: an empty pair after
            // the bracket breaks it up.
        case .emptyTagSplit, .invisibleMark:
            break
        }
        out.append(byte: UInt8(ascii: "["))
        appendSplitter()
        return start + 1
    }

    // MARK: Tags, piece by piece

    /// The bytes a text ref points at, in the lent store.
    private func text(_ ref: TextRef) -> UnsafeBufferPointer<UInt8> {
        ref.bytes(in: store)
    }

    /// `[name]`, without making a string of it: tags are written by the hundred thousand.
    private mutating func appendTag(_ name: String) {
        out.append(byte: UInt8(ascii: "["))
        out.append(contentsOf: name)
        out.append(byte: UInt8(ascii: "]"))
    }

    /// `[/name]`.
    private mutating func appendClosingTag(_ name: String) {
        out.append("[/")
        out.append(contentsOf: name)
        out.append(byte: UInt8(ascii: "]"))
    }

    /// `[name=value]`.
    private mutating func appendTag(_ name: String, value: String) {
        out.append(byte: UInt8(ascii: "["))
        out.append(contentsOf: name)
        out.append(byte: UInt8(ascii: "="))
        out.append(contentsOf: value)
        out.append(byte: UInt8(ascii: "]"))
    }

    /// `[name]content[/name]`.
    private mutating func appendWrapped(_ content: UnsafeBufferPointer<UInt8>, in name: String) {
        appendTag(name)
        out.append(content)
        appendClosingTag(name)
    }

    // MARK: Warnings

    private mutating func warn(_ message: String, at position: SourcePosition) {
        warnings.append(ConversionWarning(.loss, at: position, message))
    }

    /// A warning given at every node of a kind (each strikethrough a dialect has no tag
    /// for): its message is made once per document and shared.
    private mutating func warn(repeated key: RepeatedWarning, at position: SourcePosition,
                               _ message: (BBCodeDialect) -> String) {
        if let made = repeatedMessages.first(where: { $0.key == key }) {
            warn(made.message, at: position)
        } else {
            let made = message(dialect)
            repeatedMessages.append((key, made))
            warn(made, at: position)
        }
    }

    enum RepeatedWarning: Equatable {
        case noTag(String), headingLevel(Int), headingInList, rawAsText(RawFormat)
    }

    /// `warnOnce` for a warning given at every node of a kind (each code span): the
    /// message (which names the dialect) is made only the first time.
    private mutating func warnOnce(key: OnceKey, _ message: (BBCodeDialect) -> String, at position: SourcePosition) {
        guard warnedKinds & key.rawValue == 0 else { return }
        warnedKinds |= key.rawValue
        warn(message(dialect), at: position)
    }

    /// Warnings given at every node of a kind, once each (a bit of `warnedKinds`).
    enum OnceKey: UInt8 {
        case inlineCodeWithoutStyling = 1, inlineCodeAsText = 2, headingLevel = 4, headerCells = 8, taskItems = 16
        case footnotes = 32, deepLists = 64, tableAlignment = 128
    }
}

struct InlineCloser {
    var end: Int
    var tag: String
    var endsLink: Bool
}

/// Footnote numbers by label, shared by reference (see `BBCodeOutput.footnoteNumbers`).
final class FootnoteNumbers {
    var byLabel: [String: Int] = [:]
}

extension String {
    /// Whether any UTF-8 byte satisfies `predicate`, over the contiguous bytes.
    func containsByte(_ predicate: (UInt8) -> Bool) -> Bool {
        var copy = self
        return copy.withUTF8 { $0.contains(where: predicate) }
    }

    func trimmingSuffixNewlines() -> String {
        var text = self
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
