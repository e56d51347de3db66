//! The IETF RateLimit field (draft-ietf-httpapi-ratelimit-headers), in its two forms.

use core::time::Duration;

use super::sf::{self, Bare};
use super::unreadable::Unreadable;

/// The wait a RateLimit field asks for.
///
/// - The List form, `"default";r=0;t=30, "hourly";r=10;t=3000`: each item is a quota policy
///   with its remaining units `r` and the seconds until it resets `t`. The wait is the largest
///   `t` of the exhausted items (`r=0`); none exhausted (or none with a `t`) is no wait.
/// - The older Dictionary form, `limit=100, remaining=0, reset=30`: the wait is `reset` when
///   `remaining` is 0, else there is none.
///
/// Both are Structured Fields (RFC 9651), read strictly: an Integer has at most 15 digits. An
/// item without an Integer `r` (or a Dictionary without an Integer `remaining`) is unreadable,
/// as is an exhausted quota whose reset is not a non-negative Integer (`t=1.5`, `reset="30"`,
/// `t=-1`); an exhausted quota without a reset is no wait. An empty field is no wait.
pub(super) fn wait(value: &[u8]) -> Result<Option<Duration>, Unreadable> {
    let mut longest: Option<u64> = None;
    let mut bad = false;
    let listed = sf::list(value, |item| {
        let (remaining, reset) = (item.params.get("r"), item.params.get("t"));
        match (remaining, reset) {
            (Some(Bare::Integer(1..)), _) | (Some(Bare::Integer(0)), None) => {}
            (Some(Bare::Integer(0)), Some(t)) => match seconds(t) {
                Some(t) => longest = longest.max(Some(t)),
                None => bad = true,
            },
            (None | Some(_), _) => bad = true,
        }
    });
    if listed.is_some() {
        return match (longest, bad) {
            (Some(t), _) => Ok(Some(Duration::from_secs(t))),
            (None, true) => Err(Unreadable::MALFORMED),
            (None, false) => Ok(None),
        };
    }

    let (mut remaining, mut reset) = (None, None);
    sf::dictionary(value, |key, member| match key {
        b"remaining" => remaining = Some(member.value),
        b"reset" => reset = Some(member.value),
        _ => {}
    })
    .ok_or(Unreadable::MALFORMED)?;
    match (remaining, reset) {
        (Some(Bare::Integer(1..)), _) | (Some(Bare::Integer(0)), None) => Ok(None),
        (Some(Bare::Integer(0)), Some(reset)) => seconds(reset)
            .map(|t| Some(Duration::from_secs(t)))
            .ok_or(Unreadable::MALFORMED),
        (None | Some(_), _) => Err(Unreadable::MALFORMED),
    }
}

/// The quota a RateLimit field states, the tightest of its items: the requests left, the
/// seconds to their reset if stated, and the limit if stated (the dictionary form's `limit`).
pub(crate) fn quota(value: &[u8]) -> Option<(u64, Option<u64>, Option<u64>)> {
    let mut tightest: Option<(u64, Option<u64>, Option<u64>)> = None;
    let mut take = |remaining: u64, reset: Option<u64>, limit: Option<u64>| {
        tightest = match tightest {
            Some((r, t, l)) if r < remaining || (r == remaining && t >= reset) => Some((r, t, l)),
            _ => Some((remaining, reset, limit)),
        };
    };
    let listed = sf::list(value, |item| {
        if let Some(remaining) = item.params.get("r").and_then(seconds) {
            take(remaining, item.params.get("t").and_then(seconds), None);
        }
    });
    if listed.is_none() {
        let (mut remaining, mut reset, mut limit) = (None, None, None);
        sf::dictionary(value, |key, member| match key {
            b"remaining" => remaining = seconds(member.value),
            b"reset" => reset = seconds(member.value),
            b"limit" => limit = seconds(member.value),
            _ => {}
        })?;
        take(remaining?, reset, limit);
    }
    tightest
}

/// The tightest policy a RateLimit-Policy field states: its quota (`q`) and window in seconds
/// (`w`, if stated).
pub(crate) fn policy(value: &[u8]) -> Option<(u64, Option<u64>)> {
    let mut tightest: Option<(u64, Option<u64>)> = None;
    sf::list(value, |item| {
        if let Some(quota) = item.params.get("q").and_then(seconds) {
            let window = item.params.get("w").and_then(seconds);
            if tightest.is_none_or(|(q, _)| quota < q) {
                tightest = Some((quota, window));
            }
        }
    })?;
    tightest
}

fn seconds(value: Bare) -> Option<u64> {
    match value {
        Bare::Integer(n) => u64::try_from(n).ok(),
        Bare::Other => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(value: &str) -> Result<Option<Duration>, Unreadable> {
        wait(value.as_bytes())
    }

    /// What a wait of `n` seconds reads as.
    #[allow(clippy::unnecessary_wraps)]
    fn secs(n: u64) -> Result<Option<Duration>, Unreadable> {
        Ok(Some(Duration::from_secs(n)))
    }

    #[test]
    fn the_list_form() {
        assert_eq!(read("\"default\";r=0;t=30"), secs(30));
        assert_eq!(read("\"default\";r=50;t=30"), Ok(None));
        assert_eq!(
            read("\"default\";r=0;t=30, \"hourly\";r=10;t=3000"),
            secs(30)
        );
        assert_eq!(read("\"day\";r=100;t=36000, \"min\";r=0;t=10"), secs(10));
        assert_eq!(read("\"burst\";r=0;t=5, \"day\";r=0;t=36000"), secs(36000));
        assert_eq!(read("default;r=0;t=30"), secs(30), "a Token name");
        assert_eq!(read("\"default\";t=30;r=0"), secs(30), "any order");
        assert_eq!(read("\"default\";r=0;t=30;pk=:Zm9v:"), secs(30));
        assert_eq!(read("\"default\";r=0"), Ok(None), "no reset stated");
        assert_eq!(read("\"default\";r=0;t=0"), secs(0));
        assert_eq!(read(""), Ok(None));
        assert_eq!(
            read("\"d\";r=0;t=999999999999999"),
            secs(999_999_999_999_999)
        );
        // An exhausted item whose reset cannot be read does not hide one that can.
        assert_eq!(read("\"a\";r=0;t=1.5, \"b\";r=0;t=7"), secs(7));
    }

    #[test]
    fn the_dictionary_form() {
        assert_eq!(read("limit=100, remaining=0, reset=30"), secs(30));
        assert_eq!(read("limit=100, remaining=50, reset=30"), Ok(None));
        assert_eq!(read("reset=30, remaining=0"), secs(30));
        assert_eq!(read("remaining=0"), Ok(None));
        assert_eq!(
            read("remaining=1, remaining=0, reset=9"),
            secs(9),
            "the last"
        );
        assert_eq!(read("limit=100, remaining=0, reset=30;w=60"), secs(30));
    }

    #[test]
    fn unreadable() {
        for bad in [
            "\"default\";r=0;t=30,",
            "\"default\";r=0;t=1.5",
            "\"default\";r=0;t=-1",
            "\"default\";r=0;t=\"30\"",
            "\"default\";r=\"0\";t=30",
            "\"default\";r=0.0;t=30",
            "\"default\";r=0;t=1000000000000000",
            "\"default\";r=0;t=18446744073709551615",
            "\"default\";r=0;T=30",
            "\"default\" ;r=0;t=30",
            "limit=100, remaining=0, reset=30.5",
            "limit=100, remaining=0, reset=-30",
            "limit=100, remaining=zero, reset=30",
            "limit=100 remaining=0 reset=30",
            "limit=100; remaining=0; reset=30x",
            "Limit=100, Remaining=0, Reset=30",
            "remaining=0, reset=30,",
            "30",
            "\"default\";t=30",
            "\"default\";r=-1;t=30",
            "reset=30",
            "limit=100, reset=30",
        ] {
            assert_eq!(read(bad), Err(Unreadable::MALFORMED), "{bad}");
        }
    }
}
