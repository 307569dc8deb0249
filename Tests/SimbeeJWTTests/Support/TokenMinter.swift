internal import COpenSSL
import Foundation

/// Signs test tokens with the fixture private keys (`Fixtures/keys/`) through OpenSSL, for tests
/// that need more signed tokens than the fixture files hold (stress runs, property tests over
/// random claims).
///
/// Test support only, kept minimal: the JOSE encoding here (base64url via Foundation, the raw `r‖s`
/// taken out of OpenSSL's DER signature) shares no code with the library's verify path.
final class TokenMinter: @unchecked Sendable {
    // @unchecked Sendable: the EVP_PKEY is built in init and only read afterwards; each signature
    // uses its own EVP_MD_CTX, which OpenSSL 3 allows concurrently on one key.

    /// A fixture key with its `kid` and algorithm as `Fixtures/jwks/simbee.jwks.json` lists it.
    struct Key: Sendable {
        let file: String
        let keyID: String
        let algorithm: String

        static let es256A = Key(file: "keys/es256-a.pem", keyID: "es256-a", algorithm: "ES256")
        static let es256B = Key(file: "keys/es256-b.pem", keyID: "es256-b", algorithm: "ES256")
        static let ed25519A = Key(file: "keys/ed25519-a.pem", keyID: "ed25519-a", algorithm: "EdDSA")
        /// Not in any JWK Set: its signatures verify under no fixture key.
        static let attackerES256 = Key(file: "keys/attacker-es256.pem", keyID: "es256-a", algorithm: "ES256")
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let key: Key
    private let pointer: OpaquePointer
    /// `BASE64URL({"alg":…,"kid":…,"typ":"JWT"})`, the header every ``token(payload:)`` uses.
    let standardHeader: String

    /// Loads a PKCS#8 PEM private key from `Fixtures/`.
    init(_ key: Key) throws {
        let pem = String(decoding: try TestSupport.fixture(key.file), as: UTF8.self)
        let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        guard let der = Data(base64Encoded: body) else { throw Failure(description: "\(key.file) is not PEM") }
        let parsed = der.withUnsafeBytes { raw -> OpaquePointer? in
            var cursor: UnsafePointer<UInt8>? = raw.bindMemory(to: UInt8.self).baseAddress
            return d2i_AutoPrivateKey(nil, &cursor, raw.count)
        }
        guard let parsed else { throw Failure(description: "OpenSSL cannot read \(key.file)") }
        self.key = key
        self.pointer = parsed
        self.standardHeader = Self.base64URL(
            Array(#"{"alg":"\#(key.algorithm)","kid":"\#(key.keyID)","typ":"JWT"}"#.utf8)
        )
    }

    deinit {
        EVP_PKEY_free(pointer)
    }

    /// A compact JWS with the standard header over `payload` (JSON text, used as given).
    func token(payload: String) throws -> String {
        try token(encodedHeader: standardHeader, payload: Array(payload.utf8))
    }

    /// A compact JWS with `header` (JSON text, used as given) over `payload`.
    func token(header: String, payload: String) throws -> String {
        try token(encodedHeader: Self.base64URL(Array(header.utf8)), payload: Array(payload.utf8))
    }

    private func token(encodedHeader: String, payload: [UInt8]) throws -> String {
        let signingInput = encodedHeader + "." + Self.base64URL(payload)
        return signingInput + "." + Self.base64URL(try sign(Array(signingInput.utf8)))
    }

    /// The JWS signature of `message`: raw `r‖s` (64 bytes) for ES256, `R‖S` for EdDSA.
    func sign(_ message: [UInt8]) throws -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else { throw Failure(description: "EVP_MD_CTX_new failed") }
        defer { EVP_MD_CTX_free(context) }
        let isES256 = key.algorithm == "ES256"
        guard EVP_DigestSignInit(context, nil, isES256 ? EVP_sha256() : nil, nil, pointer) == 1 else {
            ERR_clear_error()
            throw Failure(description: "EVP_DigestSignInit failed")
        }
        var signature = [UInt8](repeating: 0, count: 80)
        var length = signature.count
        let status = message.withUnsafeBufferPointer { input in
            EVP_DigestSign(context, &signature, &length, input.baseAddress, input.count)
        }
        guard status == 1 else {
            ERR_clear_error()
            throw Failure(description: "EVP_DigestSign failed")
        }
        signature.removeSubrange(length...)
        return isES256 ? try Self.rawSignature(fromDER: signature) : signature
    }

    /// `r‖s`, each left-padded to 32 bytes, from `SEQUENCE { INTEGER r, INTEGER s }` (short-form
    /// lengths: a P-256 signature is at most 72 bytes).
    static func rawSignature(fromDER der: [UInt8]) throws -> [UInt8] {
        guard der.count >= 8, der[0] == 0x30, Int(der[1]) == der.count - 2 else {
            throw Failure(description: "not a DER ECDSA signature")
        }
        var offset = 2
        var raw: [UInt8] = []
        for _ in 0..<2 {
            guard offset + 2 <= der.count, der[offset] == 0x02 else { throw Failure(description: "not a DER INTEGER") }
            let length = Int(der[offset + 1])
            guard offset + 2 + length <= der.count else { throw Failure(description: "truncated DER INTEGER") }
            var integer = Array(der[(offset + 2)..<(offset + 2 + length)])
            while integer.count > 32, integer.first == 0 { integer.removeFirst() }
            guard integer.count <= 32 else { throw Failure(description: "DER INTEGER longer than 32 bytes") }
            raw += [UInt8](repeating: 0, count: 32 - integer.count) + integer
            offset += 2 + length
        }
        guard offset == der.count else { throw Failure(description: "trailing bytes after DER signature") }
        return raw
    }

    /// Base64url without padding, through Foundation's base64 (not the library's encoder).
    static func base64URL(_ bytes: [UInt8]) -> String {
        var text = Data(bytes).base64EncodedString()
        while text.hasSuffix("=") { text.removeLast() }
        return String(
            text.map { character -> Character in
                switch character {
                case "+": "-"
                case "/": "_"
                default: character
                }
            }
        )
    }
}
