//! Go's value syntaxes, as BuildKit parses option values.
//!
//! Spec: `cache-options.md` §9 "Value syntaxes": `strconv.ParseBool`,
//! base-10 `strconv.Atoi` (64-bit, optional sign) and `time.ParseDuration`;
//! and §3 for Go's `strings.ToLower` and `%q` quoting used in messages.

use std::fmt::Write as _;

/// Go `strconv.ParseBool`: exactly `1 t T TRUE true True 0 f F FALSE false False`.
pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Go `strconv.Atoi` on a 64-bit platform: optional `+`/`-`, ASCII digits,
/// within `i64`.
pub(crate) fn parse_int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // i64's FromStr accepts the same grammar (optional sign, digits).
    s.parse().ok()
}

/// Go `time.ParseDuration`, in nanoseconds: `0`, or an optional sign and a
/// sequence of decimal numbers (with optional fraction) each with a unit
/// `ns us µs μs ms s m h`, such as `1h30m` or `1.5s`. `None` when malformed or
/// out of `i64` nanoseconds.
pub(crate) fn parse_duration(s: &str) -> Option<i64> {
    let (negative, mut rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if rest == "0" {
        return Some(0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (int_part, after) = rest.split_at(int_len);
        let (frac_part, after) = match after.strip_prefix('.') {
            Some(f) => {
                let n = f.bytes().take_while(u8::is_ascii_digit).count();
                f.split_at(n)
            }
            None => ("", after),
        };
        if int_part.is_empty() && frac_part.is_empty() {
            return None;
        }
        let unit_len = after
            .char_indices()
            .find(|(_, c)| c.is_ascii_digit() || *c == '.')
            .map_or(after.len(), |(i, _)| i);
        let (unit, next) = after.split_at(unit_len);
        let scale: u128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => return None,
        };
        let int: u128 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().ok()?
        };
        total = total.checked_add(int.checked_mul(scale)?)?;
        // Go keeps the fraction exact by digits; so do we, rounding down.
        let mut frac_scale = scale;
        for d in frac_part.bytes().take(30) {
            frac_scale /= 10;
            total = total.checked_add(u128::from(d - b'0') * frac_scale)?;
        }
        if total > i64::MAX as u128 + u128::from(negative) {
            return None;
        }
        rest = next;
    }
    let total = i128::try_from(total).ok()?;
    i64::try_from(if negative { -total } else { total }).ok()
}

/// Go `strings.ToLower`: per rune, simple case mapping (so `İ` becomes `i`,
/// not `i̇`, and there is no final-sigma rule).
pub(crate) fn go_lowercase(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    s.chars()
        .map(|c| match c {
            '\u{130}' => 'i',
            c => c.to_lowercase().next().unwrap_or(c),
        })
        .collect()
}

/// Go's `%q` of a string: double-quoted with Go escapes, printable
/// characters kept as they are.
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bools() {
        for t in ["1", "t", "T", "TRUE", "true", "True"] {
            assert_eq!(parse_bool(t), Some(true));
        }
        for f in ["0", "f", "F", "FALSE", "false", "False"] {
            assert_eq!(parse_bool(f), Some(false));
        }
        for bad in ["yes", "on", " true", "tRUE", "", "2"] {
            assert_eq!(parse_bool(bad), None, "{bad}");
        }
    }

    #[test]
    fn ints() {
        assert_eq!(parse_int("+4"), Some(4));
        assert_eq!(parse_int("-2"), Some(-2));
        assert_eq!(parse_int("9223372036854775807"), Some(i64::MAX));
        for bad in [
            "",
            "+",
            "1.0",
            " 1",
            "1 ",
            "0x10",
            "9223372036854775808",
            "١",
        ] {
            assert_eq!(parse_int(bad), None, "{bad}");
        }
    }

    #[test]
    fn durations() {
        let s = 1_000_000_000;
        assert_eq!(parse_duration("10m"), Some(600 * s));
        assert_eq!(parse_duration("1h30m"), Some(5400 * s));
        assert_eq!(parse_duration("500ms"), Some(s / 2));
        assert_eq!(parse_duration("1.5s"), Some(3 * s / 2));
        assert_eq!(parse_duration(".5s"), Some(s / 2));
        assert_eq!(parse_duration("0"), Some(0));
        assert_eq!(parse_duration("-1m"), Some(-60 * s));
        assert_eq!(parse_duration("2µs"), Some(2000));
        assert_eq!(parse_duration("2562047h47m16.854775807s"), Some(i64::MAX));
        for bad in [
            "",
            "10",
            "1d",
            "m",
            "1.s.",
            "-",
            "1h-1m",
            " 1s",
            "2562047h48m",
            ".",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn lowercase_and_quote() {
        assert_eq!(go_lowercase("TyPe"), "type");
        assert_eq!(go_lowercase("İΣ"), "iσ");
        assert_eq!(go_quote("test=test"), "\"test=test\"");
        assert_eq!(go_quote("\"a=b\""), "\"\\\"a=b\\\"\"");
        assert_eq!(go_quote("a\u{1}é"), "\"a\\x01é\"");
    }
}
