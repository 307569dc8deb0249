import NIOConcurrencyHelpers
public import SimbeeJWT

/// A stand-in for Simbee's token issuer: it holds real ES256 and Ed25519 keys, mints signed tokens
/// with the claims a test chooses, and publishes its public keys as a JWK Set, so a service can be
/// tested end to end without Simbee.
///
/// Serve its keys with ``SimbeeTestJWKSServer`` and point the service's verifier there:
///
/// ```swift
/// let issuer = try SimbeeTestIssuer()
/// let server = try await SimbeeTestJWKSServer.start(serving: issuer)
/// defer { Task { await server.shutdown() } }
/// let verifier = try server.verifier(clientID: "cl_test")
///
/// let token = try issuer.token()                       // valid, ES256
/// let session = try issuer.token(algorithm: .edDSA)    // valid, Ed25519
/// let stale = try issuer.token(.expired)               // the verifier answers `expired`
/// ```
///
/// Keys rotate as Simbee's do: ``rotateKeys(retiringPrevious:)`` adds a new key per algorithm that
/// signs from then on, and ``removeKey(keyID:)`` retires one. The served JWK Set follows at once.
///
/// Tokens are signed by OpenSSL and written as compact JWS with strict base64url and compact JSON.
/// The issuer is safe to share between tasks.
public final class SimbeeTestIssuer: Sendable {
    /// The issuer identifier written as `iss`. Default `https://api.simbee.io`.
    public let issuer: String

    /// The algorithm whose current key signs when ``token(_:algorithm:header:signedWith:)`` is
    /// given none: the first of the algorithms the issuer was made with.
    public let defaultAlgorithm: JWTAlgorithm

    private struct State {
        /// Published keys, oldest first.
        var keys: [TestSigningKey]
        /// Bumped by every change to the published set (the server's `ETag`).
        var generation: Int = 1
    }

    private let state: NIOLockedValueBox<State>

    /// Creates an issuer with one new key per algorithm.
    ///
    /// - Parameters:
    ///   - issuer: The `iss` of minted tokens; default Simbee's, `https://api.simbee.io`, which is
    ///     what `JWTVerifier.simbee(clientID:keys:)` expects.
    ///   - algorithms: One key is generated for each, in order; the first is the default for
    ///     minting. Default ES256 (Simbee's API-key exchange tokens) and EdDSA (its session tokens).
    /// - Throws: ``TestKitError`` for an empty issuer or algorithm list, or when OpenSSL fails.
    public init(
        issuer: String = JWTVerifier.Configuration.simbeeIssuer,
        algorithms: [JWTAlgorithm] = [.es256, .edDSA]
    ) throws(TestKitError) {
        guard !issuer.isEmpty else { throw TestKitError("the issuer must not be empty") }
        guard let first = algorithms.first else { throw TestKitError("an issuer needs at least one algorithm") }
        var keys: [TestSigningKey] = []
        for algorithm in algorithms {
            keys.append(try TestSigningKey(algorithm))
        }
        self.issuer = issuer
        self.defaultAlgorithm = first
        self.state = NIOLockedValueBox(State(keys: keys))
    }

    // MARK: Keys

    /// The published keys, oldest first.
    public var keys: [TestSigningKey] { state.withLockedValue { $0.keys } }

    /// The key that signs for `algorithm`: the newest published key with that algorithm.
    public func currentKey(for algorithm: JWTAlgorithm) -> TestSigningKey? {
        state.withLockedValue { state in state.keys.last { $0.algorithm == algorithm } }
    }

    /// The published keys as a JWK Set document (RFC 7517 §5), `{"keys":[…]}`, in compact JSON.
    public var jwks: [UInt8] { document().body }

    /// The JWK Set document with the generation it reflects.
    func document() -> (body: [UInt8], generation: Int) {
        let (keys, generation) = state.withLockedValue { ($0.keys, $0.generation) }
        var json = #"{"keys":["#
        for (index, key) in keys.enumerated() {
            if index > 0 { json += "," }
            json += key.publicJWK
        }
        json += "]}"
        return (Array(json.utf8), generation)
    }

    /// Generates a key and publishes it; it becomes the current key for its algorithm.
    ///
    /// - Parameters:
    ///   - algorithm: The key's algorithm.
    ///   - keyID: Its `kid`; random by default.
    /// - Returns: The new key.
    /// - Throws: ``TestKitError`` when the `kid` is already published or OpenSSL fails.
    @discardableResult
    public func addKey(_ algorithm: JWTAlgorithm, keyID: String? = nil) throws(TestKitError) -> TestSigningKey {
        let key = try TestSigningKey(algorithm, keyID: keyID)
        try publish(key)
        return key
    }

    /// Publishes a key made elsewhere; it becomes the current key for its algorithm.
    ///
    /// - Throws: ``TestKitError`` when a key with its `kid` is already published.
    public func publish(_ key: TestSigningKey) throws(TestKitError) {
        let added = state.withLockedValue { state -> Bool in
            guard !state.keys.contains(where: { $0.keyID == key.keyID }) else { return false }
            state.keys.append(key)
            state.generation += 1
            return true
        }
        guard added else { throw TestKitError("a key with this kid is already published") }
    }

    /// Stops publishing the key with `keyID`. Tokens it signed stop verifying once a verifier's
    /// cache has refreshed the set.
    ///
    /// - Returns: The removed key (it can still sign, via `signedWith:`), or `nil` when no
    ///   published key has that `kid`.
    @discardableResult
    public func removeKey(keyID: String) -> TestSigningKey? {
        state.withLockedValue { state in
            guard let index = state.keys.firstIndex(where: { $0.keyID == keyID }) else { return nil }
            state.generation += 1
            return state.keys.remove(at: index)
        }
    }

    /// Rotates: one new key for each algorithm that has a current key, which signs from now on.
    ///
    /// - Parameter retiringPrevious: Whether the keys that signed until now stop being published
    ///   at once. Default `false`: they stay in the set, as in a real rotation, so tokens already
    ///   issued keep verifying until they expire.
    /// - Returns: The new keys.
    /// - Throws: ``TestKitError`` when OpenSSL fails (nothing is changed then).
    @discardableResult
    public func rotateKeys(retiringPrevious: Bool = false) throws(TestKitError) -> [TestSigningKey] {
        let previous = keys
        var algorithms: [JWTAlgorithm] = []
        for key in previous where !algorithms.contains(key.algorithm) {
            algorithms.append(key.algorithm)
        }
        var fresh: [TestSigningKey] = []
        for algorithm in algorithms {
            fresh.append(try TestSigningKey(algorithm))
        }
        state.withLockedValue { state in
            if retiringPrevious {
                state.keys.removeAll { old in previous.contains { $0 === old } }
            }
            state.keys += fresh
            state.generation += 1
        }
        return fresh
    }

    // MARK: Minting

    /// Mints a signed token.
    ///
    /// - Parameters:
    ///   - claims: The payload; valid claims by default. See ``TestClaims`` for the presets.
    ///   - algorithm: Which current key signs; default ``defaultAlgorithm``. Ignored when
    ///     `signedWith` is given.
    ///   - header: Header overrides; by default the key's `alg` and `kid` and `typ` `JWT`.
    ///   - key: A key to sign with instead of a current one: a retired key, or one the issuer never
    ///     published (the verifier then answers `unknown_key`).
    /// - Returns: The compact JWS `header.payload.signature`.
    /// - Throws: ``TestKitError`` when there is no current key for the algorithm, a claim value is a
    ///   non-finite number, or OpenSSL fails.
    public func token(
        _ claims: TestClaims = TestClaims(),
        algorithm: JWTAlgorithm? = nil,
        header: TestHeader = TestHeader(),
        signedWith key: TestSigningKey? = nil
    ) throws(TestKitError) -> String {
        let signer: TestSigningKey
        if let key {
            signer = key
        } else {
            let algorithm = algorithm ?? defaultAlgorithm
            guard let current = currentKey(for: algorithm) else {
                throw TestKitError("the issuer publishes no \(algorithm.name) key")
            }
            signer = current
        }
        let headerJSON = try TestClaimValue.Member.json(header.members(signingKey: signer))
        let payloadJSON = try TestClaimValue.Member.json(claims.members(defaultIssuer: issuer))
        let signingInput = Base64URL.encode(Array(headerJSON.utf8)) + "." + Base64URL.encode(Array(payloadJSON.utf8))
        let signature = try signer.sign(signingInput)
        return signingInput + "." + Base64URL.encode(signature)
    }
}
