import NIOHTTP1
import SimbeeJWTTestSupport
import Testing

@testable import SimbeeJWT

/// The real ``HTTPJWKSFetcher`` against a loopback server that writes its answers byte by byte.
@Suite("HTTPJWKSFetcher on the wire")
struct HTTPJWKSFetcherTests {
    private static let emptySet = #"{"keys":[]}"#

    private static func request(
        _ url: String,
        timeout: Duration = .seconds(10),
        headers: [JWKSFetchRequest.Header] = []
    ) -> JWKSFetchRequest {
        JWKSFetchRequest(
            url: url,
            entityTag: nil,
            connectTimeout: .seconds(5),
            timeout: timeout,
            maxBodyBytes: 64 * 1024,
            headers: headers
        )
    }

    /// The fetch's result with the real time it took, the fetch running at high priority so a loaded
    /// machine delays it as little as it can.
    private static func timedFetch(
        _ request: JWKSFetchRequest
    ) async -> (result: Result<JWKSFetchResponse, any Error>, elapsed: Duration) {
        let (result, elapsed) = await timed { () async -> Result<JWKSFetchResponse, any Error> in
            do {
                return .success(try await HTTPJWKSFetcher().fetch(request))
            } catch {
                return .failure(error)
            }
        }
        return (result, elapsed)
    }

    // MARK: - Caching headers

    struct CachingCase: Sendable, CustomTestStringConvertible {
        let fields: [(String, String)]
        let cacheControl: String?
        let age: String?
        /// The lifetime with bounds 300 s … 24 h and a default of 600 s.
        let ttl: Int64

        var testDescription: String { fields.map { "\($0.0): \($0.1)" }.joined(separator: " | ") }
    }

    @Test(
        "every Cache-Control line and the Age reach the lifetime",
        arguments: [
            CachingCase(
                fields: [("Cache-Control", "public"), ("Age", "200"), ("Cache-Control", "max-age=1200")],
                cacheControl: "public, max-age=1200",
                age: "200",
                ttl: 1_000
            ),
            CachingCase(
                fields: [("Cache-Control", "max-age=1200"), ("Cache-Control", "no-store")],
                cacheControl: "max-age=1200, no-store",
                age: nil,
                ttl: 300
            ),
            // Near misses: one line, and a first line that alone would have meant the default.
            CachingCase(
                fields: [("Cache-Control", "max-age=1200")],
                cacheControl: "max-age=1200",
                age: nil,
                ttl: 1_200
            ),
            CachingCase(fields: [("Cache-Control", "public")], cacheControl: "public", age: nil, ttl: 600),
            CachingCase(
                fields: [("Cache-Control", "max-age=1200"), ("Age", "100"), ("Age", "5000")],
                cacheControl: "max-age=1200",
                age: "100, 5000",
                ttl: 1_100
            ),
            CachingCase(
                fields: [("Cache-Control", "max-age=1200"), ("Age", "soon")],
                cacheControl: "max-age=1200",
                age: "soon",
                ttl: 1_200
            ),
            CachingCase(fields: [], cacheControl: nil, age: nil, ttl: 600),
        ]
    )
    func cachingHeaders(_ expected: CachingCase) async throws {
        let answer = LoopbackWireServer.response(fields: expected.fields, body: Self.emptySet)
        let server = try await LoopbackWireServer.start(answering: [.send(answer)])
        let response = try await HTTPJWKSFetcher().fetch(Self.request(server.url))
        await server.shutdown()

        #expect(response.status == 200)
        #expect(response.body == Array(Self.emptySet.utf8))
        #expect(response.cacheControl == expected.cacheControl)
        #expect(response.age == expected.age)
        let ttl = CacheLifetime.ttl(
            cacheControl: response.cacheControl,
            expires: response.expires,
            date: response.date,
            age: response.age,
            nowUnixSeconds: 0,
            defaultTTL: .seconds(600),
            minimumTTL: .seconds(300),
            maximumTTL: .seconds(86_400)
        )
        #expect(ttl == .seconds(expected.ttl))
    }

    // MARK: - The request timeout bounds the body

    struct StallCase: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let steps: [LoopbackWireServer.Step]
    }

    @Test(
        "a response that stalls is cut off at the request timeout, not before",
        arguments: [
            StallCase(
                testDescription: "head, then no body",
                steps: [.send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")]
            ),
            StallCase(
                testDescription: "head and part of the body, then nothing",
                steps: [.send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"keys\":[")]
            ),
            StallCase(
                testDescription: "chunked head, then no chunk",
                steps: [.send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")]
            ),
            StallCase(
                testDescription: "a body that keeps coming, too slowly",
                steps: [.send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")]
                    + Array(repeating: [LoopbackWireServer.Step.send(" "), .pause(.milliseconds(100))], count: 90)
                    .flatMap { $0 }
            ),
            StallCase(testDescription: "no head at all", steps: []),
        ]
    )
    func stalledResponse(_ stall: StallCase) async throws {
        let server = try await LoopbackWireServer.start(answering: stall.steps)
        let (result, elapsed) = await Self.timedFetch(Self.request(server.url, timeout: .milliseconds(500)))
        await server.shutdown()

        #expect(throws: JWKSFetchError.timedOut) { try result.get() }
        #expect(elapsed >= .milliseconds(500), "gave up after \(elapsed), before the timeout")
        #expect(elapsed < .seconds(30), "held the caller \(elapsed)")  // a hang, not a loaded machine
        #expect(server.requests.count == 1)
    }

    @Test("a slow body that completes within the timeout is read whole")
    func slowCompleteBody() async throws {
        let server = try await LoopbackWireServer.start(answering: [
            .send(
                "HTTP/1.1 200 OK\r\nContent-Length: \(Self.emptySet.utf8.count)\r\nCache-Control: max-age=900\r\n\r\n"
            ),
            .pause(.milliseconds(200)),
            .send(#"{"ke"#),
            .pause(.milliseconds(200)),
            .send(#"ys":[]}"#),
        ])
        // A timeout far above the 400 ms of pauses, so that a loaded machine cannot make it expire.
        let (result, elapsed) = await Self.timedFetch(Self.request(server.url, timeout: .seconds(60)))
        await server.shutdown()

        let response = try result.get()
        #expect(response.status == 200)
        #expect(response.body == Array(Self.emptySet.utf8))
        #expect(response.cacheControl == "max-age=900")
        #expect(elapsed >= .milliseconds(400), "the body was not slow: \(elapsed)")
    }

    @Test("cancelling the caller ends a stalled fetch at once, with no response")
    func cancelledWhileStalled() async throws {
        let server = try await LoopbackWireServer.start(answering: [
            .send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"keys\":[")
        ])
        let request = Self.request(server.url, timeout: .seconds(120))
        let fetch = Task { try await HTTPJWKSFetcher().fetch(request) }
        try await waitUntil { server.requests.count == 1 }
        let started = ContinuousClock.now
        fetch.cancel()
        let result = await fetch.result
        let elapsed = ContinuousClock.now - started
        await server.shutdown()

        #expect(throws: (any Error).self) { try result.get() }
        #expect((try? result.get()) == nil, "a cut-off body passed as a response")
        #expect(elapsed < .seconds(30), "the cancelled fetch went on for \(elapsed)")  // a hang, not a loaded machine
    }

    // MARK: - Request headers

    @Test("the User-Agent and the additional headers arrive, in order, after the fetcher's own")
    func headersArrive() async throws {
        let server = try await LoopbackWireServer.start(answering: [
            .send(LoopbackWireServer.response(fields: [], body: Self.emptySet))
        ])
        var configuration = RemoteJWKS.Configuration()
        configuration.additionalHeaders = [
            .init(name: "X-Client-Fleet", value: "checkout-eu"),
            .init(name: "X-Trace", value: "a\tb"),
            .init(name: "x-client-fleet", value: "second"),
            .init(name: "Authorization", value: "Bearer fleet-key"),
        ]
        try configuration.validate()
        _ = try await HTTPJWKSFetcher().fetch(Self.request(server.url, headers: configuration.requestHeaders))
        await server.shutdown()

        let head = try #require(server.requests.first)
        #expect(head.method == .GET)
        #expect(head.headers["User-Agent"] == ["SimbeeJWT/0.1.0"])
        #expect(head.headers["X-Client-Fleet"] == ["checkout-eu", "second"])
        #expect(head.headers["X-Trace"] == ["a\tb"])
        #expect(head.headers["Authorization"] == ["Bearer fleet-key"])
        #expect(head.headers["Accept"] == ["application/jwk-set+json, application/json"])
        #expect(head.headers["If-None-Match"].isEmpty)
        let names = head.headers.map { $0.name.lowercased() }
        let order = ["accept", "user-agent", "x-client-fleet", "x-trace", "authorization"].compactMap {
            names.firstIndex(of: $0)
        }
        #expect(order.count == 5 && order == order.sorted(), "fields in the order \(names)")
    }

    @Test("a custom User-Agent replaces the default; an empty one sends none")
    func userAgent() async throws {
        for (agent, expected) in [("fleet-a/2 (checkout)", ["fleet-a/2 (checkout)"]), ("", [])] {
            let server = try await LoopbackWireServer.start(answering: [
                .send(LoopbackWireServer.response(fields: [], body: Self.emptySet))
            ])
            var configuration = RemoteJWKS.Configuration()
            configuration.userAgent = agent
            try configuration.validate()
            _ = try await HTTPJWKSFetcher().fetch(Self.request(server.url, headers: configuration.requestHeaders))
            await server.shutdown()

            let head = try #require(server.requests.first)
            #expect(head.headers["User-Agent"] == expected, "userAgent \"\(agent)\"")
        }
    }
}
