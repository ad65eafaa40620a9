import ArgumentParser
import MarkupKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `markconv`: a thin shell over MarkupKit — parse the options, read the inputs, call the
/// library, write the output and the warnings, and exit with a meaningful status.
@main
struct Markconv: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "markconv",
        abstract: "Convert posts between Markdown, BBCode and HTML through one document tree.",
        usage: """
            markconv [<options>] [<file> ...]
            markconv roundtrip --via <format> [<options>] [<file> ...]
            markconv batch -f <format> -t <format> [<options>] < documents.jsonl
            """,
        discussion: """
            Reads the FILEs (or standard input when there are none, or for -) in the -f \
            format and writes them in the -t format to standard output (or -o FILE).
            Formats take pandoc-style extensions: commonmark+table+strikethrough, gfm-autolink.
            Warnings go to standard error as 'markconv: warning: [FILE:]LINE:COLUMN: MESSAGE'.

            Exit status: 0 ok, 1 a round trip failed, 3 lossy conversion with --fail-if-lossy, 21 unknown input \
            format, 22 unknown output format, 23 unknown extension, 64 usage error, 65 invalid \
            input (e.g. invalid UTF-8, named by byte offset), 66 input file missing, \
            73 cannot write the output.
            """,
        version: "markconv \(MarkupKit.version) (libcmark-gfm \(MarkupKit.cmarkVersion))",
        subcommands: [Roundtrip.self, Batch.self]
    )

    @Option(name: [.customShort("f"), .customLong("from")],
            help: ArgumentHelp("Input format (default: from the file extension, else gfm).", valueName: "format"),
            completion: .list(Markconv.formatNames))
    var from: String?

    @Option(name: [.customShort("t"), .customLong("to")],
            help: ArgumentHelp("Output format.", valueName: "format"), completion: .list(Markconv.formatNames))
    var to: String = "html"

    /// What the shell completions offer for -f and -t (extensions are typed on).
    static let formatNames = Format.allNames.map(\.name)

    @Option(name: [.customShort("o"), .customLong("output")],
            help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
    var output: String?

    @Flag(help: InputLimits.unsafeHelp)
    var unsafe = false

    @OptionGroup(title: "Markdown output")
    var layout: MarkdownLayout

    @OptionGroup(title: "Limits on the input")
    var limits: InputLimits

    /// The conversion options every subcommand shares.
    var parseOptions: ConversionOptions { limits.apply(to: ConversionOptions(allowsRawHTML: unsafe)) }

    @Flag(help: "Exit with status 3 when the conversion lost anything (any warning of loss).")
    var failIfLossy = false

    @Flag(help: "List the input formats and exit.")
    var listInputFormats = false

    @Flag(help: "List the output formats and exit.")
    var listOutputFormats = false

    @Flag(help: "List the Markdown extensions, marked + where the -f format (default gfm) enables them.")
    var listExtensions = false

    @Option(help: ArgumentHelp("Show what a BBCode dialect can express and how markconv writes it, e.g. bbcode_phpbb.",
                               valueName: "dialect"),
            completion: .list(Markconv.formatNames.filter { $0.hasPrefix("bbcode") }))
    var describe: String?

    @Argument(help: ArgumentHelp("Input files; none or - reads standard input.", valueName: "file"))
    var files: [String] = []

    /// Overrides ArgumentParser's entry point so that every error is one `markconv:` line.
    static func main() {
        let status = Markconv.runCommandLine(Array(CommandLine.arguments.dropFirst()))
        terminateProcess(status)
    }

    static func runCommandLine(_ arguments: [String]) -> Int32 {
        // ArgumentParser does not look for a subcommand where the root command takes
        // files, so `roundtrip`, `batch` and `help` are told apart here. They are still
        // listed as subcommands, for the help, the man page and the completions.
        let subcommands = configuration.subcommands
        if arguments.first == "help" {
            let named = subcommands.first { $0.configuration.commandName == arguments.dropFirst().first }
            return printHelp(for: named ?? Markconv.self)
        }
        guard let subcommand = subcommands.first(where: { $0.configuration.commandName == arguments.first }) else {
            return run(Markconv.self, arguments, usage: "markconv --help")
        }
        let rest = Array(arguments.dropFirst())
        if rest.contains("--help") || rest.contains("-h") { return printHelp(for: subcommand) }
        return run(subcommand, rest, usage: "markconv \(subcommand.configuration.commandName ?? "") --help")
    }

    /// The help of the root command or of a subcommand, which names it `markconv NAME`.
    private static func printHelp(for command: any ParsableCommand.Type) -> Int32 {
        var text = command == Markconv.self ? Markconv.helpMessage() : Markconv.helpMessage(for: command)
        if !text.hasSuffix("\n") { text += "\n" }
        try? ProcessIO.save(Array(text.utf8), to: nil)
        return ExitStatus.success.rawValue
    }

    private static func run<Command: ParsableCommand>(_ type: Command.Type, _ arguments: [String], usage: String) -> Int32 {
        do {
            var command = try type.parseAsRoot(arguments)
            try command.run()
            return ExitStatus.success.rawValue
        } catch let failure as CLIFailure {
            ProcessIO.printError("markconv: \(failure.message)")
            return failure.status.rawValue
        } catch let quiet as ExitQuietly {
            return quiet.status.rawValue
        } catch {
            let status = type.exitCode(for: error)
            if status == .success {
                // --help and --version are "errors" that print to standard output.
                var text = type.fullMessage(for: error)
                if !text.hasSuffix("\n") { text += "\n" }
                try? ProcessIO.save(Array(text.utf8), to: nil)
                return 0
            }
            let message = type.message(for: error)
                .split(whereSeparator: \.isNewline).map { $0.trimmingCharacters() }.filter { !$0.isEmpty }
                .joined(separator: "; ")
            ProcessIO.printError("markconv: \(message) (\(usage) shows the usage)")
            return status.rawValue
        }
    }

    func run() throws {
        if let describe {
            guard case let format = try Markconv.parse(describe, unknownStatus: .unknownWriter), format.name == .bbcode else {
                throw CLIFailure(message: "--describe takes a BBCode dialect, e.g. bbcode_phpbb (markconv --list-output-formats)",
                                 status: .usage)
            }
            try ProcessIO.save(Array(format.dialect.summary.utf8), to: nil)
            return
        }
        if listInputFormats || listOutputFormats || listExtensions {
            try printLists()
            return
        }
        let source = try readerFormat()
        let target = try writerFormat()
        guard target.name.isWritable else {
            throw CLIFailure(message: FormatError.notWritable(target.name).description, status: .unknownWriter)
        }
        let inputs = files.isEmpty ? ["-"] : files
        let reading = try read(inputs, as: source, for: target)
        let writing: WriteResult
        do {
            writing = try MarkupKit.write(reading.document, as: target, readFrom: source,
                                          options: ConversionOptions(allowsRawHTML: unsafe,
                                                                     listIndentation: layout.listIndentation))
        } catch let error as FormatError {
            throw CLIFailure(message: error.description, status: .unknownWriter)
        }
        try ProcessIO.save(writing.bytes, to: output)
        leaveToTheOperatingSystem(reading.document)
        let warnings = reading.warnings + writing.warnings
        for warning in warnings {
            ProcessIO.printError("markconv: warning: \(reading.locate(warning))")
        }
        if failIfLossy && warnings.contains(where: { $0.kind == .loss }) {
            throw CLIFailure(message: "the conversion lost content (--fail-if-lossy)", status: .lossy)
        }
    }

    // MARK: Formats

    private func readerFormat() throws(CLIFailure) -> Format {
        let specification = from ?? files.lazy.compactMap(Markconv.formatName(forPath:)).first ?? "gfm"
        let format = try Markconv.parse(specification, unknownStatus: .unknownReader)
        guard format.name.isReadable else {
            throw CLIFailure(message: FormatError.notReadable(format.name).description, status: .unknownReader)
        }
        return format
    }

    private func writerFormat() throws(CLIFailure) -> Format {
        try Markconv.parse(to, unknownStatus: .unknownWriter)
    }

    /// A format specification, or the failure with the status that kind of mistake gets.
    static func parse(_ specification: String, unknownStatus: ExitStatus) throws(CLIFailure) -> Format {
        do {
            return try Format(parsing: specification)
        } catch {
            switch error {
            case .unknownExtension, .extensionsNotSupported:
                throw CLIFailure(message: error.description, status: .unknownExtension)
            default:
                throw CLIFailure(message: error.description, status: unknownStatus)
            }
        }
    }

    /// The format a file's extension suggests, as pandoc guesses it.
    static func formatName(forPath path: String) -> String? {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
        switch path[path.index(after: dot)...].lowercased() {
        case "md", "markdown", "mdown", "mkd": return "gfm"
        case "json": return "json"
        case "html", "htm": return "html"
        case "bbcode", "bb": return "bbcode"
        default: return nil
        }
    }

    private func printLists() throws(CLIFailure) {
        var lines: [String] = []
        if listInputFormats {
            lines += Format.allNames.filter { $0.format.name.isReadable }.map(\.name) + ["markdown"]
        }
        if listOutputFormats {
            lines += Format.allNames.filter { $0.format.name.isWritable }.map(\.name)
        }
        if listExtensions {
            let format = try Markconv.parse(from ?? "gfm", unknownStatus: .unknownReader)
            lines += MarkdownExtensions.named.map { (format.extensions.contains($0.extensions) ? "+" : "-") + $0.name }
        }
        try ProcessIO.save(Array((lines.joined(separator: "\n") + "\n").utf8), to: nil)
    }

    // MARK: Input

    /// Reads every input and joins them into one document.
    private func read(_ paths: [String], as format: Format, for target: Format) throws(CLIFailure) -> Reading {
        var contents: [(path: String, bytes: [UInt8])] = []
        for path in paths {
            contents.append((path, try ProcessIO.readFile(path)))
        }
        if format.name == .json {
            // Each JSON file is a whole document; their blocks are appended in order.
            var builder = DocumentBuilder()
            var warnings: [ConversionWarning] = []
            for content in contents {
                let reading = try read(content.bytes, as: format, for: target, sources: [Reading.Source(name: displayName(content.path))])
                builder.append(reading.document)
                warnings += reading.warnings
            }
            return Reading(document: builder.finish(), warnings: warnings, sources: [])
        }
        guard contents.count > 1 else {
            let source = Reading.Source(name: displayName(contents[0].path))
            return try read(contents[0].bytes, as: format, for: target, sources: paths == ["-"] ? [] : [source])
        }
        // Text inputs are concatenated with a blank line between them, as pandoc does;
        // warnings and errors are mapped back to the file they came from.
        var joined: [UInt8] = []
        joined.reserveCapacity(contents.reduce(0) { $0 + $1.bytes.count + 2 })
        var sources: [Reading.Source] = []
        var line: Int32 = 1
        for (offset, content) in contents.enumerated() {
            sources.append(Reading.Source(name: displayName(content.path), firstLine: line, firstByte: joined.count))
            joined += content.bytes
            line += Int32(content.bytes.lazy.filter { $0 == UInt8(ascii: "\n") }.count)
            if offset < contents.count - 1 {
                if content.bytes.last != UInt8(ascii: "\n") {
                    joined.append(UInt8(ascii: "\n"))
                    line += 1
                }
                joined.append(UInt8(ascii: "\n"))
                line += 1
            }
        }
        return try read(joined, as: format, for: target, sources: sources)
    }

    private func read(_ bytes: [UInt8], as format: Format, for target: Format, sources: [Reading.Source]) throws(CLIFailure) -> Reading {
        do {
            let reading = try MarkupKit.read(utf8: bytes, as: format, for: target, options: parseOptions)
            return Reading(document: reading.document, warnings: reading.warnings, sources: sources)
        } catch MarkupKitError.invalidUTF8(let offset) {
            let source = sources.last { $0.firstByte <= offset } ?? Reading.Source(name: "standard input")
            throw CLIFailure(message: "\(source.name): invalid UTF-8 at byte offset \(offset - source.firstByte)",
                             status: .invalidInput)
        } catch let error as MarkupKitError {
            let prefix = sources.count == 1 ? "\(sources[0].name): " : ""
            throw CLIFailure(message: prefix + error.description, status: .invalidInput)
        } catch {
            throw CLIFailure(message: "\(error)", status: .invalidInput)
        }
    }

    private func displayName(_ path: String) -> String {
        path == "-" ? "standard input" : path
    }
}

/// Documents the process no longer needs but does not free: it is about to exit, and
/// releasing a tree of a few hundred thousand nodes one by one is measurable work
/// (a tenth of a 2 MB conversion) that the operating system does for free.
nonisolated(unsafe) private var keptUntilExit: [Document] = []

private func leaveToTheOperatingSystem(_ document: Document) {
    keptUntilExit.append(document)
}

/// A read document with what is needed to say where a warning came from.
struct Reading {
    struct Source {
        var name: String
        /// Where the input starts in the joined text.
        var firstLine: Int32 = 1
        var firstByte = 0
    }

    var document: Document
    var warnings: [ConversionWarning]
    /// The inputs in order, with the line each starts on in the joined text; empty when
    /// the input was standard input alone.
    var sources: [Source]

    /// `FILE:LINE:COL: message`, or `LINE:COL: message` for standard input.
    func locate(_ warning: ConversionWarning) -> String {
        guard warning.position.isKnown,
              let source = sources.last(where: { $0.firstLine <= warning.position.line }) else {
            return warning.description
        }
        let line = warning.position.line - source.firstLine + 1
        return "\(source.name):\(line):\(warning.position.column): \(warning.message)"
    }
}

extension Substring {
    func trimmingCharacters() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
