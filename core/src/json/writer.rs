//! Writes JSON byte-for-byte like Go's `encoding/json` `Marshal`
//! (cache-format.md §2.4): compact, keys in struct order, strings escaped the
//! Go way (`<`, `>`, `&`, U+2028 and U+2029 as `\u` escapes, `\b` and `\f` as
//! Go ≥ 1.22 writes them, other controls as lower-case `\u00xx`).

/// A growing buffer of JSON output.
pub(crate) struct Writer {
    pub(crate) out: Vec<u8>,
}

const HEX: &[u8; 16] = b"0123456789abcdef";

impl Writer {
    /// An empty writer with room for `capacity` bytes.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Writer {
            out: Vec::with_capacity(capacity),
        }
    }

    /// Appends bytes that are already JSON.
    pub(crate) fn raw(&mut self, json: &[u8]) {
        self.out.extend_from_slice(json);
    }

    /// Appends one byte of JSON punctuation.
    pub(crate) fn byte(&mut self, b: u8) {
        self.out.push(b);
    }

    /// Appends `s` as a JSON string literal, escaped like Go.
    pub(crate) fn string(&mut self, s: &str) {
        let out = &mut self.out;
        out.reserve(s.len() + 2);
        out.push(b'"');
        let bytes = s.as_bytes();
        let mut run = 0;
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            let escape: &[u8] = match b {
                b'"' => b"\\\"",
                b'\\' => b"\\\\",
                b'\n' => b"\\n",
                b'\r' => b"\\r",
                b'\t' => b"\\t",
                0x08 => b"\\b",
                0x0c => b"\\f",
                0..0x20 | b'<' | b'>' | b'&' => b"",
                0xe2 if bytes.get(i + 1) == Some(&0x80)
                    && matches!(bytes.get(i + 2), Some(0xa8 | 0xa9)) =>
                {
                    b""
                }
                _ => {
                    i += 1;
                    continue;
                }
            };
            out.extend_from_slice(&bytes[run..i]);
            if escape.is_empty() {
                if b == 0xe2 {
                    out.extend_from_slice(if bytes[i + 2] == 0xa8 {
                        b"\\u2028"
                    } else {
                        b"\\u2029"
                    });
                    i += 3;
                    run = i;
                    continue;
                }
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 0xf)]);
            } else {
                out.extend_from_slice(escape);
            }
            i += 1;
            run = i;
        }
        out.extend_from_slice(&bytes[run..]);
        out.push(b'"');
    }

    /// Appends an integer in decimal.
    pub(crate) fn int(&mut self, v: i64) {
        if v < 0 {
            self.out.push(b'-');
        }
        self.uint(v.unsigned_abs());
    }

    /// Appends a non-negative integer in decimal.
    pub(crate) fn uint(&mut self, mut v: u64) {
        let mut buf = [0u8; 20];
        let mut at = buf.len();
        loop {
            at -= 1;
            // `v % 10` is below 10.
            buf[at] = b'0' + u8::try_from(v % 10).unwrap_or(0);
            v /= 10;
            if v == 0 {
                break;
            }
        }
        self.out.extend_from_slice(&buf[at..]);
    }

    /// Appends `,"key":` (or `"key":` when `first`), with `key` escaped.
    pub(crate) fn key(&mut self, first: &mut bool, key: &str) {
        if !std::mem::take(first) {
            self.out.push(b',');
        }
        self.string(key);
        self.out.push(b':');
    }

    /// Appends a map of strings with keys sorted by bytes, as Go does.
    pub(crate) fn string_map<'m>(
        &mut self,
        entries: impl Iterator<Item = (&'m String, &'m String)>,
    ) {
        self.out.push(b'{');
        let mut first = true;
        for (k, v) in entries {
            self.key(&mut first, k);
            self.string(v);
        }
        self.out.push(b'}');
    }
}

/// Go's escaping of one string, as a `String` (for tests and messages).
#[cfg(test)]
pub(crate) fn go_quote(s: &str) -> String {
    let mut w = Writer::with_capacity(s.len() + 2);
    w.string(s);
    String::from_utf8(w.out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_go() {
        assert_eq!(go_quote("a<b>&c"), r#""a\u003cb\u003e\u0026c""#);
        assert_eq!(go_quote("\u{2028}x\u{2029}"), r#""\u2028x\u2029""#);
        assert_eq!(
            go_quote("\"\\\n\r\t\u{8}\u{c}\u{1}\u{1f}"),
            r#""\"\\\n\r\t\b\f\u0001\u001f""#
        );
        assert_eq!(go_quote("é/ü\u{2027}"), "\"é/ü\u{2027}\"");
    }

    #[test]
    fn integers() {
        let mut w = Writer::with_capacity(8);
        w.int(-1);
        w.byte(b' ');
        w.int(i64::MIN);
        w.byte(b' ');
        w.uint(0);
        w.byte(b' ');
        w.uint(u64::MAX);
        assert_eq!(
            String::from_utf8(w.out).unwrap(),
            "-1 -9223372036854775808 0 18446744073709551615"
        );
    }
}
