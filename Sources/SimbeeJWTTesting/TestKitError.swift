import SimbeeJWT

/// Why the testing kit could not make a key, a token or a server.
///
/// These are failures of the test setup (no key for the requested algorithm, a claim value JSON
/// cannot express, OpenSSL refusing to generate a key), never verdicts about a token: those come
/// from the verifier as `JWTError`.
public struct TestKitError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public let message: String

    /// The message.
    public var description: String { message }

    init(_ message: String) {
        self.message = message
    }
}

/// Appends `string` as a JSON string literal with the library's own escaping.
func appendQuoted(_ string: String, to output: inout String) {
    JSONValue.appendQuoted(string, to: &output)
}
