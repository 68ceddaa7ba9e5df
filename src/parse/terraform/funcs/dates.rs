//! Date and time functions of Terraform 1.x on RFC 3339 timestamps
//! (formatdate, timeadd, timecmp); `timestamp()` and `plantimestamp()` are
//! impure and stay unknown.
//!
//! Each function works on evaluated arguments like those of `funcs.rs`:
//! a value, `Fail::Unknown` when an argument is not known, `Fail::Error`
//! when Terraform would reject the call. Expected values come from
//! `terraform console` (Terraform 1.x).
//!
//! A timestamp is kept as the instant (seconds and nanoseconds since the
//! Unix epoch) and the UTC offset it was written with: Terraform prints a
//! result in the offset of its input (a fixed offset, never a time zone
//! with daylight saving). The calendar is the proleptic Gregorian one, as
//! in Go.

use serde_json::Number;

use super::{Fail, R, arity, computed, text};
use crate::document::Span;
use crate::parse::terraform::value::{MAX_STRING, V, Val};

/// The function `name` if this module has it, else `None`.
pub(super) fn call(name: &str, args: &[Val], span: Span) -> Option<R> {
    let v = match name {
        "formatdate" => formatdate(args),
        "timeadd" => timeadd(args),
        "timecmp" => timecmp(args),
        _ => return None,
    };
    Some(v.and_then(|v| computed(v, span, args)))
}

const NANOS: i128 = 1_000_000_000;

/// An instant and the UTC offset (seconds) it is shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    /// Seconds since 1970-01-01T00:00:00Z.
    secs: i64,
    /// Nanoseconds within the second, `0..1e9`.
    nanos: u32,
    /// Seconds east of UTC.
    offset: i32,
}

/// The calendar fields of a stamp in its own offset.
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    /// 0 = Sunday.
    weekday: u32,
}

impl Stamp {
    fn civil(&self) -> Civil {
        let local = self.secs + i64::from(self.offset);
        let days = local.div_euclid(86_400);
        let in_day = local.rem_euclid(86_400) as u32;
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            hour: in_day / 3600,
            minute: in_day / 60 % 60,
            second: in_day % 60,
            // 1970-01-01 was a Thursday
            weekday: (days + 4).rem_euclid(7) as u32,
        }
    }

    fn total_nanos(&self) -> i128 {
        i128::from(self.secs) * NANOS + i128::from(self.nanos)
    }
}

// ---------------------------------------------------------------------------
// Calendar arithmetic (Howard Hinnant's algorithms, proleptic Gregorian).

/// Days since 1970-01-01 of a civil date.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date (year, month, day) of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in(month: u32, year: i64) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// ---------------------------------------------------------------------------
// Parsing RFC 3339.

/// How closely a timestamp must follow RFC 3339. `formatdate` and
/// `timeadd` (from cty's library) accept exactly RFC 3339; `timecmp`
/// (Terraform's own) uses Go's `time.Parse(time.RFC3339, …)`, which also
/// takes a one-digit hour (`T5:04:05Z`), a comma before the fraction and
/// an offset of up to `+24:00` or `+23:60`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Rfc3339 {
    Strict,
    Lenient,
}

/// A cursor over the timestamp's bytes.
struct Cursor<'a> {
    s: &'a [u8],
}

impl Cursor<'_> {
    fn digit(&self, i: usize) -> Option<u32> {
        self.s
            .get(i)
            .filter(|c| c.is_ascii_digit())
            .map(|c| u32::from(c - b'0'))
    }

    /// `n` digits (Go's `getnum`: one digit when `n` is 1 or 2 and only
    /// one is there and `fixed` is false).
    fn number(&mut self, n: usize, fixed: bool) -> Option<u32> {
        let mut v = 0;
        let mut taken = 0;
        while taken < n {
            match self.digit(taken) {
                Some(d) => v = v * 10 + d,
                None if !fixed && taken == 1 && n == 2 => break,
                None => return None,
            }
            taken += 1;
        }
        self.s = &self.s[taken..];
        Some(v)
    }

    fn literal(&mut self, c: u8) -> Option<()> {
        let (&first, rest) = self.s.split_first()?;
        (first == c).then(|| self.s = rest)
    }

    /// Fractional seconds after the seconds: a separator and at least one
    /// digit; digits past the ninth are read but ignored, as in Go.
    fn fraction(&mut self, mode: Rfc3339) -> u32 {
        let separator = match self.s.first() {
            Some(b'.') => true,
            Some(b',') => mode == Rfc3339::Lenient,
            _ => false,
        };
        if !separator || self.digit(1).is_none() {
            return 0;
        }
        let n = 1 + self.s[1..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        let mut nanos = 0;
        for i in 1..10 {
            nanos = nanos * 10 + if i < n { self.digit(i).unwrap_or(0) } else { 0 };
        }
        self.s = &self.s[n..];
        nanos
    }

    /// The offset: `Z` or `±hh:mm`, the whole rest of the text.
    fn offset(&mut self, mode: Rfc3339) -> Option<i32> {
        if self.s == b"Z" {
            return Some(0);
        }
        let [sign, h1, h2, b':', m1, m2] = *self.s else {
            return None;
        };
        let two = |a: u8, b: u8| {
            (a.is_ascii_digit() && b.is_ascii_digit())
                .then(|| i32::from((a - b'0') * 10 + b - b'0'))
        };
        let (hours, minutes) = (two(h1, h2)?, two(m1, m2)?);
        let (max_hours, max_minutes) = match mode {
            Rfc3339::Strict => (23, 59),
            Rfc3339::Lenient => (24, 60),
        };
        if hours > max_hours || minutes > max_minutes {
            return None;
        }
        let offset = (hours * 60 + minutes) * 60;
        match sign {
            b'+' => Some(offset),
            b'-' => Some(-offset),
            _ => None,
        }
    }
}

/// A timestamp as Terraform reads it, `None` when it is not one.
fn parse(s: &str, mode: Rfc3339) -> Option<Stamp> {
    let mut c = Cursor { s: s.as_bytes() };
    let year = c.number(4, true)?;
    c.literal(b'-')?;
    let month = c.number(2, true).filter(|m| (1..=12).contains(m))?;
    c.literal(b'-')?;
    let day = c.number(2, true)?;
    c.literal(b'T')?;
    let hour = c.number(2, mode == Rfc3339::Strict).filter(|h| *h < 24)?;
    c.literal(b':')?;
    let minute = c.number(2, true).filter(|m| *m < 60)?;
    c.literal(b':')?;
    let second = c.number(2, true).filter(|s| *s < 60)?;
    let nanos = c.fraction(mode);
    let offset = c.offset(mode)?;
    let year = i64::from(year);
    if day < 1 || day > days_in(month, year) {
        return None;
    }
    let local =
        days_from_civil(year, month, day) * 86_400 + i64::from(hour * 3600 + minute * 60 + second);
    Some(Stamp {
        secs: local - i64::from(offset),
        nanos,
        offset,
    })
}

/// Argument `i` as a timestamp; text that is not one is an error.
fn stamp_arg(args: &[Val], i: usize, mode: Rfc3339) -> Result<Stamp, Fail> {
    parse(&text(&args[i])?, mode).ok_or(Fail::Error)
}

// ---------------------------------------------------------------------------
// Printing.

/// A number zero-padded to `width` digits, the sign before the padding
/// (Go's `appendInt`, so year -1 is `-0001`).
fn padded(n: i64, width: usize) -> String {
    let digits = format!("{:0width$}", n.unsigned_abs());
    if n < 0 { format!("-{digits}") } else { digits }
}

/// The offset as `+hh:mm` (`colon`) or `+hhmm`.
fn offset_text(offset: i32, colon: bool) -> String {
    let sign = if offset < 0 { '-' } else { '+' };
    let minutes = offset.unsigned_abs() / 60;
    let sep = if colon { ":" } else { "" };
    format!("{sign}{:02}{sep}{:02}", minutes / 60, minutes % 60)
}

/// RFC 3339 without fractional seconds, as Go's `Format(time.RFC3339)`
/// prints: the fraction is dropped (not rounded), a zero offset is `Z`.
fn rfc3339(t: &Stamp) -> String {
    let c = t.civil();
    let zone = match t.offset {
        0 => "Z".to_string(),
        o => offset_text(o, true),
    };
    format!(
        "{}-{:02}-{:02}T{:02}:{:02}:{:02}{zone}",
        padded(c.year, 4),
        c.month,
        c.day,
        c.hour,
        c.minute,
        c.second
    )
}

// ---------------------------------------------------------------------------
// timeadd

/// `timeadd(timestamp, duration)`: the instant moved by a Go duration,
/// printed in the timestamp's offset without fractional seconds
/// (`timeadd("2023-01-02T15:04:05.5Z", "0.6s")` is `…15:04:06Z`).
fn timeadd(args: &[Val]) -> Result<V, Fail> {
    arity(args, 2)?;
    let t = stamp_arg(args, 0, Rfc3339::Strict)?;
    let d = parse_duration(&text(&args[1])?).ok_or(Fail::Error)?;
    let total = t.total_nanos() + i128::from(d);
    let secs = i64::try_from(total.div_euclid(NANOS)).map_err(|_| Fail::Error)?;
    let moved = Stamp {
        secs,
        nanos: total.rem_euclid(NANOS) as u32,
        offset: t.offset,
    };
    Ok(V::Str(rfc3339(&moved)))
}

/// Go's `time.ParseDuration`: `[-+]?([0-9]*(\.[0-9]*)?unit)+` with units
/// `ns us µs μs ms s m h`, or a bare `0`; nanoseconds in an `i64`, so a
/// duration past about 2,562,047 hours is an error. A fraction is scaled
/// in floating point, exactly as Go does.
fn parse_duration(s: &str) -> Option<i64> {
    const LIMIT: u64 = 1 << 63;
    let mut s = s.as_bytes();
    let mut negative = false;
    if let Some((&c, rest)) = s.split_first()
        && (c == b'-' || c == b'+')
    {
        negative = c == b'-';
        s = rest;
    }
    if s == b"0" {
        return Some(0);
    }
    if s.is_empty() {
        return None;
    }
    let mut total: u64 = 0;
    while !s.is_empty() {
        let (whole, rest) = leading_int(s)?;
        let pre = rest.len() != s.len();
        s = rest;
        let (mut fraction, mut scale, mut post) = (0u64, 1f64, false);
        if let Some(rest) = s.strip_prefix(b".") {
            (fraction, scale, s) = leading_fraction(rest);
            post = s.len() != rest.len();
        }
        if !pre && !post {
            return None;
        }
        let unit_len = s
            .iter()
            .take_while(|c| **c != b'.' && !c.is_ascii_digit())
            .count();
        let unit = unit_nanos(&s[..unit_len])?;
        s = &s[unit_len..];
        if whole > LIMIT / unit {
            return None;
        }
        let mut v = whole * unit;
        if fraction > 0 {
            v += (fraction as f64 * (unit as f64 / scale)) as u64;
            if v > LIMIT {
                return None;
            }
        }
        total = total.checked_add(v).filter(|t| *t <= LIMIT)?;
    }
    if negative {
        Some((total as i128).wrapping_neg() as i64)
    } else {
        i64::try_from(total).ok()
    }
}

/// Go's `leadingInt`: the leading digits, `None` past 2^63.
fn leading_int(s: &[u8]) -> Option<(u64, &[u8])> {
    let n = s.iter().take_while(|c| c.is_ascii_digit()).count();
    let mut x: u64 = 0;
    for c in &s[..n] {
        if x > (1 << 63) / 10 {
            return None;
        }
        x = x * 10 + u64::from(c - b'0');
        if x > 1 << 63 {
            return None;
        }
    }
    Some((x, &s[n..]))
}

/// Go's `leadingFraction`: the digits after a point and their scale;
/// digits past what fits are read and ignored.
fn leading_fraction(s: &[u8]) -> (u64, f64, &[u8]) {
    let n = s.iter().take_while(|c| c.is_ascii_digit()).count();
    let (mut x, mut scale, mut overflow) = (0u64, 1f64, false);
    for c in &s[..n] {
        if overflow {
            continue;
        }
        if x > ((1u64 << 63) - 1) / 10 {
            overflow = true;
            continue;
        }
        let y = x * 10 + u64::from(c - b'0');
        if y > 1 << 63 {
            overflow = true;
            continue;
        }
        x = y;
        scale *= 10.0;
    }
    (x, scale, &s[n..])
}

fn unit_nanos(unit: &[u8]) -> Option<u64> {
    Some(match unit {
        b"ns" => 1,
        b"us" => 1_000,
        // U+00B5 micro sign and U+03BC Greek mu
        b"\xc2\xb5s" | b"\xce\xbcs" => 1_000,
        b"ms" => 1_000_000,
        b"s" => 1_000_000_000,
        b"m" => 60_000_000_000,
        b"h" => 3_600_000_000_000,
        _ => return None,
    })
}

// ---------------------------------------------------------------------------
// timecmp

/// `timecmp(a, b)`: -1, 0 or 1 comparing the instants (offsets and
/// fractions count). Terraform parses these with Go's lenient
/// `time.Parse` (see [`Rfc3339`]).
fn timecmp(args: &[Val]) -> Result<V, Fail> {
    arity(args, 2)?;
    let a = stamp_arg(args, 0, Rfc3339::Lenient)?;
    let b = stamp_arg(args, 1, Rfc3339::Lenient)?;
    let order = a.total_nanos().cmp(&b.total_nanos()) as i8;
    Ok(V::Num(Number::from(order)))
}

// ---------------------------------------------------------------------------
// formatdate

/// Terraform reads the spec with a Go `bufio.Scanner`, whose tokens are at
/// most 64 KiB: a quoted literal or a run of one letter that long stops the
/// scan, and Terraform silently returns what it printed before. That is
/// not a value to vouch for.
const MAX_TOKEN: usize = 64 * 1024;

const TOKEN_TOO_LONG: &str = "formatdate not evaluated: a quoted literal or run of one letter in \
                              the format is 64 KiB or longer, where Terraform silently stops \
                              formatting; kept as written, so the gate cannot vouch for the value";

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

const WEEKDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// One token of a `formatdate` spec.
#[derive(Debug, PartialEq, Eq)]
enum Token<'a> {
    /// Text copied as it is (anything but letters and quotes).
    Text(&'a str),
    /// A quoted literal, quotes included (`''` is one quote).
    Quoted(&'a str),
    /// A run of one ASCII letter: a verb like `YYYY`.
    Verb(u8, usize),
}

/// The next token of `s` (not empty) and its length, split as cty's
/// `splitDateFormat` does: a quoted literal runs to the first single
/// quote not doubled, or to the end when unterminated.
fn next_token(s: &str) -> (Token<'_>, usize) {
    let b = s.as_bytes();
    let verb = |c: &u8| c.is_ascii_alphabetic();
    if b[0] == b'\'' {
        if b.get(1) == Some(&b'\'') {
            return (Token::Quoted(&s[..2]), 2);
        }
        let mut i = 1;
        while i < b.len() {
            if b[i] == b'\'' {
                if i + 1 == b.len() {
                    break;
                }
                if b[i + 1] != b'\'' {
                    return (Token::Quoted(&s[..=i]), i + 1);
                }
                i += 1;
            }
            i += 1;
        }
        return (Token::Quoted(s), s.len());
    }
    if verb(&b[0]) {
        let n = b.iter().take_while(|c| **c == b[0]).count();
        return (Token::Verb(b[0], n), n);
    }
    let n = b
        .iter()
        .position(|c| *c == b'\'' || verb(c))
        .unwrap_or(b.len());
    (Token::Text(&s[..n]), n)
}

/// A quoted literal's text: an unterminated one (or a lone quote) is an
/// error; inside, a doubled quote is one quote (`'abc''` at the end of
/// the spec is `abc'`, as in Terraform).
fn quoted(tok: &str) -> Result<String, Fail> {
    if tok.len() == 1 || !tok.ends_with('\'') {
        return Err(Fail::Error);
    }
    if tok == "''" {
        return Ok("'".to_string());
    }
    Ok(tok[1..tok.len() - 1].replace("''", "'"))
}

/// `formatdate(spec, timestamp)`: each run of one letter is a verb
/// (`YYYY YY MMMM MMM MM M DD D EEEE EEE hh h HH H AA aa mm m ss s ZZZZZ
/// ZZZZ ZZZ Z`; any other run of letters is an error), quoted text is
/// literal and the rest is copied. `ZZZ` is `UTC` for a zero offset.
fn formatdate(args: &[Val]) -> Result<V, Fail> {
    arity(args, 2)?;
    let spec = text(&args[0])?;
    let t = stamp_arg(args, 1, Rfc3339::Strict)?;
    let c = t.civil();
    let mut out = String::new();
    let mut rest = spec.as_str();
    while !rest.is_empty() {
        let (tok, n) = next_token(rest);
        rest = &rest[n..];
        match tok {
            Token::Text(s) => out.push_str(s),
            Token::Quoted(_) | Token::Verb(..) if n >= MAX_TOKEN => {
                return Err(Fail::Bound(TOKEN_TOO_LONG));
            }
            Token::Quoted(q) => out.push_str(&quoted(q)?),
            Token::Verb(letter, len) => out.push_str(&verb(letter, len, &c, t.offset)?),
        }
        if out.len() > MAX_STRING {
            return Err(Fail::TooLarge);
        }
    }
    Ok(V::Str(out))
}

/// One verb: `letter` repeated `len` times.
fn verb(letter: u8, len: usize, c: &Civil, offset: i32) -> Result<String, Fail> {
    let month = MONTHS
        .get(c.month.wrapping_sub(1) as usize)
        .ok_or(Fail::Error)?;
    let weekday = WEEKDAYS.get(c.weekday as usize).ok_or(Fail::Error)?;
    let hour12 = match c.hour % 12 {
        0 => 12,
        h => h,
    };
    let s = match (letter, len) {
        (b'Y', 4) => padded(c.year, 4),
        (b'Y', 2) => padded(c.year % 100, 2),
        (b'M', 1 | 2) => padded(c.month.into(), len),
        (b'M', 3) => month[..3].to_string(),
        (b'M', 4) => month.to_string(),
        (b'D', 1 | 2) => padded(c.day.into(), len),
        (b'E', 3) => weekday[..3].to_string(),
        (b'E', 4) => weekday.to_string(),
        (b'h', 1 | 2) => padded(c.hour.into(), len),
        (b'H', 1 | 2) => padded(hour12.into(), len),
        (b'A', 2) => if c.hour < 12 { "AM" } else { "PM" }.to_string(),
        (b'a', 2) => if c.hour < 12 { "am" } else { "pm" }.to_string(),
        (b'm', 1 | 2) => padded(c.minute.into(), len),
        (b's', 1 | 2) => padded(c.second.into(), len),
        (b'Z', 1) if offset == 0 => "Z".to_string(),
        (b'Z', 1 | 5) => offset_text(offset, true),
        (b'Z', 3) if offset == 0 => "UTC".to_string(),
        (b'Z', 3 | 4) => offset_text(offset, false),
        _ => return Err(Fail::Error),
    };
    Ok(s)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::testing::{s, unknown};
    use super::*;

    fn run(name: &str, args: &[Val]) -> Result<serde_json::Value, Fail> {
        call(name, args, Span::default())
            .unwrap_or(Err(Fail::Unknown))
            .map(|v| v.to_json())
    }

    /// `formatdate(spec, ts)` as a string, or the failure.
    fn fd(spec: &str, ts: &str) -> Result<String, Fail> {
        run("formatdate", &[s(spec), s(ts)]).map(|v| v.as_str().unwrap_or("?").to_string())
    }

    fn add(ts: &str, d: &str) -> Result<String, Fail> {
        run("timeadd", &[s(ts), s(d)]).map(|v| v.as_str().unwrap_or("?").to_string())
    }

    fn cmp(a: &str, b: &str) -> Result<serde_json::Value, Fail> {
        run("timecmp", &[s(a), s(b)])
    }

    const TS: &str = "2023-09-03T12:04:05Z";

    #[test]
    fn calendar_round_trips() {
        for days in [-800_000, -719_468, -1, 0, 1, 11_016, 19_000, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(civil_from_days(-719_529), (-1, 12, 31));
    }

    #[test]
    fn formatdate_verbs() {
        assert_eq!(
            fd(
                "YYYY-MM-DD hh:mm:ss ZZZZZ ZZZZ ZZZ Z",
                "2023-01-02T15:04:05Z"
            ),
            Ok("2023-01-02 15:04:05 +00:00 +0000 UTC Z".into())
        );
        assert_eq!(
            fd(
                "YY M MMM MMMM D DD EEE EEEE h H HH AA aa m s",
                "2023-09-03T00:04:05+05:30"
            ),
            Ok("23 9 Sep September 3 03 Sun Sunday 0 12 12 AM am 4 5".into())
        );
        assert_eq!(
            fd("H HH AA aa", "2023-09-03T12:04:05-08:00"),
            Ok("12 12 PM pm".into())
        );
        assert_eq!(
            fd("ZZZ ZZZZ", "2023-09-03T12:04:05-09:30"),
            Ok("-0930 -0930".into())
        );
        // "-00:00" and "+00:00" are a zero offset like "Z"
        for ts in ["2023-09-03T12:04:05+00:00", "2023-09-03T12:04:05-00:00"] {
            assert_eq!(fd("ZZZ Z ZZZZZ", ts), Ok("UTC Z +00:00".into()));
        }
        assert_eq!(
            fd("YYYY-MM-DD'T'hh:mm:ssZ", "1999-12-31T23:59:59.999999+01:00"),
            Ok("1999-12-31T23:59:59+01:00".into())
        );
        assert_eq!(
            fd("YY YYYY EEEE", "0000-01-01T00:00:00Z"),
            Ok("00 0000 Saturday".into())
        );
        assert_eq!(fd("MMM h D", "2023-05-01T07:04:05Z"), Ok("May 7 1".into()));
        assert_eq!(fd("EEE", "1900-03-01T00:00:00Z"), Ok("Thu".into()));
        assert_eq!(fd("EEE", "2000-02-29T00:00:00Z"), Ok("Tue".into()));
        assert_eq!(fd("EEE", "2100-02-28T00:00:00Z"), Ok("Sun".into()));
        assert_eq!(
            fd("YYYY MM DD", "2024-02-29T12:04:05Z"),
            Ok("2024 02 29".into())
        );
        assert_eq!(fd("DD", "9999-12-31T23:59:59+23:59"), Ok("31".into()));
        assert_eq!(
            fd("YYYY", "2023-09-03T12:04:05.123456789123Z"),
            Ok("2023".into())
        );
    }

    #[test]
    fn formatdate_literals() {
        assert_eq!(fd("", TS), Ok("".into()));
        assert_eq!(fd("-_ :/.,0123", TS), Ok("-_ :/.,0123".into()));
        assert_eq!(fd("é", TS), Ok("é".into()));
        assert_eq!(fd("'it''s' ''", TS), Ok("it's '".into()));
        assert_eq!(fd("'a''b''c'", TS), Ok("a'b'c".into()));
        assert_eq!(fd("''''", TS), Ok("''".into()));
        // unterminated, but the scanner takes the trailing quote as closing
        assert_eq!(fd("'abc''", TS), Ok("abc'".into()));
        // a number spec is converted to a string
        let one = Val::new(V::Num(Number::from(1)), Span::default());
        assert_eq!(run("formatdate", &[one, s(TS)]), Ok(json!("1")));
        for bad in ["'abc", "'", "'''", "'abc'x'"] {
            assert_eq!(fd(bad, TS), Err(Fail::Error), "{bad}");
        }
    }

    #[test]
    fn formatdate_rejects_other_letters_and_lengths() {
        for bad in [
            "x", "a", "ZZ", "YYY", "YYYYY", "MMMMM", "hhh", "HHH", "AAA", "ZZZZZZ", "EE", "DDD",
            "A", "E",
        ] {
            assert_eq!(fd(bad, TS), Err(Fail::Error), "{bad}");
        }
    }

    #[test]
    fn formatdate_wants_strict_rfc3339() {
        for bad in [
            "2023-09-03T5:04:05Z",
            "2023-09-03t12:04:05Z",
            "2023-09-03T12:04:05z",
            "2023-09-03T12:04:05,5Z",
            "2023-09-03T12:04:05+24:00",
            "2023-09-03T12:04:05+23:60",
            "2023-02-29T12:04:05Z",
            "2100-02-29T00:00:00Z",
            "2023-09-03T12:04:60Z",
            "2023-09-03T12:04:05",
            "2023-09-03",
            "2023-13-01T00:00:00Z",
            "2023-00-01T00:00:00Z",
            "2023-01-00T00:00:00Z",
            "2023-01-01T24:00:00Z",
            "2023-01-01T00:00:00.Z",
            "+023-01-01T00:00:00Z",
            "2023-01-01T00:00:00+0100",
            "2023-01-01T00:00:00Z ",
            "",
        ] {
            assert_eq!(fd("YYYY", bad), Err(Fail::Error), "{bad}");
        }
        let null = Val::new(V::Null, Span::default());
        assert_eq!(run("formatdate", &[s("YYYY"), null]), Err(Fail::Error));
        assert_eq!(run("formatdate", &[s("YYYY")]), Err(Fail::Error));
    }

    #[test]
    fn formatdate_unknown() {
        assert_eq!(run("formatdate", &[unknown(), s(TS)]), Err(Fail::Unknown));
        assert_eq!(
            run("formatdate", &[s("YYYY"), unknown()]),
            Err(Fail::Unknown)
        );
    }

    /// Terraform: a quoted literal of 65,535 bytes is printed, one of
    /// 65,536 silently ends the output (`length(...)` is 4 for `YYYY'…'`).
    #[test]
    fn formatdate_token_past_the_scanner_limit_is_a_bound() {
        let spec = format!("YYYY'{}'", "a".repeat(65_533));
        assert_eq!(fd(&spec, TS).map(|s| s.len()), Ok(65_537));
        let spec = format!("YYYY'{}'", "a".repeat(65_534));
        assert!(matches!(fd(&spec, TS), Err(Fail::Bound(_))));
        let spec = format!("YYYY {}", "Y".repeat(70_000));
        assert!(matches!(fd(&spec, TS), Err(Fail::Bound(_))));
        let spec = format!("YYYY {}", "-".repeat(70_000));
        assert_eq!(fd(&spec, TS).map(|s| s.len()), Ok(70_005));
    }

    #[test]
    fn formatdate_output_is_capped() {
        let spec = "Z-".repeat(MAX_STRING / 2);
        assert_eq!(fd(&spec, "2023-09-03T12:04:05+05:30"), Err(Fail::TooLarge));
    }

    #[test]
    fn timeadd_keeps_the_offset_and_drops_fractions() {
        let cases = [
            ("2023-01-02T15:04:05Z", "1h30m", "2023-01-02T16:34:05Z"),
            (
                "2023-01-02T15:04:05+05:30",
                "-10m",
                "2023-01-02T14:54:05+05:30",
            ),
            ("2023-01-02T15:04:05.5Z", "1.5h", "2023-01-02T16:34:05Z"),
            ("2023-01-02T15:04:05.5Z", "0.6s", "2023-01-02T15:04:06Z"),
            (
                "2023-01-02T15:04:05.999999999Z",
                "1ns",
                "2023-01-02T15:04:06Z",
            ),
            ("2023-01-02T15:04:05-00:00", "1s", "2023-01-02T15:04:06Z"),
            ("2023-01-02T15:04:05+00:00", "1s", "2023-01-02T15:04:06Z"),
            // a fixed offset: no daylight saving
            (
                "2023-03-12T01:59:59-05:00",
                "1s",
                "2023-03-12T02:00:00-05:00",
            ),
        ];
        for (t, d, want) in cases {
            assert_eq!(add(t, d), Ok(want.into()), "{t} {d}");
        }
    }

    #[test]
    fn timeadd_durations() {
        let t = "2023-01-02T15:04:05Z";
        for (d, want) in [
            ("0", "2023-01-02T15:04:05Z"),
            ("-0", "2023-01-02T15:04:05Z"),
            ("0s", "2023-01-02T15:04:05Z"),
            ("1µs", "2023-01-02T15:04:05Z"),
            ("1μs", "2023-01-02T15:04:05Z"),
            ("+.5m", "2023-01-02T15:04:35Z"),
            ("5.m", "2023-01-02T15:09:05Z"),
            ("1h1h1h", "2023-01-02T18:04:05Z"),
            ("1.0000000001s", "2023-01-02T15:04:06Z"),
            ("0.1234567891234567891234h", "2023-01-02T15:11:29Z"),
            ("2562047h", "2315-04-14T14:04:05Z"),
            ("-2562047h47m16.854775808s", "1730-09-23T15:16:48Z"),
        ] {
            assert_eq!(add(t, d), Ok(want.into()), "{d}");
        }
        for bad in [
            "", "1", "1d", ".s", "1h 2m", "1H", "2562048h", "1.5.5h", "-", "+", "1h-30m", "1e3s",
        ] {
            assert_eq!(add(t, bad), Err(Fail::Error), "{bad}");
        }
    }

    #[test]
    fn timeadd_past_the_four_digit_years() {
        let cases = [
            ("9999-12-31T23:00:00Z", "2h", "10000-01-01T01:00:00Z"),
            ("0000-01-01T00:30:00Z", "-1h", "-0001-12-31T23:30:00Z"),
            (
                "0001-01-01T00:30:00+01:00",
                "-2h",
                "0000-12-31T22:30:00+01:00",
            ),
        ];
        for (t, d, want) in cases {
            assert_eq!(add(t, d), Ok(want.into()), "{t} {d}");
        }
    }

    #[test]
    fn timeadd_errors_and_unknowns() {
        assert_eq!(add("2023-01-02T5:04:05Z", "1h"), Err(Fail::Error));
        let one = Val::new(V::Num(Number::from(1)), Span::default());
        assert_eq!(run("timeadd", &[one, s("1h")]), Err(Fail::Error));
        assert_eq!(run("timeadd", &[s(TS)]), Err(Fail::Error));
        // a number duration is converted to a string: "0" is zero
        let zero = Val::new(V::Num(Number::from(0)), Span::default());
        assert_eq!(run("timeadd", &[s(TS), zero]), Ok(json!(TS)));
        assert_eq!(run("timeadd", &[unknown(), s("1h")]), Err(Fail::Unknown));
        assert_eq!(run("timeadd", &[s(TS), unknown()]), Err(Fail::Unknown));
        let err = Val::error("x", Span::default());
        assert_eq!(run("timeadd", &[err, unknown()]), Err(Fail::Error));
    }

    #[test]
    fn timecmp_compares_instants() {
        let z = "2023-01-02T15:04:05Z";
        assert_eq!(cmp(z, z), Ok(json!(0)));
        assert_eq!(cmp(z, "2023-01-02T20:34:05+05:30"), Ok(json!(0)));
        assert_eq!(cmp(z, "2023-01-02T15:04:05.000000001Z"), Ok(json!(-1)));
        let later = "2023-01-02T15:04:06Z";
        assert_eq!(cmp(later, "2023-01-02T15:04:05.999Z"), Ok(json!(1)));
        assert_eq!(cmp(z, "2023-01-02T16:04:05+02:00"), Ok(json!(1)));
        // digits past nanoseconds are ignored
        assert_eq!(cmp("2023-01-02T15:04:05.0000000009Z", z), Ok(json!(0)));
    }

    /// `timecmp` reads timestamps with Go's `time.Parse`, more lenient than
    /// RFC 3339.
    #[test]
    fn timecmp_takes_what_go_parses() {
        let z = "2023-01-02T15:04:05Z";
        assert_eq!(
            cmp("2023-01-02T5:04:05Z", "2023-01-02T05:04:05Z"),
            Ok(json!(0))
        );
        assert_eq!(
            cmp("2023-01-02T15:04:05,5Z", "2023-01-02T15:04:05.5Z"),
            Ok(json!(0))
        );
        let with_offset = "2023-01-02T5:04:05.5+05:30";
        assert_eq!(cmp(with_offset, "2023-01-01T23:34:05.5Z"), Ok(json!(0)));
        let day_before = "2023-01-01T15:04:05Z";
        assert_eq!(cmp("2023-01-02T15:04:05+24:00", day_before), Ok(json!(0)));
        assert_eq!(cmp("2023-01-02T15:04:05+23:60", day_before), Ok(json!(0)));
        for bad in [
            "2023-01-02T15:04:05",
            "nope",
            "2023-01-02T15:04:05+25:00",
            "2023-01-02T15:04:05+00:61",
            "2023-01-02T5:4:05Z",
            "2023-02-29T15:04:05Z",
            "2023-1-02T15:04:05Z",
            "2023-01-2T15:04:05Z",
            "2023-01-02T15:04:05Zabc",
            "2023-01-02T15:04:05+05:30x",
            "2023-01-02T15:04:05+5:30",
        ] {
            assert_eq!(cmp(z, bad), Err(Fail::Error), "{bad}");
        }
        let one = Val::new(V::Num(Number::from(1)), Span::default());
        assert_eq!(run("timecmp", &[s(z), one]), Err(Fail::Error));
        assert_eq!(run("timecmp", &[s(TS)]), Err(Fail::Error));
        assert_eq!(run("timecmp", &[s(TS), unknown()]), Err(Fail::Unknown));
    }

    #[test]
    fn other_names_are_not_here() {
        assert!(call("timestamp", &[], Span::default()).is_none());
        assert!(call("length", &[s("a")], Span::default()).is_none());
    }

    /// An image tag computed with `formatdate`/`timeadd` reaches the
    /// document (Terraform: "nginx:20240229-0030").
    #[test]
    fn dated_image_tag_reaches_the_document() {
        use std::path::Path;
        use std::sync::Arc;
        let text = "locals {\n  image = \"nginx:${formatdate(\"YYYYMMDD-hhmm\", \
                    timeadd(\"2024-02-28T23:30:00Z\", \"1h\"))}\"\n}\n";
        let file = Arc::new(crate::document::SourceFile::new("m/main.tf", text));
        let parsed = crate::parse::terraform_module(Path::new("m"), &[file], &Default::default());
        assert_eq!(
            parsed.documents[0].input["locals"]["image"],
            json!("nginx:20240229-0030")
        );
    }
}
