//! Calendar dates for `until=YYYY-MM-DD`: parsing with validation and
//! today's UTC date from the system clock, without a date-time dependency.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// A proleptic Gregorian date. Ordered chronologically (field order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// Today in UTC: suppressions expire at the same moment on every CI
    /// runner, whatever its time zone.
    pub fn today() -> Date {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        Date::from_days(secs.div_euclid(86_400))
    }

    /// The date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`).
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date {
            year: year as i32,
            month: month as u8,
            day: day as u8,
        }
    }

    /// Parses `YYYY-MM-DD`, rejecting impossible dates (`2026-02-30`).
    pub fn parse(text: &str) -> Result<Date, String> {
        let bad = || format!("`{text}` is not a date (expected YYYY-MM-DD, e.g. 2027-03-31)");
        let parts: Vec<&str> = text.split('-').collect();
        let [y, m, d] = parts.as_slice() else {
            return Err(bad());
        };
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(bad());
        }
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if !(all_digits(y) && all_digits(m) && all_digits(d)) {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u8 = m.parse().map_err(|_| bad())?;
        let day: u8 = d.parse().map_err(|_| bad())?;
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return Err(bad());
        }
        Ok(Date { year, month, day })
    }
}

fn days_in_month(year: i32, month: u8) -> u8 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u8, d: u8) -> Date {
        Date {
            year: y,
            month: m,
            day: d,
        }
    }

    #[test]
    fn civil_dates_from_day_numbers() {
        assert_eq!(Date::from_days(0), date(1970, 1, 1));
        assert_eq!(Date::from_days(59), date(1970, 3, 1));
        assert_eq!(Date::from_days(11_016), date(2000, 2, 29));
        assert_eq!(Date::from_days(19_782), date(2024, 2, 29));
        assert_eq!(Date::from_days(20_543), date(2026, 3, 31));
        assert_eq!(Date::from_days(-1), date(1969, 12, 31));
    }

    #[test]
    fn today_is_a_plausible_date() {
        let today = Date::today();
        assert!(today >= date(2025, 1, 1), "{today}");
    }

    #[test]
    fn parses_and_validates() {
        assert_eq!(Date::parse("2027-03-31"), Ok(date(2027, 3, 31)));
        assert_eq!(Date::parse("2024-02-29"), Ok(date(2024, 2, 29)));
        for bad in [
            "2023-02-29",
            "2027-13-01",
            "2027-3-31",
            "27-03-31",
            "2027-04-31",
            "soon",
            "2027-03-3x",
        ] {
            assert!(Date::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(date(2027, 3, 31).to_string(), "2027-03-31");
        assert!(date(2026, 12, 31) < date(2027, 1, 1));
    }
}
