import Foundation
@testable import MarkupKitServer
import Testing

/// `markconv serve` as a user starts it: markconv checks the options and becomes the
/// `markconv-serve` program built beside it (so that markconv itself does not load
/// SwiftNIO). The other server tests run the server in process; these run the binaries.
@Suite(.serialized)
struct ServeCommandTests {
    /// The build folder, where the test bundle, `markconv` and `markconv-serve` are.
    static let buildFolder = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    static let markconv = buildFolder.appendingPathComponent("markconv").path

    /// Starts `markconv serve` with `arguments`; returns the process and its standard
    /// error's file, once it has printed its address or ended.
    private func start(_ arguments: [String]) throws -> (Process, URL) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("serve-\(UUID().uuidString).log")
        try #require(FileManager.default.createFile(atPath: log.path, contents: nil))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.markconv)
        process.arguments = ["serve"] + arguments
        process.standardError = try FileHandle(forWritingTo: log)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while try process.isRunning && Date() < deadline && !String(contentsOf: log, encoding: .utf8).contains("listening on") {
            Thread.sleep(forTimeInterval: 0.05)
        }
        return (process, log)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/curl") || ProcessInfo.processInfo.environment["CI"] == "true",
                   "curl is not installed"))
    func serveBecomesTheServerAndSaysWhenItCannotListen() async throws {
        let (server, log) = try start(["--port", "0", "--max-conversions", "3"])
        defer {
            server.terminate()
            server.waitUntilExit()
            try? FileManager.default.removeItem(at: log)
        }
        let said = try String(contentsOf: log, encoding: .utf8)
        let address = try #require(said.firstMatch(of: /markconv: listening on (http:\/\/127\.0\.0\.1:(\d+)\/)/), "it said: \(said)")
        let formats = try await runOffThePool("/usr/bin/curl", ["-sS", "--max-time", "20", String(address.1) + "v1/formats"])
        #expect(formats.contains("\"bbcode_phpbb\""))
        let converted = try await runOffThePool("/usr/bin/curl", ["-sS", "--max-time", "20", "-H", "Content-Type: text/plain",
                                                                  "--data-binary", "- a\n  - b",
                                                                  String(address.1) + "v1/convert?from=gfm&to=bbcode_phpbb"])
        #expect(converted.contains("[list]\\n[*]a\\n[list]"), "\(converted)")

        // A second server on the same port: exit status 69 and one markconv: line.
        let (second, secondLog) = try start(["--port", String(address.2)])
        second.waitUntilExit()
        defer { try? FileManager.default.removeItem(at: secondLog) }
        #expect(second.terminationStatus == 69)
        #expect(try String(contentsOf: secondLog, encoding: .utf8).hasPrefix("markconv: serve: "))
    }

    /// markconv defines the options (help, man page, completion); their defaults are the
    /// library's.
    @Test func theOptionsDefaultsAreTheServersOwn() async throws {
        let help = try await runOffThePool(Self.markconv, ["serve", "--help"])
        let limits = ConversionService.Limits()
        #expect(help.contains("(default: \(limits.bodyBytes))"))
        #expect(help.contains("(default: \(limits.concurrentConversions))"))
        #expect(help.contains("(default: \(limits.parseSeconds))"))
        let openAPI = try await runOffThePool(Self.markconv, ["serve", "--print-openapi"])
        #expect(openAPI == OpenAPIDocument.yaml)
    }

    @Test func optionsOutOfRangeAreRefusedByMarkconv() async throws {
        do {
            _ = try await runOffThePool(Self.markconv, ["serve", "--port", "70000"])
            Issue.record("--port 70000 was taken")
        } catch let failure as ProgramFailed {
            #expect(failure.status == 64)
        }
    }
}
