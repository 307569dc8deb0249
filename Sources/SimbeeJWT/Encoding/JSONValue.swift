/// A JSON document as the strict reader produced it: member order kept, numbers kept as their text.
package enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The object, when this value is one.
    package var objectValue: JSONObject? {
        if case .object(let object) = self { return object }
        return nil
    }

    /// The string, when this value is one.
    package var stringValue: String? {
        if case .string(let string) = self { return string }
        return nil
    }
}

/// A JSON number: its exact source text and the nearest `Double`.
///
/// The text is kept so that output reproduces the input exactly (no `1.0E9` for `1000000000`), and
/// the `Double` is what time claims are checked against. Values that overflow (`1e400`) become
/// infinite and are refused by whoever needs a finite value.
package struct JSONNumber: Sendable, Equatable {
    /// The number exactly as written in the document.
    package let text: String
    /// The value rounded to the nearest `Double`; infinite when out of range.
    package let value: Double
}

/// A JSON object whose member names are unique (the reader refuses duplicates).
package struct JSONObject: Sendable, Equatable {
    /// One `"name": value` pair.
    package struct Member: Sendable, Equatable {
        package let name: String
        package let value: JSONValue

        package init(name: String, value: JSONValue) {
            self.name = name
            self.value = value
        }
    }

    /// The members in document order.
    package let members: [Member]

    /// The value of the member called `name` (compared byte for byte), if present.
    package subscript(name: String) -> JSONValue? {
        members.first { $0.name.isExactly(name) }?.value
    }
}

extension JSONValue {
    /// Compact RFC 8259 text for this value: no insignificant whitespace, member order kept, numbers
    /// as written, strings escaped only where JSON requires it.
    package func serialized() -> String {
        var output = ""
        serialize(into: &output)
        return output
    }

    package func serialize(into output: inout String) {
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .number(let number): output += number.text
        case .string(let string): JSONValue.appendQuoted(string, to: &output)
        case .array(let elements):
            output += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { output += "," }
                element.serialize(into: &output)
            }
            output += "]"
        case .object(let object):
            output += "{"
            for (index, member) in object.members.enumerated() {
                if index > 0 { output += "," }
                JSONValue.appendQuoted(member.name, to: &output)
                output += ":"
                member.value.serialize(into: &output)
            }
            output += "}"
        }
    }

    /// Appends `string` as a JSON string literal.
    package static func appendQuoted(_ string: String, to output: inout String) {
        output += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            case let control
            where control.value < 0x20 || control.value == 0x7F || control == "\u{2028}" || control == "\u{2029}":
                let hex = String(control.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}
