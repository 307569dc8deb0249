import Foundation
import Testing

@_spi(Testing) @testable import SimbeeJWT

/// The registered claims are read from the payload's document: the members found must be exactly
/// those a walk over the payload's tree finds, compared byte for byte after unescaping, and nothing
/// from nested objects.
@Suite("Claims members read from the payload document")
struct RegisteredClaimsReadingTests {
    static let names = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti", "scope", "scopes", "scp"]

    /// Each registered member's value, as the claims reader finds it in the payload's document.
    static func found(_ payload: String) throws(JWTError) -> [String: JSONValue] {
        let document = try ClaimsValidation.payloadDocument(Array(payload.utf8))
        var result: [String: JSONValue] = [:]
        for name in names {
            if let value = document.member(name, of: document.root) { result[name] = document.value(value) }
        }
        return result
    }

    /// The same, from the top-level members of the tree.
    static func walked(_ payload: String) throws -> [String: JSONValue] {
        struct NotAnObject: Error {}
        guard let object = try StrictJSONReader.read(Array(payload.utf8)).objectValue else { throw NotAnObject() }
        var result: [String: JSONValue] = [:]
        for member in object.members where names.contains(where: { $0.isExactly(member.name) }) {
            result[member.name] = member.value
        }
        return result
    }

    @Test("every fixture payload: the same members as a walk over its tree")
    func fixturePayloads() throws {
        var compared = 0
        for fixture in try TestSupport.manifest().cases {
            let segments = fixture.token.split(separator: ".", omittingEmptySubsequences: false)
            guard segments.count == 3, let payload = try? Base64URL.decode(Array(segments[1].utf8)),
                let text = String(validating: payload, as: UTF8.self), (try? Self.walked(text)) != nil
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
            #"{"\u212Ass":"kelvin","i\u0301ss":"accent"}"#,
            #"{}"#,
        ]
    )
    func shapes(_ payload: String) throws {
        #expect(try Self.found(payload) == Self.walked(payload))
    }

    @Test("the registered claims are read from the top-level object alone, names matched after unescaping")
    func registeredClaimsRead() throws {
        let nested = try RegisteredClaims(payload: Array(#"{"ctx":{"sub":"inner","exp":1},"sub":"outer"}"#.utf8))
        #expect(nested.subject == "outer" && nested.expiration == nil)
        let escaped = try RegisteredClaims(payload: Array(#"{"s\u0075b":"escaped name","\u0065xp":17}"#.utf8))
        #expect(escaped.subject == "escaped name")
        #expect(escaped.expiration == Date(timeIntervalSince1970: 17))
        // Canonically equivalent to nothing registered, and not the same bytes: ignored.
        let lookalike = try RegisteredClaims(payload: Array(#"{"\u212Aid":"x","s\u0075\u0301b":"y"}"#.utf8))
        #expect(lookalike.subject == nil)
    }

    @Test("nothing is taken from a nested object")
    func nestedIgnored() throws {
        let found = try Self.found(#"{"ctx":{"sub":"inner","exp":1},"sub":"outer"}"#)
        #expect(found == ["sub": .string("outer")])
    }

    @Test(
        "a payload that is not strict JSON is malformed, never a crash",
        arguments: ["", " ", "[1", "{", #"{"sub":"a","sub":"b"}"#, "{}x", "\u{FEFF}{}", #"{"a":01}"#]
    )
    func notStrictJSON(_ payload: String) throws {
        let error = #expect(throws: JWTError.self) { _ = try Self.found(payload) }
        #expect(error?.code == .malformed)
        #expect(error?.description.contains("payload is not strict JSON") == true, "\(payload)")
    }

    @Test("valid JSON that is not an object is malformed too", arguments: ["[1]", #""sub""#, "1", "null", " [{}] "])
    func notAnObject(_ payload: String) throws {
        let error = #expect(throws: JWTError.self) { _ = try Self.found(payload) }
        #expect(error?.code == .malformed)
        #expect(error?.description.contains("payload is not a JSON object") == true, "\(payload)")
    }
}
