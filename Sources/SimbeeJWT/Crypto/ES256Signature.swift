internal import COpenSSL

/// ECDSA P-256 / SHA-256 verification of a JWS signature (RFC 7518 §3.4).
///
/// The JWS form is 64 bytes, `r‖s`, each a 32-byte big-endian integer. Both are range-checked here
/// (1 ≤ r, s ≤ n−1) before any curve arithmetic, which refuses the "psychic signature" `r = s = 0`
/// and every out-of-range value without relying on OpenSSL for it. No DER comes from the token: the
/// DER `ECDSA-Sig-Value` that OpenSSL's API wants (and parses) is built here from the two validated
/// integers. High-S signatures are valid (RFC 7515 A.3 is one).
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
    static func verify(_ signature: Span<UInt8>, over message: Span<UInt8>, with key: OpenSSLPublicKey) throws(Failure)
    {
        guard signature.count == 64 else { throw .wrongLength }
        let r = signature.extracting(0..<32)
        let s = signature.extracting(32..<64)
        guard isInRange(r), isInRange(s) else { throw .scalarOutOfRange }

        var der = DERSignature()
        der.append(r)
        der.append(s)

        let status = unsafe key.withVerificationContext { contexts -> Int32 in
            guard let contexts = unsafe contexts, let digest = unsafe contexts.sha256(of: message) else { return -1 }
            // Sound: both spans borrow storage that is alive for the whole call, passed with their
            // own counts; EVP_PKEY_verify only reads them and keeps no pointer.
            return der.withBytes { der in
                unsafe der.withUnsafeBufferPointer { der in
                    unsafe digest.span.withUnsafeBufferPointer { digest in
                        unsafe EVP_PKEY_verify(
                            contexts.verification,
                            der.baseAddress,
                            der.count,
                            digest.baseAddress,
                            digest.count
                        )
                    }
                }
            }
        }
        guard status == 1 else {
            ERR_clear_error()
            throw .mismatch
        }
    }

    /// `1 ≤ value ≤ n − 1` for a 32-byte big-endian integer.
    static func isInRange(_ value: Span<UInt8>) -> Bool {
        precondition(value.count == 32, "a P-256 scalar is 32 bytes")
        var isZero = true
        for index in 0..<32 where value[index] != 0 {
            isZero = false
            break
        }
        if isZero { return false }
        for index in 0..<32 where value[index] != groupOrder[index] {
            return value[index] < groupOrder[index]
        }
        return false  // equal to n
    }
}

/// The DER `ECDSA-Sig-Value` (`SEQUENCE { INTEGER r, INTEGER s }`) of a validated signature, built
/// in fixed inline storage: a verification allocates nothing for it.
struct DERSignature {
    /// The SEQUENCE's tag and length, then two INTEGERs of at most 2 + 33 bytes each (tag, length,
    /// a zero pad byte and 32 value bytes): 72 bytes at most, so every length is short-form.
    private var storage = InlineArray<72, UInt8>(repeating: 0)
    private var count = 2

    init() {
        storage[0] = 0x30
    }

    /// Runs `body` with the encoding so far, whose SEQUENCE length matches it.
    func withBytes<Result>(_ body: (Span<UInt8>) -> Result) -> Result {
        body(storage.span.extracting(0..<count))
    }

    /// Appends `value` (32 bytes big-endian, non-zero) as a minimal DER INTEGER.
    mutating func append(_ value: Span<UInt8>) {
        var start = 0
        while start < 31, value[start] == 0 { start += 1 }
        let needsPad = value[start] & 0x80 != 0
        appendByte(0x02)
        appendByte(UInt8(32 - start + (needsPad ? 1 : 0)))
        if needsPad { appendByte(0) }
        for index in start..<32 { appendByte(value[index]) }
        storage[1] = UInt8(count - 2)
    }

    private mutating func appendByte(_ byte: UInt8) {
        storage[count] = byte
        count += 1
    }
}

/// ES256 with one P-256 key: what a ``JWTVerificationKey`` of that kind checks signatures with.
struct ES256SignatureCheck: SignatureCheck {
    let key: OpenSSLPublicKey

    func verify(signature: Span<UInt8>, over message: Span<UInt8>) throws(JWTError) {
        do {
            try ES256Signature.verify(signature, over: message, with: key)
        } catch .wrongLength {
            throw JWTError(.invalidSignature, "ES256 signature must be 64 bytes (r‖s), got \(signature.count)")
        } catch .scalarOutOfRange {
            throw JWTError(.invalidSignature, "ES256 signature has r or s outside [1, n−1]")
        } catch {
            throw JWTError(.invalidSignature, "signature does not verify")
        }
    }
}
