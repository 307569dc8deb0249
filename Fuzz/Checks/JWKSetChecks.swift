import SimbeeJWT

/// Properties of JWK Set import (RFC 7517 §5), checked against importing each entry on its own
/// with the public `JWTVerificationKey(jwk:)`.
///
/// - refusals are only `invalid_key_set`, and exactly when the document is not a strict JSON object
///   with a `keys` array within the limits, or no entry is usable;
/// - every entry is either usable or reported in `skippedKeys` (sorted, each index once), and the
///   usable ones are exactly the entries that import alone, minus those whose `kid` another
///   importable entry shares;
/// - every `kid` in `keyIDs` (sorted, unique) selects a key with that `kid`, whose JWK carried no
///   private member, had `use` absent or `sig` and `key_ops` absent or holding `verify`;
/// - every key that imports alone has the `kid` and `alg` its JWK names.
enum JWKSetChecks {
    private static let privateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"]

    static func run(_ input: [UInt8]) throws(PropertyViolation) -> Bool {
        let limits = JWKSet.Limits()
        let outcome = Result { () throws(JWTError) in try JWKSet(json: input) }
        if case .failure(let error) = outcome {
            try require(error.code == .invalidKeySet, "a JWK Set was refused with \(error.code)")
        }

        // The reference reading of the document.
        guard input.count <= limits.maxBytes,
            case .success(let document) = JSONChecks.read(input, limits: .init(maxDepth: 16, maxBytes: limits.maxBytes)),
            case .object(let object) = document,
            case .array(let entries)? = member(object, "keys"),
            entries.count <= limits.maxKeys
        else {
            guard case .failure = outcome else { throw PropertyViolation("an invalid JWK Set document was accepted") }
            return false
        }

        // Each entry on its own. Only entries the single-key reader's tighter limits (depth 8, 64 KiB)
        // take can be compared; the rest only bound the counts.
        var comparable = true
        var singles: [(kid: [UInt8]?, key: JWTVerificationKey)] = []
        for entry in entries {
            guard case .object(let jwk) = entry else { continue }
            let text = Array(entry.serialized().utf8)
            guard JSONChecks.containerDepth(entry) <= 8, text.count <= 64 * 1024 else {
                comparable = false
                continue
            }
            switch Result(catching: { () throws(JWTError) in try JWTVerificationKey(jwk: text) }) {
            case .success(let key):
                try checkImported(key, jwk)
                singles.append((key.keyID.map { Array($0.utf8) }, key))
            case .failure(let error):
                try require(error.code == .invalidKeySet, "a JWK was refused with \(error.code)")
            }
        }
        var kidCounts: [[UInt8]: Int] = [:]
        for single in singles { if let kid = single.kid { kidCounts[kid, default: 0] += 1 } }
        let expectedCount = singles.filter { $0.kid == nil || kidCounts[$0.kid!] == 1 }.count

        guard case .success(let keySet) = outcome else {
            try require(!comparable || expectedCount == 0, "a JWK Set with \(expectedCount) usable keys was refused")
            return false
        }
        try require(keySet.count >= 1, "an accepted JWK Set has no usable key")
        try require(keySet.count + keySet.skippedKeys.count == entries.count, "usable + skipped != entries")
        if comparable {
            try require(
                keySet.count == expectedCount,
                "\(keySet.count) usable keys, one-by-one import says \(expectedCount)"
            )
        }
        let indices = keySet.skippedKeys.map(\.index)
        try require(zip(indices, indices.dropFirst()).allSatisfy { $0 < $1 }, "skipped keys not sorted and unique")
        try require(indices.allSatisfy { (0..<entries.count).contains($0) }, "a skipped index is out of range")

        let keyIDs = keySet.keyIDs
        try require(Set(keyIDs.map { Array($0.utf8) }).count == keyIDs.count, "keyIDs repeats a kid")
        for kid in keyIDs {
            guard let key = try? keySet.key(for: kid, algorithm: .es256),
                key.keyID?.utf8.elementsEqual(kid.utf8) == true
            else {
                throw PropertyViolation("a listed kid does not select a key with that kid")
            }
            let jwks = entries.compactMap { entry -> JSONObject? in
                guard case .object(let jwk) = entry, case .string(let entryKid)? = member(jwk, "kid"),
                    entryKid.utf8.elementsEqual(kid.utf8)
                else { return nil }
                return jwk
            }
            try require(jwks.count >= 1, "a usable kid names no entry")
            for jwk in jwks where (try? JWTVerificationKey(jwk: Array(JSONValue.object(jwk).serialized().utf8))) != nil
            {
                try checkImported(key, jwk)
            }
        }
        return true
    }

    /// A key imported from `jwk` may verify: no private member, `use` and `key_ops` allow it, and
    /// its `kid` and `alg` are the JWK's.
    private static func checkImported(_ key: JWTVerificationKey, _ jwk: JSONObject) throws(PropertyViolation) {
        for name in privateMembers {
            try require(member(jwk, name) == nil, "a key with private member \(name) was imported")
        }
        if let use = member(jwk, "use") {
            try require(use.stringValue?.utf8.elementsEqual("sig".utf8) == true, "a key with use other than sig")
        }
        if let operations = member(jwk, "key_ops") {
            guard case .array(let values) = operations,
                values.contains(where: { $0.stringValue?.utf8.elementsEqual("verify".utf8) == true })
            else { throw PropertyViolation("a key whose key_ops lacks verify was imported") }
        }
        switch member(jwk, "kid") {
        case .string(let kid)?:
            try require(key.keyID?.utf8.elementsEqual(kid.utf8) == true, "the key's kid is not its JWK's")
        default:
            try require(key.keyID == nil, "a key without a string kid has one")
        }
        switch member(jwk, "alg") {
        case .string(let alg)?:
            try require(key.algorithm?.name.utf8.elementsEqual(alg.utf8) == true, "the key's alg is not its JWK's")
        default:
            try require(key.algorithm == nil, "a key without alg has one")
        }
        guard case .string(let kty)? = member(jwk, "kty"),
            ["EC", "OKP"].contains(where: { kty.utf8.elementsEqual($0.utf8) })
        else { throw PropertyViolation("a key of a type other than EC or OKP was imported") }
    }

    /// A member by exact name.
    static func member(_ object: JSONObject, _ name: String) -> JSONValue? {
        object.members.first { $0.name.utf8.elementsEqual(name.utf8) }?.value
    }
}
