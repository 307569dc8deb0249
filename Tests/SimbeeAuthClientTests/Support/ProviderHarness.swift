import Foundation
import Logging
import MetricsTestKit
import SimbeeJWT
import SimbeeJWTTestSupport
import SimbeeJWTTesting

@_spi(Testing) @testable import SimbeeAuthClient

/// One token provider under test: a real HTTP server on 127.0.0.1 that answers the exchange, a
/// manual clock for expiry, backoff and the background refresh, a wall clock pinned to the moment
/// the harness was made (so a token's `exp` gives the same lifetime however slowly a loaded machine
/// runs the test), and captured logs and metrics.
struct ProviderHarness {
    /// A key distinctive enough that finding it anywhere is a leak.
    static let apiKey = "sk_test_SECRET_leak_canary_7f3a91"

    let server: SimbeeTestJWKSServer
    let clock: ManualClock
    let logs: CapturedLogs
    let metrics: TestMetrics
    let provider: SimbeeTokenProvider
    /// The provider's wall clock.
    let now: Date

    /// A provider for ``apiKey`` against a server that answers the exchange as Simbee does (the key
    /// accepted with `scopes`) or, when `scripted`, with whatever the test scripts.
    static func make(
        scripted: Bool = false,
        scopes: [String] = ["read", "write"],
        configure: (inout SimbeeTokenProvider.Configuration) -> Void = { _ in }
    ) async throws -> ProviderHarness {
        let server: SimbeeTestJWKSServer
        if scripted {
            server = try await SimbeeTestJWKSServer.startScripted()
        } else {
            server = try await SimbeeTestJWKSServer.start(serving: try SimbeeTestIssuer())
            server.acceptAPIKey(apiKey, subject: "cu_harness", clientID: "cl_harness", scopes: scopes)
        }
        var configuration = SimbeeTokenProvider.Configuration()
        configuration.baseURL = server.baseURL
        configure(&configuration)
        let clock = ManualClock()
        let logs = CapturedLogs()
        let metrics = TestMetrics()
        // A whole second, as `exp` is: a token issued at `now` then has exactly its lifetime left.
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let provider = try SimbeeTokenProvider(
            apiKey: try SimbeeAPIKey(apiKey),
            configuration: configuration,
            httpClient: nil,
            logger: logs.logger,
            metricsFactory: metrics,
            clock: clock,
            wallClock: { now }
        )
        return ProviderHarness(server: server, clock: clock, logs: logs, metrics: metrics, provider: provider, now: now)
    }

    /// Requests the server received: exchanges for a Simbee-like server, every request when scripted.
    var requests: Int { server.exchangeCount + server.requests.count }

    /// A `200` exchange answer holding a token issued at ``now`` that expires after `tokenLifetime`,
    /// with `expires_in` as given.
    func grant(
        expiresIn: String = "900",
        tokenLifetime: Int64 = 900,
        scopes: String = #"["read"]"#
    ) throws -> (answer: SimbeeTestJWKSServer.Action, token: String) {
        let token = try server.issuer.token(TestClaims(issuedAt: now, lifetime: .seconds(tokenLifetime)))
        let body = #"{"data":{"token":""# + token + #"","expires_in":"# + expiresIn + #","scopes":"# + scopes + "}}"
        return (Self.json(200, body), token)
    }

    /// An answer with `status` and a JSON body.
    static func json(_ status: Int, _ body: String, headers: [(String, String)] = []) -> SimbeeTestJWKSServer.Action {
        .respond(status: status, headers: [("Content-Type", "application/json")] + headers, body: Array(body.utf8))
    }

    /// The total of the counter `label` with these dimensions besides the URL.
    func counter(_ label: String, _ dimensions: [(String, String)] = []) -> Int64 {
        guard let counter = try? metrics.expectCounter(label, [("url", provider.exchangeURL)] + dimensions) else {
            return 0
        }
        return counter.totalValue
    }

    /// The last value of the gauge `label`, or `nil` before any.
    func gauge(_ label: String) -> Double? {
        (try? metrics.expectGauge(label, [("url", provider.exchangeURL)]))?.lastValue
    }

    /// Every text the logs hold: messages and metadata values.
    var loggedText: [String] {
        logs.all.flatMap { [$0.message] + Array($0.metadata.keys) + Array($0.metadata.values) }
    }
}
