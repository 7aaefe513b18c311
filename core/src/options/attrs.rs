//! Reading an entry's attributes for its backend: each read marks the key as
//! known, values are checked with Go's syntaxes, keys meant for the other
//! direction or ignored by the backend become `OPTION_IGNORED` warnings, and
//! keys never read become `UNKNOWN_OPTION` warnings.
//!
//! Spec: `cache-options.md` §9 (which keys each backend reads, for which
//! direction, with which syntax).

use super::Direction;
use super::entry::RawEntry;
use super::value::{parse_bool, parse_duration, parse_int};
use crate::error::{Error, ErrorKind, Result};

/// Which direction an attribute is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum For {
    Export,
    Import,
    Both,
}

/// The attributes of one entry, read for its backend.
pub(crate) struct Attrs<'a> {
    entry: &'a RawEntry,
    direction: Option<Direction>,
    known: Vec<&'a str>,
    pub warnings: Vec<Error>,
}

impl<'a> Attrs<'a> {
    pub fn new(entry: &'a RawEntry, direction: Option<Direction>) -> Self {
        Attrs {
            entry,
            direction,
            known: Vec::new(),
            warnings: Vec::new(),
        }
    }

    pub fn offset(&self, key: &str) -> usize {
        self.entry.attrs.get(key).map_or(0, |(_, offset)| *offset)
    }

    /// An `INVALID_OPTION_VALUE` error about `key`.
    pub fn invalid(&self, key: &str, message: String) -> Error {
        Error::new(ErrorKind::InvalidOptionValue, message)
            .in_field(key)
            .at_offset(self.offset(key))
    }

    /// A warning about `key`, if the entry has it.
    pub fn ignore(&mut self, key: &'a str, why: &str) {
        if self.entry.attrs.contains_key(key) {
            self.known.push(key);
            let warning = Error::new(ErrorKind::OptionIgnored, format!("{key} is ignored: {why}"))
                .in_field(key)
                .at_offset(self.offset(key));
            self.warnings.push(warning);
        }
    }

    /// The raw value of `key`, if present and meant for this direction.
    pub fn get(&mut self, key: &'a str, applies: For) -> Option<&'a str> {
        let (value, _) = self.entry.attrs.get(key)?;
        let wrong = match (applies, self.direction) {
            (For::Export, Some(Direction::Import)) => {
                Some("it is only read on export (--cache-to)")
            }
            (For::Import, Some(Direction::Export)) => {
                Some("it is only read on import (--cache-from)")
            }
            _ => None,
        };
        if let Some(why) = wrong {
            self.ignore(key, why);
            return None;
        }
        self.known.push(key);
        Some(value)
    }

    /// A string value, or `default` when absent.
    pub fn string(&mut self, key: &'a str, applies: For, default: &str) -> String {
        self.get(key, applies).unwrap_or(default).to_owned()
    }

    /// An optional string value.
    pub fn optional(&mut self, key: &'a str, applies: For) -> Option<String> {
        self.get(key, applies).map(str::to_owned)
    }

    /// A Go bool, or `default` when absent.
    pub fn bool(&mut self, key: &'a str, applies: For, default: bool) -> Result<bool> {
        match self.get(key, applies) {
            None => Ok(default),
            Some(v) => parse_bool(v).ok_or_else(|| {
                self.invalid(
                    key,
                    format!("failed to parse {key}: strconv.ParseBool: parsing {v:?}: invalid syntax (use true or false)"),
                )
            }),
        }
    }

    /// A Go int within `min..`, if present.
    pub fn int(
        &mut self,
        key: &'a str,
        applies: For,
        min: i64,
        message: &str,
    ) -> Result<Option<i64>> {
        match self.get(key, applies) {
            None => Ok(None),
            Some(v) => match parse_int(v) {
                Some(n) if n >= min => Ok(Some(n)),
                _ => Err(self.invalid(key, format!("{message} (got {v:?})"))),
            },
        }
    }

    /// A Go duration in whole milliseconds (rounded down), or `default` when absent.
    pub fn duration_ms(
        &mut self,
        key: &'a str,
        applies: For,
        default: i64,
        context: &str,
    ) -> Result<i64> {
        match self.get(key, applies) {
            None => Ok(default),
            Some(v) => parse_duration(v).map(|ns| ns / 1_000_000).ok_or_else(|| {
                self.invalid(
                    key,
                    format!("failed to parse {context}: time: invalid duration {v:?}"),
                )
            }),
        }
    }

    /// Warnings for every key no read marked as known.
    pub fn finish(mut self, type_name: &str) -> Vec<Error> {
        for key in self.entry.attrs.keys() {
            if !self.known.contains(&key.as_str()) {
                let warning = Error::new(
                    ErrorKind::UnknownOption,
                    format!("{key:?} is not an option of type={type_name}; BuildKit ignores it"),
                )
                .in_field(key.clone())
                .at_offset(self.offset(key));
                self.warnings.push(warning);
            }
        }
        self.warnings
    }
}
