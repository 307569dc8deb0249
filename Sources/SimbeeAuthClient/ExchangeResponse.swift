import SimbeeJWT

/// What a successful exchange answered, checked: Simbee's
/// `{"data":{"token":"eyJ…","expires_in":900,"scopes":[…]}}`.
///
/// Read with the package's strict JSON reader, so a body that two JSON parsers would read
/// differently (a repeated member, a byte-order mark) is refused, not guessed at.
struct ExchangeResponse: Sendable {
    /// The compact JWT.
    let token: String
    /// `expires_in`, in whole seconds.
    let expiresIn: Int64
    let scopes: [String]
    /// The token's own `exp` in Unix seconds, read without verifying the token: it only ever
    /// shortens the lifetime.
    let expiration: Double?

    /// The longest token accepted, in bytes.
    static let maximumTokenBytes = 16 * 1024

    /// Checks and reads a `200` body.
    ///
    /// - Parameters:
    ///   - body: The response body.
    ///   - maximumLifetime: The largest `expires_in` accepted.
    /// - Throws: ``SimbeeAuthError`` with ``SimbeeAuthError/Code/invalidResponse`` for anything but
    ///   a token with a lifetime in `1 s … maximumLifetime`. Messages name the field, never its value.
    init(body: [UInt8], maximumLifetime: Duration) throws(SimbeeAuthError) {
        func invalid(_ message: String) -> SimbeeAuthError {
            SimbeeAuthError(.invalidResponse, message, status: 200)
        }
        guard let document = try? StrictJSONReader.parse(body, limits: .init(maxDepth: 8, maxBytes: body.count)),
            document.kind(document.root) == .object
        else {
            throw invalid("the exchange answered 200 with a body that is not a JSON object")
        }
        guard let data = document.member("data", of: document.root), document.kind(data) == .object else {
            throw invalid("the exchange's answer has no \"data\" object")
        }

        guard let tokenNode = document.member("token", of: data), let token = document.asciiString(tokenNode),
            !token.isEmpty
        else {
            throw invalid("the exchange's answer has no token")
        }
        guard token.utf8.count <= Self.maximumTokenBytes else {
            throw invalid("the token is longer than \(Self.maximumTokenBytes) bytes")
        }
        let expiration: Double?
        do {
            expiration = try Self.expiration(of: token)
        } catch {
            throw invalid("the token is not a JWT with a JSON payload (\(error.code.name))")
        }

        guard let lifetimeNode = document.member("expires_in", of: data), let lifetime = document.number(lifetimeNode)
        else {
            throw invalid("the exchange's answer has no numeric expires_in")
        }
        guard lifetime >= 1, lifetime == lifetime.rounded(), lifetime <= maximumLifetime.inSeconds else {
            throw invalid(
                "expires_in must be a whole number of seconds from 1 to \(Int64(maximumLifetime.inSeconds))"
            )
        }

        var scopes: [String] = []
        if let scopesNode = document.member("scopes", of: data) {
            guard document.kind(scopesNode) == .array else { throw invalid("scopes is not an array") }
            for element in document.elements(of: scopesNode) {
                guard let scope = document.string(element) else { throw invalid("a scope is not a string") }
                scopes.append(scope)
            }
        }

        self.token = token
        self.expiresIn = Int64(lifetime)
        self.scopes = scopes
        self.expiration = expiration
    }

    /// The `exp` of a compact JWS's payload, unverified; `nil` when the payload has none.
    ///
    /// - Throws: ``JWTError`` when the token is not a compact JWS whose payload is a JSON object, or
    ///   its `exp` is not a NumericDate from 1970 to 9999, as the verifier requires.
    private static func expiration(of token: String) throws(JWTError) -> Double? {
        let jws = try CompactJWS(token, maxBytes: maximumTokenBytes)
        guard let payload = try? StrictJSONReader.parse(jws.payload), payload.kind(payload.root) == .object else {
            throw JWTError(.malformed, "payload is not a JSON object")
        }
        guard let node = payload.member("exp", of: payload.root) else { return nil }
        return try NumericDate.seconds(payload.number(node), claim: "exp")
    }
}
