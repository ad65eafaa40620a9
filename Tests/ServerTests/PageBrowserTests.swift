import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import MarkupKit
import MarkupKitServer
import Testing

/// The page in headless Chromium, against a live server: a nested list typed in Markdown
/// comes out as nested phpBB lists, and the preview shows the same depth; hostile posts
/// leave no script anywhere in it. Screenshots go to `.build/artifacts/`.
@Suite(.serialized) struct PageBrowserTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }
    static let underCI = ProcessInfo.processInfo.environment["CI"] == "true"
    private static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func chromiumIsThereUnderCI() {
        #expect(Self.chromium != nil || !Self.underCI, "CI must run the page in a browser: apt-get install chromium")
    }

    /// The page's address with the post in its fragment, which fills the page and fires
    /// the input event typing fires.
    private static func address(port: Int, from: String, to: String, text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let encoded = text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
        return "http://127.0.0.1:\(port)/#from=\(from)&to=\(to)&text=\(encoded)"
    }

    /// Chromium's DOM of the page once its script has run (or a screenshot of it).
    ///
    /// Chromium is waited for on a Dispatch thread, not on Swift's cooperative pool: the
    /// server it talks to runs on that pool, which two blocked tests would starve. An
    /// address too long for one argument (Linux takes 128 kB) is reached through a local
    /// page that goes there.
    private static func chromium(_ address: String, screenshot: URL? = nil) async throws -> String {
        let executable = try #require(chromium)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("markconv-page-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var target = address
        if address.utf8.count > 100_000 {
            let quoted = String(decoding: try JSONSerialization.data(withJSONObject: [address]), as: UTF8.self)
            let go = folder.appendingPathComponent("go.html")
            try "<!doctype html><script>location.replace(\(quoted)[0])</script>".write(to: go, atomically: true, encoding: .utf8)
            target = go.absoluteString
        }
        var arguments = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                         "--user-data-dir=\(folder.appendingPathComponent("profile").path)", "--virtual-time-budget=8000",
                         "--window-size=1280,1000"]
        if let screenshot { arguments.append("--screenshot=\(screenshot.path)") } else { arguments.append("--dump-dom") }
        arguments.append(target)
        return try await runOffThePool(executable, arguments)
    }

    /// The preview frame's document, as the DOM dump escapes it in `srcdoc`.
    private static func preview(in dom: String) -> String? {
        guard let start = dom.range(of: "srcdoc=\""), let end = dom[start.upperBound...].firstIndex(of: "\"") else { return nil }
        return String(dom[start.upperBound..<end])
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
    }

    /// How deep `<ul>` nests in some HTML.
    private static func listDepth(_ html: String) -> Int {
        var depth = 0, deepest = 0
        var rest = html[...]
        while let tag = rest.firstRange(of: /<\/?ul[ >]/) {
            depth += rest[tag].hasPrefix("</") ? -1 : 1
            deepest = max(deepest, depth)
            rest = rest[tag.upperBound...]
        }
        return deepest
    }

    @Test(.enabled(if: chromium != nil, "Chromium is not installed"))
    func aNestedListTypedInMarkdownReachesPhpBBNested() async throws {
        let post = "Shopping:\n\n- fruit\n  - apples\n    - green\n- bread\n"
        let expected = try MarkupKit.convert(post, from: .gfm, to: .bbcode(.phpBB)).output
        try await ConversionServer.application(host: "127.0.0.1", port: 0).test(.live) { client in
            let port = try #require(client.port)
            let address = Self.address(port: port, from: "gfm", to: "bbcode_phpbb", text: post)
            let dom = try await Self.chromium(address)
            #expect(dom.contains("data-state=\"converted\""), "the page never finished converting")
            let escaped = expected.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;")
            #expect(dom.contains("readonly=\"\" spellcheck=\"false\">\(escaped)</textarea>"), "output not shown: \(dom)")
            let preview = try #require(Self.preview(in: dom))
            #expect(Self.listDepth(preview) == 3, "\(preview)")
            #expect(preview.contains("green"))
            // A screenshot for people, kept with the build's artifacts.
            let artifacts = Self.repository.appendingPathComponent(".build/artifacts")
            try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
            let screenshot = artifacts.appendingPathComponent("serve-page-nested-list.png")
            try? FileManager.default.removeItem(at: screenshot)
            _ = try await Self.chromium(address, screenshot: screenshot)
            #expect(FileManager.default.fileExists(atPath: screenshot.path))
        }
    }

    /// Every hostile fixture, typed into the page: the page's own script is the only one,
    /// and the preview holds no script, no event attribute and no javascript: address. A
    /// fixture whose address would pass Chromium's 2 MB limit on URLs (the 700 kB nesting
    /// one) is left to `ServerTests`, which posts it to the API.
    @Test(.enabled(if: chromium != nil, "Chromium is not installed"))
    func hostilePostsPutNoScriptInThePreview() async throws {
        let directory = Self.repository.appendingPathComponent("Tests/MarkupKitTests/Fixtures/hostile")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".md") || $0.hasSuffix(".bbcode") }.sorted()
        #expect(names.count > 40)
        try await ConversionServer.application(host: "127.0.0.1", port: 0, limits: .init(bodyBytes: 4 << 20)).test(.live) { client in
            let port = try #require(client.port)
            // Two browsers at a time: each start is seconds of one core, and this test is
            // the last to finish in the suite's run.
            var pending: [(name: String, address: String)] = []
            for name in names {
                let data = try Data(contentsOf: directory.appendingPathComponent(name))
                // Invalid UTF-8 cannot be typed; the API test posts those bytes.
                guard let text = String(data: data, encoding: .utf8) else { continue }
                let from = name.hasSuffix(".md") ? "gfm" : "bbcode_phpbb"
                let address = Self.address(port: port, from: from, to: "html", text: text)
                guard address.utf8.count < 1_900_000 else { continue }
                pending.append((name, address))
            }
            let typed = pending.count
            try await withThrowingTaskGroup(of: (String, String).self) { group in
                func startNext() {
                    guard let next = pending.popLast() else { return }
                    group.addTask { (next.name, try await Self.chromium(next.address)) }
                }
                startNext()
                startNext()
                while let (name, dom) = try await group.next() {
                    #expect(dom.contains("data-state=\"converted\"") || dom.contains("data-state=\"failed\""),
                            "\(name): the page never finished converting")
                    #expect(dom.components(separatedBy: "<script").count == 2, "\(name): a script in the page")
                    let preview = Self.preview(in: dom) ?? ""
                    #expect(unsafeMarkup(in: preview) == nil, "\(name): \(unsafeMarkup(in: preview) ?? "")")
                    startNext()
                }
            }
            #expect(typed >= names.count - 3, "only \(typed) of \(names.count) fixtures were typed")
            try await client.execute(uri: "/v1/formats", method: .get) { response in #expect(response.status == .ok) }
        }
    }
}
