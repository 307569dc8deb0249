import HTTPTypes
import Hummingbird
import HummingbirdAuth
import HummingbirdTesting
import Logging
import NIOCore
import SimbeeJWT
import SimbeeJWTHummingbird
import SimbeeJWTTestSupport

/// The service under test: the authenticator in front of public, authenticated and scoped routes.
enum TestApp {
    typealias Context = BasicAuthRequestContext<SimbeeIdentity>

    /// Routes:
    /// - `GET /public`: anyone; answers the subject or `anonymous`.
    /// - `GET /me`: any identity; answers `subject|audiences|scopes|jti` (jti decoded from the
    ///   verified token's payload, as a custom claim would be).
    /// - `GET /read`: `RequireScopes(.all(["read"]))`.
    /// - `GET /read-delete`: `RequireScopes(.all(["read", "delete"]))`.
    /// - `GET /delete-or-admin`: `RequireScopes(.any(["delete", "admin"]))`.
    /// - `GET /handler-delete`: `requireSimbeeIdentity(scopes: .any(["delete"]))` in the handler.
    static func router(
        verifier: JWTVerifier,
        configuration: SimbeeAuthConfiguration = SimbeeAuthConfiguration()
    ) throws -> Router<Context> {
        let router = Router(context: Context.self)
        router.add(middleware: try SimbeeAuthenticator(verifier: verifier, configuration: configuration))
        router.get("public") { _, context in context.identity?.subject ?? "anonymous" }
        router.get("me") { _, context in
            let identity = try context.requireSimbeeIdentity()
            let jti = try identity.token.decodeClaims(as: JTI.self).jti
            return [
                identity.subject,
                identity.audiences.joined(separator: " "),
                identity.scopes.joined(separator: " "),
                jti,
            ].joined(separator: "|")
        }
        router.group("read")
            .add(middleware: RequireScopes(.all(["read"])))
            .get { _, context in "read by \(try context.requireSimbeeIdentity().subject)" }
        router.group("read-delete")
            .add(middleware: RequireScopes(.all(["read", "delete"])))
            .get { _, _ in "read and deleted" }
        router.group("delete-or-admin")
            .add(middleware: RequireScopes(.any(["delete", "admin"])))
            .get { _, _ in "deleted or administered" }
        router.get("handler-delete") { _, context in
            _ = try context.requireSimbeeIdentity(scopes: .any(["delete"]))
            return "deleted"
        }
        return router
    }

    static func application(
        verifier: JWTVerifier,
        logs: CapturedLogs,
        configuration: SimbeeAuthConfiguration = SimbeeAuthConfiguration()
    ) throws -> some ApplicationProtocol {
        Application(
            router: try router(verifier: verifier, configuration: configuration),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            logger: logs.logger
        )
    }

    private struct JTI: Decodable {
        let jti: String
    }
}

/// A JWK Set served over real HTTP on 127.0.0.1 by a second Hummingbird application.
enum JWKSServer {
    /// Runs `body` with the URL of a server answering `GET /.well-known/jwks.json` with `document`;
    /// the server stops when `body` returns.
    static func serving<Value: Sendable>(
        _ document: [UInt8],
        _ body: @Sendable (_ jwksURL: String) async throws -> Value
    ) async throws -> Value {
        let router = Router()
        router.get(".well-known/jwks.json") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "application/json", .cacheControl: "max-age=600"],
                body: .init(byteBuffer: ByteBuffer(bytes: document))
            )
        }
        var logger = Logger(label: "jwks-server")
        logger.logLevel = .critical
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            logger: logger
        )
        return try await app.test(.live) { client in
            try await body("http://127.0.0.1:\(client.port!)/.well-known/jwks.json")
        }
    }

    /// The URL of a JWK Set on a 127.0.0.1 port where nothing listens any more: a server is
    /// started, its port noted, and the server stopped.
    static func refusingURL() async throws -> String {
        try await serving(Array(#"{"keys":[]}"#.utf8)) { url in url }
    }
}

extension TestClientProtocol {
    /// `GET path` with the given `Authorization` field values (one field per value).
    func get(_ path: String, authorization: [String] = []) async throws -> TestResponse {
        var headers = HTTPFields()
        for value in authorization {
            headers.append(HTTPField(name: .authorization, value: value))
        }
        return try await execute(uri: path, method: .get, headers: headers) { $0 }
    }

    /// `GET path` with `Authorization: Bearer <token>`.
    func get(_ path: String, bearer token: String) async throws -> TestResponse {
        try await get(path, authorization: ["Bearer \(token)"])
    }
}

extension TestResponse {
    var bodyText: String { String(buffer: body) }
    var challenge: String? { headers[.wwwAuthenticate] }
}
