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

    /// Decoding table: the 6-bit value of each alphabet byte, or `0xFF` for everything else.
    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, byte) in encodeTable.enumerated() {
            table[Int(byte)] = UInt8(value)
        }
        return table
    }()

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
    package static func decode(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>)
        -> DecodingError?
    {
        let table = decodeTable
        return table.withUnsafeBufferPointer { table -> DecodingError? in
            var inIndex = 0
            var outIndex = 0
            let fullGroups = input.count / 4
            for _ in 0..<fullGroups {
                let a = table[Int(input[inIndex])]
                let b = table[Int(input[inIndex + 1])]
                let c = table[Int(input[inIndex + 2])]
                let d = table[Int(input[inIndex + 3])]
                if (a | b | c | d) & 0xC0 != 0 { return .invalidCharacter }
                output[outIndex] = a << 2 | b >> 4
                output[outIndex + 1] = b << 4 | c >> 2
                output[outIndex + 2] = c << 6 | d
                inIndex += 4
                outIndex += 3
            }
            switch input.count - inIndex {
            case 0:
                return nil
            case 2:
                let a = table[Int(input[inIndex])]
                let b = table[Int(input[inIndex + 1])]
                if (a | b) & 0xC0 != 0 { return .invalidCharacter }
                if b & 0x0F != 0 { return .nonZeroTrailingBits }
                output[outIndex] = a << 2 | b >> 4
                return nil
            case 3:
                let a = table[Int(input[inIndex])]
                let b = table[Int(input[inIndex + 1])]
                let c = table[Int(input[inIndex + 2])]
                if (a | b | c) & 0xC0 != 0 { return .invalidCharacter }
                if c & 0x03 != 0 { return .nonZeroTrailingBits }
                output[outIndex] = a << 2 | b >> 4
                output[outIndex + 1] = b << 4 | c >> 2
                return nil
            default:
                return .invalidLength
            }
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
