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
    /// The payload exactly as signed: a strict JSON object (UTF-8, no duplicate names).
    public let payload: [UInt8]

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
