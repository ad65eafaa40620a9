import MarkupKitCore

/// The names used by the JSON interchange schema (docs/JSON.md). The writer and the
/// reader both take their vocabulary from here, so the two cannot drift apart.
enum JSONSchema {
    static let name: StaticString = "markupkit-document"
    static let version = 1

    /// The `type` of a node.
    static func typeName(of kind: NodeKind) -> StaticString {
        switch kind {
        case .paragraph: "paragraph"
        case .heading: "heading"
        case .thematicBreak: "thematic_break"
        case .blockQuote: "block_quote"
        case .list: "list"
        case .listItem: "item"
        case .codeBlock: "code_block"
        case .table: "table"
        case .tableRow: "table_row"
        case .tableCell: "table_cell"
        case .footnoteDefinition: "footnote_definition"
        case .alignment: "alignment"
        case .spoiler: "spoiler"
        case .rawBlock: "raw_block"
        case .text: "text"
        case .softBreak: "soft_break"
        case .lineBreak: "line_break"
        case .code: "code"
        case .emphasis: "emphasis"
        case .strong: "strong"
        case .strikethrough: "strikethrough"
        case .underline: "underline"
        case .superscript: "superscript"
        case .subscript: "subscript"
        case .link: "link"
        case .image: "image"
        case .footnoteReference: "footnote_reference"
        case .rawInline: "raw_inline"
        case .color: "color"
        case .fontSize: "font_size"
        case .font: "font"
        }
    }

    static func unitName(of size: FontSize) -> (unit: StaticString, value: Int) {
        switch size {
        case .percent(let value): ("percent", value)
        case .scale(let value): ("scale", value)
        case .pixels(let value): ("pixels", value)
        case .points(let value): ("points", value)
        }
    }

    static func fontSize(unit: String, value: Int) -> FontSize? {
        switch unit {
        case "percent": .percent(value)
        case "scale": .scale(value)
        case "pixels": .pixels(value)
        case "points": .points(value)
        default: nil
        }
    }
}
