import Foundation
import Testing

@_spi(Testing) @testable import SimbeeJWT

/// Requirements of RFC 7515, RFC 7517 and RFC 8037 that a review found enforced but not asserted:
/// each with its near miss on the other side. Fixture tokens and keys; helpers in
/// `Support/AttackKit.swift`.
@Suite("Specification requirements without a test elsewhere")
struct SpecConformanceTests {
    @Test("RFC 7515 §4.1.1: a header without alg, or with a non-string alg, is malformed")
    func algRequired() async throws {
        let verifier = try Kit.verifier()
        let refused = [
            #"{"kid":"es256-a"}"#, #"{"kid":"es256-a","typ":"JWT"}"#, #"{"alg":null,"kid":"es256-a"}"#,
            #"{"alg":["ES256"],"kid":"es256-a"}"#, #"{"Alg":"ES256","kid":"es256-a"}"#,
        ]
        for header in refused {
            await TestSupport.expect(Kit.forge(header: header), verifier, .malformed, "\(header)")
        }
        // Near miss: with alg present, the same forged token gets past the header to the signature.
        await TestSupport.expect(Kit.forge(header: #"{"alg":"ES256","kid":"es256-a"}"#), verifier, .invalidSignature)
    }

    @Test("RFC 8037 §2: an Ed25519 x of 31 or 33 bytes is refused at import; 32 bytes imports")
    func ed25519KeyLength() throws {
        let base = try Kit.jwk("ed25519-a")
        let x = try Base64URL.decode(Array(try #require(base["x"] as? String).utf8))
        #expect(x.count == 32)
        for (label, bytes) in [("31 bytes", Array(x.dropLast())), ("33 bytes", x + [0]), ("33, leading 0", [0] + x)] {
            let jwk = base.merging(["x": Base64URL.encode(bytes)]) { $1 }
            let error = #expect(throws: JWTError.self, "\(label)") { try JWTVerificationKey(jwk: try Kit.json(jwk)) }
            #expect(error?.code == .invalidKeySet, "\(label)")
        }
        #expect(throws: Never.self) { try JWTVerificationKey(jwk: try Kit.json(base)) }
    }

    @Test("RFC 7517 §4 and §5: unknown members of a JWK and of the JWK Set are ignored")
    func unknownMembersIgnored() async throws {
        let extras: [String: Any] = [
            "ext": true, "x5t": "not checked", "x5c": ["!!not base64"], "x-simbee-note": ["a": 1], "foo": NSNull(),
        ]
        let es256 = try Kit.jwk("es256-a").merging(extras) { $1 }
        let ed25519 = try Kit.jwk("ed25519-a").merging(extras) { $1 }
        let document = try Kit.json(["keys": [es256, ed25519], "next": "https://example.invalid/page/2", "version": 3])
        let keys = try JWKSet(json: document)
        #expect(keys.count == 2)
        #expect(keys.skippedKeys.isEmpty)
        let verifier = try Kit.verifier(keys: keys)
        await TestSupport.expect(try Kit.token("es256-valid"), verifier, nil)
        await TestSupport.expect(try Kit.token("eddsa-valid"), verifier, nil)
    }

    @Test("RFC 7517 §4.3: use \"sig\" with key_ops [\"verify\"] is accepted; either one alone set otherwise is not")
    func useWithKeyOps() async throws {
        let base = try Kit.jwk("es256-a")
        let both = base.merging(["use": "sig", "key_ops": ["verify"]]) { $1 }
        let verifier = try Kit.verifier(keys: try Kit.keySet([both]))
        await TestSupport.expect(try Kit.token("es256-valid"), verifier, nil)
        // Near misses: a signing-only key_ops, or an encryption use, beside the other member.
        for (label, jwk) in [
            ("key_ops sign", base.merging(["use": "sig", "key_ops": ["sign"]]) { $1 }),
            ("use enc", base.merging(["use": "enc", "key_ops": ["verify"]]) { $1 }),
        ] {
            let keys = try Kit.keySet([jwk, try Kit.jwk("es256-b")])
            #expect(keys.skippedKeys.count == 1, "\(label)")
            await TestSupport.expect(
                try Kit.token("es256-valid"),
                try Kit.verifier(keys: keys),
                .unknownKey,
                "\(label)"
            )
        }
    }
}
