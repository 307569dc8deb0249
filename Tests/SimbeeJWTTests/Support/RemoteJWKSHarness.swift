import Foundation
import MetricsTestKit
import SimbeeJWTTestSupport
import SimbeeJWTTesting
@_spi(Testing) @testable import SimbeeJWT

/// One remote JWKS under test: a real HTTP server on 127.0.0.1, a manual clock for TTLs and
/// cooldowns, captured logs and metrics, and a verifier configured like the fixture manifest.
struct RemoteJWKSHarness {
    let server: SimbeeTestJWKSServer
    let clock: ManualClock
    let logs: CapturedLogs
    let metrics: TestMetrics
    let keys: RemoteJWKS
    let manifest: TestSupport.Manifest

    static func make(
        serving kids: [String]? = ["es256-a", "ed25519-a"],
        cacheControl: String? = nil,
        entityTag: String? = nil,
        fetcher: (any JWKSFetcher)? = nil,
        configure: (inout RemoteJWKS.Configuration) -> Void = { _ in }
    ) async throws -> RemoteJWKSHarness {
        let server = try await SimbeeTestJWKSServer.startScripted()
        if let kids {
            server.serve(jwks: try document(kids), entityTag: entityTag, cacheControl: cacheControl)
        }
        var configuration = RemoteJWKS.Configuration()
        configure(&configuration)
        let clock = ManualClock()
        let logs = CapturedLogs()
        let metrics = TestMetrics()
        let keys = try RemoteJWKS(
            url: server.url,
            configuration: configuration,
            fetcher: fetcher ?? HTTPJWKSFetcher(),
            logger: logs.logger,
            metricsFactory: metrics,
            clock: clock,
            wallClock: { Date() }
        )
        return RemoteJWKSHarness(
            server: server,
            clock: clock,
            logs: logs,
            metrics: metrics,
            keys: keys,
            manifest: try TestSupport.manifest()
        )
    }

    /// A verifier over the remote keys with the fixture manifest's policy and pinned wall clock.
    func verifier() throws -> JWTVerifier {
        var claims = ClaimsPolicy(issuer: manifest.issuer, audiences: [manifest.audience])
        claims.clock = TestSupport.pinnedClock(manifest.now)
        return try JWTVerifier(keys: keys, configuration: .init(claims: claims))
    }

    /// A fixture token by manifest name.
    func token(_ name: String) throws -> String {
        guard let token = manifest.cases.first(where: { $0.name == name })?.token else {
            throw FixtureMissing(name: name)
        }
        return token
    }

    /// Verifies and returns `"valid"` or the error code.
    func outcome(_ tokenName: String) async throws -> String {
        await TestSupport.outcome(try verifier(), try token(tokenName))
    }

    /// The key lookup's outcome for `kid`: `"found"` or the error code.
    func lookup(_ kid: String, _ algorithm: JWTAlgorithm = .es256) async -> String {
        do {
            _ = try await keys.key(for: kid, algorithm: algorithm)
            return "found"
        } catch {
            return error.code.name
        }
    }

    func counter(_ label: String, _ dimensions: [(String, String)] = []) -> Int64 {
        metrics.counterTotal(label: label, dimensions: [("url", server.url)] + dimensions)
    }

    /// Every value recorded so far by the gauge `label` of this cache, oldest first.
    func gaugeValues(_ label: String) -> [Double] {
        (try? metrics.expectGauge(label, [("url", server.url)]))?.values ?? []
    }

    /// The last value recorded by the gauge `label` of this cache, or `nil` before any.
    func gauge(_ label: String) -> Double? {
        gaugeValues(label).last
    }

    /// A JWK Set document holding the fixture keys with these `kid`s (from `jwks/simbee.jwks.json`).
    static func document(_ kids: [String]) throws -> [UInt8] {
        let source = try TestSupport.fixtureJSON("jwks/simbee.jwks.json") as! [String: Any]
        let all = source["keys"] as! [[String: Any]]
        let selected = kids.map { kid in all.first { $0["kid"] as? String == kid }! }
        return Array(try JSONSerialization.data(withJSONObject: ["keys": selected]))
    }

    /// A JWK Set document like ``document(_:)``, except that each `kid` in `material` holds the key
    /// of the fixture key its value names: a rotation that reuses a `kid` for other key material.
    static func document(_ kids: [String], material: [String: String]) throws -> [UInt8] {
        let source = try TestSupport.fixtureJSON("jwks/simbee.jwks.json") as! [String: Any]
        let all = source["keys"] as! [[String: Any]]
        let selected = kids.map { kid in
            var key = all.first { $0["kid"] as? String == material[kid] ?? kid }!
            key["kid"] = kid
            return key
        }
        return Array(try JSONSerialization.data(withJSONObject: ["keys": selected]))
    }

    struct FixtureMissing: Error {
        let name: String
    }
}
