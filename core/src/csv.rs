//! The single-line CSV reader buildx and buildctl split option strings with.
//!
//! Spec: `cache-options.md` §2 (go-csvvalue `Fields` with its default
//! parser, buildx ≥ v0.16). One trailing `\n` or `\r\n` is removed and
//! nothing else is trimmed; empty input is an error (`EOF`); a field is
//! quoted only when its first byte is `"`, where `""` is a literal quote and
//! the closing quote must be followed by `,` or the end; a `"` inside an
//! unquoted field is an error. Errors carry the 1-based byte column in the
//! message, as Go prints them, and the 0-based byte offset as the location.
//!
//! The reader is one linear pass over the bytes, so megabytes of commas or
//! quotes cost linear time.

use std::borrow::Cow;

use crate::error::{Error, ErrorKind, Result};

/// One field of a CSV line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvField<'a> {
    /// The field's text, unquoted.
    pub text: Cow<'a, str>,
    /// The byte offset in the input where the field starts (its opening
    /// quote, if quoted).
    pub offset: usize,
    /// Whether the field was quoted.
    pub quoted: bool,
}

/// Split one line into fields, exactly like go-csvvalue's default parser.
///
/// ```
/// use ocicache::split_csv;
///
/// let fields = split_csv("type=local,\"src=a,b\"\n")?;
/// let texts: Vec<&str> = fields.iter().map(|f| f.text.as_ref()).collect();
/// assert_eq!(texts, ["type=local", "src=a,b"]);
/// assert_eq!(split_csv("a,b\"").unwrap_err().offset(), Some(3));
/// # Ok::<(), ocicache::Error>(())
/// ```
pub fn split_csv(input: &str) -> Result<Vec<CsvField<'_>>> {
    let line = input
        .strip_suffix("\r\n")
        .or_else(|| input.strip_suffix('\n'))
        .unwrap_or(input);
    if line.is_empty() {
        return Err(Error::new(ErrorKind::InvalidCsv, "EOF (empty value)").at_offset(0));
    }
    let bytes = line.as_bytes();
    let mut fields = Vec::new();
    let mut pos = 0;
    loop {
        let start = pos;
        let field = if bytes.get(pos) == Some(&b'"') {
            let (text, end) = quoted(line, pos)?;
            pos = end;
            CsvField {
                text,
                offset: start,
                quoted: true,
            }
        } else {
            let end = bytes[pos..]
                .iter()
                .position(|&b| b == b',')
                .map_or(line.len(), |i| pos + i);
            if let Some(q) = bytes[pos..end].iter().position(|&b| b == b'"') {
                return Err(column_error(pos + q, "bare \" in non-quoted-field"));
            }
            pos = end;
            CsvField {
                text: Cow::Borrowed(&line[start..end]),
                offset: start,
                quoted: false,
            }
        };
        fields.push(field);
        if pos >= line.len() {
            return Ok(fields);
        }
        // The byte at `pos` is a comma: a field follows, possibly empty.
        pos += 1;
        if pos == line.len() {
            fields.push(CsvField {
                text: Cow::Borrowed(""),
                offset: pos,
                quoted: false,
            });
            return Ok(fields);
        }
    }
}

/// The quoted field opening at `start`: its text and the offset just past
/// the closing quote (a comma or the end of the line).
fn quoted(line: &str, start: usize) -> Result<(Cow<'_, str>, usize)> {
    let bytes = line.as_bytes();
    let mut text: Option<String> = None;
    let mut from = start + 1;
    loop {
        let Some(i) = bytes[from..].iter().position(|&b| b == b'"') else {
            return Err(column_error(
                line.len(),
                "extraneous or missing \" in quoted-field",
            ));
        };
        let quote = from + i;
        if bytes.get(quote + 1) == Some(&b'"') {
            text.get_or_insert_with(String::new)
                .push_str(&line[from..=quote]);
            from = quote + 2;
            continue;
        }
        match bytes.get(quote + 1) {
            None | Some(b',') => {
                let text = match text {
                    None => Cow::Borrowed(&line[start + 1..quote]),
                    Some(mut t) => {
                        t.push_str(&line[from..quote]);
                        Cow::Owned(t)
                    }
                };
                return Ok((text, quote + 1));
            }
            Some(_) => {
                return Err(column_error(
                    quote,
                    "extraneous or missing \" in quoted-field",
                ));
            }
        }
    }
}

fn column_error(offset: usize, reason: &str) -> Error {
    Error::new(
        ErrorKind::InvalidCsv,
        format!("parse error on line 1, column {}: {reason}", offset + 1),
    )
    .at_offset(offset)
}

/// Quote one field for a CSV line if it needs it: when it holds `,` or `"`,
/// or when it is the last field and ends in a newline the reader would eat.
pub(crate) fn quote_field(field: &str, last: bool) -> Cow<'_, str> {
    let needs = field.contains([',', '"']) || (last && field.ends_with('\n'));
    if needs {
        Cow::Owned(format!("\"{}\"", field.replace('"', "\"\"")))
    } else {
        Cow::Borrowed(field)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(input: &str) -> Vec<String> {
        split_csv(input)
            .unwrap()
            .into_iter()
            .map(|f| f.text.into_owned())
            .collect()
    }

    fn err(input: &str) -> (usize, String) {
        let e = split_csv(input).unwrap_err();
        (e.offset().unwrap(), e.message().to_owned())
    }

    #[test]
    fn fields() {
        assert_eq!(texts("a,"), ["a", ""]);
        assert_eq!(texts(",,"), ["", "", ""]);
        assert_eq!(texts("\"\""), [""]);
        assert_eq!(texts(" a ,b\tc"), [" a ", "b\tc"]);
        assert_eq!(texts("a\nb"), ["a\nb"]);
        assert_eq!(texts("a\n"), ["a"]);
        assert_eq!(texts("a\r\n"), ["a"]);
        assert_eq!(texts("a\n\n"), ["a\n"]);
        assert_eq!(texts("\"a\"\"b\",\"c,d\""), ["a\"b", "c,d"]);
        assert_eq!(texts("\"x\ny\""), ["x\ny"]);
    }

    #[test]
    fn errors_have_go_columns() {
        assert_eq!(err("foo,aa\"bb,cc").0, 6);
        assert_eq!(err("a\"\"b,c").0, 1);
        assert_eq!(err("\"a \"word\",\"b\"").0, 3);
        assert_eq!(err("\"").0, 1);
        assert_eq!(err("\"\"\"").0, 3);
        assert_eq!(err(" \"a\"").0, 1);
        assert!(
            err("foo,aa\"bb,cc")
                .1
                .ends_with("column 7: bare \" in non-quoted-field")
        );
        assert_eq!(err("").1, "EOF (empty value)");
        assert_eq!(err("\n").0, 0);
    }

    #[test]
    fn quoting_round_trips() {
        for field in ["a,b", "say \"hi\"", "\"", "plain", "x\n"] {
            let line = quote_field(field, true);
            assert_eq!(texts(&line), [field], "{line}");
        }
    }

    #[test]
    fn linear_on_hostile_input() {
        let commas = ",".repeat(4_000_000);
        assert_eq!(split_csv(&commas).unwrap().len(), 4_000_001);
        let quotes = "\"".repeat(4_000_001);
        assert!(split_csv(&quotes).is_err());
        let doubled = format!("\"{}\"", "\"\"".repeat(1_000_000));
        assert_eq!(texts(&doubled)[0].len(), 1_000_000);
    }
}
