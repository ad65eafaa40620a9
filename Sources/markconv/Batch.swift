#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import MarkupKit

/// `markconv batch`: JSON Lines in, JSON Lines out, converted in parallel, in order.
///
/// Streams: a window of records is read, converted on all threads, written, and only then
/// is the next one read, so memory does not grow with the number of records.
struct Batch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Convert a stream of documents: JSON Lines in, JSON Lines out, in parallel.",
        discussion: """
            Each input line is a JSON object with "id" (any JSON value) and "text" (a string); \
            other fields are passed through. Each output line, in input order, holds the \
            "id", the other fields, and "output" and "warnings" — or "error" when that \
            document could not be converted (the batch goes on). Every input line gives \
            exactly one output line; a line that is not a JSON object gives one with \
            "id": null, its "line" number and the "error". The exit status is 65 when \
            any document could not be converted, and 3 with --fail-if-lossy when any lost \
            content (the -o file is then not written).
            On a terminal, progress (documents, MB/s, time left) is shown on stderr.
            """
    )

    @Option(name: [.customShort("f"), .customLong("from")], help: ArgumentHelp("Input format (default gfm).", valueName: "format"),
            completion: .list(Markconv.formatNames))
    var from = "gfm"

    @Option(name: [.customShort("t"), .customLong("to")], help: ArgumentHelp("Output format (default html).", valueName: "format"),
            completion: .list(Markconv.formatNames))
    var to = "html"

    @Option(help: ArgumentHelp("Documents converted at once (default: the number of cores).", valueName: "n"))
    var jobs: Int?

    @Option(name: [.customShort("o"), .customLong("output")],
            help: ArgumentHelp("Write the records to this file instead of standard output.", valueName: "file"))
    var output: String?

    @Flag(help: "Exit with status 3 when any document lost content (any warning of loss); the -o file is then not written.")
    var failIfLossy = false

    @Argument(help: ArgumentHelp("The JSON Lines file to read; none or - reads standard input.", valueName: "file"))
    var file: String?

    @Flag(help: InputLimits.unsafeHelp)
    var unsafe = false

    @OptionGroup(title: "Markdown output")
    var layout: MarkdownLayout

    @OptionGroup(title: "Limits on the input")
    var limits: InputLimits

    /// Run as one of the worker processes of a Markdown batch (see BatchWorkers): lines
    /// come numbered (`N<TAB>{…}`), and the parent reports progress and failures.
    @Flag(help: .hidden)
    var worker = false

    mutating func validate() throws {
        if let jobs, !(1...256).contains(jobs) { throw ValidationError("--jobs takes 1 to 256") }
    }

    func run() throws {
        if let file, file != "-" { try ProcessIO.replaceStandardInput(with: file) }
        // The records go to a file beside -o, renamed to it only when the batch did not
        // fail on --fail-if-lossy, so a file that is there means what it says.
        let staging = try output.map { output throws(CLIFailure) in try ProcessIO.replaceStandardOutput(stagingFor: output) }
        let counts: (documents: Int, failed: Int, lossy: Int)
        do {
            counts = try convert()
        } catch {
            if let output, let staging { try? ProcessIO.finish(staging: staging, as: output, keep: false) }
            throw error
        }
        if let output, let staging {
            try ProcessIO.finish(staging: staging, as: output, keep: !(failIfLossy && counts.lossy > 0))
        }
        if counts.failed > 0 {
            ProcessIO.printError("markconv: \(counts.failed) of \(counts.documents) documents could not be converted (see their \"error\")")
            throw ExitQuietly(status: .invalidInput)
        }
        if failIfLossy && counts.lossy > 0 {
            throw CLIFailure(message: "\(counts.lossy) of \(counts.documents) documents lost content (--fail-if-lossy)"
                                 + (output.map { "; \($0) was not written" } ?? ""), status: .lossy)
        }
    }

    /// Converts every record; how many there were, failed and lost content.
    private func convert() throws -> (documents: Int, failed: Int, lossy: Int) {
        let source = try Markconv.parse(from, unknownStatus: .unknownReader)
        guard source.name.isReadable else {
            throw CLIFailure(message: "\(source.name.rawValue) can be written but not read", status: .unknownReader)
        }
        let target = try Markconv.parse(to, unknownStatus: .unknownWriter)
        let options = limits.apply(to: ConversionOptions(allowsRawHTML: unsafe, listIndentation: layout.listIndentation))
        let jobs = worker ? 1 : (jobs ?? Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        let converter = BatchConverter(from: source, to: target, options: options, jobs: jobs)
        // A window: enough documents to keep every thread busy, few enough bytes to keep
        // memory small.
        let windowBytes = 32 << 20
        if jobs > 1 && (source.name == .gfm || source.name == .commonmark) {
            // Markdown parses take turns within a process: use processes.
            var arguments = ["-f", from, "-t", to]
            if unsafe { arguments.append("--unsafe") }
            arguments += layout.arguments + limits.arguments
            return try BatchWorkers.run(count: jobs, arguments: arguments, windowCount: 256, windowBytes: windowBytes)
        }

        var input = LineReader(descriptor: 0)
        var progress = Progress(totalBytes: worker ? nil : ProcessIO.regularFileSize(of: 0))
        var failed = 0
        var lossy = 0
        let windowCount = converter.jobs * 256
        while true {
            var window: [NumberedLine] = []
            var bytes = 0
            while window.count < windowCount && bytes < windowBytes, var line = try input.next() {
                if line.isBlank { continue }
                if worker { line = line.withNumberFromPrefix() }
                bytes += line.bytes.count + 1
                window.append(line)
            }
            if window.isEmpty { break }
            let records = converter.map(window) { line, converter in BatchRecord.convert(line, with: converter) }
            var out: [UInt8] = []
            out.reserveCapacity(records.reduce(0) { $0 + $1.bytes.count + 1 })
            for record in records {
                out.append(contentsOf: record.bytes)
                out.append(UInt8(ascii: "\n"))
                if record.failed { failed += 1 }
                if record.lossy { lossy += 1 }
            }
            try ProcessIO.save(out, to: nil)
            if !worker { progress.advance(documents: window.count, bytes: bytes) }
        }
        progress.finish()
        // A batch with failed documents goes on to the end, then fails as a whole (run),
        // so that a script notices without reading every line; a worker leaves that to
        // the batch it works for.
        return worker ? (0, 0, 0) : (progress.documents, failed, lossy)
    }
}

/// A line of input and where it was.
struct NumberedLine: Sendable {
    var number: Int
    var bytes: [UInt8]

    /// Only spaces (blank lines between records are skipped).
    var isBlank: Bool {
        bytes.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }
    }

    /// A worker's line `N<TAB>{…}`: the record, numbered as in the batch's input.
    func withNumberFromPrefix() -> NumberedLine {
        guard let tab = bytes.firstIndex(of: UInt8(ascii: "\t")),
              let number = Int(String(decoding: bytes[..<tab], as: UTF8.self)) else { return self }
        return NumberedLine(number: number, bytes: Array(bytes[(tab + 1)...]))
    }
}

/// One output line: the JSON text, and whether it reports an error.
struct BatchRecord: Sendable {
    var bytes: [UInt8]
    var failed: Bool
    /// Whether a warning of loss came with the output.
    var lossy = false

    /// Fields of the input that the output has names for itself, and so does not repeat.
    static let ownFields: Set<String> = ["id", "text", "output", "warnings", "error"]

    static func convert(_ line: NumberedLine, with converter: BatchConverter) -> BatchRecord {
        let record: JSONLinesRecord
        do {
            record = try JSONLinesRecord(line: line.bytes)
        } catch {
            return BatchRecord(bytes: Array("{\"id\":null,\"line\":\(line.number),\"error\":\(JSONText.quoted(String(describing: error)))}".utf8),
                               failed: true)
        }
        var json = "{\"id\":" + (record.json("id") ?? "null,\"line\":\(line.number)")
        for field in record.fields where !ownFields.contains(field.name) {
            json += "," + JSONText.quoted(field.name) + ":" + field.json
        }
        func failure(_ message: String) -> BatchRecord {
            BatchRecord(bytes: Array((json + ",\"error\":" + JSONText.quoted(message) + "}").utf8), failed: true)
        }
        if record.json("id") == nil { return failure("the line has no \"id\"") }
        let text: String
        do {
            guard let value = try record.string("text") else { return failure("\"text\" must be a string") }
            text = value
        } catch {
            return failure(String(describing: error))
        }
        switch converter.convert(utf8: Array(text.utf8)) {
        case .failure(let error):
            return failure(String(describing: error))
        case .success(let result):
            json += ",\"output\":" + JSONText.quoted(result.text) + ",\"warnings\":["
            json += result.warnings.map { warning in
                "{\"line\":\(warning.position.line),\"column\":\(warning.position.column),\"kind\":\"\(warning.kind.rawValue)\",\"message\":"
                    + JSONText.quoted(warning.message) + "}"
            }.joined(separator: ",")
            json += "]}"
            return BatchRecord(bytes: Array(json.utf8), failed: false, lossy: result.warnings.contains { $0.kind == .loss })
        }
    }
}

/// Reads a file descriptor line by line, in large chunks.
struct LineReader {
    let descriptor: Int32
    private var buffer: [UInt8] = []
    private var start = 0
    private var finished = false
    private var number = 0

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    mutating func next() throws(CLIFailure) -> NumberedLine? {
        guard var line = try nextLine() else { return nil }
        // A byte order mark (an editor's, on the first line) is not part of the record.
        if line.number == 1 && line.bytes.starts(with: [0xEF, 0xBB, 0xBF]) { line.bytes.removeFirst(3) }
        return line
    }

    private mutating func nextLine() throws(CLIFailure) -> NumberedLine? {
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                defer { start = newline + 1 }
                number += 1
                return NumberedLine(number: number, bytes: Array(buffer[start..<newline]))
            }
            if finished {
                guard start < buffer.count else { return nil }
                defer { start = buffer.count }
                number += 1
                return NumberedLine(number: number, bytes: Array(buffer[start...]))
            }
            // Keep what is left of the last chunk and read the next one after it.
            buffer.removeSubrange(..<start)
            start = 0
            let chunk = 1 << 20
            let old = buffer.count
            buffer.append(contentsOf: repeatElement(0, count: chunk))
            var received = 0
            repeat {
                received = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + old, chunk) }
            } while received < 0 && errno == EINTR
            guard received >= 0 else {
                throw CLIFailure(message: "cannot read standard input: \(ProcessIO.lastErrorDescription())", status: .inputMissing)
            }
            buffer.removeSubrange((old + received)...)
            if received == 0 { finished = true }
        }
    }
}

/// Progress on stderr when it is a terminal: documents, MB/s, and time left when the
/// input is a file of known size.
struct Progress {
    let totalBytes: Int?
    let isShown = isatty(2) != 0
    private(set) var documents = 0
    private var bytes = 0
    private let started = Progress.now()

    init(totalBytes: Int?) {
        self.totalBytes = totalBytes
    }

    mutating func advance(documents: Int, bytes: Int) {
        self.documents += documents
        self.bytes += bytes
        guard isShown else { return }
        let seconds = max(Progress.now() - started, 0.001)
        let rate = Double(self.bytes) / seconds
        var line = "\r\u{1B}[K\(self.documents) documents, \(String(format1: rate / 1e6)) MB/s"
        if let totalBytes, totalBytes > 0, rate > 0 {
            let left = max(0, Double(totalBytes - self.bytes) / rate)
            line += ", \(Int(Double(self.bytes) * 100 / Double(totalBytes)))%, \(Int(left) / 60):\(String(Int(left) % 60).leftPadded(2)) left"
        }
        var out = Array(line.utf8)
        out.withUnsafeMutableBytes { _ = write(2, $0.baseAddress!, $0.count) }
    }

    func finish() {
        guard isShown, documents > 0 else { return }
        _ = write(2, "\n", 1)
    }

    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

private extension String {
    init(format1 value: Double) {
        let tenths = Int((value * 10).rounded())
        self = "\(tenths / 10).\(tenths % 10)"
    }

    func leftPadded(_ width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
