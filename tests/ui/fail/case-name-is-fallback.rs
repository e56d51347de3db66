#[errspec::errors(spec = "specs/bad/case-name-is-fallback.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
