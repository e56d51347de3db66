//! Readers of numbers: integers in a range, floats, and the keys that are numbers
//! (`max_attempts`, `multiplier`, a budget's `ratio` and `min_per_second`).

use toml::de::DeValue;

use crate::raw::Sp;
use crate::reader::{Reader, Value};

/// Largest budget ratio: a thousand retries per request is already no budget at all.
const MAX_BUDGET_RATIO: f64 = 1000.0;

impl Reader<'_, '_, '_> {
    /// An integer in `min..=max`; `help` says what to write when it is out of range.
    pub(crate) fn integer(
        &mut self,
        value: &Value<'_>,
        path: &str,
        example: &str,
        (min, max): (i128, i128),
        help: &str,
    ) -> Option<Sp<i128>> {
        let DeValue::Integer(int) = value.get_ref() else {
            self.type_error(value, "an integer", path, example);
            return None;
        };
        // Too many digits for i128 is "too large" (or too small) like any other.
        let parsed = i128::from_str_radix(int.as_str(), int.radix()).ok();
        match parsed {
            Some(n) if (min..=max).contains(&n) => Some(Sp::new(n, value.span())),
            Some(n) if n < min => {
                self.cx.error(
                    value.span(),
                    format!(
                        "`{path}` must be at least {min}, found {}",
                        self.written(value)
                    ),
                    help,
                );
                None
            }
            _ if int.as_str().starts_with('-') => {
                self.cx.error(
                    value.span(),
                    format!(
                        "`{path}` must be at least {min}, found {}",
                        self.written(value)
                    ),
                    help,
                );
                None
            }
            _ => {
                self.cx.error(
                    value.span(),
                    format!(
                        "`{path}` must be at most {max}, found {}",
                        self.written(value)
                    ),
                    help,
                );
                None
            }
        }
    }

    /// An integer or float, as `f64` (not yet checked for finiteness).
    pub(crate) fn number(&mut self, value: &Value<'_>, path: &str, example: &str) -> Option<f64> {
        match value.get_ref() {
            DeValue::Float(f) => f.as_str().parse::<f64>().ok().or(Some(f64::NAN)),
            DeValue::Integer(i) if i.radix() == 10 => {
                i.as_str().parse::<f64>().ok().or(Some(f64::NAN))
            }
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
                .ok()
                .and_then(|n| i32::try_from(n).ok())
                .map(f64::from)
                .or(Some(f64::INFINITY)),
            _ => {
                self.type_error(value, "a number", path, example);
                None
            }
        }
    }

    pub(crate) fn max_attempts(
        &mut self,
        value: &Value<'_>,
        path: &str,
        example: &str,
    ) -> Option<Sp<u32>> {
        let help = "`max_attempts` counts every try, the first included: write \
                    `max_attempts = 1` to never retry, or more to allow retries";
        let n = self.integer(value, path, example, (1, i128::from(u32::MAX)), help)?;
        let attempts = u32::try_from(n.value).ok()?;
        Some(Sp::new(attempts, n.span))
    }

    pub(crate) fn multiplier(
        &mut self,
        value: &Value<'_>,
        path: &str,
        example: &str,
    ) -> Option<Sp<f64>> {
        let m = self.number(value, path, example)?;
        if m.is_finite() && m >= 1.0 {
            return Some(Sp::new(m, value.span()));
        }
        self.cx.error(
            value.span(),
            format!(
                "`{path}` must be a finite number of at least 1.0, found {}",
                self.written(value)
            ),
            "write `multiplier = 1.0` for a constant backoff, or more for a growing one, e.g. \
             `multiplier = 2.0`",
        );
        None
    }

    /// `ratio` of a `budget`: a number from 0 to [`MAX_BUDGET_RATIO`].
    pub(crate) fn ratio(
        &mut self,
        value: &Value<'_>,
        path: &str,
        example: &str,
    ) -> Option<Sp<f64>> {
        let r = self.number(value, path, example)?;
        if r.is_finite() && (0.0..=MAX_BUDGET_RATIO).contains(&r) {
            return Some(Sp::new(r, value.span()));
        }
        self.cx.error(
            value.span(),
            format!(
                "`{path}` must be a number from 0 to 1000, found {}",
                self.written(value)
            ),
            "the ratio is retries allowed per first attempt, e.g. `ratio = 0.2` for one retry \
             per five requests",
        );
        None
    }

    /// `min_per_second` of a `budget`.
    pub(crate) fn min_per_second(
        &mut self,
        value: &Value<'_>,
        path: &str,
        example: &str,
    ) -> Option<Sp<u32>> {
        let help = "write how many retries a second are allowed whatever the traffic, from 0 to \
                    4294967295, e.g. `min_per_second = 10`";
        let n = self.integer(value, path, example, (0, i128::from(u32::MAX)), help)?;
        Some(Sp::new(u32::try_from(n.value).ok()?, n.span))
    }
}
