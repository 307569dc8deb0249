/// The members of a JOSE header that verification reads, parsed strictly.
///
/// Parsing enforces what must be refused before any key is touched: `crit` in any form, `b64`,
/// `enc` and a nested-JWT `cty` are unsupported; `alg`, `kid`, `typ` and `cty` must be strings.
/// `jwk`, `jku`, `x5u`, `x5c` and other members are ignored: keys come only from the key source.
package struct JOSEHeader: Sendable {
    /// `alg`, exactly as written.
    package let algorithmName: String
    /// The supported algorithm `alg` names, if any.
    package let algorithm: JWTAlgorithm?
    /// `kid`.
    package let keyID: String?
    /// `typ`.
    package let type: String?
    /// `cty`.
    package let contentType: String?

    /// JSON limits for headers and claims: a token is at most a few KiB, so depth is what matters.
    package static let jsonLimits = StrictJSONReader.Limits(maxDepth: 32, maxBytes: 1 << 20)

    /// Parses the decoded header bytes: strict JSON whose top-level value is an object.
    ///
    /// - Throws: ``JWTError`` with ``JWTError/Code/malformed`` or
    ///   ``JWTError/Code/unsupportedCriticalHeader``.
    package init(decoded bytes: [UInt8]) throws(JWTError) {
        try self.init(decoded: bytes, in: bytes.indices)
    }

    /// Parses the decoded header that stands in `bytes[range]`; see ``init(decoded:)``.
    package init(decoded bytes: [UInt8], in range: Range<Int>) throws(JWTError) {
        let document: JSONDocument
        do {
            document = try StrictJSONReader.parse(bytes, in: range, limits: Self.jsonLimits)
        } catch {
            throw JWTError(.malformed, "header is not strict JSON (\(error))")
        }
        guard document.kind(document.root) == .object else { throw JWTError(.malformed, "header is not a JSON object") }

        var alg: Int?
        var kid: Int?
        var typ: Int?
        var cty: Int?
        var hasCrit = false
        var hasB64 = false
        var hasEnc = false
        for (name, value) in document.members(of: document.root) {
            switch document.asciiString(name) {
            case "alg": alg = value
            case "kid": kid = value
            case "typ": typ = value
            case "cty": cty = value
            case "crit": hasCrit = true
            case "b64": hasB64 = true
            case "enc": hasEnc = true
            default: break  // jwk, jku, x5u, x5c …: keys come only from the key source
            }
        }

        // RFC 7515 §4.1.11: this library understands no extension, so any crit is unsupported.
        if hasCrit {
            throw JWTError(.unsupportedCriticalHeader, "header has crit; no critical extension is supported")
        }
        // RFC 7797 §7: JWTs must not use the unencoded payload option.
        if hasB64 {
            throw JWTError(.unsupportedCriticalHeader, "header has b64; unencoded payloads are not supported")
        }
        if hasEnc {
            throw JWTError(.unsupportedCriticalHeader, "header has enc; encrypted tokens (JWE) are not supported")
        }

        guard let alg else { throw JWTError(.malformed, "header has no alg") }
        guard let algorithmName = document.string(alg) else {
            throw JWTError(.malformed, "header alg is not a string")
        }
        self.algorithmName = algorithmName
        self.algorithm = JWTAlgorithm(name: algorithmName)
        self.keyID = try Self.optionalString(kid, "kid", in: document)
        self.type = try Self.optionalString(typ, "typ", in: document)
        self.contentType = try Self.optionalString(cty, "cty", in: document)

        // RFC 7519 §5.2 / §7.2: cty "JWT" marks a nested token; only one layer would be verified.
        // Parameters and spaces do not hide it: "application/jwt; charset=utf-8" is refused too.
        if let contentType, MediaType.matches(MediaType.essence(contentType), "jwt") {
            throw JWTError(.unsupportedCriticalHeader, "header cty marks a nested JWT, which is not supported")
        }
    }

    private static func optionalString(_ value: Int?, _ name: String, in document: JSONDocument) throws(JWTError)
        -> String?
    {
        guard let value else { return nil }
        guard let string = document.string(value) else {
            throw JWTError(.malformed, "header \(name) is not a string")
        }
        return string
    }
}

/// Media-type comparison for `typ` and `cty` (RFC 7515 §4.1.9): case-insensitive, with the
/// `application/` prefix optional.
package enum MediaType {
    /// The comparable form: ASCII letters lowercased (nothing else folded), `application/` removed.
    package static func normalized(_ value: String) -> String {
        let lowered = value.asciiLowercased
        let prefix = "application/"
        return lowered.hasPrefix(prefix) ? String(lowered.dropFirst(prefix.count)) : lowered
    }

    /// The type and subtype of a media type, without its parameters (from the first `;`) or the
    /// spaces and tabs around it (RFC 9110 §8.3.1).
    package static func essence(_ value: String) -> String {
        var type = value.prefix { $0 != ";" }
        while let first = type.first, first == " " || first == "\t" { type.removeFirst() }
        while let last = type.last, last == " " || last == "\t" { type.removeLast() }
        return String(type)
    }

    /// Whether `value` names the same media type as `expected`.
    package static func matches(_ value: String, _ expected: String) -> Bool {
        normalized(value).isExactly(normalized(expected))
    }
}
