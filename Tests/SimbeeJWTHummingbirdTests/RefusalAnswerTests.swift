import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import SimbeeJWT
import SimbeeJWTHummingbird
import SimbeeJWTTestSupport
import Testing

/// How the middleware answers failures of a custom key source, and how a refusal describes itself.
@Suite("Refusal answers for key-source failures")
struct RefusalAnswerTests {
    let manifest = Fixtures.manifest

    @Test(
        "invalid_key_set from a custom key source is an outage: 503 with Retry-After and no challenge, like jwks_unavailable",
        arguments: [JWTError.Code.invalidKeySet, .jwksUnavailable]
    )
    func invalidKeySetIsAnOutage(_ code: JWTError.Code) async throws {
        let claims = ClaimsPolicy(issuer: manifest.issuer, audiences: [manifest.audience])
        let verifier = try JWTVerifier(keys: FailingKeys(code: code), configuration: .init(claims: claims))
        let logs = CapturedLogs()
        let app = try TestApp.application(verifier: verifier, logs: logs)
        try await app.test(.router) { client in
            let response = try await client.get("/me", bearer: manifest.token("es256-valid"))
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.retryAfter] == "10")
            #expect(response.challenge == nil)
            #expect(logs.refusals.map { $0.metadata["simbee.auth.reason"].map { "\($0)" } } == [code.name])
            #expect(logs.refusals.map(\.level) == [.error])
        }
    }

    @Test("near miss: unknown_key from a custom key source is a refused token, 401 invalid_token")
    func unknownKeyIsARefusal() async throws {
        let claims = ClaimsPolicy(issuer: manifest.issuer, audiences: [manifest.audience])
        let verifier = try JWTVerifier(keys: FailingKeys(code: .unknownKey), configuration: .init(claims: claims))
        let logs = CapturedLogs()
        let app = try TestApp.application(verifier: verifier, logs: logs)
        try await app.test(.router) { client in
            let response = try await client.get("/me", bearer: manifest.token("es256-valid"))
            #expect(response.status == .unauthorized)
            #expect(response.headers[.retryAfter] == nil)
            #expect(response.challenge == #"Bearer realm="simbee", error="invalid_token""#)
        }
    }

    @Test("a refusal describes itself as its status code and reason")
    func refusalDescription() {
        #expect(BearerRefusal.invalidToken(reason: "expired").description == "401 expired")
        #expect(BearerRefusal.insufficientScope(.all(["orders:read"])).description == "403 insufficient_scope")
    }
}
