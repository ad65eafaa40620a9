import Foundation
import MarkupKit

/// What the HTTP API does, without HTTP: each call takes the request's bytes and gives the
/// status and JSON to answer with. The conversions are `MarkupKit.convert` and
/// `MarkupKit.roundTrip`, the calls `markconv` makes; nothing here converts on its own.
public struct ConversionService: Sendable {
    /// Bounds on what one request may cost.
    public struct Limits: Sendable, Hashable {
        /// The largest request body, in bytes (a post, with room to spare).
        public var bodyBytes: Int
        /// Conversions running at once; more are refused with 503 until one ends.
        public var concurrentConversions: Int
        /// Seconds cmark-gfm or gumbo may parse one document (the CLI's `--parse-time-limit`).
        public var parseSeconds: Double

        public init(bodyBytes: Int = 1 << 20, concurrentConversions: Int = 2 * ProcessInfo.processInfo.activeProcessorCount,
                    parseSeconds: Double = 5) {
            self.bodyBytes = bodyBytes
            self.concurrentConversions = concurrentConversions
            self.parseSeconds = parseSeconds
        }
    }

    /// An answer: the HTTP status and its JSON body.
    public struct Reply: Sendable {
        public var status: Int
        public var json: [UInt8]
    }

    public let limits: Limits

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    // MARK: Requests and replies

    /// `POST /v1/convert` as JSON. Options carry the CLI's names (`front-matter`,
    /// `list-indent`, `nesting-limit`, `tag-limit`, `lossy-utf8`); `--unsafe` has none:
    /// raw HTML and any-scheme addresses are never passed through over HTTP.
    struct ConvertRequest: Decodable {
        var text: String
        var from: String
        var to: String
        var options: RequestOptions

        private enum CodingKeys: String, CodingKey { case text, from, to }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            text = try container.decode(String.self, forKey: .text)
            from = try container.decodeIfPresent(String.self, forKey: .from) ?? "gfm"
            to = try container.decodeIfPresent(String.self, forKey: .to) ?? "html"
            options = try RequestOptions(from: decoder)
        }
    }

    /// `POST /v1/roundtrip`: `text`, `from` and `via`, with the same options.
    struct RoundTripRequest: Decodable {
        var text: String
        var from: String
        var via: String
        var options: RequestOptions

        private enum CodingKeys: String, CodingKey { case text, from, via }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            text = try container.decode(String.self, forKey: .text)
            from = try container.decodeIfPresent(String.self, forKey: .from) ?? "gfm"
            via = try container.decode(String.self, forKey: .via)
            options = try RequestOptions(from: decoder)
        }
    }

    struct RequestOptions: Decodable {
        var frontMatter: FrontMatter?
        var listIndent: Int?
        var nestingLimit: Int?
        var tagLimit: Int?
        var lossyUTF8 = false

        private enum CodingKeys: String, CodingKey {
            case frontMatter = "front-matter", listIndent = "list-indent", nestingLimit = "nesting-limit"
            case tagLimit = "tag-limit", lossyUTF8 = "lossy-utf8"
        }

        init() {}

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            if let text = try container.decodeIfPresent(String.self, forKey: .frontMatter) {
                guard let value = FrontMatter(rawValue: text) else {
                    throw RequestError.badOption("front-matter takes drop, keep or markdown")
                }
                frontMatter = value
            }
            listIndent = try container.decodeIfPresent(Int.self, forKey: .listIndent)
            if let listIndent, !(1...8).contains(listIndent) { throw RequestError.badOption("list-indent takes 1 to 8 spaces") }
            nestingLimit = try container.decodeIfPresent(Int.self, forKey: .nestingLimit)
            tagLimit = try container.decodeIfPresent(Int.self, forKey: .tagLimit)
            lossyUTF8 = try container.decodeIfPresent(Bool.self, forKey: .lossyUTF8) ?? false
        }
    }

    enum RequestError: Error {
        case badOption(String)
    }

    struct WarningReply: Encodable {
        var line: Int
        var column: Int
        var kind: String
        var message: String

        init(_ warning: ConversionWarning) {
            line = Int(warning.position.line)
            column = Int(warning.position.column)
            kind = warning.kind.rawValue
            message = warning.message
        }
    }

    struct ConvertReply: Encodable {
        var output: String
        var warnings: [WarningReply]
        var lossy: Bool
    }

    struct DifferenceReply: Encodable {
        var path: [String]
        var line: Int
        var column: Int
        var message: String
    }

    struct RoundTripReply: Encodable {
        var survived: Bool
        var differences: [DifferenceReply]
        var warnings: [WarningReply]
    }

    /// Every error is `{"error": code, "message": …}`, with `offset` for invalid UTF-8;
    /// the codes name what the CLI's exit statuses name.
    struct ErrorReply: Encodable {
        var error: String
        var message: String
        var offset: Int?
    }

    // MARK: Endpoints

    /// `POST /v1/convert` with a JSON body.
    public func convert(json body: [UInt8]) -> Reply {
        let request: ConvertRequest
        switch decode(ConvertRequest.self, body) {
        case .success(let decoded): request = decoded
        case .failure(let failure): return failure.reply
        }
        return convert(Array(request.text.utf8), from: request.from, to: request.to, request.options)
    }

    /// `POST /v1/convert?from=…&to=…` with the post itself as the body.
    public func convert(raw body: [UInt8], from: String?, to: String?, lossyUTF8: Bool = false) -> Reply {
        var options = RequestOptions()
        options.lossyUTF8 = lossyUTF8
        return convert(body, from: from ?? "gfm", to: to ?? "html", options)
    }

    /// `POST /v1/roundtrip` with a JSON body.
    public func roundTrip(json body: [UInt8]) -> Reply {
        let request: RoundTripRequest
        switch decode(RoundTripRequest.self, body) {
        case .success(let decoded): request = decoded
        case .failure(let failure): return failure.reply
        }
        do {
            let source = try format(request.from, readable: true)
            let via = try format(request.via, readable: true)
            let report = try MarkupKit.roundTrip(utf8: Array(request.text.utf8), as: source, via: via,
                                                 options: conversionOptions(request.options))
            let differences = report.differences.map {
                DifferenceReply(path: $0.path, line: Int($0.position.line), column: Int($0.position.column), message: $0.message)
            }
            return reply(200, RoundTripReply(survived: report.survived, differences: differences,
                                             warnings: report.warnings.map(WarningReply.init)))
        } catch {
            return failure(error)
        }
    }

    /// `GET /v1/formats`: every format, and each dialect's `--describe` table.
    public func formats() -> Reply {
        struct FormatReply: Encodable {
            var name: String
            var summary: String
            var readable: Bool
            var writable: Bool
            var describe: String?
        }
        let formats = Format.allNames.map { entry in
            FormatReply(name: entry.name, summary: entry.summary, readable: entry.format.name.isReadable,
                        writable: entry.format.name.isWritable,
                        describe: entry.format.name == .bbcode ? entry.format.dialect.summary : nil)
        }
        return reply(200, ["formats": formats])
    }

    // MARK: Conversion

    private func convert(_ input: [UInt8], from: String, to: String, _ requestOptions: RequestOptions) -> Reply {
        do {
            let source = try format(from, readable: true)
            let target = try format(to, readable: false)
            let result = try MarkupKit.convert(utf8: input, from: source, to: target, options: conversionOptions(requestOptions))
            let output = String(decoding: result.bytes, as: UTF8.self)
            return reply(200, ConvertReply(output: output, warnings: result.warnings.map(WarningReply.init),
                                           lossy: result.warnings.contains { $0.kind == .loss }))
        } catch {
            return failure(error)
        }
    }

    /// The CLI's defaults, with the server's parse deadline; trust is never given.
    private func conversionOptions(_ request: RequestOptions) -> ConversionOptions {
        var options = ConversionOptions(allowsRawHTML: false,
                                        listIndentation: request.listIndent.map { .atLeast($0) } ?? .contentColumn)
        options.frontMatter = request.frontMatter ?? .drop
        options.replacesInvalidUTF8 = request.lossyUTF8
        if let nestingLimit = request.nestingLimit, nestingLimit > 0 {
            options.nestingLimit = min(nestingLimit, options.nestingLimit ?? nestingLimit)
        }
        if let tagLimit = request.tagLimit, tagLimit > 0 { options.tagLimit = min(tagLimit, options.tagLimit ?? tagLimit) }
        options.parseTimeLimit = limits.parseSeconds
        return options
    }

    private func format(_ name: String, readable: Bool) throws -> Format {
        let format = try Format(parsing: name)
        if readable && !format.name.isReadable { throw FormatError.notReadable(format.name) }
        if !readable && !format.name.isWritable { throw FormatError.notWritable(format.name) }
        return format
    }

    private func decode<Request: Decodable>(_ type: Request.Type, _ body: [UInt8]) -> Result<Request, ReplyFailure> {
        do {
            return .success(try JSONDecoder().decode(type, from: Data(body)))
        } catch RequestError.badOption(let message) {
            return .failure(ReplyFailure(reply: reply(400, ErrorReply(error: "bad-option", message: message))))
        } catch {
            return .failure(ReplyFailure(reply: reply(400, ErrorReply(error: "bad-request", message: "not the JSON this endpoint takes: \(Self.describe(error))"))))
        }
    }

    struct ReplyFailure: Error {
        var reply: Reply
    }

    private func failure(_ error: any Error) -> Reply {
        switch error {
        case let error as FormatError:
            let code = switch error {
            case .unknownFormat: "unknown-format"
            case .unknownExtension: "unknown-extension"
            case .extensionsNotSupported: "no-extensions"
            case .notReadable: "not-readable"
            case .notWritable: "not-writable"
            }
            return reply(400, ErrorReply(error: code, message: error.description))
        case let error as MarkupKitError:
            switch error {
            case .invalidUTF8(let offset):
                return reply(422, ErrorReply(error: "invalid-utf8", message: error.description, offset: offset))
            case .invalidInput:
                return reply(422, ErrorReply(error: "invalid-input", message: error.description))
            case .tooComplex:
                return reply(422, ErrorReply(error: "too-complex", message: error.description))
            }
        default:
            return reply(500, ErrorReply(error: "internal", message: String(describing: error)))
        }
    }

    /// The reply for a body over `Limits.bodyBytes`.
    public func bodyTooLarge() -> Reply {
        reply(413, ErrorReply(error: "too-large", message: "the request body is over \(limits.bodyBytes) bytes"))
    }

    /// The reply when `Limits.concurrentConversions` are running.
    public func busy() -> Reply {
        reply(503, ErrorReply(error: "busy", message: "\(limits.concurrentConversions) conversions are running; try again shortly"))
    }

    /// The reply for a body that is neither JSON nor text.
    public func unsupportedMediaType(_ type: String) -> Reply {
        reply(415, ErrorReply(error: "unsupported-media-type", message: "send application/json, or the post as text/plain (not \(type))"))
    }

    /// The reply for a path or method the API does not have.
    public func notFound(_ path: String) -> Reply {
        reply(404, ErrorReply(error: "not-found", message: "no such endpoint: \(path)"))
    }

    private func reply(_ status: Int, _ value: some Encodable) -> Reply {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data(#"{"error":"internal","message":"unencodable reply"}"#.utf8)
        return Reply(status: status, json: Array(data))
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "'\(key.stringValue)' is missing"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "'\(context.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type"
        case DecodingError.dataCorrupted(let context): context.debugDescription
        default: String(describing: error)
        }
    }
}
