import HTTPTypes

/// What a request's `Authorization` field says, as far as a bearer authenticator cares.
enum AuthorizationField: Equatable {
    /// No `Authorization` field.
    case absent
    /// One field with another scheme (`Basic`, `DPoP`, …), left to other authenticators.
    case otherScheme
    /// One `Bearer` field with exactly one credential of the `b64token` syntax (RFC 6750 §2.1).
    case bearer(String)
    /// One `Bearer` field whose credential is missing, not a `b64token`, or followed by more.
    case malformedBearer
    /// More than one `Authorization` field.
    case repeated

    /// Reads the `Authorization` fields: `credentials = "Bearer" 1*SP b64token`, scheme compared
    /// case-insensitively (RFC 9110 §11.1).
    init(_ fields: HTTPFields) {
        let values = fields[values: .authorization]
        guard let value = values.first else {
            self = .absent
            return
        }
        guard values.count == 1 else {
            self = .repeated
            return
        }
        let bytes = Array(value.utf8)
        let schemeEnd = bytes.firstIndex(of: UInt8(ascii: " ")) ?? bytes.endIndex
        guard Self.isBearer(bytes[..<schemeEnd]) else {
            self = .otherScheme
            return
        }
        var start = schemeEnd
        while start < bytes.endIndex, bytes[start] == UInt8(ascii: " ") {
            start += 1
        }
        let credential = bytes[start...]
        guard Self.isB64Token(credential) else {
            self = .malformedBearer
            return
        }
        self = .bearer(String(decoding: credential, as: UTF8.self))
    }

    private static func isBearer(_ scheme: ArraySlice<UInt8>) -> Bool {
        let bearer = Array("bearer".utf8)
        guard scheme.count == bearer.count else { return false }
        // ASCII case folding: setting bit 5 lowercases letters; the other bytes must then differ.
        return zip(scheme, bearer).allSatisfy { $0 | 0x20 == $1 }
    }

    /// `b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
    private static func isB64Token(_ bytes: ArraySlice<UInt8>) -> Bool {
        var index = bytes.startIndex
        while index < bytes.endIndex, isB64TokenCharacter(bytes[index]) {
            index += 1
        }
        guard index > bytes.startIndex else { return false }
        return bytes[index...].allSatisfy { $0 == UInt8(ascii: "=") }
    }

    private static func isB64TokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "+"),
            UInt8(ascii: "/"):
            return true
        default:
            return false
        }
    }
}
