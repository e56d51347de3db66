#[errspec::errors(spec = "specs/bad/rate-limit-quota-bad-reset.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
