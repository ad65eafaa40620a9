#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MarkupKitServer

/// The program behind `markconv serve`, which `markconv` runs in its own place (exec)
/// with the options it has already checked. It is a program of its own so that the HTTP
/// stack (SwiftNIO, Hummingbird, Foundation) is loaded only by the server: linked into
/// `markconv`, its symbols and conformance records made every conversion start 17 M
/// instructions slower (docs/PERFORMANCE.md).
///
/// Arguments: `--host H --port P --max-body-bytes N --max-conversions N
/// --parse-time-limit S`, or `--print-openapi`. Exit status 69 when it cannot listen,
/// 64 for arguments `markconv` would not have passed.
@main
struct ServeMain {
    static func main() async {
        var arguments = Array(CommandLine.arguments.dropFirst())
        if arguments == ["--print-openapi"] {
            print(OpenAPIDocument.yaml, terminator: "")
            return
        }
        var host = "127.0.0.1"
        var port = 8080
        var limits = ConversionService.Limits()
        while !arguments.isEmpty {
            let name = arguments.removeFirst()
            guard let value = arguments.first else { usage("\(name) needs a value") }
            arguments.removeFirst()
            switch name {
            case "--host": host = value
            case "--port": port = number(value, name, in: 0...65535)
            case "--max-body-bytes": limits.bodyBytes = number(value, name, in: 1...Int.max)
            case "--max-conversions": limits.concurrentConversions = number(value, name, in: 1...Int.max)
            case "--parse-time-limit":
                guard let seconds = Double(value), seconds > 0 else { usage("\(name) takes a positive number") }
                limits.parseSeconds = seconds
            default: usage("unknown option \(name)")
            }
        }
        let address = host
        do {
            try await ConversionServer.run(host: address, port: port, limits: limits) { port in
                // The one line scripts wait for (with --port 0, the port chosen).
                printError("markconv: listening on http://\(address.contains(":") ? "[\(address)]" : address):\(port)/")
            }
        } catch {
            printError("markconv: serve: \(error)")
            exit(69)
        }
    }

    private static func number(_ text: String, _ name: String, in range: ClosedRange<Int>) -> Int {
        guard let value = Int(text), range.contains(value) else { usage("\(name) takes \(range.lowerBound) to \(range.upperBound)") }
        return value
    }

    private static func usage(_ message: String) -> Never {
        printError("markconv-serve: \(message) (run it as `markconv serve`, which passes its options)")
        exit(64)
    }

    private static func printError(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}
