/// Builds a ``Document`` in reading order: open a container, add its children, close it.
///
/// Every reader is a loop that feeds a builder, so no reader recurses on input depth.
/// Adjacent text is merged as it arrives, which makes trees from different readers (or
/// from cmark, which splits text at entities and escapes) compare equal when they mean
/// the same thing.
public struct DocumentBuilder: Sendable {
    var nodes: [Node] = []
    var store = TextStore()
    var hints = HintTable()
    /// Indices of the containers that are open, outermost first.
    @usableFromInline var openContainers: [Int32] = []
    /// For each open container, the text that was mergeable before it opened.
    var mergeableBeforeOpen: [Int32] = []
    /// The index of a text node that later text may still be merged into.
    var mergeableText: Int32 = -1
    /// The container closed last. Closed containers are never removed, so if it ends
    /// where the nodes end, the last node is inside it.
    var lastClosed: Int32 = -1

    /// The deepest container nesting seen so far.
    public private(set) var maximumDepth = 0

    public init(reservingNodes nodeCapacity: Int = 0, textBytes textCapacity: Int = 0) {
        nodes.reserveCapacity(nodeCapacity)
        store = TextStore(capacity: textCapacity)
    }

    /// How many containers are open. Inlinable: readers ask before every node they add.
    @inlinable public var depth: Int { openContainers.count }

    /// The number of nodes added so far; the index the next node will get.
    public var nodeCount: Int { nodes.count }

    /// The kind of the innermost open container, or nil at top level.
    public var currentContainer: NodeKind? {
        openContainers.last.map { nodes[Int($0)].kind }
    }

    /// The kinds of the innermost open container's children so far.
    public var currentContainerChildKinds: [NodeKind] {
        var kinds: [NodeKind] = []
        var child = (openContainers.last.map(Int.init) ?? -1) + 1
        while child < nodes.count {
            kinds.append(nodes[child].kind)
            child = Int(nodes[child].subtreeEnd)
        }
        return kinds
    }

    /// Removes a line break that is the last child of the innermost open container;
    /// returns whether there was one.
    public mutating func removeTrailingLineBreak() -> Bool {
        guard let last = lastLeafChild, nodes[last].kind == .lineBreak else { return false }
        nodes.removeLast()
        restoreMergeableText()
        return true
    }

    /// Whether the node added last is a line break.
    public var lastNodeIsLineBreak: Bool { nodes.last?.kind == .lineBreak }

    /// Whether the innermost open container has no children yet.
    public var currentContainerIsEmpty: Bool {
        openContainers.last.map { Int($0) == nodes.count - 1 } ?? false
    }

    /// The kind of an open container, counted from the innermost (0) outwards.
    public func openContainer(outward level: Int) -> NodeKind? {
        let position = openContainers.count - 1 - level
        return openContainers.indices.contains(position) ? nodes[Int(openContainers[position])].kind : nil
    }

    /// Opens a container; what is added next becomes its children until ``close(at:)``.
    public mutating func open(_ kind: NodeKind, range: SourceRange = .unknown) {
        precondition(kind.isContainer, "\(kind.displayName) is not a container")
        let index = Int32(nodes.count)
        nodes.append(Node(kind: kind, range: range, subtreeEnd: index + 1))
        openContainers.append(index)
        mergeableBeforeOpen.append(mergeableText)
        maximumDepth = max(maximumDepth, openContainers.count)
        mergeableText = -1
    }

    /// Closes the innermost open container, optionally recording where it ended.
    public mutating func close(at end: SourcePosition? = nil) {
        guard let index = openContainers.popLast() else {
            preconditionFailure("close() without an open container")
        }
        mergeableBeforeOpen.removeLast()
        nodes[Int(index)].subtreeEnd = Int32(nodes.count)
        if let end { nodes[Int(index)].range.end = end }
        mergeableText = -1
        lastClosed = index
    }

    /// The last node, if it is a leaf child of the innermost open container (not inside a
    /// closed container within it). Constant time.
    private var lastLeafChild: Int? {
        let last = nodes.count - 1
        let container = Int(openContainers.last ?? -1)
        guard last > container else { return nil }
        let closed = Int(lastClosed)
        if closed > container && closed < last && Int(nodes[closed].subtreeEnd) == nodes.count { return nil }
        return nodes[last].kind.isContainer ? nil : last
    }

    /// After the last node was removed: text that now ends the innermost container, and
    /// ends the text store, takes more text again.
    private mutating func restoreMergeableText() {
        mergeableText = -1
        if let last = lastLeafChild, case .text(let ref) = nodes[last].kind, Int(ref.offset) + Int(ref.count) == store.count {
            mergeableText = Int32(last)
        }
    }

    /// Closes the innermost open container, or, if nothing was added to it, removes it as
    /// if it had never been opened — text before and after it then merge. Readers use it
    /// for formatting around nothing (`[b][/b]`), which means nothing.
    public mutating func closeDroppingIfEmpty(at end: SourcePosition? = nil) {
        guard let index = openContainers.last else { preconditionFailure("close() without an open container") }
        guard Int(index) == nodes.count - 1 else {
            close(at: end)
            return
        }
        openContainers.removeLast()
        nodes.removeLast()
        hints[index] = nil
        mergeableText = mergeableBeforeOpen.removeLast()
    }

    /// Removes spaces and tabs from the end of the text just added, if the last thing
    /// added was text; removes the text node if nothing is left of it.
    public mutating func trimTrailingSpaces() {
        guard mergeableText >= 0, Int(mergeableText) == nodes.count - 1,
              case .text(let ref) = nodes[Int(mergeableText)].kind else { return }
        var count = Int(ref.count)
        while count > 0, store[Int(ref.offset) + count - 1] == UInt8(ascii: " ") || store[Int(ref.offset) + count - 1] == UInt8(ascii: "\t") {
            count -= 1
        }
        guard count < Int(ref.count) else { return }
        if count == 0 {
            nodes.removeLast()
            if Int(ref.offset) + Int(ref.count) == store.count { store.removeLast(Int(ref.count)) }
            mergeableText = -1
        } else {
            nodes[Int(mergeableText)].kind = .text(TextRef(offset: ref.offset, count: UInt32(count)))
            if Int(ref.offset) + Int(ref.count) == store.count { store.removeLast(Int(ref.count) - count) }
        }
    }

    /// Removes the spaces, tabs and line breaks that end the innermost open container:
    /// whitespace before a closing tag lays the text out and is not content.
    public mutating func trimTrailingWhitespace() {
        while let last = lastLeafChild {
            switch nodes[last].kind {
            case .lineBreak, .softBreak:
                nodes.removeLast()
                restoreMergeableText()
            case .text(let ref):
                var count = Int(ref.count)
                while count > 0, store[Int(ref.offset) + count - 1] == UInt8(ascii: " ")
                    || store[Int(ref.offset) + count - 1] == UInt8(ascii: "\t") {
                    count -= 1
                }
                if count == Int(ref.count) { return }
                if Int(ref.offset) + Int(ref.count) == store.count { store.removeLast(Int(ref.count) - count) }
                if count > 0 {
                    nodes[last].kind = .text(TextRef(offset: ref.offset, count: UInt32(count)))
                    restoreMergeableText()
                    return
                }
                nodes.removeLast()
                restoreMergeableText()
            default:
                return
            }
        }
    }

    /// Adds a leaf node. Nodes that carry text take a ref from ``storeText(_:)``.
    public mutating func addLeaf(_ kind: NodeKind, range: SourceRange = .unknown) {
        precondition(!kind.isContainer, "\(kind.displayName) is a container; use open(_:range:)")
        nodes.append(Node(kind: kind, range: range, subtreeEnd: Int32(nodes.count) + 1))
        mergeableText = -1
    }

    /// Adds text, merging it into the text just before it where there is one.
    public mutating func addText(_ text: String, range: SourceRange = .unknown) {
        var text = text
        text.withUTF8 { addText(validatedUTF8: UnsafeRawBufferPointer($0), range: range) }
    }

    /// Adds text given as UTF-8 bytes, which the caller has checked are valid UTF-8.
    public mutating func addText(validatedUTF8 bytes: UnsafeRawBufferPointer, range: SourceRange = .unknown) {
        guard !bytes.isEmpty else { return }
        if mergeableText >= 0 {
            let index = Int(mergeableText)
            if case .text(let ref) = nodes[index].kind, Int(ref.offset) + Int(ref.count) == store.count {
                store.append(bytes)
                nodes[index].kind = .text(TextRef(offset: ref.offset, count: ref.count + UInt32(bytes.count)))
                if range.isKnown { nodes[index].range.end = range.end }
                return
            }
        }
        let ref = storeText(validatedUTF8: bytes)
        mergeableText = Int32(nodes.count)
        nodes.append(Node(kind: .text(ref), range: range, subtreeEnd: Int32(nodes.count) + 1))
    }

    /// Puts text in the store and returns its ref, for kinds such as code that carry text.
    public mutating func storeText(_ text: String) -> TextRef {
        var text = text
        return text.withUTF8 { storeText(validatedUTF8: UnsafeRawBufferPointer($0)) }
    }

    /// Puts valid UTF-8 bytes in the store and returns their ref.
    public mutating func storeText(validatedUTF8 bytes: UnsafeRawBufferPointer) -> TextRef {
        let offset = store.count
        store.append(bytes)
        precondition(store.count <= Int(UInt32.max), "a document's text is limited to 4 GiB")
        return TextRef(offset: UInt32(offset), count: UInt32(bytes.count))
    }

    /// Records syntax hints for the node added or opened last.
    public mutating func setHintsForLastNode(_ hints: SyntaxHints) {
        guard !nodes.isEmpty, !hints.isEmpty else { return }
        self.hints[Int32(nodes.count - 1)] = hints
    }

    /// Records syntax hints for the innermost open container.
    public mutating func setHintsForCurrentContainer(_ hints: SyntaxHints) {
        guard let index = openContainers.last, !hints.isEmpty else { return }
        self.hints[index] = hints
    }

    /// Changes the kind of the innermost open container (a reader learns a list is loose,
    /// say, only after reading its items). The new kind must also be a container.
    public mutating func replaceCurrentContainer(with kind: NodeKind) {
        guard let index = openContainers.last else { preconditionFailure("no open container") }
        precondition(kind.isContainer, "\(kind.displayName) is not a container")
        nodes[Int(index)].kind = kind
    }

    /// Appends a whole document's top-level nodes at the current position.
    public mutating func append(_ document: Document) {
        append(document, nodes: 0..<document.nodeCount)
    }

    /// Appends the subtree rooted at `index` of another document.
    public mutating func append(_ document: Document, subtreeAt index: Int) {
        append(document, nodes: index..<document.subtreeEnd(of: index))
    }

    /// Appends the nodes of `document` that come before node `index` in preorder, and leaves
    /// the containers that hold it open, as if opened with ``open(_:range:)``; returns how
    /// many were left open. What is added next goes where node `index` was.
    public mutating func appendLeavingOpen(_ document: Document, before index: Int) -> Int {
        append(document, nodes: 0..<index, leavingOpenAround: index)
    }

    /// Appends nodes `range` of another document (their text comes along): whole subtrees,
    /// except the containers that hold node `held`, which are left open; returns how many.
    @discardableResult
    private mutating func append(_ document: Document, nodes range: Range<Int>, leavingOpenAround held: Int? = nil) -> Int {
        let nodeOffset = Int32(nodes.count) - Int32(range.lowerBound)
        let textOffset = UInt32(store.count)
        let depthBefore = openContainers.count
        document.store.withUnsafeBytes { store.append($0) }
        nodes.reserveCapacity(nodes.count + range.count)
        // Depth inside the appended part, counted as it is copied.
        var openEnds: [Int32] = []
        var deepest = 0
        var leftOpen = 0
        for index in range {
            let node = document.nodes[index]
            while let last = openEnds.last, last <= Int32(index) { openEnds.removeLast() }
            openEnds.append(node.subtreeEnd)
            deepest = max(deepest, openEnds.count)
            var copy = node
            if let ref = node.kind.textRef {
                copy.kind = node.kind.withTextRef(TextRef(offset: ref.offset + textOffset, count: ref.count))
            }
            if let held, Int(node.subtreeEnd) > held {
                // Its end is set when it is closed, as for a container opened here.
                openContainers.append(Int32(nodes.count))
                mergeableBeforeOpen.append(-1)
                copy.subtreeEnd = Int32(nodes.count) + 1
                leftOpen += 1
            } else {
                copy.subtreeEnd += nodeOffset
            }
            nodes.append(copy)
        }
        let table = document.hintTable
        for entry in table.keys.indices where range.contains(Int(table.keys[entry])) {
            hints[table.keys[entry] + nodeOffset] = table.values[entry]
        }
        maximumDepth = max(maximumDepth, depthBefore + deepest)
        mergeableText = -1
        return leftOpen
    }

    /// Closes whatever is still open and returns the document.
    public mutating func finish() -> Document {
        while !openContainers.isEmpty { close() }
        let document = Document(nodes: nodes, store: store.finish(), hints: hints)
        self = DocumentBuilder()
        return document
    }
}

/// The builder's text. Its array is kept a little longer than the text, zero-filled past
/// it, so that adding text is a copy into place: `Array.append(contentsOf:)` cost about
/// 75 instructions a call, a fifth of the Markdown reader's work per text node.
struct TextStore: Sendable {
    private var bytes: [UInt8] = []
    private(set) var count = 0

    init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    subscript(offset: Int) -> UInt8 {
        precondition(offset < count, "past the end of the text")
        return bytes[offset]
    }

    mutating func append(_ source: UnsafeRawBufferPointer) {
        guard let from = source.baseAddress, !source.isEmpty else { return }
        let end = count + source.count
        if end > bytes.count {
            // Zero-filled a step at a time (4 KiB up to 256 KiB, as it grows), so that no
            // more than a step is filled and never written.
            let step = min(max(bytes.count, 1 << 12), 1 << 18)
            bytes.append(contentsOf: repeatElement(0, count: max(end - bytes.count, step)))
        }
        let start = count
        bytes.withUnsafeMutableBytes { ($0.baseAddress! + start).copyMemory(from: from, byteCount: source.count) }
        count = end
    }

    mutating func removeLast(_ removed: Int) {
        precondition(removed <= count, "removing more text than there is")
        count -= removed
    }

    /// The text, as the document keeps it; the store is left empty.
    mutating func finish() -> [UInt8] {
        var text = bytes
        bytes = []
        text.removeSubrange(count...)  // in place: the array is no longer shared
        count = 0
        return text
    }
}
