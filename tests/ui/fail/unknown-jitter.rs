#[errspec::errors(spec = "specs/bad/unknown-jitter.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
