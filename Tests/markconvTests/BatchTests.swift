import Foundation
import MarkupKit
import Testing

/// `markconv batch`: every input line gives exactly one output line, in order, whatever
/// goes wrong with any one of them, and the number of threads changes nothing but speed.
@Suite struct BatchTests {
    /// Documents of every kind: fine, lossy, broken.
    static let lines: [String] = (0..<600).map { number in
        switch number % 6 {
        case 0: return #"{"id": \#(number), "text": "- a\n  - b *\#(number)*", "forum": "general"}"#
        case 1: return ##"{"id": "s\##(number)", "text": "# Heading\n\n| a |\n|---|\n| 1 |"}"##
        case 2: return "not json \(number)"
        case 3: return #"{"text": "no id"}"#
        case 4: return #"{"id": [\#(number)], "text": 5}"#
        default: return #"{"id": {"n": \#(number)}, "text": "ok \u00e9\n\n> quote"}"#
        }
    }

    static func records(_ output: String) throws -> [[String: Any]] {
        try output.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }

    @Test func everyLineGivesOneRecordInOrder() throws {
        let input = Self.lines.joined(separator: "\n") + "\n"
        let run = try MarkconvBinary.run(["batch", "-t", "bbcode_phpbb", "--jobs", "2"], input: input)
        // The batch goes on past failed documents, then fails as a whole.
        #expect(run.status == 65)
        let records = try Self.records(run.output)
        try #require(records.count == Self.lines.count)
        for (number, record) in records.enumerated() {
            switch number % 6 {
            case 0:
                #expect(record["id"] as? Int == number)
                #expect(record["forum"] as? String == "general", "other fields pass through")
                #expect(record["output"] as? String == "[list]\n[*]a\n[list]\n[*]b [i]\(number)[/i]\n[/list]\n[/list]\n")
                #expect((record["warnings"] as? [Any])?.isEmpty == true)
            case 1:
                #expect(record["id"] as? String == "s\(number)")
                let warnings = try #require(record["warnings"] as? [[String: Any]])
                #expect(warnings.map { $0["line"] as? Int } == [1, 3] && warnings.allSatisfy { $0["kind"] as? String == "loss" })
            case 2:
                #expect(record["id"] is NSNull && record["line"] as? Int == number + 1)
                #expect((record["error"] as? String)?.contains("JSON") == true)
            case 3:
                #expect(record["id"] is NSNull && (record["error"] as? String)?.contains("id") == true)
            case 4:
                #expect(record["id"] as? [Int] == [number] && (record["error"] as? String)?.contains("text") == true)
            default:
                #expect((record["id"] as? [String: Int])?["n"] == number)
                // A paragraph, then a quote: block tags need no blank line before them.
                #expect(record["output"] as? String == "ok é\n[quote]\nquote\n[/quote]\n")
            }
        }
        #expect(run.standardError.contains("300 of 600 documents could not be converted"))
    }

    @Test func threadsChangeNothingButSpeed() throws {
        let input = Self.lines.joined(separator: "\n")
        let one = try MarkconvBinary.run(["batch", "-t", "html", "--jobs", "1"], input: input)
        let four = try MarkconvBinary.run(["batch", "-t", "html", "--jobs", "4"], input: input)
        #expect(one.output == four.output && !one.output.isEmpty)
        // The same as converting each document on its own.
        let records = try Self.records(one.output)
        let single = try MarkconvBinary.run([], input: "- a\n  - b *0*")
        #expect(records[0]["output"] as? String == single.output)
    }

    /// Issue 17: a batch whose every document converts exits 0, one with a failure 65,
    /// whether Markdown (worker processes) or not (threads).
    @Test(arguments: ["gfm", "bbcode_phpbb"])
    func failedDocumentsFailTheBatch(_ source: String) throws {
        let good = try MarkconvBinary.run(["batch", "-f", source, "--jobs", "2"], input: #"{"id": 1, "text": "a"}"# + "\n")
        #expect(good.status == 0 && good.standardError.isEmpty)
        let bad = try MarkconvBinary.run(["batch", "-f", source, "--jobs", "2"],
                                         input: #"{"id": 1, "text": "a"}"# + "\n" + #"{"id": 2}"# + "\n")
        #expect(bad.status == 65)
        #expect(bad.standardError == "markconv: 1 of 2 documents could not be converted (see their \"error\")\n")
        #expect(try Self.records(bad.output).count == 2)
    }

    /// Issue 17: a byte order mark an editor put before the first record is not part of it.
    @Test(arguments: ["gfm", "html"])
    func aByteOrderMarkBeforeTheFirstRecordIsSkipped(_ source: String) throws {
        let run = try MarkconvBinary.run(["batch", "-f", source, "-t", "html"],
                                         input: "\u{FEFF}" + #"{"id": 1, "text": "a"}"# + "\n" + #"{"id": 2, "text": "b"}"#)
        #expect(run.status == 0, "\(run.standardError)")
        let records = try Self.records(run.output)
        #expect(records.map { $0["id"] as? Int } == [1, 2])
        #expect(records.map { $0["output"] as? String } == ["<p>a</p>\n", "<p>b</p>\n"])
    }

    /// Issue 17: a file argument, -o, and --fail-if-lossy, whose failure leaves no -o file.
    @Test(arguments: ["gfm", "bbcode_phpbb"])
    func fileOutputAndFailIfLossy(_ source: String) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("markconv-batch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let input = directory.appendingPathComponent("posts.jsonl")
        try (#"{"id": 1, "text": "a"}"# + "\n" + #"{"id": 2, "text": "b"}"# + "\n").write(to: input, atomically: true, encoding: .utf8)
        let output = directory.appendingPathComponent("out.jsonl")
        let run = try MarkconvBinary.run(["batch", "-f", source, "-t", "html", "--jobs", "2", "-o", output.path, input.path])
        #expect(run.status == 0 && run.output.isEmpty, "\(run.standardError)")
        let records = try Self.records(try String(contentsOf: output, encoding: .utf8))
        #expect(records.map { $0["output"] as? String } == ["<p>a</p>\n", "<p>b</p>\n"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["out.jsonl", "posts.jsonl"])

        let lossyInput = directory.appendingPathComponent("lossy.jsonl")
        // A table, which FluxBB has no tag for: Markdown (worker processes) or HTML (threads).
        let table = source == "gfm" ? #"| a |\n|---|\n"# : "<table><tr><td>a</td></tr></table>"
        try (#"{"id": 1, "text": "a"}"# + "\n" + #"{"id": 2, "text": "\#(table)"}"# + "\n")
            .write(to: lossyInput, atomically: true, encoding: .utf8)
        let lossyOutput = directory.appendingPathComponent("lossy-out.jsonl")
        let lossy = try MarkconvBinary.run(["batch", "-f", source == "gfm" ? "gfm" : "html", "-t", "bbcode_fluxbb", "--jobs", "2",
                                            "--fail-if-lossy", "-o", lossyOutput.path, lossyInput.path])
        #expect(lossy.status == 3)
        #expect(lossy.standardError == "markconv: 1 of 2 documents lost content (--fail-if-lossy); \(lossyOutput.path) was not written\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
            == ["lossy.jsonl", "out.jsonl", "posts.jsonl"])
        // Without -o the records are still written, and the status still says it.
        let streamed = try MarkconvBinary.run(["batch", "-f", source == "gfm" ? "gfm" : "html", "-t", "bbcode_fluxbb",
                                                "--fail-if-lossy"], input: try String(contentsOf: lossyInput, encoding: .utf8))
        #expect(streamed.status == 3)
        #expect(try Self.records(streamed.output).count == 2)
    }

    @Test func badOptionsAreUsageErrors() throws {
        #expect(try MarkconvBinary.run(["batch", "--jobs", "0"], input: "").status == 64)
        #expect(try MarkconvBinary.run(["batch", "-t", "docx"], input: "").status == 22)
        #expect(try MarkconvBinary.run(["batch", "-f", "rtf"], input: "").status == 21)
    }
}
