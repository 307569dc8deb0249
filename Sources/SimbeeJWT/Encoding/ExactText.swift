#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Text compared byte for byte.
///
/// Swift's `String` equality and hashing follow Unicode canonical equivalence: `"caf\u{E9}"` equals
/// `"cafe\u{301}"`, and `"O\u{212A}P"` (KELVIN SIGN) equals `"OKP"`. For identifiers read from
/// tokens and key sets (`kid`, member names, `kty`, `alg`, scopes) two different byte strings must
/// stay different, so every such comparison goes through UTF-8 bytes.
struct ExactText: Hashable, Sendable {
    /// The text.
    let string: String

    init(_ string: String) {
        self.string = string
    }

    static func == (lhs: ExactText, rhs: ExactText) -> Bool {
        lhs.string.isExactly(rhs.string)
    }

    func hash(into hasher: inout Hasher) {
        let hashed: Void? = string.utf8.withContiguousStorageIfAvailable { bytes in
            hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
        }
        if hashed == nil {
            for byte in string.utf8 { hasher.combine(byte) }
        }
    }
}

extension String {
    /// Whether the two strings have the same UTF-8 bytes (no Unicode normalization).
    func isExactly(_ other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        // Native strings (all of them on Linux) lend their bytes without a copy of either string.
        let compared = utf8.withContiguousStorageIfAvailable { left in
            other.utf8.withContiguousStorageIfAvailable { right in left.hasSameBytes(as: right) }
        }
        return (compared ?? nil) ?? utf8.elementsEqual(other.utf8)
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// Whether both buffers hold the same bytes.
    func hasSameBytes(as other: UnsafeBufferPointer<UInt8>) -> Bool {
        guard count == other.count else { return false }
        guard count > 0, let left = baseAddress, let right = other.baseAddress else { return true }
        return memcmp(left, right, count) == 0
    }
}

extension String {
    /// A string from bytes that must be valid UTF-8, or `nil`. Faster than
    /// `String(validating:as:)`, whose generic decoding loop dominates short JOSE strings: ASCII is
    /// taken as is, anything else is decoded and accepted only if decoding repaired nothing.
    init?(strictUTF8 bytes: UnsafeBufferPointer<UInt8>) {
        var isASCII = true
        for byte in bytes where byte >= 0x80 {
            isASCII = false
            break
        }
        let decoded = String(decoding: bytes, as: UTF8.self)
        if !isASCII {
            // Repair replaces each invalid sequence with U+FFFD, which changes the bytes.
            guard decoded.utf8.count == bytes.count, decoded.utf8.elementsEqual(bytes) else { return nil }
        }
        self = decoded
    }
}
