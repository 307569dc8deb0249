import SimbeeJWT

/// Properties of compact JWS parsing and JOSE header decoding.
///
/// Each input is checked twice: as a token, and as the JSON text of a header placed in an otherwise
/// well-formed token (so the fuzzer can reach header decoding without first finding base64url).
/// - splitting agrees with a reference split on `.` and strict decoding of each segment; failures
///   are only `token_too_large` (checked first) or `malformed`; the size limit is exact;
/// - decoded header and payload re-encode to the token's segments;
/// - the header decodes exactly when a reference reading of RFC 7515 §4 says so: `crit`, `b64`,
///   `enc` and a nested-JWT `cty` are `unsupported_critical_header`, a missing or non-string `alg`
///   and a non-string `kid`/`typ`/`cty` are `malformed`, and the parsed members equal the JSON's;
/// - the public `UnverifiedHeader(peekingAt:)` agrees with the internal parse.
enum CompactJWSChecks {
    static let maxBytes = 16 * 1024

    /// A payload and signature segment for tokens built around a fuzzed header.
    private static let payloadSegment = Base64URL.encode(Array(#"{"sub":"fuzz"}"#.utf8))
    private static let signatureSegment = Base64URL.encode([UInt8](repeating: 1, count: 64))

    static func run(_ input: [UInt8]) throws(PropertyViolation) -> Bool {
        let asToken = try checkToken(input)
        let built = Array((Base64URL.encode(input) + "." + payloadSegment + "." + signatureSegment).utf8)
        let asHeader = try checkToken(built)
        return asToken || asHeader
    }

    /// - Returns: Whether the token split and its header decoded.
    private static func checkToken(_ token: [UInt8]) throws(PropertyViolation) -> Bool {
        let outcome = parse(token, maxBytes: maxBytes)
        let expected = referenceSplit(token)
        if token.count > 0 {
            guard case .failure(let error) = parse(token, maxBytes: token.count - 1), error.code == .tokenTooLarge
            else {
                throw PropertyViolation("a token one byte over the limit was not refused as token_too_large")
            }
        }

        let jws: CompactJWS
        switch (outcome, expected) {
        case (.failure(let error), .refused(let code)):
            try require(error.code == code, "split refused with \(error.code), the reference says \(code)")
            return false
        case (.success(let parsed), .accepted(let segments)):
            try require(parsed.header == segments.header, "the decoded header differs from the reference")
            try require(parsed.payload == segments.payload, "the decoded payload differs from the reference")
            jws = parsed
        case (.success, .refused(let code)):
            throw PropertyViolation("split accepted a token the reference refuses as \(code)")
        case (.failure(let error), .accepted):
            throw PropertyViolation("split refused (\(error.code)) a token the reference accepts")
        }
        let segments = token.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        try require(Array(Base64URL.encode(jws.header).utf8) == Array(segments[0]), "header does not re-encode")
        try require(Array(Base64URL.encode(jws.payload).utf8) == Array(segments[1]), "payload does not re-encode")
        let layout = try? CompactJWS.Layout(token.span, maxBytes: maxBytes)
        try require(
            layout?.firstDot == segments[0].count && layout?.secondDot == segments[0].count + 1 + segments[1].count,
            "the layout's dots are not where the token's dots are"
        )

        let header = Result { () throws(JWTError) in try JOSEHeader(decoded: jws.header) }
        try checkHeader(header, against: referenceHeader(jws.header))

        // The token is base64url and dots, so it is ASCII and a String holds the same bytes.
        let peeked = Result { () throws(JWTError) in
            try UnverifiedHeader(peekingAt: String(decoding: token, as: UTF8.self), maxTokenBytes: maxBytes)
        }
        switch (header, peeked) {
        case (.success(let header), .success(let peeked)):
            try require(
                peeked.algorithm.utf8.elementsEqual(header.algorithmName.utf8) && same(peeked.keyID, header.keyID)
                    && same(peeked.type, header.type),
                "UnverifiedHeader differs from the internal header parse"
            )
            return true
        case (.failure(let left), .failure(let right)):
            try require(
                left.code == right.code,
                "UnverifiedHeader refused with \(right.code), the parse with \(left.code)"
            )
            return false
        default:
            throw PropertyViolation("UnverifiedHeader and the internal header parse disagree on acceptance")
        }
    }

    private static func parse(_ token: [UInt8], maxBytes: Int) -> Result<CompactJWS, JWTError> {
        Result { () throws(JWTError) in try CompactJWS(token, maxBytes: maxBytes) }
    }

    private static func same(_ lhs: String?, _ rhs: String?) -> Bool {
        switch (lhs, rhs) {
        case (nil, nil): true
        case (let left?, let right?): left.utf8.elementsEqual(right.utf8)
        default: false
        }
    }

    /// The size limit, then three non-empty segments separated by exactly two dots, each strict base64url.
    private static func referenceSplit(_ token: [UInt8]) -> Expected<(header: [UInt8], payload: [UInt8])> {
        guard token.count <= maxBytes else { return .refused(.tokenTooLarge) }
        let segments = token.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard segments.count == 3, segments.allSatisfy({ !$0.isEmpty }) else { return .refused(.malformed) }
        let decoded = segments.map { Base64URLChecks.referenceDecode(Array($0)) }
        guard case .success(let header) = decoded[0], case .success(let payload) = decoded[1],
            case .success = decoded[2]
        else { return .refused(.malformed) }
        return .accepted((header, payload))
    }

    /// What a header must decode to: `(alg, kid, typ)` or the error code.
    private static func referenceHeader(_ bytes: [UInt8]) -> Expected<(String, String?, String?, String?)> {
        guard case .success(let value) = JSONChecks.read(bytes, limits: JOSEHeader.jsonLimits),
            case .object(let object) = value
        else { return .refused(.malformed) }
        func member(_ name: String) -> JSONValue? {
            object.members.first { $0.name.utf8.elementsEqual(name.utf8) }?.value
        }
        if member("crit") != nil || member("b64") != nil || member("enc") != nil {
            return .refused(.unsupportedCriticalHeader)
        }
        guard case .string(let alg)? = member("alg") else { return .refused(.malformed) }
        var strings: [String?] = []
        for name in ["kid", "typ", "cty"] {
            switch member(name) {
            case nil: strings.append(nil)
            case .string(let string)?: strings.append(string)
            default: return .refused(.malformed)
            }
        }
        if let cty = strings[2] {
            // Media types compare case-insensitively (ASCII), `application/` optional (RFC 7515 §4.1.10).
            var lowered = String(decoding: cty.utf8.map { (0x41...0x5A).contains($0) ? $0 + 0x20 : $0 }, as: UTF8.self)
            if lowered.hasPrefix("application/") { lowered = String(lowered.dropFirst("application/".count)) }
            if lowered.utf8.elementsEqual("jwt".utf8) { return .refused(.unsupportedCriticalHeader) }
        }
        return .accepted((alg, strings[0], strings[1], strings[2]))
    }

    private static func checkHeader(
        _ header: Result<JOSEHeader, JWTError>,
        against expected: Expected<(String, String?, String?, String?)>
    ) throws(PropertyViolation) {
        switch (header, expected) {
        case (.success(let header), .accepted(let fields)):
            try require(
                header.algorithmName.utf8.elementsEqual(fields.0.utf8) && same(header.keyID, fields.1)
                    && same(header.type, fields.2) && same(header.contentType, fields.3),
                "the header's alg/kid/typ/cty differ from its JSON"
            )
        case (.failure(let error), .refused(let code)):
            try require(error.code == code, "header refused with \(error.code), the reference says \(code)")
        case (.success, .refused(let code)):
            throw PropertyViolation("a header the reference refuses (\(code)) was accepted")
        case (.failure(let error), .accepted):
            throw PropertyViolation("a header the reference accepts was refused (\(error.code))")
        }
    }
}

/// What a reference reading of an input expects from the library: acceptance with a value, or
/// refusal with an error code.
enum Expected<Value> {
    case accepted(Value)
    case refused(JWTError.Code)
}
