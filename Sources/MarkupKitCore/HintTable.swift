extension Array where Element: Comparable {
    /// In an ascending array, the first index whose element is not below `key`: where
    /// `key` is, or where it would go (a binary search).
    @inlinable
    public func sortedInsertionIndex(of key: Element) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if self[middle] < key { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

/// A document's syntax hints by node index, kept in index order.
///
/// Not a `Dictionary`: hints are recorded as their nodes are made, so a new one nearly
/// always goes after the last (an append), and a lookup is a binary search over a handful
/// of entries per kilobyte. And a dictionary keyed by `Int32` is a generic type whose first
/// use looks its key's `Hashable` conformance up over the whole binary — 0.24 M
/// instructions in every run that read a list or a heading, 2 % of converting a 100 kB page.
@usableFromInline
struct HintTable: Sendable {
    /// Node indices, ascending, and the hints of each.
    private(set) var keys: [Int32] = []
    private(set) var values: [SyntaxHints] = []

    init() {}

    var isEmpty: Bool { keys.isEmpty }

    /// Where `key` is, or where it would go.
    private func slot(of key: Int32) -> (index: Int, found: Bool) {
        if let last = keys.last, key > last { return (keys.count, false) }
        let low = keys.sortedInsertionIndex(of: key)
        return (low, low < keys.count && keys[low] == key)
    }

    subscript(key: Int32) -> SyntaxHints? {
        get {
            let (index, found) = slot(of: key)
            return found ? values[index] : nil
        }
        set {
            let (index, found) = slot(of: key)
            switch (found, newValue) {
            case (true, let hints?):
                values[index] = hints
            case (true, nil):
                keys.remove(at: index)
                values.remove(at: index)
            case (false, let hints?) where index == keys.count:
                // The usual case, an append (`insert(_:at:)` at the end took the general
                // path through `replaceSubrange`, 400 instructions a hint).
                keys.append(key)
                values.append(hints)
            case (false, let hints?):
                keys.insert(key, at: index)
                values.insert(hints, at: index)
            case (false, nil):
                break
            }
        }
    }
}
