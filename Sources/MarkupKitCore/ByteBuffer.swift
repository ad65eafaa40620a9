/// The output buffer all writers append to: raw UTF-8 bytes, no `String` or `Character`
/// work on the hot path (that alone made a probe writer 1.5× slower).
public struct ByteBuffer: Sendable {
    public var bytes: [UInt8]

    public init(reservingCapacity capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    @inlinable public var count: Int { bytes.count }
    @inlinable public var isEmpty: Bool { bytes.isEmpty }
    @inlinable public var last: UInt8? { bytes.last }

    @inlinable
    public mutating func append(_ literal: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    @inlinable
    public mutating func append(byte: UInt8) {
        bytes.append(byte)
    }

    @inlinable
    public mutating func append(_ buffer: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: buffer)
    }

    @inlinable
    public mutating func append(_ slice: Slice<UnsafeBufferPointer<UInt8>>) {
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: slice))
    }

    public mutating func append(_ string: String) {
        bytes.append(contentsOf: string.utf8)
    }

    public mutating func append(decimal value: Int) {
        bytes.append(contentsOf: String(value).utf8)
    }

    /// Appends a newline unless the buffer is empty or already ends with one — cmark's
    /// `cr()`, which decides where block-level line breaks fall.
    @inlinable
    public mutating func ensureNewline() {
        if let last = bytes.last, last != UInt8(ascii: "\n") {
            bytes.append(UInt8(ascii: "\n"))
        }
    }

    /// The buffer as a `String`; the writers only produce valid UTF-8.
    public var string: String { String(decoding: bytes, as: UTF8.self) }
}
