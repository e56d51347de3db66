//! Every variant of each shared enum has an answer from every place that must decide about it.
//!
//! The enums are `#[non_exhaustive]`, so a `match` on them outside errspec-core needs a
//! catch-all arm, and a new variant would silently take it. So every decision lives next to its
//! enum, in an exhaustive `match` without a catch-all, and the crates that use them ask it:
//!
//! | enum | decides, in errspec-core | used by |
//! |---|---|---|
//! | `WaitFormat` | `describe` (help lines, rustdoc), `syntax` (the parser's dispatch) | spec, codegen, cli, runtime `parse_wait` |
//! | `RetryPolicy` | `allows`, `describe` | runtime, codegen rustdoc, cli |
//! | `Jitter` | `describe`, the backoff arithmetic (`RetryConfig::backoff`) | runtime, cli |
//! | `TransportKind` | `TransportPolicies::get`, `default_policy`, `when` | spec `Transport::policy`, codegen |
//! | `Scope`, `Pacing` | `describe` | cli `explain`; the runtime's rate-limit rules |
//! | `MatchTest` | `describe`, `matches`, `applies_to_text` | spec `when`, codegen, runtime `Response`, cli `explain` |
//! | `CountFormat` | `describe` (help lines, `explain`), `syntax` (the reader's dispatch) | spec, codegen, cli; the runtime's count reading (`limits/read.rs`) |
//! | `WaitSyntax` (exhaustive) | | runtime `parse_wait`, cli `lint` (which formats a header's name fits) |
//!
//! A new variant is then a compile error in errspec-core until each of those answers, and
//! `WaitSyntax` (exhaustive) carries the format decision on into the runtime's parser. This test
//! lists the places, and fails if one answers nothing for some variant or a spelling does not
//! round-trip; `runtime/tests/wait.rs` reads a sample value of every format.

use core::time::Duration;

use errspec_core::{
    Idempotency, Jitter, MatchTest, Pacing, RetryConfig, RetryPolicy, Scope, TransportKind,
    TransportPolicies, WaitFormat,
};

#[test]
fn every_wait_format_is_described_and_has_a_syntax() {
    for &(spelling, format) in WaitFormat::ALL {
        assert_eq!(WaitFormat::from_spelling(spelling), Some(format));
        assert_eq!(format.as_str(), spelling);
        assert!(!format.describe().is_empty(), "{spelling}");
        let _ = format.syntax();
    }
    let syntaxes: std::collections::HashSet<_> =
        WaitFormat::ALL.iter().map(|(_, f)| f.syntax()).collect();
    // two formats with one syntax would be one format spelt twice
    assert_eq!(syntaxes.len(), WaitFormat::ALL.len());
}

#[test]
fn every_retry_policy_decides_and_is_described() {
    for &(spelling, policy) in RetryPolicy::ALL {
        assert_eq!(RetryPolicy::from_spelling(spelling), Some(policy));
        assert!(!policy.describe().is_empty(), "{spelling}");
        // idempotent requests are retried at least as often as others
        assert!(
            policy.allows(Idempotency::Idempotent) >= policy.allows(Idempotency::NonIdempotent)
        );
    }
}

#[test]
fn every_jitter_is_described_and_backs_off() {
    for &(spelling, jitter) in Jitter::ALL {
        assert_eq!(Jitter::from_spelling(spelling), Some(jitter));
        assert!(!jitter.describe().is_empty(), "{spelling}");
        let config = RetryConfig::new().with_jitter(jitter);
        assert!(
            config.backoff(1, Duration::ZERO) <= config.max_backoff,
            "{spelling}"
        );
    }
}

#[test]
fn every_transport_kind_has_a_policy_and_words() {
    let mut fields = std::collections::HashSet::new();
    for &(spelling, kind) in TransportKind::ALL {
        assert_eq!(TransportKind::from_spelling(spelling), Some(kind));
        assert_eq!(kind.default_policy(), TransportPolicies::DEFAULT.get(kind));
        assert!(!kind.when().is_empty(), "{spelling}");
        // each kind reads its own field of `TransportPolicies`: the one set `always`
        let never = TransportPolicies {
            connect: RetryPolicy::Never,
            timeout: RetryPolicy::Never,
            other: RetryPolicy::Never,
        };
        let one_always = [
            TransportPolicies {
                connect: RetryPolicy::Always,
                ..never
            },
            TransportPolicies {
                timeout: RetryPolicy::Always,
                ..never
            },
            TransportPolicies {
                other: RetryPolicy::Always,
                ..never
            },
        ];
        let policies = one_always
            .into_iter()
            .find(|p| p.get(kind) == RetryPolicy::Always)
            .unwrap_or(never);
        assert_ne!(policies, never, "{spelling} reads no field");
        fields.insert(policies);
    }
    assert_eq!(
        fields.len(),
        TransportKind::ALL.len(),
        "two kinds read one field"
    );
}

#[test]
fn every_scope_and_pacing_is_described() {
    for &(spelling, scope) in Scope::ALL {
        assert_eq!(Scope::from_spelling(spelling), Some(scope));
        assert!(!scope.describe().is_empty(), "{spelling}");
    }
    for &(spelling, pacing) in Pacing::ALL {
        assert_eq!(Pacing::from_spelling(spelling), Some(pacing));
        assert!(!pacing.describe().is_empty(), "{spelling}");
    }
}

#[test]
fn every_match_test_is_described_and_decides() {
    let value = b"ThrottlingException:http://internal";
    let mut kinds = std::collections::HashSet::new();
    for &(spelling, test) in MatchTest::ALL {
        assert_eq!(MatchTest::from_spelling(spelling), Some(test));
        assert!(!test.describe().is_empty(), "{spelling}");
        // every test passes the whole value, and each tells these three apart its own way
        assert!(test.matches(value, value), "{spelling}");
        let _ = test.applies_to_text();
        kinds.insert([
            test.matches(value, b"Throttling"),
            test.matches(value, b"internal"),
            test.matches(value, b"Exception"),
        ]);
    }
    assert_eq!(kinds.len(), MatchTest::ALL.len(), "two tests decide alike");
}

#[test]
fn every_count_format_is_described() {
    for &(spelling, format) in errspec_core::CountFormat::ALL {
        assert_eq!(
            errspec_core::CountFormat::from_spelling(spelling),
            Some(format)
        );
        assert!(!format.describe().is_empty(), "{spelling}");
        let _ = format.syntax();
    }
}
