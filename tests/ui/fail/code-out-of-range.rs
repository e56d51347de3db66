#[errspec::errors(spec = "specs/bad/code-out-of-range.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
