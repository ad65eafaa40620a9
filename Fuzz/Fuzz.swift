import MarkupKit
import MarkupKitTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The fuzzing harness: one input, read by one reader, written by every writer, with the
/// properties that must hold for any input checked on the way. A violated property
/// aborts, so libFuzzer (or a replay) reports the input that broke it.
///
/// Built with `-DFUZZING -sanitize=fuzzer,address` (scripts/fuzz) it is a libFuzzer
/// target; built normally it replays files given on the command line.
enum FuzzTarget {
    static let readers: [Format] = [.gfm, .commonmark, .html, .json] + BBCodeDialect.all.map { Format.bbcode($0) }

    /// Which reader: `FUZZ_READER` (a format name) if set, else the input's first byte.
    static let chosenReader: Format? = ProcessInfoless.environment("FUZZ_READER").flatMap { try? Format(parsing: $0) }

    static func run(_ bytes: UnsafeBufferPointer<UInt8>) {
        var input = Array(bytes)
        let reader: Format
        if let chosenReader {
            reader = chosenReader
        } else {
            guard let first = input.first else { return }
            reader = readers[Int(first) % readers.count]
            input.removeFirst()
        }
        var options = ConversionOptions()
        options.replacesInvalidUTF8 = true
        options.parseTimeLimit = 2
        let reading: ReadResult
        do {
            reading = try MarkupKit.read(utf8: input, as: reader, options: options)
        } catch MarkupKitError.tooComplex {
            return
        } catch MarkupKitError.invalidInput where reader.name == .json {
            return
        } catch {
            fail("\(reader) reader threw \(error)")
        }
        let document = reading.document
        // Every input is written as HTML; one more writer, chosen by the input, keeps each
        // run short (libFuzzer's strength is the number of runs) while every writer gets
        // its share of inputs.
        let others: [Format] = [Format.gfm, Format.commonmark, Format.json] + BBCodeDialect.all.map { Format.bbcode($0) }
        var hash = 0
        for byte in input { hash = hash &* 31 &+ Int(byte) }
        let other = others[Int(hash.magnitude % UInt(others.count))]
        for target in [Format.html, other] {
            guard let written = try? MarkupKit.write(document, as: target, readFrom: reader) else {
                fail("\(target) writer threw")
            }
            if target == .html {
                let problems = HTMLOracle.violations(in: written.text)
                if !problems.isEmpty { fail("unsafe HTML from \(reader): \(problems.prefix(3))") }
            }
            if target == .json {
                guard let back = try? JSONReader().read(utf8: written.bytes).document, back == document else {
                    fail("JSON did not read back to the same tree")
                }
            }
            if target.name == .bbcode || target.name == .gfm {
                // What a writer wrote, its reader reads, and rendered safely it is safe HTML.
                guard let again = try? MarkupKit.read(utf8: written.bytes, as: target, options: options) else { continue }
                let html = HTMLWriter().write(again.document).text
                let problems = HTMLOracle.violations(in: html)
                if !problems.isEmpty { fail("unsafe HTML via \(target) from \(reader): \(problems.prefix(3))") }
            }
        }
    }

    static func fail(_ message: String) -> Never {
        let line = Array("fuzz: \(message)\n".utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        abort()
    }
}

/// The environment without Foundation (which the fuzzer build does not need).
enum ProcessInfoless {
    static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}

#if FUZZING
// SwiftPM makes an executable's entry point `<module>_main`; here that entry point hands
// the command line to libFuzzer's driver, which calls back for every input.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>,
                     _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzTarget.run(UnsafeBufferPointer(start: data, count: size))
    return 0
}

@_cdecl("markconv_fuzz_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments, fuzzTestOneInput)
}
#else
@main
struct FuzzReplay {
    /// Replays inputs (a crash found by the fuzzer, or a seed folder's files) without libFuzzer.
    static func main() {
        for path in CommandLine.arguments.dropFirst() {
            guard let file = fopen(path, "rb") else { continue }
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = fread(&buffer, 1, buffer.count, file)
                if count <= 0 { break }
                bytes += buffer[0..<count]
            }
            fclose(file)
            bytes.withUnsafeBufferPointer { FuzzTarget.run($0) }
        }
    }
}
#endif
