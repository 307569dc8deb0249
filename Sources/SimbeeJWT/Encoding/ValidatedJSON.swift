/// Picks values out of a document that ``StrictJSONReader/validate(_:limits:)`` accepted, in place:
/// no tree and no copies, so the verifier reads a header or claims set without allocating.
///
/// Everything here assumes that check passed; it walks the text without re-checking the grammar.
/// Never use it on a document that has not been validated.
enum ValidatedJSON {
    /// A value in a validated document.
    struct Value {
        enum Kind {
            case object, array, string, number, bool, null
        }

        /// What the value is.
        let kind: Kind
        /// The value's text, exactly as it stands in the document.
        let text: UnsafeBufferPointer<UInt8>
        /// For a string, whether it holds a backslash escape.
        var hasEscapes = false

        /// The string, when the value is one.
        var stringToken: JSONStringToken? {
            guard kind == .string else { return nil }
            return JSONStringToken(
                raw: UnsafeBufferPointer(rebasing: text[1..<(text.count - 1)]),
                hasEscapes: hasEscapes
            )
        }

        /// The number rounded to the nearest `Double` (infinite when out of range), as the tree
        /// reader computes it, when the value is one.
        var number: Double? {
            guard kind == .number else { return nil }
            // Non-negative integers of up to 15 digits are exact in a Double: the usual NumericDate
            // needs no general parser.
            if text.count <= 15 {
                var integer: UInt64 = 0
                for byte in text {
                    guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else {
                        return Double(String(decoding: text, as: UTF8.self))
                    }
                    integer = integer &* 10 &+ UInt64(byte &- UInt8(ascii: "0"))  // < 10^15: no overflow
                }
                return Double(integer)
            }
            return Double(String(decoding: text, as: UTF8.self))
        }
    }

    /// The document's top-level value (JSON whitespace around it skipped). The document is one
    /// value, so its end is found from the back, without walking it.
    static func root(_ document: UnsafeBufferPointer<UInt8>) -> Value {
        var cursor = Cursor(bytes: document, position: 0)
        cursor.skipWhitespace()
        var end = document.count
        while end > cursor.position, Cursor.isWhitespace(document[end - 1]) { end -= 1 }
        let kind: Value.Kind =
            switch document[cursor.position] {
            case UInt8(ascii: "{"): .object
            case UInt8(ascii: "["): .array
            case UInt8(ascii: "\""): .string
            case UInt8(ascii: "t"), UInt8(ascii: "f"): .bool
            case UInt8(ascii: "n"): .null
            default: .number
            }
        let text = UnsafeBufferPointer(rebasing: document[cursor.position..<end])
        return Value(kind: kind, text: text, hasEscapes: kind == .string && text.contains(UInt8(ascii: "\\")))
    }

    /// Calls `body` with each member of `object` in document order.
    static func forEachMember<Failure: Error>(
        of object: Value,
        _ body: (JSONStringToken, Value) throws(Failure) -> Void
    ) throws(Failure) {
        guard object.kind == .object else { return }
        var cursor = Cursor(bytes: object.text, position: 1)
        cursor.skipWhitespace()
        guard cursor.current != UInt8(ascii: "}") else { return }
        repeat {
            cursor.skipWhitespace()
            let name = cursor.readStringToken()
            cursor.skipWhitespace()
            cursor.position += 1  // :
            cursor.skipWhitespace()
            try body(name, cursor.readValue())
            cursor.skipWhitespace()
        } while cursor.skipComma()
    }

    /// Calls `body` with each element of `array` in order.
    static func forEachElement<Failure: Error>(
        of array: Value,
        _ body: (Value) throws(Failure) -> Void
    ) throws(Failure) {
        guard array.kind == .array else { return }
        var cursor = Cursor(bytes: array.text, position: 1)
        cursor.skipWhitespace()
        guard cursor.current != UInt8(ascii: "]") else { return }
        repeat {
            cursor.skipWhitespace()
            try body(cursor.readValue())
            cursor.skipWhitespace()
        } while cursor.skipComma()
    }

    /// The member of `object` called exactly `name`, if any (names are unique in a validated document).
    static func member(_ name: String, of object: Value) -> Value? {
        var found: Value?
        forEachMember(of: object) { candidate, value in
            if found == nil, candidate.isExactly(name) { found = value }
        }
        return found
    }

    private struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        var position: Int

        var current: UInt8 { bytes[position] }

        static func isWhitespace(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
                || byte == UInt8(ascii: "\r")
        }

        mutating func skipWhitespace() {
            while position < bytes.count, Self.isWhitespace(bytes[position]) { position += 1 }
        }

        /// Skips a `,` and says so; at the closing bracket, says there is nothing more.
        mutating func skipComma() -> Bool {
            guard bytes[position] == UInt8(ascii: ",") else { return false }
            position += 1
            return true
        }

        mutating func readValue() -> Value {
            let start = position
            let kind: Value.Kind
            var hasEscapes = false
            switch bytes[position] {
            case UInt8(ascii: "\""):
                hasEscapes = skipString()
                kind = .string
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                kind = bytes[position] == UInt8(ascii: "{") ? .object : .array
                skipContainer()
            case UInt8(ascii: "t"), UInt8(ascii: "f"):
                kind = .bool
                skipScalar()
            case UInt8(ascii: "n"):
                kind = .null
                skipScalar()
            default:
                kind = .number
                skipScalar()
            }
            return Value(
                kind: kind,
                text: UnsafeBufferPointer(rebasing: bytes[start..<position]),
                hasEscapes: hasEscapes
            )
        }

        /// Reads a string (a member name).
        mutating func readStringToken() -> JSONStringToken {
            let start = position
            let hasEscapes = skipString()
            return JSONStringToken(
                raw: UnsafeBufferPointer(rebasing: bytes[(start + 1)..<(position - 1)]),
                hasEscapes: hasEscapes
            )
        }

        /// Skips a string, quotes included; returns whether it holds an escape.
        mutating func skipString() -> Bool {
            var hasEscapes = false
            position += 1
            while bytes[position] != UInt8(ascii: "\"") {
                if bytes[position] == UInt8(ascii: "\\") {
                    hasEscapes = true
                    position += 2
                } else {
                    position += 1
                }
            }
            position += 1
            return hasEscapes
        }

        /// Skips an object or array, brackets included, by counting the brackets outside strings.
        mutating func skipContainer() {
            var depth = 0
            repeat {
                switch bytes[position] {
                case UInt8(ascii: "\""):
                    _ = skipString()
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
                default: break
                }
                position += 1
            } while depth > 0
        }

        /// Skips a number or literal: everything up to the next delimiter.
        mutating func skipScalar() {
            while position < bytes.count {
                switch bytes[position] {
                case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), UInt8(ascii: " "), UInt8(ascii: "\t"),
                    UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                    return
                default: position += 1
                }
            }
        }
    }
}
