import HTTPTypes
import Hummingbird
import HummingbirdAuth
import HummingbirdTesting
import SimbeeJWT
import SimbeeJWTTestSupport
import SimbeeJWTTesting
import Testing

@testable import SimbeeJWTHummingbird

/// Scopes are compared byte for byte: canonically equivalent spellings are different scopes.
@Suite("Canonically equivalent scopes")
struct EquivalentScopeTests {
    /// `café` with a precomposed é (U+00E9) and with e + combining acute (U+0301): equal as Swift
    /// `String`s, different scopes byte for byte.
    static let composed = "caf\u{E9}"
    static let decomposed = "cafe\u{301}"

    @Test("a requirement keeps canonically equivalent scopes apart: they are different scopes")
    func equivalentScopesStayDistinct() {
        let requirement = ScopeRequirement.all([Self.composed, Self.decomposed])
        #expect(requirement.scopes.count == 2)
        #expect(requirement.scopes.map { Array($0.utf8) } == [Array(Self.composed.utf8), Array(Self.decomposed.utf8)])
        let holdsComposedOnly = requirement.isSatisfied { Array($0.utf8) == Array(Self.composed.utf8) }
        #expect(!holdsComposedOnly)
    }

    @Test("all-of two canonically equivalent scopes: a token granting one of them is refused with 403")
    func equivalentScopesOverHTTP() async throws {
        let server = try await SimbeeTestJWKSServer.start(serving: try SimbeeTestIssuer())
        do {
            let router = Router(context: BasicAuthRequestContext<SimbeeIdentity>.self)
            router.add(middleware: try SimbeeAuthenticator(verifier: try server.verifier()))
            router.group("cafe")
                .add(middleware: RequireScopes(.all([Self.composed, Self.decomposed])))
                .get { _, _ in "both" }
            let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
            let one = try server.issuer.token(TestClaims(scopes: [Self.composed]))
            let both = try server.issuer.token(TestClaims(scopes: [Self.composed, Self.decomposed]))
            try await app.test(.router) { client in
                let refused = try await client.execute(
                    uri: "/cafe",
                    method: .get,
                    headers: [.authorization: "Bearer \(one)"]
                )
                #expect(refused.status == .forbidden)
                let allowed = try await client.execute(
                    uri: "/cafe",
                    method: .get,
                    headers: [.authorization: "Bearer \(both)"]
                )
                #expect(allowed.status == .ok)
            }
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
    }
}
