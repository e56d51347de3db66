#[errspec::errors(spec = "specs/bad/rate-limit-unknown-count-format.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
