public import AsyncHTTPClient
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// The default ``JWKSFetcher``: a GET through async-http-client, with redirects refused, the
/// connect timeout applied, the request timeout bounding the whole exchange (body included), and the
/// body size enforced while it streams in.
public struct HTTPJWKSFetcher: JWKSFetcher {
    private let client: HTTPClient?

    /// A fetcher on a process-wide client that never follows redirects (one per connect timeout,
    /// created on first use and kept for the life of the process, like `HTTPClient.shared`).
    public init() {
        self.client = nil
    }

    /// A fetcher on your own client. You own its lifecycle. A response that arrived through a
    /// redirect is refused all the same, but a client that follows redirects has already sent the
    /// request there, with the request's ``JWKSFetchRequest/headers`` (async-http-client drops only
    /// `Authorization`, `Cookie`, `Origin` and `Proxy-Authorization` across origins): give it
    /// `redirectConfiguration: .disallow` when those headers carry anything secret.
    ///
    /// - Parameter client: The client to use.
    public init(client: HTTPClient) {
        self.client = client
    }

    /// Performs the GET; see ``JWKSFetcher/fetch(_:)``.
    ///
    /// `request.timeout` bounds the whole exchange, from connecting to the last byte of the body: a
    /// server that sends its head and then stalls, or trickles the body, is cut off when it passes.
    /// The request's ``JWKSFetchRequest/headers`` are sent after `Accept` and `If-None-Match`; every
    /// `Cache-Control` line of the response is combined into one list.
    ///
    /// - Parameter request: The URL, `ETag`, headers and limits.
    /// - Returns: The response, whatever its status.
    /// - Throws: ``JWTError`` with ``JWTError/Code/invalidConfiguration`` when a timeout is not
    ///   between zero (excluded) and 24 hours, the body limit is negative, or a header may not be sent
    ///   (see ``JWKSFetchRequest/Header``); ``JWKSFetchError`` when `request.timeout` passes, the body
    ///   passes `request.maxBodyBytes`, or the response came through a redirect; async-http-client's
    ///   errors for connection failures; a cancellation error when the calling task is cancelled.
    public func fetch(_ request: JWKSFetchRequest) async throws -> JWKSFetchResponse {
        try request.validate()
        let client = self.client ?? Self.sharedClient(connectTimeout: request.connectTimeout)
        // async-http-client's deadline stops applying once the head arrives, so the body is raced
        // against a timer here; the loser is cancelled, which closes the connection of a stalled body.
        return try await withThrowingTaskGroup(of: JWKSFetchResponse?.self) { group in
            group.addTask { try await Self.exchange(request, on: client) }
            group.addTask {
                try await Task.sleep(for: request.timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let response = try await group.next() ?? nil else { throw JWKSFetchError.timedOut }
            return response
        }
    }

    /// The GET itself, head and body; ``fetch(_:)`` bounds its time.
    private static func exchange(_ request: JWKSFetchRequest, on client: HTTPClient) async throws -> JWKSFetchResponse {
        var httpRequest = HTTPClientRequest(url: request.url)
        httpRequest.method = .GET
        httpRequest.headers.add(name: "Accept", value: "application/jwk-set+json, application/json")
        if let entityTag = request.entityTag {
            httpRequest.headers.add(name: "If-None-Match", value: entityTag)
        }
        for header in request.headers {
            httpRequest.headers.add(name: header.name, value: header.value)
        }
        let response: HTTPClientResponse
        do {
            response = try await client.execute(httpRequest, deadline: .now() + TimeAmount(request.timeout))
        } catch let error as HTTPClientError where error == .deadlineExceeded {
            throw JWKSFetchError.timedOut
        }
        guard response.history.count <= 1 else { throw JWKSFetchError.redirected }

        guard let body = try await response.collectBody(upTo: request.maxBodyBytes) else {
            throw JWKSFetchError.bodyTooLarge
        }
        return JWKSFetchResponse(
            status: Int(response.status.code),
            body: body,
            cacheControl: response.headers.combined("Cache-Control"),
            age: response.headers.combined("Age"),
            expires: response.headers.first(name: "Expires"),
            date: response.headers.first(name: "Date"),
            entityTag: response.headers.first(name: "ETag")
        )
    }

    private static let clients = NIOLockedValueBox<[Duration: HTTPClient]>([:])

    /// The process-wide client for `connectTimeout`: redirects refused, no decompression. The token
    /// client shares it.
    package static func sharedClient(connectTimeout: Duration) -> HTTPClient {
        clients.withLockedValue { clients in
            if let client = clients[connectTimeout] { return client }
            var configuration = HTTPClient.Configuration(
                redirectConfiguration: .disallow,
                timeout: .init(connect: TimeAmount(connectTimeout)),
                decompression: .disabled
            )
            configuration.httpVersion = .automatic
            let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
            clients[connectTimeout] = client
            return client
        }
    }
}

extension JWKSFetchRequest {
    /// The longest timeout a fetch accepts.
    static let maximumTimeout: Duration = .seconds(24 * 3_600)

    /// Throws when a limit cannot be applied (the timeouts must be positive and at most a day) or a
    /// header may not be sent.
    func validate() throws(JWTError) {
        for (name, value) in [("connect timeout", connectTimeout), ("timeout", timeout)] {
            guard value > .zero, value <= Self.maximumTimeout else {
                throw JWTError(.invalidConfiguration, "\(name) must be more than 0 and at most 24 hours")
            }
        }
        guard maxBodyBytes >= 0 else { throw JWTError(.invalidConfiguration, "maxBodyBytes must not be negative") }
        for header in headers { try header.validate() }
    }
}

extension HTTPClientResponse {
    /// The whole body, or `nil` as soon as it is known to exceed `maxBytes` (an announced
    /// `Content-Length` over it, or the bytes streamed in so far), so that reading stays bounded.
    /// The token client reads its answers with it too.
    ///
    /// - Throws: The body stream's errors; a cancellation error when the task was cancelled, since a
    ///   cancelled read may end the body early without an error and must not pass for a whole one.
    package func collectBody(upTo maxBytes: Int) async throws -> [UInt8]? {
        if let length = headers.first(name: "Content-Length").flatMap(Int.init), length > maxBytes {
            return nil
        }
        var collected: [UInt8] = []
        for try await chunk in body {
            guard collected.count + chunk.readableBytes <= maxBytes else { return nil }
            collected.append(contentsOf: chunk.readableBytesView)
        }
        try Task.checkCancellation()
        return collected
    }
}

extension HTTPHeaders {
    /// Every line of the field `name`, combined into one comma-separated list (RFC 9110 §5.3), or
    /// `nil` when there is none.
    fileprivate func combined(_ name: String) -> String? {
        let lines = self[name].filter { !$0.isEmpty }
        return lines.isEmpty ? nil : lines.joined(separator: ", ")
    }
}

extension TimeAmount {
    /// `duration` to the nanosecond, for a duration of at most ``JWKSFetchRequest/maximumTimeout``.
    fileprivate init(_ duration: Duration) {
        self = .nanoseconds(Int64((duration.inSeconds * 1e9).rounded()))
    }
}
