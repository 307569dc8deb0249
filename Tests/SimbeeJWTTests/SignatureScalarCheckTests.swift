import SimbeeJWTFuzzChecks
import Testing

@testable import SimbeeJWT

/// The explicit scalar checks that run before OpenSSL: ES256 `1 ≤ r, s ≤ n−1` and Ed25519 `S < L`.
///
/// OpenSSL refuses the same signatures on its own, so a verdict alone cannot show that our check
/// ran: these tests assert the typed reason the primitives throw, which says which check refused,
/// with near misses on both sides of each boundary.
@Suite("signature scalar checks: refused by our check, with its typed reason")
struct SignatureScalarCheckTests {
    static let message = Array("eyJhbGciOiJFUzI1NiJ9.e30".utf8)

    static func key(_ kid: String, _ algorithm: JWTAlgorithm) throws -> JWTVerificationKey {
        try TestSupport.fixtureKeySet().key(for: kid, algorithm: algorithm)
    }

    /// The OpenSSL key behind `key`'s signature check.
    static func publicKey(of key: JWTVerificationKey) -> OpenSSLPublicKey? {
        switch key.signatureCheck {
        case let check as ES256SignatureCheck: check.key
        case let check as Ed25519SignatureCheck: check.key
        default: nil
        }
    }

    static func es256(_ signature: [UInt8], key: JWTVerificationKey) -> ES256Signature.Failure? {
        guard let publicKey = publicKey(of: key) else {
            Issue.record("no OpenSSL key behind \(key.keyID ?? "the key")")
            return nil
        }
        do throws(ES256Signature.Failure) {
            try ES256Signature.verify(signature.span, over: message.span, with: publicKey)
            return nil
        } catch {
            return error
        }
    }

    static func ed25519(_ signature: [UInt8], key: JWTVerificationKey) -> Ed25519Signature.Failure? {
        guard let publicKey = publicKey(of: key) else {
            Issue.record("no OpenSSL key behind \(key.keyID ?? "the key")")
            return nil
        }
        do throws(Ed25519Signature.Failure) {
            try Ed25519Signature.verify(signature.span, over: message.span, with: publicKey)
            return nil
        } catch {
            return error
        }
    }

    @Test("ES256: r or s of 0, n, n+1 or 2^256−1 is .scalarOutOfRange; 1 and n−1 reach OpenSSL (.mismatch)")
    func es256Range() throws {
        let key = try Self.key("es256-a", .es256)
        let n = ES256Signature.groupOrder
        let inRange = ByteMath.integer(1)
        let outside: [(String, [UInt8])] = [
            ("0", ByteMath.integer(0)), ("n", n), ("n + 1", ByteMath.addBigEndian(n, ByteMath.integer(1))),
            ("2^256 − 1", [UInt8](repeating: 0xFF, count: 32)),
        ]
        let inside: [(String, [UInt8])] = [
            ("1", ByteMath.integer(1)), ("n − 1", ByteMath.subtractBigEndian(n, ByteMath.integer(1))),
        ]
        for (label, value) in outside {
            #expect(Self.es256(value + inRange, key: key) == .scalarOutOfRange, "r = \(label)")
            #expect(Self.es256(inRange + value, key: key) == .scalarOutOfRange, "s = \(label)")
        }
        for (label, value) in inside {
            #expect(Self.es256(value + inRange, key: key) == .mismatch, "r = \(label)")
            #expect(Self.es256(inRange + value, key: key) == .mismatch, "s = \(label)")
        }
        #expect(Self.es256([UInt8](repeating: 1, count: 63), key: key) == .wrongLength)
        #expect(Self.es256([UInt8](repeating: 1, count: 65), key: key) == .wrongLength)
    }

    @Test("Ed25519: S of L, L+1 or 2^256−1 is .scalarNotReduced; L−1 and 0 reach OpenSSL (.mismatch)")
    func ed25519Range() throws {
        let key = try Self.key("ed25519-a", .edDSA)
        let order = Ed25519Signature.groupOrderLittleEndian
        let one = [1] + [UInt8](repeating: 0, count: 31)
        func littleEndian(_ bigEndianOperation: ([UInt8], [UInt8]) -> [UInt8]) -> [UInt8] {
            Array(bigEndianOperation(order.reversed(), one.reversed()).reversed())
        }
        let r = [UInt8](repeating: 0x42, count: 32)
        let notReduced: [(String, [UInt8])] = [
            ("L", order), ("L + 1", littleEndian(ByteMath.addBigEndian)),
            ("2^256 − 1", [UInt8](repeating: 0xFF, count: 32)),
        ]
        let reduced: [(String, [UInt8])] = [
            ("L − 1", littleEndian(ByteMath.subtractBigEndian)), ("0", [UInt8](repeating: 0, count: 32)),
        ]
        for (label, s) in notReduced {
            #expect(Self.ed25519(r + s, key: key) == .scalarNotReduced, "S = \(label)")
        }
        for (label, s) in reduced {
            #expect(Self.ed25519(r + s, key: key) == .mismatch, "S = \(label)")
        }
        #expect(Self.ed25519([UInt8](repeating: 0, count: 63), key: key) == .wrongLength)
    }
}
