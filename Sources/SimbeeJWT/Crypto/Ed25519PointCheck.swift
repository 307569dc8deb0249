internal import COpenSSL

/// Screens an Ed25519 public key encoding before it may verify anything.
///
/// OpenSSL 3.0 accepts any 32 bytes as an Ed25519 public key, and its verify accepts the universal
/// forgery under the identity key (`A = 01 00…00`, `R = 01 00…00`, `S = 0`) for every message. A key
/// is therefore usable only if its encoding is
/// - canonical: the y coordinate (the low 255 bits, little-endian) is below p = 2^255 − 19;
/// - decodable: (y² − 1) / (d·y² + 1) is a square mod p, and x = 0 comes with a clear sign bit
///   (RFC 8032 §5.1.3);
/// - not of small order: none of the eight points whose order divides 8.
///
/// The field arithmetic runs on OpenSSL's `BIGNUM`, not on code written here.
enum Ed25519PointCheck {
    /// Why an encoding was refused.
    enum Failure: Error, Equatable {
        case nonCanonical
        case notOnCurve
        case smallOrder
    }

    /// The eight small-order points, as their canonical encodings: the identity (order 1),
    /// (0, −1) (order 2), (±√−1, 0) (order 4) and the four points of order 8. Each was checked to
    /// satisfy 8·P = identity when this list was written; they are the points listed by
    /// ed25519-speccheck and the "Taming the many EdDSAs" paper (Chalkias et al., 2020).
    static let smallOrderEncodings: [[UInt8]] = [
        "0100000000000000000000000000000000000000000000000000000000000000",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000080",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
    ].map(bytes(fromHex:))

    /// p = 2^255 − 19, big-endian hex.
    private static let primeHex = "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffed"
    /// d = −121665 / 121666 mod p, big-endian hex (RFC 8032 §5.1).
    private static let curveDHex = "52036cee2b6ffe738cc740797779e89800700a4d4141d8ab75eb4dca135978a3"

    /// Checks a 32-byte Ed25519 public key encoding.
    static func check(_ encoded: [UInt8]) throws(Failure) {
        precondition(encoded.count == 32, "key length is checked by the caller")
        let sign = encoded[31] >> 7
        var yBigEndian = Array(encoded.reversed())
        yBigEndian[0] &= 0x7F

        // Canonical: y < p. Compare big-endian bytes with p.
        let prime = bytes(fromHex: primeHex)
        if !yBigEndian.lexicographicallyPrecedes(prime) { throw .nonCanonical }

        if smallOrderEncodings.contains(encoded) { throw .smallOrder }

        guard let xSquared = try recoverXSquared(yBigEndian: yBigEndian) else { throw .notOnCurve }
        if xSquared == .zero, sign == 1 { throw .notOnCurve }
    }

    private enum XSquared: Equatable { case zero, nonZeroSquare }

    /// Computes x² = (y² − 1) / (d·y² + 1) mod p and whether it has a square root.
    /// Returns `nil` when it has none (the encoding names no point).
    private static func recoverXSquared(yBigEndian: [UInt8]) throws(Failure) -> XSquared? {
        // Sound: every BIGNUM below comes from `context`, which the defers free only when this
        // function returns, and BN_bin2bn reads the byte arrays during the call alone.
        guard let context = unsafe BN_CTX_new() else {
            ERR_clear_error()
            throw .notOnCurve
        }
        defer { unsafe BN_CTX_free(context) }
        unsafe BN_CTX_start(context)
        defer { unsafe BN_CTX_end(context) }

        guard let p = unsafe BN_CTX_get(context), let d = unsafe BN_CTX_get(context),
            let y = unsafe BN_CTX_get(context), let ySquared = unsafe BN_CTX_get(context),
            let numerator = unsafe BN_CTX_get(context), let denominator = unsafe BN_CTX_get(context),
            let xSquared = unsafe BN_CTX_get(context), let exponent = unsafe BN_CTX_get(context),
            let legendre = unsafe BN_CTX_get(context), let one = unsafe BN_CTX_get(context)
        else {
            ERR_clear_error()
            throw .notOnCurve
        }

        let prime = bytes(fromHex: primeHex)
        let curveD = bytes(fromHex: curveDHex)
        var ok = unsafe BN_bin2bn(prime, Int32(prime.count), p) != nil
        ok = unsafe ok && BN_bin2bn(curveD, Int32(curveD.count), d) != nil
        ok = unsafe ok && BN_bin2bn(yBigEndian, Int32(yBigEndian.count), y) != nil
        ok = unsafe ok && BN_set_word(one, 1) == 1
        ok = unsafe ok && BN_mod_sqr(ySquared, y, p, context) == 1
        ok = unsafe ok && BN_mod_sub(numerator, ySquared, one, p, context) == 1
        ok = unsafe ok && BN_mod_mul(denominator, d, ySquared, p, context) == 1
        ok = unsafe ok && BN_mod_add(denominator, denominator, one, p, context) == 1
        // d·y² + 1 is never 0 mod p: −1/d is not a square.
        ok = unsafe ok && BN_mod_inverse(denominator, denominator, p, context) != nil
        ok = unsafe ok && BN_mod_mul(xSquared, numerator, denominator, p, context) == 1
        guard ok else {
            ERR_clear_error()
            throw .notOnCurve
        }
        if unsafe BN_is_zero(xSquared) == 1 { return .zero }

        // Euler's criterion: x² is a square iff (x²)^((p−1)/2) = 1.
        ok = unsafe BN_sub(exponent, p, one) == 1 && BN_rshift1(exponent, exponent) == 1
        ok = unsafe ok && BN_mod_exp(legendre, xSquared, exponent, p, context) == 1
        guard ok else {
            ERR_clear_error()
            throw .notOnCurve
        }
        return unsafe BN_is_one(legendre) == 1 ? .nonZeroSquare : nil
    }

    private static func bytes(fromHex hex: String) -> [UInt8] {
        var result: [UInt8] = []
        var iterator = hex.utf8.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            result.append(UInt8(hexDigit(high) << 4 | hexDigit(low)))
        }
        return result
    }

    private static func hexDigit(_ byte: UInt8) -> UInt8 {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: 0
        }
    }
}
