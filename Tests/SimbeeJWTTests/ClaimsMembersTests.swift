import Foundation
import Testing

@_spi(Testing) @testable import SimbeeJWT

/// The registered claims are picked out while the strict reader validates the payload: the result
/// must be exactly what a separate walk over the validated document finds, and nothing from nested
/// objects.
@Suite("Claims members found in the validating pass")
struct ClaimsMembersTests {
    static let names = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti", "scope", "scopes", "scp"]

    /// Each registered member's kind and text, as the one-pass reader found them.
    static func found(_ document: String) throws(JWTError) -> [String: String] {
        let bytes = Array(document.utf8)
        return try bytes.withUnsafeBufferPointer { buffer throws(JWTError) in
            let members = try ClaimsMembers(validating: buffer)
            var result: [String: String] = [:]
            for name in names {
                if let value = members.value(named: name) {
                    result[name] = "\(value.kind):\(String(decoding: value.text, as: UTF8.self))"
                }
            }
            return result
        }
    }

    /// The same, by validating first and then walking the top-level members.
    static func walked(_ document: String) throws -> [String: String] {
        let bytes = Array(document.utf8)
        return try bytes.withUnsafeBufferPointer { buffer in
            try StrictJSONReader.validate(buffer)
            var result: [String: String] = [:]
            ValidatedJSON.forEachMember(of: ValidatedJSON.root(buffer)) { name, value in
                let decoded = name.string
                if names.contains(decoded) {
                    result[decoded] = "\(value.kind):\(String(decoding: value.text, as: UTF8.self))"
                }
            }
            return result
        }
    }

    @Test("every fixture payload: the same members as a walk over the validated document")
    func fixturePayloads() throws {
        var compared = 0
        for fixture in try TestSupport.manifest().cases {
            let segments = fixture.token.split(separator: ".", omittingEmptySubsequences: false)
            guard segments.count == 3, let payload = try? Base64URL.decode(Array(segments[1].utf8)),
                let text = String(validating: payload, as: UTF8.self), (try? Self.walked(text)) != nil,
                text.first == "{"
            else { continue }
            #expect(try Self.found(text) == Self.walked(text), "\(fixture.name)")
            compared += 1
        }
        #expect(compared >= 60)
    }

    @Test(
        "nested objects, escapes, whitespace and odd values",
        arguments: [
            #"{"ctx":{"sub":"inner","exp":1},"sub":"outer"}"#,
            #"{"s\u0075b":"escaped name","\u0065xp":17}"#,
            " \t{ \"aud\" : [ \"a\" , {\"iss\":\"x\"} ] ,\n\"nbf\":-0.5e3 } \r\n",
            #"{"scope":null,"scopes":true,"scp":{"sub":[1,{"jti":"deep"}]},"jti":"top"}"#,
            #"{"iss":"\"quoted\\"}"#,
            #"{}"#,
        ]
    )
    func shapes(_ document: String) throws {
        #expect(try Self.found(document) == Self.walked(document))
    }

    @Test("the packed name constants are the names")
    func nameConstants() {
        typealias Names = ClaimsMembers.Names
        let constants = [
            Names.iss, Names.sub, Names.aud, Names.exp, Names.nbf, Names.iat, Names.jti, Names.scope, Names.scopes,
            Names.scp,
        ]
        #expect(constants == Self.names.map { NameKey($0) })
        #expect(Set(constants.map(\.packed)).count == constants.count)
    }

    @Test("nothing is taken from a nested object")
    func nestedIgnored() throws {
        let found = try Self.found(#"{"ctx":{"sub":"inner","exp":1},"sub":"outer"}"#)
        #expect(found == ["sub": #"string:"outer""#])
    }

    @Test(
        "a payload that is not strict JSON is malformed, never a crash",
        arguments: ["", " ", "[1", "{", #"{"sub":"a","sub":"b"}"#, "{}x", "\u{FEFF}{}", #"{"a":01}"#]
    )
    func notStrictJSON(_ document: String) throws {
        let error = #expect(throws: JWTError.self) { _ = try Self.found(document) }
        #expect(error?.code == .malformed)
        #expect(error?.description.contains("payload is not strict JSON") == true, "\(document)")
    }

    @Test("valid JSON that is not an object is malformed too", arguments: ["[1]", #""sub""#, "1", "null", " [{}] "])
    func notAnObject(_ document: String) throws {
        let error = #expect(throws: JWTError.self) { _ = try Self.found(document) }
        #expect(error?.code == .malformed)
        #expect(error?.description.contains("payload is not a JSON object") == true, "\(document)")
    }
}
