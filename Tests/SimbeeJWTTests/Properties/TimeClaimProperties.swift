import Foundation
import PropertyBased
import Testing

@_spi(Testing) @testable import SimbeeJWT

/// NumericDate (RFC 7519 §2) and the `exp`/`nbf` leeway rules as properties: the range check
/// against Foundation's reading of the same number, and the accepted time window
/// `[nbf − leeway, exp + leeway)` at whole and half seconds on both edges.
@Suite("Properties: NumericDate and leeway")
struct TimeClaimProperties {
    static let maximum = 253_402_300_799

    /// Number texts of every form, many of them near 0 and near the maximum.
    static let numberTexts = Generator<String, Shrink.None<String>>(run: { rng in
        let base: Int
        switch Int.random(in: 0..<5, using: &rng) {
        case 0: base = Int.random(in: -5...5, using: &rng)
        case 1: base = maximum + Int.random(in: -5...5, using: &rng)
        case 2: base = Int.random(in: -maximum...(2 * maximum), using: &rng)
        case 3:
            return ["1e400", "-1e400", "1E309", "0e0", "-0", "-0.0", "2.53402300799e11", "2.534023008e11"]
                .randomElement(using: &rng)!
        default: base = Int.random(in: 0...maximum, using: &rng)
        }
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: return String(base)
        case 1: return String(base) + "." + String(Int.random(in: 0...999_999, using: &rng))
        default:
            // d.ddd…e<k>: the same digits written with an exponent.
            let digits = String(base.magnitude)
            let sign = base < 0 ? "-" : ""
            let exponent = digits.count - 1
            return sign + String(digits.prefix(1)) + "." + digits.dropFirst() + "0e" + String(exponent)
        }
    })

    @Test(
        "NumericDate: a JSON number is accepted exactly when 0 ≤ value ≤ 253402300799, at its correctly rounded value"
    )
    func numericDateRange() async {
        await propertyCheck(count: 1000, input: Self.numberTexts) { text in
            // Read the way claims are read: from the strict reader's document.
            let document = try StrictJSONReader.parse(Array(text.utf8))
            let number = document.number(document.root)
            // Foundation refuses numbers that overflow a Double; those must be refused here too.
            let foundation = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed)
            let overflows = foundation == nil
            // The correctly rounded value (the standard library's strtod-based parser, as Python's
            // float): Foundation's own can be one ulp off for long mantissas.
            let reference = overflows ? nil : Double(text)
            let inRange = reference.map { $0 >= 0 && $0 <= Double(Self.maximum) } ?? false
            do {
                let seconds = try NumericDate.seconds(number, claim: "exp")
                #expect(inRange, "accepted \(seconds)")
                #expect(seconds == reference)
            } catch let error as JWTError {
                #expect(!inRange, "refused \(reference.map(String.init(describing:)) ?? "an overflow")")
                #expect(error.code == .invalidClaim)
            }
        }
    }

    @Test("NumericDate: anything that is not a JSON number is invalid_claim, never absent")
    func numericDateType() async {
        let values = Gen.element(of: [#""1796000000""#, "true", "false", "null", "[1796000000]", #"{"t":0}"#, #""""#])
        await propertyCheck(count: 50, input: zip(values, Gen.element(of: ["exp", "nbf", "iat"]))) { text, claim in
            let payload = Array(#"{"\#(claim!)":\#(text!)}"#.utf8)
            let error = #expect(throws: JWTError.self) { try RegisteredClaims(payload: payload) }
            #expect(error?.code == .invalidClaim)
        }
    }

    struct Window: Sendable, CustomStringConvertible {
        var notBefore: Int
        var expiration: Int
        var leeway: Int
        /// In half seconds, so that both edges are hit exactly and half a second off.
        var nowHalves: Int
        var now: Double { Double(nowHalves) / 2 }
        var description: String { "nbf \(notBefore), exp \(expiration), leeway \(leeway) s, now \(now)" }
    }

    static let windows = Generator<Window, Shrink.None<Window>>(run: { rng in
        let notBefore = Int.random(in: 0...maximum, using: &rng)
        let expiration = Int.random(
            in: notBefore...min(maximum, notBefore + Int.random(in: 0...100_000, using: &rng)),
            using: &rng
        )
        let leeway = [0, 1, 60, 299, 300, Int.random(in: 0...300, using: &rng)].randomElement(using: &rng)!
        let edge = Bool.random(using: &rng) ? 2 * (notBefore - leeway) : 2 * (expiration + leeway)
        let nowHalves: Int
        switch Int.random(in: 0..<3, using: &rng) {
        case 0, 1: nowHalves = edge + Int.random(in: -3...3, using: &rng)
        default:
            nowHalves = Int.random(
                in: (2 * (notBefore - leeway) - 1_000)...(2 * (expiration + leeway) + 1_000),
                using: &rng
            )
        }
        return Window(notBefore: notBefore, expiration: expiration, leeway: leeway, nowHalves: nowHalves)
    })

    @Test("time window: valid exactly when nbf − leeway ≤ now < exp + leeway; expired or not_yet_valid outside")
    func window() async {
        await propertyCheck(count: 2000, input: Self.windows) { window in
            let payload = Array(#"{"nbf":\#(window.notBefore),"exp":\#(window.expiration)}"#.utf8)
            var policy = ClaimsPolicy(leeway: .seconds(window.leeway))
            policy.clock = TestSupport.pinnedClock(window.now)
            // The oracle in integers (half seconds): no floating-point rounding involved.
            let expected: JWTError.Code?
            if window.nowHalves >= 2 * (window.expiration + window.leeway) {
                expected = .expired
            } else if window.nowHalves < 2 * (window.notBefore - window.leeway) {
                expected = .notYetValid
            } else {
                expected = nil
            }
            do {
                try ClaimsValidation.checkTime(try RegisteredClaims(payload: payload), policy: policy)
                #expect(expected == nil, "accepted")
            } catch let error as JWTError {
                #expect(error.code == expected)
            }
        }
    }

    @Test("exp is required by default and optional only when the policy says so; iat is never held against the clock")
    func expirationRequired() async {
        let input = zip(Gen.bool, Gen<Int>.int(in: 0...Self.maximum), Gen<Int>.int(in: 0...Self.maximum))
        await propertyCheck(count: 200, input: input) { requiresExpiration, issuedAt, now in
            let payload = Array(#"{"iat":\#(issuedAt)}"#.utf8)
            var policy = ClaimsPolicy(requiresExpiration: requiresExpiration)
            policy.clock = TestSupport.pinnedClock(Double(now))
            do {
                try ClaimsValidation.checkTime(try RegisteredClaims(payload: payload), policy: policy)
                #expect(!requiresExpiration)
            } catch let error as JWTError {
                #expect(requiresExpiration && error.code == .missingClaim)
            }
        }
    }

    @Test("leeway: a configuration is valid exactly for 0 … 300 s, at millisecond resolution")
    func leewayRange() async throws {
        let keys = try TestSupport.fixtureKeySet()
        let input = Gen<Int>.int(in: -400_000...400_000)
        await propertyCheck(count: 500, input: input) { milliseconds in
            let policy = ClaimsPolicy(leeway: .milliseconds(milliseconds))
            do {
                _ = try JWTVerifier(keys: keys, configuration: .init(claims: policy))
                #expect((0...300_000).contains(milliseconds))
            } catch let error as JWTError {
                #expect(!(0...300_000).contains(milliseconds))
                #expect(error.code == .invalidConfiguration)
            }
        }
    }
}
