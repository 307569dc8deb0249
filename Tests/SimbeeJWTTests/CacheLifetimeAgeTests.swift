import Testing

@testable import SimbeeJWT

/// `Age` (RFC 9111 §4.2.3, §5.1) and `Cache-Control` lines combined into one list (RFC 9110 §5.3),
/// as the lifetime of a fetched set reads them; bounds 300 s … 24 h, default 600 s.
@Suite("HTTP caching: Age and combined Cache-Control lines")
struct CacheLifetimeAgeTests {
    private func ttl(
        _ cacheControl: String?,
        age: String?,
        expires: String? = nil,
        date: String? = nil,
        minimum: Duration = .seconds(300)
    ) -> Int64 {
        CacheLifetime.ttl(
            cacheControl: cacheControl,
            expires: expires,
            date: date,
            age: age,
            nowUnixSeconds: 784_111_777,  // 1994-11-06 08:49:37 UTC
            defaultTTL: .seconds(600),
            minimumTTL: minimum,
            maximumTTL: .seconds(86_400)
        ).components.seconds
    }

    @Test("Age is taken off max-age, to the second on both sides")
    func ageSubtracted() {
        #expect(ttl("max-age=600", age: "100") == 500)
        #expect(ttl("max-age=1000", age: "99") == 901)
        #expect(ttl("max-age=1000", age: "100") == 900)
        #expect(ttl("max-age=1000", age: "101") == 899)
        #expect(ttl("max-age=1000", age: "0") == 1_000)
        #expect(ttl("max-age=1000", age: nil) == 1_000)
    }

    @Test("the remaining time is clamped after Age is taken off, never below zero")
    func ageThenClamp() {
        #expect(ttl("max-age=600", age: "299") == 301)
        #expect(ttl("max-age=600", age: "300") == 300)
        #expect(ttl("max-age=600", age: "301") == 300)
        #expect(ttl("max-age=600", age: "601") == 300)
        #expect(ttl("max-age=600", age: "99999999999999999999") == 300)
        // With a minimum of 1 s, an Age past max-age leaves zero, which the clamp lifts to 1 s.
        #expect(ttl("max-age=600", age: "599", minimum: .seconds(1)) == 1)
        #expect(ttl("max-age=600", age: "700", minimum: .seconds(1)) == 1)
        // A lifetime past the maximum is clamped after, not before, Age comes off.
        #expect(ttl("max-age=90000", age: "3000") == 86_400)
        #expect(ttl("max-age=90000", age: "3601") == 86_399)
    }

    @Test(
        "a malformed Age is ignored",
        arguments: ["abc", "-100", "+100", "1.5", "100s", "1e3", "", " ", ",100", "0x10", "１００", "100 200"]
    )
    func malformedAge(age: String) {
        #expect(ttl("max-age=1000", age: age) == 1_000)
    }

    @Test("Age may be padded, and a list counts by its first member")
    func ageForms() {
        #expect(ttl("max-age=1000", age: " 100 ") == 900)
        #expect(ttl("max-age=1000", age: "100, 200") == 900)
        #expect(ttl("max-age=1000", age: "100,200") == 900)
        #expect(ttl("max-age=1000", age: "abc, 100") == 1_000)
        #expect(ttl("max-age=1000", age: "007") == 993)
    }

    @Test("Age comes off Expires − Date, not off Expires − now, nor off the default")
    func ageWithExpires() {
        let date = "Sun, 06 Nov 1994 08:49:37 GMT"
        let inAnHour = "Sun, 06 Nov 1994 09:49:37 GMT"
        #expect(ttl(nil, age: "600", expires: inAnHour, date: date) == 3_000)
        #expect(ttl(nil, age: "3600", expires: inAnHour, date: date) == 300)
        #expect(ttl(nil, age: nil, expires: inAnHour, date: date) == 3_600)
        // Without Date, Expires − now is already what remains: Age is not taken off twice.
        #expect(ttl(nil, age: "600", expires: "Sun, 06 Nov 1994 10:49:37 GMT") == 7_200)
        // No lifetime from the origin: the operator's default holds as it is.
        #expect(ttl(nil, age: "500") == 600)
        #expect(ttl("public", age: "500") == 600)
    }

    @Test("Cache-Control lines combined into one list read as one")
    func combinedLines() {
        #expect(ttl("public, max-age=1200", age: nil) == 1_200)
        #expect(ttl("public, max-age=1200", age: "200") == 1_000)
        #expect(ttl("public", age: nil) == 600)  // the first line alone: the default
        #expect(ttl("max-age=1200, no-store", age: nil) == 300)
        #expect(ttl("max-age=1200, no-cache", age: nil) == 300)
        #expect(ttl("max-age=1200, x-no-store", age: nil) == 1_200)
        #expect(ttl(", max-age=1200,", age: nil) == 1_200)
    }
}
