import HTTPTypes
import Hummingbird
import SimbeeJWT

/// The answer to a request the middleware refuses: a status, a `WWW-Authenticate` challenge or a
/// `Retry-After`, and an empty body. The reason stays in the log, never in the response.
struct BearerRefusal: HTTPResponseError, CustomStringConvertible {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    /// The logged reason; not part of the response.
    let reason: String

    /// `401` with `error="invalid_token"`: credentials present but refused.
    static func invalidToken(reason: String, realm: String) -> BearerRefusal {
        BearerRefusal(
            status: .unauthorized,
            headers: [.wwwAuthenticate: challenge(realm: realm, ["error": "invalid_token"])],
            reason: reason
        )
    }

    /// `400` with `error="invalid_request"`: more than one `Authorization` field.
    static func invalidRequest(reason: String, realm: String) -> BearerRefusal {
        BearerRefusal(
            status: .badRequest,
            headers: [.wwwAuthenticate: challenge(realm: realm, ["error": "invalid_request"])],
            reason: reason
        )
    }

    /// `401` with a bare challenge: no credentials where they are required (RFC 6750 §3.1: no error
    /// code when the request carried no authentication information).
    static func missingCredentials(realm: String) -> BearerRefusal {
        BearerRefusal(
            status: .unauthorized,
            headers: [.wwwAuthenticate: challenge(realm: realm, [:])],
            reason: "missing_credentials"
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
            reason: "insufficient_scope"
        )
    }

    /// `503`: the key set could not be obtained, so the token could not be judged.
    static func unavailable(reason: String, retryAfter: Duration?) -> BearerRefusal {
        var headers: HTTPFields = [:]
        if let retryAfter {
            headers[.retryAfter] = String(wholeSeconds(retryAfter))
        }
        return BearerRefusal(status: .serviceUnavailable, headers: headers, reason: reason)
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: status, headers: headers)
    }

    var description: String { "\(status.code) \(reason)" }

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
