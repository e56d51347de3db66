#[errspec::errors(spec = "specs/bad/case-name-not-identifier.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
