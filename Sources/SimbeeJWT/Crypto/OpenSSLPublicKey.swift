internal import COpenSSL
import NIOConcurrencyHelpers

/// An OpenSSL `EVP_PKEY` holding one public key, created once at import and then only read.
///
/// This file and its siblings in `Crypto/` are the only code that touches libcrypto.
///
/// `@safe`: the C objects it holds are created in its initialisers and freed in its `deinit` alone,
/// and its contexts are lent only for the duration of a closure, so no pointer outlives its object.
@safe final class OpenSSLPublicKey: @unchecked Sendable {
    // @unchecked Sendable: the EVP_PKEY is fully built in init and never mutated afterwards;
    // OpenSSL 3 allows concurrent verify operations on one EVP_PKEY, each through its own context,
    // and every context here is lent to one caller at a time through a lock.
    let pointer: OpaquePointer
    /// For P-256 keys: an `EVP_PKEY_CTX` on this key, already initialised for verification, from
    /// which each caller's context is duplicated, one caller at a time (OpenSSL documents no
    /// concurrent use of one context, even by a function that only reads it). It is never used to
    /// verify.
    private let preparedVerification: OpaquePointer?

    /// SHA-256, fetched once for a P-256 key: naming the digest on each call would look it up in
    /// OpenSSL's method store, under its lock, every time.
    private let sha256: OpaquePointer?

    /// Idle contexts, kept for the next caller: verifying on a context that was used before costs
    /// less than setting one up. The lists sit behind `NIOLockedValueBox` (a pthread mutex) rather
    /// than Synchronization's `Mutex`, whose contended hand-off happens in the uninstrumented
    /// Synchronization library, where ThreadSanitizer reports a race on the guarded array.
    private let idleVerificationContexts = NIOLockedValueBox<[IdleContext]>([])
    private let idleDigestContexts = NIOLockedValueBox<[IdleContext]>([])
    /// Contexts no caller holds.
    ///
    /// `@safe`: made and freed in this file only, and handed out only for the duration of a closure.
    @safe private struct IdleContext: @unchecked Sendable {
        // @unchecked Sendable: a context is only ever used by the one caller it is lent to; while
        // it sits in an idle list behind the lock, nothing uses it.
        /// An `EVP_PKEY_CTX` (P-256 verification) or an `EVP_MD_CTX` (Ed25519).
        let context: OpaquePointer
        /// With a P-256 verification context, the `EVP_MD_CTX` that hashes for it.
        let digest: OpaquePointer?

        init(context: OpaquePointer, digest: OpaquePointer? = nil) {
            // Sound: stored, not dereferenced; see the type's note.
            unsafe self.context = context
            unsafe self.digest = digest
        }
    }
    /// Idle contexts kept per key and kind; more than this many callers at once make and free their own.
    private static let maxIdleContexts = 16

    /// Takes ownership of `pointer`, `preparedVerification` and `sha256`: only `deinit` frees them.
    private init(
        taking pointer: OpaquePointer,
        preparedVerification: OpaquePointer? = nil,
        sha256: OpaquePointer? = nil
    ) {
        // Sound: the objects are new and handed over whole; nothing else keeps or frees them.
        unsafe self.pointer = pointer
        unsafe self.preparedVerification = preparedVerification
        unsafe self.sha256 = sha256
    }

    deinit {
        // Sound: no caller holds a context once the last reference is gone (they are lent only
        // inside closures on this object), so each object is freed exactly once, here.
        for idle in idleVerificationContexts.withLockedValue({ $0 }) { Self.freeVerification(idle) }
        for idle in idleDigestContexts.withLockedValue({ $0 }) { unsafe EVP_MD_CTX_free(idle.context) }
        if let preparedVerification = unsafe preparedVerification { unsafe EVP_PKEY_CTX_free(preparedVerification) }
        if let sha256 = unsafe sha256 { unsafe EVP_MD_free(sha256) }
        unsafe EVP_PKEY_free(pointer)
    }

    /// What a P-256 verification is lent: a context initialised for verification with the key,
    /// and a digest context with SHA-256 to hash the message on.
    ///
    /// `@unsafe`: its pointers are valid only inside ``withVerificationContext(_:)``'s closure.
    @unsafe struct P256Contexts {
        let verification: OpaquePointer
        let digest: OpaquePointer
        let sha256: OpaquePointer

        /// SHA-256 of `message`, in inline storage; `nil` if OpenSSL fails.
        func sha256(of message: Span<UInt8>) -> InlineArray<32, UInt8>? {
            var output = InlineArray<32, UInt8>(repeating: 0)
            var outputBytes = output.mutableSpan
            // Sound: the span and the inline array stay valid for the whole call, and the array has
            // the 32 bytes SHA-256 writes; OpenSSL keeps no pointer to either.
            let hashed = unsafe message.withUnsafeBufferPointer { message in
                unsafe outputBytes.withUnsafeMutableBufferPointer { output in
                    unsafe EVP_DigestInit_ex2(digest, sha256, nil) == 1
                        && EVP_DigestUpdate(digest, message.baseAddress, message.count) == 1
                        && EVP_DigestFinal_ex(digest, output.baseAddress, nil) == 1
                }
            }
            _ = consume outputBytes
            return hashed ? output : nil
        }
    }

    /// Runs `body` with the contexts for one P-256 verification with this key, lent to this caller
    /// alone; `nil` when the key is not a P-256 key or OpenSSL cannot make them.
    func withVerificationContext<Result>(_ body: (P256Contexts?) -> Result) -> Result {
        // Sound: the contexts are lent to `body` alone and taken back (kept or freed) only after it
        // returns; the key's own objects live as long as `self`, which this call holds.
        guard let preparedVerification = unsafe preparedVerification, let sha256 = unsafe sha256 else {
            return body(nil)
        }
        // The duplication runs under the lock too (only when no context is idle), so that no two
        // callers read the prepared context at once.
        let idle = idleVerificationContexts.withLockedValue { idle in
            unsafe idle.popLast() ?? Self.newVerification(from: preparedVerification)
        }
        guard let idle, let digest = unsafe idle.digest else {
            return body(nil)
        }
        defer { Self.giveBack(idle, to: idleVerificationContexts, free: Self.freeVerification) }
        return unsafe body(P256Contexts(verification: idle.context, digest: digest, sha256: sha256))
    }

    /// Runs `body` with an `EVP_MD_CTX` lent to this caller alone (`nil` if OpenSSL cannot make one).
    func withDigestContext<Result>(_ body: (OpaquePointer?) -> Result) -> Result {
        // Sound: as in `withVerificationContext`, the context is `body`'s alone until it returns.
        let context = unsafe (idleDigestContexts.withLockedValue { unsafe $0.popLast()?.context } ?? EVP_MD_CTX_new())
        guard let context = unsafe context else { return body(nil) }
        defer {
            unsafe Self.giveBack(IdleContext(context: context), to: idleDigestContexts) {
                unsafe EVP_MD_CTX_free($0.context)
            }
        }
        return unsafe body(context)
    }

    /// A P-256 verification context copied from the prepared one, with its digest context.
    private static func newVerification(from prepared: OpaquePointer) -> IdleContext? {
        // Sound: `prepared` belongs to a key the caller holds; EVP_PKEY_CTX_dup only reads it.
        guard let context = unsafe EVP_PKEY_CTX_dup(prepared) else { return nil }
        guard let digest = unsafe EVP_MD_CTX_new() else {
            unsafe EVP_PKEY_CTX_free(context)
            return nil
        }
        return unsafe IdleContext(context: context, digest: digest)
    }

    /// Frees a context no caller holds any more.
    private static func freeVerification(_ idle: IdleContext) {
        unsafe EVP_PKEY_CTX_free(idle.context)
        unsafe EVP_MD_CTX_free(idle.digest)
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

        // Sound: every pointer given to OpenSSL comes from a `with…` closure that encloses the call,
        // OpenSSL copies what it keeps (EVP_PKEY_fromdata copies the point), and each object made
        // here is freed on every path or handed to the OpenSSLPublicKey that owns it.
        guard let context = unsafe EVP_PKEY_CTX_new_from_name(nil, "EC", nil) else { throw .openSSLFailure }
        defer { unsafe EVP_PKEY_CTX_free(context) }
        guard unsafe EVP_PKEY_fromdata_init(context) == 1 else { throw .openSSLFailure }

        var key: OpaquePointer?
        let status = unsafe OSSL_PKEY_PARAM_GROUP_NAME.withCString { groupKey in
            unsafe OSSL_PKEY_PARAM_PUB_KEY.withCString { publicKeyKey in
                unsafe SN_X9_62_prime256v1.withCString { groupName in
                    unsafe point.withUnsafeMutableBytes { pointBytes in
                        var params = unsafe [
                            OSSL_PARAM_construct_utf8_string(groupKey, UnsafeMutablePointer(mutating: groupName), 0),
                            OSSL_PARAM_construct_octet_string(publicKeyKey, pointBytes.baseAddress, pointBytes.count),
                            OSSL_PARAM_construct_end(),
                        ]
                        return unsafe EVP_PKEY_fromdata(context, &key, simbee_evp_pkey_public_key_selection(), &params)
                    }
                }
            }
        }
        guard status == 1, let key = unsafe key else { throw .notOnCurve }
        guard let verification = unsafe EVP_PKEY_CTX_new_from_pkey(nil, key, nil) else {
            unsafe EVP_PKEY_free(key)
            throw .openSSLFailure
        }
        let sha256 = unsafe EVP_MD_fetch(nil, "SHA256", nil)
        let publicKey = unsafe OpenSSLPublicKey(taking: key, preparedVerification: verification, sha256: sha256)
        // Without SHA-256 every signature would fail as if forged: refuse the key instead.
        guard unsafe sha256 != nil else { throw .openSSLFailure }
        guard unsafe EVP_PKEY_public_check(verification) == 1 else { throw .notOnCurve }
        guard unsafe EVP_PKEY_verify_init(verification) == 1 else { throw .openSSLFailure }
        return publicKey
    }

    /// An Ed25519 public key from its 32-byte encoding.
    ///
    /// OpenSSL 3.0 does not screen Ed25519 keys (it verifies a universal forgery under the identity
    /// key), so callers must run ``Ed25519PointCheck`` first.
    static func ed25519(_ encoded: [UInt8]) throws(ImportFailure) -> OpenSSLPublicKey {
        precondition(encoded.count == 32, "key length is checked by the caller")
        defer { ERR_clear_error() }
        // Sound: OpenSSL copies the 32 bytes into the new key during the call.
        let key = unsafe encoded.withUnsafeBufferPointer { bytes in
            unsafe EVP_PKEY_new_raw_public_key(simbee_evp_pkey_ed25519(), nil, bytes.baseAddress, bytes.count)
        }
        guard let key = unsafe key else { throw .openSSLFailure }
        return unsafe OpenSSLPublicKey(taking: key)
    }
}
