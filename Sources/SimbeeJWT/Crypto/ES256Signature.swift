internal import COpenSSL

/// ECDSA P-256 / SHA-256 verification of a JWS signature (RFC 7518 §3.4).
///
/// The JWS form is 64 bytes, `r‖s`, each a 32-byte big-endian integer. Both are range-checked here
/// (1 ≤ r, s ≤ n−1) before any curve arithmetic, which refuses the "psychic signature" `r = s = 0`
/// and every out-of-range value without relying on OpenSSL for it. The bytes are never handed to a
/// DER parser: the DER `ECDSA-Sig-Value` that OpenSSL's API wants is built here from the two
/// validated integers. High-S signatures are valid (RFC 7515 A.3 is one).
enum ES256Signature {
    /// The order n of the P-256 base point, big-endian (SEC 2 §2.4.2, FIPS 186-4 D.1.2.3).
    static let groupOrder: [UInt8] = [
        0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51,
    ]

    /// Why a signature was refused before OpenSSL saw it, or by OpenSSL.
    enum Failure: Error, Equatable {
        case wrongLength
        case scalarOutOfRange
        case mismatch
    }

    /// Checks `signature` over `message` with `key`.
    ///
    /// - Parameters:
    ///   - signature: The decoded JWS signature segment.
    ///   - message: The JWS signing input (`ASCII(header).ASCII(payload)`), or any message for the
    ///     primitive-level test vectors.
    ///   - key: A P-256 key.
    static func verify(
        _ signature: UnsafeBufferPointer<UInt8>,
        over message: UnsafeBufferPointer<UInt8>,
        with key: OpenSSLPublicKey
    ) throws(Failure) {
        guard signature.count == 64 else { throw .wrongLength }
        let r = UnsafeBufferPointer(rebasing: signature[0..<32])
        let s = UnsafeBufferPointer(rebasing: signature[32..<64])
        guard isInRange(r), isInRange(s) else { throw .scalarOutOfRange }

        // Digest and DER live on the stack: SEQUENCE { INTEGER r, INTEGER s } is at most
        // 2 + 2 × (2 + 33) = 72 bytes, with short-form lengths.
        let status = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32 + 72) { scratch -> Int32 in
            let digest = scratch.baseAddress!
            let der = UnsafeMutableBufferPointer(rebasing: scratch[32...])
            var length = 2
            length = appendDERInteger(r, to: der, at: length)
            length = appendDERInteger(s, to: der, at: length)
            der[0] = 0x30
            der[1] = UInt8(length - 2)
            return key.withVerificationContext { contexts in
                guard let contexts, contexts.hash(message, into: digest) else { return -1 }
                return EVP_PKEY_verify(contexts.verification, der.baseAddress, length, digest, 32)
            }
        }
        guard status == 1 else {
            ERR_clear_error()
            throw .mismatch
        }
    }

    /// `1 ≤ value ≤ n − 1` for a 32-byte big-endian integer.
    static func isInRange(_ value: UnsafeBufferPointer<UInt8>) -> Bool {
        var isZero = true
        for byte in value where byte != 0 {
            isZero = false
            break
        }
        if isZero { return false }
        for index in 0..<32 where value[index] != groupOrder[index] {
            return value[index] < groupOrder[index]
        }
        return false  // equal to n
    }

    /// Writes `value` (32 bytes big-endian, non-zero) as a minimal DER INTEGER at `offset`;
    /// returns the offset after it.
    private static func appendDERInteger(
        _ value: UnsafeBufferPointer<UInt8>,
        to der: UnsafeMutableBufferPointer<UInt8>,
        at offset: Int
    ) -> Int {
        var start = 0
        while start < 31, value[start] == 0 { start += 1 }
        let needsPad = value[start] & 0x80 != 0
        var position = offset
        der[position] = 0x02
        der[position + 1] = UInt8(32 - start + (needsPad ? 1 : 0))
        position += 2
        if needsPad {
            der[position] = 0
            position += 1
        }
        // One copy rather than a loop of checked byte stores.
        let count = 32 - start
        precondition(position + count <= der.count, "the DER buffer holds both integers")
        UnsafeMutableRawPointer(der.baseAddress! + position).copyMemory(
            from: value.baseAddress! + start,
            byteCount: count
        )
        return position + count
    }
}
