import Foundation

/// One example from the GFM spec that Debian's cmark-gfm package installs.
public struct SpecExample: Sendable, CustomStringConvertible {
    public var number: Int
    public var section: String
    /// The extensions named on the example's fence line (`example table`).
    public var extensions: [String]
    public var markdown: String
    public var html: String

    /// The reader format for this example: CommonMark plus exactly its extensions.
    public var formatSpecification: String {
        "commonmark" + extensions.map { "+" + $0 }.joined()
    }

    public var description: String { "example \(number) (\(section))" }
}

/// The GFM spec's examples, read from the system's copy of the spec.
public enum SpecFile {
    /// Where Debian's cmark-gfm package puts the spec.
    public static let path = "/usr/share/doc/cmark-gfm/spec.txt.gz"

    /// The 671 runnable examples (the spec's two `disabled` ones are left out, as the
    /// spec's own test runner does). Empty when the spec is not installed; the count test
    /// then fails and says how to install it.
    public static let examples: [SpecExample] = load().filter { !$0.extensions.contains("disabled") }

    private static func load() -> [SpecExample] {
        guard FileManager.default.fileExists(atPath: path),
              let text = try? gunzip(path) else { return [] }
        return parse(text)
    }

    private static func gunzip(_ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-dc", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// The spec's example format: a 32-backtick fence with `example [extensions]`, the
    /// Markdown, a line with a single `.`, the HTML, the closing fence; `→` stands for a tab.
    public static func parse(_ text: String) -> [SpecExample] {
        let fence = String(repeating: "`", count: 32)
        let lines = text.components(separatedBy: "\n")
        var examples: [SpecExample] = []
        var section = ""
        var index = 0
        while index < lines.count {
            let line = lines[index]
            if line.hasPrefix("#") {
                section = line.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces)
            }
            guard line.hasPrefix(fence + " example") else {
                index += 1
                continue
            }
            let extensions = line.dropFirst(fence.count + " example".count).split(separator: " ").map(String.init)
            var markdown: [String] = []
            index += 1
            while lines[index] != "." {
                markdown.append(lines[index])
                index += 1
            }
            var html: [String] = []
            index += 1
            while lines[index] != fence {
                html.append(lines[index])
                index += 1
            }
            func joined(_ lines: [String]) -> String {
                lines.isEmpty ? "" : lines.map { $0 + "\n" }.joined().replacingOccurrences(of: "→", with: "\t")
            }
            examples.append(SpecExample(number: examples.count + 1, section: section, extensions: extensions,
                                        markdown: joined(markdown), html: joined(html)))
            index += 1
        }
        return examples
    }
}
