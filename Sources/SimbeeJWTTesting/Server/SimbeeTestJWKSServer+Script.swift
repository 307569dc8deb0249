import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// Scripted answers, for this package's own tests of the JWKS client: the faults a client must
/// survive (a hung or stalled server, a slow answer, any status, headers and body) and a log of the
/// requests it made.
///
/// Package API, not public: a user of the testing kit tests against Simbee's behaviour, which
/// ``SimbeeTestJWKSServer/isAvailable`` already covers; the faults are for the library's own tests.
///
/// While a script is set, the server answers every request from it, whatever its path and method,
/// and counts each one in ``SimbeeTestJWKSServer/requestCount``.
extension SimbeeTestJWKSServer {
    /// What the server does with a request.
    package enum Action: Sendable {
        case respond(status: Int, headers: [(String, String)], body: [UInt8])
        /// Never answer (the connection stays open until the client or ``shutdown()`` closes it).
        case hang
        /// Stream `bytes` of body in 64 KiB chunks without a `Content-Length`.
        case stream(bytes: Int)
        /// Answer after a delay.
        indirect case delayed(milliseconds: Int64, Action)
        /// Answer once the test opens `gate` (at once if it already is open).
        indirect case gated(Gate, Action)
    }

    /// A latch the test opens to release answers held by ``Action/gated(_:_:)``: ordering by the
    /// test's own steps instead of by a delay that a loaded machine may outlast.
    package final class Gate: Sendable {
        private let state = NIOLockedValueBox<(isOpen: Bool, waiting: [@Sendable () -> Void])>((false, []))

        package init() {}

        /// Releases every held answer, and any later one at once.
        package func open() {
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

    /// A request as the log records it, so a test can assert what a client sent.
    package struct Request: Sendable {
        /// The method, such as `GET` or `POST`.
        package var method: String = "GET"
        /// The request target, with its query.
        package var path: String
        package var ifNoneMatch: String?
        /// Every header line, in the order sent, names as sent.
        package var headers: [(String, String)] = []
        /// The body; only its first 64 KiB when it was longer.
        package var body: [UInt8] = []
    }

    /// A JWK Set document with the caching headers it is served with.
    package struct Document: Sendable {
        package var body: [UInt8]
        package var entityTag: String?
        package var cacheControl: String?

        package init(body: [UInt8], entityTag: String? = nil, cacheControl: String? = nil) {
            self.body = body
            self.entityTag = entityTag
            self.cacheControl = cacheControl
        }

        /// `200` with the body, or `304` without one when `If-None-Match` equals the ETag.
        func answer(to request: Request) -> Action {
            var headers: [(String, String)] = [("Content-Type", "application/json")]
            if let entityTag { headers.append(("ETag", entityTag)) }
            if let cacheControl { headers.append(("Cache-Control", cacheControl)) }
            if let entityTag, request.ifNoneMatch == entityTag {
                return .respond(status: 304, headers: headers, body: [])
            }
            return .respond(status: 200, headers: headers, body: body)
        }
    }

    /// What a script answers with.
    enum Script: Sendable {
        case document(Document)
        case action(Action)
    }

    /// Starts a server whose answers the test scripts; until it does, every request gets an empty
    /// JWK Set, `{"keys":[]}`.
    ///
    /// ``SimbeeTestJWKSServer/issuer`` is a new ``SimbeeTestIssuer`` whose keys are never served.
    package static func startScripted() async throws -> SimbeeTestJWKSServer {
        let server = try await start(serving: try SimbeeTestIssuer())
        server.serve(jwks: Array(#"{"keys":[]}"#.utf8))
        return server
    }

    /// Serves `document` with its caching headers for every request from now on.
    package func serve(_ document: Document) {
        shared.script = .document(document)
    }

    /// Serves a JWK Set body with optional caching headers for every request from now on.
    package func serve(jwks body: [UInt8], entityTag: String? = nil, cacheControl: String? = nil) {
        serve(Document(body: body, entityTag: entityTag, cacheControl: cacheControl))
    }

    /// Answers every request with `action` until the next `serve` or `answer`.
    package func answer(_ action: Action) {
        shared.script = .action(action)
    }

    /// Every request the script answered so far, in order of arrival.
    package var requests: [Request] { shared.requests }
}

extension JWKSRequestHandler {
    /// Carries out a scripted answer to `request`.
    func perform(_ action: SimbeeTestJWKSServer.Action, request: HTTPRequestHead, context: ChannelHandlerContext) {
        switch action {
        case .respond(let status, let headers, let body):
            write(.init(statusCode: status), headers: headers, body: body, request: request, context: context)
        case .hang:
            break
        case .stream(let bytes):
            let head = HTTPResponseHead(
                version: request.version,
                status: .ok,
                headers: ["Content-Type": "application/json"]
            )
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
                handler.perform(next, request: request, context: context)
            }
        case .gated(let gate, let next):
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let eventLoop = context.eventLoop
            gate.whenOpen {
                eventLoop.execute {
                    let (handler, context) = bound.value
                    handler.perform(next, request: request, context: context)
                }
            }
        }
    }
}
