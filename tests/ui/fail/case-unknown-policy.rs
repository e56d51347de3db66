#[errspec::errors(spec = "specs/bad/case-unknown-policy.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
