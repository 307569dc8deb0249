/// The header of a token that has **not** been verified, for routing (for example choosing a key
/// source by `kid`) and diagnostics.
///
/// This is the only way to read anything from a token without verifying it, and it exposes the
/// header alone: claims are available only from ``JWTVerifier/verify(_:)``. Nothing in it can be
/// trusted: an attacker chose every byte.
public struct UnverifiedHeader: Sendable, Hashable {
    /// `alg`, exactly as written, whether supported or not.
    public let algorithm: String
    /// `kid`.
    public let keyID: String?
    /// `typ`.
    public let type: String?

    /// Whether both have the same `alg`, `kid` and `typ`, byte for byte: two canonically
    /// equivalent spellings of a `kid` are different keys, so they must not route alike.
    public static func == (lhs: UnverifiedHeader, rhs: UnverifiedHeader) -> Bool {
        lhs.algorithm.isExactly(rhs.algorithm) && lhs.keyID.isExactly(rhs.keyID) && lhs.type.isExactly(rhs.type)
    }

    /// Hashes what ``==(_:_:)`` compares (equal bytes hash alike).
    public func hash(into hasher: inout Hasher) {
        hasher.combine(algorithm)
        hasher.combine(keyID)
        hasher.combine(type)
    }

    /// Parses a token's header with the same strict rules as verification (size limit, three
    /// segments, strict base64url and JSON, no `crit`/`b64`/`enc`/nested `cty`), without verifying.
    ///
    /// - Parameters:
    ///   - token: A compact JWS.
    ///   - maxTokenBytes: The size limit. Default 16 KiB.
    /// - Throws: ``JWTError`` when the token is malformed, too large or uses an unsupported header.
    public init(peekingAt token: String, maxTokenBytes: Int = JWTVerifier.Configuration.defaultMaxTokenBytes)
        throws(JWTError)
    {
        let jws = try CompactJWS(token, maxBytes: maxTokenBytes)
        let header = try JOSEHeader(decoded: jws.header)
        algorithm = header.algorithmName
        keyID = header.keyID
        type = header.type
    }
}
