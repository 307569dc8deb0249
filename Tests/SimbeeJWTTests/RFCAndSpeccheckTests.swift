import Foundation
import Testing

@_spi(Testing) @testable import SimbeeJWT

// ed25519-speccheck, RFC 7515 A.1/A.3/A.5, RFC 8037 A.4/A.5 and RFC 7797 §4, through the library's
// own key import (`JWTVerificationKey(jwk:)`, `JWKSet`), its signature layer
// (`JWTVerificationKey.verify(signature:over:)`) and its front door (`JWTVerifier`). The RFC 7520
// cookbook has its own file, `RFC7520CookbookTests.swift`.

// MARK: - Helpers

private enum Vectors {
    /// A fixture JSON object.
    static func object(_ path: String) throws -> [String: Any] {
        try #require(try TestSupport.fixtureJSON(path) as? [String: Any], "\(path) is not a JSON object")
    }

    /// The member at `path` (object keys) inside `root`.
    static func value(_ root: [String: Any], _ path: String...) throws -> Any {
        var current: Any = root
        for key in path {
            let object = try #require(current as? [String: Any], "\(path): \(key) is not inside an object")
            current = try #require(object[key], "\(path): no member \(key)")
        }
        return current
    }

    static func string(_ root: [String: Any], _ path: String...) throws -> String {
        var current: Any = root
        for key in path {
            let object = try #require(current as? [String: Any], "\(path): \(key) is not inside an object")
            current = try #require(object[key], "\(path): no member \(key)")
        }
        return try #require(current as? String, "\(path) is not a string")
    }

    static func json(_ object: Any) throws -> [UInt8] {
        Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }

    /// A JWK object with `kid` added.
    static func withKeyID(_ jwk: Any, _ kid: String) throws -> [String: Any] {
        var jwk = try #require(jwk as? [String: Any])
        jwk["kid"] = kid
        return jwk
    }

    /// A JWK Set document holding `jwks`.
    static func keySet(_ jwks: [[String: Any]]) throws -> JWKSet {
        try JWKSet(json: try json(["keys": jwks]))
    }

    static func base64URL(_ text: String) throws -> [UInt8] {
        try Base64URL.decode(text.utf8)
    }

    /// Imports `jwk` and verifies `signature` over `message` at the signature layer.
    static func verify(jwk: [UInt8], signature: [UInt8], message: [UInt8]) throws(JWTError) {
        let key = try JWTVerificationKey(jwk: jwk)
        try verify(key, signature: signature, message: message)
    }

    static func verify(_ key: JWTVerificationKey, signature: [UInt8], message: [UInt8]) throws(JWTError) {
        try key.verify(signature: signature.span, over: message.span)
    }

    /// A verifier over `keys` that accepts tokens without `kid`, with the given clock (or the real one).
    static func verifier(
        _ keys: JWKSet,
        requiresKeyID: Bool = false,
        clock: Double? = nil,
        leeway: Duration = .seconds(60)
    ) throws -> JWTVerifier {
        var claims = ClaimsPolicy(leeway: leeway)
        if let clock { claims.clock = TestSupport.pinnedClock(clock) }
        return try JWTVerifier(keys: keys, configuration: .init(requiresKeyID: requiresKeyID, claims: claims))
    }

    /// Flips bit `bit` of byte `index`.
    static func flipping(_ bytes: [UInt8], byte index: Int, bit: Int) -> [UInt8] {
        var copy = bytes
        copy[index] ^= 1 << UInt8(bit)
        return copy
    }

    /// `value >> 1` for a big-endian integer.
    static func halved(_ value: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: value.count)
        var carry: UInt8 = 0
        for index in value.indices {
            result[index] = value[index] >> 1 | carry << 7
            carry = value[index] & 1
        }
        return result
    }

    /// `a - b` for big-endian integers of equal length with `a ≥ b`.
    static func subtracting(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: a.count)
        var borrow = 0
        for index in a.indices.reversed() {
            var difference = Int(a[index]) - Int(b[index]) - borrow
            borrow = difference < 0 ? 1 : 0
            if difference < 0 { difference += 256 }
            result[index] = UInt8(difference)
        }
        return result
    }

    /// Big-endian `a > b` for equal lengths.
    static func greater(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a != b && !a.lexicographicallyPrecedes(b)
    }

    /// Every string member named `name` anywhere inside `value`, with its path.
    static func strings(named name: String, in value: Any, path: String = "") -> [(path: String, value: String)] {
        var found: [(String, String)] = []
        if let object = value as? [String: Any] {
            for key in object.keys.sorted() {
                let child = object[key]!
                if key == name, let string = child as? String { found.append(("\(path)/\(key)", string)) }
                found += strings(named: name, in: child, path: "\(path)/\(key)")
            }
        } else if let array = value as? [Any] {
            for (index, element) in array.enumerated() {
                found += strings(named: name, in: element, path: "\(path)/\(index)")
            }
        }
        return found
    }
}

// MARK: - ed25519-speccheck

/// Where a speccheck case ends up.
private enum SpeccheckStage: String, Sendable {
    case refusedAtImport = "refused at JWK import"
    case refusedAtVerify = "refused at verify"
    case verifies
}

private struct SpeccheckCase: Sendable, CustomTestStringConvertible {
    let index: Int
    let message: [UInt8]
    let publicKey: [UInt8]
    let signature: [UInt8]
    /// The "recommended overall" row of Fixtures/vectors/README.md, with where the refusal happens
    /// taken from its "reference JWK import" row.
    let expected: SpeccheckStage
    /// The "OpenSSL 3 verify alone" row: true for V.
    let openSSLAloneVerifies: Bool

    var testDescription: String { "case \(index): \(expected.rawValue)" }

    /// The JWK built from the hex key, as the brief and README prescribe.
    var jwk: [UInt8] {
        (try? Vectors.json(["kty": "OKP", "crv": "Ed25519", "x": Base64URL.encode(publicKey)])) ?? []
    }

    static let expectedStages: [SpeccheckStage] = [
        .refusedAtImport, .refusedAtImport, .verifies, .verifies,
        .refusedAtVerify, .refusedAtVerify, .refusedAtVerify, .refusedAtVerify, .refusedAtVerify, .refusedAtVerify,
        .refusedAtImport, .refusedAtImport,
    ]
    static let openSSLAlone: [Bool] = [true, true, true, true, false, false, false, false, false, false, false, true]

    static func load() throws -> [SpeccheckCase] {
        let entries = try #require(
            try TestSupport.fixtureJSON("vectors/ed25519-speccheck/cases.json") as? [[String: String]]
        )
        return try entries.enumerated().map { index, entry in
            try #require(index < expectedStages.count, "more cases than the README table")
            return SpeccheckCase(
                index: index,
                message: TestSupport.bytes(hex: try #require(entry["message"])),
                publicKey: TestSupport.bytes(hex: try #require(entry["pub_key"])),
                signature: TestSupport.bytes(hex: try #require(entry["signature"])),
                expected: expectedStages[index],
                openSSLAloneVerifies: openSSLAlone[index]
            )
        }
    }

    static var all: [SpeccheckCase] { get throws { try load() } }

    /// Runs the case through JWK import and the signature layer.
    func run() -> (stage: SpeccheckStage, error: JWTError?) {
        let key: JWTVerificationKey
        do {
            key = try JWTVerificationKey(jwk: jwk)
        } catch {
            return (.refusedAtImport, error)
        }
        do {
            try Vectors.verify(key, signature: signature, message: message)
            return (.verifies, nil)
        } catch {
            return (.refusedAtVerify, error)
        }
    }
}

@Suite("ed25519-speccheck edge cases get the README's recommended verdicts")
struct Ed25519SpeccheckTests {
    @Test("the file holds the 12 documented cases")
    func inventory() throws {
        let cases = try SpeccheckCase.load()
        #expect(cases.count == 12)
        #expect(cases.allSatisfy { $0.publicKey.count == 32 && $0.signature.count == 64 && $0.message.count == 32 })
    }

    @Test("each case is refused or accepted at the stage the README table gives", arguments: try SpeccheckCase.all)
    fileprivate func recommendedVerdict(_ speccheck: SpeccheckCase) {
        let (stage, error) = speccheck.run()
        #expect(
            stage == speccheck.expected,
            "case \(speccheck.index): \(stage.rawValue) \(error.map { "\($0)" } ?? "")"
        )
        switch stage {
        case .refusedAtImport: #expect(error?.code == .invalidKeySet, "case \(speccheck.index)")
        case .refusedAtVerify: #expect(error?.code == .invalidSignature, "case \(speccheck.index)")
        case .verifies: break
        }
    }

    @Test("only cases 2 and 3 verify")
    func onlyTwoAndThreeVerify() throws {
        let verified = try SpeccheckCase.load().filter { $0.run().stage == .verifies }.map(\.index)
        #expect(verified == [2, 3])
    }

    @Test("cases 0, 1, 10 and 11 are refused at key import, for the reasons the README names")
    func importRefusals() throws {
        let cases = try SpeccheckCase.load()
        for index in [0, 1, 10, 11] {
            let speccheck = cases[index]
            let error = #expect(throws: JWTError.self, "case \(index)") { try JWTVerificationKey(jwk: speccheck.jwk) }
            #expect(error?.code == .invalidKeySet, "case \(index)")
            // The same key in a JWK Set is skipped, leaving the set with no usable key.
            let setError = #expect(throws: JWTError.self, "case \(index)") {
                try Vectors.keySet([
                    ["kty": "OKP", "crv": "Ed25519", "kid": "k", "x": Base64URL.encode(speccheck.publicKey)]
                ])
            }
            #expect(setError?.code == .invalidKeySet, "case \(index)")
        }
        // 0 and 1: A is a small-order point ("reject (small order)").
        #expect(throws: Ed25519PointCheck.Failure.smallOrder) { try Ed25519PointCheck.check(cases[0].publicKey) }
        #expect(throws: Ed25519PointCheck.Failure.smallOrder) { try Ed25519PointCheck.check(cases[1].publicKey) }
        // 10 and 11: A is ec ff … ff, y = p − 1 with the sign bit set but x = 0: it names no point
        // ("reject (undecodable)").
        #expect(throws: Ed25519PointCheck.Failure.notOnCurve) { try Ed25519PointCheck.check(cases[10].publicKey) }
        #expect(throws: Ed25519PointCheck.Failure.notOnCurve) { try Ed25519PointCheck.check(cases[11].publicKey) }
        // Every other key is accepted by the screen ("ok").
        for speccheck in cases where ![0, 1, 10, 11].contains(speccheck.index) {
            #expect(throws: Never.self, "case \(speccheck.index)") { try Ed25519PointCheck.check(speccheck.publicKey) }
        }
    }

    @Test("cases 6 and 7 (S ≥ L) are refused by the explicit scalar check before OpenSSL")
    func scalarOutOfRange() throws {
        let cases = try SpeccheckCase.load()
        for index in [6, 7] {
            let scalar = Array(cases[index].signature[32...])
            let isReduced = Ed25519Signature.isReduced(scalar.span)
            #expect(!isReduced, "case \(index)")
        }
        for speccheck in cases where ![6, 7].contains(speccheck.index) {
            let scalar = Array(speccheck.signature[32...])
            let isReduced = Ed25519Signature.isReduced(scalar.span)
            #expect(isReduced, "case \(speccheck.index)")
        }
    }

    @Test("OpenSSL's primitive alone matches the README's row, so the import screen is what refuses 0, 1 and 11")
    func openSSLAloneRow() throws {
        for speccheck in try SpeccheckCase.load() {
            let verifies: Bool
            do {
                let key = try OpenSSLPublicKey.ed25519(speccheck.publicKey)
                try Ed25519Signature.verify(speccheck.signature.span, over: speccheck.message.span, with: key)
                verifies = true
            } catch {
                verifies = false
            }
            #expect(verifies == speccheck.openSSLAloneVerifies, "case \(speccheck.index)")
        }
    }
}

// MARK: - RFC 7515 Appendix A

@Suite("RFC 7515 Appendix A examples")
struct RFC7515AppendixATests {
    static let path = "vectors/rfc/rfc7515_appendix_a.json"

    /// The A.3 public JWK, its signing input, signature and compact token.
    struct A3 {
        let jwk: [String: Any]
        let signingInput: [UInt8]
        let signature: [UInt8]
        let compact: String
        let expiration: Double

        init() throws {
            let file = try Vectors.object(RFC7515AppendixATests.path)
            jwk = try #require(try Vectors.value(file, "a3_es256", "jwk_public") as? [String: Any])
            signingInput = Array(try Vectors.string(file, "a3_es256", "signing_input").utf8)
            signature = try Vectors.base64URL(try Vectors.string(file, "a3_es256", "signature_b64u"))
            compact = try Vectors.string(file, "a3_es256", "compact")
            // exp read from the payload inside the token, not from the notes.
            let payloadSegment = try #require(compact.split(separator: ".").dropFirst().first)
            let payload = try #require(
                try JSONSerialization.jsonObject(with: Data(try Vectors.base64URL(String(payloadSegment))))
                    as? [String: Any]
            )
            expiration = try #require((payload["exp"] as? NSNumber)?.doubleValue)
        }

        func keySet() throws -> JWKSet {
            try Vectors.keySet([try Vectors.withKeyID(jwk, "rfc7515-a3")])
        }
    }

    @Test("A.3 verifies at the signature layer with its public JWK")
    func a3SignatureLayer() throws {
        let a3 = try A3()
        let file = try Vectors.object(Self.path)
        #expect(try Vectors.string(file, "a3_es256", "expected_signature_check") == "valid")
        // The compact token is exactly signing input '.' signature, and the signature is r ‖ s.
        #expect(a3.compact == String(decoding: a3.signingInput, as: UTF8.self) + "." + Base64URL.encode(a3.signature))
        let r = TestSupport.bytes(hex: try Vectors.string(file, "a3_es256", "signature_r_hex"))
        let s = TestSupport.bytes(hex: try Vectors.string(file, "a3_es256", "signature_s_hex"))
        #expect(a3.signature == r + s)
        #expect(throws: Never.self) {
            try Vectors.verify(jwk: try Vectors.json(a3.jwk), signature: a3.signature, message: a3.signingInput)
        }
    }

    @Test("A.3's s is high (s > n/2) and is accepted; its low-S twin (r, n − s) verifies too")
    func a3HighS() throws {
        let a3 = try A3()
        let n = ES256Signature.groupOrder
        let s = Array(a3.signature[32..<64])
        #expect(Vectors.greater(s, Vectors.halved(n)), "RFC 7515 A.3 has a high s")
        let twin = Array(a3.signature[0..<32]) + Vectors.subtracting(n, s)
        #expect(!Vectors.greater(Array(twin[32...]), Vectors.halved(n)))
        let key = try JWTVerificationKey(jwk: try Vectors.json(a3.jwk))
        #expect(throws: Never.self) { try Vectors.verify(key, signature: a3.signature, message: a3.signingInput) }
        #expect(throws: Never.self) { try Vectors.verify(key, signature: twin, message: a3.signingInput) }
    }

    @Test("A.3 fails after any one-bit change to its signature or signing input", arguments: [0, 17, 31, 32, 50, 63])
    func a3OneBitChange(byte: Int) throws {
        let a3 = try A3()
        let key = try JWTVerificationKey(jwk: try Vectors.json(a3.jwk))
        let badSignature = Vectors.flipping(a3.signature, byte: byte, bit: byte % 8)
        let error = #expect(throws: JWTError.self) {
            try Vectors.verify(key, signature: badSignature, message: a3.signingInput)
        }
        #expect(error?.code == .invalidSignature)
        let badInput = Vectors.flipping(a3.signingInput, byte: byte % a3.signingInput.count, bit: 1)
        #expect(throws: JWTError.self) { try Vectors.verify(key, signature: a3.signature, message: badInput) }
    }

    @Test("A.3 as a JWT with the real clock is refused as expired")
    func a3ExpiredNow() async throws {
        let a3 = try A3()
        #expect(a3.expiration == 1_300_819_380)
        let verifier = try Vectors.verifier(try a3.keySet())
        #expect(await TestSupport.outcome(verifier, a3.compact) == "expired")
    }

    @Test("A.3 as a JWT is accepted with the clock pinned before exp, and leeway is honoured at the boundary")
    func a3PinnedClock() async throws {
        let a3 = try A3()
        let keys = try a3.keySet()
        let exp = a3.expiration

        let before = try Vectors.verifier(keys, clock: exp - 3600)
        let token = try await before.verify(a3.compact)
        #expect(token.header.algorithm == .es256)
        #expect(token.header.keyID == nil)
        #expect(token.claims.issuer == "joe")
        #expect(token.claims.expiration == Date(timeIntervalSince1970: exp))

        // Default leeway 60 s: still valid 59 s after exp, expired at exp + 60.
        #expect(await TestSupport.outcome(try Vectors.verifier(keys, clock: exp + 59), a3.compact) == "valid")
        #expect(await TestSupport.outcome(try Vectors.verifier(keys, clock: exp + 60), a3.compact) == "expired")
        // No leeway: valid one second before exp, expired at exp (the current time must be before exp).
        #expect(
            await TestSupport.outcome(try Vectors.verifier(keys, clock: exp - 1, leeway: .zero), a3.compact) == "valid"
        )
        #expect(
            await TestSupport.outcome(try Vectors.verifier(keys, clock: exp, leeway: .zero), a3.compact) == "expired"
        )
    }

    @Test("A.3 has no kid: a verifier that requires one refuses it as unknown_key")
    func a3RequiresKeyID() async throws {
        let a3 = try A3()
        let verifier = try Vectors.verifier(try a3.keySet(), requiresKeyID: true, clock: a3.expiration - 3600)
        #expect(await TestSupport.outcome(verifier, a3.compact) == "unknown_key")
    }

    @Test("A.1 (HS256) is refused as unsupported_algorithm")
    func a1HS256() async throws {
        let file = try Vectors.object(Self.path)
        let compact = try Vectors.string(file, "a1_hs256", "compact")
        let a3 = try A3()
        let verifier = try Vectors.verifier(try a3.keySet(), clock: a3.expiration - 3600)
        #expect(await TestSupport.outcome(verifier, compact) == "unsupported_algorithm")
        // The A.1 oct key itself is never importable.
        let error = #expect(throws: JWTError.self) {
            try JWTVerificationKey(jwk: try Vectors.json(try Vectors.value(file, "a1_hs256", "jwk")))
        }
        #expect(error?.code == .invalidKeySet)
    }

    @Test(
        "A.5 (alg none) is refused: its empty signature segment is malformed; with any signature it is unsupported_algorithm"
    )
    func a5None() async throws {
        let file = try Vectors.object(Self.path)
        let compact = try Vectors.string(file, "a5_unsecured_none", "compact")
        #expect(compact.hasSuffix("."), "A.5 ends with an empty signature segment")
        let a3 = try A3()
        let verifier = try Vectors.verifier(try a3.keySet(), clock: a3.expiration - 3600)
        // The library checks for three non-empty segments before reading the header (documented
        // order in JWTVerifier; the fixture case "empty-signature" expects malformed too).
        #expect(await TestSupport.outcome(verifier, compact) == "malformed")
        // The same header and payload with a non-empty signature reach the algorithm check.
        let withSignature = compact + Base64URL.encode(a3.signature)
        #expect(await TestSupport.outcome(verifier, withSignature) == "unsupported_algorithm")
        let peeked = try UnverifiedHeader(peekingAt: withSignature)
        #expect(peeked.algorithm == "none")
    }
}

// MARK: - RFC 8037 Appendix A.4 / A.5

@Suite("RFC 8037 Appendix A Ed25519 example")
struct RFC8037AppendixATests {
    static let path = "vectors/rfc/rfc8037_appendix_a_ed25519.json"

    struct Example {
        let publicJWK: [String: Any]
        let publicKeyHex: String
        let signingInput: [UInt8]
        let signature: [UInt8]
        let compact: String

        init() throws {
            let file = try Vectors.object(RFC8037AppendixATests.path)
            publicJWK = try #require(try Vectors.value(file, "a2_public_jwk") as? [String: Any])
            publicKeyHex = try Vectors.string(file, "a2_public_key_hex")
            signingInput = Array(try Vectors.string(file, "a4_signing", "signing_input").utf8)
            signature = try Vectors.base64URL(try Vectors.string(file, "a4_signing", "signature_b64u"))
            compact = try Vectors.string(file, "a4_signing", "compact")
            #expect(signature == TestSupport.bytes(hex: try Vectors.string(file, "a4_signing", "signature_hex")))
            #expect(try Vectors.string(file, "a5_validation", "expected_signature_check") == "valid")
        }
    }

    @Test("A.4 verifies at the signature layer (A.5) with the A.2 public JWK and with a JWK built from the hex key")
    func signatureLayer() throws {
        let example = try Example()
        #expect(
            example.compact == String(decoding: example.signingInput, as: UTF8.self) + "."
                + Base64URL.encode(example.signature)
        )
        #expect(throws: Never.self) {
            try Vectors.verify(
                jwk: try Vectors.json(example.publicJWK),
                signature: example.signature,
                message: example.signingInput
            )
        }
        let fromHex = [
            "kty": "OKP", "crv": "Ed25519", "x": Base64URL.encode(TestSupport.bytes(hex: example.publicKeyHex)),
        ]
        #expect(fromHex["x"] == example.publicJWK["x"] as? String)
        #expect(throws: Never.self) {
            try Vectors.verify(
                jwk: try Vectors.json(fromHex),
                signature: example.signature,
                message: example.signingInput
            )
        }
    }

    @Test("a one-bit change to the signature, the signing input or the key fails", arguments: [0, 5, 31, 32, 40, 62])
    func oneBitChange(byte: Int) throws {
        let example = try Example()
        let key = try JWTVerificationKey(jwk: try Vectors.json(example.publicJWK))
        let badSignature = Vectors.flipping(example.signature, byte: byte, bit: byte % 7)
        let error = #expect(throws: JWTError.self) {
            try Vectors.verify(key, signature: badSignature, message: example.signingInput)
        }
        #expect(error?.code == .invalidSignature)
        let badInput = Vectors.flipping(example.signingInput, byte: byte % example.signingInput.count, bit: 0)
        #expect(throws: JWTError.self) { try Vectors.verify(key, signature: example.signature, message: badInput) }

        // A changed key either fails the import screen or fails to verify; it never verifies.
        let keyBytes = TestSupport.bytes(hex: example.publicKeyHex)
        let badKey = Vectors.flipping(keyBytes, byte: byte % 32, bit: byte % 7)
        let badJWK = try Vectors.json(["kty": "OKP", "crv": "Ed25519", "x": Base64URL.encode(badKey)])
        #expect(throws: JWTError.self) {
            try Vectors.verify(jwk: badJWK, signature: example.signature, message: example.signingInput)
        }
    }

    @Test("as a JWT it is refused as malformed: the signature holds but the payload is not JSON")
    func jwtLayer() async throws {
        let example = try Example()
        let keys = try Vectors.keySet([try Vectors.withKeyID(example.publicJWK, "rfc8037")])
        let verifier = try Vectors.verifier(keys)
        #expect(await TestSupport.outcome(verifier, example.compact) == "malformed")

        // The refusal comes after the signature check: the same token with a broken signature is
        // refused as invalid_signature instead.
        let broken =
            String(decoding: example.signingInput, as: UTF8.self) + "."
            + Base64URL.encode(Vectors.flipping(example.signature, byte: 0, bit: 0))
        #expect(await TestSupport.outcome(verifier, broken) == "invalid_signature")
    }

    @Test("the JOSE cookbook's Ed25519 example is the same token; its private JWK is refused at import")
    func cookbookCopy() throws {
        let example = try Example()
        let cookbook = try Vectors.object("vectors/rfc7520-cookbook/curve25519/jws.json")
        #expect(try Vectors.string(cookbook, "output", "compact") == example.compact)
        let privateJWK = try Vectors.value(cookbook, "input", "key")
        let error = #expect(throws: JWTError.self) { try JWTVerificationKey(jwk: try Vectors.json(privateJWK)) }
        #expect(error?.code == .invalidKeySet)
    }
}

// MARK: - RFC 7797

@Suite("RFC 7797 unencoded payload example")
struct RFC7797UnencodedPayloadTests {
    static let path = "vectors/rfc/rfc7797_unencoded_payload.json"

    /// A key set whose only key is never reached: every token here is refused at the header.
    static func verifier() throws -> JWTVerifier {
        let file = try Vectors.object(RFC8037AppendixATests.path)
        let keys = try Vectors.keySet([try Vectors.withKeyID(try Vectors.value(file, "a2_public_jwk"), "rfc7797")])
        return try Vectors.verifier(keys)
    }

    @Test("the b64:false header (crit [\"b64\"]) is refused as unsupported_critical_header")
    func b64FalseAttached() async throws {
        let file = try Vectors.object(Self.path)
        let header = try Vectors.string(file, "section_4_2_b64_false", "protected_header_b64u")
        let signature = try Vectors.string(file, "section_4_2_b64_false", "signature_b64u")
        let payload = try Vectors.string(file, "payload_utf8")
        #expect(
            String(decoding: try Vectors.base64URL(header), as: UTF8.self)
                == (try Vectors.string(file, "section_4_2_b64_false", "protected_header_json"))
        )
        // The example as a three-segment token (payload segment base64url-encoded): it reaches the
        // header check, which refuses b64/crit before the algorithm or any key is looked at.
        let attached = header + "." + Base64URL.encode(Array(payload.utf8)) + "." + signature
        #expect(await TestSupport.outcome(try Self.verifier(), attached) == "unsupported_critical_header")
        #expect(throws: JWTError.self) { try UnverifiedHeader(peekingAt: attached) }
    }

    @Test("the §4.2 detached form (empty payload segment) and its literal unencoded form are malformed")
    func b64FalseDetachedAndLiteral() async throws {
        let file = try Vectors.object(Self.path)
        let detached = try Vectors.string(file, "section_4_2_b64_false", "compact_detached")
        #expect(detached.contains(".."))
        let verifier = try Self.verifier()
        #expect(await TestSupport.outcome(verifier, detached) == "malformed")
        // header.$.02.signature: the literal unencoded payload holds a '.', giving four segments.
        let literal =
            try Vectors.string(file, "section_4_2_b64_false", "signing_input_bytes_utf8") + "."
            + (try Vectors.string(file, "section_4_2_b64_false", "signature_b64u"))
        #expect(await TestSupport.outcome(verifier, literal) == "malformed")
    }

    @Test("the §4.1 b64:true example (HS256) is refused as unsupported_algorithm")
    func b64TrueHS256() async throws {
        let file = try Vectors.object(Self.path)
        let compact = try Vectors.string(file, "section_4_1_b64_true", "compact")
        #expect(await TestSupport.outcome(try Self.verifier(), compact) == "unsupported_algorithm")
    }
}
