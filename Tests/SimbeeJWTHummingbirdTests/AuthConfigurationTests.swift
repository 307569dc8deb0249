import Hummingbird
import HummingbirdAuth
import SimbeeJWT
import SimbeeJWTHummingbird
import Testing

/// `SimbeeAuthConfiguration.retryAfter` over `Duration`'s whole range: 0 … 1 day is accepted, any
/// other value is refused with `invalid_configuration` when the authenticator is made, never a trap
/// when a 503 is answered.
@Suite("SimbeeAuthConfiguration values")
struct AuthConfigurationTests {
    typealias Authenticator = SimbeeAuthenticator<BasicAuthRequestContext<SimbeeIdentity>>

    static let values: [Duration] = [
        .zero, .nanoseconds(1), .seconds(10), .seconds(86_400), .seconds(86_400) + .nanoseconds(1),
        .nanoseconds(-1), .seconds(-3), .seconds(Int64.max), .seconds(Int64.min),
        .seconds(Int64.max) * 18, .zero - .seconds(Int64.max) * 18,
        Duration(secondsComponent: Int64.max, attosecondsComponent: 999_999_999_999_999_999),
    ]

    @Test("retryAfter: accepted exactly in 0 … 86400 s", arguments: values)
    func retryAfterRange(_ retryAfter: Duration) throws {
        let verifier = try JWTVerifier(keys: try JWKSet(json: try Fixtures.keySetDocument()))
        let accepted = retryAfter >= .zero && retryAfter <= .seconds(86_400)
        do {
            _ = try Authenticator(verifier: verifier, configuration: SimbeeAuthConfiguration(retryAfter: retryAfter))
            #expect(accepted, "\(retryAfter) accepted")
        } catch {
            #expect(!accepted, "\(retryAfter) refused")
            #expect(error.code == .invalidConfiguration)
        }
    }

    @Test("no Retry-After is always accepted")
    func noRetryAfter() throws {
        let verifier = try JWTVerifier(keys: try JWKSet(json: try Fixtures.keySetDocument()))
        _ = try Authenticator(verifier: verifier, configuration: SimbeeAuthConfiguration(retryAfter: nil))
    }

    @Test("realm: control characters are refused; spaces, quotes and non-ASCII text are kept")
    func realmCharacters() throws {
        let verifier = try JWTVerifier(keys: try JWKSet(json: try Fixtures.keySetDocument()))
        for realm in ["orders\r\nX-Injected: 1", "a\tb", "nul\u{0}", "del\u{7F}", "\u{1B}[31m"] {
            let error = #expect(throws: JWTError.self, "\(realm.debugDescription)") {
                try Authenticator(verifier: verifier, configuration: SimbeeAuthConfiguration(realm: realm))
            }
            #expect(error?.code == .invalidConfiguration)
        }
        for realm in ["orders", "Orders API", #"say "hi""#, "caf\u{E9}", ""] {
            _ = try Authenticator(verifier: verifier, configuration: SimbeeAuthConfiguration(realm: realm))
        }
    }
}
