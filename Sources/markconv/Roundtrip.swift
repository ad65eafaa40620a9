import ArgumentParser
import MarkupKit

/// `markconv roundtrip`: does each document survive a trip through another format?
///
/// Reads each file, writes it in the `--via` format, reads that back, writes it in the
/// original format, reads it again, and compares the first tree with the last. Prints
/// `ok` or the differences (where in the tree, what changed) per file, then a count.
struct Roundtrip: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roundtrip",
        abstract: "Check that documents survive a trip through another format and back.",
        discussion: """
            For each FILE: read it (-f, or guessed from the extension), write it in the \
            --via format, read that back, write it in the original format, read it again, \
            and compare the two trees (a soft line break counts as the space it renders as). \
            Prints 'ok' or the differences — the path in the tree (list 2 › item 1 › list 1) \
            and what changed — then 'N passed, N failed'. A file that cannot be read (missing, \
            not UTF-8, too complex) is reported and counted as unreadable, and the others are \
            still checked.
            Exit status 0 when every document survives, 1 when one does not, else the status \
            of the first file that could not be read (65, 66).
            """
    )

    @Option(name: [.customShort("f"), .customLong("from")],
            help: ArgumentHelp("Format of the files (default: from the extension, else gfm).", valueName: "format"),
            completion: .list(Markconv.formatNames))
    var from: String?

    @Option(help: ArgumentHelp("The format to go through, e.g. bbcode_phpbb, commonmark, json.", valueName: "format"),
            completion: .list(Markconv.formatNames))
    var via: String

    @Flag(help: "Print the results as JSON (one object with a record per file).")
    var json = false

    @OptionGroup(title: "Markdown output")
    var layout: MarkdownLayout

    @OptionGroup(title: "Limits on the input")
    var limits: InputLimits

    @Argument(help: ArgumentHelp("Files to check; none or - reads standard input.", valueName: "file"))
    var files: [String] = []

    func run() throws {
        let target = try Markconv.parse(via, unknownStatus: .unknownWriter)
        guard target.name.isWritable else {
            throw CLIFailure(message: FormatError.notWritable(target.name).description, status: .unknownWriter)
        }
        guard target.name.isReadable else {
            throw CLIFailure(message: "\(target.name.rawValue) cannot be read back, so it cannot be a --via format",
                             status: .unknownReader)
        }
        let options = limits.apply(to: ConversionOptions(listIndentation: layout.listIndentation))
        var results: [FileResult] = []
        for path in files.isEmpty ? ["-"] : files {
            let name = path == "-" ? "standard input" : path
            let source = try Markconv.parse(from ?? Markconv.formatName(forPath: path) ?? "gfm", unknownStatus: .unknownReader)
            guard source.name.isReadable && source.name.isWritable else {
                throw CLIFailure(message: "\(source.name.rawValue) cannot be both read and written, so it cannot be checked",
                                 status: .unknownReader)
            }
            // One file that cannot be read does not stop the others from being checked.
            let result: FileResult
            do {
                let bytes = try ProcessIO.readFile(path)
                result = try check(bytes, name: name, source: source, target: target, options: options)
            } catch {
                ProcessIO.printError("markconv: \(error.message)")
                result = FileResult(name: name, differences: [], warnings: [], failure: error)
            }
            if !json {
                report(result)
            }
            results.append(result)
        }
        let failed = results.filter { !$0.differences.isEmpty }.count
        let unreadable = results.compactMap(\.failure)
        if json {
            try ProcessIO.save(Array(jsonReport(results).utf8), to: nil)
        } else {
            let passed = results.count - failed - unreadable.count
            let also = unreadable.isEmpty ? "" : ", \(unreadable.count) could not be read"
            try ProcessIO.save(Array("\(passed) passed, \(failed) failed\(also)\n".utf8), to: nil)
        }
        if failed > 0 {
            throw ExitQuietly(status: .roundTripFailed)
        }
        if let first = unreadable.first {
            throw ExitQuietly(status: first.status)
        }
    }

    struct FileResult {
        var name: String
        var differences: [TreeDifference]
        var warnings: [ConversionWarning]
        /// Why the file could not be checked, if it could not.
        var failure: CLIFailure?
    }

    private func check(_ bytes: [UInt8], name: String, source: Format, target: Format,
                       options: ConversionOptions) throws(CLIFailure) -> FileResult {
        do {
            let report = try MarkupKit.roundTrip(utf8: bytes, as: source, via: target, options: options)
            return FileResult(name: name, differences: report.differences, warnings: report.warnings)
        } catch MarkupKitError.invalidUTF8(let offset) {
            throw CLIFailure(message: "\(name): invalid UTF-8 at byte offset \(offset)", status: .invalidInput)
        } catch {
            throw CLIFailure(message: "\(name): \(error)", status: .invalidInput)
        }
    }

    private func report(_ result: FileResult) {
        for warning in result.warnings {
            ProcessIO.printError("markconv: warning: \(result.name):\(warning.description)")
        }
        var text = "\(result.name): "
        if result.failure != nil {
            text += "could not be read\n"
        } else if result.differences.isEmpty {
            text += "ok\n"
        } else {
            let count = result.differences.count
            text += count == 1 ? "1 difference\n" : "\(count) differences\n"
            for difference in result.differences { text += "  \(difference)\n" }
        }
        try? ProcessIO.save(Array(text.utf8), to: nil)
    }

    private func jsonReport(_ results: [FileResult]) -> String {
        func position(_ position: SourcePosition) -> String {
            position.isKnown ? ",\"line\":\(position.line),\"column\":\(position.column)" : ""
        }
        let records = results.map { result in
            let differences = result.differences.map { difference in
                "{\"path\":[" + difference.path.map(JSONText.quoted).joined(separator: ",") + "]"
                    + ",\"message\":" + JSONText.quoted(difference.message) + position(difference.position) + "}"
            }
            let warnings = result.warnings.map { warning in
                "{\"kind\":" + JSONText.quoted(warning.kind.rawValue) + ",\"message\":" + JSONText.quoted(warning.message)
                    + position(warning.position) + "}"
            }
            let failure = result.failure.map { ",\"error\":" + JSONText.quoted($0.message) } ?? ""
            return "{\"file\":" + JSONText.quoted(result.name) + ",\"ok\":\(result.differences.isEmpty && result.failure == nil)"
                + failure + ",\"differences\":[" + differences.joined(separator: ",") + "]"
                + ",\"warnings\":[" + warnings.joined(separator: ",") + "]}"
        }
        let failed = results.filter { !$0.differences.isEmpty }.count
        let unreadable = results.filter { $0.failure != nil }.count
        return "{\"files\":[" + records.joined(separator: ",") + "],\"passed\":\(results.count - failed - unreadable)"
            + ",\"failed\":\(failed),\"unreadable\":\(unreadable)}\n"
    }
}

/// Ends the command with a status after its output has been written, with no message.
struct ExitQuietly: Error {
    var status: ExitStatus
}
