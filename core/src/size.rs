//! Sizes crossing into JavaScript, whose numbers are exact only up to 2^53−1.
//!
//! Spec: `oci-basics.md` §2 (`size` is an int64, never negative). The style
//! guide's rule for JS: reject a size above `Number.MAX_SAFE_INTEGER` rather
//! than round it. The Node and WASM bindings call these two functions so that
//! both apply the same rule.

use crate::error::{Error, ErrorKind, Result};

/// `Number.MAX_SAFE_INTEGER`: 2^53−1, the largest size JavaScript holds exactly.
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// A size given as a JavaScript number: a non-negative integer no larger than
/// [`MAX_SAFE_INTEGER`], else [`ErrorKind::SizeOutOfRange`].
///
/// ```
/// use ocicache::size_from_number;
///
/// assert_eq!(size_from_number(1024.0)?, 1024);
/// assert!(size_from_number(-1.0).is_err());
/// assert!(size_from_number(0.5).is_err());
/// assert!(size_from_number(2f64.powi(53)).is_err());
/// # Ok::<(), ocicache::Error>(())
/// ```
pub fn size_from_number(value: f64) -> Result<u64> {
    #[allow(clippy::cast_precision_loss)]
    const MAX: f64 = MAX_SAFE_INTEGER as f64;
    if value.is_finite() && value >= 0.0 && value.fract() == 0.0 && value <= MAX {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Ok(value as u64)
    } else {
        Err(Error::new(
            ErrorKind::SizeOutOfRange,
            format!(
                "size {} is not an integer between 0 and 2^53-1",
                number_text(value)
            ),
        )
        .in_field("size"))
    }
}

/// `value` as text for a message, the shortest form that reads back as it
/// (through `serde_json`'s formatter, which the crate carries anyway: `f64`'s
/// `Display` would add about 7 KB to the viewer's gzipped WASM), and
/// JavaScript's words for what JSON has none for.
pub(crate) fn number_text(value: f64) -> String {
    match serde_json::Number::from_f64(value) {
        Some(n) => n.to_string(),
        None if value.is_nan() => "NaN".to_owned(),
        None if value > 0.0 => "Infinity".to_owned(),
        None => "-Infinity".to_owned(),
    }
}

/// A size as a JavaScript number, or [`ErrorKind::SizeOutOfRange`] above
/// [`MAX_SAFE_INTEGER`], where a number would round.
pub fn size_to_number(value: u64) -> Result<f64> {
    if value <= MAX_SAFE_INTEGER {
        #[allow(clippy::cast_precision_loss)]
        Ok(value as f64)
    } else {
        Err(Error::new(
            ErrorKind::SizeOutOfRange,
            format!("size {value} is above 2^53-1 and cannot be a JavaScript number"),
        )
        .in_field("size"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        #[allow(clippy::cast_precision_loss)]
        let max = MAX_SAFE_INTEGER as f64;
        assert_eq!(size_from_number(max).unwrap(), MAX_SAFE_INTEGER);
        assert_eq!(size_from_number(0.0).unwrap(), 0);
        for bad in [f64::NAN, f64::INFINITY, -0.5, max + 1.0, 1e300] {
            assert_eq!(
                size_from_number(bad).unwrap_err().kind(),
                ErrorKind::SizeOutOfRange
            );
        }
        assert!(size_to_number(MAX_SAFE_INTEGER).is_ok());
        assert!(size_to_number(MAX_SAFE_INTEGER + 1).is_err());
    }

    #[test]
    fn messages_show_the_number_given() {
        let message = |v: f64| size_from_number(v).unwrap_err().to_string();
        assert!(message(0.5).contains("size 0.5 is not"), "{}", message(0.5));
        assert!(message(-2.0).contains("size -2.0 is not"));
        assert!(
            message(1e300).contains("size 1e+300 is not"),
            "{}",
            message(1e300)
        );
        assert!(message(f64::NAN).contains("size NaN is not"));
        assert!(message(f64::INFINITY).contains("size Infinity is not"));
        assert!(message(f64::NEG_INFINITY).contains("size -Infinity is not"));
        let level = crate::level_from_number(2.5).unwrap_err().to_string();
        assert!(level.contains("level 2.5 is not"), "{level}");
    }
}

/// Checks that every integer in a JSON value fits a JavaScript number
/// exactly (|n| ≤ 2^53−1); else [`ErrorKind::SizeOutOfRange`] at its path.
/// The Node and WASM bindings call this before handing plain data to
/// JavaScript, so that a size of 2^60 throws instead of rounding.
pub fn check_safe_integers(value: &serde_json::Value) -> Result<()> {
    use serde_json::Value;
    let mut stack: Vec<(&Value, String)> = vec![(value, String::new())];
    while let Some((v, path)) = stack.pop() {
        match v {
            Value::Number(n) => {
                let safe = n.as_i64().map(i64::unsigned_abs).or(n.as_u64());
                if safe.is_some_and(|a| a > MAX_SAFE_INTEGER) {
                    return Err(Error::new(
                        ErrorKind::SizeOutOfRange,
                        format!("{n} is above 2^53-1 and cannot be a JavaScript number"),
                    )
                    .in_field(path));
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    stack.push((item, format!("{path}[{i}]")));
                }
            }
            Value::Object(map) => {
                for (k, item) in map {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    stack.push((item, p));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// The plain JSON value of a document this crate wrote (for bindings that
/// hand out plain data); [`ErrorKind::InvalidJson`] only for unknown members
/// nested deeper than 128 levels.
pub fn plain_json(bytes: &[u8]) -> Result<serde_json::Value> {
    serde_json::from_slice(bytes).map_err(|e| {
        Error::new(
            ErrorKind::InvalidJson,
            format!("cannot give the document as plain data: {e}"),
        )
    })
}

#[cfg(test)]
mod safe_tests {
    use super::*;

    #[test]
    fn unsafe_integers_are_found_with_their_path() {
        let v =
            plain_json(br#"{"a":[1,{"size":9007199254740992}],"b":-9007199254740991}"#).unwrap();
        let e = check_safe_integers(&v).unwrap_err();
        assert_eq!(
            (e.kind(), e.field()),
            (ErrorKind::SizeOutOfRange, Some("a[1].size"))
        );
        check_safe_integers(&plain_json(br#"{"b":-9007199254740991,"c":1.5}"#).unwrap()).unwrap();
    }
}
