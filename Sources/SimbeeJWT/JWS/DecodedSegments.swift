/// The three segments of a compact JWS, decoded one after another into one buffer: header, then
/// payload, then signature. A verification allocates once for all three, and the payload's JSON
/// document reads them in place.
///
/// Each segment is decoded when the verifier reaches it, so a token refused for its header costs no
/// work on its payload.
package struct DecodedSegments: Sendable {
    /// The buffer. A segment not decoded yet holds zeros.
    package private(set) var bytes: [UInt8]
    /// Where the decoded header stands in ``bytes``.
    package let header: Range<Int>
    /// Where the decoded payload stands in ``bytes``.
    package let payload: Range<Int>
    /// Where the decoded signature stands in ``bytes``.
    package let signature: Range<Int>

    /// A buffer with room for the segments of `layout`. A segment whose length no base64url text has
    /// gets no room: decoding it throws.
    package init(for layout: CompactJWS.Layout) {
        func room(_ range: Range<Int>) -> Int { Base64URL.decodedLength(ofEncodedLength: range.count) ?? 0 }
        let headerEnd = room(layout.header)
        let payloadEnd = headerEnd + room(layout.payload)
        let signatureEnd = payloadEnd + room(layout.signature)
        self.bytes = [UInt8](repeating: 0, count: signatureEnd)
        self.header = 0..<headerEnd
        self.payload = headerEnd..<payloadEnd
        self.signature = payloadEnd..<signatureEnd
    }

    /// Decodes the header segment of `token`, laid out as `layout`, into its place.
    ///
    /// - Throws: ``JWTError`` with ``JWTError/Code/malformed``.
    package mutating func decodeHeader(of token: Span<UInt8>, _ layout: CompactJWS.Layout) throws(JWTError) {
        try decode(token.extracting(layout.header), at: header.lowerBound, "header")
    }

    /// Decodes the payload segment; see ``decodeHeader(of:_:)``.
    package mutating func decodePayload(of token: Span<UInt8>, _ layout: CompactJWS.Layout) throws(JWTError) {
        try decode(token.extracting(layout.payload), at: payload.lowerBound, "payload")
    }

    /// Decodes the signature segment; see ``decodeHeader(of:_:)``.
    package mutating func decodeSignature(of token: Span<UInt8>, _ layout: CompactJWS.Layout) throws(JWTError) {
        try decode(token.extracting(layout.signature), at: signature.lowerBound, "signature")
    }

    private mutating func decode(_ segment: Span<UInt8>, at start: Int, _ name: StaticString) throws(JWTError) {
        var output = bytes.mutableSpan
        do {
            try Base64URL.decode(segment, into: &output, at: start)
        } catch {
            throw CompactJWS.malformed(error, name)
        }
    }
}
