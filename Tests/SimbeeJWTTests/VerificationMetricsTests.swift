import MetricsTestKit
import Testing

@_spi(Testing) @testable import SimbeeJWT

/// `simbee_jwt_verifications_total{result}`: every verification counted once by its outcome.
@Suite("Verification outcome metric")
struct VerificationMetricsTests {
    private static func total(_ metrics: TestMetrics, _ result: String) -> Int64 {
        metrics.counterTotal(label: "simbee_jwt_verifications_total", dimensions: [("result", result)])
    }

    @Test("ok and each refusal's code are counted once per verification, cache hits included")
    func outcomesCounted() async throws {
        let manifest = try TestSupport.manifest()
        let metrics = TestMetrics()
        var claims = ClaimsPolicy(issuer: manifest.issuer, audiences: [manifest.audience])
        claims.clock = TestSupport.pinnedClock(manifest.now)
        let verifier = try JWTVerifier(
            keys: try TestSupport.fixtureKeySet(),
            configuration: .init(claims: claims),
            metricsFactory: metrics
        )
        func token(_ name: String) throws -> String {
            try #require(manifest.cases.first { $0.name == name }).token
        }
        let valid = try token("es256-valid")
        _ = try await verifier.verify(valid)
        _ = try await verifier.verify(valid)  // a verified-token cache hit
        for name in ["es256-expired", "es256-expired", "es256-wrong-aud", "kid-unknown"] {
            _ = await TestSupport.outcome(verifier, try token(name))
        }
        _ = await TestSupport.outcome(verifier, "not a token")
        #expect(Self.total(metrics, "ok") == 2)
        #expect(Self.total(metrics, "expired") == 2)
        #expect(Self.total(metrics, "audience_mismatch") == 1)
        #expect(Self.total(metrics, "unknown_key") == 1)
        #expect(Self.total(metrics, "malformed") == 1)
        #expect(Self.total(metrics, "invalid_signature") == 0)
    }

    @Test("every error code has its counter, named by the code")
    func everyCode() throws {
        let metrics = TestMetrics()
        let counters = VerificationMetrics(factory: metrics)
        for backing in JWTError.Code.Backing.allCases {
            counters.recordRefusal(JWTError.Code(backing: backing))
            #expect(Self.total(metrics, backing.rawValue) == 1, "\(backing.rawValue)")
        }
        #expect(Self.total(metrics, "ok") == 0)
    }
}
