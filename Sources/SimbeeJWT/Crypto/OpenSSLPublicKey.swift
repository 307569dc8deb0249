internal import COpenSSL
import NIOConcurrencyHelpers

/// An OpenSSL `EVP_PKEY` holding one public key, created once at import and then only read.
///
/// This file and its siblings in `Crypto/` are the only code that touches libcrypto.
final class OpenSSLPublicKey: @unchecked Sendable {
    // @unchecked Sendable: the EVP_PKEY is fully built in init and never mutated afterwards;
    // OpenSSL 3 allows concurrent verify operations on one EVP_PKEY, each through its own context,
    // and every context here is lent to one caller at a time through a lock.
    let pointer: OpaquePointer
    /// For P-256 keys: an `EVP_PKEY_CTX` on this key, already initialised for verification, from
    /// which each caller's context is duplicated (`EVP_PKEY_CTX_dup` only reads it). It is never
    /// used to verify.
    private let preparedVerification: OpaquePointer?

    /// SHA-256, fetched once for a P-256 key: a digest named per call, as `SHA256()` does, is looked
    /// up in OpenSSL's method store, under its lock, every time (measured per ES256 verify: about
    /// 2.8k instructions and 2 mallocs more than hashing on a kept context with a fetched digest).
    private let sha256: OpaquePointer?

    /// Idle contexts, kept for the next caller: verifying on a context that was used before costs
    /// less than setting one up. Measured per ES256 verify: duplicating and freeing a context each
    /// time cost about 1k instructions and 2 mallocs more than a kept one; for Ed25519,
    /// `EVP_DigestVerifyInit` on a used `EVP_MD_CTX` saved about 13k of 1.53M instructions.
    ///
    /// The lists sit behind `NIOLockedValueBox` (a pthread mutex) rather than Synchronization's
    /// `Mutex`, which measured about 130 instructions and 8 code lines fewer per ES256 verification
    /// on this code (900 instructions when first tried, before the other changes) but whose contended
    /// hand-off happens in the uninstrumented Synchronization library: ThreadSanitizer then reports
    /// a race on the guarded array whenever two callers meet (seen in CI's ThreadSanitizer run).
    private let idleVerificationContexts = NIOLockedValueBox<[IdleContext]>([])
    private let idleDigestContexts = NIOLockedValueBox<[IdleContext]>([])
    /// Contexts no caller holds.
    private struct IdleContext: @unchecked Sendable {
        // @unchecked Sendable: a context is only ever used by the one caller it is lent to; while
        // it sits in an idle list behind the lock, nothing uses it.
        /// An `EVP_PKEY_CTX` (P-256 verification) or an `EVP_MD_CTX` (Ed25519).
        let context: OpaquePointer
        /// With a P-256 verification context, the `EVP_MD_CTX` that hashes for it.
        let digest: OpaquePointer?

        init(context: OpaquePointer, digest: OpaquePointer? = nil) {
            self.context = context
            self.digest = digest
        }
    }
    /// Idle contexts kept per key and kind; more than this many callers at once make and free their own.
    private static let maxIdleContexts = 16

    private init(taking pointer: OpaquePointer, preparedVerification: OpaquePointer? = nil) {
        self.pointer = pointer
        self.preparedVerification = preparedVerification
        sha256 = preparedVerification == nil ? nil : EVP_MD_fetch(nil, "SHA256", nil)
    }

    deinit {
        for idle in idleVerificationContexts.withLockedValue({ $0 }) { Self.freeVerification(idle) }
        for idle in idleDigestContexts.withLockedValue({ $0 }) { EVP_MD_CTX_free(idle.context) }
        if let preparedVerification { EVP_PKEY_CTX_free(preparedVerification) }
        if let sha256 { EVP_MD_free(sha256) }
        EVP_PKEY_free(pointer)
    }

    /// What a P-256 verification is lent: a context initialised for verification with the key,
    /// and a digest context with SHA-256 to hash the message on.
    struct P256Contexts {
        let verification: OpaquePointer
        let digest: OpaquePointer
        let sha256: OpaquePointer

        /// SHA-256 of `message` into the 32 bytes at `output`; `false` if OpenSSL fails.
        func hash(_ message: UnsafeBufferPointer<UInt8>, into output: UnsafeMutablePointer<UInt8>) -> Bool {
            EVP_DigestInit_ex2(digest, sha256, nil) == 1
                && EVP_DigestUpdate(digest, message.baseAddress, message.count) == 1
                && EVP_DigestFinal_ex(digest, output, nil) == 1
        }
    }

    /// Runs `body` with the contexts for one P-256 verification with this key, lent to this caller
    /// alone; `nil` when the key is not a P-256 key or OpenSSL cannot make them.
    func withVerificationContext<Result>(_ body: (P256Contexts?) -> Result) -> Result {
        guard let preparedVerification, let sha256 else { return body(nil) }
        let kept = idleVerificationContexts.withLockedValue { $0.popLast() }
        guard let idle = kept ?? Self.newVerification(from: preparedVerification), let digest = idle.digest else {
            return body(nil)
        }
        defer { Self.giveBack(idle, to: idleVerificationContexts, free: Self.freeVerification) }
        return body(P256Contexts(verification: idle.context, digest: digest, sha256: sha256))
    }

    /// Runs `body` with an `EVP_MD_CTX` lent to this caller alone (`nil` if OpenSSL cannot make one).
    func withDigestContext<Result>(_ body: (OpaquePointer?) -> Result) -> Result {
        let context = idleDigestContexts.withLockedValue { $0.popLast()?.context } ?? EVP_MD_CTX_new()
        guard let context else { return body(nil) }
        defer { Self.giveBack(IdleContext(context: context), to: idleDigestContexts) { EVP_MD_CTX_free($0.context) } }
        return body(context)
    }

    /// A P-256 verification context copied from the prepared one, with its digest context.
    private static func newVerification(from prepared: OpaquePointer) -> IdleContext? {
        guard let context = EVP_PKEY_CTX_dup(prepared) else { return nil }
        guard let digest = EVP_MD_CTX_new() else {
            EVP_PKEY_CTX_free(context)
            return nil
        }
        return IdleContext(context: context, digest: digest)
    }

    private static func freeVerification(_ idle: IdleContext) {
        EVP_PKEY_CTX_free(idle.context)
        EVP_MD_CTX_free(idle.digest)
    }

    /// Keeps `idle` for the next caller, or frees it when enough are idle.
    private static func giveBack(
        _ idle: IdleContext,
        to list: NIOLockedValueBox<[IdleContext]>,
        free: (IdleContext) -> Void
    ) {
        let kept = list.withLockedValue { contexts -> Bool in
            guard contexts.count < maxIdleContexts else { return false }
            contexts.append(idle)
            return true
        }
        if !kept { free(idle) }
    }

    /// Why OpenSSL refused to build a key.
    enum ImportFailure: Error, Equatable {
        /// The point is not on P-256 (or is the point at infinity, or a coordinate is ≥ p).
        case notOnCurve
        /// OpenSSL failed for another reason.
        case openSSLFailure
    }

    /// A P-256 public key from its affine coordinates.
    ///
    /// OpenSSL decodes the uncompressed point, which fails for coordinates ≥ p or a point off the
    /// curve; `EVP_PKEY_public_check` then confirms the point is valid and not the identity.
    ///
    /// - Parameters:
    ///   - x: Exactly 32 bytes, big-endian.
    ///   - y: Exactly 32 bytes, big-endian.
    static func p256(x: [UInt8], y: [UInt8]) throws(ImportFailure) -> OpenSSLPublicKey {
        precondition(x.count == 32 && y.count == 32, "coordinate lengths are checked by the caller")
        var point = [UInt8](repeating: 0x04, count: 1)
        point.reserveCapacity(65)
        point += x
        point += y
        defer { ERR_clear_error() }

        guard let context = EVP_PKEY_CTX_new_from_name(nil, "EC", nil) else { throw .openSSLFailure }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_fromdata_init(context) == 1 else { throw .openSSLFailure }

        var key: OpaquePointer?
        let status = OSSL_PKEY_PARAM_GROUP_NAME.withCString { groupKey in
            OSSL_PKEY_PARAM_PUB_KEY.withCString { publicKeyKey in
                SN_X9_62_prime256v1.withCString { groupName in
                    point.withUnsafeMutableBytes { pointBytes in
                        var params = [
                            OSSL_PARAM_construct_utf8_string(groupKey, UnsafeMutablePointer(mutating: groupName), 0),
                            OSSL_PARAM_construct_octet_string(publicKeyKey, pointBytes.baseAddress, pointBytes.count),
                            OSSL_PARAM_construct_end(),
                        ]
                        return EVP_PKEY_fromdata(context, &key, simbee_evp_pkey_public_key_selection(), &params)
                    }
                }
            }
        }
        guard status == 1, let key else { throw .notOnCurve }
        guard let verification = EVP_PKEY_CTX_new_from_pkey(nil, key, nil) else {
            EVP_PKEY_free(key)
            throw .openSSLFailure
        }
        let publicKey = OpenSSLPublicKey(taking: key, preparedVerification: verification)
        guard EVP_PKEY_public_check(verification) == 1 else { throw .notOnCurve }
        guard EVP_PKEY_verify_init(verification) == 1 else { throw .openSSLFailure }
        return publicKey
    }

    /// An Ed25519 public key from its 32-byte encoding.
    ///
    /// OpenSSL 3.0 does not screen Ed25519 keys (it verifies a universal forgery under the identity
    /// key), so callers must run ``Ed25519PointCheck`` first.
    static func ed25519(_ encoded: [UInt8]) throws(ImportFailure) -> OpenSSLPublicKey {
        precondition(encoded.count == 32, "key length is checked by the caller")
        defer { ERR_clear_error() }
        let key = encoded.withUnsafeBufferPointer { bytes in
            EVP_PKEY_new_raw_public_key(simbee_evp_pkey_ed25519(), nil, bytes.baseAddress, bytes.count)
        }
        guard let key else { throw .openSSLFailure }
        return OpenSSLPublicKey(taking: key)
    }
}
