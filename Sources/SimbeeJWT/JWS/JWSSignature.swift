/// A decoded signature segment. ES256 and Ed25519 signatures are 64 bytes: those are held inline,
/// so that a parsed token needs no allocation for its signature. Any other length, which
/// verification refuses with its length in the message, is held in an array.
package enum JWSSignature: Sendable {
    case sixtyFourBytes(InlineArray<64, UInt8>)
    case otherLength([UInt8])

    /// Decodes a signature segment strictly.
    ///
    /// - Throws: ``JWTError`` with ``JWTError/Code/malformed``.
    package init(decoding segment: Span<UInt8>) throws(JWTError) {
        guard Base64URL.decodedLength(ofEncodedLength: segment.count) == 64 else {
            self = .otherLength(try CompactJWS.decode(segment, "signature"))
            return
        }
        var bytes = InlineArray<64, UInt8>(repeating: 0)
        var output = bytes.mutableSpan
        do {
            try Base64URL.decode(segment, into: &output)
        } catch {
            throw CompactJWS.malformed(error, "signature")
        }
        _ = consume output
        self = .sixtyFourBytes(bytes)
    }

    /// Runs `body` with the signature's bytes.
    package func withBytes<Result, Failure: Error>(_ body: (Span<UInt8>) throws(Failure) -> Result) throws(Failure)
        -> Result
    {
        switch self {
        case .sixtyFourBytes(let bytes): try body(bytes.span)
        case .otherLength(let bytes): try body(bytes.span)
        }
    }
}
