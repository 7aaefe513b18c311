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
            format!("size {value} is not an integer between 0 and 2^53-1"),
        )
        .in_field("size"))
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
}
