import ByteScan

/// UTF-8 checks done once at the edge, so everything past a reader can rely on valid text.
public enum UTF8Validation {
    /// The offset of the first byte that does not belong to a well-formed UTF-8 sequence,
    /// or nil when all of `bytes` is valid UTF-8 (overlongs and surrogates are invalid).
    public static func firstInvalidOffset(in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        let count = bytes.count
        guard let base = bytes.baseAddress else { return nil }
        var index = 0
        while index < count {
            // ASCII runs dominate real text: skipped sixteen bytes at a time.
            index += markupkit_ascii_prefix_length(base + index, count - index)
            guard index < count else { break }
            let lead = base[index]
            let length: Int
            var lower: UInt8 = 0x80
            var upper: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; upper = 0x9F
            case 0xF0: length = 4; lower = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; upper = 0x8F
            default: return index
            }
            guard index + length <= count else { return index }
            let second = base[index + 1]
            guard second >= lower && second <= upper else { return index }
            for continuation in 2..<length where base[index + continuation] & 0xC0 != 0x80 {
                return index
            }
            index += length
        }
        return nil
    }

    public static func firstInvalidOffset(in bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { firstInvalidOffset(in: $0) }
    }

    /// Throws ``MarkupKitError/invalidUTF8(offset:)`` for the first invalid byte.
    public static func validate(_ bytes: [UInt8]) throws(MarkupKitError) {
        if let offset = firstInvalidOffset(in: bytes) { throw .invalidUTF8(offset: offset) }
    }
}
