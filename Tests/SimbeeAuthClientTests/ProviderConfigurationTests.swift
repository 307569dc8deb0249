import SimbeeJWT
import Testing

@_spi(Testing) @testable import SimbeeAuthClient

/// Every configuration value outside its range throws `invalid_configuration`; none traps.
@Suite struct ProviderConfigurationTests {
    static let key = try! SimbeeAPIKey("sk_test_configuration")

    typealias Field = WritableKeyPath<SimbeeTokenProvider.Configuration, Duration> & Sendable

    static func outcome(_ configure: (inout SimbeeTokenProvider.Configuration) -> Void) -> String {
        var configuration = SimbeeTokenProvider.Configuration()
        configure(&configuration)
        do {
            _ = try SimbeeTokenProvider(apiKey: key, configuration: configuration)
            return "accepted"
        } catch {
            return error.code.name
        }
    }

    @Test func theDefaultsAreAccepted() {
        #expect(Self.outcome { _ in } == "accepted")
    }

    @Test(arguments: [
        ("https://api.simbee.io", "accepted"),
        ("https://api.simbee.io/", "accepted"),
        ("https://api.simbee.io/v2", "accepted"),
        ("http://127.0.0.1:8080", "accepted"),
        ("http://localhost:8080", "accepted"),
        ("http://[::1]:8080", "accepted"),
        ("http://api.simbee.io", "invalid_configuration"),
        ("http://127.example.com", "invalid_configuration"),
        ("ftp://api.simbee.io", "invalid_configuration"),
        ("https://user:pass@api.simbee.io", "invalid_configuration"),
        ("https://api.simbee.io?x=1", "invalid_configuration"),
        ("https://api.simbee.io#top", "invalid_configuration"),
        ("api.simbee.io", "invalid_configuration"),
        ("https://", "invalid_configuration"),
        ("", "invalid_configuration"),
        ("https://api.simbee.io:65535", "accepted"),
        ("https://api.simbee.io:65536", "invalid_configuration"),
        ("http://127.0.0.1:99999", "invalid_configuration"),
        ("https://api.simbee.io:0", "invalid_configuration"),
    ])
    func baseURLs(url: String, expected: String) {
        #expect(Self.outcome { $0.baseURL = url } == expected, "\(url)")
    }

    @Test func theExchangeURLFollowsTheBase() throws {
        var configuration = SimbeeTokenProvider.Configuration()
        #expect(try SimbeeTokenProvider(apiKey: Self.key).exchangeURL == "https://api.simbee.io/auth/exchange")
        configuration.baseURL = "https://api.simbee.io/"
        #expect(
            try SimbeeTokenProvider(apiKey: Self.key, configuration: configuration).exchangeURL
                == "https://api.simbee.io/auth/exchange"
        )
    }

    static let extremes: [Duration] = [
        .zero, .nanoseconds(-1), .seconds(-1), .seconds(Int64.min), .seconds(Int64.max),
        Duration(secondsComponent: Int64.max, attosecondsComponent: 999_999_999_999_999_999),
        Duration(secondsComponent: Int64.min, attosecondsComponent: -999_999_999_999_999_999),
    ]

    /// Each duration with its accepted bounds; both sides of each bound are tried.
    static let durations: [(String, any Field, Duration?, Duration)] = [
        ("refreshMargin", \.refreshMargin, .zero, .seconds(3_600)),
        ("connectTimeout", \.connectTimeout, nil, .seconds(60)),
        ("requestTimeout", \.requestTimeout, nil, .seconds(120)),
        ("maximumTokenLifetime", \.maximumTokenLifetime, .seconds(1), .seconds(604_800)),
    ]

    @Test(arguments: durations)
    func durationBounds(
        name: String,
        path: any Field,
        lowest: Duration?,
        highest: Duration
    ) {
        #expect(Self.outcome { $0[keyPath: path] = highest } == "accepted", "\(name)")
        #expect(Self.outcome { $0[keyPath: path] = highest + .nanoseconds(1) } == "invalid_configuration", "\(name)")
        if let lowest {
            #expect(Self.outcome { $0[keyPath: path] = lowest } == "accepted", "\(name)")
            #expect(Self.outcome { $0[keyPath: path] = lowest - .nanoseconds(1) } == "invalid_configuration", "\(name)")
        } else {
            #expect(Self.outcome { $0[keyPath: path] = .nanoseconds(1) } == "accepted", "\(name)")
            #expect(Self.outcome { $0[keyPath: path] = .zero } == "invalid_configuration", "\(name)")
        }
        for extreme in Self.extremes where extreme < (lowest ?? .nanoseconds(1)) || extreme > highest {
            #expect(Self.outcome { $0[keyPath: path] = extreme } == "invalid_configuration", "\(name) \(extreme)")
        }
    }

    @Test func backoffBounds() {
        #expect(Self.outcome { $0.initialBackoff = .zero } == "invalid_configuration")
        #expect(Self.outcome { $0.initialBackoff = .nanoseconds(1) } == "accepted")
        #expect(Self.outcome { $0.initialBackoff = .seconds(31) } == "invalid_configuration")
        #expect(Self.outcome { $0.initialBackoff = .seconds(30) } == "accepted")
        #expect(Self.outcome { $0.maximumBackoff = .seconds(3_600) } == "accepted")
        #expect(Self.outcome { $0.maximumBackoff = .seconds(3_601) } == "invalid_configuration")
        for extreme in Self.extremes {
            #expect(Self.outcome { $0.initialBackoff = extreme } == "invalid_configuration")
            #expect(Self.outcome { $0.maximumBackoff = extreme } == "invalid_configuration")
        }
    }

    @Test(arguments: [(Int.min, false), (-1, false), (0, false), (1, true), (10, true), (11, false), (Int.max, false)])
    func attempts(value: Int, accepted: Bool) {
        #expect(Self.outcome { $0.maximumAttempts = value } == (accepted ? "accepted" : "invalid_configuration"))
    }

    @Test func refreshWindowBounds() {
        #expect(Self.outcome { $0.backgroundRefreshWindow = 0.1...1 } == "accepted")
        #expect(Self.outcome { $0.backgroundRefreshWindow = 0.099...0.9 } == "invalid_configuration")
        #expect(Self.outcome { $0.backgroundRefreshWindow = 0.5...1.001 } == "invalid_configuration")
        #expect(Self.outcome { $0.backgroundRefreshWindow = -Double.infinity...0.9 } == "invalid_configuration")
        #expect(Self.outcome { $0.backgroundRefreshWindow = 0.5...Double.infinity } == "invalid_configuration")
    }

    @Test func userAgents() {
        #expect(Self.outcome { $0.userAgent = "" } == "accepted")
        #expect(Self.outcome { $0.userAgent = "app/1.0 (tab\t)" } == "accepted")
        #expect(Self.outcome { $0.userAgent = "app\r\nX-Injected: 1" } == "invalid_configuration")
        #expect(Self.outcome { $0.userAgent = "app/é" } == "invalid_configuration")
    }
}
