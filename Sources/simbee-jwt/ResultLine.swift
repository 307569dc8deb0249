import SimbeeAuthClient
import SimbeeJWT

/// The JSON lines the tool prints: one object per token, compact, on one line.
enum ResultLine {
    /// Appends `{"valid":true,"alg":…,"kid":…,"claims":{…}}` to `line`, as UTF-8.
    ///
    /// Bytes rather than a `String`: the line goes straight into the output buffer, and the claims
    /// are copied once, from the verified payload to the buffer.
    static func verified(_ token: VerifiedJWT, into line: inout [UInt8]) {
        line.append(contentsOf: #"{"valid":true,"alg":"#.utf8)
        appendQuoted(token.header.algorithm.name, to: &line)
        line.append(contentsOf: #","kid":"#.utf8)
        if let kid = token.header.keyID {
            appendQuoted(kid, to: &line)
        } else {
            line.append(contentsOf: "null".utf8)
        }
        line.append(contentsOf: #","claims":"#.utf8)
        appendCompact(token.payload, to: &line)
        line.append(UInt8(ascii: "}"))
    }

    /// Appends `text` as a JSON string literal.
    private static func appendQuoted(_ text: String, to line: inout [UInt8]) {
        var quoted = ""
        JSONValue.appendQuoted(text, to: &quoted)
        line.append(contentsOf: quoted.utf8)
    }

    /// Appends `json`, a document the strict reader accepted, without its insignificant
    /// whitespace: the claims as signed, on one line. Outside strings, a strict document holds only
    /// structure, literals, numbers and whitespace, and a string ends at the first `"` that no
    /// backslash escapes.
    static func appendCompact(_ json: [UInt8], to line: inout [UInt8]) {
        var inString = false
        var escaped = false
        var runStart = 0  // the bytes from here up to the current one are kept
        for (index, byte) in json.enumerated() {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
            } else if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
                || byte == UInt8(ascii: "\t")
            {
                line.append(contentsOf: json[runStart..<index])
                runStart = index + 1
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            }
        }
        line.append(contentsOf: json[runStart...])
    }

    /// `{"valid":false,"error":"<code>","message":…}`
    static func rejected(code: String, message: String) -> String {
        refusal(key: "valid", code: code, message: message)
    }

    /// ``rejected(code:message:)`` with `"unverified_claims":{…}` added when `token`'s payload
    /// decodes to a strict JSON object: what a refused token claimed, for `--verbose`. Nothing
    /// about those claims is verified, and the key says so.
    static func rejected(code: String, message: String, claimsOf token: String) -> String {
        var line = rejected(code: code, message: message)
        guard let jws = try? CompactJWS(token, maxBytes: JWTVerifier.Configuration.defaultMaxTokenBytes),
            (try? JSONObject.claimsSet(jws.payload)) != nil
        else {
            return line
        }
        var claims: [UInt8] = []
        appendCompact(jws.payload, to: &claims)
        line.removeLast()  // the closing brace
        line += ",\"unverified_claims\":" + String(decoding: claims, as: UTF8.self) + "}"
        return line
    }

    /// `{"verified":false,"error":"<code>","message":…}`: `decode` could not read the token. The
    /// same key as ``decoded(_:)``'s lines, so a script reads one field whatever the outcome.
    static func undecodable(code: String, message: String) -> String {
        refusal(key: "verified", code: code, message: message)
    }

    /// `{"<key>":false,"error":"<code>","message":…}`
    private static func refusal(key: String, code: String, message: String) -> String {
        var line = "{\"\(key)\":false,\"error\":"
        JSONValue.appendQuoted(code, to: &line)
        line += ",\"message\":"
        JSONValue.appendQuoted(message, to: &line)
        line += "}"
        return line
    }

    /// `{"verified":false,"header":{…},"payload":{…}}`: nothing verified.
    static func decoded(_ token: String) throws(JWTError) -> String {
        let jws = try CompactJWS(token, maxBytes: JWTVerifier.Configuration.defaultMaxTokenBytes)
        _ = try JOSEHeader(decoded: jws.header)  // the verifier's header checks
        let header = try json(jws.header, "header")
        let payload = try json(jws.payload, "payload")
        var line = "{\"verified\":false,\"header\":"
        header.serialize(into: &line)
        line += ",\"payload\":"
        payload.serialize(into: &line)
        line += "}"
        return line
    }

    private static func json(_ bytes: [UInt8], _ name: String) throws(JWTError) -> JSONValue {
        do {
            return try StrictJSONReader.read(bytes, limits: JOSEHeader.jsonLimits)
        } catch {
            throw JWTError(.malformed, "\(name) is not strict JSON (\(error))")
        }
    }

    /// `{"token":…,"expires_in":…,"scopes":[…]}`: what `exchange` obtained, `expires_in` being the
    /// token's ``SimbeeAccessToken/lifetime`` in whole seconds, rounded down so that a script never
    /// counts on a second the token does not have.
    static func exchanged(_ token: SimbeeAccessToken) -> String {
        var line = "{\"token\":"
        JSONValue.appendQuoted(token.value, to: &line)
        line += ",\"expires_in\":\(token.lifetime.components.seconds),\"scopes\":["
        for (index, scope) in token.scopes.enumerated() {
            if index > 0 { line += "," }
            JSONValue.appendQuoted(scope, to: &line)
        }
        line += "]}"
        return line
    }
}
