import AsyncHTTPClient
import Foundation
import Logging
import MetricsTestKit
import SimbeeJWT
import SimbeeJWTTestSupport
import SimbeeJWTTesting
import Testing

@_spi(Testing) @testable import SimbeeAuthClient

/// The provider against a real exchange on 127.0.0.1, with time on a manual clock.
@Suite struct SimbeeTokenProviderTests {
    @Test func exchangesOnFirstUseThenServesTheCachedToken() async throws {
        let harness = try await ProviderHarness.make()
        let first = try await harness.provider.token()
        let second = try await harness.provider.token()
        #expect(first == second)
        #expect(harness.server.exchangeCount == 1)
        #expect(first.scopes == ["read", "write"])
        #expect(first.lifetime > .seconds(898) && first.lifetime <= .seconds(900))
        #expect(first.authorizationValue == "Bearer " + first.value)

        let verified = try await harness.server.verifier(clientID: "cl_harness").verify(first.value)
        #expect(verified.claims.subject == "cu_harness")
        #expect(harness.counter("simbee_auth_exchanges_total", [("result", "success")]) == 1)
        #expect(harness.gauge("simbee_auth_token_remaining_seconds") == 900)
        let timer = try harness.metrics.expectTimer(
            "simbee_auth_exchange_duration_seconds",
            [("url", harness.provider.exchangeURL)]
        )
        #expect(timer.values.count == 1)
        await harness.server.shutdown()
    }

    @Test func sendsTheKeyAsJSONWithItsHeaders() async throws {
        let harness = try await ProviderHarness.make(scripted: true)
        harness.server.answer(try harness.grant().answer)
        _ = try await harness.provider.token()
        let request = try #require(harness.server.requests.first)
        #expect(request.method == "POST")
        #expect(request.path == "/auth/exchange")
        #expect(String(decoding: request.body, as: UTF8.self) == #"{"api_key":""# + ProviderHarness.apiKey + #""}"#)
        let headers = Dictionary(request.headers.map { ($0.0.lowercased(), $0.1) }) { first, _ in first }
        #expect(headers["content-type"] == "application/json")
        #expect(headers["user-agent"] == "SimbeeAuthClient/0.1.0")
        await harness.server.shutdown()
    }

    @Test func exchangesAgainOnceLessThanTheMarginRemains() async throws {
        let harness = try await ProviderHarness.make()
        let first = try await harness.provider.token()
        // The token lives 899–900 s from sending: at 868 s more than 30 s remain, at 871 s less.
        harness.clock.advance(by: .seconds(868))
        #expect(try await harness.provider.token() == first)
        #expect(harness.server.exchangeCount == 1)
        harness.clock.advance(by: .seconds(3))
        let second = try await harness.provider.token()
        #expect(second != first)
        #expect(harness.server.exchangeCount == 2)
        await harness.server.shutdown()
    }

    @Test func anEarlierExpHonouredOverExpiresIn() async throws {
        let harness = try await ProviderHarness.make(scripted: true)
        harness.server.answer(try harness.grant(expiresIn: "900", tokenLifetime: 100).answer)
        let token = try await harness.provider.token()
        #expect(token.lifetime == .seconds(100))
        harness.clock.advance(by: .milliseconds(69_999))
        #expect(try await harness.provider.token() == token)
        harness.clock.advance(by: .milliseconds(1))
        #expect(try await harness.provider.token() != token)
        #expect(harness.requests == 2)
        await harness.server.shutdown()
    }

    @Test func tenThousandConcurrentCallersShareOneExchange() async throws {
        let harness = try await ProviderHarness.make(scripted: true)
        let gate = SimbeeTestJWKSServer.Gate()
        let (answer, minted) = try harness.grant()
        harness.server.answer(.gated(gate, answer))
        let provider = harness.provider
        let tokens = try await withThrowingTaskGroup(of: SimbeeAccessToken.self) { group in
            for _ in 0..<10_000 {
                group.addTask { try await provider.token() }
            }
            try await waitUntil { provider.waitingCallerCount == 10_000 && harness.requests == 1 }
            gate.open()
            var tokens: [SimbeeAccessToken] = []
            for try await token in group { tokens.append(token) }
            return tokens
        }
        #expect(tokens.count == 10_000)
        #expect(tokens.allSatisfy { $0.value == minted && $0 == tokens[0] })
        #expect(harness.requests == 1)
        await harness.server.shutdown()
    }

    @Test func cancellingOneCallerLeavesTheSharedExchangeRunning() async throws {
        let harness = try await ProviderHarness.make(scripted: true)
        let gate = SimbeeTestJWKSServer.Gate()
        let (answer, minted) = try harness.grant()
        harness.server.answer(.gated(gate, answer))
        let provider = harness.provider
        let cancelled = Task { try await provider.token() }
        let patient = Task { try await provider.token() }
        try await waitUntil { provider.waitingCallerCount == 2 }
        cancelled.cancel()
        do {
            _ = try await cancelled.value
            Issue.record("a cancelled caller must throw")
        } catch let error as SimbeeAuthError {
            #expect(error.code == .cancelled)
        }
        gate.open()
        #expect(try await patient.value.value == minted)
        #expect(harness.requests == 1)
        await harness.server.shutdown()
    }

    @Test func networkFailuresBackOffOnTheClock() async throws {
        let harness = try await ProviderHarness.make(scripted: true) {
            $0.initialBackoff = .seconds(1)
        }
        harness.server.answer(ProviderHarness.json(503, #"{"error":"down"}"#))
        let provider = harness.provider
        let call = Task { try await provider.token() }
        // First failure: 1 s × 0.5…1.5 before the next attempt.
        try await waitUntil { harness.requests == 1 && harness.clock.sleeperCount == 1 }
        harness.clock.advance(by: .milliseconds(499))
        #expect(harness.clock.sleeperCount == 1)
        harness.clock.advance(by: .milliseconds(1_001))
        // Second failure: 2 s × 0.5…1.5.
        try await waitUntil { harness.requests == 2 && harness.clock.sleeperCount == 1 }
        harness.clock.advance(by: .milliseconds(999))
        #expect(harness.clock.sleeperCount == 1)
        harness.server.answer(try harness.grant().answer)
        harness.clock.advance(by: .milliseconds(2_001))
        _ = try await call.value
        #expect(harness.requests == 3)
        #expect(harness.counter("simbee_auth_exchanges_total", [("result", "failure")]) == 2)
        #expect(harness.counter("simbee_auth_exchanges_total", [("result", "success")]) == 1)
        await harness.server.shutdown()
    }

    @Test func aCallGivesUpAfterItsAttempts() async throws {
        let harness = try await ProviderHarness.make(scripted: true) {
            $0.maximumAttempts = 2
        }
        harness.server.answer(ProviderHarness.json(500, "{}"))
        let provider = harness.provider
        let call = Task { try await provider.token() }
        try await waitUntil { harness.requests == 1 && harness.clock.sleeperCount == 1 }
        harness.clock.advance(by: .seconds(1))
        do {
            _ = try await call.value
            Issue.record("two failed attempts must fail the call")
        } catch let error as SimbeeAuthError {
            #expect(error.code == .serverError)
            #expect(error.status == 500)
        }
        #expect(harness.requests == 2)
        // Another call during the backoff fails at once, without a request.
        await #expect(throws: SimbeeAuthError.self) { try await provider.token() }
        #expect(harness.requests == 2)
        await harness.server.shutdown()
    }

    @Test(arguments: [
        "7", "EEE, dd MMM yyyy HH:mm:ss 'GMT'", "EEEE, dd-MMM-yy HH:mm:ss 'GMT'", "EEE MMM dd HH:mm:ss yyyy",
    ])
    func retryAfterIsHonoured(form: String) async throws {
        let harness = try await ProviderHarness.make(scripted: true)
        // The provider's wall clock is pinned: an HTTP-date 7 s after it, in any of the three
        // formats (IMF-fixdate, RFC 850, asctime), is a delay of 7 s.
        let date = Date(timeIntervalSince1970: harness.now.timeIntervalSince1970 + 7)
        let value = form == "7" ? "7" : Self.httpDate(date, format: form)
        harness.server.answer(ProviderHarness.json(429, "{}", headers: [("Retry-After", value)]))
        let provider = harness.provider
        let call = Task { try await provider.token() }
        try await waitUntil { harness.requests == 1 && harness.clock.sleeperCount == 1 }
        harness.clock.advance(by: .milliseconds(6_999))
        #expect(harness.clock.sleeperCount == 1)
        harness.server.answer(try harness.grant().answer)
        harness.clock.advance(by: .milliseconds(1))
        _ = try await call.value
        #expect(harness.requests == 2)
        await harness.server.shutdown()
    }

    @Test func aRetryAfterLongerThanACallWaitsFailsItWithTheDelay() async throws {
        let harness = try await ProviderHarness.make(scripted: true)
        harness.server.answer(ProviderHarness.json(429, "{}", headers: [("Retry-After", "31")]))
        do {
            _ = try await harness.provider.token()
            Issue.record("31 s is longer than the 30 s a call waits")
        } catch {
            #expect(error.code == .rateLimited)
            #expect(error.retryAfter == .seconds(31))
        }
        #expect(harness.requests == 1)
        await harness.server.shutdown()
    }

    @Test(arguments: [400, 401, 403])
    func aRefusedKeyIsNotRetried(status: Int) async throws {
        let harness = try await ProviderHarness.make(scripted: true)
        harness.server.answer(ProviderHarness.json(status, #"{"error":"invalid_api_key"}"#))
        do {
            _ = try await harness.provider.token()
            Issue.record("a refused key must throw")
        } catch {
            #expect(error.code == .keyRefused)
            #expect(error.status == status)
            #expect(!error.isRetryable)
        }
        #expect(harness.requests == 1)
        #expect(harness.clock.sleeperCount == 0)
        #expect(harness.counter("simbee_auth_exchanges_total", [("result", "refused")]) == 1)
        #expect(harness.logs.count(containing: "refused the API key", level: .error) == 1)
        await harness.server.shutdown()
    }

    @Test(arguments: [402, 404, 405, 409, 302, 307])
    func otherStatusesAreUnexpected(status: Int) async throws {
        let harness = try await ProviderHarness.make(scripted: true)
        let location = harness.server.baseURL + "/elsewhere"
        harness.server.answer(ProviderHarness.json(status, "{}", headers: [("Location", location)]))
        do {
            _ = try await harness.provider.token()
            Issue.record("status \(status) must throw")
        } catch {
            #expect(error.code == .unexpectedStatus)
            #expect(error.status == status)
        }
        // A redirect is not followed: the only request is the exchange.
        #expect(harness.server.requests.map(\.path) == ["/auth/exchange"])
        await harness.server.shutdown()
    }

    /// A client of the caller's own that follows every redirect it can, keeping `POST` and its body
    /// on `301` and `302` too.
    static func followingClient() -> HTTPClient {
        HTTPClient(
            eventLoopGroup: HTTPClient.defaultEventLoopGroup,
            configuration: .init(
                redirectConfiguration: .follow(
                    configuration: .init(
                        max: 2,
                        allowCycles: false,
                        retainHTTPMethodAndBodyOn301: true,
                        retainHTTPMethodAndBodyOn302: true
                    )
                )
            )
        )
    }

    /// Through a following client, a redirect to another server never carries the key there: the
    /// body is not sent again (`301`, `302`, `307`, `308` come back unfollowed; `303` is followed as a
    /// `GET` without it), and the answer is refused either way.
    @Test(arguments: [301, 302, 303, 307, 308])
    func aFollowingClientNeverSendsTheKeyToARedirectTarget(status: Int) async throws {
        let target = try await SimbeeTestJWKSServer.start(serving: try SimbeeTestIssuer())
        target.acceptAPIKey(ProviderHarness.apiKey)
        let redirecting = try await SimbeeTestJWKSServer.startScripted()
        redirecting.answer(
            .respond(status: status, headers: [("Location", target.baseURL + "/auth/exchange")], body: [])
        )
        let client = Self.followingClient()
        var configuration = SimbeeTokenProvider.Configuration()
        configuration.baseURL = redirecting.baseURL
        configuration.maximumAttempts = 1
        let provider = try SimbeeTokenProvider(
            apiKey: try SimbeeAPIKey(ProviderHarness.apiKey),
            configuration: configuration,
            httpClient: client
        )
        do {
            _ = try await provider.token()
            Issue.record("status \(status): an answer after a redirect must be refused")
        } catch {
            #expect(error.code == .unexpectedStatus, "status \(status)")
        }
        #expect(redirecting.requests.map(\.path) == ["/auth/exchange"], "status \(status)")
        #expect(target.exchangeCount == 0, "status \(status): the key reached the redirect's target")
        try await client.shutdown()
        await target.shutdown()
        await redirecting.shutdown()
    }

    /// The near miss: the same client, pointed at the exchange itself, sends the key and gets a token.
    @Test func aFollowingClientExchangesWithoutARedirect() async throws {
        let target = try await SimbeeTestJWKSServer.start(serving: try SimbeeTestIssuer())
        target.acceptAPIKey(ProviderHarness.apiKey)
        let client = Self.followingClient()
        var configuration = SimbeeTokenProvider.Configuration()
        configuration.baseURL = target.baseURL
        let provider = try SimbeeTokenProvider(
            apiKey: try SimbeeAPIKey(ProviderHarness.apiKey),
            configuration: configuration,
            httpClient: client
        )
        _ = try await provider.token()
        #expect(target.exchangeCount == 1)
        try await client.shutdown()
        await target.shutdown()
    }

    @Test func theCachedTokenServesWhileAnEarlyRefreshFails() async throws {
        let harness = try await ProviderHarness.make()
        let first = try await harness.provider.token()
        harness.clock.advance(by: .seconds(880))
        harness.server.isExchangeAvailable = false
        #expect(try await harness.provider.token() == first)
        #expect(harness.server.exchangeCount == 2)
        // During the backoff, the still-valid token is served without a request.
        #expect(try await harness.provider.token() == first)
        #expect(harness.server.exchangeCount == 2)
        #expect(harness.logs.count(containing: "exchange failed", level: .warning) == 1)
        await harness.server.shutdown()
    }

    @Test func invalidateForcesOneExchangeAndIgnoresReplacedTokens() async throws {
        let harness = try await ProviderHarness.make()
        let provider = harness.provider
        let first = try await provider.token()
        #expect(provider.invalidate(first))
        let second = try await provider.token()
        #expect(second != first)
        #expect(harness.server.exchangeCount == 2)
        // A late 401 for the replaced token changes nothing.
        #expect(!provider.invalidate(first))
        #expect(try await provider.token() == second)
        #expect(harness.server.exchangeCount == 2)

        // A hundred requests refused with the same token: one exchange.
        let tokens = try await withThrowingTaskGroup(of: SimbeeAccessToken.self) { group in
            for _ in 0..<100 {
                group.addTask {
                    provider.invalidate(second)
                    return try await provider.token()
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(harness.server.exchangeCount == 3)
        #expect(Set(tokens.map(\.value)).count == 1 && tokens[0] != second)
        #expect(harness.counter("simbee_auth_invalidations_total") == 2)
        await harness.server.shutdown()
    }

    @Test func timeoutsAndConnectionFailuresAreRetryableErrors() async throws {
        let harness = try await ProviderHarness.make(scripted: true) {
            $0.requestTimeout = .milliseconds(300)
            $0.maximumAttempts = 1
        }
        harness.server.answer(.hang)
        do {
            _ = try await harness.provider.token()
            Issue.record("a hung exchange must time out")
        } catch {
            #expect(error.code == .timedOut)
            #expect(error.isRetryable)
        }
        await harness.server.shutdown()

        // Nothing listens on the port any more.
        var configuration = SimbeeTokenProvider.Configuration()
        configuration.baseURL = harness.server.baseURL
        configuration.maximumAttempts = 1
        let refused = try SimbeeTokenProvider(
            apiKey: try SimbeeAPIKey(ProviderHarness.apiKey),
            configuration: configuration
        )
        do {
            _ = try await refused.token()
            Issue.record("a closed port must fail")
        } catch {
            #expect(error.code == .connectionFailed || error.code == .timedOut)
            #expect(error.isRetryable)
        }
    }

    @Test func anOversizedAnswerIsRefused() async throws {
        let harness = try await ProviderHarness.make(scripted: true) { $0.maximumAttempts = 1 }
        harness.server.answer(.stream(bytes: 200_000))
        do {
            _ = try await harness.provider.token()
            Issue.record("a 200 KB answer must be refused")
        } catch {
            #expect(error.code == .invalidResponse)
        }
        await harness.server.shutdown()
    }

    /// `date` as an HTTP-date in the given `DateFormatter` format, as `Retry-After` carries one.
    static func httpDate(_ date: Date, format: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = format
        return formatter.string(from: date)
    }
}
