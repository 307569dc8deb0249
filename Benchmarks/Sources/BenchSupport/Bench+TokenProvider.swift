import Logging
import SimbeeAuthClient
import SimbeeJWTTesting

extension Bench {
    /// A token provider with a fresh token in its cache, and the loopback exchange server it got
    /// the token from (kept alive beside it).
    public struct CachedTokenProvider: Sendable {
        public let provider: SimbeeTokenProvider
        let server: SimbeeTestJWKSServer
    }

    /// Starts a `SimbeeTestJWKSServer` that accepts an API key, makes a `SimbeeTokenProvider` for it
    /// against that server (real loopback HTTP) and calls `token()` once, so that every later call
    /// is served from the cache for the token's 15 minutes less the 30-second refresh margin.
    public static func cachedTokenProvider() async throws -> CachedTokenProvider {
        let server = try await SimbeeTestJWKSServer.start(serving: try SimbeeTestIssuer())
        server.acceptAPIKey("sk_bench_1")
        var configuration = SimbeeTokenProvider.Configuration()
        configuration.baseURL = server.baseURL
        let provider = try SimbeeTokenProvider(
            apiKey: SimbeeAPIKey("sk_bench_1"),
            configuration: configuration,
            logger: Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }
        )
        _ = try await provider.token()
        return CachedTokenProvider(provider: provider, server: server)
    }
}
