import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SimbeeJWT
import SimbeeJWTTestSupport
import SimbeeJWTTesting
import Testing

/// The kit server's API-key exchange, asked over HTTP as a token client asks Simbee.
@Suite("Test JWKS server: API-key exchange")
struct ExchangeEndpointTests {
    typealias Response = SimbeeTestJWKSServerTests.Response

    static let apiKey = "sk_test_4f9a2c71e0"

    /// `{"api_key":"<key>"}` for a key without characters JSON escapes.
    static func body(apiKey: String) -> [UInt8] {
        Array(#"{"api_key":"\#(apiKey)"}"#.utf8)
    }

    static func exchange(
        _ server: SimbeeTestJWKSServer,
        body: [UInt8],
        method: HTTPMethod = .POST
    ) async throws -> Response {
        try await SimbeeTestJWKSServerTests.request(
            server.baseURL + SimbeeTestJWKSServer.exchangePath,
            method: method,
            headers: [("Content-Type", "application/json")],
            body: body
        )
    }

    static func exchange(_ server: SimbeeTestJWKSServer, apiKey: String) async throws -> Response {
        try await exchange(server, body: body(apiKey: apiKey))
    }

    /// Runs `body` with a server for a new issuer, shutting it down however `body` ends.
    static func withServer(_ body: (SimbeeTestJWKSServer) async throws -> Void) async throws {
        try await SimbeeTestJWKSServer.withServer(serving: try SimbeeTestIssuer(), body)
    }

    /// The `data` object of a `200` answer, with its members in order.
    static func data(of response: Response) throws -> [JSONObject.Member] {
        let root = try #require(try StrictJSONReader.read(response.body).objectValue)
        #expect(root.members.map(\.name) == ["data"])
        return try #require(root["data"]?.objectValue).members
    }

    /// The text of a JSON number, `nil` for any other value.
    static func numberText(_ value: JSONValue) -> String? {
        if case .number(let number) = value { return number.text }
        return nil
    }

    /// Records an issue when the body or a header value of `response` contains `apiKey`.
    static func expectNoEcho(
        of apiKey: String,
        in response: Response,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let body = String(decoding: response.body, as: UTF8.self)
        #expect(!body.contains(apiKey), "the body repeats the key", sourceLocation: sourceLocation)
        for header in response.headers {
            #expect(!header.value.contains(apiKey), "\(header.name) repeats the key", sourceLocation: sourceLocation)
        }
    }

    @Test("an accepted key gets a token the server's verifier accepts, with sub, aud and scopes")
    func acceptedKey() async throws {
        try await Self.withServer { server in
            #expect(server.baseURL == "http://127.0.0.1:\(server.port)")
            #expect(server.url == server.baseURL + SimbeeTestJWKSServer.jwksPath)
            server.acceptAPIKey(
                Self.apiKey,
                subject: "cu_42",
                clientID: "cl_app",
                scopes: ["admin", "read", "write"],
                lifetime: .seconds(600)
            )
            let response = try await Self.exchange(server, apiKey: Self.apiKey)
            #expect(response.status == .ok)
            #expect(response.headers["Content-Type"] == ["application/json"])
            #expect(response.headers["Cache-Control"] == ["no-store"])

            let data = try Self.data(of: response)
            #expect(data.map(\.name) == ["token", "expires_in", "scopes"])
            #expect(Self.numberText(data[1].value) == "600")
            let scopes: [JSONValue] = [.string("admin"), .string("read"), .string("write")]
            #expect(data[2].value == .array(scopes))

            let token = try #require(data[0].value.stringValue)
            let verified = try await server.verifier(clientID: "cl_app").verify(token)
            #expect(verified.header.algorithm == .es256)
            #expect(verified.claims.issuer == server.issuer.issuer)
            #expect(verified.claims.subject == "cu_42")
            #expect(verified.claims.audience == ["cl_app"])
            #expect(verified.claims.scopes == ["admin", "read", "write"])
            let issuedAt = try #require(verified.claims.issuedAt)
            #expect(try #require(verified.claims.expiration).timeIntervalSince(issuedAt) == 600)
            #expect(abs(issuedAt.timeIntervalSinceNow) < 60)
            // Another client's verifier refuses it.
            await expectRefusal(token, try server.verifier(), .audienceMismatch)
            #expect(server.exchangeCount == 1)
        }
    }

    @Test("the defaults mint what the default verifier accepts; each exchange mints a new token")
    func defaults() async throws {
        try await Self.withServer { server in
            server.acceptAPIKey(Self.apiKey)
            server.acceptAPIKey("sk_test_session", algorithm: .edDSA, lifetime: .seconds(60))
            let first = try Self.data(of: try await Self.exchange(server, apiKey: Self.apiKey))
            let second = try Self.data(of: try await Self.exchange(server, apiKey: Self.apiKey))
            #expect(Self.numberText(first[1].value) == "900")
            #expect(first[2].value == .array([.string("read")]))
            let token = try #require(first[0].value.stringValue)
            #expect(token != second[0].value.stringValue)

            let verifier = try server.verifier()
            let verified = try await verifier.verify(token)
            #expect(verified.claims.subject == TestClaims.defaultSubject)
            #expect(verified.claims.audience == [TestClaims.defaultAudience])
            #expect(verified.claims.scopes == ["read"])

            let session = try Self.data(of: try await Self.exchange(server, apiKey: "sk_test_session"))
            #expect(Self.numberText(session[1].value) == "60")
            let edDSA = try await verifier.verify(try #require(session[0].value.stringValue))
            #expect(edDSA.header.algorithm == .edDSA)
            #expect(server.exchangeCount == 3)
        }
    }

    @Test("an unknown key gets 401 invalid_api_key, and the key is not repeated")
    func unknownKey() async throws {
        try await Self.withServer { server in
            let response = try await Self.exchange(server, apiKey: Self.apiKey)
            #expect(response.status == .unauthorized)
            #expect(response.body == Array(#"{"error":"invalid_api_key"}"#.utf8))
            #expect(response.headers["Content-Type"] == ["application/json"])
            Self.expectNoEcho(of: Self.apiKey, in: response)
            #expect(server.exchangeCount == 1)
        }
    }

    /// Keys that differ from `sk_test_4f9a2c71e0` by one character, a space or case, and keys that
    /// differ from `café` only in Unicode normalization (composed `é` against `e` and U+0301).
    @Test(
        "a near miss of an accepted key gets 401",
        arguments: [
            ("sk_test_4f9a2c71e0", "sk_test_4f9a2c71e1"),
            ("sk_test_4f9a2c71e0", "sk_test_4f9a2c71e"),
            ("sk_test_4f9a2c71e0", "sk_test_4f9a2c71e0 "),
            ("sk_test_4f9a2c71e0", " sk_test_4f9a2c71e0"),
            ("sk_test_4f9a2c71e0", "SK_TEST_4F9A2C71E0"),
            ("sk_test_4f9a2c71e0", "sk_test_4f9a2c71E0"),
            ("sk_test_4f9a2c71e0", ""),
            ("sk_test_caf\u{E9}", "sk_test_cafe\u{301}"),
            ("sk_test_cafe\u{301}", "sk_test_caf\u{E9}"),
        ]
    )
    func nearMiss(accepted: String, sent: String) async throws {
        try await Self.withServer { server in
            server.acceptAPIKey(accepted)
            let response = try await Self.exchange(server, apiKey: sent)
            #expect(response.status == .unauthorized)
            #expect(response.body == Array(#"{"error":"invalid_api_key"}"#.utf8))
            #expect(try await Self.exchange(server, apiKey: accepted).status == .ok)
        }
    }

    @Test("a revoked key gets 401 while another key still works; accepting it again restores it")
    func revocation() async throws {
        try await Self.withServer { server in
            server.acceptAPIKey(Self.apiKey)
            server.acceptAPIKey("sk_test_other", subject: "cu_other")
            #expect(try await Self.exchange(server, apiKey: Self.apiKey).status == .ok)
            let earlier = try Self.data(of: try await Self.exchange(server, apiKey: Self.apiKey))

            server.revokeAPIKey(Self.apiKey)
            server.revokeAPIKey("sk_test_never_accepted")  // does nothing
            let revoked = try await Self.exchange(server, apiKey: Self.apiKey)
            #expect(revoked.status == .unauthorized)
            #expect(revoked.body == Array(#"{"error":"invalid_api_key"}"#.utf8))
            Self.expectNoEcho(of: Self.apiKey, in: revoked)
            let other = try Self.data(of: try await Self.exchange(server, apiKey: "sk_test_other"))
            let verifier = try server.verifier()
            #expect(try await verifier.verify(try #require(other[0].value.stringValue)).claims.subject == "cu_other")
            // A token minted before the revocation stays valid until it expires.
            _ = try await verifier.verify(try #require(earlier[0].value.stringValue))

            server.acceptAPIKey(Self.apiKey, subject: "cu_back", scopes: ["write"])
            let again = try Self.data(of: try await Self.exchange(server, apiKey: Self.apiKey))
            let verified = try await verifier.verify(try #require(again[0].value.stringValue))
            #expect(verified.claims.subject == "cu_back")
            #expect(verified.claims.scopes == ["write"])
            #expect(server.exchangeCount == 5)
        }
    }

    @Test("an exchange outage answers 503 with Retry-After and is counted; the JWK Set is unaffected")
    func outage() async throws {
        try await Self.withServer { server in
            server.acceptAPIKey(Self.apiKey)
            #expect(server.isExchangeAvailable)
            server.isExchangeAvailable = false
            let response = try await Self.exchange(server, apiKey: Self.apiKey)
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers["Retry-After"] == ["1"])
            Self.expectNoEcho(of: Self.apiKey, in: response)
            #expect(server.exchangeCount == 1)
            #expect(try await SimbeeTestJWKSServerTests.request(server.url).status == .ok)

            server.isExchangeAvailable = true
            server.isAvailable = false
            #expect(try await Self.exchange(server, apiKey: Self.apiKey).status == .ok)
            #expect(try await SimbeeTestJWKSServerTests.request(server.url).status == .serviceUnavailable)
            #expect(server.exchangeCount == 2)
        }
    }

    @Test("exchangeDelay holds each answer at least that long; a negative delay is zero")
    func delay() async throws {
        try await Self.withServer { server in
            server.acceptAPIKey(Self.apiKey)
            #expect(server.exchangeDelay == .zero)
            server.exchangeDelay = .milliseconds(300)
            #expect(server.exchangeDelay == .milliseconds(300))
            for apiKey in [Self.apiKey, "sk_test_unknown"] {
                let (response, elapsed) = await timed {
                    try? await Self.exchange(server, apiKey: apiKey)
                }
                #expect(response != nil)
                #expect(elapsed >= .milliseconds(300), "\(apiKey)")
            }
            #expect(server.exchangeCount == 2)

            server.exchangeDelay = .seconds(-5)
            #expect(server.exchangeDelay == .zero)
            let prompt = try await Self.exchange(server, apiKey: Self.apiKey)
            #expect(prompt.status == .ok)
        }
    }

    @Test(
        "a body that is not a JSON object with one string api_key gets 400 invalid_request",
        arguments: [
            "",
            "sk_test_4f9a2c71e0",
            "api_key=sk_test_4f9a2c71e0",
            #""sk_test_4f9a2c71e0""#,
            #"["sk_test_4f9a2c71e0"]"#,
            #"[{"api_key":"sk_test_4f9a2c71e0"}]"#,
            "{}",
            #"{"apiKey":"sk_test_4f9a2c71e0"}"#,
            #"{"API_KEY":"sk_test_4f9a2c71e0"}"#,
            #"{"api_key":42}"#,
            #"{"api_key":null}"#,
            #"{"api_key":["sk_test_4f9a2c71e0"]}"#,
            #"{"api_key":{"value":"sk_test_4f9a2c71e0"}}"#,
            #"{"api_key":"sk_test_4f9a2c71e0","api_key":"sk_test_4f9a2c71e0"}"#,
            #"{"api_key":"sk_test_4f9a2c71e0","api_key":"sk_test_other"}"#,
            #"{"api_key":"sk_test_4f9a2c71e0",}"#,
            #"{"api_key":'sk_test_4f9a2c71e0'}"#,
            #"{"api_key":"sk_test_4f9a2c71e0"} {}"#,
            "\u{FEFF}{\"api_key\":\"sk_test_4f9a2c71e0\"}",
        ]
    )
    func malformedBody(body: String) async throws {
        try await Self.withServer { server in
            server.acceptAPIKey(Self.apiKey)
            server.acceptAPIKey("sk_test_other")
            let response = try await Self.exchange(server, body: Array(body.utf8))
            #expect(response.status == .badRequest)
            #expect(response.body == Array(#"{"error":"invalid_request"}"#.utf8))
            Self.expectNoEcho(of: Self.apiKey, in: response)
            #expect(server.exchangeCount == 1)
        }
    }

    @Test("whitespace around a valid body, and an escaped key, are accepted")
    func validBodies() async throws {
        try await Self.withServer { server in
            server.acceptAPIKey(Self.apiKey)
            for body in [
                " \n{ \"api_key\" : \"sk_test_4f9a2c71e0\" }\r\n",
                #"{"api_key":"sk_test_4f9a2c71e\u0030"}"#,
                #"{"other":1,"api_key":"sk_test_4f9a2c71e0"}"#,
            ] {
                let response = try await Self.exchange(server, body: Array(body.utf8))
                #expect(response.status == .ok, "\(body)")
            }
        }
    }

    @Test("other methods get 405 with Allow: POST and are not counted")
    func otherMethods() async throws {
        try await Self.withServer { server in
            server.acceptAPIKey(Self.apiKey)
            let url = server.baseURL + SimbeeTestJWKSServer.exchangePath
            for method in [HTTPMethod.GET, .HEAD, .PUT, .DELETE] {
                let response = try await SimbeeTestJWKSServerTests.request(url, method: method)
                #expect(response.status == .methodNotAllowed, "\(method)")
                #expect(response.headers["Allow"] == ["POST"], "\(method)")
            }
            let put = try await Self.exchange(server, body: Self.body(apiKey: Self.apiKey), method: .PUT)
            #expect(put.status == .methodNotAllowed)
            Self.expectNoEcho(of: Self.apiKey, in: put)
            // Near paths are not the exchange.
            for path in ["/auth/exchange/", "/auth", "/auth/Exchange"] {
                let response = try await SimbeeTestJWKSServerTests.request(
                    server.baseURL + path,
                    method: .POST,
                    body: Self.body(apiKey: Self.apiKey)
                )
                #expect(response.status == .notFound, "\(path)")
            }
            #expect(server.exchangeCount == 0)
        }
    }

    /// `{"api_key":"<key>"}` padded with spaces to `size` bytes.
    static func paddedBody(size: Int) -> [UInt8] {
        let body = Self.body(apiKey: apiKey)
        return body + Array(repeating: UInt8(ascii: " "), count: size - body.count)
    }

    /// Sends a `POST` with `body` on a new connection and returns what the server sent until it
    /// closed, or `nil` when it closed while the body was still being sent.
    static func rawPost(port: Int, body: [UInt8]) async -> String? {
        let head =
            "POST \(SimbeeTestJWKSServer.exchangePath) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Content-Length: \(body.count)\r\n\r\n"
        return try? await SimbeeTestJWKSServerTests.rawExchange(
            port: port,
            head + String(decoding: body, as: UTF8.self)
        )
    }

    @Test("a body of 64 KiB is read; one byte more gets 413 or a closed connection, never a hang")
    func bodyLimit() async throws {
        try await Self.withServer { server in
            server.acceptAPIKey(Self.apiKey)
            let atLimit = try await Self.exchange(server, body: Self.paddedBody(size: 64 * 1024))
            #expect(atLimit.status == .ok)
            for size in [64 * 1024 + 1, 4 << 20] {
                if let answer = await Self.rawPost(port: server.port, body: Self.paddedBody(size: size)) {
                    #expect(answer.isEmpty || answer.hasPrefix("HTTP/1.1 413 Payload Too Large\r\n"), "\(size)")
                    #expect(!answer.contains(Self.apiKey))
                }
            }
            // The server goes on answering on new connections.
            let after = try await Self.exchange(server, apiKey: Self.apiKey)
            #expect(after.status == .ok)
            #expect(server.exchangeCount == 4)
        }
    }

    @Test("a GET for the JWK Set with a large body is still served")
    func jwksIgnoresBodies() async throws {
        try await Self.withServer { server in
            let response = try await SimbeeTestJWKSServerTests.request(
                server.url,
                body: Array(repeating: UInt8(ascii: "x"), count: 200 * 1024)
            )
            #expect(response.status == .ok)
            #expect(response.body == server.issuer.jwks)
            #expect(server.requestCount == 1)
            #expect(server.exchangeCount == 0)
        }
    }

    @Test("the scripted log records each request's method, header lines in order, and body")
    func scriptedLog() async throws {
        let server = try await SimbeeTestJWKSServer.startScripted()
        let answer = try await SimbeeTestJWKSServerTests.rawExchange(
            port: server.port,
            "POST /auth/exchange HTTP/1.1\r\nHost: a\r\nX-B: 2\r\nx-a: 1\r\nX-B: 3\r\nContent-Length: 5\r\n"
                + "Connection: close\r\n\r\nhello"
        )
        // The script answers, whatever the path.
        #expect(answer.hasPrefix("HTTP/1.1 200 OK\r\n") && answer.hasSuffix(#"{"keys":[]}"#))
        let posted = try #require(server.requests.last)
        #expect(posted.method == "POST")
        #expect(posted.path == "/auth/exchange")
        #expect(posted.body == Array("hello".utf8))
        #expect(
            posted.headers.map { "\($0): \($1)" } == [
                "Host: a", "X-B: 2", "x-a: 1", "X-B: 3", "Content-Length: 5", "Connection: close",
            ]
        )

        _ = try await SimbeeTestJWKSServerTests.request(server.url, headers: [("If-None-Match", "\"v1\"")])
        let fetched = try #require(server.requests.last)
        #expect(fetched.method == "GET")
        #expect(fetched.body.isEmpty)
        #expect(fetched.ifNoneMatch == "\"v1\"")
        #expect(fetched.headers.contains { $0.0 == "If-None-Match" && $0.1 == "\"v1\"" })

        // A body over 64 KiB is logged up to the limit, and the script still answers.
        let large = Array(repeating: UInt8(ascii: "z"), count: 100 * 1024)
        let response = try await SimbeeTestJWKSServerTests.request(server.url, method: .PUT, body: large)
        #expect(response.status == .ok)
        #expect(server.requests.last?.body == Array(large.prefix(64 * 1024)))
        #expect(server.requests.count == 3)
        #expect(server.exchangeCount == 0)
        await server.shutdown()
    }
}
