//! A byte-level test that lets a reader skip lines no signature selected
//! without parsing them.
//!
//! The test is exact, not a guess: a line is skipped only when it cannot
//! decode to one of the selected event names. A JSON string that decodes to
//! a name made of plain characters is either written literally, quotes
//! included, or contains a backslash escape. So a line that contains none of
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
    /// it can carry a selected event.
    pub fn first_candidate(&self, haystack: &[u8]) -> Option<usize> {
        self.candidates(haystack).next_from(0)
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

    /// Returns a cursor over the candidate positions of a block of lines.
    pub fn candidates<'a>(&'a self, block: &'a [u8]) -> Candidates<'a> {
        Candidates { filter: self, block, next: vec![Pending::Unknown; self.needles.len() + 1] }
    }
}

/// The next known position of one pattern in a block.
#[derive(Clone, Copy, Debug)]
enum Pending {
    Unknown,
    At(usize),
    Absent,
}

/// Finds candidate positions in a block, moving forward only. Each pattern
/// remembers its next match and is searched again only once the cursor has
/// passed it, so a block costs one pass per pattern however many lines it
/// contains.
#[derive(Debug)]
pub struct Candidates<'a> {
    filter: &'a LineFilter,
    block: &'a [u8],
    /// One entry per needle, then one for the backslash.
    next: Vec<Pending>,
}

impl Candidates<'_> {
    /// Returns the first candidate position at or after `from`.
    pub fn next_from(&mut self, from: usize) -> Option<usize> {
        if from >= self.block.len() {
            return None;
        }
        if self.filter.pass_all {
            return Some(from);
        }
        let mut first: Option<usize> = None;
        for index in 0..self.next.len() {
            let stale = match self.next[index] {
                Pending::Unknown => true,
                Pending::At(at) => at < from,
                Pending::Absent => false,
            };
            if stale {
                let rest = &self.block[from..];
                let found = match self.filter.needles.get(index) {
                    Some(needle) => needle.find(rest),
                    None => memchr::memchr(b'\\', rest),
                };
                self.next[index] = found.map_or(Pending::Absent, |at| Pending::At(from + at));
            }
            if let Pending::At(at) = self.next[index] {
                first = Some(first.map_or(at, |current| current.min(at)));
            }
        }
        first
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
    fn cursor_matches_fresh_searches() {
        let block = b"{\"a\":\"\\n\"}\n{\"eventName\":\"openat\"}\n{\"eventName\":\"sched_process_exec\"}\n{}\n{\"x\":\"security_bprm_check\"}\n";
        let filter = filter();
        let mut cursor = filter.candidates(block);
        for from in 0..block.len() {
            let fresh = filter.first_candidate(&block[from..]).map(|at| at + from);
            assert_eq!(cursor.next_from(from), fresh, "from {from}");
        }
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
