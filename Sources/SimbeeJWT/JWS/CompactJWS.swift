/// A JWS in compact serialization (RFC 7515 §7.1), split and decoded but not verified.
///
/// Parsing follows the order that keeps hostile input cheap: the size limit first, then the two
/// dots are found in one pass without allocating, then each segment is decoded as strict base64url.
/// Exactly `header.payload.signature` is accepted: three non-empty segments and no other bytes (no
/// whitespace, no `Bearer ` prefix, no JSON serialization, no JWE).
package struct CompactJWS: Sendable {
    /// The decoded protected header (JSON text, not yet parsed).
    package let header: [UInt8]
    /// The decoded payload.
    package let payload: [UInt8]
    /// The decoded signature.
    package let signature: [UInt8]
    /// The signing input `ASCII(BASE64URL(header)) '.' ASCII(BASE64URL(payload))`, as the token held it.
    package let signingInput: [UInt8]

    /// Splits and decodes `token`.
    ///
    /// - Parameters:
    ///   - token: The token's bytes.
    ///   - maxBytes: The size limit, checked before anything else.
    /// - Throws: ``JWTError`` with ``JWTError/Code/tokenTooLarge`` or ``JWTError/Code/malformed``.
    package init(_ token: UnsafeBufferPointer<UInt8>, maxBytes: Int) throws(JWTError) {
        guard token.count <= maxBytes else {
            throw JWTError(.tokenTooLarge, "token is \(token.count) bytes, more than the limit of \(maxBytes)")
        }
        var firstDot = -1
        var secondDot = -1
        for index in token.indices where token[index] == UInt8(ascii: ".") {
            if firstDot < 0 {
                firstDot = index
            } else if secondDot < 0 {
                secondDot = index
            } else {
                throw JWTError(.malformed, "token has more than three segments")
            }
        }
        guard secondDot >= 0 else { throw JWTError(.malformed, "token does not have three segments") }
        guard firstDot > 0, secondDot > firstDot + 1, secondDot < token.count - 1 else {
            throw JWTError(.malformed, "token has an empty segment")
        }
        header = try Self.decode(UnsafeBufferPointer(rebasing: token[..<firstDot]), "header")
        payload = try Self.decode(UnsafeBufferPointer(rebasing: token[(firstDot + 1)..<secondDot]), "payload")
        signature = try Self.decode(UnsafeBufferPointer(rebasing: token[(secondDot + 1)...]), "signature")
        signingInput = Array(token[..<secondDot])
    }

    /// Splits and decodes a token given as a string; see ``init(_:maxBytes:)``.
    package init(_ token: String, maxBytes: Int) throws(JWTError) {
        self = try withUTF8Bytes(of: token) { bytes throws(JWTError) in try CompactJWS(bytes, maxBytes: maxBytes) }
    }

    private static func decode(_ segment: UnsafeBufferPointer<UInt8>, _ name: String) throws(JWTError) -> [UInt8] {
        do {
            return try Base64URL.decode(segment)
        } catch .invalidCharacter {
            throw JWTError(.malformed, "\(name) segment has a character outside the base64url alphabet")
        } catch .invalidLength {
            throw JWTError(.malformed, "\(name) segment has an impossible base64url length")
        } catch {
            throw JWTError(.malformed, "\(name) segment is not canonical base64url (non-zero trailing bits)")
        }
    }
}

/// Runs `body` over the UTF-8 bytes of `string`, keeping `body`'s typed error (`String.withUTF8`
/// only rethrows untyped errors).
package func withUTF8Bytes<Result>(
    of string: String,
    _ body: (UnsafeBufferPointer<UInt8>) throws(JWTError) -> Result
) throws(JWTError) -> Result {
    var string = string
    let outcome = string.withUTF8 { bytes in Swift.Result { () throws(JWTError) in try body(bytes) } }
    return try outcome.get()
}
