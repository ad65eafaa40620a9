import ByteScan

/// What every text input goes through before a reader sees it, so that all readers agree
/// on the characters they are given (and no later step can join `java` and `script`):
///
/// - invalid UTF-8 is an error naming the first bad byte, or, when asked, each bad
///   sequence becomes U+FFFD with a warning;
/// - a leading byte-order mark is dropped;
/// - CRLF and a lone CR become LF;
/// - NUL, the other C0 controls except tab and LF, and DEL become U+FFFD (replaced, not
///   deleted, so the text on either side stays apart). Markdown keeps form feed and
///   vertical tab: they are whitespace to CommonMark, and cmark-gfm keeps them in the
///   text it renders. (BBCode forums delete them, as phpBB's parser does.)
public enum InputPreparation {
    public static func prepare(_ bytes: [UInt8], replacingInvalidUTF8: Bool, keepingFormFeeds: Bool = false)
        throws(MarkupKitError) -> (bytes: [UInt8], warnings: [ConversionWarning]) {
        var warnings: [ConversionWarning] = []
        var input = bytes
        if let offset = UTF8Validation.firstInvalidOffset(in: input) {
            guard replacingInvalidUTF8 else { throw .invalidUTF8(offset: offset) }
            let repaired = Array(String(decoding: input, as: UTF8.self).utf8)
            warnings.append(ConversionWarning(.input, at: position(ofByte: offset, in: input),
                                              "invalid UTF-8 from byte offset \(offset) replaced with U+FFFD (--lossy-utf8)"))
            input = repaired
        }
        var start = 0
        if input.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        guard start > 0 || needsCleaning(input, keepingFormFeeds: keepingFormFeeds) else { return (input, warnings) }
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var index = start
        var replaced = 0
        var firstReplaced: SourcePosition?
        while index < input.count {
            let byte = input[index]
            switch byte {
            case 0x0D:
                output.append(0x0A)
                if index + 1 < input.count && input[index + 1] == 0x0A { index += 1 }
            case 0x09, 0x0A:
                output.append(byte)
            case 0x0B where keepingFormFeeds, 0x0C where keepingFormFeeds:
                output.append(byte)
            case 0x00...0x1F, 0x7F:
                if firstReplaced == nil { firstReplaced = position(ofByte: index, in: input) }
                replaced += 1
                output += [0xEF, 0xBF, 0xBD]
            default:
                output.append(byte)
            }
            index += 1
        }
        if let firstReplaced {
            warnings.append(ConversionWarning(.input, at: firstReplaced,
                                              "\(replaced) control character\(replaced == 1 ? "" : "s") (NUL, other C0, DEL) replaced with U+FFFD"))
        }
        return (output, warnings)
    }

    /// Whether any byte needs changing: a control character other than tab and LF (and
    /// form feed and vertical tab, when kept).
    private static func needsCleaning(_ bytes: [UInt8], keepingFormFeeds: Bool) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return false }
            return markupkit_first_control(base, buffer.count, keepingFormFeeds ? 0x0C : 0x0A) < buffer.count
        }
    }

    /// Line and byte column of an offset, for the warning.
    static func position(ofByte offset: Int, in bytes: [UInt8]) -> SourcePosition {
        var line: Int32 = 1
        var lineStart = 0
        for index in 0..<min(offset, bytes.count) where bytes[index] == 0x0A {
            line += 1
            lineStart = index + 1
        }
        return SourcePosition(line: line, column: Int32(clamping: offset - lineStart + 1))
    }
}
