#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MarkupKitCore

/// What a tag does, whatever it is called in a dialect.
enum TagRole: Hashable, Sendable {
    case bold, italic, underline, strikethrough, `subscript`, superscript
    case color, size, font
    case url, email, image
    case inlineCode
    /// `[code]`; `language` is fixed for tags like `[php]`.
    case code(language: String?)
    case quote
    case list, bulletList, orderedList
    /// `[*]`.
    case itemMarker
    /// `[li]`.
    case item
    /// A fixed level (`[h2]`), or nil where the level is the value or the only one.
    case heading(level: Int?)
    case horizontalRule
    case table, tableRow, tableHeaderCell, tableCell
    /// A fixed alignment (`[center]`), or nil for `[align=…]`.
    case alignment(TextAlignment?)
    case spoiler
    case noParse

    /// Tags that start and end blocks; the rest are inline.
    var isBlock: Bool {
        switch self {
        case .quote, .list, .bulletList, .orderedList, .itemMarker, .item, .heading, .horizontalRule, .table,
             .tableRow, .tableHeaderCell, .tableCell, .alignment, .spoiler:
            true
        case .code:
            true  // decided per use: a code block, or inline code in dialects that allow it
        case .bold, .italic, .underline, .strikethrough, .subscript, .superscript, .color, .size, .font, .url,
             .email, .image, .inlineCode, .noParse:
            false
        }
    }

    /// Tags whose content is not parsed: everything up to the closing tag is taken as is.
    var isVerbatim: Bool {
        switch self {
        case .code, .inlineCode, .noParse: true
        default: false
        }
    }
}

/// A dialect's tag names, by role: what the reader recognises and the writer escapes.
///
/// Tags are known by ``ScannedTag/key`` (every tag name is at most eight letters), so
/// the reader looks a role up without making a string: a binary search over a few dozen
/// sorted keys. Not a dictionary: hashing a key costs as much as the search, and the first
/// use of a `[UInt64: TagRole]` looks `UInt64`'s `Hashable` conformance up over the whole
/// binary, in every run.
struct BBCodeVocabulary: Sendable {
    /// Tag name keys, ascending, and the role of each.
    private let keys: [UInt64]
    private let keyedRoles: [TagRole]
    /// Tags that are only tags when spelled in lower case: a handful, or none. An array,
    /// not a `Set<String>`: destroying the writer's copy of an empty set instantiated
    /// its type, a conformance lookup over the whole binary at every BBCode write.
    let lowercaseOnly: [String]

    init(_ dialect: BBCodeDialect) {
        // The first role given a name is its role.
        var keys: [UInt64] = []
        var roles: [TagRole] = []
        keys.reserveCapacity(64)
        roles.reserveCapacity(64)
        func add(_ names: [String], _ role: TagRole) {
            for name in names {
                let key = ScannedTag.key(Array(name.utf8))
                precondition(key != 0, "tag name \(name) is longer than eight bytes")
                if !keys.contains(key) {
                    keys.append(key)
                    roles.append(role)
                }
            }
        }
        add(dialect.bold, .bold)
        add(dialect.italic, .italic)
        add(dialect.underline, .underline)
        add(dialect.strikethrough, .strikethrough)
        add(dialect.subscript, .subscript)
        add(dialect.superscript, .superscript)
        add(dialect.color, .color)
        if dialect.size != nil { add(["size"], .size) }
        add(dialect.font, .font)
        add(dialect.url, .url)
        add(dialect.email, .email)
        add(["img"], .image)
        if case .tag(let name) = dialect.inlineCode { add([name], .inlineCode) }
        add(dialect.code.tags, .code(language: nil))
        for (tag, language) in dialect.code.languageTags.sorted(by: { $0.key < $1.key }) {
            add([tag], .code(language: language))
        }
        add(["quote"], .quote)
        add(dialect.lists.bulletTags.filter { $0 != "list" }, .bulletList)
        if dialect.lists.bulletTags.contains("list") { add(["list"], .list) }
        add(dialect.lists.orderedTags, .orderedList)
        add(["*"], .itemMarker)
        if dialect.lists.item == .li || dialect.lists.bulletTags.contains("ul") { add(["li"], .item) }
        switch dialect.headings {
        case .none: break
        case .numbered(let maximum): for level in 1...maximum { add(["h\(level)"], .heading(level: level)) }
        case .headingEquals: add(["heading"], .heading(level: nil))
        case .single: add(["h"], .heading(level: nil))
        }
        if dialect.horizontalRule != .none { add(["hr"], .horizontalRule) }
        if dialect.table != .none {
            add(["table"], .table)
            add(["tr"], .tableRow)
            add(["td"], .tableCell)
            if dialect.table == .full { add(["th"], .tableHeaderCell) }
        }
        if dialect.spoiler != .none { add(["spoiler"], .spoiler) }
        switch dialect.alignment {
        case .none: break
        case .tags(let alignments): for alignment in alignments { add([alignment.rawValue], .alignment(alignment)) }
        case .alignEquals: add(["align"], .alignment(nil))
        case .centerOnly: add(["center"], .alignment(.center))
        }
        add(dialect.noParse, .noParse)
        let order = keys.indices.sorted { keys[$0] < keys[$1] }
        self.keys = order.map { keys[$0] }
        keyedRoles = order.map { roles[$0] }
        if case .lowercaseOnly(let names) = dialect.tagCase {
            lowercaseOnly = names.sorted()
        } else {
            lowercaseOnly = []
        }
    }

    private func role(forKey key: UInt64) -> TagRole? {
        let index = keys.sortedInsertionIndex(of: key)
        return index < keys.count && keys[index] == key ? keyedRoles[index] : nil
    }

    /// The role of a tag as written, honouring the dialect's case rules.
    func role(of tag: ScannedTag) -> TagRole? {
        guard tag.key != 0, let role = role(forKey: tag.key) else { return nil }
        if lowercaseOnly.contains(tag.name) && tag.spelledName != tag.name { return nil }
        return role
    }
}

/// One tag as written: `[name]`, `[name=value]`, `[name="value" key=value]`, `[/name]`.
struct ScannedTag {
    var isClosing: Bool
    /// The lower-cased name packed into an integer, or 0 if longer than eight bytes.
    var key: UInt64
    /// Lower-cased.
    var name: String
    /// As written.
    var spelledName: String
    var value: String?
    var attributes: [SyntaxHints.Attribute]
    /// Where the tag starts (its `[`) and the index just after its `]`.
    var start: Int
    var end: Int

    func attribute(_ name: String) -> String? {
        attributes.first { $0.name.lowercased() == name }?.value
    }

    /// Packs up to eight lower-case ASCII bytes; 0 for longer names.
    static func key(_ lowercased: some Collection<UInt8>) -> UInt64 {
        guard lowercased.count <= 8 else { return 0 }
        var key: UInt64 = 0
        for byte in lowercased { key = key << 8 | UInt64(byte) }
        return key
    }
}

/// Reads one tag at a `[`. Tags never span lines and are at most `limit` bytes long; what
/// does not fit the grammar is not a tag, and its `[` is text.
enum BBCodeTagScanner {
    static let limit = 4096

    static func scan(_ input: UnsafeBufferPointer<UInt8>, at start: Int) -> ScannedTag? {
        let count = min(input.count, start + limit)
        guard var tag = scanOpening(input, at: start) else { return nil }
        var position = tag.end
        guard position < count else { return nil }
        tag.end = 0
        if tag.isClosing {
            guard input[position] == UInt8(ascii: "]") else { return nil }
            tag.end = position + 1
            return tag
        }
        if input[position] == UInt8(ascii: "=") {
            position += 1
            guard let (value, next) = scanValue(input, at: position, limit: count, bareStopsAtAttribute: true) else {
                return nil
            }
            tag.value = value
            position = next
        }
        // Named attributes: ` key=value`, the value quoted or bare.
        while position < count {
            let byte = input[position]
            if byte == UInt8(ascii: "]") {
                tag.end = position + 1
                return tag
            }
            guard byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") else { return nil }
            while position < count, input[position] == UInt8(ascii: " ") || input[position] == UInt8(ascii: "\t") {
                position += 1
            }
            guard position < count else { return nil }
            if input[position] == UInt8(ascii: "]") { continue }
            let keyStart = position
            while position < count, isNameByte(input[position], first: position == keyStart) || input[position] == UInt8(ascii: "_") {
                position += 1
            }
            guard position > keyStart, position < count, input[position] == UInt8(ascii: "=") else { return nil }
            let key = String(decoding: UnsafeBufferPointer(rebasing: input[keyStart..<position]), as: UTF8.self)
            guard let (value, next) = scanValue(input, at: position + 1, limit: count, bareStopsAtAttribute: true) else {
                return nil
            }
            tag.attributes.append(SyntaxHints.Attribute(name: key, value: value))
            position = next
        }
        return nil
    }

    /// The `[name` or `[/name` at a `[`, whether or not a tag follows: what would be a tag
    /// if the bytes after it (another node's, in a writer) finished it. Its `end` is just
    /// after the name.
    static func scanOpening(_ input: UnsafeBufferPointer<UInt8>, at start: Int) -> ScannedTag? {
        let count = min(input.count, start + limit)
        var position = start + 1
        guard position < count else { return nil }
        let isClosing = input[position] == UInt8(ascii: "/")
        if isClosing { position += 1 }
        let nameStart = position
        if position < count, input[position] == UInt8(ascii: "*") {
            position += 1
        } else {
            while position < count, isNameByte(input[position], first: position == nameStart) { position += 1 }
        }
        guard position > nameStart else { return nil }
        let spelledBytes = UnsafeBufferPointer(rebasing: input[nameStart..<position])
        let spelled = String(decoding: spelledBytes, as: UTF8.self)
        // Names are ASCII: lower-case them byte by byte (String.lowercased() is Unicode's).
        let hasUpperCase = spelledBytes.contains { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }
        let name = hasUpperCase
            ? String(decoding: spelledBytes.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 + 32 : $0 }, as: UTF8.self)
            : spelled
        let key = hasUpperCase ? ScannedTag.key(name.utf8) : ScannedTag.key(spelledBytes)
        return ScannedTag(isClosing: isClosing, key: key, name: name, spelledName: spelled, value: nil,
                          attributes: [], start: start, end: position)
    }

    /// A quoted (`"…"`, `'…'`, with backslash escapes) or bare value. A bare value runs to
    /// the `]`, or to a space followed by `key=` where attributes follow it.
    private static func scanValue(_ input: UnsafeBufferPointer<UInt8>, at start: Int, limit: Int,
                                  bareStopsAtAttribute: Bool) -> (String, Int)? {
        guard start < limit else { return nil }
        let quote = input[start]
        if quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") {
            var bytes: [UInt8] = []
            var position = start + 1
            while position < limit {
                let byte = input[position]
                if byte == UInt8(ascii: "\n") { return nil }
                if byte == UInt8(ascii: "\\"), position + 1 < limit,
                   input[position + 1] == quote || input[position + 1] == UInt8(ascii: "\\") {
                    bytes.append(input[position + 1])
                    position += 2
                    continue
                }
                if byte == quote { return (String(decoding: bytes, as: UTF8.self), position + 1) }
                bytes.append(byte)
                position += 1
            }
            return nil
        }
        // A bare value: found with memchr, not byte by byte, because a storm of unclosed
        // `[b=` makes every `[` scan up to the limit.
        guard let close = find(UInt8(ascii: "]"), in: input, from: start, to: limit),
              find(UInt8(ascii: "\n"), in: input, from: start, to: close) == nil else { return nil }
        var end = close
        if bareStopsAtAttribute {
            var space = start
            while let found = find(UInt8(ascii: " "), in: input, from: space, to: close) {
                if startsAttribute(input, at: found + 1, limit: limit) {
                    end = found
                    break
                }
                space = found + 1
            }
        }
        return (String(decoding: UnsafeBufferPointer(rebasing: input[start..<end]), as: UTF8.self), end)
    }

    /// The first `byte` in `input[from..<to]`.
    private static func find(_ byte: UInt8, in input: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int? {
        guard from < to, let base = input.baseAddress,
              let found = memchr(base + from, Int32(byte), to - from) else { return nil }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

    /// `key=` at `position`: where a bare value ends, at the space before it.
    static func startsAttribute(_ input: UnsafeBufferPointer<UInt8>, at start: Int, limit: Int) -> Bool {
        var position = start
        while position < limit, isNameByte(input[position], first: position == start) || input[position] == UInt8(ascii: "_") {
            position += 1
        }
        return position > start && position < limit && input[position] == UInt8(ascii: "=")
    }

    private static func isNameByte(_ byte: UInt8, first: Bool) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): true
        case UInt8(ascii: "0")...UInt8(ascii: "9"): !first
        default: false
        }
    }
}
