import SimbeeJWT

/// A key source whose every lookup fails with `code`, as a custom source or a `RemoteJWKS` reports
/// an outage, a bad key set or a caller that went away.
struct FailingKeys: JWTKeySource {
    let code: JWTError.Code
    var message = "the key source failed"

    func key(for keyID: String?, algorithm: JWTAlgorithm) async throws(JWTError) -> JWTVerificationKey {
        throw JWTError(code, message)
    }
}
