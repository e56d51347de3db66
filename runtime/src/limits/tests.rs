//! The pacing and the stated quota on made-up times.

use super::*;

const CAP: Duration = Duration::from_secs(60);

#[test]
fn a_scope_that_saw_no_refusal_is_never_paced() {
    let limits = Limits::default();
    let now = Instant::now();
    for _ in 0..10_000 {
        assert_eq!(
            limits.permit(&Key::Client, now, Pacing::Auto, CAP, true, 0),
            Permit::Go
        );
    }
}

#[test]
fn learned_pacing_sends_what_succeeded_between_holds_then_probes_up() {
    let limits = Limits::default();
    let t0 = Instant::now();
    let second = Duration::from_secs(1);
    limits.hold(&Key::Client, t0 + second, None);
    // 51 sent in the second period, the 51st refused
    for _ in 0..51 {
        assert_eq!(
            limits.permit(&Key::Client, t0 + second, Pacing::Auto, CAP, true, 0),
            Permit::Go
        );
    }
    limits.hold(&Key::Client, t0 + 2 * second, None);
    // the learned period: 50 sends, then wait for the next period
    let start = t0 + 2 * second;
    for _ in 0..50 {
        assert_eq!(
            limits.permit(&Key::Client, start, Pacing::Auto, CAP, true, 0),
            Permit::Go
        );
    }
    assert_eq!(
        limits.permit(&Key::Client, start, Pacing::Auto, CAP, true, 0),
        Permit::Paced(second)
    );
    // a retry is not paced to it: it has waited what its error asked
    assert_eq!(
        limits.permit(&Key::Client, start, Pacing::Auto, CAP, false, 0),
        Permit::Go
    );
    // the period after the refused one has the same quota
    let next = start + second;
    for _ in 0..50 {
        assert_eq!(
            limits.permit(&Key::Client, next, Pacing::Auto, CAP, true, 0),
            Permit::Go
        );
    }
    assert!(matches!(
        limits.permit(&Key::Client, next, Pacing::Auto, CAP, true, 0),
        Permit::Paced(_)
    ));
    // after a clean, full period, it probes one past the level that was refused
    let probe = next + second;
    for _ in 0..51 {
        assert_eq!(
            limits.permit(&Key::Client, probe, Pacing::Auto, CAP, true, 0),
            Permit::Go
        );
    }
    assert!(matches!(
        limits.permit(&Key::Client, probe, Pacing::Auto, CAP, true, 0),
        Permit::Paced(_)
    ));
    // pacing off: holds only
    assert_eq!(
        limits.permit(&Key::Client, probe, Pacing::Off, CAP, true, 0),
        Permit::Go
    );
}

#[test]
fn bucket_scopes_are_bounded() {
    let limits = Limits::default();
    let now = Instant::now();
    for i in 0..(MAX_SCOPES * 4) {
        let key = Key::Bucket(i.to_string().into());
        limits.hold(&key, now + Duration::from_secs(5), None);
    }
    assert!(limits.lock().len() <= MAX_SCOPES);
}

fn stated_headers(remaining: u64, reset_in_secs: u64) -> HeaderMap {
    let reset = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
        + reset_in_secs;
    let mut headers = HeaderMap::new();
    headers.insert("x-ratelimit-remaining", remaining.into());
    headers.insert("x-ratelimit-reset", reset.into());
    headers
}

fn stated_config() -> RateLimitConfig {
    RateLimitConfig::new()
        .with_remaining(Some("x-ratelimit-remaining"))
        .with_reset(Some(crate::WaitHeader::new(
            "x-ratelimit-reset",
            crate::WaitFormat::Unix,
        )))
}

#[test]
fn a_stated_quota_counts_the_requests_out_and_only_falls_within_a_period() {
    let (limits, config) = (Limits::default(), stated_config());
    let now = Instant::now();
    let go = |attempt| limits.permit(&Key::Client, now, Pacing::Auto, CAP, true, attempt);
    for attempt in 1..=3 {
        assert_eq!(go(attempt), Permit::Go);
    }
    // attempt 1's answer: 2 left, and attempts 2 and 3 are out and may not be counted yet
    limits.observe(&config, "", 1, &stated_headers(2, 30), now);
    assert!(
        matches!(go(4), Permit::Quota(wait) if wait <= RECHECK),
        "requests are left: look again soon"
    );
    // attempt 3's answer came first and says 1 left; attempt 2's, later, says 2: it was
    // counted earlier, so the count stays 1
    limits.observe(&config, "", 3, &stated_headers(1, 30), now);
    limits.observe(&config, "", 2, &stated_headers(2, 30), now);
    assert_eq!(go(5), Permit::Go, "nothing out, 1 left");
    limits.observe(&config, "", 5, &stated_headers(0, 30), now);
    assert!(
        matches!(go(6), Permit::Quota(wait) if wait > Duration::from_secs(28)),
        "spent: wait for the reset"
    );
    // a later reset is a new period
    limits.observe(&config, "", 5, &stated_headers(50, 35), now);
    assert_eq!(go(7), Permit::Go);
}

#[test]
fn a_stated_reset_already_past_states_nothing() {
    let (limits, config) = (Limits::default(), stated_config());
    let now = Instant::now();
    let mut headers = stated_headers(0, 0);
    headers.insert("x-ratelimit-reset", 1_000_000_000_u64.into());
    limits.observe(&config, "", 1, &headers, now);
    assert_eq!(
        limits.permit(&Key::Client, now, Pacing::Auto, CAP, true, 2),
        Permit::Go,
        "a late answer of a period that is over"
    );
}
