import Testing
import WebSocketHandshake

/// `HTTPDate`: RFC 9110 §5.6.7's three formats, the calendar, and IMF-fixdate output.
@Suite("HTTP-date")
struct HTTPDateTests {
    /// The RFC's own example, 784111777 s after the epoch, in all three formats.
    @Test func theRFCsExampleInEveryFormat() {
        for text in ["Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"] {
            #expect(HTTPDate(text)?.secondsSince1970 == 784_111_777, "\(text)")
        }
        #expect(HTTPDate(secondsSince1970: 784_111_777).description == "Sun, 06 Nov 1994 08:49:37 GMT")
    }

    @Test func theCalendarAgainstKnownInstants() {
        let known: [(String, Int64)] = [
            ("Thu, 01 Jan 1970 00:00:00 GMT", 0),
            ("Wed, 31 Dec 1969 23:59:59 GMT", -1),
            ("Tue, 29 Feb 2000 12:00:00 GMT", 951_825_600),
            ("Tue, 19 Jan 2038 03:14:08 GMT", 2_147_483_648),
            ("Sat, 28 Nov 2026 09:00:00 GMT", 1_795_856_400),
            ("Fri, 31 Dec 9999 23:59:59 GMT", 253_402_300_799),
            ("Sat, 01 Jan 0000 00:00:00 GMT", -62_167_219_200),
        ]
        for (text, seconds) in known {
            #expect(HTTPDate(text)?.secondsSince1970 == seconds, "\(text)")
            #expect(HTTPDate(secondsSince1970: seconds).description == text)
        }
        // Every day of 1899-2101 round-trips through the calendar: the two conversions agree
        // everywhere, across 1900 and 2100 (not leap years) and 2000 (one).
        var day = HTTPDate("Sun, 01 Jan 1899 00:00:00 GMT")!.secondsSince1970
        let end = HTTPDate("Sun, 01 Jan 2102 00:00:00 GMT")!.secondsSince1970
        var days = 0
        while day < end {
            let text = HTTPDate(secondsSince1970: day).description
            guard HTTPDate(text)?.secondsSince1970 == day else { Issue.record("\(text) is not \(day)"); return }
            day += 86_400
            days += 1
        }
        #expect(days == 74_144, "203 Gregorian years")
    }

    /// Random instants of years 0000-9999, to the second: written and read back the same,
    /// and the extremes of Int64 are written without a trap.
    @Test func randomInstantsRoundTrip() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let seconds = Int64.random(in: -62_167_219_200...253_402_300_799, using: &generator)
            let text = HTTPDate(secondsSince1970: seconds).description
            #expect(HTTPDate(text)?.secondsSince1970 == seconds, "\(text)")
        }
        for extreme in [Int64.min, Int64.max, -1, 1 << 40] {
            #expect(!HTTPDate(secondsSince1970: extreme).description.isEmpty)
        }
    }

    @Test func invalidDatesAndFormsAreRefused() {
        let refused = [
            "", "GMT", "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 06 nov 1994 08:49:37 GMT", "sun, 06 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 06 Nov 94 08:49:37 GMT", "Sun, 06 Nov 1994 8:49:37 GMT",
            "Sun, 31 Apr 1994 08:49:37 GMT", "Sun, 29 Feb 1900 08:49:37 GMT", "Sun, 00 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Nov 1994 08:60:00 GMT", "Sun, 06 Nov 1994 08:49:61 GMT",
            "Sun, 06 Nov 1994 08:49 GMT", "Sun, 06 Nov 1994 08:49:37:00 GMT", "Sun, 06 Nov +994 08:49:37 GMT",
            "Sun 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-1994 08:49:37 GMT", "Sun, 06-Nov-94 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37", "Sun Nov  6 08:49:37 94", "Sun Nov 123 08:49:37 1994", "Funday Nov  6 08:49:37 1994",
            "Sun, 06 Nov 1994 08:49:37 GMT extra",
        ]
        for text in refused { #expect(HTTPDate(text) == nil, "\(text)") }
        #expect(HTTPDate("Sat, 29 Feb 2000 08:49:60 GMT") != nil, "a leap second and a leap day")
    }

    /// RFC 9110 §5.6.7: a two-digit year that "appears to be more than 50 years in the
    /// future" is the most recent past year with those digits.
    @Test func twoDigitYearsFollowTheFiftyYearRule() {
        let now = HTTPDate("Sat, 28 Nov 2026 09:00:00 GMT")!
        func year(_ yy: String, now: HTTPDate?, dayAndMonth: String = "01-Jan") -> String? {
            HTTPDate("Monday, \(dayAndMonth)-\(yy) 00:00:00 GMT", now: now).map { String($0.description.dropFirst(12).prefix(4)) }
        }
        #expect(year("26", now: now) == "2026")
        #expect(year("76", now: now) == "2076", "49.1 years ahead is not more than 50")
        #expect(year("76", now: now, dayAndMonth: "31-Dec") == "1976", "50.1 years ahead is: the timestamp counts, not the year")
        #expect(year("77", now: now) == "1977")
        #expect(year("00", now: now, dayAndMonth: "29-Feb") == "2000", "2100 has no 29 February")
        #expect(year("99", now: now) == "1999")
        #expect(year("00", now: HTTPDate("Wed, 01 Jan 2098 00:00:00 GMT")) == "2100", "two years ahead, across a century")
        #expect(year("69", now: nil) == "2069")
        #expect(year("70", now: nil) == "1970")
    }
}
