import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import SimbeeJWT
import SimbeeJWTTestSupport
import SimbeeJWTTesting
import Testing

/// The kit's JWK Set server, asked directly over HTTP.
@Suite("Test JWKS server: HTTP responses")
struct SimbeeTestJWKSServerTests {
    struct Response {
        var status: HTTPResponseStatus
        var headers: HTTPHeaders
        var body: [UInt8]
    }

    static func request(
        _ url: String,
        method: HTTPMethod = .GET,
        headers: [(String, String)] = [],
        body: [UInt8]? = nil
    ) async throws -> Response {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return Response(status: response.status, headers: response.headers, body: Array(buffer: body))
    }

    @Test("GET serves the issuer's JWK Set with its media type, caching headers and an ETag")
    func servesTheSet() async throws {
        let issuer = try SimbeeTestIssuer()
        let server = try await SimbeeTestJWKSServer.start(serving: issuer)
        #expect(server.url == "http://127.0.0.1:\(server.port)/.well-known/jwks.json")
        #expect(server.port > 0)
        let response = try await Self.request(server.url)
        #expect(response.status == .ok)
        #expect(response.body == issuer.jwks)
        #expect(response.headers["Content-Type"] == ["application/jwk-set+json"])
        #expect(response.headers["Content-Length"] == ["\(issuer.jwks.count)"])
        #expect(response.headers["Cache-Control"] == ["public, max-age=300"])
        #expect(response.headers["ETag"].count == 1)
        #expect(try JWKSet(json: response.body).skippedKeys.isEmpty)
        // A query string does not change the resource.
        #expect(try await Self.request(server.url + "?v=1").body == issuer.jwks)
        #expect(server.requestCount == 2)
        await server.shutdown()
    }

    @Test("If-None-Match with the current ETag gets 304; any change of the set changes the ETag")
    func conditionalRequests() async throws {
        let issuer = try SimbeeTestIssuer()
        let server = try await SimbeeTestJWKSServer.start(serving: issuer)
        let first = try await Self.request(server.url)
        let tag = try #require(first.headers["ETag"].first)

        let unchanged = try await Self.request(server.url, headers: [("If-None-Match", tag)])
        #expect(unchanged.status == .notModified)
        #expect(unchanged.body.isEmpty)
        #expect(unchanged.headers["ETag"] == [tag])

        let other = try await Self.request(server.url, headers: [("If-None-Match", "\"something-else\"")])
        #expect(other.status == .ok && other.body == issuer.jwks)

        var tags: Set<String> = [tag]
        let changes: [() throws -> Void] = [
            { _ = try issuer.rotateKeys() },
            { _ = issuer.removeKey(keyID: issuer.keys[0].keyID) },
            { _ = try issuer.addKey(.ed25519) },
            { try issuer.publish(try TestSigningKey(.es256)) },
        ]
        for change in changes {
            try change()
            let changed = try await Self.request(server.url, headers: [("If-None-Match", tag)])
            #expect(changed.status == .ok)
            #expect(changed.body == issuer.jwks)
            tags.insert(try #require(changed.headers["ETag"].first))
        }
        #expect(tags.count == 1 + changes.count)
        #expect(server.requestCount == 3 + changes.count)
        await server.shutdown()
    }

    @Test("HEAD has the headers and no body; other methods get 405, other paths 404, and are not counted")
    func methodsAndPaths() async throws {
        let issuer = try SimbeeTestIssuer()
        let server = try await SimbeeTestJWKSServer.start(serving: issuer, cacheControl: nil)
        let head = try await Self.request(server.url, method: .HEAD)
        #expect(head.status == .ok)
        #expect(head.body.isEmpty)
        #expect(head.headers["Content-Length"] == ["\(issuer.jwks.count)"])
        #expect(head.headers["Cache-Control"].isEmpty)
        #expect(server.requestCount == 1)

        let post = try await Self.request(server.url, method: .POST)
        #expect(post.status == .methodNotAllowed)
        #expect(post.headers["Allow"] == ["GET, HEAD"])
        let base = "http://127.0.0.1:\(server.port)"
        for path in ["/", "/jwks.json", "/.well-known/jwks.json/", "/.well-known/openid-configuration"] {
            #expect(try await Self.request(base + path).status == .notFound, "\(path)")
        }
        #expect(server.requestCount == 1)
        await server.shutdown()
    }

    @Test("an outage answers 503 and the verifier reports jwks_unavailable; it recovers when the set is back")
    func outage() async throws {
        let issuer = try SimbeeTestIssuer()
        let server = try await SimbeeTestJWKSServer.start(serving: issuer)
        #expect(server.isAvailable)
        server.isAvailable = false
        let response = try await Self.request(server.url)
        #expect(response.status == .serviceUnavailable)
        #expect(response.headers["Cache-Control"] == ["no-store"])

        let verifier = try server.verifier()
        await expectRefusal(try issuer.token(), verifier, .jwksUnavailable)
        #expect(server.requestCount == 2)

        server.isAvailable = true
        // The cache backs off after the failure (0.5 … 1.5 s), so a new verifier shows recovery at once.
        _ = try await server.verifier().verify(try issuer.token())
        #expect(server.requestCount == 3)
        await server.shutdown()
    }

    /// Sends `request` on a new connection and returns everything the server sends until it
    /// closes the connection.
    static func rawExchange(port: Int, _ request: String) async throws -> String {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        // A server that fails to close the connection fails the test instead of hanging it. (The
        // watchdog looks at the connection itself: this task may be delayed on a loaded machine
        // after the server has closed.)
        let watchdogFired = WatchdogFlag()
        let watchdog = channel.channel.eventLoop.scheduleTask(in: .seconds(30)) {
            guard channel.channel.isActive else { return }
            watchdogFired.set()
            channel.channel.close(promise: nil)
        }
        defer {
            watchdog.cancel()
            #expect(!watchdogFired.isSet, "the server did not close the connection")
        }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: request))
            var received = ""
            for try await chunk in inbound {
                received += String(buffer: chunk)
            }
            return received
        }
    }

    @Test("HTTP/1.0 and Connection: close get their answer and then the server closes; garbage gets 400")
    func connectionHandling() async throws {
        let issuer = try SimbeeTestIssuer()
        let server = try await SimbeeTestJWKSServer.start(serving: issuer)
        let body = String(decoding: issuer.jwks, as: UTF8.self)
        let http10 = try await Self.rawExchange(port: server.port, "GET /.well-known/jwks.json HTTP/1.0\r\n\r\n")
        #expect(http10.hasPrefix("HTTP/1.0 200 OK\r\n"))
        #expect(http10.lowercased().contains("connection: close\r\n"))
        #expect(http10.hasSuffix("\r\n\r\n" + body))

        let closing = try await Self.rawExchange(
            port: server.port,
            "GET /.well-known/jwks.json HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        #expect(closing.hasPrefix("HTTP/1.1 200 OK\r\n") && closing.hasSuffix(body))

        // Two pipelined requests on one keep-alive connection, the second one closing it.
        let pipelined = try await Self.rawExchange(
            port: server.port,
            "GET /.well-known/jwks.json HTTP/1.1\r\nHost: a\r\n\r\n"
                + "HEAD /.well-known/jwks.json HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
        )
        #expect(pipelined.components(separatedBy: "HTTP/1.1 200 OK\r\n").count == 3)
        #expect(pipelined.hasSuffix("\r\n\r\n"))  // the HEAD answer ends the stream, without a body

        let garbage = try await Self.rawExchange(port: server.port, "NOT HTTP AT ALL\r\n\r\n")
        #expect(garbage.hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
        #expect(server.requestCount == 4)
        await server.shutdown()
    }

    @Test("shutdown closes open connections and the port; a second shutdown does nothing")
    func shutdown() async throws {
        let issuer = try SimbeeTestIssuer()
        let server = try await SimbeeTestJWKSServer.start(serving: issuer)
        _ = try await server.verifier().verify(try issuer.token())  // leaves a pooled keep-alive connection
        let idle = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: server.port)
            .get()
        #expect(idle.isActive)

        await server.shutdown()
        await server.shutdown()
        try await waitUntil(timeout: .seconds(5)) { !idle.isActive }  // closed by the server, not by this test
        await #expect(throws: (any Error).self) {
            _ = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: server.port)
                .get()
        }
        // A verifier that never loaded the set now reports the outage. (async-http-client retries a
        // refused connection until its connect timeout, so a short one keeps the test quick.)
        var configuration = SimbeeTestJWKSServer.testConfiguration
        configuration.connectTimeout = .milliseconds(200)
        let verifier = try JWTVerifier(
            keys: try server.keySource(configuration: configuration),
            configuration: .simbee(clientID: TestClaims.defaultAudience)
        )
        await expectRefusal(try issuer.token(), verifier, .jwksUnavailable)
        #expect(server.requestCount == 1)
    }

    @Test("servers for different issuers run side by side on their own ports")
    func twoServers() async throws {
        let first = try SimbeeTestIssuer()
        let second = try SimbeeTestIssuer(issuer: "https://staging.simbee.example")
        let firstServer = try await SimbeeTestJWKSServer.start(serving: first)
        let secondServer = try await SimbeeTestJWKSServer.start(serving: second)
        #expect(firstServer.port != secondServer.port)
        _ = try await firstServer.verifier().verify(try first.token())
        _ = try await secondServer.verifier().verify(try second.token())
        // Each verifier trusts only its own issuer's keys.
        await expectRefusal(try second.token(), try firstServer.verifier(), .unknownKey)
        await firstServer.shutdown()
        await secondServer.shutdown()
    }
}

/// Set once, from any thread.
final class WatchdogFlag: @unchecked Sendable {
    // @unchecked Sendable: `value` is only touched under `lock`.
    private let lock = NSLock()
    private var value = false

    func set() { lock.withLock { value = true } }

    var isSet: Bool { lock.withLock { value } }
}
