#[errspec::errors(spec = "specs/bad/reset-pointer-wildcard.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
