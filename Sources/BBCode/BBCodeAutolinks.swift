/// Finds the addresses a forum links by itself in a post's text
/// (`BBCodeDialect.ReadingRules.Autolinks`), the way phpBB 3.3's s9e/TextFormatter
/// plugins find them:
///
/// - Autolink: an allowed scheme and `://`, or `www.`, then one character that is not
///   white space, then anything but white space and brackets (a `[word]` may stand
///   inside); trailing punctuation is not part of it, except `-`, `=`, `+`, `)`, `/`, `_`.
/// - Autoemail: `\b[-a-z0-9_+.]+@[-a-z0-9.]*[a-z0-9]`, not inside a link found first,
///   with a dot in the domain (PHP's e-mail filter, which the address must pass, wants
///   one).
///
/// One pass over the text: every byte is looked at a bounded number of times.
enum BBCodeAutolinks {
    struct Found {
        var range: Range<Int>
        var destination: String
    }

    static func find(in input: UnsafeBufferPointer<UInt8>, _ range: Range<Int>,
                     rules: BBCodeDialect.ReadingRules.Autolinks) -> [Found] {
        var found: [Found] = []
        var position = range.lowerBound
        // Where the last link ended: an e-mail address cannot start before it.
        var taken = range.lowerBound
        while position < range.upperBound {
            let byte = input[position]
            if let anchorEnd = anchor(in: input, at: position, end: range.upperBound, rules: rules),
               let end = urlEnd(in: input, from: anchorEnd, end: range.upperBound) {
                let text = String(decoding: UnsafeBufferPointer(rebasing: input[position..<end]), as: UTF8.self)
                let isWWW = input[position] | 0x20 == UInt8(ascii: "w") && anchorEnd - position == 4
                found.append(Found(range: position..<end, destination: isWWW ? "http://" + text : text))
                position = end
                taken = end
                continue
            }
            if byte == UInt8(ascii: "@"), rules.email, let email = emailAround(input, at: position, from: taken, end: range.upperBound) {
                let text = String(decoding: UnsafeBufferPointer(rebasing: input[email]), as: UTF8.self)
                found.append(Found(range: email, destination: "mailto:" + text))
                position = email.upperBound
                taken = email.upperBound
                continue
            }
            position += 1
        }
        return found
    }

    /// Every place where the forum could begin to link an address, for a writer to break
    /// up: between an allowed scheme and `://`, between `www` and `.`, and before an `@`
    /// with address characters on both sides. Each is broken whether or not a whole
    /// address follows (an empty pair more does no harm), so that addresses inside
    /// addresses and addresses whose end the break moves are all caught, in one pass.
    static func anchorBreaks(in input: UnsafeBufferPointer<UInt8>, rules: BBCodeDialect.ReadingRules.Autolinks) -> [Int] {
        var breaks: [Int] = []
        for position in input.indices {
            let byte = input[position]
            if byte == UInt8(ascii: "@") {
                if rules.email, position > 0, isLocalByte(input[position - 1]), position + 1 < input.count,
                   isDomainByte(input[position + 1]) {
                    breaks.append(position)
                }
                continue
            }
            let lowered = byte | 0x20
            if rules.www, lowered == UInt8(ascii: "w"), matches(input, at: position, end: input.count, "www.") {
                breaks.append(position + 3)
                continue
            }
            for scheme in rules.schemes where lowered == scheme.utf8.first! {
                if matches(input, at: position, end: input.count, scheme + "://") {
                    breaks.append(position + scheme.utf8.count)
                    break
                }
            }
        }
        return breaks
    }

    /// The end of `scheme://` or `www.` starting at `position`, if one does.
    private static func anchor(in input: UnsafeBufferPointer<UInt8>, at position: Int, end: Int,
                               rules: BBCodeDialect.ReadingRules.Autolinks) -> Int? {
        let first = input[position] | 0x20
        if rules.www, first == UInt8(ascii: "w"), matches(input, at: position, end: end, "www.") {
            return position + 4
        }
        for scheme in rules.schemes where first == scheme.utf8.first! {
            if matches(input, at: position, end: end, scheme + "://") { return position + scheme.utf8.count + 3 }
        }
        return nil
    }

    /// Case-insensitive ASCII comparison with `text` (lower case) at `position`.
    private static func matches(_ input: UnsafeBufferPointer<UInt8>, at position: Int, end: Int, _ text: String) -> Bool {
        let bytes = text.utf8
        guard position + bytes.count <= end else { return false }
        var offset = position
        for byte in bytes {
            let candidate = input[offset]
            let lowered = candidate >= UInt8(ascii: "A") && candidate <= UInt8(ascii: "Z") ? candidate | 0x20 : candidate
            guard lowered == byte else { return false }
            offset += 1
        }
        return true
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || (byte >= 0x09 && byte <= 0x0D)
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
    }

    /// Where the address whose anchor ends at `start` ends, trailing punctuation left out;
    /// nil when nothing but the anchor would be left.
    private static func urlEnd(in input: UnsafeBufferPointer<UInt8>, from start: Int, end: Int) -> Int? {
        guard start < end, !isSpace(input[start]) else { return nil }
        var position = start + 1
        while position < end {
            let byte = input[position]
            if isSpace(byte) || byte == UInt8(ascii: "]") { break }
            if byte == UInt8(ascii: "[") {
                // `[word]` may stand inside an address; any other bracket ends it.
                var close = position + 1
                while close < end, isWordByte(input[close]) { close += 1 }
                guard close < end, input[close] == UInt8(ascii: "]") else { break }
                position = close + 1
                continue
            }
            position += 1
        }
        while position > start, let length = trailingPunctuationLength(input, before: position, start: start) {
            position -= length
        }
        return position > start ? position : nil
    }

    /// The length of the character before `position` if it is punctuation an address does
    /// not end with, else nil.
    private static func trailingPunctuationLength(_ input: UnsafeBufferPointer<UInt8>, before position: Int, start: Int) -> Int? {
        let last = input[position - 1]
        if last < 0x80 {
            switch last {
            case UInt8(ascii: "-"), UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: ")"), UInt8(ascii: "/"), UInt8(ascii: "_"):
                return nil
            case 0x21...0x2E, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E:
                return 1
            default:
                return nil
            }
        }
        // A character outside ASCII: its first byte is the last one not of the form 10xxxxxx.
        var first = position - 1
        while first > start, input[first] & 0xC0 == 0x80 { first -= 1 }
        let scalar = String(decoding: UnsafeBufferPointer(rebasing: input[first..<position]), as: UTF8.self).unicodeScalars.first
        switch scalar?.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
             .finalPunctuation, .otherPunctuation:
            return position - first
        default:
            return nil
        }
    }

    private static func isLocalByte(_ byte: UInt8) -> Bool {
        isWordByte(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".")
    }

    private static func isDomainByte(_ byte: UInt8) -> Bool {
        (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
    }

    /// The e-mail address around the `@` at `at`, none of it before `from`.
    private static func emailAround(_ input: UnsafeBufferPointer<UInt8>, at: Int, from: Int, end: Int) -> Range<Int>? {
        var start = at
        while start > from, isLocalByte(input[start - 1]) { start -= 1 }
        // `\b`: the address starts at a word character with none before it.
        while start < at, !isWordByte(input[start]) { start += 1 }
        guard start < at else { return nil }
        var domainEnd = at + 1
        while domainEnd < end, isDomainByte(input[domainEnd]) { domainEnd += 1 }
        while domainEnd > at + 1, input[domainEnd - 1] == UInt8(ascii: "-") || input[domainEnd - 1] == UInt8(ascii: ".") {
            domainEnd -= 1
        }
        guard domainEnd > at + 1, input[(at + 1)..<domainEnd].contains(UInt8(ascii: ".")) else { return nil }
        return start..<domainEnd
    }
}
