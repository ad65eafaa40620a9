import Dispatch
import Synchronization

/// Converts many documents on several threads, keeping their order.
///
/// A batch is converted window by window (``map(_:_:)`` takes one window): the caller
/// reads the next few hundred documents, converts them here on `jobs` threads, and writes
/// the results before reading more, so memory stays flat however long the stream is.
/// Each document is independent: one that fails gives its error, the rest go on.
public struct BatchConverter: Sendable {
    public var source: Format
    public var target: Format
    public var options: ConversionOptions
    /// How many documents are converted at once.
    public var jobs: Int

    public init(from source: Format, to target: Format, options: ConversionOptions = ConversionOptions(), jobs: Int) {
        self.source = source
        self.target = target
        self.options = options
        self.jobs = max(1, jobs)
    }

    /// Converts each item with `work` on up to `jobs` threads; results come back in the
    /// items' order. `work` receives the converter's own conversion, so callers can wrap
    /// it (parse the input record, format the output record) and still run in parallel.
    public func map<Item: Sendable, Result: Sendable>(
        _ items: [Item], _ work: @Sendable (Item, BatchConverter) -> Result
    ) -> [Result] {
        guard !items.isEmpty else { return [] }
        let results = ResultSlots<Result>(count: items.count)
        let next = Atomic<Int>(0)
        let threads = min(jobs, items.count)
        if threads == 1 {
            for (index, item) in items.enumerated() { results.store(work(item, self), at: index) }
        } else {
            // Each thread takes the next item when it is free, so one long document does
            // not hold up a fixed share of the others.
            DispatchQueue.concurrentPerform(iterations: threads) { _ in
                while true {
                    let index = next.add(1, ordering: .relaxed).oldValue
                    guard index < items.count else { return }
                    results.store(work(items[index], self), at: index)
                }
            }
        }
        return results.collect()
    }

    /// Converts one document; errors are results too.
    public func convert(utf8 text: [UInt8]) -> Swift.Result<WriteResult, Error> {
        do {
            return .success(try MarkupKit.convert(utf8: text, from: source, to: target, options: options))
        } catch {
            return .failure(error)
        }
    }
}

/// One slot per item, each written once by whichever thread converted it, read after all
/// threads are done.
private final class ResultSlots<Result>: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<Result?>

    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    func store(_ result: Result, at index: Int) {
        slots[index] = result
    }

    func collect() -> [Result] {
        slots.map { $0! }
    }
}
