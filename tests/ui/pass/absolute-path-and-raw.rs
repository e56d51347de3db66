// A user crate with its own `Result`, `http` and `Option` in scope must not break the expansion.
#![allow(dead_code)]
type Result<T> = core::result::Result<T, ()>;
mod http {}
struct Option;
struct Duration;

#[errspec::errors(spec = "specs/small.toml")]
#[derive(Debug)]
enum SmallError {}

fn main() {
    let e = SmallError::from(errspec::http::StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(e.to_string(), "429 Too Many Requests: slow down");
}
