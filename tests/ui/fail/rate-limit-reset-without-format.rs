#[errspec::errors(spec = "specs/bad/rate-limit-reset-without-format.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
