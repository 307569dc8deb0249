import SimbeeJWT

/// The JSON lines the tool prints: one object per token, compact, on one line.
enum ResultLine {
    /// `{"valid":true,"alg":…,"kid":…,"claims":{…}}`
    static func verified(_ token: VerifiedJWT) throws(JWTError) -> String {
        var line = "{\"valid\":true,\"alg\":"
        JSONValue.appendQuoted(token.header.algorithm.name, to: &line)
        line += ",\"kid\":"
        if let kid = token.header.keyID {
            JSONValue.appendQuoted(kid, to: &line)
        } else {
            line += "null"
        }
        line += ",\"claims\":"
        JSONValue.object(try token.payloadObject()).serialize(into: &line)
        line += "}"
        return line
    }

    /// `{"valid":false,"error":"<code>","message":…}`
    static func rejected(code: String, message: String) -> String {
        refusal(key: "valid", code: code, message: message)
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
}
