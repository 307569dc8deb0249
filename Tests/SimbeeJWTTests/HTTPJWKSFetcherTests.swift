import Testing

@testable import SimbeeJWT

/// The real ``HTTPJWKSFetcher`` against a loopback server that writes its answers byte by byte.
@Suite("HTTPJWKSFetcher on the wire")
struct HTTPJWKSFetcherTests {
    private static let emptySet = #"{"keys":[]}"#

    private static func request(
        _ url: String,
        timeout: Duration = .seconds(10)
    ) -> JWKSFetchRequest {
        JWKSFetchRequest(
            url: url,
            entityTag: nil,
            connectTimeout: .seconds(5),
            timeout: timeout,
            maxBodyBytes: 64 * 1024
        )
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
}
