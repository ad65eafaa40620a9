import MarkupKitCore

/// Reads a document in the JSON interchange schema (docs/JSON.md).
///
/// The JSON is first cut into a flat list of tokens in which every `{` and `[` knows where
/// it closes; the tree is then built by a loop over that list. Nothing recurses, so a
/// 100 000-deep document read back from `-t json` is no problem.
public struct JSONReader: Sendable {
    /// What is let through: the address allowlist applied to what is read, as every
    /// reader applies it. (A JSON document is a tree already; it has no nesting to bound
    /// beyond its own size, and nothing in it expands.)
    public var policy: SafetyPolicy

    public init(policy: SafetyPolicy = .standard) {
        self.policy = policy
    }

    public func read(_ text: String) throws(MarkupKitError) -> ReadResult {
        try read(utf8: Array(text.utf8))
    }

    public func read(utf8 bytes: [UInt8]) throws(MarkupKitError) -> ReadResult {
        try UTF8Validation.validate(bytes)
        return try bytes.withUnsafeBufferPointer { (buffer) throws(MarkupKitError) in
            var tokenizer = JSONTokenizer(source: buffer)
            var builder = JSONTreeBuilder(source: buffer, tokens: try tokenizer.tokenize())
            var result = ReadResult(document: try builder.build())
            policy.applyToReadDocument(&result)
            return result
        }
    }
}

struct JSONToken {
    enum Kind: UInt8 {
        case objectStart, objectEnd, arrayStart, arrayEnd, string, number, `true`, `false`, null
    }

    var kind: Kind
    /// For strings, the bytes between the quotes; for numbers, the number; else the token.
    var start: Int32
    var end: Int32
    /// For `{` and `[`, the index of the matching close token.
    var match: Int32 = -1
    /// Whether a string contains backslash escapes.
    var hasEscapes = false
}

private func jsonError(_ source: UnsafeBufferPointer<UInt8>, at offset: Int, _ message: String) -> MarkupKitError {
    var line = 1
    var column = 1
    for byte in source[..<min(offset, source.count)] {
        if byte == UInt8(ascii: "\n") {
            line += 1
            column = 1
        } else if byte & 0xC0 != 0x80 {
            column += 1
        }
    }
    return .invalidInput(format: "JSON", message: "\(line):\(column): \(message)")
}

struct JSONTokenizer {
    let source: UnsafeBufferPointer<UInt8>
    var tokens: [JSONToken] = []
    var position = 0

    init(source: UnsafeBufferPointer<UInt8>) {
        self.source = source
        tokens.reserveCapacity(source.count / 8)
    }

    mutating func tokenize() throws(MarkupKitError) -> [JSONToken] {
        /// What the grammar allows next.
        enum Expect { case value, valueOrClose, key, keyOrClose, colon, commaOrClose }
        var openers: [Int] = []
        var expect = Expect.value
        while true {
            skipWhitespace()
            guard position < source.count else { throw error(tokens.isEmpty ? "empty input" : "unexpected end of input") }
            let byte = source[position]
            switch expect {
            case .value, .valueOrClose:
                if expect == .valueOrClose && byte == UInt8(ascii: "]") {
                    try close(byte, &openers)
                } else if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                    let isObject = byte == UInt8(ascii: "{")
                    openers.append(tokens.count)
                    tokens.append(JSONToken(kind: isObject ? .objectStart : .arrayStart,
                                            start: Int32(position), end: Int32(position + 1)))
                    position += 1
                    expect = isObject ? .keyOrClose : .valueOrClose
                    continue
                } else {
                    try scalar(byte)
                }
            case .key, .keyOrClose:
                if expect == .keyOrClose && byte == UInt8(ascii: "}") {
                    try close(byte, &openers)
                } else {
                    guard byte == UInt8(ascii: "\"") else { throw error("expected a key in quotes") }
                    try string()
                    expect = .colon
                    continue
                }
            case .colon:
                guard byte == UInt8(ascii: ":") else { throw error("expected ':'") }
                position += 1
                expect = .value
                continue
            case .commaOrClose:
                if byte == UInt8(ascii: ",") {
                    position += 1
                    let isInObject = openers.last.map { tokens[$0].kind == .objectStart } ?? false
                    expect = isInObject ? .key : .value
                    continue
                }
                try close(byte, &openers)
            }
            // A value is complete here.
            if openers.isEmpty {
                skipWhitespace()
                guard position == source.count else { throw error("text after the document") }
                return tokens
            }
            expect = .commaOrClose
        }
    }

    private mutating func close(_ byte: UInt8, _ openers: inout [Int]) throws(MarkupKitError) {
        guard let opener = openers.popLast() else { throw error("unexpected '\(UnicodeScalar(byte))'") }
        let isObject = tokens[opener].kind == .objectStart
        guard byte == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) else {
            throw error(isObject ? "expected ',' or '}'" : "expected ',' or ']'")
        }
        tokens[opener].match = Int32(tokens.count)
        tokens.append(JSONToken(kind: isObject ? .objectEnd : .arrayEnd, start: Int32(position), end: Int32(position + 1)))
        position += 1
    }

    private mutating func scalar(_ byte: UInt8) throws(MarkupKitError) {
        switch byte {
        case UInt8(ascii: "\""):
            try string()
        case UInt8(ascii: "t"):
            try literal("true", .true)
        case UInt8(ascii: "f"):
            try literal("false", .false)
        case UInt8(ascii: "n"):
            try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = position
            position += 1
            while position < source.count,
                  let next = Optional(source[position]),
                  (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(next) || next == UInt8(ascii: ".")
                    || next == UInt8(ascii: "e") || next == UInt8(ascii: "E") || next == UInt8(ascii: "+")
                    || next == UInt8(ascii: "-") {
                position += 1
            }
            tokens.append(JSONToken(kind: .number, start: Int32(start), end: Int32(position)))
        default:
            throw error("unexpected character")
        }
    }

    private mutating func literal(_ word: StaticString, _ kind: JSONToken.Kind) throws(MarkupKitError) {
        let length = word.utf8CodeUnitCount
        guard position + length <= source.count,
              (0..<length).allSatisfy({ source[position + $0] == word.utf8Start[$0] })
        else { throw error("unexpected character") }
        tokens.append(JSONToken(kind: kind, start: Int32(position), end: Int32(position + length)))
        position += length
    }

    private mutating func string() throws(MarkupKitError) {
        let start = position + 1
        var index = start
        var hasEscapes = false
        while index < source.count {
            let byte = source[index]
            if byte == UInt8(ascii: "\"") {
                tokens.append(JSONToken(kind: .string, start: Int32(start), end: Int32(index), hasEscapes: hasEscapes))
                position = index + 1
                return
            }
            if byte == UInt8(ascii: "\\") {
                hasEscapes = true
                index += 2
                continue
            }
            if byte < 0x20 {
                position = index
                throw error("control character in a string")
            }
            index += 1
        }
        throw error("unterminated string")
    }

    private mutating func skipWhitespace() {
        while position < source.count {
            switch source[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): position += 1
            default: return
            }
        }
    }

    private func error(_ message: String) -> MarkupKitError {
        jsonError(source, at: position, message)
    }
}

/// Turns the token list into a document, one node object at a time.
private struct JSONTreeBuilder {
    let source: UnsafeBufferPointer<UInt8>
    let tokens: [JSONToken]
    var builder = DocumentBuilder()

    init(source: UnsafeBufferPointer<UInt8>, tokens: [JSONToken]) {
        self.source = source
        self.tokens = tokens
    }

    mutating func build() throws(MarkupKitError) -> Document {
        guard tokens.first?.kind == .objectStart else { throw error(at: 0, "the document must be a JSON object") }
        var blocks: Int?
        var version: Int?
        var schema: String?
        try forEachField(ofObjectAt: 0) { (key, value) throws(MarkupKitError) in
            switch key {
            case "blocks": blocks = value
            case "version": version = try integer(at: value, field: key)
            case "schema": schema = try string(at: value, field: key)
            default: break
            }
        }
        if let schema, schema != JSONSchema.name.description {
            throw error(at: 0, "schema is '\(schema)', expected '\(JSONSchema.name)'")
        }
        guard let version else { throw error(at: 0, "missing \"version\"") }
        guard version == JSONSchema.version else {
            throw error(at: 0, "schema version \(version) is not supported (this markconv reads version \(JSONSchema.version))")
        }
        guard let blocks, tokens[blocks].kind == .arrayStart else { throw error(at: 0, "missing \"blocks\" array") }

        // Arrays of nodes being read: where each ends, the next element, and whether
        // finishing it closes a container.
        var pending: [(end: Int, next: Int, closesContainer: Bool)] = [(Int(tokens[blocks].match), blocks + 1, false)]
        while let top = pending.last {
            if top.next >= top.end {
                pending.removeLast()
                if top.closesContainer { builder.close() }
                continue
            }
            let objectIndex = top.next
            pending[pending.count - 1].next = skip(objectIndex)
            let node = try readNode(at: objectIndex)
            if node.kind.isContainer {
                builder.open(node.kind, range: node.range)
                builder.setHintsForCurrentContainer(node.hints)
                if let children = node.children {
                    pending.append((Int(tokens[children].match), children + 1, true))
                } else {
                    builder.close()
                }
            } else if case .text = node.kind {
                builder.addText(node.text ?? "", range: node.range)
                builder.setHintsForLastNode(node.hints)
            } else {
                builder.addLeaf(node.kind, range: node.range)
                builder.setHintsForLastNode(node.hints)
            }
        }
        return builder.finish()
    }

    private struct ParsedNode {
        var kind: NodeKind
        var range: SourceRange
        var hints: SyntaxHints
        var children: Int?
        var text: String?
    }

    /// Reads one node object's own fields (not its children).
    private mutating func readNode(at index: Int) throws(MarkupKitError) -> ParsedNode {
        guard tokens[index].kind == .objectStart else { throw error(at: index, "expected a node object") }
        var fields: [String: Int] = [:]
        try forEachField(ofObjectAt: index) { (key, value) throws(MarkupKitError) in fields[key] = value }
        guard let typeToken = fields["type"] else { throw error(at: index, "node without \"type\"") }
        let type = try string(at: typeToken, field: "type")

        func text(_ key: String) throws(MarkupKitError) -> String {
            guard let token = fields[key] else { throw error(at: index, "\(type) needs \"\(key)\"") }
            return try string(at: token, field: key)
        }
        func optionalText(_ key: String) throws(MarkupKitError) -> String? {
            guard let token = fields[key], tokens[token].kind != .null else { return nil }
            return try string(at: token, field: key)
        }
        func number(_ key: String) throws(MarkupKitError) -> Int {
            guard let token = fields[key] else { throw error(at: index, "\(type) needs \"\(key)\"") }
            return try integer(at: token, field: key)
        }
        func optionalNumber(_ key: String) throws(MarkupKitError) -> Int? {
            guard let token = fields[key], tokens[token].kind != .null else { return nil }
            return try integer(at: token, field: key)
        }
        func flag(_ key: String) throws(MarkupKitError) -> Bool {
            guard let token = fields[key] else { return false }
            switch tokens[token].kind {
            case .true: return true
            case .false: return false
            default: throw error(at: token, "\"\(key)\" must be true or false")
            }
        }
        func stored(_ key: String) throws(MarkupKitError) -> TextRef {
            builder.storeText(try text(key))
        }
        func enumValue<T: RawRepresentable>(_ key: String, _ type: T.Type) throws(MarkupKitError) -> T
        where T.RawValue == String {
            let value = try text(key)
            guard let parsed = T(rawValue: value) else { throw error(at: fields[key]!, "\"\(key)\": '\(value)' is not allowed") }
            return parsed
        }

        var parsedText: String?
        let kind: NodeKind
        switch type {
        case "paragraph": kind = .paragraph
        case "heading":
            let level = try number("level")
            guard (1...6).contains(level) else { throw error(at: fields["level"]!, "heading level must be 1 to 6") }
            kind = .heading(level: level)
        case "thematic_break": kind = .thematicBreak
        case "block_quote": kind = .blockQuote(attribution: try optionalText("attribution"))
        case "list":
            let listKind: ListKind = try flag("ordered")
                ? .ordered(start: try optionalNumber("start") ?? 1,
                           numbering: fields["numbering"] == nil ? .decimal : try enumValue("numbering", NumberingStyle.self))
                : .bullet
            kind = .list(ListAttributes(kind: listKind, isTight: try flag("tight")))
        case "item":
            kind = .listItem(task: fields["task"] == nil ? nil : try enumValue("task", TaskState.self))
        case "code_block": kind = .codeBlock(info: try optionalText("info") ?? "", code: try stored("text"))
        case "table":
            guard let columnsToken = fields["columns"], tokens[columnsToken].kind == .arrayStart else {
                throw error(at: index, "table needs a \"columns\" array")
            }
            var columns: [ColumnAlignment] = []
            var element = columnsToken + 1
            while element < Int(tokens[columnsToken].match) {
                let name = try string(at: element, field: "columns")
                guard let alignment = ColumnAlignment(rawValue: name) else {
                    throw error(at: element, "column alignment '\(name)' is not one of none, left, center, right")
                }
                columns.append(alignment)
                element += 1
            }
            kind = .table(columns: columns)
        case "table_row": kind = .tableRow(isHeader: try flag("header"))
        case "table_cell": kind = .tableCell
        case "footnote_definition": kind = .footnoteDefinition(label: try text("label"))
        case "alignment": kind = .alignment(try enumValue("align", TextAlignment.self))
        case "spoiler": kind = .spoiler(title: try optionalText("title"))
        case "raw_block": kind = .rawBlock(format: RawFormat(try text("format")), content: try stored("text"))
        case "text":
            parsedText = try text("text")
            kind = .text(.empty)
        case "soft_break": kind = .softBreak
        case "line_break": kind = .lineBreak
        case "code": kind = .code(try stored("text"))
        case "emphasis": kind = .emphasis
        case "strong": kind = .strong
        case "strikethrough": kind = .strikethrough
        case "underline": kind = .underline
        case "superscript": kind = .superscript
        case "subscript": kind = .subscript
        case "link": kind = .link(destination: try text("destination"), title: try optionalText("title") ?? "")
        case "image":
            kind = .image(ImageAttributes(source: try text("source"), title: try optionalText("title") ?? "",
                                          width: try optionalNumber("width"), height: try optionalNumber("height")))
        case "footnote_reference": kind = .footnoteReference(label: try text("label"))
        case "raw_inline": kind = .rawInline(format: RawFormat(try text("format")), content: try stored("text"))
        case "color":
            let value = try text("color")
            guard let color = CSSColor(parsing: value) else { throw error(at: fields["color"]!, "'\(value)' is not a colour") }
            kind = .color(color)
        case "font_size":
            let unit = try text("unit")
            guard let size = JSONSchema.fontSize(unit: unit, value: try number("value")), size.isValid else {
                throw error(at: index, "font size is not a valid unit and value")
            }
            kind = .fontSize(size)
        case "font":
            guard let familiesToken = fields["families"], tokens[familiesToken].kind == .arrayStart else {
                throw error(at: index, "font needs a \"families\" array")
            }
            var names: [String] = []
            var element = familiesToken + 1
            while element < Int(tokens[familiesToken].match) {
                names.append(try string(at: element, field: "families"))
                element += 1
            }
            guard let family = FontFamily(parsing: names.joined(separator: ",")) else {
                throw error(at: familiesToken, "font family names may use letters, digits, space, '-' and '_'")
            }
            kind = .font(family)
        default:
            throw error(at: typeToken, "unknown node type '\(type)'")
        }

        var children: Int?
        if let token = fields["children"] {
            guard tokens[token].kind == .arrayStart else { throw error(at: token, "\"children\" must be an array") }
            guard kind.isContainer || tokens[token].match == Int32(token + 1) else {
                throw error(at: token, "\(type) cannot have children")
            }
            children = kind.isContainer ? token : nil
        }
        return ParsedNode(kind: kind, range: try position(fields["pos"]), hints: try hints(fields["hints"]),
                          children: children, text: parsedText)
    }

    private func position(_ token: Int?) throws(MarkupKitError) -> SourceRange {
        guard let token, tokens[token].kind != .null else { return .unknown }
        guard tokens[token].kind == .arrayStart, tokens[token].match == Int32(token + 5) else {
            throw error(at: token, "\"pos\" must be [startLine, startColumn, endLine, endColumn]")
        }
        var values: [Int32] = []
        for element in token + 1...token + 4 {
            values.append(Int32(clamping: try integer(at: element, field: "pos")))
        }
        return SourceRange(startLine: values[0], startColumn: values[1], endLine: values[2], endColumn: values[3])
    }

    private func hints(_ token: Int?) throws(MarkupKitError) -> SyntaxHints {
        guard let token, tokens[token].kind != .null else { return SyntaxHints() }
        guard tokens[token].kind == .objectStart else { throw error(at: token, "\"hints\" must be an object") }
        var hints = SyntaxHints()
        try forEachField(ofObjectAt: token) { (key, value) throws(MarkupKitError) in
            switch key {
            case "marker": hints.marker = try string(at: value, field: key)
            case "form": hints.form = try string(at: value, field: key)
            case "spelling": hints.spelling = try string(at: value, field: key)
            case "attributes":
                guard tokens[value].kind == .arrayStart else { throw error(at: value, "\"attributes\" must be an array") }
                var pair = value + 1
                while pair < Int(tokens[value].match) {
                    guard tokens[pair].kind == .arrayStart, tokens[pair].match == Int32(pair + 3) else {
                        throw error(at: pair, "each attribute must be [name, value]")
                    }
                    hints.attributes.append(SyntaxHints.Attribute(name: try string(at: pair + 1, field: key),
                                                                  value: try string(at: pair + 2, field: key)))
                    pair += 4
                }
            default: break
            }
        }
        return hints
    }

    // MARK: Token access

    /// The index after a value (a whole object or array, or one scalar).
    private func skip(_ index: Int) -> Int {
        let token = tokens[index]
        return token.match >= 0 ? Int(token.match) + 1 : index + 1
    }

    private func forEachField(ofObjectAt index: Int,
                              _ body: (String, Int) throws(MarkupKitError) -> Void) throws(MarkupKitError) {
        var key = index + 1
        let end = Int(tokens[index].match)
        while key < end {
            let name = try string(at: key, field: "key")
            try body(name, key + 1)
            key = skip(key + 1)
        }
    }

    private func string(at index: Int, field: String) throws(MarkupKitError) -> String {
        let token = tokens[index]
        guard token.kind == .string else { throw error(at: index, "\"\(field)\" must be a string") }
        let raw = UnsafeBufferPointer(rebasing: source[Int(token.start)..<Int(token.end)])
        guard token.hasEscapes else { return String(decoding: raw, as: UTF8.self) }
        switch JSONStringDecoding.decoded(raw) {
        case .success(let text): return text
        case .failure(let failure): throw error(at: index, failure.message)
        }
    }

    private func integer(at index: Int, field: String) throws(MarkupKitError) -> Int {
        let token = tokens[index]
        guard token.kind == .number,
              let value = Int(String(decoding: UnsafeBufferPointer(rebasing: source[Int(token.start)..<Int(token.end)]), as: UTF8.self))
        else { throw error(at: index, "\"\(field)\" must be a whole number") }
        return value
    }

    private func error(at tokenIndex: Int, _ message: String) -> MarkupKitError {
        jsonError(source, at: tokens.isEmpty ? 0 : Int(tokens[min(tokenIndex, tokens.count - 1)].start), message)
    }
}
