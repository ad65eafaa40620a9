#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The output buffer all writers append to: raw UTF-8 bytes in memory the buffer owns.
///
/// Writers append hundreds of thousands of short pieces; an `[UInt8]` checks uniqueness
/// and capacity on every one of them, which cost a probe writer a fifth of its time. This
/// buffer is noncopyable, so it can own its memory without reference counting, and each
/// append is a capacity check and a copy.
public struct ByteBuffer: ~Copyable {
    @usableFromInline var base: UnsafeMutablePointer<UInt8>
    @usableFromInline var capacity: Int
    @usableFromInline var length: Int

    /// The number of bytes written.
    @inlinable public var count: Int { length }

    public init(reservingCapacity capacity: Int = 0) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
        length = 0
    }

    deinit {
        base.deallocate()
    }

    @inlinable public var isEmpty: Bool { length == 0 }
    @inlinable public var last: UInt8? { length > 0 ? base[length - 1] : nil }

    /// Makes room for `additional` more bytes.
    @inlinable
    mutating func reserve(_ additional: Int) {
        if length + additional > capacity { grow(toAtLeast: length + additional) }
    }

    @usableFromInline
    mutating func grow(toAtLeast required: Int) {
        let newCapacity = max(required, capacity * 2)
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: length)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    @inlinable @inline(__always)
    public mutating func append(_ literal: StaticString) {
        append(UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    @inlinable
    public mutating func append(byte: UInt8) {
        reserve(1)
        base[length] = byte
        length += 1
    }

    @inlinable
    public mutating func append(_ buffer: UnsafeBufferPointer<UInt8>) {
        guard let source = buffer.baseAddress, buffer.count > 0 else { return }
        reserve(buffer.count)
        (base + length).update(from: source, count: buffer.count)
        length += buffer.count
    }

    @inlinable
    public mutating func append(_ slice: Slice<UnsafeBufferPointer<UInt8>>) {
        append(UnsafeBufferPointer(rebasing: slice))
    }

    /// Appends a string's UTF-8. Named differently from `append(_: StaticString)` on
    /// purpose: with one name, every string literal would pick the slower `String` path.
    public mutating func append(contentsOf string: String) {
        var string = string
        string.withUTF8 { append($0) }
    }

    /// Appends a number in decimal: heading levels and list numbers are one digit, and
    /// making a string for each was most of writing them.
    public mutating func append(decimal value: Int) {
        guard value >= 0 && value < 10 else {
            append(contentsOf: String(value))
            return
        }
        append(byte: UInt8(ascii: "0") + UInt8(value))
    }

    /// Appends a newline unless the buffer is empty or already ends with one — cmark's
    /// `cr()`, which decides where block-level line breaks fall.
    @inlinable
    public mutating func ensureNewline() {
        if length > 0 && base[length - 1] != UInt8(ascii: "\n") {
            append(byte: UInt8(ascii: "\n"))
        }
    }

    /// The bytes written so far, to read without copying.
    public func withUnsafeBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try body(UnsafeBufferPointer(start: base, count: length))
    }

    /// Whether the bytes written so far end with `suffix`.
    public func hasSuffix(_ suffix: StaticString) -> Bool {
        let count = suffix.utf8CodeUnitCount
        guard count <= length else { return false }
        return memcmp(base + length - count, suffix.utf8Start, count) == 0
    }

    /// Drops what was written after the first `count` bytes.
    public mutating func truncate(to count: Int) {
        precondition(count <= length, "cannot truncate to more than was written")
        length = count
    }

    /// Drops spaces and tabs at the end.
    public mutating func removeTrailingSpaces() {
        while length > 0 && (base[length - 1] == UInt8(ascii: " ") || base[length - 1] == UInt8(ascii: "\t")) {
            length -= 1
        }
    }

    /// Drops spaces, tabs and line ends at the end.
    public mutating func removeTrailingWhitespace() {
        while length > 0, base[length - 1] == UInt8(ascii: " ") || base[length - 1] == UInt8(ascii: "\t")
            || base[length - 1] == UInt8(ascii: "\n") {
            length -= 1
        }
    }

    /// Ends the output with an empty line (two newlines), adding only what is missing.
    /// Nothing is added to an empty buffer.
    public mutating func ensureBlankLine() {
        guard length > 0 else { return }
        ensureNewline()
        if length < 2 || base[length - 2] != UInt8(ascii: "\n") { append(byte: UInt8(ascii: "\n")) }
    }

    /// The bytes written so far.
    public consuming func finish() -> [UInt8] {
        Array(UnsafeBufferPointer(start: base, count: length))
    }
}
