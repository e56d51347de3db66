#[errspec::errors(spec = "specs/bad/unknown-policy.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
