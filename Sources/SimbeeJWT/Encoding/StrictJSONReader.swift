/// A strict, bounded RFC 8259 reader for JOSE headers, JWT claims and JWK Sets.
///
/// Foundation's decoders cannot be the gate: `JSONDecoder` keeps the first of two members with the
/// same name, `JSONSerialization` the last, and both accept a byte-order mark. Attackers use exactly
/// that kind of disagreement between two parsers. This reader accepts RFC 8259 and nothing more:
/// - UTF-8 only, no byte-order mark, every string valid UTF-8 with no lone surrogate escapes;
/// - duplicate member names, compared code point for code point after unescaping (RFC 8259 §8.3,
///   no Unicode normalization), refused at every depth;
/// - no `NaN`, `Infinity`, comments, trailing commas, leading zeros or single quotes;
/// - the whole input is one value, with only JSON whitespace around it;
/// - nesting depth and input size are capped, so hostile input costs bounded time and stack.
package struct StrictJSONReader {
    /// Bounds applied while reading.
    package struct Limits: Sendable {
        /// The deepest nesting of arrays and objects accepted (the top-level value is depth 1).
        package var maxDepth: Int = 32
        /// The largest input accepted, in bytes.
        package var maxBytes: Int = 1 << 20

        package init(maxDepth: Int = 32, maxBytes: Int = 1 << 20) {
            self.maxDepth = maxDepth
            self.maxBytes = maxBytes
        }
    }

    /// Why a document was refused. Offsets are positions in the input, never its content.
    package enum Failure: Error, Equatable {
        case byteOrderMark
        case tooLarge
        case tooDeep(offset: Int)
        case unexpectedEnd
        case unexpectedByte(offset: Int)
        case invalidNumber(offset: Int)
        case invalidString(offset: Int)
        case invalidUTF8(offset: Int)
        case duplicateMemberName(offset: Int)
        case trailingData(offset: Int)
    }

    /// Reads one JSON document from `bytes`.
    ///
    /// - Parameters:
    ///   - bytes: The document, UTF-8 encoded.
    ///   - limits: Depth and size bounds.
    /// - Returns: The parsed value.
    /// - Throws: ``Failure`` for anything outside RFC 8259 or past the limits.
    package static func read(_ bytes: UnsafeBufferPointer<UInt8>, limits: Limits = Limits()) throws(Failure)
        -> JSONValue
    {
        guard bytes.count <= limits.maxBytes else { throw .tooLarge }
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            throw .byteOrderMark
        }
        var reader = StrictJSONReader(bytes: bytes, maxDepth: limits.maxDepth)
        reader.skipWhitespace()
        let value = try reader.readValue(depth: 1)
        reader.skipWhitespace()
        guard reader.position == bytes.count else { throw .trailingData(offset: reader.position) }
        return value
    }

    /// Reads one JSON document from any byte collection; see ``read(_:limits:)-(UnsafeBufferPointer<UInt8>,_)``.
    package static func read(_ bytes: some Collection<UInt8>, limits: Limits = Limits()) throws(Failure) -> JSONValue {
        let result = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(Failure) in try read(buffer, limits: limits) }
        }
        if let result { return try result.get() }
        let copy = Array(bytes)
        return try copy.withUnsafeBufferPointer { buffer throws(Failure) in try read(buffer, limits: limits) }
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private let maxDepth: Int
    private var position = 0

    private init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                position += 1
            default:
                return
            }
        }
    }

    private func peek() throws(Failure) -> UInt8 {
        guard position < bytes.count else { throw .unexpectedEnd }
        return bytes[position]
    }

    private mutating func readValue(depth: Int) throws(Failure) -> JSONValue {
        switch try peek() {
        case UInt8(ascii: "{"): return .object(try readObject(depth: depth))
        case UInt8(ascii: "["): return .array(try readArray(depth: depth))
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "t"): try readLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try readLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try readLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try readNumber())
        default: throw .unexpectedByte(offset: position)
        }
    }

    private mutating func readLiteral(_ literal: StaticString) throws(Failure) {
        let count = literal.utf8CodeUnitCount
        guard bytes.count - position >= count else { throw .unexpectedEnd }
        for index in 0..<count where bytes[position + index] != literal.utf8Start[index] {
            throw .unexpectedByte(offset: position + index)
        }
        position += count
    }

    private mutating func readObject(depth: Int) throws(Failure) -> JSONObject {
        guard depth <= maxDepth else { throw .tooDeep(offset: position) }
        position += 1  // {
        var members: [JSONObject.Member] = []
        var names: Set<ExactText>?  // built once an object grows past linear-scan size
        skipWhitespace()
        if try peek() == UInt8(ascii: "}") {
            position += 1
            return JSONObject(members: members)
        }
        members.reserveCapacity(8)  // one allocation for a typical JOSE header or claims set
        while true {
            guard try peek() == UInt8(ascii: "\"") else { throw .unexpectedByte(offset: position) }
            let nameOffset = position
            let name = try readString()
            let key = NameKey(name)
            if names == nil, members.count >= 16 {
                names = Set(members.map { ExactText($0.name) })
            }
            if names != nil {
                guard names!.insert(ExactText(name)).inserted else { throw .duplicateMemberName(offset: nameOffset) }
            } else if members.contains(where: { $0.key == key && (key.isComplete || $0.name.isExactly(name)) }) {
                throw .duplicateMemberName(offset: nameOffset)
            }
            skipWhitespace()
            guard try peek() == UInt8(ascii: ":") else { throw .unexpectedByte(offset: position) }
            position += 1
            skipWhitespace()
            let value = try readValue(depth: depth + 1)
            members.append(JSONObject.Member(name: name, value: value, key: key))
            skipWhitespace()
            switch try peek() {
            case UInt8(ascii: ","):
                position += 1
                skipWhitespace()
            case UInt8(ascii: "}"):
                position += 1
                return JSONObject(members: members)
            default:
                throw .unexpectedByte(offset: position)
            }
        }
    }

    private mutating func readArray(depth: Int) throws(Failure) -> [JSONValue] {
        guard depth <= maxDepth else { throw .tooDeep(offset: position) }
        position += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if try peek() == UInt8(ascii: "]") {
            position += 1
            return elements
        }
        elements.reserveCapacity(4)
        while true {
            elements.append(try readValue(depth: depth + 1))
            skipWhitespace()
            switch try peek() {
            case UInt8(ascii: ","):
                position += 1
                skipWhitespace()
            case UInt8(ascii: "]"):
                position += 1
                return elements
            default:
                throw .unexpectedByte(offset: position)
            }
        }
    }

    private mutating func readNumber() throws(Failure) -> JSONNumber {
        let start = position
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        // Integer part: a single 0, or a non-zero digit followed by digits.
        guard position < bytes.count else { throw .invalidNumber(offset: start) }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
        } else if isDigit(bytes[position]) {
            skipDigits()
        } else {
            throw .invalidNumber(offset: start)
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard position < bytes.count, isDigit(bytes[position]) else { throw .invalidNumber(offset: start) }
            skipDigits()
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard position < bytes.count, isDigit(bytes[position]) else { throw .invalidNumber(offset: start) }
            skipDigits()
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        // The grammar above is a subset of what Double's parser takes; only overflow can remain,
        // which it reports as an infinite value.
        guard let value = Double(text) else { throw .invalidNumber(offset: start) }
        return JSONNumber(text: text, value: value)
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private mutating func skipDigits() {
        while position < bytes.count, isDigit(bytes[position]) { position += 1 }
    }

    private mutating func readString() throws(Failure) -> String {
        let start = position
        position += 1  // opening quote
        // Fast path: no escapes.
        var scan = position
        while scan < bytes.count {
            let byte = bytes[scan]
            if byte == UInt8(ascii: "\"") {
                let raw = UnsafeBufferPointer(rebasing: bytes[position..<scan])
                guard let string = String(strictUTF8: raw) else { throw .invalidUTF8(offset: start) }
                position = scan + 1
                return string
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw .invalidString(offset: scan) }
            scan += 1
        }
        guard scan < bytes.count else { throw .unexpectedEnd }
        return try readEscapedString(start: start)
    }

    /// The slow path: a string with at least one escape.
    private mutating func readEscapedString(start: Int) throws(Failure) -> String {
        var utf8: [UInt8] = []
        while true {
            guard position < bytes.count else { throw .unexpectedEnd }
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                // Escapes only produce whole scalars, which cannot complete a truncated raw
                // sequence, so validating the result validates the raw bytes too.
                let decoded = utf8.withUnsafeBufferPointer { String(strictUTF8: $0) }
                guard let string = decoded else { throw .invalidUTF8(offset: start) }
                return string
            case UInt8(ascii: "\\"):
                position += 1
                guard position < bytes.count else { throw .unexpectedEnd }
                let escaped = bytes[position]
                position += 1
                switch escaped {
                case UInt8(ascii: "\""): utf8.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): utf8.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "/"): utf8.append(UInt8(ascii: "/"))
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"):
                    let scalar = try readUnicodeEscape()
                    utf8.append(contentsOf: UTF8.encode(scalar)!)
                default:
                    throw .invalidString(offset: position - 1)
                }
            default:
                if byte < 0x20 { throw .invalidString(offset: position) }
                utf8.append(byte)
                position += 1
            }
        }
    }

    /// Reads the `XXXX` of a `\uXXXX` escape (and the low half of a surrogate pair). Lone surrogates
    /// are refused: they name no character, and parsers disagree on what to make of them.
    private mutating func readUnicodeEscape() throws(Failure) -> Unicode.Scalar {
        let escapeStart = position - 2
        let first = try readHex4()
        switch first {
        case 0xD800...0xDBFF:
            guard bytes.count - position >= 6, bytes[position] == UInt8(ascii: "\\"),
                bytes[position + 1] == UInt8(ascii: "u")
            else {
                throw .invalidString(offset: escapeStart)
            }
            position += 2
            let second = try readHex4()
            guard (0xDC00...0xDFFF).contains(second) else { throw .invalidString(offset: escapeStart) }
            let value = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            guard let scalar = Unicode.Scalar(value) else { throw .invalidString(offset: escapeStart) }
            return scalar
        case 0xDC00...0xDFFF:
            throw .invalidString(offset: escapeStart)
        default:
            guard let scalar = Unicode.Scalar(first) else { throw .invalidString(offset: escapeStart) }
            return scalar
        }
    }

    private mutating func readHex4() throws(Failure) -> UInt32 {
        guard bytes.count - position >= 4 else { throw .unexpectedEnd }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw .invalidString(offset: position)
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }
}
