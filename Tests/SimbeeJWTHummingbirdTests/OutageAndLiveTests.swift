import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import SimbeeJWT
import SimbeeJWTHummingbird
import SimbeeJWTTestSupport
import Testing

/// A key-set outage answers 503, not 401; and the whole stack over real HTTP (`.live`).
@Suite("SimbeeAuthenticator (outage and live HTTP)")
struct OutageAndLiveTests {
    let manifest = Fixtures.manifest

    @Test("JWKS server unreachable: a token answers 503 with Retry-After and no challenge; public routes still work")
    func outage() async throws {
        let url = try await JWKSServer.refusingURL()
        let logs = CapturedLogs()
        let app = try TestApp.application(
            verifier: try Fixtures.verifier(jwksURL: url, connectTimeout: .milliseconds(200)),
            logs: logs
        )
        let token = manifest.token("es256-valid")
        try await app.test(.router) { client in
            let response = try await client.get("/read", bearer: token)
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.retryAfter] == "10")
            #expect(response.challenge == nil)
            #expect(response.body.readableBytes == 0)
            #expect(logs.refusals.map { $0.metadata["simbee.auth.reason"] } == ["jwks_unavailable"])
            #expect(logs.refusals.map(\.level) == [.error])

            let open = try await client.get("/public")
            #expect(open.status == .ok)
            #expect(open.bodyText == "anonymous")
        }
    }

    @Test("Retry-After follows the configuration: rounded up to whole seconds, or absent")
    func retryAfterConfiguration() async throws {
        let url = try await JWKSServer.refusingURL()
        let token = manifest.token("eddsa-valid")
        let cases: [(Duration?, String?)] = [
            (.milliseconds(1500), "2"), (nil, nil), (.zero, "0"), (.nanoseconds(1), "1"), (.seconds(86_400), "86400"),
        ]
        for (retryAfter, expected) in cases {
            let configuration = SimbeeAuthConfiguration(retryAfter: retryAfter, outageLogLevel: .warning)
            let logs = CapturedLogs()
            let app = try TestApp.application(
                verifier: try Fixtures.verifier(jwksURL: url, connectTimeout: .milliseconds(200)),
                logs: logs,
                configuration: configuration
            )
            try await app.test(.router) { client in
                let response = try await client.get("/public", bearer: token)
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == expected)
                #expect(logs.refusals.map(\.level) == [.warning])
            }
        }
    }

    @Test("Over real HTTP: valid token, refused token, scopes, two Authorization fields and an outage")
    func live() async throws {
        let token = manifest.token("es256-valid")
        let forged = manifest.token("es256-bad-sig")
        try await JWKSServer.serving(try Fixtures.keySetDocument()) { url in
            let logs = CapturedLogs()
            let app = try TestApp.application(verifier: try Fixtures.verifier(jwksURL: url), logs: logs)
            try await app.test(.live) { client in
                let valid = try await client.get("/me", bearer: token)
                #expect(valid.status == .ok)
                #expect(valid.bodyText == "cu_fixture1|cl_fixture|admin read write|es256-valid")

                let refused = try await client.get("/public", bearer: forged)
                #expect(refused.status == .unauthorized)
                #expect(refused.challenge == #"Bearer realm="simbee", error="invalid_token""#)
                #expect(refused.body.readableBytes == 0)

                let scoped = try await client.get("/read-delete", bearer: token)
                #expect(scoped.status == .forbidden)
                #expect(
                    scoped.challenge == #"Bearer realm="simbee", error="insufficient_scope", scope="read delete""#
                )

                let repeated = try await client.get("/public", authorization: ["Bearer \(token)", "Bearer \(token)"])
                #expect(repeated.status == .badRequest)

                let anonymous = try await client.get("/read")
                #expect(anonymous.status == .unauthorized)
                #expect(anonymous.challenge == #"Bearer realm="simbee""#)

                #expect(
                    logs.refusals.map { $0.metadata["simbee.auth.reason"] } == [
                        "invalid_signature", "insufficient_scope", "repeated_authorization", "missing_credentials",
                    ]
                )
            }
        }

        // The same service once its key server is gone, over real HTTP too.
        let down = try await JWKSServer.refusingURL()
        let logs = CapturedLogs()
        let app = try TestApp.application(
            verifier: try Fixtures.verifier(jwksURL: down, connectTimeout: .milliseconds(200)),
            logs: logs
        )
        try await app.test(.live) { client in
            let response = try await client.get("/me", bearer: token)
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.retryAfter] == "10")
        }
    }
}
