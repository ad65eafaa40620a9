import MarkupKitTestSupport
import Testing
@testable import MarkupKitMarkdown

/// `NodeSet` against `Set`, on addresses spaced as cmark's arena spaces its nodes and on
/// random ones, through several growths.
@Suite struct NodeSetTests {
    @Test(arguments: [8, 48, 4096])
    func agreesWithASetOfAddresses(spacing: Int) {
        var generator = SeededGenerator(seed: UInt64(spacing))
        var nodes = NodeSet()
        var reference = Set<Int>()
        // Each address twice or more, in shuffled order: a second insert must say so.
        let addresses = (1...5_000).map { $0 * spacing + 0x10_0000 } + (1...2_000).map { _ in Int.random(in: 1...(1 << 46), using: &generator) * 8 }
        for address in (addresses + addresses.shuffled(using: &generator)).shuffled(using: &generator) {
            let node = OpaquePointer(bitPattern: address)!
            let added = nodes.insert(node)
            #expect(added == reference.insert(address).inserted)
        }
        #expect(nodes.count == reference.count)
        // Every address is still there after the growths; one never added is not.
        for address in reference {
            let added = nodes.insert(OpaquePointer(bitPattern: address)!)
            #expect(!added, "\(address)")
        }
        let neverAdded = nodes.insert(OpaquePointer(bitPattern: 7)!)
        #expect(neverAdded)
    }
}
