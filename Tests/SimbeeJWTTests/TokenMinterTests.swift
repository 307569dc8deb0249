import Foundation
import SimbeeJWTTesting
import Testing

@_spi(Testing) @testable import SimbeeJWT

/// The fixture-key signer the tests mint with: the testing kit's `TestSigningKey` reading
/// `Fixtures/keys/*.pem`. Its tokens must verify under the fixture JWK Set, and a key file of
/// another kind must be refused rather than sign with the wrong algorithm.
@Suite("Fixture-key signer")
struct TokenMinterTests {
    @Test(
        "a fixture PEM reads as the public key the fixture JWK Set lists",
        arguments: ["es256-a", "es256-b", "ed25519-a"]
    )
    func publicKeyMatchesFixtureSet(kid: String) throws {
        let isES256 = kid.hasPrefix("es256")
        let pem = String(decoding: try TestSupport.fixture("keys/\(kid).pem"), as: UTF8.self)
        let key = try TestSigningKey(pkcs8PEM: pem, algorithm: isES256 ? .es256 : .edDSA, keyID: kid)
        let set = try TestSupport.fixtureJSON("jwks/simbee.jwks.json") as! [String: Any]
        let listed = (set["keys"] as! [[String: Any]]).first { $0["kid"] as? String == kid }!
        let read = try JSONSerialization.jsonObject(with: Data(key.publicJWK.utf8)) as! [String: Any]
        #expect(read["x"] as? String == listed["x"] as? String)
        #expect(read["y"] as? String == listed["y"] as? String)
        #expect(read["kid"] as? String == kid)
    }

    @Test(
        "a key file that is not a key for the algorithm is refused",
        arguments: [
            ("keys/ed25519-a.pem", JWTAlgorithm.es256), ("keys/es256-a.pem", .edDSA), ("keys/p384-1.pem", .es256),
            ("keys/rsa-1.pem", .es256), ("keys/x25519-1.pem", .edDSA), ("jwks/simbee.jwks.json", .es256),
        ]
    )
    func wrongKindRefused(file: String, algorithm: JWTAlgorithm) throws {
        let pem = String(decoding: try TestSupport.fixture(file), as: UTF8.self)
        #expect(throws: TestKitError.self) { try TestSigningKey(pkcs8PEM: pem, algorithm: algorithm, keyID: "k") }
    }

    @Test("minted tokens verify under the fixture JWK Set; the attacker's key does not")
    func mintedTokensVerify() async throws {
        let manifest = try TestSupport.manifest()
        let verifier = try TestSupport.manifestVerifier(manifest)
        let payload =
            #"{"iss":"\#(manifest.issuer)","aud":"\#(manifest.audience)","sub":"u","exp":\#(Int(manifest.now) + 60)}"#
        for key in [TokenMinter.Key.es256A, .es256B, .ed25519A] {
            await TestSupport.expect(try TokenMinter(key).token(payload: payload), verifier, nil, "\(key.file)")
        }
        let forged = try TokenMinter(.attackerES256).token(payload: payload)
        await TestSupport.expect(forged, verifier, .invalidSignature, "attacker key")
    }
}
