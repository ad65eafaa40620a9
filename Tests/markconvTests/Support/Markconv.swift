import Foundation

/// Runs the built `markconv` binary as a user would, from the test bundle's build folder.
enum MarkconvBinary {
    struct Run {
        var status: Int32
        var standardOutput: Data
        var standardError: String

        var output: String { String(decoding: standardOutput, as: UTF8.self) }
    }

    /// The package's root folder.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `markconv` sits next to the test bundle in the build folder.
    static let path: String = {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return executable.deletingLastPathComponent().appendingPathComponent("markconv").path
    }()

    /// A markconv that stops before reading its input (a usage error) closes the pipe the
    /// input is written to: the write must fail, not kill the test process with SIGPIPE.
    private static let brokenPipesIgnored: Void = {
        signal(SIGPIPE, SIG_IGN)
    }()

    static func run(_ arguments: [String], input: Data = Data(), in directory: URL? = nil) throws -> Run {
        _ = brokenPipesIgnored
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // Write and read on separate threads so a large input or output cannot deadlock.
        let writer = Thread {
            try? stdin.fileHandleForWriting.write(contentsOf: input)
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let errorData = ErrorCollector(stderr.fileHandleForReading)
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, standardOutput: output,
                   standardError: String(decoding: errorData.finish(), as: UTF8.self))
    }

    static func run(_ arguments: [String], input: String) throws -> Run {
        try run(arguments, input: Data(input.utf8))
    }
}

/// Reads a pipe to its end on a thread of its own.
private final class ErrorCollector: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread {
            self.data = handle.readDataToEndOfFile()
            self.done.signal()
        }.start()
    }

    func finish() -> Data {
        done.wait()
        return data
    }
}

/// A line diff for failure messages: `-` expected, `+` actual.
enum LineDiff {
    static func describe(expected: String, actual: String) -> String {
        let old = expected.components(separatedBy: "\n")
        let new = actual.components(separatedBy: "\n")
        // Longest common subsequence table; golden outputs are small.
        var table = Array(repeating: Array(repeating: 0, count: new.count + 1), count: old.count + 1)
        for i in stride(from: old.count - 1, through: 0, by: -1) {
            for j in stride(from: new.count - 1, through: 0, by: -1) {
                table[i][j] = old[i] == new[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
            }
        }
        var lines: [String] = []
        var i = 0
        var j = 0
        while i < old.count || j < new.count {
            if i < old.count, j < new.count, old[i] == new[j] {
                lines.append("  " + old[i])
                i += 1
                j += 1
            } else if j < new.count, i == old.count || table[i][j + 1] >= table[i + 1][j] {
                lines.append("+ " + new[j])
                j += 1
            } else {
                lines.append("- " + old[i])
                i += 1
            }
        }
        return lines.joined(separator: "\n")
    }
}
