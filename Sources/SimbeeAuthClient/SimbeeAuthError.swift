/// The one error `SimbeeAuthClient` throws: a stable machine-readable ``code``, a human ``message``,
/// and what the exchange endpoint answered when it answered.
///
/// Switch on ``code``; show ``message`` to operators. Neither ever contains the API key or a token,
/// so both are safe to log.
///
/// ```swift
/// do {
///     let token = try await provider.token()
/// } catch let error where error.code == .keyRefused {
///     // the API key is wrong or revoked: retrying will not help
/// }
/// ```
public struct SimbeeAuthError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, machine-readable reason.
    ///
    /// An open set: new codes may be added in minor releases, so `switch` statements over codes
    /// need a `default` branch.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        enum Backing: String, Sendable, Hashable, CaseIterable {
            case keyRefused = "key_refused"
            case rateLimited = "rate_limited"
            case serverError = "server_error"
            case unexpectedStatus = "unexpected_status"
            case timedOut = "timed_out"
            case connectionFailed = "connection_failed"
            case invalidResponse = "invalid_response"
            case invalidConfiguration = "invalid_configuration"
            case cancelled
        }

        let backing: Backing

        /// The code's stable snake_case name, e.g. `"key_refused"`.
        public var name: String { backing.rawValue }

        /// Same as ``name``.
        public var description: String { backing.rawValue }

        /// The endpoint refused the API key (`400`, `401` or `403`): it is wrong, revoked or not
        /// allowed to exchange. Never retried; a new key is needed.
        public static let keyRefused = Code(backing: .keyRefused)
        /// The endpoint answered `429 Too Many Requests`; ``SimbeeAuthError/retryAfter`` holds its
        /// `Retry-After` when it sent one. Retried after that delay.
        public static let rateLimited = Code(backing: .rateLimited)
        /// The endpoint answered a `5xx` status. Retried with backoff.
        public static let serverError = Code(backing: .serverError)
        /// The endpoint answered a status the exchange does not expect, such as `404` or a redirect
        /// (redirects are never followed). Not retried: it usually means a wrong base URL.
        public static let unexpectedStatus = Code(backing: .unexpectedStatus)
        /// Connecting, or the whole request, took longer than its timeout. Retried with backoff.
        public static let timedOut = Code(backing: .timedOut)
        /// The connection could not be made or broke off. Retried with backoff.
        public static let connectionFailed = Code(backing: .connectionFailed)
        /// The endpoint answered `200` with a body that is not a usable token: not the expected
        /// JSON, no token, an `expires_in` that is missing, not positive or too large, or a token
        /// that had already expired. Nothing is cached.
        public static let invalidResponse = Code(backing: .invalidResponse)
        /// A configuration value, the base URL or the API key is unacceptable.
        public static let invalidConfiguration = Code(backing: .invalidConfiguration)
        /// The calling task was cancelled while it waited. An exchange other callers share carries on.
        public static let cancelled = Code(backing: .cancelled)
    }

    /// Why the token could not be had.
    public let code: Code
    /// A human-readable explanation. Never contains the API key or a token.
    public let message: String
    /// The HTTP status the endpoint answered, when the failure is about its answer.
    public let status: Int?
    /// How long the endpoint asked the client to wait (`Retry-After`), when it said.
    public let retryAfter: Duration?

    /// `"<code>: <message>"`.
    public var description: String { "\(code.name): \(message)" }

    /// Whether a later attempt may succeed: timeouts, connection failures, `5xx` and `429`.
    public var isRetryable: Bool {
        switch code.backing {
        case .timedOut, .connectionFailed, .serverError, .rateLimited: true
        default: false
        }
    }

    init(_ code: Code, _ message: String, status: Int? = nil, retryAfter: Duration? = nil) {
        self.code = code
        self.message = message
        self.status = status
        self.retryAfter = retryAfter
    }
}
