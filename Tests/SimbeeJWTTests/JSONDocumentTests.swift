import Foundation
import Testing

@testable import SimbeeJWT

/// Reading values out of the document the strict reader yields, the way the verifier reads headers
/// and claims: members, elements, strings, numbers, by the nodes the reader located.
@Suite("JSON document (values read where the strict reader found them)")
struct JSONDocumentTests {
    /// The tree rebuilt through the document's accessors, for comparison with the reader's tree.
    private func rebuilt(_ document: SimbeeJWT.JSONDocument, _ node: Int) -> JSONValue {
        switch document.kind(node) {
        case .null: return .null
        case .bool: return .bool(document.text(node).first == UInt8(ascii: "t"))
        case .number:
            return .number(JSONNumber(text: String(decoding: document.text(node), as: UTF8.self), value: document.number(node)!))
        case .string: return .string(document.string(node)!)
        case .array: return .array(document.elements(of: node).map { rebuilt(document, $0) })
        case .object:
            return .object(
                JSONObject(
                    members: document.members(of: node).map {
                        JSONObject.Member(name: document.string($0.name)!, value: rebuilt(document, $0.value))
                    }
                )
            )
        }
    }

    static let documents = [
        #"{"a":1}"#,
        #" { "a" : [ 1 , -2.5e3 , true , false , null , "x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00" ] , "b" : { } } "#,
        #"{"s":"a]b}c{d[e\"f","n":{"deep":[[{"x":"\\"}],[]]},"e":[],"o":{},"t":"é😀"}"#,
        #"[{"x":1},{"y":[2,{"z":"}"}]}]"#,
        #""top-level string""#, "0", "-0.0e+0", "true", "null", "[]", "{}",
        #"{"\u0061lg":"\u0045S256","kid":"k\u00e9y"}"#,
    ]

    @Test("the accessors read the same tree as the reader", arguments: documents)
    func sameTree(_ text: String) throws {
        let tree = try StrictJSONReader.read(Array(text.utf8))
        let document = try StrictJSONReader.parse(Array(text.utf8))
        #expect(rebuilt(document, document.root) == tree)
    }

    @Test(
        "parse refuses what read refuses, with the same failure",
        arguments: [
            "", "{", "[1,]", "{\"a\":1,}", "{'a':1}", "NaN", "01", "1.", "\"\\x\"", "\"\\ud800\"", "\"\\udc00\"",
            "{\"a\":1,\"a\":2}", "{\"a\":1,\"\\u0061\":2}", "[{\"k\":1,\"k\":2}]", "{} {}", "\u{FEFF}{}",
            "\"tab\there\"", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
        ]
    )
    func sameRefusals(_ text: String) {
        let viaTree = #expect(throws: StrictJSONReader.Failure.self) { try StrictJSONReader.read(Array(text.utf8)) }
        let viaDocument = #expect(throws: StrictJSONReader.Failure.self) {
            try StrictJSONReader.parse(Array(text.utf8))
        }
        #expect(viaTree == viaDocument)
    }

    @Test("invalid UTF-8 inside strings is refused, valid UTF-8 accepted")
    func utf8InStrings() throws {
        let invalid: [[UInt8]] = [
            [0xC3], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x80], [0xE2, 0x82],
        ]
        for sequence in invalid {
            let document = Array("{\"a\":\"x".utf8) + sequence + Array("\"}".utf8)
            #expect(throws: StrictJSONReader.Failure.invalidUTF8(offset: 5)) { try StrictJSONReader.parse(document) }
            // A multi-byte sequence cut by an escape is invalid too.
            let cut = Array("\"".utf8) + sequence + Array("\\n\"".utf8)
            #expect(throws: StrictJSONReader.Failure.self) { try StrictJSONReader.read(cut) }
        }
        let valid = "{\"é😀\":\"\u{10FFFF}\u{FFFD}\u{800}\u{7FF}\"}"
        let document = try StrictJSONReader.parse(Array(valid.utf8))
        #expect(document.member("é😀", of: document.root).flatMap(document.string) == "\u{10FFFF}\u{FFFD}\u{800}\u{7FF}")
    }

    @Test("UTF-8 validation agrees with the standard library on every 1- and 2-byte input and on random longer ones")
    func utf8ValidationMatchesStandardLibrary() {
        func agrees(_ bytes: [UInt8]) -> Bool {
            let expected = String(validating: bytes, as: UTF8.self) != nil
            return UTF8Validation.isValid(bytes[...]) == expected
        }
        var mismatches: [[UInt8]] = []
        for first in 0...255 {
            if !agrees([UInt8(first)]) { mismatches.append([UInt8(first)]) }
            for second in 0...255 where !agrees([UInt8(first), UInt8(second)]) {
                mismatches.append([UInt8(first), UInt8(second)])
            }
        }
        // Every lead byte of a 3- and 4-byte sequence with every second byte, and random tails.
        var generator = SystemRandomNumberGenerator()
        for lead in 0xE0...0xF7 {
            for second in 0...255 {
                for _ in 0..<8 {
                    let tail = (0..<Int.random(in: 1...3, using: &generator)).map { _ in
                        Bool.random(using: &generator)
                            ? UInt8.random(in: 0x80...0xBF, using: &generator)
                            : UInt8.random(in: 0...255, using: &generator)
                    }
                    let bytes = [UInt8(lead), UInt8(second)] + tail
                    if !agrees(bytes) { mismatches.append(bytes) }
                }
            }
        }
        // A slice that does not start at index 0 is read from its own start.
        #expect(UTF8Validation.isValid(([0xFF, 0xC3, 0xA9] as [UInt8])[1...]))
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    @Test("duplicates are found in many names, deep nesting and long escaped names")
    func duplicatesInLargeObjects() throws {
        // 40 and 30 names: both objects outgrow the linear scan and check with a set.
        let outer = (0..<40).map { "\"o\($0)\":0" }.joined(separator: ",")
        let inner = (0..<30).map { "\"i\($0)\":0" }.joined(separator: ",")
        let accepted = "{\(outer),\"nest\":{\(inner),\"last\":{\"a\":1,\"b\":2}}}"
        #expect(throws: Never.self) { try StrictJSONReader.parse(Array(accepted.utf8)) }
        for duplicate in [
            "{\(outer),\"nest\":{\(inner),\"last\":{\"a\":1,\"a\":2}}}",
            "{\(outer),\"nest\":{\(inner),\"i7\":1}}",
            "{\(outer),\"nest\":{\(inner)},\"o39\":1}",
            "{\(outer),\"nest\":{\(inner)},\"o\\u0031\":1}",
            // Equal only after unescaping.
            #"{"a_long_member_name":1,"a_long_member_n\u0061me":2}"#,
            #"{"a_long_member_n\u0061me":1,"a_long_member_name":2}"#,
        ] {
            #expect(throws: StrictJSONReader.Failure.self) { try StrictJSONReader.parse(Array(duplicate.utf8)) }
        }
        // Same first eight bytes and length, different names: not duplicates.
        #expect(throws: Never.self) { try StrictJSONReader.parse(Array(#"{"abcdefgh_1":1,"abcdefgh_2":2}"#.utf8)) }
    }

    @Test("member lookup compares names byte for byte after unescaping")
    func memberLookup() throws {
        let document = try StrictJSONReader.parse(Array(#"{"sub":"cu_1","su\u0062x":2,"\u212Aey":3,"empty":""}"#.utf8))
        let root = document.root
        #expect(document.member("sub", of: root).flatMap(document.string) == "cu_1")
        #expect(document.member("subx", of: root).flatMap(document.number) == 2)
        #expect(document.member("Key", of: root) == nil)
        #expect(document.member("\u{212A}ey", of: root).flatMap(document.number) == 3)
        #expect(document.member("empty", of: root).map(document.isEmptyString) == true)
        #expect(document.member("missing", of: root) == nil)
        // Only ASCII names are offered for matching against known names.
        let names = document.members(of: root).map { document.asciiString($0.name) }
        #expect(names == ["sub", "subx", nil, "empty"])
    }
}
