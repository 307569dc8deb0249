import NIOConcurrencyHelpers
import SimbeeJWT
import SimbeeJWTTesting
import Testing

/// `SimbeeTestJWKSServer.withServer`: the server serves inside the block and is shut down when the
/// block returns and when it throws.
@Suite("SimbeeTestJWKSServer.withServer")
struct ScopedJWKSServerTests {
    struct BodyFailed: Error {}

    /// Verifies a fresh token with a new key cache over `url`: `nil` when it verified, else the code.
    /// After shut-down, a short connect timeout makes the refused fetch fail fast (the HTTP client
    /// retries a refused connection until its connect timeout); while the server runs, the default
    /// one keeps a loaded machine from timing out a fetch that should succeed.
    static func outcome(
        _ url: String,
        _ issuer: SimbeeTestIssuer,
        afterShutDown: Bool = false
    ) async throws -> JWTError.Code? {
        var configuration = SimbeeTestJWKSServer.testConfiguration
        if afterShutDown { configuration.connectTimeout = .milliseconds(200) }
        var policy = JWTVerifier.Configuration.simbee(clientID: TestClaims.defaultAudience)
        policy.claims.issuer = issuer.issuer
        let verifier = try JWTVerifier(
            keys: try RemoteJWKS(url: url, configuration: configuration),
            configuration: policy
        )
        let token = try issuer.token()
        do {
            _ = try await verifier.verify(token)
            return nil
        } catch {
            return error.code
        }
    }

    @Test("Serves inside the block, returns its value, and is shut down after it returns")
    func shutDownOnReturn() async throws {
        let issuer = try SimbeeTestIssuer()
        let (url, inside) = try await SimbeeTestJWKSServer.withServer(serving: issuer) { server in
            (server.url, try await Self.outcome(server.url, issuer))
        }
        #expect(inside == nil)
        #expect(try await Self.outcome(url, issuer, afterShutDown: true) == .jwksUnavailable)
    }

    @Test("Is shut down when the block throws, and the block's error comes out")
    func shutDownOnThrow() async throws {
        let issuer = try SimbeeTestIssuer()
        let url = NIOLockedValueBox<String?>(nil)
        await #expect(throws: BodyFailed.self) {
            try await SimbeeTestJWKSServer.withServer(serving: issuer) { server in
                url.withLockedValue { $0 = server.url }
                #expect(try await Self.outcome(server.url, issuer) == nil)
                throw BodyFailed()
            }
        }
        let served = try #require(url.withLockedValue { $0 })
        #expect(try await Self.outcome(served, issuer, afterShutDown: true) == .jwksUnavailable)
    }
}
