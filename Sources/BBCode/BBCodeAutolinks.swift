import ByteScan
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
/// Other forums read addresses with a regular expression of host and path
/// (`BBCodeDialect.ReadingRules.HostAndPath`, MyBB and FluxBB; `hostAndPathEnd`), or
/// of a run of characters (`CharacterRun`, Hubzilla and Friendica; `characterRunEnd`).
///
/// One pass over the text: every byte is looked at a bounded number of times.
enum BBCodeAutolinks {
    struct Found {
        var range: Range<Int>
        var destination: String
    }

    static func find(in input: UnsafeBufferPointer<UInt8>, _ range: Range<Int>,
                     rules: BBCodeDialect.ReadingRules.Autolinks, anchors: Anchors) -> [Found] {
        var found: [Found] = []
        var position = range.lowerBound
        // Where the last link ended: an e-mail address cannot start before it.
        var taken = range.lowerBound
        var endTags = EndTagsAhead()
        while position < range.upperBound {
            // Most bytes can start nothing: skipped sixteen at a time, then one table
            // lookup each.
            position = anchors.nextCandidate(in: input, from: position, end: range.upperBound)
            guard position < range.upperBound else { break }
            let byte = input[position]
            guard anchors.mayStart(byte) else {
                position += 1
                continue
            }
            if let anchorEnd = anchors.end(in: input, at: position, end: range.upperBound) {
                // `www.` and `ftp.` are the anchors four bytes long without `://`.
                let hostAnchor = anchorEnd - position == 4 && input[position + 3] == UInt8(ascii: ".")
                var end: Int?
                switch rules.shape {
                case .textFormatter:
                    end = urlEnd(in: input, from: anchorEnd, end: range.upperBound)
                case .hostAndPath(let shape):
                    end = hostAndPathEnd(in: input, segment: range, anchor: position..<anchorEnd, hostAnchor: hostAnchor, shape: shape)
                    if let found = end, !shape.notBeforeEndTags.isEmpty,
                       endTags.stand(in: input, from: found, names: shape.notBeforeEndTags) {
                        end = nil
                    }
                case .characterRun(let shape):
                    end = characterRunEnd(in: input, segment: range, anchor: position..<anchorEnd, shape: shape)
                }
                if let end {
                    let text = String(decoding: UnsafeBufferPointer(rebasing: input[position..<end]), as: UTF8.self)
                    let scheme = !hostAnchor ? "" : input[position] | 0x20 == UInt8(ascii: "w") ? "http://" : (rules.ftpHostScheme ?? "ftp") + "://"
                    found.append(Found(range: position..<end, destination: scheme + text))
                    position = end
                    taken = end
                    continue
                }
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
    static func anchorBreaks(in input: UnsafeBufferPointer<UInt8>, anchors: Anchors) -> [Int] {
        var breaks: [Int] = []
        guard let base = input.baseAddress else { return breaks }
        // Every break is at a `:`, `.` or `@`, far rarer in text than the letters anchors
        // begin with (`h`, `w`, `f`): found sixteen bytes at a time, then the anchor is
        // looked for before it.
        var position = 0
        while position < input.count {
            position += breakMarks.withUnsafeBufferPointer {
                markupkit_first_of_folded(base + position, input.count - position, $0.baseAddress!, $0.count)
            }
            guard position < input.count else { break }
            if anchors.breaks(input, at: position) { breaks.append(position) }
            position += 1
        }
        return breaks
    }

    /// `:`, `.` and `@` (which `` ` `` stands for, folded) for `markupkit_first_of_folded`.
    private static let breakMarks: [UInt8] = [UInt8(ascii: ":"), UInt8(ascii: "."), UInt8(ascii: "`")]

    /// What can start an address under one set of rules, prepared once per text rather
    /// than at every byte: the bytes an anchor can begin with, and each `scheme://`.
    struct Anchors {
        /// `scheme://` for each allowed scheme, lower case.
        let schemes: [[UInt8]]
        let www: Bool
        let ftp: Bool
        private var starts: (UInt64, UInt64) = (0, 0)
        /// The bytes that may start an anchor with their 0x20 bit set (a letter's two
        /// cases are one), for `nextCandidate`'s scan; it is used at up to eight.
        private var folded: [UInt8] = []

        init(_ rules: BBCodeDialect.ReadingRules.Autolinks) {
            schemes = rules.schemes.map { Array(($0.lowercased() + "://").utf8) }
            www = rules.www
            ftp = rules.ftpHostScheme != nil
            var firsts = schemes.map { $0[0] }
            if www { firsts.append(UInt8(ascii: "w")) }
            if ftp { firsts.append(UInt8(ascii: "f")) }
            for first in firsts {
                insert(first)
                if first >= UInt8(ascii: "a") && first <= UInt8(ascii: "z") { insert(first - 0x20) }
            }
            if rules.email { insert(UInt8(ascii: "@")) }
            for byte in UInt8(0)..<128 where mayStart(byte) && !folded.contains(byte | 0x20) {
                folded.append(byte | 0x20)
            }
        }

        /// The first position from `position` on where an anchor may start (or `end`):
        /// sixteen bytes at a time where the bytes that may start one are few enough.
        @inline(__always)
        func nextCandidate(in input: UnsafeBufferPointer<UInt8>, from position: Int, end: Int) -> Int {
            guard folded.count <= 8, position < end, let base = input.baseAddress else { return position }
            return position + folded.withUnsafeBufferPointer {
                markupkit_first_of_folded(base + position, end - position, $0.baseAddress ?? base, $0.count)
            }
        }

        private mutating func insert(_ byte: UInt8) {
            guard byte < 128 else { return }
            if byte < 64 { starts.0 |= 1 << UInt64(byte) } else { starts.1 |= 1 << UInt64(byte - 64) }
        }

        /// Whether an anchor (or, with e-mail, an `@`) can be at this byte.
        @inline(__always)
        func mayStart(_ byte: UInt8) -> Bool {
            byte < 64 ? starts.0 & (1 << UInt64(byte)) != 0 : byte < 128 && starts.1 & (1 << UInt64(byte - 64)) != 0
        }

        /// Whether an anchor is to be broken at `position`: a `:` after a scheme and before
        /// `//`, a `.` after `www` or `ftp` (as host anchors), or an `@` with address
        /// characters on both sides (with e-mail addresses on).
        func breaks(_ input: UnsafeBufferPointer<UInt8>, at position: Int) -> Bool {
            switch input[position] {
            case UInt8(ascii: "@"):
                return mayStart(UInt8(ascii: "@")) && position > 0 && isLocalByte(input[position - 1])
                    && position + 1 < input.count && isDomainByte(input[position + 1])
            case UInt8(ascii: "."):
                guard position >= 3 else { return false }
                return (www && matches(input, at: position - 3, end: position, "www"))
                    || (ftp && matches(input, at: position - 3, end: position, "ftp"))
            case UInt8(ascii: ":"):
                guard matches(input, at: position, end: input.count, "://") else { return false }
                return schemes.contains { scheme in
                    let start = position - (scheme.count - 3)
                    return start >= 0 && matches(input, at: start, end: input.count, scheme)
                }
            default:
                return false
            }
        }

        /// The end of `scheme://`, `www.` or `ftp.` starting at `position`, if one does.
        func end(in input: UnsafeBufferPointer<UInt8>, at position: Int, end: Int) -> Int? {
            let first = input[position] | 0x20
            if www, first == UInt8(ascii: "w"), matches(input, at: position, end: end, "www.") {
                return position + 4
            }
            if ftp, first == UInt8(ascii: "f"), matches(input, at: position, end: end, "ftp.") {
                return position + 4
            }
            for scheme in schemes where first == scheme[0] {
                if matches(input, at: position, end: end, scheme) { return position + scheme.count }
            }
            return nil
        }
    }

    /// Whether a writer's break between `before` and `after` stands where
    /// `anchorBreaks` puts one: after a scheme and before `://`, after `www` or `ftp` and
    /// before `.`, or before an `@`.
    static func isBreak(in input: UnsafeBufferPointer<UInt8>, before: Int, after: Int, end: Int,
                        rules: BBCodeDialect.ReadingRules.Autolinks) -> Bool {
        func endsWith(_ word: String) -> Bool {
            let count = word.utf8.count
            return before >= count && matches(input, at: before - count, end: before, word)
        }
        if matches(input, at: after, end: end, "://") { return rules.schemes.contains(where: endsWith) }
        if matches(input, at: after, end: end, ".") {
            return (rules.www && endsWith("www")) || (rules.ftpHostScheme != nil && endsWith("ftp"))
        }
        return rules.email && matches(input, at: after, end: end, "@")
    }

    /// Case-insensitive ASCII comparison with `text` (lower case) at `position`.
    private static func matches(_ input: UnsafeBufferPointer<UInt8>, at position: Int, end: Int, _ text: String) -> Bool {
        matches(input, at: position, end: end, text.utf8)
    }

    /// The same with `bytes` (lower case), no further than `end`: the writer's search for
    /// a closing tag inside code compares this way too.
    static func matches(_ input: UnsafeBufferPointer<UInt8>, at position: Int, end: Int,
                        _ bytes: some Collection<UInt8>) -> Bool {
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

// MARK: Host and path (MyBB, FluxBB)

extension BBCodeAutolinks {
    /// A host longer than any DNS name can be (253 bytes) is not looked at further: the
    /// address stays text. It bounds the work per anchor, and so keeps the pass linear on
    /// `www.www.www.…`, where every anchor's host runs to the same far end.
    static let longestHost = 255

    /// Whether one of some end tags stands ahead in a run of non-space characters
    /// (`HostAndPath.notBeforeEndTags`). Each run is scanned once, for the last such tag
    /// in it: asked from later places in the same run, the answer is that tag's place.
    struct EndTagsAhead {
        var runEnd = 0
        var lastTag: Int?

        mutating func stand(in input: UnsafeBufferPointer<UInt8>, from position: Int, names: [String]) -> Bool {
            if position >= runEnd {
                runEnd = position
                lastTag = nil
                while runEnd < input.count, !BBCodeAutolinks.isSpace(input[runEnd]) {
                    if input[runEnd] == UInt8(ascii: "["), runEnd + 1 < input.count, input[runEnd + 1] == UInt8(ascii: "/"),
                       names.contains(where: { BBCodeAutolinks.matches(input, at: runEnd + 2, end: input.count, $0 + "]") }) {
                        lastTag = runEnd
                    }
                    runEnd += 1
                }
            }
            return lastTag.map { $0 >= position } ?? false
        }
    }

    /// Where the address anchored at `anchor` ends, read as `shape` says, or nil when the
    /// forum leaves it as text. `hostAnchor`: the anchor is `www.` or `ftp.`, itself the
    /// first label of the host.
    static func hostAndPathEnd(in input: UnsafeBufferPointer<UInt8>, segment: Range<Int>, anchor: Range<Int>,
                               hostAnchor: Bool, shape: BBCodeDialect.ReadingRules.HostAndPath) -> Int? {
        let end = segment.upperBound
        func mayFollow(_ before: Int) -> Bool {
            before < segment.lowerBound || isSpace(input[before]) || shape.follows.utf8.contains(input[before])
        }
        // What must close a wrapper before the address (FluxBB's `(http://…)`).
        var closer: UInt8?
        if !mayFollow(anchor.lowerBound - 1) {
            guard shape.wrapped, let partner = wrapperPartner(input[anchor.lowerBound - 1]), mayFollow(anchor.lowerBound - 2)
            else { return nil }
            closer = partner
        }
        guard let host = hostEnd(in: input, from: anchor.upperBound, end: end, needsDot: !hostAnchor, shape: shape) else { return nil }
        var afterPort = host.end
        if afterPort + 1 < end, input[afterPort] == UInt8(ascii: ":"), isDigit(input[afterPort + 1]) {
            afterPort += 1
            while afterPort < end, isDigit(input[afterPort]) { afterPort += 1 }
        }
        var pathEnd = afterPort
        if afterPort < end, input[afterPort] == UInt8(ascii: "/") {
            pathEnd = afterPort + 1
            while pathEnd < end, !isSpace(input[pathEnd]) {
                let byte = input[pathEnd]
                if byte == UInt8(ascii: "[") {
                    // MyBB lets `[]` stand in a path; any other bracket ends it.
                    guard !shape.alphanumericLabels, pathEnd + 1 < end, input[pathEnd + 1] == UInt8(ascii: "]") else { break }
                    pathEnd += 2
                    continue
                }
                if !shape.alphanumericLabels, byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "<") { break }
                pathEnd += 1
            }
        }
        var addressEnd: Int
        switch shape.ending {
        case .pathNotEndingWith(let unwanted):
            addressEnd = trimmedPath(input, afterPort, pathEnd, unwanted: unwanted)
            if let closer, !(addressEnd < end && input[addressEnd] == closer) {
                // The expression gives back path characters until the partner follows.
                guard let shorter = (afterPort..<addressEnd).last(where: {
                    input[$0] == closer && trimmedPath(input, afterPort, $0, unwanted: unwanted) == $0
                }) else { return nil }
                addressEnd = shorter
            }
        case .wordSlashOrBalancedParenthesis:
            addressEnd = pathEnd
            while addressEnd > host.end, !isMyBBLastCharacter(input[addressEnd - 1]) { addressEnd -= 1 }
            // The last character of the host's last label is the one the expression asks
            // for at the end; the label must keep one more before it.
            if addressEnd == host.end, host.lastLabelLength < 2 { return nil }
            // A `)` at the end with no `(` to match it is the text's, with `.,?!` before it.
            let counted = anchor.upperBound
            let opening = input[counted..<addressEnd].count(where: { $0 == UInt8(ascii: "(") })
            var closing = input[counted..<addressEnd].count(where: { $0 == UInt8(ascii: ")") })
            while addressEnd > counted, input[addressEnd - 1] == UInt8(ascii: ")"), closing > opening {
                addressEnd -= 1
                closing -= 1
                while addressEnd > counted, [UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: "?"), UInt8(ascii: "!")].contains(input[addressEnd - 1]) {
                    addressEnd -= 1
                }
            }
        }
        return addressEnd > anchor.upperBound ? addressEnd : nil
    }

    /// The end of a host starting at `from`: labels parted by dots, none empty, the last
    /// one letters and digits (as much of it as is); nil if there is none, or too long.
    private static func hostEnd(in input: UnsafeBufferPointer<UInt8>, from: Int, end: Int, needsDot: Bool,
                                shape: BBCodeDialect.ReadingRules.HostAndPath) -> (end: Int, lastLabelLength: Int)? {
        // The run of label characters and dots, cut before an empty label.
        var runEnd = from
        while runEnd < end {
            let length = labelCharacterLength(input, at: runEnd, end: end, shape: shape)
            if length > 0 {
                runEnd += length
            } else if input[runEnd] == UInt8(ascii: "."), runEnd > from, input[runEnd - 1] != UInt8(ascii: ".") {
                runEnd += 1
            } else {
                break
            }
            if runEnd - from > longestHost { return nil }
        }
        if runEnd > from, input[runEnd - 1] == UInt8(ascii: ".") {
            // `a..b`: the host cannot go past the empty label; a trailing dot is not its.
            runEnd -= 1
        }
        // The last label is as much of the last part as is letters and digits; with none,
        // the host ends a label earlier.
        var limit = runEnd
        while limit > from {
            let dot = input[from..<limit].lastIndex(of: UInt8(ascii: "."))
            let labelStart = dot.map { $0 + 1 } ?? from
            if needsDot && dot == nil { return nil }
            var labelEnd = labelStart
            while labelEnd < limit {
                let length = lastLabelCharacterLength(input, at: labelEnd, end: limit, shape: shape)
                guard length > 0 else { break }
                labelEnd += length
            }
            if labelEnd > labelStart { return (labelEnd, labelEnd - labelStart) }
            guard let dot else { return nil }
            limit = dot
        }
        return nil
    }

    /// The length of the label character at `position` (0 if it is none).
    private static func labelCharacterLength(_ input: UnsafeBufferPointer<UInt8>, at position: Int, end: Int,
                                             shape: BBCodeDialect.ReadingRules.HostAndPath) -> Int {
        let byte = input[position]
        guard shape.alphanumericLabels else {
            // MyBB: anything but white space, `/`, `.`, `[` and what ends a tag or value.
            switch byte {
            case UInt8(ascii: "/"), UInt8(ascii: "."), UInt8(ascii: "["), UInt8(ascii: "\""), UInt8(ascii: "<"): return 0
            default: return isSpace(byte) ? 0 : 1
            }
        }
        if byte == UInt8(ascii: "-") { return 1 }
        return lastLabelCharacterLength(input, at: position, end: end, shape: shape)
    }

    /// The length of the character at `position` if a last label may hold it: a letter or
    /// digit (FluxBB's `\p{L}\p{N}`, MyBB's `\w`), else 0.
    private static func lastLabelCharacterLength(_ input: UnsafeBufferPointer<UInt8>, at position: Int, end: Int,
                                                 shape: BBCodeDialect.ReadingRules.HostAndPath) -> Int {
        let byte = input[position]
        if byte < 0x80 {
            let letterOrDigit = (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z")) || isDigit(byte)
            return letterOrDigit || (!shape.alphanumericLabels && byte == UInt8(ascii: "_")) ? 1 : 0
        }
        guard shape.alphanumericLabels else { return 0 }
        var length = 1
        while position + length < end, length < 4, input[position + length] & 0xC0 == 0x80 { length += 1 }
        let scalar = String(decoding: UnsafeBufferPointer(rebasing: input[position..<(position + length)]), as: UTF8.self).unicodeScalars.first
        guard let scalar, scalar.properties.isAlphabetic || scalar.properties.numericType != nil else { return 0 }
        return length
    }

    /// The end of a path from `slash` to `pathEnd` once characters it may not end with
    /// are given back; `slash` itself when only the `/` would be left.
    private static func trimmedPath(_ input: UnsafeBufferPointer<UInt8>, _ slash: Int, _ pathEnd: Int, unwanted: String) -> Int {
        var end = pathEnd
        while end > slash + 1, unwanted.utf8.contains(input[end - 1]) { end -= 1 }
        return end > slash + 1 ? end : slash
    }

    private static func isMyBBLastCharacter(_ byte: UInt8) -> Bool {
        isWordByte(byte) || byte == UInt8(ascii: "/") || byte == UInt8(ascii: ")")
    }

    private static func wrapperPartner(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "("): UInt8(ascii: ")")
        case UInt8(ascii: "<"): UInt8(ascii: ">")
        case UInt8(ascii: "["): UInt8(ascii: "]")
        case UInt8(ascii: "'"), UInt8(ascii: "\""): byte
        default: nil
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}

// MARK: Character runs (Hubzilla, Friendica)

extension BBCodeAutolinks {
    /// Where the address anchored at `anchor` (`scheme://`) ends, read as `shape` says,
    /// or nil when the forum leaves it as text. What stands before it counts even across
    /// a tag: these forums run their pattern over the post with its tags still in it.
    static func characterRunEnd(in input: UnsafeBufferPointer<UInt8>, segment: Range<Int>, anchor: Range<Int>,
                                shape: BBCodeDialect.ReadingRules.CharacterRun) -> Int? {
        if anchor.lowerBound > 0 {
            let before = input[anchor.lowerBound - 1]
            if shape.notAfter.utf8.contains(before) || (shape.atWordStart && isWordByte(before)) { return nil }
        }
        let end = segment.upperBound
        var position = anchor.upperBound
        switch shape.characters {
        case .lettersDigitsAnd(let others):
            while position < end {
                let byte = input[position]
                if byte < 0x80 {
                    guard isWordByte(byte) && byte != UInt8(ascii: "_") || others.utf8.contains(byte) else { break }
                    position += 1
                } else {
                    let length = letterLength(input, at: position, end: end)
                    guard length > 0 else { break }
                    position += length
                }
            }
        case .nonSpaceWithBalancedParentheses:
            guard hasGruberHost(input, from: anchor.upperBound, end: end) else { return nil }
            while position < end {
                let byte = input[position]
                if isSpace(byte) || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">") || byte == UInt8(ascii: ")") { break }
                if byte == 0xC2, position + 1 < end, input[position + 1] == 0xA0 { break }  // no-break space
                if byte == UInt8(ascii: "(") {
                    guard let close = balancedParenthesesEnd(input, from: position, end: end) else { break }
                    position = close
                    continue
                }
                position += 1
            }
        }
        return position > anchor.upperBound ? position : nil
    }

    /// The length of the letter (of any script) at `position`, 0 if it is none.
    private static func letterLength(_ input: UnsafeBufferPointer<UInt8>, at position: Int, end: Int) -> Int {
        var length = 1
        while position + length < end, length < 4, input[position + length] & 0xC0 == 0x80 { length += 1 }
        let scalar = String(decoding: UnsafeBufferPointer(rebasing: input[position..<(position + length)]), as: UTF8.self).unicodeScalars.first
        switch scalar?.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return length
        default: return 0
        }
    }

    /// Gruber's host: a first character that is no dot, then at least one more before a
    /// dot that has a character after it, none of them `/`, white space or
    /// `` `!()[]{};:'",<>? `` (nor curly quotes or a no-break space).
    private static func hasGruberHost(_ input: UnsafeBufferPointer<UInt8>, from start: Int, end: Int) -> Bool {
        guard start < end, input[start] != UInt8(ascii: ".") else { return false }
        var position = start
        while position < end, position - start <= longestHost {
            let byte = input[position]
            if byte < 0x80 {
                if isSpace(byte) || "/`!()[]{};:'\",<>?".utf8.contains(byte) { return false }
            } else if matchesAny(input, at: position, end: end, ["\u{A0}", "«", "»", "\u{201C}", "\u{201D}", "\u{2018}", "\u{2019}"]) {
                return false
            }
            if position - start >= 3, input[position - 1] == UInt8(ascii: "."), byte != UInt8(ascii: ".") { return true }
            position += 1
        }
        return false
    }

    /// How far a `(…)` in an address is looked for: past it the address ends at `(`.
    static let longestParenthesized = 2048

    /// The end of `(…)` at `position` holding no white space or `<>`, with one more level
    /// of non-empty `(…)` inside at most; nil when it is not such a pair.
    private static func balancedParenthesesEnd(_ input: UnsafeBufferPointer<UInt8>, from position: Int, end: Int) -> Int? {
        var depth = 0
        var current = position
        var innerLength = 0
        // Bounded, so that a run of unclosed `(` after many addresses is looked at a
        // bounded number of times per byte.
        while current < end, current - position < longestParenthesized {
            let byte = input[current]
            if isSpace(byte) || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">") { return nil }
            if byte == UInt8(ascii: "(") {
                depth += 1
                guard depth <= 2 else { return nil }
                innerLength = 0
            } else if byte == UInt8(ascii: ")") {
                if depth == 2 && innerLength == 0 { return nil }
                depth -= 1
                if depth == 0 { return current + 1 }
            } else {
                innerLength += 1
            }
            current += 1
        }
        return nil
    }

    private static func matchesAny(_ input: UnsafeBufferPointer<UInt8>, at position: Int, end: Int, _ texts: [String]) -> Bool {
        texts.contains { text in
            let bytes = Array(text.utf8)
            return position + bytes.count <= end && bytes.indices.allSatisfy { input[position + $0] == bytes[$0] }
        }
    }
}
