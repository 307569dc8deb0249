/// The fuzz targets: each one feeds arbitrary bytes to one layer of the library and checks
/// properties of the outcome, not only that nothing crashed.
///
/// The same checks run under libFuzzer (`Fuzz/Driver`, built by `Scripts/fuzz.sh`) and in
/// `swift test`, which replays the committed corpus in `Fuzz/Corpus/<target>/` through them.
package enum FuzzTarget: String, CaseIterable, Sendable {
    /// Strict base64url: round trips, canonical encodings, agreement with a reference decoder.
    case base64url
    /// The strict JSON reader: no duplicate names, no byte-order mark, limits, faithful re-serialization.
    case json
    /// Compact JWS splitting and JOSE header decoding, against a reference split and header reading.
    case compact
    /// JWK Set import, against one-key-at-a-time import.
    case jwks
    /// The whole verifier against the fixture key set with the clock pinned at the manifest's `now`.
    case verify

    /// Whether the checks suspend (the verifier's API is `async`).
    package var isAsynchronous: Bool { self == .verify }

    /// Runs the checks of a synchronous target.
    ///
    /// - Returns: Whether the library accepted the input (a decoded segment, a document, a key set,
    ///   a verified token), so tests can show that a corpus reaches both outcomes.
    /// - Throws: ``PropertyViolation`` when a property does not hold.
    package func checkSynchronously(_ input: [UInt8]) throws(PropertyViolation) -> Bool {
        switch self {
        case .base64url: return try Base64URLChecks.run(input)
        case .json: return try JSONChecks.run(input)
        case .compact: return try CompactJWSChecks.run(input)
        case .jwks: return try JWKSetChecks.run(input)
        case .verify: preconditionFailure("the verify target is asynchronous")
        }
    }

    /// Runs the checks of any target; see ``checkSynchronously(_:)``.
    package func check(_ input: [UInt8]) async throws(PropertyViolation) -> Bool {
        if self == .verify { return try await VerifyChecks.run(input) }
        return try checkSynchronously(input)
    }
}

/// A property that did not hold for some input: a bug in the library (or in a check).
package struct PropertyViolation: Error, CustomStringConvertible {
    /// What was expected, in words.
    package let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// Throws a ``PropertyViolation`` with `message` unless `condition` holds.
func require(_ condition: Bool, _ message: @autoclosure () -> String) throws(PropertyViolation) {
    if !condition { throw PropertyViolation(message()) }
}
