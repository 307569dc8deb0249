#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A JWS in compact serialization (RFC 7515 §7.1), split and decoded but not verified, for the
/// header peek and the `decode` tool. Verification reads the signature and signing input straight
/// from the token through ``Layout``; here the signature segment is only checked.
///
/// Parsing follows the order that keeps hostile input cheap: the size limit first, then the two
/// dots are found in one pass without allocating, then each segment is decoded as strict base64url.
/// Exactly `header.payload.signature` is accepted: three non-empty segments and no other bytes (no
/// whitespace, no `Bearer ` prefix, no JSON serialization, no JWE).
package struct CompactJWS: Sendable {
    /// The decoded protected header (JSON text, not yet parsed).
    package let header: [UInt8]
    /// The decoded payload.
    package let payload: [UInt8]

    /// Splits and decodes `token`.
    ///
    /// - Parameters:
    ///   - token: The token's bytes.
    ///   - maxBytes: The size limit, checked before anything else.
    /// - Throws: ``JWTError`` with ``JWTError/Code/tokenTooLarge`` or ``JWTError/Code/malformed``.
    package init(_ token: UnsafeBufferPointer<UInt8>, maxBytes: Int) throws(JWTError) {
        let layout = try Layout(token, maxBytes: maxBytes)
        header = try Self.decode(layout.header(of: token), "header")
        payload = try Self.decode(layout.payload(of: token), "payload")
        // Strict base64url like the other segments, but nothing here needs the bytes.
        try Self.withDecoded(layout.signature(of: token), "signature") { _ in }
    }

    /// Where the two dots of a compact JWS are: found in one pass, without allocating, after the
    /// size limit.
    package struct Layout: Sendable {
        package let firstDot: Int
        package let secondDot: Int

        /// Checks the size limit, then that `token` is exactly three non-empty dot-separated segments.
        ///
        /// - Throws: ``JWTError`` with ``JWTError/Code/tokenTooLarge`` or ``JWTError/Code/malformed``.
        package init(_ token: UnsafeBufferPointer<UInt8>, maxBytes: Int) throws(JWTError) {
            guard token.count <= maxBytes else {
                throw JWTError(.tokenTooLarge, "token is \(token.count) bytes, more than the limit of \(maxBytes)")
            }
            guard let firstDot = Self.dot(in: token, from: 0), let secondDot = Self.dot(in: token, from: firstDot + 1)
            else {
                throw JWTError(.malformed, "token does not have three segments")
            }
            guard Self.dot(in: token, from: secondDot + 1) == nil else {
                throw JWTError(.malformed, "token has more than three segments")
            }
            guard firstDot > 0, secondDot > firstDot + 1, secondDot < token.count - 1 else {
                throw JWTError(.malformed, "token has an empty segment")
            }
            self.firstDot = firstDot
            self.secondDot = secondDot
        }

        /// The index of the first `.` at or after `start` (`memchr`, which scans a word at a time).
        private static func dot(in token: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
            guard let base = token.baseAddress, start < token.count,
                let found = memchr(base + start, Int32(UInt8(ascii: ".")), token.count - start)
            else {
                return nil
            }
            return UnsafeRawPointer(found) - UnsafeRawPointer(base)
        }

        package func header(of token: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(rebasing: token[..<firstDot])
        }

        package func payload(of token: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(rebasing: token[(firstDot + 1)..<secondDot])
        }

        package func signature(of token: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(rebasing: token[(secondDot + 1)...])
        }

        /// `ASCII(BASE64URL(header)) '.' ASCII(BASE64URL(payload))`, exactly as the token holds it.
        package func signingInput(of token: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(rebasing: token[..<secondDot])
        }
    }

    /// Splits and decodes a token given as a string; see ``init(_:maxBytes:)``.
    package init(_ token: String, maxBytes: Int) throws(JWTError) {
        self = try withUTF8Bytes(of: token) { bytes throws(JWTError) in try CompactJWS(bytes, maxBytes: maxBytes) }
    }

    /// Decodes one segment strictly into a new array.
    package static func decode(_ segment: UnsafeBufferPointer<UInt8>, _ name: StaticString) throws(JWTError) -> [UInt8]
    {
        do {
            return try Base64URL.decode(segment)
        } catch {
            throw malformed(error, name)
        }
    }

    /// Decodes one segment strictly into temporary storage (on the stack when small) for the
    /// duration of `body`.
    package static func withDecoded<Result>(
        _ segment: UnsafeBufferPointer<UInt8>,
        _ name: StaticString,
        _ body: (UnsafeBufferPointer<UInt8>) throws(JWTError) -> Result
    ) throws(JWTError) -> Result {
        guard let count = Base64URL.decodedLength(ofEncodedLength: segment.count) else {
            throw malformed(.invalidLength, name)
        }
        return try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: count) { buffer throws(JWTError) in
            if let failure = Base64URL.decode(segment, into: buffer) { throw malformed(failure, name) }
            return try body(UnsafeBufferPointer(buffer))
        }
    }

    private static func malformed(_ failure: Base64URL.DecodingError, _ name: StaticString) -> JWTError {
        switch failure {
        case .invalidCharacter:
            JWTError(.malformed, "\(name) segment has a character outside the base64url alphabet")
        case .invalidLength:
            JWTError(.malformed, "\(name) segment has an impossible base64url length")
        case .nonZeroTrailingBits:
            JWTError(.malformed, "\(name) segment is not canonical base64url (non-zero trailing bits)")
        }
    }
}

/// Runs `body` over the UTF-8 bytes of `string`, keeping `body`'s typed error (`String.withUTF8`
/// only rethrows untyped errors). The result comes straight back from `withUTF8` rather than
/// through a `Result` or an optional, which would copy it (measured: a few retains per call).
package func withUTF8Bytes<Result>(
    of string: String,
    _ body: (UnsafeBufferPointer<UInt8>) throws(JWTError) -> Result
) throws(JWTError) -> Result {
    var string = string
    do {
        return try string.withUTF8 { bytes in try body(bytes) }
    } catch let error as JWTError {
        throw error
    } catch {
        // Unreachable: `body` throws only JWTError, which `withUTF8` passes on untyped.
        throw JWTError(.malformed, "token could not be read")
    }
}
