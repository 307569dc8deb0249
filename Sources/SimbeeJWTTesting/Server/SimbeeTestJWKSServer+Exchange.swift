import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
public import SimbeeJWT

/// Simbee's API-key exchange, so that a token client can be tested end to end: client, exchange,
/// token, verifier, all against one server.
extension SimbeeTestJWKSServer {
    /// The path of Simbee's API-key exchange, `/auth/exchange`, which this server answers as Simbee
    /// does, so that a token client can be tested without Simbee.
    ///
    /// `POST /auth/exchange` with the body `{"api_key":"<key>"}`, for a key registered with
    /// ``acceptAPIKey(_:subject:clientID:scopes:algorithm:lifetime:)``, is answered `200` with
    ///
    /// ```json
    /// {"data":{"token":"eyJ…","expires_in":900,"scopes":["read"]}}
    /// ```
    ///
    /// where `token` is minted by ``issuer`` for the key's subject, client id and scopes, so that
    /// ``verifier(clientID:)`` accepts it. Every answer is `application/json` with
    /// `Cache-Control: no-store`; the others carry `{"error":"<code>"}` and never repeat the key.
    /// The first that applies, in this order:
    ///
    /// | request | answer |
    /// |---|---|
    /// | a method other than `POST` | `405`, `method_not_allowed`, with `Allow: POST` |
    /// | a body over 64 KiB | `413`, `request_too_large`, and the connection is closed |
    /// | any, while ``isExchangeAvailable`` is `false` | `503`, `temporarily_unavailable`, with `Retry-After: 1` |
    /// | a body that is not a JSON object with a string `api_key` | `400`, `invalid_request` |
    /// | a key never accepted, or revoked | `401`, `invalid_api_key` |
    /// | a key whose token cannot be minted | `500`, `server_error` |
    ///
    /// The body is read by the library's strict JSON reader: a duplicate `api_key`, a byte-order
    /// mark or trailing text is a `400`. Keys are compared byte for byte, so a key that differs
    /// only in case, in a trailing space or in its Unicode normalization is unknown.
    ///
    /// ```swift
    /// let server = try await SimbeeTestJWKSServer.start(serving: try SimbeeTestIssuer())
    /// server.acceptAPIKey("sk_test_1", subject: "cu_42", clientID: "cl_app", scopes: ["read"])
    /// var configuration = SimbeeTokenProvider.Configuration()  // from SimbeeAuthClient
    /// configuration.baseURL = server.baseURL
    /// let provider = try SimbeeTokenProvider(apiKey: try SimbeeAPIKey("sk_test_1"), configuration: configuration)
    /// let verified = try await server.verifier(clientID: "cl_app").verify(try await provider.token().value)
    /// #expect(verified.claims.subject == "cu_42")
    /// ```
    public static let exchangePath = "/auth/exchange"

    /// Registers an API key the exchange accepts, with what the tokens minted for it carry;
    /// registering a key again, revoked or not, replaces what it carried.
    ///
    /// Each exchange of the key mints a new token, issued at that moment: `iss` the issuer's,
    /// `sub` and `aud` as given, `scopes` as a JSON array (left out when empty), a unique `jti`,
    /// and `exp` `lifetime` after `iat`. The answer's `expires_in` is `lifetime` in whole seconds.
    ///
    /// - Parameters:
    ///   - apiKey: The key, compared byte for byte with the one a client sends.
    ///   - subject: `sub`; default ``TestClaims/defaultSubject``.
    ///   - clientID: `aud`, the client the token is for; default ``TestClaims/defaultAudience``,
    ///     which ``verifier(clientID:)`` accepts by default.
    ///   - scopes: The scopes the token and the answer carry; default `["read"]`.
    ///   - algorithm: Which of the issuer's current keys signs; default the issuer's
    ///     ``SimbeeTestIssuer/defaultAlgorithm``. When the issuer has no current key for it,
    ///     exchanges of this key are answered `500` with `server_error`.
    ///   - lifetime: The time from `iat` to `exp`; default ``TestClaims/defaultLifetime``, 15
    ///     minutes, as Simbee's exchange tokens have. Zero or less mints tokens that have expired;
    ///     one beyond 64-bit seconds is answered `500`.
    public func acceptAPIKey(
        _ apiKey: String,
        subject: String = TestClaims.defaultSubject,
        clientID: String = TestClaims.defaultAudience,
        scopes: [String] = ["read"],
        algorithm: JWTAlgorithm? = nil,
        lifetime: Duration = TestClaims.defaultLifetime
    ) {
        let grant = ExchangeState.Grant(
            subject: subject,
            clientID: clientID,
            scopes: scopes,
            algorithm: algorithm ?? issuer.defaultAlgorithm,
            lifetime: lifetime
        )
        shared.exchange.register(Array(apiKey.utf8), grant)
    }

    /// Revokes an API key: from now on its exchanges are answered `401` with `invalid_api_key`, as
    /// Simbee answers a revoked key. Tokens already minted for it stay valid until they expire.
    ///
    /// Revoking a key that is not registered does nothing. Accepting a revoked key again with
    /// ``acceptAPIKey(_:subject:clientID:scopes:algorithm:lifetime:)`` restores it.
    ///
    /// - Parameter apiKey: The key, compared byte for byte.
    public func revokeAPIKey(_ apiKey: String) {
        shared.exchange.revoke(Array(apiKey.utf8))
    }

    /// Whether the exchange answers. Set it to `false` to simulate an outage of the exchange:
    /// every exchange is then answered `503 Service Unavailable` with `Retry-After: 1` (and still
    /// counted in ``exchangeCount``) until it is set back to `true`. Default `true`.
    ///
    /// Independent of ``isAvailable``, which is the JWK Set's: a client can be tested against an
    /// exchange that fails while the keys are served, and the other way round.
    public var isExchangeAvailable: Bool {
        get { shared.exchange.isAvailable }
        set { shared.exchange.isAvailable = newValue }
    }

    /// How long the server waits before it answers each exchange, to test a client's timeouts
    /// against a slow answer. Default `.zero`.
    ///
    /// The wait is real time, scheduled on the connection's event loop without blocking it, so
    /// other requests are answered meanwhile. A negative value is stored as zero. The wait applies
    /// to every answer to a `POST` except `413`, which is sent as soon as the body is too large.
    public var exchangeDelay: Duration {
        get { shared.exchange.delay }
        set { shared.exchange.delay = newValue }
    }

    /// The number of exchange requests (`POST` to ``exchangePath``) received so far, whatever the
    /// answer: `200`, `400`, `401`, `413`, `500` or `503`.
    public var exchangeCount: Int { shared.exchange.count }
}

/// The exchange's registered keys and settings, shared by the server and its connections.
final class ExchangeState: Sendable {
    /// What the tokens minted for one API key carry.
    struct Grant: Sendable {
        var subject: String
        var clientID: String
        var scopes: [String]
        var algorithm: JWTAlgorithm
        var lifetime: Duration
    }

    /// What to answer an exchange, decided under the lock; minting and writing happen after it.
    enum Decision {
        case unavailable
        case invalidRequest
        case invalidKey
        case tooLarge
        case grant(Grant)
    }

    private struct State {
        /// Registered keys, by their UTF-8 bytes: `String` equality would take a key in another
        /// Unicode normalization for the registered one.
        var grants: [[UInt8]: Grant] = [:]
        var isAvailable = true
        var delay: Duration = .zero
        var count = 0
    }

    private let state = NIOLockedValueBox(State())

    func register(_ apiKey: [UInt8], _ grant: Grant) {
        state.withLockedValue { $0.grants[apiKey] = grant }
    }

    func revoke(_ apiKey: [UInt8]) {
        state.withLockedValue { _ = $0.grants.removeValue(forKey: apiKey) }
    }

    var isAvailable: Bool {
        get { state.withLockedValue { $0.isAvailable } }
        set { state.withLockedValue { $0.isAvailable = newValue } }
    }

    var delay: Duration {
        get { state.withLockedValue { $0.delay } }
        // Clamped to what a scheduled task can wait for without a conversion that traps.
        set { state.withLockedValue { $0.delay = min(max(newValue, .zero), .seconds(Int64.max)) } }
    }

    var count: Int { state.withLockedValue { $0.count } }

    /// Counts an exchange and decides its answer: a body over the limit first, then the outage,
    /// then the body, then the key.
    ///
    /// - Parameters:
    ///   - tooLarge: Whether the body went past the limit.
    ///   - apiKey: The key the body names; `nil` when the body is not a valid request.
    /// - Returns: The answer, and how long to wait before sending it.
    func decide(tooLarge: Bool, apiKey: [UInt8]?) -> (Decision, delay: Duration) {
        state.withLockedValue { state in
            state.count += 1
            if tooLarge { return (.tooLarge, .zero) }
            guard state.isAvailable else { return (.unavailable, state.delay) }
            guard let apiKey else { return (.invalidRequest, state.delay) }
            guard let grant = state.grants[apiKey] else { return (.invalidKey, state.delay) }
            return (.grant(grant), state.delay)
        }
    }

    /// The key named by an exchange body: the string member `api_key` of a JSON object the strict
    /// reader accepts (one value, no duplicate member); `nil` for any other body.
    static func apiKey(inBody body: [UInt8]) -> [UInt8]? {
        let limits = StrictJSONReader.Limits(maxDepth: 8, maxBytes: JWKSRequestHandler.maxRequestBodyBytes)
        guard let document = try? StrictJSONReader.parse(body, limits: limits),
            document.kind(document.root) == .object,
            let member = document.member("api_key", of: document.root),
            let key = document.string(member)
        else {
            return nil
        }
        return Array(key.utf8)
    }
}

extension JWKSRequestHandler {
    /// Headers of every exchange answer: a token or an error is never cached.
    private static let exchangeHeaders = [("Content-Type", "application/json"), ("Cache-Control", "no-store")]

    /// Answers a request for ``SimbeeTestJWKSServer/exchangePath`` once its body has been read.
    func respondToExchange(
        _ request: HTTPRequestHead,
        body: [UInt8],
        bodyIsTruncated: Bool,
        context: ChannelHandlerContext
    ) {
        guard request.method == .POST else {
            let answer = ExchangeAnswer.error(.methodNotAllowed, "method_not_allowed", headers: [("Allow", "POST")])
            writeExchange(answer, request: request, context: context)
            return
        }
        let apiKey = bodyIsTruncated ? nil : ExchangeState.apiKey(inBody: body)
        let (decision, delay) = shared.exchange.decide(tooLarge: bodyIsTruncated, apiKey: apiKey)
        let answer = answer(to: decision)
        guard delay > .zero else {
            writeExchange(answer, request: request, context: context)
            return
        }
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: TimeAmount(delay)) {
            let (handler, context) = bound.value
            handler.writeExchange(answer, request: request, context: context)
        }
    }

    /// Answers `413` as soon as a request for the exchange has a body over the limit, and closes
    /// the connection, so the client need not finish sending it.
    ///
    /// - Returns: Whether the request was answered; other routes read on and drop the excess.
    func refuseOversizedBody(of request: HTTPRequestHead, context: ChannelHandlerContext) -> Bool {
        guard Self.path(of: request) == SimbeeTestJWKSServer.exchangePath, request.method == .POST,
            shared.script == nil
        else {
            return false
        }
        _ = shared.exchange.decide(tooLarge: true, apiKey: nil)
        writeExchange(answer(to: .tooLarge), request: request, context: context)
        return true
    }

    /// What an exchange answer is made of.
    private struct ExchangeAnswer {
        var status: HTTPResponseStatus
        var headers: [(String, String)] = []
        var body: String

        /// An error answer with the body `{"error":"<code>"}`: a fixed code, never the request's
        /// content.
        static func error(_ status: HTTPResponseStatus, _ code: String, headers: [(String, String)] = []) -> Self {
            var body = #"{"error":"#
            appendQuoted(code, to: &body)
            body += "}"
            return Self(status: status, headers: headers, body: body)
        }
    }

    /// The answer for `decision`, minting the token for a grant.
    private func answer(to decision: ExchangeState.Decision) -> ExchangeAnswer {
        switch decision {
        case .unavailable:
            return .error(.serviceUnavailable, "temporarily_unavailable", headers: [("Retry-After", "1")])
        case .invalidRequest:
            return .error(.badRequest, "invalid_request")
        case .invalidKey:
            return .error(.unauthorized, "invalid_api_key")
        case .tooLarge:
            return .error(.payloadTooLarge, "request_too_large")
        case .grant(let grant):
            let claims = TestClaims(
                subject: grant.subject,
                audience: [grant.clientID],
                scopes: grant.scopes,
                lifetime: grant.lifetime
            )
            // `inSeconds` never traps; a lifetime beyond 64-bit seconds has no `expires_in`.
            guard let expiresIn = Int64(exactly: grant.lifetime.inSeconds.rounded(.towardZero)) else {
                return .error(.internalServerError, "server_error")
            }
            do {
                let token = try shared.issuer.token(claims, algorithm: grant.algorithm)
                let data: [TestClaimValue.Member] = [
                    .init(name: "token", value: .string(token)),
                    .init(name: "expires_in", value: .integer(expiresIn)),
                    .init(name: "scopes", value: .array(grant.scopes.map { .string($0) })),
                ]
                return ExchangeAnswer(
                    status: .ok,
                    body: try TestClaimValue.Member.json([.init(name: "data", value: .object(data))])
                )
            } catch {
                return .error(.internalServerError, "server_error")
            }
        }
    }

    private func writeExchange(_ answer: ExchangeAnswer, request: HTTPRequestHead, context: ChannelHandlerContext) {
        write(
            answer.status,
            headers: Self.exchangeHeaders + answer.headers,
            body: Array(answer.body.utf8),
            request: request,
            // After a `413` the rest of the body may still be on its way: close rather than read it.
            closingConnection: answer.status == .payloadTooLarge,
            context: context
        )
    }
}
