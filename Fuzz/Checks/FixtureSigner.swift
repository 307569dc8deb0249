internal import COpenSSL

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Signs with the test-only Ed25519 key `Fixtures/keys/ed25519-a.pem` through OpenSSL, so the verify
/// target can put fuzzed claims behind a valid signature and reach claims validation.
///
/// This file is the fuzz checks' only libcrypto code. The key is published test material.
final class FixtureSigner: @unchecked Sendable {
    // @unchecked Sendable: the EVP_PKEY is built in init and only read afterwards; each signature
    // uses its own EVP_MD_CTX.
    private let key: OpaquePointer

    /// Reads an unencrypted PKCS #8 Ed25519 private key (RFC 8410 §7): 48 DER bytes whose last 32
    /// are the seed.
    init(pem: String) throws(PropertyViolation) {
        let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        guard let der = Data(base64Encoded: body), der.count == 48,
            Array(der.prefix(16)) == [
                0x30, 0x2E, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
            ]
        else { throw PropertyViolation("the fixture Ed25519 key is not a PKCS #8 Ed25519 key") }
        let seed = Array(der.suffix(32))
        guard let key = EVP_PKEY_new_raw_private_key(simbee_evp_pkey_ed25519(), nil, seed, seed.count) else {
            ERR_clear_error()
            throw PropertyViolation("OpenSSL refused the fixture Ed25519 key")
        }
        self.key = key
    }

    deinit {
        EVP_PKEY_free(key)
    }

    /// The 64-byte Ed25519 signature of `message` (RFC 8032 §5.1.6).
    func sign(_ message: [UInt8]) throws(PropertyViolation) -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else { throw PropertyViolation("EVP_MD_CTX_new failed") }
        defer { EVP_MD_CTX_free(context) }
        var signature = [UInt8](repeating: 0, count: 64)
        var length = signature.count
        let status = signature.withUnsafeMutableBufferPointer { output in
            message.withUnsafeBufferPointer { input in
                EVP_DigestSignInit(context, nil, nil, nil, key) == 1
                    && EVP_DigestSign(context, output.baseAddress, &length, input.baseAddress, input.count) == 1
            }
        }
        guard status, length == 64 else {
            ERR_clear_error()
            throw PropertyViolation("OpenSSL could not sign with the fixture Ed25519 key")
        }
        return signature
    }
}
