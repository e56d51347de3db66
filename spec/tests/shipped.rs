//! The two spec files shipped in this crate resolve without problems and say what they mean.

use std::path::Path;

use errspec_spec::{HTTP_SPEC, Jitter, RetryPolicy, Spec, WaitField, WaitFormat, load, parse_str};

fn ardoq() -> Spec {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("ardoq.toml");
    match load(&path, "spec/ardoq.toml") {
        Ok(spec) => spec,
        Err(e) => panic!("{e}"),
    }
}

fn http() -> Spec {
    match parse_str(HTTP_SPEC, "spec/http.toml") {
        Ok(spec) => spec,
        Err(e) => panic!("{e}"),
    }
}

/// Every error code (4xx, 5xx) of the IANA registry but the "(Unused)" 418: a success status
/// generates no variant, so `http` lists none.
const IANA: &[u16] = &[
    400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 421,
    422, 423, 424, 425, 426, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510,
    511,
];

#[test]
fn http_spec_lists_every_iana_code() {
    let spec = http();
    assert_eq!(spec.api_name, "Http");
    assert_eq!(spec.enum_name, "HttpError");
    let codes: Vec<u16> = spec.statuses.iter().map(|s| s.code).collect();
    assert_eq!(codes, IANA);
}

#[test]
fn http_spec_names_and_reasons() {
    let spec = http();
    let named = |code: u16| {
        let s = spec.status(code).unwrap();
        (s.name.as_str(), s.reason.as_str())
    };
    assert_eq!(named(413), ("ContentTooLarge", "Content Too Large"));
    assert_eq!(named(414), ("UriTooLong", "URI Too Long"));
    assert_eq!(
        named(422),
        ("UnprocessableContent", "Unprocessable Content")
    );
    assert_eq!(
        named(505),
        ("HttpVersionNotSupported", "HTTP Version Not Supported")
    );
    for status in &spec.statuses {
        // Names are the reason phrases in UpperCamelCase, so nothing surprises.
        let camel: String = status
            .reason
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| {
                let mut cs = w.chars();
                let first = cs.next().unwrap().to_uppercase();
                first
                    .chain(cs.flat_map(char::to_lowercase))
                    .collect::<String>()
            })
            .collect();
        assert_eq!(status.name, camel, "status {}", status.code);
        // Messages in Rust error style.
        let first = status.message.chars().next().unwrap();
        assert!(
            first.is_lowercase(),
            "status {}: {}",
            status.code,
            status.message
        );
        assert!(!status.message.ends_with('.'), "status {}", status.code);
        assert!(status.span.is_some());
    }
}

#[test]
fn http_spec_policies() {
    let spec = http();
    for status in &spec.statuses {
        let expected = match status.code {
            429 | 503 => RetryPolicy::AfterHeader,
            408 | 500 | 502 | 504 => RetryPolicy::Idempotent,
            _ => RetryPolicy::Never,
        };
        assert_eq!(status.policy, expected, "status {}", status.code);
    }
}

#[test]
fn ardoq_spec() {
    let spec = ardoq();
    assert_eq!(spec.api_name, "Ardoq");
    assert_eq!(spec.enum_name, "ArdoqError");
    assert_eq!(spec.extends, None);
    assert_eq!(spec.fallback, "Other");
    assert_eq!(spec.docs.as_deref(), Some("https://developer.ardoq.com/"));
    let codes: Vec<u16> = spec.statuses.iter().map(|s| s.code).collect();
    assert_eq!(codes, [400, 401, 403, 404, 409, 422, 429]);
    let names: Vec<&str> = spec.statuses.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "BadRequest",
            "Unauthorized",
            "Forbidden",
            "NotFound",
            "Conflict",
            "UnprocessableContent",
            "TooManyRequests"
        ]
    );
    for status in &spec.statuses {
        let expected = if status.code == 429 {
            RetryPolicy::AfterHeader
        } else {
            RetryPolicy::Never
        };
        assert_eq!(status.policy, expected, "status {}", status.code);
        assert!(status.hint.is_some(), "status {} has advice", status.code);
    }
    let unauthorized = spec.status(401).unwrap();
    assert!(unauthorized.hint.as_deref().unwrap().contains("60 days"));
    let too_many = spec.status(429).unwrap();
    assert_eq!(
        too_many.wait_headers,
        [WaitField::new("retry-after", WaitFormat::Seconds)]
    );
    // Other statuses keep the default wait header.
    assert_eq!(
        spec.status(404).unwrap().wait_headers,
        spec.retry.wait_headers.to_vec()
    );
    assert_eq!(spec.retry.wait_headers[0].format, WaitFormat::Http);
    assert_eq!(spec.retry.jitter, Jitter::Full);
    assert_eq!(spec.retry.max_attempts, 3);
    assert_eq!(spec.classes[4].policy, RetryPolicy::Idempotent);
    assert_eq!(
        spec.classes[4].message,
        "the Ardoq API failed with a server error"
    );
    assert_eq!(spec.classes[3].policy, RetryPolicy::Never);
}
