/// A token obtained from Simbee's API-key exchange: the bearer credential for Simbee's API.
///
/// Like ``SimbeeAPIKey``, it never shows its value in `description`, `debugDescription`, string
/// interpolation or `dump`; read ``value`` (or ``authorizationValue``) only to send it.
public struct SimbeeAccessToken: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The compact JWT, to send as `Authorization: Bearer <value>`.
    public let value: String
    /// The scopes the exchange granted (its `scopes` field), in its order.
    public let scopes: [String]
    /// How long the token was valid for when it arrived: `expires_in`, or less when the token's
    /// own `exp` is earlier.
    public let lifetime: Duration
    /// Tells this exchange's token from any other, so that ``SimbeeTokenProvider/invalidate(_:)``
    /// can ignore a token that was already replaced.
    let exchange: UInt64

    init(value: String, scopes: [String], lifetime: Duration, exchange: UInt64) {
        self.value = value
        self.scopes = scopes
        self.lifetime = lifetime
        self.exchange = exchange
    }

    /// The `Authorization` field value: `Bearer <token>`.
    public var authorizationValue: String { "Bearer " + value }

    /// `SimbeeAccessToken(redacted, scopes: […])`: the scopes, never the token.
    public var description: String { "SimbeeAccessToken(redacted, scopes: \(scopes))" }

    /// Same as ``description``.
    public var debugDescription: String { description }

    /// A mirror with the scopes and lifetime only, so that `dump` and debuggers show no token.
    public var customMirror: Mirror {
        Mirror(self, children: ["scopes": scopes, "lifetime": lifetime], displayStyle: .struct)
    }

    /// Two tokens are equal when they came from the same exchange.
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.exchange == rhs.exchange && lhs.value == rhs.value
    }
}
