#[errspec::errors(spec = "specs/bad/zero-attempts.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
