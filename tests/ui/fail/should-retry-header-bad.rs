#[errspec::errors(spec = "specs/bad/should-retry-header-bad.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
