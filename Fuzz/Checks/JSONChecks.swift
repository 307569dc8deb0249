import SimbeeJWT

/// Properties of the strict JSON reader (RFC 8259, RFC 7515 §4 duplicate names).
///
/// - a document starting with a byte-order mark is never accepted, and prefixing one to any input
///   is refused as `byteOrderMark`;
/// - an accepted document is valid UTF-8, every `\u` escape in it names a scalar (no lone surrogate),
///   it has no two members with the same name (byte for byte) in any object, nests no deeper than the
///   limit, and holds numbers in RFC 8259 grammar whose value is the nearest `Double`;
/// - re-serializing and re-reading gives the same value, byte for byte;
/// - the limits are exact: one level or one byte less and the same document is refused;
/// - repeating a member of any object, with its name spelled plainly or fully `\u`-escaped, is
///   refused as `duplicateMemberName`;
/// - the array and any-collection entry points agree, and the document reads the same tree.
enum JSONChecks {
    static func run(_ input: [UInt8]) throws(PropertyViolation) -> Bool {
        let outcome = read(input)
        let viaCollection = Result { () throws(StrictJSONReader.Failure) in
            try StrictJSONReader.read(input.lazy.map { $0 })
        }
        try require(sameOutcome(outcome, viaCollection), "read(buffer) and read(collection) disagree")

        let withBOM = read([0xEF, 0xBB, 0xBF] + input)
        try require(withBOM == .failure(.byteOrderMark), "a document after a byte-order mark was not refused as one")

        let value: JSONValue
        switch outcome {
        case .failure(let failure):
            if input.starts(with: [0xEF, 0xBB, 0xBF]) {
                try require(failure == .byteOrderMark, "a byte-order mark was refused as \(failure)")
            }
            return false
        case .success(let accepted):
            value = accepted
        }

        try require(!input.starts(with: [0xEF, 0xBB, 0xBF]), "a document with a byte-order mark was accepted")
        try require(String(validating: input, as: UTF8.self) != nil, "an accepted document is not valid UTF-8")
        try require(
            controlBytesAreWhitespaceOutsideStrings(input),
            "an accepted document has a control character that is not whitespace between tokens"
        )
        try require(
            unicodeEscapesNameScalars(input),
            "an accepted document has a \\u escape that names no scalar (a lone surrogate)"
        )
        try checkTree(value)

        let depth = containerDepth(value)
        try require(depth <= StrictJSONReader.Limits().maxDepth, "nesting depth \(depth) is past the limit")
        if depth >= 1 {
            let atLimit = read(input, limits: .init(maxDepth: depth))
            try require(sameOutcome(atLimit, outcome), "the document is refused at its own depth \(depth)")
            guard case .failure(.tooDeep) = read(input, limits: .init(maxDepth: depth - 1)) else {
                throw PropertyViolation("a document of depth \(depth) was not refused with maxDepth \(depth - 1)")
            }
        }
        try require(
            read(input, limits: .init(maxBytes: input.count - 1)) == .failure(.tooLarge),
            "a document one byte over maxBytes was not refused as too large"
        )

        let text = Array(value.serialized().utf8)
        guard case .success(let reread) = read(text) else {
            throw PropertyViolation("the serialized document is refused")
        }
        try require(exactlyEqual(reread, value), "re-reading the serialized document gives another value")
        try require(Array(reread.serialized().utf8) == text, "serialization is not stable")

        let objects = countObjectsWithMembers(value)
        if objects > 0 {
            let target = input.count % objects
            for escaped in [false, true] {
                var counter = 0
                var output: [UInt8] = []
                serialize(value, duplicatingIn: target, escaped: escaped, counter: &counter, into: &output)
                guard case .failure(.duplicateMemberName) = read(output) else {
                    throw PropertyViolation("a repeated member name (escaped: \(escaped)) was not refused")
                }
            }
        }
        return true
    }

    static func read(
        _ bytes: [UInt8],
        limits: StrictJSONReader.Limits = .init()
    ) -> Result<JSONValue, StrictJSONReader.Failure> {
        Result { () throws(StrictJSONReader.Failure) in
            let document = try StrictJSONReader.parse(bytes, limits: limits)
            return document.value(document.root)
        }
    }

    /// Same failure, or values equal byte for byte.
    private static func sameOutcome(
        _ lhs: Result<JSONValue, StrictJSONReader.Failure>,
        _ rhs: Result<JSONValue, StrictJSONReader.Failure>
    ) -> Bool {
        switch (lhs, rhs) {
        case (.success(let left), .success(let right)): exactlyEqual(left, right)
        case (.failure(let left), .failure(let right)): left == right
        default: false
        }
    }

    /// Equality without Unicode canonical equivalence (Swift's `String ==` would call `"é"` and
    /// `"e\u{301}"` equal; JSON names and values are compared code unit for code unit).
    static func exactlyEqual(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let left), .bool(let right)): return left == right
        case (.number(let left), .number(let right)):
            return left.text.utf8.elementsEqual(right.text.utf8) && left.value.bitPattern == right.value.bitPattern
        case (.string(let left), .string(let right)): return left.utf8.elementsEqual(right.utf8)
        case (.array(let left), .array(let right)):
            return left.count == right.count && zip(left, right).allSatisfy { exactlyEqual($0, $1) }
        case (.object(let left), .object(let right)):
            return left.members.count == right.members.count
                && zip(left.members, right.members).allSatisfy {
                    $0.name.utf8.elementsEqual($1.name.utf8) && exactlyEqual($0.value, $1.value)
                }
        default: return false
        }
    }

    /// Unique names in every object, numbers in RFC 8259 grammar with the nearest `Double`.
    private static func checkTree(_ value: JSONValue) throws(PropertyViolation) {
        switch value {
        case .number(let number):
            let text = Array(number.text.utf8)
            try require(isJSONNumber(text), "a number's text is outside the RFC 8259 grammar")
            guard let parsed = Double(number.text), parsed.bitPattern == number.value.bitPattern else {
                throw PropertyViolation("a number's value is not the nearest Double to its text")
            }
        case .array(let elements):
            for element in elements { try checkTree(element) }
        case .object(let object):
            var seen: Set<[UInt8]> = []
            for member in object.members {
                try require(seen.insert(Array(member.name.utf8)).inserted, "an accepted object repeats a member name")
                try checkTree(member.value)
            }
        case .null, .bool, .string:
            break
        }
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    private static func isJSONNumber(_ text: [UInt8]) -> Bool {
        var index = 0
        func digits() -> Int {
            let start = index
            while index < text.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(text[index]) { index += 1 }
            return index - start
        }
        if index < text.count, text[index] == UInt8(ascii: "-") { index += 1 }
        guard index < text.count else { return false }
        if text[index] == UInt8(ascii: "0") {
            index += 1
        } else if digits() == 0 {
            return false
        }
        if index < text.count, text[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { return false }
        }
        if index < text.count, text[index] == UInt8(ascii: "e") || text[index] == UInt8(ascii: "E") {
            index += 1
            if index < text.count, text[index] == UInt8(ascii: "+") || text[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { return false }
        }
        return index == text.count
    }

    /// RFC 8259 §2 and §7: bytes below 0x20 appear only as tab, line feed or carriage return between
    /// tokens, never inside a string (there they must be escaped). A scan that only tracks whether it
    /// is inside a string, independent of the reader.
    static func controlBytesAreWhitespaceOutsideStrings(_ document: [UInt8]) -> Bool {
        var inString = false
        var escaped = false
        for byte in document {
            if inString {
                if byte < 0x20 { return false }
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte < 0x20, byte != 0x09, byte != 0x0A, byte != 0x0D {
                return false
            }
        }
        return true
    }

    /// RFC 8259 §7 and RFC 7493 §2.1: every `\u` escape in a string names a Unicode scalar. A high
    /// surrogate is followed at once by an escaped low surrogate, and a low surrogate never stands
    /// alone. A scan of the raw text, independent of the reader (which turns a lone surrogate into
    /// U+FFFD if it lets one through, so no round trip would notice).
    static func unicodeEscapesNameScalars(_ document: [UInt8]) -> Bool {
        func hex4(_ start: Int) -> Int? {
            guard start + 4 <= document.count else { return nil }
            var value = 0
            for byte in document[start..<(start + 4)] {
                guard let digit = Int(String(UnicodeScalar(byte)), radix: 16) else { return nil }
                value = value << 4 | digit
            }
            return value
        }
        var inString = false
        var afterHigh = false
        var index = 0
        while index < document.count {
            let byte = document[index]
            guard inString else {
                inString = byte == UInt8(ascii: "\"")
                index += 1
                continue
            }
            if byte == UInt8(ascii: "\\"), index + 1 < document.count, document[index + 1] == UInt8(ascii: "u") {
                guard let value = hex4(index + 2) else { return false }
                if afterHigh {
                    guard (0xDC00...0xDFFF).contains(value) else { return false }
                    afterHigh = false
                } else if (0xD800...0xDBFF).contains(value) {
                    afterHigh = true
                } else if (0xDC00...0xDFFF).contains(value) {
                    return false
                }
                index += 6
                continue
            }
            if afterHigh { return false }
            if byte == UInt8(ascii: "\\") {
                index += 2
                continue
            }
            if byte == UInt8(ascii: "\"") { inString = false }
            index += 1
        }
        return !afterHigh
    }

    /// The deepest nesting of arrays and objects; 0 for a scalar.
    static func containerDepth(_ value: JSONValue) -> Int {
        switch value {
        case .array(let elements): 1 + (elements.map(containerDepth).max() ?? 0)
        case .object(let object): 1 + (object.members.map { containerDepth($0.value) }.max() ?? 0)
        default: 0
        }
    }

    private static func countObjectsWithMembers(_ value: JSONValue) -> Int {
        switch value {
        case .array(let elements): elements.reduce(0) { $0 + countObjectsWithMembers($1) }
        case .object(let object):
            (object.members.isEmpty ? 0 : 1) + object.members.reduce(0) { $0 + countObjectsWithMembers($1.value) }
        default: 0
        }
    }

    /// Serializes `value`, appending to the `target`-th non-empty object (pre-order) a second member
    /// named like its first one.
    private static func serialize(
        _ value: JSONValue,
        duplicatingIn target: Int,
        escaped: Bool,
        counter: inout Int,
        into output: inout [UInt8]
    ) {
        switch value {
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                serialize(element, duplicatingIn: target, escaped: escaped, counter: &counter, into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            let isTarget = !object.members.isEmpty && counter == target
            if !object.members.isEmpty { counter += 1 }
            output.append(UInt8(ascii: "{"))
            for (index, member) in object.members.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                output += JSONValue.string(member.name).serialized().utf8
                output.append(UInt8(ascii: ":"))
                serialize(member.value, duplicatingIn: target, escaped: escaped, counter: &counter, into: &output)
            }
            if isTarget, let first = object.members.first {
                output.append(UInt8(ascii: ","))
                output += escaped ? fullyEscaped(first.name) : Array(JSONValue.string(first.name).serialized().utf8)
                output += Array(":null".utf8)
            }
            output.append(UInt8(ascii: "}"))
        default:
            output += value.serialized().utf8
        }
    }

    /// `name` as a JSON string in which every code point is a `\uXXXX` escape (a surrogate pair
    /// above U+FFFF).
    private static func fullyEscaped(_ name: String) -> [UInt8] {
        var output = "\""
        for unit in name.utf16 {
            let hex = String(unit, radix: 16)
            output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        }
        return Array((output + "\"").utf8)
    }
}
