#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A failure the CLI reports as one line on stderr with its own exit status.
struct CLIFailure: Error {
    var message: String
    var status: ExitStatus
}

/// Exit statuses, pandoc's where pandoc has one, sysexits' otherwise.
enum ExitStatus: Int32 {
    case success = 0
    case roundTripFailed = 1
    case lossy = 3
    case unknownReader = 21
    case unknownWriter = 22
    case unknownExtension = 23
    case usage = 64
    case invalidInput = 65
    case inputMissing = 66
    /// `serve` could not listen (the address is in use, or not this machine's).
    case cannotServe = 69
    case cannotWriteOutput = 73
}

/// Plain POSIX I/O: no Foundation on the hot path (it costs start-up time and copies).
enum ProcessIO {
    /// Reads all of standard input.
    static func readStandardInput() throws(CLIFailure) -> [UInt8] {
        try readAll(from: 0, name: "standard input")
    }

    /// Reads a whole file; `-` means standard input.
    static func readFile(_ path: String) throws(CLIFailure) -> [UInt8] {
        if path == "-" { return try readStandardInput() }
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw CLIFailure(message: "cannot read \(path): \(lastErrorDescription())", status: .inputMissing)
        }
        defer { close(descriptor) }
        return try readAll(from: descriptor, name: path)
    }

    private static func readAll(from descriptor: Int32, name: String) throws(CLIFailure) -> [UInt8] {
        var info = stat()
        var capacity = 1 << 16
        if fstat(descriptor, &info) == 0, info.st_size > 0 {
            capacity = Int(info.st_size) + 1
        }
        var bytes = [UInt8](repeating: 0, count: capacity)
        var count = 0
        while true {
            if count == bytes.count { bytes.append(contentsOf: repeatElement(0, count: bytes.count)) }
            let received = bytes.withUnsafeMutableBytes { buffer in
                read(descriptor, buffer.baseAddress! + count, buffer.count - count)
            }
            if received > 0 {
                count += received
            } else if received == 0 {
                break
            } else if errno != EINTR {
                throw CLIFailure(message: "cannot read \(name): \(lastErrorDescription())", status: .inputMissing)
            }
        }
        bytes.removeSubrange(count...)
        return bytes
    }

    /// Writes bytes to a file (created or truncated), or to standard output for nil or `-`.
    static func save(_ bytes: [UInt8], to path: String?) throws(CLIFailure) {
        guard let path, path != "-" else {
            try writeAll(bytes, to: 1, name: "standard output")
            return
        }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else {
            throw CLIFailure(message: "cannot write \(path): \(lastErrorDescription())", status: .cannotWriteOutput)
        }
        try writeAll(bytes, to: descriptor, name: path)
        guard close(descriptor) == 0 else {
            throw CLIFailure(message: "cannot write \(path): \(lastErrorDescription())", status: .cannotWriteOutput)
        }
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32, name: String) throws(CLIFailure) {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in
                write(descriptor, buffer.baseAddress! + written, buffer.count - written)
            }
            if result > 0 {
                written += result
            } else if result < 0 && errno == EINTR {
                continue
            } else {
                throw CLIFailure(message: "cannot write \(name): \(lastErrorDescription())", status: .cannotWriteOutput)
            }
        }
    }

    /// Writes one line to standard error.
    static func printError(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        writeError(bytes)
    }

    /// Lines already ended, to standard error in one write.
    static func writeError(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            // A signal can cut a long write short: the rest is written after it.
            var written = 0
            while written < buffer.count {
                let count = write(2, buffer.baseAddress! + written, buffer.count - written)
                if count > 0 {
                    written += count
                } else if count < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }

    /// The size of what a descriptor reads, if it is a regular file.
    static func regularFileSize(of descriptor: Int32) -> Int? {
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int(info.st_size)
    }

    /// Makes a file the process's standard input (for commands that stream it).
    static func replaceStandardInput(with path: String) throws(CLIFailure) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0, dup2(descriptor, 0) >= 0 else {
            throw CLIFailure(message: "cannot read \(path): \(lastErrorDescription())", status: .inputMissing)
        }
        close(descriptor)
    }

    /// Makes a new file beside `path` the process's standard output, for output that is
    /// streamed; returns its path, which `finish` renames to `path` or removes.
    static func replaceStandardOutput(stagingFor path: String) throws(CLIFailure) -> String {
        let staging = path + ".markconv-\(getpid())"
        let descriptor = open(staging, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0, dup2(descriptor, 1) >= 0 else {
            throw CLIFailure(message: "cannot write \(path): \(lastErrorDescription())", status: .cannotWriteOutput)
        }
        close(descriptor)
        return staging
    }

    /// Ends streamed output to a file: the staging file becomes `path`, or is removed.
    static func finish(staging: String, as path: String, keep: Bool) throws(CLIFailure) {
        guard keep else {
            unlink(staging)
            return
        }
        guard rename(staging, path) == 0 else {
            let reason = lastErrorDescription()
            unlink(staging)
            throw CLIFailure(message: "cannot write \(path): \(reason)", status: .cannotWriteOutput)
        }
    }

    /// Whether two paths name one existing file (the same device and inode), however
    /// they are spelled.
    static func isSameFile(_ first: String, _ second: String) -> Bool {
        var a = stat(), b = stat()
        guard stat(first, &a) == 0, stat(second, &b) == 0 else { return false }
        return a.st_dev == b.st_dev && a.st_ino == b.st_ino
    }

    static func lastErrorDescription() -> String {
        String(cString: strerror(errno))
    }
}

/// Ends the process with a status; a free function because ParsableCommand has an
/// `exit` of its own.
func terminateProcess(_ status: Int32) -> Never {
    exit(status)
}
