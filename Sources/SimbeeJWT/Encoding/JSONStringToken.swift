/// A JSON string as it stands in a document that ``StrictJSONReader`` has checked: the bytes
/// between the quotes, escapes not yet decoded. Decoding is left to whoever needs the text, so that
/// reading a document costs no allocation for strings nobody reads.
struct JSONStringToken {
    /// The bytes between the quotes.
    let raw: UnsafeBufferPointer<UInt8>
    /// Whether `raw` holds at least one backslash escape.
    let hasEscapes: Bool

    init(raw: UnsafeBufferPointer<UInt8>, hasEscapes: Bool) {
        self.raw = raw
        self.hasEscapes = hasEscapes
    }

    /// The decoded text.
    var string: String {
        // Copied into the string's own storage and checked there as UTF-8, repaired as
        // `String(decoding:as:)` would; that initialiser took about 50 instructions more per short
        // string (callgrind).
        withDecoded { decoded in
            String(unsafeUninitializedCapacity: decoded.count) { storage in
                storage.initialize(fromContentsOf: decoded)
            }
        }
    }

    /// The decoded text's bytes, in a new array.
    var decodedBytes: [UInt8] {
        withDecoded { Array($0) }
    }

    /// The decoded text's packed key, for quick name comparison.
    var key: NameKey {
        withDecoded { NameKey(bytes: $0) }
    }

    /// Whether both tokens decode to the same bytes.
    func hasSameText(as other: JSONStringToken) -> Bool {
        withDecoded { mine in other.withDecoded { theirs in mine.hasSameBytes(as: theirs) } }
    }

    /// Whether the decoded text has exactly the UTF-8 bytes of `text` (no Unicode equivalence).
    func isExactly(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { expected in withDecoded { $0.hasSameBytes(as: expected) } }
    }

    /// Runs `body` over the decoded bytes: the raw bytes themselves when there is no escape,
    /// otherwise a decoded copy in temporary storage.
    func withDecoded<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        guard hasEscapes else { return body(raw) }
        // Decoding never lengthens: every escape is at least as long as the UTF-8 it stands for.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: raw.count) { buffer in
            body(UnsafeBufferPointer(rebasing: buffer[..<Self.decode(raw, into: buffer)]))
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

    /// Decodes the escapes of a string the reader accepted (so every escape is well formed and every
    /// `\u` surrogate is paired) into `buffer`; returns the decoded length.
    private static func decode(_ raw: UnsafeBufferPointer<UInt8>, into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int
    {
        var input = 0
        var output = 0
        func hex4(at index: Int) -> UInt32 {
            var value: UInt32 = 0
            for offset in 0..<4 { value = value << 4 | UInt32(hexValue(raw[index + offset]) ?? 0) }
            return value
        }
        while input < raw.count {
            let byte = raw[input]
            guard byte == UInt8(ascii: "\\") else {
                buffer[output] = byte
                output += 1
                input += 1
                continue
            }
            let escaped = raw[input + 1]
            input += 2
            switch escaped {
            case UInt8(ascii: "u"):
                var value = hex4(at: input)
                input += 4
                if (0xD800...0xDBFF).contains(value) {  // the reader checked that `\uDC00`–`\uDFFF` follows
                    value = 0x10000 + ((value - 0xD800) << 10) + (hex4(at: input + 2) - 0xDC00)
                    input += 6
                }
                // Always a scalar: the reader refused lone surrogates.
                UTF8.encode(Unicode.Scalar(value) ?? "\u{FFFD}") { unit in
                    buffer[output] = unit
                    output += 1
                }
                continue
            case UInt8(ascii: "b"): buffer[output] = 0x08
            case UInt8(ascii: "f"): buffer[output] = 0x0C
            case UInt8(ascii: "n"): buffer[output] = 0x0A
            case UInt8(ascii: "r"): buffer[output] = 0x0D
            case UInt8(ascii: "t"): buffer[output] = 0x09
            default: buffer[output] = escaped  // `"`, `\` and `/` stand for themselves
            }
            output += 1
        }
        return output
    }
}

/// UTF-8 well-formedness without decoding.
enum UTF8Validation {
    /// Whether `bytes` is well-formed UTF-8 as the Unicode Standard's table 3-7 defines it: no
    /// overlong forms, no surrogates, nothing past U+10FFFF, no truncated or stray continuation byte.
    static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        while index < bytes.count {
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
            guard bytes.count - index >= length, (low...high).contains(bytes[index + 1]) else { return false }
            for offset in 2..<length where bytes[index + offset] & 0xC0 != 0x80 { return false }
            index += length
        }
        return true
    }
}
