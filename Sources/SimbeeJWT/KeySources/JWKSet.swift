/// A JWK Set (RFC 7517 §5) held in memory: the keys a verifier may use, selected by `kid`.
///
/// Import is forgiving per key and strict per document. Each key that cannot be used (an
/// unsupported type or curve, a malformed or off-curve point, a small-order Ed25519 key, private
/// members, `use` other than `sig`, `key_ops` without `verify`, a `kid` shared with another key) is
/// skipped and reported in ``skippedKeys``, so one odd key never breaks the others. The document as a
/// whole must be a strict JSON object with a `keys` array, within the ``Limits``, and hold at least
/// one usable key.
///
/// ```swift
/// let keySet = try JWKSet(json: Array(try Data(contentsOf: url)))
/// for skipped in keySet.skippedKeys { logger.warning("\(skipped)") }
/// let verifier = try JWTVerifier(keys: keySet, configuration: .simbee(clientID: "cl_123"))
/// ```
public struct JWKSet: JWTKeySource, Sendable {
    /// Bounds on the document, checked before any key is imported.
    public struct Limits: Sendable {
        /// The largest document accepted, in bytes. Default 256 KiB; 1 B … 64 MiB.
        public var maxBytes: Int = 256 * 1024
        /// The most entries the `keys` array may hold, usable or not. Default 256; 1 … 10,000.
        public var maxKeys: Int = 256

        /// Limits with the defaults: 256 KiB and 256 keys.
        public init() {}
    }

    /// A key that was left out of the set, and why.
    public struct SkippedKey: Sendable, Hashable, CustomStringConvertible {
        /// The key's position in the document's `keys` array.
        public let index: Int
        /// The key's `kid`, when it had a string one.
        public let keyID: String?
        /// Why it was skipped, in words. Never contains key material.
        public let reason: String

        /// `"key #<index> (kid "<kid>") skipped: <reason>"`.
        public var description: String {
            let name = keyID.map { " (kid \"\(DiagnosticText.printable($0))\")" } ?? ""
            return "key #\(index)\(name) skipped: \(reason)"
        }
    }

    /// The keys that have a `kid`, by `kid`.
    let keysByID: [ExactText: JWTVerificationKey]
    /// Usable keys without a `kid`; selectable only by verifiers that do not require one.
    let keysWithoutID: [JWTVerificationKey]

    /// The keys that were not imported, in document order.
    public let skippedKeys: [SkippedKey]

    /// The `kid`s of the usable keys, sorted.
    public var keyIDs: [String] { keysByID.keys.map(\.string).sorted() }

    /// The number of usable keys.
    public var count: Int { keysByID.count + keysWithoutID.count }

    /// Imports a JWK Set document.
    ///
    /// - Parameters:
    ///   - json: The document's bytes (UTF-8 JSON).
    ///   - limits: Size and key-count bounds.
    /// - Throws: ``JWTError`` with ``JWTError/Code/invalidKeySet`` when the document is too large, not a
    ///   strict JSON object with a `keys` array, has too many keys, or has no usable key;
    ///   ``JWTError/Code/invalidConfiguration`` when a limit is out of its range.
    public init(json: some Collection<UInt8>, limits: Limits = Limits()) throws(JWTError) {
        guard (1...(64 << 20)).contains(limits.maxBytes), (1...10_000).contains(limits.maxKeys) else {
            throw JWTError(.invalidConfiguration, "JWK Set limits must be 1 B…64 MiB and 1…10000 keys")
        }
        guard json.count <= limits.maxBytes else {
            throw JWTError(.invalidKeySet, "JWK Set is larger than \(limits.maxBytes) bytes")
        }
        let document: JSONValue
        do {
            document = try StrictJSONReader.read(json, limits: .init(maxDepth: 16, maxBytes: limits.maxBytes))
        } catch {
            throw JWTError(.invalidKeySet, "JWK Set is not strict JSON (\(error))")
        }
        guard let object = document.objectValue else { throw JWTError(.invalidKeySet, "JWK Set is not a JSON object") }
        guard case .array(let entries) = object["keys"] else {
            throw JWTError(.invalidKeySet, "JWK Set has no \"keys\" array")
        }
        guard entries.count <= limits.maxKeys else {
            throw JWTError(
                .invalidKeySet,
                "JWK Set has \(entries.count) keys, more than the limit of \(limits.maxKeys)"
            )
        }

        var imported: [(index: Int, key: JWTVerificationKey)] = []
        var skipped: [SkippedKey] = []
        for (index, entry) in entries.enumerated() {
            guard let jwk = entry.objectValue else {
                skipped.append(SkippedKey(index: index, keyID: nil, reason: "entry is not a JSON object"))
                continue
            }
            do {
                imported.append((index, try PublicKeyImport.key(from: jwk)))
            } catch {
                skipped.append(SkippedKey(index: index, keyID: jwk["kid"]?.stringValue, reason: error.reason))
            }
        }

        // A kid shared by two keys selects neither: which one an issuer meant cannot be known.
        var countsByID: [ExactText: Int] = [:]
        for entry in imported {
            if let kid = entry.key.keyID { countsByID[ExactText(kid), default: 0] += 1 }
        }
        var byID: [ExactText: JWTVerificationKey] = [:]
        var withoutID: [JWTVerificationKey] = []
        for entry in imported {
            guard let kid = entry.key.keyID else {
                withoutID.append(entry.key)
                continue
            }
            if countsByID[ExactText(kid)] == 1 {
                byID[ExactText(kid)] = entry.key
            } else {
                skipped.append(SkippedKey(index: entry.index, keyID: kid, reason: "kid is shared with another key"))
            }
        }
        skipped.sort { $0.index < $1.index }

        guard !byID.isEmpty || !withoutID.isEmpty else {
            throw JWTError(.invalidKeySet, "JWK Set has no usable key (\(skipped.count) skipped)")
        }
        self.init(keysByID: byID, keysWithoutID: withoutID, skippedKeys: skipped)
    }

    private init(
        keysByID: [ExactText: JWTVerificationKey],
        keysWithoutID: [JWTVerificationKey],
        skippedKeys: [SkippedKey]
    ) {
        self.keysByID = keysByID
        self.keysWithoutID = keysWithoutID
        self.skippedKeys = skippedKeys
    }

    /// The key with `kid` equal to `keyID`, byte for byte (case-sensitive, no Unicode normalization).
    ///
    /// With no `keyID` (verifiers that do not require one), the one usable key that can run
    /// `algorithm` is returned, and only when it is the only candidate. A key found by `kid` is
    /// returned whatever `algorithm` is: the verifier checks that the key fits it.
    ///
    /// - Parameters:
    ///   - keyID: The token's `kid`, or `nil` when it has none.
    ///   - algorithm: The token's algorithm, used only to find the candidates for a token without `kid`.
    /// - Returns: The selected key.
    /// - Throws: ``JWTError`` with ``JWTError/Code/unknownKey`` when no usable key has `keyID`, or, for
    ///   a token without `kid`, when no key or more than one key could verify it.
    public func key(for keyID: String?, algorithm: JWTAlgorithm) throws(JWTError) -> JWTVerificationKey {
        if let keyID {
            guard let key = keysByID[ExactText(keyID)] else {
                throw JWTError(.unknownKey, "no usable key has the token's kid")
            }
            return key
        }
        var candidate: JWTVerificationKey?
        for key in Array(keysByID.values) + keysWithoutID where key.permits(algorithm) {
            guard candidate == nil else {
                throw JWTError(.unknownKey, "token has no kid and several keys could verify it")
            }
            candidate = key
        }
        guard let candidate else { throw JWTError(.unknownKey, "token has no kid and no key fits its algorithm") }
        return candidate
    }
}

extension JWKSet {
    /// This set with every key that `previous` holds unchanged (``JWTVerificationKey/isSameKey(as:)``)
    /// replaced by `previous`'s object, so that whoever compares keys by identity sees no change.
    func keepingUnchangedKeys(of previous: JWKSet) -> JWKSet {
        func kept(_ key: JWTVerificationKey) -> JWTVerificationKey {
            let earlier = key.keyID.flatMap { previous.keysByID[ExactText($0)] }
            if let earlier, earlier.isSameKey(as: key) { return earlier }
            return previous.keysWithoutID.first { $0.isSameKey(as: key) } ?? key
        }
        return JWKSet(
            keysByID: keysByID.mapValues(kept),
            keysWithoutID: keysWithoutID.map(kept),
            skippedKeys: skippedKeys
        )
    }

    /// The key ``key(for:algorithm:)`` returns, or `nil` when it would throw: the set is in memory,
    /// so the verifier never has to wait for it.
    public func cachedKey(for keyID: String?, algorithm: JWTAlgorithm) -> JWTVerificationKey? {
        try? key(for: keyID, algorithm: algorithm)
    }
}
