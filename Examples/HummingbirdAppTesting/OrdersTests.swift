import HTTPTypes
import Hummingbird
import HummingbirdAuth
import HummingbirdTesting
import SimbeeJWT
import SimbeeJWTHummingbird
import SimbeeJWTTesting
import Testing

// The app under test; in your project, `buildRouter` lives in the app's module and production
// passes it `JWTVerifier.simbee(clientID:keys:)`.
struct User: Sendable {
    let id: String
}

func buildRouter(verifier: JWTVerifier) throws -> Router<BasicAuthRequestContext<User>> {
    let router = Router(context: BasicAuthRequestContext<User>.self)
    router.add(
        middleware: try SimbeeAuthenticator(verifier: verifier) { caller, _, _ in
            // Your user lookup; `nil` refuses the token with 401.
            caller.subject == "cu_deleted" ? nil : User(id: caller.subject)
        }
    )
    router.group("orders")
        .add(middleware: RequireScopes(.all(["orders:read"])))
        .get { _, context in "orders of \(try context.requireSimbeeIdentity().id)" }
    return router
}

@Suite struct OrdersTests {
    @Test func ordersNeedATokenWithTheReadScope() async throws {
        // A test issuer (real keys) and its JWK Set on 127.0.0.1, shut down when the block ends.
        try await SimbeeTestJWKSServer.withServer(serving: try SimbeeTestIssuer()) { server in
            let app = Application(router: try buildRouter(verifier: try server.verifier(clientID: "cl_test")))
            try await app.test(.router) { client in
                func get(_ token: String?) async throws -> TestResponse {
                    var headers = HTTPFields()
                    if let token { headers[.authorization] = "Bearer \(token)" }
                    return try await client.execute(uri: "/orders", method: .get, headers: headers) { $0 }
                }
                let reader = try server.issuer.token(TestClaims(subject: "cu_42", scopes: ["orders:read"]))
                let ok = try await get(reader)
                #expect(ok.status == .ok)
                #expect(String(buffer: ok.body) == "orders of cu_42")

                let noScope = try await get(try server.issuer.token(TestClaims(subject: "cu_42")))
                #expect(noScope.status == .forbidden)
                #expect(
                    noScope.headers[.wwwAuthenticate]
                        == #"Bearer realm="simbee", error="insufficient_scope", scope="orders:read""#
                )

                // Expired, and a subject the app no longer knows: both refused tokens.
                let expired = try server.issuer.token(.expired)
                let deleted = try server.issuer.token(TestClaims(subject: "cu_deleted"))
                for refused in [expired, deleted] {
                    let response = try await get(refused)
                    #expect(response.status == .unauthorized)
                    #expect(response.headers[.wwwAuthenticate] == #"Bearer realm="simbee", error="invalid_token""#)
                }

                let anonymous = try await get(nil)
                #expect(anonymous.status == .unauthorized)
                #expect(anonymous.headers[.wwwAuthenticate] == #"Bearer realm="simbee""#)
            }
        }
    }
}
