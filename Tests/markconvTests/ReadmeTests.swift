import Foundation
import MarkupKit
import MarkupKitTestSupport
import Testing

/// The README cannot rot: every command it shows is run, here or by CI.
///
/// - `console` blocks: each `$ ` line runs in bash, in a scratch folder holding a copy of
///   `Corpus/` (so `Corpus/samples/…` paths work as in a clone) with the built `markconv`
///   first on `PATH`; standard output and standard error together must be the lines that
///   follow it, and the exit status 0 (a command that fails on purpose ends in
///   `; echo "exit $?"`). Commands run in order, so one can read what another wrote.
/// - `sh` blocks: the set-up commands, which install and build; each must be run by
///   `.ci/run` or `scripts/test`.
/// - `yaml` blocks: each `run:` must be one of the console commands.
/// - `swift` blocks: `DocumentationTests` runs them, as it runs the DocC articles' code.
/// - The dialect table must say what each dialect's own table says, and the table of
///   warnings what the writer prints: each kind written in the forum named in its row.
@Suite(.serialized) struct ReadmeTests {
    struct Command: CustomTestStringConvertible, Sendable {
        var line: String
        var expected: String
        var testDescription: String { line }
    }

    static let readme = (try? String(contentsOf: MarkconvBinary.packageRoot.appendingPathComponent("README.md"),
                                     encoding: .utf8)) ?? ""

    static let blocks = CodeBlock.all(in: readme)

    static let commands: [Command] = blocks.filter { $0.language == "console" }.flatMap { block in
        var commands: [Command] = []
        for line in block.lines {
            if line.hasPrefix("$ ") {
                commands.append(Command(line: String(line.dropFirst(2)), expected: ""))
            } else if !commands.isEmpty {
                commands[commands.count - 1].expected += line + "\n"
            }
        }
        return commands
    }

    /// One scratch folder for the whole README, made on first use.
    static let folder: URL = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("markconv-readme-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try? FileManager.default.copyItem(at: MarkconvBinary.packageRoot.appendingPathComponent("Corpus"),
                                          to: folder.appendingPathComponent("Corpus"))
        return folder
    }()

    @Test func theReadmeShowsTheRecipesTheIssueAsksFor() {
        #expect(Self.commands.count >= 15)
        let shown = Self.commands.map(\.line).joined(separator: "\n")
        for needle in ["-t bbcode_friendica", "-t bbcode_hubzilla", "-t bbcode_phpbb", "-t bbcode_xenforo", "-t bbcode_steam",
                       "-f bbcode_phpbb -t gfm", ".html", "roundtrip", "batch"] {
            #expect(shown.contains(needle), "no README command with \(needle)")
        }
    }

    @Test(arguments: commands)
    func consoleCommandPrintsWhatTheReadmeShows(_ command: Command) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-o", "pipefail", "-c", command.line]
        process.currentDirectoryURL = Self.folder
        var environment = ProcessInfo.processInfo.environment
        let binaries = URL(fileURLWithPath: MarkconvBinary.path).deletingLastPathComponent().path
        environment["PATH"] = binaries + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        process.environment = environment
        let output = Pipe()
        // One pipe for both, as on a terminal: warnings appear where they were written.
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(command.line): exit \(process.terminationStatus)\n\(printed)")
        #expect(printed == command.expected,
                "\(command.line): output differs (- README, + actual)\n\(LineDiff.describe(expected: command.expected, actual: printed))")
    }

    @Test func setUpCommandsAreRunByCI() throws {
        let root = MarkconvBinary.packageRoot
        let ci = try String(contentsOf: root.appendingPathComponent(".ci/run"), encoding: .utf8)
            + String(contentsOf: root.appendingPathComponent("scripts/test"), encoding: .utf8)
        let shell = Self.blocks.filter { $0.language == "sh" }.flatMap(\.lines)
        #expect(!shell.isEmpty)
        for line in shell {
            // The program, after any VARIABLE=value settings and before a comment.
            let words = line.components(separatedBy: " #")[0].split(separator: " ").map(String.init)
            guard let program = words.first(where: { !$0.contains("=") }) else { continue }
            #expect(ci.contains(program), "README runs \(program), which neither .ci/run nor scripts/test runs")
        }
        // The README leads with exactly the set-up command and the test command.
        let first = Self.blocks.first
        #expect(first?.language == "sh")
        #expect(first?.lines.map { $0.components(separatedBy: " ")[0] } == ["scripts/quickstart", "scripts/test"])
        #expect(ci.contains("scripts/quickstart\n") && ci.contains("exec scripts/test"))
    }

    @Test func ciStepsRunConsoleCommands() {
        let steps = Self.blocks.filter { $0.language == "yaml" }.flatMap(\.lines)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0.hasPrefix("run: ") }.map { String($0.dropFirst(5)) }
        #expect(!steps.isEmpty)
        for step in steps {
            #expect(Self.commands.contains { $0.line == step }, "the CI step '\(step)' is not one of the README's console commands")
        }
    }

    @Test func theChangelogsLatestVersionIsTheVersion() throws {
        let changelog = try String(contentsOf: MarkconvBinary.packageRoot.appendingPathComponent("CHANGELOG.md"), encoding: .utf8)
        let released = changelog.components(separatedBy: "\n").filter { $0.hasPrefix("## ") && !$0.hasPrefix("## Unreleased") }
        #expect(released.first?.hasPrefix("## \(MarkupKit.version) — ") == true, "\(released.first ?? "no release in CHANGELOG.md")")
        let version = try MarkconvBinary.run(["--version"], input: "")
        #expect(version.output.hasPrefix("markconv \(MarkupKit.version) (libcmark-gfm \(MarkupKit.cmarkVersion))"))
    }

    /// The README's table rows that name a BBCode format and have this many cells (`\|`
    /// is a `|` inside a cell).
    static func rowsNamingADialect(cells count: Int) -> [[String]] {
        readme.components(separatedBy: "\n")
            .filter { $0.hasPrefix("| ") && $0.contains("| `bbcode") }
            .map { $0.replacingOccurrences(of: "\\|", with: "\u{1}").split(separator: "|").map {
                $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "\u{1}", with: "|") } }
            .filter { $0.count == count }
    }

    @Test func theDialectTableSaysWhatEachDialectDoes() throws {
        let rows = Self.rowsNamingADialect(cells: 4)
        #expect(rows.count == BBCodeDialect.all.count)
        for cells in rows {
            let name = cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            let dialect = try Format(parsing: name).dialect
            #expect(cells[0].hasPrefix(dialect.title) || dialect == .generic, "\(name): titled \(cells[0])")
            #expect(cells[2] == (dialect.lists.maximumDepth.map { "\($0) levels" } ?? "any"), "\(name): list depth \(cells[2])")
            #expect(cells[3] == dialect.degradedKinds.joined(separator: ", "),
                    "\(name): the README says \(cells[3]); the dialect degrades \(dialect.degradedKinds.joined(separator: ", "))")
        }
    }

    /// Rows of the README's table of warnings: kind, dialect, message.
    static let warningRows = rowsNamingADialect(cells: 3).map {
        (kind: $0[0], dialect: $0[1].trimmingCharacters(in: CharacterSet(charactersIn: "`")), message: $0[2])
    }

    @Test func theWarningsTableSaysWhatTheWriterSays() throws {
        #expect(Set(Self.warningRows.map(\.kind)) == Set(BBCodeDialect.all.flatMap(\.degradedKinds)),
                "every kind some forum degrades has a row, and only those")
        for row in Self.warningRows {
            let dialect = try Format(parsing: row.dialect).dialect
            try #require(DialectFeatureSamples.html[row.kind] != nil, "no sample of \(row.kind)")
            let printed = try DialectFeatureSamples.written(row.kind, in: dialect).flatMap { $0.result.warnings.map(\.message) }
            #expect(printed.contains(row.message), "\(row.dialect) writes \(row.kind) with:\n\(printed.joined(separator: "\n"))")
        }
    }
}
