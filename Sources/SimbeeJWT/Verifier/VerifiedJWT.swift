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

        /// Whether both name the same algorithm, and the same `kid` and `typ` byte for byte.
        public static func == (lhs: Header, rhs: Header) -> Bool {
            lhs.algorithm == rhs.algorithm && lhs.keyID.isExactly(rhs.keyID) && lhs.type.isExactly(rhs.type)
        }

        /// Hashes what ``==(_:_:)`` compares (equal bytes hash alike).
        public func hash(into hasher: inout Hasher) {
            hasher.combine(algorithm)
            hasher.combine(keyID)
            hasher.combine(type)
        }
    }

    /// The verified header.
    public let header: Header
    /// The registered claims and scopes, type-checked.
    public let claims: RegisteredClaims
    /// The payload's base64url segment, for `description` and `dump`. Only that segment is ever
    /// shown: a `VerifiedJWT` that is printed, dumped or logged never shows the signature, so never
    /// a token that could be presented again.
    private let payloadSegment: PayloadSegment

    /// - Parameter payloadSegment: Where the payload's base64url text stands in `token`'s UTF-8 bytes.
    init(header: Header, claims: RegisteredClaims, token: String, payloadSegment: Range<Int>) {
        self.header = header
        self.claims = claims
        self.payloadSegment = PayloadSegment(token: token, range: payloadSegment)
    }

    /// The payload exactly as signed: a strict JSON object (UTF-8, no duplicate names).
    ///
    /// A new array on each access: read it once and keep it when you need it more than once.
    public var payload: [UInt8] {
        Array(claims.payload)
    }

    /// The payload as a JSON tree, for tools that print it, read on demand.
    package func payloadObject() throws(JWTError) -> JSONObject {
        try JSONObject.claimsSet(payload)
    }

    /// Decodes the payload into your own type, for claims beyond the registered ones.
    ///
    /// The payload already passed the strict reader (no duplicate names, no byte-order mark), so
    /// `JSONDecoder` sees exactly what was verified. A payload that does not fit your type is the
    /// token's fault, not your service's: the error is ``JWTError/Code/invalidClaim``, which a
    /// middleware should answer with `401`, not `500` (in Hummingbird, decode through
    /// `SimbeeIdentity.decodeClaims(as:decoder:)`, which does).
    ///
    /// - Parameters:
    ///   - type: The type to decode.
    ///   - decoder: The decoder to use; configure its strategies as your type needs.
    /// - Returns: The decoded value.
    /// - Throws: ``JWTError`` with ``JWTError/Code/invalidClaim`` naming the claim that does not
    ///   fit (its path of keys, never its value).
    public func decodeClaims<Claims: Decodable>(as type: Claims.Type, decoder: JSONDecoder = JSONDecoder())
        throws(JWTError) -> Claims
    {
        do {
            return try decoder.decode(type, from: Data(payload))
        } catch let error as DecodingError {
            throw JWTError(.invalidClaim, Self.describe(error, decoding: type))
        } catch {
            throw JWTError(.invalidClaim, "claims do not decode as \(Claims.self)")
        }
    }

    /// What went wrong, by kind and coding path: member names and indexes only.
    private static func describe<Claims>(_ error: DecodingError, decoding type: Claims.Type) -> String {
        func path(_ codingPath: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            var text = ""
            for key in codingPath + (last.map { [$0] } ?? []) {
                if let index = key.intValue {
                    text += "[\(index)]"
                } else {
                    text += (text.isEmpty ? "" : ".") + DiagnosticText.printable(key.stringValue)
                }
            }
            return text.isEmpty ? "the payload" : text
        }
        let problem: String
        switch error {
        case .keyNotFound(let key, let context): problem = "\(path(context.codingPath, key)) is missing"
        case .valueNotFound(_, let context): problem = "\(path(context.codingPath)) is null"
        case .typeMismatch(let expected, let context):
            problem = "\(path(context.codingPath)) is not \(expected)"
        case .dataCorrupted(let context): problem = "\(path(context.codingPath)) is not valid"
        @unknown default: problem = "the payload does not fit"
        }
        return "claims do not decode as \(Claims.self): \(problem)"
    }
}

/// The payload segment of a verified token: the token and where the segment stands in its UTF-8
/// bytes. Its mirror and descriptions show the segment alone, never the signature.
private struct PayloadSegment: Sendable, CustomReflectable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The whole token: never shown.
    private let token: String
    /// The segment's byte offsets in `token.utf8`.
    let range: Range<Int>

    init(token: String, range: Range<Int>) {
        self.token = token
        self.range = range
    }

    /// The segment's bytes.
    var bytes: ArraySlice<UInt8> {
        Array(token.utf8)[range]
    }

    /// The segment's text.
    var description: String {
        String(decoding: bytes, as: UTF8.self)
    }

    var debugDescription: String { description.debugDescription }

    var customMirror: Mirror {
        Mirror(self, children: ["base64url": description], displayStyle: .struct)
    }
}
