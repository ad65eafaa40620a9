import MarkupKitCore

/// Writes a `Document` as an HTML fragment.
///
/// For documents read from Markdown the output is byte-for-byte what cmark-gfm's own
/// renderer (with the table, strikethrough, tasklist and footnote extensions) writes; the
/// kinds Markdown lacks (underline, colour, spoilers …) get plain HTML with typed styles.
///
/// Safe by default, exactly as cmark is: raw HTML is replaced by a comment and
/// `javascript:`, `vbscript:`, `file:` and non-image `data:` URLs are blanked.
public struct HTMLWriter: Sendable {
    public struct Options: Hashable, Sendable {
        /// Pass raw HTML and dangerous URLs through. For trusted input only.
        public var allowsRawHTML: Bool
        /// GFM's tagfilter: neutralise `<script>`, `<iframe>` and a few other tags inside
        /// raw HTML that is passed through.
        public var filtersTags: Bool

        public init(allowsRawHTML: Bool = false, filtersTags: Bool = false) {
            self.allowsRawHTML = allowsRawHTML
            self.filtersTags = filtersTags
        }

        /// Raw HTML and every address pass when the policy trusts the input.
        public init(policy: SafetyPolicy, filtersTags: Bool = false) {
            self.init(allowsRawHTML: policy.trustsInput, filtersTags: filtersTags)
        }
    }

    public var options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    public func write(_ document: Document) -> WriteResult {
        document.withUnsafeStorage { nodes, store in
            var renderer = HTMLRenderer(nodes: nodes, store: store, options: options)
            renderer.render()
            return renderer.finish()
        }
    }
}

/// One rendering pass. Walks the flat tree with a heap stack of open nodes, so depth costs
/// memory, never call stack.
private struct HTMLRenderer: ~Copyable {
    let nodes: UnsafeBufferPointer<Node>
    let store: UnsafeBufferPointer<UInt8>
    let options: HTMLWriter.Options
    var out: ByteBuffer
    var warnings: [ConversionWarning] = []
    /// Open containers, outermost first.
    var open: [Int] = []
    var tables: [TableState] = []
    /// Links inside a link (an autolink in a link's text, or a hand-made tree): HTML
    /// cannot nest `<a>`, so the inner ones (entered, and so left, at a depth past one)
    /// are written as their content.
    var linkDepth = 0
    var footnotes = FootnoteNumbering()
    var omittedRawHTML = 0
    var firstOmittedRawHTML = SourcePosition.unknown

    struct TableState {
        var columns: [ColumnAlignment]
        var bodyOpen = false
        var inHeader = false
        /// A table without a header row (read from HTML) is written without `<tbody>`,
        /// as it was; cmark's tables always have a header.
        var hasHeader = false
        var column = 0
    }

    init(nodes: UnsafeBufferPointer<Node>, store: UnsafeBufferPointer<UInt8>, options: HTMLWriter.Options) {
        self.nodes = nodes
        self.store = store
        self.options = options
        self.out = ByteBuffer(reservingCapacity: store.count + store.count / 4 + nodes.count * 4 + 64)
    }

    mutating func render() {
        footnotes = FootnoteNumbering(nodes: nodes)
        renderRange(0..<nodes.count)
        guard !footnotes.definitions.isEmpty else { return }
        out.append("<section class=\"footnotes\" data-footnotes>\n<ol>\n")
        footnotes.isRenderingDefinitions = true
        for definition in footnotes.definitions {
            renderRange(definition..<Int(nodes[definition].subtreeEnd))
        }
        out.append("</ol>\n</section>\n")
    }

    consuming func finish() -> WriteResult {
        if omittedRawHTML > 0 {
            let what = omittedRawHTML == 1 ? "1 raw HTML element was" : "\(omittedRawHTML) raw HTML elements were"
            warnings.append(ConversionWarning(.loss, at: firstOmittedRawHTML,
                                              "\(what) omitted from safe HTML output; --unsafe passes trusted HTML through"))
        }
        let warnings = warnings
        return WriteResult(bytes: out.finish(), warnings: warnings)
    }

    /// Renders the nodes in `range` (whole subtrees) in document order.
    private mutating func renderRange(_ range: Range<Int>) {
        let base = open.count
        var index = range.lowerBound
        while index < range.upperBound || open.count > base {
            if open.count > base, let last = open.last, Int(nodes[last].subtreeEnd) <= index {
                open.removeLast()
                exit(last)
                continue
            }
            // The node is looked at in place: a copy would retain and release its payload.
            switch nodes[index].kind {
            case .footnoteDefinition where !footnotes.isRenderingDefinitions:
                // Definitions are rendered together at the end, in numbering order.
                index = Int(nodes[index].subtreeEnd)
                continue
            case .image(let image):
                renderImage(image, at: index)
                index = Int(nodes[index].subtreeEnd)
                continue
            case .text(let ref):
                HTMLEscaping.escapeText(text(ref), into: &out)
            case .softBreak:
                out.append(byte: UInt8(ascii: "\n"))
            case .paragraph, .heading, .blockQuote, .list, .listItem, .table, .tableRow, .tableCell,
                 .footnoteDefinition, .alignment, .spoiler, .emphasis, .strong, .strikethrough, .underline,
                 .superscript, .subscript, .link, .color, .fontSize, .font:
                // Listed rather than asked (`kind.isContainer`), which copies the kind.
                enter(index)
                open.append(index)
            case .thematicBreak, .codeBlock, .rawBlock, .lineBreak, .code, .footnoteReference, .rawInline:
                leaf(index)
            }
            index += 1
        }
    }

    // MARK: Containers

    private mutating func enter(_ index: Int) {
        switch nodes[index].kind {
        case .paragraph:
            if !isInTightList {
                out.ensureNewline()
                out.append("<p>")
            }
        case .heading(let level):
            out.ensureNewline()
            out.append("<h")
            out.append(byte: UInt8(ascii: "0") + UInt8(clamping: min(max(level, 1), 6)))
            out.append(byte: UInt8(ascii: ">"))
        case .blockQuote(let attribution):
            out.ensureNewline()
            if let attribution {
                out.append("<figure class=\"quote\">\n<figcaption>")
                HTMLEscaping.escapeText(attribution, into: &out)
                out.append("</figcaption>\n")
            }
            out.append("<blockquote>\n")
        case .list(let attributes):
            out.ensureNewline()
            switch attributes.kind {
            case .bullet:
                out.append("<ul>\n")
            case .ordered(let start, let numbering):
                out.append("<ol")
                if start != 1 {
                    out.append(" start=\"")
                    out.append(decimal: start)
                    out.append("\"")
                }
                if let type = numbering.htmlType {
                    out.append(" type=\"")
                    out.append(type)
                    out.append("\"")
                }
                out.append(">\n")
            }
        case .listItem(let task):
            out.ensureNewline()
            out.append("<li>")
            switch task {
            case .checked: out.append("<input type=\"checkbox\" checked=\"\" disabled=\"\" /> ")
            case .unchecked: out.append("<input type=\"checkbox\" disabled=\"\" /> ")
            case nil: break
            }
        case .table(let columns):
            out.ensureNewline()
            out.append("<table>")
            tables.append(TableState(columns: columns))
        case .tableRow(let isHeader):
            out.ensureNewline()
            if isHeader {
                tables.mutateLast { $0.inHeader = true; $0.hasHeader = true }
                out.append("<thead>")
                out.ensureNewline()
            } else if tables.last?.bodyOpen == false && tables.last?.hasHeader == true {
                out.append("<tbody>")
                out.ensureNewline()
                tables.mutateLast { $0.bodyOpen = true }
            }
            tables.mutateLast { $0.column = 0 }
            out.append("<tr>")
        case .tableCell:
            out.ensureNewline()
            let table = tables.last
            out.append(table?.inHeader == true ? "<th" : "<td")
            if let table, table.column < table.columns.count {
                switch table.columns[table.column] {
                case .left: out.append(" align=\"left\"")
                case .center: out.append(" align=\"center\"")
                case .right: out.append(" align=\"right\"")
                case .none: break
                }
            }
            tables.mutateLast { $0.column += 1 }
            out.append(">")
        case .footnoteDefinition(let label):
            out.append("<li id=\"fn-")
            HTMLEscaping.escapeHref(label, into: &out)
            out.append("\">\n")
            footnotes.backrefWritten = false
        case .alignment(let alignment):
            out.ensureNewline()
            out.append("<div style=\"text-align: ")
            out.append(contentsOf: alignment.rawValue)
            out.append("\">\n")
        case .spoiler(let title):
            out.ensureNewline()
            out.append("<details>\n")
            // Without a title the browser shows its own word ("Details"), and reading
            // the HTML back gives a spoiler without a title again.
            if let title {
                out.append("<summary>")
                HTMLEscaping.escapeText(title, into: &out)
                out.append("</summary>\n")
            }
        case .emphasis: out.append("<em>")
        case .strong: out.append("<strong>")
        case .strikethrough: out.append("<del>")
        case .underline: out.append("<u>")
        case .superscript: out.append("<sup>")
        case .subscript: out.append("<sub>")
        case .link(let destination, let title):
            linkDepth += 1
            guard linkDepth == 1 else { return }
            out.append("<a href=\"")
            if options.allowsRawHTML || !HTMLEscaping.isDangerousURL(destination) {
                HTMLEscaping.escapeHref(destination, into: &out)
            }
            if !title.isEmpty {
                out.append("\" title=\"")
                HTMLEscaping.escapeText(title, into: &out)
            }
            out.append("\">")
        case .color(let color):
            out.append("<span style=\"color: ")
            out.append(contentsOf: color.hexString)
            out.append("\">")
        case .fontSize(let size):
            out.append("<span style=\"font-size: ")
            out.append(contentsOf: size.cssValue)
            out.append("\">")
        case .font(let family):
            out.append("<span style=\"font-family: ")
            HTMLEscaping.escapeText(family.cssValue, into: &out)
            out.append("\">")
        case .image, .thematicBreak, .codeBlock, .rawBlock, .text, .softBreak, .lineBreak, .code,
             .footnoteReference, .rawInline:
            preconditionFailure("not a container")
        }
    }

    private mutating func exit(_ index: Int) {
        switch nodes[index].kind {
        case .paragraph:
            guard !isInTightList else { return }
            if let parent = open.last, case .footnoteDefinition(let label) = nodes[parent].kind,
               nodes[index].subtreeEnd == nodes[parent].subtreeEnd {
                out.append(byte: UInt8(ascii: " "))
                writeBackReferences(label: label)
            }
            out.append("</p>\n")
        case .heading(let level):
            out.append("</h")
            out.append(byte: UInt8(ascii: "0") + UInt8(clamping: min(max(level, 1), 6)))
            out.append(">\n")
        case .blockQuote(let attribution):
            out.ensureNewline()
            out.append("</blockquote>\n")
            if attribution != nil { out.append("</figure>\n") }
        case .list(let attributes):
            out.append(attributes.isOrdered ? "</ol>\n" : "</ul>\n")
        case .listItem:
            out.append("</li>\n")
        case .table:
            if tables.last?.bodyOpen == true {
                out.ensureNewline()
                out.append("</tbody>")
                out.ensureNewline()
            }
            tables.removeLast()
            out.ensureNewline()
            out.append("</table>")
            out.ensureNewline()
        case .tableRow(let isHeader):
            out.ensureNewline()
            out.append("</tr>")
            if isHeader {
                out.ensureNewline()
                out.append("</thead>")
                tables.mutateLast { $0.inHeader = false }
            }
        case .tableCell:
            out.append(tables.last?.inHeader == true ? "</th>" : "</td>")
        case .footnoteDefinition(let label):
            if writeBackReferences(label: label) { out.append(byte: UInt8(ascii: "\n")) }
            out.append("</li>\n")
        case .alignment:
            out.ensureNewline()
            out.append("</div>\n")
        case .spoiler:
            out.ensureNewline()
            out.append("</details>\n")
        case .emphasis: out.append("</em>")
        case .strong: out.append("</strong>")
        case .strikethrough: out.append("</del>")
        case .underline: out.append("</u>")
        case .superscript: out.append("</sup>")
        case .subscript: out.append("</sub>")
        case .link:
            linkDepth -= 1
            if linkDepth == 0 { out.append("</a>") }
        case .color, .fontSize, .font: out.append("</span>")
        case .image, .thematicBreak, .codeBlock, .rawBlock, .text, .softBreak, .lineBreak, .code,
             .footnoteReference, .rawInline:
            preconditionFailure("not a container")
        }
    }

    /// cmark leaves out `<p>` for paragraphs directly inside the items of a tight list.
    private var isInTightList: Bool {
        guard open.count >= 2, case .list(let attributes) = nodes[open[open.count - 2]].kind else { return false }
        return attributes.isTight
    }

    // MARK: Leaves

    /// The leaves other than text and soft breaks, which `renderRange` writes itself.
    private mutating func leaf(_ index: Int) {
        switch nodes[index].kind {
        case .text, .softBreak:
            preconditionFailure("written by renderRange")
        case .lineBreak:
            out.append("<br />\n")
        case .code(let ref):
            out.append("<code>")
            HTMLEscaping.escapeText(text(ref), into: &out)
            out.append("</code>")
        case .thematicBreak:
            out.ensureNewline()
            out.append("<hr />\n")
        case .codeBlock(let info, let code):
            out.ensureNewline()
            if info.isEmpty {
                out.append("<pre><code>")
            } else {
                out.append("<pre><code class=\"language-")
                let language = info.utf8.prefix { !HTMLEscaping.isCmarkSpace($0) }
                HTMLEscaping.escapeText(String(decoding: language, as: UTF8.self), into: &out)
                out.append("\">")
            }
            HTMLEscaping.escapeText(text(code), into: &out)
            out.append("</code></pre>\n")
        case .rawBlock(let format, let content):
            out.ensureNewline()
            if format == .html {
                writeRawHTML(text(content), isBlock: true, at: nodes[index].range.start)
            } else {
                keepForeignRawAsText(format, text(content), at: nodes[index].range.start)
            }
            out.ensureNewline()
        case .rawInline(let format, let content):
            if format == .html {
                writeRawHTML(text(content), isBlock: false, at: nodes[index].range.start)
            } else {
                keepForeignRawAsText(format, text(content), at: nodes[index].range.start)
            }
        case .footnoteReference(let label):
            writeFootnoteReference(label: label, at: index)
        case .paragraph, .heading, .blockQuote, .list, .listItem, .table, .tableRow, .tableCell,
             .footnoteDefinition, .alignment, .spoiler, .emphasis, .strong, .strikethrough, .underline,
             .superscript, .subscript, .link, .image, .color, .fontSize, .font:
            preconditionFailure("not a leaf")
        }
    }

    private func text(_ ref: TextRef) -> UnsafeBufferPointer<UInt8> {
        ref.bytes(in: store)
    }

    private mutating func writeRawHTML(_ html: UnsafeBufferPointer<UInt8>, isBlock: Bool, at position: SourcePosition) {
        guard options.allowsRawHTML else {
            out.append("<!-- raw HTML omitted -->")
            if omittedRawHTML == 0 { firstOmittedRawHTML = position }
            omittedRawHTML += 1
            return
        }
        guard options.filtersTags else {
            out.append(html)
            return
        }
        if !isBlock {
            // cmark filters an inline tag as a whole: it is one tag.
            if HTMLEscaping.startsWithFilteredTag(html) {
                out.append("&lt;")
                out.append(html[1...])
            } else {
                out.append(html)
            }
            return
        }
        var start = 0
        for index in html.indices where html[index] == UInt8(ascii: "<") {
            guard HTMLEscaping.startsWithFilteredTag(UnsafeBufferPointer(rebasing: html[index...])) else { continue }
            out.append(html[start..<index])
            out.append("&lt;")
            start = index + 1
        }
        out.append(html[start...])
    }

    private mutating func keepForeignRawAsText(_ format: RawFormat, _ content: UnsafeBufferPointer<UInt8>,
                                               at position: SourcePosition) {
        HTMLEscaping.escapeText(content, into: &out)
        warnings.append(ConversionWarning(.loss, at: position, "raw \(format) content has no HTML form; kept as text"))
    }

    /// `<img>` with the alternative text flattened to plain text, as cmark does.
    private mutating func renderImage(_ image: ImageAttributes, at index: Int) {
        out.append("<img src=\"")
        if options.allowsRawHTML || !HTMLEscaping.isDangerousURL(image.source) {
            HTMLEscaping.escapeHref(image.source, into: &out)
        }
        out.append("\" alt=\"")
        for descendant in (index + 1)..<Int(nodes[index].subtreeEnd) {
            switch nodes[descendant].kind {
            case .text(let ref), .code(let ref), .rawInline(_, let ref):
                HTMLEscaping.escapeText(text(ref), into: &out)
            case .softBreak, .lineBreak:
                out.append(byte: UInt8(ascii: " "))
            default:
                break
            }
        }
        if !image.title.isEmpty {
            out.append("\" title=\"")
            HTMLEscaping.escapeText(image.title, into: &out)
        }
        if let width = image.width {
            out.append("\" width=\"")
            out.append(decimal: width)
        }
        if let height = image.height {
            out.append("\" height=\"")
            out.append(decimal: height)
        }
        out.append("\" />")
    }

    // MARK: Footnotes

    private mutating func writeFootnoteReference(label: String, at index: Int) {
        guard let number = footnotes.number(of: label) else {
            // A reference to nothing (only possible in a tree made by hand): keep its text.
            HTMLEscaping.escapeText("[^\(label)]", into: &out)
            warnings.append(ConversionWarning(.input, at: nodes[index].range.start,
                                              "footnote reference [^\(label)] has no definition; kept as text"))
            return
        }
        if linkDepth > 0 {
            // Inside a link the reference cannot be a link too (HTML has no `<a>` in `<a>`;
            // cmark writes one, which browsers split apart): its number only.
            out.append("<sup class=\"footnote-ref\" id=\"")
            writeReferenceID(label: label, at: index)
            out.append("\">")
            out.append(decimal: number)
            out.append("</sup>")
            return
        }
        out.append("<sup class=\"footnote-ref\"><a href=\"#fn-")
        HTMLEscaping.escapeHref(label, into: &out)
        out.append("\" id=\"")
        writeReferenceID(label: label, at: index)
        out.append("\" data-footnote-ref>")
        out.append(decimal: number)
        out.append("</a></sup>")
    }

    /// `fnref-LABEL`, or `fnref-LABEL-N` for the Nth reference to the same footnote: the
    /// target of the definition's back-links.
    private mutating func writeReferenceID(label: String, at index: Int) {
        out.append("fnref-")
        HTMLEscaping.escapeHref(label, into: &out)
        let ordinal = footnotes.ordinal(ofReferenceAt: index)
        if ordinal > 1 {
            out.append("-")
            out.append(decimal: ordinal)
        }
    }

    /// Writes the links back to each reference, once per definition; false when there was
    /// nothing to write.
    @discardableResult
    private mutating func writeBackReferences(label: String) -> Bool {
        guard !footnotes.backrefWritten else { return false }
        footnotes.backrefWritten = true
        let count = footnotes.referenceCount(of: label)
        guard count > 0 else { return false }
        out.append("<a href=\"#fnref-")
        HTMLEscaping.escapeHref(label, into: &out)
        out.append("\" class=\"footnote-backref\" data-footnote-backref aria-label=\"Back to content\">↩</a>")
        guard count > 1 else { return true }
        for ordinal in 2...count {
            out.append(" <a href=\"#fnref-")
            HTMLEscaping.escapeHref(label, into: &out)
            out.append("-")
            out.append(decimal: ordinal)
            out.append("\" class=\"footnote-backref\" data-footnote-backref aria-label=\"Back to content\">↩<sup class=\"footnote-ref\">")
            out.append(decimal: ordinal)
            out.append("</sup></a>")
        }
        return true
    }
}

/// Footnote numbers as cmark-gfm assigns them: definitions are numbered in the order they
/// appear (a Markdown reader's tree has them in first-reference order), and each reference
/// is numbered among the references to the same footnote in source order.
private struct FootnoteNumbering {
    /// Definition nodes not nested in another definition, in output order.
    var definitions: [Int] = []
    /// Made only for a document with footnotes, and a class so that one without never
    /// instantiates these dictionaries' types: the first use of each looks a conformance
    /// up over the whole binary (0.24 M instructions, 2 % of converting a 100 kB page).
    var tables: Tables?
    var backrefWritten = false
    var isRenderingDefinitions = false

    final class Tables {
        var numbers: [String: Int] = [:]
        var referenceCounts: [String: Int] = [:]
        var ordinals: [Int: Int] = [:]
    }

    init() {}

    init(nodes: UnsafeBufferPointer<Node>) {
        var references: [(index: Int, label: String, position: SourcePosition)] = []
        var definitionEnd = 0
        var index = 0
        while index < nodes.count {
            switch nodes[index].kind {
            case .footnoteDefinition(let label) where index >= definitionEnd:
                // A definition inside another one is rendered where it stands.
                definitions.append(index)
                definitionEnd = Int(nodes[index].subtreeEnd)
                let tables = madeTables()
                if tables.numbers[label] == nil { tables.numbers[label] = tables.numbers.count + 1 }
            case .footnoteReference(let label):
                references.append((index, label, nodes[index].range.start))
            default:
                break
            }
            index += 1
        }
        guard !references.isEmpty else { return }
        // cmark numbers references while the definitions are still where they were
        // written, so source order, not tree order, decides which reference is "-2".
        if references.allSatisfy({ $0.position.isKnown }) {
            references.sort { ($0.position, $0.index) < ($1.position, $1.index) }
        }
        let tables = madeTables()
        for reference in references {
            let ordinal = (tables.referenceCounts[reference.label] ?? 0) + 1
            tables.referenceCounts[reference.label] = ordinal
            tables.ordinals[reference.index] = ordinal
        }
    }

    /// The tables, made at the first footnote met.
    private mutating func madeTables() -> Tables {
        if let tables { return tables }
        let made = Tables()
        tables = made
        return made
    }

    func number(of label: String) -> Int? { tables?.numbers[label] }
    func referenceCount(of label: String) -> Int { tables?.referenceCounts[label] ?? 0 }
    func ordinal(ofReferenceAt index: Int) -> Int { tables?.ordinals[index] ?? 1 }
}

extension NumberingStyle {
    /// The `<ol type>` value; nil for decimal, the default.
    var htmlType: StaticString? {
        switch self {
        case .decimal: nil
        case .lowerAlpha: "a"
        case .upperAlpha: "A"
        case .lowerRoman: "i"
        case .upperRoman: "I"
        }
    }
}

extension Array {
    mutating func mutateLast(_ body: (inout Element) -> Void) {
        guard !isEmpty else { return }
        body(&self[count - 1])
    }
}
