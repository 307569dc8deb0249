import AsyncHTTPClient
import Hummingbird
import HummingbirdAuth
import HummingbirdTesting
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import SimbeeJWT
import SimbeeJWTHummingbird
import SimbeeJWTTesting
import Testing

@testable import SimbeeAuthClient

/// Client → exchange → service → verifier, all over real HTTP on 127.0.0.1: the token provider
/// exchanges its key with the test issuer, and a Hummingbird service verifies the token against
/// the same issuer's JWK Set.
@Suite struct EndToEndTests {
    struct User: Sendable {
        let id: String
    }

    static let key = "sk_test_end_to_end"

    /// A service whose `/me` answers the caller's subject, refusing the tokens whose `jti` the
    /// test has revoked (as a service that keeps a deny-list would).
    static func service(
        verifier: JWTVerifier,
        revoked: NIOLockedValueBox<Set<String>>
    ) throws -> Application<RouterResponder<BasicAuthRequestContext<User>>> {
        let router = Router(context: BasicAuthRequestContext<User>.self)
        router.add(
            middleware: try SimbeeAuthenticator(verifier: verifier) { caller, _, _ in
                let jti = caller.token.claims.id ?? ""
                return revoked.withLockedValue { $0.contains(jti) } ? nil : User(id: caller.subject)
            }
        )
        router.get("me") { _, context in try context.requireSimbeeIdentity().id }
        return Application(router: router)
    }

    @Test func aTokenFromTheProviderIsAcceptedAndA401IsRetriedOnce() async throws {
        try await SimbeeTestJWKSServer.withServer(serving: try SimbeeTestIssuer()) { server in
            server.acceptAPIKey(Self.key, subject: "cu_e2e", clientID: "cl_e2e", scopes: ["read"])
            let revoked = NIOLockedValueBox<Set<String>>([])
            let app = try Self.service(verifier: try server.verifier(clientID: "cl_e2e"), revoked: revoked)
            try await app.test(.live) { client in
                let port = try #require(client.port)
                var configuration = SimbeeTokenProvider.Configuration()
                configuration.baseURL = server.baseURL
                let provider = try SimbeeTokenProvider(apiKey: try SimbeeAPIKey(Self.key), configuration: configuration)
                let request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/me")

                func me() async throws -> (status: UInt, body: String) {
                    let response = try await provider.execute(request, on: .shared, timeout: .seconds(10))
                    let body = try await response.body.collect(upTo: 1_024)
                    return (response.status.code, String(buffer: body))
                }

                #expect(try await me() == (200, "cu_e2e"))
                #expect(server.exchangeCount == 1)

                // The service starts refusing that token: one 401, one new exchange, one resend.
                let first = try await provider.token()
                let jti = try await server.verifier(clientID: "cl_e2e").verify(first.value).claims.id
                revoked.withLockedValue { _ = $0.insert(try! #require(jti)) }
                #expect(try await me() == (200, "cu_e2e"))
                #expect(server.exchangeCount == 2)
                #expect(try await provider.token() != first)

                // The new token serves the next request with no exchange.
                #expect(try await me() == (200, "cu_e2e"))
                #expect(server.exchangeCount == 2)

                // Key and token both revoked: the 401 leads to a refused exchange, thrown.
                let second = try await provider.token()
                let secondID = try await server.verifier(clientID: "cl_e2e").verify(second.value).claims.id
                revoked.withLockedValue { _ = $0.insert(secondID ?? "") }
                server.revokeAPIKey(Self.key)
                await #expect(throws: SimbeeAuthError.self) { try await me() }
                #expect(server.exchangeCount == 3)
            }
        }
    }

    @Test func setBearerTokenReplacesAnyAuthorization() async throws {
        var request = HTTPClientRequest(url: "https://api.simbee.io/v1/me")
        request.headers.add(name: "Authorization", value: "Basic old")
        request.headers.add(name: "authorization", value: "Bearer older")
        let token = SimbeeAccessToken(value: "a.b.c", scopes: [], lifetime: .seconds(900), exchange: 1)
        request.setBearerToken(token)
        #expect(request.headers["Authorization"] == ["Bearer a.b.c"])
    }
}
