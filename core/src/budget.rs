//! The budgets users give on command lines: a byte size (`2GiB`, `500MB`,
//! `10g`) and an age (`7d`, `36h`, `1w2d`), read the same way by every
//! binding and both CLIs.
//!
//! Sizes: a number (decimals allowed) and an optional unit, case-insensitive:
//! `B`; the IEC units `KiB`, `MiB`, `GiB`, `TiB` (powers of 1024); the SI
//! units `kB`, `MB`, `GB`, `TB` (powers of 1000); and the one-letter `k`,
//! `m`, `g`, `t`, which are binary, as in Docker's and buildx's size flags
//! (`--keep-storage 10g`). The result is rounded down to whole bytes and
//! must be at most 2^53−1 (what JavaScript holds exactly).
//!
//! Ages: one or more whole numbers each with a unit `s`, `m`, `h`, `d`
//! (24 h) or `w` (7 d), as `1w2d` or `36h`; a bare number is seconds, like
//! gc's `--grace-period`.

use crate::error::{Error, ErrorKind, Result};
use crate::size::MAX_SAFE_INTEGER;

const UNITS: [(&str, u64); 14] = [
    ("", 1),
    ("b", 1),
    ("k", 1 << 10),
    ("kib", 1 << 10),
    ("kb", 1_000),
    ("m", 1 << 20),
    ("mib", 1 << 20),
    ("mb", 1_000_000),
    ("g", 1 << 30),
    ("gib", 1 << 30),
    ("gb", 1_000_000_000),
    ("t", 1 << 40),
    ("tib", 1 << 40),
    ("tb", 1_000_000_000_000),
];

fn invalid(what: &str, text: &str, why: &str) -> Error {
    Error::new(
        ErrorKind::InvalidArgument,
        format!("{text:?} is not {what}: {why}"),
    )
}

/// Reads a byte size such as `2GiB`, `1.5g`, `500MB` or `1048576`.
/// [`ErrorKind::InvalidArgument`] for anything else, a negative or a size
/// above 2^53−1.
///
/// ```
/// assert_eq!(ocicache::parse_byte_size("2GiB").unwrap(), 2 << 30);
/// assert_eq!(ocicache::parse_byte_size("500MB").unwrap(), 500_000_000);
/// assert_eq!(ocicache::parse_byte_size("1.5k").unwrap(), 1536);
/// ```
pub fn parse_byte_size(text: &str) -> Result<u64> {
    const WHAT: &str = "a size (such as 2GiB, 500MB or 10g)";
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let unit = unit.trim().to_ascii_lowercase();
    let scale = UNITS
        .iter()
        .find(|(u, _)| *u == unit)
        .map(|(_, s)| *s)
        .ok_or_else(|| invalid(WHAT, text, "unknown unit"))?;
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() && fraction.is_empty()
        || whole.len() > 20
        || fraction.len() > 20
        || fraction.contains('.')
    {
        return Err(invalid(WHAT, text, "no number"));
    }
    let digits = |s: &str| -> Result<u128> {
        if s.is_empty() {
            Ok(0)
        } else {
            s.parse::<u128>()
                .map_err(|_| invalid(WHAT, text, "no number"))
        }
    };
    let whole = digits(whole)?;
    let frac = digits(fraction)?;
    let denominator = 10u128.pow(u32::try_from(fraction.len()).unwrap_or(0));
    let bytes = whole
        .checked_mul(u128::from(scale))
        .and_then(|w| w.checked_add(frac * u128::from(scale) / denominator))
        .filter(|b| *b <= u128::from(MAX_SAFE_INTEGER))
        .ok_or_else(|| invalid(WHAT, text, "more than 2^53-1 bytes"))?;
    u64::try_from(bytes).map_err(|_| invalid(WHAT, text, "more than 2^53-1 bytes"))
}

/// Reads an age such as `7d`, `36h`, `1w2d` or `600` (seconds), in
/// milliseconds. [`ErrorKind::InvalidArgument`] for anything else.
///
/// ```
/// assert_eq!(ocicache::parse_duration_ms("7d").unwrap(), 7 * 86_400_000);
/// assert_eq!(ocicache::parse_duration_ms("1h30m").unwrap(), 5_400_000);
/// assert_eq!(ocicache::parse_duration_ms("600").unwrap(), 600_000);
/// ```
pub fn parse_duration_ms(text: &str) -> Result<i64> {
    const WHAT: &str = "an age (such as 7d, 36h or 1w2d)";
    let t = text.trim();
    if t.is_empty() {
        return Err(invalid(WHAT, text, "empty"));
    }
    if t.bytes().all(|b| b.is_ascii_digit()) {
        return t
            .parse::<i64>()
            .ok()
            .and_then(|s| s.checked_mul(1000))
            .ok_or_else(|| invalid(WHAT, text, "too long"));
    }
    let mut total: i64 = 0;
    let mut rest = t;
    while !rest.is_empty() {
        let split = rest
            .find(|c: char| !c.is_ascii_digit())
            .ok_or_else(|| invalid(WHAT, text, "a number without a unit"))?;
        if split == 0 {
            return Err(invalid(WHAT, text, "a unit without a number"));
        }
        let n: i64 = rest[..split]
            .parse()
            .map_err(|_| invalid(WHAT, text, "too long"))?;
        let unit = rest[split..].chars().next().unwrap_or(' ');
        let ms: i64 = match unit.to_ascii_lowercase() {
            's' => 1_000,
            'm' => 60_000,
            'h' => 3_600_000,
            'd' => 86_400_000,
            'w' => 604_800_000,
            _ => return Err(invalid(WHAT, text, "unknown unit (s, m, h, d or w)")),
        };
        total = n
            .checked_mul(ms)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(|| invalid(WHAT, text, "too long"))?;
        rest = &rest[split + unit.len_utf8()..];
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        for (text, want) in [
            ("0", 0),
            ("1048576", 1 << 20),
            ("10g", 10 << 30),
            ("10G", 10 << 30),
            ("2 GiB", 2 << 30),
            ("1.5k", 1536),
            ("0.5MB", 500_000),
            (".5KiB", 512),
            ("12B", 12),
            ("1TB", 1_000_000_000_000),
        ] {
            assert_eq!(parse_byte_size(text).unwrap(), want, "{text}");
        }
        for bad in [
            "",
            "GiB",
            "-1",
            "1.2.3",
            "1 XB",
            "1e9",
            "9007199254740992",
            "99999999999999999999999",
            "1 kibibyte",
            ".",
        ] {
            let err = parse_byte_size(bad).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{bad}");
        }
        assert_eq!(
            parse_byte_size("9007199254740991").unwrap(),
            MAX_SAFE_INTEGER
        );
    }

    #[test]
    fn ages() {
        for (text, want) in [
            ("600", 600_000),
            ("45s", 45_000),
            ("30m", 1_800_000),
            ("36h", 129_600_000),
            ("7d", 604_800_000),
            ("1w2d", 777_600_000),
            ("1H30M", 5_400_000),
        ] {
            assert_eq!(parse_duration_ms(text).unwrap(), want, "{text}");
        }
        for bad in [
            "",
            "d",
            "7x",
            "1.5d",
            "-1d",
            "7d3",
            "99999999999999999999d",
            "7dd",
        ] {
            let err = parse_duration_ms(bad).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{bad}");
        }
    }
}
