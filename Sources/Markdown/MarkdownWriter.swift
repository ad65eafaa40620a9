import MarkupKitCore
import MarkupKitHTML

/// Writes a `Document` as CommonMark or GitHub Flavored Markdown that reads back to the
/// same tree.
///
/// The output is meant to be read by people: ATX headings, fenced code, inline links,
/// escapes only where a character would otherwise mean something. Lists written one after
/// another are kept apart by switching the bullet (`-`, `*`, `+`) or the delimiter
/// (`.`, `)`), never by an HTML comment. What Markdown has no syntax for (underline,
/// colour, spoilers …) is written as the equivalent HTML when raw HTML is allowed, and
/// otherwise kept as plain text with a warning.
public struct MarkdownWriter: Sendable {
    public enum ListIndentation: Hashable, Sendable {
        /// Nested content under the parent item's content column (`- ` → 2 spaces).
        case contentColumn
        /// At least this many spaces per level; 4 is what PHP Markdown (Friendica,
        /// Hubzilla) and Python-Markdown need to see a nested list.
        case atLeast(Int)
    }

    public struct Options: Hashable, Sendable {
        /// The syntax the target understands: `.gfm` for GitHub, `[]` for CommonMark.
        public var extensions: MarkdownExtensions
        /// Whether raw HTML may stand in for what Markdown cannot express.
        public var allowsRawHTML: Bool
        public var listIndentation: ListIndentation

        public init(extensions: MarkdownExtensions = .gfm, allowsRawHTML: Bool = true,
                    listIndentation: ListIndentation = .contentColumn) {
            self.extensions = extensions
            self.allowsRawHTML = allowsRawHTML
            self.listIndentation = listIndentation
        }
    }

    public var options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    public func write(_ document: Document) -> WriteResult {
        var renderer = BlockRenderer(document: document, options: options)
        renderer.render()
        let warnings = renderer.warnings
        return WriteResult(bytes: renderer.finish(), warnings: warnings)
    }
}

/// Lays out blocks line by line, each line prefixed by its containers (`> `, a list
/// marker on an item's first line, indentation after). Iterative over the tree. Lines
/// are written as bytes into the buffer the HTML writer uses too.
private struct BlockRenderer: ~Copyable {
    let document: Document
    let options: MarkdownWriter.Options
    let inline: MarkdownInlineWriter
    var output: ByteBuffer
    var warnings: [ConversionWarning] = []

    /// One open container's contribution to every line inside it.
    struct Frame {
        /// Written before each line after the first.
        var prefix: [UInt8]
        /// Written before the first line instead (a list marker), then cleared.
        var firstLine: [UInt8]?
    }

    var frames: [Frame] = []

    init(document: Document, options: MarkdownWriter.Options) {
        self.document = document
        self.options = options
        // Markdown output is about as long as the text it came from.
        output = ByteBuffer(reservingCapacity: document.withUnsafeStorage { $1.count } + 4096)
        self.inline = MarkdownInlineWriter(document: document,
                                           syntax: MarkdownSyntax(extensions: options.extensions,
                                                                  allowsRawHTML: options.allowsRawHTML))
    }

    // MARK: Lines

    consuming func finish() -> [UInt8] {
        output.finish()
    }

    /// Writes one line: each open container's prefix, then `text` (no line end in it).
    private mutating func line(_ text: ArraySlice<UInt8>) {
        let lineStart = output.count
        for index in frames.indices {
            if let first = frames[index].firstLine {
                first.withUnsafeBufferPointer { output.append($0) }
                frames[index].firstLine = nil
            } else {
                frames[index].prefix.withUnsafeBufferPointer { output.append($0) }
            }
        }
        if text.isEmpty {
            // A blank line inside a container is its prefix without trailing spaces.
            while output.count > lineStart && output.last == UInt8(ascii: " ") { output.truncate(to: output.count - 1) }
        } else {
            text.withUnsafeBufferPointer { output.append($0) }
        }
        output.append(byte: UInt8(ascii: "\n"))
    }

    private mutating func line(_ text: [UInt8]) {
        line(text[...])
    }

    private mutating func line(_ text: StaticString) {
        line(ArraySlice(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)))
    }

    /// Writes each line of `text`.
    private mutating func lines(_ text: ArraySlice<UInt8>) {
        var start = text.startIndex
        while let end = text[start...].firstIndex(of: UInt8(ascii: "\n")) {
            line(text[start..<end])
            start = end + 1
        }
        line(text[start...])
    }

    private mutating func lines(_ text: [UInt8]) {
        lines(text[...])
    }

    private mutating func lines(_ text: String) {
        lines(Array(text.utf8))
    }

    private mutating func blankLine() {
        line(ArraySlice())
    }

    // MARK: Walking the blocks

    /// A container being written: its node, the child to write next, and what the
    /// previous child was (to decide separators).
    private struct Open {
        var node: Int
        var next: Int
        var previous: Int?
        /// For lists: the marker every item gets (`-`, `.` after a number); for items:
        /// whether the list is tight.
        var marker: UInt8
        var tight: Bool
        var number: Int
        var framesPushed: Int
    }

    mutating func render() {
        var stack: [Open] = []
        var previousTopLevel: Int?
        var topLevel = 0
        // Each pass writes one block, or opens or closes one container.
        while true {
            if let top = stack.last {
                let end = document.subtreeEnd(of: top.node)
                if top.next >= end {
                    close(stack.removeLast())
                    continue
                }
                let child = top.next
                let parentIndex = stack.count - 1
                stack[parentIndex].next = document.subtreeEnd(of: child)
                separate(from: top.previous, to: child, in: top)
                stack[parentIndex].previous = child
                let opened = enter(child, parent: top, previous: top.previous)
                if case .list = document[top.node].kind { stack[parentIndex].number += 1 }
                if let opened { stack.append(opened) }
            } else {
                guard topLevel < document.nodeCount else { break }
                let child = topLevel
                topLevel = document.subtreeEnd(of: child)
                if let previousTopLevel, !blankLineWouldBeTakenIn(after: previousTopLevel) { blankLine() }
                let opened = enter(child, parent: nil, previous: previousTopLevel)
                previousTopLevel = child
                if let opened { stack.append(opened) }
            }
        }
    }

    /// Blank line or not between two siblings inside a container.
    private mutating func separate(from previous: Int?, to next: Int, in container: Open) {
        guard let previous, !blankLineWouldBeTakenIn(after: previous) else { return }
        switch document[container.node].kind {
        case .list:
            // Between items: a blank line makes the list loose.
            if !container.tight { blankLine() }
        case .listItem:
            if !container.tight || needsBlankLine(after: previous, before: next) {
                if container.tight {
                    warnings.append(ConversionWarning(.loss, at: document[next].range.start,
                                                      "these blocks need a blank line between them, so the list is written loose"))
                }
                blankLine()
            }
        default:
            blankLine()
        }
    }

    /// Whether a blank line written after `index` would become part of it: an HTML block
    /// of kinds 1 to 5 left open at the end of a list item (or footnote) runs to the end
    /// of the item and takes in the blank lines before the next block, so it writes the
    /// ones it held itself and no other follows. The next block, starting at its
    /// container's margin, still ends the item (an HTML block has no lazy lines), and a
    /// loose list stays loose by the blank lines that made it so.
    private func blankLineWouldBeTakenIn(after index: Int) -> Bool {
        guard options.allowsRawHTML else { return false }
        var node = index
        while true {
            switch document[node].kind {
            case .list, .listItem, .footnoteDefinition:
                guard let last = document.children(of: node).last else { return false }
                node = last
            case .rawBlock(.html, let content):
                return node != index && MarkdownCharacters.htmlBlockIsLeftOpen(document.string(content))
            default:
                return false
            }
        }
    }

    /// Whether `next` directly after `previous`, with no blank line, would be read as
    /// something else: a lazy continuation line, a table row, part of the same quote.
    private func needsBlankLine(after previous: Int, before next: Int) -> Bool {
        switch document[previous].kind {
        case .paragraph:
            return !canInterruptParagraph(next)
        case .list:
            // It may end in a paragraph line that a plain line would continue.
            return lastLineTakesLazyLines(previous) && !endsContainerAbove(next)
        case .table:
            // A plain line after a table is one more row; any block start ends it.
            if case .table = document[next].kind { return true }
            return !endsContainerAbove(next)
        case .blockQuote:
            if case .blockQuote = document[next].kind { return true }
            return lastLineTakesLazyLines(previous) && !endsContainerAbove(next)
        case .rawBlock(let format, let content):
            // Blocks of kinds 6 and 7 run to the next blank line; kinds 1 to 5 end on
            // their closing marker.
            return !(format == .html && options.allowsRawHTML
                     && MarkdownCharacters.htmlBlockEndsByItself(document.string(content)))
        case .footnoteDefinition, .alignment, .spoiler:
            return true
        default:
            return false
        }
    }

    /// Whether the last line written for a quote or list could take the next line in
    /// as its own without a blank line between: only a paragraph's lazy continuation
    /// can. (An empty item cannot: the next line starts left of its content column.)
    private func lastLineTakesLazyLines(_ index: Int) -> Bool {
        var node = index
        while true {
            switch document[node].kind {
            case .blockQuote, .list, .listItem, .footnoteDefinition:
                guard let last = document.children(of: node).last else { return false }
                node = last
            case .table, .heading, .codeBlock, .thematicBreak:
                // Only a paragraph has lazy lines: the next line, at the margin of the
                // quote's or list's container, ends these with their item or quote.
                return false
            case .rawBlock(let format, _):
                // Written as HTML, it has none either; written as text, it is a paragraph.
                return !(format == .html && options.allowsRawHTML)
            default:
                return true
            }
        }
    }

    /// cmark-gfm 0.29 checks a task's box when `[x]` or `[X]` appears anywhere on the
    /// item's first line (`strstr` in its tasklist extension), escaped or inside a code
    /// span alike. For an unchecked task whose first line would hold one, the line is
    /// broken at the space before it — in a paragraph a line break is a soft break, in a
    /// code span a space — and the new line indented four spaces, so it can only go on
    /// the paragraph. Kept only where the item reads back unchecked with the same content.
    private func keepingTaskUnchecked(_ bytes: [UInt8], paragraph index: Int) -> [UInt8] {
        // Only an unchecked task whose first line holds `[x]` needs this: looked for on
        // the bytes before any text is made.
        let firstLine = bytes.prefix { $0 != UInt8(ascii: "\n") }
        guard firstLine.indices.contains(where: { offset in
            offset + 2 < firstLine.endIndex && firstLine[offset] == UInt8(ascii: "[")
                && firstLine[offset + 1] | 0x20 == UInt8(ascii: "x") && firstLine[offset + 2] == UInt8(ascii: "]")
        }) else { return bytes }
        let text = String(decoding: bytes, as: UTF8.self)
        var candidate = text
        for _ in 0..<8 {
            let firstLine = candidate[..<(candidate.firstIndex(of: "\n") ?? candidate.endIndex)]
            let scalars = Array(firstLine.unicodeScalars)
            let markerOffset = scalars.indices.first { offset in
                offset + 2 < scalars.count && scalars[offset] == "[" && (scalars[offset + 1] == "x" || scalars[offset + 1] == "X")
                    && scalars[offset + 2] == "]"
            }
            guard let markerOffset else {
                let reread = MarkdownReader(extensions: options.extensions, policy: .trusted).read("- [ ] " + candidate).document
                let kept = reread.nodeCount > 2 && reread[1].kind == .listItem(task: .unchecked)
                    && reread.childrenMeanTheSame(of: 2, as: document, of: index)
                return kept ? Array(candidate.utf8) : bytes
            }
            guard let spaceOffset = scalars[..<markerOffset].lastIndex(of: " ") else { return bytes }
            let space = candidate.unicodeScalars.index(candidate.unicodeScalars.startIndex, offsetBy: spaceOffset)
            candidate.unicodeScalars.replaceSubrange(space...space, with: "\n    ".unicodeScalars)
        }
        return bytes
    }

    /// Whether `next`, written at the margin right after a list or quote whose last line
    /// is a paragraph's, or right after a table, starts a block of its own there. Left of
    /// the paragraph's container any block start does — a list at 2, an empty item, an HTML block of
    /// kind 7 — since the rules of what may interrupt a paragraph apply only inside it;
    /// plain text (a paragraph, a table's header row, a setext heading's first line)
    /// would be read as the paragraph's lazy continuation.
    private func endsContainerAbove(_ next: Int) -> Bool {
        switch document[next].kind {
        case .codeBlock, .thematicBreak, .blockQuote, .list:
            return true
        case .heading:
            return !headingNeedsSetext(next)
        case .rawBlock(let format, _):
            return format == .html && options.allowsRawHTML
        default:
            return false
        }
    }

    /// Whether a block may start on the line right after a paragraph line.
    private func canInterruptParagraph(_ index: Int) -> Bool {
        switch document[index].kind {
        case .codeBlock, .thematicBreak, .blockQuote:
            return true
        case .table:
            // cmark-gfm takes the line above the delimiter row as the header and leaves
            // the lines before it a paragraph.
            return options.extensions.contains(.table)
        case .rawBlock(let format, let content):
            return format == .html && options.allowsRawHTML
                && MarkdownCharacters.htmlBlockCanInterruptParagraph(document.string(content))
        case .heading:
            return !headingNeedsSetext(index)
        case .list(let attributes):
            // Only lists that start at 1 with a non-empty first item may.
            if case .ordered(let start, _) = attributes.kind, start != 1 { return false }
            let firstItem = index + 1
            return firstItem < document.subtreeEnd(of: index) && document.subtreeEnd(of: firstItem) > firstItem + 1
        default:
            return false
        }
    }

    /// Writes a leaf block, or starts a container and returns it. `previous` is the
    /// sibling written just before, if any.
    private mutating func enter(_ index: Int, parent: Open?, previous: Int?) -> Open? {
        let node = document[index]
        switch node.kind {
        case .paragraph:
            var text = inline.render(childrenOf: index, context: .paragraph, warnings: &warnings)
            if let parent, parent.node + 1 == index, document[parent.node].kind == .listItem(task: .unchecked),
               options.extensions.contains(.tasklist) {
                text = keepingTaskUnchecked(text, paragraph: index)
            }
            lines(text)
        case .heading(let level):
            // A task item's marker sits on its first line: only a setext heading has its
            // text there (`- [ ] Title` over `---`).
            let firstInTaskItem = previous == nil && parent.map {
                if case .listItem(let task) = document[$0.node].kind { return task != nil }
                return false
            } == true
            writeHeading(index, level: level, setext: firstInTaskItem && level <= 2)
        case .thematicBreak:
            // `---` right under a paragraph would underline it as a heading, and on the
            // first line of an item the rule must not use the bullet's character (`- ***`,
            // not `- ---`, which is one rule).
            let underParagraph = (previous.map { document[$0].kind == .paragraph } ?? false)
                && (parent.map { $0.tight } ?? false)
            let pendingMarkers = frames.compactMap(\.firstLine)
            func pending(_ character: Unicode.Scalar) -> Bool { pendingMarkers.contains { $0.contains(UInt8(ascii: character)) } }
            let rule: StaticString = !underParagraph && !pending("-") ? "---" : !pending("*") ? "***" : "___"
            line(rule)
        case .codeBlock(let info, let code):
            writeCodeBlock(info: info, code: document.bytes(code))
        case .rawBlock(let format, let content):
            writeRawBlock(format, document.bytes(content), at: node.range.start)
        case .table(let columns):
            writeTable(index, columns: columns)
        case .blockQuote(let attribution):
            if let attribution {
                // Markdown has no attribution; the forum convention is a line before the quote.
                lines(inline.renderText("\(attribution) wrote:"))
                warnings.append(ConversionWarning(.loss, at: node.range.start,
                                                  "quote attribution has no Markdown form; written as a line before the quote"))
                blankLine()
            }
            frames.append(Frame(prefix: Array("> ".utf8), firstLine: nil))
            if document.subtreeEnd(of: index) == index + 1 { line("") }  // an empty quote is `>` alone
            return Open(node: index, next: index + 1, previous: nil, marker: 0, tight: false, number: 0, framesPushed: 1)
        case .list(let attributes):
            let marker = listMarker(for: index, attributes: attributes, after: previous)
            let start: Int
            if case .ordered(let first, _) = attributes.kind { start = first } else { start = 0 }
            return Open(node: index, next: index + 1, previous: nil, marker: marker.utf8.first!, tight: attributes.isTight,
                        number: start, framesPushed: 0)
        case .listItem(let task):
            guard let list = parent, case .list(let attributes) = document[list.node].kind else {
                // An item outside a list (a hand-made tree): write its content as it is.
                return Open(node: index, next: index + 1, previous: nil, marker: 0, tight: false, number: 0, framesPushed: 0)
            }
            var first: [UInt8] = []
            if attributes.isOrdered { MarkdownCharacters.appendDecimal(list.number, to: &first) }
            first.append(list.marker)
            let markerWidth = first.count
            // The content starts at the indentation (`-   item` for four), so everything
            // inside the item lines up with its content column, as CommonMark requires.
            var indent = markerWidth + 1
            if case .atLeast(let minimum) = options.listIndentation { indent = max(indent, minimum) }
            first.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent - markerWidth))
            if let task {
                if options.extensions.contains(.tasklist) {
                    first.append(contentsOf: (task == .checked ? "[x] " : "[ ] ").utf8)
                } else {
                    first.append(contentsOf: (task == .checked ? "\\[x] " : "\\[ ] ").utf8)
                    warnings.append(ConversionWarning(.loss, at: node.range.start, "task list item written as text (tasklist is off)"))
                }
            }
            frames.append(Frame(prefix: Array(repeating: UInt8(ascii: " "), count: indent), firstLine: first))
            if document.subtreeEnd(of: index) == index + 1 {
                line("")  // an empty item is its marker alone
            }
            return Open(node: index, next: index + 1, previous: nil, marker: 0, tight: attributes.isTight, number: 0,
                        framesPushed: 1)
        case .footnoteDefinition(let label):
            if options.extensions.contains(.footnotes) {
                frames.append(Frame(prefix: Array("    ".utf8), firstLine: Array("[^\(label)]: ".utf8)))
                if document.subtreeEnd(of: index) == index + 1 { line("") }
                return Open(node: index, next: index + 1, previous: nil, marker: 0, tight: false, number: 0, framesPushed: 1)
            }
            lines(inline.renderText("[^\(label)]:"))
            warnings.append(ConversionWarning(.loss, at: node.range.start, "footnote written as text (footnotes are off)"))
            blankLine()
            return Open(node: index, next: index + 1, previous: nil, marker: 0, tight: false, number: 0, framesPushed: 0)
        case .alignment(let alignment):
            return openHTMLBlock(index, open: "<div style=\"text-align: \(alignment.rawValue)\">", what: "\(alignment.rawValue) alignment")
        case .spoiler(let title):
            // As the HTML writer does: without a title the browser shows its own word, and
            // the block reads back as a spoiler without a title.
            let open = title.map { "<details>\n<summary>\(escapeHTML($0))</summary>" } ?? "<details>"
            return openHTMLBlock(index, open: open, what: "spoiler")
        case .tableRow, .tableCell, .text, .softBreak, .lineBreak, .code, .emphasis, .strong,
             .strikethrough, .underline, .superscript, .subscript, .link, .image, .footnoteReference, .rawInline,
             .color, .fontSize, .font:
            // Inline content where a block belongs (a hand-made tree): keep its text.
            lines(inline.renderText(document.plainText(of: index)))
            warnings.append(ConversionWarning(.input, at: node.range.start, "\(node.kind.displayName) outside a paragraph written as text"))
        }
        return nil
    }

    private mutating func close(_ open: Open) {
        frames.removeLast(open.framesPushed)
        guard options.allowsRawHTML else { return }
        switch document[open.node].kind {
        case .alignment:
            blankLine()
            line("</div>")
        case .spoiler:
            blankLine()
            line("</details>")
        default:
            break
        }
    }

    // MARK: Lists

    private var lastListMarkers: [Int: String] = [:]

    /// `-`, `*`, `+` for bullets, `.` or `)` after the number: the hint's choice where it
    /// has one, but never the one the list just before used, or the two would merge.
    private mutating func listMarker(for index: Int, attributes: ListAttributes, after previous: Int?) -> String {
        let candidates = attributes.isOrdered ? [".", ")"] : ["-", "*", "+"]
        var avoid: String?
        if let previous, case .list(let previousAttributes) = document[previous].kind,
           previousAttributes.isOrdered == attributes.isOrdered {
            avoid = lastListMarkers[previous]
        }
        var preferred = candidates
        if let hint = document.hints(at: index)?.marker, candidates.contains(hint) {
            preferred = [hint] + candidates.filter { $0 != hint }
        }
        let marker = preferred.first { $0 != avoid } ?? candidates[0]
        lastListMarkers[index] = marker
        return marker
    }

    // MARK: Leaf blocks

    /// A heading of level 1 or 2 that holds a line break: only setext can write it.
    private func headingNeedsSetext(_ index: Int) -> Bool {
        guard case .heading(let level) = document[index].kind, level <= 2 else { return false }
        return (index + 1..<document.subtreeEnd(of: index)).contains { position in
            switch document[position].kind {
            case .softBreak, .lineBreak: true
            default: false
            }
        }
    }

    private mutating func writeHeading(_ index: Int, level: Int, setext: Bool) {
        let level = min(max(level, 1), 6)
        if setext || headingNeedsSetext(index) {
            // Only a setext heading can hold a line break.
            lines(inline.render(childrenOf: index, context: .paragraph, warnings: &warnings))
            line(level == 1 ? "===" : "---")
            return
        }
        let content = inline.render(childrenOf: index, context: .heading, warnings: &warnings)
        var heading = Array(repeating: UInt8(ascii: "#"), count: level)
        if !content.isEmpty {
            heading.append(UInt8(ascii: " "))
            heading.append(contentsOf: content)
        }
        line(heading)
    }

    private mutating func writeCodeBlock(info: String, code: ArraySlice<UInt8>) {
        // Backticks unless the info string has one (a backtick fence may not), and longer
        // than any run of the fence character that starts a line inside.
        let fenceCharacter = info.utf8.contains(UInt8(ascii: "`")) ? UInt8(ascii: "~") : UInt8(ascii: "`")
        var longest = 0
        var position = code.startIndex
        while position < code.endIndex {
            while position < code.endIndex && code[position] == UInt8(ascii: " ") { position += 1 }
            var run = 0
            while position < code.endIndex && code[position] == fenceCharacter {
                run += 1
                position += 1
            }
            longest = max(longest, run)
            guard let lineEnd = code[position...].firstIndex(of: UInt8(ascii: "\n")) else { break }
            position = lineEnd + 1
        }
        let fence = Array(repeating: fenceCharacter, count: max(3, longest + 1))
        line(fence + escapeInfoString(info))
        // The body's lines, without the line end of the last.
        if !code.isEmpty { lines(code.last == UInt8(ascii: "\n") ? code.dropLast() : code) }
        line(fence)
    }

    private func escapeInfoString(_ info: String) -> [UInt8] {
        let bytes = Array(info.utf8)
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        // Info strings decode entities before backslash escapes, as destinations do.
        for offset in bytes.indices { MarkdownCharacters.appendForDestination(bytes, at: offset, to: &result) }
        return result
    }

    private mutating func writeRawBlock(_ format: RawFormat, _ content: ArraySlice<UInt8>, at position: SourcePosition) {
        var body = content
        var lineBreaks = 0
        while body.last == UInt8(ascii: "\n") {
            body = body.dropLast()
            lineBreaks += 1
        }
        if format == .html && options.allowsRawHTML {
            lines(body)
            // An unterminated <script> or comment block runs to the end of its container
            // and holds the blank lines before whatever ends it: they are written here, and
            // no separator after it (`blankLineWouldBeTakenIn`).
            if MarkdownCharacters.htmlBlockIsLeftOpen(String(decoding: content, as: UTF8.self)) {
                for _ in 1..<max(lineBreaks, 1) { blankLine() }
            }
        } else {
            lines(inline.renderText(String(decoding: body, as: UTF8.self)))
            warnings.append(ConversionWarning(.loss, at: position, "raw \(format) block written as text"))
        }
    }

    private mutating func writeTable(_ index: Int, columns: [ColumnAlignment]) {
        let rows = Array(document.children(of: index))
        guard options.extensions.contains(.table) else {
            if options.allowsRawHTML {
                var builder = DocumentBuilder()
                builder.append(document, subtreeAt: index)
                var html = HTMLWriter(options: .init(allowsRawHTML: true)).write(builder.finish()).bytes
                if html.last == UInt8(ascii: "\n") { html.removeLast() }
                lines(html)
                warnings.append(ConversionWarning(.loss, at: document[index].range.start, "table written as HTML (the table extension is off)"))
            } else {
                for row in rows {
                    let cells = document.children(of: row).map { document.plainText(of: $0) }
                    lines(inline.renderText(cells.joined(separator: " | ")))
                }
                warnings.append(ConversionWarning(.loss, at: document[index].range.start, "table written as lines of text"))
            }
            return
        }
        let columnCount = max(columns.count, rows.map { document.children(of: $0).reduce(0) { count, _ in count + 1 } }.max() ?? 0, 1)
        // Only the header is filled out to the full width (GFM takes the table's width
        // from it); a short body row is written short, since GFM fills it out when it reads
        // it. Filling it out here would make the output grow with rows × columns — a
        // table of one wide row and many short ones would square.
        func rowLine(_ cells: [[UInt8]], width: Int) -> [UInt8] {
            var row: [UInt8] = [UInt8(ascii: "|")]
            for column in 0..<max(cells.count, width) {
                row.append(UInt8(ascii: " "))
                if column < cells.count { row.append(contentsOf: cells[column]) }
                row.append(contentsOf: " |".utf8)
            }
            return row
        }
        func cells(of row: Int) -> [[UInt8]] {
            document.children(of: row).map { inline.render(childrenOf: $0, context: .tableCell, warnings: &warnings) }
        }
        var bodyRows = rows
        var header: [[UInt8]] = []
        if let first = rows.first, case .tableRow(isHeader: true) = document[first].kind {
            header = cells(of: first)
            bodyRows.removeFirst()
        } else {
            warnings.append(ConversionWarning(.loss, at: document[index].range.start, "table without a header row: an empty header was added"))
        }
        line(rowLine(header, width: columnCount))
        let delimiters = (0..<columnCount).map { column -> [UInt8] in
            switch column < columns.count ? columns[column] : .none {
            case .none: Array("---".utf8)
            case .left: Array(":--".utf8)
            case .center: Array(":-:".utf8)
            case .right: Array("--:".utf8)
            }
        }
        line(rowLine(delimiters, width: columnCount))
        for row in bodyRows { line(rowLine(cells(of: row), width: 1)) }
    }

    private mutating func openHTMLBlock(_ index: Int, open: String, what: String) -> Open {
        if options.allowsRawHTML {
            lines(open)
            blankLine()
        } else {
            warnings.append(ConversionWarning(.loss, at: document[index].range.start,
                                              "\(what) has no Markdown form; the content was kept without it"))
        }
        return Open(node: index, next: index + 1, previous: nil, marker: 0, tight: false, number: 0, framesPushed: 0)
    }

    private func escapeHTML(_ text: String) -> String {
        text.replacing("&", with: "&amp;").replacing("<", with: "&lt;")
            .replacing(">", with: "&gt;")
    }
}
