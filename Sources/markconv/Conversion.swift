import MarkupKit

/// One conversion as the command line asks for it: `markconv [-f F] [-t T] [-o FILE]
/// [FILE ...]` and the options that tune it, as plain values.
///
/// ArgumentParser reads options by reflection, which costs every run about 13 M
/// instructions before a byte is read — thirty times cmark-gfm's whole start-up, and
/// more than converting a forum post. So the common shape of a command line, formats, an
/// output and files and nothing else, is read by ``init(commonArguments:)``; anything else
/// goes to ArgumentParser, which also makes this value (``Markconv/conversion``). The
/// defaults below are the options' defaults; a test holds the two readings equal.
struct Conversion: Equatable {
    var from: String?
    var to: String?
    var output: String?
    var files: [String] = []
    var unsafe = false
    var frontMatter: FrontMatter = .drop
    var listIndent: Int?
    var limits = InputLimits.Values()
    var failsIfLossy = false
    var quiet = false
    var maxWarnings = 100

    /// The conversion options every reader and writer is given.
    var parseOptions: ConversionOptions {
        var options = limits.apply(to: ConversionOptions(allowsRawHTML: unsafe))
        options.frontMatter = frontMatter
        return options
    }

    func run() throws {
        let source = try readerFormat()
        let target = try writerFormat()
        guard target.name.isWritable else {
            throw CLIFailure(message: FormatError.notWritable(target.name).description, status: .unknownWriter)
        }
        let inputs = files.isEmpty ? ["-"] : files
        try checkOutputPath(against: inputs)
        let reading = try read(inputs, as: source, for: target)
        let writing: WriteResult
        do {
            var options = parseOptions
            options.listIndentation = MarkdownLayout.listIndentation(listIndent)
            writing = try MarkupKit.write(reading.document, as: target, readFrom: source, options: options)
        } catch let error as FormatError {
            throw CLIFailure(message: error.description, status: .unknownWriter)
        }
        let warnings = reading.warnings + writing.warnings
        let lost = failsIfLossy && warnings.contains(where: { $0.kind == .loss })
        // A file that is written means success to make and its kin: not when it failed.
        if !(lost && output != nil) {
            try ProcessIO.save(writing.bytes, to: output)
        }
        leaveToTheOperatingSystem(reading.document)
        if !quiet {
            Markconv.printWarnings(warnings, limit: maxWarnings) { reading.locate($0) }
        }
        if lost {
            throw CLIFailure(message: "the conversion lost content (--fail-if-lossy)" + (output.map { "; \($0) was not written" } ?? ""),
                             status: .lossy)
        }
    }

    /// The output may not be one of the inputs (it would be replaced by what was read
    /// from it), nor a format name, which is what `-o gfm` meant when `-t` was intended.
    private func checkOutputPath(against inputs: [String]) throws(CLIFailure) {
        guard let output, output != "-" else { return }
        if let input = inputs.first(where: { $0 != "-" && ($0 == output || ProcessIO.isSameFile($0, output)) }) {
            throw CLIFailure(message: "the output \(output) is also an input (\(input)); write to another file", status: .usage)
        }
        if !output.contains("/") && !output.contains("."), (try? Format(parsing: output)) != nil {
            throw CLIFailure(message: "-o \(output) names a format, not a file: write -t \(output) for the output format, or -o ./\(output) for a file of that name",
                             status: .usage)
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

    /// `-t`, or what the `-o` file's extension says, as pandoc guesses it.
    private func writerFormat() throws(CLIFailure) -> Format {
        try Markconv.parse(to ?? output.flatMap(Markconv.formatName(forPath:)) ?? "html", unknownStatus: .unknownWriter)
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

extension Conversion {
    // MARK: The common command line

    /// Reads a command line made only of `-f`/`--from`, `-t`/`--to` and `-o`/`--output`,
    /// each once and with a value that does not start with `-` (also as `--to=VALUE`), and
    /// input files (`-` for standard input); nil for anything else, which ArgumentParser
    /// reads instead (and reports, if it is a mistake).
    init?(commonArguments arguments: [String]) {
        // A first word that names a subcommand is that subcommand, not a file.
        if let first = arguments.first, first == "help" || Markconv.subcommand(named: first) != nil { return nil }
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "-" || !argument.hasPrefix("-") {
                files.append(argument)
                continue
            }
            var name = argument
            var value: String?
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                value = String(argument[argument.index(after: equals)...])
            } else if index < arguments.count {
                value = arguments[index]
                index += 1
            }
            guard let value, !value.isEmpty, !value.hasPrefix("-") else { return nil }
            // Each once: ArgumentParser's reading of a repeated option is left to it.
            switch name {
            case "-f", "--from":
                guard from == nil else { return nil }
                from = value
            case "-t", "--to":
                guard to == nil else { return nil }
                to = value
            case "-o", "--output":
                guard output == nil else { return nil }
                output = value
            default:
                return nil
            }
        }
    }
}
