/// A timestamp of HTTP, to the second (RFC 9110 §5.6.7): the value of `Date`, `Retry-After`'s
/// date form, `Last-Modified`.
///
/// Parsing accepts the three formats, as RFC 9110 §5.6.7 requires ("A recipient that parses a
/// timestamp value in an HTTP field MUST accept all three HTTP-date formats"):
/// - IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`;
/// - the obsolete RFC 850 form, `Sunday, 06-Nov-94 08:49:37 GMT`;
/// - the obsolete asctime form, `Sun Nov  6 08:49:37 1994`.
///
/// Names are case-sensitive as the grammar says, and the day must exist in its month; the
/// weekday is not checked against the date, and runs of spaces count as one (the asctime
/// form pads a one-digit day with a second space). ``description`` writes IMF-fixdate, the
/// one format a sender may generate.
public struct HTTPDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Seconds since 1970-01-01 00:00:00 UTC (leap seconds not counted, as in POSIX time).
    public var secondsSince1970: Int64

    /// The instant `secondsSince1970` seconds after 1970-01-01 00:00:00 UTC.
    public init(secondsSince1970: Int64) {
        self.secondsSince1970 = secondsSince1970
    }

    /// Parses an HTTP-date in any of its three formats.
    /// - Parameters:
    ///   - text: the field value (spaces around it are ignored, as runs of spaces inside).
    ///   - now: the current time, for the RFC 850 form's two-digit year: RFC 9110 §5.6.7
    ///     "MUST interpret a timestamp that appears to be more than 50 years in the future as
    ///     representing the most recent year in the past that had the same last two digits".
    ///     Applied to the whole timestamp, not the year alone. Nil: the years 1970-2069.
    /// - Returns: nil unless `text` is one of the formats, naming an existing day and time.
    public init?(_ text: some StringProtocol, now: HTTPDate? = nil) {
        let words = String(text).split(separator: " ")
        guard let first = words.first else { return nil }
        let parsed: Fields? = if first.last == ",", words.count == 6, Self.shortDayNames.contains(String(first.dropLast())) {
            Self.imfFixdate(words)
        } else if first.last == ",", words.count == 4, Self.longDayNames.contains(String(first.dropLast())) {
            Self.rfc850(words, now: now)
        } else if words.count == 5, Self.shortDayNames.contains(String(first)) {
            Self.asctime(words)
        } else {
            nil
        }
        guard let parsed, let seconds = parsed.secondsSince1970 else { return nil }
        self.init(secondsSince1970: seconds)
    }

    /// IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT` (RFC 9110 §5.6.7), for instants of
    /// the years 0000-9999, which the format can write; others are written in the same shape
    /// with their year's digits (and sign), which no parser reads as an HTTP-date.
    public var description: String {
        let days = secondsSince1970.floorDivided(by: 86_400)
        let second = Int(secondsSince1970.floorModulo(86_400))
        let (year, month, day) = Self.civil(fromDays: days)
        let weekday = Int((days + 4).floorModulo(7))  // 1970-01-01 was a Thursday
        return "\(Self.shortDayNames[weekday]), \(Self.twoDigits(day)) \(Self.monthNames[month - 1]) "
            + "\(Self.fourDigits(year)) \(Self.twoDigits(second / 3600)):\(Self.twoDigits(second / 60 % 60)):"
            + "\(Self.twoDigits(second % 60)) GMT"
    }

    /// Earlier instants first.
    public static func < (lhs: HTTPDate, rhs: HTTPDate) -> Bool {
        lhs.secondsSince1970 < rhs.secondsSince1970
    }

    // MARK: Parsing

    /// A date and time as written, before it is checked and counted.
    private struct Fields {
        var year: Int, month: Int, day: Int
        var hour: Int, minute: Int, second: Int

        /// Nil for a day the month does not have or a time outside 00:00:00-23:59:60.
        var secondsSince1970: Int64? {
            guard (1...12).contains(month), (1...HTTPDate.daysIn(month: month, year: year)).contains(day),
                  (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second) else { return nil }
            return HTTPDate.days(year: year, month: month, day: day) * 86_400
                + Int64(hour * 3600 + minute * 60 + second)
        }
    }

    /// `day-name "," SP day SP month SP year SP time-of-day SP "GMT"`.
    private static func imfFixdate(_ words: [Substring]) -> Fields? {
        guard let day = number(words[1], digits: 2...2), let month = month(words[2]),
              let year = number(words[3], digits: 4...4), words[5] == "GMT" else { return nil }
        return fields(year: year, month: month, day: day, time: words[4])
    }

    /// `day-name-l "," SP day "-" month "-" 2DIGIT SP time-of-day SP "GMT"`.
    private static func rfc850(_ words: [Substring], now: HTTPDate?) -> Fields? {
        let date = words[1].split(separator: "-", omittingEmptySubsequences: false)
        guard date.count == 3, let day = number(date[0], digits: 2...2), let month = month(date[1]),
              let shortYear = number(date[2], digits: 2...2), words[3] == "GMT",
              var fields = fields(year: shortYear < 70 ? 2000 + shortYear : 1900 + shortYear, month: month, day: day, time: words[2])
        else { return nil }
        if let now { fields.year = latestYear(of: fields, notMoreThanFiftyYearsAfter: now) }
        return fields
    }

    /// `day-name SP month SP ( 2DIGIT / ( SP DIGIT ) ) SP time-of-day SP year`.
    private static func asctime(_ words: [Substring]) -> Fields? {
        guard let month = month(words[1]), let day = number(words[2], digits: 1...2),
              let year = number(words[4], digits: 4...4) else { return nil }
        return fields(year: year, month: month, day: day, time: words[3])
    }

    /// The fields with `time`'s `hour ":" minute ":" second`, each 2DIGIT.
    private static func fields(year: Int, month: Int, day: Int, time: Substring) -> Fields? {
        let parts = time.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, let hour = number(parts[0], digits: 2...2),
              let minute = number(parts[1], digits: 2...2), let second = number(parts[2], digits: 2...2) else {
            return nil
        }
        return Fields(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    }

    /// Fifty years of the Gregorian calendar's average length (365.2425 days), in seconds.
    private static let fiftyYears: Int64 = 50 * 31_556_952

    /// The RFC 850 form's year for `fields` (whose year has the right last two digits): the
    /// latest that puts the timestamp no more than 50 years after `now` (RFC 9110 §5.6.7).
    private static func latestYear(of fields: Fields, notMoreThanFiftyYearsAfter now: HTTPDate) -> Int {
        let current = civil(fromDays: now.secondsSince1970.floorDivided(by: 86_400)).year
        var candidate = fields
        candidate.year = current - current % 100 + fields.year % 100 + 100
        // Each century earlier until it is not too far ahead (a 29 February that a century
        // lacks is skipped to the one before).
        while candidate.year > 0 {
            if let seconds = candidate.secondsSince1970, seconds <= now.secondsSince1970 + fiftyYears { break }
            candidate.year -= 100
        }
        return candidate.year
    }

    /// A number of ASCII digits, their count within `digits`.
    private static func number(_ text: some StringProtocol, digits: ClosedRange<Int>) -> Int? {
        let bytes = text.utf8
        guard digits.contains(bytes.count), bytes.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return bytes.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }

    /// 1-12 for `Jan`…`Dec` (case-sensitive).
    private static func month(_ name: Substring) -> Int? {
        monthNames.firstIndex(of: String(name)).map { $0 + 1 }
    }

    private static let shortDayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let longDayNames: Set = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    private static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    // MARK: The proleptic Gregorian calendar (H. Hinnant's `days_from_civil` and inverse)

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to the date.
    private static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = y.floorDivided(by: 400)
        let yearOfEra = y - era * 400
        let dayOfYear = Int64((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1)
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date `days` after 1970-01-01.
    private static func civil(fromDays days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = z.floorDivided(by: 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shifted = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * shifted + 2) / 5 + 1)
        let month = Int(shifted < 10 ? shifted + 3 : shifted - 9)
        let year = Int(yearOfEra + era * 400) + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    private static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    private static func fourDigits(_ value: Int) -> String {
        let text = "\(value)"
        return String(repeating: "0", count: max(0, 4 - text.count)) + text
    }
}

extension Int64 {
    /// The quotient rounded toward minus infinity.
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }

    /// The remainder in `0..<divisor` (a positive divisor); never overflows, even for `min`.
    fileprivate func floorModulo(_ divisor: Int64) -> Int64 {
        let remainder = self % divisor
        return remainder < 0 ? remainder + divisor : remainder
    }
}
