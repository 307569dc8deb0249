import Foundation
import Testing

@_spi(Testing) @testable import SimbeeJWT

// Wycheproof's JOSE-level files (C2SP/wycheproof `testvectors_v1/`, snapshot
// dac1dd4729fd1f8dd9e1e9f3dce51d783da6c166, Apache-2.0; copies and licence in
// `Fixtures/vectors/wycheproof/`): `json_web_signature_test.json` (401 cases),
// `json_web_key_test.json` (26) and `json_web_crypto_test.json` (83).
//
// Every one of the 510 cases is presented to a real `JWTVerifier` and gets an asserted outcome; the
// expectation tables below name each tcId once, and the inventory test fails if a case is added,
// lost or left without an expectation. Wycheproof's labels are written for general JOSE libraries,
// so they are not this verifier's verdicts:
// - HS*, RS*, PS*, ES512 and `none` tokens (upstream `valid` or not) are refused: this verifier
//   runs ES256 and EdDSA/Ed25519 only, and the header's alg is checked before any key is looked up.
// - Every payload here is text or bytes, not a JWT claims set. An upstream-valid ES256 token is
//   therefore refused as `malformed` *after* its signature verified (the message names the
//   payload); the signature layer's own verdict is asserted separately against the label.
// - JWE (`json_web_crypto` tcId 50–83) is out of scope and refused: five segments, or a JSON
//   serialization, is `malformed`; a JWE header in a three-segment token is refused for its `enc`.
// - The four known label errors of the `base64` group (tcId 367, 370, 372, 373) are handled as
//   `Fixtures/vectors/README.md` explains, in `base64GroupAgainstStrictDecoding`.
//
// The verifier for a group holds the group's own verification keys (`public`, else `private`), so
// usable ones are used and unusable ones are skipped exactly as in production, plus the fixture
// P-256 key `es256-a` as a stand-in under the kid of every token whose alg is unsupported: those
// tokens are refused for their algorithm even though a usable key sits under their kid.

// MARK: - Loading

/// One of the three Wycheproof JOSE files.
enum WycheproofJOSEFile: String, Sendable, CaseIterable, CustomTestStringConvertible {
    case signature = "json_web_signature_test.json"
    case key = "json_web_key_test.json"
    case crypto = "json_web_crypto_test.json"

    var path: String { "vectors/wycheproof/" + rawValue }
    var testDescription: String { rawValue }
}

/// What the verifier must do with a case.
enum JOSEExpectation: Sendable, Equatable, CustomStringConvertible {
    /// Refused with this code.
    case refused(JWTError.Code)
    /// The signature verified and the token was then refused as `malformed` because its payload is
    /// not a JSON claims set.
    case payloadRefusedAfterSignature

    var description: String {
        switch self {
        case .refused(let code): code.name
        case .payloadRefusedAfterSignature: "malformed (payload, after the signature verified)"
        }
    }
}

/// A test group: its comment, first tcId (unique per file) and key sets as JWK Set documents.
struct JOSEGroup: Sendable, CustomTestStringConvertible {
    let file: WycheproofJOSEFile
    let comment: String
    let firstTcId: Int
    /// `public` as a JWK Set document (a single JWK is wrapped in `{"keys":[…]}`).
    let publicSet: [UInt8]?
    /// `private` as a JWK Set document.
    let privateSet: [UInt8]?
    /// The tokens of the group's cases (the JSON serializations as text).
    let tokens: [String]

    /// The keys a verifier would be configured with: `public`, or `private` when there is none
    /// (symmetric keys have only a `private` member).
    var verificationSet: [UInt8]? { publicSet ?? privateSet }

    var testDescription: String { "\(file.rawValue) group \(comment) (tcId \(firstTcId)…)" }
}

/// One Wycheproof test case.
struct JOSECase: Sendable, CustomTestStringConvertible {
    let group: JOSEGroup
    let tcId: Int
    let comment: String
    let flags: [String]
    /// Upstream's label: `valid` or `invalid`.
    let label: String
    /// The compact serialization, or the JSON serialization as text.
    let token: String
    /// Whether upstream gave the token as a JSON object rather than a string.
    let givenAsObject: Bool

    var testDescription: String { "\(group.file.rawValue) tcId \(tcId) \(comment) [\(label)]" }
}

enum WycheproofJOSE {
    struct File {
        let declaredCount: Int
        let groups: [JOSEGroup]
        let cases: [JOSECase]
    }

    static func load(_ file: WycheproofJOSEFile) throws -> File {
        let root = try #require(try TestSupport.fixtureJSON(file.path) as? [String: Any])
        let declared = try #require(root["numberOfTests"] as? Int)
        var groups: [JOSEGroup] = []
        var cases: [JOSECase] = []
        for groupObject in try #require(root["testGroups"] as? [[String: Any]]) {
            let tests = try #require(groupObject["tests"] as? [[String: Any]])
            var tokens: [(token: String, object: Bool)] = []
            for test in tests {
                let value = try #require(test["jws"] ?? test["jwe"], "a test without jws/jwe")
                if let string = value as? String {
                    tokens.append((string, false))
                } else {
                    // The crypto file gives its JSON serializations as objects: present their text.
                    let data = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])
                    tokens.append((String(decoding: data, as: UTF8.self), true))
                }
            }
            let group = JOSEGroup(
                file: file,
                comment: try #require(groupObject["comment"] as? String),
                firstTcId: try #require(tests.first?["tcId"] as? Int),
                publicSet: try keySetDocument(groupObject["public"]),
                privateSet: try keySetDocument(groupObject["private"]),
                tokens: tokens.map(\.token)
            )
            groups.append(group)
            for (test, token) in zip(tests, tokens) {
                cases.append(
                    JOSECase(
                        group: group,
                        tcId: try #require(test["tcId"] as? Int),
                        comment: test["comment"] as? String ?? "",
                        flags: test["flags"] as? [String] ?? [],
                        label: try #require(test["result"] as? String),
                        token: token.token,
                        givenAsObject: token.object
                    )
                )
            }
        }
        return File(declaredCount: declared, groups: groups, cases: cases)
    }

    /// A group's `public`/`private` member as a JWK Set document.
    static func keySetDocument(_ member: Any?) throws -> [UInt8]? {
        guard let member else { return nil }
        let object = try #require(member as? [String: Any], "a key member that is not an object")
        let set = object["keys"] != nil ? object : ["keys": [object]]
        return Array(try JSONSerialization.data(withJSONObject: set, options: [.sortedKeys]))
    }

    /// The `keys` array of a JWK Set document.
    static func jwks(_ document: [UInt8]?) throws -> [[String: Any]] {
        let document = try #require(document, "no key set")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(document)) as? [String: Any])
        return try #require(object["keys"] as? [[String: Any]])
    }

    /// A file's cases; a missing or unreadable file throws, so the tests over it fail, never skip.
    static func cases(_ file: WycheproofJOSEFile) throws -> [JOSECase] {
        try load(file).cases
    }

    static var signatureCases: [JOSECase] { get throws { try cases(.signature) } }
    static var keyCases: [JOSECase] { get throws { try cases(.key) } }
    static var cryptoCases: [JOSECase] { get throws { try cases(.crypto) } }
    static var allGroups: [JOSEGroup] {
        get throws { try WycheproofJOSEFile.allCases.flatMap { try load($0).groups } }
    }

    // MARK: Verifier

    /// The header of a token read leniently with Foundation (only to find stand-in kids; the
    /// library's strict reading is what the tests assert).
    static func lenientHeader(_ token: String) -> [String: Any]? {
        guard let segment = token.split(separator: ".", omittingEmptySubsequences: false).first else { return nil }
        var base64 = segment.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    /// The fixture P-256 public JWK `es256-a` under another kid.
    static func standIn(kid: String) throws -> [String: Any] {
        let set = try #require(try JSONSerialization.jsonObject(with: Data(standInSource)) as? [String: Any])
        let keys = try #require(set["keys"] as? [[String: Any]])
        var jwk = try #require(keys.first { $0["kid"] as? String == "es256-a" })
        jwk["kid"] = kid
        return jwk
    }

    /// The main fixture JWK Set's bytes, read once.
    static let standInSource: [UInt8] = (try? TestSupport.fixture("jwks/simbee.jwks.json")) ?? []

    static let standInKeyID = "wycheproof-stand-in"

    /// The group's verification keys plus stand-ins (see the file comment).
    static func keySet(for group: JOSEGroup) throws -> JWKSet {
        var keys: [[String: Any]] = []
        var usableIDs: Set<String> = []
        if let document = group.verificationSet {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(document)) as? [String: Any])
            keys = try #require(object["keys"] as? [[String: Any]])
            usableIDs = Set((try? JWKSet(json: document))?.keyIDs ?? [])
        }
        var standIns: Set<String> = [standInKeyID]
        for token in group.tokens {
            guard let header = lenientHeader(token), let alg = header["alg"] as? String,
                JWTAlgorithm(name: alg) == nil, let kid = header["kid"] as? String, !usableIDs.contains(kid)
            else { continue }
            standIns.insert(kid)
        }
        keys += try standIns.sorted().map { try standIn(kid: $0) }
        return try JWKSet(
            json: Array(try JSONSerialization.data(withJSONObject: ["keys": keys], options: [.sortedKeys]))
        )
    }

    static func verifier(for group: JOSEGroup) throws -> JWTVerifier {
        if let shared = verifiers["\(group.file.rawValue)#\(group.firstTcId)"] { return shared }
        return try JWTVerifier(keys: try keySet(for: group))
    }

    /// One verifier per group, built once and shared by the group's cases (no case is accepted, so
    /// nothing enters the verified-token cache). A group whose verifier cannot be built is missing
    /// here and rebuilt, failing, in its test.
    static let verifiers: [String: JWTVerifier] = {
        var verifiers: [String: JWTVerifier] = [:]
        for group in (try? allGroups) ?? [] {
            verifiers["\(group.file.rawValue)#\(group.firstTcId)"] = try? JWTVerifier(keys: try keySet(for: group))
        }
        return verifiers
    }()

    /// Runs `verify` and checks the outcome against `expected`.
    static func check(_ test: JOSECase, _ expected: JOSEExpectation?) async throws {
        let expected = try #require(expected, "no expectation for \(test.testDescription)")
        let verifier = try verifier(for: test.group)
        let error = await TestSupport.refusal(test.token, verifier)
        switch expected {
        case .refused(let code):
            #expect(
                error?.code == code,
                "\(test.testDescription): expected \(code), got \(error?.description ?? "valid")"
            )
        case .payloadRefusedAfterSignature:
            #expect(
                error?.code == .malformed && error?.message.hasPrefix("payload is not") == true,
                "\(test.testDescription): expected a payload refusal, got \(error?.description ?? "valid")"
            )
        }
    }

    // MARK: Expectation tables

    /// Builds a tcId → expectation table; a tcId named twice is a mistake in the table.
    static func table(_ rows: [(JOSEExpectation, [Int])]) -> [Int: JOSEExpectation] {
        var table: [Int: JOSEExpectation] = [:]
        for (expectation, ids) in rows {
            for id in ids {
                precondition(table.updateValue(expectation, forKey: id) == nil, "tcId \(id) listed twice")
            }
        }
        return table
    }

    static let unsupportedAlgorithm = JOSEExpectation.refused(.unsupportedAlgorithm)
    static let malformed = JOSEExpectation.refused(.malformed)
    static let invalidSignature = JOSEExpectation.refused(.invalidSignature)
    static let unknownKey = JOSEExpectation.refused(.unknownKey)

    /// `json_web_signature_test.json`.
    static let signatureExpectations = table([
        // hs256 (1–17): no HMAC path exists (attack rows 2, 25), so the MACs are never looked at;
        // the structural mutations (missing/extra segments, empty string, alg none with an empty
        // signature, JSON serialization) fail at the split, before the header.
        (unsupportedAlgorithm, [1, 2, 5, 8]),
        (malformed, [3, 4, 6, 7] + Array(9...17)),
        // es256 (18–32), against the group's own public key.
        (.payloadRefusedAfterSignature, [18]),  // genuine signature over the payload "foo"
        (invalidSignature, [19, 22]),  // modified signature, modified payload
        (invalidSignature, [32]),  // signed by the attacker key embedded as `jwk`, which is ignored
        (malformed, [20, 21, 23, 24] + Array(26...30)),
        (unknownKey, [25]),  // the modified header names kid "Xid-ec-sign"
        (unsupportedAlgorithm, [31]),  // HS256 keyed with the EC key's bytes (algorithm confusion)
        // rs256 (33–258): 46–258 are PKCS #1 padding mutations, refused for the algorithm first.
        (unsupportedAlgorithm, [33, 34, 37, 40] + Array(46...258)),
        (malformed, [35, 36, 38, 39] + Array(41...45)),
        // rs256/rs384/rs512/ps256/ps384/ps512 (259–344): each group's emptyPayload case has an empty
        // payload segment (a JWT needs claims), and alg none (341–344) an empty signature segment.
        (malformed, [259, 264, 268, 272, 320, 325] + Array(341...344)),
        (
            unsupportedAlgorithm,
            Array(260...263) + Array(265...267) + Array(269...271) + Array(273...319) + Array(321...324)
                + Array(326...340)
        ),
        // rfc7520 and rfc7520WithKeyOps (345–352: RS256, PS384, ES512, HS256), rsa_encryption
        // (353, 355: RS256 under an encryption key).
        (unsupportedAlgorithm, Array(345...353) + [355]),
        // ec_key_for_encryption (354, 356): the only key under kid-ec-sign has use "enc" / key_ops
        // ["encrypt"] and was skipped at import. (The token itself is tcId 18's genuine token.)
        (unknownKey, [354, 356]),
        // base64 (357–377, HS256): the header is decoded and checked before the payload and
        // signature segments, so only header mutations are malformed; the rest are refused for
        // HS256. The label errors 367/370/372/373 are refused either way (see
        // base64GroupAgainstStrictDecoding for the segment-level verdicts).
        (malformed, [365, 366, 372]),
        (unsupportedAlgorithm, Array(357...364) + Array(367...371) + Array(373...377)),
        // SpecialCaseEs256 (378–401): over-long signatures, trailing zeros, r or s ≥ n, and every
        // (r, s) ∈ {0, 1, n−1, n}²: refused by the 64-byte and 1 ≤ r, s ≤ n−1 checks or by OpenSSL.
        (.payloadRefusedAfterSignature, [378]),
        (invalidSignature, Array(379...401)),
    ])

    /// `json_web_key_test.json`.
    static let keyExpectations = table([
        // Symmetric, RSA and AES key sets: their HS*/RS256 tokens are refused for the algorithm.
        // (tcId 1's set also holds a usable EC key; its HS256 token names the symmetric one.)
        (unsupportedAlgorithm, Array(1...7) + Array(10...18) + [25, 26]),
        // keysize_too_small (8) and exponentOne (9): RS256 tokens with an empty payload segment.
        (malformed, [8, 9]),
        // wrong_algorithm, invalid_algorithm, invalid_use, invalid_point, wrong_curve, wrong_kty
        // (19–24): the token is genuine (tcId 18 of the signature file) but the group's only key
        // under its kid is unusable, so it was skipped at import and the kid is unknown.
        (unknownKey, Array(19...24)),
    ])

    /// `json_web_crypto_test.json`.
    static let cryptoExpectations = table([
        // jws_aes (1–17), jws_ec (18–32), jws_rsa (33–45): as hs256, es256 and rs256 above.
        (unsupportedAlgorithm, [1, 2, 5, 8, 31, 33, 34, 37, 40]),
        (
            malformed,
            [3, 4, 6, 7] + Array(9...17) + [20, 21, 23, 24] + Array(26...30) + [35, 36, 38, 39] + Array(41...45)
        ),
        (.payloadRefusedAfterSignature, [18]),
        (invalidSignature, [19, 22, 32]),
        (unknownKey, [25]),
        // jws_rsa_roca_key (46), jws_mixedSymmetryKeyset (47), jws_keyset (48, 49).
        (unsupportedAlgorithm, [46, 47, 48, 49]),
        // jwe_aes (50–66) and jwe_ec (67–83): JWE is out of scope. Five segments, four after a
        // removed separator, or a JSON serialization: all malformed before any header is read.
        (malformed, Array(50...83)),
    ])

    static func expectations(_ file: WycheproofJOSEFile) -> [Int: JOSEExpectation] {
        switch file {
        case .signature: signatureExpectations
        case .key: keyExpectations
        case .crypto: cryptoExpectations
        }
    }
}

// MARK: - Every case through the verifier

@Suite("Wycheproof JOSE files: every case through the verifier")
struct WycheproofJOSETests {
    @Test(
        "the three files hold the declared cases, each with exactly one expectation",
        arguments: WycheproofJOSEFile.allCases
    )
    func inventory(_ file: WycheproofJOSEFile) throws {
        let loaded = try WycheproofJOSE.load(file)
        let ids = loaded.cases.map(\.tcId)
        #expect(loaded.cases.count == loaded.declaredCount)
        #expect(ids == Array(1...loaded.declaredCount), "tcIds are 1…N in order")
        #expect(Set(WycheproofJOSE.expectations(file).keys) == Set(ids), "one expectation per tcId, no extra")

        let valid = loaded.cases.filter { $0.label == "valid" }.count
        let invalid = loaded.cases.filter { $0.label == "invalid" }.count
        switch file {
        case .signature:
            #expect((loaded.declaredCount, loaded.groups.count, valid, invalid) == (401, 23, 46, 355))
        case .key:
            #expect((loaded.declaredCount, loaded.groups.count, valid, invalid) == (26, 25, 5, 21))
        case .crypto:
            #expect((loaded.declaredCount, loaded.groups.count, valid, invalid) == (83, 8, 6, 77))
        }
        // The parameterized tests below run over the same cases.
        let running: [JOSECase]
        switch file {
        case .signature: running = try WycheproofJOSE.signatureCases
        case .key: running = try WycheproofJOSE.keyCases
        case .crypto: running = try WycheproofJOSE.cryptoCases
        }
        #expect(running.map(\.tcId) == ids)
    }

    @Test(
        "json_web_signature_test.json: every case gets its expected outcome",
        arguments: try WycheproofJOSE.signatureCases
    )
    func signatureFile(_ test: JOSECase) async throws {
        try await WycheproofJOSE.check(test, WycheproofJOSE.signatureExpectations[test.tcId])
    }

    @Test("json_web_key_test.json: every case gets its expected outcome", arguments: try WycheproofJOSE.keyCases)
    func keyFile(_ test: JOSECase) async throws {
        try await WycheproofJOSE.check(test, WycheproofJOSE.keyExpectations[test.tcId])
    }

    @Test("json_web_crypto_test.json: every case gets its expected outcome", arguments: try WycheproofJOSE.cryptoCases)
    func cryptoFile(_ test: JOSECase) async throws {
        try await WycheproofJOSE.check(test, WycheproofJOSE.cryptoExpectations[test.tcId])
    }

    @Test("every token whose alg is unsupported finds a usable key under its kid, so its refusal is the algorithm's")
    func standInsCoverUnsupportedAlgorithms() throws {
        var checked = 0
        for group in try WycheproofJOSE.allGroups {
            let usable = Set(try WycheproofJOSE.keySet(for: group).keyIDs)
            for token in group.tokens {
                guard let header = WycheproofJOSE.lenientHeader(token), let alg = header["alg"] as? String,
                    JWTAlgorithm(name: alg) == nil, let kid = header["kid"] as? String
                else { continue }
                #expect(usable.contains(kid), "\(group.testDescription): \(alg) token with kid \(kid)")
                checked += 1
            }
        }
        // Every token with a kid whose alg is not ES256/EdDSA/Ed25519 (HS*, RS*, PS*, ES512, none,
        // and the JWE key-management algs) and whose header segment decodes: all of them but the
        // base64 group's 365, 366 and 372, whose header segments are not base64.
        #expect(checked == 403)
    }

    @Test("no case is accepted, and every upstream-valid case is refused for a reason this verifier owns")
    func upstreamValidCases() async throws {
        var reasons: [String: Int] = [:]
        for test in try WycheproofJOSE.signatureCases + WycheproofJOSE.keyCases + WycheproofJOSE.cryptoCases
        where test.label == "valid" {
            let error = try #require(
                await TestSupport.refusal(test.token, try WycheproofJOSE.verifier(for: test.group))
            )
            reasons[error.code.name, default: 0] += 1
        }
        // 57 upstream-valid cases. unsupported_algorithm: the HS*/RS*/PS*/ES512 tokens (the base64
        // group's label error 373 among them). malformed: the six emptyPayload tokens, the label
        // error 372 (`?` in the header segment), the two valid JWEs (crypto 50, 67), and the three
        // ES256 tokens refused only for their non-JSON payload after the signature verified
        // (signature file 18 and 378, crypto 18).
        #expect(reasons == ["unsupported_algorithm": 45, "malformed": 12])
    }
}

// MARK: - ES256 at the signature layer

@Suite("Wycheproof JOSE ES256 tokens at the signature layer")
struct WycheproofJOSESignatureLayerTests {
    /// The ES256 tokens of three non-empty segments in groups with a usable key, with that key.
    static func cases() throws -> [(test: JOSECase, key: JWTVerificationKey)] {
        var result: [(JOSECase, JWTVerificationKey)] = []
        for test in try WycheproofJOSE.signatureCases + WycheproofJOSE.cryptoCases {
            let segments = test.token.split(separator: ".", omittingEmptySubsequences: false)
            guard segments.count == 3, !segments.contains(where: \.isEmpty),
                WycheproofJOSE.lenientHeader(test.token)?["alg"] as? String == "ES256",
                let document = test.group.publicSet, let set = try? JWKSet(json: document)
            else { continue }
            result.append((test, try set.key(for: "kid-ec-sign", algorithm: .es256)))
        }
        return result
    }

    /// The signature layer's verdict: `nil` when the signature verifies.
    static func verdict(_ key: JWTVerificationKey, signature: [UInt8]?, over input: [UInt8]) -> JWTError? {
        guard let signature else { return JWTError(.malformed, "signature segment is not strict base64url") }
        do {
            try key.verify(signature: signature.span, over: input.span)
            return nil
        } catch {
            return error
        }
    }

    @Test("each ES256 signature verifies exactly when Wycheproof labels it valid")
    func verdictsMatchLabels() throws {
        let cases = try Self.cases()
        // Signature file: es256 18, 19, 22, 25, 32 and SpecialCaseEs256 378–401; crypto file: jws_ec
        // 18, 19, 22, 25, 32. (354/356 have no usable key: see the key-policy suite.)
        #expect(cases.count == 34)
        var verified: [String] = []
        for (test, key) in cases {
            let parts = test.token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            let signingInput = Array("\(parts[0]).\(parts[1])".utf8)
            let signature = try? Base64URL.decode(parts[2].utf8)
            let outcome = Self.verdict(key, signature: signature, over: signingInput)
            #expect(
                (outcome == nil) == (test.label == "valid"),
                "\(test.testDescription): \(outcome?.description ?? "verified")"
            )
            if outcome == nil { verified.append("\(test.group.file.rawValue)#\(test.tcId)") }
        }
        #expect(
            verified == [
                "json_web_signature_test.json#18", "json_web_signature_test.json#378", "json_web_crypto_test.json#18",
            ]
        )
    }
}

// MARK: - Key sets

/// What import must make of one JWK.
enum JOSEKeyVerdict: Sendable, Equatable, CustomStringConvertible {
    case usable
    case symmetric
    case privateMember(String)
    case useNotSig
    case keyOpsWithoutVerify
    case unsupportedAlg(String)
    case unsupportedCurve(String)
    case offCurve
    case unsupportedKeyType(String)

    /// The library's skip reason for this verdict.
    var reason: String? {
        switch self {
        case .usable: nil
        case .symmetric: "symmetric key (kty oct) cannot verify signatures"
        case .privateMember(let name): "carries private key member \"\(name)\""
        case .useNotSig: "use is not \"sig\""
        case .keyOpsWithoutVerify: "key_ops does not contain \"verify\""
        case .unsupportedAlg(let alg): "alg \"\(alg)\" is not supported"
        case .unsupportedCurve(let curve): "curve \"\(curve)\" is not supported"
        case .offCurve: "EC point is not on P-256"
        case .unsupportedKeyType(let kty): "key type \"\(kty)\" is not supported"
        }
    }

    var description: String { reason ?? "usable" }
}

@Suite("Wycheproof JOSE key sets through JWKSet import")
struct WycheproofJOSEKeySetTests {
    /// Per file and group (by first tcId): the verdict for each key of `public` and of `private`, in
    /// document order. Every group of the three files is listed; the inventory check enforces it.
    static let expected: [WycheproofJOSEFile: [Int: (publicKeys: [JOSEKeyVerdict]?, privateKeys: [JOSEKeyVerdict]?)]] =
        [
            .signature: [
                1: (nil, [.symmetric]),
                18: ([.usable], [.privateMember("d")]),
                33: ([.unsupportedAlg("RS256")], [.privateMember("d")]),
                259: ([.unsupportedAlg("RS256")], [.privateMember("d")]),
                264: ([.unsupportedAlg("RS384")], [.privateMember("d")]),
                268: ([.unsupportedAlg("RS512")], [.privateMember("d")]),
                272: ([.unsupportedAlg("PS256")], [.privateMember("d")]),
                320: ([.unsupportedAlg("PS384")], [.privateMember("d")]),
                325: ([.unsupportedAlg("PS512")], [.privateMember("d")]),
                345: ([.unsupportedAlg("RS256")], [.privateMember("d")]),
                346: ([.unsupportedAlg("PS256")], [.privateMember("d")]),
                347: ([.unsupportedAlg("ES521")], [.privateMember("d")]),  // RFC 7520's P-521 key
                348: (nil, [.symmetric]),
                349: ([.unsupportedAlg("RS256")], [.privateMember("d")]),
                350: ([.unsupportedAlg("PS256")], [.privateMember("d")]),
                351: ([.unsupportedAlg("ES521")], [.privateMember("d")]),
                352: (nil, [.symmetric]),
                353: ([.useNotSig], [.privateMember("d")]),
                354: ([.useNotSig], [.privateMember("d")]),
                355: ([.keyOpsWithoutVerify], [.privateMember("d")]),
                356: ([.keyOpsWithoutVerify], [.privateMember("d")]),
                357: (nil, [.symmetric]),
                378: ([.usable], [.privateMember("d")]),
            ],
            .key: [
                // MixedKeySet: Wycheproof wants the whole set rejected; attack row 30 allows dropping
                // the symmetric key instead, which is what happens (it is reported in skippedKeys).
                1: (nil, [.symmetric, .usable]),
                2: (nil, [.symmetric, .symmetric]),
                // DuplicateKid between two symmetric keys: both are skipped for being symmetric already
                // (the duplicate-kid rule itself: `duplicateKidWithUsableKeys`).
                4: (nil, [.symmetric, .symmetric]),
                5: ([.unsupportedAlg("RS256")], [.privateMember("d")]),
                6: ([.useNotSig], [.privateMember("d")]),  // alg RSA1_5 comes after the use check
                7: ([.unsupportedAlg("RS256")], [.privateMember("d")]),  // ROCA key
                8: ([.unsupportedAlg("RS256")], [.privateMember("d")]),  // 1024-bit RSA
                9: ([.unsupportedAlg("RS256")], [.privateMember("d")]),  // e = 1
                10: (nil, [.symmetric]), 11: (nil, [.symmetric]), 12: (nil, [.symmetric]),
                13: (nil, [.symmetric]), 14: (nil, [.symmetric]), 15: (nil, [.symmetric]),
                16: (nil, [.symmetric]), 17: (nil, [.symmetric]), 18: (nil, [.symmetric]),  // k = ""
                19: ([.unsupportedAlg("ES521")], [.privateMember("d")]),
                20: ([.unsupportedAlg("ES224")], [.privateMember("d")]),
                21: ([.useNotSig], [.privateMember("d")]),
                22: ([.offCurve], [.privateMember("d")]),
                23: ([.unsupportedCurve("P-384")], [.privateMember("d")]),
                24: ([.unsupportedKeyType("RSA")], [.privateMember("d")]),
                25: (nil, [.symmetric]),  // A256GCM
                26: (nil, [.symmetric]),  // A256KW
            ],
            .crypto: [
                1: (nil, [.symmetric]),
                18: ([.usable], [.privateMember("d")]),
                33: ([.unsupportedAlg("RS256")], [.privateMember("d")]),
                46: ([.unsupportedAlg("RS256")], [.privateMember("d")]),
                47: (nil, [.symmetric, .usable]),
                48: (nil, [.symmetric, .symmetric]),
                50: (nil, [.symmetric]),  // AES key-wrapping key for JWE
                67: (nil, [.privateMember("d")]),  // ECDH-ES private key for JWE
            ],
        ]

    @Test("every group of the three files has key expectations", arguments: WycheproofJOSEFile.allCases)
    func inventory(_ file: WycheproofJOSEFile) throws {
        let groups = try WycheproofJOSE.load(file).groups
        let table = try #require(Self.expected[file])
        #expect(Set(groups.map(\.firstTcId)) == Set(table.keys))
        #expect(groups.count == table.count, "first tcIds are unique per file")
    }

    @Test("each key set imports to the expected usable and skipped keys", arguments: try WycheproofJOSE.allGroups)
    func importOutcome(_ group: JOSEGroup) throws {
        let entry = try #require(Self.expected[group.file]?[group.firstTcId], "\(group.testDescription)")
        #expect((group.publicSet == nil) == (entry.publicKeys == nil), "which members the group has")
        #expect((group.privateSet == nil) == (entry.privateKeys == nil))
        for (member, document, verdicts) in [
            ("public", group.publicSet, entry.publicKeys), ("private", group.privateSet, entry.privateKeys),
        ] {
            guard let document, let verdicts else { continue }
            try Self.check(document, verdicts, "\(group.testDescription) \(member)")
        }
    }

    /// Imports `document` alone (usable kids, or `invalid_key_set` when nothing is usable), then
    /// beside a stand-in key, so every unusable key's skip reason can be read.
    static func check(_ document: [UInt8], _ verdicts: [JOSEKeyVerdict], _ context: String) throws {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(document)) as? [String: Any])
        let keys = try #require(object["keys"] as? [[String: Any]])
        try #require(keys.count == verdicts.count, "\(context): \(keys.count) keys")
        let usableIDs = zip(keys, verdicts).filter { $0.1 == .usable }.map { $0.0["kid"] as? String ?? "" }

        if usableIDs.isEmpty {
            let error = #expect(throws: JWTError.self, "\(context)") { try JWKSet(json: document) }
            #expect(error?.code == .invalidKeySet, "\(context)")
        } else {
            let set = try JWKSet(json: document)
            #expect(set.keyIDs == usableIDs.sorted(), "\(context)")
        }

        let withStandIn = try JWKSet(
            json: Array(
                try JSONSerialization.data(
                    withJSONObject: ["keys": keys + [try WycheproofJOSE.standIn(kid: WycheproofJOSE.standInKeyID)]]
                )
            )
        )
        let skipped = withStandIn.skippedKeys.map { "#\($0.index) \($0.reason)" }
        let expectedSkipped = verdicts.enumerated().compactMap { index, verdict in
            verdict.reason.map { "#\(index) \($0)" }
        }
        #expect(skipped == expectedSkipped, "\(context)")
        #expect(withStandIn.keyIDs == (usableIDs + [WycheproofJOSE.standInKeyID]).sorted(), "\(context)")
    }

    @Test("DuplicateKid (JWK tcId 4) with usable keys: the shared kid selects neither key")
    func duplicateKidWithUsableKeys() async throws {
        // tcId 4's two symmetric keys share a kid but are skipped for being symmetric, so the
        // duplicate rule is exercised here with the same shape: two distinct usable P-256 keys.
        let group = try #require(WycheproofJOSE.allGroups.first { $0.file == .key && $0.firstTcId == 4 })
        let kids = try WycheproofJOSE.jwks(group.privateSet).map { $0["kid"] as? String }
        #expect(kids == ["kid-aes-sign", "kid-aes-sign"])

        var first = try WycheproofJOSEKeyPolicyTests.genuineKey()
        first["kid"] = "kid-aes-sign"
        let second = try WycheproofJOSE.standIn(kid: "kid-aes-sign")
        let document = Array(try JSONSerialization.data(withJSONObject: ["keys": [first, second]]))
        let error = #expect(throws: JWTError.self) { try JWKSet(json: document) }
        #expect(error?.code == .invalidKeySet)

        let beside = try JWKSet(
            json: Array(
                try JSONSerialization.data(
                    withJSONObject: ["keys": [first, second, try WycheproofJOSE.standIn(kid: "other")]]
                )
            )
        )
        #expect(beside.keyIDs == ["other"])
        #expect(
            beside.skippedKeys.map(\.reason) == ["kid is shared with another key", "kid is shared with another key"]
        )
    }
}

// MARK: - Keys refused by policy alone

@Suite("Wycheproof JOSE tokens under policy-refused keys are genuine")
struct WycheproofJOSEKeyPolicyTests {
    /// The es256 group's public JWK (signature file tcId 18).
    static func genuineKey() throws -> [String: Any] {
        let group = try #require(WycheproofJOSE.allGroups.first { $0.file == .signature && $0.firstTcId == 18 })
        return try #require(try WycheproofJOSE.jwks(group.publicSet).first)
    }

    /// A JSON value's text, for comparing members (`nil` for an absent one).
    static func jsonText(_ value: Any?) throws -> String? {
        guard let value else { return nil }
        return String(
            decoding: try JSONSerialization.data(withJSONObject: [value], options: [.sortedKeys]),
            as: UTF8.self
        )
    }

    /// A case whose group key differs from the genuine key in exactly the `members` listed.
    struct PolicyCase: Sendable, CustomTestStringConvertible {
        let file: WycheproofJOSEFile
        let tcId: Int
        let members: Set<String>
        var testDescription: String { "\(file.rawValue) tcId \(tcId) (\(members.sorted().joined(separator: ", ")))" }
    }

    static let policyCases = [
        // ec_key_for_encryption: use "enc", or key_ops ["encrypt"] (and no use), both without alg.
        PolicyCase(file: .signature, tcId: 354, members: ["use", "alg"]),
        PolicyCase(file: .signature, tcId: 356, members: ["key_ops", "use", "alg"]),
        // json_web_key: one member changed each.
        PolicyCase(file: .key, tcId: 19, members: ["alg"]),  // ES521
        PolicyCase(file: .key, tcId: 20, members: ["alg"]),  // ES224
        PolicyCase(file: .key, tcId: 21, members: ["use"]),  // enc
        PolicyCase(file: .key, tcId: 22, members: ["y"]),  // off the curve
        PolicyCase(file: .key, tcId: 23, members: ["crv"]),  // P-384
        PolicyCase(file: .key, tcId: 24, members: ["kty"]),  // RSA
    ]

    @Test(
        "each refused key differs from the genuine key only in its listed members, and its token is the genuine tcId 18 token",
        arguments: WycheproofJOSEKeyPolicyTests.policyCases
    )
    func policyAlone(_ policyCase: PolicyCase) async throws {
        let (file, tcId) = (policyCase.file, policyCase.tcId)
        let cases = try file == .signature ? WycheproofJOSE.signatureCases : WycheproofJOSE.keyCases
        let test = try #require(cases.first { $0.tcId == tcId })
        let genuineToken = try #require(WycheproofJOSE.signatureCases.first { $0.tcId == 18 }).token
        #expect(test.token == genuineToken)

        let genuine = try Self.genuineKey()
        let refused = try #require(try WycheproofJOSE.jwks(test.group.publicSet).first)
        let differing = try Set(genuine.keys).union(refused.keys).filter {
            try Self.jsonText(genuine[$0]) != Self.jsonText(refused[$0])
        }
        #expect(differing == policyCase.members, "\(test.testDescription): \(differing.sorted())")

        // Under the genuine key, the same token verifies (and is refused only for its payload).
        let genuineSet = try JWKSet(json: Array(try JSONSerialization.data(withJSONObject: ["keys": [genuine]])))
        let withGenuine = await TestSupport.refusal(test.token, try JWTVerifier(keys: genuineSet))
        #expect(withGenuine?.code == .malformed && withGenuine?.message.hasPrefix("payload is not") == true)
        // Under the group's key it is an unknown kid: the key never entered the set.
        let withRefused = await TestSupport.refusal(test.token, try WycheproofJOSE.verifier(for: test.group))
        #expect(withRefused?.code == .unknownKey)
    }
}

// MARK: - The base64 group and its label errors

@Suite("Wycheproof JWS base64 group")
struct WycheproofJOSEBase64Tests {
    /// Upstream labels corrected as `Fixtures/vectors/README.md` explains (verified there by
    /// recomputing the HMACs): 367 and 370 are byte-identical to the valid 357 (their intended `=`
    /// padding was lost upstream), so they are valid; 372 and 373 insert `?` into the header or
    /// payload and the MAC does not cover those bytes, so they are invalid.
    static let corrections = [367: "valid", 370: "valid", 372: "invalid", 373: "invalid"]

    static func group() throws -> [JOSECase] {
        let cases = try WycheproofJOSE.signatureCases.filter { $0.group.comment == "base64" }
        #expect(cases.map(\.tcId) == Array(357...377))
        return cases
    }

    @Test("the four label errors are what the vectors README says")
    func labelErrors() throws {
        let cases = Dictionary(uniqueKeysWithValues: try Self.group().map { ($0.tcId, $0) })
        let valid = try #require(cases[357])
        #expect(valid.label == "valid")
        for tcId in [367, 370] {
            let test = try #require(cases[tcId])
            #expect(test.label == "invalid" && test.token == valid.token, "tcId \(tcId) is tcId 357, labelled invalid")
        }
        let header = try #require(cases[372])
        #expect(header.label == "valid")
        #expect(header.token.replacingOccurrences(of: "?", with: "") == valid.token)
        #expect(header.token.split(separator: ".")[0].contains("?"))
        let payload = try #require(cases[373])
        #expect(payload.label == "valid")
        #expect(payload.token.replacingOccurrences(of: "?", with: "") == valid.token)
        #expect(payload.token.split(separator: ".")[1].contains("?"))
    }

    @Test("with the labels corrected, a case is valid exactly when all three segments are strict base64url")
    func base64GroupAgainstStrictDecoding() throws {
        var disagreementsWithUpstream: [Int] = []
        for test in try Self.group() {
            let corrected = Self.corrections[test.tcId] ?? test.label
            let segments = test.token.split(separator: ".", omittingEmptySubsequences: false)
            let strict = segments.count == 3 && segments.allSatisfy { (try? Base64URL.decode($0.utf8)) != nil }
            #expect(
                strict == (corrected == "valid"),
                "tcId \(test.tcId) \(test.comment): strict decoding says \(strict)"
            )
            if strict != (test.label == "valid") { disagreementsWithUpstream.append(test.tcId) }
        }
        // Strict decoding disagrees with the uncorrected labels at exactly the four label errors.
        #expect(disagreementsWithUpstream == [367, 370, 372, 373])
    }

    @Test("tcId 374 and 375 (payload \"AB\": non-zero trailing bits) are refused by the strict decoder")
    func nonCanonicalPayload() throws {
        let cases = Dictionary(uniqueKeysWithValues: try Self.group().map { ($0.tcId, $0) })
        for tcId in [374, 375] {
            let payload = try #require(cases[tcId]?.token.split(separator: ".")[1])
            #expect(payload == "AB")
            #expect(throws: Base64URL.DecodingError.nonZeroTrailingBits) { try Base64URL.decode(payload.utf8) }
        }
    }
}

// MARK: - JWE

@Suite("Wycheproof JWE cases are refused, never decrypted")
struct WycheproofJOSEJWETests {
    @Test("the JWE cases are five segments, four after a lost separator, or a JSON serialization")
    func shapes() throws {
        let jwe = try WycheproofJOSE.cryptoCases.filter { $0.tcId >= 50 }
        #expect(jwe.count == 34)
        var counts: [Int: Int] = [:]
        for test in jwe {
            if test.givenAsObject {
                counts[0, default: 0] += 1
            } else {
                counts[test.token.split(separator: ".", omittingEmptySubsequences: false).count, default: 0] += 1
            }
        }
        // 23 five-segment tokens (valid, modified parts, an empty part), 10 that lost a separator
        // along with a part (five parts × two groups), one JSON serialization.
        #expect(counts == [0: 1, 4: 10, 5: 23])
    }

    @Test("a JWE protected header in a three-segment token is refused for its enc member", arguments: [50, 67])
    func jweHeaderAsJWS(_ tcId: Int) async throws {
        let test = try #require(WycheproofJOSE.cryptoCases.first { $0.tcId == tcId })
        let segments = test.token.split(separator: ".", omittingEmptySubsequences: false)
        try #require(segments.count == 5)
        #expect(WycheproofJOSE.lenientHeader(test.token)?["enc"] != nil)
        // header.ciphertext.tag: three strict base64url segments, so the header is what is judged.
        let threeSegments = "\(segments[0]).\(segments[3]).\(segments[4])"
        await TestSupport.expect(
            threeSegments,
            try WycheproofJOSE.verifier(for: test.group),
            .unsupportedCriticalHeader,
            "tcId \(tcId)"
        )
    }
}
