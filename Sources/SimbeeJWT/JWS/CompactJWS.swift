/// A JWS in compact serialization (RFC 7515 §7.1), split and decoded but not verified.
///
/// Parsing follows the order that keeps hostile input cheap: the size limit first, then the two
/// dots, then each segment as strict base64url. Exactly `header.payload.signature` is accepted:
/// three non-empty segments and no other bytes (no whitespace, no `Bearer ` prefix, no JSON
/// serialization, no JWE). The value owns its bytes, so it can be kept across an `await`.
package struct CompactJWS: Sendable {
    /// The token's bytes.
    package let bytes: [UInt8]
    /// Where the segments stand in ``bytes``.
    package let layout: Layout
    /// The decoded protected header (JSON text, not yet parsed).
    package let header: [UInt8]
    /// The decoded payload.
    package let payload: [UInt8]
    /// The decoded signature.
    package let signature: [UInt8]

    /// Splits and decodes `token`.
    ///
    /// - Parameters:
    ///   - token: The token's bytes.
    ///   - maxBytes: The size limit, checked before anything else.
    /// - Throws: ``JWTError`` with ``JWTError/Code/tokenTooLarge`` or ``JWTError/Code/malformed``.
    package init(_ token: [UInt8], maxBytes: Int) throws(JWTError) {
        let span = token.span
        let layout = try Layout(span, maxBytes: maxBytes)
        self.bytes = token
        self.layout = layout
        self.header = try Self.decode(span.extracting(layout.header), "header")
        self.payload = try Self.decode(span.extracting(layout.payload), "payload")
        self.signature = try Self.decode(span.extracting(layout.signature), "signature")
    }

    /// Splits and decodes a token given as a string; see ``init(_:maxBytes:)-([UInt8],_)``.
    package init(_ token: String, maxBytes: Int) throws(JWTError) {
        // The limit comes before the copy: copying a huge input is work too.
        try Layout.checkSize(token.utf8.count, maxBytes: maxBytes)
        try self.init(Array(token.utf8), maxBytes: maxBytes)
    }

    /// Where the three segments of a compact JWS are, as byte ranges of the token.
    package struct Layout: Sendable {
        package let firstDot: Int
        package let secondDot: Int
        let count: Int

        /// Checks the size limit, then that `bytes` are exactly three non-empty dot-separated segments.
        ///
        /// - Throws: ``JWTError`` with ``JWTError/Code/tokenTooLarge`` or ``JWTError/Code/malformed``.
        package init(_ bytes: Span<UInt8>, maxBytes: Int) throws(JWTError) {
            try Self.checkSize(bytes.count, maxBytes: maxBytes)
            var dots: (first: Int?, second: Int?) = (nil, nil)
            for index in 0..<bytes.count where bytes[index] == UInt8(ascii: ".") {
                if dots.first == nil {
                    dots.first = index
                } else if dots.second == nil {
                    dots.second = index
                } else {
                    throw JWTError(.malformed, "token has more than three segments")
                }
            }
            guard let firstDot = dots.first, let secondDot = dots.second else {
                throw JWTError(.malformed, "token does not have three segments")
            }
            guard firstDot > 0, secondDot > firstDot + 1, secondDot < bytes.count - 1 else {
                throw JWTError(.malformed, "token has an empty segment")
            }
            self.firstDot = firstDot
            self.secondDot = secondDot
            self.count = bytes.count
        }

        static func checkSize(_ count: Int, maxBytes: Int) throws(JWTError) {
            guard count <= maxBytes else {
                throw JWTError(.tokenTooLarge, "token is \(count) bytes, more than the limit of \(maxBytes)")
            }
        }

        package var header: Range<Int> { 0..<firstDot }
        package var payload: Range<Int> { (firstDot + 1)..<secondDot }
        package var signature: Range<Int> { (secondDot + 1)..<count }
        /// `ASCII(BASE64URL(header)) '.' ASCII(BASE64URL(payload))`, exactly as the token holds it.
        package var signingInput: Range<Int> { 0..<secondDot }
    }

    /// Decodes one segment strictly.
    package static func decode(_ segment: Span<UInt8>, _ name: StaticString) throws(JWTError) -> [UInt8] {
        do {
            return try Base64URL.decode(segment)
        } catch {
            throw malformed(error, name)
        }
    }

    static func malformed(_ failure: Base64URL.DecodingError, _ name: StaticString) -> JWTError {
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
