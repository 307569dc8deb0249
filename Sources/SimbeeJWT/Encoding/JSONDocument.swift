/// A JSON document that ``StrictJSONReader`` accepted: its bytes, and where each value stands in them.
///
/// Values are named by their index in ``nodes`` (the top-level value is ``root``), in document
/// order. Reading a value looks at its node, never at the grammar again: the reader checked it.
package struct JSONDocument: Sendable {
    /// What a value is.
    package enum Kind: Sendable, Equatable {
        case null, bool, number, string, array, object
    }

    /// Where one value stands in the document.
    ///
    /// Positions are stored in 32 bits, which halves a node to 16 bytes: a cached verified token
    /// keeps its payload's nodes. The reader refuses buffers past ``maxBufferBytes``.
    struct Node: Sendable {
        let kind: Kind
        /// For a string, whether it holds a backslash escape.
        var hasEscapes = false
        /// For a string, whether its bytes (escapes not decoded) are all ASCII.
        var isASCII = true
        private let storedStart: Int32
        private var storedEnd: Int32
        private var storedNext: Int32

        init(kind: Kind, hasEscapes: Bool = false, isASCII: Bool = true, start: Int, end: Int, next: Int) {
            self.kind = kind
            self.hasEscapes = hasEscapes
            self.isASCII = isASCII
            self.storedStart = Int32(truncatingIfNeeded: start)
            self.storedEnd = Int32(truncatingIfNeeded: end)
            self.storedNext = Int32(truncatingIfNeeded: next)
        }

        /// A string's first byte after the opening quote; any other value's first byte.
        var start: Int { Int(storedStart) }

        /// A string's closing quote; one past any other value's last byte.
        var end: Int {
            get { Int(storedEnd) }
            set { storedEnd = Int32(truncatingIfNeeded: newValue) }
        }

        /// The node after this value and everything inside it.
        var next: Int {
            get { Int(storedNext) }
            set { storedNext = Int32(truncatingIfNeeded: newValue) }
        }
    }

    /// The largest buffer a document can stand in: node positions are 32-bit.
    static let maxBufferBytes = Int(Int32.max)

    /// The buffer the document stands in (it may hold other text around it).
    let bytes: [UInt8]
    /// Where the document stands in ``bytes``.
    let range: Range<Int>
    let nodes: [Node]

    /// The document's bytes, exactly as read.
    package var source: ArraySlice<UInt8> {
        bytes[range]
    }

    /// The bytes the document keeps alive, for callers that bound their memory.
    var retainedByteCount: Int {
        bytes.count + nodes.capacity * MemoryLayout<Node>.stride
    }

    /// The top-level value.
    package var root: Int { 0 }

    /// What the value at `node` is.
    package func kind(_ node: Int) -> Kind {
        nodes[node].kind
    }

    /// The value's text exactly as it stands in the document (a string's without its quotes).
    func text(_ node: Int) -> ArraySlice<UInt8> {
        bytes[nodes[node].start..<nodes[node].end]
    }

    /// The members of the object at `node`, in document order; none when it is not an object.
    package func members(of node: Int) -> Members {
        guard kind(node) == .object else { return Members(nodes: nodes, object: node, end: node) }
        return Members(nodes: nodes, object: node, end: nodes[node].next)
    }

    /// The elements of the array at `node`, in order; none when it is not an array.
    package func elements(of node: Int) -> Elements {
        guard kind(node) == .array else { return Elements(nodes: nodes, current: node, end: node) }
        return Elements(nodes: nodes, current: node + 1, end: nodes[node].next)
    }

    /// The number of elements of the array at `node`; zero when it is not an array.
    package func elementCount(of node: Int) -> Int {
        var count = 0
        for _ in elements(of: node) { count += 1 }
        return count
    }

    /// The value of the member of the object at `node` called exactly `name` (byte for byte, after
    /// unescaping), if any: names are unique in a document the reader accepted.
    package func member(_ name: String, of node: Int) -> Int? {
        for member in members(of: node) where isString(member.name, exactly: name) {
            return member.value
        }
        return nil
    }

    /// The string at `node`, decoded; `nil` when the value is not a string.
    package func string(_ node: Int) -> String? {
        guard kind(node) == .string else { return nil }
        if !nodes[node].hasEscapes {
            return String(decoding: text(node), as: UTF8.self)  // valid UTF-8: the reader checked it
        }
        return String(decoding: Self.decodeString(bytes, nodes[node]), as: UTF8.self)
    }

    /// The string at `node` when it is all ASCII: two ASCII strings are equal (`==`, `switch`)
    /// exactly when their bytes are, so a member name from this can be matched against known names
    /// without Unicode equivalence letting a look-alike through.
    package func asciiString(_ node: Int) -> String? {
        // An escape is ASCII but may stand for any character: escaped strings are checked decoded.
        guard let string = string(node),
            nodes[node].isASCII && !nodes[node].hasEscapes || string.utf8.allSatisfy({ $0 < 0x80 })
        else {
            return nil
        }
        return string
    }

    /// Whether the value at `node` is a string whose decoded bytes are exactly those of `text`.
    package func isString(_ node: Int, exactly text: String) -> Bool {
        guard kind(node) == .string else { return false }
        let expected = text.utf8.span
        if !nodes[node].hasEscapes {
            return bytes.span.extracting(nodes[node].start..<nodes[node].end).hasSameBytes(as: expected)
        }
        return Self.decodeString(bytes, nodes[node]).span.hasSameBytes(as: expected)
    }

    /// The JSON text of the value at `node`, exactly as it stands in the document (a string with
    /// its quotes), for handing one value to another JSON decoder.
    package func rawText(_ node: Int) -> ArraySlice<UInt8> {
        guard kind(node) == .string else { return text(node) }
        return bytes[(nodes[node].start - 1)...nodes[node].end]
    }

    /// Runs `body` with the decoded bytes of the string at `node`: in place unless it holds escapes.
    /// A value that is not a string gives no bytes.
    package func withStringBytes<Result>(_ node: Int, _ body: (Span<UInt8>) -> Result) -> Result {
        guard kind(node) == .string else { return body([UInt8]().span) }
        if !nodes[node].hasEscapes {
            return body(bytes.span.extracting(nodes[node].start..<nodes[node].end))
        }
        let decoded = Self.decodeString(bytes, nodes[node])
        return body(decoded.span)
    }

    /// Whether the value at `node` is the empty string.
    package func isEmptyString(_ node: Int) -> Bool {
        kind(node) == .string && nodes[node].start == nodes[node].end
    }

    /// The number at `node` rounded to the nearest `Double` (infinite when out of range); `nil`
    /// when the value is not a number.
    package func number(_ node: Int) -> Double? {
        guard kind(node) == .number else { return nil }
        let digits = text(node)
        // A non-negative integer of up to 15 digits, the usual NumericDate, is exact in a Double.
        if digits.count <= 15, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            return Double(digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) })
        }
        // The grammar is a subset of what Double's parser takes; only overflow remains, which it
        // reports as an infinite value.
        return Double(String(decoding: digits, as: UTF8.self)) ?? .infinity
    }

    /// The value at `node` as a tree.
    package func value(_ node: Int) -> JSONValue {
        switch kind(node) {
        case .null:
            return .null
        case .bool:
            return .bool(bytes[nodes[node].start] == UInt8(ascii: "t"))
        case .number:
            return .number(JSONNumber(text: String(decoding: text(node), as: UTF8.self), value: number(node) ?? 0))
        case .string:
            return .string(string(node) ?? "")
        case .array:
            return .array(elements(of: node).map(value))
        case .object:
            return .object(
                JSONObject(
                    members: members(of: node).map {
                        JSONObject.Member(name: string($0.name) ?? "", value: value($0.value))
                    }
                )
            )
        }
    }

    /// The members of an object, as the nodes of each name and value.
    package struct Members: Sequence, IteratorProtocol {
        let nodes: [Node]
        var current: Int
        let end: Int

        /// The members of the object at `object` whose names come before `end`.
        init(nodes: [Node], object: Int, end: Int) {
            self.nodes = nodes
            self.current = object + 1
            self.end = end
        }

        package mutating func next() -> (name: Int, value: Int)? {
            guard current < end else { return nil }
            let member = (name: current, value: current + 1)
            current = nodes[current + 1].next
            return member
        }
    }

    /// The elements of an array, as their nodes.
    package struct Elements: Sequence, IteratorProtocol {
        let nodes: [Node]
        var current: Int
        let end: Int

        package mutating func next() -> Int? {
            guard current < end else { return nil }
            defer { current = nodes[current].next }
            return current
        }
    }

    /// The value of one hexadecimal digit.
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The decoded bytes of the string `node` of `bytes`, which the reader checked: every escape is
    /// well formed and every `\u` surrogate is paired.
    static func decodeString(_ bytes: [UInt8], _ node: Node) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(node.end - node.start)  // decoding never lengthens
        var input = node.start
        func hex4(at index: Int) -> UInt32 {
            var value: UInt32 = 0
            for offset in 0..<4 { value = value << 4 | UInt32(hexValue(bytes[index + offset]) ?? 0) }
            return value
        }
        while input < node.end {
            let byte = bytes[input]
            guard byte == UInt8(ascii: "\\") else {
                output.append(byte)
                input += 1
                continue
            }
            let escaped = bytes[input + 1]
            input += 2
            switch escaped {
            case UInt8(ascii: "u"):
                var value = hex4(at: input)
                input += 4
                if (0xD800...0xDBFF).contains(value) {  // the reader checked that `\uDC00`–`\uDFFF` follows
                    value = 0x10000 + ((value - 0xD800) << 10) + (hex4(at: input + 2) &- 0xDC00)
                    input += 6
                }
                // Always a scalar: the reader refused lone surrogates.
                output.append(contentsOf: String(Unicode.Scalar(value) ?? "\u{FFFD}").utf8)
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            default: output.append(escaped)  // `"`, `\` and `/` stand for themselves
            }
        }
        return output
    }
}
