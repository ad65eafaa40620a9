#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser

/// `markconv serve`: the conversion API and the paste-a-post page over HTTP, for forum
/// software and people who do not use a shell (README, "The web page and the HTTP API").
///
/// The options are defined and checked here, so the help, man page and completions are
/// markconv's; the server itself is the `markconv-serve` program installed beside it,
/// which this command becomes (exec). Keeping SwiftNIO out of `markconv` keeps every
/// conversion's start-up cheap.
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

    // The same defaults as `ConversionService.Limits()` (ServeCommandTests checks).
    @Option(help: ArgumentHelp("The largest request body.", valueName: "bytes"))
    var maxBodyBytes = 1 << 20

    @Option(help: ArgumentHelp("Conversions running at once; more are answered 503 until one ends.", valueName: "n"))
    var maxConversions = 2 * max(sysconf(Int32(_SC_NPROCESSORS_ONLN)), 1)

    @Option(help: ArgumentHelp("Seconds cmark-gfm or gumbo may parse one document (422 past it).", valueName: "seconds"))
    var parseTimeLimit = 5.0

    @Flag(help: "Print the API's OpenAPI description and exit.")
    var printOpenapi = false

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port takes 0 to 65535") }
        guard maxBodyBytes > 0, maxConversions > 0, parseTimeLimit > 0 else {
            throw ValidationError("--max-body-bytes, --max-conversions and --parse-time-limit take positive numbers")
        }
    }

    func run() throws {
        let arguments = printOpenapi ? ["--print-openapi"]
            : ["--host", host, "--port", String(port), "--max-body-bytes", String(maxBodyBytes),
               "--max-conversions", String(maxConversions), "--parse-time-limit", String(parseTimeLimit)]
        let candidates = Self.serverPaths()
        for path in candidates where access(path, X_OK) == 0 {
            let argv = ([path] + arguments).map { strdup($0) } + [nil]
            execv(path, argv)
            throw CLIFailure(message: "serve: cannot run \(path): \(String(cString: strerror(errno)))", status: .cannotServe)
        }
        throw CLIFailure(message: "serve: the server program is not installed (looked for \(candidates.joined(separator: ", ")))",
                         status: .cannotServe)
    }

    /// Where `markconv-serve` is: beside this executable (a build folder, or a PREFIX/bin
    /// where both were installed), or in PREFIX/libexec/markconv as scripts/install puts it.
    static func serverPaths() -> [String] {
        var buffer = [CChar](repeating: 0, count: 4096)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let executable = length > 0 ? String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            : CommandLine.arguments[0]
        guard let slash = executable.lastIndex(of: "/") else { return ["markconv-serve"] }
        let folder = executable[..<slash]
        return ["\(folder)/markconv-serve", "\(folder)/../libexec/markconv/markconv-serve"]
    }
}
