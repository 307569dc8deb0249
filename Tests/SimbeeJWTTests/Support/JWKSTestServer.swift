import NIOCore
import NIOHTTP1
import NIOPosix
import NIOConcurrencyHelpers

/// A real HTTP/1.1 server on 127.0.0.1 for the remote JWKS tests: it counts requests, records
/// their conditional headers, and answers as the test scripts it (serve a set with caching headers
/// and ETag, fail, hang, stream a huge body, redirect, send garbage).
final class JWKSTestServer: Sendable {
    /// What the server does with the next request.
    enum Action: Sendable {
        case respond(status: Int, headers: [(String, String)], body: [UInt8])
        /// Never answer (the connection stays open).
        case hang
        /// Stream `bytes` of body in chunks without a Content-Length.
        case stream(bytes: Int)
        /// Answer after a delay.
        indirect case delayed(milliseconds: Int64, Action)
        /// Answer once the test opens `gate` (at once if it already is open).
        indirect case gated(Gate, Action)
    }

    /// A latch the test opens to release answers held by ``Action/gated(_:_:)``: ordering by the
    /// test's own steps instead of by a delay that a loaded machine may outlast.
    final class Gate: Sendable {
        private let state = NIOLockedValueBox<(isOpen: Bool, waiting: [@Sendable () -> Void])>((false, []))

        init() {}

        /// Releases every held answer, and any later one at once.
        func open() {
            let released = state.withLockedValue { state in
                state.isOpen = true
                defer { state.waiting = [] }
                return state.waiting
            }
            released.forEach { $0() }
        }

        fileprivate func whenOpen(_ body: @escaping @Sendable () -> Void) {
            let isOpen = state.withLockedValue { state in
                if !state.isOpen { state.waiting.append(body) }
                return state.isOpen
            }
            if isOpen { body() }
        }
    }

    struct Request: Sendable {
        var path: String
        var ifNoneMatch: String?
    }

    struct Document: Sendable {
        var body: [UInt8]
        var entityTag: String?
        var cacheControl: String?
        var expires: String?
        var date: String?
    }

    private struct State {
        var requests: [Request] = []
        var document = Document(body: Array(#"{"keys":[]}"#.utf8))
        var override: (@Sendable (Request) -> Action)?
    }

    private let state = NIOLockedValueBox(State())
    private let channel: any Channel

    /// The server's port on 127.0.0.1.
    let port: Int

    /// `http://127.0.0.1:<port>/.well-known/jwks.json`
    var jwksURL: String { "http://127.0.0.1:\(port)/.well-known/jwks.json" }

    /// `http://127.0.0.1:<port>`
    var issuerURL: String { "http://127.0.0.1:\(port)" }

    private init(channel: any Channel, port: Int) {
        self.channel = channel
        self.port = port
    }

    static func start() async throws -> JWKSTestServer {
        let box = NIOLockedValueBox<JWKSTestServer?>(nil)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Handler(server: { box.withLockedValue { $0 } }))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        let server = JWKSTestServer(channel: channel, port: channel.localAddress!.port!)
        box.withLockedValue { $0 = server }
        return server
    }

    func shutdown() async {
        try? await channel.close()
    }

    // MARK: Scripting

    /// Serves `document` with its caching headers; answers `304` when `If-None-Match` equals its ETag.
    func serve(_ document: Document) {
        state.withLockedValue {
            $0.document = document
            $0.override = nil
        }
    }

    /// Serves a JWK Set body with optional caching headers.
    func serve(jwks body: [UInt8], entityTag: String? = nil, cacheControl: String? = nil) {
        serve(Document(body: body, entityTag: entityTag, cacheControl: cacheControl))
    }

    /// Answers every request with `action` until the next `serve`.
    func answer(_ action: Action) {
        state.withLockedValue { $0.override = { _ in action } }
    }

    /// Requests received so far.
    var requests: [Request] { state.withLockedValue { $0.requests } }

    /// The number of requests received so far.
    var requestCount: Int { state.withLockedValue { $0.requests.count } }

    fileprivate func action(for request: Request) -> Action {
        state.withLockedValue { state -> Action in
            state.requests.append(request)
            if let override = state.override { return override(request) }
            let document = state.document
            var headers: [(String, String)] = [("Content-Type", "application/json")]
            if let tag = document.entityTag { headers.append(("ETag", tag)) }
            if let cacheControl = document.cacheControl { headers.append(("Cache-Control", cacheControl)) }
            if let expires = document.expires { headers.append(("Expires", expires)) }
            if let date = document.date { headers.append(("Date", date)) }
            if let tag = document.entityTag, request.ifNoneMatch == tag {
                return .respond(status: 304, headers: headers, body: [])
            }
            return .respond(status: 200, headers: headers, body: document.body)
        }
    }
}

private final class Handler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let server: @Sendable () -> JWKSTestServer?
    private var head: HTTPRequestHead?

    init(server: @escaping @Sendable () -> JWKSTestServer?) {
        self.server = server
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body:
            break
        case .end:
            guard let head, let server = server() else { return }
            let request = JWKSTestServer.Request(path: head.uri, ifNoneMatch: head.headers.first(name: "If-None-Match"))
            perform(server.action(for: request), context: context)
        }
    }

    private func perform(_ action: JWKSTestServer.Action, context: ChannelHandlerContext) {
        switch action {
        case .respond(let status, let headers, let body):
            var responseHeaders = HTTPHeaders(headers)
            responseHeaders.replaceOrAdd(name: "Content-Length", value: "\(body.count)")
            let head = HTTPResponseHead(version: .http1_1, status: .init(statusCode: status), headers: responseHeaders)
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            if !body.isEmpty {
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
            }
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        case .hang:
            break
        case .stream(let bytes):
            let head = HTTPResponseHead(version: .http1_1, status: .ok, headers: ["Content-Type": "application/json"])
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            let chunk = ByteBuffer(repeating: UInt8(ascii: " "), count: 64 * 1024)
            var sent = 0
            while sent < bytes {
                context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(chunk))), promise: nil)
                sent += chunk.readableBytes
            }
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        case .delayed(let milliseconds, let next):
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(in: .milliseconds(milliseconds)) {
                let (handler, context) = bound.value
                handler.perform(next, context: context)
            }
        case .gated(let gate, let next):
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let eventLoop = context.eventLoop
            gate.whenOpen {
                eventLoop.execute {
                    let (handler, context) = bound.value
                    handler.perform(next, context: context)
                }
            }
        }
    }
}
