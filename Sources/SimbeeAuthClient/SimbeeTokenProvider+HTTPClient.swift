public import AsyncHTTPClient
public import NIOCore
import NIOHTTP1

extension HTTPClientRequest {
    /// Sets `Authorization: Bearer <token>`, replacing any `Authorization` field already set.
    ///
    /// ```swift
    /// var request = HTTPClientRequest(url: "https://api.simbee.io/v1/users/cu_123")
    /// request.setBearerToken(try await provider.token())
    /// ```
    ///
    /// - Parameter token: The token to send.
    public mutating func setBearerToken(_ token: SimbeeAccessToken) {
        headers.replaceOrAdd(name: "Authorization", value: token.authorizationValue)
    }
}

extension SimbeeTokenProvider {
    /// Sends `request` with a bearer token; when the answer is `401`, invalidates that token, gets
    /// a new one and sends the request once more.
    ///
    /// The request may go out twice, so its body must be one that can be sent again: bytes or a
    /// `ByteBuffer`, not a stream. The first `401` answer's body is read (up to 64 KiB) and dropped;
    /// the second answer is returned whatever its status.
    ///
    /// ```swift
    /// let response = try await provider.execute(
    ///     HTTPClientRequest(url: "https://api.simbee.io/v1/users/cu_123"),
    ///     on: .shared,
    ///     timeout: .seconds(10)
    /// )
    /// ```
    ///
    /// - Parameters:
    ///   - request: The request; its `Authorization` field is replaced.
    ///   - client: The client to send it with.
    ///   - timeout: The deadline for each send.
    /// - Returns: The answer.
    /// - Throws: ``SimbeeAuthError`` when no token can be had; async-http-client's errors when the
    ///   request fails.
    public func execute(
        _ request: HTTPClientRequest,
        on client: HTTPClient,
        timeout: TimeAmount
    ) async throws -> HTTPClientResponse {
        var request = request
        let token = try await token()
        request.setBearerToken(token)
        let response = try await client.execute(request, timeout: timeout)
        guard response.status == .unauthorized else { return response }
        _ = try? await response.body.collect(upTo: 64 * 1024)
        invalidate(token)
        request.setBearerToken(try await self.token())
        return try await client.execute(request, timeout: timeout)
    }
}
