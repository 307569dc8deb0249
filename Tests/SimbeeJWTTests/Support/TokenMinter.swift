import Foundation
import SimbeeJWT
import SimbeeJWTTesting

/// Signs test tokens with the fixture private keys (`Fixtures/keys/`), for tests that need more
/// signed tokens than the fixture files hold (stress runs, property tests over random claims).
///
/// The signature comes from the testing kit's signer (`TestSigningKey`, OpenSSL); the JOSE
/// encoding here (base64url via Foundation) shares no code with the library's verify path.
struct TokenMinter: Sendable {
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

    let key: Key
    private let signingKey: TestSigningKey
    /// `BASE64URL({"alg":…,"kid":…,"typ":"JWT"})`, the header every ``token(payload:)`` uses.
    let standardHeader: String

    /// Loads a PKCS#8 PEM private key from `Fixtures/`.
    init(_ key: Key) throws {
        let pem = String(decoding: try TestSupport.fixture(key.file), as: UTF8.self)
        self.key = key
        self.signingKey = try TestSigningKey(
            pkcs8PEM: pem,
            algorithm: key.algorithm == "ES256" ? .es256 : .edDSA,
            keyID: key.keyID
        )
        self.standardHeader = Self.base64URL(
            Array(#"{"alg":"\#(key.algorithm)","kid":"\#(key.keyID)","typ":"JWT"}"#.utf8)
        )
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
        return signingInput + "." + Self.base64URL(try signingKey.sign(signingInput))
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
