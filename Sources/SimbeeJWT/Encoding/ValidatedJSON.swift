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

        /// The string, when the value is one.
        var stringToken: JSONStringToken? {
            kind == .string ? JSONStringToken(quoted: text) : nil
        }

        /// The number rounded to the nearest `Double` (infinite when out of range), as the tree
        /// reader computes it, when the value is one.
        var number: Double? {
            guard kind == .number else { return nil }
            return Double(String(decoding: text, as: UTF8.self))
        }
    }

    /// The document's top-level value (JSON whitespace around it skipped).
    static func root(_ document: UnsafeBufferPointer<UInt8>) -> Value {
        var cursor = Cursor(bytes: document, position: 0)
        cursor.skipWhitespace()
        return cursor.readValue()
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
            let name = JSONStringToken(quoted: cursor.skipString())
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

        mutating func skipWhitespace() {
            while position < bytes.count {
                switch bytes[position] {
                case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): position += 1
                default: return
                }
            }
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
            switch bytes[position] {
            case UInt8(ascii: "\""):
                _ = skipString()
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
            return Value(kind: kind, text: UnsafeBufferPointer(rebasing: bytes[start..<position]))
        }

        /// Skips a string, quotes included; returns its text.
        mutating func skipString() -> UnsafeBufferPointer<UInt8> {
            let start = position
            position += 1
            while bytes[position] != UInt8(ascii: "\"") {
                position += bytes[position] == UInt8(ascii: "\\") ? 2 : 1
            }
            position += 1
            return UnsafeBufferPointer(rebasing: bytes[start..<position])
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
