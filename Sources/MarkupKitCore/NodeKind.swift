/// What a node is: every kind any reader produces and every writer must decide about.
///
/// Writers switch over this enum without a `default`, so adding a kind makes the compiler
/// point at every writer that has not decided what to do with it.
///
/// Container kinds have children (see ``isContainer``); the rest are leaves. Bulk text
/// (`text`, `code`, code blocks, raw content) lives in the document's text store and is
/// referenced by ``TextRef``; resolve it with ``Document/string(_:)``.
public enum NodeKind: Hashable, Sendable, Codable {
    // MARK: Blocks

    case paragraph
    /// Level 1–6.
    case heading(level: Int)
    case thematicBreak
    /// A quotation; `attribution` is the quoted author where the source named one
    /// (BBCode `[quote="Name"]`).
    case blockQuote(attribution: String?)
    case list(ListAttributes)
    case listItem(task: TaskState?)
    /// `info` is the whole info string after the fence; its first word is the language.
    case codeBlock(info: String, code: TextRef)
    /// One alignment per column.
    case table(columns: [ColumnAlignment])
    case tableRow(isHeader: Bool)
    case tableCell
    case footnoteDefinition(label: String)
    /// A block with explicit alignment.
    case alignment(TextAlignment)
    /// Content hidden until the reader asks for it, with an optional title.
    case spoiler(title: String?)
    case rawBlock(format: RawFormat, content: TextRef)

    // MARK: Inlines

    case text(TextRef)
    case softBreak
    case lineBreak
    case code(TextRef)
    case emphasis
    case strong
    case strikethrough
    case underline
    case superscript
    case `subscript`
    // Links and images are boxed: their strings would otherwise make every node twice
    // as large, and most nodes are text.
    indirect case link(destination: String, title: String)
    /// The alternative text is the image's children.
    indirect case image(ImageAttributes)
    /// `label` is the label of the definition the reference resolves to.
    case footnoteReference(label: String)
    case rawInline(format: RawFormat, content: TextRef)
    case color(CSSColor)
    case fontSize(FontSize)
    case font(FontFamily)

    /// Whether nodes of this kind have children.
    public var isContainer: Bool {
        switch self {
        case .paragraph, .heading, .blockQuote, .list, .listItem, .table, .tableRow, .tableCell,
             .footnoteDefinition, .alignment, .spoiler,
             .emphasis, .strong, .strikethrough, .underline, .superscript, .subscript,
             .link, .image, .color, .fontSize, .font:
            true
        case .thematicBreak, .codeBlock, .rawBlock, .text, .softBreak, .lineBreak, .code,
             .footnoteReference, .rawInline:
            false
        }
    }

    /// Whether this is a block-level kind (the rest are inline).
    public var isBlock: Bool {
        switch self {
        case .paragraph, .heading, .thematicBreak, .blockQuote, .list, .listItem, .codeBlock,
             .table, .tableRow, .tableCell, .footnoteDefinition, .alignment, .spoiler, .rawBlock:
            true
        case .text, .softBreak, .lineBreak, .code, .emphasis, .strong, .strikethrough, .underline,
             .superscript, .subscript, .link, .image, .footnoteReference, .rawInline, .color,
             .fontSize, .font:
            false
        }
    }

    /// The stored text this node refers to, if any.
    public var textRef: TextRef? {
        switch self {
        case .text(let ref), .code(let ref), .codeBlock(_, let ref),
             .rawBlock(_, let ref), .rawInline(_, let ref):
            ref
        default:
            nil
        }
    }

    /// The same kind pointing at other stored text; used when text moves between stores.
    func withTextRef(_ ref: TextRef) -> NodeKind {
        switch self {
        case .text: .text(ref)
        case .code: .code(ref)
        case .codeBlock(let info, _): .codeBlock(info: info, code: ref)
        case .rawBlock(let format, _): .rawBlock(format: format, content: ref)
        case .rawInline(let format, _): .rawInline(format: format, content: ref)
        default: self
        }
    }

    /// A short lower-case name for messages and diffs ("list", "code block").
    public var displayName: String {
        switch self {
        case .paragraph: "paragraph"
        case .heading(let level): "heading \(level)"
        case .thematicBreak: "thematic break"
        case .blockQuote: "block quote"
        case .list(let attributes): attributes.isOrdered ? "ordered list" : "bullet list"
        case .listItem: "item"
        case .codeBlock: "code block"
        case .table: "table"
        case .tableRow: "table row"
        case .tableCell: "table cell"
        case .footnoteDefinition: "footnote"
        case .alignment(let alignment): "\(alignment.rawValue) alignment"
        case .spoiler: "spoiler"
        case .rawBlock(let format, _): "raw \(format) block"
        case .text: "text"
        case .softBreak: "soft break"
        case .lineBreak: "line break"
        case .code: "inline code"
        case .emphasis: "emphasis"
        case .strong: "strong emphasis"
        case .strikethrough: "strikethrough"
        case .underline: "underline"
        case .superscript: "superscript"
        case .subscript: "subscript"
        case .link: "link"
        case .image: "image"
        case .footnoteReference: "footnote reference"
        case .rawInline(let format, _): "raw \(format)"
        case .color: "colour"
        case .fontSize: "font size"
        case .font: "font"
        }
    }
}

/// A slice of a document's text store. Only meaningful together with the document that
/// made it; compare documents, not refs.
public struct TextRef: Hashable, Sendable, Codable {
    public let offset: UInt32
    public let count: UInt32

    @usableFromInline
    init(offset: UInt32, count: UInt32) {
        self.offset = offset
        self.count = count
    }

    public static let empty = TextRef(offset: 0, count: 0)

    /// The bytes this ref points at in a document's store, as lent by
    /// ``Document/withUnsafeStorage(_:)``: writers copy text from there without a string.
    @inlinable
    public func bytes(in store: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: store[Int(offset)..<Int(offset) + Int(count)])
    }
}

/// One node of a ``Document``: its kind, where it came from, and where its subtree ends.
public struct Node: Sendable, Codable {
    public internal(set) var kind: NodeKind
    /// Where the node was read from; ``SourceRange/unknown`` for made nodes.
    public internal(set) var range: SourceRange
    /// Index one past the node's last descendant in preorder.
    public internal(set) var subtreeEnd: Int32

    init(kind: NodeKind, range: SourceRange, subtreeEnd: Int32) {
        self.kind = kind
        self.range = range
        self.subtreeEnd = subtreeEnd
    }
}
