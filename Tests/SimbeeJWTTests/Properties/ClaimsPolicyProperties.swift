import Foundation
import PropertyBased
import Testing

@_spi(Testing) @testable import SimbeeJWT

/// The claims policy as a property, end to end: random claims (each registered claim present or
/// not, of the right type or not, matching or not) in tokens signed during the test, verified under
/// random policies, against an oracle written from the README and RFC 7519/8725 rather than from the
/// code. A token verifies exactly when the oracle finds no defect; otherwise the reported code is
/// one of the defects the oracle found (which one, when there are several, is the library's order).
@Suite("Properties: claims policy")
struct ClaimsPolicyProperties {
    static let now = 1_796_000_000
    static let issuer = "https://api.simbee.io"

    /// One claim's JSON text, or `nil` for absent.
    typealias Claim = String?

    struct Case: Sendable, CustomStringConvertible {
        var claims: [(name: String, json: String)]
        var type: String?
        var issuer: String?
        var audiences: [String]
        var skipsAudienceCheck: Bool
        var requiresExpiration: Bool
        var leeway: Int
        var requiredClaims: [String]
        var acceptedTypes: [String]
        var useEdDSA: Bool

        var payload: String { "{" + claims.map { #""\#($0.name)":\#($0.json)"# }.joined(separator: ",") + "}" }
        var description: String {
            "payload \(payload), typ \(type ?? "-"); policy iss \(issuer ?? "-"), aud \(audiences), "
                + "skip aud \(skipsAudienceCheck), exp required "
                + "\(requiresExpiration), leeway \(leeway), required \(requiredClaims), types \(acceptedTypes)"
        }
    }

    static let variants: [String: [Claim]] = [
        "iss": [
            nil, #""https://api.simbee.io""#, #""https://API.simbee.io""#, #""https://evil.example""#, #""""#, "1",
            "null",
        ],
        "sub": [nil, #""cu_1""#, #""""#, "7", "null", #"["cu_1"]"#],
        "aud": [
            nil, #""cl_a""#, #""cl_b""#, #""CL_A""#, #"["cl_a"]"#, #"["cl_x","cl_a"]"#, #"["cl_x"]"#, "[]",
            #"["cl_a",1]"#,
            "5", "null", #"[["cl_a"]]"#, #""cl_a cl_b""#,
        ],
        "exp": [
            nil, "\(now + 600)", "\(now - 600)", "\(now - 30)", "\(now)", "\(now - 60)", "\(now - 300)",
            #""\#(now + 600)""#,
            "1e400", "-1", "253402300800", "\(now + 600).5",
        ],
        "nbf": [nil, "\(now - 600)", "\(now + 600)", "\(now + 30)", "\(now + 60)", "\(now + 61)", "true", "-0.5"],
        "iat": [nil, "\(now - 60)", "\(now + 3600)", #""yesterday""#, "-1"],
        "jti": [nil, #""id-1""#, #""""#, "42"],
        "scope": [nil, #""read write""#, #""""#, "5", #"["read"]"#],
        "org": [nil, #""o_1""#, #""""#, "null", "0"],
    ]
    static let types: [String?] = [
        nil, "JWT", "at+jwt", "application/at+jwt", "AT+JWT", "Application/At+Jwt", "at+jwt ",
        "application/application/at+jwt",
        "x/at+jwt", "\u{FF41}t+jwt",
    ]

    static let cases = Generator<Case, Shrink.None<Case>>(run: { rng in
        var claims: [(name: String, json: String)] = []
        for name in variants.keys.sorted() {
            // Mostly the usual value, so that single defects are common.
            let options = variants[name]!
            let pick =
                Int.random(in: 0..<3, using: &rng) == 0
                ? options.randomElement(using: &rng)! : options[min(1, options.count - 1)]
            if let json = pick { claims.append((name, json)) }
        }
        claims.shuffle(using: &rng)
        let required = ["sub", "jti", "iss", "org", "aud"].filter { _ in Int.random(in: 0..<4, using: &rng) == 0 }
        let audiences = [[], ["cl_a"], ["cl_b", "cl_a"], ["cl_z"]].randomElement(using: &rng)!
        return Case(
            claims: claims,
            type: Int.random(in: 0..<2, using: &rng) == 0 ? types.randomElement(using: &rng)! : "JWT",
            issuer: Bool.random(using: &rng) ? issuer : nil,
            audiences: audiences,
            skipsAudienceCheck: audiences.isEmpty && Bool.random(using: &rng),
            requiresExpiration: Int.random(in: 0..<4, using: &rng) != 0,
            leeway: [0, 60, 300].randomElement(using: &rng)!,
            requiredClaims: required,
            acceptedTypes: Bool.random(using: &rng)
                ? [] : [["at+jwt"], ["application/AT+JWT"], ["JWT", "at+jwt"]].randomElement(using: &rng)!,
            useEdDSA: Bool.random(using: &rng)
        )
    })

    @Test("a token verifies exactly when the oracle finds no defect, and is refused with one of the defects it finds")
    func policy() async throws {
        let keys = try TestSupport.fixtureKeySet()
        let minters = [try TokenMinter(.es256A), try TokenMinter(.ed25519A)]
        await propertyCheck(count: 600, input: Self.cases) { testCase in
            var policy = ClaimsPolicy(
                issuer: testCase.issuer,
                audiences: testCase.audiences,
                skipsAudienceCheck: testCase.skipsAudienceCheck,
                requiresExpiration: testCase.requiresExpiration,
                leeway: .seconds(testCase.leeway),
                requiredClaims: testCase.requiredClaims,
                acceptedTypes: testCase.acceptedTypes
            )
            policy.clock = TestSupport.pinnedClock(Double(Self.now))
            let verifier = try JWTVerifier(keys: keys, configuration: .init(claims: policy))
            let minter = minters[testCase.useEdDSA ? 1 : 0]
            var header = #"{"alg":"\#(minter.key.algorithm)","kid":"\#(minter.key.keyID)""#
            if let type = testCase.type { header += #","typ":"\#(type)""# }
            let token = try minter.token(header: header + "}", payload: testCase.payload)

            let defects = Self.defects(testCase)
            do {
                let verified = try await verifier.verify(token)
                #expect(defects.isEmpty, "accepted despite \(defects.sorted())")
                // What was accepted is what was signed.
                let payload = try JSONSerialization.jsonObject(with: Data(testCase.payload.utf8)) as! [String: Any]
                #expect(verified.claims.subject == payload["sub"] as? String)
                #expect(verified.claims.issuer == payload["iss"] as? String)
                #expect(
                    verified.claims.audience
                        == (payload["aud"] as? [String] ?? (payload["aud"] as? String).map { [$0] } ?? [])
                )
            } catch let error as JWTError {
                #expect(
                    defects.contains(error.code.name),
                    "refused with \(error) but the defects are \(defects.sorted())"
                )
            }
        }
    }

    /// Every reason the oracle sees to refuse the case, as error code names.
    static func defects(_ testCase: Case) -> Set<String> {
        let claims = Dictionary(uniqueKeysWithValues: testCase.claims.map { ($0.name, $0.json) })
        // Foundation's reading of each claim; absent when it refuses the text (1e400).
        let parsed: [String: Any] = claims.compactMapValues {
            try? JSONSerialization.jsonObject(with: Data($0.utf8), options: .fragmentsAllowed)
        }
        var defects: Set<String> = []
        func string(_ name: String) -> String? { parsed[name].flatMap { $0 as? String } }
        func isNumber(_ value: Any?) -> Bool {
            guard let number = value as? NSNumber else { return false }
            return !JSONComparison.isBoolean(number)
        }

        // Types (RFC 7519 §4.1): a present claim of the wrong type is invalid, never "absent".
        for name in ["iss", "sub", "jti", "scope"] where claims[name] != nil && string(name) == nil {
            defects.insert("invalid_claim")
        }
        var audience: [String]?
        if claims["aud"] != nil {
            if let single = string("aud") {
                audience = [single]
            } else if let list = parsed["aud"] as? [Any], !list.isEmpty, list.allSatisfy({ $0 is String }) {
                audience = list as? [String]
            } else {
                defects.insert("invalid_claim")
            }
        }
        var times: [String: Double] = [:]
        for name in ["exp", "nbf", "iat"] where claims[name] != nil {
            // NumericDate: a finite JSON number in 0 … 253402300799 (Foundation refuses 1e400 outright).
            if isNumber(parsed[name]), let value = (parsed[name] as? NSNumber)?.doubleValue, value >= 0,
                value <= 253_402_300_799
            {
                times[name] = value
            } else {
                defects.insert("invalid_claim")
            }
        }

        // Time (RFC 7519 §4.1.4, §4.1.5) with leeway.
        let now = Double(Self.now)
        let leeway = Double(testCase.leeway)
        if claims["exp"] == nil, testCase.requiresExpiration { defects.insert("missing_claim") }
        if let exp = times["exp"], now >= exp + leeway { defects.insert("expired") }
        if let nbf = times["nbf"], now + leeway < nbf { defects.insert("not_yet_valid") }

        // Issuer and audience, compared exactly.
        if let expected = testCase.issuer {
            if claims["iss"] == nil {
                defects.insert("missing_claim")
            } else if let actual = string("iss"), !actual.utf8.elementsEqual(expected.utf8) {
                defects.insert("issuer_mismatch")
            }
        }
        if !testCase.audiences.isEmpty {
            if claims["aud"] == nil {
                defects.insert("missing_claim")
            } else if let audience,
                !audience.contains(where: { value in testCase.audiences.contains { $0.utf8.elementsEqual(value.utf8) } }
                )
            {
                defects.insert("audience_mismatch")
            }
        } else if audience != nil, !testCase.skipsAudienceCheck {
            // RFC 7519 §4.1.3: a present aud names no audience of this verifier.
            defects.insert("audience_mismatch")
        }

        // Required claims: present, not null, not "", and sub/iss/jti strings.
        for name in testCase.requiredClaims {
            guard let json = claims[name] else {
                defects.insert("missing_claim")
                continue
            }
            let value = parsed[name]
            if json == "null" || (value as? String)?.isEmpty == true
                || (["sub", "iss", "jti"].contains(name) && !(value is String))
            {
                defects.insert("invalid_claim")
            }
        }

        // typ (RFC 8725 §3.11; RFC 7515 §4.1.9: "application/" optional, compared case-insensitively).
        if !testCase.acceptedTypes.isEmpty {
            func normalized(_ text: String) -> String {
                let lowered = String(
                    text.unicodeScalars.map { $0.isASCII ? Character(String($0).lowercased()) : Character($0) }
                )
                return lowered.hasPrefix("application/") ? String(lowered.dropFirst("application/".count)) : lowered
            }
            if let type = testCase.type {
                if !testCase.acceptedTypes.contains(where: { normalized($0).utf8.elementsEqual(normalized(type).utf8) })
                {
                    defects.insert("invalid_claim")
                }
            } else {
                defects.insert("missing_claim")
            }
        }
        return defects
    }
}
