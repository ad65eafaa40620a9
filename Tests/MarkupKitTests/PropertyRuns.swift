import Foundation
import MarkupKitTestSupport
import Testing

/// Where the random inputs of the property tests come from.
///
/// `scripts/test` (and so CI) runs every property on fixed seeds: its outcome depends on
/// the code alone, so a landing never fails by chance. `scripts/explore` sets
/// `MARKUPKIT_EXPLORE_SEED` to a fresh number on each round (and `MARKUPKIT_EXPLORE_CASES`
/// to try more cases); a failure then names the seed, and running the tests with that
/// variable set reproduces it. Each finding is kept as a fixed regression test.
enum PropertyRuns {
    /// The exploration seed, when `scripts/explore` set one.
    static let explorationSeed: UInt64? = ProcessInfo.processInfo.environment["MARKUPKIT_EXPLORE_SEED"].flatMap { UInt64($0) }

    /// How many cases a property tries: `fixed` on a fixed run, or as many as exploration asks.
    static func cases(_ fixed: Int) -> Int {
        guard explorationSeed != nil,
              let asked = ProcessInfo.processInfo.environment["MARKUPKIT_EXPLORE_CASES"].flatMap({ Int($0) }), asked > 0
        else { return fixed }
        return asked
    }

    /// The generator seeds a seeded loop walks: `range` itself on a fixed run; while
    /// exploring, as many seeds starting at a point chosen by the exploration seed.
    static func generatorSeeds(_ range: Range<Int>) -> [UInt64] {
        guard let explorationSeed else { return range.map { UInt64($0) } }
        var mixer = SeededGenerator(seed: explorationSeed)
        let start = mixer.next() >> 16 + UInt64(range.lowerBound)
        return (0..<UInt64(range.count)).map { start + $0 }
    }

    /// The seed of one property: fixed per name (FNV-1a), mixed with the exploration seed.
    static func seed(named name: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return hash ^ (explorationSeed ?? 0)
    }

    /// The words that say how to get a failure back.
    static var reproduction: String {
        if let explorationSeed { return "MARKUPKIT_EXPLORE_SEED=\(explorationSeed) reproduces it" }
        return "the fixed seed reproduces it"
    }
}

/// Runs `property` on `cases` random byte strings (each a recipe a generator turns into a
/// document or tag soup). `property` returns nil when it holds and a description when it
/// does not. The first failing recipe is shrunk — runs of bytes dropped, bytes lowered,
/// while it still fails — and recorded as one issue with the seed, the case and the
/// shrunk recipe, so that the finding can be kept as a fixed test.
func checkProperty(
    _ name: String,
    cases fixedCases: Int,
    length: ClosedRange<Int>,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ property: ([UInt8]) -> String?
) {
    let seed = PropertyRuns.seed(named: name)
    var random = SeededGenerator(seed: seed)
    for index in 0..<PropertyRuns.cases(fixedCases) {
        let count = length.lowerBound + Int(random.next() % UInt64(length.count))
        let recipe = (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        guard let failure = property(recipe) else { continue }
        let (shrunk, message) = shrink(recipe, failure: failure, property)
        Issue.record("""
            property \(name) failed on case \(index) of seed \(seed) (\(PropertyRuns.reproduction)).
            recipe: \(recipe.count) bytes, shrunk to \(shrunk)
            \(message)
            """, sourceLocation: sourceLocation)
        return
    }
}

/// The smallest recipe found that still fails: bounded work, since each try runs the property.
private func shrink(_ recipe: [UInt8], failure: String, _ property: ([UInt8]) -> String?) -> ([UInt8], String) {
    var best = recipe
    var message = failure
    var budget = 4000
    func tryCandidate(_ candidate: [UInt8]) -> Bool {
        guard budget > 0 else { return false }
        budget -= 1
        guard let failed = property(candidate) else { return false }
        (best, message) = (candidate, failed)
        return true
    }
    var improved = true
    while improved && budget > 0 {
        improved = false
        var chunk = max(best.count / 2, 1)
        while chunk >= 1 && budget > 0 {
            var start = 0
            while start + chunk <= best.count && budget > 0 {
                if tryCandidate(Array(best[..<start] + best[(start + chunk)...])) {
                    improved = true
                } else {
                    start += chunk
                }
            }
            chunk /= 2
        }
        for position in best.indices where best[position] > 0 && budget > 0 {
            for lower in [0, best[position] / 2, best[position] - 1] where lower < best[position] {
                var candidate = best
                candidate[position] = lower
                if tryCandidate(candidate) {
                    improved = true
                    break
                }
            }
        }
    }
    return (best, message)
}
