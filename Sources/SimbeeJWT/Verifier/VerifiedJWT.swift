#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A token whose signature verified and whose claims satisfied the policy.
///
/// Only ``JWTVerifier/verify(_:)`` creates one, so holding a `VerifiedJWT` means the checks ran.
/// Registered claims are in ``claims``; decode your own claims from the payload with
/// ``decodeClaims(as:decoder:)``.
///
/// ```swift
/// struct SimbeeClaims: Decodable { let org: String }
/// let token = try await verifier.verify(bearer)
/// guard token.claims.hasScope("write") else { throw Forbidden() }
/// let custom = try token.decodeClaims(as: SimbeeClaims.self)
/// ```
public struct VerifiedJWT: Sendable {
    /// The header members that took part in verification.
    public struct Header: Sendable, Hashable {
        /// `alg`: the algorithm the signature was verified with.
        public let algorithm: JWTAlgorithm
        /// `kid`: the key that verified it (`nil` only for verifiers that do not require one).
        public let keyID: String?
        /// `typ`, if present.
        public let type: String?
    }

    /// The verified header.
    public let header: Header
    /// The registered claims and scopes, type-checked.
    public let claims: RegisteredClaims
    /// The payload's base64url segment, a slice of the token it was verified from (no copy), which
    /// the payload is decoded from on demand. Only that segment: a `VerifiedJWT` that is printed,
    /// dumped or logged never shows the signature, so never a token that could be presented again.
    private let payloadSegment: Substring

    /// - Parameter payloadSegment: Where the payload's base64url text stands in `token`'s UTF-8 bytes.
    init(header: Header, claims: RegisteredClaims, token: String, payloadSegment: Range<Int>) {
        self.header = header
        self.claims = claims
        let utf8 = token.utf8
        let start = utf8.index(utf8.startIndex, offsetBy: payloadSegment.lowerBound)
        let end = utf8.index(start, offsetBy: payloadSegment.count)
        self.payloadSegment = Substring(utf8[start..<end])
    }

    /// The payload exactly as signed: a strict JSON object (UTF-8, no duplicate names).
    ///
    /// Decoded from the token on each access, into a new array: verification reads the claims
    /// without keeping a copy of the payload (measured: one allocation fewer per verification), so
    /// a service that never reads the payload never pays for one. Read it once and keep it when
    /// you need it more than once.
    public var payload: [UInt8] {
        // The segment decoded as strict base64url when the token was verified, and a String's bytes
        // never change, so this cannot fail; the empty fallback only satisfies the type checker.
        (try? Base64URL.decode(payloadSegment.utf8)) ?? []
    }

    /// The payload's length in bytes, without decoding it.
    var payloadByteCount: Int {
        Base64URL.decodedLength(ofEncodedLength: payloadSegment.utf8.count) ?? 0
    }

    /// The payload as a JSON tree, for tools that print it. Parsed on demand: verification reads
    /// the claims in place.
    package func payloadObject() throws(JWTError) -> JSONObject {
        try JSONObject.claimsSet(payload)
    }

    /// Decodes the payload into your own type, for claims beyond the registered ones.
    ///
    /// The payload already passed the strict reader (no duplicate names, no byte-order mark), so
    /// `JSONDecoder` sees exactly what was verified.
    ///
    /// - Parameters:
    ///   - type: The type to decode.
    ///   - decoder: The decoder to use; configure its strategies as your type needs.
    /// - Returns: The decoded value.
    /// - Throws: The decoder's `DecodingError` when the payload does not match `type`.
    public func decodeClaims<Claims: Decodable>(as type: Claims.Type, decoder: JSONDecoder = JSONDecoder()) throws
        -> Claims
    {
        try decoder.decode(type, from: Data(payload))
    }
}
