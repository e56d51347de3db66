#[errspec::errors(spec = "specs/bad/case-unknown-key.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
