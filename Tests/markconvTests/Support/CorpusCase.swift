import Foundation
import Testing

/// A golden command case from `Corpus/`: a file whose one fenced block (```` or longer) holds
///
///     % markconv ARGUMENTS
///     input lines
///     ^D
///     expected standard output, then standard error
///     [exit N]            (only when the status is not 0)
///
/// Text outside the fence describes the case. See Corpus/README.md.
struct CorpusCase: CustomTestStringConvertible, Sendable {
    var path: String
    var arguments: [String]
    var input: String
    var expected: String

    var testDescription: String { path }

    static let directory = MarkconvBinary.packageRoot.appendingPathComponent("Corpus")

    /// Every case under Corpus/, in path order.
    static let all: [CorpusCase] = {
        guard let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil) else {
            return []
        }
        let files = enumerator.compactMap { $0 as? URL }
            .filter { $0.pathExtension == "md" && $0.lastPathComponent != "README.md" }
            .map { String($0.standardizedFileURL.path.dropFirst(directory.standardizedFileURL.path.count + 1)) }
            .filter { !$0.hasPrefix("samples/") }
            .sorted()
        return files.map { relative in
            do {
                return try parse(String(contentsOf: directory.appendingPathComponent(relative), encoding: .utf8), path: relative)
            } catch {
                return CorpusCase(path: relative, arguments: [], input: "", expected: "unreadable case: \(error)")
            }
        }
    }()

    struct FormatError: Error, CustomStringConvertible {
        var description: String
    }

    static func parse(_ text: String, path: String) throws -> CorpusCase {
        let lines = text.components(separatedBy: "\n")
        // The case's fence is four backticks or more; it closes at a line of as many, so a
        // case whose text holds a four-backtick fence uses five.
        guard let open = lines.firstIndex(where: { $0.hasPrefix("````") }) else {
            throw FormatError(description: "\(path): no ```` fenced block")
        }
        let fence = String(lines[open].prefix { $0 == "`" })
        guard let close = lines[(open + 1)...].firstIndex(where: { $0 == fence }) else {
            throw FormatError(description: "\(path): the \(fence) block is not closed")
        }
        let block = Array(lines[(open + 1)..<close])
        guard let command = block.first, command.hasPrefix("% markconv") else {
            throw FormatError(description: "\(path): the block must start with '% markconv'")
        }
        guard let end = block.firstIndex(of: "^D") else {
            throw FormatError(description: "\(path): no ^D line after the input")
        }
        let arguments = try shellWords(String(command.dropFirst(2))).dropFirst()
        return CorpusCase(path: path, arguments: Array(arguments),
                          input: block[1..<end].map { $0 + "\n" }.joined(),
                          expected: block[(end + 1)...].map { $0 + "\n" }.joined())
    }

    /// Splits a command line the way a POSIX shell would for plain words and quotes.
    static func shellWords(_ line: String) throws -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        for character in line {
            if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
            } else if character == "'" || character == "\"" {
                quote = character
                inWord = true
            } else if character == " " {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(character)
                inWord = true
            }
        }
        guard quote == nil else { throw FormatError(description: "unbalanced quote in: \(line)") }
        if inWord { words.append(current) }
        return words
    }

    /// Runs the command and renders what happened in the case's expected-output form.
    func run() throws -> String {
        let result = try MarkconvBinary.run(arguments, input: Data(input.utf8), in: CorpusCase.directory)
        var rendered = result.output
        if !rendered.isEmpty && !rendered.hasSuffix("\n") { rendered += "\n[no newline at the end of the output]\n" }
        rendered += result.standardError
        if result.status != 0 { rendered += "[exit \(result.status)]\n" }
        return rendered
    }
}
