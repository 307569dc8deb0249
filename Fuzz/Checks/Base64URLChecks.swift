import SimbeeJWT

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Properties of the strict base64url codec (RFC 4648 §5 without padding, RFC 7515 §2).
///
/// The input is used twice: as bytes to encode, and as text to decode.
/// - `decode(encode(x)) == x`, and the encoding has the expected length and only URL-alphabet bytes;
/// - decoding agrees with an independent bit-accumulator decoder, result and failure reason;
/// - the decoding entry points agree: span, any collection, and into shared storage at an offset
///   (as the verifier decodes a token's segments into one buffer), which writes nothing outside
///   its room; `decodedLength` is the length;
/// - a decoded segment re-encodes to its input (canonical: one encoding per byte string), and
///   Foundation's decoder, given the same text in the standard alphabet, returns the same bytes.
enum Base64URLChecks {
    static func run(_ input: [UInt8]) throws(PropertyViolation) -> Bool {
        try checkEncoding(input)
        return try checkDecoding(input)
    }

    private static func checkEncoding(_ bytes: [UInt8]) throws(PropertyViolation) {
        let encoded = Array(Base64URL.encode(bytes).utf8)
        try require(encoded.count == (bytes.count * 4 + 2) / 3, "encode(x) has \(encoded.count) characters")
        try require(encoded.allSatisfy { referenceValue($0) != nil }, "encode(x) left the base64url alphabet")
        let decoded = try? Base64URL.decode(encoded)
        try require(decoded == bytes, "decode(encode(x)) != x")
    }

    private static func checkDecoding(_ text: [UInt8]) throws(PropertyViolation) -> Bool {
        let expected = referenceDecode(text)
        let viaSpan = Result { () throws(Base64URL.DecodingError) in try Base64URL.decode(text.span) }
        // A lazy view has no contiguous storage, so this takes the copying path.
        let viaCollection = Result { () throws(Base64URL.DecodingError) in try Base64URL.decode(text.lazy.map { $0 }) }
        try require(viaSpan == expected, "decode(span) = \(viaSpan), reference \(expected)")
        try require(viaCollection == expected, "decode(collection) = \(viaCollection), reference \(expected)")
        try checkDecodingIntoStorage(text, expected: expected)

        if let count = Base64URL.decodedLength(ofEncodedLength: text.count) {
            if case .success(let bytes) = expected {
                try require(bytes.count == count, "decodedLength differs from the decoded length")
            }
        } else {
            try require(expected == .failure(.invalidLength), "decodedLength is nil for a decodable length")
        }

        guard case .success(let decoded) = expected else { return false }
        let reencoded = Array(Base64URL.encode(decoded).utf8)
        try require(reencoded == text, "a decoded segment does not re-encode to its input")
        try require(foundationDecode(text) == decoded, "Foundation decodes the same text differently")
        return true
    }

    /// `decode(_:into:at:)` into a buffer with guard bytes on both sides, at an offset that varies
    /// with the input: the same outcome as the reference, and the guard bytes untouched.
    private static func checkDecodingIntoStorage(
        _ text: [UInt8],
        expected: Result<[UInt8], Base64URL.DecodingError>
    ) throws(PropertyViolation) {
        guard let count = Base64URL.decodedLength(ofEncodedLength: text.count) else { return }
        let guardByte: UInt8 = 0xA5
        let offset = text.count % 7 + 1
        var buffer = [UInt8](repeating: guardByte, count: offset + count + 3)
        var failure: Base64URL.DecodingError?
        do throws(Base64URL.DecodingError) {
            var output = buffer.mutableSpan
            try Base64URL.decode(text.span, into: &output, at: offset)
        } catch {
            failure = error
        }
        switch expected {
        case .success(let bytes):
            try require(
                failure == nil,
                "decode(into:at:) failed with \(String(describing: failure)), reference decoded"
            )
            try require(Array(buffer[offset..<(offset + count)]) == bytes, "decode(into:at:) wrote other bytes")
        case .failure(let reason):
            try require(failure == reason, "decode(into:at:) = \(String(describing: failure)), reference \(reason)")
        }
        try require(
            buffer[..<offset].allSatisfy { $0 == guardByte }
                && buffer[(offset + count)...].allSatisfy { $0 == guardByte },
            "decode(into:at:) wrote outside the room it was given"
        )
    }

    /// The 6-bit value of a base64url character, written independently of the library's table.
    static func referenceValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): byte - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0") + 52
        case UInt8(ascii: "-"): 62
        case UInt8(ascii: "_"): 63
        default: nil
        }
    }

    /// Strict decoding by bit accumulation: the length first, then the alphabet, then the unused
    /// low bits of the last character, which must be zero.
    static func referenceDecode(_ text: [UInt8]) -> Result<[UInt8], Base64URL.DecodingError> {
        guard text.count % 4 != 1 else { return .failure(.invalidLength) }
        var output: [UInt8] = []
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in text {
            guard let value = referenceValue(byte) else { return .failure(.invalidCharacter) }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                accumulator &= (1 << UInt32(bits)) - 1
            }
        }
        guard accumulator == 0 else { return .failure(.nonZeroTrailingBits) }
        return .success(output)
    }

    /// Foundation's decoder on the same text translated to the standard alphabet with padding.
    private static func foundationDecode(_ text: [UInt8]) -> [UInt8]? {
        var standard = text.map { byte -> UInt8 in
            switch byte {
            case UInt8(ascii: "-"): UInt8(ascii: "+")
            case UInt8(ascii: "_"): UInt8(ascii: "/")
            default: byte
            }
        }
        while standard.count % 4 != 0 { standard.append(UInt8(ascii: "=")) }
        return Data(base64Encoded: Data(standard)).map { Array($0) }
    }
}
