import Foundation
import Testing

@_spi(Testing) @testable import SimbeeJWT

// RFC 7520 ("Examples of Protecting Content Using JSON Object Signing and Encryption") in the
// machine-readable form of ietf-jose/cookbook (13692b68bfc18b99557a5b1ed311fd5077bfff04, Unlicense;
// copy and licence in `Fixtures/vectors/rfc7520-cookbook/`).
//
// Every JSON file of the copy is walked. Every token in it (each `compact` serialization and each
// general `json` and flattened `json_flat` JSON serialization) and every key (each `key` member and
// each file under `jwk/`) must have an entry in the tables below, and every entry must be found:
// a token or key added to, or lost from, the copy fails the inventory.
//
// Nothing in the cookbook is an ES256/EdDSA JWT this library accepts: RS256, PS256, ES512 (P-521)
// and HS256 are unsupported algorithms, 4.5's detached payload is an empty segment, 6's JWE has five
// segments, JSON serializations are not compact, and the Ed25519 example's payload is not a JSON
// claims set (its signature does verify). The private keys are refused at import; of their public
// halves only the Ed25519 one is usable.

/// A token found in the cookbook.
struct CookbookToken: Sendable, CustomTestStringConvertible {
    let file: String
    let path: String
    /// The compact serialization, or the JSON serialization's text.
    let token: String
    var testDescription: String { "\(file)\(path)" }
}

/// A key found in the cookbook, with its public half (private members removed), if any remains.
struct CookbookKey: Sendable, CustomTestStringConvertible {
    let file: String
    let path: String
    let jwk: [UInt8]
    let publicHalf: [UInt8]?
    var testDescription: String { "\(file)\(path.isEmpty ? "" : path)" }
}

/// What the verifier must do with a cookbook token.
enum CookbookOutcome: Sendable, Equatable {
    case refused(JWTError.Code)
    /// The signature verified, then the payload was refused for not being a JSON claims set.
    case payloadRefusedAfterSignature
}

/// What import must make of a cookbook key.
enum CookbookKeyOutcome: Sendable, Equatable {
    case usable
    case skipped(String)
}

@Suite("RFC 7520 cookbook: every token and every key is refused")
struct RFC7520CookbookTests {
    static let directory = "vectors/rfc7520-cookbook/"

    static let rs256 = "jws/4_1.rsa_v15_signature.json"
    static let es512 = "jws/4_3.ecdsa_signature.json"
    static let hs256 = "jws/4_4.hmac-sha2_integrity_protection.json"
    static let detached = "jws/4_5.signature_with_detached_content.json"
    static let nested = "6.nesting_signatures_and_encryption.json"
    static let ed25519 = "curve25519/jws.json"
    static let ecPublic = "jwk/3_1.ec_public_key.json"
    static let ecPrivate = "jwk/3_2.ec_private_key.json"

    /// Every token's expected outcome, by file and JSON path.
    static let tokenExpectations: [String: CookbookOutcome] = [
        rs256 + "/output/compact": .refused(.unsupportedAlgorithm),  // RS256
        rs256 + "/output/json": .refused(.malformed),  // general JSON serialization: not three segments
        rs256 + "/output/json_flat": .refused(.malformed),  // flattened JSON serialization
        es512 + "/output/compact": .refused(.unsupportedAlgorithm),  // ES512 (P-521)
        es512 + "/output/json": .refused(.malformed),
        es512 + "/output/json_flat": .refused(.malformed),
        hs256 + "/output/compact": .refused(.unsupportedAlgorithm),  // HS256: no HMAC path
        hs256 + "/output/json": .refused(.malformed),
        hs256 + "/output/json_flat": .refused(.malformed),
        detached + "/output/compact": .refused(.malformed),  // detached content: empty payload segment
        detached + "/output/json": .refused(.malformed),
        detached + "/output/json_flat": .refused(.malformed),
        nested + "/sign/output/compact": .refused(.unsupportedAlgorithm),  // the inner JWT: PS256
        nested + "/encrypt/output/compact": .refused(.malformed),  // the JWE: five segments
        nested + "/encrypt/output/json": .refused(.malformed),
        nested + "/encrypt/output/json_flat": .refused(.malformed),
        ed25519 + "/output/compact": .payloadRefusedAfterSignature,  // payload "Example of Ed25519 signing"
        ed25519 + "/output/json": .refused(.malformed),
        ed25519 + "/output/json_flat": .refused(.malformed),
    ]

    /// Every key's expected import outcome, and that of its public half (`nil`: none remains).
    static let keyExpectations: [String: (key: CookbookKeyOutcome, publicHalf: CookbookKeyOutcome?)] = [
        rs256 + "/input/key": (
            .skipped("carries private key member \"d\""), .skipped("key type \"RSA\" is not supported")
        ),
        es512 + "/input/key": (
            .skipped("carries private key member \"d\""), .skipped("curve \"P-521\" is not supported")
        ),
        hs256 + "/input/key": (.skipped("symmetric key (kty oct) cannot verify signatures"), nil),
        detached + "/input/key": (.skipped("symmetric key (kty oct) cannot verify signatures"), nil),
        nested + "/sign/input/key": (
            .skipped("carries private key member \"d\""), .skipped("key type \"RSA\" is not supported")
        ),
        // The JWE recipient key: use "enc" is checked before its alg RSA-OAEP and its type.
        nested + "/encrypt/input/key": (.skipped("carries private key member \"d\""), .skipped("use is not \"sig\"")),
        ed25519 + "/input/key": (.skipped("carries private key member \"d\""), .usable),
        ecPublic: (.skipped("curve \"P-521\" is not supported"), .skipped("curve \"P-521\" is not supported")),
        ecPrivate: (.skipped("carries private key member \"d\""), .skipped("curve \"P-521\" is not supported")),
    ]

    /// Members that only private or symmetric keys have (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2).
    static let privateMembers: Set<String> = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"]

    // MARK: Walking the copy

    /// Every `.json` file under the cookbook copy, relative to it, sorted.
    static func files() throws -> [String] {
        let root = TestSupport.fixtures.appendingPathComponent(directory)
        let enumerator = try #require(FileManager.default.enumerator(atPath: root.path))
        return enumerator.compactMap { $0 as? String }.filter { $0.hasSuffix(".json") }.sorted()
    }

    static func object(_ file: String) throws -> [String: Any] {
        try #require(try TestSupport.fixtureJSON(directory + file) as? [String: Any], "\(file) is not an object")
    }

    /// Every member named one of `names` anywhere inside `value`, with its JSON path.
    static func members(named names: Set<String>, in value: Any, path: String = "") -> [(path: String, value: Any)] {
        var found: [(String, Any)] = []
        if let object = value as? [String: Any] {
            for key in object.keys.sorted() {
                let child = object[key]!
                if names.contains(key) { found.append(("\(path)/\(key)", child)) }
                found += members(named: names, in: child, path: "\(path)/\(key)")
            }
        } else if let array = value as? [Any] {
            for (index, element) in array.enumerated() {
                found += members(named: names, in: element, path: "\(path)/\(index)")
            }
        }
        return found
    }

    static func json(_ value: Any) throws -> [UInt8] {
        Array(try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]))
    }

    /// Every token: `compact` strings, and `json`/`json_flat` objects as text.
    static func tokens() throws -> [CookbookToken] {
        var tokens: [CookbookToken] = []
        for file in try files() {
            for (path, value) in members(named: ["compact", "json", "json_flat"], in: try object(file)) {
                let text: String
                if let string = value as? String {
                    text = string
                } else {
                    text = String(decoding: try json(value), as: UTF8.self)
                }
                tokens.append(CookbookToken(file: file, path: path, token: text))
            }
        }
        return tokens
    }

    /// Every key: `key` members, and the files under `jwk/` as a whole.
    static func keys() throws -> [CookbookKey] {
        var keys: [CookbookKey] = []
        for file in try files() {
            let root = try object(file)
            let found = file.hasPrefix("jwk/") ? [("", root as Any)] : members(named: ["key"], in: root)
            for (path, value) in found {
                let jwk = try #require(value as? [String: Any], "\(file)\(path) is not an object")
                // A symmetric key has no public half.
                let publicHalf = jwk["kty"] as? String == "oct" ? nil : jwk.filter { !privateMembers.contains($0.key) }
                keys.append(
                    CookbookKey(
                        file: file,
                        path: path,
                        jwk: try json(jwk),
                        publicHalf: try publicHalf.map { try json($0) }
                    )
                )
            }
        }
        return keys
    }

    static var allTokens: [CookbookToken] { get throws { try tokens() } }
    static var allKeys: [CookbookKey] { get throws { try keys() } }

    // MARK: Verifier

    /// The Ed25519 example's public half (RFC 8037 A.2's key).
    static func ed25519PublicJWK() throws -> [String: Any] {
        let key = try #require(try object(ed25519)["input"] as? [String: Any])
        let jwk = try #require(key["key"] as? [String: Any])
        return jwk.filter { !privateMembers.contains($0.key) }
    }

    /// Usable keys under the cookbook's own kids, so no token is refused merely for an unknown kid:
    /// RFC 7515 A.3's P-256 key as "bilbo.baggins@hobbiton.example" (the RS256/ES512 kid), the
    /// cookbook's Ed25519 public key as "018c0ae5-…" (the HS256 kid). The verifier does not require a
    /// kid, so the Ed25519 example (which has none) reaches the one Ed25519 key.
    static func verifier(requiresKeyID: Bool = false) throws -> JWTVerifier {
        var p256 = try RFC7515AppendixATests.A3().jwk
        p256["kid"] = "bilbo.baggins@hobbiton.example"
        var okp = try ed25519PublicJWK()
        okp["kid"] = "018c0ae5-4d9b-471b-bfd6-eef314bc7037"
        let keys = try JWKSet(json: try json(["keys": [p256, okp]]))
        #expect(keys.count == 2)
        return try JWTVerifier(keys: keys, configuration: .init(requiresKeyID: requiresKeyID))
    }

    // MARK: Tests

    @Test("the copy holds exactly the expected tokens and keys")
    func inventory() throws {
        #expect(
            try Self.files() == [
                Self.nested, Self.ed25519, Self.ecPublic, Self.ecPrivate, Self.rs256, Self.es512, Self.hs256,
                Self.detached,
            ]
        )
        let tokens = try Self.tokens()
        #expect(tokens.map(\.testDescription).sorted() == Self.tokenExpectations.keys.sorted())
        #expect(tokens.count == 19)
        let keys = try Self.keys()
        #expect(keys.map(\.testDescription).sorted() == Self.keyExpectations.keys.sorted())
        #expect(keys.count == 9)
        #expect(try Self.allTokens.count == tokens.count && Self.allKeys.count == keys.count)
    }

    @Test("the JSON serializations carry the same content as the compact ones")
    func serializationsAgree() throws {
        for file in [Self.rs256, Self.es512, Self.hs256, Self.detached, Self.ed25519] {
            let output = try #require(try Self.object(file)["output"] as? [String: Any])
            let compact = try #require(output["compact"] as? String)
            let flat = try #require(output["json_flat"] as? [String: Any])
            let general = try #require((output["json"] as? [String: Any]))
            let signature = try #require((general["signatures"] as? [[String: Any]])?.first)
            // 4.5's detached content has no payload member: its compact form has an empty segment.
            let payload = flat["payload"] as? String ?? ""
            #expect(general["payload"] as? String == flat["payload"] as? String, "\(file)")
            #expect(signature["protected"] as? String == flat["protected"] as? String, "\(file)")
            #expect(signature["signature"] as? String == flat["signature"] as? String, "\(file)")
            #expect(compact == "\(flat["protected"] as? String ?? "").\(payload).\(flat["signature"] as? String ?? "")")
        }
        let encrypt = try #require(try Self.object(Self.nested)["encrypt"] as? [String: Any])
        let output = try #require(encrypt["output"] as? [String: Any])
        let flat = try #require(output["json_flat"] as? [String: Any])
        let parts = ["protected", "encrypted_key", "iv", "ciphertext", "tag"].map { flat[$0] as? String ?? "?" }
        #expect(output["compact"] as? String == parts.joined(separator: "."))
        // The JWE's plaintext is the inner signed JWT.
        let sign = try #require(try Self.object(Self.nested)["sign"] as? [String: Any])
        let inner = try #require((sign["output"] as? [String: Any])?["compact"] as? String)
        #expect((encrypt["input"] as? [String: Any])?["plaintext"] as? String == inner)
    }

    @Test("each token is refused with its expected code", arguments: try RFC7520CookbookTests.allTokens)
    func tokenRefused(_ token: CookbookToken) async throws {
        let expected = try #require(Self.tokenExpectations[token.testDescription])
        let error = await TestSupport.refusal(token.token, try Self.verifier())
        switch expected {
        case .refused(let code):
            #expect(error?.code == code, "\(token.testDescription): \(error?.description ?? "valid")")
        case .payloadRefusedAfterSignature:
            #expect(
                error?.code == .malformed && error?.message.hasPrefix("payload is not") == true,
                "\(token.testDescription): \(error?.description ?? "valid")"
            )
        }
        // The unverified peek agrees on everything it reads: JSON serializations and the JWE are
        // malformed there too, and the others have a readable header.
        let peek = Swift.Result { () throws(JWTError) in try UnverifiedHeader(peekingAt: token.token) }
        if case .refused(.malformed) = expected {
            #expect(throws: JWTError.self) { try peek.get() }
        } else {
            #expect(throws: Never.self) { try peek.get() }
        }
    }

    @Test("the Ed25519 example: its signature verifies, a verifier that requires kid refuses it as unknown_key")
    func ed25519Example() async throws {
        let compact = try #require(Self.allTokens.first { $0.testDescription == Self.ed25519 + "/output/compact" })
            .token
        let parts = compact.split(separator: ".").map(String.init)
        let key = try JWTVerificationKey(jwk: try Self.json(try Self.ed25519PublicJWK()))
        let signature = try Base64URL.decode(parts[2].utf8)
        let input = Array("\(parts[0]).\(parts[1])".utf8)
        #expect(throws: Never.self) {
            try key.verify(signature: signature.span, over: input.span)
        }
        await TestSupport.expect(compact, try Self.verifier(requiresKeyID: true), .unknownKey, "no kid")
        // With one bit of the signature changed, the same token is refused at the signature instead.
        var broken = signature
        broken[0] ^= 1
        await TestSupport.expect(
            "\(parts[0]).\(parts[1]).\(Base64URL.encode(broken))",
            try Self.verifier(),
            .invalidSignature,
            "broken signature"
        )
    }

    @Test(
        "each key, and its public half, is refused or skipped at import for the expected reason",
        arguments: try RFC7520CookbookTests.allKeys
    )
    func keyImport(_ key: CookbookKey) throws {
        let expected = try #require(Self.keyExpectations[key.testDescription])
        try Self.checkImport(key.jwk, expected.key, "\(key.testDescription)")
        #expect((key.publicHalf == nil) == (expected.publicHalf == nil), "\(key.testDescription): public half")
        if let publicHalf = key.publicHalf, let outcome = expected.publicHalf {
            try Self.checkImport(publicHalf, outcome, "\(key.testDescription) (public half)")
        }
    }

    /// Imports `jwk` alone, in a set alone, and in a set beside a usable key.
    static func checkImport(_ jwk: [UInt8], _ expected: CookbookKeyOutcome, _ context: String) throws {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(jwk)) as? [String: Any])
        var standIn = try RFC7515AppendixATests.A3().jwk
        standIn["kid"] = "stand-in"
        let beside = try JWKSet(json: try json(["keys": [object, standIn]]))
        switch expected {
        case .usable:
            #expect(throws: Never.self, "\(context)") { try JWTVerificationKey(jwk: jwk) }
            #expect(beside.skippedKeys.isEmpty, "\(context)")
        case .skipped(let reason):
            let single = #expect(throws: JWTError.self, "\(context)") { try JWTVerificationKey(jwk: jwk) }
            #expect(single?.code == .invalidKeySet && single?.message == "JWK is unusable: \(reason)", "\(context)")
            let alone = #expect(throws: JWTError.self, "\(context)") { try JWKSet(json: try json(["keys": [object]])) }
            #expect(alone?.code == .invalidKeySet, "\(context)")
            #expect(beside.keyIDs == ["stand-in"], "\(context)")
            #expect(beside.skippedKeys.map(\.reason) == [reason], "\(context)")
            #expect(beside.skippedKeys.first?.index == 0, "\(context)")
            #expect(beside.skippedKeys.first?.keyID == object["kid"] as? String, "\(context)")
        }
    }
}
