#[errspec::errors(spec = "specs/bad/success-case-unknown-key.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
