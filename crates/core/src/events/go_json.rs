//! JSON decoding rules of Go's `encoding/json`, which Tracee uses to read
//! events, where they differ from serde_json's defaults.
//!
//! The `tracee` profile must give Tracee's verdict on every input, so a
//! stream line is read the way Go reads it:
//! - an object key matches a struct field case-insensitively, with Unicode
//!   simple folding (`K` KELVIN SIGN folds to `k`, `ſ` LONG S to `s`);
//! - of several keys that map to one field, the last one wins, except that
//!   `null` changes nothing and objects merge member by member;
//! - invalid UTF-8 bytes and lone surrogate escapes become U+FFFD;
//! - a value of the wrong JSON type for its field fails the whole line.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

/// Tells whether an input key matches an ASCII field name the way Go's
/// decoder does (`bytes.EqualFold`).
pub(crate) fn key_matches(key: &str, field: &str) -> bool {
    if key.is_ascii() {
        return key.eq_ignore_ascii_case(field);
    }
    let mut field_bytes = field.bytes();
    for ch in key.chars() {
        let Some(expected) = field_bytes.next() else {
            return false;
        };
        let folded = match ch {
            // The only non-ASCII characters whose simple case folding
            // reaches an ASCII letter.
            '\u{212A}' => 'k',
            '\u{017F}' => 's',
            other if other.is_ascii() => other.to_ascii_lowercase(),
            _ => return false,
        };
        if folded != expected.to_ascii_lowercase() as char {
            return false;
        }
    }
    field_bytes.next().is_none()
}

/// The members of one JSON object, in input order, with values left unparsed.
#[derive(Debug, Default)]
pub(crate) struct Members<'a>(pub(crate) Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'a> Members<'a> {
    /// Returns the values of every member whose key maps to `field`, in
    /// input order. Go decodes each of them into the same field.
    pub(crate) fn all<'s>(&'s self, field: &'s str) -> impl Iterator<Item = &'a RawValue> + 's {
        self.0.iter().filter(move |(key, _)| key_matches(key, field)).map(|(_, value)| *value)
    }

    /// Returns the value Go leaves in a scalar or struct field: the last
    /// member for it that is not `null`, since `null` changes nothing.
    pub(crate) fn get(&self, field: &str) -> Option<&'a RawValue> {
        self.0.iter().rev().find(|(key, value)| value.get() != "null" && key_matches(key, field)).map(|(_, value)| *value)
    }
}

impl<'de: 'a, 'a> serde::Deserialize<'de> for Members<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MembersVisitor;

        impl<'de> Visitor<'de> for MembersVisitor {
            type Value = Members<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
                let mut members = Vec::new();
                while let Some(key) = map.next_key::<CowStr<'de>>()? {
                    let value: &'de RawValue = map.next_value()?;
                    members.push((key.0, value));
                }
                Ok(Members(members))
            }
        }

        deserializer.deserialize_map(MembersVisitor)
    }
}

/// A string that borrows from the input unless it contains escapes.
struct CowStr<'a>(Cow<'a, str>);

impl<'de> serde::Deserialize<'de> for CowStr<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CowVisitor;

        impl<'de> Visitor<'de> for CowVisitor {
            type Value = CowStr<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }

            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(CowStr(Cow::Borrowed(v)))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(CowStr(Cow::Owned(v.to_owned())))
            }
        }

        deserializer.deserialize_str(CowVisitor)
    }
}

/// Returns the text with every invalid UTF-8 byte replaced by U+FFFD, one
/// replacement per byte as Go does, or borrows it when it is valid.
pub(crate) fn to_utf8_like_go(bytes: &[u8]) -> Cow<'_, str> {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Cow::Borrowed(text);
    }
    let mut text = String::with_capacity(bytes.len() + 16);
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        for _ in chunk.invalid() {
            text.push('\u{FFFD}');
        }
    }
    Cow::Owned(text)
}

/// Returns the line with each `\u` escape of a lone UTF-16 surrogate
/// replaced by `\ufffd`, as Go decodes it, or `None` when there is none.
/// serde_json rejects lone surrogates, so this runs only after it did.
pub(crate) fn replace_lone_surrogates(line: &str) -> Option<String> {
    let bytes = line.as_bytes();
    let mut out = String::with_capacity(line.len());
    let mut changed = false;
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Only a backslash can start an escape, so jump to the next one.
        match memchr::memchr(b'\\', &bytes[i..]) {
            Some(offset) => i += offset,
            None => break,
        }
        // Any escape other than \u is two bytes long and cannot start a surrogate.
        if bytes.get(i + 1) != Some(&b'u') {
            i += 2;
            continue;
        }
        let Some(unit) = hex_unit(bytes, i + 2) else {
            i += 2;
            continue;
        };
        let is_high = (0xD800..0xDC00).contains(&unit);
        let is_low = (0xDC00..0xE000).contains(&unit);
        if is_high {
            let paired = bytes.get(i + 6) == Some(&b'\\')
                && bytes.get(i + 7) == Some(&b'u')
                && hex_unit(bytes, i + 8).is_some_and(|next| (0xDC00..0xE000).contains(&next));
            if paired {
                i += 12;
                continue;
            }
        }
        if is_high || is_low {
            out.push_str(&line[copied..i]);
            out.push_str("\\ufffd");
            changed = true;
            copied = i + 6;
        }
        i += 6;
    }
    if !changed {
        return None;
    }
    out.push_str(&line[copied..]);
    Some(out)
}

fn hex_unit(bytes: &[u8], start: usize) -> Option<u32> {
    let digits = bytes.get(start..start + 4)?;
    let text = std::str::from_utf8(digits).ok()?;
    u32::from_str_radix(text, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_matching_folds_case() {
        assert!(key_matches("processName", "processName"));
        assert!(key_matches("PROCESSNAME", "processName"));
        assert!(key_matches("proce\u{017F}sName", "processName"));
        assert!(key_matches("\u{212A}ubernetes", "kubernetes"));
        assert!(!key_matches("processNam", "processName"));
        assert!(!key_matches("processNamee", "processName"));
        assert!(!key_matches("process_name", "processName"));
        assert!(!key_matches("pröcessName", "processName"));
    }

    #[test]
    fn members_keep_last_duplicate() {
        let members: Members = serde_json::from_str(r#"{"a":1,"A":2,"b":3,"a":null}"#).unwrap();
        assert_eq!(members.get("a").unwrap().get(), "2");
        assert_eq!(members.all("a").count(), 3);
        assert_eq!(members.get("b").unwrap().get(), "3");
        assert!(members.get("c").is_none());
    }

    #[test]
    fn invalid_utf8_replaced_per_byte() {
        assert_eq!(to_utf8_like_go(b"ab"), "ab");
        assert_eq!(to_utf8_like_go(b"a\xe2\x82b"), "a\u{FFFD}\u{FFFD}b");
        assert_eq!(to_utf8_like_go(b"\xff"), "\u{FFFD}");
    }

    #[test]
    fn lone_surrogates_replaced() {
        assert_eq!(replace_lone_surrogates(r#""\ud800x""#).unwrap(), r#""\ufffdx""#);
        assert_eq!(replace_lone_surrogates(r#""\uDC00""#).unwrap(), r#""\ufffd""#);
        assert_eq!(replace_lone_surrogates(r#""\ud83d\ude00""#), None);
        assert_eq!(replace_lone_surrogates(r#""\\ud800""#), None);
        assert_eq!(replace_lone_surrogates(r#""plain""#), None);
    }
}
