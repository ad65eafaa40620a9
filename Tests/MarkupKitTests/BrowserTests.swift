import Foundation
import MarkupKit
import Testing

/// The HTML our writer makes from every hostile input, in a real browser: headless
/// Chromium loads it all on one page that forbids every script but its own (a
/// Content-Security-Policy nonce) and records each attempt the policy stops — an
/// `onerror`, a `javascript:` link (every link whose scheme is not a web or mail one is
/// clicked), a `<script>` — along with any dialog and any navigation away. There must be
/// none. Runs where Chromium is installed; `.ci/run` installs it, and under CI a
/// missing Chromium is a failure, not a skip.
@Suite struct BrowserTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }
    static let underCI = ProcessInfo.processInfo.environment["CI"] == "true"

    @Test func chromiumIsThereUnderCI() {
        #expect(Self.chromium != nil || !Self.underCI, "CI must run the browser test: apt-get install chromium")
    }

    /// Every hostile fixture, from every reader that takes it, as HTML.
    static func outputs() throws -> [(name: String, html: String)] {
        let folder = HostileInputTests.directory
        var outputs: [(String, String)] = []
        var options = ConversionOptions()
        options.replacesInvalidUTF8 = true
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        where file.hasSuffix(".bbcode") || file.hasSuffix(".md") {
            let input = Array(try Data(contentsOf: folder.appendingPathComponent(file)))
            let readers: [Format] = file.hasSuffix(".md") ? [.gfm, .commonmark, .html]
                : BBCodeDialect.all.map { Format.bbcode($0) } + [.html]
            for reader in readers {
                let html = try MarkupKit.convert(utf8: input, from: reader, to: .html, options: options).text
                outputs.append(("\(file) as \(reader)", html))
            }
        }
        return outputs
    }

    @Test(.enabled(if: chromium != nil, "Chromium is not installed"))
    func noScriptRunsNoDialogOpensNothingNavigates() throws {
        let outputs = try Self.outputs()
        #expect(outputs.count > 300)
        var body = ""
        for (name, html) in outputs {
            body += "<section data-case=\"\(name.replacingOccurrences(of: "\"", with: ""))\">\n\(html)</section>\n"
        }
        let result = try Self.load(body: body)
        #expect(result == "[]", "Chromium recorded: \(result ?? "no result: the page navigated away or did not load")")
    }

    /// The trap itself works: the same page with a payload in it records the attempt.
    @Test(.enabled(if: chromium != nil, "Chromium is not installed"))
    func theTrapCatchesAPayload() throws {
        let unsafe = try MarkupKit.convert("<img src=x onerror=alert(1)>\n", from: .gfm, to: .html,
                                           options: ConversionOptions(allowsRawHTML: true)).output
        #expect(unsafe.contains("onerror"))
        let result = try Self.load(body: unsafe)
        #expect(result?.contains("script-src") == true, "\(result ?? "no result")")
    }

    /// Loads `body` in headless Chromium on the trap page and returns what the page's own
    /// script recorded (a JSON array), or nil if the page did not finish as itself.
    static func load(body: String) throws -> String? {
        let nonce = "markupkit\(UInt64.random(in: 0...UInt64.max))"
        let page = """
            <!DOCTYPE html><html><head><meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="script-src 'nonce-\(nonce)'; object-src 'none'; base-uri 'none'; form-action 'none'">
            <script nonce="\(nonce)">
            window.__attempts = [];
            document.addEventListener("securitypolicyviolation", function (event) {
              window.__attempts.push(event.violatedDirective + " " + (event.sample || "") + " in " + event.blockedURI);
            });
            for (const name of ["alert", "confirm", "prompt", "print", "open"]) {
              window[name] = function () { window.__attempts.push("dialog " + name); };
            }
            window.addEventListener("load", function () {
              for (const link of document.querySelectorAll("[href]")) {
                if (!["http:", "https:", "mailto:", "file:"].includes(link.protocol || "")) {
                  try { link.click(); } catch (error) {}
                }
              }
              setTimeout(function () {
                const result = document.createElement("pre");
                result.id = "markupkit-result";
                result.textContent = "ATTEMPTS " + JSON.stringify(window.__attempts) + " END";
                document.body.appendChild(result);
              }, 300);
            });
            </script></head><body>
            \(body)
            </body></html>
            """
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("markupkit-browser-\(nonce)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("page.html")
        try page.write(to: file, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(chromium))
        process.arguments = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                             "--user-data-dir=\(folder.appendingPathComponent("profile").path)",
                             "--virtual-time-budget=5000", "--dump-dom", file.absoluteString]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let dom = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return recorded(in: dom)
    }

    /// What the page's own script wrote into its result element, once the page had loaded.
    static func recorded(in dom: String) -> String? {
        guard let element = dom.range(of: "<pre id=\"markupkit-result\">ATTEMPTS ", options: .backwards),
              let end = dom[element.upperBound...].range(of: " END</pre>") else { return nil }
        return String(dom[element.upperBound..<end.lowerBound])
    }
}
