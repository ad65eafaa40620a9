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
            markconv serve [--host <address>] [--port <port>]
            """,
        discussion: """
            Reads the FILEs (or standard input when there are none, or for -) in the -f \
            format and writes them in the -t format to standard output (or -o FILE).
            Formats take pandoc-style extensions: commonmark+table+strikethrough, gfm-autolink.
            Warnings go to standard error as 'markconv: warning: [FILE:]LINE:COLUMN: MESSAGE'.

            Exit status: 0 ok, 1 a round trip failed, 3 lossy conversion with --fail-if-lossy, 21 unknown input \
            format, 22 unknown output format, 23 unknown extension, 64 usage error, 65 invalid \
            input (e.g. invalid UTF-8, named by byte offset), 66 input file missing, \
            69 serve cannot listen, 73 cannot write the output.
            """,
        version: "markconv \(MarkupKit.version) (libcmark-gfm \(MarkupKit.cmarkVersion))",
        subcommands: [Roundtrip.self, Batch.self, Serve.self]
    )

    @Option(name: [.customShort("f"), .customLong("from")],
            help: ArgumentHelp("Input format (default: from the file extension, else gfm).", valueName: "format"),
            completion: .list(Markconv.formatNames))
    var from: String?

    @Option(name: [.customShort("t"), .customLong("to")],
            help: ArgumentHelp("Output format (default: from the -o file's extension, else html).", valueName: "format"),
            completion: .list(Markconv.formatNames))
    var to: String?

    /// What the shell completions offer for -f and -t (extensions are typed on).
    static let formatNames = Format.allNames.map(\.name)

    @Option(name: [.customShort("o"), .customLong("output")],
            help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
    var output: String?

    @Flag(help: InputLimits.unsafeHelp)
    var unsafe = false

    @Option(help: ArgumentHelp("A Markdown file's front matter (Jekyll's or Hugo's --- YAML or +++ TOML at its start): drop it with a warning, keep it as a code block, or read it as markdown.",
                               valueName: "drop|keep|markdown"))
    var frontMatter: FrontMatter = .drop

    @OptionGroup(title: "Markdown output")
    var layout: MarkdownLayout

    @OptionGroup(title: "Limits on the input")
    var limits: InputLimits

    @Flag(help: "Exit with status 3 when the conversion lost anything (any warning of loss); the -o file is then not written.")
    var failIfLossy = false

    @Flag(name: [.customShort("q"), .long], help: "Print no warnings (--fail-if-lossy still counts them).")
    var quiet = false

    @Option(help: ArgumentHelp("Print at most this many warnings, then how many more there were and of which kinds; 0 for all. Default: 100.",
                               valueName: "n"))
    var maxWarnings = 100

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
        if let grouped = groupedValueOption(in: arguments) {
            ProcessIO.printError("markconv: '\(grouped)' runs options together: give each its value on its own, e.g. -t gfm -o FILE (markconv --help shows the usage)")
            return ExitStatus.usage.rawValue
        }
        // pandoc spells it --list-extensions=FORMAT.
        let arguments = arguments.flatMap { argument -> [String] in
            guard argument.hasPrefix("--list-extensions=") else { return [argument] }
            return ["--list-extensions", "-f", String(argument.dropFirst("--list-extensions=".count))]
        }
        if let conversion = Conversion(commonArguments: arguments) {
            return execute(Markconv.self, usage: "markconv --help") { try conversion.run() }
        }
        // ArgumentParser does not look for a subcommand where the root command takes
        // files, so `roundtrip`, `batch` and `help` are told apart here. They are still
        // listed as subcommands, for the help, the man page and the completions.
        if arguments.first == "help" {
            return printHelp(for: subcommand(named: arguments.dropFirst().first) ?? Markconv.self)
        }
        guard let subcommand = subcommand(named: arguments.first) else {
            return run(Markconv.self, arguments, usage: "markconv --help")
        }
        let rest = Array(arguments.dropFirst())
        if rest.contains("--help") || rest.contains("-h") { return printHelp(for: subcommand) }
        return run(subcommand, rest, usage: "markconv \(subcommand.configuration.commandName ?? "") --help")
    }

    /// The subcommand a first word names (`roundtrip`, `batch`, `serve`), if it names one.
    static func subcommand(named name: String?) -> (any ParsableCommand.Type)? {
        configuration.subcommands.first { $0.configuration.commandName == name }
    }

    /// A group of short options in which one takes a value (`-to gfm`): ArgumentParser
    /// would read it as `-t` and `-o` with the next arguments as their values, making the
    /// input file the output. Options that take a value are never grouped.
    static func groupedValueOption(in arguments: [String]) -> String? {
        for argument in arguments {
            if argument == "--" { break }
            guard argument.hasPrefix("-"), !argument.hasPrefix("--"), argument.count > 2 else { continue }
            let letters = argument.dropFirst()
            if letters.allSatisfy(\.isLetter) && letters.contains(where: { "fto".contains($0) }) { return argument }
        }
        return nil
    }

    /// The help of the root command or of a subcommand, which names it `markconv NAME`.
    private static func printHelp(for command: any ParsableCommand.Type) -> Int32 {
        var text = command == Markconv.self ? Markconv.helpMessage() : Markconv.helpMessage(for: command)
        if !text.hasSuffix("\n") { text += "\n" }
        try? ProcessIO.save(Array(text.utf8), to: nil)
        return ExitStatus.success.rawValue
    }

    private static func run<Command: ParsableCommand>(_ type: Command.Type, _ arguments: [String], usage: String) -> Int32 {
        execute(type, usage: usage) {
            var command = try type.parseAsRoot(arguments)
            try command.run()
        }
    }

    /// Runs `body` and turns what it throws into a message on standard error and the exit
    /// status; errors of ArgumentParser's are worded by `type`.
    private static func execute<Command: ParsableCommand>(_ type: Command.Type, usage: String, _ body: () throws -> Void) -> Int32 {
        do {
            try body()
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
        try conversion.run()
    }

    /// The conversion these options ask for.
    var conversion: Conversion {
        Conversion(from: from, to: to, output: output, files: files, unsafe: unsafe, frontMatter: frontMatter,
                   listIndent: layout.listIndent, limits: limits.values, failsIfLossy: failIfLossy, quiet: quiet,
                   maxWarnings: maxWarnings)
    }

    /// Each warning on its own line, up to `limit` (0: all), then one line counting the
    /// rest by kind: a long post can give tens of thousands.
    static func printWarnings(_ warnings: [ConversionWarning], limit: Int, located: (ConversionWarning) -> String) {
        let shown = limit > 0 ? warnings.prefix(limit) : warnings[...]
        guard !shown.isEmpty else { return }
        // One write for all of them: a write per warning was a system call each, and a
        // copy of each line into an array of its own.
        var text: [UInt8] = []
        for warning in shown {
            text += "markconv: warning: ".utf8
            text += located(warning).utf8
            text.append(UInt8(ascii: "\n"))
        }
        let rest = warnings.dropFirst(shown.count)
        guard !rest.isEmpty else {
            ProcessIO.writeError(text)
            return
        }
        var counts: [(kind: ConversionWarning.Kind, count: Int)] = []
        for warning in rest {
            if let index = counts.firstIndex(where: { $0.kind == warning.kind }) {
                counts[index].count += 1
            } else {
                counts.append((warning.kind, 1))
            }
        }
        // Appended, not `joined(separator:)`: that generic call looked an associated type
        // up over the whole binary (0.19 M instructions) in every run with many warnings.
        var kinds = ""
        for (number, entry) in counts.enumerated() {
            kinds += (number == 0 ? "" : ", ") + "\(entry.count) \(entry.kind.rawValue)"
        }
        text += "markconv: \(rest.count) more warnings not shown (\(kinds); --max-warnings 0 shows all)\n".utf8
        ProcessIO.writeError(text)
    }

    // MARK: Formats

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
            // `--list-extensions commonmark`: the format may be given as the argument.
            let format = try Markconv.parse(from ?? files.first ?? "gfm", unknownStatus: .unknownReader)
            lines += MarkdownExtensions.named.map { (format.extensions.contains($0.extensions) ? "+" : "-") + $0.name }
        }
        try ProcessIO.save(Array((lines.joined(separator: "\n") + "\n").utf8), to: nil)
    }

}

/// Documents the process no longer needs but does not free: it is about to exit, and
/// releasing a tree of a few hundred thousand nodes one by one is measurable work
/// (a tenth of a 2 MB conversion) that the operating system does for free.
nonisolated(unsafe) private var keptUntilExit: [Document] = []

func leaveToTheOperatingSystem(_ document: Document) {
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

extension FrontMatter: ExpressibleByArgument {}
