import Foundation
import Testing
@testable import SimbeeJWT

@Suite("Strict JSON reader (RFC 8259)")
struct StrictJSONReaderTests {
    private func read(_ text: String, limits: StrictJSONReader.Limits = .init()) throws -> JSONValue {
        try StrictJSONReader.read(Array(text.utf8), limits: limits)
    }

    @Test("valid documents parse to the expected values")
    func parsesValidDocuments() throws {
        let value = try read(#" { "a" : [1, -2.5e3, true, false, null, "x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"], "b": {} } "#)
        let object = try #require(value.objectValue)
        #expect(object.members.map(\.name) == ["a", "b"])
        guard case .array(let elements)? = object["a"] else { Issue.record("a is not an array"); return }
        #expect(elements.count == 6)
        guard case .number(let one) = elements[0], case .number(let big) = elements[1] else {
            Issue.record("numbers expected"); return
        }
        #expect(one.value == 1 && one.text == "1")
        #expect(big.value == -2500 && big.text == "-2.5e3")
        #expect(elements[2] == .bool(true) && elements[3] == .bool(false) && elements[4] == .null)
        #expect(elements[5] == .string("x\"\\/\u{08}\u{0C}\n\r\té😀"))
        #expect(object["b"] == .object(JSONObject(members: [])))
        // Top-level scalars are JSON too (RFC 8259 §2).
        #expect(try read("7") == .number(JSONNumber(text: "7", value: 7)))
        #expect(try read("\"s\"") == .string("s"))
    }

    @Test("strings decode to their exact UTF-8 bytes: empty, small, long, raw and escaped non-ASCII")
    func decodesStringsToExactBytes() throws {
        let cases: [(json: String, expected: String)] = [
            (#""""#, ""),
            (#""cu_fixture1""#, "cu_fixture1"),  // fits in a small string
            (#""https://api.simbee.io/a/path/past/fifteen/bytes""#, "https://api.simbee.io/a/path/past/fifteen/bytes"),
            (
                #""caf\u00e9 cafe\u0301 \ud83d\ude00 \u212A and raw é😀, past fifteen bytes""#,
                "caf\u{E9} cafe\u{301} \u{1F600} \u{212A} and raw é😀, past fifteen bytes"
            ),
            (#""\u00e9""#, "\u{E9}"),
        ]
        for (json, expected) in cases {
            guard case .string(let decoded) = try read(json) else {
                Issue.record("\(json) is not a string")
                continue
            }
            // Bytes, not `==`: String equality would take "cafe\u{301}" for "caf\u{E9}".
            #expect(Array(decoded.utf8) == Array(expected.utf8), "\(json)")
        }
    }

    @Test("duplicate member names are refused at every depth, compared after unescaping", arguments: [
        #"{"alg":"ES256","alg":"none"}"#,
        #"{"a":1,"\u0061":2}"#,
        #"{"outer":{"cnf":{"k":1,"k":2}}}"#,
        #"[{"x":1},{"y":1,"y":1}]"#,
    ])
    func refusesDuplicates(_ document: String) {
        #expect(throws: StrictJSONReader.Failure.self) { try read(document) }
    }

    @Test("duplicates are found in large objects too (set-based past 16 members)")
    func refusesDuplicatesInLargeObjects() {
        var members = (0..<100).map { "\"m\($0)\":\($0)" }
        members.append("\"m42\":0")
        let document = "{" + members.joined(separator: ",") + "}"
        #expect(throws: StrictJSONReader.Failure.self) { try read(document) }
        members.removeLast()
        #expect(throws: Never.self) { try read("{" + members.joined(separator: ",") + "}") }
    }

    @Test("a byte-order mark is refused")
    func refusesBOM() {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("{}".utf8)
        #expect(throws: StrictJSONReader.Failure.byteOrderMark) { try StrictJSONReader.read(bytes) }
    }

    @Test("non-RFC 8259 syntax is refused", arguments: [
        "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{'a':1}", "{a:1}", "NaN", "Infinity", "-Infinity", "01", "-01",
        "1.", ".5", "1e", "1e+", "+1", "0x10", "tru", "nul", "True", "// c\n{}", "/* c */{}", "{\"a\" 1}", "[1 2]",
        "\"unterminated", "\"tab\there\"", "\"nl\nhere\"", "\"\\x\"", "\"\\u12\"", "\"\\uZZZZ\"", "{} {}", "{}x",
        "[]]", "\u{0C}{}", "{\"a\":1}\u{00A0}",
    ])
    func refusesNonStandardSyntax(_ document: String) {
        #expect(throws: StrictJSONReader.Failure.self) { try read(document) }
    }

    @Test("lone surrogate escapes are refused; a valid pair is accepted", arguments: [
        #""\ud800""#, #""\udc00""#, #""\ud800x""#, #""\ud800\u0041""#, #""\udc00\ud800""#,
        // Two high halves: the second is no low surrogate.
        #""\ud800\ud800""#, #""\udbff\udbff""#,
    ])
    func refusesLoneSurrogates(_ document: String) {
        #expect(throws: StrictJSONReader.Failure.self) { try read(document) }
    }

    @Test("invalid UTF-8 inside strings is refused", arguments: [
        [0x22, 0xFF, 0x22], [0x22, 0xC3, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xC0, 0xAF, 0x22],
        [0x22, 0x5C, 0x6E, 0xC3, 0x22],
    ] as [[UInt8]])
    func refusesInvalidUTF8(_ bytes: [UInt8]) {
        #expect(throws: StrictJSONReader.Failure.self) { try StrictJSONReader.read(bytes) }
    }

    @Test("nesting depth is bounded: the limit is accepted, one more is refused")
    func depthLimit() throws {
        let limits = StrictJSONReader.Limits(maxDepth: 5)
        #expect(throws: Never.self) { try read("[[[[[]]]]]", limits: limits) }
        #expect(throws: StrictJSONReader.Failure.self) { try read("[[[[[[]]]]]]", limits: limits) }
        #expect(throws: Never.self) { try read(#"{"a":{"b":{"c":{"d":{}}}}}"#, limits: limits) }
        #expect(throws: StrictJSONReader.Failure.self) { try read(#"{"a":{"b":{"c":{"d":{"e":{}}}}}}"#, limits: limits) }
    }

    @Test("100,000 nested arrays are refused without exhausting the stack")
    func deepNesting() {
        let document = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: StrictJSONReader.Failure.self) { try read(document) }
    }

    @Test("the size limit is checked before parsing")
    func sizeLimit() {
        let limits = StrictJSONReader.Limits(maxDepth: 32, maxBytes: 8)
        #expect(throws: Never.self) { try read("[1,2,33]", limits: limits) }
        #expect(throws: StrictJSONReader.Failure.tooLarge) { try read("[1,2,333]", limits: limits) }
    }

    @Test("numbers keep their text; overflow becomes infinite for callers to refuse")
    func numbers() throws {
        guard case .number(let huge) = try read("1e400") else { Issue.record("not a number"); return }
        #expect(huge.value.isInfinite)
        guard case .number(let exponent) = try read("1.7960009E9") else { Issue.record("not a number"); return }
        #expect(exponent.value == 1_796_000_900)
        #expect(exponent.text == "1.7960009E9")
    }

    @Test("serialization is compact, keeps order and number text, and reparses to the same value")
    func serializationRoundTrip() throws {
        let text = #"{ "b" : [ 1.50 , "é\n\u0001\"" ] , "a" : null }"#
        let value = try read(text)
        let compact = value.serialized()
        #expect(compact == #"{"b":[1.50,"é\n\u0001\""],"a":null}"#)
        #expect(try read(compact) == value)
    }

    // Why Foundation cannot be the gate: these pin its behaviour so the reason stays true.
    @Test("Foundation's decoders take one of two duplicate members instead of refusing")
    func foundationAcceptsDuplicates() throws {
        let document = Data(#"{"alg":"ES256","alg":"none"}"#.utf8)
        struct Header: Decodable { let alg: String }
        let decoded = try? JSONDecoder().decode(Header.self, from: document)
        let serialized = try? JSONSerialization.jsonObject(with: document) as? [String: Any]
        // Whichever of the two it picks, neither reports the duplicate.
        #expect(decoded != nil || serialized != nil)
        #expect(throws: StrictJSONReader.Failure.self) { try StrictJSONReader.read(Array(document)) }
    }
}

@Suite("Identifiers are compared byte for byte; equivalent member names are duplicates")
struct ExactTextTests {
    /// Pairs of member names, the second canonically equivalent to the first (NFC and NFD, raw and
    /// escaped; a singleton decomposition to ASCII, each way round; the Angstrom sign).
    static let equivalentNames: [(String, String)] = [
        (#""caf\u00e9""#, #""cafe\u0301""#),
        ("\"caf\u{E9}\"", "\"cafe\u{301}\""),
        (#""\u212AYC""#, #""KYC""#),
        (#""KYC""#, #""\u212AYC""#),
        ("\"\u{212A}\"", #""K""#),
        (#""\u212B""#, #""\u00C5""#),
    ]

    /// Near misses: close to each other, yet not canonically equivalent.
    static let distinctNames: [(String, String)] = [
        (#""caf\u00e9""#, #""cafe""#),
        (#""K""#, #""k""#),
        (#""\u00e9""#, #""\u00e8""#),
        (#""\u212A""#, #""KK""#),
        ("\"\u{E9}\"", #""e""#),
    ]

    /// `{first:1,second:2}`, alone or after `fillers` members of its own (past 16, the reader
    /// checks names with a set).
    static func object(_ first: String, _ second: String, fillers: Int) -> [UInt8] {
        let members = (0..<fillers).map { "\"m\($0)\":0" } + ["\(first):1", "\(second):2"]
        return Array(("{" + members.joined(separator: ",") + "}").utf8)
    }

    @Test("canonically equivalent member names are duplicates, in small and large objects")
    func equivalentNamesAreDuplicates() {
        for (first, second) in Self.equivalentNames {
            for fillers in [0, 15, 20] {
                #expect(throws: StrictJSONReader.Failure.self, "\(first) \(second) after \(fillers)") {
                    try StrictJSONReader.read(Self.object(first, second, fillers: fillers))
                }
            }
        }
        // An exact repeat after a name that is not ASCII (the canonical comparison) is still refused.
        #expect(throws: StrictJSONReader.Failure.self) {
            try StrictJSONReader.read(Array(#"{"\u00e9":0,"a":1,"a":2}"#.utf8))
        }
    }

    @Test("names that are close but not canonically equivalent stay distinct members")
    func closeNamesAreDistinct() throws {
        for (first, second) in Self.distinctNames {
            for fillers in [0, 15, 20] {
                let object = try StrictJSONReader.read(Self.object(first, second, fillers: fillers)).objectValue
                #expect(object?.members.count == fillers + 2, "\(first) \(second) after \(fillers)")
            }
        }
        // Lookups stay byte for byte: an NFD name does not find the NFC member.
        let object = try #require(try StrictJSONReader.read(Array(#"{"caf\u00e9":1}"#.utf8)).objectValue)
        #expect(object["caf\u{E9}"] != nil)
        #expect(object["cafe\u{301}"] == nil)
    }

    // Why equivalent names must be refused: `decodeClaims` and `ClaimRule` hand the payload to
    // `JSONDecoder`, which keys members by `String` and so reads the two as one.
    @Test("JSONDecoder reads canonically equivalent member names as one key")
    func foundationMergesEquivalentNames() throws {
        let decoded = try JSONDecoder().decode([String: Int].self, from: Data(#"{"caf\u00e9":1,"cafe\u0301":2}"#.utf8))
        #expect(decoded.count == 1)
    }

    @Test("headers and claims compare and hash byte for byte: equivalent spellings differ")
    func equalityIsExact() throws {
        func header(kid: String) throws -> UnverifiedHeader {
            let json = #"{"alg":"ES256","kid":"\#(kid)"}"#
            return try UnverifiedHeader(peekingAt: Base64URL.encode(Array(json.utf8)) + ".e30.c2ln")
        }
        let nfc = try header(kid: "caf\u{E9}")
        let nfd = try header(kid: "cafe\u{301}")
        #expect(nfc != nfd)
        #expect(Set([nfc, nfd]).count == 2)
        #expect(try header(kid: "caf\u{E9}") == nfc)  // the near miss: the same bytes

        let verified = { (kid: String) in VerifiedJWT.Header(algorithm: .es256, keyID: kid, type: nil) }
        #expect(verified("caf\u{E9}") != verified("cafe\u{301}"))
        #expect(verified("caf\u{E9}") == verified("caf\u{E9}"))

        let claims = { (iss: String) in try RegisteredClaims(payload: Array(#"{"iss":"\#(iss)","scope":"a"}"#.utf8)) }
        #expect(try claims("\u{212A}YC") != claims("KYC"))
        #expect(try Set([claims("\u{212A}YC"), claims("KYC")]).count == 2)
        #expect(try claims("KYC") == claims("KYC"))
    }

    /// A P-256 point's coordinates and an Ed25519 public key, for key sets built by hand.
    static let (x, y) = ("JnpvIYi4Et2GGawvaxP24_smPa5DePwVyU5gP1lglUY", "VQ8lKokb-Yc2Ya4Wz_yQJUR8_IKYfeXKLSHV_RLJIT0")
    static let okpX = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"

    @Test("kty and crv are case-sensitive, and an empty key_ops permits nothing")
    func keyMemberSpelling() throws {
        let members = [
            #"{"kty":"ec","crv":"P-256","x":"\#(Self.x)","y":"\#(Self.y)","kid":"a"}"#,
            #"{"kty":"Ec","crv":"P-256","x":"\#(Self.x)","y":"\#(Self.y)","kid":"b"}"#,
            #"{"kty":"OKP","crv":"ed25519","x":"\#(Self.okpX)","kid":"c"}"#,
            #"{"kty":"EC","crv":"P-256","x":"\#(Self.x)","y":"\#(Self.y)","kid":"d","key_ops":[]}"#,
            #"{"kty":"EC","crv":"P-256","x":"\#(Self.x)","y":"\#(Self.y)","kid":"ok"}"#,
            #"{"kty":"OKP","crv":"Ed25519","x":"\#(Self.okpX)","kid":"ok-okp"}"#,
        ]
        let keySet = try JWKSet(json: Array(#"{"keys":["#.utf8) + Array(members.joined(separator: ",").utf8) + Array("]}".utf8))
        #expect(keySet.keyIDs == ["ok", "ok-okp"])
        #expect(keySet.skippedKeys.map(\.keyID) == ["a", "b", "c", "d"])
    }

    @Test("kty, crv, use and key_ops with look-alike code points are not the ASCII values")
    func lookalikeKeyMembers() throws {
        let members = [
            #"{"kty":"O\u212AP","crv":"Ed25519","x":"\#(Self.okpX)","kid":"a"}"#,
            #"{"kty":"EC","crv":"P-256","x":"\#(Self.x)","y":"\#(Self.y)","kid":"b","use":"sig\u0301"}"#,
            #"{"kty":"EC","crv":"P-256","x":"\#(Self.x)","y":"\#(Self.y)","kid":"c","key_ops":["verify\u0301"]}"#,
            #"{"kty":"EC","crv":"P-256","x":"\#(Self.x)","y":"\#(Self.y)","kid":"ok"}"#,
        ]
        let keySet = try JWKSet(json: Array(#"{"keys":["#.utf8) + Array(members.joined(separator: ",").utf8) + Array("]}".utf8))
        #expect(keySet.keyIDs == ["ok"])
        #expect(keySet.skippedKeys.map(\.keyID) == ["a", "b", "c"])
    }

    @Test("alg names and scopes compare exactly")
    func algorithmAndScopes() throws {
        #expect(JWTAlgorithm(name: "ES256") == .es256)
        #expect(JWTAlgorithm(name: "E\u{0053}256") == .es256)  // the same bytes, written as an escape
        #expect(JWTAlgorithm(name: "EdDS\u{0041}\u{0301}") == nil)
        let claims = try RegisteredClaims(payload: Array(#"{"scopes":["\u212Aey","Key"]}"#.utf8))
        #expect(claims.scopes.count == 2)
        #expect(claims.hasScope("Key") && claims.hasScope("\u{212A}ey") && !claims.hasScope("key"))
    }
}
