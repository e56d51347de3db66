#[errspec::errors(spec = "specs/bad/rate-limit-ietf-not-bool.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
