import Testing

@testable import SimbeeJWT

/// Request headers are checked before anything is sent: at configuration by ``RemoteJWKS``, and for
/// every request by ``HTTPJWKSFetcher``.
@Suite("Request headers: validation")
struct RequestHeaderValidationTests {
    private static let url = "https://api.simbee.io/.well-known/jwks.json"

    /// The code `RemoteJWKS`'s initializer throws for `configure`, or `nil` when it accepts it.
    private static func refusal(_ configure: (inout RemoteJWKS.Configuration) -> Void) -> JWTError.Code? {
        var configuration = RemoteJWKS.Configuration()
        configure(&configuration)
        do {
            _ = try RemoteJWKS(url: url, configuration: configuration)
            return nil
        } catch {
            return error.code
        }
    }

    @Test(
        "names that are not RFC 9110 tokens are refused",
        arguments: ["", "X Client", "X-Client:", "X-Client\r\nX-Evil", "X\tY", "(x)", "x\"y", "x/y", "Äpfel", "x\0y"]
    )
    func invalidNames(name: String) {
        #expect(Self.refusal { $0.additionalHeaders = [.init(name: name, value: "1")] } == .invalidConfiguration)
    }

    @Test(
        "every token character is accepted in a name",
        arguments: ["X-Client-Fleet", "x", "!#$%&'*+-.^_`|~", "Accept-Language", "X-Host", "If-Match", "Authorization"]
    )
    func validNames(name: String) {
        #expect(Self.refusal { $0.additionalHeaders = [.init(name: name, value: "1")] } == nil)
    }

    @Test(
        "values with CR, LF, NUL or another control character are refused",
        arguments: ["a\r\nX-Evil: 1", "a\nb", "a\rb", "a\0b", "\r\n", "a\u{7F}", "\u{1B}[31m", "a\u{0B}b"]
    )
    func invalidValues(value: String) {
        #expect(
            Self.refusal { $0.additionalHeaders = [.init(name: "X-Client", value: value)] } == .invalidConfiguration
        )
        #expect(Self.refusal { $0.userAgent = value } == .invalidConfiguration)
    }

    @Test(
        "values with tabs, spaces, visible and non-ASCII characters are accepted",
        arguments: ["a\tb", "\t", "", "checkout eu", "Bearer a.b.c", "café ☕"]
    )
    func validValues(value: String) {
        #expect(Self.refusal { $0.additionalHeaders = [.init(name: "X-Client", value: value)] } == nil)
        #expect(Self.refusal { $0.userAgent = value } == nil)
    }

    @Test(
        "fields the fetcher sets or that frame the message cannot be set, in any case",
        arguments: [
            "Host", "host", "HOST", "If-None-Match", "if-none-match", "Accept", "Content-Length", "Transfer-Encoding",
            "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Upgrade", "Accept-Encoding",
            "User-Agent", "user-agent",
        ]
    )
    func reservedNames(name: String) {
        #expect(Self.refusal { $0.additionalHeaders = [.init(name: name, value: "1")] } == .invalidConfiguration)
    }

    @Test("one bad field among good ones is enough to refuse the configuration")
    func oneBadField() {
        let good = JWKSFetchRequest.Header(name: "X-Client", value: "a")
        let bad = JWKSFetchRequest.Header(name: "X-Other", value: "b\r\nHost: evil.example")
        #expect(Self.refusal { $0.additionalHeaders = [good, good] } == nil)
        #expect(Self.refusal { $0.additionalHeaders = [good, bad, good] } == .invalidConfiguration)
    }

    @Test("the message names the field but never echoes its value")
    func messageWithoutValue() throws {
        var configuration = RemoteJWKS.Configuration()
        configuration.additionalHeaders = [.init(name: "Authorization", value: "Bearer s3cret\r\n")]
        let error = #expect(throws: JWTError.self) { try RemoteJWKS(url: Self.url, configuration: configuration) }
        let message = try #require(error?.message)
        #expect(message.contains("Authorization"))
        #expect(!message.contains("s3cret"))
    }

    @Test("the default configuration sends the default User-Agent and nothing else")
    func defaults() {
        let configuration = RemoteJWKS.Configuration()
        #expect(configuration.requestHeaders == [.init(name: "User-Agent", value: "SimbeeJWT/0.1.0")])
    }

    @Test("HTTPJWKSFetcher refuses a request with a bad header before any I/O; User-Agent is allowed there")
    func fetcherChecksEveryRequest() async {
        func request(_ headers: [JWKSFetchRequest.Header]) -> JWKSFetchRequest {
            // Port 9 on loopback is closed: a request that got that far would fail to connect.
            JWKSFetchRequest(
                url: "http://127.0.0.1:9/",
                entityTag: nil,
                connectTimeout: .seconds(2),
                timeout: .seconds(5),
                maxBodyBytes: 1024,
                headers: headers
            )
        }
        for bad in [
            JWKSFetchRequest.Header(name: "X-A", value: "1\r\nX-B: 2"), .init(name: "Host", value: "evil.example"),
            .init(name: "X A", value: "1"),
        ] {
            let error = await #expect(throws: JWTError.self) { try await HTTPJWKSFetcher().fetch(request([bad])) }
            #expect(error?.code == .invalidConfiguration)
        }
        do {
            _ = try await HTTPJWKSFetcher().fetch(request([.init(name: "User-Agent", value: "custom/1")]))
            Issue.record("a closed port answered")
        } catch let error as JWTError {
            Issue.record("a valid User-Agent was refused: \(error)")
        } catch {
            // The connection failed: the header itself was accepted.
        }
    }
}
