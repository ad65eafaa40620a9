import MarkupKitCore

/// Writes a `Document` in the JSON interchange schema described in docs/JSON.md: a
/// nested tree any language can transform between two `markconv` calls.
///
/// One top-level block per line keeps diffs of the output readable.
public struct JSONWriter: Sendable {
    /// Include `pos` (source positions) on every node.
    public var includesPositions: Bool
    /// Include `hints` (how the source wrote a node).
    public var includesHints: Bool

    public init(includesPositions: Bool = true, includesHints: Bool = true) {
        self.includesPositions = includesPositions
        self.includesHints = includesHints
    }

    public func write(_ document: Document) -> WriteResult {
        var out = ByteBuffer(reservingCapacity: document.nodeCount * 48 + 64)
        out.append("{\"schema\":\"")
        out.append(JSONSchema.name)
        out.append("\",\"version\":")
        out.append(decimal: JSONSchema.version)
        out.append(",\"blocks\":[")
        // Open containers: the index one past each one's subtree.
        var openEnds: [Int] = []
        var index = 0
        var needsComma = false
        let count = document.nodeCount
        while index < count || !openEnds.isEmpty {
            if let end = openEnds.last, end <= index {
                openEnds.removeLast()
                out.append("]}")
                needsComma = true
                continue
            }
            if needsComma { out.append(byte: UInt8(ascii: ",")) }
            if openEnds.isEmpty { out.append(byte: UInt8(ascii: "\n")) }
            writeNode(at: index, of: document, into: &out)
            let node = document[index]
            if node.kind.isContainer {
                out.append(",\"children\":[")
                openEnds.append(Int(node.subtreeEnd))
                needsComma = false
            } else {
                out.append(byte: UInt8(ascii: "}"))
                needsComma = true
            }
            index += 1
        }
        out.append("\n]}\n")
        return WriteResult(bytes: out.finish())
    }

    /// Writes `{"type":…` and the node's own fields, leaving the object open.
    private func writeNode(at index: Int, of document: Document, into out: inout ByteBuffer) {
        let node = document[index]
        out.append("{\"type\":\"")
        out.append(JSONSchema.typeName(of: node.kind))
        out.append(byte: UInt8(ascii: "\""))
        var fields = FieldWriter(isFirst: false)
        switch node.kind {
        case .paragraph, .thematicBreak, .tableCell, .softBreak, .lineBreak, .emphasis, .strong,
             .strikethrough, .underline, .superscript, .subscript:
            break
        case .heading(let level):
            fields.integer("level", level, &out)
        case .blockQuote(let attribution):
            if let attribution { fields.string("attribution", attribution, &out) }
        case .list(let attributes):
            switch attributes.kind {
            case .bullet:
                fields.boolean("ordered", false, &out)
            case .ordered(let start, let numbering):
                fields.boolean("ordered", true, &out)
                fields.integer("start", start, &out)
                fields.string("numbering", numbering.rawValue, &out)
            }
            fields.boolean("tight", attributes.isTight, &out)
        case .listItem(let task):
            if let task { fields.string("task", task.rawValue, &out) }
        case .codeBlock(let info, let code):
            fields.string("info", info, &out)
            fields.text("text", document.bytes(code), &out)
        case .table(let columns):
            fields.stringArray("columns", columns.map(\.rawValue), &out)
        case .tableRow(let isHeader):
            fields.boolean("header", isHeader, &out)
        case .footnoteDefinition(let label), .footnoteReference(let label):
            fields.string("label", label, &out)
        case .alignment(let alignment):
            fields.string("align", alignment.rawValue, &out)
        case .spoiler(let title):
            if let title { fields.string("title", title, &out) }
        case .rawBlock(let format, let content), .rawInline(let format, let content):
            fields.string("format", format.name, &out)
            fields.text("text", document.bytes(content), &out)
        case .text(let ref), .code(let ref):
            fields.text("text", document.bytes(ref), &out)
        case .link(let destination, let title):
            fields.string("destination", destination, &out)
            fields.string("title", title, &out)
        case .image(let image):
            fields.string("source", image.source, &out)
            fields.string("title", image.title, &out)
            if let width = image.width { fields.integer("width", width, &out) }
            if let height = image.height { fields.integer("height", height, &out) }
        case .color(let color):
            fields.string("color", color.hexString, &out)
        case .fontSize(let size):
            let (unit, value) = JSONSchema.unitName(of: size)
            fields.string("unit", unit.description, &out)
            fields.integer("value", value, &out)
        case .font(let family):
            fields.stringArray("families", family.names, &out)
        }
        if includesPositions && node.range.isKnown {
            fields.key("pos", &out)
            out.append(byte: UInt8(ascii: "["))
            let range = node.range
            for (offset, value) in [range.start.line, range.start.column, range.end.line, range.end.column].enumerated() {
                if offset > 0 { out.append(byte: UInt8(ascii: ",")) }
                out.append(decimal: Int(value))
            }
            out.append(byte: UInt8(ascii: "]"))
        }
        if includesHints, let hints = document.hints(at: index) {
            fields.key("hints", &out)
            var inner = FieldWriter(isFirst: true)
            out.append(byte: UInt8(ascii: "{"))
            if let marker = hints.marker { inner.string("marker", marker, &out) }
            if let form = hints.form { inner.string("form", form, &out) }
            if let spelling = hints.spelling { inner.string("spelling", spelling, &out) }
            if !hints.attributes.isEmpty {
                inner.key("attributes", &out)
                out.append(byte: UInt8(ascii: "["))
                for (offset, attribute) in hints.attributes.enumerated() {
                    if offset > 0 { out.append(byte: UInt8(ascii: ",")) }
                    out.append(byte: UInt8(ascii: "["))
                    JSONText.writeString(attribute.name, into: &out)
                    out.append(byte: UInt8(ascii: ","))
                    JSONText.writeString(attribute.value, into: &out)
                    out.append(byte: UInt8(ascii: "]"))
                }
                out.append(byte: UInt8(ascii: "]"))
            }
            out.append(byte: UInt8(ascii: "}"))
        }
    }
}

/// Appends `"key":value` pairs to an object that is already open; writes into the
/// caller's buffer (never a copy of it).
private struct FieldWriter {
    var isFirst: Bool

    mutating func key(_ name: StaticString, _ out: inout ByteBuffer) {
        if !isFirst { out.append(byte: UInt8(ascii: ",")) }
        isFirst = false
        out.append(byte: UInt8(ascii: "\""))
        out.append(name)
        out.append("\":")
    }

    mutating func string(_ name: StaticString, _ value: String, _ out: inout ByteBuffer) {
        key(name, &out)
        JSONText.writeString(value, into: &out)
    }

    mutating func text(_ name: StaticString, _ bytes: ArraySlice<UInt8>, _ out: inout ByteBuffer) {
        key(name, &out)
        bytes.withUnsafeBufferPointer { JSONText.writeString($0, into: &out) }
    }

    mutating func integer(_ name: StaticString, _ value: Int, _ out: inout ByteBuffer) {
        key(name, &out)
        out.append(decimal: value)
    }

    mutating func boolean(_ name: StaticString, _ value: Bool, _ out: inout ByteBuffer) {
        key(name, &out)
        out.append(value ? "true" : "false")
    }

    mutating func stringArray(_ name: StaticString, _ values: [String], _ out: inout ByteBuffer) {
        key(name, &out)
        out.append(byte: UInt8(ascii: "["))
        for (offset, value) in values.enumerated() {
            if offset > 0 { out.append(byte: UInt8(ascii: ",")) }
            JSONText.writeString(value, into: &out)
        }
        out.append(byte: UInt8(ascii: "]"))
    }
}

/// JSON string escaping on UTF-8 bytes.
public enum JSONText {
    /// `string` as a JSON string literal, quotes included.
    public static func quoted(_ string: String) -> String {
        var out = ByteBuffer(reservingCapacity: string.utf8.count + 2)
        writeString(string, into: &out)
        return String(decoding: out.finish(), as: UTF8.self)
    }

    static func writeString(_ string: String, into out: inout ByteBuffer) {
        var string = string
        string.withUTF8 { writeString($0, into: &out) }
    }

    static func writeString(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout ByteBuffer) {
        let hexDigits: StaticString = "0123456789abcdef"
        out.append(byte: UInt8(ascii: "\""))
        var runStart = 0
        for (index, byte) in bytes.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
            if index > runStart { out.append(bytes[runStart..<index]) }
            runStart = index + 1
            switch byte {
            case UInt8(ascii: "\""): out.append("\\\"")
            case UInt8(ascii: "\\"): out.append("\\\\")
            case UInt8(ascii: "\n"): out.append("\\n")
            case UInt8(ascii: "\r"): out.append("\\r")
            case UInt8(ascii: "\t"): out.append("\\t")
            default:
                out.append("\\u00")
                out.append(byte: hexDigits.utf8Start[Int(byte >> 4)])
                out.append(byte: hexDigits.utf8Start[Int(byte & 0xF)])
            }
        }
        if bytes.count > runStart { out.append(bytes[runStart..<bytes.count]) }
        out.append(byte: UInt8(ascii: "\""))
    }
}
