//! Times as BuildKit writes them: Go's `time.Time` in JSON, RFC 3339 with up
//! to nanoseconds (cache-format.md §2.4: trailing zeros of the fraction
//! dropped, `Z` for a zero offset, `+hh:mm` otherwise). Reading follows Go's
//! strict RFC 3339 parser: four-digit year, real calendar days, hours below
//! 24, no leap second, any number of fraction digits (cut to nanoseconds).

use std::fmt;

use crate::error::{Error, ErrorKind, Result};

/// A point in time with the UTC offset it was written with, exactly as Go's
/// `time.Time` round-trips through JSON.
///
/// ```
/// use ocicache::Timestamp;
///
/// let t = Timestamp::parse("2026-11-22T10:12:20.340525420+01:00")?;
/// assert_eq!(t.to_string(), "2026-11-22T10:12:20.34052542+01:00");
/// assert_eq!(Timestamp::default().to_string(), "0001-01-01T00:00:00Z");
/// # Ok::<(), ocicache::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timestamp {
    year: u16,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
    nanos: u32,
    /// Offset from UTC in minutes.
    offset: i16,
}

impl Default for Timestamp {
    /// Go's zero time, `0001-01-01T00:00:00Z`: what BuildKit writes when a
    /// time is unknown.
    fn default() -> Self {
        Timestamp {
            year: 1,
            month: 1,
            day: 1,
            hour: 0,
            minute: 0,
            second: 0,
            nanos: 0,
            offset: 0,
        }
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl Timestamp {
    /// Parses an RFC 3339 time the way Go's JSON decoder does, else
    /// [`ErrorKind::InvalidTime`] with the offset of the bad part.
    pub fn parse(s: &str) -> Result<Timestamp> {
        let b = s.as_bytes();
        let bad = |at: usize, what: &str| {
            Error::new(
                ErrorKind::InvalidTime,
                format!("invalid RFC 3339 time {s:?}: {what}"),
            )
            .at_offset(at)
        };
        let num = |at: usize, len: usize, what: &str| -> Result<u32> {
            let digits = b.get(at..at + len).ok_or_else(|| bad(at, what))?;
            if digits.iter().all(u8::is_ascii_digit) {
                Ok(digits.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
            } else {
                Err(bad(at, what))
            }
        };
        let sep = |at: usize, c: u8| {
            if b.get(at) == Some(&c) {
                Ok(())
            } else {
                Err(bad(at, &format!("expected '{}'", c as char)))
            }
        };
        let narrow = |v: u32| u8::try_from(v).unwrap_or(u8::MAX);
        let year = u16::try_from(num(0, 4, "bad year")?).unwrap_or(u16::MAX);
        sep(4, b'-')?;
        let month = narrow(num(5, 2, "bad month")?);
        sep(7, b'-')?;
        let day = narrow(num(8, 2, "bad day")?);
        sep(10, b'T')?;
        let hour = narrow(num(11, 2, "bad hour")?);
        sep(13, b':')?;
        let minute = narrow(num(14, 2, "bad minute")?);
        sep(16, b':')?;
        let second = narrow(num(17, 2, "bad second")?);
        if !(1..=12).contains(&month) {
            return Err(bad(5, "month out of range"));
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(bad(8, "day out of range"));
        }
        if hour > 23 {
            return Err(bad(11, "hour out of range"));
        }
        if minute > 59 {
            return Err(bad(14, "minute out of range"));
        }
        if second > 59 {
            return Err(bad(17, "second out of range"));
        }
        let mut at = 19;
        let mut nanos = 0u32;
        if b.get(at) == Some(&b'.') {
            at += 1;
            let start = at;
            while b.get(at).is_some_and(u8::is_ascii_digit) {
                if at - start < 9 {
                    nanos = nanos * 10 + u32::from(b[at] - b'0');
                }
                at += 1;
            }
            if at == start {
                return Err(bad(at, "no digits after '.'"));
            }
            for _ in (at - start)..9 {
                nanos *= 10;
            }
        }
        let offset = match b.get(at) {
            Some(b'Z') => {
                at += 1;
                0
            }
            Some(&c @ (b'+' | b'-')) => {
                let hh = num(at + 1, 2, "bad zone hour")?;
                sep(at + 3, b':')?;
                let mm = num(at + 4, 2, "bad zone minute")?;
                if hh > 23 || mm > 59 {
                    return Err(bad(at, "zone offset out of range"));
                }
                let minutes = i16::try_from(hh * 60 + mm).unwrap_or(0);
                at += 6;
                if c == b'-' { -minutes } else { minutes }
            }
            _ => return Err(bad(at, "expected 'Z' or a zone offset")),
        };
        if at != b.len() {
            return Err(bad(at, "extra text after the time"));
        }
        Ok(Timestamp {
            year,
            month,
            day,
            hour,
            minute,
            second,
            nanos,
            offset,
        })
    }

    /// The nanoseconds since the Unix epoch (negative before 1970), for
    /// ordering times written with different offsets.
    pub fn unix_nanos(&self) -> i128 {
        // Days from civil (Howard Hinnant's algorithm).
        let (y, m, d) = (
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
        );
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let days = era * 146_097 + doe - 719_468;
        let secs = days * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
            - i64::from(self.offset) * 60;
        i128::from(secs) * 1_000_000_000 + i128::from(self.nanos)
    }

    /// The same instant written in UTC (Go's `t.UTC()`), as the gha, s3 and
    /// azblob exporters write a layer's `createdAt`. A time that would
    /// leave years 0001–9999 in UTC is kept as it is.
    #[must_use]
    pub fn to_utc(&self) -> Timestamp {
        if self.offset == 0 {
            return *self;
        }
        let nanos = self.unix_nanos();
        let secs = nanos.div_euclid(1_000_000_000);
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        // Civil from days (Howard Hinnant's algorithm).
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i128::from(month <= 2);
        let (Ok(year), Ok(month), Ok(day), Ok(hour), Ok(minute), Ok(second)) = (
            u16::try_from(year),
            u8::try_from(month),
            u8::try_from(day),
            u8::try_from(rem / 3600),
            u8::try_from(rem / 60 % 60),
            u8::try_from(rem % 60),
        ) else {
            return *self;
        };
        if !(1..=9999).contains(&year) {
            return *self;
        }
        Timestamp {
            year,
            month,
            day,
            hour,
            minute,
            second,
            nanos: self.nanos,
            offset: 0,
        }
    }

    /// The offset from UTC in minutes it was written with.
    pub fn offset_minutes(&self) -> i16 {
        self.offset
    }

    /// Whether this is Go's zero time (an unknown time).
    pub fn is_zero(&self) -> bool {
        *self == Timestamp::default()
    }
}

impl Timestamp {
    /// Appends the JSON string of this time (Go's `MarshalJSON`) to `out`.
    pub(crate) fn write_json(&self, out: &mut Vec<u8>) {
        fn two(out: &mut Vec<u8>, v: u8) {
            out.push(b'0' + v / 10);
            out.push(b'0' + v % 10);
        }
        out.push(b'"');
        let y = self.year;
        for d in [y / 1000, y / 100 % 10, y / 10 % 10, y % 10] {
            out.push(b'0' + u8::try_from(d).unwrap_or(0));
        }
        out.push(b'-');
        two(out, self.month);
        out.push(b'-');
        two(out, self.day);
        out.push(b'T');
        two(out, self.hour);
        out.push(b':');
        two(out, self.minute);
        out.push(b':');
        two(out, self.second);
        if self.nanos != 0 {
            out.push(b'.');
            let mut digits = [0u8; 9];
            let mut n = self.nanos;
            for d in digits.iter_mut().rev() {
                *d = b'0' + u8::try_from(n % 10).unwrap_or(0);
                n /= 10;
            }
            let len = 9 - digits.iter().rev().take_while(|&&d| d == b'0').count();
            out.extend_from_slice(&digits[..len]);
        }
        if self.offset == 0 {
            out.push(b'Z');
        } else {
            out.push(if self.offset < 0 { b'-' } else { b'+' });
            let abs = self.offset.unsigned_abs();
            two(out, u8::try_from(abs / 60).unwrap_or(0));
            out.push(b':');
            two(out, u8::try_from(abs % 60).unwrap_or(0));
        }
        out.push(b'"');
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )?;
        if self.nanos != 0 {
            let digits = format!("{:09}", self.nanos);
            write!(f, ".{}", digits.trim_end_matches('0'))?;
        }
        if self.offset == 0 {
            f.write_str("Z")
        } else {
            let sign = if self.offset < 0 { '-' } else { '+' };
            let abs = self.offset.unsigned_abs();
            write!(f, "{sign}{:02}:{:02}", abs / 60, abs % 60)
        }
    }
}

impl std::str::FromStr for Timestamp {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Timestamp::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_utc_is_the_same_instant_in_utc() {
        for (given, utc) in [
            (
                "2022-03-13T08:13:28.292012782+01:00",
                "2022-03-13T07:13:28.292012782Z",
            ),
            ("2024-02-29T23:59:59-05:30", "2024-03-01T05:29:59Z"),
            ("2024-01-01T00:30:00+01:00", "2023-12-31T23:30:00Z"),
            ("2000-03-01T00:00:00+14:00", "2000-02-29T10:00:00Z"),
            (
                "2026-11-22T10:12:20.34052542Z",
                "2026-11-22T10:12:20.34052542Z",
            ),
            ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z"),
            // Before year 1 in UTC: kept as written.
            ("0001-01-01T00:00:00+01:00", "0001-01-01T00:00:00+01:00"),
        ] {
            let t = Timestamp::parse(given).unwrap();
            assert_eq!(t.to_utc().to_string(), utc, "{given}");
            assert_eq!(t.to_utc().unix_nanos(), t.unix_nanos(), "{given}");
        }
    }

    #[test]
    fn round_trips_go_output() {
        for s in [
            "2026-11-22T10:12:20.165927189Z",
            "2026-11-22T10:12:20.34052542Z",
            "2022-03-13T08:13:28.292012782+01:00",
            "2024-02-29T23:59:59-05:30",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59.999999999Z",
        ] {
            let t = Timestamp::parse(s).unwrap();
            assert_eq!(t.to_string(), s);
            let mut json = Vec::new();
            t.write_json(&mut json);
            assert_eq!(json, format!("\"{s}\"").into_bytes());
        }
    }

    #[test]
    fn normalises_like_go() {
        let t = |s: &str| Timestamp::parse(s).unwrap().to_string();
        assert_eq!(
            t("2024-01-01T00:00:00.500000000Z"),
            "2024-01-01T00:00:00.5Z"
        );
        assert_eq!(t("2024-01-01T00:00:00+00:00"), "2024-01-01T00:00:00Z");
        assert_eq!(
            t("2024-01-01T00:00:00.1234567891234Z"),
            "2024-01-01T00:00:00.123456789Z"
        );
    }

    #[test]
    fn rejects_what_go_rejects() {
        for s in [
            "",
            "2024-01-01",
            "2024-01-01 00:00:00Z",
            "2024-01-01t00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2024-01-00T00:00:00Z",
            "2024-01-01T24:00:00Z",
            "2024-01-01T00:60:00Z",
            "2024-01-01T00:00:60Z",
            "2024-01-01T00:00:00.Z",
            "2024-01-01T00:00:00",
            "2024-01-01T00:00:00+24:00",
            "2024-01-01T00:00:00+0100",
            "2024-01-01T00:00:00Zjunk",
            "+12024-01-01T00:00:00Z",
        ] {
            assert_eq!(
                Timestamp::parse(s).unwrap_err().kind(),
                ErrorKind::InvalidTime,
                "{s}"
            );
        }
    }

    #[test]
    fn orders_across_offsets() {
        let a = Timestamp::parse("2024-01-01T01:00:00+01:00").unwrap();
        let b = Timestamp::parse("2024-01-01T00:00:00.000000001Z").unwrap();
        assert!(a.unix_nanos() < b.unix_nanos());
        assert_eq!(
            Timestamp::parse("1970-01-01T00:00:00Z")
                .unwrap()
                .unix_nanos(),
            0
        );
        assert!(Timestamp::default().unix_nanos() < 0);
    }
}
