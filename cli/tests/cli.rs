//! The `errspec` binary end to end: exit status, stdout and stderr of each command.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::cargo::cargo_bin_cmd;

/// The workspace root, where `spec/` and `tests/specs/` are.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the cli crate is in the workspace")
        .to_path_buf()
}

/// Runs `errspec args...` from the workspace root.
fn run(args: &[&str]) -> Output {
    run_in(&root(), args)
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    cargo_bin_cmd!("errspec")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("errspec runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("stderr is UTF-8")
}

/// A scratch directory for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("errspec-cli-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

#[test]
fn check_accepts_a_good_spec_with_one_line() {
    let out = run(&["check", "spec/ardoq.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "spec/ardoq.toml: ok: `ArdoqError` with 7 statuses and the fallback `Other`\n"
    );
    assert_eq!(stderr(&out), "");
}

#[test]
fn check_accepts_every_shipped_spec() {
    for spec in [
        "spec/http.toml",
        "tests/specs/small.toml",
        "tests/specs/github.toml",
        "tests/specs/template.toml",
    ] {
        let out = run(&["check", spec]);
        assert_eq!(out.status.code(), Some(0), "{spec}: {}", stderr(&out));
        assert_eq!(stdout(&out).lines().count(), 1, "{spec}");
    }
}

#[test]
fn check_renders_every_problem_with_a_snippet_and_exits_1() {
    let out = run(&["check", "tests/specs/bad/three-mistakes.toml"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "");
    let err = stderr(&out);
    let expected = "\
error: `retry.max_attempts` must be at least 1, found 0
 --> tests/specs/bad/three-mistakes.toml:5:16
  |
5 | max_attempts = 0
  |                ^
  |
  = help: `max_attempts` counts every try, the first included: write `max_attempts = 1` to never retry, or more to allow retries
";
    assert!(err.starts_with(expected), "{err}");
    assert!(err.contains("error: unknown jitter `chaotic` for `retry.jitter`\n"));
    assert!(err.contains(" --> tests/specs/bad/three-mistakes.toml:6:10\n"));
    assert!(err.contains("6 | jitter = \"chaotic\"\n  |          ^^^^^^^^^\n"));
    assert!(err.contains("10 | retry = \"maybe\"\n"));
    assert!(err.ends_with("error: `tests/specs/bad/three-mistakes.toml` has 3 problems\n"));
}

#[test]
fn check_suggests_a_fix_for_a_typo() {
    let out = run(&["check", "tests/specs/bad/unknown-key.toml"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("5 | mesage = \"not found\"\n  | ^^^^^^\n"),
        "{err}"
    );
    assert!(err.contains("= help: did you mean `message`?"), "{err}");
}

#[test]
fn check_reports_a_missing_file_with_the_path_tried() {
    let dir = scratch("missing");
    let out = run_in(&dir, &["check", "nope.toml"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let tried = dir.join("nope.toml");
    assert!(
        err.starts_with(&format!(
            "error: cannot read spec file `{}`",
            tried.display()
        )),
        "{err}"
    );
    assert!(err.contains(" --> nope.toml\n"), "{err}");
    assert!(
        err.contains("a relative path is taken from the current directory"),
        "{err}"
    );
}

#[test]
fn check_points_at_invalid_utf8() {
    let dir = scratch("utf8");
    let spec = dir.join("latin1.toml");
    std::fs::write(&spec, b"[api]\nname = \"Caf\xe9\"\n").unwrap();
    let out = run_in(&dir, &["check", "latin1.toml"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("error: spec file is not valid UTF-8\n"),
        "{err}"
    );
    assert!(err.contains(" --> latin1.toml:2:12\n"), "{err}");
}

#[test]
fn explain_a_listed_status_says_how_and_why_it_is_retried() {
    let out = run(&["explain", "spec/ardoq.toml", "429"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("429 Too Many Requests: listed in spec/ardoq.toml, line "),
        "{text}"
    );
    for expected in [
        "  variant   ArdoqError::TooManyRequests\n",
        "  message   rate limit exceeded\n",
        "  hint      slow down;",
        "  retry     after-header: retried for any request after the wait",
        "  attempts  3 in all, the first included: up to 2 retries\n",
        "  wait      read from `retry-after` (a delay in seconds, a decimal fraction accepted, e.g. `1.234`)",
        "above 1m (`max_retry_after`) fails the call at once",
        "  backoff   when no valid header came: 100ms, 200ms before jitter (full jitter",
        "  deadline  none",
        "  budget    none",
        "  limited   yes: a refusal of the rate limit, which teaches learned pacing\n",
    ] {
        assert!(text.contains(expected), "no {expected:?} in\n{text}");
    }
}

#[test]
fn explain_an_unlisted_status_gives_the_fallback_and_class_default() {
    let out = run(&["explain", "spec/ardoq.toml", "503"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("503 Service Unavailable: not listed in spec/ardoq.toml\n"),
        "{text}"
    );
    assert!(text.contains("ArdoqError::Other { status, .. }, the fallback"));
    assert!(text.contains("(the 5xx class default)"));
    assert!(text.contains("  retry     idempotent (the 5xx class default): backed off"));
    assert!(text.contains("a valid wait is a floor for the backoff"));
    assert!(
        text.contains("  limited   no: not a refusal of the rate limit"),
        "{text}"
    );

    let out = run(&["explain", "spec/ardoq.toml", "418"]);
    let text = stdout(&out);
    assert!(text.contains("  retry     never (the 4xx class default): not retried"));
    assert!(!text.contains("backoff"), "{text}");

    let out = run(&["explain", "spec/ardoq.toml", "799"]);
    let text = stdout(&out);
    assert!(text.starts_with("799 Unknown Status: not listed"), "{text}");
    assert!(text.contains("belong to no class"), "{text}");
    assert!(!text.contains("a success"), "{text}");

    // an unlisted status below 400 is a success to `check` and `send`
    let out = run(&["explain", "spec/ardoq.toml", "204"]);
    let text = stdout(&out);
    assert!(
        text.contains("  response  a success: `check` and `send` hand it back"),
        "{text}"
    );
    assert!(
        text.contains(
            "ArdoqError::Other { status, .. } only when converted with `From<StatusCode>`"
        ),
        "{text}"
    );
}

#[test]
fn explain_names_inherited_statuses_and_the_retry_settings() {
    let out = run(&["explain", "tests/specs/github.toml", "429"]);
    let text = stdout(&out);
    assert!(text.contains(
        "then `x-ratelimit-reset` (the epoch second of the reset, a decimal fraction accepted"
    ));
    assert!(text.contains("250ms, 500ms, 1s before jitter (equal jitter"));
    assert!(text.contains("more than 5m after the first attempt"));
    assert!(text.contains("at most 0.1 per first attempt plus 5 a second"));

    let out = run(&["explain", "tests/specs/github.toml", "502"]);
    let text = stdout(&out);
    assert!(
        text.starts_with("502 Bad Gateway: inherited from the `http` base spec"),
        "{text}"
    );
}

#[test]
fn explain_rejects_codes_outside_100_to_999() {
    for code in ["99", "1000", "abc", "65536"] {
        let out = run(&["explain", "spec/ardoq.toml", code]);
        assert_eq!(out.status.code(), Some(2), "{code}");
        assert!(stderr(&out).contains("invalid value"), "{}", stderr(&out));
    }
    let out = run(&["explain", "spec/ardoq.toml", "-1"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn every_command_refuses_a_bad_spec() {
    for args in [
        &["explain", "tests/specs/bad/zero-attempts.toml", "404"][..],
        &["expand", "tests/specs/bad/zero-attempts.toml"],
        &["docs", "tests/specs/bad/zero-attempts.toml"],
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert_eq!(stdout(&out), "", "{args:?}");
        assert!(
            stderr(&out).contains("`retry.max_attempts` must be at least 1"),
            "{args:?}"
        );
    }
}

#[test]
fn expand_prints_the_macro_output() {
    let out = run(&["expand", "spec/ardoq.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("#[derive(Debug)]\n"), "{text}");
    assert!(text.contains("pub enum ArdoqError {\n"));
    assert!(text.contains("    TooManyRequests {\n"));
    assert!(text.contains("impl ::errspec::StatusError for ArdoqError {"));
    let include = format!(
        "::core::include_bytes!(\"{}\")",
        root().join("spec/ardoq.toml").display()
    );
    assert!(text.contains(&include), "no {include}");
    assert!(!text.contains("compile_error"));
}

#[test]
fn expand_resolves_relative_and_absolute_paths() {
    let dir = scratch("expand");
    std::fs::write(
        dir.join("shop.toml"),
        "[api]\nname = \"Shop\"\n[status.404]\nmessage = \"no such item\"\n",
    )
    .unwrap();
    let relative = run_in(&dir, &["expand", "shop.toml"]);
    assert_eq!(relative.status.code(), Some(0), "{}", stderr(&relative));
    assert!(stdout(&relative).contains("pub enum ShopError {"));

    let absolute = dir.join("shop.toml");
    let absolute = run(&["expand", absolute.to_str().unwrap()]);
    assert_eq!(absolute.status.code(), Some(0), "{}", stderr(&absolute));
    // Only the doc line naming the spec as given differs.
    let strip = |s: String| -> String {
        s.lines()
            .filter(|l| !l.contains("generated by errspec from"))
            .collect()
    };
    assert_eq!(strip(stdout(&relative)), strip(stdout(&absolute)));
}

#[test]
fn docs_prints_markdown_tables() {
    let out = run(&["docs", "spec/ardoq.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("# Ardoq API errors\n"), "{text}");
    assert!(text.contains("| code | variant | reason | message | hint | retry |\n|---:|"));
    assert!(text.contains(
        "| 404 | `NotFound` | Not Found | the resource was not found | check the URL and the \
         ids in it, or try another endpoint | never |\n"
    ));
    assert!(text.contains("| after-header: `retry-after` (seconds) |\n"));
    assert!(text.contains("Any other status becomes `ArdoqError::Other { status, .. }`"));
    assert!(text.contains(
        "| 5xx | the Ardoq API failed with a server error | this is on Ardoq's side; try again \
         later | idempotent |\n"
    ));
    assert!(text.contains("| `max_attempts` | 3 (tries in all, the first included) |\n"));
}

#[test]
fn docs_escapes_table_cells() {
    let dir = scratch("docs");
    std::fs::write(
        dir.join("pipes.toml"),
        "[api]\nname = \"Pipes\"\n[status.400]\nmessage = \"a | b\"\nhint = \"\"\"\nline one\nline two\"\"\"\n",
    )
    .unwrap();
    let out = run_in(&dir, &["docs", "pipes.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains(
            "| 400 | `BadRequest` | Bad Request | a \\| b | line one line two | never |\n"
        ),
        "{text}"
    );
}

#[test]
fn help_lists_the_commands() {
    let out = run(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    for command in ["check", "explain", "expand", "docs"] {
        assert!(text.contains(&format!("  {command} ")), "{text}");
    }
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn check_warns_of_a_header_read_in_a_format_its_name_contradicts_and_still_succeeds() {
    let dir = scratch("lint");
    let spec = dir.join("lint.toml");
    std::fs::write(
        &spec,
        "[api]\nname = \"Lint\"\n[status.429]\nmessage = \"slow down\"\nretry = \"after-header\"\n\
         wait_headers = [\n  { name = \"x-ratelimit-reset\", format = \"seconds\" },\n  \
         { name = \"x-ratelimit-reset-after\", format = \"seconds\" },\n]\n",
    )
    .expect("write spec");
    let out = run_in(&dir, &["check", "lint.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(
        err.lines().count(),
        1,
        "one warning, for the reset read as a delay: {err}"
    );
    assert!(
        err.starts_with(
            "warning: lint.toml: `[status.429]`: `x-ratelimit-reset` is read as `seconds`, but \
             its name suggests the time of the reset"
        ),
        "{err}"
    );
    assert!(stdout(&out).contains("ok: `LintError`"));
}

#[test]
fn explain_and_docs_show_a_success_status_as_its_cases() {
    let out = run(&["explain", "tests/specs/success.toml", "200"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("200 OK: listed in tests/specs/success.toml, line "),
        "{text}"
    );
    assert!(
        text.contains("  variant   none: a success status, whose cases are errors\n"),
        "{text}"
    );
    assert!(!text.contains("  message "), "{text}");
    assert!(
        text.contains("  cases     tried in order; a response that matches none is a success\n"),
        "{text}"
    );
    assert!(text.contains("  case 3    ChatError::NotOk when { body = \"/ok\", equals = \"false\" }: the method failed; retry never\n"), "{text}");

    let out = run(&["docs", "tests/specs/success.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("| 204 | none | No Content | a success unless it is one of its cases: `Deferred` |  | never |\n"),
        "{text}"
    );
    assert!(!text.contains("`Ok`"), "{text}");
}

#[test]
fn explain_lists_a_statuss_cases_in_order_with_their_when() {
    let dir = scratch("cases");
    let spec = dir.join("cases.toml");
    std::fs::write(
        &spec,
        r#"[api]
name = "Hub"
[retry]
should_retry_header = "x-should-retry"
[status.403]
message = "no permission"
[[status.403.case]]
name = "RateLimited"
when = { header = "x-ratelimit-remaining", equals = "0" }
message = "primary rate limit exceeded"
retry = "after-header"
wait_headers = [{ name = "x-ratelimit-reset", format = "unix" }]
rate_limited = true
[[status.403.case]]
name = "SecondaryRateLimited"
when = { header = "retry-after" }
message = "secondary rate limit exceeded"
retry = "after-header"
min_wait = "60s"
"#,
    )
    .expect("write spec");
    let out = run_in(&dir, &["explain", "cases.toml", "403"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let first = text
        .find("  case 1    HubError::RateLimited when { header = \"x-ratelimit-remaining\", equals = \"0\" }: primary rate limit exceeded; retry after-header; waits read from `x-ratelimit-reset` (the epoch second of the reset")
        .unwrap_or_else(|| panic!("no case 1 in\n{text}"));
    let second = text
        .find("  case 2    HubError::SecondaryRateLimited when { header = \"retry-after\" }: secondary rate limit exceeded; retry after-header; min_wait 1m")
        .unwrap_or_else(|| panic!("no case 2 in\n{text}"));
    assert!(first < second);
    let first_line = text[first..].lines().next().unwrap_or_default();
    assert!(first_line.ends_with("; rate limit yes"), "{first_line}");
    let second_line = text[second..].lines().next().unwrap_or_default();
    assert!(!second_line.contains("; rate limit "), "{second_line}");
    assert!(
        text.contains(
            "  limited   no: not a refusal of the rate limit, so it teaches pacing nothing (a case marked `rate limit yes` says otherwise)\n"
        ),
        "{text}"
    );
    assert!(text.contains("a response that matches none is HubError::Forbidden"));
    assert!(text.contains("  override  a response with `x-should-retry: true` is retried"));
}

/// The problems a trybuild case's `.stderr` shows for its spec: `(line:col, message, help)`.
fn ui_problems(stderr: &str, spec: &str) -> Vec<(String, String, String)> {
    let prefix = format!("error: {spec}:");
    let lines: Vec<&str> = stderr.lines().collect();
    lines
        .iter()
        .enumerate()
        .filter_map(|(i, line)| {
            let rest = line.strip_prefix(&prefix)?;
            let mut parts = rest.splitn(3, ':');
            let (l, c, message) = (parts.next()?, parts.next()?, parts.next()?.trim_start());
            let help = lines.get(i + 1)?.trim_start().strip_prefix("help: ")?;
            Some((format!("{l}:{c}"), message.to_owned(), help.to_owned()))
        })
        .collect()
}

#[test]
fn check_reports_what_the_macro_reports_for_every_bad_spec() {
    let ui = root().join("tests/ui/fail");
    let mut compared = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&ui)
        .expect("tests/ui/fail")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    entries.sort();
    for case in entries {
        let source = std::fs::read_to_string(&case).expect("read case");
        let Some(spec) = source
            .split("spec = \"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .filter(|s| s.starts_with("specs/bad/"))
        else {
            continue;
        };
        let Ok(expected) = std::fs::read_to_string(case.with_extension("stderr")) else {
            continue;
        };
        let problems = ui_problems(&expected, spec);
        if problems.is_empty() {
            continue;
        }
        let path = format!("tests/{spec}");
        let out = run(&["check", &path]);
        assert_eq!(out.status.code(), Some(1), "{path}");
        let err = stderr(&out);
        for (at, message, help) in problems {
            assert!(
                err.contains(&format!("error: {message}\n")),
                "{path}: the macro says `{message}`, check says\n{err}"
            );
            assert!(
                err.contains(&format!(" --> {path}:{at}\n")),
                "{path}:{at} in\n{err}"
            );
            assert!(
                err.contains(&format!("= help: {help}\n")),
                "{path}: `{help}` in\n{err}"
            );
        }
        compared += 1;
    }
    assert!(compared >= 70, "compared only {compared} bad specs");
}

#[test]
fn explain_shows_the_rate_limit_section() {
    let dir = scratch("rate-limit");
    std::fs::write(
        dir.join("hub.toml"),
        "[api]\nname = \"Hub\"\n[rate_limit]\nscope = \"method\"\nremaining = { name = \
         \"x-ratelimit-remaining\" }\nreset = { name = \"x-ratelimit-reset\", format = \"unix\" \
         }\n[status.429]\nmessage = \"slow down\"\nretry = \"after-header\"\n",
    )
    .expect("write spec");
    let out = run_in(&dir, &["explain", "hub.toml", "429"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains(
            "  scope     method: a server-stated wait holds only the calls of the method"
        ),
        "{text}"
    );
    assert!(
        text.contains("  pacing    auto: waits while the quota stated on every response is spent (`x-ratelimit-remaining`"),
        "{text}"
    );
    let out = run(&["explain", "spec/ardoq.toml", "429"]);
    let text = stdout(&out);
    assert!(
        text.contains("  scope     client: a server-stated wait holds every call"),
        "{text}"
    );
    assert!(
        text.contains("  pacing    auto: sends no more per period than what refusals teach"),
        "{text}"
    );
}

#[test]
fn explain_says_each_when_as_written() {
    let out = run(&["explain", "tests/specs/matching.toml", "400"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains(
            "MatchingError::Throttling when { header = \"x-amzn-errortype\", starts_with = \"ThrottlingException\" }: "
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "MatchingError::ThrottledBody when { body = \"/__type\", ends_with = [\"#ThrottlingException\", \"#ProvisionedThroughputExceededException\"] }: "
        ),
        "{text}"
    );
    let out = run(&["explain", "tests/specs/matching.toml", "503"]);
    let text = stdout(&out);
    assert!(
        text.contains(
            "MatchingError::SlowDown when { text = true, contains = \"<Code>SlowDown</Code>\" }: "
        ),
        "{text}"
    );
    let out = run(&["check", "tests/specs/matching.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn check_warns_of_after_header_with_no_wait_source_anywhere() {
    let dir = scratch("sourceless");
    std::fs::write(
        dir.join("bare.toml"),
        "[api]\nname = \"Bare\"\n[retry]\nwait_headers = []\n[status.429]\nmessage = \"slow \
         down\"\nretry = \"after-header\"\n[status.503]\nmessage = \"down\"\nretry = \
         \"after-header\"\nwait_headers = [{ name = \"retry-after\", format = \"http\" }]\n\
         [[status.503.case]]\nname = \"Maintenance\"\nwhen = { header = \"x-maintenance\" }\n\
         message = \"maintenance\"\n[status.409]\nmessage = \"conflict\"\n[[status.409.case]]\n\
         name = \"Busy\"\nwhen = { header = \"x-busy\" }\nmessage = \"busy\"\nretry = \
         \"after-header\"\n",
    )
    .expect("write spec");
    let out = run_in(&dir, &["check", "bare.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    let warned: Vec<&str> = err
        .lines()
        .filter_map(|l| l.strip_prefix("warning: bare.toml: "))
        .map(|l| l.split(": ").next().unwrap_or(l))
        .collect();
    // 503's case reads its status's source; 429 and 409's case read none
    assert_eq!(
        warned,
        ["case `Busy` of `[status.409]`", "`[status.429]`"],
        "{err}"
    );
    assert!(err.contains("retried after backoff alone"), "{err}");
    // the default `[retry]` reads `Retry-After`: no warning
    let out = run(&["check", "spec/ardoq.toml"]);
    assert_eq!(stderr(&out), "");
}

#[test]
fn explain_says_what_each_quota_reads_and_counts() {
    let dir = scratch("quotas");
    std::fs::write(
        dir.join("arm.toml"),
        "[api]\nname = \"Arm\"\n[rate_limit]\n[[rate_limit.quota]]\nremaining = { name = \
         \"x-ms-ratelimit-remaining-subscription-reads\" }\nmethods = [\"GET\", \"HEAD\"]\n\
         [[rate_limit.quota]]\nremaining = { name = \"x-shopify-shop-api-call-limit\", format = \
         \"used/limit\" }\nreset = { name = \"x-ratelimit-reset\", format = \"iso8601\" }\n",
    )
    .expect("write spec");
    let out = run_in(&dir, &["explain", "arm.toml", "429"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let quotas: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("  quota     "))
        .collect();
    assert_eq!(quotas.len(), 2, "{text}");
    assert!(
        quotas[0].starts_with(
            "`x-ms-ratelimit-remaining-subscription-reads` as `count`: the requests left, in digits"
        ) && quotas[0].contains("counts GET, HEAD requests; no reset stated"),
        "{text}"
    );
    assert!(
        quotas[1].contains("as `used/limit`: the requests used and the period's limit, `32/40`")
            && quotas[1]
                .contains("counts every request; reset read from `x-ratelimit-reset` (an ISO 8601"),
        "{text}"
    );
}
