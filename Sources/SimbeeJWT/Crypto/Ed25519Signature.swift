internal import COpenSSL

/// Ed25519 verification of a JWS signature (RFC 8037 §3.1, RFC 8032 §5.1.7).
///
/// The signature must be exactly 64 bytes, `R‖S`, with `S < L` (RFC 8032's malleability check) made
/// here explicitly before OpenSSL runs. Keys reaching this point passed ``Ed25519PointCheck``.
enum Ed25519Signature {
    /// The group order L = 2^252 + 27742317777372353535851937790883648493, little-endian (RFC 8032 §5.1).
    static let groupOrderLittleEndian: [UInt8] = [
        0xED, 0xD3, 0xF5, 0x5C, 0x1A, 0x63, 0x12, 0x58, 0xD6, 0x9C, 0xF7, 0xA2, 0xDE, 0xF9, 0xDE, 0x14,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
    ]

    /// Why a signature was refused.
    enum Failure: Error, Equatable {
        case wrongLength
        case scalarNotReduced
        case mismatch
    }

    /// Checks `signature` over `message` with the Ed25519 `key`.
    static func verify(_ signature: Span<UInt8>, over message: Span<UInt8>, with key: OpenSSLPublicKey) throws(Failure)
    {
        guard signature.count == 64 else { throw .wrongLength }
        guard isReduced(signature.extracting(32..<64)) else { throw .scalarNotReduced }

        let status = unsafe key.withDigestContext { context -> Int32 in
            guard let context = unsafe context, unsafe EVP_DigestVerifyInit(context, nil, nil, nil, key.pointer) == 1
            else { return -1 }
            // Sound: both spans stay valid for the whole call, passed with their own counts;
            // EVP_DigestVerify only reads them and keeps no pointer.
            return unsafe signature.withUnsafeBufferPointer { signature in
                unsafe message.withUnsafeBufferPointer { message in
                    unsafe EVP_DigestVerify(
                        context,
                        signature.baseAddress,
                        signature.count,
                        message.baseAddress,
                        message.count
                    )
                }
            }
        }
        guard status == 1 else {
            ERR_clear_error()
            throw .mismatch
        }
    }

    /// `S < L` for a 32-byte little-endian scalar.
    static func isReduced(_ scalar: Span<UInt8>) -> Bool {
        precondition(scalar.count == 32, "an Ed25519 scalar is 32 bytes")
        for index in stride(from: 31, through: 0, by: -1) where scalar[index] != groupOrderLittleEndian[index] {
            return scalar[index] < groupOrderLittleEndian[index]
        }
        return false  // equal to L
    }
}

/// Ed25519 with one key: what a ``JWTVerificationKey`` of that kind checks signatures with.
struct Ed25519SignatureCheck: SignatureCheck {
    let key: OpenSSLPublicKey

    func verify(signature: Span<UInt8>, over message: Span<UInt8>) throws(JWTError) {
        do {
            try Ed25519Signature.verify(signature, over: message, with: key)
        } catch .wrongLength {
            throw JWTError(.invalidSignature, "Ed25519 signature must be 64 bytes, got \(signature.count)")
        } catch .scalarNotReduced {
            throw JWTError(.invalidSignature, "Ed25519 signature has S ≥ L")
        } catch {
            throw JWTError(.invalidSignature, "signature does not verify")
        }
    }
}
