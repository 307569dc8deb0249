import SimbeeJWT
import SimbeeJWTTesting
import Testing

/// Key rotation as a service sees it: the issuer changes its keys, the server serves the new set at
/// once, and the verifier's remote key cache picks the change up through its unknown-`kid` refresh.
@Suite("Test issuer: key rotation")
struct KeyRotationTests {
    @Test("a rotated-in kid is fetched by one refresh; the previous key keeps verifying during the overlap")
    func newKeyPickedUp() async throws {
        let issuer = try SimbeeTestIssuer()
        let server = try await SimbeeTestJWKSServer.start(serving: issuer)
        let verifier = try server.verifier()
        let before = try issuer.token()
        _ = try await verifier.verify(before)
        #expect(server.requestCount == 1)

        let previous = issuer.keys
        let fresh = try issuer.rotateKeys()
        #expect(fresh.map(\.algorithm) == [.es256, .edDSA])
        #expect(issuer.keys.map(\.keyID) == (previous + fresh).map(\.keyID))
        #expect(issuer.currentKey(for: .es256) === fresh[0])
        #expect(issuer.currentKey(for: .edDSA) === fresh[1])

        let after = try issuer.token()
        #expect(try await verifier.verify(after).header.keyID == fresh[0].keyID)
        #expect(server.requestCount == 2)  // the unknown kid caused exactly one refresh
        _ = try await verifier.verify(try issuer.token(algorithm: .edDSA))  // already in that refresh
        _ = try await verifier.verify(before)  // still published
        _ = try await verifier.verify(try issuer.token(signedWith: previous[0]))  // not from the token cache
        #expect(server.requestCount == 2)
        await server.shutdown()
    }

    @Test("a removed key's tokens are refused once a refresh has fetched the set without it")
    func removedKeyRefusedAfterRefresh() async throws {
        let issuer = try SimbeeTestIssuer()
        let server = try await SimbeeTestJWKSServer.start(serving: issuer)
        let verifier = try server.verifier()
        let old = try #require(issuer.currentKey(for: .es256))
        let oldToken = try issuer.token()
        _ = try await verifier.verify(oldToken)

        #expect(issuer.removeKey(keyID: old.keyID) === old)
        #expect(issuer.removeKey(keyID: old.keyID) == nil)
        #expect(issuer.currentKey(for: .es256) == nil)
        // The cache has not refreshed yet: a known kid never causes a fetch.
        _ = try await verifier.verify(oldToken)
        #expect(server.requestCount == 1)

        // A token with a new kid makes the verifier refresh; the set it gets no longer has `old`.
        let replacement = try issuer.addKey(.es256)
        #expect(issuer.currentKey(for: .es256) === replacement)
        _ = try await verifier.verify(try issuer.token())
        #expect(server.requestCount == 2)
        await expectRefusal(oldToken, verifier, .unknownKey)  // also from the verified-token cache
        await expectRefusal(try issuer.token(signedWith: old), verifier, .unknownKey)
        _ = try await verifier.verify(try issuer.token(algorithm: .edDSA))  // the other key is untouched
        await server.shutdown()
    }

    @Test("rotateKeys(retiringPrevious: true) replaces every key at once")
    func rotationRetiringPrevious() async throws {
        let issuer = try SimbeeTestIssuer()
        let server = try await SimbeeTestJWKSServer.start(serving: issuer)
        let verifier = try server.verifier()
        let oldES256 = try issuer.token()
        let oldEdDSA = try issuer.token(algorithm: .edDSA)
        _ = try await verifier.verify(oldES256)

        let fresh = try issuer.rotateKeys(retiringPrevious: true)
        #expect(issuer.keys.map(\.keyID) == fresh.map(\.keyID))
        _ = try await verifier.verify(try issuer.token(algorithm: .edDSA))
        await expectRefusal(oldES256, verifier, .unknownKey)
        await expectRefusal(oldEdDSA, verifier, .unknownKey)
        _ = try await verifier.verify(try issuer.token())
        await server.shutdown()
    }

    @Test("a key published with publish(_:) signs from then on; behind an unknown-kid cooldown it waits")
    func productionCooldown() async throws {
        let issuer = try SimbeeTestIssuer(algorithms: [.es256])
        let server = try await SimbeeTestJWKSServer.start(serving: issuer)
        var configuration = JWTVerifier.Configuration.simbee(clientID: TestClaims.defaultAudience)
        configuration.claims.issuer = issuer.issuer
        // Production settings, with the cooldown (30 s by default) stretched to an hour so that a
        // heavily loaded machine cannot outlast it between the two verifications.
        var production = RemoteJWKS.Configuration()
        production.unknownKeyCooldown = .seconds(3600)
        let productionVerifier = try JWTVerifier(
            keys: try server.keySource(configuration: production),
            configuration: configuration
        )
        _ = try await productionVerifier.verify(try issuer.token())

        let rotated = try TestSigningKey(.es256, keyID: "es256-next")
        try issuer.publish(rotated)
        #expect(issuer.currentKey(for: .es256)?.keyID == "es256-next")
        let token = try issuer.token()
        // The first load started the cooldown: refused at once, without a fetch.
        await expectRefusal(token, productionVerifier, .unknownKey)
        #expect(server.requestCount == 1)
        // The kit's default key source has no cooldown, so the same token verifies.
        _ = try await server.verifier().verify(token)
        #expect(server.requestCount == 2)
        await server.shutdown()
    }
}
