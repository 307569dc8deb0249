public import HTTPTypes
public import Hummingbird
import SimbeeJWT

/// The answer to a refused request: a status, a `WWW-Authenticate` challenge (RFC 6750 §3) or a
/// `Retry-After`, and an empty body. The reason goes to the log, never into the response.
///
/// ``SimbeeAuthenticator``, ``RequireScopes`` and
/// ``HummingbirdAuth/AuthRequestContext/requireSimbeeIdentity(scopes:)`` throw it. Throw it
/// yourself (from a handler, or from the authenticator's identity closure) to refuse a request
/// with the same headers as the middleware: the challenge names the realm of the
/// ``SimbeeAuthenticator`` in front of the route.
///
/// ```swift
/// router.delete("orders/:id") { _, context in
///     let user = try context.requireSimbeeIdentity()
///     let order = try await orders.find(context.parameters.require("id"))
///     // Owners delete their own orders; anyone else needs the orders:delete scope.
///     guard order.ownerID == user.subject || user.hasScope("orders:delete") else {
///         throw BearerRefusal.insufficientScope(.all(["orders:delete"]))
///     }
///     return "deleted"
/// }
/// ```
public struct BearerRefusal: HTTPResponseError, CustomStringConvertible {
    /// The response status: `401`, `403`, `400` or `503`.
    public let status: HTTPResponse.Status
    /// The response's header fields: a `WWW-Authenticate` challenge, or a `Retry-After`.
    public let headers: HTTPFields
    /// The reason code that is logged, such as `expired` or `insufficient_scope`; never sent.
    public let reason: String
    /// Why, in words, for the log (`simbee.auth.message`); never token bytes, never sent.
    let message: String

    /// `401` with `error="invalid_token"`: the credential was presented but is refused.
    ///
    /// - Parameter reason: The reason code to log; `invalid_token` by default.
    /// - Returns: The refusal, with the realm of the authenticator in front of the route.
    public static func invalidToken(reason: String = "invalid_token") -> BearerRefusal {
        invalidToken(reason: reason, message: "refused by the application", realm: SimbeeAuthState.configuration.realm)
    }

    /// `403` with `error="insufficient_scope"` and the requirement's scopes in `scope`.
    ///
    /// - Parameter requirement: The scopes the request needed.
    /// - Returns: The refusal, with the realm of the authenticator in front of the route.
    public static func insufficientScope(_ requirement: ScopeRequirement) -> BearerRefusal {
        insufficientScope(requirement, realm: SimbeeAuthState.configuration.realm)
    }

    static func invalidToken(reason: String, message: String, realm: String) -> BearerRefusal {
        BearerRefusal(
            status: .unauthorized,
            headers: [.wwwAuthenticate: challenge(realm: realm, ["error": "invalid_token"])],
            reason: reason,
            message: message
        )
    }

    /// `400` with `error="invalid_request"`: more than one `Authorization` field.
    static func invalidRequest(reason: String, message: String, realm: String) -> BearerRefusal {
        BearerRefusal(
            status: .badRequest,
            headers: [.wwwAuthenticate: challenge(realm: realm, ["error": "invalid_request"])],
            reason: reason,
            message: message
        )
    }

    /// `401` with a bare challenge: no credentials where they are required (RFC 6750 §3.1: no error
    /// code when the request carried no authentication information).
    static func missingCredentials(realm: String) -> BearerRefusal {
        BearerRefusal(
            status: .unauthorized,
            headers: [.wwwAuthenticate: challenge(realm: realm, [:])],
            reason: "missing_credentials",
            message: "no Simbee bearer token authenticated the request"
        )
    }

    /// `403` with `error="insufficient_scope"` and the required scopes.
    static func insufficientScope(_ requirement: ScopeRequirement, realm: String) -> BearerRefusal {
        var parameters: KeyValuePairs<String, String> = ["error": "insufficient_scope"]
        if !requirement.scopes.isEmpty {
            parameters = ["error": "insufficient_scope", "scope": requirement.scopes.joined(separator: " ")]
        }
        return BearerRefusal(
            status: .forbidden,
            headers: [.wwwAuthenticate: challenge(realm: realm, parameters)],
            reason: "insufficient_scope",
            message: "the token's scopes do not satisfy \(requirement)"
        )
    }

    /// `503`: the key set could not be obtained, so the token could not be judged.
    static func unavailable(reason: String, message: String, retryAfter: Duration?) -> BearerRefusal {
        var headers: HTTPFields = [:]
        if let retryAfter {
            headers[.retryAfter] = String(wholeSeconds(retryAfter))
        }
        return BearerRefusal(status: .serviceUnavailable, headers: headers, reason: reason, message: message)
    }

    /// The response: ``status``, ``headers`` and an empty body.
    ///
    /// - Parameters:
    ///   - request: The refused request.
    ///   - context: Its context.
    /// - Returns: The response sent to the client.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: status, headers: headers)
    }

    /// `401 expired`: the status code and the reason.
    public var description: String { "\(status.code) \(reason)" }

    /// `Bearer realm="…", name="value", …` with every value a quoted-string (RFC 9110 §5.6.4).
    static func challenge(realm: String, _ parameters: KeyValuePairs<String, String>) -> String {
        var text = "Bearer realm=" + quoted(realm)
        for (name, value) in parameters {
            text += ", \(name)=" + quoted(value)
        }
        return text
    }

    /// A quoted-string: `"` and `\` escaped, control characters replaced by a space.
    static func quoted(_ value: String) -> String {
        var text = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"", "\\":
                text.unicodeScalars.append("\\")
                text.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                text.unicodeScalars.append(" ")
            default:
                text.unicodeScalars.append(scalar)
            }
        }
        return text + "\""
    }

    /// `duration` rounded up to whole seconds, for a validated `Retry-After`
    /// (``SimbeeAuthConfiguration/maximumRetryAfter`` at most).
    static func wholeSeconds(_ duration: Duration) -> Int64 {
        Int64(max(0, duration.inSeconds).rounded(.up))
    }
}
