/// Fixed-width integer arithmetic on byte arrays, for building out-of-range and twin signature
/// scalars (n + 1, n − s, S + L …): used by the `verify` fuzz check and by the attack and boundary
/// tests. No cryptography, just carries and borrows.
package enum ByteMath {
    /// A 32-byte big-endian integer holding `value`.
    package static func integer(_ value: UInt8) -> [UInt8] {
        [UInt8](repeating: 0, count: 31) + [value]
    }

    /// `a + b` for equal-length big-endian integers, modulo 2^(8·count).
    package static func addBigEndian(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        Array(addLittleEndian(Array(a.reversed()), Array(b.reversed())).reversed())
    }

    /// `a − b` for equal-length big-endian integers, modulo 2^(8·count).
    package static func subtractBigEndian(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: a.count)
        var borrow = 0
        for index in stride(from: a.count - 1, through: 0, by: -1) {
            var difference = Int(a[index]) - Int(b[index]) - borrow
            borrow = difference < 0 ? 1 : 0
            if difference < 0 { difference += 256 }
            result[index] = UInt8(difference)
        }
        return result
    }

    /// `a + b` for equal-length little-endian integers, modulo 2^(8·count).
    package static func addLittleEndian(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: a.count)
        var carry = 0
        for index in 0..<a.count {
            let sum = Int(a[index]) + Int(b[index]) + carry
            result[index] = UInt8(sum & 0xFF)
            carry = sum >> 8
        }
        return result
    }
}
