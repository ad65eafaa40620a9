/// Which link and image addresses a document may carry: an allowlist of schemes, checked
/// the way a browser would read the address.
///
/// Every reader's document goes through ``Document/applyURLPolicy(_:)`` once, so a
/// refused address is decided in the tree and no writer can emit it again — not the HTML
/// writer, and not a Markdown or BBCode writer whose output another renderer will turn into
/// HTML. Relative addresses and fragments have no scheme and are always allowed.
public struct URLPolicy: Hashable, Sendable {
    /// Schemes a link may have (lower case).
    public var linkSchemes: Set<String> {
        get { Set(allowedLinkSchemes) }
        set { allowedLinkSchemes = newValue.sorted() }
    }
    /// Schemes an image may have (lower case).
    public var imageSchemes: Set<String> {
        get { Set(allowedImageSchemes) }
        set { allowedImageSchemes = newValue.sorted() }
    }
    /// The same, sorted: an allowlist is a handful of schemes, which a comparison each
    /// finds sooner than a hash, and the standard policy then makes no `Set` when every
    /// run starts (whose type's first use looks its conformances up over the whole binary).
    /// Sorted, so that two policies allowing the same schemes are equal.
    private var allowedLinkSchemes: [String]
    private var allowedImageSchemes: [String]

    public init(linkSchemes: Set<String>, imageSchemes: Set<String>) {
        allowedLinkSchemes = linkSchemes.sorted()
        allowedImageSchemes = imageSchemes.sorted()
    }

    /// Both lists as given, already sorted and lower case.
    private init(sortedLinkSchemes: [String], sortedImageSchemes: [String]) {
        allowedLinkSchemes = sortedLinkSchemes
        allowedImageSchemes = sortedImageSchemes
    }

    /// Links: http, https, mailto; images: http, https. No `data:`, no `javascript:`,
    /// no `file:`, no scheme nobody asked for.
    public static let standard = URLPolicy(sortedLinkSchemes: ["http", "https", "mailto"], sortedImageSchemes: ["http", "https"])

    /// The scheme of `url` as a browser sees it — leading and trailing C0 controls and
    /// spaces trimmed, tab, LF and CR deleted anywhere, ASCII letters lower-cased — or nil
    /// for a relative address. Only ASCII folds: fullwidth letters are no scheme at all.
    public static func scheme(of url: String) -> String? {
        // Two passes over the bytes, the second only for an address that has a scheme, so
        // that the one string made is made at its size (schemes fit in a small string).
        var length = 0
        var hasScheme = false
        for byte in url.utf8 {
            guard let kept = schemeByte(byte, isFirst: length == 0) else { continue }
            if kept == UInt8(ascii: ":") {
                hasScheme = length > 0
                break
            }
            guard kept != 0 else { return nil }
            length += 1
        }
        guard hasScheme else { return nil }
        return String(unsafeUninitializedCapacity: length) { buffer in
            var written = 0
            for byte in url.utf8 {
                guard written < length else { break }
                guard let kept = schemeByte(byte, isFirst: written == 0) else { continue }
                buffer[written] = kept
                written += 1
            }
            return written
        }
    }

    /// Whether the scheme of `url` (as ``scheme(of:)`` reads it) is `candidate`, a lower-case
    /// scheme; false for a relative address. Compared byte by byte, without making the
    /// scheme a string: addresses are checked at every link, by the reader's policy and
    /// again by a writer.
    public static func hasScheme(_ url: String, _ candidate: StaticString) -> Bool {
        candidate.withUTF8Buffer { hasScheme(url, $0) }
    }

    private static func hasScheme(_ url: String, _ candidate: UnsafeBufferPointer<UInt8>) -> Bool {
        var matched = 0
        for byte in url.utf8 {
            guard let kept = schemeByte(byte, isFirst: matched == 0) else { continue }
            if kept == UInt8(ascii: ":") { return matched == candidate.count && matched > 0 }
            guard kept != 0, matched < candidate.count, candidate[matched] == kept else { return false }
            matched += 1
        }
        return false
    }

    /// What one byte of an address contributes to its scheme: nil for a byte a browser
    /// skips (tab, LF and CR anywhere; controls and spaces before the scheme), the letter
    /// lower-cased, `:` for the end of the scheme, 0 for a byte that makes it relative
    /// (`/`, `?`, `#` or anything else before a colon; a digit, `+`, `-` or `.` first).
    @inline(__always)
    private static func schemeByte(_ byte: UInt8, isFirst: Bool) -> UInt8? {
        switch byte {
        case 0x09, 0x0A, 0x0D:
            return nil
        case ...0x20 where isFirst:
            return nil
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: ":"):
            return byte
        case UInt8(ascii: "A")...UInt8(ascii: "Z"):
            return byte | 0x20
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."):
            return isFirst ? 0 : byte
        default:
            return 0
        }
    }

    /// Whether a link (or an image) may point at `url`.
    public func allows(_ url: String, isImage: Bool) -> Bool {
        guard let scheme = URLPolicy.scheme(of: url) else { return true }
        return (isImage ? allowedImageSchemes : allowedLinkSchemes).contains(scheme)
    }

    /// The warning's wording: what is allowed.
    func allowedDescription(isImage: Bool) -> String {
        let schemes = isImage ? allowedImageSchemes : allowedLinkSchemes
        return (schemes + ["relative"]).joined(separator: ", ")
    }
}

extension Document {
    /// Empties every link and image address the policy refuses — the text of the link and
    /// the image's description stay — and says so once per address. A link with no
    /// address is written as a link to nowhere in HTML (`href=""`, as cmark does) and as
    /// its text in BBCode.
    public mutating func applyURLPolicy(_ policy: URLPolicy) -> [ConversionWarning] {
        var warnings: [ConversionWarning] = []
        for index in nodes.indices {
            switch nodes[index].kind {
            case .link(let destination, let title) where !destination.isEmpty && !policy.allows(destination, isImage: false):
                nodes[index].kind = .link(destination: "", title: title)
                warnings.append(policy.refusal(destination, isImage: false, at: nodes[index].range.start))
            case .image(var attributes) where !attributes.source.isEmpty && !policy.allows(attributes.source, isImage: true):
                warnings.append(policy.refusal(attributes.source, isImage: true, at: nodes[index].range.start))
                attributes.source = ""
                nodes[index].kind = .image(attributes)
            default:
                break
            }
        }
        return warnings
    }

}

extension URLPolicy {
    /// The warning for an address this policy refuses: its scheme, what is allowed, that
    /// the link's text (the image's description) is kept, and the address itself — the
    /// one part of the user's text the output no longer carries.
    public func refusal(_ url: String, isImage: Bool, at position: SourcePosition) -> ConversionWarning {
        let scheme = URLPolicy.scheme(of: url) ?? ""
        var shown = String(String.UnicodeScalarView(url.unicodeScalars.prefix(100).map { $0.value < 0x20 ? " " : $0 }))
        if url.unicodeScalars.count > 100 { shown += "…" }
        return ConversionWarning(.input, at: position,
                                 "\(isImage ? "image" : "link") address with the scheme \(scheme): refused (allowed: \(allowedDescription(isImage: isImage))); the \(isImage ? "description" : "text") is kept, the address was \(shown)")
    }
}
