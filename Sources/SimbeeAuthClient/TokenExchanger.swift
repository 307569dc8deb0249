import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import SimbeeJWT

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One attempt of Simbee's API-key exchange over async-http-client: `POST <base>/auth/exchange`
/// with `{"api_key":"…"}`, redirects refused (the key is never sent twice), the request timeout
/// bounding the whole attempt (body included) and the answer bounded in size. Retrying is the
/// provider's business.
struct TokenExchanger: Sendable {
    let url: String
    let client: HTTPClient
    let requestTimeout: Duration
    let userAgent: String
    let maximumTokenLifetime: Duration
    let wallClock: @Sendable () -> Date

    /// The largest answer read, in bytes.
    static let maximumBodyBytes = 64 * 1024

    /// Exchanges `key` once.
    ///
    /// - Returns: The checked answer, or why there is none. The error never holds the key or a token.
    func exchange(_ key: SimbeeAPIKey) async -> Result<ExchangeResponse, SimbeeAuthError> {
        let timedOut = SimbeeAuthError(.timedOut, "the exchange took longer than \(requestTimeout)")
        do {
            return try await withDeadline(requestTimeout, timeoutError: timedOut) { [self] in
                try await attempt(key)
            }
        } catch let error as SimbeeAuthError {
            return .failure(error)
        } catch let error as HTTPClientError
            where error == .connectTimeout || error == .deadlineExceeded || error == .readTimeout
        {
            return .failure(SimbeeAuthError(.timedOut, "the exchange timed out (\(error))"))
        } catch is CancellationError {
            return .failure(SimbeeAuthError(.cancelled, "the exchange was cancelled"))
        } catch {
            // Connection refused, reset or closed, TLS failures: async-http-client's and NIO's
            // errors describe the connection, never the request body.
            return .failure(
                SimbeeAuthError(.connectionFailed, "the exchange failed to connect or broke off (\(error))")
            )
        }
    }

    private func attempt(_ key: SimbeeAPIKey) async throws -> Result<ExchangeResponse, SimbeeAuthError> {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        if !userAgent.isEmpty { request.headers.add(name: "User-Agent", value: userAgent) }
        request.body = Self.sentOnce(Self.requestBody(key))

        let nanoseconds = Int64((requestTimeout.inSeconds * 1e9).rounded())
        let response = try await client.execute(request, deadline: .now() + .nanoseconds(nanoseconds))
        guard response.history.count <= 1 else {
            return .failure(SimbeeAuthError(.unexpectedStatus, "the exchange redirected; redirects are not followed"))
        }
        let status = Int(response.status.code)
        switch status {
        case 200:
            guard let body = try await response.collectBody(upTo: Self.maximumBodyBytes) else {
                return .failure(
                    SimbeeAuthError(
                        .invalidResponse,
                        "the exchange's answer is larger than \(Self.maximumBodyBytes) bytes",
                        status: status
                    )
                )
            }
            return Result { () throws(SimbeeAuthError) in
                try ExchangeResponse(body: body, maximumLifetime: maximumTokenLifetime)
            }
        case 400, 401, 403:
            return .failure(
                SimbeeAuthError(.keyRefused, "the exchange refused the API key (status \(status))", status: status)
            )
        case 429:
            return .failure(
                SimbeeAuthError(
                    .rateLimited,
                    "the exchange is rate-limited (status 429)",
                    status: status,
                    retryAfter: retryAfter(response.headers)
                )
            )
        case 500...599:
            return .failure(
                SimbeeAuthError(
                    .serverError,
                    "the exchange failed on the server (status \(status))",
                    status: status,
                    retryAfter: retryAfter(response.headers)
                )
            )
        case 300...399:
            return .failure(
                SimbeeAuthError(
                    .unexpectedStatus,
                    "the exchange answered a redirect (status \(status)), which is not followed",
                    status: status
                )
            )
        default:
            return .failure(
                SimbeeAuthError(.unexpectedStatus, "the exchange answered status \(status)", status: status)
            )
        }
    }

    /// `{"api_key":"<key>"}`.
    static func requestBody(_ key: SimbeeAPIKey) -> ByteBuffer {
        var json = #"{"api_key":"#
        JSONValue.appendQuoted(key.secret, to: &json)
        json += "}"
        return ByteBuffer(string: json)
    }

    /// `bytes` as a body that async-http-client can send only once (a stream, with its length
    /// announced). A client that follows redirects never replays such a body to a redirect's target,
    /// so the key reaches the exchange URL alone, whatever client the caller passed: a `307` or `308`
    /// comes back unfollowed, and a `301`, `302` or `303` is followed as a `GET` without a body.
    static func sentOnce(_ bytes: ByteBuffer) -> HTTPClientRequest.Body {
        let (stream, continuation) = AsyncStream.makeStream(of: ByteBuffer.self)
        continuation.yield(bytes)
        continuation.finish()
        return .stream(stream, length: .known(Int64(bytes.readableBytes)))
    }

    /// `Retry-After` (RFC 9110 §10.2.3) as a delay: delta-seconds, or an HTTP-date less now. A
    /// value that is neither is ignored.
    private func retryAfter(_ headers: HTTPHeaders) -> Duration? {
        guard let field = headers.first(name: "Retry-After") else { return nil }
        let value = field.trimmingSpaces()
        if let seconds = CacheLifetime.deltaSeconds(String(value)) { return .seconds(seconds) }
        let now = wallClock().timeIntervalSince1970
        if let date = HTTPDate.parse(String(value), nowUnixSeconds: now) {
            return .seconds(max(0, date - now).rounded(.up))
        }
        return nil
    }
}
