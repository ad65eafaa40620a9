import Hummingbird
import Logging
import MarkupKit

/// `markconv serve`: the HTTP API and the web page over `ConversionService`.
public enum ConversionServer {
    /// The application, listening on `host`:`port` (0: a free port, as tests use).
    /// `onListening` is told the port once the socket is bound.
    public static func application(host: String = "127.0.0.1", port: Int = 8080,
                                   limits: ConversionService.Limits = .init(),
                                   onListening: @escaping @Sendable (Int) -> Void = { _ in }) -> some ApplicationProtocol {
        // Hummingbird's own log says only what goes wrong; markconv says where it listens.
        var logger = Logger(label: "markconv serve")
        logger.logLevel = .warning
        return Application(router: router(ConversionService(limits: limits)),
                           configuration: .init(address: .hostname(host, port: port), serverName: "markconv"),
                           onServerRunning: { channel in onListening(channel.localAddress?.port ?? port) },
                           logger: logger)
    }

    /// Runs the application until the process is told to stop (SIGTERM, SIGINT).
    public static func run(host: String, port: Int, limits: ConversionService.Limits,
                           onListening: @escaping @Sendable (Int) -> Void) async throws {
        try await application(host: host, port: port, limits: limits, onListening: onListening).runService()
    }

    /// The routes; public so that tests can drive them without a socket too.
    public static func router(_ service: ConversionService) -> Router<BasicRequestContext> {
        let router = Router()
        let slots = ConversionSlots(count: service.limits.concurrentConversions)

        router.get("/") { _, _ in
            page(WebPage.html, type: "text/html; charset=utf-8")
        }
        router.get("/app.js") { _, _ in
            page(WebPage.script, type: "text/javascript; charset=utf-8")
        }
        router.get("/openapi.yaml") { _, _ in
            page(OpenAPIDocument.yaml, type: "application/yaml; charset=utf-8")
        }
        router.get("/v1/formats") { _, _ in
            response(service.formats())
        }
        router.post("/v1/convert") { request, _ in
            try await converting(request, service, slots) { body in
                if isJSON(request) { return service.convert(json: body) }
                guard isText(request) else { return service.unsupportedMediaType(request.headers[.contentType] ?? "none") }
                let query = request.uri.queryParameters
                return service.convert(raw: body, from: query["from"].map(String.init), to: query["to"].map(String.init),
                                       lossyUTF8: query["lossy-utf8"].map { $0 == "true" || $0 == "1" } ?? false)
            }
        }
        router.post("/v1/roundtrip") { request, _ in
            try await converting(request, service, slots) { body in
                isJSON(request) ? service.roundTrip(json: body)
                    : service.unsupportedMediaType(request.headers[.contentType] ?? "none")
            }
        }
        return router
    }

    /// Collects the body within the limit, takes a conversion slot (or answers 503), and
    /// converts off the event loop: a conversion is CPU work.
    private static func converting(_ request: Request, _ service: ConversionService, _ slots: ConversionSlots,
                                   _ work: @escaping @Sendable ([UInt8]) -> ConversionService.Reply) async throws -> Response {
        let body = request.body
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: service.limits.bodyBytes)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            return response(service.bodyTooLarge())
        }
        guard await slots.take() else {
            var busy = response(service.busy())
            busy.headers[.retryAfter] = "1"
            return busy
        }
        let bytes = Array(buffer.readableBytesView)
        let reply = await Task.detached { work(bytes) }.value
        await slots.give()
        return response(reply)
    }

    private static func isJSON(_ request: Request) -> Bool {
        mediaType(request).hasPrefix("application/json")
    }

    private static func isText(_ request: Request) -> Bool {
        let type = mediaType(request)
        return type.isEmpty || type.hasPrefix("text/plain") || type.hasPrefix("text/markdown") || type.hasPrefix("text/x-bbcode")
    }

    private static func mediaType(_ request: Request) -> String {
        (request.headers[.contentType] ?? "").lowercased()
    }

    private static func response(_ reply: ConversionService.Reply) -> Response {
        Response(status: .init(code: reply.status),
                 headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(bytes: reply.json)))
    }

    /// The page and its script come from the binary; the policy lets them load nothing
    /// else, and the preview frame run nothing at all.
    private static func page(_ text: String, type: String) -> Response {
        Response(status: .ok,
                 headers: [
                    .contentType: type,
                    .contentSecurityPolicy: "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; frame-src 'self'; img-src data:; base-uri 'none'; form-action 'none'",
                    .init("X-Content-Type-Options")!: "nosniff",
                 ],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// How many conversions may run at once; the rest are told to come back.
actor ConversionSlots {
    private var free: Int

    init(count: Int) {
        free = max(1, count)
    }

    func take() -> Bool {
        guard free > 0 else { return false }
        free -= 1
        return true
    }

    func give() {
        free += 1
    }
}
