import Foundation
import NIOCore
import SimbeeJWT
import SimbeeJWTTestSupport
import SimbeeJWTTesting
import Testing

@_spi(Testing) @testable import SimbeeAuthClient

/// The API key and tokens never appear in logs, errors, descriptions or `dump`.
@Suite struct SecretRedactionTests {
    static let key = ProviderHarness.apiKey

    /// Every text a value can be turned into.
    static func renderings(_ value: Any) -> [String] {
        var dumped = ""
        dump(value, to: &dumped)
        return ["\(value)", String(describing: value), String(reflecting: value), dumped]
    }

    @Test func theKeyShowsNowhere() throws {
        let key = try SimbeeAPIKey(Self.key)
        for text in Self.renderings(key) + Self.renderings([key]) + Self.renderings(Optional(key)) {
            #expect(!text.contains(Self.key))
            #expect(!text.contains("leak_canary"))
        }
        #expect("\(key)" == "SimbeeAPIKey(redacted)")
    }

    @Test func aTokenShowsOnlyItsScopes() async throws {
        let harness = try await ProviderHarness.make()
        let token = try await harness.provider.token()
        for text in Self.renderings(token) + Self.renderings(harness.provider) {
            #expect(!text.contains(token.value))
            #expect(!text.contains(Self.key))
        }
        #expect("\(token)" == #"SimbeeAccessToken(redacted, scopes: ["read", "write"])"#)
        // The provider's dump stops at its URL: it never walks into the shared HTTP client, whose
        // connections and buffers belong to the whole process.
        var dumped = ""
        dump(harness.provider, to: &dumped)
        #expect(dumped.contains("exchangeURL"))
        #expect(!dumped.contains("exchanger") && !dumped.contains("apiKey") && !dumped.contains("state"))
        await harness.server.shutdown()
    }

    /// Success, refusal, outage, a broken answer that echoes the key, a timeout: neither the logs
    /// nor the errors hold the key or a token.
    @Test func logsAndErrorsNeverHoldTheKeyOrAToken() async throws {
        let harness = try await ProviderHarness.make(scripted: true) {
            $0.maximumAttempts = 1
            $0.requestTimeout = .seconds(2)
        }
        let (answer, minted) = try harness.grant()
        let echo = #"{"error":"invalid_api_key","api_key":""# + Self.key + #"","token":""# + minted + #""}"#
        let scenarios: [SimbeeTestJWKSServer.Action] = [
            answer,
            ProviderHarness.json(401, echo),
            ProviderHarness.json(503, echo),
            ProviderHarness.json(200, echo),
            ProviderHarness.json(200, #"{"data":{"token":""# + Self.key + #"","expires_in":900}}"#),
            ProviderHarness.json(429, echo, headers: [("Retry-After", Self.key)]),
            .hang,
        ]
        var errors: [SimbeeAuthError] = []
        var served: [SimbeeAccessToken] = []
        for scenario in scenarios {
            harness.server.answer(scenario)
            if let last = served.last { harness.provider.invalidate(last) }
            harness.clock.advance(by: .seconds(3_601))
            do {
                served.append(try await harness.provider.token())
            } catch {
                errors.append(error)
            }
        }
        #expect(errors.count == scenarios.count - 1)
        let texts = harness.loggedText + errors.flatMap { [$0.description, $0.message] + Self.renderings($0) }
        #expect(texts.count > 20)
        for text in texts {
            #expect(!text.contains(Self.key), "\(text)")
            #expect(!text.contains(minted))
        }
        await harness.server.shutdown()
    }

    @Test func unacceptableKeysAreNotQuoted() {
        let keys = [
            "", "sk_test_SECRET\n", " sk_test_SECRET", "sk_test SECRET", "sk_test_SECRÉT",
            String(repeating: "k", count: 4_097),
        ]
        for key in keys {
            do {
                _ = try SimbeeAPIKey(key)
                Issue.record("an unacceptable key must throw")
            } catch {
                #expect(error.code == .invalidConfiguration)
                if !key.isEmpty {
                    #expect(!error.message.contains(key.trimmingCharacters(in: .whitespacesAndNewlines)))
                }
            }
        }
        #expect(throws: Never.self) { try SimbeeAPIKey(String(repeating: "k", count: 4_096)) }
        #expect(throws: Never.self) { try SimbeeAPIKey(#"k"\~!"#) }
    }

    @Test func aKeyFromTheEnvironmentNamesTheVariableNotTheValue() throws {
        #expect(try SimbeeAPIKey(environmentVariable: "KEY", in: ["KEY": Self.key]).secret == Self.key)
        do {
            _ = try SimbeeAPIKey(environmentVariable: "SIMBEE_API_KEY", in: [:])
            Issue.record("an unset variable must throw")
        } catch {
            #expect(error.code == .invalidConfiguration)
            #expect(error.message.contains("SIMBEE_API_KEY"))
        }
        do {
            _ = try SimbeeAPIKey(environmentVariable: "KEY", in: ["KEY": Self.key + "\n"])
            Issue.record("a trailing newline must throw")
        } catch {
            #expect(error.message.contains("KEY"))
            #expect(!error.message.contains(Self.key))
        }
    }

    @Test func theRequestBodyEscapesTheKey() throws {
        let body = TokenExchanger.requestBody(try SimbeeAPIKey(#"a"b\c"#))
        #expect(String(buffer: body) == #"{"api_key":"a\"b\\c"}"#)
    }
}
