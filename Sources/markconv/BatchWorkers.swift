#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Synchronization

/// Markdown batches on several processes.
///
/// libcmark-gfm 0.29 keeps the extensions' special characters in one table per process
/// and changes it around every parse, so within a process Markdown parses take turns. For
/// Markdown input the batch therefore runs `jobs` copies of markconv (`batch --worker`),
/// each with its own table: windows of records go to the workers in turn, and their
/// results are read back in the same turn, so the output keeps the input's order.
struct BatchWorkers {
    struct Worker {
        var pid: pid_t
        var input: Int32
        var output: LineReader
    }

    /// Starts `count` workers running `markconv batch --worker ARGUMENTS`.
    static func start(count: Int, arguments: [String]) throws(CLIFailure) -> [Worker] {
        let executable = FileManagerless.executablePath()
        var workers: [Worker] = []
        for _ in 0..<count {
            var toWorker: [Int32] = [0, 0]
            var fromWorker: [Int32] = [0, 0]
            // Close-on-exec everywhere: a worker must not hold another worker's pipe open,
            // or that worker would never see the end of its input.
            guard pipe(&toWorker) == 0, pipe(&fromWorker) == 0 else {
                throw CLIFailure(message: "cannot start workers: \(ProcessIO.lastErrorDescription())", status: .cannotWriteOutput)
            }
            for descriptor in toWorker + fromWorker { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_adddup2(&actions, toWorker[0], 0)
            posix_spawn_file_actions_adddup2(&actions, fromWorker[1], 1)
            let argv = ([executable, "batch", "--worker"] + arguments).map { strdup($0) } + [nil]
            defer { argv.forEach { free($0) } }
            var pid: pid_t = 0
            let status = posix_spawn(&pid, executable, &actions, nil, argv, environ)
            close(toWorker[0])
            close(fromWorker[1])
            guard status == 0 else {
                throw CLIFailure(message: "cannot start workers: \(String(cString: strerror(status)))", status: .cannotWriteOutput)
            }
            workers.append(Worker(pid: pid, input: toWorker[1], output: LineReader(descriptor: fromWorker[0])))
        }
        return workers
    }

    /// Feeds the windows from standard input to the workers on one thread while this
    /// thread collects the results in order and writes them.
    static func run(count: Int, arguments: [String], windowCount: Int,
                    windowBytes: Int) throws(CLIFailure) -> (documents: Int, failed: Int, lossy: Int) {
        var workers = try start(count: count, arguments: arguments)
        let windows = WindowQueue()
        let feedError = Mutex<CLIFailure?>(nil)
        let inputs = workers.map(\.input)
        let feeder = DispatchQueue(label: "markconv.batch.feeder")
        feeder.async {
            var input = LineReader(descriptor: 0)
            var window = 0
            do {
                while true {
                    var lines = 0
                    var bytes = 0
                    var text: [UInt8] = []
                    while lines < windowCount && bytes < windowBytes, let line = try input.next() {
                        if line.isBlank { continue }
                        // The worker is told each line's number, for its error records.
                        text.append(contentsOf: Array("\(line.number)\t".utf8))
                        text.append(contentsOf: line.bytes)
                        text.append(UInt8(ascii: "\n"))
                        lines += 1
                        bytes += line.bytes.count + 1
                    }
                    if lines == 0 { break }
                    try writeAll(text, to: inputs[window % inputs.count])
                    windows.push((lines, bytes))
                    window += 1
                }
            } catch let failure as CLIFailure {
                feedError.withLock { $0 = failure }
            } catch {
                feedError.withLock { $0 = CLIFailure(message: "\(error)", status: .invalidInput) }
            }
            for descriptor in inputs { close(descriptor) }
            windows.finish()
        }

        var progress = Progress(totalBytes: ProcessIO.regularFileSize(of: 0))
        var failed = 0
        var lossy = 0
        var window = 0
        while let (lines, bytes) = windows.pop() {
            var out: [UInt8] = []
            let worker = window % workers.count
            for _ in 0..<lines {
                guard let record = try workers[worker].output.next() else {
                    throw CLIFailure(message: "a batch worker stopped early", status: .invalidInput)
                }
                // Records end with the warnings array, or with the error.
                if record.bytes.last == UInt8(ascii: "}") && record.bytes.dropLast().last != UInt8(ascii: "]") { failed += 1 }
                // Text inside the record's strings has its quotes escaped: only a warning
                // has this sequence.
                if BatchWorkers.holdsLoss(record.bytes) { lossy += 1 }
                out.append(contentsOf: record.bytes)
                out.append(UInt8(ascii: "\n"))
            }
            try ProcessIO.save(out, to: nil)
            progress.advance(documents: lines, bytes: bytes)
            window += 1
        }
        progress.finish()
        for worker in workers {
            var status: Int32 = 0
            waitpid(worker.pid, &status, 0)
        }
        if let error = feedError.withLock({ $0 }) { throw error }
        return (progress.documents, failed, lossy)
    }

    static let lossKind = Array(#""kind":"loss""#.utf8)

    /// Whether a result record holds a warning of loss, found with memchr and memcmp:
    /// the standard library's search for a collection in a collection runs generic code
    /// per byte, which made the parent of two workers several times slower than one process.
    static func holdsLoss(_ record: [UInt8]) -> Bool {
        record.withUnsafeBufferPointer { bytes in
            guard let base = bytes.baseAddress, bytes.count >= lossKind.count else { return false }
            let last = bytes.count - lossKind.count
            var index = 0
            while index <= last,
                  let found = memchr(base + index, Int32(lossKind[0]), last - index + 1) {
                let at = UnsafeRawPointer(found) - UnsafeRawPointer(base)
                if memcmp(base + at, lossKind, lossKind.count) == 0 { return true }
                index = at + 1
            }
            return false
        }
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) throws(CLIFailure) {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, $0.count - written) }
            if result > 0 {
                written += result
            } else if !(result < 0 && errno == EINTR) {
                throw CLIFailure(message: "a batch worker stopped early: \(ProcessIO.lastErrorDescription())", status: .invalidInput)
            }
        }
    }
}

/// Window sizes handed from the feeding thread to the collecting one, in order.
private final class WindowQueue: Sendable {
    private let state = Mutex<(items: [(Int, Int)], finished: Bool)>(([], false))
    private let available = DispatchSemaphore(value: 0)

    func push(_ item: (Int, Int)) {
        state.withLock { $0.items.append(item) }
        available.signal()
    }

    func finish() {
        state.withLock { $0.finished = true }
        available.signal()
    }

    /// The next window, waiting for it; nil once all are taken and feeding has ended.
    func pop() -> (Int, Int)? {
        while true {
            let next: (Int, Int)?? = state.withLock { state in
                if !state.items.isEmpty { return .some(state.items.removeFirst()) }
                return state.finished ? .some(nil) : nil
            }
            if let next { return next }
            available.wait()
        }
    }
}

/// Where this executable is, without Foundation.
enum FileManagerless {
    static func executablePath() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if length > 0 { return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self) }
        return CommandLine.arguments[0]
    }
}
