import HTTPTypes
import Testing

@testable import SimbeeJWTHummingbird

/// The `Authorization` field reader on its own (RFC 6750 §2.1, RFC 9110 §11).
@Suite("Authorization field")
struct AuthorizationFieldTests {
    private func field(_ values: String...) -> AuthorizationField {
        var fields = HTTPFields()
        for value in values { fields.append(HTTPField(name: .authorization, value: value)) }
        return AuthorizationField(fields)
    }

    @Test func absentAndOtherFields() {
        #expect(AuthorizationField(HTTPFields()) == .absent)
        #expect(AuthorizationField([.cookie: "Bearer abc"]) == .absent)
    }

    @Test func bearerCredential() {
        #expect(field("Bearer abc.def.ghi") == .bearer("abc.def.ghi"))
        #expect(field("bearer a-b_c~d+e/f==") == .bearer("a-b_c~d+e/f=="))
        #expect(field("BEARER  x") == .bearer("x"))
    }

    @Test func otherSchemes() {
        for value in ["Basic abc", "Bearerx abc", "Bear abc", "Bearer\tabc", "Beaver abc", "B\u{E9}arer abc"] {
            #expect(field(value) == .otherScheme, "\(value)")
        }
    }

    @Test func malformedBearer() {
        for value in ["Bearer", "Bearer ", "Bearer a b", "Bearer a,b", "Bearer =", "Bearer a=b", "Bearer a\u{E9}"] {
            #expect(field(value) == .malformedBearer, "\(value)")
        }
    }

    @Test func repeatedFields() {
        #expect(field("Bearer a", "Bearer a") == .repeated)
        #expect(field("Basic a", "Bearer b") == .repeated)
    }
}

/// The refusals' header values.
@Suite("Bearer refusal")
struct BearerRefusalTests {
    @Test func quotedStrings() {
        #expect(BearerRefusal.quoted("simbee") == #""simbee""#)
        #expect(BearerRefusal.quoted(#"a"b\c"#) == #""a\"b\\c""#)
        #expect(BearerRefusal.quoted("a\r\nb") == #""a  b""#)
    }

    @Test func wholeSeconds() {
        #expect(BearerRefusal.wholeSeconds(.seconds(10)) == 10)
        #expect(BearerRefusal.wholeSeconds(.milliseconds(1)) == 1)
        #expect(BearerRefusal.wholeSeconds(.milliseconds(10_001)) == 11)
        #expect(BearerRefusal.wholeSeconds(.zero) == 0)
        #expect(BearerRefusal.wholeSeconds(.seconds(-1)) == 0)
    }

    @Test func scopeRequirementDeduplicates() {
        #expect(ScopeRequirement.all(["read", "read", "write"]).scopes == ["read", "write"])
        #expect(ScopeRequirement.any(["a", "b"]).description == "any(a b)")
    }
}
