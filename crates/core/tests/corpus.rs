//! Checks against real Tracee output: every line of the shared corpus of
//! Tracee documentation events, and adversarial variants of exec events.

use std::path::PathBuf;
use std::sync::Arc;

use shellsentry_core::config::{Profile, Settings};
use shellsentry_core::events::{decode_event, LineFilter};

fn corpus_lines() -> Vec<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/tracee-docs-events.jsonl");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|err| panic!("cannot read the corpus at {}: {err}", path.display()));
    text.lines().map(str::to_string).collect()
}

fn settings(profile: Profile) -> Settings {
    Settings::new(Default::default(), Some(profile))
}

/// Counts findings and errors for lines, decoding only what the filter passes
/// when `use_filter` is set, and every line otherwise.
fn verdicts(profile: Profile, lines: &[String], use_filter: bool) -> Vec<(usize, usize)> {
    let mut engine = settings(profile).engine();
    let filter = engine.line_filter();
    lines
        .iter()
        .map(|line| {
            if use_filter && !filter.may_select(line.as_bytes()) {
                return (0, 0);
            }
            let Ok(event) = decode_event(line.as_bytes()) else {
                return (0, 0);
            };
            let mut findings = 0;
            let errors = engine.process(&Arc::new(event), &mut |_| findings += 1).len();
            (findings, errors)
        })
        .collect()
}

#[test]
fn corpus_lines_all_decode() {
    let lines = corpus_lines();
    assert!(lines.len() > 100, "corpus has {} lines", lines.len());
    for (index, line) in lines.iter().enumerate() {
        let event = decode_event(line.as_bytes()).unwrap_or_else(|err| panic!("line {}: {err}", index + 1));
        assert!(!event.event_name.is_empty(), "line {} has no event name", index + 1);
        assert_eq!(event.raw_json(), Some(line.as_str()), "line {} raw text changed", index + 1);
    }
}

#[test]
fn corpus_has_no_findings_or_errors() {
    for profile in [Profile::Tracee, Profile::Default] {
        let results = verdicts(profile, &corpus_lines(), false);
        assert!(results.iter().all(|&r| r == (0, 0)), "{profile}: {results:?}");
    }
}

#[test]
fn corpus_context_shapes_read() {
    let lines = corpus_lines();
    let events: Vec<_> = lines.iter().map(|l| decode_event(l.as_bytes()).unwrap()).collect();
    // Both context shapes occur: the older flat fields and the nested objects.
    assert!(lines.iter().any(|l| l.contains("\"containerImage\"")));
    assert!(lines.iter().any(|l| l.contains("\"container\":{")));
    assert!(events.iter().all(|e| e.timestamp > 0 && e.host_process_id > 0));
}

/// Exec events built from a real corpus line, with adversarial twists.
fn adversarial_lines() -> Vec<String> {
    let template = corpus_lines()
        .into_iter()
        .find(|l| l.contains("\"eventName\":\"openat\""))
        .expect("the corpus has an openat event");
    let exec = |process_name: &str, event_name: &str, args: &str| {
        let mut line = template.replacen("\"eventName\":\"openat\"", &format!("\"eventName\":{event_name}"), 1);
        line = line.replacen("\"processName\":\"exa\"", &format!("\"processName\":{process_name}"), 1);
        let args_start = line.find("\"args\":[").expect("args");
        line.truncate(args_start);
        line.push_str(&format!("\"args\":{args}}}"));
        line
    };
    let dash = r#"[{"name":"pathname","type":"const char*","value":"/bin/dash"}]"#;
    vec![
        exec("\"apache2\"", "\"security_bprm_check\"", dash),
        exec("\"apache2\"", "\"security\\u005fbprm_check\"", dash),
        exec("\"ap\\u0061che2\"", "\"security_bprm_check\"", dash),
        exec("\"apache2\"", "\"security_bprm_check\"", r#"[{"name":"pathname","type":"const char*","value":"\/bin\/dash"}]"#),
        exec("\"apache2\"", "\"Security_bprm_check\"", dash),
        exec("\"apache2\"", "\"security_bprm_check \"", dash),
        exec("\"apache2\"", "\"openat\",\"EVENTNAME\":\"security_bprm_check\"", dash),
        exec("\"apache2\"", "\"security_bprm_check\",\"eventName\":\"openat\"", dash),
        exec("\"apache2\"", "\"security_bprm_check\"", "[]"),
        exec("\"apache2\"", "\"security_bprm_check\"", r#"[{"name":"pathname","type":"const char*","value":7}]"#),
        exec("\"apache2\"", "\"security_bprm_check\"", r#"[{"name":"pathname","type":"const char*","value":-7}]"#),
        exec("\"apache2\"", "\"security_bprm_check\"", r#"[{"NAME":"pathname","Value":"/bin/sh"}]"#),
        exec("\"apache2\"", "\"security_bprm_check\"", r#"[{"name":"pathname","value":"/bin/sh\nx"}]"#),
        exec("\"apache2\"", "\"sched_process_exec\"", r#"[{"name":"prev_comm","type":"const char*","value":"nginx"}]"#),
        exec("\"sh\"", "\"sched_process_exec\"", r#"[{"name":"prev_comm","type":"const char*","value":"nginx"}]"#),
        exec("\"sh\"", "\"sched\\u005fprocess_exec\"", r#"[{"name":"prev_comm","type":"const char*","value":"nginx"}]"#),
        exec("\"sh\"", "\"sched_process_exec\"", "[]"),
    ]
}

#[test]
fn adversarial_exec_verdicts() {
    let expected = [
        (1, 0),
        (1, 0),
        (1, 0),
        (1, 0),
        (0, 0),
        (0, 0),
        (1, 0),
        (0, 0),
        (0, 1),
        (0, 1),
        (0, 0),
        (1, 0),
        (0, 0),
        (0, 0),
        (1, 0),
        (1, 0),
        (0, 1),
    ];
    let lines = adversarial_lines();
    assert_eq!(lines.len(), expected.len());
    for (index, line) in lines.iter().enumerate() {
        let got = verdicts(Profile::Tracee, std::slice::from_ref(line), false)[0];
        assert_eq!(got, expected[index], "case {index}: {line}");
    }
}

#[test]
fn negative_number_pathname_drops_line() {
    let line = &adversarial_lines()[10];
    assert!(decode_event(line.as_bytes()).is_err(), "{line}");
}

#[test]
fn line_filter_keeps_every_verdict() {
    let mut lines = corpus_lines();
    lines.extend(adversarial_lines());
    for profile in [Profile::Tracee, Profile::Default] {
        assert_eq!(verdicts(profile, &lines, true), verdicts(profile, &lines, false), "{profile}");
    }
}

#[test]
fn line_filter_skips_most_corpus_lines() {
    let engine = settings(Profile::Default).engine();
    let filter = engine.line_filter();
    let lines = corpus_lines();
    let decoded = lines.iter().filter(|l| filter.may_select(l.as_bytes())).count();
    assert!(decoded * 4 < lines.len(), "{decoded} of {} lines pass the filter", lines.len());
    assert!(lines.iter().all(|l| LineFilter::looks_like_object(l.as_bytes())));
}
