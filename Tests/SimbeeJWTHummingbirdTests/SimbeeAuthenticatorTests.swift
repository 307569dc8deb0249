import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import SimbeeJWT
import SimbeeJWTHummingbird
import SimbeeJWTTestSupport
import Testing

/// The authenticator and scope requirements through Hummingbird's router test client, with keys
/// fetched over HTTP from a JWK Set server on 127.0.0.1 and tokens from `Fixtures/tokens`.
@Suite("SimbeeAuthenticator (router)")
struct SimbeeAuthenticatorTests {
    static let invalidToken = #"Bearer realm="simbee", error="invalid_token""#
    static let bareChallenge = #"Bearer realm="simbee""#

    let manifest = Fixtures.manifest

    /// Runs `test` against the app under test, its keys served by a real JWKS server.
    func withApp(
        configuration: SimbeeAuthConfiguration = SimbeeAuthConfiguration(),
        _ test: @escaping @Sendable (any TestClientProtocol, CapturedLogs) async throws -> Void
    ) async throws {
        try await JWKSServer.serving(try Fixtures.keySetDocument()) { url in
            let logs = CapturedLogs()
            let app = try TestApp.application(
                verifier: try Fixtures.verifier(jwksURL: url),
                logs: logs,
                configuration: configuration
            )
            try await app.test(.router) { client in try await test(client, logs) }
        }
    }

    @Test("A valid ES256 or EdDSA token puts its subject, audiences, scopes and token into the context")
    func validTokens() async throws {
        let manifest = manifest
        try await withApp { client, logs in
            for name in ["es256-valid", "eddsa-valid", "ed25519-alg-valid", "es256-aud-array"] {
                let response = try await client.get("/me", bearer: manifest.token(name))
                #expect(response.status == .ok, "\(name)")
                let audiences = name == "es256-aud-array" ? "cl_other cl_fixture" : "cl_fixture"
                #expect(response.bodyText == "cu_fixture1|\(audiences)|admin read write|\(name)")
                #expect(response.challenge == nil)
            }
            let scopeString = try await client.get("/me", bearer: manifest.token("es256-scope-string"))
            #expect(scopeString.bodyText == "cu_fixture1|cl_fixture|read write|es256-scope-string")
            #expect(logs.refusals.isEmpty)
        }
    }

    @Test("Every refused fixture token answers 401 invalid_token with an empty body; the code is only logged")
    func everyRejectionClass() async throws {
        // `leading-space` and `trailing-newline` cannot reach the middleware as such: whitespace
        // around a field value and after the scheme is HTTP framing (RFC 9110 §5.5, RFC 6750 §2.1),
        // so they arrive as the valid token inside; `whitespaceIsFraming` checks that separately.
        let framing: Set = ["leading-space", "trailing-newline"]
        let cases = manifest.cases.filter { $0.expect != "valid" && $0.options == nil && !framing.contains($0.name) }
        // Every error class the fixtures cover is here, not only a sample.
        #expect(Set(cases.map(\.expect)).count == 13)
        #expect(cases.count == 78)
        try await withApp { client, logs in
            for fixture in cases {
                logs.clear()
                let response = try await client.get("/public", bearer: fixture.token)
                #expect(response.status == .unauthorized, "\(fixture.name)")
                #expect(response.challenge == Self.invalidToken, "\(fixture.name)")
                #expect(response.body.readableBytes == 0, "\(fixture.name): the body must not explain")
                let reasons = logs.refusals.map { $0.metadata["simbee.auth.reason"] }
                // Tokens that are not even a b64token (spaces, newline, `{`) are refused before
                // verification; everything else with the verifier's code.
                let expected =
                    fixture.expect == "malformed" && !isB64Token(fixture.token)
                    ? "malformed_authorization" : fixture.expect
                #expect(reasons == [expected], "\(fixture.name)")
                #expect(logs.refusals.first?.level == .info)
            }
        }
    }

    @Test("Whitespace around the token is HTTP framing, not part of the credential")
    func whitespaceIsFraming() async throws {
        let manifest = manifest
        try await withApp { client, logs in
            for name in ["leading-space", "trailing-newline"] {
                let token = manifest.token(name)
                // The raw verifier refuses these strings as `malformed` (see the core's fixture tests)…
                #expect(token.first == " " || token.last == "\n")
                // …but in a header field the whitespace is framing: the signed token inside verifies.
                let response = try await client.get("/me", authorization: ["Bearer " + token])
                #expect(response.status == .ok, "\(name)")
                #expect(response.bodyText.hasSuffix("|\(name)"), "\(name)")
            }
            #expect(logs.refusals.isEmpty)
        }
    }

    @Test("A verified token without a subject is refused: an identity needs `sub`")
    func tokenWithoutSubject() async throws {
        let manifest = manifest
        try await withApp { client, logs in
            for name in ["require-sub-missing", "require-sub-empty"] {
                logs.clear()
                let response = try await client.get("/public", bearer: manifest.token(name))
                #expect(response.status == .unauthorized, "\(name)")
                #expect(response.challenge == Self.invalidToken)
                #expect(logs.refusals.map { $0.metadata["simbee.auth.reason"] } == ["missing_claim"])
            }
        }
    }

    @Test("No Authorization field: public routes answer, protected ones 401 with a bare challenge")
    func missingHeader() async throws {
        try await withApp { client, logs in
            let open = try await client.get("/public")
            #expect(open.status == .ok)
            #expect(open.bodyText == "anonymous")
            for path in ["/me", "/read", "/delete-or-admin", "/handler-delete"] {
                let closed = try await client.get(path)
                #expect(closed.status == .unauthorized, "\(path)")
                #expect(closed.challenge == Self.bareChallenge, "\(path)")
                #expect(closed.body.readableBytes == 0)
            }
            #expect(logs.refusals.allSatisfy { $0.metadata["simbee.auth.reason"] == "missing_credentials" })
        }
    }

    @Test(
        "Another scheme is not a Simbee credential: passed on unauthenticated",
        arguments: ["Basic dXNlcjpwYXNzd29yZA==", "Token abc", "Bearer_abc", "Bearerabc", "DPoP abc.def.ghi"]
    )
    func wrongScheme(_ authorization: String) async throws {
        try await withApp { client, logs in
            let open = try await client.get("/public", authorization: [authorization])
            #expect(open.status == .ok)
            #expect(open.bodyText == "anonymous")
            let closed = try await client.get("/read", authorization: [authorization])
            #expect(closed.status == .unauthorized)
            #expect(closed.challenge == Self.bareChallenge)
            #expect(logs.refusals.map { $0.metadata["simbee.auth.reason"] } == ["missing_credentials"])
        }
    }

    @Test("The scheme is case-insensitive and may be followed by several spaces (RFC 6750 §2.1)")
    func schemeSpelling() async throws {
        let token = manifest.token("es256-valid")
        try await withApp { client, _ in
            for prefix in ["bearer ", "BEARER ", "bEaReR ", "Bearer   "] {
                let response = try await client.get("/public", authorization: [prefix + token])
                #expect(response.status == .ok, "\(prefix)")
                #expect(response.bodyText == "cu_fixture1", "\(prefix)")
            }
        }
    }

    @Test(
        "A Bearer field without exactly one b64token credential is refused",
        arguments: [
            "Bearer", "Bearer ", "Bearer a b", "Bearer token, Bearer other", "Bearer ===", "Bearer a=b",
            "Bearer eyJ.eyJ.sig extra",
        ]
    )
    func malformedBearer(_ authorization: String) async throws {
        try await withApp { client, logs in
            let response = try await client.get("/public", authorization: [authorization])
            #expect(response.status == .unauthorized)
            #expect(response.challenge == Self.invalidToken)
            #expect(response.body.readableBytes == 0)
            #expect(logs.refusals.map { $0.metadata["simbee.auth.reason"] } == ["malformed_authorization"])
        }
    }

    @Test("Two Authorization fields answer 400 invalid_request, even when both hold valid tokens")
    func twoAuthorizationHeaders() async throws {
        let token = manifest.token("es256-valid")
        let other = manifest.token("eddsa-valid")
        try await withApp { client, logs in
            for pair in [["Bearer \(token)", "Bearer \(other)"], ["Bearer \(token)", "Basic dXNlcjpwYXNz"]] {
                logs.clear()
                let response = try await client.get("/public", authorization: pair)
                #expect(response.status == .badRequest)
                #expect(response.challenge == #"Bearer realm="simbee", error="invalid_request""#)
                #expect(response.body.readableBytes == 0)
                #expect(logs.refusals.map { $0.metadata["simbee.auth.reason"] } == ["repeated_authorization"])
            }
        }
    }

    @Test("Scope requirements: all-of and any-of, as middleware and in a handler")
    func scopes() async throws {
        let full = manifest.token("es256-valid")  // admin read write
        let partial = manifest.token("es256-scope-string")  // read write
        try await withApp { client, logs in
            #expect(try await client.get("/read", bearer: full).bodyText == "read by cu_fixture1")
            #expect(try await client.get("/read", bearer: partial).status == .ok)
            #expect(try await client.get("/delete-or-admin", bearer: full).status == .ok)
            #expect(logs.refusals.isEmpty)

            let missingOne = try await client.get("/read-delete", bearer: full)
            #expect(missingOne.status == .forbidden)
            #expect(
                missingOne.challenge
                    == #"Bearer realm="simbee", error="insufficient_scope", scope="read delete""#
            )
            #expect(missingOne.body.readableBytes == 0)

            let missingAny = try await client.get("/delete-or-admin", bearer: partial)
            #expect(missingAny.status == .forbidden)
            #expect(
                missingAny.challenge
                    == #"Bearer realm="simbee", error="insufficient_scope", scope="delete admin""#
            )

            let inHandler = try await client.get("/handler-delete", bearer: full)
            #expect(inHandler.status == .forbidden)
            #expect(inHandler.challenge == #"Bearer realm="simbee", error="insufficient_scope", scope="delete""#)

            let reasons = logs.refusals.map { $0.metadata["simbee.auth.reason"] }
            #expect(reasons == ["insufficient_scope", "insufficient_scope", "insufficient_scope"])
            #expect(
                logs.refusals.map { $0.metadata["simbee.auth.required"] } == [
                    "all(read delete)", "any(delete admin)", "any(delete)",
                ]
            )
        }
    }

    @Test("A bad token on a scoped route is refused by the authenticator (401), not the scope check (403)")
    func badTokenOnScopedRoute() async throws {
        let expired = manifest.token("es256-expired")
        try await withApp { client, _ in
            let response = try await client.get("/read", bearer: expired)
            #expect(response.status == .unauthorized)
            #expect(response.challenge == Self.invalidToken)
        }
    }

    @Test("The realm and log level come from the configuration; quotes in the realm are escaped")
    func configuredRealm() async throws {
        let configuration = SimbeeAuthConfiguration(realm: #"orders "eu"\1"#, rejectionLogLevel: .notice)
        let expired = manifest.token("es256-expired")
        try await withApp(configuration: configuration) { client, logs in
            let refused = try await client.get("/public", bearer: expired)
            #expect(refused.challenge == #"Bearer realm="orders \"eu\"\\1", error="invalid_token""#)
            let missing = try await client.get("/read")
            #expect(missing.challenge == #"Bearer realm="orders \"eu\"\\1""#)
            #expect(logs.refusals.map(\.level) == [.notice, .notice])
        }
    }

    /// RFC 6750 §2.1 b64token, as the test's own independent check.
    private func isB64Token(_ text: String) -> Bool {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/")
        let body = text.reversed().drop { $0 == "=" }
        return !body.isEmpty && body.allSatisfy { allowed.contains($0) }
    }

    @Test("A request cancelled while the key set loads is neither a 401 nor a 503, and logs no refusal")
    func cancelledWhileWaiting() async throws {
        let logs = CapturedLogs()
        // The key source answers before the claims are read: the policy's clock does not matter.
        let claims = ClaimsPolicy(issuer: manifest.issuer, audiences: [manifest.audience])
        // Lookups report that the caller was cancelled while it waited, as a `RemoteJWKS` does for a
        // request that went away during a fetch.
        let cancelled = FailingKeys(code: .cancelled, message: "cancelled while waiting for the JWK Set")
        let verifier = try JWTVerifier(keys: cancelled, configuration: .init(claims: claims))
        let token = manifest.token("es256-valid")
        let app = try TestApp.application(verifier: verifier, logs: logs)
        try await app.test(.router) { client in
            let response = try await client.get("/me", bearer: token)
            // Hummingbird answers an error it does not know with 500, which a cancelled request's
            // client never receives; what matters is that no refusal or outage is reported.
            #expect(response.status != .unauthorized && response.status != .serviceUnavailable)
            #expect(response.challenge == nil)
            #expect(logs.refusals.isEmpty)
            #expect(logs.count(containing: "Bearer verification cancelled", level: .debug) == 1)
            #expect(logs.count(containing: "", level: .error) == 0)
        }
        // Near miss: an outage from the same kind of source is a 503 with its refusal logged.
        let outageLogs = CapturedLogs()
        let outage = try TestApp.application(
            verifier: try JWTVerifier(keys: FailingKeys(code: .jwksUnavailable), configuration: .init(claims: claims)),
            logs: outageLogs
        )
        try await outage.test(.router) { client in
            let response = try await client.get("/me", bearer: token)
            #expect(response.status == .serviceUnavailable)
            #expect(outageLogs.refusals.count == 1)
        }
    }
}
