/// A set of cmark nodes, by address: open addressing over their bit patterns.
///
/// Not a `Set<OpaquePointer>`: that set's first use looks `OpaquePointer`'s `Hashable`
/// conformance up over every conformance record of the binary, 0.25 M instructions in
/// every run that reads an HTML block, more than the set's whole work on a long page.
struct NodeSet {
    /// Addresses, or 0 for an empty slot; the count is a power of two, kept at most half full.
    private var slots = [UInt](repeating: 0, count: 16)
    private(set) var count = 0

    /// Adds `node`; false if it was there already.
    mutating func insert(_ node: OpaquePointer) -> Bool {
        let address = UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(node)))
        var slot = Self.firstSlot(of: address, mask: slots.count - 1)
        while slots[slot] != 0 {
            if slots[slot] == address { return false }
            slot = (slot + 1) & (slots.count - 1)
        }
        slots[slot] = address
        count += 1
        if count * 2 > slots.count { grow() }
        return true
    }

    /// Nodes are allocated a few dozen bytes apart: the address is mixed (Fibonacci
    /// hashing) so that neighbours do not fill neighbouring slots.
    private static func firstSlot(of address: UInt, mask: Int) -> Int {
        Int(truncatingIfNeeded: (address &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    private mutating func grow() {
        let old = slots
        slots = [UInt](repeating: 0, count: old.count * 2)
        for address in old where address != 0 {
            var slot = Self.firstSlot(of: address, mask: slots.count - 1)
            while slots[slot] != 0 { slot = (slot + 1) & (slots.count - 1) }
            slots[slot] = address
        }
    }
}
