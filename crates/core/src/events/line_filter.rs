//! A byte-level test that lets a reader skip lines no signature selected
//! without parsing them.
//!
//! The test is exact, not a guess: a line is skipped only when it cannot
//! decode to one of the selected event names. A JSON string that decodes to
//! a name made of plain characters is either written literally, quotes
//! included, or contains a backslash escape. So a line that holds none of
//! the quoted names and no backslash cannot select anything, and every
//! other line is decoded in full and judged on its decoded `eventName`.

use memchr::memmem;

/// Decides which stream lines need a full decode.
#[derive(Debug, Clone)]
pub struct LineFilter {
    needles: Vec<memmem::Finder<'static>>,
    pass_all: bool,
}

impl LineFilter {
    /// Builds a filter for these event names; `*` selects every event and
    /// so disables skipping.
    pub fn new<'a>(event_names: impl IntoIterator<Item = &'a str>) -> Self {
        let mut needles = Vec::new();
        let mut pass_all = false;
        for name in event_names {
            if name == "*" {
                pass_all = true;
            }
            let quoted = format!("\"{name}\"");
            needles.push(memmem::Finder::new(quoted.as_bytes()).into_owned());
        }
        LineFilter { needles, pass_all }
    }

    /// Builds a filter that skips nothing.
    pub fn pass_all() -> Self {
        LineFilter { needles: Vec::new(), pass_all: true }
    }

    /// Tells whether the line may carry a selected event and must be decoded.
    pub fn may_select(&self, line: &[u8]) -> bool {
        self.first_candidate(line).is_some()
    }

    /// Returns the first position in `haystack` (any number of lines) that
    /// makes the line containing it a candidate, or `None` when no line in
    /// it can carry a selected event. Searching a block of lines at once
    /// costs a few passes over the bytes instead of several calls per line.
    pub fn first_candidate(&self, haystack: &[u8]) -> Option<usize> {
        if self.pass_all {
            return if haystack.is_empty() { None } else { Some(0) };
        }
        let mut first = memchr::memchr(b'\\', haystack);
        for needle in &self.needles {
            let end = first.map_or(haystack.len(), |at| (at + needle.needle().len()).min(haystack.len()));
            if let Some(at) = needle.find(&haystack[..end]) {
                first = Some(first.map_or(at, |current| current.min(at)));
            }
        }
        first
    }

    /// Tells whether a skipped line is framed as a JSON object: `{` first and
    /// `}` last, ignoring JSON whitespace. This catches truncated and
    /// non-JSON lines without parsing; a line that passes may still be
    /// invalid inside, which only a full decode finds.
    pub fn looks_like_object(line: &[u8]) -> bool {
        let is_space = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
        let first = line.iter().position(|b| !is_space(b));
        let last = line.iter().rposition(|b| !is_space(b));
        match (first, last) {
            (Some(first), Some(last)) => first < last && line[first] == b'{' && line[last] == b'}',
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter() -> LineFilter {
        LineFilter::new(["security_bprm_check", "sched_process_exec"])
    }

    #[test]
    fn filter_passes_literal_names() {
        assert!(filter().may_select(br#"{"eventName":"security_bprm_check"}"#));
        assert!(filter().may_select(br#"{"eventName" : "sched_process_exec"}"#));
    }

    #[test]
    fn filter_passes_escaped_lines() {
        assert!(filter().may_select(br#"{"eventName":"security\u005fbprm_check"}"#));
    }

    #[test]
    fn filter_skips_other_events() {
        assert!(!filter().may_select(br#"{"eventName":"openat","args":[]}"#));
        // The name as a word inside a longer string cannot be the event name.
        assert!(!filter().may_select(br#"{"eventName":"openat","x":"security_bprm_check_x"}"#));
    }

    #[test]
    fn first_candidate_in_block() {
        let block = b"{\"eventName\":\"openat\"}\n{\"eventName\":\"security_bprm_check\"}\n{\"a\":\"\\n\"}\n";
        let filter = filter();
        let first = filter.first_candidate(block).unwrap();
        assert_eq!(&block[first..first + 20], b"\"security_bprm_check");
        let rest = &block[first + 20..];
        let next = filter.first_candidate(rest).unwrap();
        assert_eq!(rest[next], b'\\');
        assert_eq!(filter.first_candidate(b"{\"eventName\":\"openat\"}\n"), None);
    }

    #[test]
    fn star_passes_everything() {
        assert!(LineFilter::new(["*"]).may_select(b"{}"));
    }

    #[test]
    fn object_framing() {
        assert!(LineFilter::looks_like_object(b" {\"a\":1} \r"));
        assert!(!LineFilter::looks_like_object(b"{\"a\":1"));
        assert!(!LineFilter::looks_like_object(b"[1]"));
        assert!(!LineFilter::looks_like_object(b"{"));
        assert!(!LineFilter::looks_like_object(b""));
    }
}
