import Foundation
import SimbeeJWTTestSupport
import SimbeeJWTTesting
import Testing

@_spi(Testing) @testable import SimbeeAuthClient

/// The token provider at the edges: superseded exchanges, refusals during an early refresh, tokens
/// with no life left on arrival, and the user agent's printable range.
@Suite("Token provider edge cases")
struct ProviderEdgeCaseTests {
    @Test("a waiter for an exchange that a later one superseded gets the later outcome")
    func aWaiterForAnExchangeThatALaterOneSupersededFindsTheLaterOutcome() {
        var machine = TokenStateMachine(configuration: SimbeeTokenProvider.Configuration())
        guard case .start(let first) = machine.callerStep(now: .zero, attemptsMade: 0) else {
            Issue.record("the first caller starts an exchange")
            return
        }
        let failure = SimbeeAuthError(.serverError, "503", status: 503)
        machine.exchangeFailed(first, failure, now: .zero, jitter: 1)
        guard case .start(let second) = machine.serviceStep(now: .seconds(1)) else {
            Issue.record("the service exchanges again once the backoff has passed")
            return
        }
        let token = machine.exchangeSucceeded(
            second,
            value: "token-\(second)",
            scopes: [],
            lifetime: .seconds(900),
            sentAt: .seconds(1),
            jitter: 0.9
        )
        // A caller that joined the first exchange and registers only now must not wait for an
        // exchange that may never come: the later outcome is newer news.
        #expect(machine.outcome(of: first) == .success(token))
        #expect(machine.outcome(of: second) == .success(token))
    }

    @Test("a key refused during an early refresh still serves the unexpired token")
    func aKeyRefusedDuringAnEarlyRefreshStillServesTheUnexpiredToken() async throws {
        let harness = try await ProviderHarness.make(scripted: true)
        harness.server.answer(try harness.grant().answer)
        let first = try await harness.provider.token()
        // 20 s of life left: inside the 30 s margin, so the next call exchanges, and the key is refused.
        harness.clock.advance(by: .seconds(880))
        harness.server.answer(ProviderHarness.json(401, #"{"error":"invalid_api_key"}"#))
        #expect(try await harness.provider.token() == first)
        #expect(harness.requests == 2)
        await harness.server.shutdown()
    }

    @Test("a token whose exp is the moment the exchange was sent is refused")
    func aTokenWhoseExpIsTheMomentItWasSentIsRefused() async throws {
        let harness = try await ProviderHarness.make(scripted: true) { $0.maximumAttempts = 1 }
        harness.server.answer(try harness.grant(expiresIn: "900", tokenLifetime: 0).answer)
        do {
            let token = try await harness.provider.token()
            Issue.record("a token with no life left was returned: \(token.lifetime)")
        } catch {
            #expect(error.code == .invalidResponse)
            #expect(error.message.contains("had expired when it arrived"))
        }
        await harness.server.shutdown()
    }

    @Test("a token whose life ended while the exchange was under way is refused")
    func aTokenWhoseLifeEndedWhileTheExchangeWasUnderWayIsRefused() async throws {
        let harness = try await ProviderHarness.make(scripted: true) { $0.maximumAttempts = 1 }
        let gate = SimbeeTestJWKSServer.Gate()
        harness.server.answer(.gated(gate, try harness.grant(expiresIn: "5").answer))
        let provider = harness.provider
        let call = Task { try await provider.token() }
        try await waitUntil { harness.requests == 1 }
        // The exchange takes 5 s by the provider's clock: the 5 s token is spent when it arrives.
        harness.clock.advance(by: .seconds(5))
        gate.open()
        do {
            let token = try await call.value
            Issue.record("a token whose life had ended was returned: \(token.lifetime)")
        } catch let error as SimbeeAuthError {
            #expect(error.code == .invalidResponse)
            #expect(error.message.contains("its life ended while the exchange was under way"))
        }
        await harness.server.shutdown()
    }

    @Test("a user agent holding DEL (0x7F) is refused")
    func aUserAgentWithDELIsRefused() throws {
        var configuration = SimbeeTokenProvider.Configuration()
        configuration.userAgent = "app/1.0\u{7F}"
        do {
            _ = try SimbeeTokenProvider(apiKey: try SimbeeAPIKey("sk_test_configuration"), configuration: configuration)
            Issue.record("DEL is not printable ASCII")
        } catch {
            #expect(error.code == .invalidConfiguration)
        }
    }
}
