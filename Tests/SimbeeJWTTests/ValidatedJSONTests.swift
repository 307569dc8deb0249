import Foundation
import Testing

@testable import SimbeeJWT

/// The in-place path the verifier reads headers and claims with: `StrictJSONReader.validate`, then
/// `ValidatedJSON`. It must refuse exactly what the tree reader refuses and read the same values.
@Suite("Validated JSON (in-place reading)")
struct ValidatedJSONTests {
    private func withDocument<Result>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows
        -> Result
    {
        try Array(text.utf8).withUnsafeBufferPointer(body)
    }

    /// The tree ``ValidatedJSON`` sees, rebuilt from its walk, for comparison with the tree reader.
    private func rebuilt(_ value: ValidatedJSON.Value) -> JSONValue {
        switch value.kind {
        case .null: return .null
        case .bool: return .bool(value.text.first == UInt8(ascii: "t"))
        case .number:
            return .number(JSONNumber(text: String(decoding: value.text, as: UTF8.self), value: value.number!))
        case .string: return .string(value.stringToken!.string)
        case .array:
            var elements: [JSONValue] = []
            ValidatedJSON.forEachElement(of: value) { elements.append(rebuilt($0)) }
            return .array(elements)
        case .object:
            var members: [JSONObject.Member] = []
            ValidatedJSON.forEachMember(of: value) { name, value in
                members.append(JSONObject.Member(name: name.string, value: rebuilt(value)))
            }
            return .object(JSONObject(members: members))
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

    @Test("the walk reads the same tree as the tree reader", arguments: documents)
    func sameTree(_ text: String) throws {
        let tree = try StrictJSONReader.read(Array(text.utf8))
        try withDocument(text) { document in
            try StrictJSONReader.validate(document)
            #expect(rebuilt(ValidatedJSON.root(document)) == tree)
        }
    }

    @Test(
        "validate refuses exactly what read refuses, with the same failure",
        arguments: [
            "", "{", "[1,]", "{\"a\":1,}", "{'a':1}", "NaN", "01", "1.", "\"\\x\"", "\"\\ud800\"", "\"\\udc00\"",
            "{\"a\":1,\"a\":2}", "{\"a\":1,\"\\u0061\":2}", "[{\"k\":1,\"k\":2}]", "{} {}", "\u{FEFF}{}",
            "\"tab\there\"", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
        ]
    )
    func sameRefusals(_ text: String) {
        let viaTree = #expect(throws: StrictJSONReader.Failure.self) { try StrictJSONReader.read(Array(text.utf8)) }
        withDocument(text) { document in
            let viaValidate = #expect(throws: StrictJSONReader.Failure.self) { try StrictJSONReader.validate(document) }
            #expect(viaTree == viaValidate)
        }
    }

    @Test("invalid UTF-8 inside strings is refused by both paths, valid UTF-8 accepted by both")
    func utf8InStrings() throws {
        let invalid: [[UInt8]] = [
            [0xC3], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x80], [0xE2, 0x82],
        ]
        for sequence in invalid {
            let document = Array("{\"a\":\"x".utf8) + sequence + Array("\"}".utf8)
            #expect(throws: StrictJSONReader.Failure.self) { try StrictJSONReader.read(document) }
            #expect(throws: StrictJSONReader.Failure.self) {
                try document.withUnsafeBufferPointer { try StrictJSONReader.validate($0) }
            }
            // A multi-byte sequence cut by an escape is invalid too.
            let cut = Array("\"".utf8) + sequence + Array("\\n\"".utf8)
            #expect(throws: StrictJSONReader.Failure.self) { try StrictJSONReader.read(cut) }
        }
        let valid = "{\"é😀\":\"\u{10FFFF}\u{FFFD}\u{800}\u{7FF}\"}"
        try withDocument(valid) { try StrictJSONReader.validate($0) }
    }

    @Test("UTF-8 validation agrees with the standard library on every 1- and 2-byte input and on random longer ones")
    func utf8ValidationMatchesStandardLibrary() {
        func agrees(_ bytes: [UInt8]) -> Bool {
            let expected = String(validating: bytes, as: UTF8.self) != nil
            return bytes.withUnsafeBufferPointer { UTF8Validation.isValid($0) } == expected
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
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    @Test("duplicates are found whatever the stack of names holds: many names, deep nesting, long escaped names")
    func duplicatesBeyondTheNameStack() throws {
        // 70 names open across nesting levels: the stack of 64 is full and the innermost objects
        // fall back to a set.
        let outer = (0..<40).map { "\"o\($0)\":0" }.joined(separator: ",")
        let inner = (0..<30).map { "\"i\($0)\":0" }.joined(separator: ",")
        let accepted = "{\(outer),\"nest\":{\(inner),\"last\":{\"a\":1,\"b\":2}}}"
        #expect(throws: Never.self) { try StrictJSONReader.read(Array(accepted.utf8)) }
        for duplicate in [
            "{\(outer),\"nest\":{\(inner),\"last\":{\"a\":1,\"a\":2}}}",
            "{\(outer),\"nest\":{\(inner),\"i7\":1}}",
            "{\(outer),\"nest\":{\(inner)},\"o39\":1}",
            // Longer than the packed key, equal only after unescaping.
            #"{"a_long_member_name":1,"a_long_member_n\u0061me":2}"#,
            #"{"a_long_member_n\u0061me":1,"a_long_member_name":2}"#,
        ] {
            #expect(throws: StrictJSONReader.Failure.self) { try StrictJSONReader.read(Array(duplicate.utf8)) }
            _ = withDocument(duplicate) { document in
                #expect(throws: StrictJSONReader.Failure.self) { try StrictJSONReader.validate(document) }
            }
        }
        // Same packed key (first eight bytes and length), different names: not duplicates.
        #expect(throws: Never.self) { try StrictJSONReader.read(Array(#"{"abcdefgh_1":1,"abcdefgh_2":2}"#.utf8)) }
    }

    @Test("member lookup compares names byte for byte after unescaping")
    func memberLookup() throws {
        try withDocument(#"{"sub":"cu_1","su\u0062x":2,"\u212Aey":3,"empty":""}"#) { document in
            try StrictJSONReader.validate(document)
            let root = ValidatedJSON.root(document)
            #expect(ValidatedJSON.member("sub", of: root)?.stringToken?.string == "cu_1")
            #expect(ValidatedJSON.member("subx", of: root)?.number == 2)
            #expect(ValidatedJSON.member("Key", of: root) == nil)
            #expect(ValidatedJSON.member("\u{212A}ey", of: root)?.number == 3)
            #expect(ValidatedJSON.member("empty", of: root)?.stringToken?.string == "")
            #expect(ValidatedJSON.member("missing", of: root) == nil)
        }
    }
}
