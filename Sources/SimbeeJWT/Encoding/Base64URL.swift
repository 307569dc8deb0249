/// Strict base64url (RFC 4648 §5) as JOSE uses it (RFC 7515 §2): no padding, URL alphabet only.
///
/// Strictness is a security property here, not pedantry: a lax decoder lets one signature be written
/// many ways (padding, `+`/`/`, ignored characters, non-zero trailing bits), which defeats caches and
/// revocation lists keyed on token bytes. A segment decodes only if re-encoding the result gives back
/// the very same characters.
package enum Base64URL {
    /// Why a segment failed to decode.
    package enum DecodingError: Error, Equatable {
        /// A byte outside `A–Z a–z 0–9 - _` (this includes `=`, `+`, `/` and whitespace).
        case invalidCharacter
        /// `length % 4 == 1`: no byte sequence encodes to that many characters.
        case invalidLength
        /// The last character carries bits that do not belong to any decoded byte.
        case nonZeroTrailingBits
    }

    private static let encodeTable: [UInt8] = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8
    )

    /// Each byte's 6-bit value, or ``invalid`` for a byte outside the alphabet.
    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: invalid, count: 256)
        for (value, byte) in encodeTable.enumerated() { table[Int(byte)] = UInt8(value) }
        return table
    }()

    /// The table entry of a byte outside the alphabet: no 6-bit value has its high bit.
    private static let invalid: UInt8 = 0x80

    /// The number of bytes `characterCount` base64url characters decode to, or `nil` when no input
    /// has that length (`characterCount % 4 == 1`).
    package static func decodedLength(ofEncodedLength characterCount: Int) -> Int? {
        switch characterCount % 4 {
        case 0: return characterCount / 4 * 3
        case 2: return characterCount / 4 * 3 + 1
        case 3: return characterCount / 4 * 3 + 2
        default: return nil
        }
    }

    /// Decodes `input` strictly.
    ///
    /// A bad character is reported as ``DecodingError/invalidCharacter`` ahead of non-zero trailing
    /// bits, whatever its position.
    ///
    /// - Parameter input: The encoded characters, as bytes.
    /// - Returns: The decoded bytes.
    /// - Throws: ``DecodingError`` for any character outside the URL alphabet, an impossible length,
    ///   or non-zero trailing bits.
    package static func decode(_ input: Span<UInt8>) throws(DecodingError) -> [UInt8] {
        guard let outputCount = decodedLength(ofEncodedLength: input.count) else { throw .invalidLength }
        var bytes = [UInt8](repeating: 0, count: outputCount)
        var output = bytes.mutableSpan
        try decode(input, into: &output, at: 0)
        _ = consume output
        return bytes
    }

    /// Decodes `input` strictly into `output` from index `start` on, into storage the caller owns
    /// (such as one buffer for several segments), which must have room for the decoded length
    /// (``decodedLength(ofEncodedLength:)``).
    ///
    /// - Throws: ``DecodingError`` as ``decode(_:)-(Span<UInt8>)`` does.
    package static func decode(
        _ input: Span<UInt8>,
        into output: inout MutableSpan<UInt8>,
        at start: Int
    ) throws(DecodingError) {
        guard let outputCount = decodedLength(ofEncodedLength: input.count) else { throw .invalidLength }
        precondition(start >= 0 && output.count - start >= outputCount, "the output must have room for the bytes")
        let table = decodeTable.span
        var seen: UInt8 = 0  // every 6-bit value ORed together: `invalid` once any byte is outside the alphabet
        var index = 0
        var written = start
        // Each whole group of four characters fills three bytes of the output.
        while input.count - index >= 4, output.count - written >= 3 {
            let a = table[Int(input[index])]
            let b = table[Int(input[index + 1])]
            let c = table[Int(input[index + 2])]
            let d = table[Int(input[index + 3])]
            seen |= a | b | c | d
            output[written] = a << 2 | b >> 4
            output[written + 1] = b << 4 | c >> 2
            output[written + 2] = c << 6 | d
            index += 4
            written += 3
        }
        // The final 2 or 3 characters encode 1 or 2 bytes; the bits past them must be zero.
        var trailing: UInt8 = 0
        switch input.count - index {
        case 2:
            let a = table[Int(input[index])]
            let b = table[Int(input[index + 1])]
            seen |= a | b
            output[written] = a << 2 | b >> 4
            trailing = b & 0x0F
        case 3:
            let a = table[Int(input[index])]
            let b = table[Int(input[index + 1])]
            let c = table[Int(input[index + 2])]
            seen |= a | b | c
            output[written] = a << 2 | b >> 4
            output[written + 1] = b << 4 | c >> 2
            trailing = c & 0x03
        default:
            break
        }
        if seen & invalid != 0 { throw .invalidCharacter }
        if trailing != 0 { throw .nonZeroTrailingBits }
    }

    /// Decodes any byte collection strictly; see ``decode(_:)-(Span<UInt8>)``.
    package static func decode(_ input: some Collection<UInt8>) throws(DecodingError) -> [UInt8] {
        let bytes = Array(input)
        return try decode(bytes.span)
    }

    /// Encodes `bytes` as base64url without padding.
    package static func encode(_ bytes: some Collection<UInt8>) -> String {
        let input = Array(bytes)
        let table = encodeTable
        var output = [UInt8]()
        output.reserveCapacity((input.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= input.count {
            let chunk = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
            output.append(table[Int(chunk >> 18 & 0x3F)])
            output.append(table[Int(chunk >> 12 & 0x3F)])
            output.append(table[Int(chunk >> 6 & 0x3F)])
            output.append(table[Int(chunk & 0x3F)])
            index += 3
        }
        switch input.count - index {
        case 1:
            let chunk = UInt32(input[index]) << 16
            output.append(table[Int(chunk >> 18 & 0x3F)])
            output.append(table[Int(chunk >> 12 & 0x3F)])
        case 2:
            let chunk = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8
            output.append(table[Int(chunk >> 18 & 0x3F)])
            output.append(table[Int(chunk >> 12 & 0x3F)])
            output.append(table[Int(chunk >> 6 & 0x3F)])
        default:
            break
        }
        return String(decoding: output, as: UTF8.self)
    }
}
