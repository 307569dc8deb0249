import Foundation
@_spi(Testing) import SimbeeJWT
import Testing

/// Duplicate member names (RFC 7515 §4, RFC 7519 §4) in objects of every size, through the public
/// entry points: the reader compares names one by one in small objects and switches strategy in
/// large ones, so duplicates of the first member, of members on either side of the switch and of
/// the last member are each tried, at the top level and nested, in objects of 16 to 40 members.
@Suite("duplicate member names in objects of every size")
struct DuplicateMemberTests {
    static let sizes = [16, 17, 18, 33, 40]

    /// `count` distinct filler members `"m0":0,"m1":1,…`.
    static func fillers(_ count: Int) -> [String] {
        (0..<count).map { "\"m\($0)\":\($0)" }
    }

    /// The member positions whose name is repeated at the end of an object of `count` members.
    static func duplicatedPositions(_ count: Int) -> [Int] {
        Array(Set([0, 1, 14, 15, 16, 17, count - 2, count - 1].filter { $0 >= 0 && $0 < count })).sorted()
    }

    static let jwk: String = {
        let set = try! JSONSerialization.jsonObject(with: Data(try! TestSupport.fixture("jwks/simbee.jwks.json")))
        let keys = (set as! [String: Any])["keys"] as! [[String: Any]]
        let key = keys.first { $0["kid"] as? String == "es256-a" }!
        let data = try! JSONSerialization.data(withJSONObject: key, options: .sortedKeys)
        return String(decoding: data, as: UTF8.self)
    }()

    @Test("JWK Set document: a repeated top-level name is refused, wherever the original stands", arguments: sizes)
    func topLevel(_ count: Int) throws {
        // `keys` last, so the object has `count + 1` members before the repeat.
        let members = Self.fillers(count) + ["\"keys\":[\(Self.jwk)]"]
        #expect(try JWKSet(json: Array(("{" + members.joined(separator: ",") + "}").utf8)).count == 1, "control")
        for position in Self.duplicatedPositions(members.count) {
            let repeated = members[position].split(separator: ":", maxSplits: 1)[0] + ":null"
            let document = "{" + (members + [String(repeated)]).joined(separator: ",") + "}"
            let error = #expect(throws: JWTError.self, "member #\(position) of \(members.count)") {
                try JWKSet(json: Array(document.utf8))
            }
            #expect(error?.code == .invalidKeySet)
            #expect(error?.message.contains("duplicate") == true, "\(error?.message ?? "")")
        }
    }

    @Test("a JWK inside the set: a repeated name in a large nested object is refused", arguments: sizes)
    func nested(_ count: Int) throws {
        // The set's own members come before the key, so the nested object's names are not the
        // first names the reader has seen.
        let body = String(Self.jwk.dropFirst().dropLast())
        let members = Self.fillers(count) + [body]
        let jwk = "{" + members.joined(separator: ",") + "}"
        let prefix =
            "{" + Self.fillers(20).map { $0.replacingOccurrences(of: "\"m", with: "\"outer") }.joined(separator: ",")
        #expect(try JWKSet(json: Array((prefix + ",\"keys\":[\(jwk)]}").utf8)).count == 1, "control")
        for position in Self.duplicatedPositions(count) {
            let repeated = members[position].split(separator: ":", maxSplits: 1)[0] + ":null"
            let document = prefix + ",\"keys\":[{" + (members + [String(repeated)]).joined(separator: ",") + "}]}"
            let error = #expect(throws: JWTError.self, "member #\(position) of \(count)") {
                try JWKSet(json: Array(document.utf8))
            }
            #expect(error?.code == .invalidKeySet)
        }
    }

    @Test("a signed payload: a repeated claim name is malformed, wherever the original stands", arguments: sizes)
    func payload(_ count: Int) async throws {
        let minter = try TokenMinter(.es256A)
        var policy = ClaimsPolicy(issuer: "https://api.simbee.io", audiences: ["cl_fixture"])
        policy.clock = TestSupport.pinnedClock(1_796_000_000)
        let verifier = try JWTVerifier(keys: try TestSupport.fixtureKeySet(), configuration: .init(claims: policy))
        let members =
            [#""iss":"https://api.simbee.io""#, #""aud":"cl_fixture""#, #""exp":1796000600"#]
            + Self.fillers(count - 3)
        await TestSupport.expect(try minter.token(payload: "{" + members.joined(separator: ",") + "}"), verifier, nil)
        for position in Self.duplicatedPositions(count) {
            let original = members[position]
            let name = original.split(separator: ":", maxSplits: 1)[0]
            // The repeat carries the same value for the registered claims: only the name is wrong.
            let repeated = position < 3 ? original : name + ":null"
            let token = try minter.token(payload: "{" + (members + [String(repeated)]).joined(separator: ",") + "}")
            await TestSupport.expect(token, verifier, .malformed, "member #\(position) of \(count)")
        }
    }

    @Test("a signed payload with canonically equivalent claim names is malformed")
    func equivalentClaimNames() async throws {
        let minter = try TokenMinter(.es256A)
        var policy = ClaimsPolicy(issuer: "https://api.simbee.io", audiences: ["cl_fixture"])
        policy.clock = TestSupport.pinnedClock(1_796_000_000)
        let verifier = try JWTVerifier(keys: try TestSupport.fixtureKeySet(), configuration: .init(claims: policy))
        let registered = #""iss":"https://api.simbee.io","aud":"cl_fixture","exp":1796000600"#
        // JSONDecoder would read one "rolé" and one "KYC" of the two; the verifier refuses both.
        for members in [#""role\u0301":"admin","rol\u00e9":"user""#, #""\u212AYC":"no","KYC":"yes""#] {
            let token = try minter.token(payload: "{\(registered),\(members)}")
            await TestSupport.expect(token, verifier, .malformed, "\(members)")
        }
        // The near miss: names that only look alike are two claims.
        let token = try minter.token(payload: #"{\#(registered),"role":"admin","rol\u00e9":"user"}"#)
        await TestSupport.expect(token, verifier, nil)
    }
}
