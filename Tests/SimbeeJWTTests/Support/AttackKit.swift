import Foundation
import SimbeeJWTFuzzChecks
import Testing

@_spi(Testing) @testable import SimbeeJWT

// Helpers shared by the attack catalogue tests (`AttackTests+*.swift`).

struct VectorMissing: Error, CustomStringConvertible {
    let description: String
}

enum Kit {
    /// 64 non-zero bytes whose halves are in [1, n−1] and whose S half is below L: garbage that
    /// passes every range check and fails only at the signature itself.
    static let filler: [UInt8] = (0..<64).map { (index: Int) -> UInt8 in
        let byte = UInt8(truncatingIfNeeded: index &* 7 &+ 1)
        return index == 63 ? byte & 0x0F : byte
    }

    static let defaultHeader = #"{"alg":"ES256","kid":"es256-a","typ":"JWT"}"#

    /// The P-256 group order n, big-endian.
    static let p256Order = TestSupport.bytes(hex: "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551")
    /// The Ed25519 group order L, little-endian.
    static let ed25519OrderLittleEndian = Array(
        TestSupport.bytes(hex: "1000000000000000000000000000000014def9dea2f79cd65812631a5cf5d3ed").reversed()
    )

    // Fixtures

    static func token(_ name: String) throws -> String {
        guard let found = try TestSupport.manifest().cases.first(where: { $0.name == name }) else {
            throw VectorMissing(description: "no fixture named \(name)")
        }
        return found.token
    }

    static func vectorObject(_ path: String) throws -> [String: Any] {
        guard let object = try TestSupport.fixtureJSON(path) as? [String: Any] else {
            throw VectorMissing(description: "\(path) is not a JSON object")
        }
        return object
    }

    /// A Wycheproof JWS test: its compact token and its group's public key, if any.
    static func wycheproofJWS(_ tcId: Int) throws -> (jws: String, publicKey: [String: Any]?) {
        let root = try vectorObject("vectors/wycheproof/json_web_signature_test.json")
        for group in root["testGroups"] as? [[String: Any]] ?? [] {
            for test in group["tests"] as? [[String: Any]] ?? [] where "\(test["tcId"] ?? "")" == "\(tcId)" {
                guard let jws = test["jws"] as? String else { continue }
                return (jws, group["public"] as? [String: Any])
            }
        }
        throw VectorMissing(description: "Wycheproof JWS tcId \(tcId)")
    }

    /// The key set (`public`, or another member) of the Wycheproof JWK group holding `tcId`.
    static func wycheproofKeySet(_ tcId: Int, member: String = "public") throws -> [String: Any] {
        let root = try vectorObject("vectors/wycheproof/json_web_key_test.json")
        for group in root["testGroups"] as? [[String: Any]] ?? [] {
            let tests = group["tests"] as? [[String: Any]] ?? []
            if tests.contains(where: { "\($0["tcId"] ?? "")" == "\(tcId)" }),
                let set = (group[member] ?? group["private"]) as? [String: Any]
            {
                return set
            }
        }
        throw VectorMissing(description: "Wycheproof JWK tcId \(tcId)")
    }

    static func wycheproofKeyTestJWS(_ tcId: Int) throws -> String {
        let root = try vectorObject("vectors/wycheproof/json_web_key_test.json")
        for group in root["testGroups"] as? [[String: Any]] ?? [] {
            for test in group["tests"] as? [[String: Any]] ?? [] where "\(test["tcId"] ?? "")" == "\(tcId)" {
                if let jws = test["jws"] as? String { return jws }
            }
        }
        throw VectorMissing(description: "Wycheproof JWK tcId \(tcId)")
    }

    /// One entry of the main fixture JWK Set, by kid.
    static func jwk(_ kid: String) throws -> [String: Any] {
        let set = try vectorObject("jwks/simbee.jwks.json")
        guard let found = (set["keys"] as? [[String: Any]])?.first(where: { $0["kid"] as? String == kid }) else {
            throw VectorMissing(description: "no JWK \(kid)")
        }
        return found
    }

    static func json(_ object: Any) throws -> [UInt8] {
        Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }

    static func keySet(_ keys: [[String: Any]]) throws -> JWKSet {
        try JWKSet(json: try json(["keys": keys]))
    }

    // Verifiers

    static func policy(clock: Double, issuer: String?, audience: String?) -> ClaimsPolicy {
        var policy = ClaimsPolicy(issuer: issuer, audiences: audience.map { [$0] } ?? [])
        policy.clock = TestSupport.pinnedClock(clock)
        return policy
    }

    /// A verifier configured like the manifest (issuer, audience, clock, 60 s leeway), then adjusted.
    static func verifier(
        keys: JWKSet? = nil,
        clock: Double? = nil,
        _ adjust: (inout JWTVerifier.Configuration) -> Void = { _ in }
    ) throws -> JWTVerifier {
        let manifest = try TestSupport.manifest()
        var configuration = JWTVerifier.Configuration(
            claims: policy(clock: clock ?? manifest.now, issuer: manifest.issuer, audience: manifest.audience)
        )
        adjust(&configuration)
        return try JWTVerifier(keys: try keys ?? TestSupport.fixtureKeySet(), configuration: configuration)
    }


    static func codeNamed(_ name: String) -> JWTError.Code? {
        let all: [JWTError.Code] = [
            .malformed, .tokenTooLarge, .unsupportedAlgorithm, .algorithmNotAllowed, .unknownKey, .keyMismatch,
            .invalidSignature,
            .unsupportedCriticalHeader, .expired, .notYetValid, .issuerMismatch, .audienceMismatch, .missingClaim,
            .invalidClaim,
        ]
        return all.first { $0.name == name }
    }

    // Claims

    /// Default claims as raw JSON members; `changes` replace (or, with nil, remove) or append members.
    static func payload(_ changes: [(String, String?)] = []) -> String {
        var members: [(String, String)] = [
            ("iss", #""https://api.simbee.io""#), ("sub", #""cu_fixture1""#), ("aud", #""cl_fixture""#),
            ("iat", "1795999940"), ("exp", "1796000840"), ("jti", #""forged""#),
        ]
        for (name, value) in changes {
            if let index = members.firstIndex(where: { $0.0 == name }) {
                if let value { members[index].1 = value } else { members.remove(at: index) }
            } else if let value {
                members.append((name, value))
            }
        }
        return "{" + members.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }

    /// Runs the claims policy (manifest configuration, then `adjust`) over a payload and header, as
    /// `verify` does once a signature holds. Returns the refusal code, or nil when accepted.
    static func claims(
        _ payload: String,
        header: String = defaultHeader,
        _ adjust: (inout ClaimsPolicy) -> Void = { _ in }
    ) throws -> JWTError.Code? {
        let manifest = try TestSupport.manifest()
        let object = Array(payload.utf8)
        let parsedHeader = try JOSEHeader(decoded: Array(header.utf8))
        var policy = policy(clock: manifest.now, issuer: manifest.issuer, audience: manifest.audience)
        adjust(&policy)
        do {
            _ = try ClaimsValidation.validate(payload: object, headerType: parsedHeader.type, policy: policy)
            return nil
        } catch {
            return error.code
        }
    }

    // Token surgery

    static func segments(_ token: String) -> [String] {
        token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    }

    static func signature(of token: String) throws -> [UInt8] {
        try Base64URL.decode(Array(segments(token)[2].utf8))
    }

    static func halves(_ signature: [UInt8]) -> ([UInt8], [UInt8]) {
        (Array(signature.prefix(32)), Array(signature.dropFirst(32).prefix(32)))
    }

    static func replacingSignature(of token: String, with signature: [UInt8]) -> String {
        let parts = segments(token)
        return parts[0] + "." + parts[1] + "." + Base64URL.encode(signature)
    }

    /// A token from header and payload text and signature bytes (no signing: for checks that come
    /// before the signature, or to show that the signature is where a token fails).
    static func forge(header: String, payload: String? = nil, signature: [UInt8] = filler) -> String {
        forge(headerBytes: Array(header.utf8), payload: payload, signature: signature)
    }

    static func forge(headerBytes: [UInt8], payload: String? = nil, signature: [UInt8] = filler) -> String {
        Base64URL.encode(headerBytes) + "." + Base64URL.encode(Array((payload ?? Kit.payload()).utf8)) + "."
            + Base64URL.encode(signature)
    }

    /// A token with `header`, the payload (default claims when nil) and the signature segment of `token`.
    static func forge(header: String, payload: String?, signatureOf token: String) -> String {
        Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array((payload ?? Kit.payload()).utf8)) + "."
            + segments(token)[2]
    }

    static func insert(_ text: String, into segment: String) -> String {
        let middle = segment.index(segment.startIndex, offsetBy: segment.count / 2)
        return String(segment[..<middle]) + text + String(segment[middle...])
    }

    static func lengthOneModFour(_ segment: String) -> String {
        var result = segment
        while result.count % 4 != 1 { result += "A" }
        return result
    }

    /// The same segment with one unused trailing bit set in its last character.
    static func withTrailingBitSet(_ segment: String) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        guard let last = segment.last, let value = alphabet.firstIndex(of: last) else { return segment }
        return String(segment.dropLast()) + String(alphabet[value | 1])
    }

    /// The segment in the standard alphabet, if it contains `-` or `_` at all.
    static func standardAlphabet(_ segment: String) -> String? {
        guard segment.contains("-") || segment.contains("_") else { return nil }
        return segment.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    }

    static func der(r: [UInt8], s: [UInt8]) -> [UInt8] {
        func integer(_ value: [UInt8]) -> [UInt8] {
            var body = Array(value.drop { $0 == 0 })
            if body.isEmpty { body = [0] }
            if body[0] & 0x80 != 0 { body.insert(0, at: 0) }
            return [0x02, UInt8(body.count)] + body
        }
        let body = integer(r) + integer(s)
        return [0x30, UInt8(body.count)] + body
    }

    // 256-bit arithmetic on byte arrays

    static func shiftRightOne(_ value: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: value.count)
        var carry: UInt8 = 0
        for index in 0..<value.count {
            result[index] = value[index] >> 1 | carry
            carry = value[index] << 7
        }
        return result
    }
}
