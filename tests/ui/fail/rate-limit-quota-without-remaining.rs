#[errspec::errors(spec = "specs/bad/rate-limit-quota-without-remaining.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
