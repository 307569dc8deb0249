/// The members of a JOSE header that verification reads, parsed strictly.
///
/// Parsing enforces what must be refused before any key is touched: `crit` in any form, `b64`,
/// `enc` and a nested-JWT `cty` are unsupported; `alg`, `kid`, `typ` and `cty` must be strings.
/// `jwk`, `jku`, `x5u`, `x5c` and other members are ignored: keys come only from the key source.
package struct JOSEHeader: Sendable {
    /// `alg`, exactly as written.
    package let algorithmName: String
    /// `kid`.
    package let keyID: String?
    /// `typ`.
    package let type: String?
    /// `cty`.
    package let contentType: String?
    /// The whole header, for display.
    package let json: JSONObject

    /// JSON limits for headers and claims: a token is at most a few KiB, so depth is what matters.
    package static let jsonLimits = StrictJSONReader.Limits(maxDepth: 32, maxBytes: 1 << 20)

    /// Parses the decoded header bytes.
    ///
    /// - Throws: ``JWTError`` with ``JWTError/Code/malformed`` or
    ///   ``JWTError/Code/unsupportedCriticalHeader``.
    package init(decoded bytes: some Collection<UInt8>) throws(JWTError) {
        let value: JSONValue
        do {
            value = try StrictJSONReader.read(bytes, limits: Self.jsonLimits)
        } catch {
            throw JWTError(.malformed, "header is not strict JSON (\(error))")
        }
        guard let object = value.objectValue else { throw JWTError(.malformed, "header is not a JSON object") }

        // RFC 7515 §4.1.11: this library understands no extension, so any crit is unsupported.
        if object["crit"] != nil {
            throw JWTError(.unsupportedCriticalHeader, "header has crit; no critical extension is supported")
        }
        // RFC 7797 §7: JWTs must not use the unencoded payload option.
        if object["b64"] != nil {
            throw JWTError(.unsupportedCriticalHeader, "header has b64; unencoded payloads are not supported")
        }
        if object["enc"] != nil {
            throw JWTError(.unsupportedCriticalHeader, "header has enc; encrypted tokens (JWE) are not supported")
        }

        guard let alg = object["alg"] else { throw JWTError(.malformed, "header has no alg") }
        guard let algorithmName = alg.stringValue else { throw JWTError(.malformed, "header alg is not a string") }
        self.algorithmName = algorithmName
        self.keyID = try Self.optionalString(object, "kid")
        self.type = try Self.optionalString(object, "typ")
        self.contentType = try Self.optionalString(object, "cty")
        self.json = object

        // RFC 7519 §5.2 / §7.2: cty "JWT" marks a nested token; only one layer would be verified.
        if let contentType, MediaType.matches(contentType, "jwt") {
            throw JWTError(.unsupportedCriticalHeader, "header cty marks a nested JWT, which is not supported")
        }
    }

    private static func optionalString(_ object: JSONObject, _ name: String) throws(JWTError) -> String? {
        guard let value = object[name] else { return nil }
        guard let string = value.stringValue else { throw JWTError(.malformed, "header \(name) is not a string") }
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

    /// Whether `value` names the same media type as `expected`.
    package static func matches(_ value: String, _ expected: String) -> Bool {
        normalized(value).isExactly(normalized(expected))
    }
}
