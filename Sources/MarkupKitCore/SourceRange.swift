/// A place in the input: 1-based line, 1-based column counted in UTF-8 bytes.
///
/// Columns count bytes, not characters, because that is cmark's convention and every
/// reader reports positions the same way. `line == 0` means "unknown".
public struct SourcePosition: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public var line: Int32
    public var column: Int32

    public init(line: Int32, column: Int32) {
        self.line = line
        self.column = column
    }

    public static let unknown = SourcePosition(line: 0, column: 0)

    public var isKnown: Bool { line > 0 }

    public static func < (lhs: SourcePosition, rhs: SourcePosition) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }

    public var description: String { "\(line):\(column)" }

    /// This position in a fragment that was read on its own, as a position in the text the
    /// fragment was taken from, where it starts at `origin`. Only the fragment's first line
    /// shares its columns with the outer text.
    public func relocated(to origin: SourcePosition) -> SourcePosition {
        guard isKnown, origin.isKnown else { return self }
        return line == 1 ? SourcePosition(line: origin.line, column: column + origin.column - 1)
            : SourcePosition(line: line + origin.line - 1, column: column)
    }
}

/// The span of input a node was read from; both ends inclusive, as cmark reports them.
public struct SourceRange: Hashable, Sendable, Codable, CustomStringConvertible {
    public var start: SourcePosition
    public var end: SourcePosition

    public init(start: SourcePosition, end: SourcePosition) {
        self.start = start
        self.end = end
    }

    public init(startLine: Int32, startColumn: Int32, endLine: Int32, endColumn: Int32) {
        self.start = SourcePosition(line: startLine, column: startColumn)
        self.end = SourcePosition(line: endLine, column: endColumn)
    }

    /// Nodes made by code rather than read from input carry this range.
    public static let unknown = SourceRange(start: .unknown, end: .unknown)

    public var isKnown: Bool { start.isKnown }

    public var description: String { "\(start)-\(end)" }

    /// See ``SourcePosition/relocated(to:)``.
    public func relocated(to origin: SourcePosition) -> SourceRange {
        SourceRange(start: start.relocated(to: origin), end: end.relocated(to: origin))
    }
}
