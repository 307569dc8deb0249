import Foundation
import PropertyBased
import Testing

@testable import SimbeeJWT

/// The strict JSON reader against Foundation's `JSONSerialization` on random documents: on every
/// RFC 8259 document without duplicate member names, both must read the same values. Documents are
/// written with random whitespace, random escapes (short, `\uXXXX` in either case, surrogate pairs)
/// and every kind of number form, from a model the test also compares against.
///
/// Where the two parsers are meant to differ (duplicate names, a byte-order mark, lone surrogates,
/// raw control characters) the strict reader must refuse; on arbitrarily mutated documents it may
/// refuse more than Foundation, but whatever it accepts, Foundation reads the same way.
@Suite("Properties: strict JSON reader")
struct JSONReaderProperties {
    @Test("differential: the strict reader and JSONSerialization read the same values from generated documents")
    func differential() async {
        await propertyCheck(count: 400, input: RandomJSON.documents) { document in
            let ours = try StrictJSONReader.read(document.text)
            let theirs = try JSONSerialization.jsonObject(with: Data(document.text), options: .fragmentsAllowed)
            #expect(JSONComparison.same(ours, theirs), "Foundation read \(theirs)")
            #expect(JSONComparison.matches(ours, document.model))
        }
    }

    @Test("U+FEFF inside a string is a character: kept at the start, after an escape and as an escape")
    func byteOrderMarkInsideStrings() throws {
        for (text, scalars) in [
            ("\"\u{FEFF}x\"", [0xFEFF, 0x78]), (#""t\n"# + "\u{FEFF}x\"", [0x74, 0x0A, 0xFEFF, 0x78]),
            (#""\uFEFF""#, [0xFEFF]), (#"{"\#u{FEFF}k":1}"#, [0xFEFF, 0x6B]),
        ] {
            let value = try StrictJSONReader.read(Array(text.utf8))
            let string = value.stringValue ?? value.objectValue?.members.first?.name ?? ""
            #expect(string.unicodeScalars.map(\.value) == scalars.map(UInt32.init), "\(text.debugDescription)")
        }
    }

    @Test("the reader's own serialization reads back to exactly the same value")
    func serializationRoundTrip() async {
        await propertyCheck(count: 300, input: RandomJSON.documents) { document in
            let value = try StrictJSONReader.read(document.text)
            let again = try StrictJSONReader.read(Array(value.serialized().utf8))
            #expect(JSONComparison.identical(value, again))
        }
    }

    @Test("a duplicated member name, however it is escaped and however deep, is refused")
    func duplicates() async {
        await propertyCheck(count: 400, input: RandomJSON.documentsWithDuplicate) { document in
            #expect {
                try StrictJSONReader.read(document.text)
            } throws: { error in
                guard case .duplicateMemberName = error as? StrictJSONReader.Failure else { return false }
                return true
            }
        }
    }

    @Test("JSON whitespace around a document is ignored; any other leading or trailing character refuses it")
    func surroundings() async {
        let others: [[UInt8]] = [
            [0x0B], [0x0C], [0x00], Array("\u{A0}".utf8), Array("\u{FEFF}".utf8), Array("\u{2028}".utf8),
            Array(",".utf8), Array("}".utf8), Array("]".utf8), Array("0".utf8), Array("\"".utf8),
        ]
        let input = zip(RandomJSON.documents, Gen<Int>.int(in: 0...10), Gen.bool)
        await propertyCheck(count: 300, input: input) { document, pick, leading throws in
            let whitespace = Array(" \t\r\n".utf8)
            let padded = [whitespace[pick % 4]] + document.text + [whitespace[(pick + 1) % 4]]
            #expect(
                JSONComparison.identical(try StrictJSONReader.read(padded), try StrictJSONReader.read(document.text))
            )
            let extra = others[pick]
            // A digit after a number continues it: that case is a different document, not garbage.
            if case .number = document.model, extra == Array("0".utf8), !leading { return }
            let text = leading ? extra + document.text : document.text + extra
            #expect(throws: StrictJSONReader.Failure.self, "\(String(decoding: text, as: UTF8.self))") {
                try StrictJSONReader.read(text)
            }
        }
    }

    @Test("mutated documents: whatever the strict reader accepts, JSONSerialization reads the same way")
    func mutations() async {
        let input = zip(
            RandomJSON.documents,
            Gen<Int>.int(in: 0...100_000),
            Gen<UInt8>.value(in: 0...255),
            Gen<Int>.int(in: 0...2)
        )
        await propertyCheck(count: 1000, input: input) { document, position, byte, operation in
            var text = document.text
            let index = position % (text.count + 1)
            switch operation {
            case 0: text.insert(byte, at: index)
            case 1 where index < text.count: text.remove(at: index)
            default: if index < text.count { text[index] = byte }
            }
            guard let ours = try? StrictJSONReader.read(text) else { return }
            // Overflowing numbers (1e400) are read as infinite and refused later by whoever needs a
            // finite value; Foundation refuses them outright.
            guard !JSONComparison.hasNonFiniteNumber(ours) else { return }
            let theirs = try JSONSerialization.jsonObject(with: Data(text), options: .fragmentsAllowed)
            #expect(JSONComparison.same(ours, theirs), "\(String(decoding: text, as: UTF8.self))")
        }
    }

    @Test("read in place inside a larger buffer, a document reads exactly as its bytes alone, failures too")
    func inPlace() async {
        // Bytes around the document that would change the reading if the reader strayed past its
        // range: an open string, an open object, a digit, a comma, whitespace, the end of `true`, a
        // decimal point.
        let surroundings: [[UInt8]] = [
            [], Array("\"".utf8), Array("{".utf8), Array("7".utf8), Array(",]".utf8), Array(" \n".utf8),
            Array("e".utf8),
            Array(".5".utf8),
        ]
        func compare(_ text: [UInt8], before: [UInt8], after: [UInt8]) {
            let buffer = before + text + after
            let range = before.count..<(before.count + text.count)
            let alone = Result { () throws(StrictJSONReader.Failure) in try StrictJSONReader.parse(text) }
            let inPlace = Result { () throws(StrictJSONReader.Failure) in
                try StrictJSONReader.parse(buffer, in: range)
            }
            switch (alone, inPlace) {
            case (.success(let a), .success(let b)):
                #expect(JSONComparison.identical(a.value(a.root), b.value(b.root)))
                #expect(Array(b.source) == text)
            case (.failure(let a), .failure(let b)):
                #expect(a == b, "\(String(decoding: buffer, as: UTF8.self)): offsets count from the range's start")
            default:
                Issue.record("\(String(decoding: buffer, as: UTF8.self)): alone \(alone), in place \(inPlace)")
            }
        }
        // Every cut of short documents that end inside a literal, a number, a string or a container.
        for document in [#"true"#, #"-12.5e+7"#, #"0"#, #""a\u0062""#, #"[1,{"k":[]}]"#, #"{"a":"b"}"#] {
            let bytes = Array(document.utf8)
            for cut in 0...bytes.count {
                for after in surroundings { compare(Array(bytes[..<cut]), before: Array("[".utf8), after: after) }
            }
        }
        let input = zip(RandomJSON.documents, Gen<Int>.int(in: 0...100_000), Gen<UInt8>.value(in: 0...255))
        await propertyCheck(count: 1500, input: input) { document, pick, byte in
            var text = document.text
            // Failures are compared too: a changed byte, or the document cut short, so that the
            // reader meets the end of its range inside a value.
            if pick % 3 == 0, !text.isEmpty { text[pick % text.count] = byte }
            if pick % 3 == 1 { text = Array(text.prefix(pick % (text.count + 1))) }
            compare(
                text,
                before: surroundings[pick % surroundings.count],
                after: surroundings[(pick / 11) % surroundings.count]
            )
        }
    }
}

// MARK: - Generating documents

/// A JSON value as the generator built it: numbers as their text, strings as scalars.
indirect enum JSONModel: Sendable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONModel])
    case object([(name: String, value: JSONModel)])
}

/// A generated document: its model and one of its many spellings.
struct JSONDocument: Sendable, CustomStringConvertible {
    let model: JSONModel
    let text: [UInt8]
    var description: String { String(decoding: text, as: UTF8.self) }
}

enum RandomJSON {
    /// Documents of any top-level value, up to 5 levels deep.
    static let documents = Generator<JSONDocument, Shrink.None<JSONDocument>>(run: { rng in
        let model = value(depth: 1, &rng)
        var text: [UInt8] = []
        write(model, into: &text, &rng)
        return JSONDocument(model: model, text: whitespace(&rng) + text + whitespace(&rng))
    })

    /// Documents holding at least one object in which one member name appears twice (each occurrence
    /// spelled with its own random escapes).
    static let documentsWithDuplicate = Generator<JSONDocument, Shrink.None<JSONDocument>>(run: { rng in
        var model = value(depth: 1, &rng)
        if !addDuplicate(&model, &rng) {
            let name = string(&rng)
            model = .object([(name, model), (name, value(depth: 2, &rng))])
        }
        var text: [UInt8] = []
        write(model, into: &text, &rng)
        return JSONDocument(model: model, text: text)
    })

    static func value(depth: Int, _ rng: inout some RandomNumberGenerator) -> JSONModel {
        let container = depth < 5 && Int.random(in: 0..<3, using: &rng) == 0
        if container {
            let count = Int.random(in: 0...5, using: &rng)
            if Bool.random(using: &rng) {
                return .array((0..<count).map { _ in value(depth: depth + 1, &rng) })
            }
            var members: [(name: String, value: JSONModel)] = []
            // Unique even under canonical equivalence and without U+FEFF, so that Foundation's
            // dictionary (and its U+FEFF defect, see `sameText`) cannot merge two names.
            var names: Set<String> = []
            while members.count < count {
                let name = string(&rng)
                let key = String(String.UnicodeScalarView(name.unicodeScalars.filter { $0 != "\u{FEFF}" }))
                if names.insert(key).inserted { members.append((name, value(depth: depth + 1, &rng))) }
            }
            return .object(members)
        }
        switch Int.random(in: 0..<6, using: &rng) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2, 3: return .number(number(&rng))
        default: return .string(string(&rng))
        }
    }

    /// Appends a second member with the name of an existing one to some non-empty object; returns
    /// whether there was one.
    static func addDuplicate(_ model: inout JSONModel, _ rng: inout some RandomNumberGenerator) -> Bool {
        switch model {
        case .array(var elements):
            for index in elements.indices.shuffled(using: &rng) where addDuplicate(&elements[index], &rng) {
                model = .array(elements)
                return true
            }
            return false
        case .object(var members):
            for index in members.indices.shuffled(using: &rng) where addDuplicate(&members[index].value, &rng) {
                model = .object(members)
                return true
            }
            guard let original = members.randomElement(using: &rng) else { return false }
            members.insert((original.name, value(depth: 3, &rng)), at: Int.random(in: 0...members.count, using: &rng))
            model = .object(members)
            return true
        default:
            return false
        }
    }

    static func string(_ rng: inout some RandomNumberGenerator) -> String {
        var scalars = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...8, using: &rng) {
            let value: UInt32
            switch Int.random(in: 0..<10, using: &rng) {
            case 0...3: value = UInt32.random(in: 0x20...0x7E, using: &rng)
            case 4: value = UInt32.random(in: 0x00...0x1F, using: &rng)
            case 5: value = [0x22, 0x5C, 0x2F, 0x7F, 0x2028, 0x2029, 0xFEFF, 0xFFFD].randomElement(using: &rng)!
            case 6: value = UInt32.random(in: 0xA0...0xD7FF, using: &rng)
            case 7: value = UInt32.random(in: 0xE000...0xFFFD, using: &rng)
            default: value = UInt32.random(in: 0x10000...0x10FFFF, using: &rng)
            }
            scalars.append(Unicode.Scalar(value)!)
        }
        return String(scalars)
    }

    /// Every RFC 8259 number form: signs, zero, fractions, exponents with either case and sign.
    static func number(_ rng: inout some RandomNumberGenerator) -> String {
        let sign = Bool.random(using: &rng) ? "-" : ""
        let integer: String
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: integer = "0"
        case 1: integer = String(Int.random(in: 1...999, using: &rng))
        case 2: integer = String(Int64.random(in: 1...Int64.max, using: &rng))
        default: integer = String(Int.random(in: 1...999_999_999, using: &rng))
        }
        var text = sign + integer
        if Int.random(in: 0..<3, using: &rng) == 0 {
            text +=
                "." + String(repeating: "0", count: Int.random(in: 0...3, using: &rng))
                + String(Int.random(in: 0...999_999, using: &rng))
        }
        if Int.random(in: 0..<3, using: &rng) == 0 {
            text += ["e", "E"].randomElement(using: &rng)! + ["", "+", "-"].randomElement(using: &rng)!
            text += String(Int.random(in: 0...30, using: &rng))
        }
        return text
    }

    static func whitespace(_ rng: inout some RandomNumberGenerator) -> [UInt8] {
        Array(["", "", "", " ", "\n", "\t", "\r\n", "  "].randomElement(using: &rng)!.utf8)
    }

    static func write(_ model: JSONModel, into text: inout [UInt8], _ rng: inout some RandomNumberGenerator) {
        switch model {
        case .null: text += Array("null".utf8)
        case .bool(let value): text += Array((value ? "true" : "false").utf8)
        case .number(let number): text += Array(number.utf8)
        case .string(let string): write(string: string, into: &text, &rng)
        case .array(let elements):
            text.append(UInt8(ascii: "["))
            text += whitespace(&rng)
            for (index, element) in elements.enumerated() {
                if index > 0 { text += whitespace(&rng) + [UInt8(ascii: ",")] + whitespace(&rng) }
                write(element, into: &text, &rng)
            }
            text += whitespace(&rng) + [UInt8(ascii: "]")]
        case .object(let members):
            text.append(UInt8(ascii: "{"))
            text += whitespace(&rng)
            for (index, member) in members.enumerated() {
                if index > 0 { text += whitespace(&rng) + [UInt8(ascii: ",")] + whitespace(&rng) }
                write(string: member.name, into: &text, &rng)
                text += whitespace(&rng) + [UInt8(ascii: ":")] + whitespace(&rng)
                write(member.value, into: &text, &rng)
            }
            text += whitespace(&rng) + [UInt8(ascii: "}")]
        }
    }

    /// A string literal; each scalar raw where JSON allows it, or escaped in one of the valid ways.
    static func write(string: String, into text: inout [UInt8], _ rng: inout some RandomNumberGenerator) {
        text.append(UInt8(ascii: "\""))
        for scalar in string.unicodeScalars {
            let mustEscape = scalar.value < 0x20 || scalar == "\"" || scalar == "\\"
            let choice = Int.random(in: 0..<4, using: &rng)
            if !mustEscape, choice < 2 {
                text += Array(String(scalar).utf8)
            } else if let short = shortEscape(scalar), choice != 3 {
                text += Array(short.utf8)
            } else {
                let uppercase = Bool.random(using: &rng)
                for unit in String(scalar).utf16 {
                    let hex = String(unit, radix: 16, uppercase: uppercase)
                    text += Array(("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
                }
            }
        }
        text.append(UInt8(ascii: "\""))
    }

    static func shortEscape(_ scalar: Unicode.Scalar) -> String? {
        switch scalar {
        case "\"": #"\""#
        case "\\": #"\\"#
        case "/": #"\/"#
        case "\u{08}": #"\b"#
        case "\u{0C}": #"\f"#
        case "\n": #"\n"#
        case "\r": #"\r"#
        case "\t": #"\t"#
        default: nil
        }
    }
}

// MARK: - Comparing values

enum JSONComparison {
    /// Whether the strict reader's value and Foundation's are the same JSON value: strings compared
    /// scalar by scalar, numbers by value, objects by exact member names.
    static func same(_ ours: JSONValue, _ theirs: Any) -> Bool {
        switch ours {
        case .null:
            return theirs is NSNull
        case .bool(let value):
            guard let number = theirs as? NSNumber, isBoolean(number) else { return false }
            return number.boolValue == value
        case .number(let number):
            guard let other = theirs as? NSNumber, !isBoolean(other) else { return false }
            if other.doubleValue == number.value { return true }
            // Foundation reads numbers it cannot hold in an Int64 or a Double exactly as an
            // NSDecimalNumber, whose Double is not correctly rounded: this property found it 1 to 5
            // ulps off (224845639716.369851 → …3698, 394827863.0143396E-27 → 3.9482786301433984e-19).
            // The strict reader keeps the correctly rounded value (Python's float agrees on all of
            // them), so those are compared to 1 part in 10^13.
            guard other is NSDecimalNumber else { return false }
            return abs(other.doubleValue - number.value) <= 1e-13 * abs(number.value)
        case .string(let string):
            guard let other = theirs as? String else { return false }
            return sameText(string, other)
        case .array(let elements):
            guard let other = theirs as? [Any], other.count == elements.count else { return false }
            return zip(elements, other).allSatisfy { same($0, $1) }
        case .object(let object):
            guard let other = theirs as? [String: Any], other.count == object.members.count else { return false }
            return object.members.allSatisfy { member in
                guard let key = other.keys.first(where: { sameText(member.name, $0) }) else { return false }
                return same(member.value, other[key]!)
            }
        }
    }

    /// Strings equal scalar for scalar, except for one Foundation defect this property found:
    /// `JSONSerialization` (swift-corelibs-foundation, Swift 6.3.1) drops a raw U+FEFF that starts a
    /// string or follows an escape (`"t\n<U+FEFF>x"` reads as `"t\nx"`). The strict reader keeps
    /// it, as RFC 8259 requires; `matches` checks the reader's strings against the model exactly.
    static func sameText(_ ours: String, _ theirs: String) -> Bool {
        if ours.unicodeScalars.elementsEqual(theirs.unicodeScalars) { return true }
        let byteOrderMark: Unicode.Scalar = "\u{FEFF}"
        return ours.unicodeScalars.filter { $0 != byteOrderMark }.elementsEqual(
            theirs.unicodeScalars.filter { $0 != byteOrderMark }
        )
    }

    /// Whether the reader produced exactly the generator's model (numbers keep their text).
    static func matches(_ ours: JSONValue, _ model: JSONModel) -> Bool {
        switch (ours, model) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a.text == b
        case (.string(let a), .string(let b)): return a.unicodeScalars.elementsEqual(b.unicodeScalars)
        case (.array(let a), .array(let b)): return a.count == b.count && zip(a, b).allSatisfy { matches($0, $1) }
        case (.object(let a), .object(let b)):
            return a.members.count == b.count
                && zip(a.members, b).allSatisfy {
                    $0.name.unicodeScalars.elementsEqual($1.name.unicodeScalars) && matches($0.value, $1.value)
                }
        default: return false
        }
    }

    /// Exact equality (Swift's `==` on strings is canonical equivalence, which is not what JSON means).
    static func identical(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return x.text == y.text && x.value == y.value
        case (.string(let x), .string(let y)): return x.unicodeScalars.elementsEqual(y.unicodeScalars)
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { identical($0, $1) }
        case (.object(let x), .object(let y)):
            return x.members.count == y.members.count
                && zip(x.members, y.members).allSatisfy {
                    $0.name.unicodeScalars.elementsEqual($1.name.unicodeScalars) && identical($0.value, $1.value)
                }
        default: return false
        }
    }

    static func hasNonFiniteNumber(_ value: JSONValue) -> Bool {
        switch value {
        case .number(let number): !number.value.isFinite
        case .array(let elements): elements.contains(where: hasNonFiniteNumber)
        case .object(let object): object.members.contains { hasNonFiniteNumber($0.value) }
        default: false
        }
    }

    /// Foundation gives `true`/`false` as boolean NSNumbers (type code `c`), numbers never.
    static func isBoolean(_ number: NSNumber) -> Bool {
        String(cString: number.objCType) == "c"
    }
}
