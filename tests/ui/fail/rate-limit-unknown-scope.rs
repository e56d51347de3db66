#[errspec::errors(spec = "specs/bad/rate-limit-unknown-scope.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
