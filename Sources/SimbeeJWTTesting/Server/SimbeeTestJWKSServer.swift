import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// A real HTTP/1.1 server on 127.0.0.1 that serves a ``SimbeeTestIssuer``'s JWK Set at
/// `/.well-known/jwks.json`, as Simbee serves its own.
///
/// Each request reads the issuer's keys at that moment, so rotations show up at once. The server
/// answers with `Content-Type: application/jwk-set+json`, the configured `Cache-Control`, and an
/// `ETag` that changes with every change of the set (a matching `If-None-Match` gets
/// `304 Not Modified`); other paths get `404`, other methods `405`, unparseable requests `400` and a
/// closed connection. It counts JWK Set requests so a test can assert when a verifier refreshed,
/// and can simulate an outage.
///
/// The same server answers Simbee's API-key exchange at ``exchangePath`` with tokens from the
/// issuer, so that a token client can be tested end to end.
///
/// ```swift
/// let issuer = try SimbeeTestIssuer()
/// let server = try await SimbeeTestJWKSServer.start(serving: issuer)
/// let verifier = try server.verifier(clientID: "cl_test")
/// _ = try await verifier.verify(try issuer.token())
/// #expect(server.requestCount == 1)
/// await server.shutdown()
/// ```
///
/// Plain `http` is accepted by `RemoteJWKS` only because the server listens on a
/// loopback address.
public final class SimbeeTestJWKSServer: Sendable {
    /// The path the JWK Set is served at.
    public static let jwksPath = "/.well-known/jwks.json"

    /// The issuer whose keys are served.
    public let issuer: SimbeeTestIssuer

    /// The port the server listens on at 127.0.0.1, chosen by the system.
    public let port: Int

    /// The JWK Set's URL: `http://127.0.0.1:<port>/.well-known/jwks.json`.
    public var url: String { baseURL + Self.jwksPath }

    /// The server's origin, `http://127.0.0.1:<port>`, without a trailing slash.
    ///
    /// What a token client takes as Simbee's base URL: it then asks ``exchangePath`` on this
    /// server, as it would ask Simbee's API.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    private let channel: any Channel
    let shared: SharedState

    private init(issuer: SimbeeTestIssuer, channel: any Channel, port: Int, shared: SharedState) {
        self.issuer = issuer
        self.channel = channel
        self.port = port
        self.shared = shared
    }

    deinit {
        // A server nobody shut down still releases its port.
        channel.close(promise: nil)
    }

    /// Starts a server on 127.0.0.1 at a port the system chooses.
    ///
    /// - Parameters:
    ///   - issuer: The issuer whose published keys are served.
    ///   - cacheControl: The `Cache-Control` header of JWK Set responses, or `nil` for none.
    ///     Default `public, max-age=300`.
    /// - Returns: The running server. Call ``shutdown()`` when done.
    /// - Throws: When the socket cannot be bound.
    public static func start(
        serving issuer: SimbeeTestIssuer,
        cacheControl: String? = "public, max-age=300"
    ) async throws -> SimbeeTestJWKSServer {
        let shared = SharedState(issuer: issuer, cacheControl: cacheControl)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard shared.track(channel) else {
                        // The server is shutting down: refuse the connection.
                        channel.close(promise: nil)
                        return
                    }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(JWKSRequestHandler(shared: shared))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        guard let port = channel.localAddress?.port else {
            try? await channel.close()
            throw TestKitError("the server socket has no port")
        }
        return SimbeeTestJWKSServer(issuer: issuer, channel: channel, port: port, shared: shared)
    }

    /// Stops accepting connections, closes the open ones, and returns when all are closed.
    /// Calling it again does nothing.
    public func shutdown() async {
        try? await channel.close()
        for connection in shared.stopTracking() {
            try? await connection.close()
        }
    }

    /// The number of requests for the JWK Set received so far (any answer: 200, 304 or 503).
    public var requestCount: Int { shared.requestCount }

    /// Whether the JWK Set is served. Set it to `false` to simulate an outage: requests are then
    /// answered `503 Service Unavailable` (and still counted) until it is set back to `true`.
    public var isAvailable: Bool {
        get { shared.isAvailable }
        set { shared.isAvailable = newValue }
    }
}

/// What the server and its connection handlers share.
final class SharedState: Sendable {
    let issuer: SimbeeTestIssuer
    let cacheControl: String?
    /// The API-key exchange's keys and settings.
    let exchange = ExchangeState()

    private struct State {
        var requestCount = 0
        var isAvailable = true
        /// The package's tests' script, which answers every request while it is set.
        var script: SimbeeTestJWKSServer.Script?
        /// The requests the script answered, for the package's tests.
        var requests: [SimbeeTestJWKSServer.Request] = []
        /// Open connections, by identity; `nil` once shutdown began.
        var connections: [ObjectIdentifier: any Channel]? = [:]
    }

    private let state = NIOLockedValueBox(State())

    init(issuer: SimbeeTestIssuer, cacheControl: String?) {
        self.issuer = issuer
        self.cacheControl = cacheControl
    }

    var requestCount: Int { state.withLockedValue { $0.requestCount } }

    var isAvailable: Bool {
        get { state.withLockedValue { $0.isAvailable } }
        set { state.withLockedValue { $0.isAvailable = newValue } }
    }

    var script: SimbeeTestJWKSServer.Script? {
        get { state.withLockedValue { $0.script } }
        set { state.withLockedValue { $0.script = newValue } }
    }

    var requests: [SimbeeTestJWKSServer.Request] { state.withLockedValue { $0.requests } }

    /// While a script is set, logs and counts `request` and returns the script's answer.
    func scriptedAction(for request: SimbeeTestJWKSServer.Request) -> SimbeeTestJWKSServer.Action? {
        state.withLockedValue { state in
            guard let script = state.script else { return nil }
            state.requests.append(request)
            state.requestCount += 1
            switch script {
            case .document(let document): return document.answer(to: request)
            case .action(let action): return action
            }
        }
    }

    /// Counts a JWK Set request; returns whether the set is being served.
    func countRequest() -> Bool {
        state.withLockedValue {
            $0.requestCount += 1
            return $0.isAvailable
        }
    }

    /// Remembers an open connection until it closes; `false` once shutdown began.
    func track(_ channel: any Channel) -> Bool {
        let id = ObjectIdentifier(channel)
        let tracked = state.withLockedValue { state -> Bool in
            guard state.connections != nil else { return false }
            state.connections?[id] = channel
            return true
        }
        if tracked {
            channel.closeFuture.whenComplete { [self] _ in
                state.withLockedValue { _ = $0.connections?.removeValue(forKey: id) }
            }
        }
        return tracked
    }

    /// The connections open now; no further ones are accepted.
    func stopTracking() -> [any Channel] {
        state.withLockedValue { state in
            let open = state.connections.map { Array($0.values) } ?? []
            state.connections = nil
            return open
        }
    }
}

/// Answers one connection's requests.
final class JWKSRequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// The largest request body read; the exchange answers a larger one `413`, other routes keep
    /// only its first bytes. Reading stays bounded whatever a client sends.
    static let maxRequestBodyBytes = 64 * 1024

    let shared: SharedState
    private var head: HTTPRequestHead?
    /// The current request's body, at most ``maxRequestBodyBytes`` of it.
    private var body: [UInt8] = []
    /// Whether the current request's body went past ``maxRequestBodyBytes``.
    private var bodyIsTruncated = false
    /// Whether the current request was answered before its end (`413`); the rest of it is dropped.
    private var isAnsweredEarly = false

    init(shared: SharedState) {
        self.shared = shared
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
            bodyIsTruncated = false
            isAnsweredEarly = false
        case .body(let chunk):
            guard let head, !isAnsweredEarly else { return }
            let room = Self.maxRequestBodyBytes - body.count
            body += chunk.readableBytesView.prefix(room)
            if chunk.readableBytes > room, !bodyIsTruncated {
                bodyIsTruncated = true
                isAnsweredEarly = refuseOversizedBody(of: head, context: context)
            }
        case .end:
            guard let head else { return }
            self.head = nil
            let body = self.body
            self.body = []
            if !isAnsweredEarly {
                respond(to: head, body: body, bodyIsTruncated: bodyIsTruncated, context: context)
            }
        }
    }

    /// A request NIO could not parse was answered `400` by the pipeline's error handler; closing
    /// the connection is left to the handlers after it.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    /// The request target without its query.
    static func path(of request: HTTPRequestHead) -> Substring {
        request.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
    }

    private func respond(
        to request: HTTPRequestHead,
        body: [UInt8],
        bodyIsTruncated: Bool,
        context: ChannelHandlerContext
    ) {
        let logged = SimbeeTestJWKSServer.Request(
            method: request.method.rawValue,
            path: request.uri,
            ifNoneMatch: request.headers.first(name: "If-None-Match"),
            headers: request.headers.map { ($0.name, $0.value) },
            body: body
        )
        if let action = shared.scriptedAction(for: logged) {
            perform(action, request: request, context: context)
            return
        }
        let path = Self.path(of: request)
        if path == SimbeeTestJWKSServer.exchangePath {
            respondToExchange(request, body: body, bodyIsTruncated: bodyIsTruncated, context: context)
            return
        }
        guard path == SimbeeTestJWKSServer.jwksPath else {
            write(.notFound, body: "not found\n", request: request, context: context)
            return
        }
        guard request.method == .GET || request.method == .HEAD else {
            write(.methodNotAllowed, headers: [("Allow", "GET, HEAD")], body: "", request: request, context: context)
            return
        }
        guard shared.countRequest() else {
            write(
                .serviceUnavailable,
                headers: [("Cache-Control", "no-store")],
                body: "unavailable\n",
                request: request,
                context: context
            )
            return
        }
        let document = shared.issuer.document()
        let entityTag = "\"jwks-\(document.generation)\""
        var headers = [("Content-Type", "application/jwk-set+json"), ("ETag", entityTag)]
        if let cacheControl = shared.cacheControl { headers.append(("Cache-Control", cacheControl)) }
        let tags = request.headers[canonicalForm: "If-None-Match"]
        if tags.contains(where: { $0 == entityTag || $0 == "*" }) {
            write(.notModified, headers: headers, body: [], request: request, context: context)
        } else {
            write(.ok, headers: headers, body: document.body, request: request, context: context)
        }
    }

    private func write(
        _ status: HTTPResponseStatus,
        headers: [(String, String)] = [("Content-Type", "text/plain; charset=utf-8")],
        body: String,
        request: HTTPRequestHead,
        context: ChannelHandlerContext
    ) {
        write(status, headers: headers, body: Array(body.utf8), request: request, context: context)
    }

    func write(
        _ status: HTTPResponseStatus,
        headers: [(String, String)],
        body: [UInt8],
        request: HTTPRequestHead,
        closingConnection: Bool = false,
        context: ChannelHandlerContext
    ) {
        var responseHeaders = HTTPHeaders(headers)
        // 304 carries no body; HEAD announces the body it leaves out.
        if status != .notModified {
            responseHeaders.replaceOrAdd(name: "Content-Length", value: String(body.count))
        }
        let keepAlive = request.isKeepAlive && !closingConnection
        if !keepAlive { responseHeaders.replaceOrAdd(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: request.version, status: status, headers: responseHeaders)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if request.method != .HEAD, status != .notModified, !body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
        }
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            written.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
