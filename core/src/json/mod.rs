//! JSON the way BuildKit reads and writes it (cache-format.md §2.2 and §2.4):
//! a pull [`reader`] with Go's decoding rules, a [`writer`] with Go's
//! `Marshal` bytes, and [`Extra`], the unknown members an object carried.

pub(crate) mod options;
pub(crate) mod reader;
pub(crate) mod writer;

use writer::Writer;

/// Members of a JSON object that this library does not know, kept in input
/// order as compact JSON text so that reading and writing a document loses
/// nothing. BuildKit (Go) drops them when it rewrites a document; they are
/// written after the known members.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extra(Vec<(String, String)>);

impl Extra {
    /// Whether no unknown member was kept.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The number of unknown members.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Each unknown member as `(key, compact JSON value)`.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The compact JSON value of the unknown member `key`, if any.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Keeps `raw` (one JSON value as read) under `key`, compacted.
    pub(crate) fn push(&mut self, key: &str, raw: &[u8]) {
        self.0.push((key.to_owned(), compact(raw)));
    }

    /// Writes each member as `,"key":value`.
    pub(crate) fn write(&self, w: &mut Writer, first: &mut bool) {
        for (k, v) in &self.0 {
            w.key(first, k);
            w.raw(v.as_bytes());
        }
    }
}

/// `raw` JSON without whitespace outside strings.
fn compact(raw: &[u8]) -> String {
    let mut out = Vec::with_capacity(raw.len());
    let mut in_string = false;
    let mut escaped = false;
    for &b in raw {
        if in_string {
            out.push(b);
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
            in_string = b == b'"';
            out.push(b);
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::reader::Reader;
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn extra_is_compacted_and_kept_in_order() {
        let mut e = Extra::default();
        e.push("b", b"{ \"x\" : [ 1 , \"a b\" ] }");
        e.push("a", b"true");
        assert_eq!(
            e.iter().collect::<Vec<_>>(),
            [("b", r#"{"x":[1,"a b"]}"#), ("a", "true")]
        );
        let mut w = Writer::with_capacity(16);
        let mut first = true;
        e.write(&mut w, &mut first);
        assert_eq!(w.out, br#""b":{"x":[1,"a b"]},"a":true"#);
    }

    #[test]
    fn reader_strings_follow_go() {
        let read = |s: &[u8]| Reader::new(s).string().map(std::borrow::Cow::into_owned);
        assert_eq!(
            read(br#""a\u00e9\ud83d\ude00\ud800x\/""#).unwrap(),
            "aé😀\u{FFFD}x/"
        );
        assert_eq!(read(b"\"\xe2\x80A\"").unwrap(), "\u{FFFD}\u{FFFD}A");
        assert_eq!(read(b"\"a\nb\"").unwrap_err().offset(), Some(2));
        assert_eq!(read(br#""\x""#).unwrap_err().kind(), ErrorKind::InvalidJson);
        assert_eq!(
            read(br#""\u12""#).unwrap_err().kind(),
            ErrorKind::InvalidJson
        );
        assert_eq!(read(b"\"abc").unwrap_err().kind(), ErrorKind::InvalidJson);
    }

    #[test]
    fn reader_integers_follow_go() {
        let int = |s: &[u8]| Reader::new(s).int();
        assert_eq!(int(b" -1").unwrap(), -1);
        assert_eq!(int(b"9223372036854775807").unwrap(), i64::MAX);
        assert!(
            int(b"9223372036854775808")
                .unwrap_err()
                .message()
                .contains("out of range")
        );
        assert!(
            int(b"1.0")
                .unwrap_err()
                .message()
                .contains("not an integer")
        );
        assert!(int(b"1e2").is_err());
        assert!(
            int(b"01").is_ok(),
            "reads 0; the caller then finds the extra digit"
        );
        assert!(int(b"\"1\"").is_err());
        let size = |s: &[u8]| Reader::new(s).size();
        assert_eq!(
            size(b"9223372036854775808").unwrap_err().kind(),
            ErrorKind::SizeOutOfRange
        );
        assert_eq!(size(b"-1").unwrap_err().kind(), ErrorKind::SizeOutOfRange);
    }

    #[test]
    fn skip_is_iterative_and_limited() {
        let deep = "[".repeat(100_000) + &"]".repeat(100_000);
        let err = Reader::new(deep.as_bytes()).skip().unwrap_err();
        assert!(err.message().contains("max depth"), "{err}");
        let ok = "[".repeat(9_999) + &"]".repeat(9_999);
        assert!(Reader::new(ok.as_bytes()).skip().is_ok());
        let mut r = Reader::new(br#" {"a":[1,{"b":null}],"c":"\"}"} x"#);
        assert_eq!(r.skip().unwrap(), br#"{"a":[1,{"b":null}],"c":"\"}"}"#);
        assert!(r.finish().is_err());
        for bad in [
            &b"[1,]"[..],
            b"{\"a\"}",
            b"{\"a\":1,}",
            b"[1 2]",
            b"tru",
            b"-",
            b"1.",
            b"{1:2}",
            b"[}",
        ] {
            assert_eq!(
                Reader::new(bad).skip().unwrap_err().kind(),
                ErrorKind::InvalidJson,
                "{bad:?}"
            );
        }
    }
}
