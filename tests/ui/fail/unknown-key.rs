#[errspec::errors(spec = "specs/bad/unknown-key.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
