/// Entry points into single stages of verification, for the benchmark package only.
///
/// - Warning: Not API. These run parsing stages without verifying anything and may change or
///   disappear in any release.
@_spi(Benchmarks) public enum BenchmarkHooks {
    /// Parses a token's header and payload and reads its registered claims, with no key lookup and
    /// no signature check. Returns the number of registered audiences, so the work is observable.
    public static func parseHeaderAndClaims(_ token: String) throws(JWTError) -> Int {
        let jws = try CompactJWS(token, maxBytes: JWTVerifier.Configuration.defaultMaxTokenBytes)
        let header = try JOSEHeader(decoded: jws.header)
        return try RegisteredClaims(payload: jws.payload).audience.count + (header.keyID == nil ? 0 : 1)
    }

    /// Decodes base64url text strictly; returns the decoded length (or -1 when refused).
    public static func decodeBase64URL(_ text: String) -> Int {
        (try? Base64URL.decode(text.utf8))?.count ?? -1
    }
}
