import ArgumentParser
import Foundation
import MarkupKitServer

/// `markconv serve`: the conversion API and the paste-a-post page over HTTP, for forum
/// software and people who do not use a shell (README, "The web page and the HTTP API").
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the conversion API (POST /v1/convert, /v1/roundtrip; GET /v1/formats) and a web page.",
        discussion: """
            Listens on 127.0.0.1:8080 unless told otherwise; GET / is the page, GET /openapi.yaml \
            describes the API. Conversions are the ones markconv makes, never with --unsafe: raw \
            HTML and addresses of any scheme are not passed through. Bodies over --max-body-bytes \
            get 413; past --max-conversions running at once, 503.
            """
    )

    @Option(help: "The address to listen on (0.0.0.0 for every interface).")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on (0 for any free one).")
    var port = 8080

    @Option(help: ArgumentHelp("The largest request body.", valueName: "bytes"))
    var maxBodyBytes = ConversionService.Limits().bodyBytes

    @Option(help: ArgumentHelp("Conversions running at once; more are answered 503 until one ends.", valueName: "n"))
    var maxConversions = ConversionService.Limits().concurrentConversions

    @Option(help: ArgumentHelp("Seconds cmark-gfm or gumbo may parse one document (422 past it).", valueName: "seconds"))
    var parseTimeLimit = ConversionService.Limits().parseSeconds

    @Flag(help: "Print the API's OpenAPI description and exit.")
    var printOpenapi = false

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port takes 0 to 65535") }
        guard maxBodyBytes > 0, maxConversions > 0, parseTimeLimit > 0 else {
            throw ValidationError("--max-body-bytes, --max-conversions and --parse-time-limit take positive numbers")
        }
    }

    /// markconv's entry point is synchronous (every error one `markconv:` line); the
    /// server runs on Swift's concurrency pool while this thread waits for it to stop.
    func run() throws {
        if printOpenapi {
            print(OpenAPIDocument.yaml, terminator: "")
            return
        }
        let limits = ConversionService.Limits(bodyBytes: maxBodyBytes, concurrentConversions: maxConversions,
                                              parseSeconds: parseTimeLimit)
        let host = host, port = port
        let outcome = Outcome()
        let stopped = DispatchSemaphore(value: 0)
        Task.detached {
            do {
                try await ConversionServer.run(host: host, port: port, limits: limits) { port in
                    // The one line scripts wait for (with --port 0, the port chosen).
                    ProcessIO.printError("markconv: listening on http://\(host.contains(":") ? "[\(host)]" : host):\(port)/")
                }
            } catch {
                outcome.failure = "\(error)"
            }
            stopped.signal()
        }
        stopped.wait()
        if let failure = outcome.failure {
            throw CLIFailure(message: "serve: \(failure)", status: .cannotServe)
        }
    }

    /// How the server ended, handed from its task to the waiting thread.
    private final class Outcome: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: String?
        var failure: String? {
            get { lock.withLock { stored } }
            set { lock.withLock { stored = newValue } }
        }
    }
}
