/// A converted document: the tree every reader produces and every writer consumes.
///
/// The tree is stored flat, in preorder: each ``Node`` knows where its subtree ends, so a
/// node's children are found by skipping from one sibling to the next. Bulk text lives in
/// one per-document byte store. This keeps a 2 MB document to a handful of allocations, and
/// makes every whole-tree operation — walking, comparing, hashing, encoding and freeing —
/// a loop rather than a recursion, so a 100 000-deep quote cannot overflow the stack.
///
/// Equality compares meaning: node kinds, structure and text. Source ranges and syntax
/// hints are kept but do not take part in `==` or hashing.
public struct Document: Sendable {
    /// All nodes in preorder.
    public internal(set) var nodes: [Node]
    /// UTF-8 text referenced by ``TextRef``s. Always valid UTF-8.
    @usableFromInline internal var store: [UInt8]
    @usableFromInline internal var hintTable: HintTable

    /// An empty document.
    public init() {
        self.init(nodes: [], store: [], hints: HintTable())
    }

    init(nodes: [Node], store: [UInt8], hints: HintTable) {
        self.nodes = nodes
        self.store = store
        self.hintTable = hints
    }

    public var isEmpty: Bool { nodes.isEmpty }

    /// The number of nodes in the whole tree.
    public var nodeCount: Int { nodes.count }

    /// Lends the node in place: writers look at the kind of every node they pass, and a
    /// copy retains and releases what the kind carries.
    @inlinable
    public subscript(index: Int) -> Node {
        _read { yield nodes[index] }
    }

    /// Moves every node's source range as ``SourcePosition/relocated(to:)`` does.
    public mutating func relocate(to origin: SourcePosition) {
        for index in nodes.indices {
            nodes[index].range = nodes[index].range.relocated(to: origin)
        }
    }

    /// The indices of the top-level nodes, in order.
    public var topLevel: ChildIndices { ChildIndices(nodes: nodes, start: 0, end: nodes.count) }

    /// The indices of a node's children, in order.
    public func children(of index: Int) -> ChildIndices {
        ChildIndices(nodes: nodes, start: index + 1, end: Int(nodes[index].subtreeEnd))
    }

    /// The index one past the node's last descendant.
    @inlinable
    public func subtreeEnd(of index: Int) -> Int { Int(nodes[index].subtreeEnd) }

    /// The text a ref points at.
    public func string(_ ref: TextRef) -> String {
        store.withUnsafeBufferPointer { buffer in
            String(decoding: UnsafeBufferPointer(rebasing: buffer[ref.byteRange]), as: UTF8.self)
        }
    }

    /// The UTF-8 bytes a ref points at.
    public func bytes(_ ref: TextRef) -> ArraySlice<UInt8> { store[ref.byteRange] }

    /// Direct access to the node array and the text store, for writers that walk the
    /// whole tree and want no per-node overhead.
    @inlinable
    public func withUnsafeStorage<R>(
        _ body: (UnsafeBufferPointer<Node>, UnsafeBufferPointer<UInt8>) throws -> R
    ) rethrows -> R {
        try nodes.withUnsafeBufferPointer { nodes in
            try store.withUnsafeBufferPointer { store in try body(nodes, store) }
        }
    }

    /// The syntax hints recorded for a node, if any.
    public func hints(at index: Int) -> SyntaxHints? { hintTable[Int32(index)] }

    /// Records how a node was written; empty hints remove the entry.
    public mutating func setHints(_ hints: SyntaxHints, at index: Int) {
        precondition(nodes.indices.contains(index), "node index out of range")
        hintTable[Int32(index)] = hints.isEmpty ? nil : hints
    }

    /// The concatenated text of a subtree: text, code and raw content, with breaks as
    /// spaces — what a screen reader would say for an image's alternative text.
    public func plainText(of index: Int) -> String {
        var bytes: [UInt8] = []
        for position in index..<subtreeEnd(of: index) {
            switch nodes[position].kind {
            case .text(let ref), .code(let ref), .rawInline(_, let ref):
                bytes.append(contentsOf: store[ref.byteRange])
            case .softBreak, .lineBreak:
                bytes.append(UInt8(ascii: " "))
            default:
                break
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The deepest nesting of containers (a paragraph at top level has depth 1).
    public var maximumDepth: Int {
        var ends: [Int32] = []
        var deepest = 0
        for (index, node) in nodes.enumerated() {
            while let last = ends.last, last <= Int32(index) { ends.removeLast() }
            ends.append(node.subtreeEnd)
            deepest = max(deepest, ends.count)
        }
        return deepest
    }

    /// A walk over the whole tree: `enter` for every node in preorder, and `exit` once its
    /// subtree is done. Uses a heap stack, never recursion.
    public var events: WalkEvents { WalkEvents(nodes: nodes) }
}

extension TextRef {
    @inlinable
    var byteRange: Range<Int> { Int(offset)..<Int(offset) + Int(count) }
}

/// The indices of sibling nodes, in order.
public struct ChildIndices: Sequence, Sendable {
    let nodes: [Node]
    let start: Int
    let end: Int

    public struct Iterator: IteratorProtocol {
        let nodes: [Node]
        var position: Int
        let end: Int

        public mutating func next() -> Int? {
            guard position < end else { return nil }
            defer { position = Int(nodes[position].subtreeEnd) }
            return position
        }
    }

    public func makeIterator() -> Iterator { Iterator(nodes: nodes, position: start, end: end) }

    public var isEmpty: Bool { start >= end }

    /// The first child's index, or nil when there are none.
    public var first: Int? { isEmpty ? nil : start }

    /// The last child's index, or nil when there are none: found by hopping from sibling
    /// to sibling, so it costs the number of children.
    public var last: Int? {
        var last: Int?
        for child in self { last = child }
        return last
    }
}

/// Entering or leaving a node during a walk.
public enum WalkEvent: Hashable, Sendable {
    case enter(Int)
    case exit(Int)
}

/// See ``Document/events``.
public struct WalkEvents: Sequence, Sendable {
    let nodes: [Node]

    public struct Iterator: IteratorProtocol {
        let nodes: [Node]
        var position = 0
        var openEnds: [(end: Int32, index: Int)] = []

        public mutating func next() -> WalkEvent? {
            if let last = openEnds.last, last.end <= Int32(position) {
                openEnds.removeLast()
                return .exit(last.index)
            }
            guard position < nodes.count else { return nil }
            let index = position
            position += 1
            openEnds.append((nodes[index].subtreeEnd, index))
            return .enter(index)
        }
    }

    public func makeIterator() -> Iterator { Iterator(nodes: nodes) }
}

// MARK: - Meaning equality

extension Document: Hashable {
    public static func == (lhs: Document, rhs: Document) -> Bool {
        guard lhs.nodes.count == rhs.nodes.count else { return false }
        for index in lhs.nodes.indices where !lhs.nodeMeansTheSame(at: index, as: rhs) {
            return false
        }
        return true
    }

    /// Whether node `index` here and node `index` in `other` have the same kind, the same
    /// subtree size and the same text.
    func nodeMeansTheSame(at index: Int, as other: Document, otherIndex: Int? = nil) -> Bool {
        let otherIndex = otherIndex ?? index
        let mine = nodes[index]
        let theirs = other.nodes[otherIndex]
        guard Int(mine.subtreeEnd) - index == Int(theirs.subtreeEnd) - otherIndex else { return false }
        if let myText = mine.kind.textRef {
            guard let theirText = theirs.kind.textRef,
                  mine.kind.withTextRef(.empty) == theirs.kind.withTextRef(.empty)
            else { return false }
            return store[myText.byteRange] == other.store[theirText.byteRange]
        }
        return mine.kind == theirs.kind
    }

    /// Whether the children of node `index` here mean the same as the children of node
    /// `otherIndex` in `other` (kinds, structure and text; not positions or hints).
    public func childrenMeanTheSame(of index: Int, as other: Document, of otherIndex: Int) -> Bool {
        let count = subtreeEnd(of: index) - index
        guard count == other.subtreeEnd(of: otherIndex) - otherIndex else { return false }
        for offset in 1..<count where !nodeMeansTheSame(at: index + offset, as: other, otherIndex: otherIndex + offset) {
            return false
        }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(nodes.count)
        for (index, node) in nodes.enumerated() {
            hasher.combine(Int(node.subtreeEnd) - index)
            if let ref = node.kind.textRef {
                hasher.combine(node.kind.withTextRef(.empty))
                store.withUnsafeBufferPointer { hasher.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: $0[ref.byteRange]))) }
            } else {
                hasher.combine(node.kind)
            }
        }
    }
}

// MARK: - Codable

/// The Swift `Codable` form is the flat storage form (nodes in preorder, the text store,
/// hints), which any depth can pass through. The documented interchange schema for other
/// languages is written and read by the MarkupKitJSON module instead.
extension Document: Codable {
    private enum CodingKeys: String, CodingKey {
        case nodes, text, hints
    }

    private struct HintEntry: Codable {
        var node: Int32
        var hints: SyntaxHints
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(nodes, forKey: .nodes)
        try container.encode(String(decoding: store, as: UTF8.self), forKey: .text)
        let entries = hintTable.keys.indices.map { HintEntry(node: hintTable.keys[$0], hints: hintTable.values[$0]) }
        try container.encode(entries, forKey: .hints)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let nodes = try container.decode([Node].self, forKey: .nodes)
        let store = Array(try container.decode(String.self, forKey: .text).utf8)
        var hints = HintTable()
        for entry in try container.decodeIfPresent([HintEntry].self, forKey: .hints) ?? [] {
            hints[entry.node] = entry.hints
        }
        self.init(nodes: nodes, store: store, hints: hints)
        if let problem = structuralProblem() {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: container.codingPath, debugDescription: problem))
        }
    }

    /// Why the flat form is not a well-formed tree, or nil when it is.
    func structuralProblem() -> String? {
        var openEnds: [Int32] = [Int32(nodes.count)]
        for (index, node) in nodes.enumerated() {
            while let last = openEnds.last, last <= Int32(index) { openEnds.removeLast() }
            let end = node.subtreeEnd
            guard end > Int32(index), let parentEnd = openEnds.last, end <= parentEnd else {
                return "node \(index) has subtree end \(end) outside its parent"
            }
            if !node.kind.isContainer && end != Int32(index) + 1 {
                return "leaf node \(index) (\(node.kind.displayName)) has children"
            }
            if let ref = node.kind.textRef, Int(ref.offset) + Int(ref.count) > store.count {
                return "node \(index) refers to text outside the store"
            }
            openEnds.append(end)
        }
        if let key = hintTable.keys.first(where: { $0 < 0 || Int($0) >= nodes.count }) {
            return "hints for node \(key), which does not exist"
        }
        return nil
    }
}
