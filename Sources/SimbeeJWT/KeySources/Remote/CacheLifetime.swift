/// How long a fetched JWK Set stays fresh, from the response's caching headers (RFC 9111 §4.2).
package enum CacheLifetime {
    /// The remaining freshness: the lifetime the origin gave (`Cache-Control: max-age`, else `Expires`
    /// minus `Date`) less the response's `Age`, never below zero; else `Expires` minus `now` when
    /// `Date` is absent (already a remaining time, so `Age` is not taken off again); zero for an
    /// `Expires` that is not a valid HTTP-date, which RFC 9111 §5.3 says means "already expired";
    /// else, with no `Expires` at all, `defaultTTL`, the operator's own holding time, as it is.
    /// Always clamped to `minimumTTL … maximumTTL`. `no-cache`/`no-store` count as the minimum: a
    /// hostile or misconfigured header can neither make the cache hammer the endpoint nor keep keys
    /// forever.
    ///
    /// `cacheControl` is every `Cache-Control` line combined into one list; a malformed `Age` is
    /// ignored (RFC 9111 §5.1).
    static func ttl(
        cacheControl: String?,
        expires: String?,
        date: String?,
        age: String?,
        nowUnixSeconds: Double,
        defaultTTL: Duration,
        minimumTTL: Duration,
        maximumTTL: Duration
    ) -> Duration {
        let currentAge = Duration.seconds(age.flatMap(Self.age) ?? 0)
        let chosen: Duration
        if let lifetime = cacheControl.flatMap(maxAge) {
            chosen = max(.zero, lifetime - currentAge)
        } else if let expires {
            if let expiresAt = HTTPDate.parse(expires, nowUnixSeconds: nowUnixSeconds) {
                if let dateValue = date.flatMap({ HTTPDate.parse($0, nowUnixSeconds: nowUnixSeconds) }) {
                    chosen = max(.zero, .seconds(expiresAt - dateValue) - currentAge)
                } else {
                    chosen = .seconds(max(0, expiresAt - nowUnixSeconds))
                }
            } else {
                chosen = .zero
            }
        } else {
            chosen = defaultTTL
        }
        return min(max(chosen, minimumTTL), maximumTTL)
    }

    /// The `max-age` of a `Cache-Control` value (`.zero` for `no-cache`/`no-store`), or `nil`.
    /// Two `max-age` directives that disagree (a cache on the way appending its own line) make the
    /// response stale, `.zero`, as RFC 9111 §4.2.1 allows: neither may stretch the other's lifetime.
    static func maxAge(_ cacheControl: String) -> Duration? {
        var result: Duration?
        for rawDirective in cacheControl.split(separator: ",") {
            let directive = rawDirective.trimmingSpaces().asciiLowercased
            if directive == "no-store" || directive == "no-cache" { return .zero }
            if directive.hasPrefix("max-age=") {
                var value = directive.dropFirst("max-age=".count)
                if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
                    value = value.dropFirst().dropLast()
                }
                guard let seconds = deltaSeconds(value) else { continue }
                if let earlier = result, earlier != .seconds(seconds) { return .zero }
                result = .seconds(seconds)
            }
        }
        return result
    }

    /// The seconds of an `Age` value, or `nil` when it is not `delta-seconds`. A list (repeated lines
    /// combined) counts by its first member, as RFC 9111 §5.1 directs.
    static func age(_ value: String) -> Int64? {
        let first = value.split(separator: ",", maxSplits: 1, omittingEmptySubsequences: false)[0]
        return deltaSeconds(first.trimmingSpaces())
    }

    /// `delta-seconds` (RFC 9111 §1.2.2): one or more ASCII digits. A value past 2³¹ counts as 2³¹,
    /// as the RFC directs, so no later arithmetic overflows; the caller's clamp bounds it anyway.
    package static func deltaSeconds(_ text: some StringProtocol) -> Int64? {
        guard !text.isEmpty else { return nil }
        var seconds: Int64 = 0
        for byte in text.utf8 {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            seconds = min(seconds * 10 + Int64(byte - UInt8(ascii: "0")), 1 << 31)
        }
        return seconds
    }
}

/// An HTTP-date (RFC 9110 §5.6.7) in any of the three formats a recipient must accept:
/// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the obsolete RFC 850 form
/// (`Sunday, 06-Nov-94 08:49:37 GMT`) and C's asctime (`Sun Nov  6 08:49:37 1994`). The day must
/// exist in its month; the weekday name is not checked, as it adds nothing to the date.
package enum HTTPDate {
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// Seconds since the epoch, or `nil` when `text` is not an HTTP-date from 1970 to 9999.
    ///
    /// An RFC 850 date's two-digit year is read as RFC 9110 §5.6.7 directs: as the latest year with
    /// those digits that does not put the date more than 50 years after `nowUnixSeconds`.
    package static func parse(_ text: String, nowUnixSeconds: Double) -> Double? {
        let parts = text.trimmingSpaces().split(separator: " ")
        let dayText: Substring
        let monthText: Substring
        let timeText: Substring
        let yearText: Substring
        let isRFC850 = parts.count == 4
        if parts.count == 6, parts[0].hasSuffix(","), parts[5] == "GMT" {  // IMF-fixdate
            (dayText, monthText, yearText, timeText) = (parts[1], parts[2], parts[3], parts[4])
        } else if isRFC850, parts[0].hasSuffix(","), parts[3] == "GMT" {  // RFC 850
            let date = parts[1].split(separator: "-", omittingEmptySubsequences: false)
            guard date.count == 3 else { return nil }
            (dayText, monthText, yearText, timeText) = (date[0], date[1], date[2], parts[2])
        } else if parts.count == 5, !parts[0].hasSuffix(",") {  // asctime
            (monthText, dayText, timeText, yearText) = (parts[1], parts[2], parts[3], parts[4])
        } else {
            return nil
        }
        let clock = timeText.split(separator: ":", omittingEmptySubsequences: false)
        guard let monthIndex = months.firstIndex(of: monthText.asciiLowercased),
            let day = number(dayText, digits: 1...2), (1...31).contains(day),
            clock.count == 3, let hour = number(clock[0], digits: 2...2),
            let minute = number(clock[1], digits: 2...2), let second = number(clock[2], digits: 2...2),
            (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second)
        else { return nil }
        let month = monthIndex + 1
        let secondOfDay = hour * 3_600 + minute * 60 + second
        guard var year = number(yearText, digits: isRFC850 ? 2...2 : 4...4) else { return nil }
        if isRFC850 { year = fullYear(year, month: month, day: day, secondOfDay: secondOfDay, now: nowUnixSeconds) }
        guard (1970...9999).contains(year), day <= daysIn(month: month, year: year) else { return nil }
        return Double(daysFromCivil(year: year, month: month, day: day) * 86_400 + secondOfDay)
    }

    /// The value of `text` when it is between `digits.lowerBound` and `digits.upperBound` ASCII
    /// digits and nothing else (no sign, no spaces), else `nil`.
    private static func number(_ text: Substring, digits: ClosedRange<Int>) -> Int? {
        guard digits.contains(text.utf8.count) else { return nil }
        // At most four digits here: far below the 2³¹ at which delta-seconds saturate.
        return CacheLifetime.deltaSeconds(text).map { Int($0) }
    }

    /// The year of an RFC 850 date: the latest year ending in `twoDigits` in which the date (`month`,
    /// `day`, `secondOfDay`) is at most 50 calendar years after `now`. A `now` outside 1970 … 9999
    /// is clamped to that range, and one that is not a number counts as 1970.
    private static func fullYear(_ twoDigits: Int, month: Int, day: Int, secondOfDay: Int, now: Double) -> Int {
        let clamped = now.isFinite ? min(max(now, 0), 253_402_300_799) : 0
        let today = Int(clamped / 86_400)
        let nowSecond = Int(clamped) - today * 86_400
        var nowYear = 1970 + today / 366
        while daysFromCivil(year: nowYear + 1, month: 1, day: 1) <= today { nowYear += 1 }
        var nowMonth = 1
        while nowMonth < 12, daysFromCivil(year: nowYear, month: nowMonth + 1, day: 1) <= today { nowMonth += 1 }
        let nowDay = today - daysFromCivil(year: nowYear, month: nowMonth, day: 1) + 1
        // The latest year with these digits up to 50 years on; one century earlier if, in that
        // year, the date falls after today's date and time.
        let limitYear = nowYear + 50
        var year = limitYear - (limitYear - twoDigits) % 100
        if year == limitYear, (month, day, secondOfDay) > (nowMonth, nowDay, nowSecond) { year -= 100 }
        return year
    }

    /// The number of days of `month` (1…12) in `year`, by the Gregorian leap-year rule.
    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's civil-days formula).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

extension StringProtocol {
    /// The text without the spaces and tabs (RFC 9110's optional whitespace) around it.
    package func trimmingSpaces() -> Substring {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return slice
    }
}
