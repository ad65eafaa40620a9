import ByteScan
import MarkupKitCore

/// Byte-level escaping for HTML output, matching cmark's rules so Markdown input renders
/// byte-for-byte as cmark-gfm renders it.
enum HTMLEscaping {
    /// Escapes `&`, `<`, `>` and `"` (cmark's non-secure mode leaves `'` and `/` alone),
    /// and writes control characters other than tab, LF and form feed as U+FFFD (CR as
    /// `&#13;`): input was cleaned of them, but a character reference (`&#30;`) can still
    /// spell one. Markdown keeps form feed and vertical tab, which are whitespace to it:
    /// form feed is whitespace to HTML too and is written as cmark writes it; vertical
    /// tab, a parse error in HTML, is written as a space.
    static func escapeText(_ text: UnsafeBufferPointer<UInt8>, into out: inout ByteBuffer) {
        guard let base = text.baseAddress else { return }
        let count = text.count
        var index = 0
        while true {
            // Runs with nothing to escape are found sixteen bytes at a time.
            let special = index + markupkit_first_html_special(base + index, count - index)
            if special > index { out.append(UnsafeBufferPointer(start: base + index, count: special - index)) }
            guard special < count else { return }
            let replacement: StaticString
            switch base[special] {
            case UInt8(ascii: "&"): replacement = "&amp;"
            case UInt8(ascii: "<"): replacement = "&lt;"
            case UInt8(ascii: ">"): replacement = "&gt;"
            case UInt8(ascii: "\""): replacement = "&quot;"
            case 0x0B: replacement = " "
            case 0x0D: replacement = "&#13;"
            default: replacement = "\u{FFFD}"  // the other controls and DEL
            }
            out.append(replacement)
            index = special + 1
        }
    }

    static func escapeText(_ text: String, into out: inout ByteBuffer) {
        var text = text
        text.withUTF8 { escapeText($0, into: &out) }
    }

    /// cmark's href escaping: URL-safe and reserved characters pass, `&` and `'` become
    /// entities, everything else is percent-encoded.
    static func escapeHref(_ url: UnsafeBufferPointer<UInt8>, into out: inout ByteBuffer) {
        let hexDigits: StaticString = "0123456789ABCDEF"
        for byte in url {
            if isHrefSafe(byte) {
                out.append(byte: byte)
            } else if byte == UInt8(ascii: "&") {
                out.append("&amp;")
            } else if byte == UInt8(ascii: "'") {
                out.append("&#x27;")
            } else {
                out.append(byte: UInt8(ascii: "%"))
                out.append(byte: hexDigits.utf8Start[Int(byte >> 4)])
                out.append(byte: hexDigits.utf8Start[Int(byte & 0xF)])
            }
        }
    }

    static func escapeHref(_ url: String, into out: inout ByteBuffer) {
        var url = url
        url.withUTF8 { escapeHref($0, into: &out) }
    }

    /// Alphanumerics and `-_.+!*(),%#@?=;:/$~` (cmark's HREF_SAFE table).
    @inline(__always)
    static func isHrefSafe(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "+"), UInt8(ascii: "!"),
             UInt8(ascii: "*"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: ","), UInt8(ascii: "%"),
             UInt8(ascii: "#"), UInt8(ascii: "@"), UInt8(ascii: "?"), UInt8(ascii: "="), UInt8(ascii: ";"),
             UInt8(ascii: ":"), UInt8(ascii: "/"), UInt8(ascii: "$"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// cmark's dangerous-URL test: `javascript:`, `vbscript:`, `file:` and `data:` (except
    /// `data:image/png|gif|jpeg|webp`), matched case-insensitively at the start.
    static func isDangerousURL(_ url: String) -> Bool {
        var url = url
        return url.withUTF8 { bytes in
            func hasPrefix(_ prefix: StaticString) -> Bool {
                let length = prefix.utf8CodeUnitCount
                guard bytes.count >= length else { return false }
                for offset in 0..<length {
                    let byte = bytes[offset]
                    let lower = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
                    if lower != prefix.utf8Start[offset] { return false }
                }
                return true
            }
            if hasPrefix("data:image/png") || hasPrefix("data:image/gif") || hasPrefix("data:image/jpeg")
                || hasPrefix("data:image/webp") {
                return false
            }
            return hasPrefix("javascript:") || hasPrefix("vbscript:") || hasPrefix("file:") || hasPrefix("data:")
        }
    }

    /// GFM's tagfilter: whether `text` starts with one of the tags GitHub neutralises.
    static func startsWithFilteredTag(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard text.count >= 3, text[0] == UInt8(ascii: "<") else { return false }
        var position = 1
        if text[position] == UInt8(ascii: "/") { position += 1 }
        for name in rawTextElementNames {
            var index = position
            var matched = true
            for expected in name.utf8 {
                guard index < text.count else { matched = false; break }
                let byte = text[index]
                let lower = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
                if lower != expected { matched = false; break }
                index += 1
            }
            guard matched, index < text.count else { continue }
            let next = text[index]
            if next == UInt8(ascii: ">") || isCmarkSpace(next) { return true }
            if next == UInt8(ascii: "/") && index + 1 < text.count && text[index + 1] == UInt8(ascii: ">") {
                return true
            }
        }
        return false
    }

    /// The elements whose content HTML reads as text up to their end tag, not as markup:
    /// the ones GFM's tagfilter neutralises, and the ones whose content the embedded-HTML
    /// reader steps over when it follows a block's tags.
    static let rawTextElementNames = [
        "title", "textarea", "style", "xmp", "iframe", "noembed", "noframes", "script", "plaintext",
    ]

    /// HTML's white space: space, tab, LF, FF, CR.
    static func isHTMLSpace(_ byte: UInt8) -> Bool {
        byte.isASCIIWhitespace
    }

    /// Space, tab, LF, VT, FF, CR.
    @inline(__always)
    static func isCmarkSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
    }
}
