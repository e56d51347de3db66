//! The tests of `read.rs`: one pass over a response's lines reads what lookups read, and
//! each header's lines are read whole.

use super::*;
use crate::wait::count;
use crate::{Quota, WaitField};
use http::HeaderValue;

fn github() -> RateLimitConfig {
    RateLimitConfig::new()
        .with_remaining(Some("x-ratelimit-remaining"))
        .with_reset(Some(WaitField::new(
            "x-ratelimit-reset-after",
            WaitFormat::Seconds,
        )))
}

fn first(config: &RateLimitConfig, headers: &HeaderMap) -> Option<StatedQuota> {
    stated_quotas(&Names::new(config), headers, SystemTime::now).get(0)
}

fn headers(lines: &[(&'static str, &'static str)]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (name, value) in lines {
        headers.append(*name, HeaderValue::from_static(value));
    }
    headers
}

/// Random header maps, read in one pass and by lookup, read alike: for one quota, and for two
/// that read one reset header (and the second's count from the bucket's header).
#[test]
fn one_pass_reads_as_lookups_do() {
    let reset = || Some(WaitField::new("t", WaitFormat::Seconds));
    let one = RateLimitConfig::new()
        .with_bucket_header(Some("b"))
        .with_scope(Scope::Bucket)
        .with_remaining(Some("r"))
        .with_reset(reset());
    let two = RateLimitConfig::new()
        .with_bucket_header(Some("b"))
        .with_scope(Scope::Bucket)
        .with_quota(Quota::new("r").with_reset(reset()))
        .with_quota(Quota::new("b").with_reset(reset()));
    let lines = ["r", "t", "b", "x-other", "content-type"];
    let values = ["0", "5", "12, 3", "", "x", "2.5", "0.000", "7"];
    let mut rng = fastrand::Rng::with_seed(7);
    let wall = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    for (round, config) in (0..4_000).zip([one, two].iter().cycle()) {
        let names = Names::new(config);
        let mut headers = HeaderMap::new();
        for _ in 0..rng.usize(0..8) {
            let name = lines[rng.usize(..lines.len())];
            headers.append(
                name,
                HeaderValue::from_static(values[rng.usize(..values.len())]),
            );
        }
        let (mut one, mut looked_up) = (StatedQuotas::default(), StatedQuotas::default());
        let (mut bucket_one, mut bucket_looked_up) = (Named::NONE, Named::NONE);
        read_with(&names, &headers, || wall, &mut one, &mut bucket_one, true);
        read_with(
            &names,
            &headers,
            || wall,
            &mut looked_up,
            &mut bucket_looked_up,
            false,
        );
        assert_eq!(one, looked_up, "round {round}: {headers:?}");
        assert_eq!(bucket_one, bucket_looked_up, "round {round}: {headers:?}");
    }
}

#[test]
fn a_large_map_is_read_by_lookup_alike() {
    let mut h = headers(&[
        ("x-ratelimit-remaining", "5"),
        ("x-ratelimit-remaining", "0"),
        ("x-ratelimit-reset-after", "3"),
    ]);
    for i in 0..ONE_PASS {
        h.insert(
            HeaderName::from_bytes(format!("x-filler-{i}").as_bytes()).unwrap(),
            HeaderValue::from_static("1"),
        );
    }
    assert!(h.keys_len() > ONE_PASS);
    let quota = first(&github(), &h).unwrap();
    assert_eq!(
        (quota.remaining, quota.reset_in),
        (0, Duration::from_secs(3))
    );
}

#[test]
fn a_count_is_digits_between_spaces() {
    assert_eq!(count(b" 42\t"), Some(42));
    assert_eq!(count(b"0"), Some(0));
    assert_eq!(count(b"99999999999999999999999"), Some(u64::MAX));
    for bad in [
        &b""[..],
        b"  ",
        b"+1",
        b"-1",
        b"1.5",
        b"4 2",
        b"\xff",
        b"1e3",
    ] {
        assert_eq!(count(bad), None, "{bad:?}");
    }
}

#[test]
fn every_line_of_a_repeated_count_is_read() {
    let h = headers(&[
        ("x-ratelimit-remaining", "5"),
        ("x-ratelimit-remaining", "0"),
        ("x-ratelimit-reset-after", "3"),
    ]);
    let quota = first(&github(), &h).unwrap();
    assert_eq!(quota.remaining, 0);
    assert_eq!(quota.reset_in, Duration::from_secs(3));
    let h = headers(&[("x-ratelimit-remaining", "7, 2")]);
    assert_eq!(first(&github(), &h).unwrap().remaining, 2);
}

#[test]
fn a_ratelimit_list_spans_lines_and_the_policy_fills_in() {
    let config = RateLimitConfig::new().with_ietf(true);
    let h = headers(&[
        ("ratelimit", "\"hour\";r=90;t=3000"),
        ("ratelimit", "\"minute\";r=0;t=20"),
    ]);
    let quota = first(&config, &h).unwrap();
    assert_eq!(
        (quota.remaining, quota.reset_in),
        (0, Duration::from_secs(20))
    );
    let h = headers(&[
        ("ratelimit", "\"default\";r=0"),
        ("ratelimit-policy", "\"default\";q=100;w=60"),
    ]);
    let quota = first(&config, &h).unwrap();
    assert_eq!(quota.reset_in, Duration::from_secs(60));
    assert_eq!(quota.limit, Some(100));
}
