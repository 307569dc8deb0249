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

    /// Decoding tables, four of 256 entries, one per position in a group of four characters. The
    /// entry for an alphabet byte holds its 6 bits already moved to where they land in the group's
    /// three output bytes, as a little-endian `UInt32` (byte 0 is the first output byte), so a group
    /// decodes with four lookups and three ORs. Every other byte maps to `invalid`, whose high byte no
    /// alphabet entry touches.
    private static let decodeTables: [UInt32] = {
        var tables = [UInt32](repeating: invalid, count: 4 * 256)
        for (value, byte) in encodeTable.enumerated() {
            let bits = UInt32(value)
            tables[Int(byte)] = bits << 2  // byte 0, bits 7…2
            tables[256 + Int(byte)] = bits >> 4 | (bits & 0x0F) << 12  // byte 0 bits 1…0, byte 1 bits 7…4
            tables[512 + Int(byte)] = (bits >> 2) << 8 | (bits & 0x03) << 22  // byte 1 bits 3…0, byte 2 bits 7…6
            tables[768 + Int(byte)] = bits << 16  // byte 2, bits 5…0
        }
        return tables
    }()

    /// The table entry of a byte outside the alphabet: any of its high-byte bits marks the group.
    private static let invalid: UInt32 = 0xFF00_0000

    private static let encodeTable: [UInt8] = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8
    )

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
    /// - Parameter input: The encoded characters, as bytes.
    /// - Returns: The decoded bytes.
    /// - Throws: ``DecodingError`` for any character outside the URL alphabet, an impossible length,
    ///   or non-zero trailing bits.
    package static func decode(_ input: UnsafeBufferPointer<UInt8>) throws(DecodingError) -> [UInt8] {
        guard let outputCount = decodedLength(ofEncodedLength: input.count) else {
            throw .invalidLength
        }
        var failure: DecodingError?
        let output = [UInt8](unsafeUninitializedCapacity: outputCount) { buffer, initialized in
            failure = decode(input, into: buffer)
            initialized = failure == nil ? outputCount : 0
        }
        if let failure { throw failure }
        return output
    }

    /// Decodes `input` strictly into a byte array; see ``decode(_:)-(UnsafeBufferPointer<UInt8>)``.
    package static func decode(_ input: some Collection<UInt8>) throws(DecodingError) -> [UInt8] {
        if let result = input.withContiguousStorageIfAvailable({ buffer in
            Result { () throws(DecodingError) in try decode(buffer) }
        }) {
            return try result.get()
        }
        let copy = Array(input)
        return try copy.withUnsafeBufferPointer { buffer throws(DecodingError) in try decode(buffer) }
    }

    /// Decodes into `output`, which must hold exactly `decodedLength(ofEncodedLength: input.count)` bytes.
    /// Returns the failure, if any, instead of throwing so that it can run inside initialiser closures.
    /// On failure the contents of `output` are unspecified.
    ///
    /// Validity is collected across the whole input and checked once at the end, so the loop has no
    /// branch per group; a bad character is still always reported as ``DecodingError/invalidCharacter``,
    /// ahead of non-zero trailing bits, whatever its position.
    package static func decode(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>)
        -> DecodingError?
    {
        let remainder = input.count % 4
        guard remainder != 1 else { return .invalidLength }
        precondition(output.count == decodedLength(ofEncodedLength: input.count), "output must fit exactly")
        guard var source = input.baseAddress, var target = output.baseAddress else { return nil }
        return decodeTables.withUnsafeBufferPointer { tables -> DecodingError? in
            let t = tables.baseAddress!
            func group(_ c: UnsafePointer<UInt8>) -> UInt32 {
                t[Int(c[0])] | t[256 + Int(c[1])] | t[512 + Int(c[2])] | t[768 + Int(c[3])]
            }
            var seen: UInt32 = 0
            // Whole groups written with a 4-byte store (its fourth byte is overwritten by the next
            // group) while the output has room for it, which is every group but at most the last.
            // The count is worked out first and the loop takes two groups a turn, so it runs on
            // pointers alone: about 5 instructions a group fewer than checking the room each time.
            var groups = input.count / 4
            let stored = output.count >= 4 ? min(groups, (output.count - 4) / 3 + 1) : 0
            groups -= stored
            let storedEnd = source + 4 * stored
            while storedEnd - source >= 8 {
                let first = group(source)
                let second = group(source + 4)
                seen |= first | second
                UnsafeMutableRawPointer(target).storeBytes(of: first.littleEndian, as: UInt32.self)
                UnsafeMutableRawPointer(target + 3).storeBytes(of: second.littleEndian, as: UInt32.self)
                source += 8
                target += 6
            }
            if source < storedEnd {
                let word = group(source)
                seen |= word
                UnsafeMutableRawPointer(target).storeBytes(of: word.littleEndian, as: UInt32.self)
                source += 4
                target += 3
            }
            if groups > 0 {  // one whole group left, with exactly 3 bytes of room
                let word = group(source)
                seen |= word
                target[0] = UInt8(truncatingIfNeeded: word)
                target[1] = UInt8(truncatingIfNeeded: word >> 8)
                target[2] = UInt8(truncatingIfNeeded: word >> 16)
                source += 4
                target += 3
            }
            // The final 2 or 3 characters encode 1 or 2 bytes; the bits past them must be zero.
            var tail: UInt32 = 0
            if remainder >= 2 {
                tail = t[Int(source[0])] | t[256 + Int(source[1])]
                if remainder == 3 { tail |= t[512 + Int(source[2])] }
                seen |= tail
                target[0] = UInt8(truncatingIfNeeded: tail)
                if remainder == 3 { target[1] = UInt8(truncatingIfNeeded: tail >> 8) }
            }
            if seen & invalid != 0 { return .invalidCharacter }
            let leftover: UInt32 = remainder == 2 ? 0x00FF_FF00 : remainder == 3 ? 0x00FF_0000 : 0
            return tail & leftover != 0 ? .nonZeroTrailingBits : nil
        }
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
