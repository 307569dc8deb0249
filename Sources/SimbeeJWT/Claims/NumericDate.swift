/// NumericDate (RFC 7519 §2): seconds since the epoch, integer or fraction, as a JSON number.
package enum NumericDate {
    /// The latest accepted value, 9999-12-31T23:59:59Z. Larger values are refused rather than
    /// clamped, so `1e400` or `10**50` never turns into "never expires".
    package static let maximum: Double = 253_402_300_799

    /// The claim's value when it is a JSON number in `[0, maximum]`, or an ``JWTError/Code/invalidClaim``
    /// error for any other type or range (a present-but-invalid claim is never treated as absent).
    ///
    /// - Parameter value: The claim's value when it is a JSON number, `nil` for any other type.
    package static func seconds(_ value: Double?, claim: String) throws(JWTError) -> Double {
        guard let seconds = value else {
            throw JWTError(.invalidClaim, "\(claim) is not a JSON number")
        }
        guard seconds.isFinite, seconds >= 0, seconds <= maximum else {
            throw JWTError(.invalidClaim, "\(claim) is outside 0…\(Int(maximum))")
        }
        return seconds
    }
}
