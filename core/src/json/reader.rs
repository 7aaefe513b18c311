//! A pull reader for JSON that reads the way Go's `encoding/json` does when
//! BuildKit unmarshals a cache config, manifest or index (cache-format.md §2.2,
//! §6): `null` leaves a field at its zero value, invalid UTF-8 in a string
//! becomes U+FFFD byte by byte, integers must be integers, nesting stops at
//! Go's depth of 10 000. Errors are [`ErrorKind::InvalidJson`] with the byte
//! offset; callers add the field path with [`Error::within`].

use std::borrow::Cow;

use crate::error::{Error, ErrorKind, Result};

/// Go's `encoding/json` maximum nesting depth.
pub(crate) const MAX_DEPTH: usize = 10_000;

/// Reads the whole of `bytes` as one document with `read`: nothing but
/// whitespace may follow.
pub(crate) fn document<T>(
    bytes: &[u8],
    read: impl FnOnce(&mut Reader<'_>) -> Result<T>,
) -> Result<T> {
    let mut r = Reader::new(bytes);
    let value = read(&mut r)?;
    r.finish()?;
    Ok(value)
}

/// A cursor over one JSON document.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `bytes`.
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Reader {
            bytes,
            pos: 0,
            depth: 0,
        }
    }

    /// An [`ErrorKind::InvalidJson`] error at the current offset.
    pub(crate) fn error(&self, message: impl Into<String>) -> Error {
        Error::new(ErrorKind::InvalidJson, message).at_offset(self.pos)
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    /// The next non-whitespace byte, not consumed.
    pub(crate) fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.bytes.get(self.pos).copied()
    }

    /// Checks that nothing but whitespace follows the value read.
    pub(crate) fn finish(&mut self) -> Result<()> {
        match self.peek() {
            None => Ok(()),
            Some(c) => Err(self.error(format!(
                "invalid character {} after top-level value",
                show(c)
            ))),
        }
    }

    fn found(&mut self) -> &'static str {
        match self.peek() {
            None => "the end of the input",
            Some(b'{') => "an object",
            Some(b'[') => "an array",
            Some(b'"') => "a string",
            Some(b't' | b'f') => "a boolean",
            Some(b'n') => "null",
            Some(b'-' | b'0'..=b'9') => "a number",
            Some(_) => "an invalid character",
        }
    }

    /// An error saying `want` was expected where something else is.
    pub(crate) fn unexpected(&mut self, want: &str) -> Error {
        let found = self.found();
        self.error(format!("expected {want}, found {found}"))
    }

    /// Consumes a `null` if one is next: Go leaves the field at its zero value.
    pub(crate) fn null(&mut self) -> Result<bool> {
        if self.peek() == Some(b'n') {
            self.literal(b"null")?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    fn literal(&mut self, lit: &[u8]) -> Result<()> {
        if self.bytes[self.pos..].starts_with(lit) {
            self.pos += lit.len();
            Ok(())
        } else {
            Err(self.error("invalid literal (expected true, false or null)"))
        }
    }

    fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(format!("exceeded max depth of {MAX_DEPTH}")));
        }
        self.pos += 1;
        Ok(())
    }

    /// Reads an object, calling `member(reader, key)` for each member; the
    /// callback must consume the member's value.
    pub(crate) fn object(
        &mut self,
        mut member: impl FnMut(&mut Self, Cow<'a, str>) -> Result<()>,
    ) -> Result<()> {
        if self.peek() != Some(b'{') {
            return Err(self.unexpected("an object"));
        }
        self.enter()?;
        if self.peek() == Some(b'}') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(());
        }
        loop {
            if self.peek() != Some(b'"') {
                return Err(self.unexpected("a string key"));
            }
            let key = self.string()?;
            if self.peek() != Some(b':') {
                return Err(self.error("expected ':' after object key"));
            }
            self.pos += 1;
            member(self, key)?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    self.depth -= 1;
                    return Ok(());
                }
                _ => return Err(self.error("expected ',' or '}' after object member")),
            }
        }
    }

    /// Reads an array, calling `element(reader, index)` for each element; the
    /// callback must consume the element.
    pub(crate) fn array(
        &mut self,
        mut element: impl FnMut(&mut Self, usize) -> Result<()>,
    ) -> Result<()> {
        if self.peek() != Some(b'[') {
            return Err(self.unexpected("an array"));
        }
        self.enter()?;
        if self.peek() == Some(b']') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(());
        }
        let mut index = 0;
        loop {
            element(self, index)?;
            index += 1;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    self.depth -= 1;
                    return Ok(());
                }
                _ => return Err(self.error("expected ',' or ']' after array element")),
            }
        }
    }

    /// Reads a string, decoding escapes; borrowed when it has none.
    pub(crate) fn string(&mut self) -> Result<Cow<'a, str>> {
        if self.peek() != Some(b'"') {
            return Err(self.unexpected("a string"));
        }
        let bytes = self.bytes;
        let start = self.pos + 1;
        let mut i = start;
        loop {
            match bytes.get(i) {
                None => {
                    self.pos = i;
                    return Err(self.error("unexpected end of input in string"));
                }
                Some(b'"') => {
                    self.pos = i + 1;
                    return Ok(go_utf8(&bytes[start..i], String::new()));
                }
                Some(b'\\') => break,
                Some(&c) if c < 0x20 => {
                    self.pos = i;
                    return Err(self.error(format!("invalid character {} in string", show(c))));
                }
                Some(_) => i += 1,
            }
        }
        let mut out = go_utf8(&bytes[start..i], String::new()).into_owned();
        let mut run = i;
        loop {
            match bytes.get(i) {
                None => {
                    self.pos = i;
                    return Err(self.error("unexpected end of input in string"));
                }
                Some(b'"') => {
                    out = go_utf8(&bytes[run..i], out).into_owned();
                    self.pos = i + 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    out = go_utf8(&bytes[run..i], out).into_owned();
                    self.pos = i;
                    i = self.escape(&mut out)?;
                    run = i;
                }
                Some(&c) if c < 0x20 => {
                    self.pos = i;
                    return Err(self.error(format!("invalid character {} in string", show(c))));
                }
                Some(_) => i += 1,
            }
        }
    }

    /// Decodes the escape at `self.pos` into `out`; returns the index after it.
    fn escape(&mut self, out: &mut String) -> Result<usize> {
        let i = self.pos + 1;
        let simple = match self.bytes.get(i) {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                let unit = self.hex4(i + 1)?;
                if (0xD800..0xDC00).contains(&unit)
                    && self.bytes.get(i + 5) == Some(&b'\\')
                    && self.bytes.get(i + 6) == Some(&b'u')
                {
                    let low = self.hex4(i + 7)?;
                    if (0xDC00..0xE000).contains(&low) {
                        let c = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                        out.push(char::from_u32(c).unwrap_or('\u{FFFD}'));
                        return Ok(i + 11);
                    }
                }
                out.push(char::from_u32(unit).unwrap_or('\u{FFFD}'));
                return Ok(i + 5);
            }
            _ => {
                self.pos = i;
                return Err(self.error("invalid escape in string"));
            }
        };
        out.push(simple);
        Ok(i + 1)
    }

    fn hex4(&mut self, at: usize) -> Result<u32> {
        let digits = self.bytes.get(at..at + 4).unwrap_or_default();
        let text = std::str::from_utf8(digits).unwrap_or_default();
        match u32::from_str_radix(text, 16) {
            Ok(v) if text.len() == 4 && text.bytes().all(|b| b.is_ascii_hexdigit()) => Ok(v),
            _ => {
                self.pos = at;
                Err(self.error("invalid \\u escape in string"))
            }
        }
    }

    /// Reads a number literal and returns its text.
    fn number(&mut self) -> Result<&'a str> {
        self.ws();
        let bytes = self.bytes;
        let start = self.pos;
        let mut i = start;
        if bytes.get(i) == Some(&b'-') {
            i += 1;
        }
        let digits = |i: &mut usize| {
            let from = *i;
            while bytes.get(*i).is_some_and(u8::is_ascii_digit) {
                *i += 1;
            }
            *i - from
        };
        match bytes.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => {
                digits(&mut i);
            }
            _ => {
                self.pos = i;
                return Err(self.error("invalid number"));
            }
        }
        if bytes.get(i) == Some(&b'.') {
            i += 1;
            if digits(&mut i) == 0 {
                self.pos = i;
                return Err(self.error("invalid number: no digits after '.'"));
            }
        }
        if let Some(b'e' | b'E') = bytes.get(i) {
            i += 1;
            if let Some(b'+' | b'-') = bytes.get(i) {
                i += 1;
            }
            if digits(&mut i) == 0 {
                self.pos = i;
                return Err(self.error("invalid number: no digits in exponent"));
            }
        }
        self.pos = i;
        // The grammar above only admits ASCII.
        Ok(std::str::from_utf8(&bytes[start..i]).unwrap_or_default())
    }

    /// Reads an integer literal: its value as an `i128` (every JSON
    /// integer an `i64` or `u64` field can hold fits), or `None` when the
    /// literal has a fraction or an exponent or is out of even that range.
    fn integer(&mut self) -> Result<(usize, &'a str, Option<i128>)> {
        if !matches!(self.peek(), Some(b'-' | b'0'..=b'9')) {
            return Err(self.unexpected("an integer"));
        }
        let start = self.pos;
        let text = self.number()?;
        Ok((start, text, text.parse::<i128>().ok()))
    }

    /// Reads an integer that must fit an `i64` (Go's `int` on 64-bit).
    pub(crate) fn int(&mut self) -> Result<i64> {
        let (start, text, value) = self.integer()?;
        let why = match value.map(i64::try_from) {
            Some(Ok(v)) => return Ok(v),
            Some(Err(_)) => "out of range for a 64-bit integer",
            None if text.bytes().all(|b| b == b'-' || b.is_ascii_digit()) => {
                "out of range for a 64-bit integer"
            }
            None => "not an integer",
        };
        Err(Error::new(
            ErrorKind::InvalidJson,
            format!("cannot read number {} as an integer: {why}", short(text)),
        )
        .at_offset(start))
    }

    /// Reads a size: an integer from 0 to 2^63−1 (Go's `int64`, never
    /// negative), else [`ErrorKind::SizeOutOfRange`]; a fraction is
    /// [`ErrorKind::InvalidJson`] like any non-integer.
    pub(crate) fn size(&mut self) -> Result<u64> {
        let (start, text, value) = self.integer()?;
        let integral = text.bytes().all(|b| b == b'-' || b.is_ascii_digit());
        match value.map(|v| i64::try_from(v).map(u64::try_from)) {
            Some(Ok(Ok(v))) => Ok(v),
            _ if integral => Err(Error::new(
                ErrorKind::SizeOutOfRange,
                format!("size {} is not between 0 and 2^63-1", short(text)),
            )
            .at_offset(start)),
            _ => Err(Error::new(
                ErrorKind::InvalidJson,
                format!(
                    "cannot read number {} as an integer: not an integer",
                    short(text)
                ),
            )
            .at_offset(start)),
        }
    }

    /// Reads a string and parses it with `parse`, placing the offset of a
    /// parse error inside the document.
    pub(crate) fn parsed<T>(&mut self, parse: impl FnOnce(&str) -> Result<T>) -> Result<T> {
        self.peek();
        let start = self.pos + 1;
        let s = self.string()?;
        parse(&s).map_err(|e| {
            Error::new(e.kind(), e.message().to_owned()).at_offset(start + e.offset().unwrap_or(0))
        })
    }

    /// Reads an object (or `null`) into a fresh `T`, calling `member` for
    /// each member that is not `null` (Go leaves those at the zero value).
    pub(crate) fn object_into<T: Default>(
        &mut self,
        mut member: impl FnMut(&mut Self, &str, &mut T) -> Result<()>,
    ) -> Result<T> {
        let mut value = T::default();
        if !self.null()? {
            self.object(|r, key| {
                if r.null()? {
                    return Ok(());
                }
                member(r, &key, &mut value)
            })?;
        }
        Ok(value)
    }

    /// Reads an array (or `null`), each element by `element`, with errors
    /// located at the element's index.
    pub(crate) fn list<T>(
        &mut self,
        mut element: impl FnMut(&mut Self) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut out = Vec::new();
        if !self.null()? {
            self.array(|r, i| {
                out.push(element(r).map_err(|e| e.within(&format!("[{i}]")))?);
                Ok(())
            })?;
        }
        Ok(out)
    }

    /// Skips one value of any kind and returns its raw bytes.
    pub(crate) fn skip(&mut self) -> Result<&'a [u8]> {
        self.ws();
        let start = self.pos;
        // One entry per open container: true for an object.
        let mut stack: Vec<bool> = Vec::new();
        loop {
            // A value is expected here.
            match self.peek() {
                Some(b'{') => {
                    self.enter()?;
                    stack.push(true);
                    if self.peek() == Some(b'}') {
                        self.pos += 1;
                        self.depth -= 1;
                        stack.pop();
                    } else {
                        self.key()?;
                        continue;
                    }
                }
                Some(b'[') => {
                    self.enter()?;
                    stack.push(false);
                    if self.peek() == Some(b']') {
                        self.pos += 1;
                        self.depth -= 1;
                        stack.pop();
                    } else {
                        continue;
                    }
                }
                Some(b'"') => {
                    self.string()?;
                }
                Some(b't') => self.literal(b"true")?,
                Some(b'f') => self.literal(b"false")?,
                Some(b'n') => self.literal(b"null")?,
                Some(b'-' | b'0'..=b'9') => {
                    self.number()?;
                }
                _ => return Err(self.unexpected("a value")),
            }
            // After a value: close containers or move to the next element.
            loop {
                let Some(&is_object) = stack.last() else {
                    return Ok(&self.bytes[start..self.pos]);
                };
                match (self.peek(), is_object) {
                    (Some(b','), true) => {
                        self.pos += 1;
                        self.key()?;
                        break;
                    }
                    (Some(b','), false) => {
                        self.pos += 1;
                        break;
                    }
                    (Some(b'}'), true) | (Some(b']'), false) => {
                        self.pos += 1;
                        self.depth -= 1;
                        stack.pop();
                    }
                    _ => return Err(self.error("expected ',' or the end of the container")),
                }
            }
        }
    }

    fn key(&mut self) -> Result<()> {
        if self.peek() != Some(b'"') {
            return Err(self.unexpected("a string key"));
        }
        self.string()?;
        if self.peek() != Some(b':') {
            return Err(self.error("expected ':' after object key"));
        }
        self.pos += 1;
        Ok(())
    }
}

/// `bytes` as UTF-8 appended to `out`, each invalid byte replaced by U+FFFD
/// as Go does; borrowed when `out` is empty and `bytes` are valid.
fn go_utf8(bytes: &[u8], mut out: String) -> Cow<'_, str> {
    if let Ok(s) = std::str::from_utf8(bytes) {
        if out.is_empty() {
            return Cow::Borrowed(s);
        }
        out.push_str(s);
        return Cow::Owned(out);
    }
    let mut rest = bytes;
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                out.push_str(s);
                return Cow::Owned(out);
            }
            Err(e) => {
                let (valid, after) = rest.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                out.push('\u{FFFD}');
                rest = &after[1..];
            }
        }
    }
}

fn show(c: u8) -> String {
    if c.is_ascii_graphic() {
        format!("'{}'", c as char)
    } else {
        format!("0x{c:02x}")
    }
}

fn short(text: &str) -> &str {
    text.get(..40).unwrap_or(text)
}

/// Whether `key` names the field `name`: exactly, or ignoring ASCII case as
/// Go's decoder also accepts.
pub(crate) fn is_key(key: &str, name: &str) -> bool {
    key == name || key.eq_ignore_ascii_case(name)
}
