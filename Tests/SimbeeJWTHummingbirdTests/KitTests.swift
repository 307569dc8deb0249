import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import SimbeeJWT
import SimbeeJWTHummingbird
import SimbeeJWTTestSupport
import SimbeeJWTTesting
import Testing

/// The middleware with freshly minted tokens (real clock, no pinning) from the SimbeeJWTTesting
/// kit's issuer, and keys from its JWKS server on 127.0.0.1: rotation, outage after keys were
/// cached, and an outage before any key was fetched.
@Suite("SimbeeAuthenticator with the testing kit")
struct KitTests {
    /// Runs `test` with a kit issuer, its server, and the app under test using Simbee's verifier
    /// policy pointed at that server.
    func withKit(
        _ test: @Sendable (SimbeeTestJWKSServer, any TestClientProtocol, CapturedLogs) async throws -> Void
    ) async throws {
        let server = try await SimbeeTestJWKSServer.start(serving: try SimbeeTestIssuer())
        do {
            let logs = CapturedLogs()
            let app = try TestApp.application(verifier: try server.verifier(), logs: logs)
            try await app.test(.router) { client in try await test(server, client, logs) }
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
    }

    @Test("Fresh ES256 and EdDSA tokens authenticate; scopes decide 200 or 403")
    func freshTokens() async throws {
        try await withKit { server, client, logs in
            for algorithm in [JWTAlgorithm.es256, .edDSA] {
                let token = try server.issuer.token(TestClaims(scopes: ["read"]), algorithm: algorithm)
                let me = try await client.get("/me", bearer: token)
                #expect(me.status == .ok, "\(algorithm)")
                #expect(me.bodyText.hasPrefix("cu_test|cl_test|read|"), "\(algorithm)")
                #expect(try await client.get("/read", bearer: token).status == .ok)
                let forbidden = try await client.get("/delete-or-admin", bearer: token)
                #expect(forbidden.status == .forbidden)
            }
            let admin = try server.issuer.token(TestClaims(scopes: ["admin"]))
            #expect(try await client.get("/delete-or-admin", bearer: admin).status == .ok)
            #expect(try await client.get("/read", bearer: admin).status == .forbidden)
            #expect(
                logs.refusals.map { $0.metadata["simbee.auth.reason"] }
                    == Array(repeating: "insufficient_scope", count: 3)
            )
        }
    }

    @Test("Minted refusals: expired, not yet valid, wrong audience, wrong issuer, unpublished key")
    func mintedRefusals() async throws {
        try await withKit { server, client, logs in
            let stranger = try TestSigningKey(.es256)
            let cases: [(String, String)] = [
                ("expired", try server.issuer.token(.expired)),
                ("not_yet_valid", try server.issuer.token(.notYetValid)),
                ("audience_mismatch", try server.issuer.token(.wrongAudience)),
                ("issuer_mismatch", try server.issuer.token(.wrongIssuer)),
                ("missing_claim", try server.issuer.token(.missing("sub"))),
                ("unknown_key", try server.issuer.token(signedWith: stranger)),
            ]
            for (reason, token) in cases {
                logs.clear()
                let response = try await client.get("/public", bearer: token)
                #expect(response.status == .unauthorized, "\(reason)")
                #expect(response.challenge == #"Bearer realm="simbee", error="invalid_token""#)
                #expect(logs.refusals.map { $0.metadata["simbee.auth.reason"] } == [reason])
            }
        }
    }

    @Test("After a key rotation, tokens from the new key authenticate (one refresh), old ones still do")
    func rotation() async throws {
        try await withKit { server, client, _ in
            let before = try server.issuer.token(TestClaims(scopes: ["read"]))
            #expect(try await client.get("/read", bearer: before).status == .ok)
            let fetches = server.requestCount
            try server.issuer.rotateKeys()
            let after = try server.issuer.token(TestClaims(scopes: ["read"]))
            #expect(try await client.get("/read", bearer: after).status == .ok)
            #expect(server.requestCount == fetches + 1)
            #expect(try await client.get("/read", bearer: before).status == .ok)
        }
    }

    @Test("Key server down after keys were cached: cached keys keep serving")
    func outageAfterCaching() async throws {
        try await withKit { server, client, logs in
            let token = try server.issuer.token(TestClaims(scopes: ["read"]))
            #expect(try await client.get("/read", bearer: token).status == .ok)
            await server.shutdown()
            #expect(try await client.get("/read", bearer: token).status == .ok)
            // A key the cache has never seen cannot be fetched now: the refresh that would decide
            // it fails, so the token is not judged. A 503 tells the client to keep its token and
            // retry, where a 401 would make it throw a good token away.
            try server.issuer.rotateKeys()
            let rotated = try server.issuer.token(TestClaims(scopes: ["read"]))
            let response = try await client.get("/read", bearer: rotated)
            #expect(response.status == .serviceUnavailable)
            #expect(logs.refusals.map { $0.metadata["simbee.auth.reason"] } == ["jwks_unavailable"])
        }
    }

    @Test("Key server down before any key was fetched: 503 with Retry-After, public routes unaffected")
    func outageBeforeFirstFetch() async throws {
        let issuer = try SimbeeTestIssuer()
        let server = try await SimbeeTestJWKSServer.start(serving: issuer)
        let url = server.url
        await server.shutdown()
        var configuration = SimbeeTestJWKSServer.testConfiguration
        configuration.connectTimeout = .milliseconds(200)
        var policy = JWTVerifier.Configuration.simbee(clientID: TestClaims.defaultAudience)
        policy.claims.issuer = issuer.issuer
        let keys = try RemoteJWKS(url: url, configuration: configuration)
        let logs = CapturedLogs()
        let app = try TestApp.application(verifier: try JWTVerifier(keys: keys, configuration: policy), logs: logs)
        let token = try issuer.token(TestClaims(scopes: ["read"]))
        try await app.test(.router) { client in
            let response = try await client.get("/read", bearer: token)
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.retryAfter] == "10")
            #expect(response.challenge == nil)
            #expect(logs.refusals.map { $0.metadata["simbee.auth.reason"] } == ["jwks_unavailable"])
            #expect(try await client.get("/public").bodyText == "anonymous")
        }
    }
}
