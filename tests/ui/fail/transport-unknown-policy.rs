#[errspec::errors(spec = "specs/bad/transport-unknown-policy.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
