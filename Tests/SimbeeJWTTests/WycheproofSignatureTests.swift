import Foundation
import Testing
@_spi(Testing) @testable import SimbeeJWT

// Wycheproof ECDSA P-256/SHA-256 (P1363 and DER) and Ed25519 signature vectors, run through the
// library's own path: `JWTVerificationKey(jwk:)` for the group's key, then
// `JWTVerificationKey.verify(signature:over:)` with the test's `sig` and `msg`, exactly as
// `JWTVerifier` calls it for a token.
//
// Verdicts: `valid` must verify, `invalid` must be refused. Wycheproof's third verdict,
// `acceptable` ("either outcome is compliant"), does not occur in these snapshots; if a future
// snapshot adds one, either outcome is allowed for it and it is counted separately, which the
// exact valid/invalid tallies below would then flag for review.

// MARK: - Vector files

/// The subset of a Wycheproof `*_verify_schema_v1` file these tests read.
private struct WycheproofFile: Decodable {
    struct Group: Decodable {
        struct PublicKey: Decodable {
            let curve: String
            /// ECDSA: `04 || x || y`, hex.
            let uncompressed: String?
            /// Ed25519: the 32-byte encoding, hex.
            let pk: String?
        }

        let type: String
        let publicKey: PublicKey
        let publicKeyJwk: [String: String]?
        let tests: [TestCase]
    }

    struct TestCase: Decodable {
        let tcId: Int
        let comment: String
        let flags: [String]
        let msg: String
        let sig: String
        let result: String
    }

    let algorithm: String
    let numberOfTests: Int
    let testGroups: [Group]
}

/// Wycheproof's verdict for one test.
private enum Verdict: String, Sendable {
    case valid, invalid, acceptable
}

/// One Wycheproof test with its group's key, ready to run.
private struct SignatureVector: Sendable, CustomTestStringConvertible {
    let tcId: Int
    let comment: String
    let flags: [String]
    let verdict: Verdict
    /// The JWK handed to `JWTVerificationKey(jwk:)`.
    let jwk: [UInt8]
    let message: [UInt8]
    let signature: [UInt8]

    var testDescription: String {
        "tcId \(tcId) (\(verdict.rawValue)) \(comment.isEmpty ? flags.joined(separator: ",") : comment)"
    }
}

/// Where a vector ended up in the library.
private enum Outcome: Equatable, CustomStringConvertible {
    case verified
    case refusedAtImport(JWTError)
    case refusedAtVerify(JWTError)

    var isVerified: Bool { self == .verified }

    var description: String {
        switch self {
        case .verified: "verified"
        case .refusedAtImport(let error): "refused at JWK import (\(error))"
        case .refusedAtVerify(let error): "refused at verify (\(error))"
        }
    }
}

private enum Wycheproof {
    static let p1363Path = "vectors/wycheproof/ecdsa_secp256r1_sha256_p1363_test.json"
    static let derPath = "vectors/wycheproof/ecdsa_secp256r1_sha256_test.json"
    static let ed25519Path = "vectors/wycheproof/ed25519_test.json"

    static func load(_ path: String) throws -> WycheproofFile {
        try JSONDecoder().decode(WycheproofFile.self, from: Data(try TestSupport.fixture(path)))
    }

    /// A JSON object's bytes (sorted keys so failures are reproducible).
    static func json(_ object: [String: String]) throws -> [UInt8] {
        Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }

    /// `{"kty":"EC","crv":"P-256","x":…,"y":…}` from the group's `04 || x || y` hex.
    static func p256JWK(uncompressedHex: String) throws -> [String: String] {
        let point = TestSupport.bytes(hex: uncompressedHex)
        try #require(point.count == 65 && point[0] == 0x04, "uncompressed P-256 point expected")
        return [
            "kty": "EC", "crv": "P-256",
            "x": Base64URL.encode(point[1..<33]),
            "y": Base64URL.encode(point[33..<65]),
        ]
    }

    /// `{"kty":"OKP","crv":"Ed25519","x":…}` from the group's 32-byte hex key.
    static func ed25519JWK(publicKeyHex: String) -> [String: String] {
        ["kty": "OKP", "crv": "Ed25519", "x": Base64URL.encode(TestSupport.bytes(hex: publicKeyHex))]
    }

    /// Flattens a file into vectors, taking each group's JWK from `publicKeyJwk`, or building an
    /// equivalent one from the hex key when the group has none.
    static func vectors(_ path: String) throws -> [SignatureVector] {
        let file = try load(path)
        var vectors: [SignatureVector] = []
        for group in file.testGroups {
            let jwk: [String: String]
            if let given = group.publicKeyJwk {
                jwk = given
            } else if let uncompressed = group.publicKey.uncompressed {
                jwk = try p256JWK(uncompressedHex: uncompressed)
            } else {
                jwk = ed25519JWK(publicKeyHex: try #require(group.publicKey.pk))
            }
            let jwkBytes = try json(jwk)
            for test in group.tests {
                vectors.append(
                    SignatureVector(
                        tcId: test.tcId,
                        comment: test.comment,
                        flags: test.flags,
                        verdict: try #require(Verdict(rawValue: test.result), "tcId \(test.tcId): unknown result \(test.result)"),
                        jwk: jwkBytes,
                        message: TestSupport.bytes(hex: test.msg),
                        signature: TestSupport.bytes(hex: test.sig)
                    ))
            }
        }
        return vectors
    }

    /// Imports the vector's key and verifies its signature over its message.
    static func run(_ vector: SignatureVector) -> Outcome {
        run(jwk: vector.jwk, signature: vector.signature, message: vector.message)
    }

    static func run(jwk: [UInt8], signature: [UInt8], message: [UInt8]) -> Outcome {
        let key: JWTVerificationKey
        do {
            key = try JWTVerificationKey(jwk: jwk)
        } catch {
            return .refusedAtImport(error)
        }
        do {
            try key.verify(signature: signature.span, over: message.span)
            return .verified
        } catch {
            return .refusedAtVerify(error)
        }
    }

    /// Whether `outcome` is what `verdict` asks for.
    static func matches(_ outcome: Outcome, _ verdict: Verdict) -> Bool {
        switch verdict {
        case .valid: outcome.isVerified
        case .invalid: !outcome.isVerified
        case .acceptable: true
        }
    }

    /// Tallies of a whole file run.
    struct Tally {
        var processed = 0
        var valid = 0
        var invalid = 0
        var acceptable = 0
        var verified = 0
        var refusedAtImport = 0
        var refusedAtVerify = 0
        var mismatches: [String] = []

        mutating func add(_ vector: SignatureVector, _ outcome: Outcome) {
            processed += 1
            switch vector.verdict {
            case .valid: valid += 1
            case .invalid: invalid += 1
            case .acceptable: acceptable += 1
            }
            switch outcome {
            case .verified: verified += 1
            case .refusedAtImport: refusedAtImport += 1
            case .refusedAtVerify: refusedAtVerify += 1
            }
            if !Wycheproof.matches(outcome, vector.verdict) {
                mismatches.append("\(vector.testDescription): \(outcome)")
            }
        }
    }

    static var p1363Vectors: [SignatureVector] { get throws { try vectors(p1363Path) } }
    static var derVectors: [SignatureVector] { get throws { try vectors(derPath) } }
    static var ed25519Vectors: [SignatureVector] { get throws { try vectors(ed25519Path) } }
}

// MARK: - Minimal DER ECDSA-Sig-Value reader (test-side only)

/// Converts a *well-formed* DER `SEQUENCE { INTEGER r, INTEGER s }` to the 64-byte JWS form, or
/// `nil` for anything else. Used only to show that the DER file's `valid` signatures are correct
/// signatures that the ES256 path refuses purely because of their encoding.
private func p1363(fromDER der: [UInt8]) -> [UInt8]? {
    var index = 0
    func readLength() -> Int? {
        guard index < der.count else { return nil }
        let length = Int(der[index])
        index += 1
        return length < 0x80 ? length : nil  // short form only: a P-256 signature is ≤ 72 bytes
    }
    func readInteger() -> [UInt8]? {
        guard index < der.count, der[index] == 0x02 else { return nil }
        index += 1
        guard let length = readLength(), length > 0, index + length <= der.count else { return nil }
        var value = Array(der[index..<(index + length)])
        index += length
        if value.count > 1, value[0] == 0 {
            guard value[1] & 0x80 != 0 else { return nil }  // non-minimal
            value.removeFirst()
        } else if value[0] & 0x80 != 0 {
            return nil  // negative
        }
        guard value.count <= 32 else { return nil }
        return [UInt8](repeating: 0, count: 32 - value.count) + value
    }
    guard der.first == 0x30 else { return nil }
    index = 1
    guard let total = readLength(), index + total == der.count,
        let r = readInteger(), let s = readInteger(), index == der.count
    else { return nil }
    return r + s
}

// MARK: - ECDSA P-256 / SHA-256, IEEE P1363 (the JWS ES256 format)

@Suite("Wycheproof ECDSA P-256/SHA-256 P1363 vectors through the ES256 key import and verify path")
struct WycheproofES256P1363Tests {
    @Test("each P1363 vector gets its Wycheproof verdict", arguments: try Wycheproof.p1363Vectors)
    fileprivate func verdict(_ vector: SignatureVector) {
        let outcome = Wycheproof.run(vector)
        // Every group key in this file is a valid P-256 point; a refused import would be a bug even
        // for an `invalid` test (it would hide what the signature check does).
        if case .refusedAtImport(let error) = outcome {
            Issue.record("tcId \(vector.tcId): group key refused at import: \(error)")
        }
        #expect(Wycheproof.matches(outcome, vector.verdict), "\(vector.testDescription): \(outcome)")
        if case .refusedAtVerify(let error) = outcome {
            #expect(error.code == .invalidSignature, "tcId \(vector.tcId): \(error)")
        }
    }

    @Test("all 262 P1363 vectors are processed: 173 verify, 89 are refused, none mismatches")
    func tally() throws {
        let file = try Wycheproof.load(Wycheproof.p1363Path)
        #expect(file.algorithm == "ECDSA")
        #expect(file.testGroups.allSatisfy { $0.type == "EcdsaP1363Verify" && $0.publicKey.curve == "secp256r1" })

        var tally = Wycheproof.Tally()
        for vector in try Wycheproof.vectors(Wycheproof.p1363Path) {
            tally.add(vector, Wycheproof.run(vector))
        }
        #expect(tally.processed == 262)
        #expect(tally.processed == file.numberOfTests)
        #expect(tally.valid == 173)
        #expect(tally.invalid == 89)
        #expect(tally.acceptable == 0)
        #expect(tally.verified == 173)
        #expect(tally.refusedAtVerify == 89)
        #expect(tally.refusedAtImport == 0)
        #expect(tally.mismatches.isEmpty, "\(tally.mismatches)")
    }

    @Test("every signature that is not exactly 64 bytes is refused, whatever its label says")
    func sizeRule() throws {
        let offSize = try Wycheproof.p1363Vectors.filter { $0.signature.count != 64 }
        #expect(offSize.count == 21)
        for vector in offSize {
            #expect(vector.verdict == .invalid, "tcId \(vector.tcId)")
            #expect(!Wycheproof.run(vector).isVerified, "tcId \(vector.tcId)")
        }
    }

    @Test("JWKs built from the hex point equal the file's publicKeyJwk where it has one")
    func jwkMatchesHexPoint() throws {
        let file = try Wycheproof.load(Wycheproof.p1363Path)
        var compared = 0
        var built = 0
        for group in file.testGroups {
            let fromHex = try Wycheproof.p256JWK(uncompressedHex: try #require(group.publicKey.uncompressed))
            if let given = group.publicKeyJwk {
                #expect(given["x"] == fromHex["x"] && given["y"] == fromHex["y"], "\(given)")
                #expect(given["kty"] == "EC" && given["crv"] == "P-256")
                compared += 1
            } else {
                built += 1
            }
            // Both forms must import.
            #expect(throws: Never.self) { try JWTVerificationKey(jwk: try Wycheproof.json(fromHex)) }
        }
        #expect(compared == 103)
        #expect(built == 9)
    }
}

// MARK: - ECDSA P-256 / SHA-256, DER (never an ES256 signature)

@Suite("Wycheproof ECDSA P-256/SHA-256 DER vectors are all refused by the ES256 path")
struct WycheproofES256DERTests {
    @Test("each DER-encoded signature is refused as an ES256 signature", arguments: try Wycheproof.derVectors)
    fileprivate func derRefused(_ vector: SignatureVector) {
        let outcome = Wycheproof.run(vector)
        switch outcome {
        case .verified:
            Issue.record("\(vector.testDescription): a DER signature verified as ES256")
        case .refusedAtImport(let error):
            Issue.record("tcId \(vector.tcId): group key refused at import: \(error)")
        case .refusedAtVerify(let error):
            #expect(error.code == .invalidSignature, "tcId \(vector.tcId): \(error)")
        }
    }

    @Test("DER signatures labelled valid do verify once converted to r‖s, so the refusal is the encoding's")
    func validDERBecomesValidP1363() throws {
        let valid = try Wycheproof.derVectors.filter { $0.verdict == .valid }
        #expect(valid.count == 174)
        for vector in valid {
            #expect(!Wycheproof.run(vector).isVerified, "tcId \(vector.tcId): DER accepted")
            let raw = try #require(p1363(fromDER: vector.signature), "tcId \(vector.tcId): DER did not parse")
            let converted = Wycheproof.run(jwk: vector.jwk, signature: raw, message: vector.message)
            #expect(converted == .verified, "tcId \(vector.tcId): r‖s form: \(converted)")
        }
    }

    @Test("every vector of the DER file is processed and refused")
    func tally() throws {
        let file = try Wycheproof.load(Wycheproof.derPath)
        #expect(file.testGroups.allSatisfy { $0.type == "EcdsaVerify" && $0.publicKey.curve == "secp256r1" })
        var processed = 0
        var refused = 0
        var labelledValid = 0
        var labelledInvalid = 0
        for vector in try Wycheproof.vectors(Wycheproof.derPath) {
            processed += 1
            if vector.verdict == .valid { labelledValid += 1 } else { labelledInvalid += 1 }
            if case .refusedAtVerify = Wycheproof.run(vector) { refused += 1 }
        }
        #expect(processed == file.numberOfTests)
        #expect(processed == 484)
        #expect(labelledValid == 174)
        #expect(labelledInvalid == 310)
        #expect(refused == processed)
    }
}

// MARK: - Ed25519

@Suite("Wycheproof Ed25519 vectors through the EdDSA key import and verify path")
struct WycheproofEd25519Tests {
    @Test("each Ed25519 vector gets its Wycheproof verdict", arguments: try Wycheproof.ed25519Vectors)
    fileprivate func verdict(_ vector: SignatureVector) {
        let outcome = Wycheproof.run(vector)
        #expect(Wycheproof.matches(outcome, vector.verdict), "\(vector.testDescription): \(outcome)")
        switch outcome {
        case .verified:
            break
        case .refusedAtImport(let error):
            // A screened key (small order, non-canonical) is a rejection, allowed only for `invalid`.
            #expect(vector.verdict == .invalid, "tcId \(vector.tcId): key refused for a valid test: \(error)")
            #expect(error.code == .invalidKeySet)
        case .refusedAtVerify(let error):
            #expect(error.code == .invalidSignature, "tcId \(vector.tcId): \(error)")
        }
    }

    @Test("all 151 Ed25519 vectors are processed: 88 verify, 63 are refused, none mismatches")
    func tally() throws {
        let file = try Wycheproof.load(Wycheproof.ed25519Path)
        #expect(file.algorithm == "EDDSA")
        #expect(file.testGroups.allSatisfy { $0.type == "EddsaVerify" && $0.publicKey.curve == "edwards25519" })

        var tally = Wycheproof.Tally()
        for vector in try Wycheproof.vectors(Wycheproof.ed25519Path) {
            tally.add(vector, Wycheproof.run(vector))
        }
        #expect(tally.processed == 151)
        #expect(tally.processed == file.numberOfTests)
        #expect(tally.valid == 88)
        #expect(tally.invalid == 63)
        #expect(tally.acceptable == 0)
        #expect(tally.verified == 88)
        #expect(tally.refusedAtImport + tally.refusedAtVerify == 63)
        #expect(tally.mismatches.isEmpty, "\(tally.mismatches)")
    }

    @Test("each group's publicKeyJwk is the base64url of its hex key, and both import alike")
    func jwkMatchesHexKey() throws {
        let file = try Wycheproof.load(Wycheproof.ed25519Path)
        #expect(file.testGroups.count == 78)
        for group in file.testGroups {
            let given = try #require(group.publicKeyJwk)
            let fromHex = Wycheproof.ed25519JWK(publicKeyHex: try #require(group.publicKey.pk))
            #expect(given["x"] == fromHex["x"], "\(given)")
            #expect(given["kty"] == "OKP" && given["crv"] == "Ed25519")
            let importsGiven = (try? JWTVerificationKey(jwk: try Wycheproof.json(given))) != nil
            let importsHex = (try? JWTVerificationKey(jwk: try Wycheproof.json(fromHex))) != nil
            #expect(importsGiven == importsHex, "\(given)")
        }
    }

    @Test("signatures of any length but 64 bytes and S ≥ L are refused")
    func lengthAndMalleability() throws {
        let wrongLength = try Wycheproof.ed25519Vectors.filter { $0.signature.count != 64 }
        #expect(!wrongLength.isEmpty)
        for vector in wrongLength {
            #expect(vector.verdict == .invalid, "tcId \(vector.tcId)")
            #expect(!Wycheproof.run(vector).isVerified, "tcId \(vector.tcId)")
        }
        let malleable = try Wycheproof.ed25519Vectors.filter { $0.flags.contains("SignatureMalleability") }
        #expect(!malleable.isEmpty)
        for vector in malleable {
            #expect(vector.verdict == .invalid, "tcId \(vector.tcId)")
            #expect(!Wycheproof.run(vector).isVerified, "tcId \(vector.tcId)")
        }
    }
}
