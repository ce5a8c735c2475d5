//! End-to-end tests of `shellsentry replay` and `shellsentry signatures`,
//! run on the built binary.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use common::{corpus, data, exec_line, run, stderr, stdout, TempDir};

fn golden(format: &str) {
    let input = data("web-shell.jsonl");
    let output = run(&["replay", "--profile", "tracee", "--format", format, input.to_str().unwrap()], None);
    assert!(output.status.success(), "{}", stderr(&output));
    let expected = std::fs::read_to_string(data(&format!("web-shell.{format}.expected"))).unwrap();
    assert_eq!(stdout(&output), expected);
}

#[test]
fn golden_json() {
    golden("json");
}

#[test]
fn golden_tracee_event() {
    golden("tracee-event");
}

#[test]
fn golden_text() {
    golden("text");
}

#[test]
fn json_context_is_input_verbatim() {
    let input = std::fs::read_to_string(data("web-shell.jsonl")).unwrap();
    let output = run(&["replay", "-"], Some(input.as_bytes()));
    let first_input = input.lines().next().unwrap();
    let first_finding = stdout(&output).lines().next().unwrap().to_string();
    assert!(first_finding.contains(&format!("\"Context\":{first_input},")), "{first_finding}");
    // Number formats and unknown fields survive.
    assert!(first_finding.contains(r#""customField":{"kept":[1, 2.50]}"#));
}

#[test]
fn text_format_escapes_control_characters() {
    let output = run(&["replay", "--format", "text", data("web-shell.jsonl").to_str().unwrap()], None);
    let text = stdout(&output);
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(!text.contains('\u{1b}'));
    assert!(text.contains("\\nFAKE finding\\u{1b}[2J/bin/sh"));
}

#[test]
fn process_exec_text_names_web_server() {
    let line = r#"{"eventName":"sched_process_exec","processName":"dash","hostProcessId":5,"args":[{"name":"prev_comm","type":"const char*","value":"apache2"},{"name":"pathname","type":"const char*","value":"/bin/dash"}]}"#;
    let output = run(&["replay", "--format", "text", "-"], Some(line.as_bytes()));
    let text = stdout(&output);
    assert!(text.contains("process apache2 (pid 5"), "{text}");
    assert!(text.contains("executed /bin/dash"), "{text}");
}

#[test]
fn stdin_matches_file() {
    let path = data("web-shell.jsonl");
    let from_file = run(&["replay", path.to_str().unwrap()], None);
    let from_stdin = run(&["replay", "-"], Some(&std::fs::read(&path).unwrap()));
    assert!(from_stdin.status.success());
    assert_eq!(stdout(&from_stdin), stdout(&from_file));
    assert_eq!(stdout(&from_file).lines().count(), 3);
}

#[test]
fn gzip_and_several_files_in_order() {
    let dir = TempDir::new("gzip");
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(format!("{}\n", exec_line("nginx", "/bin/sh")).as_bytes()).unwrap();
    let gz = dir.file("first.jsonl.gz", &encoder.finish().unwrap());
    let plain = dir.file("second.jsonl", format!("{}\n", exec_line("lighttpd", "/bin/bash")).as_bytes());
    let output = run(&["replay", "--format", "text", gz.to_str().unwrap(), plain.to_str().unwrap()], None);
    assert!(output.status.success(), "{}", stderr(&output));
    let lines: Vec<String> = stdout(&output).lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].contains("process nginx"));
    assert!(lines[1].contains("process lighttpd"));
}

#[test]
fn gzip_on_stdin_and_fake_gzip_name() {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(format!("{}\n", exec_line("nginx", "/bin/sh")).as_bytes()).unwrap();
    let output = run(&["replay", "-"], Some(&encoder.finish().unwrap()));
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output).lines().count(), 1);

    let dir = TempDir::new("fake-gzip");
    let fake = dir.file("fake.jsonl.gz", format!("{}\n", exec_line("nginx", "/bin/sh")).as_bytes());
    let output = run(&["replay", fake.to_str().unwrap()], None);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("content is not gzip data"), "{}", stderr(&output));
}

#[test]
fn crlf_blank_lines_and_no_final_newline() {
    let input = format!("\r\n{}\r\n   \n\n{}", exec_line("nginx", "/bin/sh"), exec_line("httpd", "/bin/zsh"));
    let output = run(&["replay", "-"], Some(input.as_bytes()));
    assert!(output.status.success());
    assert_eq!(stdout(&output).lines().count(), 2);
    let log = stderr(&output);
    assert!(!log.contains("skipped:"), "{log}");
    assert!(log.contains("blank_lines=3"), "{log}");
}

#[test]
fn lines_longer_than_64_kib() {
    let padding = "x".repeat(1 << 20);
    let long_line = format!("{{\"padding\":\"{padding}\",{}", &exec_line("nginx", "/bin/sh")[1..]);
    let input = format!("{long_line}\n{}\n", exec_line("apache", "/bin/ash"));
    let output = run(&["replay", "--format", "text", "-"], Some(input.as_bytes()));
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert_eq!(text.lines().count(), 2, "both the long line and the one after it are checked");
}

#[test]
fn malformed_lines_reported_and_skipped() {
    let input = [
        exec_line("nginx", "/bin/sh"),
        "not json".to_string(),
        "{\"eventName\":\"openat\"".to_string(),
        "[1,2]".to_string(),
        r#"{"eventName":"security_bprm_check","processName":"nginx","processId":"7"}"#.to_string(),
        r#"{"eventName":"security_bprm_check","processName":"nginx","args":[]}"#.to_string(),
        exec_line("apache2", "/bin/dash"),
    ]
    .join("\n");
    let output = run(&["replay", "-"], Some(input.as_bytes()));
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output).lines().count(), 2, "the good lines around the bad ones still count");
    let log = stderr(&output);
    for line_number in 2..=6 {
        assert!(log.contains(&format!("-:{line_number}: skipped:")), "line {line_number} not reported: {log}");
    }
    assert!(log.contains("argument \"pathname\" is missing"), "{log}");
    assert!(log.contains("malformed_lines_skipped=4"), "{log}");
    assert!(log.contains("signature_errors=1"), "{log}");
}

#[test]
fn strict_stops_at_first_bad_line() {
    let input = format!("{}\nnot json\n{}\n", exec_line("nginx", "/bin/sh"), exec_line("nginx", "/bin/sh"));
    let output = run(&["replay", "--strict", "-"], Some(input.as_bytes()));
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(stdout(&output).lines().count(), 1, "findings before the bad line are written");
    assert!(stderr(&output).contains("-:2: not a JSON object"), "{}", stderr(&output));
}

#[test]
fn full_decode_reports_invalid_inner_json() {
    let input = "{\"eventName\":\"openat\",\"x\":tru}\n";
    let fast = run(&["replay", "-"], Some(input.as_bytes()));
    assert!(stderr(&fast).contains("malformed_lines_skipped=0"));
    let full = run(&["replay", "--full-decode", "-"], Some(input.as_bytes()));
    assert!(stderr(&full).contains("-:1: skipped: invalid JSON"), "{}", stderr(&full));
}

#[test]
fn missing_file_exits_1() {
    let output = run(&["replay", "/nonexistent/events.jsonl"], None);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("cannot open input /nonexistent/events.jsonl"), "{}", stderr(&output));
}

#[test]
fn bad_options_exit_2() {
    for args in [
        vec!["replay", "--profile", "strict", "-"],
        vec!["replay", "--format", "xml", "-"],
        vec!["replay", "--config", "/nonexistent.toml", "-"],
        vec!["replay"],
    ] {
        let output = run(&args, Some(b""));
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", stderr(&output));
    }
}

#[test]
fn config_file_lists_and_profile() {
    let dir = TempDir::new("config");
    let config = dir.file(
        "shellsentry.toml",
        b"profile = \"tracee\"\n[illegitimate_shell]\nextra_web_servers = [\"php-fpm8.2\"]\n",
    );
    let input = format!("{}\n{}\n", exec_line("php-fpm8.2", "/bin/sh"), exec_line("nginx", "/usr/bin/fish"));
    let output = run(&["replay", "--config", config.to_str().unwrap(), "-"], Some(input.as_bytes()));
    assert_eq!(stdout(&output).lines().count(), 1, "tracee profile from the file: fish is not a shell");
    let output = run(&["replay", "--config", config.to_str().unwrap(), "--profile", "default", "-"], Some(input.as_bytes()));
    assert_eq!(stdout(&output).lines().count(), 2, "--profile wins over the file");

    let bad = dir.file("bad.toml", b"[illegitimate_shell]\nweb_server = []\n");
    let output = run(&["replay", "--config", bad.to_str().unwrap(), "-"], Some(b""));
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("web_server"), "{}", stderr(&output));
}

#[test]
fn fast_path_matches_full_decode() {
    // Several megabytes, so lines cross the reader's block boundaries.
    let corpus = std::fs::read_to_string(corpus()).unwrap();
    let positives = std::fs::read_to_string(data("web-shell.jsonl")).unwrap();
    let escaped = [
        r#"{"eventName":"security\u005fbprm_check","processName":"nginx","args":[{"name":"pathname","value":"/bin/sh"}]}"#,
        r#"{"eventName":"openat","EVENTNAME":"security_bprm_check","processName":"httpd","args":[{"name":"pathname","value":"/bin/ash"}]}"#,
        r#"{"eventName":"security_bprm_check","eventName":"openat","processName":"httpd","args":[{"name":"pathname","value":"/bin/ash"}]}"#,
        r#"{"eventName":"sched\u005fprocess_exec","processName":"sh","args":[{"name":"prev_comm","value":"nginx"}]}"#,
    ];
    let mut input = String::new();
    for round in 0..30 {
        input.push_str(&corpus);
        input.push_str(&positives);
        input.push_str(escaped[round % escaped.len()]);
        input.push('\n');
    }
    assert!(input.len() > 4 << 20);
    let fast = run(&["replay", "-"], Some(input.as_bytes()));
    let full = run(&["replay", "--full-decode", "-"], Some(input.as_bytes()));
    assert!(fast.status.success());
    // Each round gives 3 findings from the positives. The escaped lines 0, 1
    // and 3 each give one and are used 8, 8 and 7 times in 30 rounds. Line 2
    // is an openat event.
    assert_eq!(stdout(&fast).lines().count(), 30 * 3 + 8 + 8 + 7, "{}", stderr(&fast));
    assert_eq!(stdout(&fast), stdout(&full));
}

#[test]
fn corpus_replays_clean() {
    let output = run(&["replay", "--full-decode", corpus().to_str().unwrap()], None);
    assert!(output.status.success());
    assert_eq!(stdout(&output), "");
    let log = stderr(&output);
    assert!(log.contains("lines=146"), "{log}");
    assert!(log.contains("malformed_lines_skipped=0"), "{log}");
    assert!(log.contains("signature_errors=0"), "{log}");
}

#[test]
fn closed_output_pipe_ends_quietly() {
    let line = exec_line("nginx", "/bin/sh");
    let mut child = Command::new(common::binary())
        .args(["replay", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        for _ in 0..200_000 {
            if writeln!(input, "{line}").is_err() {
                break;
            }
        }
    });
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    reader.read_line(&mut first).unwrap();
    drop(reader);
    let status = child.wait().unwrap();
    writer.join().unwrap();
    assert!(first.starts_with("{\"Data\":{\"chain\""), "{first}");
    assert_eq!(status.code(), Some(0));
}

#[test]
fn config_print_default_and_check() {
    let printed = run(&["config", "--print-default"], None);
    assert!(printed.status.success());
    let dir = TempDir::new("config-check");
    let good = dir.file("good.toml", &printed.stdout);
    let checked = run(&["config", "--check", good.to_str().unwrap()], None);
    assert_eq!(checked.status.code(), Some(0), "{}", stderr(&checked));
    assert!(stdout(&checked).contains("valid (profile default)"));

    let bad = dir.file("bad.toml", b"profile = \"default\"\n[illegitimate_shell]\nfamiles = true\n");
    let checked = run(&["config", "--check", bad.to_str().unwrap()], None);
    assert_eq!(checked.status.code(), Some(2));
    let message = stderr(&checked);
    assert!(message.contains("familes"), "{message}");
    assert!(message.contains("line 3"), "{message}");
}

#[test]
fn signatures_lists_trc_1016() {
    let output = run(&["signatures", "--json"], None);
    assert!(output.status.success());
    let listing: serde_json::Value = serde_json::from_str(stdout(&output).trim()).unwrap();
    let metadata = &listing["metadata"];
    assert_eq!(metadata["ID"], "TRC-1016");
    assert_eq!(metadata["EventName"], "illegitimate_shell");
    assert_eq!(metadata["Properties"]["external_id"], "T1190");
    assert_eq!(metadata["Tags"], serde_json::Value::Null);
    assert_eq!(listing["settings"]["web_servers"][0], "nginx");
    assert!(listing["settings"]["shells"].as_array().unwrap().contains(&"fish".into()));
    let tracee = run(&["signatures", "--json", "--profile", "tracee"], None);
    let tracee: serde_json::Value = serde_json::from_str(stdout(&tracee).trim()).unwrap();
    assert!(!tracee["settings"]["shells"].as_array().unwrap().contains(&"fish".into()));
    let text = run(&["signatures"], None);
    assert!(stdout(&text).contains("TRC-1016  Web server spawned a shell"));
    assert!(stdout(&text).contains("web_servers: [\"nginx\""), "{}", stdout(&text));
}
