import MarkupKitCore

/// Undoes a JSON string's escapes.
enum JSONStringDecoding {
    struct Failure: Error {
        var message: String
    }

    static func decoded(_ raw: UnsafeBufferPointer<UInt8>) -> Result<String, Failure> {
        do {
            return .success(try decode(raw))
        } catch {
            return .failure(error)
        }
    }

    /// The bytes between a string's quotes, escapes resolved.
    static func decode(_ raw: UnsafeBufferPointer<UInt8>) throws(Failure) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(raw.count)
        var position = 0
        var pendingHighSurrogate: UInt32?
        while position < raw.count {
            let byte = raw[position]
            guard byte == UInt8(ascii: "\\") else {
                if pendingHighSurrogate != nil { throw Failure(message: "unpaired surrogate in \\u escape") }
                bytes.append(byte)
                position += 1
                continue
            }
            guard position + 1 < raw.count else { throw Failure(message: "bad escape") }
            let escaped = raw[position + 1]
            position += 2
            if escaped == UInt8(ascii: "u") {
                guard position + 4 <= raw.count,
                      let code = UInt32(String(decoding: UnsafeBufferPointer(rebasing: raw[position..<position + 4]), as: UTF8.self),
                                        radix: 16)
                else { throw Failure(message: "bad \\u escape") }
                position += 4
                if let high = pendingHighSurrogate {
                    guard (0xDC00...0xDFFF).contains(code) else { throw Failure(message: "unpaired surrogate in \\u escape") }
                    pendingHighSurrogate = nil
                    bytes.append(contentsOf: String(UnicodeScalar(0x10000 + ((high - 0xD800) << 10) + (code - 0xDC00))!).utf8)
                } else if (0xD800...0xDBFF).contains(code) {
                    pendingHighSurrogate = code
                } else if let scalar = UnicodeScalar(code) {
                    bytes.append(contentsOf: String(scalar).utf8)
                } else {
                    throw Failure(message: "unpaired surrogate in \\u escape")
                }
                continue
            }
            if pendingHighSurrogate != nil { throw Failure(message: "unpaired surrogate in \\u escape") }
            switch escaped {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): bytes.append(escaped)
            case UInt8(ascii: "b"): bytes.append(0x08)
            case UInt8(ascii: "f"): bytes.append(0x0C)
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "t"): bytes.append(0x09)
            default: throw Failure(message: "bad escape '\\\(UnicodeScalar(escaped))'")
            }
        }
        if pendingHighSurrogate != nil { throw Failure(message: "unpaired surrogate in \\u escape") }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// One line of a JSON Lines stream: an object whose fields are kept as written, so that
/// a batch can pass the ones it does not use through unchanged.
public struct JSONLinesRecord: Sendable {
    /// The fields in their order, each value as its JSON text.
    public var fields: [(name: String, json: String)]

    /// Reads one line, which must hold one JSON object.
    public init(line: some Collection<UInt8>) throws(MarkupKitError) {
        let bytes = Array(line)
        try UTF8Validation.validate(bytes)
        var fields: [(name: String, json: String)] = []
        try bytes.withUnsafeBufferPointer { (source) throws(MarkupKitError) in
            var tokenizer = JSONTokenizer(source: source)
            let tokens = try tokenizer.tokenize()
            guard let first = tokens.first, first.kind == .objectStart else {
                throw MarkupKitError.invalidInput(format: "JSON Lines", message: "a line must hold one JSON object")
            }
            var key = 1
            let end = Int(first.match)
            while key < end {
                let name = try Self.string(tokens[key], in: source)
                let value = key + 1
                let last = tokens[value].match >= 0 ? Int(tokens[value].match) : value
                fields.append((name, Self.json(from: tokens[value], to: tokens[last], in: source)))
                key = last + 1
            }
        }
        self.fields = fields
    }

    /// The JSON text of a field's value, or nil if the record has no such field.
    public func json(_ name: String) -> String? {
        fields.first { $0.name == name }?.json
    }

    /// A field's value as a string, nil if missing or not a string.
    public func string(_ name: String) throws(MarkupKitError) -> String? {
        guard let json = json(name), json.utf8.first == UInt8(ascii: "\"") else { return nil }
        let bytes = Array(json.utf8.dropFirst().dropLast())
        guard bytes.contains(UInt8(ascii: "\\")) else { return String(decoding: bytes, as: UTF8.self) }
        switch bytes.withUnsafeBufferPointer({ JSONStringDecoding.decoded($0) }) {
        case .success(let text): return text
        case .failure(let failure):
            throw MarkupKitError.invalidInput(format: "JSON Lines", message: "\"\(name)\": \(failure.message)")
        }
    }

    private static func string(_ token: JSONToken, in source: UnsafeBufferPointer<UInt8>) throws(MarkupKitError) -> String {
        let raw = UnsafeBufferPointer(rebasing: source[Int(token.start)..<Int(token.end)])
        guard token.hasEscapes else { return String(decoding: raw, as: UTF8.self) }
        switch JSONStringDecoding.decoded(raw) {
        case .success(let text): return text
        case .failure(let failure): throw MarkupKitError.invalidInput(format: "JSON Lines", message: failure.message)
        }
    }

    /// A value's text as written: strings with their quotes, containers whole.
    private static func json(from first: JSONToken, to last: JSONToken, in source: UnsafeBufferPointer<UInt8>) -> String {
        var start = Int(first.start)
        var end = Int(last.end)
        if first.kind == .string { start -= 1 }
        if last.kind == .string { end += 1 }
        return String(decoding: UnsafeBufferPointer(rebasing: source[start..<end]), as: UTF8.self)
    }
}
