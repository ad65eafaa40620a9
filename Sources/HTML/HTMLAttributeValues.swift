import MarkupKitCore

/// Attribute values as the tree keeps them, shared by the HTML reader and by the reading
/// of HTML embedded in Markdown, so both give a tag the same meaning.
enum HTMLAttributeValues {
    /// A URL as the tree keeps it: without the whitespace HTML ignores around it, and with
    /// percent-encoded non-ASCII characters decoded (`%C3%BC` is `ü`), which every writer
    /// encodes again where its format needs it. ASCII escapes (`%20`, `%22`) stay as they
    /// are: decoding them could change what the URL means.
    static func url(_ attribute: String) -> String {
        let bytes = Array(attribute.trimmingASCIIWhitespace().utf8)
        guard bytes.contains(UInt8(ascii: "%")) else { return String(decoding: bytes, as: UTF8.self) }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            // A run of escapes of bytes >= 0x80 is decoded when it is valid UTF-8.
            var run: [UInt8] = []
            var end = index
            while end + 2 < bytes.count, bytes[end] == UInt8(ascii: "%"),
                  let byte = UInt8(String(decoding: bytes[(end + 1)...(end + 2)], as: UTF8.self), radix: 16),
                  byte >= 0x80 {
                run.append(byte)
                end += 3
            }
            if !run.isEmpty, String(validating: run, as: UTF8.self) != nil {
                decoded += run
                index = end
            } else {
                decoded.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: decoded, as: UTF8.self)
    }

    static func pixelCount(_ value: String) -> Int? {
        var digits = value.trimmingASCIIWhitespace()
        if digits.hasSuffix("px") { digits.removeLast(2) }
        guard let count = Int(digits), (1...100_000).contains(count) else { return nil }
        return count
    }

    /// What a `<font>` element's attributes ask for, outermost first.
    static func fontElementKinds(color: String?, size: String?, face: String?) -> [NodeKind] {
        var kinds: [NodeKind] = []
        if let color = color.flatMap({ CSSColor(parsing: $0.trimmingASCIIWhitespace()) }) { kinds.append(.color(color)) }
        if let size = size.flatMap(fontElementSize) { kinds.append(.fontSize(size)) }
        if let face = face.flatMap({ FontFamily(parsing: $0) }) { kinds.append(.font(face)) }
        return kinds
    }

    /// `<font size>`: 1–7, or relative to the default 3 (`+1`, `-2`).
    static func fontElementSize(_ value: String) -> FontSize? {
        let text = value.trimmingASCIIWhitespace()
        guard let number = Int(text) else { return nil }
        let step = text.hasPrefix("+") || text.hasPrefix("-") ? 3 + number : number
        return .scale(min(max(step, 1), 7))
    }
}
