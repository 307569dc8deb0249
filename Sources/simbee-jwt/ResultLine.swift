import SimbeeJWT

/// The JSON lines the tool prints: one object per token, compact, on one line.
enum ResultLine {
    /// `{"valid":true,"alg":…,"kid":…,"claims":{…}}`
    static func verified(_ token: VerifiedJWT) -> String {
        var line = "{\"valid\":true,\"alg\":"
        JSONValue.appendQuoted(token.header.algorithm.name, to: &line)
        line += ",\"kid\":"
        if let kid = token.header.keyID {
            JSONValue.appendQuoted(kid, to: &line)
        } else {
            line += "null"
        }
        line += ",\"claims\":"
        JSONValue.object(token.payloadJSON).serialize(into: &line)
        line += "}"
        return line
    }

    /// `{"valid":false,"error":"<code>","message":…}`
    static func rejected(code: String, message: String) -> String {
        var line = "{\"valid\":false,\"error\":"
        JSONValue.appendQuoted(code, to: &line)
        line += ",\"message\":"
        JSONValue.appendQuoted(message, to: &line)
        line += "}"
        return line
    }

    /// `{"verified":false,"header":{…},"payload":{…}}`: nothing verified.
    static func decoded(_ token: String) throws(JWTError) -> String {
        let jws = try CompactJWS(token, maxBytes: JWTVerifier.Configuration.defaultMaxTokenBytes)
        let header = try JOSEHeader(decoded: jws.header)
        let payload: JSONValue
        do {
            payload = try StrictJSONReader.read(jws.payload, limits: JOSEHeader.jsonLimits)
        } catch {
            throw JWTError(.malformed, "payload is not strict JSON (\(error))")
        }
        var line = "{\"verified\":false,\"header\":"
        JSONValue.object(header.json).serialize(into: &line)
        line += ",\"payload\":"
        payload.serialize(into: &line)
        line += "}"
        return line
    }
}
