import Foundation
import SimbeeJWT
import SimbeeJWTTestSupport
import SimbeeJWTTesting
import Testing

@_spi(Testing) @testable import SimbeeAuthClient

/// A `200` whose body is not a usable token is an error, and nothing is cached.
@Suite struct ExchangeAnswerTests {
    /// `body` with its placeholders replaced by tokens issued at `now` by the harness's issuer:
    /// `{TOKEN}` lives 900 s, `{DAY}` 86,400 s, and `{EXPIRED}` expired 10 s before `now`.
    static func body(_ template: String, _ harness: ProviderHarness) throws -> String {
        var body = template
        for (placeholder, lifetime) in [("{TOKEN}", Int64(900)), ("{DAY}", 86_400), ("{EXPIRED}", -10)]
        where body.contains(placeholder) {
            let token = try harness.server.issuer.token(TestClaims(issuedAt: harness.now, lifetime: .seconds(lifetime)))
            body = body.replacingOccurrences(of: placeholder, with: token)
        }
        return body
    }

    static func answer(_ data: String) -> String { #"{"data":"# + data + "}" }

    /// Bodies refused, each with the reason it must be refused for.
    static let refused: [(String, String)] = [
        ("not JSON", "token=abc"),
        ("JSON array", "[]"),
        ("byte-order mark", "\u{FEFF}" + answer(#"{"token":"{TOKEN}","expires_in":900}"#)),
        ("no data", #"{"token":"{TOKEN}","expires_in":900}"#),
        ("data not an object", #"{"data":"{TOKEN}"}"#),
        ("no token", answer(#"{"expires_in":900}"#)),
        ("empty token", answer(#"{"token":"","expires_in":900}"#)),
        ("token a number", answer(#"{"token":12,"expires_in":900}"#)),
        ("token not a JWT", answer(#"{"token":"opaque-token","expires_in":900}"#)),
        ("token with a space", answer(#"{"token":"{TOKEN} ","expires_in":900}"#)),
        ("payload not JSON", answer(#"{"token":"eyJhbGciOiJFUzI1NiJ9.bm90IGpzb24.c2ln","expires_in":900}"#)),
        ("exp a string", answer(#"{"token":"eyJhbGciOiJFUzI1NiJ9.eyJleHAiOiJzb29uIn0.c2ln","expires_in":900}"#)),
        // exp -1, -1e19, 253402300800 (one second past 9999) and 1e300: not NumericDates the verifier
        // accepts. -1e19 once trapped while the "expired" message was written.
        ("exp before 1970", answer(#"{"token":"eyJhbGciOiJFUzI1NiJ9.eyJleHAiOi0xfQ.c2ln","expires_in":900}"#)),
        ("exp far before 1970", answer(#"{"token":"eyJhbGciOiJFUzI1NiJ9.eyJleHAiOi0xZTE5fQ.c2ln","expires_in":900}"#)),
        (
            "exp past 9999",
            answer(#"{"token":"eyJhbGciOiJFUzI1NiJ9.eyJleHAiOjI1MzQwMjMwMDgwMH0.c2ln","expires_in":900}"#)
        ),
        ("exp absurd", answer(#"{"token":"eyJhbGciOiJFUzI1NiJ9.eyJleHAiOjFlMzAwfQ.c2ln","expires_in":900}"#)),
        ("no expires_in", answer(#"{"token":"{TOKEN}"}"#)),
        ("expires_in a string", answer(#"{"token":"{TOKEN}","expires_in":"900"}"#)),
        ("expires_in zero", answer(#"{"token":"{TOKEN}","expires_in":0}"#)),
        ("expires_in negative", answer(#"{"token":"{TOKEN}","expires_in":-900}"#)),
        ("expires_in fractional", answer(#"{"token":"{TOKEN}","expires_in":900.5}"#)),
        ("expires_in below a second", answer(#"{"token":"{TOKEN}","expires_in":0.5}"#)),
        ("expires_in absurd", answer(#"{"token":"{TOKEN}","expires_in":1e300}"#)),
        ("expires_in past the bound", answer(#"{"token":"{TOKEN}","expires_in":86401}"#)),
        ("expired exp", answer(#"{"token":"{EXPIRED}","expires_in":900}"#)),
        ("scopes not an array", answer(#"{"token":"{TOKEN}","expires_in":900,"scopes":"read"}"#)),
        ("a scope not a string", answer(#"{"token":"{TOKEN}","expires_in":900,"scopes":[1]}"#)),
        ("duplicate token", answer(#"{"token":"{TOKEN}","token":"{TOKEN}","expires_in":900}"#)),
        ("duplicate expires_in", answer(#"{"token":"{TOKEN}","expires_in":900,"expires_in":60}"#)),
        ("trailing text", answer(#"{"token":"{TOKEN}","expires_in":900}"#) + "x"),
    ]

    @Test(arguments: refused)
    func refusedAndNotCached(reason: String, body: String) async throws {
        let harness = try await ProviderHarness.make(scripted: true) { $0.maximumAttempts = 1 }
        harness.server.answer(ProviderHarness.json(200, try Self.body(body, harness)))
        do {
            _ = try await harness.provider.token()
            Issue.record("\(reason): must be refused")
        } catch {
            #expect(error.code == .invalidResponse, "\(reason)")
            #expect(error.status == 200)
            #expect(!error.isRetryable)
        }
        // Nothing was cached: once the backoff has passed, the next call exchanges again.
        harness.clock.advance(by: .seconds(2))
        _ = try? await harness.provider.token()
        #expect(harness.requests == 2, "\(reason)")
        await harness.server.shutdown()
    }

    /// Near misses on the accepted side of each bound.
    static let accepted: [(String, String, Duration)] = [
        ("expires_in one second", answer(#"{"token":"{TOKEN}","expires_in":1}"#), .seconds(1)),
        (
            "expires_in at the bound", answer(#"{"token":"{DAY}","expires_in":86400}"#),
            .seconds(86_400)
        ),
        ("expires_in written 9e2", answer(#"{"token":"{TOKEN}","expires_in":9e2}"#), .seconds(900)),
        ("no scopes", answer(#"{"token":"{TOKEN}","expires_in":900}"#), .seconds(900)),
        // exp 253402300799, the last second of 9999: the latest NumericDate accepted.
        (
            "exp at the end of 9999",
            answer(#"{"token":"eyJhbGciOiJFUzI1NiJ9.eyJleHAiOjI1MzQwMjMwMDc5OX0.c2ln","expires_in":900}"#),
            .seconds(900)
        ),
        ("unknown fields", answer(#"{"token":"{TOKEN}","expires_in":900,"token_type":"Bearer"}"#), .seconds(900)),
    ]

    @Test(arguments: accepted)
    func acceptedNearMisses(reason: String, body: String, expiresIn: Duration) async throws {
        let harness = try await ProviderHarness.make(scripted: true)
        harness.server.answer(ProviderHarness.json(200, try Self.body(body, harness)))
        #expect(try await harness.provider.token().lifetime == expiresIn, "\(reason)")
        await harness.server.shutdown()
    }

    @Test func aTokenWithoutExpKeepsExpiresIn() async throws {
        let harness = try await ProviderHarness.make(scripted: true)
        var claims = TestClaims()
        claims.omitted = ["exp"]
        let token = try harness.server.issuer.token(claims)
        harness.server.answer(ProviderHarness.json(200, Self.answer(#"{"token":"\#(token)","expires_in":600}"#)))
        #expect(try await harness.provider.token().lifetime == .seconds(600))
        await harness.server.shutdown()
    }

    @Test func scopesAreKeptInOrder() async throws {
        let harness = try await ProviderHarness.make(scripted: true)
        harness.server.answer(
            ProviderHarness.json(
                200,
                try Self.body(
                    #"{"data":{"token":"{TOKEN}","expires_in":900,"scopes":["write","admin","read:user"]}}"#,
                    harness
                )
            )
        )
        #expect(try await harness.provider.token().scopes == ["write", "admin", "read:user"])
        await harness.server.shutdown()
    }
}
