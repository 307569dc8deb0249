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

    /// Reads one JSON document from `bytes` into a value tree.
    ///
    /// - Parameters:
    ///   - bytes: The document, UTF-8 encoded.
    ///   - limits: Depth and size bounds.
    /// - Returns: The parsed value.
    /// - Throws: ``Failure`` for anything outside RFC 8259 or past the limits.
    package static func read(_ bytes: UnsafeBufferPointer<UInt8>, limits: Limits = Limits()) throws(Failure)
        -> JSONValue
    {
        try parse(bytes, limits: limits) { reader throws(Failure) in
            try reader.readValue(depth: 1, into: JSONTreeSink())
        }
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

    /// Checks that `bytes` is one document this reader accepts, building nothing, so that a caller
    /// can then pick members out of it in place with ``ValidatedJSON``. The rules are exactly those
    /// of ``read(_:limits:)-(UnsafeBufferPointer<UInt8>,_)``: both run the same reader.
    ///
    /// - Throws: ``Failure`` for anything outside RFC 8259 or past the limits.
    package static func validate(_ bytes: UnsafeBufferPointer<UInt8>, limits: Limits = Limits()) throws(Failure) {
        try parse(bytes, limits: limits) { reader throws(Failure) in
            try reader.readValue(depth: 1, into: ValidatingSink())
        }
    }

    /// Checks `bytes` exactly as ``validate(_:limits:)`` does and, in the same pass, returns what
    /// `sink` made of the members of the top-level object: `nil` when the document is valid but its
    /// top-level value is not an object.
    ///
    /// - Throws: ``Failure`` for anything outside RFC 8259 or past the limits.
    static func validateObject<Sink: StrictJSONSink>(
        _ bytes: UnsafeBufferPointer<UInt8>,
        limits: Limits,
        into sink: Sink
    ) throws(Failure) -> Sink.Members? {
        try parse(bytes, limits: limits) { reader throws(Failure) -> Sink.Members? in
            guard try reader.peek() == UInt8(ascii: "{") else {
                _ = try reader.readValue(depth: 1, into: sink)
                return nil
            }
            return try reader.readMembers(depth: 1, into: sink)
        }
    }

    /// Runs `read` over `bytes` once the size and the byte-order mark are checked, then checks that
    /// only whitespace surrounds what it read.
    private static func parse<Result>(
        _ bytes: UnsafeBufferPointer<UInt8>,
        limits: Limits,
        _ read: (inout StrictJSONReader) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        guard bytes.count <= limits.maxBytes else { throw .tooLarge }
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            throw .byteOrderMark
        }
        // Member names of the objects being read, for the duplicate check: on the stack, so that
        // typical headers and claims sets allocate nothing for it.
        return try withUnsafeTemporaryAllocation(of: MemberName.self, capacity: Self.nameStackCapacity) {
            names throws(Failure) in
            var reader = StrictJSONReader(bytes: bytes, maxDepth: limits.maxDepth, names: names)
            reader.skipWhitespace()
            let result = try read(&reader)
            reader.skipWhitespace()
            guard reader.position == bytes.count else { throw .trailingData(offset: reader.position) }
            return result
        }
    }

    /// Names held on the stack across all open objects; past this, or past
    /// ``linearScanLimit`` names in one object, that object checks duplicates with a set instead.
    /// 24 names take 960 bytes: `withUnsafeTemporaryAllocation` stays on the stack up to 1 KiB.
    private static let nameStackCapacity = 24
    /// The most names one object compares linearly (quadratic work stays small).
    private static let linearScanLimit = 16

    /// A member name seen in an open object: where it is in the input, and its packed key.
    private struct MemberName {
        var key: NameKey
        var start: Int
        var count: Int
        var hasEscapes: Bool
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private let maxDepth: Int
    private var position = 0
    private let names: UnsafeMutableBufferPointer<MemberName>
    private var nameCount = 0

    private init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int, names: UnsafeMutableBufferPointer<MemberName>) {
        self.bytes = bytes
        self.maxDepth = maxDepth
        self.names = names
    }

    private mutating func skipWhitespace() {
        // Compact JSON, what issuers sign, has no whitespace between tokens: one comparison
        // settles it, and the loop below (a call) runs only when a byte might be whitespace.
        guard position < bytes.count, bytes[position] <= UInt8(ascii: " ") else { return }
        skipWhitespaceRun()
    }

    private mutating func skipWhitespaceRun() {
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

    private mutating func readValue<Sink: StrictJSONSink>(depth: Int, into sink: Sink) throws(Failure) -> Sink.Value {
        switch try peek() {
        case UInt8(ascii: "{"): return try readObject(depth: depth, into: sink)
        case UInt8(ascii: "["): return try readArray(depth: depth, into: sink)
        case UInt8(ascii: "\""): return sink.string(try readString())
        case UInt8(ascii: "t"): try readLiteral("true"); return sink.bool(true)
        case UInt8(ascii: "f"): try readLiteral("false"); return sink.bool(false)
        case UInt8(ascii: "n"): try readLiteral("null"); return sink.null()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = position
            return try sink.number(try readNumber(), offset: start)
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

    private mutating func readObject<Sink: StrictJSONSink>(depth: Int, into sink: Sink) throws(Failure) -> Sink.Value {
        sink.object(try readMembers(depth: depth, into: sink))
    }

    /// Reads an object and returns what `sink` made of its members.
    private mutating func readMembers<Sink: StrictJSONSink>(depth: Int, into sink: Sink) throws(Failure)
        -> Sink.Members
    {
        guard depth <= maxDepth else { throw .tooDeep(offset: position) }
        position += 1  // {
        var members = sink.beginObject(depth: depth)
        skipWhitespace()
        if try peek() == UInt8(ascii: "}") {
            position += 1
            return members
        }
        let firstName = nameCount
        defer { nameCount = firstName }
        var overflow: Set<[UInt8]>?  // once the object outgrows the linear scan or the stack
        while true {
            guard try peek() == UInt8(ascii: "\"") else { throw .unexpectedByte(offset: position) }
            let nameOffset = position
            let name = try readString()
            let key = name.key
            if overflow == nil, nameCount - firstName >= Self.linearScanLimit || nameCount == names.count {
                overflow = Set((firstName..<nameCount).map { token(names[$0]).decodedBytes })
            }
            if overflow != nil {
                guard overflow!.insert(name.decodedBytes).inserted else {
                    throw .duplicateMemberName(offset: nameOffset)
                }
            } else {
                for index in firstName..<nameCount where names[index].key == key {
                    if key.isComplete || token(names[index]).hasSameText(as: name) {
                        throw .duplicateMemberName(offset: nameOffset)
                    }
                }
                names[nameCount] = MemberName(
                    key: key,
                    start: name.raw.baseAddress! - bytes.baseAddress!,
                    count: name.raw.count,
                    hasEscapes: name.hasEscapes
                )
                nameCount += 1
            }
            skipWhitespace()
            guard try peek() == UInt8(ascii: ":") else { throw .unexpectedByte(offset: position) }
            position += 1
            skipWhitespace()
            let valueStart = position
            let value = try readValue(depth: depth + 1, into: sink)
            let text = UnsafeBufferPointer(rebasing: bytes[valueStart..<position])
            sink.addMember(name, key: key, value: value, text: text, to: &members)
            skipWhitespace()
            switch try peek() {
            case UInt8(ascii: ","):
                position += 1
                skipWhitespace()
            case UInt8(ascii: "}"):
                position += 1
                return members
            default:
                throw .unexpectedByte(offset: position)
            }
        }
    }

    private func token(_ name: MemberName) -> JSONStringToken {
        JSONStringToken(
            raw: UnsafeBufferPointer(rebasing: bytes[name.start..<(name.start + name.count)]),
            hasEscapes: name.hasEscapes
        )
    }

    private mutating func readArray<Sink: StrictJSONSink>(depth: Int, into sink: Sink) throws(Failure) -> Sink.Value {
        guard depth <= maxDepth else { throw .tooDeep(offset: position) }
        position += 1  // [
        var elements = sink.beginArray()
        skipWhitespace()
        if try peek() == UInt8(ascii: "]") {
            position += 1
            return sink.array(elements)
        }
        while true {
            sink.addElement(try readValue(depth: depth + 1, into: sink), to: &elements)
            skipWhitespace()
            switch try peek() {
            case UInt8(ascii: ","):
                position += 1
                skipWhitespace()
            case UInt8(ascii: "]"):
                position += 1
                return sink.array(elements)
            default:
                throw .unexpectedByte(offset: position)
            }
        }
    }

    /// Reads a number's text, checked against the RFC 8259 grammar.
    private mutating func readNumber() throws(Failure) -> UnsafeBufferPointer<UInt8> {
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
        return UnsafeBufferPointer(rebasing: bytes[start..<position])
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private mutating func skipDigits() {
        while position < bytes.count, isDigit(bytes[position]) { position += 1 }
    }

    /// Reads a string token, checking its escapes and its UTF-8 without decoding it.
    private mutating func readString() throws(Failure) -> JSONStringToken {
        let start = position
        position += 1  // opening quote
        var hasEscapes = false
        var isASCII = true
        while true {
            position = endOfPlainRun(from: position)
            guard position < bytes.count else { throw .unexpectedEnd }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") { break }
            if byte == UInt8(ascii: "\\") {
                hasEscapes = true
                position += 1
                guard position < bytes.count else { throw .unexpectedEnd }
                let escaped = bytes[position]
                position += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    break
                case UInt8(ascii: "u"):
                    try checkUnicodeEscape()
                default:
                    throw .invalidString(offset: position - 1)
                }
                continue
            }
            if byte < 0x20 { throw .invalidString(offset: position) }
            isASCII = false  // byte ≥ 0x80: the run stops at every one
            position += 1
        }
        let raw = UnsafeBufferPointer(rebasing: bytes[(start + 1)..<position])
        position += 1  // closing quote
        // Escapes are ASCII and produce whole scalars, and a multi-byte sequence cut by an escape is
        // invalid here too, so checking the raw bytes checks the decoded text.
        if !isASCII, !UTF8Validation.isValid(raw) { throw .invalidUTF8(offset: start) }
        return JSONStringToken(raw: raw, hasEscapes: hasEscapes)
    }

    /// The index of the first byte at or after `index` that a string cannot simply pass over: `"`,
    /// `\`, a control character or a non-ASCII byte (or the end of the input). Looks at eight bytes
    /// at a time while eight remain; string contents are most of what headers and claims hold.
    private func endOfPlainRun(from index: Int) -> Int {
        var index = index
        while bytes.count - index >= 8 {
            let word = UInt64(
                littleEndian: UnsafeRawPointer(bytes.baseAddress! + index).loadUnaligned(as: UInt64.self)
            )
            let special = Self.specialLanes(word)
            if special != 0 { return index + special.trailingZeroBitCount / 8 }
            index += 8
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x20 || byte >= 0x80 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { break }
            index += 1
        }
        return index
    }

    /// Sets the high bit of each byte lane of `word` (first input byte in the low lane) that holds a
    /// control character, `"`, `\` or a byte ≥ 0x80. The subtraction tricks can also flag a lane
    /// above a flagged one (a borrow moves up), never below, so the lowest flag is always exact.
    private static func specialLanes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highBits: UInt64 = 0x8080_8080_8080_8080
        func zeroLanes(_ value: UInt64) -> UInt64 { (value &- ones) & ~value & highBits }
        let control = (word &- 0x20 &* ones) & ~word & highBits  // lanes below 0x20
        let quote = zeroLanes(word ^ (0x22 &* ones))
        let backslash = zeroLanes(word ^ (0x5C &* ones))
        return control | quote | backslash | (word & highBits)
    }

    /// Checks the `XXXX` of a `\uXXXX` escape (and the low half of a surrogate pair). Lone
    /// surrogates are refused: they name no character, and parsers disagree on what to make of them.
    private mutating func checkUnicodeEscape() throws(Failure) {
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
        case 0xDC00...0xDFFF:
            throw .invalidString(offset: escapeStart)
        default:
            break
        }
    }

    private mutating func readHex4() throws(Failure) -> UInt32 {
        guard bytes.count - position >= 4 else { throw .unexpectedEnd }
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let digit = JSONStringToken.hexValue(bytes[position]) else { throw .invalidString(offset: position) }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }
}

/// What ``StrictJSONReader`` reports as it reads. The reader checks the grammar, the limits and
/// duplicate names whatever the sink; a sink only decides what to build.
protocol StrictJSONSink {
    associatedtype Value
    associatedtype Members
    associatedtype Elements
    func null() -> Value
    func bool(_ value: Bool) -> Value
    /// A number's text, already checked against the grammar.
    func number(_ text: UnsafeBufferPointer<UInt8>, offset: Int) throws(StrictJSONReader.Failure) -> Value
    func string(_ token: JSONStringToken) -> Value
    /// An object begins, `depth` levels down (the top-level value is at depth 1).
    func beginObject(depth: Int) -> Members
    /// A member of an object; `text` is the value exactly as it stands in the document.
    func addMember(
        _ name: JSONStringToken,
        key: NameKey,
        value: Value,
        text: UnsafeBufferPointer<UInt8>,
        to members: inout Members
    )
    func object(_ members: Members) -> Value
    func beginArray() -> Elements
    func addElement(_ value: Value, to elements: inout Elements)
    func array(_ elements: Elements) -> Value
}

/// Builds nothing: validation only.
private struct ValidatingSink: StrictJSONSink {
    func null() {}
    func bool(_ value: Bool) {}
    func number(_ text: UnsafeBufferPointer<UInt8>, offset: Int) {}
    func string(_ token: JSONStringToken) {}
    func beginObject(depth: Int) {}
    func addMember(
        _ name: JSONStringToken,
        key: NameKey,
        value: Void,
        text: UnsafeBufferPointer<UInt8>,
        to members: inout Void
    ) {}
    func object(_ members: Void) {}
    func beginArray() {}
    func addElement(_ value: Void, to elements: inout Void) {}
    func array(_ elements: Void) {}
}

/// Builds a ``JSONValue`` tree.
private struct JSONTreeSink: StrictJSONSink {
    func null() -> JSONValue { .null }
    func bool(_ value: Bool) -> JSONValue { .bool(value) }

    func number(_ text: UnsafeBufferPointer<UInt8>, offset: Int) throws(StrictJSONReader.Failure) -> JSONValue {
        let text = String(decoding: text, as: UTF8.self)
        // The grammar is a subset of what Double's parser takes; only overflow can remain, which it
        // reports as an infinite value.
        guard let value = Double(text) else { throw .invalidNumber(offset: offset) }
        return .number(JSONNumber(text: text, value: value))
    }

    func string(_ token: JSONStringToken) -> JSONValue { .string(token.string) }

    func beginObject(depth: Int) -> [JSONObject.Member] { [] }

    func addMember(
        _ name: JSONStringToken,
        key: NameKey,
        value: JSONValue,
        text: UnsafeBufferPointer<UInt8>,
        to members: inout [JSONObject.Member]
    ) {
        if members.isEmpty { members.reserveCapacity(8) }  // one allocation for a typical header or claims set
        members.append(JSONObject.Member(name: name.string, value: value, key: key))
    }

    func object(_ members: [JSONObject.Member]) -> JSONValue { .object(JSONObject(members: members)) }

    func beginArray() -> [JSONValue] { [] }
    func addElement(_ value: JSONValue, to elements: inout [JSONValue]) {
        if elements.isEmpty { elements.reserveCapacity(4) }
        elements.append(value)
    }
    func array(_ elements: [JSONValue]) -> JSONValue { .array(elements) }
}
