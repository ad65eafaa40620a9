import ByteScan
import MarkupKit
import MarkupKitTestSupport
import Testing

/// The sixteen-at-a-time scans give the answer a byte-by-byte reading gives: every byte
/// value at every place in and around a sixteen-byte block, and its tail.
@Suite struct ByteScanTests {
    /// Buffers of lengths 0 to 40 of plain letters with one byte value at one place.
    private func eachPlacement(_ check: ([UInt8]) -> Void) {
        for length in 0...40 {
            check([UInt8](repeating: UInt8(ascii: "a"), count: length))
            for place in 0..<length {
                for value in UInt8.min...UInt8.max {
                    var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                    bytes[place] = value
                    check(bytes)
                }
            }
        }
    }

    private func scan(_ bytes: [UInt8], _ body: (UnsafePointer<UInt8>, Int) -> Int) -> Int {
        bytes.withUnsafeBufferPointer { body($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) }
    }

    @Test func asciiPrefixStopsAtTheFirstHighBit() {
        eachPlacement { bytes in
            let expected = bytes.firstIndex { $0 >= 0x80 } ?? bytes.count
            #expect(scan(bytes) { markupkit_ascii_prefix_length($0, $1) } == expected)
        }
    }

    @Test func controlsAreFoundExceptTabAndLineFeedOrFormFeeds() {
        eachPlacement { bytes in
            for lastAllowed: UInt8 in [0x0A, 0x0C] {
                let expected = bytes.firstIndex { ($0 < 0x20 && !(0x09...lastAllowed).contains($0)) || $0 == 0x7F } ?? bytes.count
                #expect(scan(bytes) { markupkit_first_control($0, $1, lastAllowed) } == expected)
            }
        }
    }

    @Test func htmlSpecialsAreWhatTheEscaperReplaces() {
        eachPlacement { bytes in
            let expected = bytes.firstIndex {
                "&<>\"".utf8.contains($0) || $0 == 0x7F || ($0 < 0x20 && ![0x09, 0x0A, 0x0C].contains($0))
            } ?? bytes.count
            #expect(scan(bytes) { markupkit_first_html_special($0, $1) } == expected)
        }
    }

    /// Folded: `h` stands for `h` and `H`, `` ` `` for `` ` `` and `@`.
    @Test func firstOfAFoldedSetIsTheFirstMember() {
        let set: [UInt8] = Array("hw`f".utf8)
        eachPlacement { bytes in
            for count in [0, 2, 4] {
                let expected = bytes.firstIndex { set.prefix(count).contains($0 | 0x20) } ?? bytes.count
                let found = set.withUnsafeBufferPointer { members in
                    scan(bytes) { markupkit_first_of_folded($0, $1, members.baseAddress!, count) }
                }
                #expect(found == expected)
            }
        }
    }

    @Test func bbcodeSpecialsAreBracketsAndAddressMarks() {
        func reference(_ bytes: [UInt8], addresses: Bool, ftp: Bool) -> Bool {
            for (index, byte) in bytes.enumerated() {
                if byte == UInt8(ascii: "[") || byte == UInt8(ascii: "]") { return true }
                guard addresses else { continue }
                if byte == UInt8(ascii: ":") || byte == UInt8(ascii: "@") { return true }
                if byte == UInt8(ascii: "."), index > 0 {
                    let previous = bytes[index - 1] | 0x20
                    if previous == UInt8(ascii: "w") || (ftp && previous == UInt8(ascii: "p")) { return true }
                }
            }
            return false
        }
        func check(_ bytes: [UInt8]) {
            for (addresses, ftp) in [(false, false), (true, false), (true, true)] {
                let found = scan(bytes) { Int(markupkit_bbcode_text_is_special($0, $1, addresses ? 1 : 0, ftp ? 1 : 0)) }
                #expect((found != 0) == reference(bytes, addresses: addresses, ftp: ftp), "\(bytes)")
            }
        }
        eachPlacement(check)
        // A `.` after each letter that matters, and after others, at every place.
        for length in 2...40 {
            for place in 1..<length {
                for before in Array("wWpPx.".utf8) {
                    var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                    bytes[place - 1] = before
                    bytes[place] = UInt8(ascii: ".")
                    check(bytes)
                }
            }
        }
    }

    /// Invalid UTF-8 is found at the same byte wherever it falls relative to the blocks.
    /// Long runs too: the lanes are summed every 255 blocks, before a byte could overflow.
    @Test func continuationBytesAreCountedAsTheyAreOne() {
        eachPlacement { bytes in
            let expected = bytes.count { $0 & 0xC0 == 0x80 }
            #expect(scan(bytes) { markupkit_utf8_continuation_count($0, $1) } == expected)
        }
        var random = SeededGenerator(seed: 7)
        for length in [4079, 4080, 4081, 8160, 10_000] {
            let allContinuations = [UInt8](repeating: 0x80, count: length)
            #expect(scan(allContinuations) { markupkit_utf8_continuation_count($0, $1) } == length)
            let mixed = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            #expect(scan(mixed) { markupkit_utf8_continuation_count($0, $1) } == mixed.count { $0 & 0xC0 == 0x80 })
        }
    }

    @Test func invalidUTF8IsFoundWhereverItFalls() {
        for length in 1...40 {
            for place in 0..<length {
                for bad: [UInt8] in [[0xFF], [0xC3], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xC0, 0xAF]] where place + bad.count <= length {
                    var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                    bytes.replaceSubrange(place..<place + bad.count, with: bad)
                    #expect(UTF8Validation.firstInvalidOffset(in: bytes) == place, "\(bad) at \(place) of \(length)")
                }
                var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                let euro: [UInt8] = [0xE2, 0x82, 0xAC]
                if place + 3 <= length { bytes.replaceSubrange(place..<place + 3, with: euro) }
                #expect(UTF8Validation.firstInvalidOffset(in: bytes) == nil)
            }
        }
    }

    /// The scheme reader against the plain reading of the rule it states, on random
    /// addresses made of the bytes that matter to it.
    @Test func schemesMatchTheRuleOnRandomAddresses() {
        func reference(_ url: String) -> String? {
            var scheme = ""
            var started = false
            for scalar in url.unicodeScalars {
                if scalar == "\t" || scalar == "\n" || scalar == "\r" { continue }
                if !started && scalar.value <= 0x20 { continue }
                started = true
                switch scalar {
                case ":": return scheme.isEmpty ? nil : scheme
                case "a"..."z": scheme.unicodeScalars.append(scalar)
                case "A"..."Z": scheme += scalar.properties.lowercaseMapping
                case "0"..."9", "+", "-", ".":
                    guard !scheme.isEmpty else { return nil }
                    scheme.unicodeScalars.append(scalar)
                default: return nil
                }
            }
            return nil
        }
        let alphabet: [String] = ["a", "Z", "3", "+", "-", ".", ":", "/", " ", "\t", "\n", "\r", "\u{01}", "é", "#"]
        var random = SeededGenerator(seed: 14)
        for _ in 0..<5000 {
            let url = (0..<Int.random(in: 0...8, using: &random)).map { _ in alphabet.randomElement(using: &random)! }.joined()
            #expect(URLPolicy.scheme(of: url) == reference(url), "\(url.debugDescription)")
        }
    }
}
