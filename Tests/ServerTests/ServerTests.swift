import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import MarkupKit
@testable import MarkupKitServer
import Testing

/// What in some HTML could run script: a `<script>` element, an `on…` attribute, or an
/// address that is `javascript:`. Text that merely says so (escaped by the writer) is
/// not markup: every raw `<` starts a tag.
func unsafeMarkup(in html: String) -> String? {
    for tag in html.matches(of: /<([a-zA-Z][a-zA-Z0-9]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/) {
        let name = tag.1.lowercased()
        if name == "script" || name == "iframe" || name == "object" || name == "embed" { return String(tag.0) }
        for attribute in tag.2.matches(of: /([a-zA-Z-]+)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/) {
            let attributeName = attribute.1.lowercased()
            let value = attribute.2.trimmingCharacters(in: CharacterSet(charactersIn: "\"'")).lowercased()
                .filter { !$0.isWhitespace }
            if attributeName.hasPrefix("on") { return String(tag.0) }
            if ["href", "src", "action", "formaction"].contains(attributeName), value.hasPrefix("javascript:") { return String(tag.0) }
        }
    }
    return nil
}

/// Runs a program and returns its standard output, waiting on a Dispatch thread: tests
/// that talk to the in-process server must not block Swift's cooperative pool, which the
/// server's handlers need.
func runOffThePool(_ executable: String, _ arguments: [String], in folder: URL? = nil) async throws -> String {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            do {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: executable)
                process.arguments = arguments
                if let folder { process.currentDirectoryURL = folder }
                let output = Pipe()
                process.standardOutput = output
                process.standardError = FileHandle.nullDevice
                try process.run()
                let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                guard process.terminationStatus == 0 else {
                    continuation.resume(throwing: ProgramFailed(status: process.terminationStatus, printed: printed))
                    return
                }
                continuation.resume(returning: printed)
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }
}

struct ProgramFailed: Error {
    var status: Int32
    var printed: String
}

/// `markconv serve` (issue 15), driven over a real socket on a free loopback port: each
/// endpoint answers what the library answers, errors carry the CLI's meanings, limits hold,
/// trust is never given, and no hostile input stops the server.
@Suite struct ServerTests {
    private static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    private func live(_ limits: ConversionService.Limits = .init(),
                      _ test: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await ConversionServer.application(host: "127.0.0.1", port: 0, limits: limits).test(.live, test)
    }

    private static func json(_ object: [String: Any]) throws -> NIOCore.ByteBuffer {
        NIOCore.ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: object))
    }

    private static func decode(_ body: NIOCore.ByteBuffer) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any])
    }

    private static let jsonHeaders: HTTPFields = [.contentType: "application/json"]

    @Test func convertAnswersWhatTheLibraryAnswers() async throws {
        let post = "# Release\n\n- one\n  - nested **bold**\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
        let expected = try MarkupKit.convert(post, from: .gfm, to: .bbcode(.phpBB))
        try await live { client in
            let body = try Self.json(["text": post, "from": "gfm", "to": "bbcode_phpbb"])
            try await client.execute(uri: "/v1/convert", method: .post, headers: Self.jsonHeaders, body: body) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                let reply = try Self.decode(response.body)
                #expect(reply["output"] as? String == expected.output)
                let warnings = try #require(reply["warnings"] as? [[String: Any]])
                #expect(warnings.map { "\($0["line"]!):\($0["column"]!): \($0["message"]!)" } == expected.warnings.map(\.description))
                #expect(warnings.map { $0["kind"] as? String } == expected.warnings.map(\.kind.rawValue))
                #expect(reply["lossy"] as? Bool == expected.warnings.contains { $0.kind == .loss })
                #expect(reply["lossy"] as? Bool == true)
            }
            // The post itself as the body, formats in the query.
            let raw = NIOCore.ByteBuffer(string: "[b]bold[/b] and [i]italic[/i]")
            try await client.execute(uri: "/v1/convert?from=bbcode_phpbb&to=gfm", method: .post,
                                     headers: [.contentType: "text/plain; charset=utf-8"], body: raw) { response in
                #expect(response.status == .ok)
                let reply = try Self.decode(response.body)
                #expect(reply["output"] as? String == (try MarkupKit.convert("[b]bold[/b] and [i]italic[/i]", from: .bbcode(.phpBB), to: .gfm)).output)
            }
        }
    }

    @Test func optionsCarryTheCLINames() async throws {
        let post = "- a\n  - b\n"
        var options = ConversionOptions(listIndentation: .atLeast(4))
        options.frontMatter = .drop
        let expected = try MarkupKit.convert(post, from: .gfm, to: .gfm, options: options).output
        try await live { client in
            let body = try Self.json(["text": post, "to": "gfm", "list-indent": 4])
            try await client.execute(uri: "/v1/convert", method: .post, headers: Self.jsonHeaders, body: body) { response in
                let reply = try Self.decode(response.body)
                #expect(reply["output"] as? String == expected)
            }
            let bad = try Self.json(["text": post, "to": "gfm", "list-indent": 9])
            try await client.execute(uri: "/v1/convert", method: .post, headers: Self.jsonHeaders, body: bad) { response in
                let reply = try Self.decode(response.body)
                #expect(response.status == .badRequest)
                #expect(reply["error"] as? String == "bad-option")
            }
        }
    }

    @Test func errorsCarryTheCLIMeaningsAndStatuses() async throws {
        try await live(.init(bodyBytes: 4096)) { client in
            func expectError(_ uri: String, _ headers: HTTPFields, _ body: NIOCore.ByteBuffer, status: HTTPResponse.Status,
                             code: String, message: String? = nil, offset: Int? = nil) async throws {
                try await client.execute(uri: uri, method: .post, headers: headers, body: body) { response in
                    #expect(response.status == status, "\(uri) \(code)")
                    let reply = try Self.decode(response.body)
                    #expect(reply["error"] as? String == code)
                    if let message { #expect(reply["message"] as? String == message) }
                    #expect(reply["offset"] as? Int == offset)
                }
            }
            try await expectError("/v1/convert", Self.jsonHeaders, try Self.json(["text": "x", "to": "phbb"]),
                                  status: .badRequest, code: "unknown-format", message: "unknown format 'phbb'; did you mean bbcode_phpbb?")
            try await expectError("/v1/convert", Self.jsonHeaders, NIOCore.ByteBuffer(string: "{\"text\": 3}"),
                                  status: .badRequest, code: "bad-request")
            try await expectError("/v1/convert?to=html", [.contentType: "text/plain"], NIOCore.ByteBuffer(bytes: Array("ok ".utf8) + [0xFF, 0x41]),
                                  status: .unprocessableContent, code: "invalid-utf8", message: "invalid UTF-8 at byte offset 3", offset: 3)
            try await expectError("/v1/convert", [.contentType: "image/png"], NIOCore.ByteBuffer(string: "x"),
                                  status: .unsupportedMediaType, code: "unsupported-media-type")
            try await expectError("/v1/convert?to=html", [.contentType: "text/plain"], NIOCore.ByteBuffer(repeating: UInt8(ascii: "a"), count: 5000),
                                  status: .contentTooLarge, code: "too-large")
            try await expectError("/v1/roundtrip", Self.jsonHeaders, try Self.json(["text": "x"]),
                                  status: .badRequest, code: "bad-request")
            // The server still answers.
            try await client.execute(uri: "/v1/formats", method: .get) { response in #expect(response.status == .ok) }
        }
    }

    @Test func trustIsNeverGivenOverHTTP() async throws {
        let post = "<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>\n"
        try await live { client in
            for unsafe in ["unsafe", "allowsRawHTML", "trust"] {
                let body = try Self.json(["text": post, "from": "gfm", "to": "html", unsafe: true])
                try await client.execute(uri: "/v1/convert", method: .post, headers: Self.jsonHeaders, body: body) { response in
                    let reply = try Self.decode(response.body)
                    let output = try #require(reply["output"] as? String)
                    #expect(unsafeMarkup(in: output) == nil, "\(output)")
                    #expect(!output.contains("<script"))
                }
            }
        }
    }

    @Test func roundTripReportsWhatTheLibraryReports() async throws {
        let post = "- [ ] task\n- [x] done\n"
        let expected = try MarkupKit.roundTrip(utf8: Array(post.utf8), as: .gfm, via: .bbcode(.phpBB))
        #expect(!expected.survived)
        try await live { client in
            let body = try Self.json(["text": post, "from": "gfm", "via": "bbcode_phpbb"])
            try await client.execute(uri: "/v1/roundtrip", method: .post, headers: Self.jsonHeaders, body: body) { response in
                #expect(response.status == .ok)
                let reply = try Self.decode(response.body)
                #expect(reply["survived"] as? Bool == false)
                let differences = try #require(reply["differences"] as? [[String: Any]])
                #expect(differences.map { $0["message"] as? String } == expected.differences.map(\.message))
            }
        }
    }

    @Test func formatsListEveryFormatAndEachDialectsTable() async throws {
        try await live { client in
            try await client.execute(uri: "/v1/formats", method: .get) { response in
                let reply = try Self.decode(response.body)
                let formats = try #require(reply["formats"] as? [[String: Any]])
                #expect(formats.map { $0["name"] as? String } == Format.allNames.map(\.name))
                for dialect in BBCodeDialect.all {
                    let entry = formats.first { $0["name"] as? String == dialect.name }
                    #expect(entry?["describe"] as? String == dialect.summary)
                }
            }
        }
    }

    @Test func thePageLoadsNothingFromElsewhere() async throws {
        try await live { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                let policy = try #require(response.headers[.contentSecurityPolicy])
                #expect(policy.contains("default-src 'none'") && policy.contains("script-src 'self'"))
                let page = String(buffer: response.body)
                #expect(page.contains("<script src=\"/app.js\"></script>") && page.contains("sandbox=\"\""))
                #expect(!page.contains("http://") && !page.contains("https://"))
            }
            try await client.execute(uri: "/app.js", method: .get) { response in
                let script = String(buffer: response.body)
                #expect(!script.contains("http://") && !script.contains("https://") && !script.contains("innerHTML"))
            }
        }
    }

    @Test func theOpenAPIDocumentIsServedAndCheckedIn() async throws {
        let checkedIn = try String(contentsOf: Self.repository.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
        #expect(checkedIn == OpenAPIDocument.yaml, "docs/openapi.yaml differs: markconv serve --print-openapi > docs/openapi.yaml")
        try await live { client in
            try await client.execute(uri: "/openapi.yaml", method: .get) { response in
                #expect(String(buffer: response.body) == OpenAPIDocument.yaml)
            }
        }
    }

    /// Every hostile fixture, posted as text: no crash, no script or event attribute in the
    /// HTML, and the server answers afterwards.
    @Test func hostileFixturesLeaveTheServerStanding() async throws {
        let directory = Self.repository.appendingPathComponent("Tests/MarkupKitTests/Fixtures/hostile")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".md") || $0.hasSuffix(".bbcode") }
        #expect(names.count > 40)
        try await live(.init(bodyBytes: 4 << 20)) { client in
            for name in names.sorted() {
                let bytes = try Array(Data(contentsOf: directory.appendingPathComponent(name)))
                let from = name.hasSuffix(".md") ? "gfm" : "bbcode_phpbb"
                try await client.execute(uri: "/v1/convert?from=\(from)&to=html", method: .post,
                                         headers: [.contentType: "text/plain"], body: NIOCore.ByteBuffer(bytes: bytes)) { response in
                    #expect(response.status == .ok || response.status == .unprocessableContent, "\(name): \(response.status)")
                    if response.status == .ok {
                        let reply = try Self.decode(response.body)
                        let output = try #require(reply["output"] as? String)
                        #expect(unsafeMarkup(in: output) == nil, "\(name): \(unsafeMarkup(in: output) ?? "")")
                    }
                }
            }
            try await client.execute(uri: "/v1/formats", method: .get) { response in #expect(response.status == .ok) }
        }
    }

    /// The README's shell recipe for the API, run as written against a live server (its
    /// address the only change): curl and jq are all it needs.
    @Test(.enabled(if: ["/usr/bin/curl", "/usr/bin/jq"].allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
                   || ProcessInfo.processInfo.environment["CI"] == "true", "curl or jq is not installed"))
    func theReadmesShellRecipeWorks() async throws {
        let readme = try String(contentsOf: Self.repository.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.range(of: "From a shell:\n\n```bash\n"))
        let end = try #require(readme[section.upperBound...].range(of: "\n```\n"))
        let recipe = String(readme[section.upperBound..<end.lowerBound])
        #expect(recipe.contains("http://127.0.0.1:8080/"))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("markconv-recipe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let post = try String(contentsOf: Self.repository.appendingPathComponent("Corpus/samples/nested-list-post.md"), encoding: .utf8)
        try post.write(to: folder.appendingPathComponent("post.md"), atomically: true, encoding: .utf8)
        let smf = try MarkupKit.convert(post, from: .gfm, to: .bbcode(.smf)).output
        try await live { client in
            let port = try #require(client.port)
            let script = "set -euo pipefail\n" + recipe.replacingOccurrences(of: "http://127.0.0.1:8080/", with: "http://127.0.0.1:\(port)/")
            let printed = try await runOffThePool("/bin/bash", ["-c", script], in: folder)
            // The first command's JSON, then the second's output, as jq prints it.
            let first = try #require(printed.firstIndex(of: "\n"))
            let reply = try #require(JSONSerialization.jsonObject(with: Data(printed[..<first].utf8)) as? [String: Any])
            #expect(reply["output"] as? String == (try MarkupKit.convert("- one\n  - nested", from: .gfm, to: .bbcode(.phpBB))).output)
            #expect(String(printed[printed.index(after: first)...]) == smf + "\n")
        }
    }

    /// A document the parser cannot finish within the deadline is 422 too-complex, as the
    /// CLI's exit 65 says; and with one conversion at a time, requests that come while it
    /// runs get 503 with Retry-After, and the next one after it is answered.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/curl") || ProcessInfo.processInfo.environment["CI"] == "true",
                   "curl is not installed"))
    func theDeadlineAndTheBoundHoldOverHTTP() async throws {
        // Tables squared: cmark-gfm takes far longer than a millisecond on this.
        let heavy = String(repeating: "| a | b | c |\n|---|---|---|\n" + String(repeating: "| 1 | 2 | 3 |\n", count: 2000) + "\n", count: 20)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("markconv-heavy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try heavy.write(to: folder.appendingPathComponent("heavy.md"), atomically: true, encoding: .utf8)
        try await live(.init(bodyBytes: 8 << 20, concurrentConversions: 1, parseSeconds: 0.001)) { client in
            try await client.execute(uri: "/v1/convert?from=gfm&to=html", method: .post, headers: [.contentType: "text/plain"],
                                     body: NIOCore.ByteBuffer(string: heavy)) { response in
                let reply = try Self.decode(response.body)
                #expect(response.status == .unprocessableContent)
                #expect(reply["error"] as? String == "too-complex")
            }
        }
        try await live(.init(bodyBytes: 8 << 20, concurrentConversions: 1, parseSeconds: 30)) { client in
            let port = try #require(client.port)
            // Eight at once, each converting the heavy post: one runs, the others are told
            // to come back.
            let statuses = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await runOffThePool("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code} %header{retry-after}",
                                                                  "-H", "Content-Type: text/plain", "--data-binary", "@heavy.md",
                                                                  "http://127.0.0.1:\(port)/v1/convert?from=gfm&to=bbcode_phpbb"],
                                                in: folder)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.contains("200 "), "\(statuses)")
            #expect(statuses.contains("503 1"), "\(statuses)")
            #expect(statuses.allSatisfy { $0 == "200 " || $0 == "503 1" }, "\(statuses)")
            try await client.execute(uri: "/v1/convert?from=gfm&to=html", method: .post, headers: [.contentType: "text/plain"],
                                     body: NIOCore.ByteBuffer(string: "*after*")) { response in
                #expect(response.status == .ok)
            }
        }
    }

    /// Past the bound, a conversion is refused, not queued; a slot comes back when one ends.
    @Test func conversionsBeyondTheBoundAreRefused() async throws {
        let slots = ConversionSlots(count: 2)
        #expect(await slots.take())
        #expect(await slots.take())
        #expect(await !slots.take())
        await slots.give()
        #expect(await slots.take())
        let busy = ConversionService(limits: .init(concurrentConversions: 2)).busy()
        #expect(busy.status == 503)
        #expect(String(decoding: busy.json, as: UTF8.self) == #"{"error":"busy","message":"2 conversions are running; try again shortly"}"#)
    }
}
