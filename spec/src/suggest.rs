//! "Did you mean" for misspelt keys and values.

/// Longest word compared; past this a typo is not the likely explanation, and the distance
/// table stays small whatever the input.
const MAX_LEN: usize = 64;

/// The candidate closest to `word`, if one is close enough to be a likely typo: at most one
/// edit for short words, a third of the word's length for longer ones; failing that, a
/// candidate `word` abbreviates (`msg` for `message`). Case is ignored, so `Retry` suggests
/// `retry`. Public for the code generator's own "did you mean" (its attributes' keys).
///
/// ```
/// use errspec_spec::did_you_mean;
///
/// assert_eq!(did_you_mean("scop", ["scope"]), Some("scope"));
/// assert_eq!(did_you_mean("Retry", ["retry", "message"]), Some("retry"));
/// assert_eq!(did_you_mean("channel", ["scope"]), None);
/// ```
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let word = word.to_lowercase();
    let limit = (word.chars().count() / 3).max(1);
    let candidates: Vec<(&str, String)> = candidates
        .into_iter()
        .map(|c| (c, c.to_lowercase()))
        .collect();
    let closest = candidates
        .iter()
        .filter_map(|(c, lower)| distance(&word, lower).map(|d| (d, *c)))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c);
    closest
        .or_else(|| {
            candidates
                .iter()
                .filter(|(_, lower)| abbreviates(&word, lower))
                .min_by_key(|(c, _)| c.len())
                .map(|(c, _)| *c)
        })
        .or_else(|| {
            candidates
                .iter()
                .filter(|(_, lower)| inflects(&word, lower))
                .max_by_key(|(c, _)| c.len())
                .map(|(c, _)| *c)
        })
}

/// Whether `word` is `known` inflected or extended: it starts with `known` less its last
/// letter, a stem of three characters or more (`retries` for `retry`, `statuses` for
/// `status`, `hints` for `hint`, `retry_policy` for `retry`).
fn inflects(word: &str, known: &str) -> bool {
    let mut stem = known.chars();
    stem.next_back();
    let stem = stem.as_str();
    stem.chars().count() >= 3 && word != known && word.starts_with(stem)
}

/// Whether `short` (three characters or more) is `long` with letters left out, first kept.
fn abbreviates(short: &str, long: &str) -> bool {
    if short.chars().count() < 3 || short.chars().next() != long.chars().next() {
        return false;
    }
    let mut rest = long.chars();
    short.chars().all(|c| rest.any(|l| l == c))
}

/// Optimal-string-alignment distance (Levenshtein plus transposition of neighbours) in
/// characters; `None` when either word is longer than [`MAX_LEN`].
pub(crate) fn distance(a: &str, b: &str) -> Option<usize> {
    let a: Vec<char> = a.chars().take(MAX_LEN + 1).collect();
    let b: Vec<char> = b.chars().take(MAX_LEN + 1).collect();
    if a.len() > MAX_LEN || b.len() > MAX_LEN {
        return None;
    }
    // Two rows of the table are kept: two back (for transpositions) and one back.
    let mut two_back: Vec<usize> = vec![0; b.len() + 1];
    let mut one_back: Vec<usize> = (0..=b.len()).collect();
    for (i, &ca) in a.iter().enumerate() {
        let mut row = vec![i + 1];
        for (j, &cb) in b.iter().enumerate() {
            let substitution = one_back.get(j)? + usize::from(ca != cb);
            let insertion = row.get(j)? + 1;
            let deletion = one_back.get(j + 1)? + 1;
            let mut best = substitution.min(insertion).min(deletion);
            let transposed = i > 0
                && j > 0
                && a.get(i - 1) == Some(&cb)
                && b.get(j - 1) == Some(&ca)
                && ca != cb;
            if transposed {
                best = best.min(two_back.get(j - 1)? + 1);
            }
            row.push(best);
        }
        two_back = core::mem::replace(&mut one_back, row);
    }
    one_back.last().copied()
}

/// `` `a`, `b` or `c` `` for a help message.
pub(crate) fn one_of(options: &[&str]) -> String {
    listed(options, "or")
}

/// `` `a`, `b` and `c` `` for a help message.
pub(crate) fn all_of(options: &[&str]) -> String {
    listed(options, "and")
}

fn listed(options: &[&str], conjunction: &str) -> String {
    let quoted: Vec<String> = options.iter().map(|o| format!("`{o}`")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} {conjunction} {last}", rest.join(", ")),
    }
}

/// Longest excerpt of a user's value quoted in a message.
const QUOTE_MAX: usize = 40;

/// `text` cut to [`QUOTE_MAX`] characters, so a huge value cannot make a huge message.
pub(crate) fn clip(text: &str) -> String {
    let mut chars = text.chars();
    let mut out: String = chars.by_ref().take(QUOTE_MAX).collect();
    if chars.next().is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(distance("", ""), Some(0));
        assert_eq!(distance("name", "nme"), Some(1));
        assert_eq!(distance("retry", "rerty"), Some(1));
        assert_eq!(distance("kitten", "sitting"), Some(3));
        assert_eq!(distance("abc", ""), Some(3));
        assert_eq!(distance(&"x".repeat(65), "x"), None);
    }

    #[test]
    fn suggestions() {
        let keys = ["name", "extends", "display", "fallback", "docs"];
        assert_eq!(did_you_mean("nme", keys), Some("name"));
        assert_eq!(did_you_mean("Name", keys), Some("name"));
        assert_eq!(did_you_mean("extend", keys), Some("extends"));
        assert_eq!(did_you_mean("fallbakc", keys), Some("fallback"));
        assert_eq!(did_you_mean("colour", keys), None);
        assert_eq!(did_you_mean("msg", ["message", "hint"]), Some("message"));
        assert_eq!(did_you_mean("dsp", keys), Some("display"));
        assert_eq!(did_you_mean("ms", ["message"]), None);
        assert_eq!(did_you_mean("", keys), None);
        let sections = ["api", "retry", "class", "status"];
        assert_eq!(did_you_mean("retries", sections), Some("retry"));
        assert_eq!(did_you_mean("statuses", sections), Some("status"));
        assert_eq!(did_you_mean("classes", sections), Some("class"));
        assert_eq!(did_you_mean("apis", sections), Some("api"));
        assert_eq!(
            did_you_mean("retry_policy", ["retry", "reason"]),
            Some("retry")
        );
        assert_eq!(did_you_mean("re", ["retry"]), None);
    }

    #[test]
    fn lists() {
        assert_eq!(one_of(&[]), "");
        assert_eq!(one_of(&["a"]), "`a`");
        assert_eq!(one_of(&["a", "b", "c"]), "`a`, `b` or `c`");
        assert_eq!(all_of(&["a", "b"]), "`a` and `b`");
    }
}
