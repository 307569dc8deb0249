import HTTPTypes
import Hummingbird
import HummingbirdAuth
import HummingbirdTesting
import Logging
import NIOConcurrencyHelpers
import SimbeeJWT
import SimbeeJWTHummingbird
import SimbeeJWTTestSupport
import SimbeeJWTTesting
import Testing

/// The app's own identity type, one configuration for the whole chain, the Simbee way to require an
/// identity beside hummingbird-auth's bare one, refusals the app throws, and the key source the
/// app owns: all through Hummingbird's router test client, with tokens from the testing kit.
@Suite("SimbeeAuthenticator with the app's identity")
struct AppIdentityTests {
    /// The app's own user type.
    struct User: Sendable {
        let id: String
        let tenant: String
    }

    typealias Context = BasicAuthRequestContext<User>

    /// What the identity closure does for a subject.
    static func lookup(_ caller: SimbeeIdentity, _ request: Request) throws -> User? {
        switch caller.subject {
        case "cu_unknown": return nil
        case "cu_suspended": throw BearerRefusal.invalidToken(reason: "suspended")
        case "cu_readonly": throw BearerRefusal.insufficientScope(.all(["orders:write"]))
        case "cu_database_down": throw HTTPError(.internalServerError)
        default: return User(id: caller.subject, tenant: request.headers[.tenant] ?? "none")
        }
    }

    /// Routes:
    /// - `GET /public`: anyone; the user id or `anonymous`.
    /// - `GET /me`: `requireSimbeeIdentity()`; `id|tenant`.
    /// - `GET /bare`: hummingbird-auth's `requireIdentity()`, the bare 401.
    /// - `GET /read`: `RequireScopes(.all(["read"]))`.
    /// - `GET /handler-delete`: `requireSimbeeIdentity(scopes: .any(["delete"]))`.
    /// - `GET /app-refuses`: the handler throws `BearerRefusal.insufficientScope(.all(["owner"]))`.
    static func router(
        verifier: JWTVerifier,
        configuration: SimbeeAuthConfiguration = SimbeeAuthConfiguration(),
        lookups: Counter = Counter()
    ) throws -> Router<Context> {
        let router = Router(context: Context.self)
        router.add(
            middleware: try SimbeeAuthenticator(verifier: verifier, configuration: configuration) {
                caller,
                request,
                _ in
                lookups.increment()
                return try lookup(caller, request)
            }
        )
        router.get("public") { _, context in context.identity?.id ?? "anonymous" }
        router.get("me") { _, context in
            let user = try context.requireSimbeeIdentity()
            return "\(user.id)|\(user.tenant)"
        }
        router.get("bare") { _, context in try context.requireIdentity().id }
        router.group("read")
            .add(middleware: RequireScopes(.all(["read"])))
            .get { _, context in "read by \(try context.requireSimbeeIdentity().id)" }
        router.get("handler-delete") { _, context in
            try context.requireSimbeeIdentity(scopes: .any(["delete"])).id
        }
        router.get("app-refuses") { _, _ -> String in
            throw BearerRefusal.insufficientScope(.all(["owner"]))
        }
        return router
    }

    /// Runs `test` against the app, its keys served by the kit's scoped server.
    func withApp(
        configuration: SimbeeAuthConfiguration = SimbeeAuthConfiguration(),
        lookups: Counter = Counter(),
        _ test: @Sendable (SimbeeTestIssuer, any TestClientProtocol, CapturedLogs) async throws -> Void
    ) async throws {
        try await SimbeeTestJWKSServer.withServer(serving: try SimbeeTestIssuer()) { server in
            let logs = CapturedLogs()
            let app = Application(
                router: try Self.router(
                    verifier: try server.verifier(),
                    configuration: configuration,
                    lookups: lookups
                ),
                logger: logs.logger
            )
            try await app.test(.router) { client in try await test(server.issuer, client, logs) }
        }
    }

    @Test("The app's user type, built from the caller and the request, reaches the handler")
    func appIdentityReachesHandler() async throws {
        let lookups = Counter()
        try await withApp(lookups: lookups) { issuer, client, logs in
            let token = try issuer.token(TestClaims(subject: "cu_42", scopes: ["read"]))
            var headers: HTTPFields = [.authorization: "Bearer \(token)"]
            headers[.tenant] = "acme"
            let me = try await client.execute(uri: "/me", method: .get, headers: headers) { $0 }
            #expect(me.status == .ok)
            #expect(me.bodyText == "cu_42|acme")
            #expect(try await client.get("/read", bearer: token).bodyText == "read by cu_42")
            #expect(try await client.get("/public", bearer: token).bodyText == "cu_42")
            #expect(lookups.value == 3)
            // Near misses: no token, or a refused one, never reaches the closure.
            #expect(try await client.get("/public").bodyText == "anonymous")
            #expect(try await client.get("/public", bearer: try issuer.token(.expired)).status == .unauthorized)
            #expect(lookups.value == 3)
            #expect(logs.refusals.map { $0.metadata["simbee.auth.reason"] } == ["expired"])
        }
    }

    @Test("The closure refuses: nil and invalidToken answer 401 invalid_token, insufficientScope 403")
    func closureRefuses() async throws {
        let configuration = SimbeeAuthConfiguration(realm: "orders")
        try await withApp(configuration: configuration) { issuer, client, logs in
            let cases: [(String, HTTPResponse.Status, String, String)] = [
                ("cu_unknown", .unauthorized, #"Bearer realm="orders", error="invalid_token""#, "unknown_identity"),
                ("cu_suspended", .unauthorized, #"Bearer realm="orders", error="invalid_token""#, "suspended"),
                (
                    "cu_readonly", .forbidden,
                    #"Bearer realm="orders", error="insufficient_scope", scope="orders:write""#, "insufficient_scope"
                ),
            ]
            for (subject, status, challenge, reason) in cases {
                logs.clear()
                let token = try issuer.token(TestClaims(subject: subject, scopes: ["read"]))
                let response = try await client.get("/public", bearer: token)
                #expect(response.status == status, "\(subject)")
                #expect(response.challenge == challenge, "\(subject)")
                #expect(response.body.readableBytes == 0)
                #expect(logs.refusals.map { $0.metadata["simbee.auth.reason"] } == [reason], "\(subject)")
                #expect(logs.refusals.first?.metadata["simbee.auth.message"]?.isEmpty == false)
            }
            // Near miss: another error from the closure is the app's, not a refused token.
            logs.clear()
            let token = try issuer.token(TestClaims(subject: "cu_database_down"))
            let response = try await client.get("/public", bearer: token)
            #expect(response.status == .internalServerError)
            #expect(response.challenge == nil)
            #expect(logs.refusals.isEmpty)
        }
    }

    @Test("One configuration: the authenticator's realm reaches RequireScopes, the handler check and app refusals")
    func oneConfiguration() async throws {
        let configuration = SimbeeAuthConfiguration(realm: "orders", rejectionLogLevel: .notice)
        try await withApp(configuration: configuration) { issuer, client, logs in
            let anonymous = try await client.get("/read")
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.challenge == #"Bearer realm="orders""#)
            let noScopes = try issuer.token(TestClaims(subject: "cu_42"))
            let missing = try await client.get("/read", bearer: noScopes)
            #expect(missing.status == .forbidden)
            #expect(missing.challenge == #"Bearer realm="orders", error="insufficient_scope", scope="read""#)
            let inHandler = try await client.get("/handler-delete", bearer: noScopes)
            #expect(inHandler.challenge == #"Bearer realm="orders", error="insufficient_scope", scope="delete""#)
            let byApp = try await client.get("/app-refuses", bearer: noScopes)
            #expect(byApp.status == .forbidden)
            #expect(byApp.challenge == #"Bearer realm="orders", error="insufficient_scope", scope="owner""#)
            #expect(logs.refusals.map(\.level) == [.notice, .notice, .notice])
        }
    }

    @Test("Without an authenticator in front, the default realm applies and no caller is authenticated")
    func noAuthenticatorInFront() async throws {
        let router = Router(context: Context.self)
        router.add(middleware: ClosureAuthenticator { _, _ in User(id: "cu_session", tenant: "acme") })
        router.get("me") { _, context in try context.requireSimbeeIdentity().id }
        router.group("read").add(middleware: RequireScopes(.all(["read"]))).get { _, _ in "read" }
        router.get("app-refuses") { _, _ -> String in throw BearerRefusal.invalidToken() }
        try await Application(router: router).test(.router) { client in
            // Another authenticator's identity is no Simbee caller: scopes come from a Simbee token.
            for path in ["/me", "/read"] {
                let response = try await client.get(path)
                #expect(response.status == .unauthorized, "\(path)")
                #expect(response.challenge == #"Bearer realm="simbee""#, "\(path)")
            }
            let refused = try await client.get("/app-refuses")
            #expect(refused.status == .unauthorized)
            #expect(refused.challenge == #"Bearer realm="simbee", error="invalid_token""#)
        }
    }

    @Test("requireSimbeeIdentity sends the challenge that hummingbird-auth's requireIdentity leaves out")
    func theTrapBesideTheRightCall() async throws {
        try await withApp { issuer, client, _ in
            let bare = try await client.get("/bare")
            #expect(bare.status == .unauthorized)
            #expect(bare.challenge == nil)
            let simbee = try await client.get("/me")
            #expect(simbee.status == .unauthorized)
            #expect(simbee.challenge == #"Bearer realm="simbee""#)
            #expect(simbee.body.readableBytes == 0)
            // Near miss: with a token both answer the same identity.
            let token = try issuer.token(TestClaims(subject: "cu_42"))
            #expect(try await client.get("/bare", bearer: token).bodyText == "cu_42")
            #expect(try await client.get("/me", bearer: token).bodyText == "cu_42|none")
        }
    }

    @Test("A refused token logs its code and the verifier's message, never the token")
    func refusalLogsMessage() async throws {
        try await withApp { issuer, client, logs in
            for claims in [TestClaims.expired, .wrongAudience] {
                logs.clear()
                let token = try issuer.token(claims)
                _ = try await client.get("/public", bearer: token)
                let entry = try #require(logs.refusals.first)
                let message = try #require(entry.metadata["simbee.auth.message"])
                #expect(!message.isEmpty)
                for segment in token.split(separator: ".") {
                    #expect(!message.contains(segment))
                    #expect(!entry.message.contains(segment))
                }
            }
        }
    }

    @Test("Key endpoint down before the first fetch: 503 with Retry-After, and the closure is not asked")
    func outage() async throws {
        try await SimbeeTestJWKSServer.withServer(serving: try SimbeeTestIssuer()) { server in
            server.isAvailable = false
            let lookups = Counter()
            let logs = CapturedLogs()
            let app = Application(
                router: try Self.router(verifier: try server.verifier(), lookups: lookups),
                logger: logs.logger
            )
            try await app.test(.router) { client in
                let token = try server.issuer.token(TestClaims(scopes: ["read"]))
                let response = try await client.get("/read", bearer: token)
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "10")
                #expect(response.challenge == nil)
                #expect(lookups.value == 0)
                let entry = try #require(logs.refusals.first)
                #expect(entry.metadata["simbee.auth.reason"] == "jwks_unavailable")
                #expect(entry.metadata["simbee.auth.message"]?.isEmpty == false)
                // Near miss: a request without a token needs no keys and is answered.
                #expect(try await client.get("/public").bodyText == "anonymous")
            }
        }
    }

    @Test("init(clientID:keys:) verifies with the key source the app owns and can observe")
    func clientIDWithKeys() async throws {
        try await SimbeeTestJWKSServer.withServer(serving: try SimbeeTestIssuer()) { server in
            let keys = try server.keySource()
            let router = Router(context: BasicAuthRequestContext<SimbeeIdentity>.self)
            router.add(middleware: try SimbeeAuthenticator(clientID: TestClaims.defaultAudience, keys: keys))
            router.get("me") { _, context in try context.requireSimbeeIdentity().subject }
            #expect(keys.status.lastSuccess == nil)
            try await Application(router: router).test(.router) { client in
                let response = try await client.get("/me", bearer: try server.issuer.token())
                #expect(response.status == .ok)
                #expect(response.bodyText == TestClaims.defaultSubject)
                // Near miss: a token for another client is refused by the Simbee policy.
                let other = try await client.get("/me", bearer: try server.issuer.token(.wrongAudience))
                #expect(other.status == .unauthorized)
            }
            #expect(keys.status.lastSuccess != nil)
            #expect(keys.status.keyCount == server.issuer.keys.count)
            #expect(server.requestCount == 1)
        }
    }

    @Test("init(clientID:keys:) refuses an empty client id")
    func emptyClientID() throws {
        let keys = try RemoteJWKS(issuer: JWTVerifier.Configuration.simbeeIssuer)
        #expect(throws: JWTError.self) {
            _ = try SimbeeAuthenticator<BasicAuthRequestContext<SimbeeIdentity>>(clientID: "", keys: keys)
        }
    }
}

/// Counts calls across tasks.
final class Counter: Sendable {
    private let count = NIOLockedValueBox(0)
    func increment() { count.withLockedValue { $0 += 1 } }
    var value: Int { count.withLockedValue { $0 } }
}

extension HTTPField.Name {
    /// The tenant header the test app's identity closure reads.
    static let tenant = HTTPField.Name("X-Tenant")!
}

/// The app's own claims, decoded in a handler: a payload that does not fit is a refused token.
@Suite("Custom claims in a handler")
struct CustomClaimsTests {
    struct Org: Decodable {
        let org: String
    }

    @Test("decodeClaims on the identity: a fitting payload decodes; one that does not is 401 invalid_token")
    func decodeInHandler() async throws {
        try await SimbeeTestJWKSServer.withServer(serving: try SimbeeTestIssuer()) { server in
            let logs = CapturedLogs()
            let router = Router(context: BasicAuthRequestContext<SimbeeIdentity>.self)
            router.add(middleware: try SimbeeAuthenticator(verifier: try server.verifier()))
            router.get("org") { _, context in
                try context.requireSimbeeIdentity().decodeClaims(as: Org.self).org
            }
            let app = Application(router: router, logger: logs.logger)
            try await app.test(.router) { client in
                let fits = try await client.get(
                    "/org",
                    bearer: try server.issuer.token(TestClaims().with("org", "acme"))
                )
                #expect(fits.status == .ok && fits.bodyText == "acme")
                for claims in [TestClaims(), TestClaims().with("org", 7)] {
                    let refused = try await client.get("/org", bearer: try server.issuer.token(claims))
                    #expect(refused.status == .unauthorized)
                    #expect(refused.challenge == #"Bearer realm="simbee", error="invalid_token""#)
                }
            }
        }
    }
}

/// The core's claim rules and several issuers, answered through the authenticator.
@Suite("Claim rules and several issuers behind the authenticator")
struct PolicyThroughMiddlewareTests {
    /// An app whose `/me` answers the caller's subject, over `verifier`.
    static func app(_ verifier: JWTVerifier, logs: CapturedLogs) throws -> some ApplicationProtocol {
        let router = Router(context: BasicAuthRequestContext<SimbeeIdentity>.self)
        router.add(middleware: try SimbeeAuthenticator(verifier: verifier))
        router.get("me") { _, context in try context.requireSimbeeIdentity().subject }
        return Application(router: router, logger: logs.logger)
    }

    @Test("a custom claim rule that fails is a 401 invalid_token, its reason and message logged")
    func claimRule() async throws {
        try await SimbeeTestJWKSServer.withServer(serving: try SimbeeTestIssuer()) { server in
            var configuration = JWTVerifier.Configuration.simbee(clientID: TestClaims.defaultAudience)
            configuration.claims.rules = [ClaimRule("org", as: String.self) { $0 == "acme" }]
            let verifier = try JWTVerifier(keys: try server.keySource(), configuration: configuration)
            let logs = CapturedLogs()
            try await Self.app(verifier, logs: logs).test(.router) { client in
                let acme = try await client.get(
                    "/me",
                    bearer: try server.issuer.token(TestClaims().with("org", "acme"))
                )
                #expect(acme.status == .ok)
                let other = try await client.get(
                    "/me",
                    bearer: try server.issuer.token(TestClaims().with("org", "evil"))
                )
                #expect(other.status == .unauthorized)
                #expect(other.challenge == #"Bearer realm="simbee", error="invalid_token""#)
                #expect(logs.refusals.map { $0.metadata["simbee.auth.reason"] } == ["invalid_claim"])
                #expect(logs.refusals.map { $0.metadata["simbee.auth.message"] } == ["org does not satisfy its rule"])
            }
        }
    }

    @Test("several issuers: each one's tokens pass with its own keys; another issuer's are a 401")
    func severalIssuers() async throws {
        let production = try SimbeeTestIssuer()
        let staging = try SimbeeTestIssuer(issuer: "https://staging.simbee.io")
        let outsider = try SimbeeTestIssuer(issuer: "https://evil.example")
        try await SimbeeTestJWKSServer.withServer(serving: production) { productionServer in
            try await SimbeeTestJWKSServer.withServer(serving: staging) { stagingServer in
                let verifier = try JWTVerifier(
                    issuers: [
                        TrustedIssuer(production.issuer, keys: try productionServer.keySource()),
                        TrustedIssuer(staging.issuer, keys: try stagingServer.keySource()),
                    ],
                    configuration: .init(claims: ClaimsPolicy(audiences: [TestClaims.defaultAudience]))
                )
                let logs = CapturedLogs()
                try await Self.app(verifier, logs: logs).test(.router) { client in
                    #expect(try await client.get("/me", bearer: try production.token()).status == .ok)
                    #expect(try await client.get("/me", bearer: try staging.token()).status == .ok)
                    let foreign = try await client.get("/me", bearer: try outsider.token())
                    #expect(foreign.status == .unauthorized)
                    #expect(logs.refusals.map { $0.metadata["simbee.auth.reason"] } == ["issuer_mismatch"])
                }
                #expect(productionServer.requestCount == 1 && stagingServer.requestCount == 1)
            }
        }
    }
}
