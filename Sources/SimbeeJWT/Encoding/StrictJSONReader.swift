/// The one strict, bounded RFC 8259 reader, for JOSE headers, JWT claims and JWK Sets.
///
/// Foundation's decoders cannot be the gate: `JSONDecoder` keeps the first of two members with the
/// same name, `JSONSerialization` the last, and both accept a byte-order mark. Attackers use exactly
/// that kind of disagreement between two parsers. This reader accepts RFC 8259 and nothing more:
/// - UTF-8 only, no byte-order mark, every string valid UTF-8 with no lone surrogate escapes;
/// - duplicate member names refused at every depth: names with the same code points after
///   unescaping, and also names that are canonically equivalent (`"caf\u00e9"` and
///   `"cafe\u0301"`, `"\u212A"` and `"K"`), which `JSONDecoder` reads as one key, so that a payload
///   decoded with it never yields a member other than the one checked here;
/// - no `NaN`, `Infinity`, comments, trailing commas, leading zeros or single quotes;
/// - the whole input is one value, with only JSON whitespace around it;
/// - nesting depth and input size are capped, so hostile input costs bounded time and stack.
///
/// It reads a document once and yields a ``JSONDocument``: the bytes it owns and, for each value,
/// where it stands in them. Everything else (the registered claims, the JOSE header, the
/// ``JSONValue`` tree) is read from that document, never by parsing the text again.
package enum StrictJSONReader {
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

        /// The same failure with its offset moved by `distance`.
        func shifted(by distance: Int) -> Failure {
            switch self {
            case .byteOrderMark, .tooLarge, .unexpectedEnd: self
            case .tooDeep(let offset): .tooDeep(offset: offset + distance)
            case .unexpectedByte(let offset): .unexpectedByte(offset: offset + distance)
            case .invalidNumber(let offset): .invalidNumber(offset: offset + distance)
            case .invalidString(let offset): .invalidString(offset: offset + distance)
            case .invalidUTF8(let offset): .invalidUTF8(offset: offset + distance)
            case .duplicateMemberName(let offset): .duplicateMemberName(offset: offset + distance)
            case .trailingData(let offset): .trailingData(offset: offset + distance)
            }
        }
    }

    /// Reads one JSON document.
    ///
    /// - Parameters:
    ///   - bytes: The document, UTF-8 encoded. The result keeps them.
    ///   - limits: Depth and size bounds.
    /// - Returns: The document, every value located.
    /// - Throws: ``Failure`` for anything outside RFC 8259 or past the limits.
    package static func parse(_ bytes: [UInt8], limits: Limits = Limits()) throws(Failure) -> JSONDocument {
        try parse(bytes, in: bytes.indices, limits: limits)
    }

    /// Reads the JSON document that stands in `bytes[range]`, for text decoded into a buffer that
    /// holds other text too (a token's header and payload share one). Offsets in a ``Failure``
    /// count from the start of `range`.
    ///
    /// - Parameters:
    ///   - bytes: The buffer, UTF-8 encoded. The result keeps it.
    ///   - range: Where the document stands in `bytes`.
    ///   - limits: Depth and size bounds.
    /// - Returns: The document, every value located.
    /// - Throws: ``Failure`` for anything outside RFC 8259 or past the limits.
    package static func parse(_ bytes: [UInt8], in range: Range<Int>, limits: Limits = Limits()) throws(Failure)
        -> JSONDocument
    {
        guard range.count <= limits.maxBytes, bytes.count <= JSONDocument.maxBufferBytes else { throw .tooLarge }
        if range.count >= 3, bytes[range.lowerBound] == 0xEF, bytes[range.lowerBound + 1] == 0xBB,
            bytes[range.lowerBound + 2] == 0xBF
        {
            throw .byteOrderMark
        }
        var parser = Parser(bytes: bytes, range: range, maxDepth: limits.maxDepth)
        do throws(Failure) {
            parser.skipWhitespace()
            try parser.readValue(depth: 1)
            parser.skipWhitespace()
            guard parser.position == range.upperBound else { throw Failure.trailingData(offset: parser.position) }
        } catch {
            throw error.shifted(by: -range.lowerBound)
        }
        return JSONDocument(bytes: bytes, range: range, nodes: parser.nodes)
    }

    /// Reads one JSON document into a value tree.
    ///
    /// - Throws: ``Failure`` for anything outside RFC 8259 or past the limits.
    package static func read(_ bytes: some Collection<UInt8>, limits: Limits = Limits()) throws(Failure) -> JSONValue {
        let document = try parse(Array(bytes), limits: limits)
        return document.value(document.root)
    }

    /// The reader's state while it walks one document.
    private struct Parser {
        let bytes: [UInt8]
        /// One past the document's last byte in ``bytes``.
        let end: Int
        let maxDepth: Int
        var position: Int
        var nodes: [JSONDocument.Node] = []

        /// Objects with more members than this check duplicates with a set rather than by
        /// comparing each new name with every earlier one.
        static let linearScanLimit = 16

        init(bytes: [UInt8], range: Range<Int>, maxDepth: Int) {
            self.bytes = bytes
            self.end = range.upperBound
            self.position = range.lowerBound
            self.maxDepth = maxDepth
            // JWT headers and payloads take more than six bytes per value: one allocation for them,
            // and little spare room for a cached token to keep. Denser text grows the array.
            nodes.reserveCapacity(min(range.count / 6 + 8, 64))
        }

        mutating func skipWhitespace() {
            let bytes = self.bytes  // a copy of the reference, so that the span borrows no part of `self`
            let text = bytes.span
            var index = position
            scan: while index < end {
                switch text[index] {
                case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                    index += 1
                default:
                    break scan
                }
            }
            position = index
        }

        func peek() throws(Failure) -> UInt8 {
            guard position < end else { throw .unexpectedEnd }
            return bytes[position]
        }

        /// Reads one value and appends its node (and those of everything inside it).
        mutating func readValue(depth: Int) throws(Failure) {
            let start = position
            switch try peek() {
            case UInt8(ascii: "{"):
                try readObject(depth: depth)
            case UInt8(ascii: "["):
                try readArray(depth: depth)
            case UInt8(ascii: "\""):
                try readString()
            case UInt8(ascii: "t"):
                try readLiteral("true")
                append(.bool, start: start)
            case UInt8(ascii: "f"):
                try readLiteral("false")
                append(.bool, start: start)
            case UInt8(ascii: "n"):
                try readLiteral("null")
                append(.null, start: start)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                try readNumber()
                append(.number, start: start)
            default:
                throw .unexpectedByte(offset: position)
            }
        }

        /// Appends a scalar that ends at the current position.
        mutating func append(_ kind: JSONDocument.Kind, start: Int, hasEscapes: Bool = false, isASCII: Bool = true) {
            nodes.append(
                JSONDocument.Node(
                    kind: kind,
                    hasEscapes: hasEscapes,
                    isASCII: isASCII,
                    start: start,
                    end: position,
                    next: nodes.count + 1
                )
            )
        }

        mutating func readLiteral(_ literal: String) throws(Failure) {
            for expected in literal.utf8 {
                guard position < end else { throw .unexpectedEnd }
                guard bytes[position] == expected else { throw .unexpectedByte(offset: position) }
                position += 1
            }
        }

        /// Opens a container's node; ``close(_:)`` completes it once its contents are read.
        mutating func open(_ kind: JSONDocument.Kind, depth: Int) throws(Failure) -> Int {
            guard depth <= maxDepth else { throw .tooDeep(offset: position) }
            nodes.append(JSONDocument.Node(kind: kind, start: position, end: position, next: nodes.count + 1))
            position += 1  // { or [
            skipWhitespace()
            return nodes.count - 1
        }

        mutating func close(_ container: Int) {
            position += 1  // } or ]
            nodes[container].end = position
            nodes[container].next = nodes.count
        }

        mutating func readObject(depth: Int) throws(Failure) {
            let object = try open(.object, depth: depth)
            if try peek() == UInt8(ascii: "}") {
                close(object)
                return
            }
            var memberCount = 0
            // Once the object outgrows the linear scan: `String` hashes and compares by canonical
            // equivalence, which covers equal code points too.
            var names: Set<String>?
            // Whether a name so far is not ASCII once unescaped: only then can two names with
            // different code points be canonically equivalent.
            var hasNonASCIIName = false
            repeat {
                guard try peek() == UInt8(ascii: "\"") else { throw .unexpectedByte(offset: position) }
                let nameOffset = position
                try readString()
                let name = nodes.count - 1
                if names == nil, memberCount == Self.linearScanLimit {
                    names = Set(JSONDocument.Members(nodes: nodes, object: object, end: name).map { text($0.name) })
                }
                let isASCII = isASCIIName(name)
                if names != nil {
                    guard names!.insert(text(name)).inserted else { throw .duplicateMemberName(offset: nameOffset) }
                } else {
                    let canonically = hasNonASCIIName || !isASCII
                    for earlier in JSONDocument.Members(nodes: nodes, object: object, end: name)
                    where sameName(earlier.name, name, canonically: canonically) {
                        throw .duplicateMemberName(offset: nameOffset)
                    }
                }
                hasNonASCIIName = hasNonASCIIName || !isASCII
                memberCount += 1
                skipWhitespace()
                guard try peek() == UInt8(ascii: ":") else { throw .unexpectedByte(offset: position) }
                position += 1
                skipWhitespace()
                try readValue(depth: depth + 1)
            } while try hasMore(before: UInt8(ascii: "}"))
            close(object)
        }

        mutating func readArray(depth: Int) throws(Failure) {
            let array = try open(.array, depth: depth)
            if try peek() == UInt8(ascii: "]") {
                close(array)
                return
            }
            repeat {
                try readValue(depth: depth + 1)
            } while try hasMore(before: UInt8(ascii: "]"))
            close(array)
        }

        /// After a member or an element: `true` past a `,`, `false` at `closing` (left for ``close(_:)``).
        mutating func hasMore(before closing: UInt8) throws(Failure) -> Bool {
            skipWhitespace()
            switch try peek() {
            case UInt8(ascii: ","):
                position += 1
                skipWhitespace()
                return true
            case closing:
                return false
            default:
                throw .unexpectedByte(offset: position)
            }
        }

        /// Whether two member names are the same name: the same bytes once unescaped or, when
        /// `canonically`, canonically equivalent.
        func sameName(_ first: Int, _ second: Int, canonically: Bool) -> Bool {
            if canonically { return text(first) == text(second) }
            let a = nodes[first]
            let b = nodes[second]
            if !a.hasEscapes, !b.hasEscapes {
                let text = bytes.span
                return text.extracting(a.start..<a.end).hasSameBytes(as: text.extracting(b.start..<b.end))
            }
            return decoded(first) == decoded(second)
        }

        /// Whether a name is ASCII once unescaped (an escape may stand for any character).
        func isASCIIName(_ node: Int) -> Bool {
            guard nodes[node].isASCII else { return false }
            return !nodes[node].hasEscapes || decoded(node).allSatisfy { $0 < 0x80 }
        }

        func decoded(_ node: Int) -> [UInt8] {
            JSONDocument.decodeString(bytes, nodes[node])
        }

        /// A string, unescaped, as text (already checked to be valid UTF-8 with no lone surrogate).
        func text(_ node: Int) -> String {
            String(decoding: decoded(node), as: UTF8.self)
        }

        /// Checks a number's text against the RFC 8259 grammar.
        mutating func readNumber() throws(Failure) {
            let start = position
            if bytes[position] == UInt8(ascii: "-") { position += 1 }
            // Integer part: a single 0, or a non-zero digit followed by digits.
            guard position < end else { throw .invalidNumber(offset: start) }
            if bytes[position] == UInt8(ascii: "0") {
                position += 1
            } else if isDigit(at: position) {
                skipDigits()
            } else {
                throw .invalidNumber(offset: start)
            }
            if position < end, bytes[position] == UInt8(ascii: ".") {
                position += 1
                guard isDigit(at: position) else { throw .invalidNumber(offset: start) }
                skipDigits()
            }
            if position < end, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
                position += 1
                if position < end, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                    position += 1
                }
                guard isDigit(at: position) else { throw .invalidNumber(offset: start) }
                skipDigits()
            }
        }

        func isDigit(at index: Int) -> Bool {
            index < end && bytes[index] >= UInt8(ascii: "0") && bytes[index] <= UInt8(ascii: "9")
        }

        mutating func skipDigits() {
            while isDigit(at: position) { position += 1 }
        }

        /// Reads a string, checking its escapes and its UTF-8; its node spans the bytes between the
        /// quotes, escapes not yet decoded.
        mutating func readString() throws(Failure) {
            let quote = position
            position += 1
            var hasEscapes = false
            var isASCII = true
            let bytes = self.bytes  // a copy of the reference, so that the span borrows no part of `self`
            let text = bytes.span
            while true {
                // Past the run of bytes that stand for themselves: printable ASCII but `"` and `\`.
                var index = position
                while index < end, text[index] >= 0x20, text[index] < 0x80, text[index] != UInt8(ascii: "\""),
                    text[index] != UInt8(ascii: "\\")
                {
                    index += 1
                }
                position = index
                guard position < end else { throw .unexpectedEnd }
                let byte = text[position]
                if byte == UInt8(ascii: "\"") { break }
                if byte == UInt8(ascii: "\\") {
                    hasEscapes = true
                    position += 1
                    guard position < end else { throw .unexpectedEnd }
                    let escaped = text[position]
                    position += 1
                    switch escaped {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                        UInt8(ascii: "f"),
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
                if byte >= 0x80 { isASCII = false }
                position += 1
            }
            // Escapes are ASCII and stand for whole scalars, and a multi-byte sequence cut by an
            // escape is invalid here too, so checking the raw bytes checks the decoded text.
            if !isASCII, !UTF8Validation.isValid(bytes[(quote + 1)..<position]) { throw .invalidUTF8(offset: quote) }
            nodes.append(
                JSONDocument.Node(
                    kind: .string,
                    hasEscapes: hasEscapes,
                    isASCII: isASCII,
                    start: quote + 1,
                    end: position,
                    next: nodes.count + 1
                )
            )
            position += 1  // closing quote
        }

        /// Checks the `XXXX` of a `\uXXXX` escape (and the low half of a surrogate pair). Lone
        /// surrogates are refused: they name no character, and parsers disagree on what to make of them.
        mutating func checkUnicodeEscape() throws(Failure) {
            let escapeStart = position - 2
            let first = try readHex4()
            switch first {
            case 0xD800...0xDBFF:
                guard end - position >= 6, bytes[position] == UInt8(ascii: "\\"),
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

        mutating func readHex4() throws(Failure) -> UInt32 {
            guard end - position >= 4 else { throw .unexpectedEnd }
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard let digit = JSONDocument.hexValue(bytes[position]) else {
                    throw .invalidString(offset: position)
                }
                value = value << 4 | UInt32(digit)
                position += 1
            }
            return value
        }
    }
}

/// UTF-8 well-formedness without decoding.
enum UTF8Validation {
    /// Whether `bytes` is well-formed UTF-8 as the Unicode Standard's table 3-7 defines it: no
    /// overlong forms, no surrogates, nothing past U+10FFFF, no truncated or stray continuation byte.
    static func isValid(_ bytes: ArraySlice<UInt8>) -> Bool {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            // The lead byte fixes the length and the allowed range of the second byte.
            let length: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return false
            }
            guard bytes.endIndex - index >= length, (low...high).contains(bytes[index + 1]) else { return false }
            for offset in 2..<length where bytes[index + offset] & 0xC0 != 0x80 { return false }
            index += length
        }
        return true
    }
}
