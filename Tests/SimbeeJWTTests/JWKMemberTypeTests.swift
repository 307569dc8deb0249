import Foundation
import Testing

@_spi(Testing) @testable import SimbeeJWT

/// JWK members of the wrong JSON type make the key unusable, never a key with fewer restrictions.
@Suite("JWK members of the wrong type")
struct JWKMemberTypeTests {
    @Test("a JWK whose kid is not a string is skipped, not imported as a key without kid")
    func nonStringKidSkipped() async throws {
        let other = try Kit.jwk("ed25519-a")
        // es256-b's key signs a token without kid; only a key set holding es256-b could verify it.
        let payload = #"{"iss":"https://api.simbee.io","aud":"cl_fixture","sub":"cu_1","exp":1796000600}"#
        let token = try TokenMinter(.es256B).token(header: #"{"alg":"ES256","typ":"JWT"}"#, payload: payload)
        for kid in [7, true, ["es256-b"]] as [Any] {
            var odd = try Kit.jwk("es256-b")
            odd["kid"] = kid
            let keys = try Kit.keySet([other, odd])
            #expect(keys.count == 1, "kid \(kid)")
            #expect(keys.keyIDs == ["ed25519-a"])
            #expect(keys.skippedKeys.map(\.index) == [1] && keys.skippedKeys.first?.reason == "kid is not a string")
            let lenient = try Kit.verifier(keys: keys) { $0.requiresKeyID = false }
            await TestSupport.expect(token, lenient, .unknownKey, "kid \(kid)")
            let error = #expect(throws: JWTError.self) { try JWTVerificationKey(jwk: try Kit.json(odd)) }
            #expect(error?.code == .invalidKeySet)
        }
        // Near miss: the same key with no kid at all imports, and verifies the token.
        var bare = try Kit.jwk("es256-b")
        bare["kid"] = nil
        let keys = try Kit.keySet([other, bare])
        #expect(keys.count == 2)
        await TestSupport.expect(token, try Kit.verifier(keys: keys) { $0.requiresKeyID = false }, nil)
    }

    @Test("a JWK whose alg is not a string is skipped, not imported without an alg restriction")
    func nonStringAlgSkipped() throws {
        for alg in [7, ["ES256"], NSNull()] as [Any] {
            var odd = try Kit.jwk("es256-b")
            odd["alg"] = alg
            let keys = try Kit.keySet([try Kit.jwk("es256-a"), odd])
            #expect(keys.keyIDs == ["es256-a"], "alg \(alg)")
            #expect(keys.skippedKeys.map(\.reason) == ["alg is not a string"], "alg \(alg)")
        }
        // Near miss: a string alg that fits the key imports.
        var fitting = try Kit.jwk("es256-b")
        fitting["alg"] = "ES256"
        #expect(try Kit.keySet([try Kit.jwk("es256-a"), fitting]).keyIDs == ["es256-a", "es256-b"])
    }
}
